import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Git } from './git.js';

/** A throw-away repository made of folders committed one after another. */
export interface ScratchRepository {
  dir: string;
  remove(): void;
}

/**
 * Commits each folder's content in turn (the work tree replaced each time) into a new repository in the
 * OS temp folder, with a fixed identity and date: it must work where git has no user configured, and read
 * the same every time. The demo uses it for fixtures/demo.
 */
export async function createScratchRepository(commits: { folder: string; message: string }[], when: string): Promise<ScratchRepository> {
  const dir = mkdtempSync(join(tmpdir(), 'guardrail-gate-demo-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const env = {
    GIT_AUTHOR_NAME: 'Demo Developer',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Demo Developer',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
  };
  try {
    const git = new Git(dir);
    await git.run(['init', '-q', '-b', 'main'], { env });
    for (const { folder, message } of commits) {
      for (const entry of readdirSync(dir)) if (entry !== '.git') rmSync(join(dir, entry), { recursive: true, force: true });
      if (existsSync(folder)) cpSync(folder, dir, { recursive: true });
      await git.run(['add', '-A'], { env });
      await git.run(['-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', message], { env });
    }
    return { dir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
