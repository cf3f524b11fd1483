import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { isRequestHandler, isRouteRegistration, middlewareName, routeMiddlewares } from '../../src/core/detect/vocab/http.js';
import { first, unitNamed, unitsOf } from '../support/syntax.js';

const call = (text: string): ts.CallExpression => first(text, ts.isCallExpression).node;

describe('vocab/http: routes and middleware', () => {
  it('recognises route and middleware registrations by verb and path', () => {
    expect(isRouteRegistration(call("router.post('/orders', requireAuth, handler);"))).toBe(true);
    expect(isRouteRegistration(call('app.head(`/health`, handler);'))).toBe(true);
    expect(isRouteRegistration(call('app.use(cors());'))).toBe(true);
    expect(isRouteRegistration(call('cache.get(key);'))).toBe(false);
    expect(isRouteRegistration(call('app.use();'))).toBe(false);
  });

  it('names the middlewares between the path and the handler; for use, every argument', () => {
    const names = (text: string): (string | undefined)[] => routeMiddlewares(call(text)).map(middlewareName);
    expect(names("router.post('/x', requireAuth, limiter({ max: 5 }), passport.authenticate('jwt'), handler);")).toEqual([
      'requireAuth',
      'limiter',
      'authenticate',
    ]);
    expect(names("router.get('/x', [auth, audit], handler);")).toEqual(['auth', 'audit']);
    expect(names('app.use(helmet(), rateLimit);')).toEqual(['helmet', 'rateLimit']);
    expect(names('client.get(url, options);')).toEqual([]);
  });

  it('reads the request hooks of a route: its options, route({ … }) and addHook', () => {
    const names = (text: string): (string | undefined)[] => routeMiddlewares(call(text)).map(middlewareName);
    expect(names("app.post('/x', { schema, onRequest: [app.authenticate], preHandler: requireRole('admin') }, handler);")).toEqual([
      'authenticate',
      'requireRole',
    ]);
    expect(names("app.route({ method: 'GET', url: '/x', preValidation: verifyToken, handler });")).toEqual(['verifyToken']);
    expect(names("app.addHook('onRequest', app.authenticate);")).toEqual(['authenticate']);
    expect(names("app.addHook('onSend', compress);")).toEqual([]);
    expect(names("app.get('/x', { schema: { querystring } }, handler);")).toEqual([]);
  });

  it('tells request handlers: route registrations, Next.js route functions, functions taking req or ctx', () => {
    const text = [
      "router.delete('/orders/:id', async (req, res) => { res.end(); });",
      'export async function POST(body: unknown) { return body; }',
      'async function show(ctx) { ctx.body = 1; }',
      'function total(items) { return items.length; }',
      "queue.process('emails', async (job) => job.data);",
    ].join('\n');
    const handlers = unitsOf(text)
      .filter(isRequestHandler)
      .map((u) => u.name);
    expect(handlers).toEqual(['router.delete("/orders/:id")', 'POST', 'show']);
    expect(isRequestHandler(unitNamed(text, 'total'))).toBe(false);
  });
});
