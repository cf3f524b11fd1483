import { ts } from 'ts-morph';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName } from '../ast/text.js';

// HTTP routes and middleware: how express, koa, fastify and hono register a route or a middleware, and
// which units are request handlers.

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
  const hasPath =
    first !== undefined &&
    (ts.isStringLiteral(first) ||
      ts.isNoSubstitutionTemplateLiteral(first) ||
      ts.isTemplateExpression(first) ||
      ts.isRegularExpressionLiteral(first) ||
      ts.isArrayLiteralExpression(first));
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
  return (
    first !== undefined &&
    (ts.isStringLiteral(first) ||
      ts.isNoSubstitutionTemplateLiteral(first) ||
      ts.isTemplateExpression(first) ||
      ts.isRegularExpressionLiteral(first) ||
      ts.isArrayLiteralExpression(first))
  );
}

/** The simple name a middleware is known by: `requireAuth`, `auth()` → auth, `passport.authenticate(…)` → authenticate. */
export function middlewareName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  if (ts.isCallExpression(expression)) return calleeSimpleName(expression.expression);
  return undefined;
}

/**
 * Whether a unit handles a request: a route registration's handler (`router.post("/x", (req, res) => …)`),
 * a Next.js route function (`export async function POST`), or a function taking req, request or ctx.
 */
export function isRequestHandler(unit: Unit): boolean {
  if (unit.kind === 'call' && ts.isCallExpression(unit.node)) {
    const name = calleeSimpleName(unit.node.expression);
    return name !== undefined && ROUTE_METHOD.test(name);
  }
  if (/^(GET|POST|PUT|PATCH|DELETE)$/.test(unit.name)) return true; // Next.js route handlers
  return unit.params.some((p) => p === 'req' || p === 'request' || p === 'ctx');
}
