import { ts } from 'ts-morph';
import type { Unit } from '../../parse/units.js';
import { defineDetector, type Guardrail } from '../define-detector.js';
import { anchorText, calleeSimpleName, calleeText, forEachNodeOfUnit, identifiersIn, ownerOfObject, propertyNameText, staticNumber } from '../util/ast.js';

/** Option and property names that hold a timeout (got's `timeout: { request }` is walked into). */
const TIMEOUT_NAME = /^(timeout|timeouts|[a-z_]*timeout(ms|millis|_ms|seconds|_seconds)?|deadline|[a-z_]*deadline(ms)?|statement_timeout|lock_timeout|idle_in_transaction_session_timeout)$/i;
/** Functions whose job is to bound the time of a promise. */
const TIMEOUT_CALL = /^(withTimeout|pTimeout|promiseTimeout|timeoutPromise|timeoutAfter|raceTimeout|withDeadline|timeout|setTimeoutPromise|abortAfter)$/i;

export default defineDetector({
  meta: {
    id: 'removed-timeout',
    category: 'timeout',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'A timeout or deadline on an outbound call or wait was removed or raised a lot.',
    messages: {
      removed: '{{symbol}} no longer has {{label}}: the call can now wait forever.',
      weakened: '{{symbol}}: {{label}} was raised {{change}} ms.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Timeout options of HTTP, database and queue clients (axios, got, ky, fetch wrappers, undici, pg, knex, bullmq and any option named *timeout*/deadline), AbortSignal.timeout, an AbortController aborted by a timer, Promise.race against a timer, `.setTimeout(n)`/`.timeout(n)` calls, timeout helpers (p-timeout, withTimeout) and elapsed-time checks against a deadline. A timeout raised fivefold or more, or set to 0/false/Infinity, is a weakening.',
      ignores:
        'A timeout moved into a helper the function calls, or swapped for an equivalent one (axios `timeout` for `AbortSignal.timeout` of the same duration); a shorter timeout; timers that only schedule work (setTimeout without an abort or rejection).',
      example: {
        file: 'src/billing.ts',
        before: "import axios from 'axios';\n\nexport const billing = axios.create({ baseURL: 'https://billing.internal', timeout: 5000 });\n",
        after: "import axios from 'axios';\n\nexport const billing = axios.create({ baseURL: 'https://billing.internal' });\n",
      },
    },
  },
  inventory: timeoutsOf,
  isWeakened(before, after) {
    if (before.strength === undefined || after.strength === undefined) return false;
    return after.strength >= before.strength * 5;
  },
});

function timeoutsOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (kind: string, anchor: string, node: ts.Node, label: string, strength?: number): void => {
    found.push({ category: 'timeout', kind, anchor, node, label, ...(strength !== undefined ? { strength, stronger: 'lower' as const } : {}) });
  };

  forEachNodeOfUnit(unit, (node) => {
    // { timeout: 5000 } / { timeout: { request: 10_000 } } / { connectionTimeoutMillis: 2000 }
    if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isObjectLiteralExpression(node.parent)) {
      const name = propertyNameText(node.name, sf);
      if (!TIMEOUT_NAME.test(name)) return;
      const owner = ownerOfObject(node.parent, sf);
      const value = ts.isPropertyAssignment(node) ? node.initializer : undefined;
      if (value && ts.isObjectLiteralExpression(value)) {
        for (const inner of value.properties) {
          if (!ts.isPropertyAssignment(inner)) continue;
          const key = propertyNameText(inner.name, sf);
          push('option', `${name}.${key} option of ${owner}`, inner, `a ${name}.${key} timeout on ${owner}`, timeoutStrength(inner.initializer, sf));
        }
        return;
      }
      if (value && isDisabled(value)) return;
      push('option', `${name} option of ${owner}`, node, `a ${name} option on ${owner}`, value ? timeoutStrength(value, sf) : undefined);
      return;
    }
    // client.timeout = 5000; server.requestTimeout = 30_000
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && TIMEOUT_NAME.test(node.left.name.text)) {
      if (isDisabled(node.right)) return;
      push('assignment', `${anchorText(node.left, sf)} assignment`, node, `${anchorText(node.left, sf)} = …`, timeoutStrength(node.right, sf));
      return;
    }
    if (!ts.isCallExpression(node)) return;
    const name = calleeSimpleName(node.expression);
    const callee = calleeText(node.expression, sf);
    if (!name) return;
    // AbortSignal.timeout(5000), AbortSignal.any([..., AbortSignal.timeout(n)])
    if (callee.endsWith('AbortSignal.timeout') || (name === 'timeout' && /AbortSignal$/.test(callee.replace(/\.timeout$/, '')))) {
      push('abort-signal', 'AbortSignal.timeout', node, 'an AbortSignal.timeout deadline', timeoutStrength(node.arguments[0], sf));
      return;
    }
    // setTimeout(() => controller.abort(), n) / setTimeout(() => reject(new Error('timeout')), n)
    if (name === 'setTimeout' && node.arguments.length >= 2) {
      const callback = node.arguments[0]!;
      const text = callback.getText(sf);
      if (/\.abort\(|\breject\(|\bthrow\b|\.destroy\(|timed?\s*out|timeout/i.test(text)) {
        push('timer-abort', 'timer that aborts the operation', node, 'a timer that aborts the operation', timeoutStrength(node.arguments[1], sf));
      }
      return;
    }
    // Promise.race([work, timeoutPromise])
    if (callee === 'Promise.race' && node.arguments[0] && ts.isArrayLiteralExpression(node.arguments[0])) {
      const racers = node.arguments[0].elements.map((e) => e.getText(sf)).join(' ');
      if (/timeout|setTimeout|sleep|delay|deadline|timer/i.test(racers)) push('race', 'Promise.race against a timer', node, 'a Promise.race against a timer');
      return;
    }
    // req.setTimeout(5000), query.timeout(1000), socket.setTimeout(…)
    if ((name === 'setTimeout' || name === 'timeout') && ts.isPropertyAccessExpression(node.expression) && node.arguments.length >= 1) {
      const receiver = anchorText(node.expression.expression, sf, 40);
      push('method', `.${name}() on ${receiver}`, node, `a .${name}() deadline on ${receiver}`, timeoutStrength(node.arguments[0], sf));
      return;
    }
    // pTimeout(promise, 5000), withTimeout(fn, ms)
    if (TIMEOUT_CALL.test(name)) {
      const ms = node.arguments.map((a) => timeoutStrength(a, sf)).find((v) => v !== undefined);
      push('helper', `${name}()`, node, `a ${name}() deadline`, ms);
    }
  });

  // Hand-written deadlines: `if (Date.now() - start > timeout) throw …`, `elapsed >= deadline`.
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isIfStatement(node) || !ts.isBinaryExpression(node.expression)) return;
    const op = node.expression.operatorToken.kind;
    if (op !== ts.SyntaxKind.GreaterThanToken && op !== ts.SyntaxKind.GreaterThanEqualsToken && op !== ts.SyntaxKind.LessThanToken && op !== ts.SyntaxKind.LessThanEqualsToken) return;
    const names = [...identifiersIn(node.expression)];
    if (names.some((n) => /timeout|deadline/i.test(n)) && names.some((n) => /now|elapsed|start|time|Date/i.test(n))) {
      push('elapsed-check', `deadline check ${names.filter((n) => /timeout|deadline/i.test(n)).sort().join(',')}`, node, 'an elapsed-time check against a deadline');
    }
  });
  return found;
}

/** The timeout in ms; 0, false and Infinity mean "no timeout" (axios, got, undici all read 0 that way). */
function timeoutStrength(expression: ts.Expression | undefined, sf: ts.SourceFile): number | undefined {
  if (!expression) return undefined;
  if (isDisabled(expression)) return Number.POSITIVE_INFINITY;
  const value = staticNumber(expression, sf);
  if (value === undefined) return undefined;
  return value <= 0 ? Number.POSITIVE_INFINITY : value;
}

function isDisabled(expression: ts.Expression): boolean {
  return expression.kind === ts.SyntaxKind.FalseKeyword || (ts.isIdentifier(expression) && (expression.text === 'Infinity' || expression.text === 'undefined')) || expression.kind === ts.SyntaxKind.NullKeyword;
}
