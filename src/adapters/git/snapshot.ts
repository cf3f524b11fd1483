import { lstat, mkdir, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigurationError } from '../../core/errors.js';
import { Git, GitCommandError } from './git.js';

/**
 * Local changes (the index, or the work tree) as a commit on top of HEAD, so that the analysis of a change
 * before it is committed is the very analysis the gate runs on the pushed commit: same pipeline, same
 * findings, same ids.
 *
 * The repository is left exactly as it was: the snapshot's objects go to a temporary object directory
 * (the repository's own objects are reached as an alternate), the index is never written (a temporary
 * index file is built from `git ls-files -s`), and no ref moves. Nothing runs but git plumbing, with hooks
 * (`core.hooksPath=/dev/null`), the fsmonitor daemon or hook (`core.fsmonitor=false`), clean filters and
 * textconv (`hash-object --no-filters`) and signing (`commit-tree --no-gpg-sign`) turned off: a
 * repository's attributes and configuration cannot make the snapshot execute anything.
 */

export type LocalChangeKind = 'staged' | 'worktree';

export interface LocalSnapshot {
  kind: LocalChangeKind;
  /** HEAD: the base side. */
  base: string;
  /** The snapshot commit (its parent is `base`); it exists only in `env`'s object directory. */
  head: string;
  /** Files whose content differs from HEAD in the snapshot (a quick "nothing to analyze" check). */
  changed: number;
  /** What git commands must inherit to see the snapshot's objects. */
  env: { GIT_OBJECT_DIRECTORY: string; GIT_ALTERNATE_OBJECT_DIRECTORIES: string };
  /** Removes the temporary object directory and index. */
  dispose(): Promise<void>;
}

/**
 * Settings of the snapshot's commands on top of the neutral ones every git call carries (git.ts): the
 * temporary index is written once and read by us only, so no split index or untracked cache.
 */
const SNAPSHOT_CONFIG = ['-c', 'core.splitIndex=false', '-c', 'core.untrackedCache=false'];
/** A fixed identity and date, so the same change on the same HEAD is the same snapshot commit. */
const SNAPSHOT_IDENTITY = {
  GIT_AUTHOR_NAME: 'guardrail-gate',
  GIT_AUTHOR_EMAIL: 'snapshot@guardrail-gate.invalid',
  GIT_AUTHOR_DATE: '1970-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'guardrail-gate',
  GIT_COMMITTER_EMAIL: 'snapshot@guardrail-gate.invalid',
  GIT_COMMITTER_DATE: '1970-01-01T00:00:00Z',
};
const GITLINK_MODE = '160000';

interface IndexEntry {
  mode: string;
  sha: string;
  path: string;
}

/**
 * Builds the snapshot of `kind` in the repository whose top level is `repoDir`. `staged`: exactly what the
 * index holds (what `git commit` would record). `worktree`: every tracked and every untracked, not ignored
 * file as it is on disk (what `git add -A && git commit` would record); submodules keep their recorded commit.
 */
export async function snapshotLocalChanges(repoDir: string, kind: LocalChangeKind): Promise<LocalSnapshot> {
  const base = await headCommit(repoDir);
  const repoObjects = absolute(repoDir, (await git(repoDir, ['rev-parse', '--git-path', 'objects'])).trim());
  const temp = await mkdtemp(join(tmpdir(), 'guardrail-gate-snapshot-'));
  const dispose = (): Promise<void> => rm(temp, { recursive: true, force: true });
  try {
    const objects = join(temp, 'objects');
    await mkdir(join(objects, 'info'), { recursive: true });
    await mkdir(join(objects, 'pack'), { recursive: true });
    const existingAlternates = process.env.GIT_ALTERNATE_OBJECT_DIRECTORIES;
    const env = {
      GIT_OBJECT_DIRECTORY: objects,
      GIT_ALTERNATE_OBJECT_DIRECTORIES: existingAlternates ? `${repoObjects}:${existingAlternates}` : repoObjects,
    };
    // Reads the real index: nothing below ever writes it.
    const staged = await indexEntries(repoDir);
    const entries = kind === 'staged' ? staged : await workTreeEntries(repoDir, staged, env, temp);

    const snapshotEnv = { ...env, GIT_INDEX_FILE: join(temp, 'index') };
    const records = entries.map((e) => `${e.mode} ${e.sha}\t${e.path}\0`).join('');
    await git(repoDir, ['update-index', '-z', '--index-info'], { env: snapshotEnv, input: records });
    const tree = (await git(repoDir, ['write-tree'], { env: snapshotEnv })).trim();
    const head = (
      await git(
        repoDir,
        [
          'commit-tree',
          '--no-gpg-sign',
          '-p',
          base,
          '-m',
          `guardrail-gate: the ${kind === 'staged' ? 'staged changes' : 'work tree'}`,
          tree,
        ],
        {
          env: { ...snapshotEnv, ...SNAPSHOT_IDENTITY },
        },
      )
    ).trim();
    const diff = await git(
      repoDir,
      ['diff-tree', '-r', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', '--name-only', base, head],
      { env },
    );
    const changed = diff.split('\0').filter((p) => p.length > 0).length;
    return { kind, base, head, changed, env, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function headCommit(repoDir: string): Promise<string> {
  try {
    return (await git(repoDir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
  } catch {
    throw new ConfigurationError(
      '--staged/--worktree: the repository has no commit yet (HEAD is unborn): commit once, then compare against it',
    );
  }
}

/** The index, stage 0 only; a conflicted index has no single version to analyze. */
async function indexEntries(repoDir: string): Promise<IndexEntry[]> {
  const out = await git(repoDir, ['ls-files', '-z', '--stage', '--full-name']);
  const entries: IndexEntry[] = [];
  for (const record of out.split('\0')) {
    if (!record) continue;
    const match = /^(\d{6}) ([0-9a-f]{40,64}) (\d)\t([\s\S]+)$/.exec(record);
    if (!match) continue;
    if (match[3] !== '0')
      throw new ConfigurationError(`--staged/--worktree: ${match[4]} has unresolved merge conflicts: resolve them (git add) first`);
    entries.push({ mode: match[1]!, sha: match[2]!, path: match[4]! });
  }
  return entries;
}

/**
 * Every tracked file as it is on disk (a deleted one is dropped) and every untracked file git does not
 * ignore, hashed with `--no-filters` into the temporary object directory: the bytes on disk, never what
 * a clean filter would make of them. Symbolic links are stored as links (their target), not followed.
 */
async function workTreeEntries(repoDir: string, staged: IndexEntry[], env: Record<string, string>, temp: string): Promise<IndexEntry[]> {
  const untracked = (await git(repoDir, ['ls-files', '-z', '--others', '--exclude-standard', '--full-name']))
    .split('\0')
    .filter((p) => p.length > 0);
  // Sparse checkouts leave skip-worktree files off the disk on purpose: they keep their indexed version.
  const skipWorktree = new Set(
    (await git(repoDir, ['ls-files', '-z', '-t', '--full-name']))
      .split('\0')
      .filter((r) => r.startsWith('S '))
      .map((r) => r.slice(2)),
  );
  const candidates: { path: string; keep?: IndexEntry }[] = [
    ...staged.map((entry) =>
      entry.mode === GITLINK_MODE || skipWorktree.has(entry.path) ? { path: entry.path, keep: entry } : { path: entry.path },
    ),
    ...untracked.map((path) => ({ path })),
  ];
  const entries: IndexEntry[] = [];
  const toHash: { path: string; mode: string; source: string }[] = [];
  let links = 0;
  for (const candidate of candidates) {
    if (candidate.keep) {
      entries.push(candidate.keep);
      continue;
    }
    const onDisk = join(repoDir, candidate.path);
    const stats = await lstat(onDisk).catch(() => undefined);
    if (!stats) continue; // deleted from the work tree
    if (stats.isSymbolicLink()) {
      const target = join(temp, `link-${links++}`);
      await writeFile(target, await readlink(onDisk));
      toHash.push({ path: candidate.path, mode: '120000', source: target });
    } else if (stats.isFile()) {
      toHash.push({ path: candidate.path, mode: stats.mode & 0o111 ? '100755' : '100644', source: onDisk });
    }
    // Anything else (a folder where a file was, a socket) is not content git would record.
  }
  if (toHash.length) {
    const shas = (
      await git(repoDir, ['hash-object', '-w', '--no-filters', '--stdin-paths'], {
        env,
        input: toHash.map((f) => `${f.source}\n`).join(''),
      })
    )
      .trim()
      .split('\n');
    if (shas.length !== toHash.length) throw new Error(`git hash-object returned ${shas.length} ids for ${toHash.length} files`);
    toHash.forEach((file, i) => entries.push({ mode: file.mode, sha: shas[i]!, path: file.path }));
  }
  return entries;
}

function absolute(repoDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(repoDir, path);
}

async function git(repoDir: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<string> {
  try {
    return await new Git(repoDir).text([...SNAPSHOT_CONFIG, ...args], {
      input: options.input ?? '',
      ...(options.env ? { env: options.env } : {}),
    });
  } catch (error) {
    if (error instanceof GitCommandError)
      throw new Error(`git ${args[0]} failed: ${error.stderr.trim().split('\n')[0] ?? ''}`, { cause: error });
    throw error;
  }
}
