import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/core/model.js';
import { renderJson } from '../../src/core/render/json.js';
import { renderMarkdown } from '../../src/core/render/markdown.js';
import { renderSarif, type RuleDescription } from '../../src/core/render/sarif.js';
import { renderText } from '../../src/core/render/text.js';

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: 'removed-timeout:src/http/client.ts:createClient:axios.create',
    rule: 'removed-timeout',
    category: 'timeout',
    severity: 'high',
    file: 'src/http/client.ts',
    line: 14,
    side: 'base',
    headLine: 11,
    symbol: 'createClient',
    message: 'The 5000 ms timeout on axios.create was removed.',
    evidence: { removed: 'timeout: 5000,\nsignal,', before: 5000 },
    ...overrides,
  };
}

function report(findings: Finding[], overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'guardrail-gate', version: '0.1.0' },
    base: 'a'.repeat(40),
    head: 'b'.repeat(40),
    decision: 'fail',
    score: 64,
    level: 'high',
    failOn: 'high',
    contributions: findings.map((f) => ({ findingId: f.id, points: 20, why: 'removed timeout' })),
    findings,
    tests: { affected: ['test/client.test.ts'], untested: [{ file: 'src/payments.ts', symbol: 'charge' }] },
    hotspots: [{ file: 'src/http/client.ts', symbol: 'createClient', source: 'csv', weight: 0.9 }],
    requiredChecks: [{ id: 'affected-tests', title: 'Run the affected tests', reason: '1 test file reaches the change' }],
    ai: { authored: true, evidence: ['commit trailer Co-authored-by: Claude'] },
    stats: { filesChanged: 3, filesAnalyzed: 2, durationMs: 42 },
    skipped: [{ file: 'assets/logo.png', reason: 'binary file' }],
    notes: ['no coverage file given'],
    ...overrides,
  };
}

const catalogue: RuleDescription[] = [
  {
    id: 'removed-timeout',
    category: 'timeout',
    severity: 'high',
    description: 'A timeout was removed',
    docs: { catches: 'timeouts', ignores: 'moves' },
  },
  { id: 'removed-retry', category: 'retry', severity: 'high', description: 'A retry was removed' },
];

describe('renderText', () => {
  const findings = [
    finding(),
    finding({
      id: 'x2',
      rule: 'removed-validation',
      category: 'validation',
      severity: 'critical',
      file: 'src/routes/orders.ts',
      line: 8,
      side: 'head',
      symbol: 'createOrder',
      message: 'Body validation removed.',
    }),
    finding({
      id: 'x3',
      rule: 'new-unguarded-call',
      category: 'timeout',
      severity: 'medium',
      file: 'src/new.ts',
      line: 3,
      side: 'head',
      message: 'New call without timeout.',
      evidence: undefined,
    }),
  ];

  it('puts the verdict first and groups findings from most to least severe', () => {
    const text = renderText(report(findings));
    const lines = text.split('\n');
    expect(lines[0]).toBe('guardrail-gate: FAIL  risk 64/100, level high (fails at high)');
    const order = ['CRITICAL (1)', 'HIGH (1)', 'MEDIUM (1)'].map((h) => lines.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('src/http/client.ts:14 (base, removed) createClient  [timeout] removed-timeout');
    expect(text).toContain('      - timeout: 5000,');
    expect(text).toContain('    before: 5000');
    expect(renderText(report([finding({ evidence: { kind: 'moved', foundIn: 'helper' } })]))).toContain(
      '[timeout] removed-timeout (moved)',
    );
    expect(renderText(report([finding({ evidence: { kind: 'removed' } })]))).not.toContain('kind');
    expect(text).toContain('[ ] Run the affected tests (1 test file reaches the change)');
    expect(text).toContain('assets/logo.png: binary file');
    expect(text).toContain('AI-authored pull request: commit trailer Co-authored-by: Claude');
  });

  it('uses color only when asked, and strips escape sequences that come from the pull request', () => {
    const hostile = finding({ message: 'evil \x1b[2J message', symbol: 'f\x1b]0;title\x07' });
    const plain = renderText(report([hostile]));
    expect(plain).not.toContain('\x1b');
    const colored = renderText(report([hostile]), { color: true });
    expect(colored).toContain('\x1b[31m');
    expect(colored).not.toContain('\x1b[2J');
  });

  it('says so when there is nothing to report', () => {
    const text = renderText(report([], { decision: 'pass', score: 0, level: 'none' }));
    expect(text.split('\n')[0]).toContain('PASS');
    expect(text).toContain('No removed or weakened guardrails found.');
  });
});

describe('renderJson', () => {
  it('is exactly the report as one JSON document', () => {
    const r = report([finding()]);
    const out = renderJson(r);
    expect(JSON.parse(out)).toEqual(r);
    expect(out.endsWith('}\n')).toBe(true);
  });
});

describe('renderMarkdown', () => {
  it('renders verdict, findings, checks and tests', () => {
    const md = renderMarkdown(report([finding()]));
    expect(md).toMatch(/^## guardrail-gate: .*fail/m);
    expect(md).toContain('**removed-timeout** `src/http/client.ts:14`');
    expect(md).toContain('Required checks');
    expect(md).toContain('test/client.test.ts');
  });

  it('stays within the 65,536-character comment limit and says what it left out', () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      finding({
        id: `f${i}`,
        line: i + 1,
        message: `Finding number ${i} with a long message `.repeat(3),
        evidence: { removed: 'x\n'.repeat(10) },
      }),
    );
    const md = renderMarkdown(report(many));
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toMatch(/shortened to fit/i);
  });
});

describe('renderSarif', () => {
  const findings = [
    finding(),
    finding({
      id: 'v1',
      rule: 'removed-validation',
      category: 'validation',
      severity: 'medium',
      side: 'head',
      line: 30,
      headLine: undefined,
    }),
    finding({
      id: 'i1',
      rule: 'removed-retry',
      category: 'retry',
      severity: 'low',
      side: 'head',
      line: 5,
      accepted: { by: 'maintainer', reason: 'known', who: 'octo' },
    }),
  ];
  const log = JSON.parse(renderSarif(report(findings), catalogue));

  it('is a SARIF 2.1.0 log with one run whose rules cover the catalogue and every finding', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('guardrail-gate');
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['removed-retry', 'removed-timeout', 'removed-validation']);
    expect(run.tool.driver.rules[1]).toMatchObject({
      defaultConfiguration: { level: 'error' },
      shortDescription: { text: 'A timeout was removed' },
    });
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
  });

  it('anchors removed-line findings on the surviving head line and keeps fingerprints stable', () => {
    const [removed, validation, accepted] = log.runs[0].results;
    expect(removed.level).toBe('error');
    expect(removed.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'src/http/client.ts' }, region: { startLine: 11 } });
    expect(removed.message.text).toContain('removed line 14 of the base version');
    expect(removed.partialFingerprints).toEqual({ 'guardrailGate/v1': findings[0]!.id });
    expect(validation.level).toBe('warning');
    expect(validation.locations[0].physicalLocation.region.startLine).toBe(30);
    expect(accepted.level).toBe('note');
    expect(accepted.suppressions).toEqual([{ kind: 'external', justification: 'known' }]);
  });
});
