import { ts } from 'ts-morph';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, calleeText } from '../ast/text.js';
import { staticNumber } from '../ast/values.js';
import { forEachNode, forEachNodeOfUnit } from '../ast/walk.js';
import { defineDetector, type DirectFinding, type Guardrail } from '../define-detector.js';

/** Registrations of a single test (describe blocks are containers, their tests are units of their own). */
const TEST_CALL = /^(it|test|specify|xit|xtest|fit|xspecify)$/;
/** Registrations of a suite. */
const SUITE_CALL = /^(describe|context|suite|xdescribe|fdescribe|xcontext|fcontext)$/;
/** Registrations that do not run. */
const SKIPPED = /^(xit|xtest|xspecify|xdescribe|xcontext)\b|\.(skip|todo|fixme)\b/;
/** Registrations that make every other test of the file stop running. */
const FOCUSED = /^(fit|fdescribe|fcontext)\b|\.only\b/;
/** Names of assertion helpers: expectValidInvoice(res), assertSorted(list), verifyCalled(spy). */
const ASSERTION_HELPER = /^(expect|assert|verify|check|should|ensure)[A-Z_]\w*$/;
/** ava's `t.is(...)`, tap's `t.equal(...)`. */
const T_ASSERTION =
  /^(is|not|true|false|truthy|falsy|deepEqual|notDeepEqual|like|throws|throwsAsync|notThrows|notThrowsAsync|regex|notRegex|assert|equal|same|strictSame|match|ok|notOk|error|rejects|resolves|snapshot)$/;
/** jest's and vitest's default test timeout, the baseline when a test sets none. */
const DEFAULT_TEST_TIMEOUT = 5000;
/** How much longer a timeout must get to count as raised. */
const TIMEOUT_FACTOR = 2;

/** Names of assertion helpers a test calls that live outside its file: their assertions are not countable. */
const foreignHelpers = new WeakMap<Guardrail, Set<string>>();

export default defineDetector({
  meta: {
    id: 'test-weakening',
    category: 'test-weakening',
    severity: 'high',
    weakenedSeverity: 'medium',
    scope: 'test',
    description:
      'Tests were deleted, skipped or focused, or lost assertions, an assertion-count check or a timeout bound: the suite can stay green without checking what it did.',
    messages: {
      removed: '{{label}} was deleted: what it checked is no longer tested.',
      weakened: '{{label}} lost assertions ({{change}}): it can now pass without checking what it used to.',
      moved: '{{label}} was rewritten or moved: a test of it remains in {{where}}.',
      skipped: '{{symbol}} is now skipped ({{label}}): CI stays green without running it.',
      focused: '{{symbol}} is now focused ({{label}}): every other test in the file stops running.',
      assertionCountDropped: '{{symbol}} no longer requires {{label}}: assertions in callbacks that never run now pass silently.',
      timeoutRaised: '{{symbol}}: the test timeout was raised {{change}}: a slow or hanging path now passes.',
      snapshotRewritten: '{{symbol}} rewrote its inline snapshot: the expected output was changed together with the code.',
    },
    docs: {
      catches:
        'In test files: a test (`it`/`test`) deleted (high; low when its whole file is deleted), a test or suite newly skipped (`.skip`, `.todo`, `xit`, `xdescribe`) or focused (`.only`, `fit`, `fdescribe`) (high), fewer assertions in a test (`expect(...)`, `assert...`, `t.is(...)`, counting assertions in helpers of the same file) (medium), `expect.assertions(n)` / `expect.hasAssertions()` dropped (medium), a timeout raised at least twofold (`jest.setTimeout`, `vi.setConfig({ testTimeout })`, `this.timeout(n)`, the timeout argument of `it`) (medium), and an inline snapshot whose expected text was rewritten (low).',
      ignores:
        'A test renamed, reformatted or moved to another file of the PR; a test replaced by another one in the same PR, split into several, or folded into an `it.each` table; assertions moved into a helper of the same file, or swapped for others (`toEqual` for `toStrictEqual`); more assertions, a lower timeout, a skip or `.only` removed; a deleted test that was already skipped; assertions about code the PR took out (reported as info); a new test that calls an assertion helper from another file (its assertions cannot be counted). `.snap` files are not read.',
      example: {
        file: 'test/invoice.test.ts',
        before:
          "describe('invoice totals', () => {\n  it('rounds half-cents up', () => {\n    expect(total([{ price: 0.005, quantity: 1 }])).toBe(0.01);\n  });\n});\n",
        after:
          "describe('invoice totals', () => {\n  it.skip('rounds half-cents up', () => {\n    expect(total([{ price: 0.005, quantity: 1 }])).toBe(0.01);\n  });\n});\n",
      },
    },
  },
  inventory: testsOf,
  isWeakened(before, after) {
    if (before.strength === undefined || after.strength === undefined) return false;
    if (after.strength >= before.strength) return false;
    // A new helper from another file may hold the assertions that left: the count is not comparable.
    const known = foreignHelpers.get(before) ?? new Set<string>();
    if ([...(foreignHelpers.get(after) ?? [])].some((name) => !known.has(name))) return false;
    // A test split into several keeps its assertions in its new siblings: only a file that lost
    // assertions overall lost them.
    return assertionsInFile(after.node.getSourceFile()) < assertionsInFile(before.node.getSourceFile());
  },
  inspect(change) {
    const { base, head } = change;
    if (!head) return [];
    const findings: DirectFinding[] = [];
    const headCallee = registrationCallee(head);
    const baseCallee = base ? registrationCallee(base) : undefined;
    if (headCallee) {
      if (base && baseCallee && SKIPPED.test(headCallee) && !SKIPPED.test(baseCallee)) {
        findings.push({ messageId: 'skipped', node: head.node, side: 'head', key: 'skipped', data: { label: `\`${headCallee}\`` } });
      }
      if (FOCUSED.test(headCallee) && !(baseCallee && FOCUSED.test(baseCallee))) {
        findings.push({ messageId: 'focused', node: head.node, side: 'head', key: 'focused', data: { label: `\`${headCallee}\`` } });
      }
    }
    if (!base) return findings;

    const requiredBefore = assertionCountChecks(base);
    if (requiredBefore.length > 0 && assertionCountChecks(head).length === 0) {
      findings.push({
        messageId: 'assertionCountDropped',
        node: head.node,
        side: 'head',
        severity: 'medium',
        key: 'expect.assertions',
        data: { label: `\`${requiredBefore[0]}\`` },
      });
    }

    const timeoutBefore = longestTimeout(base);
    const timeoutAfter = longestTimeout(head);
    if (
      timeoutAfter &&
      timeoutAfter.ms >= (timeoutBefore?.ms ?? DEFAULT_TEST_TIMEOUT) * TIMEOUT_FACTOR &&
      change.isNew(timeoutAfter.node)
    ) {
      findings.push({
        messageId: 'timeoutRaised',
        node: timeoutAfter.node,
        side: 'head',
        severity: 'medium',
        key: 'timeout',
        data: {
          change: `from ${timeoutBefore ? `${timeoutBefore.ms} ms` : `the default ${DEFAULT_TEST_TIMEOUT} ms`} to ${timeoutAfter.ms} ms`,
        },
        evidence: { from: timeoutBefore?.ms ?? DEFAULT_TEST_TIMEOUT, to: timeoutAfter.ms },
      });
    }

    const snapshotsBefore = inlineSnapshots(base);
    const snapshotsAfter = inlineSnapshots(head);
    const rewritten = snapshotsAfter.find(
      (s, i) => snapshotsBefore.length === snapshotsAfter.length && snapshotsBefore[i]!.text !== s.text,
    );
    if (rewritten) {
      findings.push({
        messageId: 'snapshotRewritten',
        node: rewritten.node,
        side: 'head',
        severity: 'low',
        key: 'inline-snapshot',
        evidence: { before: snapshotsBefore.map((s) => s.text.slice(0, 200)) },
      });
    }
    return findings;
  },
});

/** The callee of a test or suite registration unit: `it.skip`, `describe.only`, `test.each([...])`. */
function registrationCallee(unit: Unit): string | undefined {
  if (unit.kind !== 'call' || !ts.isCallExpression(unit.node)) return undefined;
  const callee = calleeText(unit.node.expression, unit.sourceFile);
  const root = /^[\w$]+/.exec(callee)?.[0] ?? '';
  if (TEST_CALL.test(root) || SUITE_CALL.test(root)) return callee;
  // A subtest of node's test runner or tap: `t.test("x", …)`, registered on the parent test's context.
  const subtest = /^[\w$]+\.(test|it|describe)\b(.*)$/.exec(callee);
  return subtest ? `${subtest[1]}${subtest[2]}` : undefined;
}

/** One guardrail per test that runs: the test itself, with its number of assertions as strength. */
function testsOf(unit: Unit): Guardrail[] {
  const callee = registrationCallee(unit);
  if (!callee) return [];
  const root = /^[\w$]+/.exec(callee)?.[0] ?? '';
  if (!TEST_CALL.test(root)) return [];
  // A test skipped before the PR guarded nothing: deleting it is cleanup. Skipped after the PR, it keeps its
  // guardrail so that the skip is reported once, as a skip (by inspect), not also as a deletion.
  if (SKIPPED.test(callee) && unit.side === 'base') return [];
  const title = (unit.node as ts.CallExpression).arguments[0];
  const name = title && (ts.isStringLiteral(title) || ts.isNoSubstitutionTemplateLiteral(title)) ? title.text : unit.name;
  const counted = countAssertions(unit);
  // it.each([...]) runs one test per row: three tests folded into a table are still three tests, and a
  // row dropped from the table is a test deleted.
  const rows = eachRows(unit.node as ts.CallExpression);
  return Array.from({ length: rows }, (_, row) => {
    const suffix = rows > 1 ? ` (row ${row + 1})` : '';
    const guardrail: Guardrail = {
      category: 'test-weakening',
      kind: 'test',
      anchor: `test "${name}"${suffix}`,
      label: `the test "${name}"${suffix}`,
      node: unit.node,
      strength: counted.count,
      stronger: 'higher',
      checks: counted.checks,
    };
    foreignHelpers.set(guardrail, counted.foreign);
    return guardrail;
  });
}

/** How many tests a registration runs: the rows of an `it.each` table, else one. */
function eachRows(call: ts.CallExpression): number {
  const callee = call.expression;
  if (ts.isCallExpression(callee) && ts.isPropertyAccessExpression(callee.expression) && callee.expression.name.text === 'each') {
    const table = callee.arguments[0];
    if (table && ts.isArrayLiteralExpression(table)) return Math.max(1, table.elements.length);
  }
  if (ts.isTaggedTemplateExpression(callee) && ts.isPropertyAccessExpression(callee.tag) && callee.tag.name.text === 'each') {
    const lines = callee.template
      .getText()
      .split('\n')
      .filter((l) => l.replace(/[`\s|]/g, '') !== '');
    return Math.max(1, lines.length - 1);
  }
  return 1;
}

/** Assertions a test makes, following assertion helpers declared in the same file. */
function countAssertions(unit: Unit): { count: number; foreign: Set<string>; checks: NonNullable<Guardrail['checks']> } {
  const sf = unit.sourceFile;
  const local = localFunctions(sf);
  const foreign = new Set<string>();
  const checks: NonNullable<Guardrail['checks']> = [];
  let count = 0;
  const countIn = (visitAll: (visit: (node: ts.Node) => void) => void, depth: number): void => {
    visitAll((node) => {
      if (!ts.isCallExpression(node)) return;
      if (isAssertion(node)) {
        if (!assertsNoError(node)) {
          count++;
          checks.push(assertionCheck(node, sf));
        }
        return;
      }
      const name = calleeSimpleName(node.expression) ?? '';
      const helper = ts.isIdentifier(node.expression) ? local.get(name) : undefined;
      if (helper && depth < 3) countIn((visit) => forEachNode(helper, visit), depth + 1);
      else if (ASSERTION_HELPER.test(name)) {
        count++;
        if (!helper) foreign.add(name);
      }
    });
  };
  // The whole test body counts, functions declared in it included (`const mock = (url) => { expect(url)… }`
  // is a unit of its own for the engine, but its assertions are the test's).
  countIn((visit) => forEachNode(unit.node, visit), 0);
  return { count, foreign, checks };
}

/**
 * One assertion as a check: the whole assertion (`expect(x).toBe(1)`, not only `expect(x)`), its text with
 * spacing folded, and the names it reads (identifiers and name-like strings: `typeof reply.elapsed`).
 */
function assertionCheck(call: ts.CallExpression, sf: ts.SourceFile): { text: string; names: string[] } {
  let whole: ts.Node = call;
  while (
    (ts.isPropertyAccessExpression(whole.parent) && whole.parent.expression === whole) ||
    (ts.isCallExpression(whole.parent) && whole.parent.expression === whole) ||
    ts.isAwaitExpression(whole.parent)
  )
    whole = whole.parent;
  const names = new Set<string>();
  forEachNode(whole, (n) => {
    if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) names.add(n.text);
    else if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /^[A-Za-z_$][\w$]*$/.test(n.text)) names.add(n.text);
  });
  return { text: whole.getText(sf).replace(/\s+/g, ''), names: [...names] };
}

function isAssertion(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) {
    if (callee.text === 'expect') return !expectsNoError(call);
    return callee.text === 'assert' || callee.text === 'expectTypeOf' || callee.text === 'assertType';
  }
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const receiver = callee.expression;
  if (ts.isIdentifier(receiver)) {
    if (receiver.text === 'assert') return true; // assert.equal(...), assert.deepStrictEqual(...)
    if (receiver.text === 'expect') return callee.name.text === 'soft' || callee.name.text === 'poll';
    if (receiver.text === 't') return T_ASSERTION.test(callee.name.text);
  }
  // sinon.assert.calledWith(...), chai.assert.equal(...)
  return ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'assert';
}

/** Names an error is caught or passed in: the value a "no error" assertion looks at. */
const ERROR_NAME = /^(?:err|error|e|ex|exception|er)$/i;
/** Matchers that say the value is absent: `expect(err).toBeNull()`. */
const ABSENT_MATCHER = /^(?:toBeNull|toBeUndefined|toBeFalsy|not)$/;

/**
 * An assertion that only says no error happened (`assert.ifError(err)`, `t.error(err)`, `expect(err).toBeNull()`,
 * `assert.ok(!err)`, `assert.doesNotThrow(fn)`) checks what an awaited call that throws checks by itself: a test rewritten from callbacks
 * to `await` drops these and loses nothing, so they are not counted.
 */
function assertsNoError(call: ts.CallExpression): boolean {
  const name = calleeSimpleName(call.expression) ?? '';
  const first = call.arguments[0];
  // `err`, or a field holding one: `response.error`.
  const isErrorValue = (e: ts.Expression | undefined): boolean =>
    e !== undefined &&
    ((ts.isIdentifier(e) && ERROR_NAME.test(e.text)) || (ts.isPropertyAccessExpression(e) && ERROR_NAME.test(e.name.text)));
  if (name === 'ifError' || (name === 'error' && isErrorValue(first))) return true;
  // assert.doesNotThrow(() => work()): the same check as awaiting the work and letting it throw.
  if (/^(?:doesNotThrow|doesNotReject|notThrows|notThrowsAsync)$/.test(name)) return true;
  if ((name === 'notOk' || name === 'falsy') && isErrorValue(first)) return true;
  if (
    (name === 'ok' || name === 'assert' || name === 'true') &&
    first &&
    ts.isPrefixUnaryExpression(first) &&
    first.operator === ts.SyntaxKind.ExclamationToken &&
    isErrorValue(first.operand)
  )
    return true;
  if (
    /^(?:equal|strictEqual|is)$/.test(name) &&
    isErrorValue(first) &&
    call.arguments[1] &&
    /^(?:null|undefined)$/.test(call.arguments[1].getText())
  )
    return true;
  return false;
}

/** `expect(err).toBeNull()`: the matcher call around `expect(err)`, which is the assertion counted. */
function expectsNoError(call: ts.CallExpression): boolean {
  const first = call.arguments[0];
  if (!first || !ts.isIdentifier(first) || !ERROR_NAME.test(first.text)) return false;
  const access = call.parent;
  if (!ts.isPropertyAccessExpression(access) || !ABSENT_MATCHER.test(access.name.text)) return false;
  if (access.name.text !== 'not') return true;
  // expect(err).not.toBeDefined() / .not.toBeTruthy()
  const outer = access.parent;
  return ts.isPropertyAccessExpression(outer) && /^(?:toBeDefined|toBeTruthy|toBeInstanceOf)$/.test(outer.name.text);
}

const totalsByFile = new WeakMap<ts.SourceFile, number>();

/** Every assertion written in a file. */
function assertionsInFile(sf: ts.SourceFile): number {
  let total = totalsByFile.get(sf);
  if (total === undefined) {
    total = 0;
    forEachNode(sf, (node) => {
      if (ts.isCallExpression(node) && isAssertion(node) && !assertsNoError(node)) total!++;
    });
    totalsByFile.set(sf, total);
  }
  return total;
}

const functionsByFile = new WeakMap<ts.SourceFile, Map<string, ts.Node>>();

/** Functions declared anywhere in the file, by name: where assertion helpers of a test file live. */
function localFunctions(sf: ts.SourceFile): Map<string, ts.Node> {
  let found = functionsByFile.get(sf);
  if (found) return found;
  found = new Map();
  forEachNode(sf, (node) => {
    if (ts.isFunctionDeclaration(node) && node.name && node.body) found!.set(node.name.text, node.body);
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
    ) {
      found!.set(node.name.text, node.initializer.body);
    }
  });
  functionsByFile.set(sf, found);
  return found;
}

/** `expect.assertions(2)` and `expect.hasAssertions()` calls of a unit. */
function assertionCountChecks(unit: Unit): string[] {
  const found: string[] = [];
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isCallExpression(node)) return;
    const callee = calleeText(node.expression, unit.sourceFile);
    if (callee === 'expect.assertions' || callee === 'expect.hasAssertions') found.push(node.getText(unit.sourceFile));
  });
  return found;
}

/** The longest timeout a unit sets for its tests, in ms. */
function longestTimeout(unit: Unit): { ms: number; node: ts.Node } | undefined {
  const sf = unit.sourceFile;
  let longest: { ms: number; node: ts.Node } | undefined;
  const consider = (expression: ts.Expression | undefined, node: ts.Node): void => {
    const ms = staticNumber(expression, sf);
    if (ms !== undefined && ms > 0 && (!longest || ms > longest.ms)) longest = { ms, node };
  };
  const fromOptions = (options: ts.Expression | undefined, key: RegExp): void => {
    if (!options || !ts.isObjectLiteralExpression(options)) return;
    for (const p of options.properties) {
      if (ts.isPropertyAssignment(p) && key.test(p.name.getText(sf))) consider(p.initializer, p);
    }
  };
  // it(name, fn, 30_000) / it(name, { timeout }, fn) / it(name, fn, { timeout })
  if (registrationCallee(unit) && ts.isCallExpression(unit.node)) {
    for (const argument of unit.node.arguments.slice(1)) {
      if (ts.isNumericLiteral(argument) || ts.isIdentifier(argument) || ts.isBinaryExpression(argument)) consider(argument, argument);
      else fromOptions(argument, /^timeout$/);
    }
  }
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isCallExpression(node)) return;
    const callee = calleeText(node.expression, sf);
    // jest.setTimeout(30_000), mocha's this.timeout(10_000)
    if (/^(jest|vi)\.setTimeout$/.test(callee) || node.expression.getText(sf) === 'this.timeout') consider(node.arguments[0], node);
    // vi.setConfig({ testTimeout }), test.describe.configure({ timeout })
    else if (/^(vi|jest)\.setConfig$|\.configure$/.test(callee)) fromOptions(node.arguments[0], /^(testTimeout|hookTimeout|timeout)$/);
  });
  return longest;
}

/** The expected text of every inline snapshot in a unit, in order. */
function inlineSnapshots(unit: Unit): { text: string; node: ts.Node }[] {
  const found: { text: string; node: ts.Node }[] = [];
  forEachNodeOfUnit(unit, (node) => {
    if (
      ts.isCallExpression(node) &&
      /^(toMatchInlineSnapshot|toThrowErrorMatchingInlineSnapshot)$/.test(calleeSimpleName(node.expression) ?? '')
    ) {
      const expected = node.arguments[node.arguments.length - 1];
      if (expected) found.push({ text: expected.getText(unit.sourceFile).replace(/\s+/g, ' '), node: expected });
    }
  });
  return found;
}
