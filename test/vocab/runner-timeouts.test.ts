import { describe, expect, it } from 'vitest';
import { runnerTimeoutRemoved } from '../../src/core/detect/vocab/timeouts.js';

describe('vocab/timeouts: the test timeout a runner configuration stopped giving', () => {
  it('reads a deleted config, a timeout taken out of package.json scripts, and ignores one that stays', () => {
    expect(
      runnerTimeoutRemoved([
        { path: 'jest.config.js', status: 'deleted', base: 'module.exports = { testTimeout: 30_000 };' },
        { path: 'src/client.ts', status: 'modified', base: 'const timeout: 90000', head: 'const x = 1' },
      ]),
    ).toBe(30000);
    expect(
      runnerTimeoutRemoved([
        {
          path: 'package.json',
          status: 'modified',
          base: '{ "scripts": { "test": "mocha --timeout 10000" } }',
          head: '{ "scripts": { "test": "mocha" } }',
        },
      ]),
    ).toBe(10000);
    expect(
      runnerTimeoutRemoved([
        {
          path: 'vitest.config.ts',
          status: 'modified',
          base: 'export default { test: { testTimeout: 20000 } };',
          head: 'export default { test: { testTimeout: 20000, retry: 1 } };',
        },
      ]),
    ).toBeUndefined();
  });
});
