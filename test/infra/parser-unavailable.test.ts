import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/config/config.js';
import { loadParsersFor } from '../../src/core/infra/formats/parsers.js';
import { analyzeFiles } from '../../src/core/infra/run-analyzers.js';
import type { ChangedFile } from '../../src/core/model.js';

// The yarn lockfile parser is never loaded in this file (vitest gives each file its own module state): what
// an analyzer does when the parser it needs is unavailable (not loaded, or failed to load) is this case.
await loadParsersFor(['package.json']); // semver only
const DIR = join(import.meta.dirname, '../../fixtures/detectors/lockfile-drift/flagged/yarn-lock-regenerated-without-new-range');
const read = (side: 'before' | 'after', path: string): string => readFileSync(join(DIR, side, path), 'utf8');

describe('a lockfile whose parser is unavailable', () => {
  it('is skipped with the reason when it changed, as a lockfile the parser rejects', () => {
    const files: ChangedFile[] = ['package.json', 'yarn.lock'].map((path) => ({
      path,
      status: 'modified',
      base: read('before', path),
      head: read('after', path),
    }));
    const result = analyzeFiles({ files, config: defaultConfig() });
    expect(result.skipped).toEqual([
      { file: 'yarn.lock', reason: 'head version cannot be read: the yarn lockfile parser was not loaded (loadParsersFor)' },
    ]);
    expect(result.findings.filter((f) => f.file === 'yarn.lock')).toEqual([]);
  });

  it('is not passed over in silence when only the manifest beside it changed', () => {
    const files: ChangedFile[] = [
      { path: 'package.json', status: 'modified', base: read('before', 'package.json'), head: read('after', 'package.json') },
    ];
    const result = analyzeFiles({ files, config: defaultConfig(), tree: { unchanged: { 'yarn.lock': read('before', 'yarn.lock') } } });
    expect(result.notes).toContain(
      'analyzer lockfile-drift failed on package.json and was skipped: yarn.lock was not read: the yarn lockfile parser was not loaded (loadParsersFor)',
    );
    expect(result.skipped).toEqual([]);
  });
});
