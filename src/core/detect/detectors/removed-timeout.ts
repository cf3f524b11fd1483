import { defineDetector } from '../define-detector.js';
import { TIMEOUT_FALLBACK, timeoutsOf } from '../vocab/timeouts.js';

export default defineDetector({
  meta: {
    id: 'removed-timeout',
    category: 'timeout',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'A timeout or deadline on an outbound call or wait was removed or raised a lot.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: the call can now wait forever.',
      weakened: '{{symbol}}: {{label}} was loosened ({{change}}).',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        "Timeout options of HTTP, database and queue clients (axios, got and its `timeout: { request, response }`, ky, undici `headersTimeout`/`bodyTimeout`, pg `statement_timeout`/`connectionTimeoutMillis`, knex, bullmq and any option named *timeout*/deadline, set in an object or assigned), AbortSignal.timeout, an AbortController aborted by a timer, Promise.race against a timer, `.setTimeout(n)`/`.timeout(n)` calls on requests and sockets, timeout helpers (p-timeout, withTimeout), calls that arm a named deadline (addTimeout(ms, handler, 'read')), abort listeners that end the pending operation (`signal.addEventListener('abort', …)` that rejects, aborts or cleans up) and elapsed-time checks against a deadline. A timeout raised fivefold or more, or set to 0/false/Infinity, is a weakening.",
      ignores:
        'A timeout moved into a helper the function calls, to another file of the same pull request or into shared defaults spread into the options (`{ ...DEFAULTS }`), or swapped for an equivalent one (axios `timeout` for `AbortSignal.timeout` of the same duration, an AbortController timer or a Promise.race for `AbortSignal.timeout`); a shorter timeout; the minTimeout/maxTimeout backoff delays of retry libraries; idle lifetimes (`idleTimeoutMillis`, `keepAliveTimeout`); test-runner configuration (karma.conf.js, jest.config.ts, playwright.config.ts, …); timeouts of interface elements (toasts, tooltips, debounces); timers that only schedule work (setTimeout without an abort or rejection).',
      example: {
        file: 'src/billing.ts',
        before:
          "import axios from 'axios';\n\nexport const billing = axios.create({ baseURL: 'https://billing.internal', timeout: 5000 });\n",
        after: "import axios from 'axios';\n\nexport const billing = axios.create({ baseURL: 'https://billing.internal' });\n",
      },
    },
  },
  inventory: timeoutsOf,
  isWeakened(before, after) {
    // A phase dropped from a timeout object (got's `read`) leaves that phase unbounded; one renamed
    // (a phase dropped and another added, as in a client upgrade) does not.
    const phases = (g: typeof before): string[] => (g.members ?? []).filter((m) => m !== TIMEOUT_FALLBACK);
    const [beforePhases, afterPhases] = [phases(before), phases(after)];
    if (beforePhases.length && afterPhases.length) {
      const dropped = beforePhases.filter((m) => !afterPhases.includes(m)).length;
      const added = afterPhases.filter((m) => !beforePhases.includes(m)).length;
      if (dropped > added) return true;
    }
    // `timeout: timeout ?? settings.timeout` → `timeout`: a call that gives none now runs unbounded. A fixed
    // amount in its place still bounds every call.
    const fellBack = (g: typeof before): boolean => g.members?.includes(TIMEOUT_FALLBACK) === true;
    if (fellBack(before) && after.members && !fellBack(after) && after.strength === undefined) return true;
    // A guardrail that already did not bound anything (timeout: 0 before) cannot get weaker.
    if (before.strength === undefined || after.strength === undefined || !Number.isFinite(before.strength)) return false;
    return after.strength >= before.strength * 5;
  },
});
