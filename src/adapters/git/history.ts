import type { BlamedLine, ChurnCommit, CommitMessage } from '../ports.js';
import type { Git } from './git.js';

/**
 * The history the impact stage reads: churn (`git log`), the commits that wrote the lines a PR removes
 * (`git blame --porcelain -L` on the base version), the changed head lines (`git diff -U0`) and whether
 * the clone is shallow. A few processes per run, never one per commit.
 */

/**
 * Commits reachable from `base` in the `days` before base's own commit date that touched one of
 * `paths` (the PR's own commits are not history yet). The window is anchored on the commit, not the
 * clock, so re-runs agree.
 */
export async function recentCommits(git: Git, base: string, paths: string[], days = 90, maxCommits = 1000): Promise<ChurnCommit[]> {
  if (paths.length === 0) return [];
  const baseTime = Number((await git.text(['log', '-1', '--format=%ct', base, '--'])).trim());
  // -z: a path with a newline is one name, not two.
  const output = await git.text([
    '--literal-pathspecs',
    'log',
    '-z',
    '--no-merges',
    '--no-textconv',
    '--no-ext-diff',
    `--max-age=${baseTime - days * 86_400}`,
    `--max-count=${maxCommits}`,
    '--format=%x1e%H%x1f%s',
    '--name-only',
    base,
    '--',
    ...paths,
  ]);
  // With -z each record is `\x1e<sha>\x1f<subject>\n<path>\0<path>\0...`, records separated by a NUL.
  const commits: ChurnCommit[] = [];
  for (const block of output.split('\x1e')) {
    if (!block.replace(/\0/g, '').trim()) continue;
    const newline = block.indexOf('\n');
    const header = newline < 0 ? block : block.slice(0, newline);
    const [sha = '', subject = ''] = header.replace(/\0+$/, '').split('\x1f');
    const files =
      newline < 0
        ? []
        : block
            .slice(newline + 1)
            .split('\0')
            .filter((path) => path.length > 0);
    commits.push({ sha, subject, files });
  }
  return commits;
}

/** Blames lines `from..to` of `file` as it is in `revision`. */
export async function blameLines(git: Git, revision: string, file: string, from: number, to: number): Promise<BlamedLine[]> {
  // --no-textconv: a `.gitattributes` in the PR could select a textconv driver the repository configures.
  const output = await git.text([
    '--literal-pathspecs',
    'blame',
    '--no-textconv',
    '--porcelain',
    '-L',
    `${from},${to}`,
    revision,
    '--',
    file,
  ]);
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

/** Full messages of commits, in one process. */
export async function commitMessages(git: Git, shas: string[]): Promise<Map<string, CommitMessage>> {
  const messages = new Map<string, CommitMessage>();
  if (shas.length === 0) return messages;
  const output = await git.text(['show', '-s', '--no-patch', '--format=%x1e%H%x1f%cI%x1f%s%x1f%b', ...shas, '--']);
  for (const block of output.split('\x1e')) {
    if (!block.trim()) continue;
    const [sha = '', date = '', subject = '', body = ''] = block.split('\x1f');
    messages.set(sha.trim(), { sha: sha.trim(), date, subject, body: body.trim() });
  }
  return messages;
}

/** Head-side line numbers each file's diff adds or changes (`git diff -U0 base head`). */
export async function changedHeadLines(git: Git, base: string, head: string, paths: string[]): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  if (paths.length === 0) return result;
  const output = await git.text([
    '--literal-pathspecs',
    'diff',
    '-U0',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    '-M',
    base,
    head,
    '--',
    ...paths,
  ]);
  let current: number[] | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('+++ ')) {
      // git ends the name with a tab when it holds a space (for GNU patch); a name ending in a tab is quoted.
      const path = line.slice(4).replace(/\t$/, '');
      if (path === '/dev/null') {
        current = undefined;
        continue;
      }
      current = [];
      result.set(unquotePath(path).replace(/^b\//, ''), current);
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

/**
 * Undoes git's C-style quoting of a path in patch headers (`"b/a\"b\303\251.ts"`): names with a quote,
 * a backslash, a control character or (without core.quotePath=false) non-ASCII bytes are quoted.
 */
export function unquotePath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"')) return text;
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  const body = Buffer.from(text.slice(1, -1), 'utf8');
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (byte !== 92) {
      bytes.push(byte);
      continue;
    }
    const next = String.fromCharCode(body[i + 1] ?? 0);
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.toString('latin1', i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? body[i + 1]!);
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
