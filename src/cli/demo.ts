import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../adapters/ports.js';
import { openGitRepository } from '../adapters/git/git-reader.js';
import { runAnalysis } from '../app/run-analysis.js';
import type { Report } from '../core/model.js';

/** Fixed identity and dates: the demo must work where git has no user configured, and read the same every time. */
const DEMO_GIT_ENV = {
  GIT_AUTHOR_NAME: 'Demo Developer',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Demo Developer',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
  GIT_AUTHOR_DATE: '2026-03-02T10:00:00Z',
  GIT_COMMITTER_DATE: '2026-03-02T10:00:00Z',
};

/**
 * Finds `fixtures/demo` beside the code: `dist/../fixtures/demo` for the bundle, `src/cli/../../fixtures/demo`
 * when run from source.
 */
export function demoFixtureDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'fixtures', 'demo');
    if (existsSync(join(candidate, 'base')) && existsSync(join(candidate, 'head'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('fixtures/demo not found next to the program: is this a complete checkout of guardrail-gate?');
}

/**
 * Builds a throw-away repository from fixtures/demo (base, then head, as two commits), analyzes HEAD~1..HEAD
 * and removes the repository again.
 */
export async function runDemo(logger: Logger): Promise<Report> {
  const fixture = demoFixtureDir();
  const meta = JSON.parse(readFileSync(join(fixture, 'case.json'), 'utf8')) as { commitMessage?: string };
  const repo = mkdtempSync(join(tmpdir(), 'guardrail-gate-demo-'));
  try {
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
        cwd: repo,
        env: { ...process.env, ...DEMO_GIT_ENV },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    };
    git('init', '-q', '-b', 'main');
    cpSync(join(fixture, 'base'), repo, { recursive: true });
    git('add', '-A');
    git('commit', '-q', '-m', 'Payments service with resilient HTTP client');
    for (const entry of readdirSync(repo)) if (entry !== '.git') rmSync(join(repo, entry), { recursive: true, force: true });
    cpSync(join(fixture, 'head'), repo, { recursive: true });
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', meta.commitMessage ?? 'Simplify the payments service');
    logger.debug(`demo repository at ${repo}`);
    const reader = await openGitRepository(repo, logger);
    return await runAnalysis({ git: reader, logger, cwd: repo }, { repoDir: reader.repoDir, base: 'HEAD~1', head: 'HEAD', hotspotFiles: [], coverageFiles: [] });
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
