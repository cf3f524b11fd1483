import { levelRank, severityRank, type Finding, type Report } from '../model.js';
import { oneLine } from './neutralize.js';

/** The runner shows at most 10 error and 10 warning annotations per step; more are silently dropped. */
export const MAX_ERROR_ANNOTATIONS = 10;
export const MAX_WARNING_ANNOTATIONS = 10;

/** One workflow-command annotation; the adapter escapes it when it is written. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  title: string;
  message: string;
  file?: string;
  startLine?: number;
}

/**
 * Renders findings as annotations within the runner's budget: findings that fail the gate are errors,
 * the others warnings, most severe first; one notice counts what did not fit. Annotations point at head
 * lines only; a finding on a removed line is anchored to the nearest surviving line and says so.
 */
export function renderAnnotations(report: Report): Annotation[] {
  const failRank = report.failOn === 'none' ? Infinity : levelRank(report.failOn);
  const open = report.findings
    .filter((f) => !f.accepted && f.severity !== 'info')
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const errors: Annotation[] = [];
  const warnings: Annotation[] = [];
  let overflow = 0;
  for (const finding of open) {
    const failing = severityRank(finding.severity) >= failRank;
    const bucket = failing ? errors : warnings;
    const cap = failing ? MAX_ERROR_ANNOTATIONS : MAX_WARNING_ANNOTATIONS;
    if (bucket.length < cap) bucket.push(toAnnotation(finding, failing ? 'error' : 'warning'));
    else overflow += 1;
  }
  const quiet = report.findings.length - open.length;
  const annotations = [...errors, ...warnings];
  if (overflow > 0 || (quiet > 0 && annotations.length === 0 && report.findings.length > 0)) {
    const parts = [
      overflow ? `${overflow} more finding${overflow === 1 ? '' : 's'}` : '',
      quiet ? `${quiet} accepted or informational` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    annotations.push({ level: 'notice', title: 'guardrail-gate', message: `${parts} in the job summary` });
  }
  return annotations;
}

function toAnnotation(finding: Finding, level: 'error' | 'warning'): Annotation {
  const title = `guardrail-gate: ${oneLine(finding.rule)} (${finding.severity})`;
  const message = oneLine(finding.message);
  if (finding.side === 'head') return { level, title, message, file: finding.file, startLine: finding.line };
  const removedAt = `removed at line ${finding.line} of the base version`;
  if (finding.headLine !== undefined) {
    // The head line counts in the head version's path (a renamed file's new name).
    const file = finding.headFile ?? finding.file;
    return { level, title, message: `${message} (${removedAt}; shown at the nearest surviving line)`, file, startLine: finding.headLine };
  }
  return { level, title, message: `${message} (${removedAt})`, file: finding.file };
}
