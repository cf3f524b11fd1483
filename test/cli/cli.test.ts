import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/model.js';
import { createPullRequestRepo, createRepo, type FileMap } from '../support/git-repo.js';
import { buildCliBundle, runCli, type Bundle } from './bundle.js';

let bundle: Bundle;
beforeAll(() => {
  bundle = buildCliBundle();
});
afterAll(() => bundle?.cleanup());

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function pr(base: FileMap, head: FileMap, message?: string) {
  const repo = createPullRequestRepo(base, head, message);
  cleanups.push(() => repo.cleanup());
  return repo;
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CLIENT_BASE = `import axios from 'axios';

export function createClient(baseURL: string) {
  return axios.create({ baseURL, timeout: 5000 });
}
`;
const CLIENT_HEAD = `import axios from 'axios';

export function createClient(baseURL: string) {
  return axios.create({ baseURL });
}
`;

/** A pull request that removes a timeout: the gate fails it at the default threshold. */
function timeoutRemoval(extraBase: FileMap = {}, extraHead: FileMap = {}) {
  return pr({ 'src/client.ts': CLIENT_BASE, ...extraBase }, { 'src/client.ts': CLIENT_HEAD, ...extraHead });
}

function analyze(repo: { dir: string; base: string; head: string }, ...args: string[]) {
  return runCli(bundle, ['analyze', '--repo', repo.dir, '--base', repo.base, '--head', repo.head, ...args]);
}

function jsonReport(run: { stdout: string }): Report {
  return JSON.parse(run.stdout) as Report;
}

describe('guardrail-gate CLI (the bundle)', () => {
  it('prints its version and help', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(runCli(bundle, ['--version'])).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
    const help = runCli(bundle, ['analyze', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--fail-on LEVEL');
  });

  it('exits 1 when the gate fails and 0 with --fail-on never (or none)', () => {
    const repo = timeoutRemoval();
    const failing = analyze(repo);
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/^guardrail-gate: FAIL/);
    expect(failing.stdout).toContain('src/client.ts');
    expect(analyze(repo, '--fail-on', 'never').status).toBe(0);
    const none = analyze(repo, '--fail-on', 'none', '--format', 'json');
    expect(none.status).toBe(0);
    expect(jsonReport(none)).toMatchObject({ decision: 'pass', failOn: 'none' });
  });

  it('writes exactly one JSON document on stdout with --format json, logs on stderr', () => {
    const repo = timeoutRemoval();
    const run = analyze(repo, '--format', 'json', '--fail-on', 'never');
    expect(run.status).toBe(0);
    const report = jsonReport(run);
    expect(report.schemaVersion).toBe(1);
    expect(report.base).toBe(repo.base);
    expect(report.head).toBe(repo.head);
    expect(report.findings.some((f) => f.category === 'timeout' && f.file === 'src/client.ts' && f.severity !== 'info')).toBe(true);
    expect(report.stats.filesChanged).toBe(1);
  });

  it('writes the report to --output and nothing to stdout', () => {
    const repo = timeoutRemoval();
    const out = join(tempDir('gg-out-'), 'reports', 'gate.json');
    const run = analyze(repo, '--format', 'json', '--output', out);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('report written to');
    expect(jsonReport({ stdout: readFileSync(out, 'utf8') }).decision).toBe('fail');
  });

  it('writes SARIF 2.1.0 with a rule for every result', () => {
    const repo = timeoutRemoval();
    const run = analyze(repo, '--format', 'sarif', '--fail-on', 'never');
    expect(run.status).toBe(0);
    const log = JSON.parse(run.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const rules = log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    expect(rules).toContain('removed-timeout');
    expect(log.runs[0].results.length).toBeGreaterThan(0);
    for (const result of log.runs[0].results) {
      expect(rules).toContain(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
      expect(result.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      expect(Object.values(result.partialFingerprints)[0]).toBeTruthy();
    }
  });

  it('renders the PR comment body with --format markdown', () => {
    const run = analyze(timeoutRemoval(), '--format', 'markdown', '--fail-on', 'never');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^## guardrail-gate/);
  });

  it('passes an empty diff', () => {
    const repo = pr({ 'src/a.ts': 'export const a = 1;\n' }, { 'src/a.ts': 'export const a = 1;\n' });
    const run = analyze(repo, '--format', 'json');
    expect(run.status).toBe(0);
    expect(jsonReport(run)).toMatchObject({ decision: 'pass', findings: [], stats: { filesChanged: 0 } });
  });

  it('lists a file that does not parse, and binary and minified files, as skipped without aborting', () => {
    const conflict = 'export function f() {\n<<<<<<< HEAD\n  return 1;\n=======\n  return 2;\n>>>>>>> other\n}\n';
    const minified = `export const data=[${Array.from({ length: 800 }, (_, i) => i).join(',')}];function g(){return data.map(x=>x*2)}\n`;
    const repo = timeoutRemoval(
      { 'src/broken.ts': 'export function f() {\n  return 1;\n}\n', 'src/utf16.ts': 'x\n' },
      // A source file saved as UTF-16 is binary to git (NUL bytes).
      {
        'src/broken.ts': conflict,
        'src/utf16.ts': Buffer.from('\ufeffexport const a = 1;\n', 'utf16le'),
        'src/bundle.js': minified,
        'README.md': '# hi\n',
      },
    );
    const run = analyze(repo, '--format', 'json', '--fail-on', 'never');
    expect(run.status).toBe(0);
    const report = jsonReport(run);
    const reason = (file: string) => report.skipped.find((s) => s.file === file)?.reason ?? '';
    expect(reason('src/broken.ts')).toMatch(/parse/);
    expect(reason('src/utf16.ts')).toMatch(/binary/);
    expect(reason('src/bundle.js')).toMatch(/minified/);
    expect(reason('README.md')).toMatch(/not a JavaScript or TypeScript source/);
    expect(report.findings.some((f) => f.file === 'src/client.ts')).toBe(true);
  });

  it('skips files over max-file-bytes and files excluded by the configuration', () => {
    const config = 'max-file-bytes: 2000\nexclude: ["legacy/**"]\n';
    const big = `export const big = ${JSON.stringify('x'.repeat(100))};\n`.repeat(40);
    const repo = timeoutRemoval(
      { '.github/guardrail-gate.yml': config, 'legacy/old.ts': 'export const a = 1;\n' },
      { '.github/guardrail-gate.yml': config, 'legacy/old.ts': 'export const a = 2;\n', 'src/big.ts': big },
    );
    const report = jsonReport(analyze(repo, '--format', 'json', '--fail-on', 'never'));
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { file: 'legacy/old.ts', reason: expect.stringMatching(/excluded/) },
        { file: 'src/big.ts', reason: expect.stringMatching(/max-file-bytes/) },
      ]),
    );
  });

  it('reads the configuration from the base commit, so a pull request cannot loosen its own gate', () => {
    const repo = timeoutRemoval({ '.github/guardrail-gate.yml': 'fail-on: low\n' }, { '.github/guardrail-gate.yml': 'fail-on: none\n' });
    const run = analyze(repo, '--format', 'json');
    expect(run.status).toBe(1);
    expect(jsonReport(run).failOn).toBe('low');
  });

  it('reads a --config file absent from the base commit from disk, and says so', () => {
    const repo = timeoutRemoval();
    const file = join(tempDir('gg-config-'), 'gate.yml');
    writeFileSync(file, 'fail-on: none\n');
    // Relative to the working directory and outside the repository: never a git path.
    const run = runCli(bundle, ['analyze', '--base', repo.base, '--format', 'json', '--config', relative(repo.dir, file)], {
      cwd: repo.dir,
    });
    expect(run.status).toBe(0);
    expect(jsonReport(run).notes.join('\n')).toContain('on disk');
  });

  it.each([
    [['analyze', '--bogus'], /unknown flag --bogus/],
    [['analyze', '--format', 'xml'], /--format: 'xml'/],
    [['analyze', '--fail-on', 'sometimes'], /--fail-on: 'sometimes'/],
    [['analyze', '--base'], /--base needs a value/],
    [['analyze', 'extra'], /unexpected argument/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [[], /missing command/],
  ])('exits 2 with one line on stderr for %j', (args, message) => {
    const run = runCli(bundle, args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });

  it('exits 2 naming the flag for an unknown revision', () => {
    const repo = timeoutRemoval();
    const run = analyze(repo, '--base', 'no-such-branch');
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe("guardrail-gate: --base: unknown revision 'no-such-branch'");
  });

  it('exits 2 for a folder that is not a git repository', () => {
    const run = runCli(bundle, ['analyze', '--repo', tempDir('gg-plain-')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--repo: .* is not a git work tree/);
  });

  it('exits 2 saying so when git is not on PATH', () => {
    const repo = timeoutRemoval();
    const run = runCli(bundle, ['analyze', '--repo', repo.dir], { env: { PATH: tempDir('gg-empty-path-') } });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('guardrail-gate: git was not found on PATH: install git (2.30 or later)');
  });

  it('exits 2 when base and head share no history', () => {
    const repo = createRepo();
    cleanups.push(() => repo.cleanup());
    const base = repo.commit({ 'a.ts': 'export const a = 1;\n' });
    repo.git('checkout', '-q', '--orphan', 'other');
    const head = repo.commit({ 'b.ts': 'export const b = 1;\n' });
    const run = analyze({ dir: repo.dir, base, head });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/share no history/);
  });

  it('exits 2 with the key path for an invalid configuration', () => {
    const repo = timeoutRemoval(
      { '.github/guardrail-gate.yml': 'fail-on: sometimes\n' },
      { '.github/guardrail-gate.yml': 'fail-on: sometimes\n' },
    );
    const run = analyze(repo);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/guardrail-gate\.yml.*fail-on/);
  });

  it("defaults --base to the merge base with origin's default branch, and names --base when there is none", () => {
    const upstream = createRepo();
    cleanups.push(() => upstream.cleanup());
    const root = upstream.commit({ 'src/client.ts': CLIENT_BASE });
    const clone = tempDir('gg-clone-');
    execFileSync('git', ['clone', '-q', upstream.dir, clone]);
    upstream.commit({ 'src/client.ts': CLIENT_BASE, 'src/other.ts': 'export const o = 1;\n' });
    execFileSync('git', ['fetch', '-q', 'origin'], { cwd: clone });
    execFileSync('git', ['checkout', '-q', '-b', 'feature'], { cwd: clone });
    writeFileSync(join(clone, 'src/client.ts'), CLIENT_HEAD);
    execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-qam', 'drop timeout'], { cwd: clone });
    const run = runCli(bundle, ['analyze', '--format', 'json', '--fail-on', 'never'], { cwd: clone });
    expect(run.status).toBe(0);
    const report = jsonReport(run);
    expect(report.base).toBe(root);
    expect(report.stats.filesChanged).toBe(1);

    const lonely = createRepo();
    cleanups.push(() => lonely.cleanup());
    lonely.commit({ 'a.ts': 'x\n' });
    lonely.git('branch', '-m', 'trunk');
    const none = runCli(bundle, ['analyze', '--repo', lonely.dir]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--base: no default branch found/);
  });

  it('runs the demo in a throw-away repository and removes it', () => {
    const scratch = tempDir('gg-demo-tmp-');
    const run = runCli(bundle, ['demo'], { env: { TMPDIR: scratch } });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^guardrail-gate: (FAIL|PASS)/);
    expect(run.stdout).toContain('src/http/client.ts');
    expect(run.stdout).toContain('removed-timeout');
    expect(readdirSync(scratch)).toEqual([]);
    expect(existsSync(bundle.cli)).toBe(true);
  });
});
