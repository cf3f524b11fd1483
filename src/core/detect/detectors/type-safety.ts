import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { anchorText, calleeSimpleName, escapeRegExp, textOf } from '../ast/text.js';
import { enclosingUnitName, unitsOfFile } from '../ast/units.js';
import { forEachNode, forEachNodeBottomUp, forEachNodeOfUnit } from '../ast/walk.js';
import { schemaCallOf } from '../vocab/schema.js';
import { defineDetector, type DirectFinding } from '../define-detector.js';

/** Methods that check a value against a schema at runtime. */
/** ESLint rules whose silencing is a type-safety escape (not naming or style rules); a blanket disable counts too. */
const TYPE_RULE =
  /no-explicit-any|no-unsafe-|ban-ts-comment|ban-types|no-non-null-assertion|no-floating-promises|no-misused-promises|restrict-(plus-operands|template-expressions)|strict-boolean-expressions|consistent-type-assertions|no-unnecessary-type-assertion|no-undef\b/;

/** One way of telling the type checker to look away. */
interface Escape {
  kind: 'as-any' | 'double-cast' | 'ts-ignore' | 'ts-expect-error' | 'ts-nocheck' | 'eslint-disable';
  node: ts.Node;
  text: string;
}

/**
 * Escapes counted together: `@ts-expect-error` for `@ts-ignore` and `as unknown as T` for `as any` are
 * the same escape made stricter, not a new one.
 */
const FAMILIES: Escape['kind'][][] = [['as-any', 'double-cast'], ['ts-ignore', 'ts-expect-error'], ['ts-nocheck'], ['eslint-disable']];

export default defineDetector({
  meta: {
    id: 'type-safety',
    category: 'type-safety',
    severity: 'low',
    description:
      'The PR silences the type checker or the linter (`as any`, `as unknown as T`, `@ts-ignore`, `@ts-expect-error`, `@ts-nocheck`, `eslint-disable`), or replaces a runtime schema check with a cast.',
    messages: {
      escape: '{{where}} adds {{label}}: the checker no longer looks at this code, so a type error there now ships.',
      castInsteadOfParse:
        '{{symbol}} replaced {{label}} with the cast `{{change}}`: the value is now trusted instead of checked at runtime.',
    },
    docs: {
      catches:
        'Per function, more `as any` / `<any>` casts, `as unknown as T` double casts, `// @ts-ignore`, `// @ts-expect-error`, `// @ts-nocheck` comments, or `eslint-disable` comments that are blanket or name a type rule (`@typescript-eslint/*`, `no-explicit-any`, `ban-ts-comment`) than before the PR (low). A schema check (`Schema.parse(x)`, `.safeParse`, `.validate`) replaced in the same function by a cast of the same value (`x as T`) (medium).',
      ignores:
        'Escapes that were already there (moved, reformatted, or the same number in the rewritten function); `eslint-disable` of style rules (`no-console`, `max-lines`); casts to a concrete type without `any`/`unknown`; test files, where casting mocks is routine.',
      example: {
        file: 'src/orders.ts',
        before:
          'export function totalOf(order: Order) {\n  return order.lines.reduce((sum, line) => sum + line.price * line.quantity, 0);\n}\n',
        after:
          'export function totalOf(order: Order) {\n  return (order as any).lines.reduce((sum: number, line: any) => sum + line.price * line.qty, 0);\n}\n',
      },
    },
  },
  inspect(change) {
    const { base, head } = change;
    if (!head) return [];
    const findings: DirectFinding[] = [];
    // Escapes are counted per file, on the module pair: a cast moved into a new helper of the same file is
    // not new. Each is reported with the function it sits in.
    if (head.kind === 'module') findings.push(...addedEscapes(base, head, change.isNew));
    if (base) findings.push(...castsReplacingParse(base, head, change.isNew));
    return findings;
  },
});

function addedEscapes(base: Unit | undefined, head: Unit, isNew: (node: ts.Node) => boolean): DirectFinding[] {
  const findings: DirectFinding[] = [];
  const after = escapesOf(head.sourceFile);
  const before = base ? escapesOf(base.sourceFile) : [];
  let units: Unit[] | undefined;
  for (const family of FAMILIES) {
    const added = after.filter((e) => family.includes(e.kind));
    let excess = added.length - before.filter((e) => family.includes(e.kind)).length;
    if (excess <= 0) continue;
    units ??= unitsOfFile(head.sourceFile, head.file);
    // Report the escapes the PR wrote: those whose code is new first.
    const ordered = [...added.filter((e) => isNew(e.node)), ...added.filter((e) => !isNew(e.node))];
    for (const escape of ordered) {
      if (excess-- <= 0) break;
      const where = enclosingUnitName(units, escape.node, head.sourceFile);
      findings.push({
        messageId: 'escape',
        node: escape.node,
        side: 'head',
        key: `${escape.kind} ${where} ${escape.text}`,
        data: { label: `\`${escape.text}\``, where },
        evidence: { kind: escape.kind, symbol: where },
      });
    }
  }
  return findings;
}

function escapesOf(sf: ts.SourceFile): Escape[] {
  const found: Escape[] = [];
  // Bottom-up: in `x as unknown as T` the inner cast is seen before the outer one.
  forEachNodeBottomUp(sf, (node) => {
    if (!ts.isAsExpression(node) && !ts.isTypeAssertionExpression(node)) return;
    const inner = skipParens(node.expression);
    // `x as unknown as T` is one escape, reported on the outer cast.
    if (isLoose(node.type) && outerCast(node)) return;
    if ((ts.isAsExpression(inner) || ts.isTypeAssertionExpression(inner)) && isLoose(inner.type)) {
      found.push({ kind: 'double-cast', node, text: `as ${inner.type.getText(sf)} as ${anchorText(node.type, sf, 40)}` });
      return;
    }
    if (node.type.kind === ts.SyntaxKind.AnyKeyword)
      found.push({ kind: 'as-any', node, text: ts.isAsExpression(node) ? 'as any' : '<any>' });
  });
  for (const comment of commentsOf(sf)) {
    const text = comment.text;
    if (/@ts-ignore\b/.test(text)) found.push({ kind: 'ts-ignore', node: comment.node, text: '// @ts-ignore' });
    else if (/@ts-expect-error\b/.test(text)) found.push({ kind: 'ts-expect-error', node: comment.node, text: '// @ts-expect-error' });
    else if (/@ts-nocheck\b/.test(text)) found.push({ kind: 'ts-nocheck', node: comment.node, text: '// @ts-nocheck' });
    else {
      const disable = /eslint-disable(-next-line|-line)?\b([^\n*]*)/.exec(text);
      if (disable) {
        const rules = (disable[2] ?? '').split('--')[0]!.trim();
        if (rules === '' || TYPE_RULE.test(rules))
          found.push({ kind: 'eslint-disable', node: comment.node, text: `eslint-disable${disable[1] ?? ''}${rules ? ` ${rules}` : ''}` });
      }
    }
  }
  return found;
}

function isLoose(type: ts.TypeNode): boolean {
  return type.kind === ts.SyntaxKind.UnknownKeyword || type.kind === ts.SyntaxKind.AnyKeyword;
}

/** The cast this one is the inner half of: `(x as unknown) as T`. */
function outerCast(node: ts.Node): ts.Node | undefined {
  let n = node.parent;
  while (n && ts.isParenthesizedExpression(n)) n = n.parent;
  return n && (ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) ? n : undefined;
}

function skipParens(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/**
 * The comments of a file, each with the node it sits on (for the line of the finding). Comments are
 * trivia, not nodes: they are read as the leading and trailing comments of every node.
 */
function commentsOf(sf: ts.SourceFile): { text: string; node: ts.Node }[] {
  const text = sf.text;
  const seen = new Set<number>();
  const out: { text: string; node: ts.Node }[] = [];
  const collect = (node: ts.Node, ranges: ts.CommentRange[] | undefined): void => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      seen.add(range.pos);
      out.push({ text: text.slice(range.pos, range.end), node });
    }
  };
  forEachNode(sf, (node) => {
    if (node === sf) return;
    collect(node, ts.getLeadingCommentRanges(text, node.pos));
    collect(node, ts.getTrailingCommentRanges(text, node.end));
    // A comment before a closing brace is trivia of the brace token, which is not a child node.
    if (ts.isBlock(node) || ts.isObjectLiteralExpression(node) || ts.isClassLike(node))
      collect(node, ts.getLeadingCommentRanges(text, node.getEnd() - 1));
  });
  collect(sf.endOfFileToken, ts.getLeadingCommentRanges(text, sf.endOfFileToken.pos));
  return out;
}

/** `Schema.parse(req.body)` in the base replaced by `req.body as T` in the head. */
function castsReplacingParse(base: Unit, head: Unit, isNew: (node: ts.Node) => boolean): DirectFinding[] {
  const parsedBefore = schemaChecks(base);
  if (parsedBefore.size === 0) return [];
  const parsedAfter = schemaChecks(head);
  const findings: DirectFinding[] = [];
  forEachNodeOfUnit(head, (node) => {
    if (!ts.isAsExpression(node) && !ts.isTypeAssertionExpression(node)) return;
    if (outerCast(node)) return;
    let value = skipParens(node.expression);
    while ((ts.isAsExpression(value) || ts.isTypeAssertionExpression(value)) && isLoose(value.type)) value = skipParens(value.expression);
    const subject = textOf(value, head);
    const check = parsedBefore.get(subject);
    if (!check || parsedAfter.has(subject) || !isNew(node)) return;
    // The same schema still applied in the unit (a validation middleware on the route): the cast is safe.
    const schema = /^([\w$.]+)\.\w+\(/.exec(check)?.[1];
    if (schema && new RegExp(`(^|[^\\w$.])${escapeRegExp(schema)}(?![\\w$])`).test(head.text.replace(check, ''))) return;
    findings.push({
      messageId: 'castInsteadOfParse',
      node,
      side: 'head',
      severity: 'medium',
      key: `cast ${subject}`,
      data: { label: `the runtime check \`${check}\``, change: anchorText(node, head.sourceFile, 80) },
      evidence: { removedCheck: check },
    });
  });
  return findings;
}

/** The values a unit checks against a schema, by their text, with the check's text. */
function schemaChecks(unit: Unit): Map<string, string> {
  const sf = unit.sourceFile;
  const checks = new Map<string, string>();
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isCallExpression(node) || !node.arguments[0]) return;
    const schemaCall = schemaCallOf(node, sf);
    if (!schemaCall) return;
    const receiver = schemaCall.schema;
    const receiverName = calleeSimpleName(receiver) ?? receiver.getText(sf);
    if (!/schema|validator|codec|dto|struct/i.test(receiverName) && !/^[A-Z]/.test(receiverName)) return;
    if (/^(create|assert|decode)$/.test(schemaCall.method) && !/schema|struct|codec/i.test(receiverName)) return;
    checks.set(textOf(node.arguments[0], unit), anchorText(node, sf, 80));
  });
  return checks;
}
