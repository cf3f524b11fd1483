import { describe, expect, it } from 'vitest';
import { jobOf, pairedSteps, parseWorkflow, sameJobs, stepsOf, usesOf } from '../../src/core/infra/formats/workflow.js';

// The CI analyzers walk a workflow's jobs and steps through these helpers only (one home for the walk).
const base = parseWorkflow(
  `on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm run lint
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Unit tests
        run: npm test
`,
  'base',
);
const head = parseWorkflow(
  `on: [pull_request]
jobs:
  release:
    uses: ./.github/workflows/release.yml
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
      - name: Unit tests
        run: npm test -- --coverage
        continue-on-error: true
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: npm run lint
`,
  'head',
);

describe('walking a workflow', () => {
  it('visits every step with its job, in file order', () => {
    expect(stepsOf(base).map(({ job, step }) => `${job.id}#${step.index} line ${step.line}`)).toEqual([
      'lint#0 line 6',
      'lint#1 line 7',
      'test#0 line 11',
      'test#1 line 12',
    ]);
  });

  it("lists a job's reusable workflow before its steps' actions", () => {
    expect(usesOf(head).map((u) => `${u.value}:${u.line}`)).toEqual([
      './.github/workflows/release.yml:4',
      'actions/checkout@v4:8',
      'actions/setup-node@v4:9',
    ]);
  });

  it('pairs the jobs both versions have, in the head order, and leaves out a new job', () => {
    expect(sameJobs(base, head).map(({ before, job }) => `${before.id}:${before.line}->${job.id}:${job.line}`)).toEqual([
      'test:8->test:5',
      'lint:3->lint:13',
    ]);
    expect(jobOf(head, 'release')?.uses?.value).toBe('./.github/workflows/release.yml');
    expect(jobOf(base, 'release')).toBeUndefined();
    expect(jobOf(undefined, 'test')).toBeUndefined();
  });

  it('pairs the steps of those jobs by identity, not by position', () => {
    expect(pairedSteps(base, head).map(({ job, before, after }) => `${job.id}: ${before.line}->${after.line}`)).toEqual([
      'test: 11->8',
      'test: 12->10',
      'lint: 7->16',
    ]);
  });
});
