import { oneLine } from './neutralize.js';
import { headPath, type Finding, type Report } from '../model.js';

/**
 * Mermaid diagrams (GitHub renders ```mermaid blocks) of where a high or critical finding leads: from the
 * changed unit to the test files that reach it and to the hot production entry points that run it. They
 * repeat what the text already says, drawn; the comment adds them only with the room its findings left.
 */

/** More boxes than this and a diagram stops being readable in a comment. */
const MAX_TESTS = 8;
const MAX_HOT = 3;
const MAX_LABEL_CHARS = 80;

/** One diagram per open high or critical finding, in the report's order (worst first). */
export function impactDiagrams(report: Report): { findingId: string; markdown: string }[] {
  return report.findings
    .filter((f) => !f.accepted && (f.severity === 'high' || f.severity === 'critical'))
    .map((finding) => ({ findingId: finding.id, markdown: diagram(report, finding) }));
}

function diagram(report: Report, finding: Finding): string {
  const lines = ['```mermaid', 'flowchart LR'];
  const unit = `${finding.file}${finding.symbol ? ` · ${finding.symbol}` : ''}`;
  lines.push(`  unit["${mermaidLabel(unit)}<br/>${mermaidLabel(`${finding.rule} (${finding.severity})`)}"]`);

  // Hotspots and the tests that reach it are of the head version: a renamed file's new name.
  const where = headPath(finding);
  const hot = report.hotspots
    .filter(
      (h) => h.file === where && (!h.symbol || !finding.symbol || h.symbol === finding.symbol || finding.symbol.endsWith(`.${h.symbol}`)),
    )
    .sort((a, b) => b.weight - a.weight)
    .slice(0, MAX_HOT);
  hot.forEach((h, i) => {
    const figures = h.figures
      ? Object.entries(h.figures)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : `weight ${h.weight.toFixed(2)}`;
    lines.push(
      `  hot${i}(["${mermaidLabel(`production ${h.source}: ${h.symbol ?? h.file}`)}<br/>${mermaidLabel(figures)}"]) -->|runs| unit`,
    );
  });

  const reaching = report.tests.reaching?.find((r) => r.file === where)?.tests;
  if (reaching?.length) {
    reaching.slice(0, MAX_TESTS).forEach((test, i) => lines.push(`  unit -->|reached by| test${i}["${mermaidLabel(test)}"]`));
    if (reaching.length > MAX_TESTS) lines.push(`  unit -.-> more["${mermaidLabel(`and ${reaching.length - MAX_TESTS} more tests`)}"]`);
  } else if (report.tests.untested.some((u) => u.file === where) || report.tests.reaching !== undefined) {
    lines.push('  unit -.-> none["no test reaches it"]');
  }
  lines.push('```');
  return lines.join('\n');
}

/**
 * Text from the pull request inside a quoted Mermaid label: quotes, angle brackets, `#`, backticks and
 * line breaks cannot end the label, inject markup or close the code fence; Mermaid's `#code;` entities
 * render them as the characters they were.
 */
export function mermaidLabel(text: string): string {
  // oneLine first: the control characters every renderer neutralises (ESC, BEL, NUL) become visible text.
  const flat = oneLine(text).replace(/\s+/g, ' ').trim();
  const short = flat.length > MAX_LABEL_CHARS ? `${flat.slice(0, MAX_LABEL_CHARS - 1)}…` : flat;
  return short.replace(/[#"<>`&|{}[\]\\;]/g, (c) => `#${c.charCodeAt(0)};`);
}
