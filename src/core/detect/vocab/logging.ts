import { ts } from '../../ts-morph-library.js';
import { calleeSimpleName, calleeText } from '../ast/text.js';

// Logging and error reporting: which calls write a log line, at which level, and which hand an error to a
// tracker. Read by the error-handling, swallowed-error, observability and secret-redaction detectors.

/**
 * Receivers whose methods write log lines: console, logger, this.log, req.log, a winston/pino instance, and
 * the debug loggers libraries export under another name (`debug.error(…)`, OpenTelemetry's `diag.warn(…)`):
 * a log line written through a renamed logging object is still written.
 */
const LOGGER_RECEIVER = /^(console|log|logs|logger|logging|\w*[lL]ogger|\w*[lL]og|debug|diag|winston|pino|bunyan|consola|signale)$/;
/** Logging methods of any level. */
const LOG_METHOD = /^(error|warn|warning|fatal|critical|crit|alert|emerg|info|debug|trace|log|verbose|notice|silly|exception)$/;
/** Logging methods that mark a failure. */
const ERROR_LOG_METHOD = /^(error|warn|warning|fatal|critical|crit|alert|emerg|exception)$/;
/** Calls that report an error to an error tracker or the current span, then let the code go on. */
const ERROR_REPORT_CALL =
  /^(captureException|captureError|captureMessage|recordException|noticeError|notifyError|trackException|logException|reportException)$/;
/** Whether the call writes a log line (any level). */
export function isLogCall(call: ts.CallExpression, sf: ts.SourceFile): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === 'debug' || callee.text === 'log';
  if (!ts.isPropertyAccessExpression(callee)) return false;
  if (!LOG_METHOD.test(callee.name.text)) return false;
  return LOGGER_RECEIVER.test(receiverName(callee.expression, sf));
}

/** Whether the call logs at error or warning level. */
export function isErrorLogCall(call: ts.CallExpression, sf: ts.SourceFile): boolean {
  return isLogCall(call, sf) && ts.isPropertyAccessExpression(call.expression) && ERROR_LOG_METHOD.test(call.expression.name.text);
}

/** Whether the call reports an error to a tracker (Sentry, OpenTelemetry span, New Relic, Bugsnag). */
export function isErrorReportCall(call: ts.CallExpression, sf: ts.SourceFile): boolean {
  const name = calleeSimpleName(call.expression);
  if (!name) return false;
  if (ERROR_REPORT_CALL.test(name)) return true;
  if (name === 'notify' && /bugsnag|airbrake|honeybadger|rollbar/i.test(calleeText(call.expression, sf))) return true;
  // span.setStatus({ code: SpanStatusCode.ERROR })
  if (name === 'setStatus') return /ERROR|\b2\b/.test(call.arguments.map((a) => a.getText(sf)).join(' '));
  return false;
}

/** The last simple name of a receiver expression: `this.deps.logger` → `logger`, `req.log` → `log`. */
function receiverName(expression: ts.Expression, sf: ts.SourceFile): string {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isCallExpression(e)) {
    // logger.child({ ... }).error(...), getLogger().warn(...)
    const name = calleeSimpleName(e.expression) ?? '';
    return /^(child|getLogger|useLogger|logger)$/.test(name) ? 'logger' : name;
  }
  return e.getText(sf);
}

/**
 * Whether an expression passed as a handler (`.catch(console.error)`, `.catch(Sentry.captureException)`)
 * names a logging or reporting function rather than calling it.
 */
export function isLoggingReference(expression: ts.Expression, sf: ts.SourceFile): boolean {
  if (
    ts.isPropertyAccessExpression(expression) &&
    LOG_METHOD.test(expression.name.text) &&
    LOGGER_RECEIVER.test(receiverName(expression.expression, sf))
  )
    return true;
  return ERROR_REPORT_CALL.test(calleeSimpleName(expression) ?? '');
}
