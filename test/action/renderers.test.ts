import { describe, expect, it } from 'vitest';
import { parseAcceptanceBlock } from '../../src/core/accept/store.js';
import type { Finding, Report, Severity } from '../../src/core/model.js';
import { renderAnnotations } from '../../src/core/render/annotations.js';
import { code, fence, MAX_COMMENT_CHARS, renderComment, STICKY_MARKER } from '../../src/core/render/comment.js';
import { readFindingMarker, renderReviewComment } from '../../src/core/render/review.js';
import { renderSummary } from '../../src/core/render/summary.js';
import { sampleFinding, sampleReport } from '../support/reports.js';

function finding(i: number, severity: Severity = 'high', extra: Partial<Finding> = {}): Finding {
  return sampleFinding(i, severity, { headLine: 9 + i, ...extra });
}

function report(findings: Finding[], overrides: Partial<Report> = {}): Report {
  return sampleReport(findings, {
    tests: { affected: ['test/billing.test.ts'], untested: [] },
    hotspots: [{ file: 'src/billing.ts', symbol: 'charge', source: 'otlp', weight: 0.9 }],
    requiredChecks: [{ id: 'affected-tests', title: 'Run the affected tests', reason: '1 test reaches the changed code' }],
    ai: { authored: true, evidence: ['branch claude/x uses the agent prefix claude/'] },
    ...overrides,
  });
}

describe('sticky comment', () => {
  it('starts with the marker and holds verdict, required checks, findings by severity, tests, hot paths and the acceptance block', () => {
    const body = renderComment(report([finding(1, 'critical'), finding(2, 'medium')]), {
      acceptances: [{ id: 'gg-0000000000000002', who: 'mia', reason: 'ok' }],
      notInline: ['gg-0000000000000002'],
    });
    expect(body.startsWith(`${STICKY_MARKER}\n`)).toBe(true);
    expect(body).toContain('❌ **fail** · risk 80/100 (high)');
    expect(body.indexOf('### Required checks')).toBeLessThan(body.indexOf('### Findings'));
    expect(body.indexOf('critical (1)')).toBeLessThan(body.indexOf('medium (1)'));
    expect(body).toContain('no inline comment (its line is not in the diff');
    expect(body).toContain('### Affected tests');
    expect(body).toContain('### Hot paths');
    expect(body).toContain('AI-authored pull request');
    expect(parseAcceptanceBlock(body)).toEqual([{ id: 'gg-0000000000000002', who: 'mia', reason: 'ok' }]);
  });

  it('stays within 65,536 characters, says how many findings it left out and links the job summary', () => {
    const many = Array.from({ length: 400 }, (_, i) => finding(i));
    const body = renderComment(report(many), {
      summaryUrl: 'https://github.com/acme/payments/actions/runs/42',
      acceptances: [{ id: 'gg-1', who: 'mia', reason: 'kept' }],
    });
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    const shown = (body.match(/^- \*\*removed-timeout\*\*/gm) ?? []).length;
    expect(shown).toBeGreaterThan(10);
    expect(body).toContain(`${400 - shown} more findings are in [the job summary](https://github.com/acme/payments/actions/runs/42)`);
    expect(parseAcceptanceBlock(body)).toEqual([{ id: 'gg-1', who: 'mia', reason: 'kept' }]);
    // The job summary has room for all of them.
    expect((renderSummary(report(many)).match(/^- \*\*removed-timeout\*\*/gm) ?? []).length).toBe(400);
  });

  it('escapes pull request text: markup, mentions, backticks, fences', () => {
    const hostile = finding(1, 'high', {
      symbol: 'a`b',
      message: 'See <img src=x onerror=alert(1)> and @everyone',
      evidence: {
        removed: '```\n<!-- guardrail-gate:acceptances {"v":1,"accepted":[{"id":"gg-0000000000000001","who":"eve","reason":"x"}]} -->\n```',
      },
    });
    const body = renderComment(report([hostile]));
    expect(body).not.toContain('<img');
    expect(body).not.toContain('@everyone');
    expect(body).toContain('``a`b``');
    expect(fence('```js\nx\n```')).toMatch(/^````\n/);
    expect(code('`x`')).toBe('`` `x` ``');
    // Our block is still the one that counts.
    expect(parseAcceptanceBlock(body)).toEqual([]);
  });
});

describe('annotations', () => {
  it('shows at most 10 errors and 10 warnings, most severe first, then one notice counting the rest', () => {
    const findings = [
      ...Array.from({ length: 14 }, (_, i) => finding(i, 'high')),
      ...Array.from({ length: 12 }, (_, i) => finding(100 + i, 'medium')),
      finding(200, 'info'),
    ];
    const annotations = renderAnnotations(report(findings));
    expect(annotations.filter((a) => a.level === 'error')).toHaveLength(10);
    expect(annotations.filter((a) => a.level === 'warning')).toHaveLength(10);
    const notices = annotations.filter((a) => a.level === 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toBe('6 more findings and 1 accepted or informational in the job summary');
  });

  it('anchors a removed line at the nearest surviving head line and says so', () => {
    const [annotation] = renderAnnotations(report([finding(1)]));
    expect(annotation).toMatchObject({ level: 'error', file: 'src/client-1.ts', startLine: 10 });
    expect(annotation!.message).toContain('removed at line 11 of the base version; shown at the nearest surviving line');
    const [noAnchor] = renderAnnotations(report([finding(2, 'high', { headLine: undefined })]));
    expect(noAnchor!.startLine).toBeUndefined();
  });
});

describe('review comments', () => {
  it('puts a removed-line finding on the LEFT side at its base line, with its id in a marker', () => {
    const comment = renderReviewComment(finding(3));
    expect(comment).toMatchObject({ path: 'src/client-3.ts', line: 13, side: 'LEFT', findingId: 'gg-0000000000000003' });
    expect(readFindingMarker(comment.body)).toBe('gg-0000000000000003');
    expect(renderReviewComment(finding(4, 'high', { side: 'head' })).side).toBe('RIGHT');
  });
});
