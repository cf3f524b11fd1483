import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, calleeText, ownerOfObject } from '../ast/text.js';
import { objectProperties, staticNumber } from '../ast/values.js';
import { forEachNode, forEachNodeOfUnit, identifiersIn } from '../ast/walk.js';
import { defineDetector, type DirectFinding, type Guardrail } from '../define-detector.js';
import { middlewareName, routeMiddlewares } from '../vocab/http.js';

/** Calls that build a limiter (express-rate-limit, express-slow-down, hono/elysia/fastify limiters). */
const LIMITER_FACTORY =
  /^(rateLimit|rateLimiter|expressRateLimit|slowDown|createRateLimiter|createRateLimit|createLimiter|rateLimitMiddleware|throttle|throttler|ratelimit|limiter)$/;
/** Classes that build a limiter (rate-limiter-flexible, bottleneck, limiter, @upstash/ratelimit). */
const LIMITER_CLASS =
  /^(RateLimiter\w*|Bottleneck|Ratelimit|RateLimit|TokenBucket|LeakyBucket|SlidingWindow\w*|FixedWindow\w*|Throttler\w*)$/;
/** Calls that take from a limiter at the point of use. */
const CONSUME_CALL =
  /^(consume|removeTokens|tryRemoveTokens|schedule|wrap|penalty|checkRateLimit|enforceRateLimit|assertRateLimit|rateLimitBy\w*|limitBy\w*)$/;
const LIMITER_RECEIVER = /limit|throttl|bucket|bottleneck|quota/i;
/** Options that count requests (a higher number lets more through). */
const COUNT_OPTION =
  /^(max|limit|points|requests|maxRequests|tokensPerInterval|reservoir|delayAfter|ttlLimit|capacity|burst|maxHits|allowed\w*|\w*Per(Interval|Window|Minute|Second|Hour))$/;
/** Options that give the window the count is measured over (a shorter window lets more through). */
const WINDOW_OPTION = /^(windowMs|window\w*|duration|interval\w*|ttl|per|period\w*|blockDuration|reservoirRefreshInterval)$/;
/** Calls that apply a named limit: applyRateLimit(config, key), enforceQuota(…), checkThrottle(…). */
const APPLY_CALL = /^(apply|enforce|check|assert|consume|ensure|hit|take|guard)\w*(RateLimit|Throttle|Quota)\w*$/i;
const LIMIT_OWNER = /rate|limit|throttl|quota/i;

/** Requests per millisecond a limiter allows, when its options say so; kept beside the guardrail. */
interface Budget {
  count?: number;
  window?: number;
  minTime?: number;
}
const budgets = new WeakMap<Guardrail, Budget>();

export default defineDetector({
  meta: {
    id: 'removed-rate-limit',
    category: 'rate-limit',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'A rate limiter or throttle was removed, or its limit raised a lot.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: callers can now send as many requests as they like.',
      weakened: '{{symbol}}: {{label}} now lets more through: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
      skipped: '{{symbol}} is now exempt from the global throttler (@SkipThrottle).',
    },
    docs: {
      catches:
        'Limiters built with express-rate-limit / express-slow-down (`rateLimit({ windowMs, max })`), rate-limiter-flexible (`new RateLimiterRedis({ points, duration })`), bottleneck (`new Bottleneck({ maxConcurrent, minTime })`), @upstash/ratelimit, NestJS `@Throttle`/`ThrottlerGuard`, `throttle(…)`, limiter middleware named in a route registration (`router.post("/login", loginLimiter, …)`), the use of a limiter in a handler (`limiter.consume(key)`, `removeTokens`, `ratelimit.limit(id)`, `applyRateLimit(config, key)`-style calls), limits declared as data (`{ windowSeconds: 60, maxPerWindow: 10 }` in a rate-limit configuration), `@SkipThrottle()` added to an existing endpoint, and the proxy setting that lets a key function read the client-supplied forwarded address (`if (trustProxy) … x-forwarded-for`) dropped so the header is always trusted (medium). A limit raised twofold or more (or a window cut in half) is a weakening.',
      ignores:
        'A limiter moved to `app.use(…)`/router level, into a helper, or to another file of the same PR; swapped for another limiter library with the same budget; a stricter limit.',
      example: {
        file: 'src/routes/auth.ts',
        before:
          "const loginLimiter = rateLimit({ windowMs: 15 * 60 * 1000, max: 5 });\n\nrouter.post('/login', loginLimiter, async (req, res) => {\n  res.json(await sessions.create(req.body));\n});\n",
        after: "router.post('/login', async (req, res) => {\n  res.json(await sessions.create(req.body));\n});\n",
      },
    },
  },
  inventory: limitersOf,
  // A forwarded address trusted unconditionally makes the limit's key spoofable: the limiter still runs.
  judgeLoss: (lost) => (lost.kind === 'trusted-proxy-gate' ? { severity: 'medium' } : undefined),
  // `@SkipThrottle()` added to an endpoint that existed: the global throttler no longer covers it.
  inspect(change): DirectFinding[] {
    const { base, head } = change;
    if (!base || !head) return [];
    const skips = (unit: Unit): ts.Decorator[] =>
      (ts.canHaveDecorators(unit.node) ? (ts.getDecorators(unit.node) ?? []) : []).filter((d) =>
        /^(SkipThrottle|NoThrottle|SkipRateLimit)$/.test(
          calleeSimpleName(ts.isCallExpression(d.expression) ? d.expression.expression : d.expression) ?? '',
        ),
      );
    if (skips(base).length > 0) return [];
    return skips(head)
      .filter((d) => change.isNew(d))
      .slice(0, 1)
      .map((d) => ({ messageId: 'skipped', node: d, side: 'head' as const, severity: 'medium' as const, key: 'throttle skipped' }));
  },
  isWeakened(before, after) {
    if (before.kind !== after.kind) return false;
    const b = budgets.get(before);
    const a = budgets.get(after);
    if (!b || !a) return false;
    // Requests per window when both windows are known, the bare count otherwise. A count that is no
    // longer given falls back to the library default (5 for express-rate-limit): not a loosening we can see.
    if (b.count !== undefined && a.count !== undefined) {
      const windows = b.window !== undefined && a.window !== undefined;
      const rate = (x: Budget): number => (windows ? x.count! / x.window! : x.count!);
      if (rate(a) >= rate(b) * 2) return true;
    }
    // bottleneck's minTime spaces calls out: halving it (or dropping it) doubles the rate.
    return b.minTime !== undefined && (a.minTime === undefined || a.minTime * 2 <= b.minTime);
  },
});

function limitersOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (kind: 'limiter' | 'applied', anchor: string, node: ts.Node, label: string, budget?: Budget): void => {
    const g: Guardrail = { category: 'rate-limit', kind, anchor, node, label };
    if (budget) {
      budgets.set(g, budget);
      if (budget.count !== undefined) Object.assign(g, { strength: budget.count, stronger: 'lower' as const });
    }
    found.push(g);
  };

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isDecorator(node)) {
      const call = ts.isCallExpression(node.expression) ? node.expression : undefined;
      const name = calleeSimpleName(call ? call.expression : node.expression);
      if (name === 'Throttle') push('applied', '@Throttle', node, 'the @Throttle() limit', call ? throttleBudget(call, sf) : undefined);
      if (name === 'UseGuards' && call && call.arguments.some((a) => /Throttler/.test(a.getText(sf))))
        push('applied', '@UseGuards(ThrottlerGuard)', node, 'the ThrottlerGuard');
      return;
    }
    // A limit declared as data: rateLimits = { upload: { interval: 60, allowedPerInterval: 5 } }.
    if (ts.isObjectLiteralExpression(node) && isBudgetObject(node, sf)) {
      const owner = ownerOfObject(node, sf);
      if (!insideLimiter(node) && LIMIT_OWNER.test(owner))
        push('limiter', `limit ${owner}`, node, `the ${owner} limit`, optionsBudget(node, sf));
      return;
    }
    if (ts.isNewExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (name && LIMITER_CLASS.test(name))
        push('limiter', `limiter ${name}`, node, `the ${name} limiter`, optionsBudget(node.arguments?.[0], sf));
      return;
    }
    if (!ts.isCallExpression(node)) return;
    for (const mw of routeMiddlewares(node)) {
      if (ts.isCallExpression(mw)) continue; // a call is visited on its own
      const name = middlewareName(mw);
      if (name && /limit|throttl|slowDown|brute/i.test(name)) push('applied', `middleware ${name}`, mw, `the ${name} rate limiter`);
    }
    const name = calleeSimpleName(node.expression);
    if (!name) return;
    const callee = calleeText(node.expression, sf);
    if (LIMITER_FACTORY.test(name) && !(name === 'limiter' && node.arguments.length === 0)) {
      push('limiter', `limiter ${callee}`, node, `the ${callee}() limiter`, optionsBudget(node.arguments[0], sf));
      return;
    }
    if (APPLY_CALL.test(name)) {
      push('applied', `use of ${name}`, node, `the ${callee}() rate limit`);
      return;
    }
    if (ts.isPropertyAccessExpression(node.expression)) {
      const receiver = calleeText(node.expression.expression, sf);
      if ((CONSUME_CALL.test(name) || name === 'limit') && LIMITER_RECEIVER.test(receiver)) {
        push('applied', `use of ${receiver}.${name}`, node, `the ${callee}() rate limit`);
        return;
      }
      if (/^(forRoot|forRootAsync)$/.test(name) && /Throttler/.test(receiver))
        push('limiter', 'ThrottlerModule', node, 'the ThrottlerModule limits');
    } else if (CONSUME_CALL.test(name) && /rate|limit/i.test(name)) {
      push('applied', `use of ${name}`, node, `the ${name}() rate limit`);
    }
  });
  for (const gate of trustedProxyGates(unit)) found.push(gate);
  return found;
}

/** Headers a client can set itself that proxies use to pass on the original address. */
const FORWARDED_HEADER = /^(x-forwarded-for|x-real-ip|forwarded|cf-connecting-ip|true-client-ip|x-client-ip|fastly-client-ip)$/i;
/** Functions that compute who is calling: the key a limit counts by, the caller's address. */
const KEY_OWNER = /ip(?:address)?$|address|client|caller|key/i;
/** Names of a setting that says the request came through a proxy the server trusts. */
const TRUST_NAME = /trust|proxy|proxies|behind/i;

/**
 * `if (trustProxy) { key = req.headers['x-forwarded-for'] }`, `trustForwarded ? forwardedIp(req) : socketIp`:
 * in a function that computes what a rate limit counts by, the address a client can write itself is read
 * only behind a setting that says a proxy rewrote it. Reading it unconditionally lets every caller pick a
 * new key per request and never hit the limit.
 */
function trustedProxyGates(unit: Unit): Guardrail[] {
  // The limit's own key function, or the helper it takes the caller's address from (`clientIp(req)`).
  if (!LIMIT_OWNER.test(unit.name) && !KEY_OWNER.test(unit.name)) return [];
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  forEachNodeOfUnit(unit, (node) => {
    let condition: ts.Expression | undefined;
    let gated: ts.Node | undefined;
    if (ts.isIfStatement(node)) [condition, gated] = [node.expression, node.thenStatement];
    else if (ts.isConditionalExpression(node)) [condition, gated] = [node.condition, node.whenTrue];
    if (!condition || !gated || /^\s*!/.test(condition.getText(sf))) return;
    if (![...identifiersIn(condition)].some((name) => TRUST_NAME.test(name))) return;
    if (!readsForwardedHeader(gated)) return;
    found.push({
      category: 'rate-limit',
      kind: 'trusted-proxy-gate',
      anchor: 'forwarded address trusted only behind a proxy setting',
      node,
      label: 'the proxy setting that decides whether the client-supplied forwarded address keys the limit',
    });
  });
  return found;
}

function readsForwardedHeader(node: ts.Node): boolean {
  let reads = false;
  forEachNode(node, (n) => {
    if (!reads && ts.isStringLiteralLike(n) && FORWARDED_HEADER.test(n.text)) reads = true;
  });
  return reads;
}

/** Inside a limiter's own options or a decorator: the budget is counted with the limiter. */
function insideLimiter(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isDecorator(n)) return true;
    if (
      (ts.isCallExpression(n) || ts.isNewExpression(n)) &&
      (LIMITER_CLASS.test(calleeSimpleName(n.expression) ?? '') || LIMITER_FACTORY.test(calleeSimpleName(n.expression) ?? ''))
    )
      return true;
    if (ts.isFunctionLike(n) || ts.isSourceFile(n)) return false;
  }
  return false;
}

/** An object that states a request budget: a count and the window it is counted over. */
function isBudgetObject(object: ts.ObjectLiteralExpression, sf: ts.SourceFile): boolean {
  const names = [...objectProperties(object, sf).keys()];
  return names.some((n) => COUNT_OPTION.test(n)) && names.some((n) => WINDOW_OPTION.test(n));
}

/** The budget of an options object: { windowMs, max }, { points, duration } (seconds), { minTime }. */
function optionsBudget(options: ts.Expression | undefined, sf: ts.SourceFile): Budget | undefined {
  if (!options || !ts.isObjectLiteralExpression(options)) return undefined;
  const props = objectProperties(options, sf);
  const value = (names: RegExp): { name: string; value: number | undefined } | undefined => {
    for (const [name, p] of props)
      if (names.test(name) && ts.isPropertyAssignment(p)) return { name, value: staticNumber(p.initializer, sf) };
    return undefined;
  };
  const count = value(COUNT_OPTION);
  const window = value(WINDOW_OPTION);
  const minTime = value(/^minTime$/);
  const budget: Budget = {};
  // `max: 0` disables express-rate-limit v6; rate-limiter-flexible's duration is in seconds.
  if (count?.value !== undefined) budget.count = count.value === 0 && /^max$/.test(count.name) ? Number.POSITIVE_INFINITY : count.value;
  if (window?.value !== undefined)
    budget.window =
      window.name === 'duration' || window.name === 'ttl' || window.name === 'per'
        ? window.value * (window.value < 10_000 ? 1000 : 1)
        : window.value;
  if (minTime?.value !== undefined) budget.minTime = minTime.value;
  return budget;
}

/** @Throttle({ default: { limit: 3, ttl: 60000 } }) or the older @Throttle(3, 60). */
function throttleBudget(call: ts.CallExpression, sf: ts.SourceFile): Budget | undefined {
  const [first, second] = call.arguments;
  if (first && ts.isObjectLiteralExpression(first)) {
    for (const p of first.properties) {
      if (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(p.initializer)) return optionsBudget(p.initializer, sf);
    }
    return optionsBudget(first, sf);
  }
  const count = staticNumber(first, sf);
  const window = staticNumber(second, sf);
  return { ...(count !== undefined ? { count } : {}), ...(window !== undefined ? { window: window * 1000 } : {}) };
}
