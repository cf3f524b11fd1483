import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, calleeText, callName } from '../ast/text.js';
import { forEachNode, forEachNodeOfUnit, forEachOwnNode } from '../ast/walk.js';
import { defineDetector, type DirectFinding, type Guardrail } from '../define-detector.js';
import {
  awaitedValueName,
  catchOutcome,
  type CatchOutcome,
  caughtName,
  chainRoot,
  errorHandlersIn,
  guardedCalls,
  isTransparent,
  keepsFailureVisible,
  promiseHandlerOf,
  type ErrorHandler,
} from '../vocab/handlers.js';
import { isErrorReportCall, isLogCall } from '../vocab/logging.js';

/** Calls in a `finally` (or `.finally`) that give back what the operation held. */
const CLEANUP_CALL =
  /^(release|close|unlock|end|destroy|dispose|disconnect|clearTimeout|clearInterval|unsubscribe|removeListener|removeEventListener|off|rollback|cleanup|cleanUp|unref|terminate|quit|abort|finish|free|unwatch|restore|releaseLock|closeSync)$/;
/** Local helpers named for cleanup: `removeHandler()`, `releaseClient()`, `closeAll()`, `teardown()`. */
const CLEANUP_HELPER =
  /^(release|close|unlock|dispose|disconnect|clear|remove|unsubscribe|rollback|cleanup|cleanUp|teardown|tearDown|restore|destroy|stop|shutdown|free|cancel)[A-Z_]\w*$|^(cleanup|teardown|dispose|done)$/;

/** Wrappers that catch what the function they wrap throws: express-async-handler, catchAsync, withErrorHandling. */
const ERROR_WRAPPER =
  /^(asyncHandler|expressAsyncHandler|catchAsync|catchAsyncErrors|catchErrors|wrapAsync|asyncWrap|asyncMiddleware|withErrorHandling|withErrorHandler|withErrorBoundary|handleErrors|tryCatch|safeHandler|errorBoundary)$/;

/** Helpers that acquire a resource, run a callback and release it whatever happens: a finally in a function. */
const SCOPED_RESOURCE =
  /^(runExclusive|withLock|withMutex|withClient|withConnection|withSession|withTransaction|withResource|withTempDir|withTempFile|withFile|usingResource|disposing|acquireAndRun|withPage|withBrowser)$/;

/** The member every catch-shaped guardrail has; its special cases for particular errors are members too. */
const HANDLES = 'error handling';

export default defineDetector({
  meta: {
    id: 'removed-error-handling',
    category: 'error-handling',
    // A removed catch or failure log inside another removed guardrail is that guardrail's mechanics.
    fold: 'into-enclosing',
    severity: 'high',
    weakenedSeverity: 'medium',
    description:
      'Error handling was removed or weakened: a try/catch or .catch() around a call, a catch that propagated the error now swallowing it, or a finally cleanup.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: a failure there now escapes unhandled or leaves things half done.',
      weakened: '{{symbol}}: {{label}} was weakened ({{change}}): on failure, that part no longer happens.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
      swallowsNow: '{{symbol}}: {{label}} used to pass the error on and now {{change}}: the caller can miss the failure.',
    },
    docs: {
      catches:
        "A `try/catch` around a call, a `.catch()` / `.then(ok, onError)` on a promise, an `on('error')` listener or an `onerror` / `ontimeout` / `onabort` handler that handled the error (a fallback, a default, a translation into another error, a `next(err)` / `reject(err)` / callback) and disappears (high); a catch that threw, rejected, called `next(err)`, returned the error or answered 4xx/5xx on every path and now swallows it (empty, only logs, returns a default such as `[]` or `null`) or passes it on only under a condition (medium); a special case a catch made for one error (`if (err.code === ...)`, `instanceof`) dropped (medium); cleanup in `finally` or `.finally()` (release, close, unlock, end, destroy, clearTimeout, rollback, ...) or a `using` declaration that disappears (high).",
      ignores:
        "Error handling moved into a helper the function calls, into another function of the same PR (including the caller), or into a wrapper such as `asyncHandler(...)`; error listeners replaced by `pipeline()`, a finally replaced by `using` or a scope helper (`runExclusive`, `withClient`); a `.then().catch()` chain rewritten as `await` inside `try/catch` with the same handling; a catch that only rethrew the same error (`catch (e) { log(e); throw e }`), whose removal changes nothing about how the failure travels (a lost log line is the observability detector's); a catch that now propagates where it swallowed; a try block whose calls cannot fail (collection and string methods, `Math`, `Object`) and nothing awaited; a deleted function nothing referenced.",
      example: {
        file: 'src/orders.ts',
        before:
          "export async function loadOrders(userId: string) {\n  try {\n    return await db.query('select * from orders where user_id = $1', [userId]);\n  } catch (error) {\n    throw new OrdersUnavailableError(userId, { cause: error });\n  }\n}\n",
        after:
          "export async function loadOrders(userId: string) {\n  try {\n    return await db.query('select * from orders where user_id = $1', [userId]);\n  } catch {\n    return [];\n  }\n}\n",
      },
    },
  },
  inventory: errorHandlingOf,
  isWeakened(before, after) {
    // A catch, a listener group, or a finally paired with a guardrail of another shape keeps nothing of it.
    const shape = (g: Guardrail): string => g.kind.split(' ')[0]!;
    if (shape(before) !== shape(after)) return true;
    if (before.strength !== undefined && after.strength !== undefined) return after.strength < before.strength; // cleanups dropped from a finally
    if (before.members && after.members) return before.members.some((m) => !after.members!.includes(m)); // special cases, listeners
    return false;
  },
  inspect(change) {
    const { base, head } = change;
    if (!base || !head) return [];
    // A catch that passed the error on and now swallows it. Counted, so that a .catch() rewritten as a
    // try/catch is the same catch, and a catch that is simply gone is left to the inventory.
    const before = handlersOf(base);
    const after = handlersOf(head);
    const passedBefore = before.filter((h) => keepsFailureVisible(h.outcome)).length;
    const passedAfter = after.filter((h) => keepsFailureVisible(h.outcome)).length;
    const swallowing = after.filter((h) => !keepsFailureVisible(h.outcome) && !swallowsOnASideBranch(h, head));
    const swallowedBefore = before.length - passedBefore;
    let weakened = Math.min(passedBefore - passedAfter, swallowing.length - swallowedBefore);
    const findings: DirectFinding[] = [];
    for (const handler of swallowing) {
      if (weakened <= 0) break;
      if (!change.isNew(handler.whole)) continue;
      weakened--;
      findings.push({
        messageId: 'swallowsNow',
        node: handler.node,
        side: 'head',
        severity: 'medium',
        key: `swallows ${handler.around}`,
        data: { label: handler.around, change: describe(handler.outcome) },
        evidence: { outcome: handler.outcome },
      });
    }
    return findings;
  },
});

/**
 * `basePromise.catch(() => {})` beside `this._promise = basePromise.then(…)`: the catch swallows on one branch
 * of a promise the unit also hands on another way (returned, assigned, awaited, chained), where the failure
 * still reaches whoever waits on it. The swallowing branch only signals that the promise settled.
 */
function swallowsOnASideBranch(handler: ErrorHandler, unit: Unit): boolean {
  const call = handler.node;
  if (handler.guards.shape !== 'promise' || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return false;
  const receiver = call.expression.expression;
  if (!ts.isIdentifier(receiver)) return false;
  // Where a chain's value goes: returned (the unit's own answer), or kept, awaited or handed to a call.
  const destination = (node: ts.Node): 'returned' | 'kept' | undefined => {
    let top: ts.Node = node;
    while (
      ts.isPropertyAccessExpression(top.parent) ||
      (ts.isCallExpression(top.parent) && top.parent.expression === top) ||
      ts.isParenthesizedExpression(top.parent)
    )
      top = top.parent;
    const parent = top.parent;
    if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === top)) return 'returned';
    if (ts.isAwaitExpression(parent) || ts.isVariableDeclaration(parent) || ts.isCallExpression(parent)) return 'kept';
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === top) return 'kept';
    return undefined;
  };
  // The swallowing branch must not be what the unit answers with.
  if (destination(receiver) === 'returned') return false;
  let handedOn = false;
  forEachNodeOfUnit(unit, (node) => {
    if (handedOn || !ts.isIdentifier(node) || node.text !== receiver.text || node === receiver) return;
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) && parent.name === node) return;
    // Another catch on it (`p.catch(noop)` twice) hands nothing on.
    if (ts.isPropertyAccessExpression(parent) && parent.expression === node && /^(catch|finally)$/.test(parent.name.text)) return;
    if (destination(node) !== undefined) handedOn = true;
  });
  return handedOn;
}

/** A unit's error handlers around calls that can fail, with what each guards. */
function handlersOf(unit: Unit): (ErrorHandler & { around: string })[] {
  const sf = unit.sourceFile;
  return errorHandlersIn((visit) => forEachNodeOfUnit(unit, visit), sf).flatMap((h) => {
    if (h.guards.shape === 'promise') return [{ ...h, around: `the .${h.guards.method}() on ${callName(h.guards.chain, sf)}` }];
    const guarded = guardedCallNames(h.guards.block, sf);
    return guarded.length > 0 ? [{ ...h, around: `the try/catch around ${guarded.join(', ')}` }] : [];
  });
}

function errorHandlingOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  // A catch's kind names the guarded call, for the engine's search in helpers and elsewhere in the PR:
  // only a catch around the same call counts as moved. Every cleanup (finally, using, a scope helper) has
  // the kind 'cleanup', so any of them stands in for another; a finally's strength is how many cleanups
  // it calls.
  const push = (kind: string, anchor: string, node: ts.Node, label: string, members?: string[]): void => {
    found.push({ category: 'error-handling', kind, anchor, node, label, ...(members ? { members } : {}) });
  };
  const pushFinally = (root: ts.Node, where: string): void => {
    const cleanups = cleanupCalls(root, sf);
    if (cleanups.length === 0) return;
    const names = [...new Set(cleanups.map((c) => c.name))];
    found.push({
      category: 'error-handling',
      kind: 'cleanup',
      anchor: `${where} cleanup`,
      node: cleanups[0]!.node,
      label: `the ${where} that calls ${names.map((n) => `${n}()`).join(', ')}`,
      strength: names.length,
      stronger: 'higher',
    });
  };

  // Error listeners and on* handlers of a unit are one guardrail whose members are what they listen on: one
  // dropped is a weakening, all of them replaced by a pipeline() is the same protection.
  const listeners: { node: ts.Node; what: string }[] = [];

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isTryStatement(node)) {
      const guarded = guardedCallNames(node.tryBlock, sf);
      if (node.catchClause && guarded.length > 0 && !isTransparent(node.catchClause, sf)) {
        const outcome = catchOutcome(node.catchClause, sf);
        push(
          `catch ${primaryCall(node.tryBlock, sf)}`,
          `try/catch around ${guarded.join(', ')}`,
          node.catchClause,
          `the try/catch around ${guarded.join(', ')} (${describe(outcome)})`,
          [HANDLES, ...errorCases(node.catchClause, sf)],
        );
      }
      if (node.finallyBlock) pushFinally(node.finallyBlock, 'finally');
      return;
    }
    if (ts.isCallExpression(node)) {
      const handler = promiseHandlerOf(node);
      if (handler) {
        if (isTransparent(handler, sf)) return;
        const root = callName(chainRoot(node), sf);
        const outcome = catchOutcome(handler, sf);
        const method = (node.expression as ts.PropertyAccessExpression).name.text;
        push(`catch ${simple(root)}`, `.${method} on ${root}`, node, `the .${method}() error handler on ${root} (${describe(outcome)})`, [
          HANDLES,
          ...errorCases(handler, sf),
        ]);
        return;
      }
      const name = calleeSimpleName(node.expression) ?? '';
      // stream.on('error', fn), socket.once('error', fn), el.addEventListener('error', fn): without one, an
      // 'error' event crashes the process or leaves the operation pending.
      if (
        /^(on|once|addListener|addEventListener|prependListener)$/.test(name) &&
        ts.isPropertyAccessExpression(node.expression) &&
        /^['"`]error['"`]$/.test(node.arguments[0]?.getText(sf) ?? '') &&
        node.arguments[1]
      ) {
        listeners.push({ node, what: `${callName(node, sf)}('error')` });
        return;
      }
      // pipeline(a, b, cb) / await pipeline(...) forwards every stream's error: it stands in for the
      // .on('error') listeners it replaces. Head side only: a pipeline() going away for Readable.from() or
      // a single stream is too often a simplification that loses nothing to report on its own.
      if (name === 'pipeline' && node.arguments.length >= 2 && unit.side === 'head') {
        push('listener', 'pipeline', node, 'the stream pipeline() that forwards errors');
        return;
      }
      if (
        ERROR_WRAPPER.test(name) &&
        node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a) || ts.isIdentifier(a))
      ) {
        push('catch wrapper', `${name} wrapper`, node, `the ${name}() error wrapper`, [HANDLES]);
        return;
      }
      if (SCOPED_RESOURCE.test(name) && node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))) {
        push('cleanup', `${name} scope`, node, `the ${callName(node, sf)}() scope that releases on failure`);
        return;
      }
      if (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'finally' && node.arguments[0])
        pushFinally(node.arguments[0], '.finally()');
      // conn.execute(sql, (err, rows) => { if (err) { conn.close(); return cb(err); } … }): a node-style
      // callback whose error branch releases what the failed call leaves behind.
      const callback = node.arguments[node.arguments.length - 1];
      const branch = callback ? callbackErrorBranch(callback) : undefined;
      if (branch && cleanupCalls(branch, sf).length > 0) {
        const called = callName(node, sf);
        push(
          `callback error ${simple(called)}`,
          `error branch of the ${called}() callback`,
          branch,
          `the cleanup on error in the ${called}() callback`,
        );
      }
      return;
    }
    // xhr.onerror = () => reject(…), req.ontimeout = …: an error handler installed by assignment.
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      /^on(error|abort|timeout)$/i.test(node.left.name.text)
    ) {
      const value = node.right;
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value) || ts.isIdentifier(value) || ts.isPropertyAccessExpression(value)) {
        listeners.push({ node, what: calleeText(node.left, sf).replace(/\s*\.\s*/g, '.') });
      }
      return;
    }
    // `using conn = await pool.connect()`: disposal on every exit, the modern finally.
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.Using) !== 0) {
      for (const declaration of node.declarations) {
        push('cleanup', `using ${declaration.name.getText(sf)}`, declaration, `the \`using ${declaration.name.getText(sf)}\` disposal`);
      }
    }
  });
  if (listeners.length > 0) {
    const members = [...new Set(listeners.map((l) => l.what))];
    push('listener', 'error listeners', listeners[0]!.node, `the ${members.join(', ')} error handling`, members);
  }
  return found;
}

/** The calls a try block protects (not the log lines), sorted and capped so the anchor stays short. */
/**
 * The special cases a catch treats differently, by what they test on the error: `if (err.code === 'P2002')`
 * → 'case err.code', `if (error instanceof NotFound)` → 'case instanceof NotFound'. Dropping one is a
 * weakening: that failure now takes the generic path (a 500 instead of a 409, a crash instead of a skip).
 */
function errorCases(handler: ts.CatchClause | ts.Expression, sf: ts.SourceFile): string[] {
  const errorName = caughtName(handler);
  const body = ts.isCatchClause(handler)
    ? handler.block
    : ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)
      ? handler.body
      : undefined;
  if (!errorName || !body) return [];
  const cases = new Set<string>();
  // `if (error instanceof RequestError) throw error;` lets one error through unchanged: that is the
  // default path, not a special case.
  const passesThrough = (statement: ts.Statement): boolean => {
    const only = ts.isBlock(statement) && statement.statements.length === 1 ? statement.statements[0]! : statement;
    return ts.isThrowStatement(only) && ts.isIdentifier(only.expression) && only.expression.text === errorName;
  };
  forEachOwnNode(body, (node) => {
    if (!ts.isIfStatement(node) && !ts.isConditionalExpression(node) && !ts.isCaseClause(node)) return;
    if (ts.isIfStatement(node) && passesThrough(node.thenStatement)) return;
    const test = ts.isIfStatement(node) ? node.expression : ts.isConditionalExpression(node) ? node.condition : node.expression;
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === errorName)
        cases.add(`case err.${n.name.text}`);
      else if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword &&
        ts.isIdentifier(n.left) &&
        n.left.text === errorName
      ) {
        cases.add(`case instanceof ${calleeSimpleName(n.right) ?? n.right.getText(sf)}`);
      } else if (ts.isCallExpression(n) && n.arguments.some((a) => ts.isIdentifier(a) && a.text === errorName))
        cases.add(`case ${calleeSimpleName(n.expression) ?? 'check'}()`);
    };
    // A case that names the error it is about (`err.code === 'ER_NO_SUCH_TABLE'`, `case 'ENOENT':`) is that
    // error, however it is read: `err.original.code` and `error.cause?.code` test the same case.
    const named = errorCodesIn(test);
    if (named.length > 0) {
      for (const code of named) cases.add(`case '${code}'`);
      return;
    }
    forEachNode(test, visit);
    // switch (err.code) { case 'ENOENT': … }
    if (ts.isCaseClause(node) && ts.isSwitchStatement(node.parent.parent)) forEachNode(node.parent.parent.expression, visit);
  });
  return [...cases].sort();
}

/** The `if (err) { … }` branch of a node-style callback (`(err, result) => …`), when it has one at its top. */
function callbackErrorBranch(callback: ts.Expression): ts.Statement | undefined {
  if (!ts.isArrowFunction(callback) && !ts.isFunctionExpression(callback)) return undefined;
  const first = callback.parameters[0];
  if (!first || !ts.isIdentifier(first.name) || !/^(?:err|error|e)$/i.test(first.name.text) || !ts.isBlock(callback.body)) return undefined;
  const name = first.name.text;
  for (const statement of callback.body.statements) {
    if (ts.isIfStatement(statement) && ts.isIdentifier(statement.expression) && statement.expression.text === name)
      return statement.thenStatement;
  }
  return undefined;
}

/** String literals a test compares with (`=== 'P2002'`) or a case clause is (`case 'ENOENT':`): error codes. */
function errorCodesIn(test: ts.Expression): string[] {
  if (ts.isStringLiteral(test) || ts.isNoSubstitutionTemplateLiteral(test)) return [test.text];
  const codes: string[] = [];
  forEachNode(test, (n) => {
    // ['ENOENT', 'ENOTDIR'].includes(err.code)
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'includes' &&
      ts.isArrayLiteralExpression(n.expression.expression)
    ) {
      for (const e of n.expression.expression.elements) if (ts.isStringLiteral(e)) codes.push(e.text);
      return;
    }
    if (!ts.isBinaryExpression(n)) return;
    const op = n.operatorToken.kind;
    if (op !== ts.SyntaxKind.EqualsEqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsToken) return;
    for (const side of [n.left, n.right]) if (ts.isStringLiteral(side) || ts.isNoSubstitutionTemplateLiteral(side)) codes.push(side.text);
  });
  return codes;
}

/** The last simple name of a call name: `stripe.paymentIntents.capture` → `capture`. */
function simple(name: string): string {
  return name.split('.').pop() ?? name;
}

/**
 * The call a try block is about: the first awaited call, else the first call, else the promise it awaits. It names the guardrail's
 * kind, so that a catch is taken for moved into a helper or another function only when that one guards
 * the same call, not when it merely has some try/catch of its own.
 */
function primaryCall(block: ts.Block, sf: ts.SourceFile): string {
  let awaited: string | undefined;
  let first: string | undefined;
  let awaitedValue: string | undefined;
  forEachOwnNode(block, (node) => {
    if (ts.isAwaitExpression(node)) awaitedValue ??= awaitedValueName(node.expression, sf)?.split('.').pop();
    if (!ts.isCallExpression(node) || isLogCall(node, sf) || isErrorReportCall(node, sf)) return;
    const name = calleeSimpleName(node.expression) ?? callName(node, sf);
    first ??= name;
    if (!awaited && ts.isAwaitExpression(node.parent)) awaited = name;
  });
  return awaited ?? first ?? awaitedValue ?? 'block';
}

/**
 * The calls a try block guards, or none when none of them can fail. A try around no call but an awaited
 * promise (`await this.connecting`) guards that promise: it is named by what is awaited.
 */
function guardedCallNames(block: ts.Block, sf: ts.SourceFile): string[] {
  const { calls, canFail, awaited } = guardedCalls(block, sf);
  if (!canFail) return [];
  return calls.length > 0 ? calls : awaited;
}

function cleanupCalls(root: ts.Node, sf: ts.SourceFile): { name: string; node: ts.CallExpression }[] {
  const calls: { name: string; node: ts.CallExpression }[] = [];
  forEachNode(root, (node) => {
    // span.end() closes a tracing span: the observability detector's, not a resource.
    const name = ts.isCallExpression(node) ? (calleeSimpleName(node.expression) ?? '') : '';
    if (
      ts.isCallExpression(node) &&
      (CLEANUP_CALL.test(name) || CLEANUP_HELPER.test(name)) &&
      !/span$/i.test(callName(node, sf).split('.').slice(-2, -1)[0] ?? '')
    )
      calls.push({ name: callName(node, sf), node });
  });
  return calls;
}

function describe(outcome: CatchOutcome): string {
  switch (outcome) {
    case 'propagates':
      return 'propagates the error';
    case 'unknown':
      return 'hands the error to a handler';
    case 'conditional':
      return 'passes the error on only under a condition';
    case 'empty':
      return 'swallows the error';
    case 'logs':
      return 'only logs the error';
    case 'default':
      return 'returns a default value';
    case 'other':
      return 'goes on without the error';
  }
}
