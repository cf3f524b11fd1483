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
  if (ts.isIdentifier(schema) && madeByAParserLibrary(schema.text, sf)) return undefined;
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

/** Packages whose values are schemas: a value one of them builds checks what it parses. */
const SCHEMA_PACKAGE =
  /^(zod|zod\/.*|joi|@hapi\/joi|yup|valibot|superstruct|io-ts|ajv|ajv\/.*|@sinclair\/typebox|arktype|effect|@effect\/schema|runtypes|class-validator|@vinejs\/vine|fastest-validator|ow)$/;

/**
 * Whether `name` is bound in the file to what a function or class imported from a package that is not a
 * schema library makes (`const hstore = PgHstore({ sanitize: true })`, `const md = new MarkdownIt()`): a
 * parser or codec of a data format, whose `.parse()` turns text into a value and checks no input.
 */
function madeByAParserLibrary(name: string, sf: ts.SourceFile): boolean {
  let made: string | undefined;
  const imported = new Map<string, string>();
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.importClause) {
      const from = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (clause.name) imported.set(clause.name.text, from);
      if (clause.namedBindings && ts.isNamedImports(clause.namedBindings))
        for (const element of clause.namedBindings.elements) imported.set(element.name.text, from);
      if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) imported.set(clause.namedBindings.name.text, from);
    }
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer;
      if (!ts.isIdentifier(declaration.name) || !init) continue;
      // `const PgHstore = require('pg-hstore')`
      if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require') {
        const from = init.arguments[0];
        if (from && ts.isStringLiteral(from)) imported.set(declaration.name.text, from.text);
      }
      if (declaration.name.text === name && (ts.isCallExpression(init) || ts.isNewExpression(init)) && ts.isIdentifier(init.expression))
        made = init.expression.text;
    }
  }
  if (made === undefined || /schema|valid|struct|codec|type/i.test(made)) return false;
  const from = imported.get(made);
  return from !== undefined && !from.startsWith('.') && !SCHEMA_PACKAGE.test(from);
}
