import type { Report } from '../model.js';
import { MAX_COMMENT_CHARS, renderWithinBudget } from './comment.js';

/**
 * Renders the report as the PR comment body (`--format markdown`): the same body the Action posts as its
 * sticky comment, without the hidden marker and the acceptance footer that only make sense on GitHub.
 * Shares the comment renderer so that the two never drift; stays within GitHub's 65,536-character limit
 * and says so when findings had to be left out.
 */
export function renderMarkdown(report: Report): string {
  const body = renderWithinBudget(report, {}, { budget: MAX_COMMENT_CHARS });
  return body.endsWith('\n') ? body : `${body}\n`;
}
