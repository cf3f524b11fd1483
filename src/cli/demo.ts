import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localFiles } from '../adapters/fs/local-files.js';
import { openGitRepository } from '../adapters/git/git-reader.js';
import { createScratchRepository } from '../adapters/git/scratch-repository.js';
import type { Logger } from '../adapters/ports.js';
import { runAnalysis } from '../app/run-analysis.js';
import type { Report } from '../core/model.js';

/** The demo's commits are dated, so that its report reads the same every time. */
const DEMO_DATE = '2026-03-02T10:00:00Z';

/**
 * Finds `fixtures/demo` beside the code (`dist/../fixtures/demo` for the bundle, `src/cli/../../fixtures/demo`
 * when run from source) and reads its case.json.
 */
async function readDemoFixture(): Promise<{ dir: string; meta: { commitMessage?: string } }> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'fixtures', 'demo');
    const text = await localFiles.readText(join(candidate, 'case.json'));
    if (text !== undefined) return { dir: candidate, meta: JSON.parse(text) as { commitMessage?: string } };
    dir = dirname(dir);
  }
  throw new Error('fixtures/demo not found next to the program: is this a complete checkout of guardrail-gate?');
}

/**
 * Builds a throw-away repository from fixtures/demo (base, then head, as two commits), analyzes HEAD~1..HEAD
 * and removes the repository again.
 */
export async function runDemo(logger: Logger): Promise<Report> {
  const { dir: fixture, meta } = await readDemoFixture();
  const repo = await createScratchRepository(
    [
      { folder: join(fixture, 'base'), message: 'Payments service with resilient HTTP client' },
      { folder: join(fixture, 'head'), message: meta.commitMessage ?? 'Simplify the payments service' },
    ],
    DEMO_DATE,
  );
  try {
    logger.debug(`demo repository at ${repo.dir}`);
    const reader = await openGitRepository(repo.dir, logger);
    return await runAnalysis(
      { git: reader, localFiles, logger, cwd: repo.dir },
      { repoDir: reader.repoDir, base: 'HEAD~1', head: 'HEAD', hotspotFiles: [], coverageFiles: [] },
    );
  } finally {
    repo.remove();
  }
}
