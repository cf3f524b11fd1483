import { ts } from '../../ts-morph-library.js';
import { enclosingFunction } from './walk.js';

// Conditions as they are tested, whatever name they were captured in first.

/** `a && b && c` → [a, b, c] (one chain, parentheses looked through). */
export function conjunctsOf(expression: ts.Expression): ts.Expression[] {
  let e = expression;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
    return [...conjunctsOf(e.left), ...conjunctsOf(e.right)];
  return [e];
}

/**
 * The expression a condition stands for when it is a name the function bound to a test first
 * (`const anonymous = !session.user; if (anonymous) return`): the `const`'s initializer, followed up to
 * three names deep. A name assigned again after its declaration is not an alias; anything else is
 * returned as it is.
 */
export function aliasedCondition(condition: ts.Expression): ts.Expression {
  let e = condition;
  for (let depth = 0; depth < 3; depth++) {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (!ts.isIdentifier(e)) return e;
    const value = constInitializer(e);
    if (!value) return e;
    e = value;
  }
  return e;
}

/**
 * The condition's text with every name the function bound to a test replaced by that test
 * (`if (!ready)` after `const ready = conn.open && !conn.closing` reads `!(conn.open && !conn.closing)`).
 */
export function inlinedConditionText(condition: ts.Expression, sf: ts.SourceFile): string {
  const start = condition.getStart(sf);
  let text = condition.getText(sf);
  const replacements: { from: number; to: number; text: string }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      const value = aliasedCondition(n);
      if (value !== n) replacements.push({ from: n.getStart(sf) - start, to: n.getEnd() - start, text: `(${value.getText(sf)})` });
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(condition);
  for (const r of replacements.sort((a, b) => b.from - a.from)) text = text.slice(0, r.from) + r.text + text.slice(r.to);
  return text;
}

/**
 * The initializer of the `const` a name refers to in its function, when it is a test of something; else
 * of a `const` of the module's top level (`const withListeners = typeof addEventListener === 'function'`),
 * which no code can assign again.
 */
function constInitializer(name: ts.Identifier): ts.Expression | undefined {
  return functionConstInitializer(name) ?? moduleConstInitializer(name);
}

function moduleConstInitializer(name: ts.Identifier): ts.Expression | undefined {
  const sf = name.getSourceFile();
  for (const statement of sf.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const d of statement.declarationList.declarations)
      if (ts.isIdentifier(d.name) && d.name.text === name.text && d !== name.parent && d.initializer && isTest(d.initializer))
        return d.initializer;
  }
  return undefined;
}

function functionConstInitializer(name: ts.Identifier): ts.Expression | undefined {
  const fn = enclosingFunction(name);
  const body = fn && 'body' in fn ? (fn.body as ts.Node | undefined) : undefined;
  if (!body) return undefined;
  let found: ts.Expression | undefined;
  let assignedAgain = false;
  const visit = (n: ts.Node): void => {
    if (
      ts.isVariableDeclaration(n) &&
      ts.isIdentifier(n.name) &&
      n.name.text === name.text &&
      n.initializer &&
      n.getEnd() <= name.getStart() &&
      ts.isVariableDeclarationList(n.parent) &&
      n.parent.flags & ts.NodeFlags.Const &&
      isTest(n.initializer)
    )
      found = n.initializer;
    if (
      ts.isBinaryExpression(n) &&
      ts.isIdentifier(n.left) &&
      n.left.text === name.text &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken
    )
      assignedAgain = true;
    if (ts.isFunctionLike(n) && n !== fn) return;
    ts.forEachChild(n, visit);
  };
  visit(body);
  return found && !assignedAgain ? found : undefined;
}

/** A negation, a comparison, a `&&`/`||` of tests, `typeof`: an expression whose value is a yes or no. */
function isTest(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isPrefixUnaryExpression(e)) return e.operator === ts.SyntaxKind.ExclamationToken;
  if (!ts.isBinaryExpression(e)) return false;
  const op = e.operatorToken.kind;
  return (
    op === ts.SyntaxKind.AmpersandAmpersandToken ||
    op === ts.SyntaxKind.BarBarToken ||
    (op >= ts.SyntaxKind.LessThanToken && op <= ts.SyntaxKind.ExclamationEqualsEqualsToken) ||
    op === ts.SyntaxKind.InstanceOfKeyword ||
    op === ts.SyntaxKind.InKeyword
  );
}
