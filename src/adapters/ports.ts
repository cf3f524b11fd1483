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

/** Reads a repository through git objects, never the work tree. */
export interface GitReader {
  /** Resolves a revision to a full commit sha; throws ConfigurationError naming `flag` when unknown. */
  resolveCommit(revision: string, flag: string): Promise<string>;
  mergeBase(base: string, head: string): Promise<string | undefined>;
  /** `git diff --name-status -M base head`, parsed. */
  changedFiles(base: string, head: string): Promise<{ path: string; oldPath?: string; status: 'added' | 'modified' | 'deleted' | 'renamed' }[]>;
  /** Reads many blobs in one `git cat-file --batch`; missing objects are absent from the map; binary ones are marked. */
  readBlobs(requests: { sha: string; path: string }[]): Promise<Map<string, { text?: string; size: number; binary: boolean }>>;
  /** Lists every file path of a commit's tree. */
  listTree(sha: string): Promise<string[]>;
}
