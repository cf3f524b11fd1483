import { asRecord, parseJsonc } from './jsonc.js';
import { basename, dirname } from '../paths.js';

/**
 * Which test runner runs each test file, and the shell command that runs exactly a set of test files
 * with the repository's own runner. Decided from the test file's own imports first (a file that imports
 * `node:test` or `vitest` says so), then from the nearest package.json and config files.
 */

export type RunnerName = 'vitest' | 'jest' | 'mocha' | 'node';

export interface RunnerContext {
  /** Every path of the head tree (to see config files such as vitest.config.ts or .mocharc.yml). */
  paths: ReadonlySet<string>;
  /** package.json texts by path. */
  configs: ReadonlyMap<string, string>;
  /** The run-time specifiers a file imports (a test file's own imports are the strongest signal). */
  importsOf: (path: string) => readonly string[] | undefined;
}

interface PackageRunner {
  runner: RunnerName;
  /** Directory the command runs in (where the runner's config or dependency is declared). */
  dir: string;
}

const CONFIG_FILES: [RegExp, RunnerName][] = [
  [/^vitest\.(?:config|workspace)\.[cm]?[jt]s$/, 'vitest'],
  [/^jest\.config\.[cm]?[jt]s(?:on)?$/, 'jest'],
  [/^\.mocharc\.(?:js|cjs|json|jsonc|ya?ml)$/, 'mocha'],
];

// Modules whose import names the runner: node's built-in runner, vitest's and jest's globals, mocha.
const RUNNER_MODULES = new Set(['vitest', 'node:test', '@jest/globals', 'mocha']);

/** Detects the runner for one test file. Falls back to the repository root's runner, then to vitest. */
export function detectRunner(testPath: string, context: RunnerContext, cache = new Map<string, PackageRunner | null>()): PackageRunner {
  const imported = context.importsOf(testPath)?.find((specifier) => RUNNER_MODULES.has(specifier));
  const pkg = packageRunner(dirname(testPath), context, cache);
  if (imported === 'node:test') return { runner: 'node', dir: pkg?.dir ?? nearestPackageDir(dirname(testPath), context) };
  if (imported === 'vitest' && pkg?.runner !== 'vitest') return { runner: 'vitest', dir: pkg?.dir ?? '' };
  return pkg ?? { runner: 'vitest', dir: '' };
}

function nearestPackageDir(dir: string, context: RunnerContext): string {
  for (let current = dir; ; current = dirname(current)) {
    if (context.configs.has(current === '' ? 'package.json' : current + '/package.json')) return current;
    if (current === '') return '';
  }
}

function packageRunner(dir: string, context: RunnerContext, cache: Map<string, PackageRunner | null>): PackageRunner | undefined {
  const cached = cache.get(dir);
  if (cached !== undefined) return cached ?? undefined;
  const found = ownRunner(dir, context) ?? (dir === '' ? undefined : packageRunner(dirname(dir), context, cache));
  cache.set(dir, found ?? null);
  return found;
}

function ownRunner(dir: string, context: RunnerContext): PackageRunner | undefined {
  const prefix = dir === '' ? '' : dir + '/';
  for (const [pattern, runner] of CONFIG_FILES) {
    for (const candidate of [
      'vitest.config.ts',
      'vitest.config.mts',
      'vitest.config.js',
      'vitest.config.mjs',
      'vitest.workspace.ts',
      'jest.config.js',
      'jest.config.ts',
      'jest.config.cjs',
      'jest.config.mjs',
      'jest.config.json',
      '.mocharc.json',
      '.mocharc.yml',
      '.mocharc.yaml',
      '.mocharc.js',
      '.mocharc.cjs',
    ]) {
      if (pattern.test(candidate) && context.paths.has(prefix + candidate)) return { runner, dir };
    }
  }
  const json = asRecord(parseJsonc(context.configs.get(prefix + 'package.json') ?? ''));
  if (!json) return undefined;
  const scripts = asRecord(json.scripts);
  const testScript = typeof scripts?.test === 'string' ? scripts.test : '';
  if (/\bvitest\b/.test(testScript)) return { runner: 'vitest', dir };
  if (/\bjest\b/.test(testScript) || json.jest !== undefined) return { runner: 'jest', dir };
  if (/\bmocha\b/.test(testScript)) return { runner: 'mocha', dir };
  if (/\bnode\b[^&|;]*--test\b/.test(testScript)) return { runner: 'node', dir };
  const deps = { ...asRecord(json.devDependencies), ...asRecord(json.dependencies) };
  for (const runner of ['vitest', 'jest', 'mocha'] as const) if (runner in deps) return { runner, dir };
  return undefined;
}

/** Quotes a path for a POSIX shell when it holds anything but safe characters. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function relativeTo(dir: string, path: string): string {
  return dir === '' ? path : path.slice(dir.length + 1);
}

const RUNNER_COMMANDS: Record<RunnerName, string> = {
  vitest: 'npx vitest run',
  jest: 'npx jest --runTestsByPath',
  mocha: 'npx mocha',
  node: 'node --test',
};

/**
 * The command that runs exactly `tests` (repo-relative) from the repository root. A configured template
 * wins: `{files}` in it is replaced by the quoted list (or the list is appended).
 */
export function testCommand(tests: string[], context: RunnerContext, template?: string): string | undefined {
  if (tests.length === 0) return undefined;
  if (template) {
    const files = tests.map(shellQuote).join(' ');
    return template.includes('{files}') ? template.replace('{files}', files) : `${template} ${files}`;
  }
  const groups = new Map<string, { runner: RunnerName; dir: string; files: string[] }>();
  const cache = new Map<string, PackageRunner | null>();
  for (const test of [...tests].sort()) {
    const { runner, dir } = detectRunner(test, context, cache);
    const key = runner + '\0' + dir;
    const group = groups.get(key) ?? { runner, dir, files: [] };
    group.files.push(relativeTo(dir, test));
    groups.set(key, group);
  }
  const commands = [...groups.values()].map(({ runner, dir, files }) => {
    const command = `${RUNNER_COMMANDS[runner]} ${files.map(shellQuote).join(' ')}`;
    return dir === '' ? command : `(cd ${shellQuote(dir)} && ${command})`;
  });
  return commands.join(' && ');
}

/** Config files the runner detection reads beyond package.json (listed so the adapter can fetch them). */
export function isRunnerConfig(path: string): boolean {
  const name = basename(path);
  return CONFIG_FILES.some(([pattern]) => pattern.test(name));
}
