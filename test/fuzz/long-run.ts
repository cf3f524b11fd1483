/**
 * The long fuzz run's two halves, bundled by scripts/fuzz.mjs: `generate` makes input number `index` of a
 * seeded run (the same input every time, so a hang can be told again by its index), and `runWorker` checks
 * a range of inputs in a worker thread, reporting each start and end, and shrinking a failure with
 * fast-check before it reports it.
 */
import fc from 'fast-check';
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzInput, type FuzzInput } from './generators.js';
import { checkInput, ContractViolation, contractViolations, pipelineReady, runPipeline } from './pipeline.js';

export function generate(seed: number, index: number): FuzzInput {
  return fc.sample(fuzzInput, { seed: seed + index, numRuns: 1 })[0]!;
}

/** 'violation' for a broken contract, 'crash' for any exception. */
function classify(error: unknown): 'violation' | 'crash' {
  return error instanceof ContractViolation ? 'violation' : 'crash';
}

function checkOnce(input: FuzzInput, determinism: boolean, betweenRuns?: () => void): void {
  if (determinism) return checkInput(input, betweenRuns);
  const problems = contractViolations(input, runPipeline(input));
  if (problems.length) throw new ContractViolation(problems);
}

/** Smallest failing input fast-check finds from the same seed (or the input itself when it finds none). */
function shrink(seed: number, index: number, input: FuzzInput, determinism: boolean): FuzzInput {
  const result = fc.check(
    fc.property(fuzzInput, (candidate) => checkOnce(candidate, determinism)),
    { seed: seed + index, numRuns: 1, endOnFailure: false },
  );
  return result.failed && result.counterexample ? result.counterexample[0] : input;
}

export async function runWorker(): Promise<void> {
  const { seed, from, to, every } = workerData as { seed: number; from: number; to: number; every: number };
  await pipelineReady;
  for (let index = from; index < to; index++) {
    const input = generate(seed, index);
    const determinism = index % every === 0;
    parentPort!.postMessage({ type: 'start', index, mix: input.mix });
    const started = performance.now();
    try {
      // A hang is one run of the gate over the limit: the determinism check's second run restarts the clock.
      checkOnce(input, determinism, () => parentPort!.postMessage({ type: 'start', index, mix: input.mix }));
      parentPort!.postMessage({ type: 'done', index, mix: input.mix, ms: performance.now() - started });
    } catch (error) {
      const ms = performance.now() - started;
      const shrunk = shrink(seed, index, input, determinism);
      parentPort!.postMessage({
        type: 'fail',
        index,
        mix: input.mix,
        ms,
        kind: classify(error),
        message: String((error as Error)?.message ?? error).slice(0, 2000),
        input: shrunk,
      });
    }
  }
  parentPort!.postMessage({ type: 'end' });
}
