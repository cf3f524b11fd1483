import { SEVERITIES, type Finding, type Report, type Severity } from '../model.js';
import { normalizeLines, oneLine } from './neutralize.js';

/** How the terminal report is drawn; the CLI decides (TTY, NO_COLOR), the renderer only obeys. */
export interface TextOptions {
  color?: boolean;
}

/** Evidence snippets longer than this are cut in the terminal; the JSON report keeps them whole. */
const MAX_SNIPPET_LINES = 8;
const MAX_LIST_ITEMS = 20;

const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
} as const;

const SEVERITY_COLOR: Record<Severity, keyof typeof ANSI> = {
  critical: 'magenta',
  high: 'red',
  medium: 'yellow',
  low: 'blue',
  info: 'dim',
};

/**
 * Renders the report for a terminal: the verdict first, then findings grouped by severity (most severe
 * first) with their location, symbol, message and evidence, then required checks, tests, hot paths,
 * skipped files and notes. Text from the pull request is stripped of control characters so it cannot
 * drive the terminal.
 */
export function renderText(report: Report, options: TextOptions = {}): string {
  const paint = (style: keyof typeof ANSI, text: string): string => (options.color ? `${ANSI[style]}${text}${ANSI.reset}` : text);
  const out: string[] = [];

  const verdict = report.decision === 'fail' ? paint('red', paint('bold', 'FAIL')) : paint('green', paint('bold', 'PASS'));
  const threshold = report.failOn === 'none' ? 'never fails' : `fails at ${report.failOn}`;
  out.push(`guardrail-gate: ${verdict}  risk ${report.score}/100, level ${report.level} (${threshold})`);
  const open = report.findings.filter((f) => !f.accepted);
  out.push(
    paint(
      'dim',
      `base ${report.base.slice(0, 10)} -> head ${report.head.slice(0, 10)} · ${plural(report.stats.filesChanged, 'file')} changed, ` +
        `${report.stats.filesAnalyzed} analyzed · ${plural(open.length, 'finding')}` +
        (open.length !== report.findings.length ? ` (+${report.findings.length - open.length} accepted)` : '') +
        ` · ${report.stats.durationMs} ms`,
    ),
  );
  if (report.ai.authored) out.push(`AI-authored pull request: ${report.ai.evidence.map(clean).join('; ')}`);

  if (report.findings.length === 0) {
    out.push('', 'No removed or weakened guardrails found.');
  }
  for (const severity of [...SEVERITIES].reverse()) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push('', paint(SEVERITY_COLOR[severity], paint('bold', `${severity.toUpperCase()} (${group.length})`)));
    for (const finding of group) out.push(...renderFinding(finding, paint));
  }

  if (report.requiredChecks.length) {
    out.push('', paint('bold', 'Required checks'));
    for (const check of report.requiredChecks) out.push(`  [ ] ${clean(check.title)}${check.reason ? ` (${clean(check.reason)})` : ''}`);
  }
  if (report.tests.affected.length) {
    out.push('', paint('bold', `Affected tests (${report.tests.affected.length})`));
    out.push(...capped(report.tests.affected.map((t) => `  ${clean(t)}`)));
    if (report.tests.command) out.push(`  run: ${clean(report.tests.command)}`);
  }
  if (report.tests.untested.length) {
    out.push('', paint('bold', `Changed code no test reaches (${report.tests.untested.length})`));
    out.push(...capped(report.tests.untested.map((u) => `  ${clean(u.file)} ${clean(u.symbol)}`)));
  }
  if (report.hotspots.length) {
    out.push('', paint('bold', 'Hot paths'));
    const hot = [...report.hotspots].sort((a, b) => b.weight - a.weight);
    out.push(
      ...capped(hot.map((h) => `  ${clean(h.file)}${h.symbol ? ` ${clean(h.symbol)}` : ''} (${h.source}, weight ${h.weight.toFixed(2)})`)),
    );
  }
  if (report.skipped.length) {
    out.push('', paint('bold', `Skipped (${report.skipped.length})`));
    out.push(...capped(report.skipped.map((s) => `  ${clean(s.file)}: ${clean(s.reason)}`)));
  }
  if (report.notes.length) {
    out.push('', paint('bold', 'Notes'));
    out.push(...report.notes.map((n) => `  - ${clean(n)}`));
  }
  return out.join('\n') + '\n';
}

function renderFinding(finding: Finding, paint: (style: keyof typeof ANSI, text: string) => string): string[] {
  const removed = finding.side === 'base' ? ` (base, removed${finding.headFile ? `; now in ${clean(finding.headFile)}` : ''})` : '';
  const where = `${clean(finding.file)}:${finding.line}${removed}`;
  // The message id (weakened, moved, ...) reads better beside the rule than as an evidence line.
  const { kind, ...evidence } = finding.evidence ?? {};
  const messageId = finding.messageId ?? kind;
  const kindLabel = messageId !== undefined && messageId !== 'removed' ? ` (${clean(messageId)})` : '';
  const lines = [
    `  ${paint('cyan', where)}${finding.symbol ? ` ${paint('bold', clean(finding.symbol))}` : ''}  ${paint('dim', `[${finding.category}] ${finding.rule}${kindLabel}`)}`,
    `    ${clean(finding.message)}`,
  ];
  if (finding.accepted) {
    lines.push(`    accepted${finding.accepted.who ? ` by ${clean(finding.accepted.who)}` : ''}: ${clean(finding.accepted.reason)}`);
  }
  for (const [key, value] of Object.entries(evidence)) {
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string' && normalizeLines(value).includes('\n')) {
      const marker = /^(removed|before|base|old)/i.test(key) ? '-' : /^(added|after|head|new)/i.test(key) ? '+' : ' ';
      const snippet = normalizeLines(value).replace(/\n+$/, '').split('\n');
      lines.push(paint('dim', `    ${key}:`));
      for (const line of snippet.slice(0, MAX_SNIPPET_LINES)) {
        const styled = `      ${marker} ${clean(line)}`;
        lines.push(marker === '-' ? paint('red', styled) : marker === '+' ? paint('green', styled) : styled);
      }
      if (snippet.length > MAX_SNIPPET_LINES) lines.push(paint('dim', `      … ${snippet.length - MAX_SNIPPET_LINES} more lines`));
    } else {
      const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
      lines.push(paint('dim', `    ${key}: ${clean(text.length > 160 ? `${text.slice(0, 157)}...` : text)}`));
    }
  }
  return lines;
}

function capped(items: string[]): string[] {
  return items.length <= MAX_LIST_ITEMS ? items : [...items.slice(0, MAX_LIST_ITEMS), `  … and ${items.length - MAX_LIST_ITEMS} more`];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Removes control characters (escape sequences from PR content must not reach the terminal). */
function clean(text: string): string {
  return oneLine(text);
}
