import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/core/detect/registry.js';
import { ANALYZERS } from '../../src/core/infra/registry.js';
import { findingsOf, loadCases, loud } from '../support/detector-cases.js';

// Every detector is driven by its fixture folders: flagged cases must raise a finding of the rule,
// quiet cases (refactors, moves, tightening, dead code) must raise nothing above info.
// The analyzers of non-code files are held to the same fixture layout.
for (const { meta } of [...DETECTORS, ...ANALYZERS]) {
  const id = meta.id;
  describe(id, () => {
    for (const c of loadCases(id, 'flagged')) {
      it(`flags: ${c.name}`, () => {
        const findings = loud(findingsOf(id, c.files, c.tree));
        expect(
          findings.map((f) => `${f.messageId} ${f.side}:${f.line} ${f.message}`),
          'expected a finding',
        ).not.toEqual([]);
        for (const want of c.expected ?? []) {
          expect(
            findings.some((f) => f.messageId === want.kind && (!want.side || f.side === want.side) && (!want.line || f.line === want.line)),
            `expected ${JSON.stringify(want)}`,
          ).toBe(true);
        }
      });
    }
    for (const c of loadCases(id, 'quiet')) {
      it(`stays quiet: ${c.name}`, () => {
        expect(loud(findingsOf(id, c.files, c.tree)).map((f) => `${f.severity} ${f.file}:${f.line} ${f.message}`)).toEqual([]);
      });
    }
  });
}
