import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/config/config.js';
import { detectChanges } from '../../src/core/detect/engine/run.js';
import { DETECTORS } from '../../src/core/detect/registry.js';
import { parseSuppressions } from '../../src/core/detect/suppressions.js';

const BASE = `import axios from 'axios';
export function makeClient() {
  return axios.create({ baseURL: 'https://ledger.internal', timeout: 5000 });
}
`;

function headWith(comment: string): string {
  return `import axios from 'axios';
export function makeClient() {
  ${comment}
  return axios.create({ baseURL: 'https://ledger.internal' });
}
`;
}

function run(head: string, today = '2026-11-23') {
  return detectChanges({
    files: [{ path: 'src/ledger.ts', status: 'modified', base: BASE, head }],
    context: [],
    config: defaultConfig(),
    today,
  });
}

describe('guardrail-gate-ignore', () => {
  it('parses rules, reason and expiry', () => {
    expect(
      parseSuppressions('a.ts', '// guardrail-gate-ignore removed-timeout, removed-retry -- SDK enforces 10 s until 2027-01-31\n'),
    ).toEqual([{ file: 'a.ts', line: 1, rules: ['removed-timeout', 'removed-retry'], reason: 'SDK enforces 10 s', expires: '2027-01-31' }]);
  });

  it('without a comment, the removed timeout is an open finding', () => {
    const timeout = run(headWith('')).findings.find((f) => f.rule === 'removed-timeout');
    expect(timeout?.severity).toBe('high');
    expect(timeout?.accepted).toBeUndefined();
  });

  it('accepts the finding with its reason, and it stays in the report', () => {
    const result = run(headWith('// guardrail-gate-ignore removed-timeout -- the ledger SDK enforces a 10 s deadline'));
    const timeout = result.findings.find((f) => f.rule === 'removed-timeout');
    expect(timeout?.accepted).toEqual({ by: 'suppression', reason: 'the ledger SDK enforces a 10 s deadline' });
  });

  it('does not accept findings of other rules', () => {
    const result = run(headWith('// guardrail-gate-ignore removed-retry -- not this one'));
    expect(result.findings.find((f) => f.rule === 'removed-timeout')?.accepted).toBeUndefined();
  });

  it('is itself a finding when it gives no reason, and accepts nothing', () => {
    const result = run(headWith('// guardrail-gate-ignore removed-timeout'));
    expect(result.findings.find((f) => f.rule === 'removed-timeout')?.accepted).toBeUndefined();
    const missing = result.findings.find((f) => f.rule === 'suppression-without-reason');
    expect(missing).toMatchObject({ severity: 'medium', file: 'src/ledger.ts', line: 3, side: 'head' });
  });

  it('stops working after its date and says so', () => {
    const result = run(headWith('// guardrail-gate-ignore removed-timeout -- until the SDK upgrade until 2026-10-01'));
    expect(result.findings.find((f) => f.rule === 'removed-timeout')?.accepted).toBeUndefined();
    expect(result.notes.join('\n')).toMatch(/expired on 2026-10-01/);
  });

  it('still works on its last day', () => {
    const result = run(headWith('// guardrail-gate-ignore removed-timeout -- until the SDK upgrade until 2026-11-23'));
    expect(result.findings.find((f) => f.rule === 'removed-timeout')?.accepted?.expires).toBe('2026-11-23');
  });

  it('is itself a finding when it names an unknown rule, listing the known ones, and still accepts the rules it names right', () => {
    const result = run(headWith('// guardrail-gate-ignore removed-timout, removed-timeout -- the ledger SDK enforces a 10 s deadline'));
    expect(result.findings.find((f) => f.rule === 'removed-timeout')?.accepted?.by).toBe('suppression');
    const unknown = result.findings.filter((f) => f.rule === 'suppression-unknown-rule');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ severity: 'medium', file: 'src/ledger.ts', line: 3, side: 'head', category: 'config' });
    expect(unknown[0]!.message).toContain('unknown rule "removed-timout" (did you mean "removed-timeout"?)');
    for (const detector of DETECTORS) expect(unknown[0]!.message).toContain(detector.meta.id);
  });

  it('accepts "all" as a rule, which is no unknown rule', () => {
    const result = run(headWith('// guardrail-gate-ignore all -- the ledger SDK enforces a 10 s deadline'));
    expect(result.findings.find((f) => f.rule === 'removed-timeout')?.accepted?.by).toBe('suppression');
    expect(result.findings.filter((f) => f.rule.startsWith('suppression-'))).toEqual([]);
  });
});
