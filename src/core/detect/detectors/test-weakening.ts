import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, calleeText } from '../ast/text.js';
import { staticNumber } from '../ast/values.js';
import { forEachNode, forEachNodeOfUnit } from '../ast/walk.js';
import { defaultTestTimeout } from '../vocab/timeouts.js';
import { defineDetector, type DirectFinding, type Guardrail, type LossVerdict, type PullRequestView } from '../define-detector.js';
import { registrationCallee, SKIPPED, SUITE_CALL, TEST_CALL } from '../vocab/tests.js';

/** Registrations that make every other test of the file stop running. */
const FOCUSED = /^(fit|fdescribe|fcontext)\b|\.only\b/;
/** Names of assertion helpers: expectValidInvoice(res), assertSorted(list), verifyCalled(spy). */
const ASSERTION_HELPER = /^(expect|assert|verify|check|should|ensure)[A-Z_]\w*$/;
/** ava's `t.is(...)`, tap's `t.equal(...)`. */
const T_ASSERTION =
  /^(is|not|true|false|truthy|falsy|deepEqual|notDeepEqual|like|throws|throwsAsync|notThrows|notThrowsAsync|regex|notRegex|assert|equal|same|strictSame|match|ok|notOk|error|rejects|resolves|snapshot)$/;
/** How much longer a timeout must get to count as raised. */
const TIMEOUT_FACTOR = 2;

/** A test marked as unreliable: deleting it removes noise, not a check. */
const FLAKY = /\bfla(?:ky|key|kiness)\b|\bunstable\b|\bintermittent(?:ly)?\b/i;
const FLAKY_COMMENT = /\/\/[^\n]*\bfla(?:ky|key|kiness)\b|\/\*[\s\S]*?\bfla(?:ky|key|kiness)\b[\s\S]*?\*\//i;
/** A test that retries itself (`this.retries(3)`, `{ retry: 2 }`, `jest.retryTimes(3)`): known not to pass reliably. */
const RETRIED = /\bthis\.retries\(\s*[1-9]|\bretry\s*:\s*[1-9]|\b(?:jest|vi)\.retryTimes\(\s*[1-9]/;

/**
 * What a test was read as: its assertions (those of the helpers of its file included), the names of the
 * assertion helpers it calls from elsewhere, the other functions it calls, and whether it is marked flaky.
 */
interface Reading {
  unit: Unit;
  checks: Assertion[];
  foreign: Set<string>;
  calls: Set<string>;
  flaky: boolean;
  /** The test retries itself when it fails: it did not pass reliably. */
  retried: boolean;
}
const readings = new WeakMap<Guardrail, Reading>();

export default defineDetector({
  meta: {
    id: 'test-weakening',
    category: 'test-weakening',
    severity: 'high',
    weakenedSeverity: 'medium',
    scope: 'test',
    deletedFileLabel: 'the test file {{file}} ({{count}} tests)',
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
      timeoutSet: '{{symbol}} now sets its own timeout ({{change}}): check that the time it allows is what the test needs.',
      snapshotRewritten: '{{symbol}} rewrote its inline snapshot: the expected output was changed together with the code.',
    },
    docs: {
      catches:
        'In test files: a test (`it`/`test`) deleted (high; a deleted test file is one finding, low), a test or suite newly skipped (`.skip`, `.todo`, `xit`, `xdescribe`) or focused (`.only`, `fit`, `fdescribe`) (high), fewer assertions in a test and its file, when a check it made the head makes nowhere in the PR (`expect(...)`, `assert...`, `t.is(...)`, read with the helpers it calls) (medium), `expect.assertions(n)` / `expect.hasAssertions()` dropped (medium), a timeout raised at least twofold (`jest.setTimeout`, `vi.setConfig({ testTimeout })`, `this.timeout(n)`, `t.setTimeout(n)` of tap, the timeout argument of `it`; or from a runner configuration the PR took out) (medium); a first timeout given to a test that ran under the default of its runner (5 s, 30 s for tap; none for `node:test`) bounds it anew and is shown as info, and an inline snapshot whose expected text was rewritten (low). Assertions are read, not counted: a lost one is one whose check (same subject, same kind of matcher, same expected value, in any assertion style) the head makes nowhere. A test deleted or weakened while the PR changes the code it exercises stays at its severity when what it lost checked a guardrail (a throw or rejection, an error status, a call count, a retry, a limit).',
      ignores:
        'A test renamed, reformatted or moved to another file of the PR (the tests of several files moved into one shared suite included), or rewritten there as a new test of the same code; a test replaced by another one in the same PR, a numbered variant deleted beside the test of its file it was a variant of (`closes a client (2)` beside `closes a client`) that exercises the same code, split into several, or folded into an `it.each` table or a loop; rows dropped from one end of an `it.each` table that expect what the row now at that end expects (a range trimmed with its support: low); assertions moved into a helper (of the same file, or of another test file the head holds), made by another test of the PR, swapped for others (`toEqual` for `toStrictEqual`), field assertions merged into one `toEqual`/`toMatchObject`/snapshot of their object (or a `toEqual` against a reference object), checks of single elements of a collection replaced by checks of the collection as a whole that read the same expected values (`responses.filter((r) => r.ok).length`: only the order is no longer checked, low), an error caught in a try/catch and checked replaced by a `rejects`/`toThrow` matcher of the same call, checks of a field that the types written in the test stop declaring (info), an expected value rewritten, an expected failure flipped into a checked result of the same call, and failure idioms swapped (`expect().fail()`, `assert.fail`, `t.fail`, `fail()`, `done(new Error())`, `reject(new Error())` in the promise the test returns; a try/catch with a "no error" assertion replaced by letting the call throw); more assertions, a lower timeout, per-test timeouts no longer than the timeout of the runner configuration the PR took out, a skip or `.only` removed; a deleted test that was already skipped or was marked flaky (info), or whose checks read only constants of the test or a package manifest (two packages released at the same version) (info), or that retried itself and was folded into another test of its file (info), or that asserted nothing (info); a deleted twin of a test the head keeps that made the same assertions before the PR; a test that only registers subtests (a suite written as a test: its subtests are judged on their own); assertions about code the PR took out or changed (info: a behaviour change, reviewed with the code); a new test that calls an assertion helper whose body cannot be read. `.snap` files are not read.',
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
  // Read, on top of counted: a test that makes fewer assertions, in a file that makes fewer overall (a test
  // split into siblings keeps them), and whose lost checks the head makes nowhere. Reading alone, without the
  // counts, flagged rewrites whose new checks the reading does not equate (measured on the wild sweeps).
  isWeakened: (before, after, pr) =>
    (after.strength ?? 0) < (before.strength ?? 0) &&
    assertionsInFile(after.node.getSourceFile()) < assertionsInFile(before.node.getSourceFile()) &&
    lostAssertions(before, after, pr).length > 0,
  judgeLoss: judgeTestLoss,
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
    // The baseline when the base set none: the runner's own default (none for node:test, where a timeout adds a bound).
    const baseline = timeoutBefore?.ms ?? defaultTestTimeout(head.sourceFile);
    // A timeout no longer than the one a runner configuration gave every test before the PR took over from it.
    const replacesRunner = timeoutAfter !== undefined && timeoutAfter.ms <= (change.runnerTimeoutRemoved ?? 0);
    if (
      timeoutAfter &&
      baseline !== undefined &&
      !replacesRunner &&
      timeoutAfter.ms >= baseline * TIMEOUT_FACTOR &&
      change.isNew(timeoutAfter.node)
    ) {
      // A first timeout on a test that ran under the runner's default bounds it anew (an end-to-end test of a
      // real binary given 15 s): nothing the test set was loosened. Shown, not judged.
      const firstBound = timeoutBefore === undefined && change.runnerTimeoutRemoved === undefined;
      findings.push({
        messageId: firstBound ? 'timeoutSet' : 'timeoutRaised',
        node: timeoutAfter.node,
        side: 'head',
        severity: firstBound ? 'info' : 'medium',
        key: 'timeout',
        data: {
          change: `from ${timeoutBefore ? `${timeoutBefore.ms} ms` : `the default ${baseline} ms`} to ${timeoutAfter.ms} ms`,
        },
        evidence: { from: baseline, to: timeoutAfter.ms },
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

/** Names too common to tell which code a test exercises. */
const COMMON_CALL =
  /^(?:get|set|has|add|delete|push|pop|map|filter|reduce|forEach|find|some|every|join|split|slice|then|catch|finally|resolve|reject|all|call|apply|bind|on|once|emit|send|end|close|open|listen|log|toString|keys|values|entries|from|of|stringify|parse|assign|create|includes|run|init|next|done|it|test|describe|expect|assert|require)$/;

/**
 * The assertions of a test, with those of the assertion helpers it calls from other test files of the head
 * (the PR's files and the unchanged ones they import) read in place of the opaque call.
 */
function assertionsOf(guardrail: Guardrail, pr: PullRequestView): Assertion[] {
  const reading = readings.get(guardrail);
  if (!reading) return [];
  const out: Assertion[] = [];
  const resolved = new Set<string>();
  for (const name of [...reading.foreign, ...reading.calls]) {
    const targets = pr.unitsNamed(name).filter((u) => u.kind !== 'call' && u.kind !== 'module' && u.kind !== 'class' && pr.isTest(u.file));
    if (targets.length === 0 || targets.length > 2) continue;
    resolved.add(name);
    for (const target of targets)
      out.push(...readAssertions(target.node, target.sourceFile).checks.map((c) => ({ ...c, viaHelper: true })));
  }
  for (const check of reading.checks) if (!(check.family === 'helper' && resolved.has(check.subject))) out.push(check);
  return out;
}

/** The function a subject calls first: `total` of `total([{price:1}])`. */
function callOf(subject: string): string {
  return /^[\w$.]+(?=\()/.exec(subject)?.[0] ?? subject;
}

/** An expected value that names something particular: not `true`, `1`, `null`, `''` or a bare variable. */
function isSpecific(expected: string): boolean {
  return (expected.length >= 3 && !/^(?:true|false|null|undefined|NaN|[\w$]+)$/.test(expected)) || /^\d{3,}$/.test(expected);
}

/** Whether `path` reads a part of `whole`: `res.body.name` of `res.body`, `rows[0]` of `rows`. */
function isPartOf(whole: string, path: string): boolean {
  return whole !== '' && path.length > whole.length && path.startsWith(whole) && /^[.[]/.test(path.slice(whole.length));
}

/**
 * Whether the head test still checks what `check` checked: the same assertion in any style; the same subject
 * checked again (its expected value rewritten, a presence check made exact); the field merged into a
 * structural match or a snapshot of the object holding it (or the reverse); a failure idiom swapped for
 * another (`expect().fail()` → `done(new Error())`, a try/fail → `toThrow`).
 */
function keptBy(check: Assertion, now: Assertion[], was: Set<string>): boolean {
  return now.some((n) => {
    if (n.key === check.key) return true;
    // The error caught from a call and then checked, now checked as that call's rejection or throw.
    if (check.thrownBy && n.family === 'throw' && check.thrownBy.includes(callOf(n.subject))) return true;
    if (check.family === 'fail') return n.family === 'fail' || n.family === 'throw';
    // The same expected value (an error message, a status) checked by a new assertion of a reshaped subject:
    // `response.statusCode` became `response.status`. An assertion the test already made is another case.
    if (
      !was.has(n.key) &&
      n.family === check.family &&
      n.negated === check.negated &&
      isSpecific(check.expected) &&
      n.expected === check.expected
    )
      return true;
    // A throw checked of the same call, in a helper whose parameters give its arguments now.
    if (check.family === 'throw')
      return (
        (n.family === 'throw' &&
          (n.subject === check.subject || check.subject === '' || (n.viaHelper && callOf(n.subject) === callOf(check.subject)))) ||
        (n.family === 'fail' && n.guards)
      );
    if (check.subject === '') return false;
    if (n.subject === check.subject || n.resolved === check.resolved)
      return check.family === 'presence' || n.family === check.family || (checksValue(n.family) && checksValue(check.family));
    // A whole-object match (`toMatchObject`, a snapshot, `toEqual` of an object literal) checks every field of
    // its subject; an equality with another object checks the fields compared with that object's:
    // `expect(stage.from).toBe(reference.from)` is part of `expect(stage).toEqual(reference)`, `toBe(3)` is not.
    const structural =
      n.family === 'structural' ||
      (n.family === 'equal' && !n.negated && (/^[{[]/.test(n.expected) || isPartOf(n.expected, check.expected)));
    return (
      (structural && (isPartOf(n.subject, check.subject) || isPartOf(n.resolved, check.resolved))) ||
      (check.family === 'structural' &&
        n.family !== 'presence' &&
        (isPartOf(check.subject, n.subject) || isPartOf(check.resolved, n.resolved)))
    );
  });
}

interface KeyCounts {
  base: Map<string, number>;
  head: Map<string, number>;
  /** Subjects the PR's tests check in a new way that is not a throw: a call that used to be expected to fail. */
  newlyChecked: Set<string>;
}
const keyCountsOf = new WeakMap<PullRequestView, KeyCounts>();

/** In how many tests of the changed test code each assertion is made, before and after the PR. */
function keyCounts(pr: PullRequestView): KeyCounts {
  let counts = keyCountsOf.get(pr);
  if (!counts) {
    const count = (entries: readonly { guardrail: Guardrail }[]): Map<string, number> => {
      const out = new Map<string, number>();
      for (const { guardrail } of entries)
        for (const key of new Set((readings.get(guardrail)?.checks ?? []).map((c) => c.key))) out.set(key, (out.get(key) ?? 0) + 1);
      return out;
    };
    const base = count(pr.base);
    const head = count(pr.head);
    const newlyChecked = new Set<string>();
    for (const { guardrail } of pr.head)
      for (const check of readings.get(guardrail)?.checks ?? [])
        if (check.family !== 'throw' && check.family !== 'fail' && check.subject && (head.get(check.key) ?? 0) > (base.get(check.key) ?? 0))
          newlyChecked.add(check.subject);
    counts = { base, head, newlyChecked };
    keyCountsOf.set(pr, counts);
  }
  return counts;
}

/**
 * Whether an assertion a test no longer makes is made by as many tests of the PR as before: another test
 * took it over (a test split in two, an assertion moved into a sibling or into another test file). The same
 * text made by a test that already made it proves nothing: `expect(res.status).toBe(400)` of another case.
 */
function madeElsewhere(check: Assertion, pr: PullRequestView): boolean {
  const { base, head, newlyChecked } = keyCounts(pr);
  // An expected failure whose call the PR's tests now check for a result: the code supports the case now.
  if (check.family === 'throw' && newlyChecked.has(check.subject)) return true;
  const made = head.get(check.key) ?? 0;
  return made > 0 && made >= (base.get(check.key) ?? 0);
}

const lostOf = new WeakMap<Guardrail, Assertion[]>();

/**
 * The assertions a test made before that its head version no longer makes, and that no other test of the
 * PR makes either (a test split in two, assertions moved into a sibling or into another test file).
 */
function lostAssertions(before: Guardrail, after: Guardrail, pr: PullRequestView): Assertion[] {
  const cached = lostOf.get(before);
  if (cached) return cached;
  const was = assertionsOf(before, pr);
  const now = assertionsOf(after, pr);
  // A new helper that could not be read may hold the assertions that left: nothing can be said.
  const opaqueBefore = new Set(was.filter((c) => c.family === 'helper').map((c) => c.subject));
  const newOpaque = now.some((c) => c.family === 'helper' && !opaqueBefore.has(c.subject));
  const madeBefore = new Set(was.map((c) => c.key));
  // A rejection of the test's own promise is read as a failure idiom that keeps an `expect().fail()`, but not
  // as a check of its own that can be lost: tests rewritten from promises to `await` drop their reject calls.
  const lost = newOpaque ? [] : unique(was.filter((c) => !c.rejection && !keptBy(c, now, madeBefore) && !madeElsewhere(c, pr)));
  lostOf.set(before, lost);
  return lost;
}

function unique(checks: Assertion[]): Assertion[] {
  const seen = new Set<string>();
  return checks.filter((c) => !seen.has(c.key) && seen.add(c.key));
}

/** The names of what a test exercises, common ones left out. */
function exercised(reading: Reading): Set<string> {
  return new Set([...reading.calls].filter((n) => n.length >= 3 && !COMMON_CALL.test(n)));
}

/**
 * A new test in another test file of the PR that exercises mostly the same code (two names or more in
 * common, and at least 60% of what the deleted test called) with assertions of the same kinds, a
 * guardrail's among them if the deleted test checked one: the test was rewritten there. A test of the same
 * title in another file counts even when it is not new to the PR's pairing: tests of several files moved
 * into one shared suite (`behavesLikeACache(make)`) are paired with one of them, and stand for all.
 */
function replacedElsewhere(reading: Reading, missing: Assertion[], pr: PullRequestView, anchor: string): string | undefined {
  const mine = exercised(reading);
  if (mine.size === 0) return undefined;
  const families = new Set(missing.map((c) => c.family));
  const guards = missing.some((c) => c.guards);
  for (const entry of pr.head) {
    if (!(entry.added || entry.guardrail.anchor === anchor) || entry.unit.file === reading.unit.file || !pr.isTest(entry.unit.file))
      continue;
    const other = readings.get(entry.guardrail);
    if (!other || other.checks.length === 0) continue;
    const theirs = exercised(other);
    const shared = [...mine].filter((n) => theirs.has(n)).length;
    if (shared < Math.min(2, mine.size) || shared < 0.6 * mine.size) continue;
    if (!other.checks.some((c) => families.has(c.family))) continue;
    if (guards && !other.checks.some((c) => c.guards)) continue;
    return `${entry.guardrail.label} (${entry.unit.file})`;
  }
  return undefined;
}

/**
 * A sibling of the deleted test, in the same file and still in the head, that made every assertion the
 * deleted one made before the PR (the same subject, matcher and expected value): the deleted test was a
 * second copy of it (the promise-style twin of an async test). What the sibling checks now is the sibling's
 * own change, judged with it.
 */
function duplicateOfKeptSibling(lost: Guardrail, reading: Reading, missing: Assertion[], pr: PullRequestView): string | undefined {
  const keys = new Set(missing.map((c) => c.key));
  for (const { guardrail, unit } of pr.base) {
    // Rows of one `it.each` table share their assertions' text: they are one test's cases, not copies of it.
    const row = / \(row \d+\)$/;
    if (guardrail.node === lost.node || guardrail.anchor.replace(row, '') === lost.anchor.replace(row, '')) continue;
    if (unit.file !== reading.unit.file) continue;
    const other = readings.get(guardrail);
    if (!other || other.checks.length === 0) continue;
    const made = new Set(other.checks.map((c) => c.key));
    if (![...keys].every((k) => made.has(k))) continue;
    if (!pr.head.some((h) => h.guardrail.anchor === guardrail.anchor && h.unit.file === unit.file)) continue;
    // The same assertions over other data (a mock that answers two records instead of one) test another case:
    // a twin uses no value its sibling does not.
    const theirs = literalsOf(other.unit);
    if (![...literalsOf(reading.unit)].every((v) => theirs.has(v))) continue;
    return `${guardrail.label} (${unit.file}), which made the same assertions`;
  }
  return undefined;
}

/** The string and number literals a test's body writes (its title left out): the data it runs on. */
function literalsOf(unit: Unit): Set<string> {
  const out = new Set<string>();
  const title = ts.isCallExpression(unit.node) ? unit.node.arguments[0] : undefined;
  forEachNode(unit.node, (n) => {
    if (n === title) return;
    if (ts.isStringLiteralLike(n) || ts.isNumericLiteral(n)) out.add(n.text);
  });
  return out;
}

/** A title without a trailing counter: `closes a client` of `closes a client (2)` or `closes a client 2`. */
function titleStem(title: string): string {
  return title.replace(/\s*(?:\(\d+\)|#?\d+)$/, '');
}

/**
 * The head test of the same file titled as the deleted one without its trailing counter ("closes a client"
 * for "closes a client (2)"), changed or not, that exercises most of what the deleted one did: the deleted
 * test was a variant of it, and its subject is still tested there.
 */
function keptVariantOf(reading: Reading, pr: PullRequestView): string | undefined {
  const call = reading.unit.node;
  if (!ts.isCallExpression(call)) return undefined;
  const title = call.arguments[0];
  if (!title || !ts.isStringLiteralLike(title)) return undefined;
  const stem = titleStem(title.text);
  const callee = registrationCallee(reading.unit);
  if (stem === title.text || stem.length < 8 || !callee) return undefined;
  const mine = exercised(reading);
  if (mine.size === 0) return undefined;
  for (const unit of pr.unitsNamed(`${callee}(${JSON.stringify(stem)})`)) {
    if (unit.file !== reading.unit.file) continue;
    for (const guardrail of testsOf(unit)) {
      const other = readings.get(guardrail);
      if (!other) continue;
      const theirs = exercised(other);
      const shared = [...mine].filter((n) => theirs.has(n)).length;
      if (shared >= Math.min(2, mine.size) && shared >= 0.6 * mine.size) return `${guardrail.label} (${unit.file})`;
    }
  }
  return undefined;
}

/** A test of the head, in the same file and not retried itself, that exercises what the deleted test did and makes assertions. */
function foldedInto(reading: Reading, pr: PullRequestView): boolean {
  const mine = exercised(reading);
  if (mine.size === 0) return false;
  return pr.head.some(({ guardrail, unit }) => {
    const other = readings.get(guardrail);
    if (unit.file !== reading.unit.file || !other || other.checks.length === 0 || other.retried) return false;
    const theirs = exercised(other);
    // Two names in common: the timing machinery of the unreliable test (timers, sleeps) is what folding drops.
    return [...mine].filter((n) => theirs.has(n)).length >= Math.min(2, mine.size);
  });
}

/** The field a subject reads last: `name` of `res.body.name`, '' when it reads none. */
function lastField(subject: string): string {
  return /\.([A-Za-z_$][\w$]*)$/.exec(subject)?.[1] ?? '';
}

/**
 * Fields the base file declares in its types (members of type literals and interfaces, subjects of
 * `expectTypeOf(x.field)`) that the head file names nowhere.
 */
function fieldsGoneFromTypes(base: ts.SourceFile, head: ts.SourceFile): Set<string> {
  const declared = new Set<string>();
  forEachNode(base, (n) => {
    if (ts.isPropertySignature(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name))) declared.add(n.name.text);
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'expectTypeOf' && n.arguments[0]) {
      const field = lastField(fold(n.arguments[0].getText(base)));
      if (field) declared.add(field);
    }
  });
  if (declared.size === 0) return declared;
  forEachNode(head, (n) => {
    if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) declared.delete(n.text);
  });
  return declared;
}

/** '`expect(a).toBe(1)`', or the first two and how many more. */
function describeLost(lost: Assertion[]): string {
  const shown = lost.slice(0, 2).map((c) => `\`${c.text.length > 80 ? `${c.text.slice(0, 77)}...` : c.text}\``);
  return lost.length > 2 ? `${shown.join(', ')} and ${lost.length - 2} more` : shown.join(' and ');
}

/**
 * Reads a deleted or weakened test: kept elsewhere (its assertions made by other tests of the PR, or a new
 * test in another file exercising the same code), marked flaky (info), or about code the same PR changed
 * (info: a behaviour change, reviewed with the code), unless what it lost checked a guardrail's behaviour.
 */
function judgeTestLoss(lost: Guardrail, after: Guardrail | undefined, pr: PullRequestView): LossVerdict | undefined {
  const reading = readings.get(lost);
  if (!reading) return undefined;
  if (!after && reading.flaky) return { severity: 'info', evidence: { flaky: true } };
  // A test that needed retries, deleted while another test of its file still exercises the same code: the
  // unreliable test was folded into a deterministic one.
  if (!after && reading.retried && foldedInto(reading, pr)) return { severity: 'info', evidence: { flaky: true, retried: true } };
  const missing = after ? lostAssertions(lost, after, pr) : unique(assertionsOf(lost, pr).filter((c) => !madeElsewhere(c, pr)));
  // Rows dropped from one end of an `it.each` table that expect what the row now at that end expects (the
  // oldest versions of a range dropped with their support): that outcome stays tested, on fewer inputs.
  if (!after && / \(row \d+\)$/.test(lost.anchor)) {
    const dropped = rowsDroppedWithTheirOutcomeKept(lost, reading, pr);
    if (dropped) return { severity: 'low', evidence: { droppedRows: dropped } };
  }
  if (!after) {
    // A numbered variant of a test the file keeps ("closes a client (2)" beside "closes a client"), exercising
    // the same code: the subject is still tested by the test it was a variant of.
    const sibling = keptVariantOf(reading, pr);
    if (sibling) return { kept: sibling };
  }
  if (!after && reading.checks.length > 0) {
    if (missing.length === 0) return { kept: 'other tests of the pull request, which make the same assertions' };
    const replacement = replacedElsewhere(reading, missing, pr, lost.anchor);
    if (replacement) return { kept: replacement };
    const duplicated = duplicateOfKeptSibling(lost, reading, missing, pr);
    if (duplicated) return { kept: duplicated };
  }
  // A test that asserts nothing (it calls the code and lets the compiler or a throw speak) checked no value:
  // deleting it loses at most a smoke test. Shown as context.
  if (!after && reading.checks.length === 0 && reading.foreign.size === 0) return { severity: 'info', evidence: { noAssertions: true } };
  const evidence = missing.length ? { lostAssertions: missing.slice(0, 5).map((c) => c.text.slice(0, 200)) } : {};
  // Checks of a field the test's own types stop declaring (a type literal's member, an `expectTypeOf` of it),
  // named nowhere in the head file: the field left the shape, and its checks went with it.
  if (after && missing.length > 0 && !missing.some((c) => c.guards)) {
    const gone = fieldsGoneFromTypes(lost.node.getSourceFile(), after.node.getSourceFile());
    if (missing.every((c) => gone.has(lastField(c.subject))))
      return { severity: 'info', evidence: { ...evidence, fieldsRemoved: [...new Set(missing.map((c) => lastField(c.subject)))] } };
  }
  // Checks that read only constants the test file binds to a literal (`expect(typeof HASH).toBe('string')`
  // after `const HASH = 'sha256:x'`) test the test's own data, not the code, and checks of a package
  // manifest (two packages released at the same version) test the release: losing them loses no check of it.
  if (missing.length > 0 && !missing.some((c) => c.guards)) {
    const literals = literalConstantsOf(lost.node.getSourceFile());
    const manifests = manifestBindingsOf(lost.node.getSourceFile());
    const readsOnly = (c: Assertion): boolean => {
      // The subject's text has its whitespace folded: `typeof HASH` reads `typeofHASH`.
      // A version or a field of a package manifest, read directly or through a name bound to it: release metadata.
      if (MANIFEST_READ.test(c.subject) || manifests.has(/^[A-Za-z_$][\w$]*/.exec(c.subject)?.[0] ?? '')) return true;
      const read = c.subject.replace(/^typeof(?=[A-Za-z_$])/, '').match(/[A-Za-z_$][\w$]*/g) ?? [];
      return read.length > 0 && read.every((n) => literals.has(n));
    };
    if (missing.every(readsOnly)) return { severity: 'info', evidence: { ...evidence, checksOfTestData: true } };
  }
  const names = new Set([...exercised(reading), ...missing.flatMap((c) => c.names)]);
  // A test of code the PR changed, rewritten with it or deleted while another test of the PR still exercises
  // that code: a behaviour change, reviewed with the code. Deleted as the only test of changed code, it stays.
  const stillTested = (name: string): boolean =>
    after !== undefined || pr.head.some((entry) => readings.get(entry.guardrail)?.calls.has(name) === true);
  const changed = [...names].filter((n) => pr.changedCode.has(n) && !COMMON_CALL.test(n) && stillTested(n));
  if (changed.length > 0 && !missing.some((c) => c.guards))
    return { severity: 'info', evidence: { ...evidence, behaviourChanged: changed.slice(0, 5) } };
  // Checks of single elements of a collection (`responses[0].status`) replaced by checks of the collection
  // as a whole (`fulfilled.length` of `responses.filter(…)`): what each element is stays checked, only not
  // their order, the usual way to stabilise a test whose order depends on timing.
  if (after && missing.length > 0) {
    const collection = elementsCheckedAsAWhole(missing, after, pr);
    if (collection)
      return { severity: 'low', evidence: { ...evidence, elementsCheckedAsAWhole: collection }, data: { change: describeLost(missing) } };
  }
  return after && missing.length ? { evidence, data: { change: describeLost(missing) } } : { evidence };
}

/**
 * The collection whose elements the lost checks read one by one (`responses` of `responses[0].status`), when
 * the head test checks that collection as a whole instead: a new assertion of the collection itself
 * (`responses.length`) or of a value the test derives from it (`const ok = responses.filter(…)`).
 */
function elementsCheckedAsAWhole(missing: Assertion[], after: Guardrail, pr: PullRequestView): string | undefined {
  const collections = new Set(missing.map((c) => /^([\w$.]+)\[\d+\]/.exec(c.subject)?.[1]));
  if (collections.size !== 1) return undefined;
  const collection = [...collections][0];
  if (collection === undefined) return undefined;
  const reads = (text: string): boolean => text.startsWith(`${collection}.`) && !/^[\w$.]+\[\d+\]/.test(text);
  // What the head derives from the collection, by name: `fulfilled` of `const fulfilled = responses.filter(…)`.
  const derived = new Map<string, string>();
  forEachNode(after.node, (n) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      const init = fold(n.initializer.getText());
      if (reads(init)) derived.set(n.name.text, init);
    }
  });
  const was = new Set(missing.map((c) => c.key));
  // The whole-collection checks, with what they read: each lost expected value must be among it, so that
  // `responses.length` alone (how many, not what they are) does not stand for the element checks.
  const wholeChecks = assertionsOf(after, pr)
    .filter((n) => !was.has(n.key))
    .map((n) => (reads(n.subject) ? n.subject : derived.get(/^[\w$]+/.exec(n.subject)?.[0] ?? '')))
    .filter((text): text is string => text !== undefined);
  if (wholeChecks.length === 0) return undefined;
  const read = wholeChecks.join(' ');
  return missing.every((c) => c.expected !== '' && read.includes(c.expected)) ? collection : undefined;
}

/** A read of a package manifest: `require('../package')`, `require('pkg/package.json').version`. */
const MANIFEST_READ = /\brequire\(\s*['"`][^'"`]*\bpackage(?:\.json)?['"`]\s*\)/;

/** Names a file binds with `const` to a literal (a string, a number, a boolean, a template without substitutions). */
function literalConstantsOf(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  forEachNode(sf, (node) => {
    if (!ts.isVariableDeclaration(node) || !ts.isIdentifier(node.name) || !node.initializer) return;
    if (!ts.isVariableDeclarationList(node.parent) || !(node.parent.flags & ts.NodeFlags.Const)) return;
    const value = node.initializer;
    if (
      ts.isStringLiteralLike(value) ||
      ts.isNumericLiteral(value) ||
      value.kind === ts.SyntaxKind.TrueKeyword ||
      value.kind === ts.SyntaxKind.FalseKeyword
    )
      names.add(node.name.text);
  });
  return names;
}

/**
 * Names a file binds to what a package manifest holds (`const version = require('../package').version`,
 * `import pkg from '../package.json'`): release metadata, not code.
 */
function manifestBindingsOf(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  forEachNode(sf, (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && /\bpackage\.json$/.test(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      if (clause?.name) names.add(clause.name.text);
      if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) names.add(clause.namedBindings.name.text);
    } else if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      MANIFEST_READ.test(node.initializer.getText(sf))
    )
      names.add(node.name.text);
  });
  return names;
}

/** One guardrail per test that runs: the test itself, with its number of assertions as strength. */
function testsOf(unit: Unit): Guardrail[] {
  const callee = registrationCallee(unit);
  if (!callee) return [];
  const root = /^[\w$]+/.exec(callee)?.[0] ?? '';
  if (SUITE_CALL.test(root)) return generatedTestsOf(unit, callee);
  if (!TEST_CALL.test(root)) return [];
  // A test skipped before the PR guarded nothing: deleting it is cleanup. Skipped after the PR, it keeps its
  // guardrail so that the skip is reported once, as a skip (by inspect), not also as a deletion.
  if (SKIPPED.test(callee) && unit.side === 'base') return [];
  const title = (unit.node as ts.CallExpression).arguments[0];
  const name = title && (ts.isStringLiteral(title) || ts.isNoSubstitutionTemplateLiteral(title)) ? title.text : unit.name;
  const counted = countAssertions(unit);
  // A test that only registers subtests (tap's `t.test`, node's `await t.test`) is a suite: its subtests are
  // tests of their own, paired and judged on their own, and it checks nothing itself.
  if (counted.checks.length === 0 && registersSubtests(unit)) return [];
  const written = unit.node.getFullText(unit.sourceFile);
  const flaky = FLAKY.test(name) || FLAKY_COMMENT.test(written);
  const retried = RETRIED.test(written);
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
      strength: counted.checks.length,
      stronger: 'higher',
      checks: counted.checks,
    };
    readings.set(guardrail, { unit, checks: counted.checks, foreign: counted.foreign, calls: counted.calls, flaky, retried });
    return guardrail;
  });
}

/**
 * The tests a suite registers in a loop (`for (const c of cases) it(c.name, …)`), whose titles are not
 * written out, so that they are not units of their own: one guardrail for all of them, read as one test.
 */
function generatedTestsOf(unit: Unit, callee: string): Guardrail[] {
  if (SKIPPED.test(callee) && unit.side === 'base') return [];
  const generated: ts.CallExpression[] = [];
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || !TEST_CALL.test(node.expression.text)) return;
    const title = node.arguments[0];
    if (title && !ts.isStringLiteralLike(title) && node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a)))
      generated.push(node);
  });
  if (generated.length === 0) return [];
  const read = generated.map((node) => readAssertions(node, unit.sourceFile));
  const checks = read.flatMap((r) => r.checks);
  const guardrail: Guardrail = {
    category: 'test-weakening',
    kind: 'test',
    anchor: `tests generated in ${unit.name}`,
    label: `the tests generated in ${unit.name}`,
    node: generated[0]!,
    strength: checks.length,
    stronger: 'higher',
    checks,
  };
  readings.set(guardrail, {
    unit,
    checks,
    foreign: new Set(read.flatMap((r) => [...r.foreign])),
    calls: new Set(read.flatMap((r) => [...r.calls])),
    flaky: false,
    retried: false,
  });
  return [guardrail];
}

/** The rows of an `it.each([...])` table, each as its values' folded texts; undefined for other registrations. */
function eachTable(call: ts.Node): string[][] | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const callee = call.expression;
  if (!ts.isCallExpression(callee) || !ts.isPropertyAccessExpression(callee.expression) || callee.expression.name.text !== 'each')
    return undefined;
  const table = callee.arguments[0];
  if (!table || !ts.isArrayLiteralExpression(table)) return undefined;
  return table.elements.map((row) =>
    ts.isArrayLiteralExpression(row)
      ? row.elements.map((e) => fold(e.getText()))
      : ts.isObjectLiteralExpression(row)
        ? row.properties.map((p) => fold(ts.isPropertyAssignment(p) ? p.initializer.getText() : p.getText()))
        : [fold(row.getText())],
  );
}

/**
 * The rows the head's table of a test dropped (their texts), when the table lost its first or last rows only
 * and each of them expects the outcome (its last value) that the row now at that end expects: a range
 * trimmed at one end, its outcome still tested. Undefined otherwise, or when rows were added or changed.
 */
function rowsDroppedWithTheirOutcomeKept(lost: Guardrail, reading: Reading, pr: PullRequestView): string[] | undefined {
  const before = eachTable(reading.unit.node);
  if (!before) return undefined;
  const title = lost.anchor.replace(/ \(row \d+\)$/, '');
  const rowText = (row: string[]): string => row.join(',');
  const was = new Set(before.map(rowText));
  // The same table in the head: a test of the same title in the same file whose rows are all rows of the base's.
  for (const { guardrail, unit } of pr.head) {
    if (unit.file !== reading.unit.file || guardrail.anchor.replace(/ \(row \d+\)$/, '') !== title) continue;
    const after = eachTable(unit.node);
    if (!after || after.length >= before.length || after.some((row) => !was.has(rowText(row)))) continue;
    // The rows kept are one run of the base's: the table lost its first or its last rows (a range trimmed at
    // one end), and those expect what the row now at that end expects.
    const start = before.findIndex((row) => rowText(row) === rowText(after[0]!));
    if (start < 0 || after.some((row, i) => rowText(row) !== rowText(before[start + i] ?? []))) continue;
    const end = start + after.length;
    if (start > 0 && end < before.length) continue;
    const dropped = start > 0 ? before.slice(0, start) : before.slice(end);
    const edge = start > 0 ? after[0]! : after[after.length - 1]!;
    const outcome = (row: string[]): string | undefined => (row.length >= 2 ? row[row.length - 1] : undefined);
    return outcome(edge) !== undefined && dropped.every((row) => outcome(row) === outcome(edge))
      ? dropped.map((row) => `[${row.join(', ')}]`)
      : undefined;
  }
  return undefined;
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

/** Assertions a test makes, following assertion helpers declared in the same file; those of its subtests are theirs. */
function countAssertions(unit: Unit): { checks: Assertion[]; foreign: Set<string>; calls: Set<string> } {
  return readAssertions(unit.node, unit.sourceFile, subtestsOf(unit));
}

/** The test registrations written inside a test (`t.test('x', …)`, `test('x', …)` in its body): subtests. */
function subtestsOf(unit: Unit): ts.Node[] {
  const found: ts.Node[] = [];
  forEachNode(unit.node, (node) => {
    if (node === unit.node || !ts.isCallExpression(node)) return;
    const callee = node.expression.getText(unit.sourceFile);
    const root = /^(?:[\w$]+\.)?([\w$]+)/.exec(callee)?.[1] ?? '';
    const title = node.arguments[0];
    if (
      (TEST_CALL.test(root) || SUITE_CALL.test(root)) &&
      title &&
      ts.isStringLiteralLike(title) &&
      node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))
    )
      found.push(node);
  });
  return found;
}

function registersSubtests(unit: Unit): boolean {
  return subtestsOf(unit).length > 0;
}

/**
 * The assertions written in a piece of test code, following helpers declared in the same file (three calls
 * deep). A call of an assertion helper whose body is not here (`expectValidInvoice(res)`) is one opaque
 * assertion, named by the helper; `calls` lists the other functions it calls, where helpers may be read.
 */
function readAssertions(
  root: ts.Node,
  sf: ts.SourceFile,
  subtests: readonly ts.Node[] = [],
): { checks: Assertion[]; foreign: Set<string>; calls: Set<string> } {
  const local = localFunctions(sf);
  const inSubtest = (node: ts.Node): boolean => subtests.some((t) => node.pos >= t.pos && node.end <= t.end);
  const foreign = new Set<string>();
  const calls = new Set<string>();
  const checks: Assertion[] = [];
  const countIn = (visitAll: (visit: (node: ts.Node) => void) => void, depth: number): void => {
    visitAll((node) => {
      if (ts.isNewExpression(node)) {
        const name = calleeSimpleName(node.expression);
        if (name) calls.add(name);
        return;
      }
      if (!ts.isCallExpression(node)) return;
      if (depth === 0 && inSubtest(node)) return;
      if (isAssertion(node) || isFailure(node)) {
        // `expect().fail()` is read once, from its outer call.
        if (ts.isPropertyAccessExpression(node.parent) && node.parent.name.text === 'fail' && node.arguments.length === 0) return;
        if (assertsNoError(node)) return;
        const check = readAssertion(node, sf, depth > 0);
        // `expect(fn).not.toThrow()`, or a failure in a catch: the same check as letting the call throw.
        if ((check.family === 'throw' && check.negated) || (check.family === 'fail' && insideCatch(node))) return;
        checks.push(check);
        return;
      }
      const name = calleeSimpleName(node.expression) ?? '';
      const helper = ts.isIdentifier(node.expression) ? local.get(name) : undefined;
      if (helper && depth < 3) countIn((visit) => forEachNode(helper, visit), depth + 1);
      else if (ASSERTION_HELPER.test(name)) {
        checks.push(helperCheck(node, name, sf));
        if (!helper) foreign.add(name);
      } else if (name && !helper) calls.add(name);
    });
  };
  // The whole test body counts, functions declared in it included (`const mock = (url) => { expect(url)… }`
  // is a unit of its own for the engine, but its assertions are the test's).
  countIn((visit) => forEachNode(root, visit), 0);
  return { checks, foreign, calls };
}

/**
 * One assertion, read: what it checks (its subject, normalised), how (the matcher's family: equality, a
 * structural match, mere presence, a throw, a failure, a call count…), against what, and whether it checks
 * a guardrail's behaviour (a rejection, an error status, a call count, a retry, a limit). Two assertions
 * with the same `key` check the same thing, whatever their style (`assert.equal`, `expect().toBe`, `t.is`).
 */
interface Assertion {
  text: string;
  names: string[];
  subject: string;
  /** The subject with the local variables it reads through spelled out (`body.name` → `res.json().name`). */
  resolved: string;
  family: string;
  expected: string;
  negated: boolean;
  key: string;
  guards: boolean;
  /** Written in a helper the test calls, where its arguments are the helper's parameters. */
  viaHelper: boolean;
  /** A rejection of the promise the test returns: keeps a failure idiom, is not a check that can be lost. */
  rejection?: boolean;
  /** When the subject is an error caught from calls (`catch (e) { thrown = e }`), those calls: `emitMigration`. */
  thrownBy?: string[];
}

/** Matchers by family, names folded (`toStrictEqual` → `strictequal`). */
const EQUALITY = new Set([
  'be',
  'equal',
  'equals',
  'eq',
  'eql',
  'strictequal',
  'deepequal',
  'deepstrictequal',
  'is',
  'same',
  'strictsame',
  'looseequal',
]);
const STRUCTURAL = new Set([
  'matchobject',
  'matchsnapshot',
  'matchinlinesnapshot',
  'like',
  'containsubset',
  'deepinclude',
  'include',
  'containequal',
  'haveproperties',
]);
const PRESENCE = new Set(['bedefined', 'betruthy', 'truthy', 'ok', 'exist', 'exists', 'true', 'beok']);
const THROWS = new Set([
  'throw',
  'throws',
  'throwerror',
  'rejects',
  'rejected',
  'rejectedwith',
  'throwsasync',
  'berejected',
  'berejectedwith',
  'throwerrormatchingsnapshot',
  'throwerrormatchinginlinesnapshot',
]);
const CALL_COUNT = /^(?:havebeencalledtimes|calledtimes|calledonce|calledtwice|calledthrice|callcount|havebeencalledonce)$/;
const CALLED = /^(?:havebeen|have)?(?:called|lastcalled|nthcalled)\w*$/;
/** Chain words that only make an assertion read well: `expect(x).to.be.deep.equal(y)`. */
const FILLER = new Set([
  'to',
  'be',
  'been',
  'is',
  'that',
  'which',
  'and',
  'has',
  'have',
  'with',
  'at',
  'of',
  'same',
  'but',
  'does',
  'still',
  'deep',
  'an',
  'a',
  'should',
  'resolves',
  'eventually',
  'soft',
  'strict',
]);
/** Names that say an assertion is about a guardrail's behaviour. */
const GUARD_WORD =
  /retr(?:y|ies)|attempt|timeout|timed?out|limit|throttl|reject|invalid|unauthori[sz]ed|forbidden|denied|expired?\b|too ?many|not ?allowed/i;

function fold(text: string): string {
  return text
    .replace(/\s+/g, '')
    .replace(/"/g, "'")
    .replace(/\?\./g, '.')
    .replace(/^await/, '');
}

/** `() => parse(x)`, `async () => { await parse(x); }` and `parse(x)` name the same subject. */
function foldSubject(text: string): string {
  return fold(text)
    .replace(/^(?:async)?\(\)=>\{?(?:return)?(?:await)?/, '')
    .replace(/;?\}$/, '')
    .replace(/!$/, '');
}

/**
 * A subject, folded, with a local alias it reads through spelled out: `body.name` after
 * `const body = res.json()` is `res.json().name`, the field of what a structural match may check whole.
 */
function resolvedSubject(node: ts.Expression, sf: ts.SourceFile): string {
  let text = foldSubject(node.getText(sf));
  let scope: ts.Node | undefined = node.parent;
  while (scope && !ts.isFunctionLike(scope)) scope = scope.parent;
  if (!scope) return text;
  const seen = new Set<string>();
  for (let step = 0; step < 3; step++) {
    const root = /^[\w$]+(?=[.[(]|$)/.exec(text)?.[0];
    if (!root || seen.has(root)) break;
    seen.add(root);
    let alias: string | undefined;
    forEachNode(scope, (n) => {
      if (alias === undefined && ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === root && n.initializer)
        alias = fold(n.initializer.getText(sf));
    });
    if (!alias || alias.length > 120 || alias.includes('=>')) break;
    text = `${alias}${text.slice(root.length)}`;
  }
  return text;
}

function familyOf(matcher: string, words: string[]): string {
  const m = matcher.replace(/^to(?=[A-Z])/, '').toLowerCase();
  if (words.includes('rejects') || words.includes('rejected') || THROWS.has(m)) return 'throw';
  if (m === 'fail') return 'fail';
  if (EQUALITY.has(m)) return 'equal';
  if (STRUCTURAL.has(m)) return 'structural';
  if (PRESENCE.has(m)) return 'presence';
  if (CALL_COUNT.test(m)) return 'calltimes';
  if (CALLED.test(m)) return 'called';
  return m;
}

/** Families that check what a value is, rather than that something threw, failed or was called. */
function checksValue(family: string): boolean {
  return !['throw', 'fail', 'called', 'calltimes', 'presence', 'helper'].includes(family);
}

/** Reads an assertion call (`expect(x).not.toBe(1)`, `assert.equal(a, b)`, `t.is(a, b)`, `done(new Error())`). */
function readAssertion(call: ts.CallExpression, sf: ts.SourceFile, viaHelper = false): Assertion {
  const { text, names, whole } = assertionCheck(call, sf);
  let subject = '';
  let resolved = '';
  let expected = '';
  let family: string;
  let negated = false;
  let thrownBy: string[] | undefined;
  if (isFailure(call)) family = 'fail';
  else if (ts.isIdentifier(call.expression) && call.expression.text !== 'assert') {
    // expect(x)…: the words of the chain outward from the call, the last call's arguments as expected.
    subject = call.arguments[0] ? foldSubject(call.arguments[0].getText(sf)) : '';
    resolved = call.arguments[0] ? resolvedSubject(call.arguments[0], sf) : '';
    thrownBy = call.arguments[0] ? caughtFrom(call.arguments[0], sf) : undefined;
    const words: string[] = [];
    let matcherArgs: readonly ts.Expression[] = [];
    for (let node: ts.Node = call; node !== whole; node = node.parent) {
      const parent = node.parent;
      if (ts.isPropertyAccessExpression(parent)) words.push(parent.name.text);
      else if (ts.isCallExpression(parent)) matcherArgs = parent.arguments;
    }
    negated = words.includes('not');
    const meaningful = words.filter((w) => w !== 'not' && !FILLER.has(w));
    const matcher = meaningful[meaningful.length - 1] ?? words[words.length - 1] ?? 'expect';
    family = familyOf(matcher, words);
    expected = matcherArgs.map((a) => fold(a.getText(sf))).join(',');
  } else {
    // assert(x), assert.equal(a, b, message), t.is(a, b), sinon.assert.calledWith(spy, 1)
    const matcher = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : 'ok';
    negated = /^not[A-Z]/.test(matcher);
    family = familyOf(negated ? matcher.slice(3) : matcher, []);
    const [first, second] = call.arguments;
    subject = first ? foldSubject(first.getText(sf)) : '';
    resolved = first ? resolvedSubject(first, sf) : '';
    thrownBy = first ? caughtFrom(first, sf) : undefined;
    // The second argument is the expected value, or for a throw what the error must match; a message otherwise.
    expected = family !== 'presence' && second ? fold(second.getText(sf)) : '';
  }
  if (family === 'fail') subject = resolved = expected = '';
  const status = /^[45]\d\d$/.test(expected) || /(?:status|code)\w*,[45]\d\d\b/i.test(`${subject},${expected}`);
  const counted = family === 'calltimes' && (/^(?:[2-9]|\d\d+)$/.test(expected) || /calledtwice|calledthrice/i.test(text));
  const guards =
    family === 'throw' || (family === 'fail' && insideTry(call)) || status || counted || GUARD_WORD.test(`${subject} ${expected}`);
  const key = `${family}|${negated}|${subject}|${expected}`;
  // reject(new Error('…')) of the test's promise: the callee is the executor's parameter, not done or fail.
  const rejection = family === 'fail' && ts.isIdentifier(call.expression) && !/^(?:done|fail)$/.test(call.expression.text);
  return {
    text,
    names,
    subject,
    resolved,
    family,
    expected,
    negated,
    key,
    guards,
    viaHelper,
    ...(thrownBy ? { thrownBy } : {}),
    ...(rejection ? { rejection } : {}),
  };
}

/**
 * The calls whose error a subject holds: `thrown` after `try { await emit(dir) } catch (e) { thrown = e }`,
 * `err` of `catch (err)`, `error` of `const error = await emit(dir).catch((e) => e)`; undefined otherwise.
 */
function caughtFrom(subject: ts.Expression, sf: ts.SourceFile): string[] | undefined {
  let e: ts.Expression = subject;
  while (
    ts.isPropertyAccessExpression(e) ||
    ts.isElementAccessExpression(e) ||
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isTypeAssertionExpression(e)
  )
    e = e.expression;
  if (!ts.isIdentifier(e)) return undefined;
  const name = e.text;
  let scope: ts.Node | undefined = subject.parent;
  while (scope && !ts.isFunctionLike(scope)) scope = scope.parent;
  if (!scope) return undefined;
  const calls = new Set<string>();
  const callsIn = (node: ts.Node): void =>
    forEachNode(node, (n) => {
      if (ts.isCallExpression(n)) calls.add(callOf(foldSubject(n.getText(sf))));
    });
  forEachNode(scope, (n) => {
    if (ts.isCatchClause(n) && n.variableDeclaration && ts.isIdentifier(n.variableDeclaration.name)) {
      const caught = n.variableDeclaration.name.text;
      let holds = caught === name;
      forEachNode(n.block, (m) => {
        if (
          ts.isBinaryExpression(m) &&
          m.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
          ts.isIdentifier(m.left) &&
          m.left.text === name &&
          ts.isIdentifier(m.right) &&
          m.right.text === caught
        )
          holds = true;
      });
      if (holds) callsIn(n.parent.tryBlock);
    }
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) {
      let init: ts.Expression = n.initializer;
      if (ts.isAwaitExpression(init)) init = init.expression;
      if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && init.expression.name.text === 'catch')
        callsIn(init.expression.expression);
    }
  });
  return calls.size > 0 ? [...calls] : undefined;
}

/** A call of an assertion helper whose body is not read: one assertion, named by the helper and its arguments. */
function helperCheck(call: ts.CallExpression, name: string, sf: ts.SourceFile): Assertion {
  const { text, names } = assertionCheck(call, sf);
  const args = call.arguments.map((a) => fold(a.getText(sf))).join(',');
  return {
    text,
    names,
    subject: name,
    resolved: name,
    family: 'helper',
    expected: args,
    negated: false,
    key: `helper|false|${name}|${args}`,
    guards: GUARD_WORD.test(name),
    viaHelper: false,
  };
}

/** `assert.fail()`, `t.fail()`, `expect().fail()`, `done(new Error(…))`: the test fails when this runs. */
function isFailure(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee) && (callee.text === 'done' || rejectsTheTest(callee))) {
    const first = call.arguments[0];
    // done(err) passes an error on (a "no error" check); done(new Error('…')) and done('…') fail the test, as
    // does reject(new Error('…')) in the promise the test returns or awaits.
    return first !== undefined && (ts.isNewExpression(first) || ts.isStringLiteralLike(first) || ts.isCallExpression(first));
  }
  // jest's and jasmine's fail('…') and done.fail('…')
  if (ts.isIdentifier(callee) && callee.text === 'fail') return true;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'fail') return false;
  const receiver = callee.expression;
  return (
    (ts.isIdentifier(receiver) && /^(?:assert|t|chai|done)$/.test(receiver.text)) ||
    (ts.isCallExpression(receiver) &&
      ts.isIdentifier(receiver.expression) &&
      receiver.expression.text === 'expect' &&
      receiver.arguments.length === 0) ||
    (ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'assert')
  );
}

/**
 * Whether `name` is the reject parameter of a promise the test itself returns or awaits
 * (`return new Promise((resolve, reject) => …)`): rejecting it fails the test. A promise a mock hands back
 * (`mockImplementation(() => new Promise((_, reject) => …))`) is not awaited by the test, and is not one.
 */
function rejectsTheTest(name: ts.Identifier): boolean {
  let executor: ts.Node | undefined = name.parent;
  while (executor && !ts.isFunctionLike(executor)) executor = executor.parent;
  for (; executor; executor = executor.parent) {
    if (!ts.isArrowFunction(executor) && !ts.isFunctionExpression(executor)) continue;
    const param = executor.parameters[1];
    if (!param || !ts.isIdentifier(param.name) || param.name.text !== name.text) continue;
    const promise = executor.parent;
    if (!ts.isNewExpression(promise) || promise.expression.getText() !== 'Promise' || promise.arguments?.[0] !== executor) return false;
    const holder = promise.parent;
    if (!ts.isReturnStatement(holder) && !ts.isAwaitExpression(holder) && !ts.isArrowFunction(holder)) return false;
    let test: ts.Node | undefined = holder;
    while (test && !ts.isFunctionLike(test)) test = test.parent;
    const registration = test?.parent;
    return (
      registration !== undefined &&
      ts.isCallExpression(registration) &&
      TEST_CALL.test(/^[\w$]+/.exec(registration.expression.getText())?.[0] ?? '')
    );
  }
  return false;
}

/** Whether a node lies in the try block of a try statement (before the call that should have thrown). */
function insideTry(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent && !ts.isSourceFile(n.parent); n = n.parent) {
    if (ts.isTryStatement(n.parent) && n.parent.tryBlock === n) return true;
  }
  return false;
}

/** Whether a node lies in a catch clause or a `.catch(…)` callback: where an error is handled. */
function insideCatch(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent && !ts.isSourceFile(n.parent); n = n.parent) {
    if (ts.isCatchClause(n.parent)) return true;
    const parent = n.parent;
    if (ts.isCallExpression(parent) && parent.arguments.some((a) => a === n) && calleeSimpleName(parent.expression) === 'catch')
      return true;
  }
  return false;
}

/**
 * One assertion as a check: the whole assertion (`expect(x).toBe(1)`, not only `expect(x)`), its text with
 * spacing folded, and the names it reads (identifiers and name-like strings: `typeof reply.elapsed`).
 */
function assertionCheck(call: ts.CallExpression, sf: ts.SourceFile): { text: string; names: string[]; whole: ts.Node } {
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
  return { text: whole.getText(sf).replace(/\s+/g, ''), names: [...names], whole };
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

/** Every assertion written in a file, read as a test's are. */
function assertionsInFile(sf: ts.SourceFile): number {
  let total = totalsByFile.get(sf);
  if (total === undefined) {
    total = 0;
    forEachNode(sf, (node) => {
      if (ts.isCallExpression(node) && (isAssertion(node) || isFailure(node)) && !assertsNoError(node)) total!++;
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
    // jest.setTimeout(30_000), mocha's this.timeout(10_000), tap's t.setTimeout(60_000)
    if (/^(jest|vi|t)\.setTimeout$/.test(callee) || node.expression.getText(sf) === 'this.timeout') consider(node.arguments[0], node);
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
