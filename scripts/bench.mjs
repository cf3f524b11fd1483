#!/usr/bin/env node
// npm run bench: guardrail-gate's import graph + affected tests against the tools a user would otherwise
// run (jest --listTests --findRelatedTests, vitest related, dependency-cruiser, madge), on real
// repositories from the mirror folder and on a generated one; then the whole `analyze` on a large PR.
//
//   node scripts/bench.mjs [--repos medusa,formbricks,outline] [--runs 3] [--mirrors DIR] [--no-peers]
//                          [--no-generated] [--no-analyze] [--no-noncode] [--only-noncode] [--json FILE]
//                          [--noncode-against DIR] [--noncode-keep DIR] [--instructions]
//                          [--noncode-prs SHA,...]
//
// --noncode-against DIR also times the with/without bundles kept in DIR by an earlier --noncode-keep DIR (a
// frozen copy of another commit's), alternated with the current ones, so a change is measured against the
// code before it on the same loaded machine in the same run.
//
// --instructions also runs each non-code bundle once per PR under valgrind's callgrind
// (`valgrind --tool=callgrind --trace-children=yes`, which must be installed) and reports the instructions
// executed by the analyze and every git process it starts, with vs without the analyzers: a count that does
// not depend on what else the machine runs, where wall and CPU time on a shared machine move by 10% or more.
// Node runs there with `--single-threaded --predictable-gc-schedule`: the same work, but GC and compilation
// on the main thread and GC at fixed heap sizes. With them two runs of one bundle on one PR differed by 0.3%
// (knex 9101f8, 7.454 and 7.433 G); without them by 7% (7.27 and 7.80 G: concurrent marking and sweeping ran
// as often as the scheduling of the moment made them; git's counts were equal to the instruction). `--jitless`
// cannot be used: it takes WebAssembly away, which the import lexer and the SQL parser need. Node runs ~50x
// slower under callgrind: about 2-5 minutes per run, 6 runs. With --runs 0 only the instructions are measured;
// --noncode-prs picks the PRs by the start of their commit (`--noncode-prs 9101f8,3ffd08`).
//
// Every command is timed as a whole process under /usr/bin/time (Node start-up included): median wall of
// --runs runs after one warm-up for guardrail-gate and jest; one cold run for the slow peers
// (dependency-cruiser, madge, vitest), as in shared/research/perf-baselines.md. Peak RSS is the largest
// single process. Peers are installed in bench/peers/ (their own package.json and lockfile: their
// TypeScript and vite pins clash with the root's); `npm ci --prefix bench/peers` is run when missing.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  // The usage is the comment at the top of this file; an unknown flag would otherwise start a full run.
  const lines = readFileSync(new URL(import.meta.url), 'utf8')
    .split('\n')
    .slice(1); // after the #! line
  const header = lines.slice(
    0,
    lines.findIndex((line) => !line.startsWith('//')),
  );
  console.log(header.map((line) => line.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const has = (name) => args.includes(name);
const MIRRORS = resolve(flag('--mirrors', join(ROOT, '../.mirror')));
const RUNS = Number(flag('--runs', '3'));
const PEERS = join(ROOT, 'bench/peers');
const WORK = join(ROOT, '.bench');
mkdirSync(WORK, { recursive: true });

/**
 * The repositories. `range` picks the change: a real commit (`commit`) or the last commit at or below
 * HEAD whose source change is between minFiles and maxFiles files.
 */
const REPOS = {
  medusa: { mirror: 'medusajs+medusa', runner: 'jest', minFiles: 3, maxFiles: 40 },
  formbricks: { mirror: 'formbricks+formbricks', runner: 'vitest', minFiles: 3, maxFiles: 40 },
  outline: { mirror: 'outline+outline', runner: 'vitest', minFiles: 3, maxFiles: 40 },
};
const selected = flag('--repos', 'medusa,formbricks').split(',').filter(Boolean);
const results = [];

const nodeBin = existsSync(join(ROOT, 'node_modules/.bin/node')) ? join(ROOT, 'node_modules/.bin/node') : process.execPath;
const SOURCE_RE = /\.(?:[cm]?[jt]sx?)$/;
const TEST_RE = /(?:\.(?:test|spec)\.[cm]?[jt]sx?$|__tests__\/)/;

function log(message) {
  process.stderr.write(`${message}\n`);
}

function git(gitDir, ...a) {
  return execFileSync('git', ['--git-dir', gitDir, ...a], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Runs a command under /usr/bin/time; returns wall ms, peak RSS MiB, status, stdout. */
function timed(command, commandArgs, options = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M %U %S', command, ...commandArgs], {
    encoding: 'utf8',
    maxBuffer: 512 << 20,
    timeout: options.timeout ?? 600_000,
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', ...options.env },
  });
  const line = (r.stderr ?? '')
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('__TIME__'));
  const [, seconds, kb, user, sys] = line ? line.split(' ') : [];
  return {
    ms: seconds ? Math.round(Number(seconds) * 1000) : NaN,
    cpuMs: user ? Math.round((Number(user) + Number(sys)) * 1000) : NaN,
    rssMiB: kb ? Math.round(Number(kb) / 1024) : NaN,
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: (r.stderr ?? '')
      .split('\n')
      .filter((l) => !l.startsWith('__TIME__'))
      .join('\n'),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Times `runs` runs after `warmups` warm-ups; returns the median run (with its output). */
function measure(command, commandArgs, options = {}, runs = RUNS, warmups = 1) {
  for (let i = 0; i < warmups; i++) timed(command, commandArgs, options);
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(timed(command, commandArgs, options));
  const ms = median(samples.map((s) => s.ms));
  const chosen = samples.find((s) => s.ms === ms) ?? samples[0];
  return { ...chosen, rssMiB: Math.max(...samples.map((s) => s.rssMiB)), samples: samples.map((s) => s.ms) };
}

function ensurePeers() {
  if (existsSync(join(PEERS, 'node_modules/jest/bin/jest.js'))) return true;
  log('installing bench peers (npm ci --prefix bench/peers) ...');
  const r = spawnSync('npm', ['ci', '--prefix', PEERS, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  return r.status === 0;
}

function buildOurs() {
  const out = join(WORK, 'gg-affected.mjs');
  execFileSync(join(ROOT, 'node_modules/.bin/esbuild'), [
    join(ROOT, 'bench/affected-entry.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--log-level=error',
    `--outfile=${out}`,
    "--banner:js=import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);",
  ]);
  return out;
}

/** The last commit at or below HEAD whose source change (not tests) has minFiles..maxFiles files. */
function pickChange(gitDir, spec) {
  const shas = git(gitDir, 'rev-list', '--no-merges', '--max-count=200', 'HEAD').split('\n');
  for (const sha of shas) {
    let names;
    try {
      names = git(gitDir, 'diff', '--name-only', '--diff-filter=AMR', `${sha}^`, sha).split('\n').filter(Boolean);
    } catch {
      continue;
    }
    const sources = names.filter((n) => SOURCE_RE.test(n) && !n.endsWith('.d.ts') && !n.includes('node_modules/'));
    const nonTest = sources.filter((n) => !TEST_RE.test(n));
    if (nonTest.length >= spec.minFiles && sources.length <= spec.maxFiles)
      return { sha, files: sources, subject: git(gitDir, 'log', '-1', '--format=%s', sha) };
  }
  return undefined;
}

// A sparse clone sharing the mirror's objects, holding code and config only (some mirrors lack large
// docs/media blobs: those paths are left out), as the corpus evaluator does.
const SPARSE = ['*.ts', '*.tsx', '*.mts', '*.cts', '*.js', '*.jsx', '*.mjs', '*.cjs', '*.json', '*.yml', '*.yaml', '!node_modules/'];
function checkout(gitDir, sha) {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-'));
  execFileSync('git', ['clone', '-q', '--shared', '--no-checkout', gitDir, dir], { stdio: 'ignore' });
  const missing = [];
  for (let attempt = 0; attempt < 6; attempt++) {
    spawnSync('git', ['sparse-checkout', 'set', '--no-cone', ...SPARSE, ...missing.map((p) => `!/${p}`)], { cwd: dir });
    const r = spawnSync('git', ['checkout', '-q', '-f', '--detach', sha], { cwd: dir, encoding: 'utf8' });
    if (r.status === 0) return dir;
    const lost = [...r.stderr.matchAll(/unable to read sha1 file of (.+?) \(|invalid object \d+ [0-9a-f]+ for '(.+?)'/g)].map(
      (m) => m[1] ?? m[2],
    );
    if (!lost.length) throw new Error(r.stderr.trim().split('\n').pop());
    missing.push(...lost);
  }
  throw new Error(`cannot check out ${sha}`);
}

/** Workspace packages and root tsconfig paths, as aliases the minimal peer configs can use. */
function aliasesOf(dir) {
  const aliases = [];
  const packageJsons = execFileSync('git', ['ls-files', '*package.json'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n')
    .filter((p) => p && !p.includes('node_modules/') && !/(?:^|\/)(?:fixtures?|__fixtures__|examples?|templates?)\//.test(p));
  for (const path of packageJsons) {
    let json;
    try {
      json = JSON.parse(readFileSync(join(dir, path), 'utf8'));
    } catch {
      continue;
    }
    if (typeof json.name !== 'string') continue;
    const pkgDir = dirname(path) === '.' ? '' : dirname(path);
    const candidates = [
      'src/index.ts',
      'src/index.tsx',
      'src/index.js',
      'index.ts',
      'index.js',
      typeof json.main === 'string' ? json.main : '',
    ].filter(Boolean);
    const entry = candidates.find((c) => existsSync(join(dir, pkgDir, c)));
    const srcDir = existsSync(join(dir, pkgDir, 'src')) ? join(pkgDir, 'src') : pkgDir;
    // What `npm install` does for workspaces: link each package under node_modules (without it vite
    // cannot even load a tsconfig that extends a workspace package).
    const link = join(dir, 'node_modules', json.name);
    if (pkgDir && !existsSync(link)) {
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(dir, pkgDir), link, 'dir');
    }
    aliases.push({ find: json.name, exact: true, replacement: entry ? join(pkgDir, entry) : pkgDir });
    aliases.push({ find: `${json.name}/`, exact: false, replacement: `${srcDir}/` });
  }
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    let json;
    try {
      json = JSON.parse(
        readFileSync(join(dir, name), 'utf8')
          .replace(/\/\/.*$/gm, '')
          .replace(/,(\s*[}\]])/g, '$1'),
      );
    } catch {
      continue;
    }
    const baseUrl = json.compilerOptions?.baseUrl ?? '.';
    for (const [pattern, targets] of Object.entries(json.compilerOptions?.paths ?? {})) {
      const target = targets[0];
      if (!target) continue;
      if (pattern.endsWith('/*') && target.endsWith('/*') && !target.slice(0, -1).includes('*'))
        aliases.push({ find: pattern.slice(0, -1), exact: false, replacement: join(baseUrl, target.slice(0, -1)) + '/', tsconfig: true });
      else if (!pattern.includes('*')) aliases.push({ find: pattern, exact: true, replacement: join(baseUrl, target), tsconfig: true });
    }
  }
  return aliases;
}

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function writePeerConfigs(dir) {
  const aliases = aliasesOf(dir);
  // TypeScript ESM code imports './x.js' for x.ts; jest needs the usual mapper for that (ts-jest's recipe).
  const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
  for (const a of aliases)
    moduleNameMapper[a.exact ? `^${escapeRegex(a.find)}$` : `^${escapeRegex(a.find)}(.*)$`] = a.exact
      ? `<rootDir>/${a.replacement}`
      : `<rootDir>/${a.replacement}$1`;
  const jestConfig = {
    rootDir: dir,
    watchman: false,
    moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'mts', 'cts', 'json'],
    moduleNameMapper,
    testPathIgnorePatterns: ['/node_modules/'],
    haste: { throwOnModuleCollision: false },
    modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  };
  writeFileSync(join(dir, 'gg-bench.jest.config.json'), JSON.stringify(jestConfig, null, 1));
  // vite reads every tsconfig's paths itself (resolve.tsconfigPaths, per directory); it gets only the
  // workspace aliases.
  const alias = aliases
    .filter((a) => !a.tsconfig)
    .map((a) => ({
      find: a.exact ? new RegExp(`^${escapeRegex(a.find)}$`) : new RegExp(`^${escapeRegex(a.find)}`),
      replacement: join(dir, a.replacement) + (a.exact ? '' : '/'),
    }));
  const vitestConfig = `// Minimal config written by guardrail-gate's bench: the repository's aliases, no plugins or transforms.
export default {
  root: ${JSON.stringify(dir)},
  oxc: { jsx: { runtime: 'automatic' } },
  resolve: { tsconfigPaths: true, alias: [${alias.map((a) => `{ find: ${a.find.toString()}, replacement: ${JSON.stringify(a.replacement.replace(/\/\/$/, '/'))} }`).join(', ')}] },
  test: { include: ['**/*.{test,spec}.?(c|m)[jt]s?(x)', '**/__tests__/**/*.?(c|m)[jt]s?(x)'], exclude: ['**/node_modules/**', '**/dist/**'], forceRerunTriggers: [], passWithNoTests: true },
};
`;
  writeFileSync(join(dir, 'gg-bench.vitest.config.mjs'), vitestConfig);
  return { aliases: aliases.length };
}

function relativeTests(lines, dir) {
  return [
    ...new Set(
      lines
        .map((l) => l.trim())
        .filter((l) => l.startsWith(dir + '/'))
        .map((l) => l.slice(dir.length + 1)),
    ),
  ].sort();
}

function benchRepo(name, spec, runPeers) {
  const gitDir = join(MIRRORS, spec.mirror, 'repo');
  if (!existsSync(gitDir)) {
    log(`SKIP ${name}: no mirror at ${gitDir}`);
    results.push({ repo: name, skipped: `no mirror at ${gitDir}` });
    return;
  }
  const change = pickChange(gitDir, spec);
  if (!change) {
    log(`SKIP ${name}: no commit with a suitable change`);
    return;
  }
  const head = git(gitDir, 'rev-parse', 'HEAD');
  const sourceCount = git(gitDir, 'ls-tree', '-r', '--name-only', head)
    .split('\n')
    .filter((p) => SOURCE_RE.test(p) && !p.includes('node_modules/')).length;
  log(
    `\n== ${name}: ${sourceCount} source files at ${head.slice(0, 10)}; change ${change.sha.slice(0, 10)} "${change.subject}" (${change.files.length} files)`,
  );
  // The changed files as they are at HEAD (the graph is of HEAD; files deleted since are dropped).
  const atHead = new Set(git(gitDir, 'ls-tree', '-r', '--name-only', head).split('\n'));
  const changed = change.files.filter((f) => atHead.has(f));
  const rows = [];
  const ours = measure(nodeBin, [join(WORK, 'gg-affected.mjs'), gitDir, head, ...changed]);
  const oursOut = JSON.parse(ours.stdout.trim().split('\n').pop());
  rows.push({
    tool: 'guardrail-gate (graph + affected tests)',
    ms: ours.ms,
    rssMiB: ours.rssMiB,
    tests: oursOut.affected.length,
    note: `${oursOut.files} files, ${oursOut.edges} edges; graph ${oursOut.phases.graphMs} / affected tests ${oursOut.phases.impactMs} ms`,
  });
  const repoResult = {
    repo: name,
    head,
    sourceFiles: sourceCount,
    change: { sha: change.sha, subject: change.subject, files: changed },
    rows,
    ours: oursOut.affected,
  };
  results.push(repoResult);
  if (!runPeers) return printRows(name, rows);

  let dir;
  try {
    dir = checkout(gitDir, head);
  } catch (error) {
    log(`peers skipped on ${name}: could not check out (${error.message})`);
    return printRows(name, rows);
  }
  try {
    const { aliases } = writePeerConfigs(dir);
    const abs = changed.map((f) => join(dir, f));
    const tsconfig = existsSync(join(dir, 'tsconfig.json')) ? ['--ts-config', 'tsconfig.json'] : [];
    // jest: its own cache directory, warmed by the warm-up run (jest's best case).
    const jest = measure(
      nodeBin,
      [
        join(PEERS, 'node_modules/jest/bin/jest.js'),
        '--config',
        join(dir, 'gg-bench.jest.config.json'),
        '--listTests',
        '--cacheDirectory',
        join(dir, '.jest-cache-' + Math.random().toString(36).slice(2)),
        '--findRelatedTests',
        ...abs,
      ],
      { cwd: dir },
    );
    rows.push(
      peerRow(
        'jest --listTests --findRelatedTests',
        jest,
        () => relativeTests(jest.stdout.split('\n'), dir),
        `minimal config: ${aliases} aliases from workspace packages and tsconfig paths; haste cache warm`,
      ),
    );
    const vitest = timed(nodeBin, [join(PEERS, 'vitest-related.mjs'), join(dir, 'gg-bench.vitest.config.mjs'), ...changed], {
      cwd: dir,
      timeout: 900_000,
    });
    const vitestTests = relativeTests(vitest.stdout.split('\n'), dir);
    rows.push(
      peerRow(
        'vitest related (selection only)',
        vitest,
        () => vitestTests,
        'minimal config: workspace aliases, resolve.tsconfigPaths, no plugins',
      ),
    );
    repoResult.vitest = vitest.status === 0 ? vitestTests : undefined;
    const depcruise = timed(
      nodeBin,
      [
        join(PEERS, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
        '--no-config',
        '-T',
        'json',
        '-f',
        join(dir, '.depcruise.json'),
        '--ts-pre-compilation-deps',
        ...tsconfig,
        '-x',
        'node_modules',
        '.',
      ],
      { cwd: dir, timeout: 900_000 },
    );
    rows.push(peerRow('dependency-cruiser (whole graph)', depcruise, undefined, tsconfig.length ? 'with --ts-config tsconfig.json' : ''));
    const madge = timed(
      nodeBin,
      [join(PEERS, 'node_modules/madge/bin/cli.js'), '--json', '--extensions', 'ts,tsx,js,jsx,mjs,cjs', ...tsconfig, '.'],
      { cwd: dir, timeout: 900_000 },
    );
    rows.push(peerRow('madge (whole graph)', madge, undefined, tsconfig.length ? 'with --ts-config tsconfig.json' : ''));
    if (repoResult.vitest) repoResult.agreement = agreement(oursOut.affected, repoResult.vitest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printRows(name, rows);
  if (repoResult.agreement) printAgreement(name, repoResult.agreement);
}

function peerRow(tool, run, tests, note) {
  const failed = run.status !== 0;
  let found;
  try {
    found = tests?.();
  } catch {
    found = undefined;
  }
  return {
    tool,
    ms: run.ms,
    rssMiB: run.rssMiB,
    tests: found?.length,
    failed: failed ? `exit ${run.status}: ${run.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 200)}` : undefined,
    note,
  };
}

function agreement(ours, theirs) {
  const a = new Set(ours);
  const b = new Set(theirs);
  const both = [...a].filter((t) => b.has(t));
  const union = new Set([...a, ...b]);
  return {
    ours: a.size,
    vitest: b.size,
    both: both.length,
    union: union.size,
    jaccard: union.size ? both.length / union.size : 1,
    onlyOurs: [...a].filter((t) => !b.has(t)),
    onlyVitest: [...b].filter((t) => !a.has(t)),
  };
}

function printAgreement(name, ag) {
  console.log(
    `agreement with vitest related on ${name}: ${ag.both} common / ${ag.union} in either = ${(ag.jaccard * 100).toFixed(1)}% (ours ${ag.ours}, vitest ${ag.vitest})`,
  );
  if (ag.onlyOurs.length)
    console.log(
      `  only guardrail-gate (${ag.onlyOurs.length}): ${ag.onlyOurs.slice(0, 8).join(', ')}${ag.onlyOurs.length > 8 ? ', ...' : ''}`,
    );
  if (ag.onlyVitest.length)
    console.log(
      `  only vitest (${ag.onlyVitest.length}): ${ag.onlyVitest.slice(0, 8).join(', ')}${ag.onlyVitest.length > 8 ? ', ...' : ''}`,
    );
}

function printRows(name, rows) {
  const oursMs = rows[0].ms;
  console.log(`\n${name}`);
  console.log('| tool | wall ms | peak RSS MiB | ratio (tool / guardrail-gate) | tests found | note |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const ratio = row === rows[0] ? '1.0x' : `${(row.ms / oursMs).toFixed(1)}x`;
    console.log(
      `| ${row.tool} | ${row.ms} | ${row.rssMiB} | ${ratio} | ${row.tests ?? '—'} | ${row.failed ? `FAILED ${row.failed}` : (row.note ?? '')} |`,
    );
  }
}

/** A generated monorepo: packages with barrels, tsx components, tests, path aliases; committed to git. */
function generatedRepo(files = 8000) {
  const dir = mkdtempSync(join(tmpdir(), 'gg-gen-'));
  const packages = 40;
  const perPackage = Math.floor(files / packages);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'gen', private: true, workspaces: ['packages/*'] }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@gen/*': ['packages/*/src'] } } }));
  for (let p = 0; p < packages; p++) {
    const pkg = join(dir, 'packages', `p${p}`);
    mkdirSync(join(pkg, 'src'), { recursive: true });
    mkdirSync(join(pkg, 'test'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: `@gen/p${p}`, exports: { '.': './dist/index.js' } }));
    const exportsOf = [];
    for (let f = 0; f < perPackage - 2; f++) {
      const isTest = f % 10 === 9;
      const tsx = f % 4 === 1;
      const deps = [
        f > 0 ? `import { f${p}_${f - 1} } from './m${f - 1}.js';` : '',
        p > 0 && f % 7 === 0 ? `import { f${p - 1}_0 } from '@gen/p${p - 1}';` : '',
      ]
        .filter(Boolean)
        .join('\n');
      if (isTest) {
        writeFileSync(
          join(pkg, 'test', `m${f}.test.ts`),
          `import { describe, it, expect } from 'vitest';\nimport { f${p}_${f - 1} } from '../src/index.js';\ndescribe('m', () => it('works', () => expect(f${p}_${f - 1}()).toBeTruthy()));\n`,
        );
        continue;
      }
      const body = tsx
        ? `${deps}\nexport function f${p}_${f}() {\n  return <div className="x">{String(${f > 0 ? `f${p}_${f - 1}()` : 1})}{${p > 0 && f % 7 === 0 ? `f${p - 1}_0()` : 0}}</div>;\n}\n`
        : `${deps}\nexport function f${p}_${f}(): number {\n  return ${f > 0 ? `f${p}_${f - 1}() + 1` : 1}${p > 0 && f % 7 === 0 ? ` + f${p - 1}_0()` : ''};\n}\n`;
      writeFileSync(join(pkg, 'src', `m${f}.${tsx ? 'tsx' : 'ts'}`), body);
      exportsOf.push(`export * from './m${f}.js';`);
    }
    writeFileSync(join(pkg, 'src', 'index.ts'), exportsOf.join('\n') + '\n');
  }
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'b@example.com',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'b@example.com',
  };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-q', '-m', 'generated'], { cwd: dir, env });
  return dir;
}

function benchGenerated(runPeers) {
  const dir = generatedRepo();
  try {
    const changed = ['packages/p20/src/m3.ts', 'packages/p5/src/m0.ts'];
    const sourceCount = execFileSync('git', ['ls-files'], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter((p) => SOURCE_RE.test(p)).length;
    log(`\n== generated: ${sourceCount} source files`);
    const ours = measure(nodeBin, [join(WORK, 'gg-affected.mjs'), join(dir, '.git'), 'HEAD', ...changed]);
    const out = JSON.parse(ours.stdout.trim().split('\n').pop());
    const rows = [
      {
        tool: 'guardrail-gate (graph + affected tests)',
        ms: ours.ms,
        rssMiB: ours.rssMiB,
        tests: out.affected.length,
        note: `${out.files} files, ${out.edges} edges`,
      },
    ];
    if (runPeers) {
      writePeerConfigs(dir);
      const jest = measure(
        nodeBin,
        [
          join(PEERS, 'node_modules/jest/bin/jest.js'),
          '--config',
          join(dir, 'gg-bench.jest.config.json'),
          '--listTests',
          '--cacheDirectory',
          join(dir, '.jest-cache'),
          '--findRelatedTests',
          ...changed.map((f) => join(dir, f)),
        ],
        { cwd: dir },
      );
      rows.push(
        peerRow(
          'jest --listTests --findRelatedTests',
          jest,
          () => relativeTests(jest.stdout.split('\n'), dir),
          'warm haste cache after the first run',
        ),
      );
      const vitest = timed(nodeBin, [join(PEERS, 'vitest-related.mjs'), join(dir, 'gg-bench.vitest.config.mjs'), ...changed], {
        cwd: dir,
        timeout: 900_000,
      });
      const vitestTests = relativeTests(vitest.stdout.split('\n'), dir);
      rows.push(peerRow('vitest related (selection only)', vitest, () => vitestTests, ''));
      if (vitest.status === 0) printAgreement('generated', agreement(out.affected, vitestTests));
    }
    printRows('generated', rows);
    results.push({ repo: 'generated', sourceFiles: sourceCount, rows });
  } finally {
    if (has('--keep')) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Issue 2's bench: the whole `analyze` on the largest corpus PR (by changed lines) and on a 200-file PR. */
function benchAnalyze() {
  // The bundle of the current sources, built as `npm run build` does but into .bench/dist (dist/ is the
  // committed artifact and is left alone); the committed dist/cli.js when the build fails.
  let cli = join(WORK, 'dist/cli.js');
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--outdir', join(WORK, 'dist'), '--only', 'cli'], {
    stdio: 'ignore',
  });
  if (built.status !== 0 || !existsSync(cli)) cli = join(ROOT, 'dist/cli.js');
  if (!existsSync(cli)) {
    console.log('\nanalyze: skipped (no bundle: run npm run build)');
    return;
  }
  const corpusFile = join(ROOT, '../shared/corpus/real-dev.json');
  const rows = [];
  if (existsSync(corpusFile)) {
    let largest;
    for (const c of JSON.parse(readFileSync(corpusFile, 'utf8'))) {
      const gitDir = join(MIRRORS, c.repo.replace('/', '+'), 'repo');
      if (!existsSync(gitDir)) continue;
      let lines = 0;
      try {
        for (const l of git(gitDir, 'diff', '--numstat', `${c.commit}^`, c.commit).split('\n')) {
          const [a, d] = l.split('\t');
          lines += (Number(a) || 0) + (Number(d) || 0);
        }
      } catch {
        continue;
      }
      if (!largest || lines > largest.lines) largest = { c, lines, gitDir };
    }
    if (largest) {
      const { c, gitDir } = largest;
      // Replayed as evaluate.mjs does: a positive case's head restores the parent's tree on top of the commit.
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: 'Eval',
        GIT_AUTHOR_EMAIL: 'eval@example.com',
        GIT_COMMITTER_NAME: 'Eval',
        GIT_COMMITTER_EMAIL: 'eval@example.com',
      };
      let base = `${c.commit}^`;
      let head = c.commit;
      if (c.kind === 'positive') {
        const tree = git(gitDir, 'rev-parse', `${c.commit}^^{tree}`);
        base = c.commit;
        head = execFileSync('git', ['--git-dir', gitDir, 'commit-tree', tree, '-p', c.commit, '-m', 'Simplify implementation'], {
          encoding: 'utf8',
          env,
        }).trim();
      }
      const dir = checkout(gitDir, head);
      try {
        const run = measure(
          nodeBin,
          [cli, 'analyze', '--repo', dir, '--base', base, '--head', head, '--format', 'json', '--fail-on', 'none'],
          {},
          RUNS,
          1,
        );
        rows.push({
          tool: `analyze, largest corpus PR ${c.id} (${largest.lines} changed lines)`,
          ms: run.ms,
          rssMiB: run.rssMiB,
          note: summarizeAnalyze(run),
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  // A generated PR of 200 changed files on the generated monorepo.
  const dir = generatedRepo(4000);
  try {
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'b@example.com',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'b@example.com',
    };
    const files = execFileSync('git', ['ls-files', '*.ts'], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\/src\/m\d+\.ts$/.test(f))
      .slice(0, 200);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      writeFileSync(
        join(dir, f),
        text.replace(/\+ 1;/, '+ 2;').replace(/return 1;/, 'return 2;') +
          `\nexport async function fetchWithTimeout(url: string) {\n  return fetch(url);\n}\n`,
      );
    }
    execFileSync('git', ['commit', '-qam', 'change 200 files'], { cwd: dir, env });
    const run = measure(
      nodeBin,
      [cli, 'analyze', '--repo', dir, '--base', 'HEAD~1', '--head', 'HEAD', '--format', 'json', '--fail-on', 'none'],
      {},
      RUNS,
      1,
    );
    rows.push({
      tool: 'analyze, generated PR of 200 changed files (4k-file repo)',
      ms: run.ms,
      rssMiB: run.rssMiB,
      note: summarizeAnalyze(run),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nwhole analyze (node dist/cli.js analyze --format json)');
  console.log('| run | wall ms | peak RSS MiB | note |');
  console.log('|---|---:|---:|---|');
  for (const row of rows) console.log(`| ${row.tool} | ${row.ms} | ${row.rssMiB} | ${row.note} |`);
  results.push({ analyze: rows });
}

/**
 * What analyzing a PR's non-code files adds to the whole `analyze`: the bundle of the current sources against
 * the same bundle built without the analyzers of non-code files (src/core/infra/registry.ts replaced by an
 * empty list, so their modules are not even loaded), on the same PRs, run alternately in the same run (the
 * order turning round every run). Wall time and CPU (user + sys of the process and its git children, steadier
 * on a loaded machine) are medians of --runs runs; the pairs columns are the median of each run pair's ratio,
 * with the quartiles of those ratios as their spread. PRs: real commits that touch code and non-code files,
 * and a code-only one that newly reads an environment key (the case that makes env-undeclared search the tree).
 */
async function benchNonCode() {
  const { build } = await import('esbuild');
  const shim = [
    "import { createRequire as __ggCreateRequire } from 'node:module';",
    "import { fileURLToPath as __ggFileURLToPath } from 'node:url';",
    "import { dirname as __ggDirname } from 'node:path';",
    'const require = __ggCreateRequire(import.meta.url);',
    'const __filename = __ggFileURLToPath(import.meta.url);',
    'const __dirname = __ggDirname(__filename);',
  ].join('\n');
  const bundles = {};
  for (const [name, plugins] of [
    ['with', []],
    [
      'without',
      [
        {
          name: 'no-noncode-analyzers',
          setup(b) {
            b.onLoad({ filter: /src[\\/]core[\\/]infra[\\/]registry\.ts$/ }, () => ({
              contents: 'export const ANALYZERS = []; export function analyzerCatalogue() { return []; }',
              loader: 'ts',
            }));
          },
        },
      ],
    ],
  ]) {
    const outdir = join(WORK, `noncode-${name}`);
    mkdirSync(outdir, { recursive: true });
    await build({
      absWorkingDir: ROOT,
      entryPoints: ['src/cli.ts'],
      outfile: join(outdir, 'cli.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: { js: shim },
      legalComments: 'none',
      logLevel: 'error',
      plugins,
    });
    copyFileSync(join(ROOT, 'node_modules/libpg-query/wasm/libpg-query.wasm'), join(outdir, 'libpg-query.wasm'));
    bundles[name] = join(outdir, 'cli.js');
  }
  const keep = flag('--noncode-keep');
  if (keep) {
    for (const name of ['with', 'without']) {
      mkdirSync(join(keep, `noncode-${name}`), { recursive: true });
      for (const file of ['cli.js', 'libpg-query.wasm'])
        copyFileSync(join(WORK, `noncode-${name}`, file), join(keep, `noncode-${name}`, file));
    }
    log(`noncode: bundles kept in ${keep}`);
  }
  const against = flag('--noncode-against');
  if (against) for (const name of ['with', 'without']) bundles[`${name} (against)`] = join(resolve(against), `noncode-${name}`, 'cli.js');
  const variants = against ? ['', ' (against)'] : [''];
  const prs = [
    { repo: 'knex+knex', commit: 'e280fa3691cc4bbbe4fa7cbe32c58239571b956f', what: 'code + package.json, workflows' },
    { repo: 'knex+knex', commit: '9101f8ed4555f0da308744615338d214ed2d94e0', what: 'code + package.json, 5 workflows' },
    { repo: 'outline+outline', commit: '3ffd0886242eaea35ceeb0e89689100b2153c4f6', what: 'code only, a new env key read' },
  ];
  const rows = [];
  const counts = [];
  const picked = flag('--noncode-prs')?.split(',').filter(Boolean);
  for (const pr of prs) {
    if (picked && !picked.some((prefix) => pr.commit.startsWith(prefix))) continue;
    const gitDir = join(MIRRORS, pr.repo, 'repo');
    if (!existsSync(gitDir)) {
      log(`noncode: skipped ${pr.repo} (no mirror)`);
      continue;
    }
    // A clone without a checkout: analyze reads git objects only.
    const dir = mkdtempSync(join(tmpdir(), 'gg-bench-noncode-'));
    try {
      execFileSync('git', ['clone', '-q', '--shared', '--no-checkout', gitDir, dir], { stdio: 'ignore' });
      const args = (cli) => [
        cli,
        'analyze',
        '--repo',
        dir,
        '--base',
        `${pr.commit}^`,
        '--head',
        pr.commit,
        '--format',
        'json',
        '--fail-on',
        'none',
      ];
      if (has('--instructions'))
        for (const [name, cli] of Object.entries(bundles)) {
          log(`noncode: counting instructions of ${name} on ${pr.repo} ${pr.commit.slice(0, 10)} under callgrind ...`);
          counts.push({ pr, name, ...instructionsOf(args(cli)) });
        }
      if (RUNS < 1) continue;
      for (const cli of Object.values(bundles)) timed(nodeBin, args(cli)); // warm-up (page cache, git packs)
      const samples = Object.fromEntries(Object.keys(bundles).map((name) => [name, []]));
      // The order turns round every run, so that neither bundle of a pair always runs first (warmer caches,
      // or a load that builds up over a round, would otherwise favour one side).
      for (let i = 0; i < RUNS; i++) {
        const order = Object.keys(bundles);
        if (i % 2) order.reverse();
        for (const name of order) samples[name].push(timed(nodeBin, args(bundles[name])));
      }
      const pick = (name, key) => median(samples[name].map((s) => s[key]));
      const report = (name) => {
        try {
          const r = JSON.parse(samples[name][0].stdout);
          return `${r.stats.filesChanged} files, ${r.findings.filter((f) => !isCodeRule(f.rule)).length} non-code findings`;
        } catch {
          return `exit ${samples[name][0].status}`;
        }
      };
      for (const variant of variants)
        rows.push({
          pr: `${pr.repo.split('+')[1]} ${pr.commit.slice(0, 10)}${variant} (${pr.what}; ${report(`with${variant}`)})`,
          withMs: pick(`with${variant}`, 'ms'),
          withoutMs: pick(`without${variant}`, 'ms'),
          withCpu: pick(`with${variant}`, 'cpuMs'),
          withoutCpu: pick(`without${variant}`, 'cpuMs'),
          // The overhead of each run pair, whose median is steadier than the ratio of two medians, and their spread.
          pairCpu: median(pairs(samples, variant, 'cpuMs')),
          pairWall: median(pairs(samples, variant, 'ms')),
          spreadCpu: quartiles(pairs(samples, variant, 'cpuMs')),
          spreadWall: quartiles(pairs(samples, variant, 'ms')),
          against: variant !== '',
        });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const pct = (a, b) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;
  const ratio = (r) => `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
  const spread = ([low, high]) => `${ratio(low)}..${ratio(high)}`;
  if (counts.length) printInstructions(counts, variants, pct);
  results.push({ noncodeInstructions: counts.map(({ pr, ...count }) => ({ repo: pr.repo, commit: pr.commit, ...count })) });
  if (RUNS < 1) return;
  console.log(`\nnon-code analyzers: whole analyze with vs without them, same PR, alternated, median of ${RUNS}`);
  console.log(
    '| PR | wall with | wall without | wall added | CPU with | CPU without | CPU added | wall added, pairs: median (quartiles) | CPU added, pairs: median (quartiles) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.pr} | ${r.withMs} | ${r.withoutMs} | ${pct(r.withMs, r.withoutMs)} | ${r.withCpu} | ${r.withoutCpu} | ${pct(r.withCpu, r.withoutCpu)} | ${ratio(r.pairWall)} (${spread(r.spreadWall)}) | ${ratio(r.pairCpu)} (${spread(r.spreadCpu)}) |`,
    );
  // Issue 12's budget: analyzing the non-code files adds under 10% to the whole analyze.
  for (const against of variants.length > 1 ? [false, true] : [false]) {
    const mine = rows.filter((r) => r.against === against);
    if (!mine.length) continue;
    const worstWall = Math.max(...mine.map((r) => r.withMs / r.withoutMs - 1));
    const worstCpu = Math.max(...mine.map((r) => r.withCpu / r.withoutCpu - 1));
    const worstPairWall = Math.max(...mine.map((r) => r.pairWall));
    const worstPairCpu = Math.max(...mine.map((r) => r.pairCpu));
    console.log(
      `non-code overhead${against ? ' (against)' : ''}: at most ${ratio(worstWall)} wall, ${ratio(worstCpu)} CPU over these PRs (budget: under +10%)`,
    );
    console.log(
      `non-code overhead${against ? ' (against)' : ''}, median of run pairs: at most ${ratio(worstPairWall)} wall, ${ratio(worstPairCpu)} CPU over these PRs`,
    );
  }
  results.push({ noncode: rows });
}

/** Node's flags under callgrind: GC and compilation on the main thread, GC at fixed heap sizes (see the header). */
const CALLGRIND_NODE_FLAGS = ['--single-threaded', '--predictable-gc-schedule'];

/**
 * Instructions executed by one run of `node args` under callgrind, in the node process and in every process
 * it starts (git), from callgrind's log of each process. The profiles themselves are thrown away.
 */
function instructionsOf(nodeArgs) {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bench-callgrind-'));
  try {
    const r = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--trace-children=yes',
        `--log-file=${join(dir, 'log.%p')}`,
        `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`,
        realpathSync(nodeBin),
        ...CALLGRIND_NODE_FLAGS,
        ...nodeArgs,
      ],
      {
        encoding: 'utf8',
        maxBuffer: 512 << 20,
        timeout: 3_600_000,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
      },
    );
    if (r.error) return { error: r.error.message };
    let node = 0;
    let children = 0;
    let processes = 0;
    for (const name of readdirSync(dir).filter((n) => n.startsWith('log.'))) {
      const collected = /Collected : (\d+)/.exec(readFileSync(join(dir, name), 'utf8'));
      if (!collected) continue;
      processes++;
      // valgrind runs the tool in the process it was started as: the node process has valgrind's pid.
      if (name === `log.${r.pid}`) node += Number(collected[1]);
      else children += Number(collected[1]);
    }
    return { status: r.status, node, children, total: node + children, processes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printInstructions(counts, variants, pct) {
  const giga = (n) => (n / 1e9).toFixed(3);
  console.log(
    `\nnon-code analyzers: instructions of the whole analyze with vs without them, one run each under callgrind (node ${CALLGRIND_NODE_FLAGS.join(' ')})`,
  );
  console.log('| PR | with (G instr.) | without | added | node process: with / without | git processes: with / without |');
  console.log('|---|---:|---:|---:|---:|---:|');
  let worst = -Infinity;
  for (const variant of variants)
    for (const pr of [...new Set(counts.map((c) => c.pr))]) {
      const w = counts.find((c) => c.pr === pr && c.name === `with${variant}`);
      const o = counts.find((c) => c.pr === pr && c.name === `without${variant}`);
      if (!w || !o) continue;
      const label = `${pr.repo.split('+')[1]} ${pr.commit.slice(0, 10)}${variant}`;
      if (w.error || o.error || w.status !== 0 || o.status !== 0 || !w.total || !o.total) {
        console.log(`| ${label} | failed: ${w.error ?? o.error ?? `exit ${w.status} / ${o.status}`} | | | | |`);
        continue;
      }
      if (!variant) worst = Math.max(worst, w.total / o.total - 1);
      console.log(
        `| ${label} | ${giga(w.total)} | ${giga(o.total)} | ${pct(w.total, o.total)} | ${giga(w.node)} / ${giga(o.node)} | ${giga(w.children)} / ${giga(o.children)} (${w.processes - 1} / ${o.processes - 1}) |`,
      );
    }
  if (worst > -Infinity)
    console.log(
      `non-code overhead in instructions: at most ${worst >= 0 ? '+' : ''}${(worst * 100).toFixed(1)}% over these PRs (budget: under +10%)`,
    );
}

/** with / without - 1 of each run pair (run i of one bundle against run i of the other) of a variant. */
function pairs(samples, variant, key) {
  return samples[`with${variant}`].map((s, i) => s[key] / samples[`without${variant}`][i][key] - 1);
}

/** The first and third quartiles (nearest rank): the spread of the middle half of the values. */
function quartiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return [at(0.25), at(0.75)];
}

/** Rule ids of the code detectors are not the non-code analyzers' (read from the docs folder names would need the registry). */
function isCodeRule(rule) {
  return !existsSync(join(ROOT, 'src/core/infra/analyzers', `${rule}.ts`));
}

if (has('--only-noncode')) {
  await benchNonCode();
  process.exit(0);
}
const runPeers = !has('--no-peers') && ensurePeers();
if (!has('--no-peers') && !runPeers) log('peers could not be installed: measuring guardrail-gate only');
buildOurs();
console.log(
  `guardrail-gate bench on ${new Date().toISOString()}, node ${execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim()}, ${RUNS} runs (median)`,
);
for (const name of selected) {
  const spec = REPOS[name];
  if (!spec) {
    log(`unknown repo ${name} (known: ${Object.keys(REPOS).join(', ')})`);
    continue;
  }
  benchRepo(name, spec, runPeers);
}
if (!has('--no-generated')) benchGenerated(runPeers);
if (!has('--no-analyze')) benchAnalyze();
if (!has('--no-noncode')) await benchNonCode();
const jsonOut = flag('--json');
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));

/** One line about an `analyze --format json` run: what it found, or why it failed. */
function summarizeAnalyze(run) {
  try {
    const report = JSON.parse(run.stdout);
    return `${report.stats.filesChanged} files changed, ${report.findings.length} findings, ${report.tests.affected.length} affected tests`;
  } catch {
    return `exit ${run.status}: ${run.stderr.trim().split('\n').pop()}`;
  }
}
