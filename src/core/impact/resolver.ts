import picomatch from 'picomatch';
import { parse as parseYaml } from '../yaml-library.js';
import { asRecord, parseJsonc } from './jsonc.js';
import { basename, dirname, extname, joinPath, SOURCE_EXTENSIONS } from '../paths.js';

/**
 * Module resolution over the head tree, without node_modules and without running anything: relative
 * paths with the extension rules of TypeScript and bundlers, tsconfig `paths`/`baseUrl` (following
 * `extends`), workspace packages by name with their `exports` (mapped from build output back to
 * source), and package `imports` (`#internal`). What does not resolve to a file of the tree is external.
 */

/** The head tree as the resolver sees it: every path, and the text of the JSON configs it may need. */
export interface ResolverTree {
  /** Every file path of the head tree (repo-relative). */
  paths: ReadonlySet<string>;
  /** Text of package.json, tsconfig*.json, jsconfig.json and pnpm-workspace.yaml files. */
  configText(path: string): string | undefined;
}

interface TsPaths {
  /** Directory that `paths` substitutions are relative to. */
  pathsDir: string;
  paths: [pattern: string, targets: string[]][];
  baseUrlDir?: string;
}

interface PackageInfo {
  dir: string;
  name?: string;
  json: Record<string, unknown>;
}

/** Extensions tried for an extensionless specifier, TypeScript first: the source extensions in their order. */
const TS_FIRST: readonly string[] = SOURCE_EXTENSIONS;
const JS_TO_TS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.js', '.jsx'],
  '.jsx': ['.tsx', '.jsx'],
  '.mjs': ['.mts', '.mjs', '.ts'],
  '.cjs': ['.cts', '.cjs', '.ts'],
};
/** A package's `main` may name another package folder; real chains are one or two hops long. */
const MAX_MAIN_HOPS = 8;

// Build-output folders whose files a package's `exports`/`main` name but that are not committed: their
// source lives under src/ (dist/esm/x.js -> src/x.ts).
const OUTPUT_DIRS = new Set(['dist', 'lib', 'build', 'out', 'esm', 'cjs', 'es', 'module', 'commonjs', 'types']);
const EXPORT_CONDITIONS = new Set([
  'source',
  'development',
  'import',
  'module',
  'require',
  'node',
  'default',
  'types',
  'typescript',
  'browser',
]);

/** Resolves specifiers to repo paths; one instance per head tree, caching every answer. */
export class ModuleResolver {
  private readonly tree: ResolverTree;
  private readonly fileCache = new Map<string, string | null>();
  private readonly tsconfigCache = new Map<string, TsPaths | null>();
  private readonly tsconfigForDir = new Map<string, string | null>();
  private readonly packageForDir = new Map<string, PackageInfo | null>();
  private readonly packageByDir = new Map<string, PackageInfo>();
  private readonly packagesByName = new Map<string, PackageInfo>();
  private readonly bareCache = new Map<string, string | null>();
  private readonly configDirs = new Set<string>();

  constructor(tree: ResolverTree) {
    this.tree = tree;
    const packageJsons: string[] = [];
    for (const path of tree.paths) {
      const base = basename(path);
      if (base === 'package.json') packageJsons.push(path);
      else if (base === 'tsconfig.json' || base === 'jsconfig.json') this.configDirs.add(dirname(path));
    }
    this.indexPackages(packageJsons);
  }

  /** The workspace packages found, by name (for reports and tests). */
  get packageNames(): string[] {
    return [...this.packagesByName.keys()].sort();
  }

  /**
   * Resolves one specifier written in `fromPath`. Returns the repo path of the loaded source file, or
   * undefined when it is external (npm package, builtin) or not in the tree.
   */
  resolve(specifier: string, fromPath: string): string | undefined {
    const queryAt = specifier.search(/[?#]/);
    if (queryAt > 0) specifier = specifier.slice(0, queryAt);
    const fromDir = dirname(fromPath);
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
      const joined = joinPath(fromDir, specifier);
      return joined === undefined ? undefined : this.resolveFile(joined);
    }
    if (specifier.startsWith('/') || specifier.startsWith('node:') || specifier.includes(':')) return undefined;
    const tsconfig = this.tsconfigGoverning(fromDir);
    // Configs with the same effective paths/baseUrl (packages extending one base) share answers.
    const key = this.settingsKey(tsconfig) + '\0' + (specifier.startsWith('#') ? fromDir : '') + '\0' + specifier;
    const cached = this.bareCache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const resolved = this.resolveBare(specifier, fromDir, tsconfig);
    this.bareCache.set(key, resolved ?? null);
    return resolved;
  }

  private readonly settingsKeys = new Map<string, string>();

  private settingsKey(tsconfig: string | undefined): string {
    if (tsconfig === undefined) return '';
    let key = this.settingsKeys.get(tsconfig);
    if (key === undefined) {
      const options = this.loadTsconfig(tsconfig);
      key = options ? JSON.stringify([options.pathsDir, options.baseUrlDir ?? null, options.paths]) : '';
      this.settingsKeys.set(tsconfig, key);
    }
    return key;
  }

  private resolveBare(specifier: string, fromDir: string, tsconfig: string | undefined): string | undefined {
    const options = tsconfig === undefined ? undefined : this.loadTsconfig(tsconfig);
    if (options) {
      for (const [pattern, targets] of options.paths) {
        const star = pattern.indexOf('*');
        let captured: string | undefined;
        if (star < 0) {
          if (pattern === specifier) captured = '';
        } else {
          const prefix = pattern.slice(0, star);
          const suffix = pattern.slice(star + 1);
          if (specifier.startsWith(prefix) && specifier.endsWith(suffix) && specifier.length >= prefix.length + suffix.length) {
            captured = specifier.slice(prefix.length, specifier.length - suffix.length);
          }
        }
        if (captured === undefined) continue;
        for (const target of targets) {
          const substituted = joinPath(options.pathsDir, target.replace('*', captured));
          const file = substituted === undefined ? undefined : this.resolveFile(substituted);
          if (file) return file;
        }
      }
      if (options.baseUrlDir !== undefined) {
        const underBase = joinPath(options.baseUrlDir, specifier);
        const file = underBase === undefined ? undefined : this.resolveFile(underBase);
        if (file) return file;
      }
    }
    if (specifier.startsWith('#')) {
      const pkg = this.packageGoverning(fromDir);
      const imports = pkg ? pkg.json.imports : undefined;
      return pkg && imports ? this.resolveFromMap(pkg, imports, specifier, true) : undefined;
    }
    const parts = specifier.split('/');
    const nameLength = specifier.startsWith('@') ? 2 : 1;
    const name = parts.slice(0, nameLength).join('/');
    const pkg = this.packagesByName.get(name);
    if (!pkg) return undefined;
    const subpath = parts.slice(nameLength).join('/');
    const exportsField = pkg.json.exports;
    if (exportsField !== undefined && exportsField !== null) {
      const viaExports = this.resolveFromMap(pkg, exportsField, subpath === '' ? '.' : './' + subpath, false);
      if (viaExports) return viaExports;
    }
    if (subpath !== '') {
      const direct = joinPath(pkg.dir, subpath);
      return direct === undefined ? undefined : (this.resolveFile(direct) ?? this.resolveOutput(direct));
    }
    for (const field of ['source', 'module', 'main', 'types', 'typings']) {
      const value = pkg.json[field];
      if (typeof value !== 'string') continue;
      const target = joinPath(pkg.dir, value);
      const file = target === undefined ? undefined : (this.resolveFile(target) ?? this.resolveOutput(target));
      if (file) return file;
    }
    return (
      this.resolveFile(pkg.dir === '' ? 'index' : pkg.dir + '/index') ??
      this.resolveFile(pkg.dir === '' ? 'src/index' : pkg.dir + '/src/index')
    );
  }

  /** Resolves `subpath` ('.', './x', '#x') through an `exports` or `imports` map of a package. */
  private resolveFromMap(pkg: PackageInfo, field: unknown, subpath: string, isImports: boolean): string | undefined {
    let targets: unknown;
    let captured: string | undefined;
    const record = asRecord(field);
    const keys = record ? Object.keys(record) : [];
    const isSubpathMap = isImports || keys.some((key) => key.startsWith('.'));
    if (!isSubpathMap) {
      if (subpath !== '.') return undefined;
      targets = field;
    } else if (record) {
      if (subpath in record) {
        targets = record[subpath];
      } else {
        let bestPrefix = -1;
        for (const key of keys) {
          const star = key.indexOf('*');
          if (star < 0) {
            // Legacy folder mapping: "./features/": "./src/features/"
            if (key.endsWith('/') && subpath.startsWith(key) && key.length > bestPrefix) {
              bestPrefix = key.length;
              targets = record[key];
              captured = subpath.slice(key.length);
            }
            continue;
          }
          const prefix = key.slice(0, star);
          const suffix = key.slice(star + 1);
          if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1 && prefix.length > bestPrefix) {
            bestPrefix = prefix.length;
            targets = record[key];
            captured = subpath.slice(prefix.length, subpath.length - suffix.length);
          }
        }
      }
    }
    for (const target of flattenTargets(targets)) {
      let relative = target;
      if (captured !== undefined) relative = relative.includes('*') ? relative.split('*').join(captured) : relative + captured;
      if (!relative.startsWith('./')) continue; // a bare target in `imports` points at another package
      const joined = joinPath(pkg.dir, relative);
      if (joined === undefined) continue;
      const file = this.resolveFile(joined) ?? this.resolveOutput(joined);
      if (file) return file;
    }
    return undefined;
  }

  /**
   * Maps a build-output path a package names (dist/esm/index.js, lib/x.d.ts) to the source file that
   * produces it (src/index.ts, src/x.ts), since build output is not in the tree.
   */
  private resolveOutput(target: string): string | undefined {
    const stripped = target.replace(/\.d\.([mc]?)ts$/, '.$1js');
    const segments = stripped.split('/');
    for (let i = 0; i < segments.length - 1; i++) {
      if (!OUTPUT_DIRS.has(segments[i]!)) continue;
      const head = segments.slice(0, i);
      // Strip the fewest output folders that give a source file: dist/esm/x.js is src/x.ts, but
      // dist/types/index.js (the `./types` subpath) is src/types/index.ts, not src/index.ts.
      for (let j = i + 1; j < segments.length && (j === i + 1 || OUTPUT_DIRS.has(segments[j - 1]!)); j++) {
        const tail = segments.slice(j);
        for (const candidate of [
          [...head, 'src', ...tail],
          [...head, ...tail],
        ]) {
          const file = this.resolveFile(candidate.join('/'));
          if (file) return file;
        }
      }
    }
    return undefined;
  }

  /** Applies the extension rules: exact file, .js written for .ts, added extensions, index files. */
  resolveFile(base: string): string | undefined {
    const cached = this.fileCache.get(base);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.findFile(base);
    this.fileCache.set(base, found ?? null);
    return found;
  }

  /**
   * `visiting` holds the package folders whose `main` is being followed: two packages whose `main` point at
   * each other (or a chain longer than any real one) end the search instead of recursing without bound.
   */
  private findFile(base: string, visiting: Set<string> = new Set()): string | undefined {
    const paths = this.tree.paths;
    const ext = extname(base);
    const swaps = JS_TO_TS[ext];
    if (swaps) {
      const stem = base.slice(0, -ext.length);
      for (const candidate of swaps) if (paths.has(stem + candidate)) return stem + candidate;
    } else if (TS_FIRST.includes(ext) && paths.has(base)) {
      return base;
    }
    for (const candidate of TS_FIRST) if (paths.has(base + candidate)) return base + candidate;
    const prefix = base === '' ? 'index' : base + '/index';
    for (const candidate of TS_FIRST) if (paths.has(prefix + candidate)) return prefix + candidate;
    const pkg = this.packageByDir.get(base);
    if (pkg && !visiting.has(base) && visiting.size < MAX_MAIN_HOPS) {
      visiting.add(base);
      for (const field of ['source', 'module', 'main']) {
        const value = pkg.json[field];
        if (typeof value !== 'string') continue;
        const target = joinPath(base, value);
        if (target !== undefined && target !== base) {
          const file = this.findFile(target, visiting);
          if (file) return file;
        }
      }
    }
    return undefined;
  }

  private indexPackages(packageJsons: string[]): void {
    const workspaceGlobs: string[] = [];
    const rootJson = asRecord(parseJsonc(this.tree.configText('package.json') ?? ''));
    const workspaces = rootJson?.workspaces;
    const globsFrom = (value: unknown): void => {
      if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') workspaceGlobs.push(item);
    };
    globsFrom(workspaces);
    globsFrom(asRecord(workspaces)?.packages);
    const pnpm = this.tree.configText('pnpm-workspace.yaml');
    if (pnpm) {
      try {
        globsFrom(asRecord(parseYaml(pnpm))?.packages);
      } catch {
        // an unreadable pnpm-workspace.yaml only loses the preference below
      }
    }
    // `./` and `.` name the root package itself; picomatch cannot compile the empty glob they leave.
    const cleaned = workspaceGlobs.filter((glob) => !glob.startsWith('!')).map((glob) => glob.replace(/^\.\/?/, '').replace(/\/+$/, ''));
    const globs = cleaned.filter((glob) => glob !== '' && compiles(glob));
    const rootListed = cleaned.includes('');
    const matcher = globs.length ? picomatch(globs) : undefined;
    const inWorkspace = workspaceGlobs.length ? (dir: string): boolean => (dir === '' ? rootListed : (matcher?.(dir) ?? false)) : undefined;
    for (const path of packageJsons) {
      if (path.includes('node_modules/')) continue;
      const json = asRecord(parseJsonc(this.tree.configText(path) ?? ''));
      if (!json) continue;
      const dir = dirname(path);
      const info: PackageInfo = { dir, json, ...(typeof json.name === 'string' ? { name: json.name } : {}) };
      this.packageByDir.set(dir, info);
      if (!info.name) continue;
      const existing = this.packagesByName.get(info.name);
      if (!existing || preferPackage(info, existing, inWorkspace)) this.packagesByName.set(info.name, info);
    }
  }

  private packageGoverning(dir: string): PackageInfo | undefined {
    const cached = this.packageForDir.get(dir);
    if (cached !== undefined) return cached ?? undefined;
    const own = this.packageByDir.get(dir);
    const found = own ?? (dir === '' ? undefined : this.packageGoverning(dirname(dir)));
    this.packageForDir.set(dir, found ?? null);
    return found;
  }

  private tsconfigGoverning(dir: string): string | undefined {
    const cached = this.tsconfigForDir.get(dir);
    if (cached !== undefined) return cached ?? undefined;
    let found: string | undefined;
    if (this.configDirs.has(dir)) {
      const prefix = dir === '' ? '' : dir + '/';
      found = this.tree.paths.has(prefix + 'tsconfig.json') ? prefix + 'tsconfig.json' : prefix + 'jsconfig.json';
    } else if (dir !== '') {
      found = this.tsconfigGoverning(dirname(dir));
    }
    this.tsconfigForDir.set(dir, found ?? null);
    return found;
  }

  /** Reads `paths`/`baseUrl` of a tsconfig, following `extends` (relative files and workspace packages). */
  private loadTsconfig(path: string, depth = 0): TsPaths | undefined {
    const cached = this.tsconfigCache.get(path);
    if (cached !== undefined) return cached ?? undefined;
    this.tsconfigCache.set(path, null); // guards against extends cycles
    const json = asRecord(parseJsonc(this.tree.configText(path) ?? ''));
    if (!json || depth > 10) return undefined;
    const dir = dirname(path);
    let result: TsPaths | undefined;
    const parents = typeof json.extends === 'string' ? [json.extends] : Array.isArray(json.extends) ? json.extends : [];
    for (const parent of parents) {
      if (typeof parent !== 'string') continue;
      const parentPath = this.locateExtends(parent, dir);
      const inherited = parentPath ? this.loadTsconfig(parentPath, depth + 1) : undefined;
      if (inherited) result = { ...inherited, paths: inherited.paths };
    }
    const options = asRecord(json.compilerOptions);
    if (options) {
      let baseUrlDir = result?.baseUrlDir;
      if (typeof options.baseUrl === 'string') baseUrlDir = joinPath(dir, options.baseUrl);
      const ownPaths = asRecord(options.paths);
      const paths = ownPaths
        ? Object.entries(ownPaths).map(([pattern, targets]): [string, string[]] => [
            pattern,
            Array.isArray(targets) ? targets.filter((t): t is string => typeof t === 'string') : [],
          ])
        : (result?.paths ?? []);
      // TypeScript: `paths` entries are relative to baseUrl when one is set, else to the config declaring them.
      const pathsDir = baseUrlDir ?? (ownPaths ? dir : (result?.pathsDir ?? dir));
      result = { paths, pathsDir, ...(baseUrlDir !== undefined ? { baseUrlDir } : {}) };
    }
    // Longest prefix first, as TypeScript picks the most specific pattern.
    if (result) result.paths = [...result.paths].sort((a, b) => b[0].indexOf('*') - a[0].indexOf('*') || b[0].length - a[0].length);
    this.tsconfigCache.set(path, result ?? null);
    return result;
  }

  private locateExtends(parent: string, dir: string): string | undefined {
    const has = (p: string | undefined): p is string => p !== undefined && this.tree.configText(p) !== undefined;
    if (parent.startsWith('.') || parent.startsWith('/')) {
      const joined = joinPath(dir, parent);
      if (has(joined)) return joined;
      if (joined !== undefined && has(joined + '.json')) return joined + '.json';
      return joined !== undefined && has(joined + '/tsconfig.json') ? joined + '/tsconfig.json' : undefined;
    }
    const parts = parent.split('/');
    const nameLength = parent.startsWith('@') ? 2 : 1;
    const pkg = this.packagesByName.get(parts.slice(0, nameLength).join('/'));
    if (!pkg) return undefined; // extends an npm package that is not part of the tree: nothing to inherit
    const rest = parts.slice(nameLength).join('/');
    const joined = joinPath(pkg.dir, rest === '' ? 'tsconfig.json' : rest);
    if (has(joined)) return joined;
    return joined !== undefined && has(joined + '.json') ? joined + '.json' : undefined;
  }
}

function preferPackage(candidate: PackageInfo, existing: PackageInfo, inWorkspace: ((path: string) => boolean) | undefined): boolean {
  if (inWorkspace) {
    const a = inWorkspace(candidate.dir);
    const b = inWorkspace(existing.dir);
    if (a !== b) return a;
  }
  // Fixture and example packages sit deeper than the real one.
  return candidate.dir.split('/').length < existing.dir.split('/').length;
}

/** Conditions nest a few levels in real `exports` maps; deeper nesting is hostile and not followed. */
const MAX_EXPORTS_DEPTH = 32;

function flattenTargets(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > MAX_EXPORTS_DEPTH) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) flattenTargets(item, out, depth + 1);
  else {
    const record = asRecord(value);
    if (record)
      for (const [condition, target] of Object.entries(record))
        if (EXPORT_CONDITIONS.has(condition)) flattenTargets(target, out, depth + 1);
  }
  return out;
}

function compiles(glob: string): boolean {
  try {
    picomatch.makeRe(glob);
    return true;
  } catch {
    return false;
  }
}
