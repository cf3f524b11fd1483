import { MODULE_UNIT, type ChangedFile, type ChangedUnit, type UntestedUnit } from '../model.js';
import { extractImports } from './imports.js';
import type { ImportGraph } from './graph.js';
import { isSourcePath, type TestMatcher } from '../paths.js';

/**
 * From the import graph to tests: which test files reach the changed code, which changed units no
 * test reaches, which tests the PR itself deleted or weakened, and how far each change spreads.
 */

/** The name detectChanges gives a file's top-level code. */

export interface TestImpact {
  affectedTests: string[];
  reachingTests: { file: string; tests: string[] }[];
  untested: UntestedUnit[];
  blastRadius: { file: string; direct: number; transitive: number }[];
}

/** Head paths of the changed source files that exist on the head side. */
export function changedHeadSources(files: ChangedFile[]): string[] {
  return files.filter((file) => file.status !== 'deleted' && isSourcePath(file.path)).map((file) => file.path);
}

/**
 * Computes the test side of the impact. `executed` optionally says, per repo file, whether coverage
 * shows a unit's lines were run: a unit the graph reaches but no test executed is untested too.
 */
export function computeTestImpact(options: {
  graph: ImportGraph;
  isTest: TestMatcher;
  files: ChangedFile[];
  changedUnits: ChangedUnit[];
  unitExecuted?: (unit: ChangedUnit) => boolean | undefined;
}): TestImpact {
  const { graph, isTest, files, changedUnits } = options;
  const changed = changedHeadSources(files);
  const affected = new Set<string>();
  const reachingTests: TestImpact['reachingTests'] = [];
  const blastRadius: TestImpact['blastRadius'] = [];
  const testsOf = new Map<string, string[]>();
  for (const file of changed) {
    if (isTest(file)) affected.add(file);
    const closure = graph.dependentsClosure([file]);
    const tests = [...closure].filter((path) => isTest(path)).sort();
    for (const test of tests) affected.add(test);
    testsOf.set(file, tests);
    if (!isTest(file)) {
      reachingTests.push({ file, tests });
      blastRadius.push({ file, direct: graph.dependents.get(file)?.length ?? 0, transitive: closure.size - 1 });
    }
  }
  const untested: UntestedUnit[] = [];
  const seen = new Set<string>();
  // A file's top level counts only when nothing more precise changed in it (it is listed whenever the file changes).
  const filesWithNamedUnits = new Set(
    changedUnits.filter((unit) => unit.side === 'head' && unit.symbol !== MODULE_UNIT).map((unit) => unit.file),
  );
  for (const unit of changedUnits) {
    if (unit.symbol === MODULE_UNIT && filesWithNamedUnits.has(unit.file)) continue;
    if (unit.side !== 'head' || unit.status === 'deleted' || isTest(unit.file) || !isSourcePath(unit.file)) continue;
    const key = unit.file + '\0' + unit.symbol;
    if (seen.has(key)) continue;
    const reached = (testsOf.get(unit.file)?.length ?? 0) > 0;
    const executed = options.unitExecuted?.(unit);
    if (!reached || executed === false) {
      seen.add(key);
      untested.push({ file: unit.file, symbol: unit.symbol });
    }
  }
  return { affectedTests: [...affected].sort(), reachingTests, untested, blastRadius };
}

const ASSERTION_RE =
  /\b(?:expect|assert|should|expectTypeOf|t\.(?:is|not|deepEqual|notDeepEqual|true|false|truthy|falsy|throws|throwsAsync|notThrows|regex|like|snapshot|equal|ok|match|rejects))\s*[.(]/g;
const DISABLED_RE = /\b(?:(?:it|test|describe|suite|context)\.(?:skip|only|todo)|xit|xdescribe|xtest)\s*\(/g;

function count(text: string | undefined, pattern: RegExp): number {
  if (!text) return 0;
  let total = 0;
  for (const _match of text.matchAll(pattern)) total++;
  return total;
}

/**
 * Test files the PR deleted, or weakened: fewer assertions than before, or tests newly skipped,
 * focused (.only hides the others) or turned into todos.
 */
export function findWeakenedTests(files: ChangedFile[], isTest: TestMatcher): string[] {
  const weakened: string[] = [];
  for (const file of files) {
    const basePath = file.oldPath ?? file.path;
    if (!isTest(basePath) && !isTest(file.path)) continue;
    if (file.status === 'deleted') {
      weakened.push(basePath);
      continue;
    }
    if (file.base === undefined || file.head === undefined) continue;
    const fewerAssertions = count(file.head, ASSERTION_RE) < count(file.base, ASSERTION_RE);
    const moreDisabled = count(file.head, DISABLED_RE) > count(file.base, DISABLED_RE);
    if (fewerAssertions || moreDisabled) weakened.push(file.path);
  }
  return weakened.sort();
}

/**
 * The head files a deleted test used to load, read from its base text and resolved in the head tree,
 * so a guardrail removed from one of them can be tied to the test that went with it.
 */
export function filesReachedByDeletedTest(file: ChangedFile, graph: ImportGraph): Set<string> {
  if (file.base === undefined) return new Set();
  const roots: string[] = [];
  for (const specifier of extractImports(file.base, file.path).specifiers) {
    const resolved = graph.resolver.resolve(specifier, file.path);
    if (resolved) roots.push(resolved);
  }
  return graph.dependenciesClosure(roots);
}
