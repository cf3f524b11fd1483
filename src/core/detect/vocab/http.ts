import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName } from '../ast/text.js';

// HTTP routes and middleware: how express, koa, fastify and hono register a route or a middleware, and
// which units are request handlers.

/** HTTP verbs and `use` on an express/koa/fastify/hono router or app: a route (or middleware) registration. */
const ROUTE_METHOD = /^(get|post|put|patch|delete|del|all|use|options|head|route)$/;

/**
 * The middleware arguments of a route registration: `router.post("/x", requireAuth, limiter(), handler)`
 * gives [requireAuth, limiter()]. The path and the last argument (the handler) are left out; `use` keeps
 * every argument after an optional path; a route's options object gives its request hooks (fastify's
 * `preHandler`, `onRequest`, …), and `addHook('onRequest', fn)` gives fn. Empty when the call is not a
 * route registration.
 */
export function routeMiddlewares(call: ts.CallExpression): ts.Expression[] {
  if (!ts.isPropertyAccessExpression(call.expression)) return [];
  const method = call.expression.name.text;
  // fastify: `app.addHook('onRequest', authenticate)` runs for every route of the instance, like `use`.
  if (method === 'addHook') {
    const [hook, fn] = call.arguments;
    return hook && fn && ts.isStringLiteral(hook) && REQUEST_HOOK.test(hook.text) ? [fn] : [];
  }
  if (!ROUTE_METHOD.test(method)) return [];
  // fastify: `app.route({ method, url, preHandler: [auth], handler })`.
  if (method === 'route') {
    const [options] = call.arguments;
    return options && ts.isObjectLiteralExpression(options) ? hooksOf(options) : [];
  }
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
  // fastify: `app.get('/x', { preHandler: [auth], schema }, handler)`: the options carry the route's hooks.
  return args.flatMap((a) => (ts.isArrayLiteralExpression(a) ? [...a.elements] : ts.isObjectLiteralExpression(a) ? hooksOf(a) : [a]));
}

/** fastify hooks that run before the handler and may refuse the request. */
const REQUEST_HOOK = /^(onRequest|preParsing|preValidation|preHandler|beforeHandler)$/;

/** The functions a route's options run before its handler: `{ onRequest: auth, preHandler: [a, b] }`. */
function hooksOf(options: ts.ObjectLiteralExpression): ts.Expression[] {
  const found: ts.Expression[] = [];
  for (const p of options.properties) {
    if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) || !REQUEST_HOOK.test(p.name.text))
      continue;
    const value = p.initializer;
    found.push(...(ts.isArrayLiteralExpression(value) ? value.elements : [value]));
  }
  return found;
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

/**
 * Calls that answer with a raw HTTP response whose failure status is the caller's to check (`fetch` resolves
 * on a 500), unlike the clients and SDKs that throw on one.
 */
const RAW_RESPONSE_CALL = /^fetch$/;

/** Properties of a response that tell a failed request: `res.ok`, `res.status`. */
const RESPONSE_STATUS = /^(ok|status|statusCode|statusText)$/;

/** Whether a call answers with a raw HTTP response (see RAW_RESPONSE_CALL). */
export function isRawResponseCall(name: string | undefined): boolean {
  return name !== undefined && RAW_RESPONSE_CALL.test(name);
}

/** The names whose response status a condition reads: `!res.ok || res.status === 204` → res. */
export function responseStatusReads(condition: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && RESPONSE_STATUS.test(n.name.text))
      names.add(n.expression.text);
    ts.forEachChild(n, visit);
  };
  visit(condition);
  return names;
}
