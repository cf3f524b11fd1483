import type {
  BlamedLine,
  BlobContent,
  ChangedEntry,
  ChurnCommit,
  CommitMessage,
  GitReader,
  HeadTree,
  Logger,
  ReadTreeOptions,
} from '../ports.js';
import type { CommitInfo } from '../../core/model.js';
import { ConfigurationError } from '../../core/errors.js';
import { readObjects } from './blobs.js';
import { ensureCommits, type FetchCredentials } from './fetch-commits.js';
import { Git, GitCommandError } from './git.js';
import { readHeadTree } from './head-tree.js';
import { blameLines, changedHeadLines, commitMessages, recentCommits } from './history.js';

export { GitCommandError } from './git.js';

/** Commits listed for AI-authorship evidence; a PR with more is summarised by its newest ones. */
const MAX_COMMITS = 250;
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** An `ls-tree -z` entry of a blob: `<mode> blob <id>\t<path>`. */
const BLOB_ENTRY = /^\d+ blob ([0-9a-f]+)\t([\s\S]+)$/;

/**
 * Opens the repository that holds `dir` (its top level, so that paths are repo-relative even when `dir`
 * is a subfolder). Throws ConfigurationError naming `--repo` when `dir` is not inside a git work tree.
 */
export async function openGitRepository(dir: string, logger?: Logger): Promise<GitRepository> {
  let topLevel: string;
  try {
    topLevel = (await new Git(dir).text(['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    if (error instanceof ConfigurationError) throw error; // git is not installed
    const detail = error instanceof GitCommandError ? error.stderr.trim().split('\n')[0] : String((error as Error).message ?? error);
    throw new ConfigurationError(`--repo: ${dir} is not a git work tree (${detail || 'git rev-parse failed'})`);
  }
  if (!topLevel) throw new ConfigurationError(`--repo: ${dir} is not a git work tree (it is a bare repository or a .git folder)`);
  return new GitRepository(topLevel, logger);
}

/**
 * The git adapter: reads a repository through git objects, every command through one `Git` runner (see
 * git.ts for the options that keep the repository's configuration from running anything). Every revision
 * and path that comes from a user or a pull request is validated, sent as an object id, or placed after
 * `--` with literal pathspecs, so none of it can become a git option or a glob.
 */
export class GitRepository implements GitReader {
  private readonly git: Git;
  /** The blob ids of the last tree listed whole, by path. */
  private listed: { commit: string; blobs: Map<string, string> } | undefined;

  constructor(
    /** Top level of the work tree. */
    readonly repoDir: string,
    private readonly logger?: Logger,
  ) {
    this.git = new Git(repoDir);
  }

  /** Fetches the commits an event names when the checkout lacks them (see fetch-commits.ts). */
  ensureCommits(shas: readonly (string | undefined)[], credentials: FetchCredentials, logger: Logger): Promise<void> {
    return ensureCommits(this.git, shas, credentials, logger);
  }

  async resolveCommit(revision: string, flag: string): Promise<string> {
    assertRevision(revision, flag);
    try {
      const sha = (await this.git.text(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`])).trim();
      if (SHA.test(sha)) return sha;
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
    }
    const hint = (await this.isShallow()) ? ' (this clone is shallow: fetch that revision, or check out with fetch-depth: 0)' : '';
    throw new ConfigurationError(`${flag}: unknown revision '${revision}'${hint}`);
  }

  /**
   * The best common ancestor of two commits. When the clone is shallow and the ancestor lies beyond its
   * boundary, deepens the history from `origin` (in steps, then in full); throws ConfigurationError when
   * that is impossible. Returns undefined when the two commits share no history at all.
   */
  async mergeBase(base: string, head: string): Promise<string | undefined> {
    const found = await this.tryMergeBase(base, head);
    if (found || !(await this.isShallow())) return found;
    if (!(await this.hasRemote('origin'))) {
      throw new ConfigurationError(
        'the clone is shallow and the merge base of --base and --head is not in it; no "origin" remote to deepen from: ' +
          'clone with full history (actions/checkout: fetch-depth: 0)',
      );
    }
    for (const step of [['--deepen=100'], ['--deepen=1000'], ['--unshallow']]) {
      this.logger?.info(`shallow clone: fetching more history from origin (${step[0]})`);
      try {
        await this.git.run(['fetch', '--no-tags', '--quiet', ...step, 'origin'], { network: true });
      } catch (error) {
        if (!(error instanceof GitCommandError)) throw error;
        throw new ConfigurationError(
          `the clone is shallow and fetching more history from origin failed (${error.stderr.trim().split('\n')[0]}): ` +
            'check out with full history (actions/checkout: fetch-depth: 0)',
        );
      }
      const deeper = await this.tryMergeBase(base, head);
      if (deeper) return deeper;
      if (!(await this.isShallow())) return undefined;
    }
    return undefined;
  }

  async changedFiles(base: string, head: string): Promise<ChangedEntry[]> {
    assertSha(base);
    assertSha(head);
    const diff = (renames: string): Promise<string> =>
      this.git.text([
        'diff',
        '--raw',
        '-z',
        '--no-abbrev',
        renames,
        '--no-ext-diff',
        '--no-textconv',
        '--no-color',
        '--no-relative',
        base,
        head,
        '--',
      ]);
    try {
      return parseRawDiff(await diff('-M'));
    } catch (error) {
      // Rename detection reads the contents of added and deleted files; a partial clone or a mirror without
      // some large blobs cannot, and the list of changes is still worth having without it.
      if (!(error instanceof GitCommandError) || !/unable to read|missing/i.test(error.stderr)) throw error;
      this.logger?.warning(
        `rename detection failed (${error.stderr.trim().split('\n')[0]}); renamed files are listed as deleted and added`,
      );
      return parseRawDiff(await diff('--no-renames'));
    }
  }

  readObjects(ids: readonly string[], options: { maxBytes?: number } = {}): Promise<Map<string, BlobContent>> {
    return readObjects(this.git, ids, options);
  }

  async readFiles(commit: string, paths: readonly string[], options: { maxBytes?: number } = {}): Promise<Map<string, BlobContent>> {
    assertSha(commit);
    const result = new Map<string, BlobContent>();
    const wanted = new Set(paths.filter(isTreePath));
    if (wanted.size === 0) return result;
    // The ids of the paths, from the tree itself: cat-file is never given a path. A tree listed whole
    // already has them (one git process fewer).
    const ids = new Map<string, string>();
    if (this.listed?.commit === commit) {
      for (const path of wanted) {
        const id = this.listed.blobs.get(path);
        if (id !== undefined) ids.set(path, id);
      }
    } else {
      const listing = await this.git.text(['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', commit, '--', ...wanted]);
      for (const entry of listing.split('\0')) {
        const match = BLOB_ENTRY.exec(entry);
        if (match && wanted.has(match[2]!)) ids.set(match[2]!, match[1]!);
      }
    }
    const blobs = await readObjects(this.git, [...ids.values()], options);
    for (const [path, id] of ids) {
      const blob = blobs.get(id);
      if (blob) result.set(path, blob);
    }
    return result;
  }

  async grepFiles(commit: string, words: readonly string[], globs: readonly string[]): Promise<string[]> {
    assertSha(commit);
    const patterns = [...new Set(words)].filter((w) => w.length > 0 && !/[\n\r\0]/.test(w));
    if (patterns.length === 0) return [];
    const pathspecs = [...new Set(globs.flatMap(globPathspecs))];
    // --text: binary files too (an attribute must not hide a file from the search; the caller reads each hit
    // and drops binary blobs); -F: the words are strings, not patterns; -e before each: a word is never an option.
    const { stdout } = await this.git.run(
      [
        'grep',
        '-l',
        '-z',
        '-F',
        '--text',
        '--no-textconv',
        '--no-color',
        ...patterns.flatMap((p) => ['-e', p]),
        commit,
        '--',
        ...pathspecs,
      ],
      { okExitCodes: [1] },
    );
    const prefix = `${commit}:`;
    return stdout
      .toString('utf8')
      .split('\0')
      .filter((entry) => entry.length > 0)
      .map((entry) => (entry.startsWith(prefix) ? entry.slice(prefix.length) : entry));
  }

  async commits(base: string, head: string): Promise<CommitInfo[]> {
    assertSha(base);
    assertSha(head);
    const out = await this.git.text([
      'log',
      `--max-count=${MAX_COMMITS}`,
      '--no-color',
      '--format=%H%x00%an%x00%ae%x00%B%x1e',
      `${base}..${head}`,
      '--',
    ]);
    return out
      .split('\x1e')
      .map((record) => record.replace(/^\n+/, ''))
      .filter((record) => record.length > 0)
      .map((record) => {
        const [sha = '', authorName = '', authorEmail = '', message = ''] = record.split('\x00');
        return { sha, authorName, authorEmail, message: message.trimEnd() };
      });
  }

  async listTree(sha: string): Promise<string[]> {
    assertSha(sha);
    const out = await this.git.text(['ls-tree', '-r', '-z', '--full-tree', sha, '--']);
    const paths: string[] = [];
    const blobs = new Map<string, string>();
    for (const entry of out.split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab < 0) continue;
      const path = entry.slice(tab + 1);
      paths.push(path);
      const match = BLOB_ENTRY.exec(entry);
      if (match) blobs.set(path, match[1]!);
    }
    // Kept for readFiles: the head tree is listed, then files of it are read.
    this.listed = { commit: sha, blobs };
    return paths;
  }

  readTree(commit: string, options?: ReadTreeOptions): Promise<HeadTree> {
    assertSha(commit);
    return readHeadTree(this.git, commit, options);
  }

  recentCommits(base: string, paths: readonly string[], days?: number): Promise<ChurnCommit[]> {
    assertSha(base);
    return recentCommits(this.git, base, [...paths], days);
  }

  blame(revision: string, file: string, from: number, to: number): Promise<BlamedLine[]> {
    assertSha(revision);
    return blameLines(this.git, revision, file, from, to);
  }

  commitMessages(shas: readonly string[]): Promise<Map<string, CommitMessage>> {
    shas.forEach(assertSha);
    return commitMessages(this.git, [...shas]);
  }

  changedHeadLines(base: string, head: string, paths: readonly string[]): Promise<Map<string, number[]>> {
    assertSha(base);
    assertSha(head);
    return changedHeadLines(this.git, base, head, [...paths]);
  }

  /** True when the repository is a shallow clone (some history is missing). */
  async isShallow(): Promise<boolean> {
    try {
      return (await this.git.text(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
    } catch (error) {
      if (error instanceof GitCommandError) return false;
      throw error;
    }
  }

  async hasRemote(name: string): Promise<boolean> {
    const out = await this.git.text(['remote']);
    return out.split('\n').some((line) => line.trim() === name);
  }

  private async tryMergeBase(base: string, head: string): Promise<string | undefined> {
    assertSha(base);
    assertSha(head);
    // Exit 1: no common ancestor among the commits present.
    const sha = (await this.git.text(['merge-base', base, head], { okExitCodes: [1] })).trim();
    return sha || undefined;
  }
}

/** A repo-relative path as git's trees hold it: no leading slash, no `.` or `..` segments, no newline. */
function isTreePath(path: string): boolean {
  return (
    path.length > 0 && !/[\n\r\0]/.test(path) && !path.startsWith('/') && !path.split('/').some((s) => s === '.' || s === '..' || s === '')
  );
}

/**
 * A picomatch glob as git pathspecs matching at least the same paths: braces expanded (`*.{ts,js}`), extglobs
 * widened to `*` (`!(*.d).ts`). Git's `:(glob)` magic knows `*`, `**` and `?`, and lets `*` match dotfiles.
 */
export function globPathspecs(glob: string): string[] {
  const widened = glob.replace(/[!@+*?]\([^()]*\)/g, '*');
  const brace = /\{([^{}]*)\}/.exec(widened);
  if (!brace) return [`:(glob)${widened.replace(/\*{3,}/g, '**')}`];
  const [before, after] = [widened.slice(0, brace.index), widened.slice(brace.index + brace[0].length)];
  return brace[1]!.split(',').flatMap((alternative) => globPathspecs(`${before}${alternative}${after}`));
}

/** Revisions come from flags and PR metadata: a leading '-' would turn one into a git option. */
function assertRevision(revision: string, flag: string): void {
  if (revision.length === 0 || revision.startsWith('-') || /[\0\n\r]/.test(revision)) {
    throw new ConfigurationError(`${flag}: '${revision}' is not a git revision`);
  }
}

function assertSha(sha: string): void {
  if (!SHA.test(sha)) throw new Error(`expected a full commit sha, got '${sha}'`);
}

/** Parses `git diff --raw -z --no-abbrev -M` output. */
export function parseRawDiff(out: string): ChangedEntry[] {
  const fields = out.split('\0');
  const entries: ChangedEntry[] = [];
  let i = 0;
  while (i < fields.length) {
    const meta = fields[i++];
    if (!meta || !meta.startsWith(':')) continue;
    // ":100644 100644 <sha> <sha> M" (R and C carry a similarity score: "R087")
    const [oldMode = '', newMode = '', oldId = '', newId = '', statusField = ''] = meta.slice(1).split(' ');
    const code = statusField[0];
    const mode = code === 'D' ? oldMode : newMode;
    const kind = mode === '160000' ? 'submodule' : mode === '120000' ? 'symlink' : 'file';
    // The all-zero id stands for "no such side" (an addition's base, a deletion's head).
    const baseId = /^0+$/.test(oldId) ? undefined : oldId;
    const headId = /^0+$/.test(newId) ? undefined : newId;
    const ids = { ...(baseId ? { baseId } : {}), ...(headId ? { headId } : {}) };
    if (code === 'R' || code === 'C') {
      const oldPath = fields[i++] ?? '';
      const path = fields[i++] ?? '';
      // A copy is an addition: its head version is all there is to compare.
      entries.push(
        code === 'R' ? { path, oldPath, status: 'renamed', kind, ...ids } : { path, status: 'added', kind, ...(headId ? { headId } : {}) },
      );
    } else {
      const path = fields[i++] ?? '';
      const status = code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified';
      entries.push({ path, status, kind, ...ids });
    }
  }
  return entries;
}
