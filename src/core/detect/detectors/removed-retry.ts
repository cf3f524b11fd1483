import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { isTestRunnerConfig } from '../../paths.js';
import { anchorText, calleeSimpleName, calleeText, ownerOfObject, propertyNameText } from '../ast/text.js';
import { staticNumber } from '../ast/values.js';
import { findFirst, forEachNodeOfUnit, identifiersIn } from '../ast/walk.js';
import { defineDetector, type Guardrail } from '../define-detector.js';

/** Option names that configure retrying. */
const RETRY_OPTION =
  /^(retry|retries|maxRetries|max_retries|maxRetry|retryCount|retryLimit|retryAttempts|maxAttempts|max_attempts|attempts|numRetries|retryDelay|retryOn|retryCondition|shouldRetry|retryableStatusCodes|retryStatusCodes|statusCodesToRetry|backoff|backoffLimit|maxRetryDelay|retryStrategy|retry_strategy|retryPolicy|reconnectStrategy|autoRetry|retryOnError|maxRetriesPerRequest|maxRetryAttempts)$/i;
/** Properties assigned one by one onto an options object (`opts.attempts = …`); counters such as retryCount are state, not policy. */
const RETRY_ASSIGNED =
  /^(retry|retries|maxRetries|maxRetry|retryLimit|maxAttempts|attempts|numRetries|retryDelay|retryOn|retryCondition|shouldRetry|backoff|backoffLimit|maxRetryDelay|retryStrategy|retryPolicy|statusCodesToRetry|retryableStatusCodes)$/i;
/** An option whose object value is a whole retry policy: `retry: { limit, statusCodes, methods }`. */
const RETRY_POLICY_OBJECT = /^(retry|retries|retryOptions|retryConfig|retryPolicy|retryStrategy)$/i;
/** Members of a retry policy that count tries, and whether they count retries (one less than attempts). */
const COUNTS_RETRIES =
  /^(retry|retries|maxRetries|max_retries|maxRetry|limit|retryLimit|retryCount|numRetries|count|retryAttempts|maxRetriesPerRequest|maxRetryAttempts)$/i;
const COUNTS_ATTEMPTS = /^(attempts|maxAttempts|max_attempts|numOfAttempts|times|tries|maxTries)$/i;
/** Functions and methods that retry what they are given. */
const RETRY_CALL =
  /^(retry|pRetry|asyncRetry|promiseRetry|retryAsync|withRetry|withRetries|retryable|retrying|backOff|exponentialBackoff|axiosRetry|fetchRetry|fetchWithRetry|retryRequest|requestWithRetry|callWithRetry|retryOperation|retryWithBackoff|attempt)$/i;
/** HTTP statuses that signal a transient failure; an array of several of them is a retryable set. */
const TRANSIENT_STATUSES = new Set(['408', '413', '425', '429', '500', '502', '503', '504', '520', '521', '522', '524']);
const TRANSIENT_CODES = /^(ETIMEDOUT|ECONNRESET|EADDRINUSE|ECONNREFUSED|EPIPE|ENOTFOUND|ENETUNREACH|EAI_AGAIN|ECONNABORTED|UND_ERR_\w+)$/;
/** A counter of failed tries, and the bound it is held against. */
const FAILURE_COUNTER = /(fail(ure|ed)?s?|attempts?|retr(y|ies)|tries)(count)?$/i;
const LIMIT_NAME = /max|limit|cap\b|budget/i;
/** Prefix of the members that name a policy's settings rather than what it retries. */
const SETTING = 'setting ';

export default defineDetector({
  meta: {
    id: 'removed-retry',
    category: 'retry',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'A retry (loop, library, option or retryable set) was removed or cut down.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: a transient failure now fails the operation.',
      weakened: '{{symbol}}: {{label}} was cut down: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Retry loops (a loop over attempts around a call, with a catch that continues or a backoff delay), recursive retries, retry libraries (p-retry, async-retry, promise-retry, exponential-backoff, axios-retry, any retry/withRetry/backOff helper), retry plugins and middleware registered on a client (`Octokit.plugin(retry)`, `client.use(retryMiddleware())`), retry options set in an object or assigned one by one (retries, maxRetries, attempts, backoff, got/ky `retry: { limit, statusCodes, methods }`, bullmq `attempts`/`backoff`), sets of retryable statuses, status ranges (`[[500, 599], [429, 429]]`) or error codes, and the cap that stops a failure from being retried forever (`failures >= maxFailures`). Attempts are compared as total tries (`retries: 2` is 3 tries, like a loop of 3): fewer tries, or a status or method dropped from the retryable set, is a weakening.',
      ignores:
        'A retry moved into a helper the function calls or to another file of the same pull request, or swapped for a retry library with the same number of tries; more attempts; loops that do not retry (pagination, polling, batches).',
      example: {
        file: 'src/client.ts',
        before:
          'export async function getInvoice(id: string) {\n  for (let attempt = 1; attempt <= 3; attempt++) {\n    try {\n      return await http.get(`/invoices/${id}`);\n    } catch (error) {\n      if (attempt === 3) throw error;\n      await sleep(attempt * 200);\n    }\n  }\n}\n',
        after: 'export async function getInvoice(id: string) {\n  return await http.get(`/invoices/${id}`);\n}\n',
      },
    },
  },
  inventory: retriesOf,
  isWeakened(before, after) {
    if (before.members && after.members) {
      const kept = new Set(after.members);
      const had = new Set(before.members);
      // A status, method or code dropped from what is retried is a weakening.
      if (before.members.some((m) => !m.startsWith(SETTING) && !kept.has(m))) return true;
      // A setting dropped from the policy is one too, unless another took its place (a key renamed in an upgrade).
      const droppedSettings = before.members.filter((m) => m.startsWith(SETTING) && !kept.has(m)).length;
      const addedSettings = after.members.filter((m) => m.startsWith(SETTING) && !had.has(m)).length;
      if (droppedSettings > addedSettings) return true;
    }
    if (before.strength === undefined || after.strength === undefined) return false;
    return after.strength < before.strength;
  },
});

/** The retries of one unit: loops, calls, options, retryable sets, caps and recursion. */
export function retriesOf(unit: Unit): Guardrail[] {
  if (isTestRunnerConfig(unit.file)) return [];
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (g: Omit<Guardrail, 'category'>): void => {
    found.push({ category: 'retry', ...g });
  };
  const retryLoops: ts.Node[] = [];
  /** Objects already described by the guardrail that owns them (a retry call's options, a policy object). */
  const described = new Set<ts.Node>();

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
      if (described.has(node.parent)) return;
      const name = propertyNameText(node.name, sf);
      if (!RETRY_OPTION.test(name)) return;
      const owner = ownerOfObject(node.parent, sf);
      const value = skipOuter(node.initializer);
      if (value.kind === ts.SyntaxKind.FalseKeyword || value.kind === ts.SyntaxKind.NullKeyword) return;
      if (ts.isObjectLiteralExpression(value)) {
        // retry: { limit: 3, statusCodes: [...] } and backoff: { type, delay } are one policy each.
        described.add(value);
        if (!RETRY_POLICY_OBJECT.test(name) && !/backoff/i.test(name)) return;
        const policy = policyOf(value, sf, true);
        if (policy.tries !== undefined && policy.tries <= 1) return;
        push({
          kind: 'option',
          anchor: `${name} option of ${owner}`,
          node,
          label: `the ${name} policy on ${owner}`,
          ...strengthOf(policy.tries),
          ...(policy.members.length ? { members: policy.members } : {}),
        });
        return;
      }
      if (isCount(value, sf)) return; // attempts: attempts + 1 records a count, it does not configure
      // { retryCount: this.retryCount } hands the current count to a hook: state, not a setting.
      if (/count|number/i.test(name) && staticNumber(value, sf) === undefined) return;
      const tries = triesOf(name, value, sf);
      if (tries !== undefined && tries <= 1 && /retr|attempt|limit/i.test(name)) return; // retries: 0 retries nothing
      const members = ts.isArrayLiteralExpression(value) ? value.elements.map((e) => memberText(e, sf)) : undefined;
      push({
        kind: 'option',
        anchor: `${name} option of ${owner}`,
        node,
        label: `the ${name} retry option on ${owner}`,
        ...strengthOf(tries),
        ...(members ? { members } : {}),
      });
      return;
    }
    // opts.attempts = options.attempts; opts.backoff = { type: 'exponential', delay }
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      RETRY_ASSIGNED.test(node.left.name.text)
    ) {
      const name = node.left.name.text;
      const value = skipOuter(node.right);
      if (value.kind === ts.SyntaxKind.FalseKeyword || value.kind === ts.SyntaxKind.NullKeyword) return;
      if (isCount(value, sf)) return; // x.retries = x.retries + 1 counts, it does not configure
      if (ts.isObjectLiteralExpression(value)) described.add(value);
      const tries = triesOf(name, value, sf);
      if (tries !== undefined && tries <= 1) return;
      const target = anchorText(node.left.expression, sf, 40);
      push({
        kind: 'option',
        anchor: `${name} option of ${target}`,
        node,
        label: `the ${name} retry option set on ${target}`,
        ...strengthOf(tries),
      });
      return;
    }
    if (ts.isArrayLiteralExpression(node)) {
      if (ts.isPropertyAssignment(node.parent) && described.has(node.parent.parent)) return;
      if (ts.isArrayLiteralExpression(node.parent) && rangesOf(node.parent, sf)) return; // one range of a set of ranges
      const ranges = rangesOf(node, sf);
      const values = ranges
        ? ranges.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`))
        : node.elements.map((e) => memberText(e, sf));
      const covers = (from: number, to: number): number =>
        [...TRANSIENT_STATUSES].filter((status) => Number(status) >= from && Number(status) <= to).length;
      // How many transient statuses the set retries, and whether every member is one ([500, 599] covers several).
      const transientCount = ranges
        ? ranges.reduce((n, [from, to]) => n + covers(from, to), 0)
        : values.filter((v) => TRANSIENT_STATUSES.has(v) || TRANSIENT_CODES.test(v)).length;
      const allTransient = ranges ? ranges.every(([from, to]) => covers(from, to) > 0) : transientCount === values.length;
      const owner =
        node.parent && ts.isPropertyAssignment(node.parent)
          ? propertyNameText(node.parent.name, sf)
          : node.parent && ts.isVariableDeclaration(node.parent)
            ? node.parent.name.getText(sf)
            : node.parent && ts.isNewExpression(node.parent) && node.parent.parent && ts.isVariableDeclaration(node.parent.parent)
              ? node.parent.parent.name.getText(sf)
              : '';
      if (transientCount >= 2 && (allTransient || /retr/i.test(owner))) {
        if (node.parent && ts.isPropertyAssignment(node.parent) && RETRY_OPTION.test(owner)) return; // counted as the option
        push({
          kind: 'retryable-set',
          anchor: `retryable set ${owner || 'of statuses'}`,
          node,
          label: `the retryable set ${owner || '(statuses)'}`,
          members: values,
        });
      }
      return;
    }
    if (ts.isCallExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (!name) return;
      if (RETRY_CALL.test(name) && !(name === 'attempt' && !ts.isPropertyAccessExpression(node.expression))) {
        // The options of a retry call describe that call: fold them into it rather than count them twice.
        const options = node.arguments.map(skipOuter).find(ts.isObjectLiteralExpression);
        let tries: number | undefined;
        let members: string[] = [];
        if (options) {
          described.add(options);
          ({ tries, members } = policyOf(options, sf));
        }
        // retry(fn, 3) in a house helper: a bare count of tries. rxjs/superagent .retry(3): retries.
        const positional = node.arguments.map((a) => staticNumber(a, sf)).find((v) => v !== undefined && v < 100);
        if (tries === undefined && positional !== undefined)
          tries = ts.isPropertyAccessExpression(node.expression) && /^retry$/i.test(name) ? positional + 1 : positional;
        push({
          kind: 'call',
          anchor: `${calleeText(node.expression, sf)}()`,
          node,
          label: `the ${name}() retry`,
          ...strengthOf(tries),
          ...(members.length ? { members } : {}),
        });
        return;
      }
      if (/^retryWhen$/i.test(name) && ts.isPropertyAccessExpression(node.expression)) {
        push({ kind: 'call', anchor: `.${name}()`, node, label: `a .${name}() retry` });
        return;
      }
      // Octokit.plugin(retry, throttling), client.use(retryMiddleware()): a retry layer registered on a client.
      if (/^(plugin|use|register|with|extend)$/.test(name)) {
        for (const arg of node.arguments) {
          const plugin = ts.isIdentifier(arg) ? arg.text : ts.isCallExpression(arg) ? calleeSimpleName(arg.expression) : undefined;
          // A call to a retry helper is inventoried as that call already.
          if (!plugin || !/retry/i.test(plugin) || (ts.isCallExpression(arg) && RETRY_CALL.test(plugin))) continue;
          push({
            kind: 'plugin',
            anchor: `${plugin} registered with .${name}()`,
            node: arg,
            label: `${/^retry$/i.test(plugin) ? 'the retry' : `the ${plugin} retry`} layer registered with .${name}()`,
          });
        }
      }
      return;
    }
    if (isLoop(node)) {
      const loop = node as ts.IterationStatement;
      if (isRetryLoop(loop, sf)) {
        retryLoops.push(loop);
        const target = firstAwaitedCall(loop.statement, sf);
        push({
          kind: 'retry-loop',
          anchor: `retry loop around ${target ?? 'a call'}`,
          node,
          label: `a retry loop around ${target ?? 'the call'}`,
          ...strengthOf(loopTries(loop, sf)),
        });
      }
    }
  });

  // The cap that ends retrying: `if (failures >= maxFailures) give up`. Inside a retry loop it is part of
  // the loop (already counted); elsewhere it is what keeps a re-queued failure from retrying forever.
  const retryMinded = /retr/i.test(unit.name);
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isBinaryExpression(node) || !isComparison(node.operatorToken.kind)) return;
    if (retryLoops.some((loop) => loop.pos <= node.pos && node.end <= loop.end)) return;
    const cap = retryCap(node, sf);
    if (!cap) return;
    if (!(retryMinded || /retr/i.test(cap.counter) || insideCatch(node))) return;
    push({
      kind: 'retry-limit',
      anchor: `retry limit on ${cap.counter}`,
      node,
      label: `the limit on retries (${anchorText(node, sf, 60)})`,
    });
  });

  // Recursive retry: the unit calls itself from a catch block, or with an attempt counter.
  const simple = unit.name.split('.').pop()!.replace(/#\d+$/, '');
  if (unit.kind !== 'module' && unit.calls.has(simple)) {
    forEachNodeOfUnit(unit, (node) => {
      if (!ts.isCallExpression(node) || !callsItself(node.expression, simple)) return;
      const args = node.arguments.map((a) => a.getText(sf)).join(',');
      if (insideCatch(node) || /attempt|retr|tries|count/i.test(args)) {
        push({ kind: 'recursive', anchor: `recursive retry of ${simple}`, node, label: `a recursive retry of ${simple}` });
      }
    });
  }
  return found;
}

/**
 * What a retry policy object says: how many tries in all, and its members: the statuses, methods and codes
 * it retries and, for a policy object of its own (`retry: { … }`), the settings it makes (a `backoffLimit`
 * or `calculateDelay` dropped from the policy is a weakening too).
 */
function policyOf(
  object: ts.ObjectLiteralExpression,
  sf: ts.SourceFile,
  withKeys = false,
): { tries: number | undefined; members: string[] } {
  let tries: number | undefined;
  const members: string[] = [];
  for (const p of object.properties) {
    if (withKeys && p.name && !ts.isComputedPropertyName(p.name)) members.push(`${SETTING}${propertyNameText(p.name, sf)}`);
    if (!ts.isPropertyAssignment(p)) continue;
    const key = propertyNameText(p.name, sf);
    const value = skipOuter(p.initializer);
    if (tries === undefined && (COUNTS_RETRIES.test(key) || COUNTS_ATTEMPTS.test(key))) tries = triesOf(key, value, sf);
    if (ts.isArrayLiteralExpression(value) && /status|method|code|error/i.test(key)) {
      for (const e of value.elements) members.push(memberText(e, sf));
    }
  }
  return { tries, members };
}

/** The number of tries in all an option allows: `retries: 2` and `limit: 2` are 3 tries, `attempts: 3` is 3. */
function triesOf(name: string, value: ts.Expression, sf: ts.SourceFile): number | undefined {
  const n = staticNumber(value, sf);
  if (n === undefined) return undefined;
  if (COUNTS_ATTEMPTS.test(name)) return n;
  if (COUNTS_RETRIES.test(name)) return n + 1;
  return undefined;
}

/** `n + 1`, `count - 1`, `++n`: a running count of tries rather than a setting. */
function isCount(value: ts.Expression, sf: ts.SourceFile): boolean {
  if (staticNumber(value, sf) !== undefined) return false; // DEFAULT_RETRIES + 1 is a setting
  if (ts.isPrefixUnaryExpression(value) || ts.isPostfixUnaryExpression(value)) return true;
  if (!ts.isBinaryExpression(value)) return false;
  const op = value.operatorToken.kind;
  return (
    (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.MinusToken) &&
    [value.left, value.right].some((side) => !ts.isNumericLiteral(side))
  );
}

/** `[[100, 199], [429, 429], [500, 599]]`: a set of status ranges, each as [from, to]. */
function rangesOf(node: ts.ArrayLiteralExpression, sf: ts.SourceFile): [number, number][] | undefined {
  if (!node.elements.length) return undefined;
  const ranges: [number, number][] = [];
  for (const e of node.elements) {
    if (!ts.isArrayLiteralExpression(e) || e.elements.length !== 2) return undefined;
    const from = staticNumber(e.elements[0], sf);
    const to = staticNumber(e.elements[1], sf);
    if (from === undefined || to === undefined) return undefined;
    ranges.push([from, to]);
  }
  return ranges;
}

/** Statuses as digits, methods upper-cased, quotes dropped: `'get'` and `"GET"` are the same member. */
function memberText(element: ts.Expression, sf: ts.SourceFile): string {
  const text = element.getText(sf).replace(/['"`]/g, '').trim();
  return /^[a-z]+$/i.test(text) && /^(get|put|post|patch|delete|head|options|trace)$/i.test(text) ? text.toUpperCase() : text;
}

function strengthOf(value: number | undefined): Pick<Guardrail, 'strength' | 'stronger'> {
  return value === undefined ? {} : { strength: value, stronger: 'higher' };
}

function skipOuter(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e))
    e = e.expression;
  return e;
}

function isLoop(node: ts.Node): boolean {
  return ts.isForStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForOfStatement(node);
}

/** A loop retries when it is about attempts, or when a failure inside it leads to another turn after a pause. */
function isRetryLoop(loop: ts.IterationStatement, sf: ts.SourceFile): boolean {
  const header = ts.isForStatement(loop)
    ? [loop.initializer, loop.condition, loop.incrementor]
    : ts.isWhileStatement(loop) || ts.isDoStatement(loop)
      ? [loop.expression]
      : [];
  const headerNames = header.flatMap((n) => (n ? [...identifiersIn(n)] : []));
  if (ts.isForOfStatement(loop)) return false;
  const body = loop.statement.getText(sf);
  const aboutAttempts = headerNames.some((n) => /attempt|retr|tries|tryCount/i.test(n));
  const hasTry = /\btry\s*\{/.test(body) || /\.catch\(/.test(body);
  const pauses = /\b(sleep|delay|wait|setTimeout|backoff|timeout)\w*\(/i.test(body);
  const callsOut = /\bawait\b/.test(body) || /\.then\(/.test(body);
  if (aboutAttempts && callsOut) return true;
  return hasTry && pauses && callsOut;
}

/** Tries a counted loop makes: `for (let a = 0; a < 3; a++)` and `for (let a = 1; a <= 3; a++)` both make 3. */
function loopTries(loop: ts.IterationStatement, sf: ts.SourceFile): number | undefined {
  if (!ts.isForStatement(loop) || !loop.condition || !ts.isBinaryExpression(loop.condition)) return undefined;
  const bound = staticNumber(loop.condition.right, sf);
  if (bound === undefined) return undefined;
  let start = 0;
  const init = loop.initializer;
  if (init && ts.isVariableDeclarationList(init) && init.declarations[0]?.initializer) {
    const value = staticNumber(init.declarations[0].initializer, sf);
    if (value === undefined) return undefined;
    start = value;
  }
  const op = loop.condition.operatorToken.kind;
  if (op === ts.SyntaxKind.LessThanToken) return bound - start;
  if (op === ts.SyntaxKind.LessThanEqualsToken) return bound - start + 1;
  return undefined;
}

function isComparison(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.GreaterThanToken ||
    kind === ts.SyntaxKind.GreaterThanEqualsToken ||
    kind === ts.SyntaxKind.LessThanToken ||
    kind === ts.SyntaxKind.LessThanEqualsToken
  );
}

/** `failures >= maxFailures`, `attempt < this.maxAttempts`, `retries > 5`: a failure counter against a bound. */
function retryCap(node: ts.BinaryExpression, sf: ts.SourceFile): { counter: string } | undefined {
  const sides = [node.left, node.right].map((side) => ({ side, text: anchorText(side, sf, 80), last: lastName(side) }));
  for (const [counter, bound] of [
    [sides[0]!, sides[1]!],
    [sides[1]!, sides[0]!],
  ] as const) {
    if (!counter.last || !FAILURE_COUNTER.test(counter.last) || LIMIT_NAME.test(counter.last)) continue;
    // A named limit, or a number of tries: `attempt > 0` only tells a retry from the first try.
    const boundIsLimit = (bound.last !== undefined && LIMIT_NAME.test(bound.last)) || (staticNumber(bound.side, sf) ?? 0) > 1;
    if (boundIsLimit) return { counter: counter.last };
  }
  return undefined;
}

/** The last name an expression ends with: `this.failures.get(id)` → `failures`, `Relay.maxFailures` → `maxFailures`. */
function lastName(expression: ts.Expression): string | undefined {
  const e = skipOuter(expression);
  if (ts.isBinaryExpression(e)) return lastName(e.left);
  if (ts.isCallExpression(e)) return ts.isPropertyAccessExpression(e.expression) ? lastName(e.expression.expression) : undefined;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

function firstAwaitedCall(node: ts.Node, sf: ts.SourceFile): string | undefined {
  return findFirst(node, (n) => {
    if (!ts.isAwaitExpression(n) || !ts.isCallExpression(n.expression)) return undefined;
    const name = calleeText(n.expression.expression, sf);
    return /sleep|delay|wait|setTimeout/i.test(name) ? undefined : anchorText(n.expression.expression, sf, 60);
  });
}

/** `acquire(…)`, `this.acquire(…)`, `Lock.acquire(…)`: the unit calling itself, not `this.hooks.acquire(…)` of the same name. */
function callsItself(callee: ts.Expression, name: string): boolean {
  if (ts.isIdentifier(callee)) return callee.text === name;
  return (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === name &&
    (callee.expression.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(callee.expression) && /^[A-Z]/.test(callee.expression.text)))
  );
}

function insideCatch(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isCatchClause(n)) return true;
    if (ts.isCallExpression(n) && calleeSimpleName(n.expression) === 'catch') return true;
    if (ts.isFunctionLike(n) && !ts.isArrowFunction(n)) return false;
  }
  return false;
}
