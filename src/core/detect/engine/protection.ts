import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import type { UnitPair } from '../../relate/pair-units.js';
import { alwaysLeaves, bodyAlwaysThrows, endsInThrowingCall, throwsError } from '../ast/statements.js';
import { calleeSimpleName, escapeRegExp } from '../ast/text.js';
import { inlinedConditionText } from '../ast/conditions.js';
import { findNodeOfUnit, forEachNodeOfUnit } from '../ast/walk.js';
import type { Guardrail } from '../define-detector.js';
import { refusesOnlyUnbuiltCases } from '../vocab/refusals.js';
import { globalRegistrations } from '../vocab/registrations.js';
import { isRawResponseCall, responseStatusReads } from '../vocab/http.js';
import { isTimeoutOptionName } from '../vocab/timeouts.js';

/**
 * The protection search. A guardrail that left its unit is "removed" only when what it protected (its
 * subject: the calls a try wraps, the code an exit guard stands in front of, the code a test exercises) is
 * still in the head and nothing equivalent protects it there:
 * - the subject left with the PR (the call was deleted or commented out, the API a test exercised was
 *   taken out): the guardrail went with the feature;
 * - the same guard still stands in the unit (same condition, still leaves), only its body changed;
 * - the same named rejection (error and message) is thrown elsewhere in the head;
 * - a guard with the same normalised condition is elsewhere in the changed code;
 * - the helper it called was renamed and is still called under its new name;
 * - it is registered for the whole application (vocab/registrations.ts);
 * - or, as before, in a helper the unit calls or elsewhere in the PR (compare.ts).
 * What the search needs from the head is gathered once per run, in `protectionContext`.
 */

/** Names too common to say anything about a subject: every codebase calls them. */
const COMMON_NAME =
  /^(?:then|catch|finally|push|map|filter|reduce|forEach|find|some|every|join|split|slice|concat|includes|keys|values|entries|from|get|set|has|add|delete|call|apply|bind|send|emit|on|once|log|info|warn|error|debug|json|text|toString|valueOf|resolve|reject|all|race|assign|create|parse|stringify|test|it|expect|describe|assert|equal|ok|length|then|next|done|end|close|open|write|read|run|start|stop|init|require|import|default|exports|module|console|process|Promise|Object|Array|String|Number|Boolean|Error|JSON|Math|Date|Symbol|Buffer|undefined|null|this|self|t|tap)$/;

/** Every identifier a syntax tree uses, comments and strings left out: what code the tree still holds. */
export function identifiersOf(root: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return names;
}

/** String literals shaped as names (`'FSTDEP013'`, `'getUser'`): how tests often name the code they check. */
function nameLiteralsOf(root: ts.Node): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && /^[A-Za-z_$][\w$]*$/.test(node.text))
      names.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return names;
}

/** Every name the files use: identifiers, and string literals shaped as names. Read once per run, for both searches below. */
function namesIn(sources: readonly ts.SourceFile[]): Set<string> {
  const names = new Set<string>();
  for (const sf of sources) for (const name of [...identifiersOf(sf), ...nameLiteralsOf(sf)]) names.add(name);
  return names;
}

/**
 * Names the pull request took out of the code: used in the base side of a changed source file and in no
 * head file the analysis reads (the changed files and the unchanged context files they import), whose
 * names `kept` holds (namesIn).
 */
export function namesRemovedByChange(baseSources: ts.SourceFile[], kept: ReadonlySet<string>): Set<string> {
  const removed = new Set<string>();
  for (const sf of baseSources)
    for (const name of [...identifiersOf(sf), ...nameLiteralsOf(sf)]) if (!kept.has(name) && isTelling(name)) removed.add(name);
  return removed;
}

/**
 * Names the base's source code defines as a value (a class, a function, a method or accessor, a function
 * assigned to a property) that the head defines nowhere as one: when the head still names them, only as a
 * type (a class hidden behind an interface and a factory); when it names them nowhere, common names too (a
 * deleted `import()` method). What a test builds, calls or subclasses by such a name is gone from the head.
 */
export function valuesRemovedByChange(
  baseSources: ts.SourceFile[],
  headSources: ts.SourceFile[],
  headNames: ReadonlySet<string>,
): Set<string> {
  const headValues = new Set<string>();
  const headTypes = new Set<string>();
  for (const sf of headSources) valueDefinitionsOf(sf, headValues, headTypes);
  const baseValues = new Set<string>();
  for (const sf of baseSources) valueDefinitionsOf(sf, baseValues, new Set());
  const removed = new Set<string>();
  for (const name of baseValues) if (!headValues.has(name) && (headTypes.has(name) || !headNames.has(name))) removed.add(name);
  return removed;
}

/**
 * Functions and methods of the PR's source code that take fewer parameters in the head than in the base
 * (neither side with a rest parameter), by simple name: the number they take now. A name the head also
 * defines with as many parameters as before elsewhere is left out.
 */
function narrowedSignatures(pairs: UnitPair[]): Map<string, number> {
  const parametersOf = (unit: Unit): number | undefined =>
    ts.isFunctionLike(unit.node) && !unit.node.parameters.some((p) => p.dotDotDotToken) ? unit.node.parameters.length : undefined;
  const narrowed = new Map<string, number>();
  const kept = new Set<string>();
  for (const { base, head } of pairs) {
    if (!head || (head.kind !== 'function' && head.kind !== 'method')) continue;
    const name = head.name.split('.').pop()!.replace(/#\d+$/, '');
    const now = parametersOf(head);
    const was = base ? parametersOf(base) : undefined;
    if (was !== undefined && now !== undefined && now < was) narrowed.set(name, Math.max(now, narrowed.get(name) ?? 0));
    else kept.add(name);
  }
  for (const name of kept) narrowed.delete(name);
  return narrowed;
}

/** The names a file defines as values (classes, functions, methods, accessors, functions assigned to properties) and as types only. */
function valueDefinitionsOf(sf: ts.SourceFile, values: Set<string>, types: Set<string>): void {
  const nameOf = (name: ts.Node | undefined): string | undefined =>
    name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
  const visit = (node: ts.Node): void => {
    let value: string | undefined;
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node) || ts.isFunctionDeclaration(node)) value = nameOf(node.name);
    else if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node))
      value = nameOf(node.name);
    else if (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) value = nameOf(node.name);
    else if (ts.isShorthandPropertyAssignment(node)) value = node.name.text;
    else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left)
    )
      value = node.left.name.text;
    else if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) types.add(node.name.text);
    if (value !== undefined) values.add(value);
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

function isTelling(name: string): boolean {
  return name.length >= 4 && !COMMON_NAME.test(name);
}

/**
 * What a guardrail protects, as the names of the operations involved, and whether losing any of them (a
 * test exercises each thing it calls) or all of them (a try protects every call in it) takes the subject
 * away. A detector may declare it; otherwise it is read from the guardrail's node.
 */
export interface Subject {
  names: string[];
  goneWhen: 'any' | 'all';
  /**
   * A test's subject: every name it uses, common ones included, and the words of its title (the suites
   * around it included), which tell whether a common name (`import`, `close`) is what it tests.
   */
  test?: { names: string[]; title: string; calls: { name: string; args: number }[] };
}

export function subjectOf(guardrail: Guardrail, unit: Unit): Subject | undefined {
  if (guardrail.subject) return guardrail.subject;
  const node = guardrail.node;
  // A try, its catch clause or its finally block protect the calls of the try block.
  const tryStatement = ts.isTryStatement(node)
    ? node
    : ts.isCatchClause(node) || (ts.isBlock(node) && ts.isTryStatement(node.parent))
      ? node.parent
      : catchAround(node)?.parent;
  if (tryStatement && ts.isTryStatement(tryStatement)) {
    const calls = callsIn(tryStatement.tryBlock);
    // A try around no call but an awaited promise (`await this.connecting`) protects that promise: it is
    // gone when the code no longer names it at all.
    return calls.length > 0 ? callSubject(calls, 'all') : callSubject(awaitedNamesIn(tryStatement.tryBlock), 'any');
  }
  // The error branch of a node-style callback (`serve(req, res, (err) => { if (err) { … } })`) handles the
  // failure of the call it is handed to: it is gone when that call is no longer made.
  const failedCall = callbackErrorBranchCall(node);
  if (failedCall) return callSubject([failedCall], 'all');
  if (ts.isIfStatement(node) && ts.isBlock(node.parent)) {
    // An exit guard protects the code after it in its block: what runs when the checks pass, not the
    // errors that other guards after it construct to reject (`throw new XError(…)` is no operation).
    const after = node.parent.statements.slice(node.parent.statements.indexOf(node) + 1);
    return callSubject(
      after.flatMap((statement) => callsIn(statement, { skipThrows: true })),
      'all',
    );
  }
  if (unit.kind === 'call' && guardrail.kind === 'test') {
    const setters = [...assignedPropertiesOf(unit.node)].map((property) => `set ${property}`);
    const used = [...identifiersOf(unit.node), ...nameLiteralsOf(unit.node)];
    const subject = callSubject([...used, ...setters], 'any') ?? { names: [], goneWhen: 'any' };
    const calls: { name: string; args: number }[] = [];
    const visit = (n: ts.Node): void => {
      const name = ts.isCallExpression(n) ? calleeSimpleName(n.expression) : undefined;
      if (name && ts.isCallExpression(n)) calls.push({ name, args: n.arguments.length });
      ts.forEachChild(n, visit);
    };
    visit(unit.node);
    return { ...subject, test: { names: [...new Set(used)], title: unit.name, calls } };
  }
  return undefined;
}

/**
 * The simple name of the call whose node-style callback (`(err, …) => …`, first parameter named as an error)
 * holds the node inside its `if (err)` branch, within that callback's own code.
 */
function callbackErrorBranchCall(node: ts.Node): string | undefined {
  const branches: ts.IfStatement[] = [];
  for (let n: ts.Node | undefined = node; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isIfStatement(n)) branches.push(n);
    if (!ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) {
      if (ts.isFunctionLike(n)) return undefined;
      continue;
    }
    const first = n.parameters[0];
    if (!first || !ts.isIdentifier(first.name) || !/^(?:err|error|e)$/i.test(first.name.text)) return undefined;
    const errorName = first.name.text;
    const testsTheError = (branch: ts.IfStatement): boolean => {
      let condition: ts.Expression = branch.expression;
      while (ts.isParenthesizedExpression(condition)) condition = condition.expression;
      return (
        (ts.isIdentifier(condition) && condition.text === errorName) ||
        (ts.isBinaryExpression(condition) && ts.isIdentifier(condition.left) && condition.left.text === errorName)
      );
    };
    const call = n.parent;
    if (!branches.some(testsTheError) || !ts.isCallExpression(call) || !call.arguments.includes(n)) return undefined;
    return calleeSimpleName(call.expression);
  }
  return undefined;
}

/**
 * The catch clause a node sits in, within its own function: a failure log there (`catch (e) { warn(…) }`)
 * is about the calls of its try, and goes with them.
 */
function catchAround(node: ts.Node): ts.CatchClause | undefined {
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isCatchClause(n)) return n;
    if (ts.isFunctionLike(n)) return undefined;
  }
  return undefined;
}

function callSubject(names: string[], goneWhen: Subject['goneWhen']): Subject | undefined {
  const telling = [...new Set(names.filter(isTelling))];
  return telling.length ? { names: telling, goneWhen } : undefined;
}

function callsIn(node: ts.Node, options: { skipThrows?: boolean } = {}): string[] {
  const names: string[] = [];
  const visit = (n: ts.Node): void => {
    if (options.skipThrows && ts.isThrowStatement(n)) return;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const name = calleeSimpleName(n.expression);
      if (name) names.push(name);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

/** The last names of the values awaited in a block without a call: `await this.connecting` → connecting. */
function awaitedNamesIn(node: ts.Node): string[] {
  const names: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isAwaitExpression(n)) {
      let e: ts.Expression = n.expression;
      while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
      if (ts.isIdentifier(e)) names.push(e.text);
      else if (ts.isPropertyAccessExpression(e)) names.push(e.name.text);
    }
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

/** What the head still holds, to tell whether a subject is still there. */
export interface HeadPresence {
  /** Names the pull request took out of the code (`namesRemovedByChange`), and `set p` for a setter it deleted whose property `p` nothing writes. */
  removedNames: Set<string>;
  /** Names of everything the head's source code still calls, in any unit of any file read. */
  calledNames: Set<string>;
  /** Property names the head's source code still writes (`reply.sent = …`, `obj['mode'] ??= …`): what setters serve. */
  assignedProperties: Set<string>;
  /** Values the base's code defined that the head no longer defines as values (`valuesRemovedByChange`). */
  removedValues?: Set<string>;
  /** Functions and methods the PR kept but whose trailing parameters it dropped, by simple name: how many they take now. */
  narrowedSignatures?: Map<string, number>;
}

/** The names of the properties a syntax tree writes with an assignment operator. */
export function assignedPropertiesOf(root: ts.Node, into: Set<string> = new Set()): Set<string> {
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      const target = node.left;
      if (ts.isPropertyAccessExpression(target)) into.add(target.name.text);
      else if (ts.isElementAccessExpression(target) && ts.isStringLiteralLike(target.argumentExpression))
        into.add(target.argumentExpression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return into;
}

/**
 * The subject's names that are gone, when that takes the subject away; undefined when it is still there.
 * A code subject (the calls a try wraps, the code behind a guard) is gone when none of its calls is made
 * anywhere in the head any more: the call was deleted or commented out, not moved. A test's subject is
 * gone when it exercises something the pull request took out of the code.
 */
export function subjectRemoved(subject: Subject | undefined, head: HeadPresence): string[] | undefined {
  if (!subject) return undefined;
  if (subject.goneWhen === 'any') {
    const gone = subject.names.filter((n) => head.removedNames.has(n));
    // A test that uses a value the head no longer defines (a class now only an interface, a deleted method);
    // a common name counts only when the test's title names it: `imports a model` of a deleted `import()`.
    const title = subject.test?.title.toLowerCase() ?? '';
    const named = (n: string): boolean => isTelling(n) || (n.length >= 3 && title.includes(n.toLowerCase()));
    for (const n of subject.test?.names ?? []) if (head.removedValues?.has(n) && !gone.includes(n) && named(n)) gone.push(n);
    // A call that passes an argument the function no longer takes (`join(room, callback)` after the callback
    // parameter was dropped): what the test exercised through it is gone.
    for (const call of subject.test?.calls ?? []) {
      const takes = head.narrowedSignatures?.get(call.name);
      if (takes !== undefined && call.args > takes && named(call.name) && !gone.includes(call.name)) gone.push(call.name);
    }
    return gone.length ? gone : undefined;
  }
  return subject.names.every((n) => !head.calledNames.has(n)) ? subject.names : undefined;
}

/**
 * The names that took a weakening's lost checks away, when every check the guardrail lost (an assertion a
 * test no longer makes) reads something the pull request took out of the code: the assertion about an API
 * went with the API. Undefined when a lost check reads only code the head still has, or when the
 * guardrail does not list its checks.
 */
export function lostChecksWentWithSubject(before: Guardrail, after: Guardrail, head: HeadPresence): string[] | undefined {
  if (!before.checks || !after.checks) return undefined;
  const kept = new Map<string, number>();
  for (const check of after.checks) kept.set(check.text, (kept.get(check.text) ?? 0) + 1);
  const lost = before.checks.filter((check) => {
    const left = kept.get(check.text) ?? 0;
    if (left > 0) kept.set(check.text, left - 1);
    return left === 0;
  });
  if (lost.length === 0) return undefined;
  const gone = new Set<string>();
  for (const check of lost) {
    const names = check.names.filter((n) => head.removedNames.has(n) || (head.removedValues?.has(n) === true && isTelling(n)));
    if (names.length === 0) return undefined;
    for (const name of names) gone.add(name);
  }
  return [...gone];
}

/**
 * Whether an `if` guard is still in the head unit with the same condition and a then-branch that still
 * leaves: the guard stayed, what it does on the bad case changed (a body that grew, a fail-closed answer).
 * Comparing whole statements would call that a removal. Only the unit's own code counts (a function nested
 * in it is a unit of its own), and the guard must stand before what it protected: a copy of the condition
 * in front of other code (the same argument check of another method) protects that code, not this.
 */
export function sameGuardStillThere(guardrail: Guardrail, head: Unit | undefined, throwers: ReadonlySet<string> = new Set()): boolean {
  const node = guardrail.node;
  if (!head || !ts.isIfStatement(node)) return false;
  const condition = foldCondition(inlinedConditionText(node.expression, node.getSourceFile()));
  const protectedCalls = new Set(callsAfter(node).filter(isTelling));
  const chainedWork = workReturnedToAPromiseChain(node);
  const written = foldCondition(node.expression.getText(node.getSourceFile()));
  return (
    findNodeOfUnit(head, (n) => {
      if (!ts.isIfStatement(n)) return false;
      // A `.then()` step rewritten with `await`: `if (c) { return x.save() }` ended the step, and the head's
      // `if (c) { await x.save() }` does the same work under the same condition before the next step (the
      // `let` the chain's steps shared became a `const`, so the condition is compared as written).
      if (chainedWork && foldCondition(n.expression.getText(head.sourceFile)) === written && callsIn(n.thenStatement).includes(chainedWork))
        return true;
      if (foldCondition(inlinedConditionText(n.expression, head.sourceFile)) !== condition) return false;
      // Still leaves on the bad case: directly, through a helper that always throws, or on every branch of a body that grew.
      if (!alwaysLeaves(n.thenStatement, throwers)) return false;
      // In a callback of the unit (a promise executor, a listener), a `return` leaves the callback and the
      // unit goes on: there only a throw or a rejection still refuses the case.
      if (insideCallbackOf(n, head) && !refuses(n.thenStatement, throwers)) return false;
      if (protectedCalls.size === 0) return true;
      return callsAfter(n).some((name) => protectedCalls.has(name));
    }) !== undefined
  );
}

/**
 * Whether the head unit calls a helper before the work a guard clause that left it stood in front of: a
 * guard moved into `validate(input)` still protects that work only when the helper runs first. Called after
 * it (`const row = await insert(input); validate(input)`), the check comes too late to keep bad input out.
 * In front when some of the guarded work that is still in the unit runs after the helper's first call, and
 * when the guardrail is not a guard clause, the unit does not call the helper itself or keeps none of that
 * work (it went into the helper, or elsewhere): then position says nothing.
 */
export function helperStandsInFront(guardrail: Guardrail, head: Unit, helperName: string): boolean {
  const node = guardrail.node;
  if (!ts.isIfStatement(node)) return true;
  // Every call counts here, common names too (`write`, `send`): position, not presence elsewhere, is the question.
  const guarded = new Set(callsAfter(node).filter((name) => name !== helperName));
  let firstHelperCall: number | undefined;
  const work: number[] = [];
  forEachNodeOfUnit(head, (n) => {
    if (!ts.isCallExpression(n) && !ts.isNewExpression(n)) return;
    const callee = calleeSimpleName(n.expression);
    const receiver = ts.isPropertyAccessExpression(n.expression) ? calleeSimpleName(n.expression.expression) : undefined;
    const at = n.getStart(head.sourceFile);
    if (callee === helperName || receiver === helperName) firstHelperCall = Math.min(firstHelperCall ?? at, at);
    else if (callee && guarded.has(callee)) work.push(at);
  });
  if (firstHelperCall === undefined || work.length === 0) return true;
  return work.some((at) => at > firstHelperCall!);
}

/**
 * The call a guard's branch returns as its last statement (`return oldRow.save(…)`) when the guard lies in a
 * callback handed to `.then()`: returning there ends one step of a promise chain, not the unit.
 */
function workReturnedToAPromiseChain(guard: ts.IfStatement): string | undefined {
  const branch = guard.thenStatement;
  const last = ts.isBlock(branch) ? branch.statements[branch.statements.length - 1] : branch;
  if (!last || !ts.isReturnStatement(last) || !last.expression) return undefined;
  let value: ts.Expression = last.expression;
  while (ts.isAwaitExpression(value) || ts.isParenthesizedExpression(value)) value = value.expression;
  if (!ts.isCallExpression(value)) return undefined;
  let fn: ts.Node | undefined = guard.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  const call = fn?.parent;
  if (!fn || !call || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'then')
    return undefined;
  return calleeSimpleName(value.expression);
}

/** Whether a node lies in a function written inside the unit's own function (a callback it passes). */
function insideCallbackOf(node: ts.Node, unit: Unit): boolean {
  for (let n: ts.Node | undefined = node.parent; n && n !== unit.node; n = n.parent) if (ts.isFunctionLike(n)) return true;
  return false;
}

/** Whether a guard's branch refuses the case: throws, calls a function that always throws, or rejects a promise. */
function refuses(statement: ts.Statement, throwers: ReadonlySet<string>): boolean {
  if (throwsError(statement) || endsInThrowingCall(statement, throwers)) return true;
  const statements = ts.isBlock(statement) ? [...statement.statements] : [statement];
  return statements.some((s) => {
    const call = ts.isExpressionStatement(s) || ts.isReturnStatement(s) ? s.expression : undefined;
    return call !== undefined && ts.isCallExpression(call) && /^(reject\w*|fail)$/.test(calleeSimpleName(call.expression) ?? '');
  });
}

/**
 * Whether two guardrails stand in front of the same code: two `if` guards whose code after them (up to the
 * end of their function) shares a call, or neither of which has any; any other pair of guardrails, whose
 * subject is not read from its position, does. Two copies of one condition in front of different
 * branches are two guards.
 */
export function standBeforeSameCode(a: Guardrail, b: Guardrail): boolean {
  if (!ts.isIfStatement(a.node) || !ts.isIfStatement(b.node)) {
    // In the arguments of calls about a named thing (`router.delete('/:id', authorize(['admin']), …)`,
    // `http.get('/health', { timeout })`), the same guardrail of the same call and name is the same one.
    const here = namedCallAround(a.node);
    const there = namedCallAround(b.node);
    return here === undefined || there === undefined || here === there;
  }
  const after = (node: ts.IfStatement): Set<string> => {
    let calls = protectedCallsCache.get(node);
    if (!calls) protectedCallsCache.set(node, (calls = new Set(callsAfter(node).filter(isTelling))));
    return calls;
  };
  const first = after(a.node);
  const second = after(b.node);
  if (first.size === 0 || second.size === 0) return first.size === second.size;
  for (const name of first) if (second.has(name)) return true;
  return false;
}
const protectedCallsCache = new WeakMap<ts.Node, Set<string>>();

/** `delete /:id` for a node among the arguments of `router.delete('/:id', …)`: the nearest call whose first argument is a string. */
function namedCallAround(node: ts.Node): string | undefined {
  let child: ts.Node = node;
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); child = n, n = n.parent) {
    if (ts.isFunctionLike(n) || ts.isBlock(n)) return undefined;
    if (!ts.isCallExpression(n) || child === n.expression || !ts.isPropertyAccessExpression(n.expression)) continue;
    const first = n.arguments[0];
    if (first && first !== child && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)))
      return `${n.expression.name.text} ${first.text}`;
  }
  return undefined;
}

/**
 * The calls of the code that runs after a statement, up to the end of its function: the statements after it
 * in its block, then those after each enclosing statement. What a guard clause stands in front of.
 */
function callsAfter(statement: ts.Statement): string[] {
  const names: string[] = [];
  let current: ts.Node = statement;
  while (current.parent) {
    const parent: ts.Node = current.parent;
    if (ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      const statements: readonly ts.Statement[] = parent.statements;
      for (const later of statements.slice(statements.indexOf(current as ts.Statement) + 1)) names.push(...callsIn(later));
    }
    if (ts.isFunctionLike(parent)) break;
    current = parent;
  }
  return names;
}

function foldCondition(text: string): string {
  return text.replace(/\s+/g, '').replace(/"/g, "'");
}

/**
 * The rejection a guard answers with, when it names its case: the error's constructor and its message
 * (`TypeError: ENUM takes one options argument`). The same rejection found elsewhere in the head is the
 * same check moved, whatever its condition now looks like (`args.length > 1` became `rest.length > 0`).
 */
export function rejectionSignature(node: ts.Node): string | undefined {
  let signature: string | undefined;
  const visit = (n: ts.Node): void => {
    if (signature) return;
    if (ts.isThrowStatement(n) && n.expression && (ts.isNewExpression(n.expression) || ts.isCallExpression(n.expression))) {
      const ctor = calleeSimpleName(n.expression.expression);
      const first = n.expression.arguments?.[0];
      const message =
        first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))
          ? first.text
          : first && ts.isTemplateExpression(first)
            ? first.head.text
            : undefined;
      // A short message ('Invalid', 'bad input') names no particular case.
      if (ctor && message && message.trim().length >= 20) signature = `${ctor}: ${message.trim()}`;
      return;
    }
    if (ts.isFunctionLike(n) && n !== node) return;
    ts.forEachChild(n, visit);
  };
  visit(node);
  return signature;
}

/** Rejection signatures of some units: how many times each is thrown, and the first unit that throws it. */
export interface RejectionIndex {
  count: Map<string, number>;
  unit: Map<string, Unit>;
}

export function indexRejections(units: Unit[]): RejectionIndex {
  const index: RejectionIndex = { count: new Map(), unit: new Map() };
  for (const unit of units) {
    const visit = (n: ts.Node): void => {
      if (n !== unit.node && unit.nested.has(n)) return;
      if (ts.isThrowStatement(n)) {
        const signature = rejectionSignature(n);
        if (signature) {
          index.count.set(signature, (index.count.get(signature) ?? 0) + 1);
          if (!index.unit.has(signature)) index.unit.set(signature, unit);
        }
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(unit.node);
  }
  return index;
}

/**
 * Where a rejection the base threw is thrown in the head, when it moved rather than left: the changed
 * files throw it at least as often as before (a copy deleted next to one kept is a removal), or an
 * unchanged file the head code calls into throws it (moved into a module that already had it).
 */
export function movedRejection(
  signature: string,
  base: RejectionIndex,
  changedHead: RejectionIndex,
  context: RejectionIndex,
  calledNames: Set<string>,
): Unit | undefined {
  const before = base.count.get(signature) ?? 0;
  const after = changedHead.count.get(signature) ?? 0;
  if (after > 0 && after >= before) return changedHead.unit.get(signature);
  const inContext = context.unit.get(signature);
  if (inContext && calledNames.has(inContext.name.split('.').pop()!.replace(/#\d+$/, ''))) return inContext;
  return undefined;
}

/** Properties that say nothing on their own: `name.length` keeps the value it measures. */
const MEASURE = new Set(['length', 'size']);

/**
 * A condition in a normalised form that survives the rewrites a move brings: the object a value is read
 * from is left out (`input.email`, `req.body.email` and a destructured `email` are all `email`), spacing
 * and quotes are folded. Two guards with the same normalised condition reject the same cases.
 */
export function normalisedCondition(expression: ts.Expression): string {
  const sf = expression.getSourceFile();
  const text = expression.getText(sf);
  const start = expression.getStart(sf);
  const replacements: { from: number; to: number; text: string }[] = [];
  const isCallee = (n: ts.Node): boolean => ts.isCallExpression(n.parent) && n.parent.expression === n;
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && !isCallee(n)) {
      const parent = n.parent;
      const maximal = !ts.isPropertyAccessExpression(parent) || parent.expression !== n || isCallee(parent);
      if (maximal) {
        const segments = n.getText(sf).replace(/\s+/g, '').replace(/\?\./g, '.').split('.');
        const leaf = segments[segments.length - 1]!;
        const kept =
          MEASURE.has(leaf) && segments.length > 2
            ? `${segments[segments.length - 2]}.${leaf}`
            : MEASURE.has(leaf)
              ? segments.join('.')
              : leaf;
        if (!n.getText(sf).includes('(')) {
          replacements.push({ from: n.getStart(sf) - start, to: n.getEnd() - start, text: kept });
          return;
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(expression);
  let out = text;
  for (const r of replacements.sort((a, b) => b.from - a.from)) out = out.slice(0, r.from) + r.text + out.slice(r.to);
  return foldCondition(out);
}

/** Whether two guardrails are `if` guards with the same normalised condition. */
export function sameCondition(a: Guardrail, b: Guardrail): boolean {
  return (
    ts.isIfStatement(a.node) &&
    ts.isIfStatement(b.node) &&
    normalisedCondition(a.node.expression) === normalisedCondition(b.node.expression)
  );
}

/**
 * Helpers the PR renamed: a base function paired with a head function of another name (same body). A call
 * of the old name that the head unit makes under the new one is the same call: what the helper checks is
 * compared in the helper's own pair.
 */
export function renamedHelpers(pairs: UnitPair[]): Map<string, string> {
  const renames = new Map<string, string>();
  const simple = (u: Unit): string => u.name.split('.').pop()!.replace(/#\d+$/, '');
  for (const { base, head } of pairs) {
    if (!base || !head || base.kind === 'module' || base.kind === 'call' || base.kind === 'class') continue;
    if (simple(base) !== simple(head)) renames.set(simple(base), simple(head));
  }
  return renames;
}

/** Whether the guardrail is a call to a helper the PR renamed, which the head unit still calls by its new name. */
export function callStillMadeUnderNewName(guardrail: Guardrail, head: Unit | undefined, renames: Map<string, string>): boolean {
  if (!head || !ts.isCallExpression(guardrail.node)) return false;
  const callee = calleeSimpleName(guardrail.node.expression);
  const renamed = callee ? renames.get(callee) : undefined;
  return renamed !== undefined && head.calls.has(renamed);
}

/**
 * Function definitions by simple name, wherever they are written: declarations, methods, and functions
 * assigned to a name or a property (`X.prototype.check = function …`, `const check = (…) => …`), which
 * are not units of their own. The value is the function's body text with spacing folded.
 */
export function functionDefinitions(sources: ts.SourceFile[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  forEachFunctionDefinition(sources, (name, fn) => {
    if (!fn.body) return;
    const body = fn.body.getText().replace(/\s+/g, '');
    const bodies = found.get(name);
    if (bodies) bodies.push(body);
    else found.set(name, [body]);
  });
  return found;
}

/**
 * Functions that always throw (their body ends in `throw`), by simple name: `throwMustBeString(name)` in
 * a guard's body still rejects the case, as the `throw` it replaced did.
 */
export function throwingFunctions(sources: ts.SourceFile[]): Set<string> {
  const found = new Set<string>();
  forEachFunctionDefinition(sources, (name, fn) => {
    if (bodyAlwaysThrows(fn.body)) found.add(name);
  });
  return found;
}

/** Every named function definition of the sources: declarations, methods, functions bound to a name or a property. */
function forEachFunctionDefinition(
  sources: ts.SourceFile[],
  visitDefinition: (name: string, fn: ts.SignatureDeclaration & { body?: ts.Node }) => void,
): void {
  const isFunctionValue = (e: ts.Node): e is ts.ArrowFunction | ts.FunctionExpression =>
    ts.isArrowFunction(e) || ts.isFunctionExpression(e);
  for (const sf of sources) {
    const visit = (n: ts.Node): void => {
      if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && !ts.isComputedPropertyName(n.name))
        visitDefinition(n.name.getText(sf), n);
      else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && isFunctionValue(n.initializer))
        visitDefinition(n.name.text, n.initializer);
      else if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(n.left) &&
        isFunctionValue(n.right)
      )
        visitDefinition(n.left.name.text, n.right);
      else if (ts.isPropertyAssignment(n) && isFunctionValue(n.initializer) && !ts.isComputedPropertyName(n.name))
        visitDefinition(n.name.getText(sf), n.initializer);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
}

/**
 * Where a call of a helper went when the head unit calls another function instead: the new callee whose
 * head body is the old helper's base body (the helper renamed, the old name kept as a wrapper or dropped),
 * or to which the old helper now delegates (`check()` became `{ warn(); return this.$check(...) }`). What
 * the helper checks is then still checked through the new callee.
 */
export function redirectedCall(
  guardrail: Guardrail,
  base: Unit,
  head: Unit | undefined,
  definitions: { base: Map<string, string[]>; head: Map<string, string[]> },
): string | undefined {
  if (!head || !ts.isCallExpression(guardrail.node)) return undefined;
  const old = calleeSimpleName(guardrail.node.expression);
  if (!old) return undefined;
  const oldHeadBodies = definitions.head.get(old) ?? [];
  // The old helper's body in the base, or in the head when its file did not change.
  const oldBodies = [...(definitions.base.get(old) ?? []), ...oldHeadBodies];
  for (const name of head.calls) {
    if (name === old || base.calls.has(name)) continue;
    const newBodies = definitions.head.get(name) ?? [];
    if (newBodies.some((body) => body.length >= 40 && oldBodies.includes(body))) return name;
    const callsNew = new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`);
    if (newBodies.length && oldHeadBodies.some((body) => body.length < 400 && callsNew.test(body))) return name;
  }
  return undefined;
}

/** What the protection search reads from the head, gathered once per run. */
export interface ProtectionContext {
  presence: HeadPresence;
  /** Rejection signatures of the changed files' base and head code, and of the unchanged context files. */
  rejections: { base: RejectionIndex; head: RejectionIndex; context: RejectionIndex };
  /** Helpers the PR renamed: old simple name → new. */
  renames: Map<string, string>;
  /** Function bodies by simple name, in the base and head source files read (see functionDefinitions). */
  definitions: { base: Map<string, string[]>; head: Map<string, string[]> };
  /** Functions that always throw, in the base and head source files read (see throwingFunctions). */
  throwers: Set<string>;
  /** What the head registers for the whole application, by name → file. */
  globals: Map<string, string>;
  /** Base units of the changed source files, and those the PR deleted. */
  baseUnits: Unit[];
  deletedUnits: Set<Unit>;
  /** The head version of each base unit the PR kept. */
  headOf: Map<Unit, Unit>;
  /** How often a name is written in the changed source files (tests left out), before and after: what the PR added or took away around it. */
  mentions(name: string): { base: number; head: number; readInHead: boolean };
}

/** The sides of the change the protection search reads: source code only, tests left out. */
export interface ProtectionSources {
  baseSources: ts.SourceFile[];
  headSources: ts.SourceFile[];
  /** The head versions of the changed source files only (headSources also holds the unchanged context files). */
  changedHeadSources: ts.SourceFile[];
  baseUnits: Unit[];
  headUnits: Unit[];
  contextUnits: Unit[];
  pairs: UnitPair[];
}

export function protectionContext(sources: ProtectionSources): ProtectionContext {
  const calledNames = new Set<string>();
  for (const unit of [...sources.headUnits, ...sources.contextUnits]) for (const name of unit.calls) calledNames.add(name);
  const assignedProperties = new Set<string>();
  for (const sf of sources.headSources) assignedPropertiesOf(sf, assignedProperties);
  const headNames = namesIn(sources.headSources);
  const removedNames = namesRemovedByChange(sources.baseSources, headNames);
  // A setter the PR deleted whose property the head writes nowhere: what wrote it (a test's `reply.sent = true`) exercised code that is gone.
  for (const pair of sources.pairs) {
    const property = pair.base && !pair.head ? setterProperty(pair.base) : undefined;
    if (property !== undefined && !assignedProperties.has(property)) removedNames.add(`set ${property}`);
  }
  return {
    presence: {
      removedNames,
      calledNames,
      assignedProperties,
      removedValues: valuesRemovedByChange(sources.baseSources, sources.headSources, headNames),
      narrowedSignatures: narrowedSignatures(sources.pairs),
    },
    rejections: {
      base: indexRejections(sources.baseUnits),
      head: indexRejections(sources.headUnits),
      context: indexRejections(sources.contextUnits),
    },
    renames: renamedHelpers(sources.pairs),
    definitions: { base: functionDefinitions(sources.baseSources), head: functionDefinitions(sources.headSources) },
    throwers: throwingFunctions([...sources.baseSources, ...sources.headSources]),
    globals: globalRegistrations(sources.headSources),
    baseUnits: sources.baseUnits,
    deletedUnits: new Set(sources.pairs.filter((p) => p.base && !p.head).map((p) => p.base!)),
    headOf: new Map(sources.pairs.filter((p) => p.base && p.head).map((p) => [p.base!, p.head!])),
    mentions: mentionCounter(sources.baseSources, sources.changedHeadSources),
  };
}

/** How often code text writes a name: as an identifier, or as a word of a string (a message); comments left out. */
function mentionsIn(text: string, name: string): number {
  const word = new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`, 'g');
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  let count = 0;
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.Identifier) {
      if (scanner.getTokenValue() === name) count++;
    } else if (
      token === ts.SyntaxKind.StringLiteral ||
      token === ts.SyntaxKind.NoSubstitutionTemplateLiteral ||
      token === ts.SyntaxKind.TemplateHead
    )
      count += scanner.getTokenText().match(word)?.length ?? 0;
  }
  return count;
}

/** Counts of a name's mentions in two sets of files, computed on demand (few guardrails ask). */
function mentionCounter(base: readonly ts.SourceFile[], head: readonly ts.SourceFile[]): ProtectionContext['mentions'] {
  const cache = new Map<string, ReturnType<ProtectionContext['mentions']>>();
  // The scanner only for files whose text holds the name at all: most do not.
  const count = (files: readonly ts.SourceFile[], name: string): number =>
    files.reduce((sum, sf) => sum + (sf.text.includes(name) ? mentionsIn(sf.text, name) : 0), 0);
  return (name) => {
    let counts = cache.get(name);
    if (!counts) {
      const inHead = count(head, name);
      counts = { base: count(base, name), head: inHead, readInHead: inHead > 0 && head.some((sf) => readsName(sf, name)) };
      cache.set(name, counts);
    }
    return counts;
  };
}

/** Whether code (not a type: an interface member, a type annotation) uses the name: a value still read or passed on. */
function readsName(sf: ts.SourceFile, name: string): boolean {
  const visit = (node: ts.Node): boolean => {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return false;
    if (ts.isIdentifier(node) && node.text === name) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return visit(sf);
}

/**
 * A deleted test of an API the PR renamed, when a test of the PR calls the new name: the test followed the
 * API to its new name (often into a new file, under a new title). The calls it made are read, not its title.
 */
export function testFollowedRename(
  guardrail: Guardrail,
  unit: Unit,
  renames: Map<string, string>,
  headTestCalls: Set<string>,
): string | undefined {
  if (guardrail.kind !== 'test' || unit.kind !== 'call') return undefined;
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const name = calleeSimpleName(n.expression);
      if (name) names.add(name);
    }
    ts.forEachChild(n, visit);
  };
  visit(unit.node);
  for (const name of names) {
    const renamed = renames.get(name);
    if (renamed && headTestCalls.has(renamed)) return renamed;
  }
  return undefined;
}

/**
 * Whether a deleted function went with the code that used it: nothing in the head calls it, and every unit
 * of the base that called it, up the chain of callers, was deleted too (a polyfill and the wrapper that
 * used it, dropped together). Returns the callers the head still has where the chain starts (none when the
 * whole chain was deleted), so the caller can ask whether they still carry protection of the same kind;
 * undefined when the unit did not go with its callers.
 */
export function deletedWithItsCallers(
  unit: Unit,
  deletedUnits: Set<Unit>,
  baseUnits: Unit[],
  calledNames: Set<string>,
): { survivingRoots: Unit[] } | undefined {
  const simple = (u: Unit): string => u.name.split('.').pop()!.replace(/#\d+$/, '');
  const callersOf = (u: Unit): Unit[] =>
    baseUnits.filter((c) => c !== u && c.kind !== 'module' && c.kind !== 'class' && c.calls.has(simple(u)));
  if (unit.kind !== 'function' && unit.kind !== 'method' && unit.kind !== 'field') return undefined;
  if (calledNames.has(simple(unit))) return undefined;
  const direct = callersOf(unit);
  if (direct.length === 0 || direct.some((c) => !deletedUnits.has(c))) return undefined;
  // Up the chain, iteratively and each unit once: where it reaches code the head kept, that is a root.
  const survivingRoots: Unit[] = [];
  const seen = new Set<Unit>([unit]);
  const stack = [...direct];
  while (stack.length) {
    const caller = stack.pop()!;
    if (seen.has(caller)) continue;
    seen.add(caller);
    if (!deletedUnits.has(caller)) survivingRoots.push(caller);
    else if (!calledNames.has(simple(caller))) stack.push(...callersOf(caller));
    else return undefined; // a deleted caller still called from the head: renamed or moved, not gone
  }
  return { survivingRoots };
}

/**
 * Whether a deleted function took its guardrail with the feature it served, though a caller the head kept
 * used it: nothing in the head calls it or names it any more, and every use of it in the base was a call
 * made for its effect (`this.setPreviewCursor(file);`) or bound to a name the head no longer reads
 * (`const url = absoluteUrl(…)`, with what read `url` gone too). A call whose value the caller still needs
 * (`const body = await bodyText(res)` with `body` still read, `sleep(delayBefore(e))`, `.then(pump)`) was
 * replaced by something else, which may lack the guardrail; so was one where a caller gained a call the
 * function made (its work inlined there). The guardrail must protect work of the function itself (the calls
 * of its try, the code behind its guard, a clamp or an option of its own), not its callers' input: a deleted
 * checking function (`assertValidOrder`) whose call left a caller that still runs is a guardrail removed.
 * A deleted setter went with the feature when the head writes its property nowhere. Returns the names
 * that went; undefined when the function did not go with its feature.
 */
export function droppedWithItsFeature(unit: Unit, guardrail: Guardrail, context: ProtectionContext): string[] | undefined {
  const property = setterProperty(unit);
  if (property !== undefined) return context.presence.assignedProperties.has(property) ? undefined : [`set ${property}`];
  if (unit.kind !== 'function' && unit.kind !== 'method' && unit.kind !== 'field') return undefined;
  const simple = (u: Unit): string => u.name.split('.').pop()!.replace(/#\d+$/, '');
  const name = simple(unit);
  const { calledNames, removedNames } = context.presence;
  if (calledNames.has(name) || !removedNames.has(name)) return undefined;
  const node = guardrail.node;
  const exitGuard = ts.isIfStatement(node) || ts.isThrowStatement(node) || ts.isReturnStatement(node);
  if (exitGuard && !subjectOf(guardrail, unit)) return undefined;
  let uses = 0;
  for (const file of context.baseUnits) {
    if (file.kind !== 'module') continue;
    for (const use of usesOf(name, file.sourceFile, unit.node)) {
      uses++;
      const caller = innermostUnit(context.baseUnits, file.sourceFile, use.getStart(file.sourceFile));
      const head = caller && context.headOf.get(caller);
      if (!caller || !calledForItsEffect(use, head)) return undefined;
      if (!head && caller !== unit && calledNames.has(simple(caller))) return undefined; // a caller moved, maybe with the work
      if (head) for (const call of head.calls) if (!caller.calls.has(call) && unit.calls.has(call)) return undefined;
    }
  }
  // An unexported function nothing used is dead code (compare.ts); one used in a way not read here is not judged.
  return uses > 0 || unit.exported ? [name] : undefined;
}

/** The identifiers `name` in a file that refer to it, its own declaration and import/export lists left out. */
function usesOf(name: string, sf: ts.SourceFile, declaration: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  const from = declaration.getStart(sf);
  const to = declaration.getEnd();
  const visit = (n: ts.Node): void => {
    if (n.pos >= from && n.end <= to && n !== sf) return;
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) return;
    if ((ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && n.text === name) {
      const parent = n.parent;
      const declares =
        (ts.isPropertyDeclaration(parent) ||
          ts.isMethodDeclaration(parent) ||
          ts.isPropertyAssignment(parent) ||
          ts.isFunctionDeclaration(parent) ||
          ts.isVariableDeclaration(parent)) &&
        parent.name === n;
      if (!declares) found.push(n);
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** The smallest unit of the file (not a class shell) whose node holds the position. */
function innermostUnit(units: Unit[], sf: ts.SourceFile, at: number): Unit | undefined {
  let best: Unit | undefined;
  for (const u of units) {
    if (u.sourceFile !== sf || u.kind === 'class') continue;
    if (u.node.getStart(sf) > at || u.node.getEnd() < at) continue;
    if (!best || u.node.getStart(sf) >= best.node.getStart(sf)) best = u;
  }
  return best;
}

/**
 * Whether a use of a function is a call made for its effect: a statement of its own (awaited or not), or
 * a value bound to a name that the head of the caller no longer mentions (what read it went too).
 */
function calledForItsEffect(use: ts.Node, head: Unit | undefined): boolean {
  let callee: ts.Node = use;
  if (ts.isPropertyAccessExpression(use.parent) && use.parent.name === use) callee = use.parent;
  const call = callee.parent;
  if (!call || !ts.isCallExpression(call) || call.expression !== callee) return false;
  let top: ts.Node = call;
  while (ts.isAwaitExpression(top.parent) || ts.isVoidExpression(top.parent) || ts.isParenthesizedExpression(top.parent)) top = top.parent;
  const parent = top.parent;
  if (ts.isExpressionStatement(parent)) return true;
  if (ts.isVariableDeclaration(parent) && parent.initializer === top && ts.isIdentifier(parent.name))
    return !head || !identifiersOf(head.node).has(parent.name.text);
  return false;
}

/** The property a unit sets when it is a setter (`set sent(v) {…}`, or the `set` of a descriptor, named the same way in units.ts). */
function setterProperty(unit: Unit): string | undefined {
  if (unit.kind !== 'method') return undefined;
  return /^set ([\w$]+)$/.exec(unit.name.split('.').pop()!.replace(/#\d+$/, ''))?.[1];
}

/**
 * Whether the guardrail is a refusal of a case not built yet (`throw new Error('x is not implemented yet')`,
 * an UnsupportedFunctionalityError): removing it is usually building the case, not letting bad input through.
 * Mechanism in vocab/refusals.ts.
 */
export function refusesUnbuiltFeature(guardrail: Guardrail, context: Pick<ProtectionContext, 'mentions'>): boolean {
  if (!refusesOnlyUnbuiltCases(guardrail.node)) return false;
  // A time bound's refusal is a lost deadline, unless the PR took the option out of the code altogether.
  return !refusesAnUnsupportedTimeBound(guardrail.node) || refusalNames(guardrail, context)?.takenOutWider === true;
}

/**
 * Whether a refusal guard's condition tests a time bound the caller passed (`options.maxExecutionTimeHintMs
 * != null && !dialect.supports…`): where the bound is not supported, the refusal is what tells the caller
 * that the call will not be bounded. Without it the option is ignored in silence and the call can run
 * without the limit the caller set: a lost deadline, not a case being built.
 */
function refusesAnUnsupportedTimeBound(node: ts.Node): boolean {
  if (!ts.isIfStatement(node)) return false;
  let bound = false;
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && isTimeoutOptionName(n.name.text)) bound = true;
    else if (
      ts.isElementAccessExpression(n) &&
      ts.isStringLiteralLike(n.argumentExpression) &&
      isTimeoutOptionName(n.argumentExpression.text)
    )
      bound = true;
    if (!bound) ts.forEachChild(n, visit);
  };
  visit(node.expression);
  return bound;
}

/** Names too common in code to tell whether a pull request built the case a refusal named. */
const GENERIC_NAMES = new Set([
  'this',
  'undefined',
  'null',
  'options',
  'opts',
  'config',
  'params',
  'args',
  'props',
  'value',
  'type',
  'name',
  'length',
  'supports',
  'error',
  'err',
]);
/** A name written more often than this in the changed files says nothing about what the PR did with it. */
const RARE_NAME_MENTIONS = 12;

/**
 * The names of a refusal's condition when the pull request removed the refusal and built nothing in its
 * place: every rare name of the condition (the refused option, the capability flag) lost exactly the
 * mentions the guard held, and none was written anew nor taken out anywhere else. The case it refused
 * (`options.maxExecutionTimeHintMs` on a dialect that cannot honour it) is then accepted and silently not
 * served. Undefined when the PR wrote the names again (it built the case) or took them out more widely (the
 * option went with the feature), or while code of the head still reads one of them (the value is passed on to
 * a callee that may now serve it), or when the condition names nothing rare enough to tell.
 */
export function refusedCaseLeftUnbuilt(guardrail: Guardrail, context: Pick<ProtectionContext, 'mentions'>): string[] | undefined {
  const names = refusalNames(guardrail, context);
  if (!names || names.takenOutWider || names.written) return undefined;
  // And the refused value is read by no code of the head any more: a value still passed on (to a parser
  // that may now serve the case) leaves the question open.
  return names.rare.some((name) => !context.mentions(name).readInHead) ? names.rare : undefined;
}

/**
 * What the PR did with the rare names of a refusal's condition, beyond removing the guard: wrote one of them
 * anew (`written`), or took one out of more places than the guard (`takenOutWider`). Undefined when the
 * condition names nothing rare enough to tell.
 */
function refusalNames(
  guardrail: Guardrail,
  context: Pick<ProtectionContext, 'mentions'>,
): { rare: string[]; written: boolean; takenOutWider: boolean } | undefined {
  const node = guardrail.node;
  if (!ts.isIfStatement(node)) return undefined;
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && !GENERIC_NAMES.has(n.text)) names.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(node.expression);
  const rare = [...names].filter((name) => context.mentions(name).base <= RARE_NAME_MENTIONS);
  if (!rare.length) return undefined;
  // Counted the way mentions() counts, over the whole guard: its message may name the option too.
  const guardText = node.getText();
  const lostBeyondGuard = rare.map((name) => {
    const { base, head } = context.mentions(name);
    return base - head - mentionsIn(guardText, name);
  });
  return { rare, written: lostBeyondGuard.some((n) => n < 0), takenOutWider: lostBeyondGuard.some((n) => n > 0) };
}

/**
 * Whether an `if` guard that left its unit is still there with its condition spelled another way: the head
 * unit has an `if` with the same then-branch whose condition is one test of the same names
 * (`error instanceof ToolError` became `ToolError.isInstance(error)`, `typeof x === 'string'` became
 * `isString(x)`). Only single tests on both sides: a rewritten `a || b` may reject fewer cases.
 */
export function sameGuardRewritten(guardrail: Guardrail, head: Unit | undefined): boolean {
  const node = guardrail.node;
  if (!head || !ts.isIfStatement(node) || compound(node.expression)) return false;
  const then = foldCondition(node.thenStatement.getText(node.getSourceFile()));
  if (then.length < 20) return false;
  const names = identifiersOf(node.expression);
  return (
    findNodeOfUnit(head, (n) => {
      if (!ts.isIfStatement(n) || compound(n.expression)) return false;
      if (foldCondition(n.thenStatement.getText(head.sourceFile)) !== then) return false;
      const now = identifiersOf(n.expression);
      return [...names].every((name) => now.has(name));
    }) !== undefined
  );
}

/** Whether a condition joins tests with `&&`, `||` or `??`. */
function compound(expression: ts.Expression): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      (n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ||
        n.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
        n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
    )
      found = true;
    if (!found && !ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(expression);
  return found;
}

/**
 * Whether what a weakened guardrail lost was extracted into a helper its head version calls: every
 * statement of the base guardrail missing from the head one is, as written, in the body of a function the
 * head guardrail calls and the base did not (`if (error instanceof Error) {…} else {…}` became
 * `recordError(span, error)`). At least one statement must be found there.
 */
export function lostPartExtractedIntoHelper(before: Guardrail, after: Guardrail, definitions: Map<string, string[]>): boolean {
  const scope = (g: Guardrail): ts.Node => (ts.isCatchClause(g.node) ? g.node.parent : g.node);
  const beforeNode = scope(before);
  const afterNode = scope(after);
  const fold = (n: ts.Node): string => n.getText(n.getSourceFile()).replace(/\s+/g, '');
  const kept = fold(afterNode);
  const calledBefore = new Set(callsIn(beforeNode));
  const bodies = [...new Set(callsIn(afterNode))].filter((name) => !calledBefore.has(name)).flatMap((name) => definitions.get(name) ?? []);
  if (bodies.length === 0) return false;
  let extracted = 0;
  const accounted = (statement: ts.Statement): boolean => {
    const text = fold(statement);
    if (kept.includes(text)) return true;
    if (text.length >= 20 && bodies.some((body) => body.includes(text))) {
      extracted++;
      return true;
    }
    const children = childStatements(statement);
    return children.length > 0 && children.every(accounted);
  };
  const top = childStatements(beforeNode);
  return top.length > 0 && top.every(accounted) && extracted > 0;
}

/** The statements directly inside a node: a block's, a try's blocks', an if's branches', a catch's. */
function childStatements(node: ts.Node): ts.Statement[] {
  if (ts.isBlock(node)) return [...node.statements];
  if (ts.isTryStatement(node))
    return [node.tryBlock, ...(node.catchClause ? [node.catchClause.block] : []), ...(node.finallyBlock ? [node.finallyBlock] : [])];
  if (ts.isCatchClause(node)) return [node.block];
  if (ts.isIfStatement(node)) return [node.thenStatement, ...(node.elseStatement ? [node.elseStatement] : [])];
  return [];
}

/**
 * A head unit that calls the unit a guardrail left and gained, around that call, a guardrail of the same
 * category that its base did not have: the protection moved up into the caller (a catch that returned
 * null replaced by a try around the call that reports the failure).
 */
export function movedIntoCaller(
  guardrail: Guardrail,
  unitName: string,
  callers: { head: Unit; gained: Guardrail[] }[],
  self?: Unit,
): Unit | undefined {
  for (const { head, gained } of callers) {
    if (head === self || !head.calls.has(unitName)) continue;
    for (const g of gained) {
      if (g.category !== guardrail.category) continue;
      const scope = ts.isCatchClause(g.node) ? g.node.parent : g.node;
      if (callsIn(scope).includes(unitName)) return head;
    }
  }
  return undefined;
}

/**
 * An exit guard on the status of a raw response (`const res = await fetch(…); if (!res.ok) throw …`) whose unit
 * no longer makes that call nor names the response: the request now goes through a client or SDK call that
 * answers a failure itself, and the check went with the raw response it read. Gives the call's name.
 */
export function responseCheckWentWithItsResponse(guardrail: Guardrail, base: Unit, head: Unit | undefined): string[] | undefined {
  const node = guardrail.node;
  if (!ts.isIfStatement(node)) return undefined;
  const responses = responseStatusReads(node.expression);
  if (responses.size === 0) return undefined;
  const calls = new Set<string>();
  for (const name of responses) {
    const declaration = findNodeOfUnit(
      base,
      (n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name,
    );
    let value = declaration?.initializer;
    while (value && (ts.isAwaitExpression(value) || ts.isParenthesizedExpression(value))) value = value.expression;
    const call = value && ts.isCallExpression(value) ? calleeSimpleName(value.expression) : undefined;
    if (!call || !isRawResponseCall(call)) return undefined;
    calls.add(call);
  }
  if (head) {
    const names = identifiersOf(head.node);
    if ([...calls].some((c) => head.calls.has(c) || names.has(c)) || [...responses].some((r) => names.has(r))) return undefined;
  }
  return [...calls];
}
