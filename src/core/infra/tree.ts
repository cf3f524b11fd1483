import picomatch from 'picomatch';
import type { ChangedFile, Side } from '../model.js';
import type { Analyzer, ContextRequest, TreeView } from './define-analyzer.js';

/** Files of the trees around the changes that analyzers asked for, at most this many. */
export const MAX_TREE_FILES = 200;
/** Files read to search for words (`containing` requests), at most this many; of those, at most MAX_SEARCH_HITS kept. */
export const MAX_SEARCHED_FILES = 1500;
export const MAX_SEARCH_HITS = 100;

/** A glob whose matching files are kept only when they contain one of the words. */
export interface TreeSearch {
  glob: string;
  words: string[];
}

/**
 * What the collect step read for the analyzers beyond the changed files. A path the pull request did not
 * change has the same blob on both sides (the diff runs from the merge base), so it is read once.
 */
export interface TreeFiles {
  /** Unchanged files that were asked for, by path. */
  unchanged: Record<string, string>;
  /** Unchanged files that were asked for and exist, but carry no text (too large or binary). */
  unreadable?: string[];
  /** Every path of the head tree, when an analyzer asked for a glob; the base listing is derived from it. */
  headPaths?: string[];
}

/** The files `analyzers` ask for around `files`, as exact paths and globs, each once, sorted. */
export function contextRequests(
  analyzers: readonly Analyzer[],
  files: readonly ChangedFile[],
): { paths: string[]; globs: string[]; searches: TreeSearch[] } {
  const paths = new Set<string>();
  const globs = new Set<string>();
  const searches = new Map<string, Set<string>>();
  for (const file of files) {
    for (const analyzer of analyzers) {
      if (!claims(analyzer, file) || !analyzer.context) continue;
      for (const request of askedFor(analyzer, file)) {
        if (request.containing) {
          const words = searches.get(request.pattern) ?? new Set<string>();
          request.containing.forEach((w) => words.add(w));
          searches.set(request.pattern, words);
        } else (isGlob(request) ? globs : paths).add(request.pattern);
      }
    }
  }
  const sortedSearches = [...searches].sort(([a], [b]) => a.localeCompare(b)).map(([glob, words]) => ({ glob, words: [...words].sort() }));
  return { paths: [...paths].sort(), globs: [...globs].sort(), searches: sortedSearches.filter((s) => s.words.length > 0) };
}

/**
 * What one analyzer asks for around one file. A context() that throws (a side its parser rejects, a bug)
 * asks for nothing: the analyzer still runs on the file, where an unreadable side is reported as skipped
 * with its reason and any other failure as a note, so one analyzer cannot fail the whole analyze here.
 */
function askedFor(analyzer: Analyzer, file: ChangedFile): ContextRequest[] {
  try {
    return analyzer.context?.(file) ?? [];
  } catch {
    return [];
  }
}

/** The unchanged files to read for the searches: glob matches of the head listing, at most MAX_SEARCHED_FILES. */
export function searchCandidates(
  searches: readonly TreeSearch[],
  headPaths: readonly string[],
  changed: ReadonlySet<string>,
): { paths: string[]; dropped: number } {
  if (!searches.length) return { paths: [], dropped: 0 };
  const match = anyGlob(searches.map((s) => s.glob));
  const all = headPaths.filter((path) => !changed.has(path) && match(path));
  return { paths: all.slice(0, MAX_SEARCHED_FILES), dropped: Math.max(0, all.length - MAX_SEARCHED_FILES) };
}

/** Whether a file read for the searches is kept: a search whose glob matches it finds one of its words. */
export function searchHit(searches: readonly TreeSearch[], path: string, text: string): boolean {
  return searches.some((s) => globMatcher(s.glob)(path) && s.words.some((w) => text.includes(w)));
}

/**
 * Compiled globs, by glob. Compiling is what costs (a regular expression built from the glob each time): a
 * search over 1,500 files with nine globs compiled 13,500 of them, seconds of an `analyze`. A path is then
 * tested with the expression itself: picomatch's matcher answers the same (the path is the glob, or the
 * expression matches it; never the empty path) but builds two result objects and a match array on every
 * call, and the analyzers test every path of the head listing against each glob they list (tens of
 * thousands of tests in a large repository, a third of what the non-code analyzers cost on a pull request
 * that changes only code). Git paths are separated by `/` on every platform, hence `windows: false`.
 */
const compiledGlobs = new Map<string, (path: string) => boolean>();
function globMatcher(glob: string): (path: string) => boolean {
  let match = compiledGlobs.get(glob);
  if (!match) {
    const regex = picomatch.makeRe(glob, { dot: true, windows: false });
    match = (path) => path !== '' && (path === glob || regex.test(path));
    compiledGlobs.set(glob, match);
  }
  return match;
}

/** Whether a path matches one of the globs (picomatch's list form). */
function anyGlob(globs: readonly string[]): (path: string) => boolean {
  const matchers = globs.map(globMatcher);
  return (path) => matchers.some((match) => match(path));
}

/**
 * Which unchanged paths to read: the exact paths asked for, then the listing's matches of the globs, at
 * most MAX_TREE_FILES. Changed files are not read again: their two versions are already at hand.
 */
export function pathsToRead(
  request: { paths: string[]; globs: string[] },
  headPaths: readonly string[] | undefined,
  changed: ReadonlySet<string>,
): { paths: string[]; dropped: number } {
  const wanted = new Set(request.paths.filter((p) => !changed.has(p)));
  if (headPaths && request.globs.length) {
    const match = anyGlob(request.globs);
    for (const path of headPaths) if (!changed.has(path) && match(path)) wanted.add(path);
  }
  const all = [...wanted].sort();
  return { paths: all.slice(0, MAX_TREE_FILES), dropped: Math.max(0, all.length - MAX_TREE_FILES) };
}

/** Whether an analyzer reads this file (either of its paths matches one of its globs). */
export function claims(analyzer: Analyzer, file: Pick<ChangedFile, 'path' | 'oldPath'>): boolean {
  const match = matcherOf(analyzer);
  return match(file.path) || (file.oldPath !== undefined && match(file.oldPath));
}

/** Whether any of `analyzers` reads this file. */
export function claimedByAny(analyzers: readonly Analyzer[], file: Pick<ChangedFile, 'path' | 'oldPath'>): boolean {
  return analyzers.some((analyzer) => claims(analyzer, file));
}

/**
 * An analyzer's globs, each compiled once for the process (globMatcher): the analyzers share most of theirs
 * (the workflow, code, deployment and migration globs: 29 distinct of 80), and compiling is what costs. A path
 * matches as with picomatch's list form: when one of the globs matches it.
 */
const matchers = new WeakMap<Analyzer, (path: string) => boolean>();
function matcherOf(analyzer: Analyzer): (path: string) => boolean {
  let match = matchers.get(analyzer);
  if (!match) {
    match = anyGlob(analyzer.meta.reads);
    matchers.set(analyzer, match);
  }
  return match;
}

function isGlob(request: ContextRequest): boolean {
  return picomatch.scan(request.pattern).isGlob;
}

/** The analyzers' view of both trees: the changed files' two versions, and the unchanged files read for them. */
export function treeView(files: readonly ChangedFile[], tree: TreeFiles | undefined): TreeView {
  const bySide: Record<Side, Map<string, string | undefined>> = { base: new Map(), head: new Map() };
  for (const file of files) {
    if (file.status !== 'added') bySide.base.set(file.oldPath ?? file.path, file.base);
    if (file.status !== 'deleted') bySide.head.set(file.path, file.head);
  }
  const unchanged = tree?.unchanged ?? {};
  const unreadable = new Set(tree?.unreadable ?? []);
  let listings: Record<Side, string[]> | undefined;
  const lists = new Map<string, readonly string[]>();
  const listing = (side: Side): string[] => {
    if (!tree?.headPaths) return [];
    if (!listings) {
      const head = new Set(tree.headPaths);
      const base = new Set(tree.headPaths);
      for (const file of files) {
        if (file.status === 'added' || file.status === 'renamed') base.delete(file.path);
        if (file.status !== 'added') base.add(file.oldPath ?? file.path);
        if (file.status === 'deleted') head.delete(file.path);
        else head.add(file.path);
      }
      listings = { base: [...base].sort(), head: [...head].sort() };
    }
    return listings[side];
  };
  return {
    read(side, path) {
      const changed = bySide[side];
      if (changed.has(path)) return changed.get(path);
      // A path only the other side's changes know (added or deleted there, a rename's other name) does not
      // exist on this side; anything else is unchanged and the same on both.
      if (bySide[side === 'base' ? 'head' : 'base'].has(path)) return undefined;
      return Object.hasOwn(unchanged, path) ? unchanged[path] : undefined;
    },
    exists(side, path) {
      if (bySide[side].has(path)) return true;
      if (bySide[side === 'base' ? 'head' : 'base'].has(path)) return false;
      return Object.hasOwn(unchanged, path) || unreadable.has(path);
    },
    // Several analyzers list the same globs (the declaration surfaces, the code), some once per changed file.
    list(side, glob) {
      const key = `${side}\0${glob}`;
      let paths = lists.get(key);
      if (!paths) {
        const match = globMatcher(glob);
        paths = listing(side).filter((path) => match(path));
        lists.set(key, paths);
      }
      return paths;
    },
  };
}
