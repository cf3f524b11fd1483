import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/core/config/config.js';
import { emptyImpact, type Finding } from '../../src/core/model.js';
import { judge } from '../../src/core/score/judge.js';
import type { JudgeInput } from '../../src/core/types.js';

function finding(over: Partial<Finding>): Finding {
  return {
    id: `gg-${over.rule ?? 'removed-timeout'}-${over.line ?? 3}`,
    rule: 'removed-timeout',
    category: 'timeout',
    severity: 'high',
    file: 'src/a.ts',
    line: 3,
    side: 'base',
    message: 'm',
    ...over,
  };
}

function input(findings: Finding[], over: Partial<JudgeInput> = {}): JudgeInput {
  return {
    base: 'b'.repeat(40),
    head: 'h'.repeat(40),
    toolVersion: '0.0.0',
    detected: { findings, changedUnits: [], skipped: [], notes: [], filesAnalyzed: 1, unitsCompared: 1 },
    impact: emptyImpact(),
    config: defaultConfig(),
    ai: { authored: false, evidence: [] },
    filesChanged: 1,
    durationMs: 1,
    ...over,
  };
}

describe('judge', () => {
  it('passes an empty change with score 0 and level none', () => {
    const report = judge(input([]));
    expect(report).toMatchObject({ decision: 'pass', score: 0, level: 'none', findings: [], contributions: [] });
  });

  it('fails on one high finding at the default fail-on, and explains the points', () => {
    const report = judge(input([finding({})]));
    expect(report).toMatchObject({ decision: 'fail', level: 'high', score: 30 });
    expect(report.contributions).toEqual([{ findingId: 'gg-removed-timeout-3', points: 30, why: 'high removed-timeout' }]);
    expect(report.requiredChecks.map((c) => c.id)).toContain('confirm-timeout');
  });

  it('never counts info findings and passes low ones at the default threshold', () => {
    const report = judge(input([finding({ severity: 'info' }), finding({ severity: 'low', line: 9 })]));
    expect(report).toMatchObject({ decision: 'pass', level: 'low', score: 4 });
  });

  it('lets a pile of medium findings reach high through the score', () => {
    const many = [1, 2, 3, 4, 5].map((line) => finding({ severity: 'medium', line }));
    const report = judge(input(many));
    expect(report.score).toBe(60);
    expect(report.level).toBe('high');
  });

  it('honours --fail-on over the configuration, and none never fails', () => {
    expect(judge(input([finding({ severity: 'medium' })], { failOn: 'medium' })).decision).toBe('fail');
    expect(judge(input([finding({ severity: 'critical' })], { failOn: 'none' })).decision).toBe('pass');
  });

  it('applies the stricter AI policy only to AI-authored pull requests', () => {
    const config = parseConfig(
      'ai:\n  fail-on: medium\n  required-checks:\n    - id: human-review\n      title: A human reads every line\n',
      'test.yml',
    );
    const medium = [finding({ severity: 'medium' })];
    expect(judge(input(medium, { config })).decision).toBe('pass');
    const ai = judge(input(medium, { config, ai: { authored: true, evidence: ['trailer'] } }));
    expect(ai.decision).toBe('fail');
    expect(ai.requiredChecks.map((c) => c.id)).toContain('human-review');
  });

  it('keeps an accepted finding visible without letting it block', () => {
    const f = finding({});
    const report = judge(input([f], { acceptances: new Map([[f.id, { who: 'maintainer', reason: 'SDK deadline' }]]) }));
    expect(report.decision).toBe('pass');
    expect(report.findings[0]?.accepted).toEqual({ by: 'maintainer', who: 'maintainer', reason: 'SDK deadline' });
    expect(report.contributions[0]?.points).toBe(0);
  });

  it('raises a removed guardrail that was added by a fix commit, and says so', () => {
    const impact = {
      ...emptyImpact(),
      scars: [
        {
          file: 'src/a.ts',
          line: 3,
          commit: 'abcdef1234',
          date: '2025-03-02T10:00:00Z',
          subject: 'fix: hung checkout (#812)',
          kind: 'fix' as const,
        },
      ],
    };
    const report = judge(input([finding({})], { impact }));
    expect(report.findings[0]?.severity).toBe('critical');
    expect(report.findings[0]?.message).toContain('fix: hung checkout (#812)');
    expect(report.level).toBe('critical');
  });

  it('does not raise a guardrail deleted with its whole file on a scar, but still names the fix', () => {
    const impact = {
      ...emptyImpact(),
      scars: [{ file: 'src/a.ts', line: 3, commit: 'abcdef1234', date: '2025-03-02T10:00:00Z', subject: 'fix: x', kind: 'fix' as const }],
    };
    const inDeletedFile = finding({ severity: 'low', evidence: { kind: 'removed', removed: 'timeout: 5000', fileDeleted: true } });
    const report = judge(input([inDeletedFile], { impact }));
    expect(report.findings[0]?.severity).toBe('low');
    expect(report.findings[0]?.message).toContain('fix: x');
    const kept = judge(input([finding({ severity: 'low', evidence: { kind: 'removed', removed: 'timeout: 5000' } })], { impact }));
    expect(kept.findings[0]?.severity).toBe('medium');
  });

  it('raises a deleted test a fix added only when the code it exercises lost a guardrail in the same PR', () => {
    const scar = {
      file: 'test/a.test.ts',
      line: 8,
      commit: 'abcdef1234',
      date: '2025-03-02T10:00:00Z',
      subject: 'fix: x',
      kind: 'fix' as const,
    };
    const deletedTest = finding({
      rule: 'test-weakening',
      category: 'test-weakening',
      file: 'test/a.test.ts',
      line: 8,
      evidence: { kind: 'removed', removed: "it('rejects an empty name', …)" },
    });
    const alone = judge(input([deletedTest], { impact: { ...emptyImpact(), scars: [scar] } }));
    expect(alone.findings[0]?.severity).toBe('high');
    expect(alone.findings[0]?.message).toContain('fix: x');
    const withCode = judge(
      input([deletedTest, finding({ file: 'src/a.ts', severity: 'medium' })], {
        impact: { ...emptyImpact(), scars: [scar], reachingTests: [{ file: 'src/a.ts', tests: ['test/a.test.ts'] }] },
      }),
    );
    expect(withCode.findings.find((f) => f.rule === 'test-weakening')?.severity).toBe('critical');
  });

  it("counts a test file's weakened tests once in the score, by the heaviest", () => {
    const deleted = [8, 14, 20].map((line) =>
      finding({
        rule: 'test-weakening',
        category: 'test-weakening',
        file: 'test/a.test.ts',
        line,
        severity: line === 14 ? 'high' : 'medium',
      }),
    );
    const report = judge(input([...deleted, finding({ file: 'src/b.ts' })]));
    expect(report.score).toBe(60);
    expect(report.contributions.filter((c) => c.points === 0).map((c) => c.why)).toEqual([
      'medium test-weakening × counted once per test file',
      'medium test-weakening × counted once per test file',
    ]);
  });

  it('weighs hot and untested code more, and critical paths', () => {
    const impact = {
      ...emptyImpact(),
      hotspots: [{ file: 'src/a.ts', source: 'csv' as const, weight: 1 }],
      reachingTests: [{ file: 'src/other.ts', tests: ['test/other.test.ts'] }],
    };
    const config = parseConfig('critical-paths: ["src/**"]\n', 'test.yml');
    const report = judge(input([finding({})], { impact, config }));
    expect(report.contributions[0]?.points).toBe(84.4); // 30 × 1.5 hot × 1.25 untested × 1.5 critical
    expect(report.contributions[0]?.why).toMatch(/hot path.*no test reaches it.*critical path/);
  });

  it('matches a removed line of a renamed file to the head graph, hotspots and critical paths under its new name', () => {
    const impact = {
      ...emptyImpact(),
      hotspots: [{ file: 'src/billing/client.ts', source: 'csv' as const, weight: 1 }],
      reachingTests: [{ file: 'src/billing/client.ts', tests: ['test/billing.test.ts'] }],
    };
    const config = parseConfig('critical-paths: ["src/billing/**"]\n', 'test.yml');
    const renamed = finding({ file: 'src/old-billing.ts', headFile: 'src/billing/client.ts', headLine: 3 });
    const report = judge(input([renamed], { impact, config }));
    expect(report.contributions[0]?.why).toMatch(/hot path.*critical path/);
    expect(report.contributions[0]?.why).not.toMatch(/no test reaches it/);
    expect(report.tests.reaching).toEqual([{ file: 'src/billing/client.ts', tests: ['test/billing.test.ts'] }]);
  });
});
