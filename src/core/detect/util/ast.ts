import { ts } from 'ts-morph';
import { calleeSimpleName, calleeText, foldWhitespace, forEachNodeOfUnit, propertyNameText, type Unit } from '../../parse/units.js';

export { calleeSimpleName, calleeText, foldWhitespace, forEachNodeOfUnit, propertyNameText };

/** Every node of the unit that satisfies the guard. */
export function nodesOf<T extends ts.Node>(unit: Unit, guard: (node: ts.Node) => node is T): T[] {
  const found: T[] = [];
  forEachNodeOfUnit(unit, (node) => {
    if (guard(node)) found.push(node);
  });
  return found;
}

export function textOf(node: ts.Node, unit: Unit): string {
  return foldWhitespace(node.getText(unit.sourceFile));
}

/** Short text for messages and evidence: the first 160 characters of the node, whitespace folded. */
export function snippet(node: ts.Node, sourceFile: ts.SourceFile, max = 160): string {
  const text = foldWhitespace(node.getText(sourceFile));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The value of an expression when it is a constant the file states: numeric literals (5_000), arithmetic
 * of them (5 * 60 * 1000), duration strings ('30s', '5m'), and identifiers bound to such a constant in the
 * same file. `undefined` when it is not known statically.
 */
export function staticNumber(expression: ts.Expression | undefined, sourceFile: ts.SourceFile, depth = 0): number | undefined {
  if (!expression || depth > 4) return undefined;
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (ts.isNumericLiteral(e)) return Number(e.text.replace(/_/g, ''));
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = staticNumber(e.operand, sourceFile, depth + 1);
    return v === undefined ? undefined : -v;
  }
  if (ts.isBinaryExpression(e)) {
    const left = staticNumber(e.left, sourceFile, depth + 1);
    const right = staticNumber(e.right, sourceFile, depth + 1);
    if (left === undefined || right === undefined) {
      // `x ?? 5000` and `x || 5000`: the default is what guards when nothing is configured.
      if (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken) return right;
      return undefined;
    }
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.AsteriskToken: return left * right;
      case ts.SyntaxKind.PlusToken: return left + right;
      case ts.SyntaxKind.MinusToken: return left - right;
      case ts.SyntaxKind.SlashToken: return right === 0 ? undefined : left / right;
      default: return undefined;
    }
  }
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return parseDuration(e.text);
  if (ts.isCallExpression(e) && e.arguments.length === 1) {
    const name = calleeSimpleName(e.expression);
    // ms('30s'), Duration.seconds(30), seconds(30), minutes(5)
    const arg = staticNumber(e.arguments[0], sourceFile, depth + 1);
    if (arg !== undefined && name) {
      const unit = DURATION_FUNCTIONS[name.toLowerCase()];
      if (unit !== undefined) return arg * unit;
    }
    if (name === 'ms' || name === 'parseDuration') return arg;
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const declared = findConstant(sourceFile, e.getText(sourceFile));
    if (declared) return staticNumber(declared, sourceFile, depth + 1);
  }
  return undefined;
}

const DURATION_FUNCTIONS: Record<string, number> = {
  milliseconds: 1, millis: 1, seconds: 1000, second: 1000, minutes: 60_000, minute: 60_000, hours: 3_600_000, hour: 3_600_000,
};

function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' || unit === 'sec' ? 1000 : unit === 'm' || unit === 'min' ? 60_000 : 3_600_000;
  return value * factor;
}

/** The initializer of a top-level or nearby `const NAME = …`, or of `NAME: …` in a constant object. */
function findConstant(sourceFile: ts.SourceFile, dotted: string): ts.Expression | undefined {
  const [head, ...rest] = dotted.replace(/^this\./, '').split('.');
  let result: ts.Expression | undefined;
  const visit = (node: ts.Node): void => {
    if (result) return;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === head && node.initializer) {
      let value: ts.Expression | undefined = node.initializer;
      for (const key of rest) {
        while (value && (ts.isAsExpression(value) || ts.isSatisfiesExpression(value) || ts.isParenthesizedExpression(value))) value = value.expression;
        if (!value || !ts.isObjectLiteralExpression(value)) return;
        const prop: ts.ObjectLiteralElementLike | undefined = value.properties.find((p) => p.name !== undefined && propertyNameText(p.name, sourceFile) === key);
        value = prop && ts.isPropertyAssignment(prop) ? prop.initializer : undefined;
      }
      result = value;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return result;
}

/** The properties of an object literal by name (spreads and computed names are left out). */
export function objectProperties(object: ts.ObjectLiteralExpression, sourceFile: ts.SourceFile): Map<string, ts.ObjectLiteralElementLike> {
  const out = new Map<string, ts.ObjectLiteralElementLike>();
  for (const p of object.properties) {
    if (p.name && !ts.isComputedPropertyName(p.name)) out.set(propertyNameText(p.name, sourceFile), p);
  }
  return out;
}

/**
 * What an object literal configures: the callee it is passed to (`axios.create`), or the variable or
 * property it is assigned to. Used to anchor option guardrails.
 */
export function ownerOfObject(object: ts.Node, sourceFile: ts.SourceFile): string {
  let node: ts.Node = object;
  const path: string[] = [];
  while (node.parent) {
    const parent: ts.Node = node.parent;
    if (ts.isPropertyAssignment(parent) && parent.initializer === node) {
      path.unshift(propertyNameText(parent.name, sourceFile));
      node = parent.parent;
      continue;
    }
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
      const callee = calleeText(parent.expression, sourceFile);
      return [callee, ...path].join('.');
    }
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return [parent.name.text, ...path].join('.');
    if (ts.isPropertyDeclaration(parent)) return [propertyNameText(parent.name, sourceFile), ...path].join('.');
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return [calleeText(parent.left, sourceFile), ...path].join('.');
    if (ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isSpreadAssignment(parent)) {
      node = parent;
      continue;
    }
    if (ts.isReturnStatement(parent) || ts.isArrowFunction(parent)) return ['(returned options)', ...path].join('.');
    return ['(options)', ...path].join('.');
  }
  return path.join('.') || '(options)';
}

/** Whether the statement leaves its function or loop: return, throw, continue, break (directly or as a block's last statement). */
export function exits(statement: ts.Statement | undefined): boolean {
  if (!statement) return false;
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement) || ts.isContinueStatement(statement) || ts.isBreakStatement(statement)) return true;
  if (ts.isBlock(statement)) return exits(statement.statements[statement.statements.length - 1]);
  if (ts.isExpressionStatement(statement)) {
    // ctx.throw(400, …), next(err) are exits in Koa/Express handlers.
    const e = statement.expression;
    if (ts.isCallExpression(e)) {
      const name = calleeSimpleName(e.expression);
      return name === 'throw' || name === 'fail' || name === 'reject';
    }
  }
  return false;
}

/** Whether the statement throws (directly or as the last statement of a block). */
export function throwsError(statement: ts.Statement | undefined): boolean {
  if (!statement) return false;
  if (ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) return statement.statements.some((s) => ts.isThrowStatement(s)) || throwsError(statement.statements[statement.statements.length - 1]);
  if (ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression)) {
    const name = calleeSimpleName(statement.expression.expression);
    return name === 'throw' || name === 'fail';
  }
  if (ts.isReturnStatement(statement) && statement.expression) {
    // return Promise.reject(…), return next(new Error(…)), return res.status(400)…
    const text = statement.expression.getText();
    return /reject\(|next\(\s*new |status\(\s*4\d\d|\bbadRequest\b|new \w*Error\(/.test(text);
  }
  return false;
}

/** Identifier names mentioned in an expression. */
export function identifiersIn(node: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) names.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

/** Whether `node` is inside a function nested within `container` (a callback), stopping at `container`. */
export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  let n: ts.Node | undefined = node.parent;
  while (n) {
    if (ts.isFunctionLike(n)) return n as ts.SignatureDeclaration;
    n = n.parent;
  }
  return undefined;
}

/** Normalizes an expression into an anchor: whitespace folded, `this.` dropped, literals kept. */
export function anchorText(node: ts.Node, sourceFile: ts.SourceFile, max = 120): string {
  const text = foldWhitespace(node.getText(sourceFile)).replace(/\bthis\./g, '').replace(/\?\./g, '.').replace(/["'`]/g, '"');
  return text.length > max ? text.slice(0, max) : text;
}
