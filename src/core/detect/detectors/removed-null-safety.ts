import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { exits, throwsError } from '../ast/statements.js';
import { calleeSimpleName, isIdentifierText, propertyNameText, rootName } from '../ast/text.js';
import { aliasedCondition, conjunctsOf } from '../ast/conditions.js';
import { forEachNodeOfUnit, someNode } from '../ast/walk.js';
import { defineDetector, type ChangeContext, type DirectFinding } from '../define-detector.js';
import { isTimeoutOptionName } from '../vocab/timeouts.js';

/** Built-ins that throw when given undefined or null. */
const THROWS_ON_MISSING =
  /^(Object\.(keys|values|entries|assign|defineProperty|defineProperties|getPrototypeOf|getOwnPropertyNames|hasOwn)|(Object\.prototype\.)?hasOwnProperty\.call|Reflect\.\w+|JSON\.parse|Buffer\.from|Array\.from|decodeURIComponent|encodeURIComponent|atob|btoa|structuredClone|new URL)$/;

/**
 * - optionalChain: `x?.y`; nullishDefault: `x ?? d`, `x || 'd'`; earlyReturn: `if (!x) return`;
 * - checkedFirst: a check of the value that the code using it stands behind: `x && x.y`, `x != null && f(x)`,
 *   `if (ready && x) x.run()`, `Array.isArray(x) ? x.map(…) : []`.
 */
type GuardShape = 'optionalChain' | 'nullishDefault' | 'earlyReturn' | 'checkedFirst';

/** Properties a guard reads to ask whether a collection is empty. */
const MEASURES = ['length', 'size'];

/** Consequences that refuse a caller belong to the auth detector; a 4xx about input to the validation detector. */
const NOT_NULL_SAFETY = /Forbidden|Unauthori[sz]ed|\b40[0-9]\b|BadRequest|Validation|Invalid/;

export default defineDetector({
  meta: {
    id: 'removed-null-safety',
    category: 'null-safety',
    severity: 'medium',
    description:
      'A check for a missing value was removed (optional chaining, a nullish default, an early return) while the value is still used, or replaced by a non-null assertion.',
    messages: {
      optionalChain: '{{symbol}} now reads {{expression}} without `?.`: it throws a TypeError when {{expression}} is missing.',
      nullishDefault: '{{symbol}} no longer falls back to a default when {{expression}} is missing.',
      earlyReturn: '{{symbol}} no longer returns early when {{expression}} is missing, but still uses it.',
      checkedFirst:
        '{{symbol}} now uses {{expression}} without the check that stood in front of it: it throws a TypeError when {{expression}} is missing or not what the check expected.',
      asserted:
        '{{symbol}} replaced the check for a missing {{expression}} with a non-null assertion (`!`): the compiler is silenced, the crash is not.',
    },
    docs: {
      catches:
        'Per changed function and per expression: optional chaining dropped (`user?.profile` → `user.profile`), a nullish or `||` default dropped (`opts.locale ?? "en"` → `opts.locale`, any operand of a chain `a ?? b ?? "x"`), an early return or throw for a missing value dropped (`if (!order) return;`), a check the use stood behind dropped (`x && x.y`, `x != null && Object.hasOwn(x, k)`, `if (enabled && x) x.run()`, `Array.isArray(x) ? x.map(f) : []`) while the value is still dereferenced or handed to a constructor or built-in that throws on it (`new URL(x)`, `Object.keys(x)`), and any of these replaced by a non-null assertion (`order!.total`). One finding per expression, at its first unguarded use.',
      ignores:
        'Optional chains the old code did not need (it already read the same value without `?.` elsewhere), checks that are still there in another form (`if (!x) return` turned into `x?.`, `x && x.y`, a ternary, `assert(x)`), a fallback to a constant that holds a default (`x || NO_LABELS`, in the file or imported), a fallback moved to where the variable is assigned or spelled out as a test and an assignment (`let x = a; if (x == null) x = b`), a presence check that became an emptiness check (`!x` → `!x.length`), a fallback whose use left with the block around it, an expression that is no longer used at all (deleted or moved into a helper) or whose default was dropped because it is now handed to a function that may supply it, a parameter whose type no longer admits null or undefined, or is now declared as the class the check tested it against (`instanceof Date` on a `Date` parameter), a value read only as the last resort of another fallback, guard clauses that refuse a caller (auth) or reject input with a 4xx (validation), and test files.',
      example: {
        file: 'src/profile.ts',
        before: 'export function displayName(user?: User): string {\n  return user?.profile?.nickname ?? user?.email ?? "anonymous";\n}\n',
        after: 'export function displayName(user?: User): string {\n  return user.profile.nickname;\n}\n',
      },
    },
  },
  inspect(change): DirectFinding[] {
    const { base, head } = change;
    if (!base || !head) return [];
    const before = guardsOf(base, change.constantValue);
    if (before.size === 0) return [];
    const after = guardsOf(head, change.constantValue);
    // A check the head makes counts when it is new (the guard that left may have moved into it); a check the
    // base already made beside the guard that left does not replace it, unless it stands in front of the use.
    const [checkedInBase, checkedInHead] = [protectedExpressions(base), protectedExpressions(head)];
    const protectedInHead = {
      has: (key: string): boolean => [...(checkedInHead.get(key) ?? [])].some((check) => !checkedInBase.get(key)?.has(check)),
    };
    const findings: DirectFinding[] = [];
    const defaultedInHead = defaultedBindings(head, change.constantValue);
    const leavesOn = (key: string): boolean => after.get(key)?.some((g) => g.shape === 'earlyReturn') === true;
    for (const [key, guards] of before) {
      const shape = lostGuard(guards, after.get(key) ?? []);
      if (
        !shape ||
        [...prefixes(key)].some((p) => leavesOn(p) || protectedInHead.has(p)) ||
        protectedInHead.has(key) ||
        defaultedInHead.has(key)
      )
        continue;
      // `if (!list) return` became `if (!list.length) return`: the head trusts the value is there (it reads
      // its length in the guard itself) and still stops on the empty case, which covers the missing one.
      if (shape === 'earlyReturn' && MEASURES.some((m) => leavesOn(`${key}.${m}`))) continue;
      // `const stage = stages[i]; if (stage === undefined) break;` became `for (const stage of stages)`: the check
      // guarded a read past the end of the array, which iterating over its elements cannot make.
      if (shape === 'earlyReturn' && boundByIndexThenIterated(base, head, key)) continue;
      // `const contract = contractForSpace` after `if (contractForSpace === undefined) continue`: the check was
      // hoisted onto the value the name is a copy of.
      const original = aliasedValue(head, key);
      if (original && (leavesOn(original) || protectedInHead.has(original))) continue;
      // The fallback served one use (a property of an event, a variable, an argument): when the head no
      // longer reads the value there, the fallback went with the code that used it.
      if (shape === 'nullishDefault' && !useSiteKept(base, head, key)) continue;
      // `this.keepAlive = fields?.keepAlive ?? this.keepAlive` where the head's class no longer gives keepAlive a
      // value: the fallback would give undefined too, the default was removed where it was declared.
      if (shape === 'nullishDefault' && fellBackOnADroppedFieldDefault(base, head, key)) continue;
      if (typeTightened(base, head, key)) continue;
      if (shape === 'checkedFirst' && instanceTestNowDeclared(base, head, key)) continue;
      // `this._previous = Promise.resolve(true)` in the constructor, and only checked values assigned after:
      // the field is never missing, the check in front of it was belt and braces.
      if (alwaysInitialisedField(head, key)) continue;
      // The base already read it without `?.` elsewhere, where nothing checked it first: the optional chain
      // (or the check) was belt and braces. A read behind the chain itself (`if (res?.error) throw res.error`) is no evidence.
      if ((shape === 'optionalChain' || shape === 'checkedFirst') && firstDereference(base, key, { unchecked: true })) continue;
      const use = shape === 'nullishDefault' ? firstUse(head, key, { unchecked: true }) : firstDereference(head, key, { unchecked: true });
      if (!use) continue;
      // `const credentials = fields?.credentials` followed by `if (!credentials) throw …`: the value is bound
      // to a name the head checks with an exit, so the missing case is refused in the open, not read.
      if (shape === 'nullishDefault' && boundNameCheckedWithExit(use, leavesOn)) continue;
      const asserted =
        ts.isNonNullExpression(use.parent) || ts.isNonNullExpression(use) ? change.isNew(use.parent) || change.isNew(use) : false;
      findings.push({
        messageId: asserted ? 'asserted' : shape,
        data: { expression: key },
        node: use,
        side: 'head',
        key: `null-safety ${key}`,
      });
    }
    // One finding per expression: `user?.profile?.name` losing both `?.` is about `user` first.
    return findings.filter((f) => !findings.some((o) => o !== f && isPrefix(String(o.data!.expression), String(f.data!.expression))));
  },
});

/** One check of an expression: how, and the text of the construct that makes it. */
interface Guard {
  shape: GuardShape;
  text: string;
}

/**
 * The shape of a guard of one expression that the head lost, if any: the guards are paired by their text
 * (those the PR did not touch), and what is left of the base's must outnumber what is left of the head's
 * (`x?.y` turned into `x && x.y` is the same check in a new shape).
 */
function lostGuard(before: Guard[], after: Guard[]): GuardShape | undefined {
  const left = [...after];
  const lost = before.filter((g) => {
    const i = left.findIndex((h) => h.text === g.text);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
  return lost.length > left.length ? lost[0]!.shape : undefined;
}

/** The expressions a unit checks for a missing value, by normalized text, and each check of them. */
function guardsOf(unit: Unit, constantValue: ChangeContext['constantValue']): Map<string, Guard[]> {
  const sf = unit.sourceFile;
  const found = new Map<string, Guard[]>();
  let construct: ts.Node | undefined;
  const add = (expression: ts.Expression, shape: GuardShape): void => {
    const key = normalize(expression, sf);
    if (!key) return;
    const guard = { shape, text: (construct ?? expression).getText(sf).replace(/\s+/g, '') };
    const guards = found.get(key);
    if (guards) guards.push(guard);
    else found.set(key, [guard]);
  };
  forEachNodeOfUnit(unit, (node) => {
    construct = node;
    if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)) && node.questionDotToken) {
      add(node.expression, 'optionalChain');
      return;
    }
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      // A timeout option's default (`timeout: timeout ?? settings.timeout`) is a deadline: removed-timeout owns it.
      if (isTimeoutOptionDefault(node, sf)) return;
      if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken) defaulted(node, op, add);
      else if (op === ts.SyntaxKind.BarBarToken && isDefaultValue(node.right, constantValue) && !inCondition(node))
        defaulted(node, op, add);
      else if (op === ts.SyntaxKind.AmpersandAmpersandToken && !isAndOperand(node)) {
        // `x && x.y`, `x != null && typeof x === 'object' && Object.hasOwn(x, k)`: each check guards what follows it.
        const conjuncts = conjunctsOf(node);
        conjuncts.forEach((c, i) => checkedBefore(c, conjuncts.slice(i + 1), sf, add));
      }
      return;
    }
    if (ts.isConditionalExpression(node)) {
      // `Array.isArray(x) ? x.reduce(…) : String(x)`: the checks of the condition guard the true branch.
      for (const c of conjunctsOf(node.condition)) checkedBefore(c, [node.whenTrue], sf, add);
      return;
    }
    if (ts.isIfStatement(node) && !exits(node.thenStatement)) {
      // `if (ready && x) { x.run(); }`: the checks of the condition guard the branch.
      for (const c of conjunctsOf(node.expression)) checkedBefore(c, [node.thenStatement], sf, add);
      return;
    }
    if (ts.isIfStatement(node) && exits(node.thenStatement)) {
      const consequence = node.thenStatement.getText(sf);
      if (NOT_NULL_SAFETY.test(consequence)) return;
      for (const missing of missingChecks(node.expression)) {
        // A throwing check on a parameter is input validation (removed-validation owns it).
        const root = rootName(missing);
        if (throwsError(node.thenStatement) && root && unit.params.includes(root)) continue;
        add(missing, 'earlyReturn');
      }
    }
  });
  return found;
}

/**
 * The operands a default stands behind: in `a ?? b ?? 'x'` (parsed `(a ?? b) ?? 'x'`) both `a` and `b` fall
 * back, not only the innermost left operand.
 */
function defaulted(node: ts.BinaryExpression, op: ts.SyntaxKind, add: (e: ts.Expression, shape: GuardShape) => void): void {
  let left = node.left;
  while (ts.isParenthesizedExpression(left)) left = left.expression;
  while (ts.isBinaryExpression(left) && left.operatorToken.kind === op) {
    add(left.right, 'nullishDefault');
    left = left.left;
    while (ts.isParenthesizedExpression(left)) left = left.expression;
  }
  add(left, 'nullishDefault');
}

/** Whether the `&&` is the operand of a larger `&&` chain (the chain is read once, from its top). */
function isAndOperand(node: ts.BinaryExpression): boolean {
  let n: ts.Node = node;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken;
}

/**
 * Records the value a condition checks (`x`, `!!x`, `x != null`, `x !== undefined`, `typeof x === 'object'`,
 * `Array.isArray(x)`, `x instanceof C`) when the code it guards uses that value in a way that throws without
 * the check: a flag tested before a call (`if (verbose && logger)`) is recorded only for what is dereferenced.
 */
function checkedBefore(
  condition: ts.Expression,
  guarded: ts.Node[],
  sf: ts.SourceFile,
  add: (e: ts.Expression, shape: GuardShape) => void,
): void {
  const value = checkedValue(condition);
  if (!value) return;
  const key = normalize(value, sf);
  if (!key || !guarded.some((g) => dereferences(g, key, sf))) return;
  add(value, 'checkedFirst');
}

function checkedValue(condition: ts.Expression): ts.Expression | undefined {
  let e = condition;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = e.operand;
    return ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken ? checkedValue(inner.operand) : undefined;
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return e;
  if (ts.isCallExpression(e) && e.arguments.length === 1 && /^Array\.isArray$/.test(e.expression.getText())) return e.arguments[0];
  if (!ts.isBinaryExpression(e)) return undefined;
  const op = e.operatorToken.kind;
  if (op === ts.SyntaxKind.InstanceOfKeyword) return e.left;
  const isNothing = (x: ts.Expression): boolean =>
    x.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(x) && x.text === 'undefined') ||
    (ts.isStringLiteral(x) && x.text === 'undefined');
  if (op === ts.SyntaxKind.ExclamationEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken) {
    if (isNothing(e.right)) return ts.isTypeOfExpression(e.left) ? e.left.expression : e.left;
    if (isNothing(e.left)) return ts.isTypeOfExpression(e.right) ? e.right.expression : e.right;
    return undefined;
  }
  if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) {
    // `typeof x === 'object'`: x is of that type, so not missing.
    const [t, literal] = ts.isTypeOfExpression(e.left) ? [e.left, e.right] : [e.right, e.left];
    if (ts.isTypeOfExpression(t) && ts.isStringLiteral(literal) && literal.text !== 'undefined') return t.expression;
  }
  return undefined;
}

/** Whether the code dereferences the expression without `?.` (see firstDereference), not inside a nested function. */
function dereferences(root: ts.Node, key: string, sf: ts.SourceFile): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (isDereference(node, key, sf)) {
      found = true;
      return;
    }
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

function isTimeoutOptionDefault(node: ts.BinaryExpression, sf: ts.SourceFile): boolean {
  let n: ts.Node = node;
  while (ts.isParenthesizedExpression(n.parent)) n = n.parent;
  return ts.isPropertyAssignment(n.parent) && n.parent.initializer === n && isTimeoutOptionName(propertyNameText(n.parent.name, sf));
}

/** `!x`, `x == null`, `x === undefined`, `typeof x === "undefined"`, and those joined with `||`. */
function missingChecks(condition: ts.Expression): ts.Expression[] {
  // `const anonymous = !session.user; if (anonymous) return`: the test is the one captured.
  let e = aliasedCondition(condition);
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const operand = e.operand;
    return ts.isIdentifier(operand) || ts.isPropertyAccessExpression(operand) || ts.isElementAccessExpression(operand) ? [operand] : [];
  }
  if (ts.isBinaryExpression(e)) {
    if (e.operatorToken.kind === ts.SyntaxKind.BarBarToken) return [...missingChecks(e.left), ...missingChecks(e.right)];
    const eq = [ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken].includes(e.operatorToken.kind);
    if (!eq) return [];
    const isNothing = (x: ts.Expression): boolean =>
      x.kind === ts.SyntaxKind.NullKeyword ||
      (ts.isIdentifier(x) && x.text === 'undefined') ||
      (ts.isStringLiteral(x) && x.text === 'undefined');
    if (isNothing(e.right)) return [ts.isTypeOfExpression(e.left) ? e.left.expression : e.left];
    if (isNothing(e.left)) return [ts.isTypeOfExpression(e.right) ? e.right.expression : e.right];
  }
  return [];
}

/**
 * Expressions a unit checks some way: `x && x.y`, `x ? … : …`, `if (x)`, `x != null`, `assert(x)`; for each,
 * the checks (their condition's text) that mention it.
 */
function protectedExpressions(unit: Unit): Map<string, Set<string>> {
  const sf = unit.sourceFile;
  const out = new Map<string, Set<string>>();
  let check = '';
  const add = (e: ts.Expression): void => {
    let inner = e;
    while (ts.isParenthesizedExpression(inner) || ts.isPrefixUnaryExpression(inner))
      inner = ts.isParenthesizedExpression(inner) ? inner.expression : (inner as ts.PrefixUnaryExpression).operand;
    const key = normalize(inner, sf);
    if (!key) return;
    const checks = out.get(key);
    if (checks) checks.add(check);
    else out.set(key, new Set([check]));
  };
  const source = (e: ts.Expression): void => {
    check = e.getText(sf).replace(/\s+/g, '');
    conditions(e);
  };
  const conditions = (e: ts.Expression): void => {
    // `if (withListeners)` after `const withListeners = typeof addEventListener === 'function'` checks what the name holds.
    let inner = aliasedCondition(e);
    while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
    if (
      ts.isBinaryExpression(inner) &&
      (inner.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || inner.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    ) {
      conditions(inner.left);
      conditions(inner.right);
      return;
    }
    if (ts.isBinaryExpression(inner)) {
      // `key in x` reads x (it throws on a missing x), `x instanceof C` checks x against a class: neither
      // says the right-hand side is there.
      const op = inner.operatorToken.kind;
      add(inner.left);
      if (op !== ts.SyntaxKind.InKeyword && op !== ts.SyntaxKind.InstanceOfKeyword) add(inner.right);
      return;
    }
    if (ts.isTypeOfExpression(inner)) return add(inner.expression);
    add(inner);
  };
  forEachNodeOfUnit(unit, (node) => {
    if (ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isConditionalExpression(node))
      source(ts.isConditionalExpression(node) ? node.condition : node.expression);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) source(node.left);
    else if (
      ts.isCallExpression(node) &&
      /^(assert|invariant|assertDefined|assertExists|ok|strictEqual|notEqual)$/.test(calleeSimpleName(node.expression) ?? '') &&
      node.arguments[0]
    )
      source(node.arguments[0]);
  });
  return out;
}

/**
 * The first place the unit dereferences the expression without `?.`: `key.x`, `key[i]`, `key()`, `k in key`,
 * or hands it to a constructor or built-in that throws on a missing value. With `unchecked`, only a place
 * no check of the expression stands in front of (`if (key?.x) use(key.y)` reads key behind its own check).
 */
function firstDereference(unit: Unit, key: string, options: { unchecked?: boolean } = {}): ts.Expression | undefined {
  const sf = unit.sourceFile;
  let found: ts.Expression | undefined;
  forEachNodeOfUnit(unit, (node) => {
    if (found) return;
    const use = isDereference(node, key, sf);
    if (use && !(options.unchecked && checkedOnTheWay(node, key, unit, sf))) found = use;
  });
  return found;
}

/** The dereferenced expression, when the node reads `key` in a way that throws on a missing value. */
function isDereference(node: ts.Node, key: string, sf: ts.SourceFile): ts.Expression | undefined {
  if (
    (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)) &&
    !node.questionDotToken &&
    normalize(node.expression, sf) === key
  )
    return node.expression;
  // `k in key` throws a TypeError on a missing key.
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InKeyword && normalize(node.right, sf) === key)
    return node.right;
  // `new URL(x)`, `Object.keys(x)`, `JSON.parse(x)`: constructors and built-ins that throw on a missing value.
  const crashes = ts.isNewExpression(node) || (ts.isCallExpression(node) && THROWS_ON_MISSING.test(node.expression.getText(sf)));
  if (crashes) return (node as ts.NewExpression | ts.CallExpression).arguments?.find((a) => normalize(a, sf) === key);
  return undefined;
}

/** Whether a condition that mentions `key` stands in front of the node: an `if`, a `&&` or a ternary of the unit. */
function checkedOnTheWay(node: ts.Node, key: string, unit: Unit, sf: ts.SourceFile): boolean {
  const mentions = (condition: ts.Node): boolean => {
    let hit = false;
    const visit = (n: ts.Node): void => {
      if (hit) return;
      if (ts.isIdentifier(n)) {
        const alias = aliasedCondition(n);
        if (alias !== n) visit(alias);
      }
      if (ts.isExpression(n)) {
        const k = normalize(n, sf);
        if (k !== undefined && (k === key || isPrefix(key, k))) {
          hit = true;
          return;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(condition);
    return hit;
  };
  const within = (inner: ts.Node, outer: ts.Node): boolean => inner.pos >= outer.pos && inner.end <= outer.end;
  for (let n: ts.Node = node; n.parent && n !== unit.node; n = n.parent) {
    const p: ts.Node = n.parent;
    if (
      (ts.isIfStatement(p) || ts.isWhileStatement(p)) &&
      within(node, ts.isIfStatement(p) ? p.thenStatement : p.statement) &&
      mentions(p.expression)
    )
      return true;
    // `if (!key) return;` earlier in an enclosing block.
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p) || ts.isDefaultClause(p)) {
      const statements: readonly ts.Statement[] = p.statements;
      for (const earlier of statements.slice(0, statements.indexOf(n as ts.Statement)))
        if (ts.isIfStatement(earlier) && exits(earlier.thenStatement) && mentions(earlier.expression)) return true;
    }
    if (ts.isConditionalExpression(p) && within(node, p.whenTrue) && mentions(p.condition)) return true;
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && n === p.right && mentions(p.left))
      return true;
  }
  return false;
}

/** The first place the head reads the expression (not as the target of an assignment); see firstDereference for `unchecked`. */
function firstUse(unit: Unit, key: string, options: { unchecked?: boolean } = {}): ts.Expression | undefined {
  const sf = unit.sourceFile;
  let found: ts.Expression | undefined;
  forEachNodeOfUnit(unit, (node) => {
    if (found || !(ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node))) return;
    if (options.unchecked && checkedOnTheWay(node, key, unit, sf)) return;
    if (normalize(node, sf) !== key) return;
    const parent = node.parent;
    if (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    // Handed to a function that is not known to throw on it: the callee may well supply the default now.
    if (
      (ts.isCallExpression(parent) || ts.isNewExpression(parent)) &&
      parent.expression !== node &&
      !ts.isNewExpression(parent) &&
      !THROWS_ON_MISSING.test(parent.expression.getText(sf))
    )
      return;
    if (
      (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent) || ts.isPropertyAssignment(parent)) &&
      parent.name === node
    )
      return;
    if (ts.isTypeReferenceNode(parent) || ts.isTypeQueryNode(parent) || ts.isQualifiedName(parent)) return;
    // `x === true` in place of `x ?? false`: comparing a missing value with a literal is defined, and says false.
    if (comparedWithLiteral(node)) return;
    // `fields?.temperature ?? this.temperature`: read as the last resort of another fallback, a missing value
    // only leaves the result missing, as a missing setting was before; nothing is read from it.
    if (isFallbackOperand(node)) return;
    found = node;
  });
  return found;
}

/** A parameter that admitted undefined before and no longer does: the compiler now guarantees it. */
function typeTightened(base: Unit, head: Unit, key: string): boolean {
  const root = key.split(/[.[]/)[0]!;
  const property = /^[A-Za-z_$][\w$]*\.([A-Za-z_$][\w$]*)$/.exec(key)?.[1];
  if (root !== key && !property) return false; // deeper paths: the types say nothing here
  const nullable = (unit: Unit): boolean | undefined => {
    const fn = functionOf(unit.node);
    const param = fn?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === root);
    if (!param) return undefined;
    if (property) return propertyNullable(param, property, unit.sourceFile);
    if (param.questionToken) return true;
    if (!param.type) return undefined;
    return /\b(undefined|null)\b/.test(param.type.getText(unit.sourceFile));
  };
  return nullable(base) === true && nullable(head) === false;
}

/**
 * Whether a property of a parameter may be missing by its declared type: the parameter's type is an interface
 * or type literal declared in the same file (`input: BuildInput`, `interface BuildInput { readonly x?: T }`).
 */
function propertyNullable(param: ts.ParameterDeclaration, property: string, sf: ts.SourceFile): boolean | undefined {
  const type = param.type;
  let members: ts.NodeArray<ts.TypeElement> | undefined;
  if (type && ts.isTypeLiteralNode(type)) members = type.members;
  else if (type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
    const name = type.typeName.text;
    for (const statement of sf.statements) {
      if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) members = statement.members;
      else if (ts.isTypeAliasDeclaration(statement) && statement.name.text === name && ts.isTypeLiteralNode(statement.type))
        members = statement.type.members;
    }
  }
  const member = members?.find((m) => ts.isPropertySignature(m) && m.name && propertyNameText(m.name, sf) === property) as
    ts.PropertySignature | undefined;
  if (!member) return undefined;
  if (member.questionToken) return true;
  if (!member.type) return undefined;
  return /\b(undefined|null)\b/.test(member.type.getText(sf));
}

function functionOf(node: ts.Node): ts.SignatureDeclaration | undefined {
  if (ts.isFunctionLike(node)) return node;
  if (
    (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) &&
    node.initializer &&
    ts.isFunctionLike(node.initializer)
  )
    return node.initializer;
  if (ts.isCallExpression(node))
    return node.arguments.find((a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
  return undefined;
}

/**
 * A value a `||` falls back to: a literal, an empty collection built in place (`Object.freeze({})`,
 * `new Map()`), or a constant holding one, in the file or imported (`x || NO_LABELS`).
 */
function isDefaultValue(expression: ts.Expression, constantValue: ChangeContext['constantValue'], depth = 0): boolean {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) node = node.expression;
  if (depth < 3 && ts.isIdentifier(node)) {
    const value = constantValue(node);
    return value !== undefined && isDefaultValue(value, constantValue, depth + 1);
  }
  if (ts.isCallExpression(node) && /^Object\.(freeze|create)$/.test(node.expression.getText()) && node.arguments.length === 1) {
    const [arg] = node.arguments;
    return arg!.kind === ts.SyntaxKind.NullKeyword || isDefaultValue(arg!, constantValue, depth + 1);
  }
  if (ts.isNewExpression(node) && /^(Map|Set|WeakMap|WeakSet|Array)$/.test(node.expression.getText()) && !node.arguments?.length)
    return true;
  return (
    ts.isStringLiteral(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isNumericLiteral(node) ||
    ts.isArrayLiteralExpression(node) ||
    ts.isObjectLiteralExpression(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword
  );
}

/** `a || 'x'` inside an `if`/loop/ternary condition or a negation is logic, not a default. */
function inCondition(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent; n = n.parent) {
    const p: ts.Node = n.parent;
    if ((ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) && p.expression === n) return true;
    if (ts.isConditionalExpression(p) && p.condition === n) return true;
    if (ts.isPrefixUnaryExpression(p)) return true;
    if (!(ts.isBinaryExpression(p) || ts.isParenthesizedExpression(p))) return false;
  }
  return false;
}

/** `this.user?.profile!` → user.profile: `this.`, `?.`, `!` and whitespace do not change what is read. */
function normalize(expression: ts.Expression, sf: ts.SourceFile): string | undefined {
  let e = expression;
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isTypeAssertionExpression(e) ||
    ts.isSatisfiesExpression(e)
  )
    e = e.expression;
  if (!(ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)))
    return undefined;
  if (ts.isIdentifier(e) && (e.text === 'undefined' || e.text === 'window' || e.text === 'globalThis')) return undefined;
  const text = e
    .getText(sf)
    .replace(/\s+/g, '')
    .replace(/\?\./g, '.')
    .replace(/!(?=[.[)]|$)/g, '')
    .replace(/^this\./, '')
    .replace(/\.\[/g, '[')
    .replace(/\.\(/g, '(');
  return text.length > 80 ? undefined : text;
}

function prefixes(key: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < key.length; i++) if (key[i] === '.' || key[i] === '[') out.add(key.slice(0, i));
  return out;
}

function isPrefix(shorter: string, longer: string): boolean {
  return longer.length > shorter.length && longer.startsWith(shorter) && (longer[shorter.length] === '.' || longer[shorter.length] === '[');
}

/**
 * Names the head binds to a value with a fallback (`const title = settings.title || 'Untitled'`,
 * `footer ??= ''`): a fallback moved from the use to where the variable is assigned still applies. So
 * does the long form of `??`: `let effort = options.effort; if (effort == null) { effort = … }` gives
 * `effort` (and `options.effort`, the value it was bound to) a default when missing.
 */
function defaultedBindings(unit: Unit, constantValue: ChangeContext['constantValue']): Set<string> {
  const out = new Set<string>();
  const boundTo = new Map<string, ts.Expression>();
  forEachNodeOfUnit(unit, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) boundTo.set(node.name.text, node.initializer);
  });
  const assignedIn = (branch: ts.Node, key: string): boolean =>
    someNode(
      branch,
      (n) => ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && normalize(n.left, unit.sourceFile) === key,
    );
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isIfStatement(node)) return;
    for (const missing of conjunctsOf(node.expression).flatMap(missingChecks)) {
      const key = normalize(missing, unit.sourceFile);
      if (!key || !assignedIn(node.thenStatement, key)) continue;
      out.add(key);
      const bound = ts.isIdentifier(missing) ? boundTo.get(missing.text) : undefined;
      const boundKey = bound && normalize(bound, unit.sourceFile);
      if (boundKey) out.add(boundKey);
    }
  });
  const hasFallback = (e: ts.Expression): boolean => {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    if (!ts.isBinaryExpression(e)) return false;
    const op = e.operatorToken.kind;
    return op === ts.SyntaxKind.QuestionQuestionToken || (op === ts.SyntaxKind.BarBarToken && isDefaultValue(e.right, constantValue));
  };
  forEachNodeOfUnit(unit, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && hasFallback(node.initializer))
      out.add(node.name.text);
    else if (
      ts.isBinaryExpression(node) &&
      (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionEqualsToken || node.operatorToken.kind === ts.SyntaxKind.BarBarEqualsToken)
    ) {
      const key = normalize(node.left, unit.sourceFile);
      if (key) out.add(key);
    }
  });
  return out;
}

/**
 * Where a read of a value ends up: the property, variable or return it fills, or the call it is handed to
 * (`callId: call.id ?? newId()` → `property callId`). Computed from the read outwards through the
 * expression around it (a fallback, a method call on the value, a template).
 */
function useSite(node: ts.Node, sf: ts.SourceFile): string {
  let n: ts.Node = node;
  for (;;) {
    const parent: ts.Node | undefined = n.parent;
    if (!parent) return 'statement';
    if (ts.isPropertyAssignment(parent) && parent.initializer === n) return `property ${propertyNameText(parent.name, sf)}`;
    if (ts.isShorthandPropertyAssignment(parent)) return `property ${parent.name.text}`;
    if (ts.isVariableDeclaration(parent) && parent.initializer === n) return `variable ${parent.name.getText(sf)}`;
    if (ts.isBinaryExpression(parent) && parent.right === n && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken)
      return `assignment ${parent.left.getText(sf).replace(/^this\./, '')}`;
    if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === n)) return 'return';
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== n)
      return `argument of ${calleeSimpleName(parent.expression) ?? 'a call'}`;
    if (ts.isStatement(parent) || ts.isFunctionLike(parent)) return 'statement';
    n = parent;
  }
}

/** Whether the head still reads `key` where the base read it with a fallback. */
function useSiteKept(base: Unit, head: Unit, key: string): boolean {
  const sitesOf = (unit: Unit, defaulted: boolean): Set<string> => {
    const sites = new Set<string>();
    forEachNodeOfUnit(unit, (node) => {
      if (!(ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node))) return;
      if (normalize(node, unit.sourceFile) !== key) return;
      let top: ts.Node = node;
      while (ts.isParenthesizedExpression(top.parent) || ts.isNonNullExpression(top.parent) || ts.isAsExpression(top.parent))
        top = top.parent;
      const isDefaulted =
        ts.isBinaryExpression(top.parent) &&
        top.parent.left === top &&
        (top.parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
          top.parent.operatorToken.kind === ts.SyntaxKind.BarBarToken);
      if (defaulted === isDefaulted) sites.add(useSite(top, unit.sourceFile));
    });
    return sites;
  };
  const before = sitesOf(base, true);
  if (before.size === 0) return true;
  const after = sitesOf(head, false);
  return [...before].some((site) => after.has(site));
}

/** Whether the use initializes a variable (`const x = use`) that the unit checks for a missing value with an exit. */
function boundNameCheckedWithExit(use: ts.Expression, leavesOn: (key: string) => boolean): boolean {
  let top: ts.Node = use;
  while (ts.isParenthesizedExpression(top.parent) || ts.isNonNullExpression(top.parent) || ts.isAsExpression(top.parent)) top = top.parent;
  const declaration = top.parent;
  return (
    ts.isVariableDeclaration(declaration) &&
    declaration.initializer === top &&
    ts.isIdentifier(declaration.name) &&
    leavesOn(declaration.name.text)
  );
}

/** Whether the read is an operand of an equality with a literal (`x === true`, `x !== 'auto'`), which a missing value cannot break. */
function comparedWithLiteral(node: ts.Expression): boolean {
  let top: ts.Node = node;
  while (ts.isParenthesizedExpression(top.parent) || ts.isNonNullExpression(top.parent)) top = top.parent;
  const parent = top.parent;
  if (!ts.isBinaryExpression(parent)) return false;
  const op = parent.operatorToken.kind;
  const equality = [
    ts.SyntaxKind.EqualsEqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsToken,
  ].includes(op);
  const other = parent.left === top ? parent.right : parent.left;
  const literal =
    other.kind === ts.SyntaxKind.TrueKeyword ||
    other.kind === ts.SyntaxKind.FalseKeyword ||
    other.kind === ts.SyntaxKind.NullKeyword ||
    ts.isStringLiteralLike(other) ||
    ts.isNumericLiteral(other);
  return equality && literal;
}

/** The declarations that bind `name` in the unit. */
function declarationsOf(unit: Unit, name: string): ts.VariableDeclaration[] {
  const out: ts.VariableDeclaration[] = [];
  forEachNodeOfUnit(unit, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) out.push(node);
  });
  return out;
}

/**
 * Whether the base bound `key` to an element read by index (`const stage = stages[i]`) and the head binds it
 * only as the variable of a `for…of` loop, whose values are the elements themselves.
 */
function boundByIndexThenIterated(base: Unit, head: Unit, key: string): boolean {
  if (!isIdentifierText(key)) return false;
  const indexed = declarationsOf(base, key).some((d) => d.initializer !== undefined && ts.isElementAccessExpression(d.initializer));
  const inHead = declarationsOf(head, key);
  const iterated = (d: ts.VariableDeclaration): boolean => ts.isVariableDeclarationList(d.parent) && ts.isForOfStatement(d.parent.parent);
  return indexed && inHead.length > 0 && inHead.every(iterated) && !declarationsOf(base, key).every(iterated);
}

/** The value (normalized) that the head's only binding of `key` copies, when it is a plain name or property read: `const a = b`. */
function aliasedValue(head: Unit, key: string): string | undefined {
  if (!isIdentifierText(key)) return undefined;
  const declarations = declarationsOf(head, key);
  if (declarations.length !== 1) return undefined;
  const init = declarations[0]!.initializer;
  if (!init || !(ts.isIdentifier(init) || ts.isPropertyAccessExpression(init))) return undefined;
  return normalize(init, head.sourceFile);
}

/**
 * Whether every fallback of `key` in the base was the class's own field (`fields?.x ?? this.x`), and the head's
 * class declares that field without an initializer: the field's default was removed on purpose, and a
 * fallback onto it would now give undefined as well.
 */
function fellBackOnADroppedFieldDefault(base: Unit, head: Unit, key: string): boolean {
  const fields = new Set<string>();
  let other = false;
  forEachNodeOfUnit(base, (node) => {
    if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.QuestionQuestionToken) return;
    if (normalize(node.left, base.sourceFile) !== key) return;
    const fallback = node.right;
    if (ts.isPropertyAccessExpression(fallback) && fallback.expression.kind === ts.SyntaxKind.ThisKeyword) fields.add(fallback.name.text);
    else other = true;
  });
  if (other || fields.size === 0) return false;
  let owner: ts.Node | undefined = head.node;
  while (owner && !ts.isClassLike(owner)) owner = owner.parent;
  if (!owner || !ts.isClassLike(owner)) return false;
  const klass = owner;
  return [...fields].every((field) =>
    klass.members.some(
      (m) => ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === field && m.initializer === undefined,
    ),
  );
}

/** Calls that always give a value: a settled promise, a built collection, a frozen or created object. */
const VALUE_FACTORY = /^(?:\w+\.)?(?:resolve|reject|all|allSettled|race|from|of|freeze|create)$/;

/**
 * Whether `x` (a key read as `this.x`) is a field of the head unit's class that its constructor sets, unconditionally, to a value
 * that cannot be missing (`new …`, a literal, `Promise.resolve(…)`), and that every other assignment in the
 * class sets to such a value or to one checked just before (`if (outer.last) this.x = outer.last`).
 */
function alwaysInitialisedField(head: Unit, key: string): boolean {
  // Keys are normalised without `this.`: the unit must read the field, and bind no local of that name.
  const field = key;
  if (!isIdentifierText(field) || declarationsOf(head, field).length > 0) return false;
  const readsField = someNode(
    head.node,
    (n) => ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && n.name.text === field,
  );
  if (!readsField) return false;
  let owner: ts.Node | undefined = head.node;
  while (owner && !ts.isClassLike(owner)) owner = owner.parent;
  if (!owner || !ts.isClassLike(owner)) return false;
  const sf = head.sourceFile;
  const present = (value: ts.Expression): boolean => {
    while (ts.isParenthesizedExpression(value) || ts.isAwaitExpression(value)) value = value.expression;
    if (ts.isNewExpression(value) || ts.isObjectLiteralExpression(value) || ts.isArrayLiteralExpression(value)) return true;
    if (ts.isStringLiteralLike(value) || ts.isNumericLiteral(value) || value.kind === ts.SyntaxKind.TrueKeyword) return true;
    return ts.isCallExpression(value) && VALUE_FACTORY.test(value.expression.getText(sf).replace(/\s+/g, ''));
  };
  const assignsField = (node: ts.Node): node is ts.BinaryExpression =>
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isPropertyAccessExpression(node.left) &&
    node.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
    node.left.name.text === field;
  const constructor = owner.members.find(ts.isConstructorDeclaration);
  const initialised = constructor?.body?.statements.some(
    (st) => ts.isExpressionStatement(st) && assignsField(st.expression) && present(st.expression.right),
  );
  if (!initialised) return false;
  const checkedBefore = (assignment: ts.BinaryExpression): boolean => {
    const value = assignment.right.getText(sf).replace(/\s+/g, '');
    for (let n: ts.Node | undefined = assignment.parent; n && n !== owner; n = n.parent)
      if (ts.isIfStatement(n) && n.expression.getText(sf).replace(/\s+/g, '') === value) return true;
    return false;
  };
  let unsafe = false;
  const visit = (node: ts.Node): void => {
    if (unsafe) return;
    if (assignsField(node) && !present(node.right) && !checkedBefore(node)) unsafe = true;
    ts.forEachChild(node, visit);
  };
  visit(owner);
  return !unsafe;
}

/** Whether the node is what a `??` or `||` falls back to: its right operand. */
function isFallbackOperand(node: ts.Node): boolean {
  let top: ts.Node = node;
  while (ts.isParenthesizedExpression(top.parent) || ts.isNonNullExpression(top.parent)) top = top.parent;
  const parent = top.parent;
  return (
    ts.isBinaryExpression(parent) &&
    parent.right === top &&
    (parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || parent.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  );
}

/**
 * `(value: string | Date) => value instanceof Date ? value.toISOString() : value` became
 * `(value: Date) => value.toISOString()`: the parameter's declared type is now the class the base tested it
 * against, so the compiler keeps every other value out and the check has nothing left to tell apart.
 */
function instanceTestNowDeclared(base: Unit, head: Unit, key: string): boolean {
  if (!isIdentifierText(key)) return false;
  const declared = (unit: Unit): string | undefined => {
    const fn = functionOf(unit.node);
    const param = fn?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === key);
    return param?.type && !param.questionToken ? param.type.getText(unit.sourceFile).replace(/\s+/g, '') : undefined;
  };
  const now = declared(head);
  const was = declared(base);
  if (!now || !was || now === was || !/^[A-Z][\w$]*$/.test(now)) return false;
  return someNode(
    base.node,
    (n) =>
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword &&
      ts.isIdentifier(n.left) &&
      n.left.text === key &&
      n.right.getText(base.sourceFile) === now,
  );
}
