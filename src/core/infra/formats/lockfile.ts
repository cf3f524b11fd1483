import { parse as parseYamlValue } from '../../yaml-library.js';
import type { Side } from '../../model.js';
import { UnreadableFileError } from '../define-analyzer.js';
import { ParserUnavailableError, semverOf, yarnBerryParser, yarnClassicParser } from './parsers.js';

/**
 * The lockfiles of the four package managers, read into one model: the packages installed (name, version,
 * where from, with which checksum, whether they run install scripts) and what each manifest's dependency
 * is locked to. Lines are found only for the few entries a finding names.
 */
export type LockKind = 'npm' | 'yarn-classic' | 'yarn-berry' | 'pnpm';

export const LOCKFILE_NAMES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'] as const;

export function isLockfilePath(path: string): boolean {
  const name = path.split('/').pop()!;
  return (LOCKFILE_NAMES as readonly string[]).includes(name) && !path.split('/').includes('node_modules');
}

export interface LockEntry {
  name: string;
  version: string;
  /** Where the package is fetched from: a tarball URL, a git URL, a resolution descriptor. */
  resolved?: string;
  /** The checksum the package manager verifies (integrity, berry checksum, pnpm resolution.integrity). */
  integrity?: string;
  hasInstallScript?: boolean;
  /** Linked workspace or local folder: nothing is downloaded. */
  local?: boolean;
}

export interface Lockfile {
  kind: LockKind;
  entries: LockEntry[];
  /**
   * Whether the lockfile can install `name@spec` for the manifest in `dir` (relative to the lockfile's
   * folder, '' for its own): true, false, or undefined when this lockfile cannot tell (a spec it does not
   * record, a format without per-manifest records).
   */
  satisfies(dir: string, name: string, spec: string): boolean | undefined;
  /** The line that starts an entry, for anchoring. */
  lineOf(entry: LockEntry): number;
}

type Json = Record<string, unknown>;

const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'];

// A monorepo's one root lockfile is read for every manifest the PR touches (a release bump touches dozens),
// and parsing a large pnpm-lock.yaml takes seconds: the last few parses are kept, keyed by their input.
// A Lockfile is never mutated by its readers, so sharing one is safe.
const recentParses = new Map<string, Lockfile>();
const RECENT_PARSES = 4;

export function parseLockfile(path: string, text: string, side: Side): Lockfile {
  const key = `${side}\0${path.split('/').pop()!}\0${text}`;
  const known = recentParses.get(key);
  if (known) return known;
  const parsed = parseLockfileText(path, text, side);
  if (recentParses.size >= RECENT_PARSES) recentParses.delete(recentParses.keys().next().value!);
  recentParses.set(key, parsed);
  return parsed;
}

function parseLockfileText(path: string, text: string, side: Side): Lockfile {
  const name = path.split('/').pop()!;
  if (name === 'pnpm-lock.yaml') return pnpm(text, side);
  if (name === 'yarn.lock') return /^__metadata:/m.test(text) ? yarnBerry(text, side) : yarnClassic(text, side);
  return npm(text, side);
}

/**
 * The parser a lockfile needs. One that was not loaded, or could not be, makes the side unreadable with the
 * reason (the file is skipped, as one its parser rejects); the error is its `cause`, for callers that must
 * tell it from a lockfile that is not valid.
 */
function parserOf<T>(get: () => T, side: Side): T {
  try {
    return get();
  } catch (error) {
    if (!(error instanceof ParserUnavailableError)) throw error;
    const unreadable = new UnreadableFileError(side, error.message);
    unreadable.cause = error;
    throw unreadable;
  }
}

function finder(text: string, needles: (entry: LockEntry) => string[]): (entry: LockEntry) => number {
  return (entry) => {
    for (const needle of needles(entry)) {
      const at = text.indexOf(needle);
      if (at >= 0) return text.slice(0, at).split('\n').length;
    }
    return 1;
  };
}

function npm(text: string, side: Side): Lockfile {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (error) {
    throw new UnreadableFileError(side, `not valid JSON (${(error as Error).message})`);
  }
  const entries: LockEntry[] = [];
  const packages = (json.packages ?? undefined) as Record<string, Json> | undefined;
  if (packages) {
    for (const [key, value] of Object.entries(packages)) {
      if (!key) continue;
      const at = key.lastIndexOf('node_modules/');
      const pkgName = typeof value.name === 'string' ? value.name : at >= 0 ? key.slice(at + 'node_modules/'.length) : key;
      entries.push({
        name: pkgName,
        version: String(value.version ?? ''),
        ...(typeof value.resolved === 'string' ? { resolved: value.resolved } : {}),
        ...(typeof value.integrity === 'string' ? { integrity: value.integrity } : {}),
        ...(value.hasInstallScript === true ? { hasInstallScript: true } : {}),
        ...(value.link === true || at < 0 ? { local: true } : {}),
      });
    }
  } else {
    const walk = (deps: unknown): void => {
      for (const [pkgName, value] of Object.entries((deps ?? {}) as Record<string, Json>)) {
        entries.push({
          name: pkgName,
          version: String(value.version ?? ''),
          ...(typeof value.resolved === 'string' ? { resolved: value.resolved } : {}),
          ...(typeof value.integrity === 'string' ? { integrity: value.integrity } : {}),
          ...(String(value.version ?? '').startsWith('file:') ? { local: true } : {}),
        });
        walk(value.dependencies);
      }
    };
    walk(json.dependencies);
  }
  return {
    kind: 'npm',
    entries,
    satisfies(dir, pkgName, spec) {
      if (packages) {
        const importer = packages[dir];
        if (!importer) return undefined;
        const recorded = SECTIONS.map((s) => (importer[s] as Record<string, string> | undefined)?.[pkgName]).find((v) => v !== undefined);
        if (recorded === spec) return true;
        const installed =
          packages[dir ? `${dir}/node_modules/${pkgName}` : `node_modules/${pkgName}`] ?? packages[`node_modules/${pkgName}`];
        if (!installed) return false;
        return versionSatisfies(String(installed.version ?? ''), spec);
      }
      if (dir) return undefined;
      const top = (json.dependencies as Record<string, Json> | undefined)?.[pkgName];
      return top ? versionSatisfies(String(top.version ?? ''), spec) : false;
    },
    lineOf: finder(text, (e) => [`"node_modules/${e.name}": {`, `"${e.name}": {`]),
  };
}

function yarnClassic(text: string, side: Side): Lockfile {
  const parser = parserOf(yarnClassicParser, side);
  let parsed: ReturnType<typeof parser.parse>;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    throw new UnreadableFileError(side, `not a yarn lockfile (${(error as Error).message.split('\n')[0]})`);
  }
  if (parsed.type !== 'success') throw new UnreadableFileError(side, 'the yarn lockfile has merge conflicts');
  const entries = new Map<string, LockEntry>();
  const keys = new Set<string>();
  for (const [key, value] of Object.entries(parsed.object)) {
    keys.add(key);
    const pkgName = nameOfDescriptor(key);
    const v = value as unknown as Json;
    const id = `${pkgName}@${String(v.version)}`;
    if (entries.has(id)) continue;
    entries.set(id, {
      name: pkgName,
      version: String(v.version ?? ''),
      ...(typeof v.resolved === 'string' ? { resolved: v.resolved } : {}),
      ...(typeof v.integrity === 'string' ? { integrity: v.integrity } : {}),
      ...(/^(file|link):/.test(key.slice(pkgName.length + 1)) ? { local: true } : {}),
    });
  }
  return {
    kind: 'yarn-classic',
    entries: [...entries.values()],
    satisfies: (_dir, pkgName, spec) =>
      keys.has(`${pkgName}@${spec}`) ? true : /^(workspace|file|link|portal):/.test(spec) ? undefined : false,
    lineOf: finder(text, (e) => [`\n${e.name}@`, `\n"${e.name}@`]),
  };
}

function yarnBerry(text: string, side: Side): Lockfile {
  const { parseSyml } = parserOf(yarnBerryParser, side);
  let parsed: Record<string, Json>;
  try {
    parsed = parseSyml(text) as Record<string, Json>;
  } catch (error) {
    throw new UnreadableFileError(side, `not a yarn lockfile (${(error as Error).message.split('\n')[0]})`);
  }
  const descriptors = new Set<string>();
  const entries: LockEntry[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (key === '__metadata') continue;
    const parts = key.split(/,\s*/);
    for (const part of parts) descriptors.add(part);
    const pkgName = nameOfDescriptor(parts[0]!);
    const resolution = typeof value.resolution === 'string' ? value.resolution : undefined;
    const protocol = resolution ? resolution.slice(nameOfDescriptor(resolution).length + 1) : '';
    entries.push({
      name: pkgName,
      version: String(value.version ?? ''),
      ...(resolution ? { resolved: resolution } : {}),
      ...(typeof value.checksum === 'string' ? { integrity: value.checksum } : {}),
      ...(/^(workspace|link|portal|file):/.test(protocol) || value.linkType === 'soft' ? { local: true } : {}),
    });
  }
  return {
    kind: 'yarn-berry',
    entries,
    satisfies(_dir, pkgName, spec) {
      if (descriptors.has(`${pkgName}@${spec}`) || descriptors.has(`${pkgName}@npm:${spec}`)) return true;
      return /^(workspace|file|link|portal|patch):/.test(spec) ? undefined : false;
    },
    lineOf: finder(text, (e) => [`\n"${e.name}@`, `\n${e.name}@`]),
  };
}

function pnpm(text: string, side: Side): Lockfile {
  let doc: Json;
  try {
    doc = (parseYamlValue(text, { uniqueKeys: false }) ?? {}) as Json;
  } catch (error) {
    throw new UnreadableFileError(side, `not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const entries: LockEntry[] = [];
  for (const [key, value] of Object.entries((doc.packages ?? {}) as Record<string, Json>)) {
    const { name: pkgName, version } = splitPnpmKey(key);
    const resolution = (value?.resolution ?? {}) as Json;
    const resolved =
      typeof resolution.tarball === 'string'
        ? resolution.tarball
        : typeof resolution.repo === 'string'
          ? `${String(resolution.repo)}#${String(resolution.commit ?? '')}`
          : undefined;
    entries.push({
      name: typeof value?.name === 'string' ? value.name : pkgName,
      version: typeof value?.version === 'string' ? value.version : version,
      ...(resolved ? { resolved } : {}),
      ...(typeof resolution.integrity === 'string' ? { integrity: resolution.integrity } : {}),
      ...(value?.requiresBuild === true ? { hasInstallScript: true } : {}),
      ...(resolution.directory !== undefined ? { local: true } : {}),
    });
  }
  const importers = (doc.importers ?? { '.': doc }) as Record<string, Json>;
  return {
    kind: 'pnpm',
    entries,
    satisfies(dir, pkgName, spec) {
      const importer = importers[dir || '.'];
      if (!importer) return undefined;
      const legacy = (importer.specifiers as Record<string, string> | undefined)?.[pkgName];
      if (legacy !== undefined) return legacy === spec;
      for (const section of SECTIONS) {
        const entry = (importer[section] as Record<string, unknown> | undefined)?.[pkgName];
        if (entry && typeof entry === 'object' && 'specifier' in entry) return (entry as { specifier: string }).specifier === spec;
      }
      return false;
    },
    lineOf: finder(text, (e) => [
      `\n  /${e.name}@${e.version}`,
      `\n  ${e.name}@${e.version}`,
      `\n  '${e.name}@${e.version}`,
      `\n  /${e.name}/${e.version}`,
    ]),
  };
}

/** `@scope/name@^1.0.0` → `@scope/name`. */
export function nameOfDescriptor(descriptor: string): string {
  const unquoted = descriptor.replace(/^"|"$/g, '');
  const at = unquoted.indexOf('@', unquoted.startsWith('@') ? 1 : 0);
  return at < 0 ? unquoted : unquoted.slice(0, at);
}

function splitPnpmKey(key: string): { name: string; version: string } {
  const bare = key.replace(/^\//, '').replace(/\(.*$/, '');
  const at = bare.lastIndexOf('@');
  if (at > 0) return { name: bare.slice(0, at), version: bare.slice(at + 1) };
  const slash = bare.lastIndexOf('/'); // pnpm 5: /name/1.0.0
  return slash > 0 ? { name: bare.slice(0, slash), version: bare.slice(slash + 1) } : { name: bare, version: '' };
}

function versionSatisfies(version: string, spec: string): boolean | undefined {
  const range = spec.startsWith('npm:') ? spec.slice(spec.lastIndexOf('@') + 1) : spec;
  const semver = semverOf();
  if (!semver.validRange(range) || !semver.valid(version)) return undefined;
  return semver.satisfies(version, range, { includePrerelease: true });
}
