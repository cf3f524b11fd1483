import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localFiles } from '../../src/adapters/fs/local-files.js';
import { Git } from '../../src/adapters/git/git.js';
import { openGitRepository } from '../../src/adapters/git/git-reader.js';
import type { Logger } from '../../src/adapters/ports.js';
import { collectChanges } from '../../src/app/collect.js';
import { runAnalysis } from '../../src/app/run-analysis.js';
import { defaultConfig } from '../../src/core/config/config.js';
import { detectorCatalogue } from '../../src/core/detect/registry.js';
import { renderAnnotations } from '../../src/core/render/annotations.js';
import { renderSarif } from '../../src/core/render/sarif.js';
import { createPullRequestRepo, createRepo, type TempRepo } from '../support/git-repo.js';

// Pull requests that try to make git work against us. Each is a real repository in a temp folder.

const quiet: Logger = { debug() {}, info() {}, warning() {}, error() {} };

const client = (timeout: string): string => `import axios from 'axios';

export function createBillingClient(baseURL: string) {
  return axios.create({
    baseURL,
${timeout}    headers: { 'x-client': 'billing' },
  });
}
`;

describe('a pull request that would make git run its code', () => {
  const marks = mkdtempSync(join(tmpdir(), 'gg-marks-'));
  let repo: TempRepo;
  let base: string;
  let head: string;

  afterAll(() => {
    repo?.cleanup();
    rmSync(marks, { recursive: true, force: true });
  });

  it('runs no textconv, filter, external diff or fsmonitor program the repository configures (blame included)', async () => {
    repo = createRepo('gg-hostile-');
    repo.commit({ 'src/billing.ts': client('') }, 'feat: add billing client');
    repo.commit({ 'src/billing.ts': client('    timeout: 5_000,\n') }, 'fix: add a timeout to the billing client after the outage (#7)');
    base = repo.commit({ 'src/billing.ts': client('    timeout: 5_000,\n'), 'README.md': 'billing\n' }, 'docs');
    // The PR removes the timeout (a finding on a base line: blamed for scars) and adds attributes that
    // select drivers the repository's own configuration defines. The work tree is the PR's head, as a
    // checkout of the PR leaves it.
    head = repo.commit(
      { 'src/billing.ts': client(''), 'README.md': 'billing\n', '.gitattributes': '* diff=evil filter=evil\n' },
      'simplify the billing client',
    );
    const mark = (name: string) => `touch '${join(marks, name)}'`;
    repo.git('config', 'diff.evil.textconv', `${mark('textconv')}; cat`);
    repo.git('config', 'diff.evil.command', `${mark('external-diff')}; true`);
    repo.git('config', 'filter.evil.clean', `${mark('clean')}; cat`);
    repo.git('config', 'filter.evil.smudge', `${mark('smudge')}; cat`);
    repo.git('config', 'core.fsmonitor', `${mark('fsmonitor')}; true`);
    // Proof that the trap is armed: git itself runs the drivers when not told otherwise.
    repo.git('blame', '--porcelain', '-L', '1,1', base, '--', 'src/billing.ts');
    expect(readdirSync(marks).sort()).toEqual(['smudge', 'textconv']);
    for (const file of readdirSync(marks)) rmSync(join(marks, file));

    // A coverage file makes the impact stage diff the changed lines too.
    const coverage = join(marks, '..', `gg-lcov-${process.pid}.info`);
    writeFileSync(coverage, 'SF:src/billing.ts\nDA:4,0\nend_of_record\n');
    try {
      const git = await openGitRepository(repo.dir);
      const report = await runAnalysis(
        { git, localFiles, logger: quiet, cwd: repo.dir },
        { repoDir: git.repoDir, base, head, hotspotFiles: [], coverageFiles: [coverage] },
      );
      expect(report.findings.map((f) => f.rule)).toContain('removed-timeout');
      // The blame ran: the removed line is traced to the fix commit.
      expect(report.findings.find((f) => f.rule === 'removed-timeout')?.evidence?.scar).toBeDefined();
    } finally {
      rmSync(coverage, { force: true });
    }
    expect(readdirSync(marks)).toEqual([]);
  });
});

describe('file names git must not misread', () => {
  const repos: TempRepo[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));

  /** Commits files whose names are given as bytes (a name need not be UTF-8). */
  function commitRaw(repo: TempRepo, files: [name: Buffer, text: string][], message: string): string {
    for (const entry of readdirSync(repo.dir)) if (entry !== '.git') rmSync(join(repo.dir, entry), { recursive: true, force: true });
    for (const [name, text] of files) writeFileSync(Buffer.concat([Buffer.from(`${repo.dir}/`), name]), text);
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', message);
    return repo.git('rev-parse', 'HEAD');
  }

  it('reads both versions of files named with a newline, quotes, spaces, a leading dash and non-UTF-8 bytes', async () => {
    const repo = createRepo('gg-names-');
    repos.push(repo);
    const names = [
      Buffer.from('new\nline.ts'),
      Buffer.from('quo"te\\back.ts'),
      Buffer.from('with space.ts'),
      Buffer.from('-leading-dash.ts'),
      Buffer.from('tab\there.ts'),
      Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('.ts')]), // Latin-1, not UTF-8
    ];
    const base = commitRaw(
      repo,
      names.map((name) => [name, client('    timeout: 5_000,\n')]),
      'base',
    );
    const head = commitRaw(
      repo,
      names.map((name) => [name, client('')]),
      'head',
    );

    const git = await openGitRepository(repo.dir);
    const { files } = await collectChanges({ git, logger: quiet, base, head, config: defaultConfig() });
    expect(files).toHaveLength(names.length);
    for (const file of files) {
      expect(file.skipped, JSON.stringify(file.path)).toBeUndefined();
      expect(file.base).toBe(client('    timeout: 5_000,\n'));
      expect(file.head).toBe(client(''));
    }
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['new\nline.ts', 'quo"te\\back.ts', 'with space.ts', '-leading-dash.ts', 'tab\there.ts']),
    );

    const report = await runAnalysis(
      { git, localFiles, logger: quiet, cwd: repo.dir },
      { repoDir: git.repoDir, base, head, hotspotFiles: [], coverageFiles: [] },
    );
    expect(report.skipped).toEqual([]);
    const flagged = new Set(report.findings.filter((f) => f.rule === 'removed-timeout').map((f) => f.file));
    expect(flagged.size).toBe(names.length);
    expect(existsSync(join(repo.dir, '-leading-dash.ts'))).toBe(true); // the name reached git as a path, not an option
  });

  it('lists the changed lines of quoted and spaced names for coverage', async () => {
    const repo = createRepo('gg-names-lines-');
    repos.push(repo);
    const names = [Buffer.from('with space.ts'), Buffer.from('new\nline.ts')];
    const base = commitRaw(
      repo,
      names.map((name) => [name, 'export const a = 1;\n']),
      'base',
    );
    const head = commitRaw(
      repo,
      names.map((name) => [name, 'export const a = 2;\nexport const b = 3;\n']),
      'head',
    );
    const git = await openGitRepository(repo.dir);
    const lines = await git.changedHeadLines(base, head, ['with space.ts', 'new\nline.ts']);
    expect(Object.fromEntries(lines)).toEqual({ 'with space.ts': [1, 2], 'new\nline.ts': [1, 2] });
    const churn = await git.recentCommits(head, ['with space.ts', 'new\nline.ts']);
    expect(churn[0]?.files.sort()).toEqual(['new\nline.ts', 'with space.ts']);
  });
});

describe('git never reaches the network unasked', () => {
  it('refuses to fetch from a remote on a read (protocol.allow=never)', async () => {
    const repo = createRepo('gg-nonet-');
    try {
      repo.commit({ 'a.ts': 'export const a = 1;\n' });
      // A partial clone would lazily fetch a missing blob from its promisor remote; any transport must be refused.
      repo.git('remote', 'add', 'origin', 'https://example.invalid/repo.git');
      await expect(new Git(repo.dir).run(['ls-remote', 'origin'])).rejects.toThrow(/transport 'https' not allowed/);
    } finally {
      repo.cleanup();
    }
  });
});

describe('a renamed file', () => {
  it('anchors annotations and SARIF on the head path, and keeps the base path with the base line', async () => {
    const filler = Array.from({ length: 12 }, (_, i) => `export const setting${i} = ${i};`).join('\n') + '\n';
    const repo = createPullRequestRepo(
      { 'src/old-billing.ts': filler + client('    timeout: 5_000,\n') },
      { 'src/billing/client.ts': filler + client('') },
    );
    try {
      const git = await openGitRepository(repo.dir);
      const report = await runAnalysis(
        { git, localFiles, logger: quiet, cwd: repo.dir },
        { repoDir: git.repoDir, base: repo.base, head: repo.head, hotspotFiles: [], coverageFiles: [] },
      );
      const finding = report.findings.find((f) => f.rule === 'removed-timeout')!;
      expect(finding).toMatchObject({ file: 'src/old-billing.ts', side: 'base', headFile: 'src/billing/client.ts' });
      const baseLines = repo.git('show', `${repo.base}:src/old-billing.ts`).split('\n');
      expect(baseLines[finding.line - 1]).toContain('timeout: 5_000');

      const headPaths = new Set(await git.listTree(repo.head));
      const headLength = (path: string) => repo.git('show', `${repo.head}:${path}`).split('\n').length;
      for (const annotation of renderAnnotations(report).filter((a) => a.file)) {
        expect(headPaths.has(annotation.file!), annotation.file).toBe(true);
        expect(annotation.startLine).toBeLessThanOrEqual(headLength(annotation.file!));
      }
      const sarif = JSON.parse(renderSarif(report, detectorCatalogue()));
      const uris = sarif.runs[0].results.map((r: any) => decodeURI(r.locations[0].physicalLocation.artifactLocation.uri));
      expect(uris.length).toBeGreaterThan(0);
      for (const uri of uris) expect(headPaths.has(uri), uri).toBe(true);
    } finally {
      repo.cleanup();
    }
  });
});
