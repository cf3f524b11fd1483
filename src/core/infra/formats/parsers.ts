import type * as DockerfileAst from 'dockerfile-ast';
import type * as YarnLockfile from '@yarnpkg/lockfile';
import type * as YarnParsers from '@yarnpkg/parsers';
import type Semver from 'semver';
import { loadSqlParser } from './migration.js';

/**
 * The parsers of formats that most pull requests do not touch, loaded only when the collect step reads a
 * file that may need one: bundled, they are large modules, and compiling and initialising all of them cost
 * every run of `analyze` tens of milliseconds whether a Dockerfile or a lockfile changed or not. Each
 * `needs` is generous (loading a parser that then goes unused costs only time); the readers below throw
 * ParserUnavailableError when theirs was not loaded, or failed to load (a broken install or bundle): a file
 * that needs it is then skipped with that reason, as one its parser rejects.
 */
interface LazyParser {
  name: string;
  /** Whether a file at this path may be read with the parser. */
  needs(path: string): boolean;
  load(): Promise<void>;
}

/** A parser the collect step did not load, or could not: what needs it cannot be read. */
export class ParserUnavailableError extends Error {}

/** Why each parser that failed to load did, by name. */
const failures = new Map<string, string>();

let dockerfileAst: typeof DockerfileAst | undefined;
let yarnLockfile: typeof YarnLockfile | undefined;
let yarnParsers: typeof YarnParsers | undefined;
let semver: typeof Semver | undefined;

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const DEPENDENCY_FILES = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml']);

const LAZY_PARSERS: readonly LazyParser[] = [
  {
    name: 'Dockerfile',
    needs: (path) => /dockerfile|containerfile/i.test(baseName(path)),
    load: async () => {
      dockerfileAst ??= await import('dockerfile-ast');
    },
  },
  {
    name: 'yarn lockfile',
    needs: (path) => baseName(path) === 'yarn.lock',
    load: async () => {
      // @yarnpkg/lockfile marks itself as an ES module without a default export: take `parse` from wherever it is.
      const module = (await import('@yarnpkg/lockfile')) as Partial<typeof YarnLockfile> & { default?: typeof YarnLockfile };
      yarnLockfile ??= module.parse ? (module as typeof YarnLockfile) : module.default!;
      yarnParsers ??= await import('@yarnpkg/parsers');
    },
  },
  {
    // Ranges of package.json dependencies; versions a lockfile records against them.
    name: 'semver',
    needs: (path) => DEPENDENCY_FILES.has(baseName(path)),
    load: async () => {
      semver ??= (await import('semver')).default;
    },
  },
];

/** Loads the parsers the files at `paths` may need (Postgres' parser is loaded apart: see loadSqlParser). */
export async function loadParsersFor(paths: Iterable<string>): Promise<void> {
  const all = [...paths];
  await Promise.all(LAZY_PARSERS.filter((parser) => all.some((path) => parser.needs(path))).map(tryLoad));
}

/** A parser that fails to load costs only the files that need it (see ParserUnavailableError), not the run. */
async function tryLoad(parser: LazyParser): Promise<void> {
  try {
    await parser.load();
    failures.delete(parser.name);
  } catch (error) {
    failures.set(parser.name, error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
}

/** Loads every parser: for callers that run analyzers on files they did not collect (tests, documentation examples). */
export async function loadAllParsers(): Promise<void> {
  await Promise.all(LAZY_PARSERS.map((parser) => parser.load()));
  await loadSqlParser();
}

function loaded<T>(module: T | undefined, name: string): T {
  if (module !== undefined) return module;
  const failure = failures.get(name);
  throw new ParserUnavailableError(
    failure === undefined ? `the ${name} parser was not loaded (loadParsersFor)` : `the ${name} parser could not be loaded (${failure})`,
  );
}

/** dockerfile-ast's parser; throws unless loaded. */
export const dockerfileParser = (): typeof DockerfileAst.DockerfileParser => loaded(dockerfileAst, 'Dockerfile').DockerfileParser;
/** @yarnpkg/lockfile (yarn 1 lockfiles); throws unless loaded. */
export const yarnClassicParser = (): typeof YarnLockfile => loaded(yarnLockfile, 'yarn lockfile');
/** @yarnpkg/parsers (yarn 2+ lockfiles, SYML); throws unless loaded. */
export const yarnBerryParser = (): typeof YarnParsers => loaded(yarnParsers, 'yarn lockfile');
/** semver; throws unless loaded. */
export const semverOf = (): typeof Semver => loaded(semver, 'semver');
