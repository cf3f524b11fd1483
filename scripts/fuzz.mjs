#!/usr/bin/env node
// Long fuzz runs of the pure pipeline (detect, impact, judge, render) with the generators of test/fuzz/.
//   npm run fuzz -- [--runs 100000] [--seed N] [--workers 1] [--timeout-ms 10000] [--determinism-every 10]
// Each input runs in a worker thread; an input still running after --timeout-ms is a hang (its worker is
// ended and a new one goes on from the next input). Crashes, hangs and contract violations are written,
// shrunk by fast-check where it can, to test/fuzz/cases/, which `npm test` replays. Ends with one summary
// line: counts, time, the slowest input, and the input mix.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const runs = flag('runs', 100_000);
const seed = flag('seed', 20_261_202);
const workers = Math.max(1, flag('workers', 1));
const timeoutMs = flag('timeout-ms', 10_000);
const every = Math.max(1, flag('determinism-every', 10));
const casesDir = join(root, 'test/fuzz/cases');

// Inside node_modules/.cache so that the bundle's imports (fast-check, ts-morph, ...) resolve to the project's.
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const outdir = mkdtempSync(join(root, 'node_modules/.cache/gg-fuzz-'));
const bundle = join(outdir, 'long-run.mjs');
await build({
  entryPoints: [join(root, 'test/fuzz/long-run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: bundle,
  logLevel: 'warning',
});
const { generate } = await import(pathToFileURL(bundle).href);
const workerSource = join(outdir, 'worker.mjs');
writeFileSync(workerSource, `import { runWorker } from ${JSON.stringify(pathToFileURL(bundle).href)};\nawait runWorker();\n`);

const counts = { crash: 0, hang: 0, violation: 0 };
const mix = new Map();
let done = 0;
let slowest = { ms: 0, index: -1, mix: '' };
const started = performance.now();
mkdirSync(casesDir, { recursive: true });

function record(kind, index, inputMix, message, input) {
  counts[kind]++;
  const file = join(casesDir, `${kind}-${seed}-${index}.json`);
  writeFileSync(file, `${JSON.stringify({ kind, seed, index, mix: inputMix, message, input }, null, 2)}\n`);
  console.error(`fuzz: ${kind} at input ${index} (${inputMix}): ${message.split('\n')[0].slice(0, 200)} -> ${file}`);
}

/** Runs inputs [from, to) in workers, one after another; a hang ends a worker and the next goes on after it. */
function runRange(from, to) {
  return new Promise((resolveRange) => {
    let next = from;
    const startWorker = () => {
      if (next >= to) return resolveRange();
      const worker = new Worker(workerSource, {
        workerData: { seed, from: next, to, every },
        resourceLimits: { maxOldGenerationSizeMb: 2048 },
      });
      let current;
      const timer = setInterval(() => {
        if (current && performance.now() - current.at > timeoutMs) {
          clearInterval(timer);
          const { index, mix: inputMix } = current;
          current = undefined;
          worker.terminate();
          record('hang', index, inputMix, `still running after ${timeoutMs} ms`, generate(seed, index));
          tally(inputMix, timeoutMs, index);
          next = index + 1;
          startWorker();
        }
      }, 250);
      worker.on('message', (message) => {
        if (message.type === 'start') current = { index: message.index, mix: message.mix, at: performance.now() };
        else if (message.type === 'done' || message.type === 'fail') {
          current = undefined;
          next = message.index + 1;
          if (message.type === 'fail') record(message.kind, message.index, message.mix, message.message, message.input);
          tally(message.mix, message.ms, message.index);
        } else if (message.type === 'end') {
          clearInterval(timer);
          worker.terminate();
          resolveRange();
        }
      });
      worker.on('error', (error) => {
        // The worker itself died (out of memory): the input it was on is a crash.
        clearInterval(timer);
        if (current) {
          record('crash', current.index, current.mix, `worker died: ${error.message}`, generate(seed, current.index));
          tally(current.mix, performance.now() - current.at, current.index);
          next = current.index + 1;
          current = undefined;
        }
        startWorker();
      });
    };
    startWorker();
  });
}

function tally(inputMix, ms, index) {
  done++;
  mix.set(inputMix, (mix.get(inputMix) ?? 0) + 1);
  if (ms > slowest.ms) slowest = { ms, index, mix: inputMix };
  if (done % 2000 === 0)
    console.error(
      `fuzz: ${done}/${runs} inputs, ${Math.round((performance.now() - started) / 1000)} s, ${counts.crash} crashes, ${counts.hang} hangs, ${counts.violation} violations`,
    );
}

// Stopped early (Ctrl-C, a CI time limit): still say what was covered.
let stopped = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopped = true;
    summarize();
    rmSync(outdir, { recursive: true, force: true });
    process.exit(130);
  });
}

const share = Math.ceil(runs / workers);
await Promise.all(Array.from({ length: workers }, (_, w) => runRange(w * share, Math.min(runs, (w + 1) * share))));
rmSync(outdir, { recursive: true, force: true });
summarize();
process.exitCode = counts.crash + counts.hang + counts.violation > 0 ? 1 : 0;

function summarize() {
  const grouped = new Map();
  for (const [name, count] of mix) {
    const group = name.split(':')[0];
    grouped.set(group, (grouped.get(group) ?? 0) + count);
  }
  const mixText = [...mix]
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const groupText = [...grouped]
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${((100 * count) / done).toFixed(1)}%`)
    .join(', ');
  console.log(
    `fuzz: ${done}${stopped ? ` of ${runs} (stopped early)` : ''} inputs (seed ${seed}, ${workers} worker${workers === 1 ? '' : 's'}) in ${Math.round((performance.now() - started) / 1000)} s: ` +
      `${counts.crash} crashes, ${counts.hang} hangs over ${timeoutMs / 1000} s, ${counts.violation} contract violations; ` +
      `determinism checked on every ${every === 1 ? '' : `${every}th `}input; slowest ${(slowest.ms / 1000).toFixed(2)} s (input ${slowest.index}, ${slowest.mix})`,
  );
  console.log(`fuzz mix: ${groupText}`);
  console.log(`fuzz mix detail: ${mixText}`);
}
