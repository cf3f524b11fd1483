import type { CommitInfo } from '../core/model.js';

/**
 * The small interfaces through which the pure core's callers reach the outside world. Adapters implement
 * them; tests pass real implementations pointed at temp folders and loopback servers. `src/app/` reaches
 * adapters through this file only (test/meta/architecture.test.ts).
 */

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** One entry of a diff between two commits. `kind` tells symlinks and submodules from regular files. */
export interface ChangedEntry {
  path: string;
  oldPath?: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  kind?: 'file' | 'symlink' | 'submodule';
  /** Object id of the base version (absent for an addition), as `diff --raw` gives it. */
  baseId?: string;
  /** Object id of the head version (absent for a deletion). */
  headId?: string;
}

/** A blob read from git: binary blobs and blobs over the size asked for carry no text. */
export interface BlobContent {
  text?: string;
  size: number;
  binary: boolean;
}

/** A commit's whole tree as the import graph needs it. */
export interface HeadTree {
  /** Every path in the commit's tree. */
  paths: Set<string>;
  /** Source files (JS/TS) to put in the graph. */
  sources: Map<string, string>;
  /** package.json, tsconfig/jsconfig, pnpm-workspace.yaml, .mocharc.json texts. */
  configs: Map<string, string>;
  /** Files whose blob the repository does not have (partial clones), or too large to read. */
  missing: string[];
}

export interface ReadTreeOptions {
  /**
   * Called for each source file as its blob arrives, so the caller can work (extract imports) while git
   * is still decompressing the rest.
   */
  onSource?: (path: string, text: string) => void;
  /**
   * Called once, as soon as the listing is complete and every config has been read, while source blobs
   * are still streaming: a caller can set up module resolution then instead of after the last blob.
   */
  onConfigs?: (tree: { paths: ReadonlySet<string>; configs: ReadonlyMap<string, string> }) => void;
  /**
   * Keep source texts in `sources` (default true). A caller that extracts everything it needs in
   * `onSource` passes false, so the texts die young instead of being promoted and kept.
   */
  retainSources?: boolean;
}

/** A commit of the churn window and the files it touched. */
export interface ChurnCommit {
  sha: string;
  subject: string;
  files: string[];
}

export interface BlamedLine {
  line: number;
  commit: string;
  /** The commit is the edge of a shallow history (or the root): it did not necessarily write the line. */
  boundary: boolean;
}

export interface CommitMessage {
  sha: string;
  date: string;
  subject: string;
  body: string;
}

/** Reads a repository through git objects, never the work tree. */
export interface GitReader {
  /** Resolves a revision to a full commit sha; throws ConfigurationError naming `flag` when unknown. */
  resolveCommit(revision: string, flag: string): Promise<string>;
  mergeBase(base: string, head: string): Promise<string | undefined>;
  /** `git diff --raw -z -M base head`, parsed, with each side's object id. */
  changedFiles(base: string, head: string): Promise<ChangedEntry[]>;
  /** Reads many blobs by object id in one `git cat-file --batch`; missing objects are absent from the map. */
  readObjects(ids: readonly string[], options?: { maxBytes?: number }): Promise<Map<string, BlobContent>>;
  /** Reads files of a commit by path (keyed by path); paths the commit does not hold are absent. */
  readFiles(commit: string, paths: readonly string[], options?: { maxBytes?: number }): Promise<Map<string, BlobContent>>;
  /**
   * Paths of a commit's tree whose blob contains one of `words` (fixed strings, case-sensitive), among the
   * paths `globs` (picomatch) may match; a superset is fine, callers match the globs again. Git searches the
   * blobs itself, so only the files that hold a word are ever read.
   */
  grepFiles(commit: string, words: readonly string[], globs: readonly string[]): Promise<string[]>;
  /** The commits of `base..head`, newest first (capped), with full messages: evidence for AI authorship. */
  commits(base: string, head: string): Promise<CommitInfo[]>;
  /** Lists every file path of a commit's tree. */
  listTree(sha: string): Promise<string[]>;
  /** Streams every JS/TS source and resolution config of a commit's tree. */
  readTree(commit: string, options?: ReadTreeOptions): Promise<HeadTree>;
  /** True when the repository is a shallow clone (history, churn and blame are then partial). */
  isShallow(): Promise<boolean>;
  /** Commits reachable from `base` in the `days` before its commit date that touched one of `paths`. */
  recentCommits(base: string, paths: readonly string[], days?: number): Promise<ChurnCommit[]>;
  /** Blames lines `from..to` of `file` as it is in `revision`. */
  blame(revision: string, file: string, from: number, to: number): Promise<BlamedLine[]>;
  /** Full messages of commits, in one process. */
  commitMessages(shas: readonly string[]): Promise<Map<string, CommitMessage>>;
  /** Head-side line numbers each file's diff adds or changes. */
  changedHeadLines(base: string, head: string, paths: readonly string[]): Promise<Map<string, number[]>>;
}

/** A file the user points the gate at (hotspots, coverage), read from disk. */
export interface SignalFile {
  /** The path as given (for messages). */
  name: string;
  text: string;
}

/** The local files the analysis may read besides git objects: the user's own inputs, never PR content. */
export interface LocalFiles {
  /** Text of the file at `path`, or undefined when there is no such file. */
  readText(path: string): Promise<string | undefined>;
  /** Reads each path (relative to `cwd`; a directory stands for its .json files); problems go in `errors`. */
  readSignalFiles(paths: readonly string[], cwd: string): Promise<{ files: SignalFile[]; errors: string[] }>;
}
