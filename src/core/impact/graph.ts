import { extractImports, type ExtractedImports } from './imports.js';
import { ModuleResolver } from './resolver.js';

/**
 * The import graph of the whole head tree: who loads whom at run time. Built from file contents only;
 * the only inputs are the texts the git adapter read from the head commit.
 */

export interface GraphInput {
  /** Every path of the head tree. */
  paths: ReadonlySet<string>;
  /** Text of source files to put in the graph (repo path -> text), unless `extracted` has them already. */
  sources?: ReadonlyMap<string, string>;
  /** Text of package.json / tsconfig / jsconfig / pnpm-workspace.yaml files. */
  configs: ReadonlyMap<string, string>;
  /**
   * Imports already extracted (while the files streamed in, whose texts need not be kept): these files
   * are in the graph too.
   */
  extracted?: ReadonlyMap<string, ExtractedImports>;
}

export interface GraphStats {
  files: number;
  edges: number;
  /** Files es-module-lexer could not read (JSX) and that the regex scan handled. */
  fallbackFiles: number;
  /** Relative specifiers that name no file of the tree (generated code, assets, typos). */
  unresolvedRelative: number;
  /** Bare specifiers left to node_modules (npm packages, builtins). */
  external: number;
  /** Named imports that bind only types (the compiler elides them, so they are not edges). */
  typeOnlyImports: number;
}

/** Adjacency in both directions over repo paths. */
export class ImportGraph {
  /** file -> files it imports (deduplicated). */
  readonly dependencies: Map<string, string[]>;
  /** file -> files that import it. */
  readonly dependents: Map<string, string[]>;
  readonly stats: GraphStats;
  readonly resolver: ModuleResolver;
  private readonly extracted: ReadonlyMap<string, ExtractedImports>;

  constructor(
    dependencies: Map<string, string[]>,
    stats: GraphStats,
    resolver: ModuleResolver,
    extracted: ReadonlyMap<string, ExtractedImports>,
  ) {
    this.dependencies = dependencies;
    this.stats = stats;
    this.resolver = resolver;
    this.extracted = extracted;
    this.dependents = new Map();
    for (const [from, targets] of dependencies) {
      for (const to of targets) {
        const list = this.dependents.get(to);
        if (list) list.push(from);
        else this.dependents.set(to, [from]);
      }
    }
  }

  /** The run-time specifiers a file of the graph imports, as written ('vitest', './db'). */
  specifiersOf(path: string): readonly string[] | undefined {
    return this.extracted.get(path)?.specifiers;
  }

  /** Every file that reaches one of `roots` through imports (the roots themselves included). */
  dependentsClosure(roots: Iterable<string>): Set<string> {
    return walk(roots, this.dependents);
  }

  /** Every file one of `roots` loads, directly or not (the roots included). */
  dependenciesClosure(roots: Iterable<string>): Set<string> {
    return walk(roots, this.dependencies);
  }
}

function walk(roots: Iterable<string>, edges: Map<string, string[]>): Set<string> {
  const seen = new Set<string>(roots);
  const queue = [...seen];
  for (let i = 0; i < queue.length; i++) {
    const next = edges.get(queue[i]!);
    if (!next) continue;
    for (const file of next) {
      if (!seen.has(file)) {
        seen.add(file);
        queue.push(file);
      }
    }
  }
  return seen;
}

/** Builds the graph. `initImportLexer()` must have resolved first. */
export function buildImportGraph(input: GraphInput): ImportGraph {
  const builder = new ImportGraphBuilder();
  for (const [path, entry] of input.extracted ?? []) builder.add(path, entry);
  for (const [path, text] of input.sources ?? []) if (!input.extracted?.has(path)) builder.add(path, extractImports(text, path));
  builder.setTree(input);
  return builder.finish();
}

/**
 * Builds the graph while the files are still arriving: `add` each file's extracted imports as it is read,
 * `setTree` once every path and config is known (their specifiers are resolved from then on, as they
 * come, instead of all at the end), and `finish` after the last file.
 */
export class ImportGraphBuilder {
  private readonly extracted = new Map<string, ExtractedImports>();
  private readonly resolvedOf = new Map<string, (string | undefined)[]>();
  private resolver: ModuleResolver | undefined;

  add(path: string, entry: ExtractedImports): void {
    this.extracted.set(path, entry);
    if (this.resolver) this.resolvedOf.set(path, this.resolveAll(path, entry));
  }

  /** Sets up resolution over the whole tree; files added so far are resolved now. Call once. */
  setTree(tree: { paths: ReadonlySet<string>; configs: ReadonlyMap<string, string> }): void {
    if (this.resolver) throw new Error('ImportGraphBuilder.setTree called twice');
    this.resolver = new ModuleResolver({ paths: tree.paths, configText: (path) => tree.configs.get(path) });
    for (const [path, entry] of this.extracted) this.resolvedOf.set(path, this.resolveAll(path, entry));
  }

  finish(): ImportGraph {
    const resolver = this.resolver;
    if (!resolver) throw new Error('ImportGraphBuilder.finish called before setTree');
    const { extracted, resolvedOf } = this;
    const dependencies = new Map<string, string[]>();
    const stats: GraphStats = { files: 0, edges: 0, fallbackFiles: 0, unresolvedRelative: 0, external: 0, typeOnlyImports: 0 };
    const typeNames = typeNamesThroughStars(extracted, resolvedOf);
    const typeOnly = typeOnlyModules(extracted, resolvedOf);
    // Whether the compiler drops an import: it binds only names the target exports as types (itself or
    // through `export *` barrels), or nothing but inline `type` entries, or the target exports nothing
    // but types.
    const isElided = (bound: string[] | undefined, target: string): boolean => {
      if (typeOnly.has(target)) return true;
      if (bound === undefined) return false;
      if (bound.length === 0) return true;
      const types = typeNames(target);
      return types.size > 0 && bound.every((name) => types.has(name));
    };
    // Sorted, so the graph (and every list drawn from it) does not depend on the order files arrived in.
    for (const path of [...extracted.keys()].sort()) {
      const { specifiers, kinds, names, fallback } = extracted.get(path)!;
      stats.files++;
      if (fallback) stats.fallbackFiles++;
      const targets = new Set<string>();
      const resolvedList = resolvedOf.get(path)!;
      for (let i = 0; i < specifiers.length; i++) {
        const specifier = specifiers[i]!;
        const resolved = resolvedList[i];
        if (resolved !== undefined) {
          if (kinds[i] === 'named' && isElided(names[i], resolved)) {
            stats.typeOnlyImports++;
            continue;
          }
          if (resolved !== path) targets.add(resolved);
        } else if (specifier.startsWith('.')) {
          stats.unresolvedRelative++;
        } else {
          stats.external++;
        }
      }
      stats.edges += targets.size;
      dependencies.set(path, [...targets]);
    }
    return new ImportGraph(dependencies, stats, resolver, extracted);
  }

  private resolveAll(path: string, entry: ExtractedImports): (string | undefined)[] {
    return entry.specifiers.map((specifier) => this.resolver!.resolve(specifier, path));
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * The names a module exports only as types, its own and those its `export *` barrels pass on (a types
 * package's index re-exporting a hundred files): `import { OrderDTO } from '@shop/types'` loads nothing.
 * A name the module itself exports as a value shadows the same name from a star, and `default` never
 * travels through one. Computed on demand and memoized; a module met again inside its own cycle
 * contributes nothing, which can only keep an import, never drop one wrongly.
 */
function typeNamesThroughStars(
  extracted: ReadonlyMap<string, ExtractedImports>,
  resolvedOf: ReadonlyMap<string, (string | undefined)[]>,
): (file: string) => ReadonlySet<string> {
  const memo = new Map<string, ReadonlySet<string> | null>();
  const namesOf = (file: string): ReadonlySet<string> => {
    const known = memo.get(file);
    if (known !== undefined) return known ?? NO_NAMES;
    const entry = extracted.get(file);
    if (!entry) return NO_NAMES;
    memo.set(file, null);
    let names: Set<string> | undefined = entry.typeExports.length ? new Set(entry.typeExports) : undefined;
    // The fallback scan does not read a file's own exports, so its stars cannot be trusted to add names.
    if (!entry.fallback && entry.kinds.includes('star')) {
      const own = new Set(entry.valueExports);
      const resolved = resolvedOf.get(file)!;
      entry.kinds.forEach((kind, i) => {
        const target = resolved[i];
        if (kind !== 'star' || target === undefined) return;
        for (const name of namesOf(target)) {
          if (name === 'default' || own.has(name)) continue;
          (names ??= new Set()).add(name);
        }
      });
    }
    const result = names ?? NO_NAMES;
    memo.set(file, result);
    return result;
  };
  return namesOf;
}

/**
 * Files that export nothing but types, following `export *` (a types package's barrel re-exporting only
 * type modules is type-only too). A fixpoint: cycles and unresolved re-exports count as values.
 */
function typeOnlyModules(
  extracted: ReadonlyMap<string, ExtractedImports>,
  resolvedOf: ReadonlyMap<string, (string | undefined)[]>,
): Set<string> {
  const typeOnly = new Set<string>();
  const pending = new Map<string, (string | undefined)[]>();
  for (const [path, entry] of extracted) {
    if (!entry.typeOnlyModule) continue;
    const stars = entry.kinds.flatMap((kind, i) => (kind === 'star' || kind === 'namespace' ? [resolvedOf.get(path)![i]] : []));
    if (stars.length === 0) typeOnly.add(path);
    else pending.set(path, stars);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const [path, stars] of pending) {
      if (stars.every((star) => star !== undefined && typeOnly.has(star))) {
        typeOnly.add(path);
        pending.delete(path);
        changed = true;
      }
    }
  }
  return typeOnly;
}
