import type { Finding, Report, Severity } from '../../src/core/model.js';

// Reports built by hand for the renderer tests: a removed timeout per finding, with an evidence snippet long
// enough to be cut, and a report whose fields each test overrides where it matters.

export function sampleFinding(i: number, severity: Severity = 'high', extra: Partial<Finding> = {}): Finding {
  return {
    id: `gg-${String(i).padStart(16, '0')}`,
    rule: 'removed-timeout',
    category: 'timeout',
    severity,
    file: `src/client-${i}.ts`,
    line: 10 + i,
    side: 'base',
    symbol: `Client${i}.constructor`,
    message: `Client${i} no longer has a timeout option on axios.create: the call can now wait forever.`,
    evidence: { removed: `timeout: ${i}000`, before: 'x'.repeat(300) + '\n' + 'const a = 1;\n'.repeat(30) },
    ...extra,
  };
}

export function sampleReport(findings: Finding[], overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'guardrail-gate', version: '0.1.0' },
    base: 'a'.repeat(40),
    head: 'b'.repeat(40),
    decision: 'fail',
    score: 80,
    level: 'high',
    failOn: 'high',
    contributions: [],
    findings,
    tests: { affected: [], untested: [] },
    hotspots: [],
    requiredChecks: [],
    ai: { authored: false, evidence: [] },
    stats: { filesChanged: 1, filesAnalyzed: 1, durationMs: 10 },
    skipped: [],
    notes: [],
    ...overrides,
  };
}
