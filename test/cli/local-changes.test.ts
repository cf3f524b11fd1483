import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/model.js';
import { createRepo, writeTree, type TempRepo } from '../support/git-repo.js';
import { buildCliBundle, runCli, type Bundle } from './bundle.js';

// `analyze --staged` and `--worktree` on real repositories through the bundle: the findings are those the
// gate reports once the same change is committed, and the repository is left byte for byte as it was,
// with no hook, fsmonitor or clean filter of its configuration ever run.

let bundle: Bundle;
beforeAll(() => {
  bundle = buildCliBundle();
});
afterAll(() => bundle?.cleanup());

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const CLIENT = `import axios from 'axios';

export function createClient(baseURL: string) {
  return axios.create({ baseURL, timeout: 5000 });
}
`;
const ORDERS = `export function createOrder(body: unknown) {
  if (typeof body !== 'object' || body === null) throw new TypeError('body must be an object');
  return { ...body, id: 'o1' };
}
`;

function repoWithBase(): TempRepo {
  const repo = createRepo('gg-local-');
  cleanups.push(() => repo.cleanup());
  repo.commit({ 'src/client.ts': CLIENT, 'src/orders.ts': ORDERS, 'package.json': '{"name":"svc","type":"module"}\n' }, 'base');
  return repo;
}

const write = (repo: TempRepo, files: Record<string, string>): void => writeTree(repo.dir, files);

function analyze(repo: TempRepo, ...args: string[]): { status: number | null; report: Report; stderr: string } {
  const run = runCli(bundle, ['analyze', ...args, '--format', 'json'], { cwd: repo.dir });
  expect(run.stderr).not.toMatch(/internal error/);
  return { status: run.status, report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
}

/** What a later verdict must repeat: the findings with their stable ids, and the judgement. */
const verdict = (report: Report) => ({
  findings: report.findings.map((f) => ({ id: f.id, rule: f.rule, file: f.file, line: f.line, side: f.side, severity: f.severity })),
  score: report.score,
  level: report.level,
  decision: report.decision,
  affected: report.tests.affected,
});

/** Every file under .git with its bytes' hash: the snapshot must not write one. */
function gitDirState(repo: TempRepo): Record<string, string> {
  const state: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else state[path.slice(repo.dir.length)] = createHash('sha1').update(readFileSync(path)).digest('hex');
    }
  };
  walk(join(repo.dir, '.git'));
  return state;
}

describe('analyze --worktree', () => {
  it('reports the uncommitted change as the gate reports it once committed, and leaves .git untouched', () => {
    const repo = repoWithBase();
    write(repo, {
      'src/client.ts': CLIENT.replace(', timeout: 5000', ''),
      'src/retry.ts': 'export const attempts = 3;\n', // untracked, not ignored: part of the change
      'build/out.ts': 'export const ignored = 1;\n', // ignored: not part of it
      '.gitignore': 'build/\n',
    });
    const before = gitDirState(repo);
    const local = analyze(repo, '--worktree');
    expect(gitDirState(repo)).toEqual(before);
    expect(local.status).toBe(1);
    expect(local.report.findings.map((f) => f.rule)).toEqual(['removed-timeout']);
    expect(local.report.stats.filesChanged).toBe(3); // client.ts, retry.ts, .gitignore
    expect(local.report.base).toBe(repo.git('rev-parse', 'HEAD'));
    expect(local.report.notes.some((n) => n.startsWith('head is the work tree'))).toBe(true);

    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'simplify the client');
    const committed = analyze(repo, '--base', 'HEAD~1', '--head', 'HEAD');
    expect(verdict(committed.report)).toEqual(verdict(local.report));
    expect(committed.report.findings.length).toBeGreaterThan(0);
  });

  it('sees a file deleted from the disk as deleted, and reads a symbolic link as a link', () => {
    const repo = repoWithBase();
    rmSync(join(repo.dir, 'src/orders.ts'));
    symlinkSync('client.ts', join(repo.dir, 'src/alias.ts'));
    const { report } = analyze(repo, '--worktree', '--fail-on', 'never');
    expect(report.stats.filesChanged).toBe(2);
    expect(report.stats.filesAnalyzed).toBe(1); // the deletion; a link is listed, never read as code
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'drop orders');
    expect(verdict(analyze(repo, '--base', 'HEAD~1', '--fail-on', 'never').report)).toEqual(verdict(report));
  });

  it('runs none of the repository-configured hooks, fsmonitor or clean filters', () => {
    const repo = repoWithBase();
    const marker = join(repo.dir, '..', `${repo.dir.split('/').pop()}-ran`);
    cleanups.push(() => rmSync(marker, { force: true }));
    const script = (name: string): string => {
      const path = join(repo.dir, '.git', name);
      writeFileSync(path, `#!/bin/sh\necho ${name} >> '${marker}'\ncat "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    };
    const hooks = join(repo.dir, '.git', 'evil-hooks');
    repo.git('config', 'core.hooksPath', hooks);
    mkdirSync(hooks);
    for (const hook of ['post-index-change', 'pre-commit', 'post-commit', 'reference-transaction']) {
      writeFileSync(join(hooks, hook), `#!/bin/sh\necho ${hook} >> '${marker}'\n`);
      chmodSync(join(hooks, hook), 0o755);
    }
    repo.git('config', 'core.fsmonitor', script('fsmonitor'));
    repo.git('config', 'filter.evil.clean', script('clean-filter'));
    repo.git('config', 'diff.evil.textconv', script('textconv'));
    write(repo, { '.gitattributes': '*.ts filter=evil diff=evil\n', 'src/client.ts': CLIENT.replace(', timeout: 5000', '') });

    expect(analyze(repo, '--worktree').report.findings.map((f) => f.rule)).toEqual(['removed-timeout']);
    repo.git('add', 'src/client.ts', '.gitattributes'); // this `git add` is the test's own: it may run them
    rmSync(marker, { force: true });
    expect(analyze(repo, '--staged').report.findings.map((f) => f.rule)).toEqual(['removed-timeout']);
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');
  });
});

describe('analyze --staged', () => {
  it('reports what is staged only, not the rest of the work tree', () => {
    const repo = repoWithBase();
    write(repo, { 'src/client.ts': CLIENT.replace(', timeout: 5000', '') });
    repo.git('add', 'src/client.ts');
    write(repo, { 'src/orders.ts': ORDERS.replace(/ {2}if \(typeof body[^\n]*\n/, '') }); // unstaged

    const staged = analyze(repo, '--staged');
    expect(staged.report.findings.map((f) => f.rule)).toEqual(['removed-timeout']);
    expect(staged.report.notes.some((n) => n.startsWith('head is the staged changes'))).toBe(true);
    const worktree = analyze(repo, '--worktree');
    expect(worktree.report.findings.map((f) => f.rule).sort()).toEqual(['removed-timeout', 'removed-validation']);

    // The same staged content is the same snapshot: the same report, run after run.
    expect(analyze(repo, '--staged').report.head).toBe(staged.report.head);
    repo.git('commit', '-q', '-m', 'client without timeout');
    expect(verdict(analyze(repo, '--base', 'HEAD~1').report)).toEqual(verdict(staged.report));
  });

  it('passes with nothing staged', () => {
    const repo = repoWithBase();
    const { status, report } = analyze(repo, '--staged');
    expect(status).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.stats.filesChanged).toBe(0);
  });

  it('refuses a conflicted index, an unborn HEAD and contradicting flags with one line each (exit 2)', () => {
    const unborn = createRepo('gg-local-');
    cleanups.push(() => unborn.cleanup());
    const none = runCli(bundle, ['analyze', '--staged'], { cwd: unborn.dir });
    expect(none.status).toBe(2);
    expect(none.stderr.trim()).toMatch(/^guardrail-gate: --staged\/--worktree: the repository has no commit yet/);

    const repo = repoWithBase();
    for (const args of [
      ['--staged', '--worktree'],
      ['--staged', '--base', 'HEAD'],
      ['--worktree', '--head', 'HEAD'],
    ]) {
      const run = runCli(bundle, ['analyze', ...args], { cwd: repo.dir });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }

    repo.git('checkout', '-q', '-b', 'other');
    write(repo, { 'src/orders.ts': ORDERS.replace("'o1'", "'o2'") });
    repo.git('commit', '-qam', 'o2');
    repo.git('checkout', '-q', 'main');
    write(repo, { 'src/orders.ts': ORDERS.replace("'o1'", "'o3'") });
    repo.git('commit', '-qam', 'o3');
    try {
      repo.git('merge', '-q', 'other');
    } catch {
      /* the conflict is the point */
    }
    const conflicted = runCli(bundle, ['analyze', '--staged'], { cwd: repo.dir });
    expect(conflicted.status).toBe(2);
    expect(conflicted.stderr).toMatch(/src\/orders\.ts has unresolved merge conflicts/);
    expect(statSync(join(repo.dir, '.git', 'MERGE_HEAD')).isFile()).toBe(true);
  });
});

describe('scripts/hooks/pre-push', () => {
  it('stops a push whose commits remove a guardrail, and lets a harmless one through', () => {
    const origin = createRepo('gg-origin-');
    cleanups.push(() => origin.cleanup());
    origin.commit({ 'src/client.ts': CLIENT, 'src/orders.ts': ORDERS }, 'base');
    origin.git('config', 'receive.denyCurrentBranch', 'ignore');
    const clone = createRepo('gg-clone-');
    cleanups.push(() => clone.cleanup());
    clone.git('remote', 'add', 'origin', origin.dir);
    clone.git('fetch', '-q', 'origin');
    clone.git('reset', '-q', '--hard', 'origin/main');
    clone.git('remote', 'set-head', 'origin', 'main');
    clone.git('config', 'core.hooksPath', join(import.meta.dirname, '../../scripts/hooks'));
    const push = () =>
      spawnSync('git', ['push', '-q', 'origin', 'HEAD:refs/heads/feature'], {
        cwd: clone.dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          NO_COLOR: '1',
          GUARDRAIL_GATE: `${process.execPath} ${bundle.cli}`,
          NODE_COMPILE_CACHE: bundle.compileCache,
        },
      });

    writeTree(clone.dir, { 'src/orders.ts': ORDERS.replace("'o1'", "'o2'") });
    clone.git('commit', '-qam', 'rename the order id');
    const harmless = push();
    expect(harmless.status, harmless.stderr).toBe(0);

    writeTree(clone.dir, { 'src/client.ts': CLIENT.replace(', timeout: 5000', '') });
    clone.git('commit', '-qam', 'simplify the client');
    const blocked = push();
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain('removed-timeout');
    expect(blocked.stderr).toContain('the gate fails for the push to refs/heads/feature');
    expect(execFileSync('git', ['rev-parse', 'refs/heads/feature'], { cwd: origin.dir, encoding: 'utf8' }).trim()).not.toBe(
      clone.git('rev-parse', 'HEAD'),
    );
  });
});
