import { ts } from '../../ts-morph-library.js';
import type { Category } from '../../model.js';
import type { Unit } from '../../parse/units.js';
import { foldWhitespace, lineOf, simpleName } from '../ast/text.js';
import { forEachNode } from '../ast/walk.js';
import { defineDetector, type PullRequestFinding, type WholeChange } from '../define-detector.js';
import { CALLER, OWNER_FIELD } from '../vocab/ownership.js';
import { RELEASE_CALL } from '../vocab/teardown.js';
import { registrationCallee, SKIPPED, TEST_CALL } from '../vocab/tests.js';

// A guardrail of a shape no dedicated detector knows still leaves a trace when a pull request removes it
// together with the test written for it: the test is deleted (or loses the assertions that pinned it), and
// the code it exercised loses lines. Those lines, read generically (a throw on a condition, a catch, a null
// test, a clamp, a release), are the protection the test pinned. The link between the two must be in the
// text: the test asserts the removed code's message, calls the changed function, or names what the removed
// condition reads. Anything else (a test of a feature the PR took out, a check moved elsewhere) stays quiet.

/** A statement that makes a test fail: how lost test lines are told from setup. */
const ASSERTING = /\bexpect\s*\(|\bassert\b|\bassert\.\w+\s*\(|\.should\b|\bt\.\w+\s*\(|\.to[A-Z]\w*\s*\(|\b(?:throws|rejects)\s*\(/;
/** Lines that say nothing on their own: braces, punctuation, comments. */
const FILLER = /^(?:[\s{}()[\];,]*|\/\/.*|\/\*.*|\*.*|(?:\}\s*)?else\s*\{?|try\s*\{)$/;
/** A line that decides: an `if`, a `case`, a ternary, a short-circuit. */
const CONDITION = /^(?:\}\s*)?(?:else\s+)?if\s*\(|^case\b|\s\?\s|&&|\|\||^while\s*\(/;
/** A line that refuses: a throw, a rejection, an error handed to a callback. */
const REFUSAL =
  /\bthrow\b|\breject\s*\(|\b(?:cb|callback|done|next)\s*\(\s*new\s|\breturn\s+new\s+\w*Error\b|\bPromise\.reject\s*\(|\breturn\s+\w+\s*\(\s*new\s+\w*Error\b/;
/** A rethrow of a caught error: `throw err`, `return reject(error)`. */
const RETHROW = /^(?:return\s+)?(?:throw\s+|reject\s*\(\s*)[\w$]+\s*\)?$/;
/** A line that leaves early: the rest of the function does not run for this case. */
const EXIT = /^(?:return|continue|break)\b/;
/** A line that handles a failure: a catch clause or a `.catch(` handler. */
const CATCH = /(?:^|\W)catch\s*(?:\(|\{)|\.catch\s*\(/;
/** A test for null or undefined, in any of its spellings (optional chains are read apart: see nullGuardsLost). */
const NULL_TEST =
  /\?\?|[!=]==?\s*(?:null|undefined)\b|\b(?:null|undefined)\s*[!=]==?|\btypeof\s+[\w$.[\]]+\s*[!=]==?\s*['"]undefined['"]|\|\|\s*(?:\{\}|\[\]|''|"")/g;
/** A bound on an amount: a clamp, or a comparison against a maximum or a limit. */
const LIMIT = /\bMath\.(?:min|max)\s*\(|\bclamp\w*\s*\(|\b(?:max|limit)\w*\s*[<>]=?|[<>]=?\s*[\w$.]*\b(?:max|limit)\w*/i;
/**
 * A test of what kind of value something is: `typeof x !== 'string'`, `Array.isArray(x)`, `x instanceof Y`,
 * `Number.isInteger(x)`, a type predicate (`isString(x)`, `isPlainObject(x)`), an own-property test. The
 * first group is the value tested, when the line names it.
 */
const TYPE_TEST =
  /\btypeof\s+([\w$.[\]]+)\s*[!=]==?\s*['"](?:string|number|function|object|boolean|bigint|symbol)['"]|\bArray\.isArray\s*\(\s*([\w$.]+)|\b([\w$.]+)\s+instanceof\b|\bNumber\.is(?:Integer|Finite|SafeInteger)\s*\(\s*([\w$.]+)|\bis(?:String|Number|Object|PlainObject|Function|Array|Boolean|Integer|Finite|Date|RegExp|Primitive|Thenable|Iterable)\s*\(\s*([\w$.]+)|\bhasOwn(?:Property)?\b/;
/**
 * An error built to be handed on or recorded, not thrown here: `errors.push(new ValidationError(…))`,
 * `error = error || new ValidationError()`. One built for a log line is not a refusal.
 */
const ERROR_RECORD =
  /\b(?:push|add\w*|append|record\w*|report\w*|set)\s*\([^)]*\bnew\s+[A-Z][\w$]*Error\s*\(|=\s*(?:[\w$.]+\s*(?:\|\||\?\?)\s*)?new\s+[A-Z][\w$]*Error\s*\(/;
/** `if (!a.b)` on its own: a falsy path tested, the start of a default or an early return for it. */
const FALSY_CONDITION = /^if\s*\(\s*!\s*([\w$.[\]]+)\s*\)\s*\{?\s*(.*)$/;
/** Registering a handler for an error event: `.on('error', …)`, `on(emitter, "error", …)`. */
const ERROR_LISTENER = /\b(?:on|once|addListener|addEventListener|prependListener)\s*\((?:[^()'"]*,\s*)?['"]error['"]/;
/** Words an assertion is written with: a line of nothing else tells no test from another. */
const ASSERTION_WORD =
  /^(?:expect|assert|not|to\w*|resolves|rejects|throws|doesNotThrow|should|equal\w*|ok|true|false|null|undefined|done|async|await|it|is|be|deep|strict\w*|end|plan|pass|fail)$/;

/** A comparison, for ownership checks. */
const COMPARISON = /[!=]==?/;
/** Literals in a line: single, double and template quotes (a template's `${…}` parts split it). */
const LITERAL = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g;
/** Names every codebase uses: they tell nothing about which code a test exercised. */
const COMMON_WORD =
  /^(?:const|return|throw|typeof|undefined|instanceof|function|async|await|length|value|values|options|opts|params|result|error|Error|TypeError|RangeError|message|String|Number|Object|Array|Promise|Boolean|JSON|Math|this|self|true|false|null|string|number|object|boolean|default|index|other|string|items|input|output|config|data|type|name|key|keys|push|call|apply|then|catch|resolve|reject|expect|assert|toThrow|toBe|toEqual|done|test|should|equal|strictEqual|deepEqual)$/;

/** What one removed stretch of code did, as read from its lines. */
interface LostProtection {
  category: Category | undefined;
  /** What to call it in a message: 'the check', 'the error handling'. */
  what: string;
}

/** A test the pull request deleted, or the assertion lines it took out of a test it kept. */
interface LostTest {
  unit: Unit;
  title: string;
  /** The lost text: the whole test when it was deleted, its lost lines otherwise. */
  text: string;
  /** The words of that text, for name links. */
  words: Set<string>;
  calls: ReadonlySet<string>;
  /** Deleted, rather than kept with fewer assertions. */
  deleted: boolean;
}

/** A stretch of consecutive lines a changed function lost. */
interface Hunk {
  lines: { line: number; text: string }[];
}

export default defineDetector({
  meta: {
    id: 'removed-tested-guard',
    category: 'test-weakening',
    severity: 'medium',
    fold: 'behind-overlapping',
    description:
      'Code a test was written for lost the lines that test pinned, and the test went with them: a check, a catch, a null test or a limit no other rule names, removed together with its only proof.',
    messages: {
      removed:
        '{{symbol}} no longer has {{what}} `{{label}}`, and {{testChange}} in the same pull request: the behaviour is now neither kept nor tested.',
    },
    docs: {
      catches:
        'A pull request that deletes a test (or the assertion lines of one) and, in the code that test exercised, removes the lines it pinned. The removed lines are read for what they did: a throw, a rejection or an error recorded (`problems.push(new RowError(…))`) on a condition (validation), a comparison against the caller or owner (auth), a catch or an error listener (error-handling), a type or own-property test of an input that answers early (validation), a typeof-function test of something the code then calls (null-safety), a clamp or a comparison with a maximum or limit (resource-limit, before a null test the clamp lets through), a falsy field given a default or answered with null, an optional chain, `??` or null test (null-safety), a release call (resource-limit: cleanup); a removed call of a helper the pull request deleted is read as the lines of that helper; a guard that leaves early on a condition of no known kind is context (info). An optional chain counts as a null test when the head now reads the same path plainly or the condition was only that read. Removed lines are aligned with the head as a line diff aligns them, and lines with only comments or braces between them are one stretch. The test and the code must be linked in their text: the test asserts a message the removed lines raise, calls the changed function by name (or a function of its file that holds or calls it, the name a function expression is assigned to, or the deleted helper the removed call went to), or names what the removed condition reads (two such names, or one when the test file is named after the source file). Medium; one finding per removed stretch of code.',
      ignores:
        'Removed lines that still stand elsewhere in the head (a check moved, a condition rewritten into a helper the head holds), a test moved or renamed (its title is in the head, or its lost lines are in another test of the pull request; lines written only with assertion words, such as `}).not.toThrow()`, count only beside a line of the test alone), a type test of the state of the unit (context), an emptiness test (`!list.length`), an error built for a log line, lines whose removed code calls what the pull request took out of the code (the feature went with its tests), a function the pull request deleted, tests that lost no assertion, and removals another rule already reports (this finding then folds into that one, or stays quiet when that rule found the guardrail kept elsewhere).',
      example: {
        file: 'src/describe-value.ts',
        before:
          "export function constructorName(value: object): string {\n  const prototype = Object.getPrototypeOf(value);\n  return prototype?.constructor ? prototype.constructor.name : 'null prototype';\n}\n",
        after:
          "export function constructorName(value: object): string {\n  const prototype = Object.getPrototypeOf(value);\n  return prototype ? prototype.constructor.name : 'null prototype';\n}\n",
        alsoChanged: [
          {
            file: 'test/describe-value.test.ts',
            before:
              "it('names plain objects', () => {\n  expect(constructorName({})).toBe('Object');\n});\n\nit('names objects whose prototype has no constructor', () => {\n  expect(constructorName(Object.create(Object.create(null)))).toBe('null prototype');\n});\n",
            after: "it('names plain objects', () => {\n  expect(constructorName({})).toBe('Object');\n});\n",
          },
        ],
      },
    },
  },
  inspectPullRequest: pinnedGuardsRemoved,
});

function pinnedGuardsRemoved(change: WholeChange): PullRequestFinding<'removed'>[] {
  const tests = lostTests(change);
  if (tests.length === 0) return [];
  const headLines = new Set<string>();
  for (const sf of change.headSources) for (const line of sf.text.split('\n')) headLines.add(normalLine(line));
  const findings: PullRequestFinding<'removed'>[] = [];
  const guardHelpers = deletedGuardHelpers(change);
  for (const { base, head } of change.changed) {
    if (!base || !head || change.isTest(base.file) || base.kind === 'class') continue;
    const baseLines = ownLines(base);
    const headOwn = ownLines(head);
    const added = multisetMinus(headOwn, baseLines);
    for (const hunk of hunksOf(alignedRemoved(baseLines, headOwn), base.sourceFile.text.split('\n'))) {
      // A removed call of a helper the PR deleted, whose own lines were a protection: the call was the guard.
      const helper = calledHelper(hunk, guardHelpers);
      const lost = helper ? helper.lost : readProtection(hunk, added, base, head);
      if (!lost) continue;
      const ownLinesOfHunk = [...hunk.lines];
      if (helper) hunk.lines.push(...helper.lines);
      const telling = hunk.lines.filter((l) => isTellingLine(l.text));
      // Every line that made it a protection still stands somewhere in the head: it moved, it was not removed.
      if (telling.every((l) => headLines.has(l.text))) continue;
      // What the removed stretch did is gone from the code altogether (it called something the PR took out):
      // the feature went, and its tests with it.
      if (!helper && callsRemovedCode(hunk, change.presence.removedNames)) continue;
      const reach = reachingNames(base, change.baseUnitsIn(base.file));
      for (const name of assignedNamesAt(base, hunk.lines[0]!.line)) reach.add(name);
      // A test of the deleted helper itself is a test of the protection its call gave.
      if (helper) reach.add(helper.name);
      const removedNames = helper ? withoutName(change.presence.removedNames, helper.name) : change.presence.removedNames;
      const link = tests.map((test) => ({ test, by: linkOf(test, hunk, base, reach, removedNames) })).find((l) => l.by);
      if (!link) continue;
      // A call of a deleted helper is shown as the call: the helper's lines are not in this unit.
      const anchorLine = (helper ? ownLinesOfHunk[0] : telling[0]) ?? hunk.lines[0]!;
      const node = outermostNodeAt(base, anchorLine.line);
      findings.push({
        messageId: 'removed',
        unit: base,
        node,
        side: 'base',
        key: `pinned ${lost.category ?? 'guard'} ${anchorLine.text.slice(0, 120)}`,
        ...(lost.category ? { category: lost.category } : { severity: 'info' as const }),
        data: {
          what: lost.what,
          label: anchorLine.text.slice(0, 100),
          testChange: `the test "${link.test.title.slice(0, 100)}" ${link.test.deleted ? 'that checked it was deleted' : 'lost the assertions that checked it'}`,
        },
        evidence: {
          removed: hunk.lines
            .map((l) => l.text)
            .join(' ')
            .slice(0, 200),
          test: link.test.title.slice(0, 200),
          testFile: link.test.unit.file,
          linkedBy: link.by,
        },
      });
    }
  }
  return findings;
}

/** The tests the pull request deleted, and the assertion lines it took out of those it kept. */
function lostTests(change: WholeChange): LostTest[] {
  const headTitles = new Set<string>();
  const headTestLines = new Set<string>();
  for (const { head } of change.changed) {
    if (!head || !change.isTest(head.file)) continue;
    const title = testTitle(head);
    if (title) headTitles.add(title);
    for (const l of ownLines(head)) headTestLines.add(l.text);
  }
  const lost: LostTest[] = [];
  for (const { base, head } of change.changed) {
    if (!base || !change.isTest(base.file)) continue;
    const callee = registrationCallee(base);
    const root = callee ? (/^[\w$]+/.exec(callee)?.[0] ?? '') : '';
    if (!callee || !TEST_CALL.test(root) || SKIPPED.test(callee)) continue;
    const title = testTitle(base) ?? base.name;
    if (!head && headTitles.has(title)) continue;
    const baseOwn = ownLines(base);
    const left = head ? multisetMinus(baseOwn, ownLines(head)) : baseOwn;
    // A line the head's tests still hold was moved, not lost; but an assertion written only with the words of
    // assertions (`expect(() => {`, `}).not.toThrow()`) is in every test file and tells no move, as long as
    // some line of its own (a call, a value) is gone with it.
    const specificGone = left.some((l) => !isGenericLine(l.text) && !headTestLines.has(l.text));
    const gone = left.filter((l) => !headTestLines.has(l.text) || (specificGone && isGenericLine(l.text)));
    if (!gone.some((l) => ASSERTING.test(l.text))) continue;
    const text = head ? gone.map((l) => l.text).join('\n') : base.node.getText(base.sourceFile);
    lost.push({ unit: base, title, text, words: wordsOf(text), calls: base.calls, deleted: !head });
  }
  return lost;
}

/** The title a test registration gives its test: the string of `it('…', …)`. */
function testTitle(unit: Unit): string | undefined {
  if (!ts.isCallExpression(unit.node)) return undefined;
  const first = unit.node.arguments[0];
  return first && ts.isStringLiteralLike(first) ? first.text : undefined;
}

/** A unit's own lines (those of units nested in it left out), folded, filler left out. */
function ownLines(unit: Unit): { line: number; text: string }[] {
  const sf = unit.sourceFile;
  const nested = [...unit.nested].map((n) => [lineOf(sf, n.getStart(sf)), lineOf(sf, n.getEnd())] as const);
  const all = sf.text.split('\n');
  const out: { line: number; text: string }[] = [];
  for (let line = unit.startLine; line <= unit.endLine; line++) {
    if (nested.some(([from, to]) => line >= from && line <= to)) continue;
    const text = normalLine(all[line - 1] ?? '');
    if (!FILLER.test(text)) out.push({ line, text });
  }
  return out;
}

/** A line folded for comparison: spacing and a trailing semicolon or comma do not count. */
function normalLine(line: string): string {
  return foldWhitespace(line.trim()).replace(/[;,]$/, '');
}

/** The lines of `from` that `minus` does not hold, counted: a line kept once of two is one removed. */
function multisetMinus(from: { line: number; text: string }[], minus: { line: number; text: string }[]): { line: number; text: string }[] {
  const left = new Map<string, number>();
  for (const l of minus) left.set(l.text, (left.get(l.text) ?? 0) + 1);
  return from.filter((l) => {
    const n = left.get(l.text) ?? 0;
    if (n > 0) left.set(l.text, n - 1);
    return n === 0;
  });
}

/**
 * Removed lines grouped into stretches: lines with only filler between them (braces, blank lines, comments)
 * belong together, whatever the number of lines between.
 */
function hunksOf(removed: { line: number; text: string }[], fileLines: readonly string[]): Hunk[] {
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  let last = -10;
  const onlyFillerBetween = (from: number, to: number): boolean => {
    for (let line = from + 1; line < to; line++) if (!FILLER.test(normalLine(fileLines[line - 1] ?? ''))) return false;
    return true;
  };
  for (const l of removed) {
    if (!current || (l.line > last + 2 && !onlyFillerBetween(last, l.line))) {
      current = { lines: [] };
      hunks.push(current);
    }
    current.lines.push(l);
    last = l.line;
  }
  return hunks;
}

/** A line that makes a stretch a protection (not the code it protected). */
function isTellingLine(text: string): boolean {
  return (
    CONDITION.test(text) || REFUSAL.test(text) || CATCH.test(text) || countNullTests(text) > 0 || text.includes('?.') || LIMIT.test(text)
  );
}

function countNullTests(text: string): number {
  return text.match(NULL_TEST)?.length ?? 0;
}

/** `a?.b` in a line: the path read and the property. */
const OPTIONAL_READ = /([\w$.[\]]+)\?\.([\w$]+)/g;
/** A condition that only reads optional paths: `if (a?.b)`, `a?.b?.c ? … : …`. */
const OPTIONAL_ONLY_CONDITION = /^(?:if\s*\(\s*!?\s*[\w$.[\]?]+\s*\)|(?:return\s+|const\s+\w+\s*=\s*)?!?[\w$.[\]?]+\s\?\s)/;

/**
 * Whether the removed lines tested for null or undefined more often than the lines the head gained. An
 * optional chain counts as a test only when it was the point: the head now reads the same path plainly
 * (`a?.b` became `a.b`), or the condition was nothing but an optional read (`if (values?.length)`). One
 * inside a condition about something else (`options?.disable !== true`) is how that condition reads.
 */
function nullGuardsLost(removed: string[], added: string[]): boolean {
  const addedText = added.join('\n');
  let lost = 0;
  for (const text of removed) {
    lost += countNullTests(text);
    const optional = [...text.matchAll(OPTIONAL_READ)];
    if (optional.length === 0) continue;
    if (OPTIONAL_ONLY_CONDITION.test(text)) lost += optional.length;
    else lost += optional.filter((m) => addedText.includes(`${m[1]!.replace(/\?$/, '')}.${m[2]!}`)).length;
  }
  const gained = added.reduce((n, t) => n + countNullTests(t) + (t.match(/\?\./g)?.length ?? 0), 0);
  return lost > gained;
}

/** What a removed stretch did, read from its lines; undefined when it was no protection at all. */
function readProtection(hunk: Hunk, added: { text: string }[], base: Unit, head: Unit | undefined): LostProtection | undefined {
  const texts = hunk.lines.map((l) => l.text);
  const decides = texts.some((t) => CONDITION.test(t));
  if (decides && texts.some((t) => COMPARISON.test(t) && OWNER_FIELD.test(t) && CALLER.test(t)))
    return { category: 'auth', what: 'the ownership check' };
  // A catch first: the rethrow of what it caught (`throw err`) is error handling, not a refusal of input.
  const catches = (unit: Unit): number => (unit.node.getText(unit.sourceFile).match(/\bcatch\b/g) ?? []).length;
  if (texts.some((t) => CATCH.test(t)) && catches(base) > (head ? catches(head) : 0))
    return { category: 'error-handling', what: 'the error handling' };
  if (decides && texts.some((t) => (REFUSAL.test(t) && !RETHROW.test(t)) || ERROR_RECORD.test(t)))
    return { category: 'validation', what: 'the check' };
  if (texts.some((t) => ERROR_LISTENER.test(t)) && !added.some((l) => ERROR_LISTENER.test(l.text)))
    return { category: 'error-handling', what: 'the error listener' };
  const typeCheck = typeCheckOf(texts, base);
  if (typeCheck) return typeCheck;
  // A clamp reads the value it bounds, often after letting an absent one through: the bound is the point.
  if (texts.some((t) => /\bMath\.(?:min|max)\s*\(|\bclamp\w*\s*\(/i.test(t)) || (decides && texts.some((t) => LIMIT.test(t))))
    return { category: 'resource-limit', what: 'the limit' };
  if (falsyGuardOf(texts)) return { category: 'null-safety', what: 'the null guard' };
  if (
    nullGuardsLost(
      texts,
      added.map((l) => l.text),
    )
  )
    return { category: 'null-safety', what: 'the null guard' };
  if (texts.some((t) => LIMIT.test(t) && (decides || /\bMath\.(?:min|max)|clamp/i.test(t))))
    return { category: 'resource-limit', what: 'the limit' };
  const releases = texts
    .flatMap((t) => [...t.matchAll(/\.?([A-Za-z_$][\w$]*)\s*\(/g)].map((m) => m[1]!))
    .filter((n) => RELEASE_CALL.test(n));
  if (releases.length > 0 && !added.some((l) => releases.some((r) => l.text.includes(`${r}(`))))
    return { category: 'resource-limit', what: 'the release' };
  // A guard that leaves early on a condition: a protection of no kind this reading knows, context only.
  if (decides && texts.some((t) => EXIT.test(t) || /\b(?:return|continue|break)\b/.test(t)))
    return { category: undefined, what: 'the guard' };
  return undefined;
}

/**
 * A removed guard that decides on what kind of value it has: on an input (a parameter, or a field of one) and
 * leaving, refusing or answering otherwise, it is validation of that input; a `typeof … !== 'function'` on
 * something the unit then calls, not an input, checks that the function is there at all (null-safety). An
 * own-property test keeps a key of the input from reaching the prototype (validation). A type test of the
 * unit's own state is left to the readings below.
 */
function typeCheckOf(texts: string[], base: Unit): LostProtection | undefined {
  const acts = texts.some((t) => EXIT.test(t) || /\b(?:return|continue|break)\b/.test(t) || /(?:^|\s)\?\s/.test(t) || REFUSAL.test(t));
  if (!acts) return undefined;
  const params = new Set(base.params);
  const body = base.node.getText(base.sourceFile);
  for (const t of texts) {
    if (!CONDITION.test(t) && !/^return\b/.test(t)) continue;
    const m = TYPE_TEST.exec(t);
    if (!m) continue;
    if (/\bhasOwn(?:Property)?\b/.test(m[0])) return { category: 'validation', what: 'the own-property check' };
    const subject = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '';
    const root = /^[\w$]+/.exec(subject)?.[0] ?? '';
    if (params.has(root)) return { category: 'validation', what: 'the type check' };
    if (/['"]function['"]/.test(m[0]) && subject.includes('.') && body.includes(`${subject}(`))
      return { category: 'null-safety', what: 'the presence check' };
  }
  return undefined;
}

/**
 * A falsy path tested and then given a default (`if (!a.b) a.b = {}`) or answered with nothing (`if (!a)
 * return null`): the reading of a value that may be absent. An emptiness test (`!list.length`) is not one.
 */
function falsyGuardOf(texts: string[]): boolean {
  return texts.some((t, i) => {
    const m = FALSY_CONDITION.exec(t);
    if (!m || /\.(?:length|size)$/.test(m[1]!)) return false;
    const rest = [m[2]!, texts[i + 1] ?? ''].join('\n');
    const path = m[1]!.replace(/[.$[\]]/g, (c) => `\\${c}`);
    return new RegExp(`(?:^|\\n)${path}\\s*=[^=]`).test(rest) || /(?:^|\n)return\s+(?:null|undefined)\b/.test(rest);
  });
}

/**
 * Whether the removed stretch did its work by calling code the pull request took out (a deprecation
 * warning removed with its warning function, a branch of a removed option): the feature left.
 */
function callsRemovedCode(hunk: Hunk, removedNames: ReadonlySet<string>): boolean {
  for (const { text } of hunk.lines) {
    if (CONDITION.test(text) || REFUSAL.test(text)) continue;
    for (const m of text.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) if (removedNames.has(m[1]!)) return true;
  }
  return false;
}

/**
 * How a lost test is tied to a removed stretch, in their text: it asserts a message the stretch raises
 * ('message'), it calls the changed function ('call'), or it names what the removed lines read ('names':
 * two names, or one when the test file is named after the source file). A name the PR took out of the code
 * ties the test to a feature that left, not to the guard.
 */
function linkOf(
  test: LostTest,
  hunk: Hunk,
  base: Unit,
  reach: ReadonlySet<string>,
  removedNames: ReadonlySet<string>,
): 'message' | 'call' | 'names' | undefined {
  const text = hunk.lines.map((l) => l.text).join('\n');
  for (const literal of literalsOf(text)) if (quotes(test.text, literal)) return 'message';
  if ([...reach].some((name) => test.calls.has(name) && isTellingName(name) && (name.length >= 6 || /[a-z][A-Z]/.test(name))))
    return 'call';
  const shared = [...wordsOf(text)].filter((w) => isTellingName(w) && test.words.has(w));
  if (shared.some((w) => removedNames.has(w))) return undefined;
  if (shared.length >= 2 || (shared.length === 1 && namedAfter(test.unit.file, base.file))) return 'names';
  return undefined;
}

/**
 * The names through which a test reaches a unit within its file: its own, those of the functions it is
 * nested in, and those of the functions of the file that call it (one call away, and their containers).
 */
function reachingNames(unit: Unit, fileUnits: readonly Unit[]): Set<string> {
  const names = new Set([simpleName(unit)]);
  const containersOf = (inner: Unit): Unit[] =>
    fileUnits.filter(
      (u) =>
        u !== inner &&
        u.kind !== 'module' &&
        u.node.getStart(u.sourceFile) <= inner.node.getStart(inner.sourceFile) &&
        inner.node.getEnd() <= u.node.getEnd(),
    );
  const direct = [unit, ...containersOf(unit)];
  for (const u of direct) names.add(simpleName(u));
  const own = simpleName(unit);
  for (const caller of fileUnits) {
    if (caller === unit || caller.kind === 'module' || caller.kind === 'class' || !caller.calls.has(own)) continue;
    names.add(simpleName(caller));
    for (const c of containersOf(caller)) if (c.kind !== 'class') names.add(simpleName(c));
  }
  return names;
}

/** Functions the PR deleted whose own lines were a protection of a known kind (a guard helper). */
function deletedGuardHelpers(change: WholeChange): Map<string, { lost: LostProtection; lines: { line: number; text: string }[] }> {
  const helpers = new Map<string, { lost: LostProtection; lines: { line: number; text: string }[] }>();
  for (const { base, head } of change.changed) {
    if (!base || head || change.isTest(base.file) || (base.kind !== 'function' && base.kind !== 'method')) continue;
    const lines = ownLines(base);
    const lost = readProtection({ lines }, [], base, undefined);
    if (lost?.category) helpers.set(simpleName(base).replace(/^#/, ''), { lost, lines });
  }
  return helpers;
}

function withoutName(names: ReadonlySet<string>, name: string): Set<string> {
  const out = new Set(names);
  out.delete(name);
  return out;
}

/** The deleted guard helper a removed stretch called, if any. */
function calledHelper(
  hunk: Hunk,
  helpers: ReadonlyMap<string, { lost: LostProtection; lines: { line: number; text: string }[] }>,
): { lost: LostProtection; lines: { line: number; text: string }[]; name: string } | undefined {
  if (helpers.size === 0) return undefined;
  for (const { text } of hunk.lines)
    for (const m of text.matchAll(/#?([A-Za-z_$][\w$]*)\s*\(/g)) {
      const helper = helpers.get(m[1]!);
      if (helper) return { ...helper, name: m[1]! };
    }
  return undefined;
}

/** A line written only with the words of assertions and punctuation: it tells one test from no other. */
function isGenericLine(text: string): boolean {
  if (/['"`]/.test(text)) return false;
  return [...wordsOf(text)].every((w) => ASSERTION_WORD.test(w));
}

/**
 * The lines of `from` that `to` does not hold, aligned as a line diff aligns them (a longest common
 * subsequence): of two equal lines, the one removed is the one among the other removed lines, not the first.
 * Very long units fall back to counting.
 */
function alignedRemoved(from: { line: number; text: string }[], to: { line: number; text: string }[]): { line: number; text: string }[] {
  const n = from.length;
  const m = to.length;
  if (n * m > 4_000_000) return multisetMinus(from, to);
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * width + j] =
        from[i]!.text === to[j]!.text ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
  const removed: { line: number; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n) {
    if (j < m && from[i]!.text === to[j]!.text) {
      i++;
      j++;
    } else if (j < m && lcs[i * width + j + 1]! >= lcs[(i + 1) * width + j]!) j++;
    else removed.push(from[i++]!);
  }
  return removed;
}

/**
 * The names a function expression holding a line is given where it is defined: `X.prototype.render =
 * function () {…}` and `{ render: function () {…} }` are called as `render`, though the unit is the code
 * around them.
 */
function assignedNamesAt(unit: Unit, line: number): string[] {
  const sf = unit.sourceFile;
  const names: string[] = [];
  forEachNode(unit.node, (node) => {
    if (!ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) return;
    if (lineOf(sf, node.getStart(sf)) > line || lineOf(sf, node.getEnd()) < line) return;
    const parent = node.parent;
    if (
      ts.isBinaryExpression(parent) &&
      parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(parent.left)
    )
      names.push(parent.left.name.text);
    else if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) names.push(parent.name.text);
  });
  return names;
}

/** The literal texts of some length in a line: a message, an option's name written as a string. */
function literalsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(LITERAL)) {
    const body = m[1] ?? m[2] ?? m[3] ?? '';
    for (const part of body.split(/\$\{[^}]*\}/)) if (part.trim().length >= 10 && /\s/.test(part.trim())) out.push(part.trim());
  }
  return out;
}

/** Whether a test's text quotes a message: whole, or four consecutive words of it (a regex, a substring). */
function quotes(testText: string, literal: string): boolean {
  if (testText.includes(literal)) return true;
  const words = literal.split(/\s+/).filter(Boolean);
  if (words.length < 4) return false;
  for (let i = 0; i + 4 <= words.length; i++) if (testText.includes(words.slice(i, i + 4).join(' '))) return true;
  return false;
}

function wordsOf(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

function isTellingName(name: string): boolean {
  return name.length >= 5 && !COMMON_WORD.test(name);
}

/** `test/orders.test.ts` is named after `src/orders.ts`. */
function namedAfter(testFile: string, sourceFile: string): boolean {
  const stem = (path: string): string =>
    (path.split('/').pop() ?? '')
      .replace(/\.[cm]?[jt]sx?$/, '')
      .replace(/[.-](?:test|spec|unit|int|integration)$/, '')
      .toLowerCase();
  return stem(testFile) === stem(sourceFile) && stem(sourceFile) !== 'index';
}

/** The outermost node of the unit that starts on a line: what the finding points at. */
function outermostNodeAt(unit: Unit, line: number): ts.Node {
  let found: ts.Node | undefined;
  forEachNode(unit.node, (node) => {
    if (!found && node !== unit.node && lineOf(unit.sourceFile, node.getStart(unit.sourceFile)) === line) found = node;
  });
  return found ?? unit.node;
}
