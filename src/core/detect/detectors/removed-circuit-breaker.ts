import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, calleeText } from '../ast/text.js';
import { objectProperties, staticNumber } from '../ast/values.js';
import { forEachNodeOfUnit, identifiersIn } from '../ast/walk.js';
import { defineDetector, type Guardrail } from '../define-detector.js';

/** Breaker classes: opossum, brakes, cockatiel's breakers, hand-rolled classes named so. */
const BREAKER_CLASS = /^(CircuitBreaker|Brakes|ConsecutiveBreaker|SamplingBreaker|CountBreaker|Breaker|Fuse|CircuitBreakerPolicy)$/;
/** Breaker factories: cockatiel `circuitBreaker(handleAll, {...})`, `createBreaker`, `withCircuitBreaker`. */
const BREAKER_CALL = /^(circuitBreaker|createCircuitBreaker|createBreaker|withCircuitBreaker|withBreaker|breaker|useCircuitBreaker)$/;
/** Calls that go through a breaker: `breaker.fire(…)`, `policy.execute(…)` on a breaker. */
const THROUGH_BREAKER = /^(fire|execute|exec|call|run|invoke)$/;
const BREAKER_RECEIVER = /breaker|circuit|fuse|brake/i;
/**
 * Thresholds and which way is looser: a higher error percentage or volume threshold trips later; a
 * shorter reset lets traffic back sooner. Options not listed (timeout, name, group) are not the breaker's.
 */
const THRESHOLDS: Record<string, 'lower' | 'higher'> = {
  errorThresholdPercentage: 'lower',
  volumeThreshold: 'lower',
  threshold: 'lower',
  failureThreshold: 'lower',
  maxFailures: 'lower',
  failureRateThreshold: 'lower',
  minimumRps: 'lower',
  minimumNumberOfCalls: 'lower',
  resetTimeout: 'higher',
  halfOpenAfter: 'higher',
  openStateDelay: 'higher',
  waitDurationInOpenState: 'higher',
};
/** Library defaults, for an option that is dropped while the breaker stays: opossum and cockatiel. */
const DEFAULTS: Record<string, number> = { errorThresholdPercentage: 50, resetTimeout: 30_000, volumeThreshold: 0 };

const settings = new WeakMap<Guardrail, Map<string, number>>();

export default defineDetector({
  meta: {
    id: 'removed-circuit-breaker',
    category: 'circuit-breaker',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'A circuit breaker was removed, bypassed, disabled, or its thresholds loosened.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: a failing dependency will now be called at full rate.',
      weakened: '{{symbol}}: {{label}} was loosened: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Breakers built with opossum (`new CircuitBreaker(fn, { errorThresholdPercentage, volumeThreshold, resetTimeout })`), brakes, cockatiel (`circuitBreaker(handleAll, { halfOpenAfter, breaker: new ConsecutiveBreaker(5) })`), calls that go through a breaker (`breaker.fire(…)`, `breaker.execute(…)`), and hand-written breakers (a failure counter compared with a threshold, an open/half-open state that short-circuits). A threshold raised (or a reset delay cut) twofold, an error percentage raised by 20 points or more, or `enabled: false`, is a weakening.',
      ignores:
        "A breaker moved into a helper or another file of the same PR; swapped for another library with thresholds as strict; stricter thresholds; the breaker's `timeout` option (removed-timeout owns it).",
      example: {
        file: 'src/pricing.ts',
        before:
          'const pricingBreaker = new CircuitBreaker(fetchPrice, { errorThresholdPercentage: 50, resetTimeout: 30_000 });\n\nexport async function priceOf(sku: string) {\n  return pricingBreaker.fire(sku);\n}\n',
        after: 'export async function priceOf(sku: string) {\n  return fetchPrice(sku);\n}\n',
      },
    },
  },
  inventory: breakersOf,
  isWeakened(before, after) {
    if (before.kind !== after.kind) return false;
    const b = settings.get(before);
    const a = settings.get(after);
    if (!b || !a) return false;
    if (a.get('enabled') === 0 && b.get('enabled') !== 0) return true;
    for (const [name, from] of b) {
      const looser = THRESHOLDS[name];
      if (!looser) continue;
      const to = a.get(name) ?? DEFAULTS[name];
      if (to === undefined) continue;
      if (name === 'errorThresholdPercentage' || name === 'failureRateThreshold') {
        if (to - from >= 20 || (to >= 100 && from < 100)) return true;
      } else if (looser === 'lower' ? to >= from * 2 && to > from : to * 2 <= from) return true;
    }
    return false;
  },
});

function breakersOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (
    kind: 'breaker' | 'through-breaker' | 'hand-written',
    anchor: string,
    node: ts.Node,
    label: string,
    options?: Map<string, number>,
  ): void => {
    const g: Guardrail = { category: 'circuit-breaker', kind, anchor, node, label };
    if (options) {
      settings.set(g, options);
      const primary = [...options.entries()].find(([name]) => THRESHOLDS[name] === 'lower');
      if (primary) Object.assign(g, { strength: primary[1], stronger: 'lower' as const });
    }
    found.push(g);
  };
  let handWritten: ts.Node | undefined;

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (!name) return;
      const args = [...(node.arguments ?? [])];
      if ((ts.isNewExpression(node) && BREAKER_CLASS.test(name)) || (ts.isCallExpression(node) && BREAKER_CALL.test(name))) {
        // cockatiel: new ConsecutiveBreaker(5) inside circuitBreaker(...) is an option of the outer breaker.
        if (/^(ConsecutiveBreaker|SamplingBreaker|CountBreaker)$/.test(name) && insideBreakerCall(node)) return;
        const options = breakerOptions(args, sf, name);
        push('breaker', `breaker ${name === 'Brakes' ? 'CircuitBreaker' : name}`, node, `the ${name} circuit breaker`, options);
        return;
      }
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        THROUGH_BREAKER.test(name) &&
        BREAKER_RECEIVER.test(calleeText(node.expression.expression, sf))
      ) {
        push(
          'through-breaker',
          `call through ${calleeText(node.expression.expression, sf).split('.').pop()}`,
          node,
          `the call through ${calleeText(node.expression, sf)}()`,
        );
      }
      return;
    }
    // Hand-written: `if (this.state === 'open')`, `if (failures >= THRESHOLD)`, `if (Date.now() < this.openUntil)`.
    if (!handWritten && ts.isIfStatement(node)) {
      const names = [...identifiersIn(node.expression)];
      const text = node.expression.getText(sf);
      const aboutState =
        names.some((n) => /^(state|circuitState|breakerState|status)$/i.test(n)) &&
        /['"](open|half[-_ ]?open|OPEN|HALF_OPEN)['"]|\.(OPEN|Open|HALF_OPEN|HalfOpen)\b/.test(text);
      const aboutFailures =
        names.some((n) => /^(consecutive)?(failures|failureCount|errorCount|errors|failCount|consecutiveFailures)$/i.test(n)) &&
        names.some((n) => /threshold|max|limit/i.test(n)) &&
        /[<>]=?/.test(text);
      const openUntil = names.some((n) => /^(openUntil|openedAt|trippedAt|tripped|isOpen|circuitOpen|open)$/.test(n));
      // An open state alone is no breaker (a socket's 'open' readyState, a modal's state): a breaker counts
      // failures to open. The failure counting may sit in another method of the file.
      if (aboutFailures || ((aboutState || openUntil) && countsFailures(sf))) handWritten = node;
    }
  });
  if (handWritten) push('hand-written', 'hand-written breaker', handWritten, 'the hand-written circuit breaker');
  return found;
}

/** Whether the file counts failures (`failures++`, `this.errorCount += 1`): the half of a breaker that opens it. */
function countsFailures(sf: ts.SourceFile): boolean {
  return /\b\w*(?:fail|error)\w*\s*(?:\+\+|\+=\s*1\b)|\+\+\s*(?:this\.)?\w*(?:fail|error)\w*/i.test(sf.text);
}

function insideBreakerCall(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (
      (ts.isCallExpression(n) || ts.isNewExpression(n)) &&
      /^(circuitBreaker|CircuitBreakerPolicy|createCircuitBreaker)$/.test(calleeSimpleName(n.expression) ?? '')
    )
      return true;
    if (ts.isFunctionLike(n)) return false;
  }
  return false;
}

/** Numeric thresholds from the options object (and cockatiel's nested breaker), `enabled: false` as 0. */
function breakerOptions(args: ts.Expression[], sf: ts.SourceFile, name: string): Map<string, number> {
  const out = new Map<string, number>();
  if (/^(ConsecutiveBreaker|CountBreaker)$/.test(name)) {
    const n = staticNumber(args[0], sf);
    if (n !== undefined) out.set('threshold', n);
  }
  for (const arg of args) {
    if (!ts.isObjectLiteralExpression(arg)) continue;
    for (const [key, p] of objectProperties(arg, sf)) {
      if (!ts.isPropertyAssignment(p)) continue;
      if (key === 'enabled' && p.initializer.kind === ts.SyntaxKind.FalseKeyword) out.set('enabled', 0);
      if (key === 'breaker' && ts.isNewExpression(p.initializer)) {
        for (const [k, v] of breakerOptions([...(p.initializer.arguments ?? [])], sf, calleeSimpleName(p.initializer.expression) ?? ''))
          out.set(k, v);
      }
      if (!(key in THRESHOLDS)) continue;
      const value = staticNumber(p.initializer, sf);
      if (value !== undefined) out.set(key, value);
    }
  }
  return out;
}
