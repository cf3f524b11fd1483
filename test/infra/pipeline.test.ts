import { afterEach, describe, expect, it } from 'vitest';
import { localFiles } from '../../src/adapters/fs/local-files.js';
import { openGitRepository } from '../../src/adapters/git/git-reader.js';
import type { Logger } from '../../src/adapters/ports.js';
import { collectChanges } from '../../src/app/collect.js';
import { runAnalysis } from '../../src/app/run-analysis.js';
import { detectAll } from '../../src/core/analyze.js';
import { defaultConfig } from '../../src/core/config/config.js';
import type { Report } from '../../src/core/model.js';
import { createPullRequestRepo } from '../support/git-repo.js';

// The analyzers of non-code files run in the same pipeline as the code detectors: files read from git
// objects, context asked for and served by the collect step, findings in the one Report.
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
const quiet: Logger = { debug() {}, info() {}, warning() {}, error() {} };

const WORKFLOW = `name: CI
on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm run lint
      - run: npm test
`;
const MANIFEST =
  JSON.stringify({ name: 'app', scripts: { lint: 'eslint .', test: 'vitest run' }, dependencies: { zod: '^3.23.8' } }, null, 2) + '\n';
const LOCK =
  JSON.stringify(
    {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { zod: '^3.23.8' } },
        'node_modules/zod': { version: '3.23.8', resolved: 'https://registry.npmjs.org/zod/-/zod-3.23.8.tgz', integrity: 'sha512-z' },
      },
    },
    null,
    2,
  ) + '\n';

async function analyze(base: Record<string, string>, head: Record<string, string>): Promise<Report> {
  const repo = createPullRequestRepo(base, head);
  cleanups.push(() => repo.cleanup());
  const git = await openGitRepository(repo.dir);
  return runAnalysis(
    { git, localFiles, logger: quiet, cwd: repo.dir },
    { repoDir: repo.dir, base: repo.base, head: repo.head, hotspotFiles: [], coverageFiles: [] },
  );
}

describe('non-code files in the pipeline', () => {
  it('reports a removed test step on its base line, with the same id when unrelated lines move', async () => {
    const base = { '.github/workflows/ci.yml': WORKFLOW, 'package.json': MANIFEST, 'src/a.ts': 'export const a = 1;\n' };
    const head = { ...base, '.github/workflows/ci.yml': WORKFLOW.replace('      - run: npm test\n', '') };
    const report = await analyze(base, head);
    const finding = report.findings.find((f) => f.rule === 'removed-ci-check')!;
    expect(finding).toMatchObject({
      category: 'ci',
      severity: 'high',
      side: 'base',
      line: 10,
      headLine: 4,
      file: '.github/workflows/ci.yml',
    });
    expect(report.skipped.map((s) => s.file)).not.toContain('.github/workflows/ci.yml');
    expect(report.decision).toBe('fail');

    const moved = await analyze(
      { ...base, '.github/workflows/ci.yml': `# CI of the app\n${WORKFLOW}` },
      { ...head, '.github/workflows/ci.yml': `# CI of the app\n${WORKFLOW.replace('      - run: npm test\n', '')}` },
    );
    const again = moved.findings.find((f) => f.rule === 'removed-ci-check')!;
    expect(again.line).toBe(11);
    expect(again.id).toBe(finding.id);
  });

  it('reads the unchanged lockfile from git for a manifest that changed alone', async () => {
    const base = { 'package.json': MANIFEST, 'package-lock.json': LOCK };
    const report = await analyze(base, { ...base, 'package.json': MANIFEST.replace('^3.23.8', '^4.0.0') });
    expect(report.findings.map((f) => f.rule)).toContain('lockfile-drift');
  });

  it("reports an unparseable workflow as skipped with the parser's reason, and keeps the other findings", async () => {
    const base = {
      '.github/workflows/ci.yml': WORKFLOW,
      '.github/workflows/bad.yml': 'on: push\n',
      'package.json': MANIFEST,
      'package-lock.json': LOCK,
    };
    const report = await analyze(base, {
      ...base,
      '.github/workflows/bad.yml': 'on: [push\njobs: {\n',
      '.github/workflows/ci.yml': WORKFLOW.replace('npm ci', 'npm install'),
    });
    expect(report.skipped).toContainEqual({
      file: '.github/workflows/bad.yml',
      reason: expect.stringMatching(/^head version cannot be read: not valid YAML/),
    });
    expect(report.findings.map((f) => f.rule)).toContain('unfrozen-install');
  });

  it('accepts a finding with a reasoned YAML comment, and reports a comment without a reason', async () => {
    const base = { '.github/workflows/ci.yml': WORKFLOW, 'package.json': MANIFEST, 'package-lock.json': LOCK };
    const accepted = await analyze(base, {
      ...base,
      '.github/workflows/ci.yml': WORKFLOW.replace(
        '      - run: npm ci',
        '      # guardrail-gate-ignore unfrozen-install -- the lockfile is regenerated nightly\n      - run: npm install',
      ),
    });
    const finding = accepted.findings.find((f) => f.rule === 'unfrozen-install')!;
    expect(finding.accepted).toEqual({ by: 'suppression', reason: 'the lockfile is regenerated nightly' });
    expect(accepted.decision).toBe('pass');

    const unreasoned = await analyze(base, {
      ...base,
      '.github/workflows/ci.yml': WORKFLOW.replace(
        '      - run: npm ci',
        '      # guardrail-gate-ignore unfrozen-install\n      - run: npm install',
      ),
    });
    expect(unreasoned.findings.map((f) => f.rule).sort()).toEqual(['suppression-without-reason', 'unfrozen-install']);
  });

  it('finds the unchanged code that still reads a key a .env.example dropped, and the compose file it moved to', async () => {
    const base = {
      '.env.example': 'DATABASE_URL=postgres://localhost/app\nREDIS_URL=redis://localhost:6379\n',
      'src/cache.ts': 'export const redisUrl = process.env.REDIS_URL!;\n',
      'src/db.ts': 'export const databaseUrl = process.env.DATABASE_URL!;\n',
    };
    const dropped = { ...base, '.env.example': 'DATABASE_URL=postgres://localhost/app\n' };
    const report = await analyze(base, dropped);
    expect(report.findings.filter((f) => f.rule === 'env-declaration-removed')).toMatchObject([
      { file: '.env.example', side: 'base', line: 2, severity: 'medium', symbol: 'REDIS_URL', evidence: { reader: 'src/cache.ts' } },
    ]);
    const compose = 'services:\n  api:\n    build: .\n    environment:\n      REDIS_URL: redis://cache:6379\n';
    const moved = await analyze({ ...base, 'compose.yaml': compose }, { ...dropped, 'compose.yaml': compose });
    expect(moved.findings.filter((f) => f.rule === 'env-declaration-removed')).toEqual([]);
  });

  it("sends files claimed by no analyzer to the code detectors' skip list as before", async () => {
    const collected = await (async () => {
      const repo = createPullRequestRepo({ 'README.md': 'a\n' }, { 'README.md': 'b\n' });
      cleanups.push(() => repo.cleanup());
      const git = await openGitRepository(repo.dir);
      return collectChanges({ git, logger: quiet, base: repo.base, head: repo.head, config: defaultConfig() });
    })();
    const result = detectAll({ files: collected.files, context: collected.context, tree: collected.tree, config: defaultConfig() });
    expect(result.skipped).toEqual([{ file: 'README.md', reason: 'not a JavaScript or TypeScript source file' }]);
  });
  // A monorepo's root lockfile is often larger than max-file-bytes: too large to read must still count as there.
  describe('a package lockfile folded into the workspace root lockfile', () => {
    const config = 'max-file-bytes: 4000\n';
    const member = JSON.stringify({ name: 'member', dependencies: { zod: '^3.23.8' } }, null, 2) + '\n';
    const bigLock = (packages: number): string =>
      JSON.stringify(
        {
          lockfileVersion: 3,
          packages: Object.fromEntries(
            Array.from({ length: packages }, (_, i) => [
              `node_modules/dep-${i}`,
              { version: '1.0.0', integrity: 'sha512-' + 'x'.repeat(40) },
            ]),
          ),
        },
        null,
        2,
      ) + '\n';
    const rootManifest = (workspaces: boolean): string =>
      JSON.stringify({ private: true, ...(workspaces ? { workspaces: ['packages/member'] } : {}) }, null, 2) + '\n';
    const lockfileFindings = (report: Report) => report.findings.filter((f) => f.rule === 'lockfile-drift');

    it('stays quiet when the root lockfile, too large to read, changes in the same pull request', async () => {
      const base = {
        '.github/guardrail-gate.yml': config,
        'package.json': rootManifest(false),
        'package-lock.json': bigLock(60),
        'packages/member/package.json': member,
        'packages/member/package-lock.json': LOCK,
      };
      const head = { ...base, 'package.json': rootManifest(true), 'package-lock.json': bigLock(70) } as Record<string, string>;
      delete head['packages/member/package-lock.json'];
      const report = await analyze(base, head);
      expect(report.skipped.map((s) => s.file)).toContain('package-lock.json');
      expect(lockfileFindings(report)).toEqual([]);
    });

    it('stays quiet when the unchanged root lockfile is too large to read', async () => {
      const base = {
        '.github/guardrail-gate.yml': config,
        'package.json': rootManifest(true),
        'package-lock.json': bigLock(60),
        'packages/member/package.json': member,
        'packages/member/package-lock.json': LOCK,
      };
      const head = { ...base } as Record<string, string>;
      delete head['packages/member/package-lock.json'];
      expect(lockfileFindings(await analyze(base, head))).toEqual([]);
    });

    it('still reports the deletion when the package is no workspace member', async () => {
      const base = {
        '.github/guardrail-gate.yml': config,
        'package.json': rootManifest(false),
        'package-lock.json': bigLock(60),
        'packages/member/package.json': member,
        'packages/member/package-lock.json': LOCK,
      };
      const head = { ...base } as Record<string, string>;
      delete head['packages/member/package-lock.json'];
      expect(lockfileFindings(await analyze(base, head)).map((f) => f.file)).toEqual(['packages/member/package-lock.json']);
    });
  });
});
