import { ts } from '../../ts-morph-library.js';
import { calleeSimpleName } from '../ast/text.js';

// Schema calls: `Schema.parse(input)` and its kin in zod, joi, yup, valibot, superstruct, io-ts and ajv.

/** Methods that check a value against a schema. */
const SCHEMA_METHOD =
  /^(parse|safeParse|parseAsync|safeParseAsync|validate|validateAsync|validateSync|isValid|isValidSync|assert|assertValid|decode|cast|create)$/;
/**
 * Methods that are schema checks only on a receiver named as one (`OrderSchema.assert`, `Codec.decode`,
 * `struct.create`): on anything else they are ordinary methods (`assert`, `Buffer.decode`, `User.create`).
 */
const AMBIGUOUS_METHOD = /^(create|assert|decode|cast)$/;
/** Receivers of `.parse` and its kin that are parsers or built-ins, not schemas. */
const NOT_A_SCHEMA =
  /^(JSON|Date|URL|url|path|qs|querystring|yaml|YAML|cookie|semver|Number|Math|Buffer|Intl|toml|csv|papa|marked|acorn|babel|parser|html|xml|ini|dotenv|mime|contentType|bytes|ms|Object|Array|document|new)$/;

/** A schema check: the method called and the schema it is called on. */
export interface SchemaCall {
  method: string;
  schema: ts.Expression;
}

/** `Schema.parse(x)`, `schema.validate(x)`, `OrderCodec.decode(x)`: the schema check a call makes, if it is one. */
export function schemaCallOf(call: ts.CallExpression, sf: ts.SourceFile): SchemaCall | undefined {
  if (!ts.isPropertyAccessExpression(call.expression)) return undefined;
  const method = call.expression.name.text;
  if (!SCHEMA_METHOD.test(method)) return undefined;
  const schema = call.expression.expression;
  const receiverText = schema.getText(sf);
  const receiverName = calleeSimpleName(schema) ?? receiverText;
  if (NOT_A_SCHEMA.test(receiverName) || NOT_A_SCHEMA.test(receiverText.split('.')[0] ?? '')) return undefined;
  if (AMBIGUOUS_METHOD.test(method) && !/schema|codec|type|struct|dto|validator/i.test(receiverText)) return undefined;
  return { method, schema };
}

/** Whether a method name is one schema libraries check with (on a schema or not). */
export function isSchemaMethodName(name: string): boolean {
  return SCHEMA_METHOD.test(name);
}

/**
 * Schema builders that accept only a subset of what a broader builder accepts: every value `z.enum([…])`,
 * `z.literal('x')` or `z.email()` accepts, `z.string()` accepts too. A field whose builder became one of
 * its narrower builders was tightened, whatever members its chain lost by name.
 */
const NARROWER_BUILDERS: Record<string, ReadonlySet<string>> = {
  string: new Set([
    'enum',
    'literal',
    'nativeEnum',
    'email',
    'uuid',
    'url',
    'cuid',
    'cuid2',
    'ulid',
    'iso',
    'datetime',
    'ipv4',
    'ipv6',
    'templateLiteral',
  ]),
  number: new Set(['int', 'int32', 'literal', 'nativeEnum', 'enum']),
  boolean: new Set(['literal']),
  any: new Set(['string', 'number', 'boolean', 'object', 'array', 'enum', 'literal', 'union', 'record']),
  unknown: new Set(['string', 'number', 'boolean', 'object', 'array', 'enum', 'literal', 'union', 'record']),
};

/** Whether the builder `after` accepts no value that `before` would refuse (`string` → `enum`). */
export function builderNarrows(before: string, after: string): boolean {
  return NARROWER_BUILDERS[before]?.has(after) === true;
}
