import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A file tree given in memory: repo-relative path -> content (string or bytes). */
export type FileMap = Record<string, string | Uint8Array>;

/** A side of a pull request: a folder to copy, or a map of files. */
export type Tree = string | FileMap;

export interface TempRepo {
  dir: string;
  /** Runs git in the repository and returns its trimmed stdout. */
  git(...args: string[]): string;
  /** Replaces the whole work tree with `tree` and commits it; returns the new commit's sha. */
  commit(tree: Tree, message?: string): string;
  cleanup(): void;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Creates an empty git repository (branch main) in the OS temp folder. */
export function createRepo(prefix = 'gg-test-'): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...GIT_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  return {
    dir,
    git,
    commit(tree, message = 'change') {
      for (const entry of readdirSync(dir)) if (entry !== '.git') rmSync(join(dir, entry), { recursive: true, force: true });
      writeTree(dir, tree);
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A repository holding a pull request as two commits on main (base, then head), the layout evaluate.mjs
 * uses for case folders.
 */
export function createPullRequestRepo(base: Tree, head: Tree, headMessage = 'change'): TempRepo & { base: string; head: string } {
  const repo = createRepo();
  const baseSha = repo.commit(base, 'base');
  const headSha = repo.commit(head, headMessage);
  return { ...repo, base: baseSha, head: headSha };
}

/** Writes a folder's content or a file map into `dir`. */
export function writeTree(dir: string, tree: Tree): void {
  if (typeof tree === 'string') {
    cpSync(tree, dir, { recursive: true });
    return;
  }
  for (const [path, content] of Object.entries(tree)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
