import { spawn } from 'node:child_process';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { ChangedEntry, GitReader, Logger } from '../ports.js';
import type { CommitInfo } from '../../core/model.js';
import { ConfigurationError } from '../../core/errors.js';

/** A git command that exited non-zero; `exitCode` lets callers tell "no answer" (1) from "broken" (128). */
export class GitCommandError extends Error {
  override name = 'GitCommandError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''} exited with ${exitCode}: ${stderr.trim().split('\n')[0] ?? ''}`);
  }
}

/** Commits listed for AI-authorship evidence; a PR with more is summarised by its newest ones. */
const MAX_COMMITS = 250;
/** git's own binary heuristic: a NUL byte in the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000;

/**
 * Options forced on every command so that the user's git configuration cannot change what we parse
 * (relative paths, quoted names, external diff drivers, pagers).
 */
const NEUTRAL_CONFIG = ['-c', 'core.quotePath=false', '-c', 'diff.relative=false', '-c', 'log.showSignature=false'];

/**
 * Opens the repository that holds `dir` (its top level, so that paths are repo-relative even when `dir`
 * is a subfolder). Throws ConfigurationError naming `--repo` when `dir` is not inside a git work tree.
 */
export async function openGitRepository(dir: string, logger?: Logger): Promise<SimpleGitReader> {
  let topLevel: string;
  try {
    topLevel = (await runGit(createGit(dir), ['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    const detail = error instanceof GitCommandError ? error.stderr.trim().split('\n')[0] : String((error as Error).message ?? error);
    // simple-git reports a git binary that cannot be spawned as exit -2 (ENOENT).
    if ((error instanceof GitCommandError && error.exitCode === -2) || /spawn git ENOENT/.test(detail ?? '')) {
      throw new ConfigurationError('git was not found on PATH: install git (2.30 or later)');
    }
    throw new ConfigurationError(`--repo: ${dir} is not a git work tree (${detail || 'git rev-parse failed'})`);
  }
  if (!topLevel) throw new ConfigurationError(`--repo: ${dir} is not a git work tree (it is a bare repository or a .git folder)`);
  return new SimpleGitReader(topLevel, logger);
}

/**
 * GitReader backed by simple-git for ordinary commands and by one `git cat-file --batch` process for file
 * contents (simple-git decodes output as text, and the batch protocol needs exact byte counts).
 * Every revision and path that comes from a user or a pull request is validated or placed after `--`,
 * so none of it can become a git option.
 */
export class SimpleGitReader implements GitReader {
  private readonly git: SimpleGit;

  constructor(
    /** Top level of the work tree. */
    readonly repoDir: string,
    private readonly logger?: Logger,
  ) {
    this.git = createGit(repoDir);
  }

  async resolveCommit(revision: string, flag: string): Promise<string> {
    assertRevision(revision, flag);
    try {
      const sha = (await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`])).trim();
      if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) return sha;
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error;
    }
    const hint = (await this.isShallow())
      ? ' (this clone is shallow: fetch that revision, or check out with fetch-depth: 0)'
      : '';
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
        await this.fetch(['--no-tags', '--quiet', ...step, 'origin']);
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
      this.run(['diff', '--raw', '-z', '--no-abbrev', renames, '--no-ext-diff', '--no-textconv', '--no-color', '--no-relative', base, head, '--']);
    try {
      return parseRawDiff(await diff('-M'));
    } catch (error) {
      // Rename detection reads the contents of added and deleted files; a partial clone or a mirror without
      // some large blobs cannot, and the list of changes is still worth having without it.
      if (!(error instanceof GitCommandError) || !/unable to read|missing/i.test(error.stderr)) throw error;
      this.logger?.warning(`rename detection failed (${error.stderr.trim().split('\n')[0]}); renamed files are listed as deleted and added`);
      return parseRawDiff(await diff('--no-renames'));
    }
  }

  async readBlobs(
    requests: { sha: string; path: string }[],
    options: { maxBytes?: number } = {},
  ): Promise<Map<string, { text?: string; size: number; binary: boolean }>> {
    const result = new Map<string, { text?: string; size: number; binary: boolean }>();
    // A newline cannot be expressed in the batch protocol, and git resolves `./` and `../` against the
    // current folder (a path outside the repository is fatal for the whole batch): such paths read as missing.
    const names = [
      ...new Set(requests.filter((r) => isTreePath(r.path)).map((r) => `${r.sha}:${r.path}`)),
    ];
    if (names.length === 0) return result;
    const output = await this.catFileBatch(names);
    let offset = 0;
    for (const name of names) {
      const eol = output.indexOf(0x0a, offset);
      if (eol < 0) throw new Error(`git cat-file --batch: output ended before ${name}`);
      const header = output.subarray(offset, eol).toString('utf8');
      offset = eol + 1;
      const match = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
      if (!match) continue; // "<name> missing" or "<name> ambiguous": no content follows
      const size = Number(match[3]);
      const content = output.subarray(offset, offset + size);
      offset += size + 1; // content is followed by a newline
      if (match[2] !== 'blob') continue;
      const binary = content.subarray(0, BINARY_PROBE_BYTES).includes(0);
      const tooLarge = options.maxBytes !== undefined && size > options.maxBytes;
      result.set(name, binary || tooLarge ? { size, binary } : { text: content.toString('utf8'), size, binary });
    }
    return result;
  }

  async commits(base: string, head: string): Promise<CommitInfo[]> {
    assertSha(base);
    assertSha(head);
    const out = await this.run([
      'log', `--max-count=${MAX_COMMITS}`, '--no-color', '--format=%H%x00%an%x00%ae%x00%B%x1e', `${base}..${head}`, '--',
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
    const out = await this.run(['ls-tree', '-r', '-z', '--full-tree', '--name-only', sha, '--']);
    return out.split('\0').filter((p) => p.length > 0);
  }

  /** True when the repository is a shallow clone (some history is missing). */
  async isShallow(): Promise<boolean> {
    return (await this.run(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  }

  async hasRemote(name: string): Promise<boolean> {
    const out = await this.run(['remote']);
    return out.split('\n').some((line) => line.trim() === name);
  }

  private async tryMergeBase(base: string, head: string): Promise<string | undefined> {
    assertSha(base);
    assertSha(head);
    try {
      const sha = (await this.run(['merge-base', base, head])).trim();
      return sha || undefined;
    } catch (error) {
      // Exit 1: no common ancestor among the commits present.
      if (error instanceof GitCommandError && error.exitCode === 1) return undefined;
      throw error;
    }
  }

  private run(args: string[]): Promise<string> {
    return runGit(this.git, [...NEUTRAL_CONFIG, ...args]);
  }

  /** `git fetch` with credential prompts off: a gate must fail with a message, never wait for a password. */
  private fetch(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', ['fetch', ...args], {
        cwd: this.repoDir,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      });
      const errors: Buffer[] = [];
      child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new GitCommandError(['fetch', ...args], code ?? -1, Buffer.concat(errors).toString('utf8'))),
      );
    });
  }

  /** Feeds every object name to one `git cat-file --batch` and returns its whole output. */
  private catFileBatch(names: string[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', ['cat-file', '--batch'], { cwd: this.repoDir, stdio: ['pipe', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      const errors: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
      child.on('error', reject);
      child.stdin.on('error', () => {
        /* the exit status below reports what went wrong */
      });
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(chunks));
        else reject(new GitCommandError(['cat-file', '--batch'], code ?? -1, Buffer.concat(errors).toString('utf8')));
      });
      child.stdin.end(names.join('\n') + '\n');
    });
  }
}

/**
 * simple-git turns a non-zero exit without stderr into an empty success and drops the exit code from its
 * errors: this `errors` hook fails every non-zero exit and carries the code in the message, which
 * `runGit` turns back into a GitCommandError.
 */
function createGit(baseDir: string): SimpleGit {
  const git = simpleGit({
    baseDir,
    // simple-git drops every ambient GIT_* variable; these two carry a local-changes snapshot's objects
    // (src/adapters/git/snapshot.ts) and only add objects to what git can read.
    allowEnvironment: ['GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES'],
    errors: (_error, result) =>
      result.exitCode === 0 ? undefined : new Error(`[exit ${result.exitCode}]\n${Buffer.concat(result.stdErr).toString('utf8')}`),
  });
  // No .env() here: simple-git rejects an environment that carries EDITOR, PAGER, GIT_CONFIG_* and the
  // like, which CI runners and developers' shells set; the child inherits the ambient one instead.
  return git;
}

/** Runs a git command, rejecting with GitCommandError (exit code kept) on failure. */
async function runGit(git: SimpleGit, args: string[]): Promise<string> {
  try {
    return await git.raw(args);
  } catch (error) {
    const text = String((error as Error).message ?? error);
    const match = /\[exit (-?\d+)\]\n?([\s\S]*)/.exec(text);
    const command = args.filter((arg, i) => arg !== '-c' && args[i - 1] !== '-c');
    if (match) throw new GitCommandError(command, Number(match[1]), match[2] ?? '');
    throw new GitCommandError(command, -1, text);
  }
}

/** A repo-relative path as git's trees hold it: no leading slash, no `.` or `..` segments, no newline. */
function isTreePath(path: string): boolean {
  return path.length > 0 && !/[\n\r\0]/.test(path) && !path.startsWith('/') && !path.split('/').some((s) => s === '.' || s === '..' || s === '');
}

/** Revisions come from flags and PR metadata: a leading '-' would turn one into a git option. */
function assertRevision(revision: string, flag: string): void {
  if (revision.length === 0 || revision.startsWith('-') || /[\0\n\r]/.test(revision)) {
    throw new ConfigurationError(`${flag}: '${revision}' is not a git revision`);
  }
}

function assertSha(sha: string): void {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) throw new Error(`expected a full commit sha, got '${sha}'`);
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
    const [oldMode = '', newMode = '', , , statusField = ''] = meta.slice(1).split(' ');
    const code = statusField[0];
    const mode = code === 'D' ? oldMode : newMode;
    const kind = mode === '160000' ? 'submodule' : mode === '120000' ? 'symlink' : 'file';
    if (code === 'R' || code === 'C') {
      const oldPath = fields[i++] ?? '';
      const path = fields[i++] ?? '';
      entries.push(code === 'R' ? { path, oldPath, status: 'renamed', kind } : { path, status: 'added', kind });
    } else {
      const path = fields[i++] ?? '';
      const status = code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified';
      entries.push({ path, status, kind });
    }
  }
  return entries;
}
