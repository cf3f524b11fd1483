import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fuzzInput, type FuzzInput } from './generators.js';
import { checkInput, pipelineReady } from './pipeline.js';

/** Seeded, so a failure here is reproducible with the same seed (and `npm run fuzz -- --seed`). */
const SEED = 20_261_202;
const RUNS = 2_000;
/** Keeps `npm test` quick on a shared 2-core machine: fewer inputs rather than a slow suite. */
const TIME_LIMIT_MS = 15_000;

const CASES_DIR = join(import.meta.dirname, 'cases');

beforeAll(async () => {
  await pipelineReady;
});

describe('fuzzing the pure pipeline (detect, impact, judge, render)', () => {
  it(`holds the report contract, deterministically, on ${RUNS} seeded inputs`, () => {
    const stats = fc.check(
      fc.property(fuzzInput, (input) => checkInput(input)),
      {
        seed: SEED,
        numRuns: RUNS,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
      },
    );
    if (stats.failed) {
      throw new Error(
        `fuzz failure (seed ${SEED}, path ${stats.counterexamplePath}): ${String(stats.errorInstance)}\n${JSON.stringify(stats.counterexample?.[0]).slice(0, 2000)}`,
      );
    }
    // Interrupted by the time limit on a busy machine the inputs run still count; a handful would not be a fuzz test.
    expect(stats.numRuns).toBeGreaterThan(50);
  });

  const cases = readdirSync(CASES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
  for (const name of cases) {
    it(`replays recorded case ${name}`, () => {
      const recorded = JSON.parse(readFileSync(join(CASES_DIR, name), 'utf8')) as { input: FuzzInput };
      expect(() => checkInput(recorded.input)).not.toThrow();
    });
  }
});
