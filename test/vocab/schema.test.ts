import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { isSchemaMethodName, schemaCallOf } from '../../src/core/detect/vocab/schema.js';
import { first } from '../support/syntax.js';

const schemaOf = (text: string): string | undefined => {
  const { node, sf } = first(text, ts.isCallExpression);
  const found = schemaCallOf(node, sf);
  return found && `${found.schema.getText(sf)}.${found.method}`;
};

describe('vocab/schema: schema calls', () => {
  it('finds checks against a schema in the common libraries', () => {
    expect(schemaOf('OrderSchema.parse(req.body);')).toBe('OrderSchema.parse');
    expect(schemaOf('await schema.validateAsync(input);')).toBe('schema.validateAsync');
    expect(schemaOf('z.object({ id: z.string() }).safeParse(body);')).toBe('z.object({ id: z.string() }).safeParse');
    expect(schemaOf('userSchema.isValidSync(form);')).toBe('userSchema.isValidSync');
  });

  it('leaves out parsers and built-ins that share the method names', () => {
    expect(schemaOf('JSON.parse(text);')).toBeUndefined();
    expect(schemaOf('Date.parse(value);')).toBeUndefined();
    expect(schemaOf('yaml.parse(file);')).toBeUndefined();
    expect(schemaOf('Object.assign(a, b);')).toBeUndefined();
  });

  it('counts create, assert, decode and cast only on a receiver named as a schema', () => {
    expect(schemaOf('OrderStruct.create(input);')).toBe('OrderStruct.create');
    expect(schemaOf('PersonCodec.decode(payload);')).toBe('PersonCodec.decode');
    expect(schemaOf('User.create(input);')).toBeUndefined();
    expect(schemaOf('buffer.decode(bytes);')).toBeUndefined();
  });

  it('knows the method names on their own', () => {
    expect(isSchemaMethodName('safeParseAsync')).toBe(true);
    expect(isSchemaMethodName('parseInt')).toBe(false);
  });
});
