import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFiles } from '../../src/adapters/fs/local-files.js';
import { openGitRepository } from '../../src/adapters/git/git-reader.js';
import { collectChanges } from '../../src/app/collect.js';
import { gatherImpact, type ImpactRequest } from '../../src/app/impact.js';
import { defaultConfig } from '../../src/core/config/config.js';
import { detectChanges } from '../../src/core/detect/engine/run.js';
import type { ImpactInput } from '../../src/core/model.js';
import { createPullRequestRepo } from '../support/git-repo.js';
import { FIXTURES, monorepoSides, recordingLogger } from './support.js';

describe('impact of a pull request on a workspace monorepo', () => {
  const { base, head } = monorepoSides();
  const repo = createPullRequestRepo(base, head, 'simplify helpers');
  let request: ImpactRequest;
  let impact: ImpactInput;

  beforeAll(async () => {
    const git = await openGitRepository(repo.dir);
    const logger = recordingLogger();
    const config = defaultConfig();
    const collected = await collectChanges({ git, logger, base: repo.base, head: repo.head, config });
    const detected = detectChanges({ files: collected.files, context: collected.context, config });
    request = {
      repoDir: repo.dir,
      base: repo.base,
      head: repo.head,
      files: collected.files,
      detected,
      config,
      hotspotFiles: [],
      coverageFiles: [],
      git,
      localFiles,
      logger,
      cwd: FIXTURES,
    };
    impact = await gatherImpact(request);
  });
  afterAll(() => repo.cleanup());

  it('finds the tests that reach the change through workspaces, paths via extends, exports, barrels, require and import()', () => {
    expect(impact.affectedTests).toEqual([
      'packages/app/test/checkout.test.ts', // barrel -> checkout -> @shared/* (paths from the extended tsconfig) and @mono/pricing (exports -> src)
      'packages/app/test/lazy.test.ts', // changed itself, and reaches report.ts through import()
      'packages/legacy/test/retry.js', // require('../lib/retry'), mocha's test/ folder
      'packages/shared/test/timeout.test.ts', // node:test
      'packages/web/src/__tests__/Button.test.tsx', // JSX, @mono/pricing/format subpath export
    ]);
    expect(impact.affectedTests).not.toContain('packages/legacy/test/helpers/flaky.js');
  });

  it('says which tests reach each changed file, including a test the PR deleted', () => {
    const reaching = Object.fromEntries(impact.reachingTests.map((entry) => [entry.file, entry.tests]));
    expect(reaching['packages/app/src/audit.cjs']).toEqual(['packages/app/test/checkout.test.ts', 'packages/app/test/refund.test.ts']);
    expect(reaching['packages/pricing/src/format.ts']).toEqual([
      'packages/app/test/checkout.test.ts',
      'packages/web/src/__tests__/Button.test.tsx',
    ]);
    expect(reaching['packages/app/src/orphan.ts']).toEqual([]);
  });

  it('names the changed units no test reaches', () => {
    expect(impact.untested).toEqual([{ file: 'packages/app/src/orphan.ts', symbol: 'orphan' }]);
  });

  it('lists the tests the PR deleted or weakened', () => {
    expect(impact.weakenedTests).toEqual(['packages/app/test/lazy.test.ts', 'packages/app/test/refund.test.ts']);
  });

  it('runs exactly the affected tests with each package’s own runner', () => {
    expect(impact.testCommand).toBe(
      [
        '(cd packages/app && npx vitest run test/checkout.test.ts test/lazy.test.ts)',
        '(cd packages/legacy && npx mocha test/retry.js)',
        '(cd packages/shared && node --test test/timeout.test.ts)',
        '(cd packages/web && npx jest --runTestsByPath src/__tests__/Button.test.tsx)',
      ].join(' && '),
    );
  });

  it('measures the blast radius of each changed file', () => {
    const radius = Object.fromEntries(impact.blastRadius.map((entry) => [entry.file, [entry.direct, entry.transitive]]));
    // format.ts <- pricing index, Button.tsx; transitively checkout, app index, both tests.
    expect(radius['packages/pricing/src/format.ts']).toEqual([2, 6]);
    expect(radius['packages/app/src/orphan.ts']).toEqual([0, 0]);
  });

  it('maps every hotspot format onto the changed units and counts what did not map', async () => {
    const withSignals = await gatherImpact({
      ...request,
      hotspotFiles: [
        'hotspots/otlp-traces.json',
        'hotspots/coverage-4242-1763900000000-0.json',
        'hotspots/istanbul-functions.json',
        'hotspots/apm-export.csv',
        'hotspots/apm-export.json',
      ],
    });
    const hot = withSignals.hotspots.map((h) => `${h.file}#${h.symbol ?? ''}@${h.source}`);
    expect(hot.sort()).toEqual(
      [
        'packages/app/src/audit.cjs#audit@csv',
        'packages/app/src/orphan.ts#orphan@csv',
        'packages/app/src/report.ts#buildReport@csv',
        'packages/legacy/lib/retry.js#retry@v8',
        'packages/pricing/src/format.ts#formatPrice@istanbul',
        'packages/shared/src/timeout.ts#withTimeout@otlp',
      ].sort(),
    );
    expect(withSignals.notes.find((note) => note.startsWith('hotspots:'))).toBe(
      'hotspots: 8 of 11 production records mapped onto repository files; 3 could not be mapped (3 distinct paths, e.g. /app/node_modules/express/lib/router/index.js, /app/packages/gone/dist/thing.js)',
    );
  });

  it('reports changed lines no test executed from lcov, Istanbul and V8 coverage', async () => {
    const withCoverage = await gatherImpact({
      ...request,
      coverageFiles: ['coverage/lcov.info', 'coverage/coverage-final.json', 'coverage/v8'],
    });
    expect(withCoverage.uncoveredLines).toEqual([
      { file: 'packages/app/src/report.ts', lines: [2] },
      { file: 'packages/pricing/src/format.ts', lines: [4] },
      { file: 'packages/shared/src/timeout.ts', lines: [2] },
    ]);
    // Reached by tests in the graph, but coverage shows they never ran.
    expect(withCoverage.untested).toEqual(
      expect.arrayContaining([
        { file: 'packages/pricing/src/format.ts', symbol: 'formatPrice' },
        { file: 'packages/app/src/report.ts', symbol: 'buildReport' },
      ]),
    );
    expect(withCoverage.untested).not.toContainEqual({ file: 'packages/legacy/lib/retry.js', symbol: 'retry' });
  });

  it('turns an unreadable signal file into a note, not an error', async () => {
    const degraded = await gatherImpact({ ...request, hotspotFiles: ['hotspots/nope.json', join(FIXTURES, 'impact/monorepo/README.md')] });
    expect(degraded.notes).toEqual(expect.arrayContaining(['could not read hotspots/nope.json: no such file']));
    expect(degraded.notes.some((note) => note.startsWith('hotspots:') && note.includes('README.md'))).toBe(true);
    expect(degraded.affectedTests).toEqual(impact.affectedTests);
  });
});
