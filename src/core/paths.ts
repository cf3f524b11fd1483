import picomatch from 'picomatch';
import { asRecord, parseJsonc } from './impact/jsonc.js';

/**
 * Repository paths and what they hold: the one place that says which files are source code, which are
 * tests, which configure a test runner. Paths are repo-relative and POSIX-style whatever the host (the core
 * may not import node:path), so the few path functions the core needs live here too.
 */

/** The directory part of a repo-relative path ('' for a file at the root). */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Joins a directory and a relative specifier, resolving `.` and `..`. Returns undefined when the result
 * would climb above the repository root (such a file cannot be in the head tree).
 */
export function joinPath(dir: string, relative: string): string | undefined {
  const out = dir === '' ? [] : dir.split('/');
  for (const segment of relative.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(segment);
    }
  }
  return out.join('/');
}

/** The extension including its dot ('.ts', '.d.ts' is reported as '.ts'), or '' when there is none. */
export function extname(path: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

/** Extensions of the JavaScript and TypeScript files the gate parses and the import graph follows. */
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

const SOURCE_EXTENSION_SET = new Set<string>(SOURCE_EXTENSIONS);

/** Whether a path is a JS/TS source file (declaration files, `.d.ts`/`.d.mts`/`.d.cts`, carry no runtime code). */
export function isSourcePath(path: string): boolean {
  return SOURCE_EXTENSION_SET.has(extname(path)) && !/\.d\.[mc]?ts$/.test(path);
}

/*
 * Two questions about tests, answered here side by side because they differ on purpose:
 * - `isTestCode`: is this file test code rather than production code? Tests and everything that lives
 *   with them (helpers in test/support/, mocks, e2e suites) — the detectors read them as tests
 *   (test-weakening does, the source detectors do not).
 * - `createTestMatcher`: is this file a test a runner would run? Helpers in test/support/ or
 *   __tests__/helpers are not — impact analysis names the tests to run.
 */

/**
 * Paths that hold test code by the common conventions of the JavaScript ecosystem, folders named for the
 * tests they hold included (`integration-tests/`, `browser-integration-tests/utils/`, `e2e_tests/`) and the
 * helper packages and files of a test suite (`test-utils/`, `test-helpers.ts`, `setupTests.ts`). Not `-spec/`:
 * `attribute-spec/` is code.
 */
const TEST_CODE_PATH =
  /(^|\/)(__tests__|__mocks__|tests?|spec|e2e|cypress|playwright|[\w.-]*[a-z\d][-_]tests?|tests?[-_](?:utils?|helpers?|support|kit))\/|\.(test|spec|e2e|cy)\.[cm]?[jt]sx?$|(^|\/)(test|(test|spec)[-_]?(utils?|helpers?|support|setup)|setup-?tests)\.[cm]?[jt]sx?$/i;

/** Folders of code that shows how to use the project rather than being it: examples, samples, demos, playgrounds. */
const EXAMPLE_DIR_RE = /(?:^|\/)(?:examples?|samples?|demos?|playgrounds?|sandbox(?:es)?)\//;

/**
 * Whether the file is example code: a guardrail removed there does not protect the project's users, so the
 * engine reports it as `info`.
 */
export function isExampleCode(path: string): boolean {
  return EXAMPLE_DIR_RE.test(path);
}

/** Whether a repo-relative path is test code (a test or a helper beside tests), by convention or by the configured globs. */
export function isTestCode(path: string, patterns: readonly string[] = []): boolean {
  if (TEST_CODE_PATH.test(path)) return true;
  return patterns.length > 0 && picomatch(patterns as string[], { dot: true })(path);
}

/** Configuration of test runners (karma, jest, playwright, …): their timeouts and retries bound a test run, not production calls. */
const TEST_RUNNER_CONFIG =
  /(^|\/)(karma|jest|vitest|vite|playwright|cypress|mocha|wdio|protractor|ava)\.conf(ig)?(\.[\w-]+)?\.[cm]?[jt]s$|(^|\/)\.mocharc\.[cm]?js$/;

export function isTestRunnerConfig(path: string): boolean {
  return TEST_RUNNER_CONFIG.test(path);
}

/**
 * Which files are tests: the conventions of jest, vitest, mocha, node:test and ava, plus globs from
 * configuration (guardrail-gate's `tests.patterns`, package.json `jest.testMatch`/`testRegex`,
 * `.mocharc.json` `spec`).
 */

// *.test.ts, *.spec.js, foo-test.mjs, foo_test.js, test.js (ava, node:test); __tests__/ is handled below.
// Singular only: base-specs.tsx or api-tests.ts name what they hold, not a runner's convention.
const NAME_RE = /(?:[.\-_](?:test|spec)|^test)\.[cm]?[jt]sx?$/;
// Folders that hold helpers and data beside tests rather than tests.
const HELPER_DIR_RE = /(?:^|\/)(?:fixtures?|__fixtures__|__mocks__|mocks?|helpers?|utils?|support|setup|__snapshots__|data|stubs?)\//;
// Files beside tests in __tests__/ that tests import rather than tests (jest would run them and fail).
const HELPER_FILE_RE = /^(?:_|(?:helpers?|utils?|fixtures?|mocks?|factory|factories|setup)\.)/;

/** A predicate over repo paths that says whether a file is a test file. */
export type TestMatcher = (path: string) => boolean;

/**
 * Builds the test-file predicate. `patterns` are extra globs (repo-relative); `configs` gives the text
 * of package.json / .mocharc.json files so their test globs count too. Those files are repository
 * content: a glob in them that cannot be compiled (`testMatch: [""]`) is left out and said in `notes`.
 */
export function createTestMatcher(patterns: string[], configs: ReadonlyMap<string, string>, notes: string[] = []): TestMatcher {
  const globs = [...patterns];
  const regexes: RegExp[] = [];
  for (const [path, text] of configs) {
    const name = basename(path);
    const dir = dirname(path);
    const prefix = dir === '' ? '' : dir + '/';
    if (name === 'package.json' && text.includes('"jest"')) {
      const jest = asRecord(asRecord(parseJsonc(text))?.jest);
      const testMatch = jest?.testMatch;
      if (Array.isArray(testMatch)) {
        for (const glob of testMatch) {
          if (typeof glob !== 'string' || glob.startsWith('!')) continue;
          const usable = usableGlob(glob.replace(/^<rootDir>\//, ''));
          if (usable === undefined)
            notes.push(`tests: ${path} jest.testMatch holds an unusable glob ${JSON.stringify(glob.slice(0, 80))}; it was ignored`);
          else globs.push(prefix + usable);
        }
      }
      const testRegex = jest?.testRegex;
      for (const source of Array.isArray(testRegex) ? testRegex : [testRegex]) {
        if (typeof source !== 'string') continue;
        try {
          regexes.push(new RegExp(source));
        } catch {
          // an invalid testRegex is jest's problem to report, not ours
        }
      }
    } else if (name === '.mocharc.json') {
      const spec = asRecord(parseJsonc(text))?.spec;
      for (const glob of Array.isArray(spec) ? spec : [spec]) {
        if (typeof glob !== 'string') continue;
        const usable = usableGlob(glob.replace(/^\.\//, ''));
        if (usable === undefined)
          notes.push(`tests: ${path} spec holds an unusable glob ${JSON.stringify(glob.slice(0, 80))}; it was ignored`);
        else globs.push(prefix + usable);
      }
    }
  }
  const configured = globs.length ? picomatch(globs, { dot: true }) : undefined;
  return (path: string): boolean => {
    if (!isSourcePath(path) || path.includes('node_modules/')) return false;
    if (configured?.(path)) return true;
    if (regexes.some((regex) => regex.test(path))) return true;
    if (NAME_RE.test(basename(path))) return !/(?:^|\/)(?:fixtures?|__fixtures__)\//.test(path);
    if (path.includes('__tests__/'))
      return !HELPER_DIR_RE.test(path.slice(path.indexOf('__tests__/') + 10)) && !HELPER_FILE_RE.test(basename(path));
    // mocha's and node:test's default: files in a top-level test/ folder of a package.
    const testDir = /(?:^|\/)tests?\/(.*)$/.exec(path);
    return (
      testDir !== null &&
      !HELPER_DIR_RE.test(testDir[1]!) &&
      !/(?:^|\/)(?:_|index\.|setup|global|config|vitest\.|jest\.)/.test(basename(path))
    );
  };
}

/** A glob from repository content that picomatch compiles, or undefined (empty, or rejected by it). */
function usableGlob(glob: string): string | undefined {
  if (glob.trim() === '') return undefined;
  try {
    picomatch.makeRe(glob, { dot: true });
    return glob;
  } catch {
    return undefined;
  }
}
