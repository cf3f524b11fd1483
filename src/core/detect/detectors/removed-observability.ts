import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, calleeText, simpleName } from '../ast/text.js';
import { forEachNodeOfUnit } from '../ast/walk.js';
import { defineDetector, type Guardrail, type LossVerdict, type PullRequestView } from '../define-detector.js';
import { failurePathOf } from '../vocab/failure-paths.js';
import { isErrorLogCall, isErrorReportCall } from '../vocab/logging.js';

/** Receivers that count or time things: a prom-client counter, a StatsD client, an OpenTelemetry meter instrument. */
const METRIC_RECEIVER =
  /(counter|histogram|gauge|summary|metric|metrics|stats|statsd|dogstatsd|meter|telemetry|prom|datadog|errorsTotal|failuresTotal)$/i;
/** Methods that record a data point. */
const METRIC_METHOD = /^(inc|increment|incr|observe|histogram|timing|gauge|distribution|startTimer)$/;
/** Generic method names that record a data point only on a receiver that is clearly an instrument. */
const INSTRUMENT_METHOD = /^(add|record|count|decrement)$/;
/** Names of functions whose whole body runs for a failure: error handlers, reporters. */
const ERROR_HANDLER_NAME = /error|fail|exception|crash|report|alert|panic/i;
/** First parameters that say the function receives a failure. */
const ERROR_PARAM = /^(err|error|e|ex|exception|cause|reason|failure)$/;
/** Calls that open a tracing span around work. */
const SPAN_CALL = /^(startActiveSpan|startSpan|withSpan|trace|startTransaction|startInactiveSpan)$/;
/** Plain functions that run work inside a span: `withSpan('job', fn)`, `traced('name', fn)`. */
const SPAN_HELPER = /^(withSpan|withTracing|traced|inSpan|startActiveSpan|startSpan|instrumented|withActiveSpan)$/;

export default defineDetector({
  meta: {
    id: 'removed-observability',
    category: 'observability',
    // A removed catch or failure log inside another removed guardrail is that guardrail's mechanics.
    fold: 'into-enclosing',
    severity: 'medium',
    weakenedSeverity: 'low',
    description:
      'Error logging, an error report, a failure metric or a tracing span was removed from a failure path: the next incident there is silent.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: when it fails, nobody will see it in logs, dashboards or traces.',
      weakened: '{{symbol}}: {{label}} was weakened: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'On failure paths (catch blocks, `.catch()` handlers, `on("error")` listeners, `if (err)` / `if (!res.ok)` branches and branches that throw): error and warning logs (`logger.error`, `console.error`, `log.warn`, ...), error reports (`Sentry.captureException`, `span.recordException`, `span.setStatus({ code: SpanStatusCode.ERROR })`, New Relic `noticeError`, Bugsnag `notify`) and metrics (`counter.inc`, `histogram.observe`, `metrics.increment`, StatsD clients). Anywhere in a function: tracing spans (`tracer.startActiveSpan`, `startSpan`, `withSpan`).',
      ignores:
        'Info and debug logs; logs on the happy path; an error log swapped for another error log or report (logger.error for Sentry.captureException); logging moved into an error helper the function calls or into another function of the same PR; a deleted function nothing referenced.',
      example: {
        file: 'src/webhooks.ts',
        before:
          "export async function deliver(hook: Hook, payload: unknown) {\n  try {\n    await http.post(hook.url, payload);\n  } catch (error) {\n    logger.error({ error, hook: hook.id }, 'webhook delivery failed');\n    deliveryFailures.inc({ hook: hook.id });\n    throw error;\n  }\n}\n",
        after:
          'export async function deliver(hook: Hook, payload: unknown) {\n  try {\n    await http.post(hook.url, payload);\n  } catch (error) {\n    throw error;\n  }\n}\n',
      },
    },
  },
  inventory: observabilityOf,
  judgeLoss: (lost, after, pr) => (after ? undefined : loggedByAHelperGivenTheLogger(lost, pr)),
});

/**
 * A log call on a logger (`reply.log.warn(…)`) that left the unit, while the head unit hands that logger to a
 * helper of the same file (`logStreamError(reply.log, err)`) that logs a failure with it
 * (`logger.warn(…)` on its parameter): the failure is still logged, by the helper.
 */
function loggedByAHelperGivenTheLogger(lost: Guardrail, pr: PullRequestView): LossVerdict | undefined {
  const call = lost.node;
  if (lost.kind !== 'error-log' || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const base = pr.base.find((entry) => entry.guardrail === lost)?.unit;
  if (!base) return undefined;
  const head = pr.unitsNamed(simpleName(base)).find((h) => h.name === base.name && h.file === base.file);
  if (!head) return undefined;
  const flat = (e: ts.Node, sf: ts.SourceFile): string => e.getText(sf).replace(/\s+|\?(?=\.)/g, '');
  const logger = flat(call.expression.expression, base.sourceFile);
  let found: string | undefined;
  forEachNodeOfUnit(head, (node) => {
    if (found || !ts.isCallExpression(node) || !ts.isIdentifier(node.expression)) return;
    const index = node.arguments.findIndex((a) => flat(a, head.sourceFile) === logger);
    if (index < 0) return;
    for (const helper of pr.unitsNamed(node.expression.text)) {
      const param = helper.params[index];
      if (helper.file !== head.file || !param) continue;
      const logsWithIt = observabilityOf(helper).some(
        (g) =>
          g.kind === 'error-log' &&
          ts.isCallExpression(g.node) &&
          ts.isPropertyAccessExpression(g.node.expression) &&
          flat(g.node.expression.expression, helper.sourceFile) === param,
      );
      if (logsWithIt) found = helper.name;
    }
  });
  return found ? { kept: `${found}, which ${simpleName(head)} hands ${logger}`, evidence: { loggedByHelper: found } } : undefined;
}

function observabilityOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (kind: string, anchor: string, node: ts.Node, label: string): void => {
    found.push({ category: 'observability', kind, anchor, node, label });
  };

  // An error helper or error middleware runs only when something failed: its logs are on a failure path.
  const unitName = unit.name.split('.').pop() ?? '';
  const wholeUnitHandlesFailure =
    (unit.kind === 'function' || unit.kind === 'method') && (ERROR_HANDLER_NAME.test(unitName) || ERROR_PARAM.test(unit.params[0] ?? ''));

  const seen = new Set<string>();

  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isCallExpression(node)) return;
    const name = calleeSimpleName(node.expression);
    if (!name) return;
    const callee = calleeText(node.expression, sf).replace(/\s*\.\s*/g, '.');
    const spanHelper = ts.isIdentifier(node.expression) && SPAN_HELPER.test(name);
    if (
      spanHelper ||
      (SPAN_CALL.test(name) && ts.isPropertyAccessExpression(node.expression) && /tracer|trace|otel|telemetry|sentry|apm/i.test(callee))
    ) {
      const spanName = stringArgument(node);
      push('span', `span ${spanName ?? callee}`, node, `the tracing span${spanName ? ` "${spanName}"` : ''} (${callee})`);
      return;
    }
    const path = wholeUnitHandlesFailure ? unit.node : failurePathOf(node, unit.node, sf);
    if (!path) return;
    // One guardrail per failure path and kind: two log lines merged into one is the same logging.
    const once = (kind: string): boolean => {
      const key = `${kind}\u0000${path.pos}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    };
    if (isErrorLogCall(node, sf)) {
      if (once('error-log')) push('error-log', `error log ${callee}`, node, `the ${callee}() on the failure path`);
      return;
    }
    if (isErrorReportCall(node, sf)) {
      if (once('error-report')) push('error-report', `error report ${callee}`, node, `the ${callee}() error report`);
      return;
    }
    if ((METRIC_METHOD.test(name) || INSTRUMENT_METHOD.test(name)) && ts.isPropertyAccessExpression(node.expression)) {
      const receiver = node.expression.expression.getText(sf).replace(/^this\./, '');
      const metricName = stringArgument(node);
      const instrument =
        METRIC_RECEIVER.test(receiver.split('.').pop() ?? '') || (metricName !== undefined && /metric|stats/i.test(receiver));
      if (instrument || (METRIC_METHOD.test(name) && !/^(set|map|list|array|queue)$/i.test(receiver))) {
        const what = metricName ? `${receiver}.${name}("${metricName}")` : `${receiver}.${name}()`;
        push('metric', `metric ${metricName ?? receiver}`, node, `the failure metric ${what}`);
      }
    }
  });
  return found;
}

function stringArgument(call: ts.CallExpression): string | undefined {
  const first = call.arguments[0];
  return first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : undefined;
}
