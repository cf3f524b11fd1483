import type { Config } from '../config/config.js';
import type { Category, ChangedFile, Severity, Side } from '../model.js';

/**
 * Analyzers read the files around the code that also protect production: manifests and lockfiles, CI
 * workflows, Dockerfiles and deployment files, migrations, environment files. Each compares a semantic
 * model of the base and the head version of one changed file (a dependency map, a workflow's jobs and
 * steps), never the text, and says what the pull request removed or weakened.
 */

/** Which files of the trees around the changed one an analyzer wants to read, asked before analysis. */
export interface ContextRequest {
  /** A repository path, or a picomatch glob (`.github/workflows/*.yml`) matched against the head tree. */
  pattern: string;
  /**
   * With a glob: only the files whose text contains one of these words are kept (the code that still reads
   * a dropped column). Searched within their own budget (MAX_SEARCHED_FILES read, MAX_SEARCH_HITS kept).
   */
  containing?: string[];
}

/**
 * A read-only view of the base and head trees beyond the changed file. It serves only what the analyzers
 * asked for in `context()` (read by the collect step from git objects, bounded in count and size), plus
 * every changed file of the pull request.
 */
export interface TreeView {
  /** A file's text on one side; undefined when the side lacks it, it was too large, or nobody asked for it. */
  read(side: Side, path: string): string | undefined;
  /**
   * Whether a side holds the file, even one too large or binary to read (a monorepo's root lockfile):
   * "is there a lockfile?" must not turn into "no" because the lockfile is big. Known for the changed files
   * and for the paths asked for in `context()`; false for anything else.
   */
  exists(side: Side, path: string): boolean;
  /** Paths of one side's tree matching a glob; empty when no analyzer asked for a listing. Shared: do not change it. */
  list(side: Side, glob: string): readonly string[];
}

/** One changed file as an analyzer sees it. */
export interface FileChange {
  /** Head path (base path for a deletion). */
  path: string;
  oldPath?: string;
  status: ChangedFile['status'];
  /** Base text; undefined when the file was added. */
  base?: string;
  /** Head text; undefined when the file was deleted. */
  head?: string;
  /** Every file the pull request changed (paths and statuses only): "did the lockfile change too?". */
  changed: readonly Pick<ChangedFile, 'path' | 'oldPath' | 'status'>[];
  tree: TreeView;
  config: Config;
}

/** What an analyzer reports; the runner turns it into a Finding (id, severity, message). */
export interface AnalyzerFinding {
  messageId: string;
  /** Values for the message template's {{placeholders}}. */
  data?: Record<string, string | number>;
  /** `base` for something removed (anchored on the deleted line), `head` for something added or changed. */
  side: Side;
  /** 1-based line on that side. */
  line: number;
  /** For a base-side finding: the nearest head line that survives (the enclosing job, the dependency block). */
  headLine?: number;
  /** A file other than the analyzed one the finding points at (a workflow for a package.json script). */
  file?: string;
  /**
   * Identity of what the finding is about, without line numbers ('job test / step npm test',
   * 'dependencies.express'): it goes into the fingerprint, so the same finding keeps its id across pushes.
   */
  key: string;
  /** A readable name of the thing (`jobs.test`, `express`), shown as the finding's symbol. */
  symbol?: string;
  /** Overrides the analyzer's default severity. */
  severity?: Severity;
  evidence?: Record<string, unknown>;
}

export interface AnalyzerMeta {
  id: string;
  category: Category;
  /** Default severity; a finding may say otherwise (weaker signals lower, strong evidence higher). */
  severity: Severity;
  description: string;
  /** Message templates by message id, with {{placeholders}} filled from the finding's data. */
  messages: Record<string, string>;
  /** Picomatch globs of the files the analyzer reads (`**\/package.json`); a file is claimed by matching one. */
  reads: string[];
  docs: {
    catches: string;
    ignores: string;
    /** A pull request in miniature: the analyzed file before and after, and any other file it needs. */
    example: { file: string; before: string; after: string; context?: { path: string; text: string }[] };
  };
}

export interface Analyzer {
  meta: AnalyzerMeta;
  /** Other files this change needs read (the manifest beside a lockfile, the workflows). Bounded by the caller. */
  context?(file: Pick<ChangedFile, 'path' | 'oldPath' | 'status' | 'base' | 'head'>): ContextRequest[];
  /**
   * Compares the two versions. Throws UnreadableFileError when a side cannot be parsed: the file is then
   * reported as skipped with that reason.
   */
  analyze(change: FileChange): AnalyzerFinding[];
}

/** A side of a claimed file that its format's parser rejects: reported as skipped, never as a crash. */
export class UnreadableFileError extends Error {
  constructor(
    readonly side: Side,
    reason: string,
  ) {
    super(reason);
    this.name = 'UnreadableFileError';
  }
}

/** Declares an analyzer; the identity function, there for the types and as the catalogue's one shape. */
export function defineAnalyzer(analyzer: Analyzer): Analyzer {
  return analyzer;
}
