import { ts } from '../../ts-morph-library.js';
import { calleeSimpleName } from './text.js';

// Statements that leave: the shape of a guard clause.

/** Whether the statement leaves its function or loop: return, throw, continue, break (directly or as a block's last statement). */
export function exits(statement: ts.Statement | undefined): boolean {
  if (!statement) return false;
  if (
    ts.isReturnStatement(statement) ||
    ts.isThrowStatement(statement) ||
    ts.isContinueStatement(statement) ||
    ts.isBreakStatement(statement)
  )
    return true;
  if (ts.isBlock(statement)) return exits(statement.statements[statement.statements.length - 1]);
  if (ts.isExpressionStatement(statement)) {
    // ctx.throw(400, …), next(err) are exits in Koa/Express handlers.
    const e = statement.expression;
    if (ts.isCallExpression(e)) {
      const name = calleeSimpleName(e.expression);
      return name === 'throw' || name === 'fail' || name === 'reject' || assertsFalse(e);
    }
  }
  return false;
}

/** Whether the statement throws (directly or as the last statement of a block). */
export function throwsError(statement: ts.Statement | undefined): boolean {
  if (!statement) return false;
  if (ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement))
    return statement.statements.some((s) => ts.isThrowStatement(s)) || throwsError(statement.statements[statement.statements.length - 1]);
  if (ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression)) {
    const name = calleeSimpleName(statement.expression.expression);
    return name === 'throw' || name === 'fail' || assertsFalse(statement.expression);
  }
  if (ts.isReturnStatement(statement) && statement.expression) {
    // return Promise.reject(…), return next(new Error(…)), return res.status(400)…
    const text = statement.expression.getText();
    return /reject\(|next\(\s*new |status\(\s*4\d\d|\bbadRequest\b|new \w*Error\(/.test(text);
  }
  return false;
}

/** `assert(false)`, `assert.ok(false, …)`, `invariant(false, …)`: an assertion that always throws. */
function assertsFalse(call: ts.CallExpression): boolean {
  const name = calleeSimpleName(call.expression);
  return (name === 'assert' || name === 'ok' || name === 'invariant') && call.arguments[0]?.kind === ts.SyntaxKind.FalseKeyword;
}

/**
 * Whether the statement ends in a call of a function that always throws (`throwMustBeString(name)`): the
 * helper is named for it (`throwX`, `failX`) or is one of `throwers`, the functions whose body ends in a
 * `throw`. A guard whose body calls one still leaves on the bad case.
 */
export function endsInThrowingCall(statement: ts.Statement | undefined, throwers: ReadonlySet<string>): boolean {
  if (!statement) return false;
  if (ts.isBlock(statement)) return endsInThrowingCall(statement.statements[statement.statements.length - 1], throwers);
  const e = ts.isExpressionStatement(statement) ? statement.expression : ts.isReturnStatement(statement) ? statement.expression : undefined;
  if (!e || !ts.isCallExpression(e)) return false;
  const name = calleeSimpleName(e.expression);
  return name !== undefined && (/^(throw|fail)[A-Z_]/.test(name) || throwers.has(name));
}

/** Whether a function body always ends by throwing: its last statement is a `throw`. */
export function bodyAlwaysThrows(body: ts.Node | undefined): boolean {
  if (!body || !ts.isBlock(body)) return false;
  const last = body.statements[body.statements.length - 1];
  return last !== undefined && ts.isThrowStatement(last);
}

/**
 * Whether every way through the statement leaves: it exits, ends in a call of a throwing helper, or ends
 * in an `if`/`else` whose branches all leave. How a guard whose body grew (a metric, a branch per client,
 * each still refusing) is still recognised as the guard it was.
 */
export function alwaysLeaves(statement: ts.Statement | undefined, throwers: ReadonlySet<string>): boolean {
  if (!statement) return false;
  if (exits(statement) || endsInThrowingCall(statement, throwers)) return true;
  if (ts.isBlock(statement)) return alwaysLeaves(statement.statements[statement.statements.length - 1], throwers);
  if (ts.isIfStatement(statement))
    return (
      statement.elseStatement !== undefined &&
      alwaysLeaves(statement.thenStatement, throwers) &&
      alwaysLeaves(statement.elseStatement, throwers)
    );
  return false;
}
