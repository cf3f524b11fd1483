import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localFiles } from '../../src/adapters/fs/local-files.js';
import { openGitRepository } from '../../src/adapters/git/git-reader.js';
import { collectChanges } from '../../src/app/collect.js';
import { gatherImpact } from '../../src/app/impact.js';
import { defaultConfig } from '../../src/core/config/config.js';
import { detectChanges } from '../../src/core/detect/engine/run.js';
import type { Finding } from '../../src/core/model.js';
import type { DetectResult } from '../../src/core/types.js';
import { createRepo } from '../support/git-repo.js';
import { recordingLogger } from './support.js';

const client = (timeout: string): string => `import axios from 'axios';

export function createBillingClient(baseURL: string) {
  return axios.create({
    baseURL,
${timeout}    headers: { 'x-client': 'billing' },
  });
}
`;

/**
 * History: feat (no timeout) -> fix that adds the timeout after an outage (#123) -> an unrelated
 * change -> the PR that removes the timeout line again.
 */
function buildHistory() {
  const repo = createRepo('gg-scar-');
  const tree = (timeout: string, extra = '') => ({
    'src/billing.ts': client(timeout),
    'src/other.ts': `export const other = 1;${extra}\n`,
    'package.json': '{"name":"billing"}',
  });
  repo.commit(tree(''), 'feat: add billing client');
  repo.commit(
    tree('    timeout: 5_000,\n'),
    'fix: add a timeout to the billing client after the checkout outage (#123)\n\nRequests hung for minutes when the provider stalled.',
  );
  const base = repo.commit(tree('    timeout: 5_000,\n', ' // touched'), 'refactor: tidy other');
  const head = repo.commit(tree(''), 'simplify the billing client');
  return { repo, base, head };
}

async function impactOf(repoDir: string, base: string, head: string, findings?: Finding[]) {
  const git = await openGitRepository(repoDir);
  const config = defaultConfig();
  const logger = recordingLogger();
  const collected = await collectChanges({ git, logger, base, head, config });
  const detected: DetectResult = detectChanges({ files: collected.files, context: collected.context, config });
  if (findings) detected.findings = findings;
  return {
    detected,
    impact: await gatherImpact({
      repoDir,
      base,
      head,
      files: collected.files,
      detected,
      config,
      hotspotFiles: [],
      coverageFiles: [],
      git,
      localFiles,
      logger,
    }),
  };
}

const removedTimeout: Finding = {
  id: 'test-removed-timeout',
  rule: 'removed-timeout',
  category: 'timeout',
  severity: 'high',
  file: 'src/billing.ts',
  line: 6,
  side: 'base',
  message: 'The timeout of the billing client was removed.',
  messageId: 'removed',
  evidence: { kind: 'removed', removed: 'timeout: 5_000,' },
};

describe('history: scars and churn', () => {
  const { repo, base, head } = buildHistory();
  const shallowDir = mkdtempSync(join(tmpdir(), 'gg-shallow-'));
  afterAll(() => {
    repo.cleanup();
    rmSync(shallowDir, { recursive: true, force: true });
  });

  it('traces a removed guardrail to the fix commit that added it', async () => {
    const { detected, impact } = await impactOf(repo.dir, base, head);
    // The detectors' own finding on the removed line, when they produce one, is blamed the same way.
    const findings = detected.findings.some((finding) => finding.side === 'base' && finding.file === 'src/billing.ts')
      ? detected.findings
      : [removedTimeout];
    const traced = findings === detected.findings ? impact : (await impactOf(repo.dir, base, head, findings)).impact;
    const fixSha = repo.git('rev-parse', `${base}~1`);
    expect(traced.scars).toEqual([
      {
        file: 'src/billing.ts',
        line: findings.find((finding) => finding.side === 'base' && finding.file === 'src/billing.ts')!.line,
        commit: fixSha,
        date: '2026-01-01T00:00:00+00:00',
        subject: 'fix: add a timeout to the billing client after the checkout outage (#123)',
        kind: 'incident',
      },
    ]);
    expect(traced.notes.filter((note) => note.startsWith('history:'))).toEqual([]);
  });

  it('counts how often each changed file changed before the PR, and how many of those were fixes', async () => {
    const { impact } = await impactOf(repo.dir, base, head, [removedTimeout]);
    expect(impact.churn).toEqual([
      { file: 'src/billing.ts', changes: 2, fixes: 1 },
      { file: 'src/other.ts', changes: 2, fixes: 0 },
    ]);
  });

  it('finds no scar when the removed line came from an ordinary commit', async () => {
    const plain = createRepo('gg-noscar-');
    try {
      const b = plain.commit({ 'src/billing.ts': client('    timeout: 5_000,\n') }, 'feat: add billing client with defaults');
      const h = plain.commit({ 'src/billing.ts': client('') }, 'simplify');
      const { impact } = await impactOf(plain.dir, b, h, [removedTimeout]);
      expect(impact.scars).toEqual([]);
    } finally {
      plain.cleanup();
    }
  });

  it('degrades to a note on a shallow clone instead of failing', async () => {
    execFileSync('git', ['clone', '-q', '--depth', '1', '--no-local', `file://${repo.dir}`, shallowDir], { stdio: 'ignore' });
    execFileSync('git', ['fetch', '-q', '--depth', '1', 'origin', base], { cwd: shallowDir, stdio: 'ignore' });
    const { impact } = await impactOf(shallowDir, base, head, [removedTimeout]);
    expect(impact.scars).toEqual([]);
    expect(impact.notes.some((note) => note.startsWith('history: shallow clone'))).toBe(true);
    expect(impact.notes.some((note) => note.includes('before the shallow clone'))).toBe(true);
  });
});
