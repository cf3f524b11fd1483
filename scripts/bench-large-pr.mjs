#!/usr/bin/env node
// A pull request of many changed files, generated: how long `analyze` takes and how much memory it needs.
//   node scripts/bench-large-pr.mjs [--files 10000] [--max-files N]
// Builds the CLI bundle into a temp folder, makes a git repository whose head commit changes every one of
// --files TypeScript files (a few of them remove a timeout), and runs `analyze --format json` once under
// /usr/bin/time. Prints wall seconds, peak RSS, and what the report says (files analyzed, skipped, notes).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const flag = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const FILES = flag('files', 10_000);
const MAX_FILES = flag('max-files', undefined);

const work = mkdtempSync(join(tmpdir(), 'gg-large-pr-'));
const dist = join(work, 'dist');
execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--outdir', dist, '--only', 'cli'], { stdio: 'inherit' });

const repo = join(work, 'repo');
mkdirSync(repo);
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@example.com',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (...args) =>
  execFileSync('git', args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 })
    .toString()
    .trim();
git('init', '-q', '-b', 'main');

const source = (i, timeout) => `import axios from 'axios';
import { helper${(i + 1) % FILES} } from './m${(i + 1) % FILES}';

export function helper${i}(url: string) {
  return axios.get(url, { ${timeout ? 'timeout: 5000, ' : ''}headers: { 'x-id': '${i}' } });
}

export async function run${i}(items: string[]) {
  for (const item of items) await helper${(i + 1) % FILES}(item);
}
`;
const writeAll = (side) => {
  for (let i = 0; i < FILES; i++) {
    const dir = join(repo, 'src', `d${Math.floor(i / 100)}`);
    mkdirSync(dir, { recursive: true });
    // Every file changes; one in a hundred loses its timeout.
    writeFileSync(join(dir, `m${i}.ts`), side === 'base' ? source(i, true) : source(i, i % 100 !== 0) + `// touched\n`);
  }
};
writeAll('base');
if (MAX_FILES !== undefined) {
  mkdirSync(join(repo, '.github'), { recursive: true });
  writeFileSync(join(repo, '.github/guardrail-gate.yml'), `max-files: ${MAX_FILES}\n`);
}
git('add', '-A');
git('commit', '-q', '-m', 'base');
const base = git('rev-parse', 'HEAD');
writeAll('head');
git('add', '-A');
git('commit', '-q', '-m', 'head');
const head = git('rev-parse', 'HEAD');

const run = spawnSync(
  '/usr/bin/time',
  [
    '-f',
    '%e %M',
    process.execPath,
    join(dist, 'cli.js'),
    'analyze',
    '--repo',
    repo,
    '--base',
    base,
    '--head',
    head,
    '--format',
    'json',
    '--fail-on',
    'none',
  ],
  {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  },
);
const [wall, rssKb] = run.stderr.trim().split('\n').pop().split(' ').map(Number);
let summary = `exit ${run.status}`;
try {
  const report = JSON.parse(run.stdout);
  summary += `, ${report.stats.filesChanged} changed, ${report.stats.filesAnalyzed} analyzed, ${report.skipped.length} skipped, ${report.findings.length} findings; notes: ${report.notes.join(' | ').slice(0, 400)}`;
} catch {
  summary += `, no JSON report: ${run.stderr.slice(0, 400)}`;
}
console.log(
  `large PR of ${FILES} changed files${MAX_FILES ? ` (max-files ${MAX_FILES})` : ''}: ${wall} s wall, ${Math.round(rssKb / 1024)} MiB peak RSS; ${summary}`,
);
rmSync(work, { recursive: true, force: true });
