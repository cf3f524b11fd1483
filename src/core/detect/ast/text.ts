import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { forEachNode } from './walk.js';

// Text of nodes as the detectors compare and show it: whitespace folded, `this.` and quote styles
// normalized for anchors, cut to a length for messages.

/** Text put into a regular expression as itself: a name from the PR may hold `(`, `[`, `$`, `*`, `\\`. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Whether text is a plain identifier (what `\\b…\\b` style searches for a name can find). */
export function isIdentifierText(text: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(text);
}

export function foldWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The 1-based line of a position as git and GitHub count lines: after each `\n` only. TypeScript's own
 * line map also breaks at a lone `\r`, U+2028 and U+2029, which would put findings on the wrong line, or
 * past the end of the file, in annotations and review comments.
 */
export function lineOf(sourceFile: ts.SourceFile, position: number): number {
  let starts = lineStartsByFile.get(sourceFile);
  if (!starts) {
    starts = newlineStarts(sourceFile.text);
    lineStartsByFile.set(sourceFile, starts);
  }
  // The end of a file that ends with `\n` is not a line of its own for git (`a\nb\n` has two lines).
  const lines = Math.max(1, sourceFile.text.endsWith('\n') ? starts.length - 1 : starts.length);
  return Math.min(lineAt(starts, position), lines);
}

const lineStartsByFile = new WeakMap<ts.SourceFile, number[]>();

/** Offsets at which lines begin: 0, and after each `\n`. */
export function newlineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

/** The 1-based line holding `position`, given the line starts (binary search). */
export function lineAt(starts: readonly number[], position: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= position) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}

/** The node's text with whitespace folded. */
export function textOf(node: ts.Node, unit: Unit): string {
  return foldWhitespace(node.getText(unit.sourceFile));
}

/** Short text for messages and evidence: the first `max` characters of the node, whitespace folded. */
export function snippet(node: ts.Node, sourceFile: ts.SourceFile, max = 160): string {
  const text = foldWhitespace(node.getText(sourceFile));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Normalizes an expression into an anchor: whitespace folded, `this.` dropped, literals kept. */
export function anchorText(node: ts.Node, sourceFile: ts.SourceFile, max = 120): string {
  const text = foldWhitespace(node.getText(sourceFile))
    .replace(/\bthis\./g, '')
    .replace(/\?\./g, '.')
    .replace(/["'`]/g, '"');
  return text.length > max ? text.slice(0, max) : text;
}

export function propertyNameText(name: ts.PropertyName | ts.Node, sourceFile: ts.SourceFile): string {
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return name.getText(sourceFile);
}

/** The name a unit is called by: `Client.get#2` → `get`. */
export function simpleName(unit: { name: string }): string {
  return unit.name.split('.').pop()!.replace(/#\d+$/, '');
}

/** The last simple name of a callee: `this.http.get` → `get`, `retry` → `retry`. */
export function calleeSimpleName(expression: ts.Expression): string | undefined {
  let e = expression;
  for (;;) {
    while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    if (isThisArgInvocation(e)) e = e.expression;
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e)) return e.name.text;
    if (ts.isElementAccessExpression(e) && ts.isStringLiteral(e.argumentExpression)) return e.argumentExpression.text;
    if (!ts.isCallExpression(e)) return undefined;
    e = e.expression;
  }
}

/**
 * `check.call(this, value)`, `check.apply(null, args)`: the callee of a call that invokes a function with an
 * explicit receiver, which is the function itself (`check`), not a method named `call`. Only with a
 * receiver that is `this`, `null` or `undefined`, so that `rpc.call('method')` stays a method call.
 */
export function isThisArgInvocation(expression: ts.Expression): expression is ts.PropertyAccessExpression {
  if (!ts.isPropertyAccessExpression(expression) || !/^(call|apply)$/.test(expression.name.text)) return false;
  const call = expression.parent;
  if (!call || !ts.isCallExpression(call) || call.expression !== expression) return false;
  const receiver = call.arguments[0];
  return (
    !!receiver &&
    (receiver.kind === ts.SyntaxKind.ThisKeyword ||
      receiver.kind === ts.SyntaxKind.NullKeyword ||
      (ts.isIdentifier(receiver) && receiver.text === 'undefined'))
  );
}

/** The arguments a call passes to the function it invokes: without the receiver of `check.call(this, …)`. */
export function invokedArguments(call: ts.CallExpression): readonly ts.Expression[] {
  return isThisArgInvocation(call.expression) ? call.arguments.slice(1) : call.arguments;
}

/** The callee as written, folded: `this.client.post` → `client.post` (a receiver of `this` is noise). */
export function calleeText(expression: ts.Expression, sourceFile: ts.SourceFile): string {
  const callee = isThisArgInvocation(expression) ? expression.expression : expression;
  return foldWhitespace(callee.getText(sourceFile))
    .replace(/^this\./, '')
    .replace(/\?\./g, '.')
    .slice(0, 80);
}

/** A readable name for a call in anchors and labels: `db.query`, `fetch`, `client.send`. */
export function callName(call: ts.CallExpression | ts.NewExpression, sf: ts.SourceFile): string {
  const text = calleeText(call.expression, sf).replace(/\s*\.\s*/g, '.');
  if (!text.includes('(') && text.length <= 40) return text;
  return calleeSimpleName(call.expression) ?? text.slice(0, 40);
}

/** The identifier at the root of an access chain: `this.user.profile` → user, `req.body.x` → req. */
export function rootName(expression: ts.Expression): string | undefined {
  let e: ts.Expression = expression;
  for (;;) {
    if (
      ts.isPropertyAccessExpression(e) ||
      ts.isElementAccessExpression(e) ||
      ts.isCallExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isParenthesizedExpression(e)
    ) {
      const inner: ts.Expression = e.expression;
      if (inner.kind === ts.SyntaxKind.ThisKeyword && ts.isPropertyAccessExpression(e)) return e.name.text;
      e = inner;
      continue;
    }
    break;
  }
  return ts.isIdentifier(e) ? e.text : undefined;
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
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken)
      return [calleeText(parent.left, sourceFile), ...path].join('.');
    if (
      ts.isAsExpression(parent) ||
      ts.isSatisfiesExpression(parent) ||
      ts.isParenthesizedExpression(parent) ||
      ts.isSpreadAssignment(parent)
    ) {
      node = parent;
      continue;
    }
    if (ts.isReturnStatement(parent) || ts.isArrowFunction(parent)) return ['(returned options)', ...path].join('.');
    return ['(options)', ...path].join('.');
  }
  return path.join('.') || '(options)';
}

const textsByUnit = new WeakMap<Unit, Set<string>>();

/**
 * The folded text of every node of a unit (nested units included): how a head node is told new (no node
 * of the base has its text). Computed once per unit, however many detectors ask.
 */
export function nodeTexts(unit: Unit): Set<string> {
  let texts = textsByUnit.get(unit);
  if (!texts) {
    const found = new Set<string>();
    forEachNode(unit.node, (node) => {
      found.add(foldWhitespace(node.getText(unit.sourceFile)));
    });
    texts = found;
    textsByUnit.set(unit, texts);
  }
  return texts;
}
