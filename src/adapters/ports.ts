import type { CommitInfo } from '../core/model.js';

/**
 * The small interfaces through which the pure core's callers reach the outside world. Adapters implement
 * them; tests pass real implementations pointed at temp folders and loopback servers.
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
}

/** Reads a repository through git objects, never the work tree. */
export interface GitReader {
  /** Resolves a revision to a full commit sha; throws ConfigurationError naming `flag` when unknown. */
  resolveCommit(revision: string, flag: string): Promise<string>;
  mergeBase(base: string, head: string): Promise<string | undefined>;
  /** `git diff --name-status -M base head`, parsed. */
  changedFiles(base: string, head: string): Promise<ChangedEntry[]>;
  /**
   * Reads many blobs in one `git cat-file --batch`, each named by a commit sha and a path; the map is keyed
   * `${sha}:${path}`. Missing objects are absent from the map; binary ones are marked and carry no text;
   * blobs over `maxBytes` carry no text either.
   */
  readBlobs(requests: { sha: string; path: string }[], options?: { maxBytes?: number }): Promise<Map<string, { text?: string; size: number; binary: boolean }>>;
  /** The commits of `base..head`, newest first (capped), with full messages: evidence for AI authorship. */
  commits(base: string, head: string): Promise<CommitInfo[]>;
  /** Lists every file path of a commit's tree. */
  listTree(sha: string): Promise<string[]>;
}
