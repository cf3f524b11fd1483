import type { Report } from '../model.js';
import { MAX_SUMMARY_CHARS, renderWithinBudget, type CommentContext } from './comment.js';

/**
 * Renders the job summary: the same sections as the sticky comment with a 1 MiB budget, so it holds the
 * full report when the comment had to be cut, and it works on fork PRs where nothing can be posted.
 */
export function renderSummary(report: Report, context: CommentContext = {}): string {
  const footer = `\n<sub>guardrail-gate ${report.tool.version} · base ${report.base.slice(0, 12)} · head ${report.head.slice(0, 12)}</sub>\n`;
  return renderWithinBudget(report, { ...context, summaryUrl: undefined }, { budget: MAX_SUMMARY_CHARS, footer });
}
