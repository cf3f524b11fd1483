import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { throwsError } from '../ast/statements.js';
import { anchorText, calleeSimpleName, calleeText, invokedArguments, propertyNameText } from '../ast/text.js';
import { forEachNodeOfUnit, identifiersIn } from '../ast/walk.js';
import { refusesOtherOwners } from '../vocab/ownership.js';
import { builderNarrows, isSchemaMethodName, schemaCallOf } from '../vocab/schema.js';
import { defineDetector, type Guardrail, type PullRequestView } from '../define-detector.js';

/** Methods that run a schema over a value. */
/** Builder methods that attach an input schema (next-safe-action `.schema(X)`, tRPC `.input(X)`). */
const SCHEMA_ATTACH = /^(schema|inputSchema|input|bodySchema|querySchema|paramsSchema|validator)$/;
/** Schema-level refinements: cross-field rules that a loosened schema loses. */
const REFINEMENT = /^(refine|superRefine|refinement|check|test|when|custom|strict|strictObject)$/;
/** Methods that loosen a whole schema. */
const SCHEMA_LOOSENER = /\.(partial|deepPartial|passthrough|catchall|nonstrict)\(|z\.any\(|z\.unknown\(/;
/** Errors that say the input is wrong. */
const INPUT_ERROR =
  /TypeError|RangeError|Validation|Invalid|BadRequest|bad.?request|Argument|Unprocessable|Schema|INVALID|MissingParam|IllegalArgument|\b4(00|22)\b/;
/** Functions that validate what they are given. */
const VALIDATE_CALL =
  /^(validate\w*|assert[A-Z]\w*|assert|invariant|ow|check[A-Z]\w*|ensure[A-Z]\w*|sanitize\w*|celebrate|validator|validationResult|matchedData|plainToInstance|plainToClass|validateOrReject|validateSync|v\.parse|safeParse|parseWithSchema|checkSchema|expectType)$/;
/** Schema builders whose object fields are inventoried one by one. */
const SCHEMA_ROOT = /^(z|zod|Joi|joi|yup|Yup|v|t|Type|S|Schema|s|superstruct|io|ow)\./;
/** Chain methods that make a field optional: dropping the field's requiredness. */
const LOOSENERS = new Set([
  'optional',
  'nullable',
  'nullish',
  'passthrough',
  'partial',
  'deepPartial',
  'unknown',
  'any',
  'allow',
  'Optional',
  'notRequired',
]);
/** Rejections whose text is about a URL, and the anchor they share with `new URL()`. */
const URL_WORD = /\burls?\b/i;
const URL_REJECTION = 'rejects a malformed URL';
/**
 * What a plain `Error`'s message says when it refuses a value: the fall-through `throw` that ends a chain of
 * accepted cases (`throw new Error('Unsupported value …')`) is what keeps anything else from being accepted.
 */
const INPUT_MESSAGE =
  /^\W*(unsupported|invalid|unknown|unexpected|unrecognized|unrecogni[sz]ed|illegal|malformed)\b|\b(is not|isn't) (a )?(valid|supported|allowed)\b|\bmust (be|not be|contain|have)\b/i;
/** Errors that say "not allowed" belong to the auth detector, not here. */
const AUTH_ERROR = /Forbidden|Unauthori[sz]ed|Authori[sz]ation|Authentication|Permission|AccessDenied|\b40[13]\b/;

export default defineDetector({
  meta: {
    id: 'removed-validation',
    category: 'validation',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'Input validation was removed or loosened: a schema check, a guard clause, an assertion, a validation pipe or middleware.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: unchecked input now reaches the code behind it.',
      weakened: '{{symbol}}: {{label}} was loosened: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Schema checks (zod, joi, yup, valibot, superstruct, ajv: `.parse`, `.safeParse`, `.validate`, compiled validators), schema fields losing a refinement (`.uuid()`, `.max(n)`, `.email()`) or becoming optional, class-validator decorators, validation pipes and middleware (`validate(schema)`, `celebrate`, express-validator), assertions (`assert`, `invariant`, `assertPresent`) and guard clauses that throw (an `assert(false)` in the branch included) or answer 400 when a value has the wrong type, length, format or is missing. A refusal of a case the code does not serve (`not supported`, `not implemented`) counts at `medium` when the pull request removes it and builds nothing in its place: the request is then accepted and silently not served.',
      ignores:
        'Validation moved into a helper, a middleware or a schema of the same PR; a stricter schema; guard clauses about permissions or about who owns a row (the auth detector owns those); `JSON.parse` and other parsers that are not schemas (a format parser made by a library that is not a schema library: `ini.parse(text)`); a field of a schema that reads an upstream answer (`responseSchema`, `chunkSchema`) made optional (info); a type check that dispatches (it returns the value or a conversion of it) or that tests a local rather than a parameter; helpers that make a folder or file exist (`ensureFolderExists`); a refusal of a case not built yet when the pull request writes its option or capability again (it built the case) or takes the option out elsewhere too (`info`).',
      example: {
        file: 'src/routes/orders.ts',
        before:
          'export async function createOrder(req: Request, res: Response) {\n  const body = OrderSchema.parse(req.body);\n  res.json(await orders.create(body));\n}\n',
        after: 'export async function createOrder(req: Request, res: Response) {\n  res.json(await orders.create(req.body));\n}\n',
      },
    },
  },
  inventory: validationsOf,
  isWeakened(before, after, pr) {
    // A field paired with another field by shape only (`tokenCount` with the new `usageMetadata`): when nothing
    // reads the old one any more, it was dropped with its use, not loosened into the other.
    if (before.kind === 'schema-field' && before.anchor !== after.anchor && fieldUnread(before, headSources(before, pr, after)))
      return false;
    if (before.members && after.members && before.members.some((m) => !after.members!.includes(m)))
      return !(after.kind === 'schema-field' && (unionKeepsShape(before, after) || builderNarrowed(before.members, after.members)));
    // A guard that lost a disjunct rejects fewer inputs; compare only guards about the same values.
    if (before.kind === 'guard-clause' && after.kind === 'guard-clause' && before.strength !== undefined && after.strength !== undefined) {
      return (
        after.strength < before.strength &&
        overlap(before.anchor, after.anchor) >= 0.6 &&
        !membershipReplacesAlternatives(before.node, after.node) &&
        !strongerPredicateReplacesAlternatives(before.node, after.node)
      );
    }
    return false;
  },
  judgeLoss(lost, after, pr) {
    // A field of a schema that reads what an upstream service answers (a response, a stream chunk) made
    // optional: the client now tolerates an answer without it. That is leniency towards the service, not
    // input let through; whether the code copes with the missing value is the null-safety detector's question.
    if (after && lost.kind === 'schema-field' && after.kind === 'schema-field') {
      const dropped = (lost.members ?? []).filter((m) => !(after.members ?? []).includes(m));
      if (dropped.length > 0 && dropped.every((m) => m === 'required') && readsAnUpstreamAnswer(lost.node))
        return { severity: 'info', evidence: { upstreamAnswerSchema: true } };
    }
    if (after || lost.kind !== 'schema-field') return undefined;
    const field = ts.isPropertyAssignment(lost.node) ? propertyNameText(lost.node.name, lost.node.getSourceFile()) : '';
    return fieldUnread(lost, headSources(lost, pr)) ? { severity: 'info', evidence: { fieldNoLongerRead: field } } : undefined;
  },
});

/** The head's versions of the changed files: the one that held the guardrail first (`after`'s, else the same path), then the others. */
function headSources(lost: Guardrail, pr: PullRequestView, after?: Guardrail): ts.SourceFile[] {
  const files = new Set(pr.head.map((h) => h.unit.sourceFile));
  if (after) files.add(after.node.getSourceFile());
  const path = lost.node.getSourceFile().fileName;
  return [...files].sort((a, b) => Number(b.fileName === path) - Number(a.fileName === path));
}

/**
 * Whether a schema field that left is one nothing reads any more: the schema is not exported (its parses are
 * read in this pull request's files), the head still has the file, and no head file of the PR reads the
 * field's name (`x.tokenCount`, `x['tokenCount']`, `{ tokenCount }`) outside a schema or type that declares it.
 * An object schema drops the keys it does not name, so the value is not there to be used unchecked.
 */
function fieldUnread(lost: Guardrail, heads: readonly ts.SourceFile[]): boolean {
  if (!ts.isPropertyAssignment(lost.node)) return false;
  const base = lost.node.getSourceFile();
  const field = propertyNameText(lost.node.name, base);
  if (!field || !heads.some((h) => h.fileName === base.fileName)) return false;
  let holder: ts.Node | undefined = lost.node;
  while (holder && !ts.isVariableStatement(holder)) holder = holder.parent;
  if (!holder || ts.getModifiers(holder as ts.VariableStatement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return false;
  return !heads.some((sf) => readsName(sf, field));
}

function readsName(sf: ts.SourceFile, name: string): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if ((ts.isIdentifier(node) || ts.isStringLiteralLike(node)) && node.text === name) {
      const parent = node.parent;
      const declares =
        (ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node;
      if (!declares) found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function overlap(a: string, b: string): number {
  const ta = new Set(a.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const tb = new Set(b.match(/[A-Za-z_$][\w$]*/g) ?? []);
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / Math.max(1, Math.min(ta.size, tb.size));
}

/** How many alternatives make the guard reject: `a || b` rejects in two cases. */
function disjuncts(expression: ts.Expression): number {
  let e = expression;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) return disjuncts(e.left) + disjuncts(e.right);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
    return Math.max(disjuncts(e.left), disjuncts(e.right));
  return 1;
}

/**
 * `method === 'GET' || method === 'HEAD'` became `bodyless.has(method)`: the alternatives that compared one
 * value with literals are now one test of that value against a set, which may hold them all. Counting
 * alternatives would call that one fewer.
 */
function membershipReplacesAlternatives(before: ts.Node, after: ts.Node): boolean {
  if (!ts.isIfStatement(before) || !ts.isIfStatement(after)) return false;
  const tested = new Set<string>();
  const collect = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.BarBarToken) {
      const value = equalityTestedValue(n);
      if (value !== undefined) {
        tested.add(value);
        return;
      }
    }
    ts.forEachChild(n, collect);
  };
  collect(before.expression);
  if (tested.size === 0) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      /^(has|includes)$/.test(n.expression.name.text) &&
      n.arguments.length === 1 &&
      tested.has(n.arguments[0]!.getText().replace(/\s+/g, ''))
    )
      found = true;
    if (!found) ts.forEachChild(n, visit);
  };
  visit(after.expression);
  return found;
}

/** The value every alternative of `a === 'x' || a === 'y'` compares with a literal, when they all compare the same one. */
function equalityTestedValue(expression: ts.Expression): string | undefined {
  let e = expression;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (!ts.isBinaryExpression(e)) return undefined;
  if (e.operatorToken.kind === ts.SyntaxKind.BarBarToken) {
    const left = equalityTestedValue(e.left);
    return left !== undefined && left === equalityTestedValue(e.right) ? left : undefined;
  }
  const op = e.operatorToken.kind;
  if (op !== ts.SyntaxKind.EqualsEqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsToken) return undefined;
  const literal = (n: ts.Expression): boolean => ts.isStringLiteralLike(n) || ts.isNumericLiteral(n);
  if (literal(e.right) && !literal(e.left)) return e.left.getText().replace(/\s+/g, '');
  if (literal(e.left) && !literal(e.right)) return e.right.getText().replace(/\s+/g, '');
  return undefined;
}

/** `return res.status(400)…`, `return { response: responses.badRequestResponse(…) }`, `return ctx.badRequest()`. */
function answersClientError(statement: ts.Statement, sf: ts.SourceFile): boolean {
  const last = ts.isBlock(statement) ? statement.statements[statement.statements.length - 1] : statement;
  if (!last || !ts.isReturnStatement(last) || !last.expression) return false;
  return /bad.?request|unprocessable|status\(\s*4(00|22)|status:\s*4(00|22)|statusCode:\s*4(00|22)|invalid|validation/i.test(
    last.expression.getText(sf),
  );
}

/** Whether the nearest branching construct around the node is an `if` (whose guard already counts). */
function insideIfThen(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isIfStatement(n)) return true;
    if (ts.isCaseClause(n) || ts.isDefaultClause(n) || ts.isIterationStatement(n, false)) return false;
    if (ts.isFunctionLike(n) || ts.isSourceFile(n)) return false;
  }
  return false;
}

/**
 * `throw new Error('Unsupported where value: …')` where every accepted case has returned: a plain Error
 * whose message refuses the value, as the last statement of a function or of a switch's default.
 */
function refusalMessage(node: ts.ThrowStatement | ts.CallExpression): string | undefined {
  if (!ts.isThrowStatement(node) || !isFallThrough(node)) return undefined;
  const thrown = node.expression;
  if (!thrown || !(ts.isNewExpression(thrown) || ts.isCallExpression(thrown))) return undefined;
  const message = thrown.arguments?.[0];
  if (!message) return undefined;
  const text = ts.isStringLiteralLike(message) ? message.text : ts.isTemplateExpression(message) ? message.head.text : undefined;
  return text !== undefined && INPUT_MESSAGE.test(text) ? text.replace(/\s+/g, ' ').trim().slice(0, 60) : undefined;
}

function isFallThrough(statement: ts.Statement): boolean {
  const parent = statement.parent;
  if (ts.isDefaultClause(parent)) return parent.statements[parent.statements.length - 1] === statement;
  if (!ts.isBlock(parent) || !ts.isFunctionLike(parent.parent) || parent.statements.length < 2) return false;
  return parent.statements[parent.statements.length - 1] === statement;
}

function enclosingCatch(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isCatchClause(n)) return true;
    if (ts.isFunctionLike(n)) return false;
  }
  return false;
}

/** A chain that builds a schema: starts from a schema library or a *Schema/Z* value. */
function looksLikeSchemaChain(expression: ts.Expression, sf: ts.SourceFile): boolean {
  const text = expression.getText(sf).replace(/\s+/g, '');
  return (
    /^(z|zod|Joi|joi|yup|Yup|v|t|S|s)\./.test(text) ||
    /(Schema|^Z[A-Z]\w*|Validator|Dto)\b/.test(text) ||
    /\bz\.(object|string|number|array)\(/.test(text)
  );
}

/** The name a schema is bound to, or where it is passed. */
function schemaOwner(node: ts.Node, sf: ts.SourceFile): string {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) return n.name.text;
    if (ts.isPropertyAssignment(n)) return propertyNameText(n.name, sf);
    if (ts.isFunctionLike(n)) break;
  }
  return 'the schema';
}

function validationsOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (g: Omit<Guardrail, 'category'>): void => {
    found.push({ category: 'validation', ...g });
  };

  /** `throw new TypeError(…)` or `reject(new TypeError(…))` that is not already an `if`'s guard clause. */
  const rejection = (node: ts.ThrowStatement | ts.CallExpression): void => {
    if (insideIfThen(node)) return; // the guard clause is the guardrail
    const text = node.getText(sf);
    const error = /new\s+([A-Za-z_$][\w$]*)|\b([A-Z]\w*Error)\(/.exec(text);
    const errorName = error?.[1] ?? error?.[2] ?? '';
    const refusal = INPUT_ERROR.test(errorName) ? undefined : errorName === 'Error' ? refusalMessage(node) : undefined;
    if ((!INPUT_ERROR.test(errorName) && refusal === undefined) || AUTH_ERROR.test(text)) return;
    if (enclosingCatch(node)) return; // converting a failure, not checking input
    // A rejection of a malformed URL is matched by `new URL()` in the head, which rejects it too.
    // A plain Error is told apart by what it says: every other `throw new Error` is not this refusal moved.
    const anchor = URL_WORD.test(text) ? URL_REJECTION : `rejects with ${errorName}${refusal ? ` "${refusal}"` : ''}`;
    push({
      kind: 'rejection',
      anchor,
      identity: 'anchor',
      node,
      label: refusal ? `the "${refusal}" rejection of bad input` : `the ${errorName} rejection of bad input`,
    });
  };

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isCallExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (!name) return;
      // A promise's reject(new TypeError(…)) rejects bad input as a throw does.
      if (name === 'reject' && ts.isIdentifier(node.expression)) return rejection(node);
      const callee = calleeText(node.expression, sf);
      if (
        ts.isPropertyAccessExpression(node.expression) &&
        SCHEMA_ATTACH.test(name) &&
        node.arguments.length === 1 &&
        !ts.isStringLiteral(node.arguments[0]!)
      ) {
        const schema = node.arguments[0]!;
        const loose = SCHEMA_LOOSENER.test(schema.getText(sf));
        push({
          kind: 'schema-attach',
          anchor: `.${name}() input schema`,
          node,
          label: `the .${name}(${anchorText(schema, sf, 40)}) input schema`,
          members: loose ? [] : ['strict'],
        });
        return;
      }
      if (
        ts.isPropertyAccessExpression(node.expression) &&
        REFINEMENT.test(name) &&
        (name !== 'test' && name !== 'check' && name !== 'when' ? true : node.arguments.length >= 2) &&
        looksLikeSchemaChain(node.expression.expression, sf)
      ) {
        push({
          kind: 'refinement',
          anchor: `.${name}() on ${schemaOwner(node, sf)}`,
          node,
          label: `the .${name}() rule of ${schemaOwner(node, sf)}`,
        });
        return;
      }
      // `Struct.create(value)` coerces as much as it checks: left to type-safety, which reports it replaced by a cast.
      const schemaCall = schemaCallOf(node, sf);
      if (schemaCall && schemaCall.method !== 'create') {
        const receiver = schemaCall.schema;
        const loose = SCHEMA_LOOSENER.test(receiver.getText(sf));
        push({
          kind: 'schema-check',
          anchor: `${name} with ${anchorText(receiver, sf, 60)}`,
          node,
          label: `the ${anchorText(receiver, sf, 50)}.${name}() check`,
          members: loose ? [] : ['strict'],
        });
        return;
      }
      // A schema method on something that is not a schema (JSON.parse, a parser's .validate) checks nothing.
      if (ts.isPropertyAccessExpression(node.expression) && isSchemaMethodName(name) && name !== 'create') return;
      if (VALIDATE_CALL.test(name) || VALIDATE_CALL.test(callee)) {
        // `ensureDirectoryExists(dir)`, `ensureFolder(path)`: they make the folder or file be there, they check nothing.
        if (
          /^(checkout|checkIn|checkStatus)$/i.test(name) ||
          /^ensure\w*(Dir|Directory|Directories|Folder|File|Path)(Exists?)?$/i.test(name)
        )
          return;
        const first = invokedArguments(node)[0];
        const subject = first ? anchorText(first, sf, 50) : '';
        push({
          kind: 'assertion',
          anchor: `assert ${callee}(${subject})`,
          identity: 'anchor',
          node,
          label: `the ${callee}(${subject}) check`,
        });
        return;
      }
      if (/^(ValidationPipe|ParseIntPipe|ParseUUIDPipe|ParseBoolPipe|ParseArrayPipe|ParseEnumPipe|UsePipes)$/.test(name)) {
        push({ kind: 'framework', anchor: name, node, label: `the ${name} validation` });
      }
      return;
    }
    if (ts.isNewExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (name && /Pipe$/.test(name) && /Validation|Parse/.test(name))
        push({ kind: 'framework', anchor: name, node, label: `the ${name} validation` });
      // `new URL(input)` throws a TypeError on a malformed URL: a stand-in for a removed URL check (a
      // parseURL wrapper replaced by the constructor), counted on the head side only, so that removing
      // one of the many `new URL` calls that parse trusted values is never a finding itself.
      if (name === 'URL' && unit.side === 'head' && node.arguments?.length)
        push({ kind: 'url-parse', anchor: URL_REJECTION, identity: 'anchor', exactOnly: true, node, label: 'the new URL() parse' });
      return;
    }
    // class-validator: @IsEmail() @MaxLength(80) on a DTO field
    if (ts.isDecorator(node) && ts.isCallExpression(node.expression)) {
      const name = calleeSimpleName(node.expression.expression) ?? '';
      if (
        /^(Is[A-Z]\w*|Max\w*|Min\w*|Length|Matches|ValidateNested|ArrayMaxSize|ArrayMinSize|Contains|Equals|NotEquals|Allow)$/.test(name) &&
        name !== 'IsOptional'
      ) {
        push({ kind: 'decorator', anchor: `@${name}`, node, label: `the @${name}() constraint` });
      }
      return;
    }
    // Schema fields: z.object({ id: z.string().uuid(), title: z.string().max(100) })
    if (ts.isPropertyAssignment(node) && ts.isCallExpression(node.initializer)) {
      const chain = chainOf(node.initializer);
      if (!chain || !SCHEMA_ROOT.test(chain.root)) return;
      const field = fieldPath(node, unit, sf);
      push({ kind: 'schema-field', anchor: `field ${field}`, node, label: `the schema field "${field}"`, members: chainMembers(chain) });
      return;
    }
    if (ts.isIfStatement(node)) {
      const guard = guardOf(node, unit, sf);
      if (guard) push(guard);
      return;
    }
    if (ts.isThrowStatement(node)) rejection(node);
  });
  return found;
}

/**
 * What a field's chain requires: its methods but the loosening ones, and `required` unless one loosens it.
 * The object builders are one check: `z.looseObject` and `z.object` reject the same values (neither refuses
 * an unknown key, one keeps it and the other strips it); `z.strictObject` is an object that is also strict.
 */
function chainMembers(chain: { methods: string[] }): string[] {
  const members = chain.methods
    .filter((m) => !LOOSENERS.has(m))
    .flatMap((m) => (m === 'looseObject' ? ['object'] : m === 'strictObject' ? ['object', 'strict'] : [m]));
  if (!chain.methods.some((m) => LOOSENERS.has(m))) members.push('required');
  return members;
}

/**
 * A field whose type builder became a narrower one (`z.string()` → `z.enum([…])`) and kept every other check
 * and its requiredness: it refuses more, not less. The builder is the first member of a field's chain.
 */
function builderNarrowed(before: string[], after: string[]): boolean {
  const [was, now] = [before[0], after[0]];
  if (!was || !now || !builderNarrows(was, now)) return false;
  return before.slice(1).every((m) => after.includes(m));
}

/**
 * A field that became `z.union([before, another])`: a shape was added beside the one it had, which is
 * still checked as it was (its members kept by an alternative; `required` only if the union keeps it too).
 */
function unionKeepsShape(before: Guardrail, after: Guardrail): boolean {
  if (!before.members || !ts.isPropertyAssignment(after.node) || !ts.isCallExpression(after.node.initializer)) return false;
  const outer = chainOf(after.node.initializer);
  let root: ts.Expression = after.node.initializer;
  while (ts.isCallExpression(root) && ts.isPropertyAccessExpression(root.expression) && root.expression.name.text !== 'union')
    root = root.expression.expression;
  if (!outer || !ts.isCallExpression(root) || !ts.isPropertyAccessExpression(root.expression)) return false;
  const alternatives = root.arguments[0];
  if (!alternatives || !ts.isArrayLiteralExpression(alternatives)) return false;
  const outerMembers = chainMembers(outer);
  return alternatives.elements.some((alternative) => {
    const chain = ts.isCallExpression(alternative) ? chainOf(alternative) : undefined;
    if (!chain) return false;
    const kept = chainMembers(chain);
    return before.members!.every((m) => kept.includes(m) && (m !== 'required' || outerMembers.includes('required')));
  });
}

/** `z.string().uuid().max(5)` → root `z.string`, methods [string, uuid, max]. */
function chainOf(call: ts.CallExpression): { root: string; methods: string[] } | undefined {
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
  if (
    AUTH_ERROR.test(thenText) ||
    /\b(can|may|is)(Admin|Owner|Allowed|Authorized|Member)\b|\bauthorize\(|\bcan\(|policy|permission|role/i.test(condition)
  )
    return undefined;
  // A row's owner compared with the caller (`if (String(doc.owner) !== String(user.id)) throw …`) is an
  // ownership check, whatever its error says: the auth detector reports it, once.
  if (refusesOtherOwners(node.expression, sf)) return undefined;
  // Inside a catch, `if (…) throw error` decides whether to give up on a failure: control flow, not input.
  if (enclosingCatch(node)) return undefined;
  const rejects = throwsError(node.thenStatement) || answersClientError(node.thenStatement, sf);
  const names = identifiersIn(node.expression);
  if (rejects) {
    // Any precondition that rejects the call is validation, except permission checks (auth's) and
    // "not found" after a lookup, which says nothing about the input's shape.
    if (/NotFound|\b404\b/.test(thenText) && !/\b(req|request|ctx|body|params|query|input|args)\b/.test(condition)) return undefined;
    return {
      kind: 'guard-clause',
      anchor: `guard ${anchorText(node.expression, sf, 100)}`,
      identity: 'anchor',
      node,
      label: `the guard "if (${anchorText(node.expression, sf, 70)})"`,
      strength: disjuncts(node.expression),
      stronger: 'higher',
    };
  }
  // A non-throwing early return is validation only when it checks a parameter's type or format.
  const returnsEarly =
    ts.isReturnStatement(node.thenStatement) ||
    (ts.isBlock(node.thenStatement) &&
      node.thenStatement.statements.length === 1 &&
      ts.isReturnStatement(node.thenStatement.statements[0]!));
  // `return false` from a predicate is its answer, not a guard.
  const answersBoolean = /return\s+(true|false)\b/.test(thenText);
  if (
    returnsEarly &&
    !answersBoolean &&
    unit.params.some((p) => names.has(p)) &&
    /\btypeof\b|\binstanceof\b|isArray|isNaN|isFinite|isInteger|\.test\(|Number\.is|valid/i.test(condition) &&
    typeTestsAParameter(node.expression, unit.params) &&
    !convertsTheTestedValue(node, sf)
  ) {
    return {
      kind: 'type-guard',
      anchor: `guard ${anchorText(node.expression, sf, 100)}`,
      identity: 'anchor',
      node,
      label: `the type check "if (${anchorText(node.expression, sf, 70)})"`,
    };
  }
  return undefined;
}

/**
 * Whether the type test of a condition (`typeof x`, `x instanceof T`, `Array.isArray(x)`, `Number.isInteger(x)`)
 * reads a parameter (or a property of one): a type check of a local the function computed itself
 * (`typeof parentDecision !== 'boolean'`) decides between its own cases, it checks no input.
 */
function typeTestsAParameter(condition: ts.Expression, params: readonly string[]): boolean {
  const rooted = (e: ts.Expression): boolean => {
    let root: ts.Expression = e;
    for (;;) {
      if (ts.isParenthesizedExpression(root) || ts.isNonNullExpression(root)) root = root.expression;
      else if (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
      else break;
    }
    return ts.isIdentifier(root) && params.includes(root.text);
  };
  let typeTests = 0;
  let onParams = 0;
  const visit = (n: ts.Node): void => {
    let operand: ts.Expression | undefined;
    if (ts.isTypeOfExpression(n)) operand = n.expression;
    else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword) operand = n.left;
    else if (ts.isCallExpression(n) && /(^|\.)(isArray|isNaN|isFinite|isInteger|isSafeInteger|test)$/.test(n.expression.getText()))
      operand = n.arguments[0];
    if (operand) {
      typeTests++;
      if (rooted(operand)) onParams++;
    }
    ts.forEachChild(n, visit);
  };
  visit(condition);
  // A condition with no type test of these shapes (`valid(x)`) is judged by the names it reads, as before.
  return typeTests === 0 || onParams > 0;
}

/**
 * `if (value instanceof Date) return value.toISOString();`, `if (typeof v === 'bigint') return v.toString();`:
 * the early return hands back the tested value itself or a conversion of it, one case of a dispatch on the
 * value's type. The value is accepted either way; nothing is refused.
 */
function convertsTheTestedValue(node: ts.IfStatement, sf: ts.SourceFile): boolean {
  const statement = ts.isBlock(node.thenStatement) ? node.thenStatement.statements[0] : node.thenStatement;
  if (!statement || !ts.isReturnStatement(statement) || !statement.expression) return false;
  const tested = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isTypeOfExpression(n)) tested.add(n.expression.getText(sf));
    else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword) tested.add(n.left.getText(sf));
    else if (ts.isCallExpression(n) && /(^|\.)isArray$/.test(n.expression.getText(sf)) && n.arguments[0])
      tested.add(n.arguments[0].getText(sf));
    ts.forEachChild(n, visit);
  };
  visit(node.expression);
  if (tested.size === 0) return false;
  let value: ts.Expression = statement.expression;
  while (ts.isParenthesizedExpression(value) || ts.isAsExpression(value)) value = value.expression;
  if (tested.has(value.getText(sf))) return true;
  // `value.toISOString()`, `value.toString()`, `String(value)`: a conversion method with no arguments, or a built-in conversion.
  if (ts.isCallExpression(value)) {
    const callee = value.expression;
    if (ts.isPropertyAccessExpression(callee) && value.arguments.length === 0 && /^(to[A-Z]\w*|valueOf)$/.test(callee.name.text))
      return tested.has(callee.expression.getText(sf));
    if (ts.isIdentifier(callee) && /^(String|Number|BigInt|Boolean)$/.test(callee.text) && value.arguments.length === 1)
      return tested.has(value.arguments[0]!.getText(sf));
  }
  return false;
}

/** Names of schemas that read what another service answers: `responseSchema`, `chunkSchema`, `openaiErrorDataSchema`. */
const UPSTREAM_ANSWER = /(response|chunk|completion|reply|result)s?(schema|shape|validator)?$/i;
/** Calls that parse an upstream answer with the schema handed to them: `createJsonResponseHandler(schema)`. */
const RESPONSE_PARSER = /response|chunk|stream/i;

/** Whether a schema field lies in a schema bound to, or handed to, something that reads an upstream service's answer. */
function readsAnUpstreamAnswer(field: ts.Node): boolean {
  for (let n: ts.Node | undefined = field.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) return UPSTREAM_ANSWER.test(n.name.text.replace(/Schema$/, ''));
    if (
      ts.isCallExpression(n) &&
      !looksLikeSchemaChain(n.expression, n.getSourceFile()) &&
      RESPONSE_PARSER.test(calleeSimpleName(n.expression) ?? '')
    )
      return true;
    if (ts.isFunctionLike(n)) return false;
  }
  return false;
}

/** Number predicates that imply others: a safe integer is an integer, and an integer is finite. */
const IMPLIED_PREDICATES: Record<string, readonly string[]> = {
  isSafeInteger: ['isInteger', 'isFinite', 'isNaN'],
  isInteger: ['isFinite', 'isNaN'],
  isFinite: ['isNaN'],
};

/**
 * `!Number.isFinite(x) || !Number.isInteger(x)` became `!Number.isSafeInteger(x)`: the alternatives that
 * refused a number failing one test are now one test that every one of them implies, so the guard refuses
 * at least as much with fewer alternatives.
 */
function strongerPredicateReplacesAlternatives(before: ts.Node, after: ts.Node): boolean {
  if (!ts.isIfStatement(before) || !ts.isIfStatement(after)) return false;
  const predicates = (condition: ts.Expression): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>();
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && n.arguments.length === 1) {
        const name = /^(?:Number\.)?(isSafeInteger|isInteger|isFinite|isNaN)$/.exec(n.expression.getText().replace(/\s+/g, ''))?.[1];
        if (name) {
          const value = n.arguments[0]!.getText().replace(/\s+/g, '');
          out.set(value, (out.get(value) ?? new Set()).add(name));
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(condition);
    return out;
  };
  // Every alternative of the old guard is one of these tests (negated or not): nothing else was dropped.
  const alternatives: ts.Expression[] = [];
  const split = (e: ts.Expression): void => {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.BarBarToken) {
      split(e.left);
      split(e.right);
    } else alternatives.push(e);
  };
  split(before.expression);
  const isNumberTest = (e: ts.Expression): boolean => {
    const inner = ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken ? e.operand : e;
    return ts.isCallExpression(inner) && predicates(inner).size === 1;
  };
  if (!alternatives.every(isNumberTest)) return false;
  const was = predicates(before.expression);
  const now = predicates(after.expression);
  if (was.size === 0) return false;
  return [...was].every(([value, names]) => {
    const kept = now.get(value);
    if (!kept) return false;
    return [...names].every((name) => kept.has(name) || [...kept].some((k) => IMPLIED_PREDICATES[k]?.includes(name)));
  });
}
