import { ts } from '../../ts-morph-library.js';
import { callName, calleeSimpleName, calleeText } from '../ast/text.js';
import { forEachOwnNode, mentions } from '../ast/walk.js';
import { isErrorReportCall, isLogCall, isLoggingReference } from './logging.js';

// Error handlers: catch clauses and promise error handlers, what each does with the error it caught,
// and which calls a try block guards.

/** Callbacks that hand the error on: Express `next(err)`, a promise's `reject`, a node-style callback. */
const ERROR_CALLBACK = /^(next|reject|done|cb|callback|fail|onError|handleError|throw|emitError)$/;

/**
 * Calls that show the failure to the user (`setErrorMessage(…)`, `showError(…)`, `notifyFailure()`): the
 * failure stays visible whether or not the error object is passed (a translated message instead).
 */
const SURFACES_FAILURE = /^(set|show|display|notify|raise|flash|render|report|push|add)\w*(Error|Failure|Failed)\w*$/;

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

/** The name bound to the caught error, when there is one: `catch (err)`, `.catch((e) => …)`. */
export function caughtName(handler: ts.CatchClause | ts.Expression): string | undefined {
  if (ts.isCatchClause(handler)) {
    const decl = handler.variableDeclaration;
    return decl && ts.isIdentifier(decl.name) ? decl.name.text : undefined;
  }
  if (
    (ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)) &&
    handler.parameters[0] &&
    ts.isIdentifier(handler.parameters[0].name)
  ) {
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
  if (isLoggingReference(h, sf)) return 'logs';
  return 'unknown';
}

/** Outcome of a block: the strongest thing any of its statements does. */
function bodyOutcome(block: ts.Block, errorName: string | undefined, sf: ts.SourceFile): CatchOutcome {
  if (block.statements.length === 0) return 'empty';
  const names = errorNamesIn(block, errorName);
  if (propagatesOnEveryPath(block.statements, names, sf)) return 'propagates';
  if (propagates(block, names, sf)) return 'conditional';
  const onlyLogs = block.statements.every((s) => {
    // `return debug('failed: %s', e.message)` returns what the log call returns: it only logs.
    if (ts.isReturnStatement(s)) return !s.expression || isLogOrReport(s.expression, sf);
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
  if (propagates(e, new Set(errorName ? [errorName] : []), sf)) return 'propagates';
  if (ts.isCallExpression(e) && (isLogCall(e, sf) || isErrorReportCall(e, sf))) return 'logs';
  if (e.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isIdentifier(e) && e.text === 'undefined')) return 'empty';
  return 'default';
}

function isLogOrReport(expression: ts.Expression, sf: ts.SourceFile): boolean {
  const e = unwrapVoid(expression);
  return ts.isCallExpression(e) && (isLogCall(e, sf) || isErrorReportCall(e, sf));
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
function propagatesOnEveryPath(statements: readonly ts.Statement[], names: ReadonlySet<string>, sf: ts.SourceFile): boolean {
  return statements.some((s) => {
    if (ts.isBlock(s)) return propagatesOnEveryPath(s.statements, names, sf);
    if (ts.isThrowStatement(s) || ts.isReturnStatement(s) || ts.isExpressionStatement(s)) return propagates(s, names, sf);
    if (ts.isIfStatement(s) && s.elseStatement) {
      const elsePropagates = propagatesOnEveryPath([s.elseStatement], names, sf);
      return elsePropagates && (propagatesOnEveryPath([s.thenStatement], names, sf) || leaves(s.thenStatement));
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
function propagates(root: ts.Node, names: ReadonlySet<string>, sf: ts.SourceFile): boolean {
  let found = false;
  const mentionsError = (n: ts.Node): boolean => [...names].some((name) => mentions(n, name));
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
      else if (SURFACES_FAILURE.test(name)) found = true;
      else if (text === 'Promise.reject' || name === 'throw' || text === 'process.exit') found = true;
      else if (name === 'emit' && /^['"`]error/.test(node.arguments[0]?.getText(sf) ?? '')) found = true;
      else if ((name === 'status' || name === 'sendStatus' || name === 'code') && /^[45]\d\d$/.test(node.arguments[0]?.getText(sf) ?? ''))
        found = true;
      else if (!isLogCall(node, sf) && !isErrorReportCall(node, sf) && node.arguments.some(mentionsError)) found = true; // handleError(err), this.emit(...)
      return;
    }
    if (ts.isReturnStatement(node) && node.expression) {
      if (isLogOrReport(node.expression, sf)) return;
      if (mentionsError(node.expression) || /\bnew \w*Error\(|\berror\s*:|\bok\s*:\s*false/.test(node.expression.getText(sf))) found = true;
      return;
    }
    // ctx.status = 500; res.statusCode = 502
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      /status(Code)?$/.test(node.left.getText(sf)) &&
      /^[45]\d\d$/.test(node.right.getText(sf))
    ) {
      found = true;
    }
  });
  return found;
}

/**
 * The caught error's name and the names the handler binds to what it reads of it (`const message =
 * error instanceof Error ? error.message : String(error)`): a failure built from those still carries the
 * error, as when the mapping was a helper the catch called.
 */
function errorNamesIn(block: ts.Block, errorName: string | undefined): ReadonlySet<string> {
  const names = new Set<string>(errorName ? [errorName] : []);
  if (!errorName) return names;
  for (const statement of block.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations)
      if (ts.isIdentifier(d.name) && d.initializer && [...names].some((name) => mentions(d.initializer!, name))) names.add(d.name.text);
  }
  return names;
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
    return (
      value !== undefined &&
      ts.isCallExpression(value) &&
      calleeText(value.expression, sf) === 'Promise.reject' &&
      value.arguments[0]?.getText(sf) === errorName
    );
  };
  if (!ts.isBlock(body)) return rethrows(body);
  const rest = body.statements.filter(
    (s) =>
      !(
        ts.isExpressionStatement(s) &&
        ts.isCallExpression(s.expression) &&
        (isLogCall(s.expression, sf) || isErrorReportCall(s.expression, sf))
      ),
  );
  return rest.length === 1 && rethrows(rest[0]!);
}

/** One error handler: a catch clause, or the error handler a `.catch()` / `.then(ok, onError)` installs. */
export interface ErrorHandler {
  /** The catch clause, or the `.catch()`/`.then()` call. */
  node: ts.Node;
  /** The whole construct (the try statement, the chain), to tell a new handler from an old one by its text. */
  whole: ts.Node;
  /** What the handler does with the error. */
  outcome: CatchOutcome;
  /** What the handler reads: the catch clause, or the handler function the call is given. */
  handler: ts.CatchClause | ts.Expression;
  /** A try statement's block, or the method and first call of a promise chain. */
  guards: { shape: 'try'; block: ts.Block } | { shape: 'promise'; method: string; chain: ts.CallExpression };
}

/** The error handlers among the nodes a walk visits (a unit's, a whole file's), in the walk's order. */
export function errorHandlersIn(walk: (visit: (node: ts.Node) => void) => void, sf: ts.SourceFile): ErrorHandler[] {
  const handlers: ErrorHandler[] = [];
  walk((node) => {
    if (ts.isTryStatement(node) && node.catchClause) {
      const clause = node.catchClause;
      handlers.push({
        node: clause,
        whole: node,
        outcome: catchOutcome(clause, sf),
        handler: clause,
        guards: { shape: 'try', block: node.tryBlock },
      });
      return;
    }
    if (!ts.isCallExpression(node)) return;
    const handler = promiseHandlerOf(node);
    if (!handler) return;
    const method = (node.expression as ts.PropertyAccessExpression).name.text;
    handlers.push({
      node,
      whole: node,
      outcome: catchOutcome(handler, sf),
      handler,
      guards: { shape: 'promise', method, chain: chainRoot(node) },
    });
  });
  return handlers;
}

/**
 * The calls a try block makes (logging and error reports left out), sorted, the first three; and whether
 * any of them can fail: a try around calls that cannot fail (map.get, url.searchParams.set) guards nothing.
 * `awaited` lists the promises awaited without a call (`await this.ready`, `await pending`): operations
 * that can fail as much as a call, named by what is awaited.
 */
export function guardedCalls(block: ts.Block, sf: ts.SourceFile): { calls: string[]; canFail: boolean; awaited: string[] } {
  const names = new Set<string>();
  const awaitedValues = new Set<string>();
  let canFail = false;
  forEachOwnNode(block, (node) => {
    if ((ts.isCallExpression(node) && !isLogCall(node, sf) && !isErrorReportCall(node, sf)) || ts.isNewExpression(node)) {
      names.add(callName(node, sf));
      if (!isSafeCall(node, sf)) canFail = true;
    }
    if (ts.isAwaitExpression(node) || ts.isThrowStatement(node)) canFail = true;
    const awaited = ts.isAwaitExpression(node) ? awaitedValueName(node.expression, sf) : undefined;
    if (awaited) awaitedValues.add(awaited);
  });
  return { calls: [...names].sort().slice(0, 3), canFail, awaited: [...awaitedValues].sort().slice(0, 3) };
}

/** What an `await` waits on when it is a value, not a call: `this.ready`, `pending`; undefined for a call. */
export function awaitedValueName(expression: ts.Expression, sf: ts.SourceFile): string | undefined {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (!ts.isIdentifier(e) && !ts.isPropertyAccessExpression(e)) return undefined;
  const text = e.getText(sf).replace(/\s+/g, '');
  return text.length <= 40 ? text : calleeSimpleName(e);
}

/** Methods of collections, strings and numbers, and pure built-ins: they do not throw on ordinary input. */
const SAFE_METHOD =
  /^(has|get|set|add|delete|clear|push|pop|shift|unshift|map|filter|forEach|some|every|find|findIndex|includes|indexOf|lastIndexOf|slice|concat|join|split|trim|trimStart|trimEnd|toLowerCase|toUpperCase|startsWith|endsWith|padStart|padEnd|replace|replaceAll|substring|charAt|keys|values|entries|toString|toFixed|valueOf|at|flat|flatMap|sort|reverse|fill|assign|freeze|isArray|now|min|max|floor|ceil|round|abs|random|String|Number|Boolean|Symbol|Date)$/;

function isSafeCall(call: ts.CallExpression | ts.NewExpression, sf: ts.SourceFile): boolean {
  const name = calleeSimpleName(call.expression) ?? '';
  if (ts.isNewExpression(call)) return /^(Map|Set|WeakMap|WeakSet|Array|Date|Error|\w+Error)$/.test(name);
  const text = calleeText(call.expression, sf);
  if (/^(Math|Object|Array|Number|String|Symbol)\./.test(text)) return true;
  return (
    SAFE_METHOD.test(name) &&
    !/^(JSON|fs|db|client|api|http|https|axios|got|ky|request|fetch|prisma|knex|pool|conn|connection|s3|queue|kv|redis|cache|storage|localStorage|sessionStorage|store)\b/.test(
      text,
    )
  );
}
