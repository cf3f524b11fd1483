import picomatch from 'picomatch';
import { asRecord, parseJsonc } from './jsonc.js';
import { basename, dirname, isSourcePath } from './paths.js';

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
 * of package.json / .mocharc.json files so their test globs count too.
 */
export function createTestMatcher(patterns: string[], configs: ReadonlyMap<string, string>): TestMatcher {
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
          if (typeof glob === 'string' && !glob.startsWith('!')) globs.push(prefix + glob.replace(/^<rootDir>\//, '').replace(/^\*\*\//, '**/'));
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
      for (const glob of Array.isArray(spec) ? spec : [spec]) if (typeof glob === 'string') globs.push(prefix + glob.replace(/^\.\//, ''));
    }
  }
  const configured = globs.length ? picomatch(globs, { dot: true }) : undefined;
  return (path: string): boolean => {
    if (!isSourcePath(path) || path.includes('node_modules/')) return false;
    if (configured?.(path)) return true;
    if (regexes.some((regex) => regex.test(path))) return true;
    if (NAME_RE.test(basename(path))) return !/(?:^|\/)(?:fixtures?|__fixtures__)\//.test(path);
    if (path.includes('__tests__/')) return !HELPER_DIR_RE.test(path.slice(path.indexOf('__tests__/') + 10)) && !HELPER_FILE_RE.test(basename(path));
    // mocha's and node:test's default: files in a top-level test/ folder of a package.
    const testDir = /(?:^|\/)tests?\/(.*)$/.exec(path);
    return testDir !== null && !HELPER_DIR_RE.test(testDir[1]!) && !/(?:^|\/)(?:_|index\.|setup|global|config|vitest\.|jest\.)/.test(basename(path));
  };
}
