import { ts } from '../../ts-morph-library.js';
import { calleeSimpleName } from '../ast/text.js';
import { forEachOwnNode } from '../ast/walk.js';
import { promiseHandlerOf } from './handlers.js';

// Failure paths: code that runs only when something failed (a catch, an error handler, an error branch).

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
      if (
        (name === 'on' || name === 'once') &&
        /^['"`](error|failed|failure|exit|abort|timeout|uncaughtException|unhandledRejection)/.test(call.arguments[0]?.getText(sf) ?? '')
      )
        return n;
      if (/^on(Error|Failure|Failed|Reject)/.test(name)) return n;
    }
    if (
      ts.isPropertyAssignment(n) &&
      /^on(Error|Failure|Failed)|^(error|onerror|failed)$/.test(n.name.getText(sf)) &&
      child === n.initializer
    )
      return n;
    if (ts.isIfStatement(n) && child === n.thenStatement && isErrorCondition(n, sf)) return n;
    if (n === unitRoot) return undefined;
  }
  return undefined;
}

/** `if (err)`, `if (!res.ok)`, `if (response.status >= 500)`, or a branch that throws. */
function isErrorCondition(statement: ts.IfStatement, sf: ts.SourceFile): boolean {
  const condition = statement.expression.getText(sf);
  if (
    /\berr(or)?s?\b|\bfail(ed|ure)?\b|!\s*[\w.]*\.ok\b|\.ok\s*===?\s*false|status(Code)?\s*>=?\s*[45]\d\d|\bisError\b|\.error\b/i.test(
      condition,
    )
  )
    return true;
  let throws = false;
  forEachOwnNode(statement.thenStatement, (n) => {
    if (ts.isThrowStatement(n)) throws = true;
  });
  return throws;
}
