import { ts } from 'ts-morph';
import type { Guardrail } from '../define-detector.js';
import { calleeSimpleName, exits, staticNumber } from './ast.js';

/** HTTP verbs and `use` on an express/koa/fastify/hono router or app: a route (or middleware) registration. */
const ROUTE_METHOD = /^(get|post|put|patch|delete|del|all|use|options|head|route)$/;

/**
 * The middleware arguments of a route registration: `router.post("/x", requireAuth, limiter(), handler)`
 * gives [requireAuth, limiter()]. The path and the last argument (the handler) are left out; `use` keeps
 * every argument after an optional path. Empty when the call is not a route registration.
 */
export function routeMiddlewares(call: ts.CallExpression): ts.Expression[] {
  if (!ts.isPropertyAccessExpression(call.expression) || !ROUTE_METHOD.test(call.expression.name.text)) return [];
  const args = [...call.arguments];
  const first = args[0];
  const hasPath = first !== undefined && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first) || ts.isTemplateExpression(first) || ts.isRegularExpressionLiteral(first) || ts.isArrayLiteralExpression(first));
  if (hasPath) args.shift();
  else if (call.expression.name.text !== 'use') return [];
  // The handler is the last argument of a verb registration; for `use` everything is middleware.
  if (call.expression.name.text !== 'use' && args.length > 0) args.pop();
  return args.flatMap((a) => (ts.isArrayLiteralExpression(a) ? [...a.elements] : [a]));
}

/** Whether the call registers a route or middleware: `router.get("/x", …)`, `app.use(…)`. */
export function isRouteRegistration(call: ts.CallExpression): boolean {
  if (!ts.isPropertyAccessExpression(call.expression) || !ROUTE_METHOD.test(call.expression.name.text)) return false;
  const first = call.arguments[0];
  if (call.expression.name.text === 'use') return first !== undefined;
  return first !== undefined && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first) || ts.isTemplateExpression(first) || ts.isRegularExpressionLiteral(first) || ts.isArrayLiteralExpression(first));
}

/** The simple name a middleware is known by: `requireAuth`, `auth()` → auth, `passport.authenticate(…)` → authenticate. */
export function middlewareName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  if (ts.isCallExpression(expression)) return calleeSimpleName(expression.expression);
  return undefined;
}

/** Whether the node sits inside `container` (a condition, an argument list). */
export function isWithin(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

/** The closest ancestor satisfying the guard, stopping at `stop`. */
export function ancestor<T extends ts.Node>(node: ts.Node, guard: (n: ts.Node) => n is T, stop?: ts.Node): T | undefined {
  for (let n = node.parent; n && n !== stop; n = n.parent) if (guard(n)) return n;
  return undefined;
}

/**
 * A cap written as a size: 1048576, '1mb', '10kb', '2 MB', 5 * 1024 * 1024, or a constant of the file
 * holding one. `undefined` when not known statically; Infinity for "no cap" (Infinity, -1, false, null).
 */
export function staticSize(expression: ts.Expression | undefined, sourceFile: ts.SourceFile): number | undefined {
  if (!expression) return undefined;
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'Infinity')) return Number.POSITIVE_INFINITY;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return parseSize(e.text);
  if (ts.isCallExpression(e) && calleeSimpleName(e.expression) === 'min') {
    // Math.min(requested, 100): the cap is the smallest constant argument.
    const bounds = e.arguments.map((a) => staticSize(a, sourceFile)).filter((v): v is number => v !== undefined);
    return bounds.length ? Math.min(...bounds) : undefined;
  }
  const value = staticNumber(e, sourceFile);
  if (value === undefined) return undefined;
  return value < 0 ? Number.POSITIVE_INFINITY : value;
}

/** '1mb' → 1048576, '100kb' → 102400, '512' → 512. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g|kib|mib|gib)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  return Number(m[1]) * factor;
}

/**
 * Compares amounts only between guardrails of the same kind (the engine also pairs guardrails of one
 * category but different kinds, whose amounts mean different things). `factor` is how much weaker an
 * amount must get to count: 2 means doubled (for `stronger: 'lower'`) or halved (for 'higher').
 */
export function weakenedByFactor(before: Guardrail, after: Guardrail, factor = 2): boolean {
  if (before.kind !== after.kind) return false;
  if (before.strength === undefined || after.strength === undefined || !before.stronger) return false;
  if (before.stronger === 'lower') return before.strength > 0 && Number.isFinite(before.strength) && after.strength >= before.strength * factor;
  return after.strength * factor <= before.strength;
}

/** An `if` whose then-branch leaves (return, throw, continue, break, ctx.throw). */
export function isExitGuard(node: ts.Node): node is ts.IfStatement {
  return ts.isIfStatement(node) && exits(node.thenStatement);
}

/** The identifier at the root of an access chain: `this.user.profile` → user, `req.body.x` → req. */
export function rootName(expression: ts.Expression): string | undefined {
  let e: ts.Expression = expression;
  for (;;) {
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e) || ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) {
      const inner: ts.Expression = e.expression;
      if (inner.kind === ts.SyntaxKind.ThisKeyword && ts.isPropertyAccessExpression(e)) return e.name.text;
      e = inner;
      continue;
    }
    break;
  }
  return ts.isIdentifier(e) ? e.text : undefined;
}

/** Names of variables that hold a query filter before it is passed: `const where = { … }`, `conditions`. */
export function isWhereVariableName(name: string): boolean {
  return /^(?:where|\w*Where|conditions?|criteria|filters?)$/.test(name);
}
