import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/model.js';
import { buildCliBundle, runCli, type Bundle } from '../cli/bundle.js';
import { createRepo, writeTree, type FileMap, type TempRepo } from '../support/git-repo.js';

let bundle: Bundle;
beforeAll(() => {
  bundle = buildCliBundle();
});
const cleanups: (() => void)[] = [];
afterAll(() => {
  bundle?.cleanup();
  while (cleanups.length) cleanups.pop()!();
});

const CLIENT_BASE = `import axios from 'axios';\n\nexport function createClient(baseURL: string) {\n  return axios.create({ baseURL, timeout: 5000 });\n}\n`;
const CLIENT_HEAD = `import axios from 'axios';\n\nexport function createClient(baseURL: string) {\n  return axios.create({ baseURL });\n}\n`;

/** Where the PR's code would leave its mark if anything of it ran (an install script, a config, an import). */
const marker = join(mkdtempSync(join(tmpdir(), 'gg-marker-')), 'ran');
const harm = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');`;

/** A source file in Latin-1, not UTF-8: a comment line with a byte (é) that is invalid UTF-8, then `text`. */
function latin1(text: string): Buffer {
  return Buffer.concat([Buffer.from([...Buffer.from('// caf'), 0xe9, 0x0a]), Buffer.from(text)]);
}

/** Commits `files` as the whole tree, then lets `extra` add what a file map cannot hold (symlinks, gitlinks). */
function commitTree(repo: TempRepo, files: FileMap, extra: (dir: string) => void = () => {}, gitlink?: string): string {
  repo.git('rm', '-rq', '--cached', '--ignore-unmatch', '.');
  for (const entry of repo.git('ls-files', '--others', '--exclude-standard').split('\n').filter(Boolean))
    rmSync(join(repo.dir, entry), { force: true });
  writeTree(repo.dir, files);
  extra(repo.dir);
  repo.git('add', '-A');
  // A submodule as git stores it: a gitlink entry pointing at a commit this repository does not have.
  if (gitlink) repo.git('update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},${gitlink}`);
  repo.git('commit', '-q', '--allow-empty', '-m', 'change');
  return repo.git('rev-parse', 'HEAD');
}

function hostileRepo() {
  const repo = createRepo();
  cleanups.push(() => repo.cleanup());
  const shared: FileMap = {
    'package.json': JSON.stringify({
      name: 'victim',
      workspaces: ['./', 'packages/*'],
      scripts: { postinstall: `node -e "${harm.replace(/"/g, '\\"')}"`, test: 'jest' },
      jest: { testMatch: [''] },
    }),
    'jest.config.js': `${harm}\nmodule.exports = {};\n`,
    'src/evil.ts': `${harm}\nexport const x = 1;\n`,
  };
  // One bracket a line: deep, but not one long line (that would be skipped as minified first).
  const deep = `export const x = ${'(\n'.repeat(1000)}1${'\n)'.repeat(1000)};\n`;
  const base = commitTree(
    repo,
    {
      ...shared,
      'src/client.ts': CLIENT_BASE,
      'src/crlf.ts': CLIENT_BASE.replace(/\n/g, '\r\n').replace('createClient', 'createCrlfClient'),
      'src/lone-cr.ts': `// a\rb\u2028c\u2029\n${CLIENT_BASE.replace('createClient', 'createCrClient')}`,
      'src/bom.ts': `\uFEFF${CLIENT_BASE.replace('createClient', 'createBomClient')}`,
      'src/deep.ts': deep,
      'src/backtrack.ts': 'f(async (c, '.repeat(30),
      'src/latin1.ts': Buffer.from([...Buffer.from('export const name = "caf'), 0xe9, ...Buffer.from('";\n')]),
      'src/latin1-client.ts': latin1(CLIENT_BASE.replace('createClient', 'createLatinClient')),
      'src/blob.js': new Uint8Array([0x76, 0x61, 0x72, 0, 0, 0x01, 0x0a]),
      'src/new\nline #1?.ts': CLIENT_BASE.replace('createClient', 'createOddClient'),
      'src/odd#name?.ts': 'export const a = 1;\n',
      'src/with space.ts': 'export const a = 1;\n',
      'src/ünï.ts': 'export const a = 1;\n',
      'assets/logo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 3]),
      'src/vendor.min.js': 'var a=1;\n',
      'src/generated.js': `var a = [${'1,'.repeat(2000)}1];\n`,
    },
    (dir) => {
      symlinkSync('client.ts', join(dir, 'src/link.ts'));
    },
  );
  const head = commitTree(
    repo,
    {
      ...shared,
      'src/evil.ts': `${harm}\nexport const x = 2;\n`,
      'src/client.ts': CLIENT_HEAD,
      'src/crlf.ts': CLIENT_HEAD.replace(/\n/g, '\r\n').replace('createClient', 'createCrlfClient'),
      'src/lone-cr.ts': `// a\rb\u2028c\u2029\n${CLIENT_HEAD.replace('createClient', 'createCrClient')}`,
      'src/bom.ts': `\uFEFF${CLIENT_HEAD.replace('createClient', 'createBomClient')}`,
      'src/deep.ts': `${deep}// changed\n`,
      'src/backtrack.ts': `${'f(async (c, '.repeat(30)}\n`,
      'src/latin1.ts': Buffer.from([...Buffer.from('export const name = "caf'), 0xe9, ...Buffer.from('!";\n')]),
      'src/latin1-client.ts': latin1(CLIENT_HEAD.replace('createClient', 'createLatinClient')),
      'src/blob.js': new Uint8Array([0x76, 0x61, 0x72, 0, 0, 0x02, 0x0a]),
      'src/new\nline #1?.ts': CLIENT_HEAD.replace('createClient', 'createOddClient'),
      'src/odd#name?.ts': 'export const a = 2;\n',
      'src/with space.ts': 'export const a = 2;\n',
      'src/ünï.ts': 'export const a = 2;\n',
      'assets/logo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1, 2, 4]),
      'src/vendor.min.js': 'var a=2;\n',
      'src/generated.js': `var a = [${'2,'.repeat(2000)}2];\n`,
    },
    (dir) => {
      symlinkSync('evil.ts', join(dir, 'src/link.ts'));
    },
    'vendor/sub',
  );
  return { repo, base, head };
}

describe('a hostile pull request, through the CLI bundle', () => {
  it('judges what it can, skips the rest with reasons, and runs none of the PR code', () => {
    const { repo, base, head } = hostileRepo();
    const run = runCli(bundle, ['analyze', '--repo', repo.dir, '--base', base, '--head', head, '--format', 'json']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    const removed = report.findings
      .filter((f) => f.rule === 'removed-timeout')
      .map((f) => [f.file, f.line])
      .sort();
    // Lines as git counts them: the CRLF file's line 4, the lone-CR file's line 5 (its first line holds CR, U+2028, U+2029).
    // A Latin-1 file is read (its first line, the comment, holds the invalid byte); a name with a newline,
    // a space, # and ? is read by object id and reported under its own name.
    expect(removed).toEqual([
      ['src/bom.ts', 4],
      ['src/client.ts', 4],
      ['src/crlf.ts', 4],
      ['src/latin1-client.ts', 5],
      ['src/lone-cr.ts', 5],
      ['src/new\nline #1?.ts', 4],
    ]);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.file, s.reason]));
    expect(reasons).toMatchObject({
      'src/deep.ts': expect.stringMatching(/nested too deeply/),
      'src/backtrack.ts': expect.stringMatching(/bounded time/),
      'assets/logo.png': expect.stringMatching(/binary|not a JavaScript/),
      'src/vendor.min.js': 'minified file',
      'src/generated.js': expect.stringMatching(/minified or generated/),
      'src/blob.js': 'binary file',
      'src/link.ts': 'symbolic link',
      'vendor/sub': 'submodule',
    });
    expect(Object.keys(reasons).filter((file) => /latin1|odd|space|ünï|new\nline/.test(file))).toEqual([]);
    expect(report.notes).toContainEqual(expect.stringMatching(/jest\.testMatch holds an unusable glob ""/));
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses an empty glob in the base commit configuration, naming its key (exit 2)', () => {
    const repo = createRepo();
    cleanups.push(() => repo.cleanup());
    const base = commitTree(repo, { '.github/guardrail-gate.yml': 'exclude:\n  - ""\n', 'src/client.ts': CLIENT_BASE });
    const head = commitTree(repo, { '.github/guardrail-gate.yml': 'exclude:\n  - ""\n', 'src/client.ts': CLIENT_HEAD });
    const run = runCli(bundle, ['analyze', '--repo', repo.dir, '--base', base, '--head', head, '--format', 'json']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/exclude\.0: an empty glob/);
    expect(run.stderr).not.toMatch(/internal error|picomatch/i);
  });

  it('stops at max-files with a partial report that says so', () => {
    const repo = createRepo();
    cleanups.push(() => repo.cleanup());
    const files = (text: string): FileMap => ({
      '.github/guardrail-gate.yml': 'max-files: 2\n',
      'src/a.ts': text,
      'src/b.ts': text,
      'src/c.ts': text,
    });
    const base = commitTree(repo, files(CLIENT_BASE));
    const head = commitTree(repo, files(CLIENT_HEAD));
    const run = runCli(bundle, ['analyze', '--repo', repo.dir, '--base', base, '--head', head, '--format', 'json']);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings.map((f) => f.file).sort()).toEqual(['src/a.ts', 'src/b.ts']);
    expect(report.skipped).toEqual([{ file: 'src/c.ts', reason: expect.stringMatching(/max-files cap/) }]);
    expect(report.notes).toContainEqual(expect.stringMatching(/changes 3 source files; the first 2 \(max-files\) were analyzed/));
  });

  it('analyzes a shallow clone and says its history is partial', () => {
    const { repo, head } = hostileRepo();
    const clone = mkdtempSync(join(tmpdir(), 'gg-shallow-'));
    cleanups.push(() => rmSync(clone, { recursive: true, force: true }));
    execFileSync('git', ['clone', '-q', '--depth', '2', `file://${repo.dir}`, clone], { stdio: 'ignore' });
    const run = runCli(bundle, ['analyze', '--repo', clone, '--base', 'HEAD~1', '--head', head, '--format', 'json']);
    expect(run.stderr).not.toMatch(/internal error/);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings.map((f) => f.file)).toContain('src/client.ts');
    expect(report.notes).toContainEqual(expect.stringMatching(/shallow clone/));
    expect(existsSync(marker)).toBe(false);
  });
});
