import { ts } from 'ts-morph';
import { calleeSimpleName, calleeText } from '../../parse/units.js';

/**
 * Helpers shared by the error-handling, swallowed-error and observability detectors: what a catch does
 * with the error, whether a call only logs, whether a node sits on a failure path.
 */

/** Receivers whose methods write log lines: console, logger, this.log, req.log, a winston/pino instance. */
const LOGGER_RECEIVER = /^(console|log|logs|logger|logging|\w*[lL]ogger|\w*[lL]og|winston|pino|bunyan|consola|signale)$/;
/** Logging methods of any level. */
const LOG_METHOD = /^(error|warn|warning|fatal|critical|crit|alert|emerg|info|debug|trace|log|verbose|notice|silly|exception)$/;
/** Logging methods that mark a failure. */
const ERROR_LOG_METHOD = /^(error|warn|warning|fatal|critical|crit|alert|emerg|exception)$/;
/** Calls that report an error to an error tracker or the current span, then let the code go on. */
const ERROR_REPORT_CALL = /^(captureException|captureError|captureMessage|recordException|noticeError|notifyError|trackException|logException|reportException)$/;
/** Callbacks that hand the error on: Express `next(err)`, a promise's `reject`, a node-style callback. */
const ERROR_CALLBACK = /^(next|reject|done|cb|callback|fail|onError|handleError|throw|emitError)$/;

/** What a catch does with the error it caught. */
export type CatchOutcome =
  /** Throws, rejects, calls next(err), returns the error or a 4xx/5xx answer: the failure stays visible. */
  | 'propagates'
  /** Passes the error on only on some paths (`if (options.throwErrors) throw error`), swallows it on the others. */
  | 'conditional'
  /** Nothing at all. */
  | 'empty'
  /** Only writes a log line or reports to a tracker, then goes on as if nothing happened. */
  | 'logs'
  /** Returns a value that does not carry the error (`return []`, `return null`). */
  | 'default'
  /** Does something else (a fallback computation, a flag): the caller does not learn of the failure. */
  | 'other'
  /** A handler we cannot see into (`.catch(handle)`): assumed to propagate, so it never counts as weaker. */
  | 'unknown';

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

/** Visits the nodes of `root`, not descending into nested functions (their code runs some other time). */
export function forEachOwnNode(root: ts.Node, visit: (node: ts.Node) => void): void {
  const walk = (node: ts.Node): void => {
    visit(node);
    if (node !== root && ts.isFunctionLike(node)) return;
    ts.forEachChild(node, walk);
  };
  walk(root);
}

/** The name bound to the caught error, when there is one: `catch (err)`, `.catch((e) => …)`. */
export function caughtName(handler: ts.CatchClause | ts.Expression): string | undefined {
  if (ts.isCatchClause(handler)) {
    const decl = handler.variableDeclaration;
    return decl && ts.isIdentifier(decl.name) ? decl.name.text : undefined;
  }
  if ((ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)) && handler.parameters[0] && ts.isIdentifier(handler.parameters[0].name)) {
    return handler.parameters[0].name.text;
  }
  return undefined;
}

/** What the body of a catch clause or a `.catch` handler does with the error. */
export function catchOutcome(handler: ts.CatchClause | ts.Expression, sf: ts.SourceFile): CatchOutcome {
  const errorName = caughtName(handler);
  if (ts.isCatchClause(handler)) return bodyOutcome(handler.block, errorName, sf);
  let h: ts.Expression = handler;
  while (ts.isParenthesizedExpression(h)) h = h.expression;
  if (ts.isArrowFunction(h) || ts.isFunctionExpression(h)) {
    return ts.isBlock(h.body) ? bodyOutcome(h.body, errorName, sf) : expressionOutcome(h.body, errorName, sf);
  }
  // .catch(next), .catch(reject), .catch(console.error), .catch(noop)
  const name = calleeSimpleName(h) ?? '';
  if (ERROR_CALLBACK.test(name)) return 'propagates';
  if (/^(noop|ignore|identity|nothing|swallow\w*)$/i.test(name) || /^_\.noop$/.test(h.getText(sf))) return 'empty';
  if (ts.isPropertyAccessExpression(h) && LOG_METHOD.test(h.name.text) && LOGGER_RECEIVER.test(receiverName(h.expression, sf))) return 'logs';
  if (ERROR_REPORT_CALL.test(name)) return 'logs';
  return 'unknown';
}

/** Outcome of a block: the strongest thing any of its statements does. */
function bodyOutcome(block: ts.Block, errorName: string | undefined, sf: ts.SourceFile): CatchOutcome {
  if (block.statements.length === 0) return 'empty';
  if (propagatesOnEveryPath(block.statements, errorName, sf)) return 'propagates';
  if (propagates(block, errorName, sf)) return 'conditional';
  const onlyLogs = block.statements.every((s) => {
    if (ts.isReturnStatement(s)) return !s.expression;
    if (!ts.isExpressionStatement(s)) return false;
    const e = unwrapVoid(s.expression);
    return ts.isCallExpression(e) && (isLogCall(e, sf) || isErrorReportCall(e, sf));
  });
  if (onlyLogs) return 'logs';
  const returnsValue = block.statements.some((s) => ts.isReturnStatement(s) && s.expression);
  return returnsValue ? 'default' : 'other';
}

function expressionOutcome(expression: ts.Expression, errorName: string | undefined, sf: ts.SourceFile): CatchOutcome {
  const e = unwrapVoid(expression);
  if (propagates(e, errorName, sf)) return 'propagates';
  if (ts.isCallExpression(e) && (isLogCall(e, sf) || isErrorReportCall(e, sf))) return 'logs';
  if (e.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isIdentifier(e) && e.text === 'undefined')) return 'empty';
  return 'default';
}

function unwrapVoid(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isVoidExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
  return e;
}

/**
 * Whether the statements hand the failure on whatever path they take: a statement at their top level
 * does (`if (e.code === 'ENOENT') return null; throw e;` counts), or both branches of an if/else do.
 */
function propagatesOnEveryPath(statements: readonly ts.Statement[], errorName: string | undefined, sf: ts.SourceFile): boolean {
  return statements.some((s) => {
    if (ts.isBlock(s)) return propagatesOnEveryPath(s.statements, errorName, sf);
    if (ts.isThrowStatement(s) || ts.isReturnStatement(s) || ts.isExpressionStatement(s)) return propagates(s, errorName, sf);
    if (ts.isIfStatement(s) && s.elseStatement) {
      const elsePropagates = propagatesOnEveryPath([s.elseStatement], errorName, sf);
      return elsePropagates && (propagatesOnEveryPath([s.thenStatement], errorName, sf) || leaves(s.thenStatement));
    }
    return false;
  });
}

/** Whether a branch leaves early (return, continue, break): an exception carved out before the rethrow. */
function leaves(statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isContinueStatement(statement) || ts.isBreakStatement(statement)) return true;
  return ts.isBlock(statement) && statement.statements.length > 0 && leaves(statement.statements[statement.statements.length - 1]!);
}

/** Whether the code hands the failure on to someone: a throw, a rejection, an error callback, an error response, the error returned. */
function propagates(root: ts.Node, errorName: string | undefined, sf: ts.SourceFile): boolean {
  let found = false;
  forEachOwnNode(root, (node) => {
    if (found) return;
    if (ts.isThrowStatement(node)) {
      found = true;
      return;
    }
    if (ts.isCallExpression(node)) {
      const name = calleeSimpleName(node.expression) ?? '';
      const text = calleeText(node.expression, sf);
      if (ERROR_CALLBACK.test(name) && node.arguments.length > 0) found = true;
      else if (text === 'Promise.reject' || name === 'throw' || text === 'process.exit') found = true;
      else if (name === 'emit' && /^['"`]error/.test(node.arguments[0]?.getText(sf) ?? '')) found = true;
      else if ((name === 'status' || name === 'sendStatus' || name === 'code') && /^[45]\d\d$/.test(node.arguments[0]?.getText(sf) ?? '')) found = true;
      else if (errorName && !isLogCall(node, sf) && !isErrorReportCall(node, sf) && node.arguments.some((a) => mentions(a, errorName))) found = true; // handleError(err), this.emit(...)
      return;
    }
    if (ts.isReturnStatement(node) && node.expression) {
      if ((errorName && mentions(node.expression, errorName)) || /\bnew \w*Error\(|\berror\s*:|\bok\s*:\s*false/.test(node.expression.getText(sf))) found = true;
      return;
    }
    // ctx.status = 500; res.statusCode = 502
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && /status(Code)?$/.test(node.left.getText(sf)) && /^[45]\d\d$/.test(node.right.getText(sf))) {
      found = true;
    }
  });
  return found;
}

function mentions(node: ts.Node, name: string): boolean {
  if (ts.isIdentifier(node)) return node.text === name;
  let hit = false;
  node.forEachChild((child) => {
    if (!hit && mentions(child, name)) hit = true;
  });
  return hit;
}

/** Whether the outcome keeps the failure visible to the caller. */
export function keepsFailureVisible(outcome: CatchOutcome): boolean {
  return outcome === 'propagates' || outcome === 'unknown';
}

/**
 * The error handler a `.catch(h)` / `.then(ok, h)` call installs, or undefined when the call is not one.
 * `.catch` with no argument or on something that is clearly not a promise chain is left out.
 */
export function promiseHandlerOf(call: ts.CallExpression): ts.Expression | undefined {
  if (!ts.isPropertyAccessExpression(call.expression)) return undefined;
  const name = call.expression.name.text;
  if (name === 'catch' && call.arguments.length === 1) return call.arguments[0];
  if (name === 'then' && call.arguments.length === 2) return call.arguments[1];
  return undefined;
}

/** The first call of a chain: `fetch(url).then(a).catch(b)` → the `fetch(url)` call. */
export function chainRoot(call: ts.CallExpression): ts.CallExpression {
  let current: ts.CallExpression = call;
  for (;;) {
    const callee = current.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      let inner: ts.Expression = callee.expression;
      while (ts.isParenthesizedExpression(inner) || ts.isAwaitExpression(inner) || ts.isNonNullExpression(inner)) inner = inner.expression;
      if (ts.isCallExpression(inner)) {
        current = inner;
        continue;
      }
    }
    return current;
  }
}

/** A readable name for a call in anchors and labels: `db.query`, `fetch`, `client.send`. */
export function callName(call: ts.CallExpression | ts.NewExpression, sf: ts.SourceFile): string {
  const text = calleeText(call.expression, sf).replace(/\s*\.\s*/g, '.');
  if (!text.includes('(') && text.length <= 40) return text;
  return calleeSimpleName(call.expression) ?? text.slice(0, 40);
}

/** Whether a node inside `unitRoot` runs only when something failed: a catch, an error handler, an error branch. */
export function isOnFailurePath(node: ts.Node, unitRoot: ts.Node, sf: ts.SourceFile): boolean {
  return failurePathOf(node, unitRoot, sf) !== undefined;
}

/**
 * The failure path a node sits on, as the node that opens it (the catch clause, the handler function, the
 * error branch), or undefined when the node runs on the happy path.
 */
export function failurePathOf(node: ts.Node, unitRoot: ts.Node, sf: ts.SourceFile): ts.Node | undefined {
  let child: ts.Node = node;
  for (let n: ts.Node | undefined = node.parent; n; child = n, n = n.parent) {
    if (ts.isCatchClause(n)) return n;
    if (ts.isFunctionLike(n) && n.parent && ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as unknown as ts.Expression)) {
      const call = n.parent;
      if (promiseHandlerOf(call) === (n as unknown as ts.Expression)) return n;
      const name = calleeSimpleName(call.expression) ?? '';
      if ((name === 'on' || name === 'once') && /^['"`](error|failed|failure|exit|abort|timeout|uncaughtException|unhandledRejection)/.test(call.arguments[0]?.getText(sf) ?? '')) return n;
      if (/^on(Error|Failure|Failed|Reject)/.test(name)) return n;
    }
    if (ts.isPropertyAssignment(n) && /^on(Error|Failure|Failed)|^(error|onerror|failed)$/.test(n.name.getText(sf)) && child === n.initializer) return n;
    if (ts.isIfStatement(n) && child === n.thenStatement && isErrorCondition(n, sf)) return n;
    if (n === unitRoot) return undefined;
  }
  return undefined;
}

/** `if (err)`, `if (!res.ok)`, `if (response.status >= 500)`, or a branch that throws. */
function isErrorCondition(statement: ts.IfStatement, sf: ts.SourceFile): boolean {
  const condition = statement.expression.getText(sf);
  if (/\berr(or)?s?\b|\bfail(ed|ure)?\b|!\s*[\w.]*\.ok\b|\.ok\s*===?\s*false|status(Code)?\s*>=?\s*[45]\d\d|\bisError\b|\.error\b/i.test(condition)) return true;
  let throws = false;
  forEachOwnNode(statement.thenStatement, (n) => {
    if (ts.isThrowStatement(n)) throws = true;
  });
  return throws;
}

/**
 * Whether a handler only passes the error on unchanged (`catch (e) { log(e); throw e; }`,
 * `.catch((e) => Promise.reject(e))`): taking it away changes nothing about how the failure travels.
 */
export function isTransparent(handler: ts.CatchClause | ts.Expression, sf: ts.SourceFile): boolean {
  const errorName = caughtName(handler);
  if (!errorName) return false;
  let body: ts.Node | undefined;
  if (ts.isCatchClause(handler)) body = handler.block;
  else {
    let h: ts.Expression = handler;
    while (ts.isParenthesizedExpression(h)) h = h.expression;
    if (ts.isArrowFunction(h) || ts.isFunctionExpression(h)) body = h.body;
  }
  if (!body) return false;
  const rethrows = (node: ts.Node): boolean => {
    if (ts.isThrowStatement(node)) return ts.isIdentifier(node.expression) && node.expression.text === errorName;
    const value = ts.isReturnStatement(node) ? node.expression : ts.isExpressionStatement(node) ? undefined : (node as ts.Expression);
    return value !== undefined && ts.isCallExpression(value) && calleeText(value.expression, sf) === 'Promise.reject' && value.arguments[0]?.getText(sf) === errorName;
  };
  if (!ts.isBlock(body)) return rethrows(body);
  const rest = body.statements.filter((s) => !(ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && (isLogCall(s.expression, sf) || isErrorReportCall(s.expression, sf))));
  return rest.length === 1 && rethrows(rest[0]!);
}
