import { ts } from '../../ts-morph-library.js';
import { calleeSimpleName, propertyNameText } from './text.js';
import { findFirst } from './walk.js';

// What the code states statically: numbers, durations, sizes, the options of an object literal.

/**
 * The value of an expression when it is a constant the file states: numeric literals (5_000), arithmetic
 * of them (5 * 60 * 1000), duration strings ('30s', '5m'), and identifiers bound to such a constant in the
 * same file. `undefined` when it is not known statically.
 */
export function staticNumber(expression: ts.Expression | undefined, sourceFile: ts.SourceFile, depth = 0): number | undefined {
  if (!expression || depth > 4) return undefined;
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e))
    e = e.expression;
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
      case ts.SyntaxKind.AsteriskToken:
        return left * right;
      case ts.SyntaxKind.PlusToken:
        return left + right;
      case ts.SyntaxKind.MinusToken:
        return left - right;
      case ts.SyntaxKind.SlashToken:
        return right === 0 ? undefined : left / right;
      default:
        return undefined;
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
  milliseconds: 1,
  millis: 1,
  seconds: 1000,
  second: 1000,
  minutes: 60_000,
  minute: 60_000,
  hours: 3_600_000,
  hour: 3_600_000,
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
  // The first declaration of the name decides; one whose path does not lead to a value is passed over.
  const declarations = new Set<ts.Node>();
  return findFirst(
    sourceFile,
    (node) => {
      if (!ts.isVariableDeclaration(node) || !ts.isIdentifier(node.name) || node.name.text !== head || !node.initializer) return undefined;
      declarations.add(node);
      let value: ts.Expression | undefined = node.initializer;
      for (const key of rest) {
        while (value && (ts.isAsExpression(value) || ts.isSatisfiesExpression(value) || ts.isParenthesizedExpression(value)))
          value = value.expression;
        if (!value || !ts.isObjectLiteralExpression(value)) return undefined;
        const prop: ts.ObjectLiteralElementLike | undefined = value.properties.find(
          (p) => p.name !== undefined && propertyNameText(p.name, sourceFile) === key,
        );
        value = prop && ts.isPropertyAssignment(prop) ? prop.initializer : undefined;
      }
      return value;
    },
    { descend: (node) => !declarations.has(node) },
  );
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
 * A cap written as a size: 1048576, '1mb', '10kb', '2 MB', 5 * 1024 * 1024, or a constant of the file
 * holding one. `undefined` when not known statically; Infinity for "no cap" (Infinity, -1, false, null).
 */
export function staticSize(expression: ts.Expression | undefined, sourceFile: ts.SourceFile): number | undefined {
  if (!expression) return undefined;
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e))
    e = e.expression;
  if (e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'Infinity'))
    return Number.POSITIVE_INFINITY;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return parseSize(e.text);
  if (ts.isCallExpression(e) && calleeSimpleName(e.expression) === 'min') {
    // Math.min(requested, 100): the cap is the smallest constant argument.
    const bounds = e.arguments.map((a) => staticSize(a, sourceFile)).filter((v): v is number => v !== undefined);
    return bounds.length ? Math.min(...bounds) : undefined;
  }
  const value = staticNumber(e, sourceFile);
  if (value === undefined) return undefined;
  return value < 0 ? Number.POSITIVE_INFINITY : value;
}

/** '1mb' → 1048576, '100kb' → 102400, '512' → 512. */
function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g|kib|mib|gib)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
  return Number(m[1]) * factor;
}

/** The object literal a spread brings in when it is a constant of the same file: `...DEFAULTS`. */
export function spreadSource(spread: ts.SpreadAssignment, sf: ts.SourceFile): ts.ObjectLiteralExpression | undefined {
  if (!ts.isIdentifier(spread.expression)) return undefined;
  const name = spread.expression.text;
  for (const statement of sf.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.name.text !== name || !d.initializer) continue;
      let value: ts.Expression = d.initializer;
      while (ts.isAsExpression(value) || ts.isSatisfiesExpression(value) || ts.isParenthesizedExpression(value)) value = value.expression;
      return ts.isObjectLiteralExpression(value) ? value : undefined;
    }
  }
  return undefined;
}
