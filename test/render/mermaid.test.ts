import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/core/model.js';
import { MAX_COMMENT_CHARS, renderComment } from '../../src/core/render/comment.js';
import { mermaidLabel } from '../../src/core/render/mermaid.js';
import { renderSummary } from '../../src/core/render/summary.js';
import { sampleFinding, sampleReport } from '../support/reports.js';

// The comment's Mermaid diagrams: one per open high or critical finding, from its changed unit to the
// tests that reach it and the hot paths that run it, drawn only in the room the findings' text leaves.

const finding = sampleFinding;

function report(findings: Finding[], overrides: Partial<Report> = {}): Report {
  return sampleReport(findings, {
    tests: {
      affected: ['test/client.test.ts', 'test/e2e/checkout.test.ts'],
      untested: [],
      reaching: findings.map((f) => ({ file: f.file, tests: ['test/client.test.ts', 'test/e2e/checkout.test.ts'] })),
    },
    hotspots: [
      { file: 'src/client-1.ts', symbol: 'Client1.constructor', source: 'otlp', weight: 0.9, figures: { calls: 120000, p95Ms: 230 } },
    ],
    ...overrides,
  });
}

const mermaidBlocks = (body: string): string[] => [...body.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);

describe('impact diagrams in the sticky comment and the job summary', () => {
  it('draws each high or critical finding: the unit, the tests that reach it, the hot path that runs it', () => {
    const body = renderComment(report([finding(1, 'critical'), finding(2, 'high'), finding(3, 'medium')]));
    const blocks = mermaidBlocks(body);
    expect(blocks).toHaveLength(2); // not the medium one
    expect(body.indexOf('### Impact paths')).toBeGreaterThan(body.indexOf('### Findings'));
    const [first] = blocks;
    expect(first).toMatch(/^flowchart LR\n {2}unit\["src\/client-1\.ts · Client1\.constructor<br\/>removed-timeout \(critical\)"\]/);
    expect(first).toContain('hot0(["production otlp: Client1.constructor<br/>calls 120000, p95Ms 230"]) -->|runs| unit');
    expect(first).toContain('unit -->|reached by| test0["test/client.test.ts"]');
    expect(first).toContain('unit -->|reached by| test1["test/e2e/checkout.test.ts"]');
    expect(blocks[1]).not.toContain('hot0');
    expect(mermaidBlocks(renderSummary(report([finding(1, 'critical')])))).toHaveLength(1);
  });

  it('says when no test reaches the unit, and draws nothing for accepted or lower findings', () => {
    const untested = report([finding(1)], {
      tests: { affected: [], untested: [{ file: 'src/client-1.ts', symbol: 'Client1.constructor' }] },
    });
    expect(mermaidBlocks(renderComment(untested))[0]).toContain('unit -.-> none["no test reaches it"]');
    const accepted = finding(2, 'high', { accepted: { by: 'maintainer', who: 'mia', reason: 'ok' } });
    const quiet = renderComment(report([accepted, finding(3, 'medium'), finding(4, 'low')]));
    expect(quiet).not.toContain('### Impact paths');
  });

  it('gives way to the findings: a diagram is drawn only when every finding fits, and the comment stays in budget', () => {
    let partial = false;
    for (let count = 1; count <= 160; count += 1) {
      const findings = Array.from({ length: count }, (_, i) => finding(i + 1));
      const body = renderComment(report(findings));
      expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
      const shortened = body.includes('This comment was shortened');
      const drawn = mermaidBlocks(body).length;
      if (shortened) expect(drawn, `${count} findings`).toBe(0);
      if (drawn > 0 && drawn < count && !shortened) partial = true;
    }
    expect(partial, 'some size at which all findings fit but not all diagrams').toBe(true);
  });

  it('keeps pull request text from breaking out of a label, the diagram or the fence', () => {
    const hostile = finding(1, 'high', { file: 'src/a"]-->x[evil]`.ts', symbol: '```\n<img src=x onerror=alert(1)> #1; |x|' });
    const [block] = mermaidBlocks(
      renderComment(
        report([hostile], { tests: { affected: [], untested: [], reaching: [{ file: hostile.file, tests: ['t"]`<b>.ts'] }] } }),
      ),
    );
    expect(block).toBeDefined();
    const labels = [...block!.matchAll(/\["([^"]*)"\]/g)].map((m) => m[1]!);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (const label of labels) expect(label.replace(/<br\/>/g, '')).not.toMatch(/["`<>[\]|]/);
    expect(block).not.toContain('```');
    expect(mermaidLabel('a"b<c>`d#e')).toBe('a#34;b#60;c#62;#96;d#35;e');
    expect(mermaidLabel('x'.repeat(200))).toHaveLength(80);
  });
});
