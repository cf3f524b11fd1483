import type { Finding, Report } from '../model.js';
import { code, plain, renderEvidence } from './comment.js';

/** Inline comments beyond this many go to the sticky comment: one review, few notifications. */
export const MAX_REVIEW_COMMENTS = 25;

/**
 * An inline review comment on the line a finding lives on (LEFT = base line of removed code), by the path of
 * that side; the GitHub adapter posts a renamed file's LEFT comments under its new name, as GitHub wants.
 */
export interface ReviewComment {
  findingId: string;
  path: string;
  line: number;
  side: 'LEFT' | 'RIGHT';
  body: string;
}

/** Hidden marker carried by every inline comment, so a re-run recognizes its own comments by finding id. */
export function findingMarker(id: string): string {
  return `<!-- guardrail-gate:finding:${id} -->`;
}

const MARKER_PATTERN = /<!-- guardrail-gate:finding:([^\s>]+) -->\s*$/;

/** The finding id of one of our inline comments, read from the marker at the end of its body. */
export function readFindingMarker(body: string): string | undefined {
  return MARKER_PATTERN.exec(body)?.[1];
}

/** Renders one finding as an inline review comment on its own side of the diff. */
export function renderReviewComment(finding: Finding): ReviewComment {
  const lines = [`**guardrail-gate · ${plain(finding.rule)}** (${finding.severity}): ${plain(finding.message)}`];
  if (finding.symbol) lines.push('', `In ${code(finding.symbol)}${finding.side === 'base' ? ', on this removed line' : ''}.`);
  const evidence = renderEvidence(finding.evidence, '');
  if (evidence) lines.push('', evidence);
  lines.push(
    '',
    `<sub>Finding ${code(finding.id)} · accept with \`/guardrail-gate accept ${finding.id} <reason>\`</sub>`,
    findingMarker(finding.id),
  );
  return {
    findingId: finding.id,
    path: finding.file,
    line: finding.line,
    side: finding.side === 'base' ? 'LEFT' : 'RIGHT',
    body: lines.join('\n'),
  };
}

/** The body a comment gets when its finding no longer appears, when its thread cannot be resolved. */
export function renderGoneComment(previousBody: string, head: string): string {
  const id = readFindingMarker(previousBody) ?? '';
  return [`~~This guardrail-gate finding no longer appears~~ ✅ resolved as of ${head.slice(0, 12)}.`, '', findingMarker(id)].join('\n');
}

/** Review comments for the report's open findings, most severe first. */
export function renderReviewComments(report: Report): ReviewComment[] {
  return report.findings.filter((f) => f.severity !== 'info').map(renderReviewComment);
}
