import { describe, expect, it } from 'vitest';
import { createTestMatcher, isSourcePath, isTestCode, isTestRunnerConfig, joinPath } from '../../src/core/paths.js';

describe('core/paths: what a repository path holds', () => {
  it('tells source files from declaration files and everything else', () => {
    for (const path of ['src/a.ts', 'src/b.tsx', 'lib/c.mjs', 'lib/d.cjs', 'e.mts', 'f.jsx']) expect(isSourcePath(path)).toBe(true);
    for (const path of ['types/a.d.ts', 'types/b.d.mts', 'c.d.cts', 'README.md', 'package.json', 'src/x.tsx.snap'])
      expect(isSourcePath(path)).toBe(false);
  });

  it('counts tests and the helpers beside them as test code (the detectors read them as tests)', () => {
    for (const path of [
      'src/a.test.ts',
      'src/__tests__/b.ts',
      'test/support/git-repo.ts',
      'e2e/login.ts',
      'cypress/support/commands.ts',
      'src/c.cy.ts',
      'dev-packages/browser-integration-tests/utils/helpers.ts',
      'packages/orders/integration-tests/__fixtures__/seed.ts',
      'environment_tests/esm/src/index.js',
      'packages/test-utils/src/server.ts',
      'packages/cli/src/internal/test-helpers.ts',
      'src/hooks/testUtils.tsx',
      'src/setupTests.ts',
    ]) {
      expect(isTestCode(path)).toBe(true);
    }
    for (const path of ['src/testing.ts', 'src/contest/a.ts', 'src/api-tests.ts', 'src/attribute-spec/bool.ts', 'src/latest/a.ts'])
      expect(isTestCode(path)).toBe(false);
    expect(isTestCode('checks/price.ts', ['checks/**'])).toBe(true);
  });

  it('counts only the tests a runner runs as tests to run (helpers in test/support/ are not)', () => {
    const isTest = createTestMatcher([], new Map());
    expect(isTest('test/retry.test.ts')).toBe(true);
    expect(isTest('test/support/git-repo.ts')).toBe(false);
    expect(isTest('src/__tests__/helpers.ts')).toBe(false);
    expect(isTestCode('test/support/git-repo.ts')).toBe(true);
  });

  it('recognises test-runner configuration', () => {
    for (const path of ['jest.config.js', 'packages/web/vitest.config.ts', 'playwright.config.mts', '.mocharc.js', 'karma.conf.js'])
      expect(isTestRunnerConfig(path)).toBe(true);
    expect(isTestRunnerConfig('src/config.ts')).toBe(false);
  });

  it('joins paths without climbing above the repository', () => {
    expect(joinPath('src/a', '../b/c.ts')).toBe('src/b/c.ts');
    expect(joinPath('', '../x.ts')).toBeUndefined();
  });
});
