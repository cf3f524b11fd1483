import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * The history the impact stage reads: churn (`git log`), the commits that wrote the lines a PR removes
 * (`git blame --porcelain -L` on the base version), the changed head lines (`git diff -U0`) and whether
 * the clone is shallow. A few processes per run, never one per commit.
 */

const run = promisify(execFile);
const MAX_BUFFER = 256 * 1024 * 1024;

async function git(repoDir: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd: repoDir, maxBuffer: MAX_BUFFER, encoding: 'utf8' });
  return stdout;
}

/** True when the repository is a shallow clone (history, churn and blame are then partial). */
export async function isShallowRepository(repoDir: string): Promise<boolean> {
  try {
    return (await git(repoDir, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  } catch {
    return false;
  }
}

export interface ChurnCommit {
  sha: string;
  subject: string;
  files: string[];
}

/**
 * Commits reachable from `base` in the `days` before base's own commit date that touched one of
 * `paths` (the PR's own commits are not history yet). The window is anchored on the commit, not the
 * clock, so re-runs agree.
 */
export async function recentCommits(repoDir: string, base: string, paths: string[], days = 90, maxCommits = 1000): Promise<ChurnCommit[]> {
  if (paths.length === 0) return [];
  const baseTime = Number((await git(repoDir, ['log', '-1', '--format=%ct', base])).trim());
  const output = await git(repoDir, [
    '--literal-pathspecs',
    'log',
    '--no-merges',
    `--max-age=${baseTime - days * 86_400}`,
    `--max-count=${maxCommits}`,
    '--format=%x1e%H%x1f%s',
    '--name-only',
    base,
    '--',
    ...paths,
  ]);
  const commits: ChurnCommit[] = [];
  for (const block of output.split('\x1e')) {
    if (!block.trim()) continue;
    const [header = '', ...rest] = block.split('\n');
    const [sha = '', subject = ''] = header.split('\x1f');
    commits.push({ sha, subject, files: rest.map((line) => line.trim()).filter(Boolean) });
  }
  return commits;
}

export interface BlamedLine {
  line: number;
  commit: string;
  /** The commit is the edge of a shallow history (or the root): it did not necessarily write the line. */
  boundary: boolean;
}

/** Blames lines `from..to` of `file` as it is in `revision`. */
export async function blameLines(repoDir: string, revision: string, file: string, from: number, to: number): Promise<BlamedLine[]> {
  const output = await git(repoDir, ['blame', '--no-textconv', '--porcelain', '-L', `${from},${to}`, revision, '--', file]);
  const lines: BlamedLine[] = [];
  const boundaries = new Set<string>();
  let current: BlamedLine | undefined;
  for (const line of output.split('\n')) {
    const header = /^([0-9a-f]{40}) \d+ (\d+)/.exec(line);
    if (header) {
      current = { line: Number(header[2]), commit: header[1]!, boundary: false };
      lines.push(current);
    } else if (line === 'boundary' && current) {
      boundaries.add(current.commit);
    }
  }
  for (const blamed of lines) blamed.boundary = boundaries.has(blamed.commit);
  return lines;
}

export interface CommitMessage {
  sha: string;
  date: string;
  subject: string;
  body: string;
}

/** Full messages of commits, in one process. */
export async function commitMessages(repoDir: string, shas: string[]): Promise<Map<string, CommitMessage>> {
  const messages = new Map<string, CommitMessage>();
  if (shas.length === 0) return messages;
  const output = await git(repoDir, ['show', '-s', '--no-patch', '--format=%x1e%H%x1f%cI%x1f%s%x1f%b', ...shas]);
  for (const block of output.split('\x1e')) {
    if (!block.trim()) continue;
    const [sha = '', date = '', subject = '', body = ''] = block.split('\x1f');
    messages.set(sha.trim(), { sha: sha.trim(), date, subject, body: body.trim() });
  }
  return messages;
}

/** Head-side line numbers each file's diff adds or changes (`git diff -U0 base head`). */
export async function changedHeadLines(repoDir: string, base: string, head: string, paths: string[]): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  if (paths.length === 0) return result;
  const output = await git(repoDir, ['--literal-pathspecs', 'diff', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '-M', base, head, '--', ...paths]);
  let current: number[] | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('+++ ')) {
      const path = line.slice(4);
      if (path === '/dev/null') {
        current = undefined;
        continue;
      }
      current = [];
      result.set(path.replace(/^b\//, '').replace(/^"b\/(.*)"$/, '$1'), current);
    } else if (line.startsWith('@@') && current) {
      const match = /\+(\d+)(?:,(\d+))?/.exec(line);
      if (!match) continue;
      const start = Number(match[1]);
      const count = match[2] === undefined ? 1 : Number(match[2]);
      for (let n = start; n < start + count; n++) current.push(n);
    }
  }
  return result;
}
