import { ts } from 'ts-morph';
import type { Unit } from '../../parse/units.js';
import { defineDetector, type Guardrail } from '../define-detector.js';
import { anchorText, calleeSimpleName, calleeText, forEachNodeOfUnit, identifiersIn, propertyNameText, throwsError } from '../util/ast.js';

/** Methods that run a schema over a value. */
const SCHEMA_METHOD = /^(parse|safeParse|parseAsync|safeParseAsync|validate|validateAsync|validateSync|isValid|isValidSync|assert|assertValid|decode|cast)$/;
/** Receivers of `.parse` that are not schemas. */
const NOT_A_SCHEMA = /^(JSON|Date|URL|url|path|qs|querystring|yaml|YAML|cookie|semver|Number|Math|Buffer|Intl|toml|csv|papa|marked|acorn|babel|parser|html|xml|ini|dotenv|mime|contentType|bytes|ms)$/;
/** Functions that validate what they are given. */
const VALIDATE_CALL = /^(validate\w*|assert[A-Z]\w*|assert|invariant|ow|check[A-Z]\w*|ensure[A-Z]\w*|sanitize\w*|celebrate|validator|validationResult|matchedData|plainToInstance|plainToClass|validateOrReject|validateSync|v\.parse|safeParse|parseWithSchema|checkSchema|expectType)$/;
/** Schema builders whose object fields are inventoried one by one. */
const SCHEMA_ROOT = /^(z|zod|Joi|joi|yup|Yup|v|t|Type|S|Schema|s|superstruct|io|ow)\./;
/** Chain methods that make a field optional: dropping the field's requiredness. */
const LOOSENERS = new Set(['optional', 'nullable', 'nullish', 'passthrough', 'partial', 'deepPartial', 'unknown', 'any', 'allow', 'Optional', 'notRequired']);
/** Errors that say "not allowed" belong to the auth detector, not here. */
const AUTH_ERROR = /Forbidden|Unauthori[sz]ed|Authori[sz]ation|Authentication|Permission|AccessDenied|\b40[13]\b/;
/** Conditions that inspect the shape of a value. */
const SHAPE_CHECK = /\btypeof\b|\binstanceof\b|isArray|isNaN|isFinite|isInteger|isSafeInteger|\.length\b|\.test\(|\.match\(|\bis[A-Z]\w*\(|valid|\bin\b|Number\.is|=== undefined|=== null|== null|!== undefined|!= null|\.size\b|\.trim\(\)|\.startsWith\(|\.endsWith\(|\.includes\(/;

export default defineDetector({
  meta: {
    id: 'removed-validation',
    category: 'validation',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'Input validation was removed or loosened: a schema check, a guard clause, an assertion, a validation pipe or middleware.',
    messages: {
      removed: '{{symbol}} no longer has {{label}}: unchecked input now reaches the code behind it.',
      weakened: '{{symbol}}: {{label}} was loosened: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Schema checks (zod, joi, yup, valibot, superstruct, ajv: `.parse`, `.safeParse`, `.validate`, compiled validators), schema fields losing a refinement (`.uuid()`, `.max(n)`, `.email()`) or becoming optional, class-validator decorators, validation pipes and middleware (`validate(schema)`, `celebrate`, express-validator), assertions (`assert`, `invariant`, `assertPresent`) and guard clauses that throw or answer 400 when a value has the wrong type, length, format or is missing.',
      ignores:
        'Validation moved into a helper, a middleware or a schema of the same PR; a stricter schema; guard clauses about permissions (the auth detector owns those); `JSON.parse` and other parsers that are not schemas.',
      example: {
        file: 'src/routes/orders.ts',
        before:
          "export async function createOrder(req: Request, res: Response) {\n  const body = OrderSchema.parse(req.body);\n  res.json(await orders.create(body));\n}\n",
        after: 'export async function createOrder(req: Request, res: Response) {\n  res.json(await orders.create(req.body));\n}\n',
      },
    },
  },
  inventory: validationsOf,
});

function validationsOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (g: Omit<Guardrail, 'category'>): void => {
    found.push({ category: 'validation', ...g });
  };

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isCallExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (!name) return;
      const callee = calleeText(node.expression, sf);
      if (ts.isPropertyAccessExpression(node.expression) && SCHEMA_METHOD.test(name)) {
        const receiver = node.expression.expression;
        const receiverName = calleeSimpleName(receiver) ?? receiver.getText(sf);
        if (NOT_A_SCHEMA.test(receiverName) || NOT_A_SCHEMA.test(receiver.getText(sf).split('.')[0] ?? '')) return;
        if (name === 'decode' || name === 'cast' || name === 'assert') {
          if (!/schema|codec|type|struct|dto|validator/i.test(receiver.getText(sf))) return;
        }
        push({ kind: 'schema-check', anchor: `${name} with ${anchorText(receiver, sf, 60)}`, node, label: `the ${anchorText(receiver, sf, 50)}.${name}() check` });
        return;
      }
      if (VALIDATE_CALL.test(name) || VALIDATE_CALL.test(callee)) {
        if (/^(checkout|checkIn|ensureDir|ensureFile|checkStatus)$/i.test(name)) return;
        const subject = node.arguments[0] ? anchorText(node.arguments[0], sf, 50) : '';
        push({ kind: 'assertion', anchor: `${callee}(${subject})`, node, label: `the ${callee}(${subject}) check` });
        return;
      }
      if (/^(ValidationPipe|ParseIntPipe|ParseUUIDPipe|ParseBoolPipe|ParseArrayPipe|ParseEnumPipe|UsePipes)$/.test(name)) {
        push({ kind: 'framework', anchor: name, node, label: `the ${name} validation` });
      }
      return;
    }
    if (ts.isNewExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (name && /Pipe$/.test(name) && /Validation|Parse/.test(name)) push({ kind: 'framework', anchor: name, node, label: `the ${name} validation` });
      return;
    }
    // class-validator: @IsEmail() @MaxLength(80) on a DTO field
    if (ts.isDecorator(node) && ts.isCallExpression(node.expression)) {
      const name = calleeSimpleName(node.expression.expression) ?? '';
      if (/^(Is[A-Z]\w*|Max\w*|Min\w*|Length|Matches|ValidateNested|ArrayMaxSize|ArrayMinSize|Contains|Equals|NotEquals|Allow)$/.test(name) && name !== 'IsOptional') {
        push({ kind: 'decorator', anchor: `@${name}`, node, label: `the @${name}() constraint` });
      }
      return;
    }
    // Schema fields: z.object({ id: z.string().uuid(), title: z.string().max(100) })
    if (ts.isPropertyAssignment(node) && ts.isCallExpression(node.initializer)) {
      const chain = chainOf(node.initializer, sf);
      if (!chain || !SCHEMA_ROOT.test(chain.root)) return;
      const field = fieldPath(node, unit, sf);
      const members = chain.methods.filter((m) => !LOOSENERS.has(m));
      if (!chain.methods.some((m) => LOOSENERS.has(m))) members.push('required');
      push({ kind: 'schema-field', anchor: `field ${field}`, node, label: `the schema field "${field}"`, members });
      return;
    }
    if (ts.isIfStatement(node)) {
      const guard = guardOf(node, unit, sf);
      if (guard) push(guard);
    }
  });
  return found;
}

/** `z.string().uuid().max(5)` → root `z.string`, methods [string, uuid, max]. */
function chainOf(call: ts.CallExpression, sf: ts.SourceFile): { root: string; methods: string[] } | undefined {
  const methods: string[] = [];
  let e: ts.Expression = call;
  while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    methods.unshift(e.expression.name.text);
    e = e.expression.expression;
  }
  if (!ts.isIdentifier(e)) return undefined;
  return { root: `${e.text}.${methods[0] ?? ''}`, methods: methods.filter((m) => m !== 'describe' && m !== 'openapi') };
}

/** The dotted path of a schema field from the unit's root: body.id. */
function fieldPath(node: ts.PropertyAssignment, unit: Unit, sf: ts.SourceFile): string {
  const path: string[] = [propertyNameText(node.name, sf)];
  for (let n: ts.Node | undefined = node.parent; n && n !== unit.node; n = n.parent) {
    if (ts.isPropertyAssignment(n)) path.unshift(propertyNameText(n.name, sf));
  }
  return path.join('.');
}

/** An `if` that rejects bad input: throws (not a permission error) or answers 4xx, about a value's shape or presence. */
function guardOf(node: ts.IfStatement, unit: Unit, sf: ts.SourceFile): Omit<Guardrail, 'category'> | undefined {
  const condition = node.expression.getText(sf);
  const thenText = node.thenStatement.getText(sf);
  if (AUTH_ERROR.test(thenText) || /\b(can|may|is)(Admin|Owner|Allowed|Authorized|Member)\b|\bauthorize\(|\bcan\(|policy|permission|role/i.test(condition)) return undefined;
  if (/already|processed|exists|duplicate|idempoten/i.test(condition)) return undefined; // dedup checks belong to idempotency
  const rejects = throwsError(node.thenStatement);
  const names = identifiersIn(node.expression);
  const aboutInput = unit.params.some((p) => names.has(p)) || /\b(req|request|ctx|body|params|query|input|args|options|opts|payload|data|event)\b/.test(condition);
  if (rejects && (aboutInput || SHAPE_CHECK.test(condition))) {
    return { kind: 'guard-clause', anchor: `guard ${anchorText(node.expression, sf, 100)}`, node, label: `the guard "if (${anchorText(node.expression, sf, 70)})"` };
  }
  // A non-throwing early return is validation only when it checks a parameter's type or format.
  const returnsEarly = ts.isReturnStatement(node.thenStatement) || (ts.isBlock(node.thenStatement) && node.thenStatement.statements.length === 1 && ts.isReturnStatement(node.thenStatement.statements[0]!));
  if (returnsEarly && unit.params.some((p) => names.has(p)) && /\btypeof\b|\binstanceof\b|isArray|isNaN|isFinite|isInteger|\.test\(|Number\.is|valid/i.test(condition)) {
    return { kind: 'type-guard', anchor: `guard ${anchorText(node.expression, sf, 100)}`, node, label: `the type check "if (${anchorText(node.expression, sf, 70)})"` };
  }
  return undefined;
}
