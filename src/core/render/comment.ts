import { renderAcceptanceBlock, type AcceptanceRecord } from '../accept/store.js';
import { SEVERITIES, severityRank, type Evidence, type Finding, type Report, type Severity } from '../model.js';
import { impactDiagrams } from './mermaid.js';
import { normalizeLines, oneLine } from './neutralize.js';

/** GitHub rejects issue comments longer than this ("maximum is 65536 characters"). */
export const MAX_COMMENT_CHARS = 65_536;
/** A step summary over 1 MiB fails to upload; stay well under it. */
export const MAX_SUMMARY_CHARS = 1_000_000;
/** Hidden first line of the sticky comment: how a later run finds it again. */
export const STICKY_MARKER = '<!-- guardrail-gate:sticky v=1 -->';
/** Longest evidence snippet shown per value; more belongs in the job summary or the code itself. */
const MAX_SNIPPET_LINES = 15;
const MAX_SNIPPET_CHARS = 1_500;
/** Long lists (tests, hot paths) are cut to this many entries with an "and N more" line. */
const MAX_LIST_ITEMS = 50;

/** What the comment needs beyond the Report: where things could not go, and who accepted what. */
export interface CommentContext {
  /** Ids of findings whose location is not in the PR's diff, so they have no inline review comment. */
  notInline?: readonly string[];
  /** Acceptances currently in force (their findings are in the report). */
  acceptances?: readonly AcceptanceRecord[];
  /** Acceptances whose finding changed or went away since they were given. */
  lapsed?: readonly AcceptanceRecord[];
  /** Link to the run's job summary, used when the comment had to be cut. */
  summaryUrl?: string;
  /** Short lines for the reader about this run (an acceptance recorded, a surface that could not publish). */
  messages?: readonly string[];
}

/**
 * Renders the sticky PR comment: marker, verdict, required checks, findings grouped by severity with their
 * evidence, affected tests, hot paths, acceptances, and the hidden acceptance block at the very end.
 * Stays within `MAX_COMMENT_CHARS`; when it has to cut, it says so and links to the job summary.
 */
export function renderComment(report: Report, context: CommentContext = {}): string {
  const footer = [
    '',
    `<sub>Accept a finding with a comment: \`/guardrail-gate accept <finding-id> <reason>\` (or \`accept all <reason>\`); requires write access.</sub>`,
    renderAcceptanceBlock([...(context.acceptances ?? [])]),
  ].join('\n');
  return renderWithinBudget(report, context, { budget: MAX_COMMENT_CHARS, first: STICKY_MARKER, footer });
}

/** Options of the shared report renderer. */
export interface BudgetOptions {
  budget: number;
  /** Text that opens the document (the hidden marker). */
  first?: string;
  /** Text that closes the document and is never cut (how-to line, acceptance block). */
  footer?: string;
}

/**
 * The body shared by the sticky comment and the job summary. Findings are added one by one while they fit;
 * the rest are counted in a note that points at `summaryUrl`.
 */
export function renderWithinBudget(report: Report, context: CommentContext, options: BudgetOptions): string {
  const head = [options.first, ...renderHeader(report, context)].filter((s): s is string => s !== undefined).join('\n');
  const tail = renderTail(report, context).join('\n');
  const footer = options.footer ?? '';
  const blocks = renderFindingBlocks(report, context);
  const cutNoteReserve = 400;
  let room = options.budget - head.length - tail.length - footer.length - cutNoteReserve;
  const kept: string[] = [];
  let omitted = 0;
  for (const block of blocks) {
    if (omitted === 0 && block.length + 1 <= room) {
      kept.push(block);
      room -= block.length + 1;
    } else if (block.startsWith('- ')) {
      omitted += 1;
    }
  }
  if (omitted === 0) kept.push(...impactSection(report, room));
  if (omitted > 0) {
    const where = context.summaryUrl ? `[the job summary](${context.summaryUrl})` : 'the job summary';
    kept.push(
      '',
      `> [!NOTE]\n> This comment was shortened to fit GitHub's size limit: ${omitted} more finding${omitted === 1 ? '' : 's'} are in ${where}.`,
    );
  }
  let body = [head, ...kept, tail, footer].join('\n');
  if (body.length > options.budget) {
    // The tail itself was too long (huge lists): cut hard, keeping the footer that holds the stored state.
    const note = `\n\n> [!NOTE]\n> Shortened to fit GitHub's size limit; the full report is in ${context.summaryUrl ? `[the job summary](${context.summaryUrl})` : 'the job summary'}.\n`;
    body = body.slice(0, Math.max(0, options.budget - footer.length - note.length - 1)) + note + footer;
  }
  return body;
}

/**
 * The Mermaid diagrams of the high and critical findings, as many as fit in `room` (what every finding's
 * text left over): a picture of what the text already says, so it is the first thing to go.
 */
function impactSection(report: Report, room: number): string[] {
  const heading = [
    '',
    '### Impact paths',
    '',
    '<sub>From the changed code of each high or critical finding to the tests that reach it and the production paths that run it.</sub>',
  ];
  let left = room - heading.join('\n').length - 1;
  const blocks: string[] = [];
  for (const { findingId, markdown } of impactDiagrams(report)) {
    const finding = report.findings.find((f) => f.id === findingId)!;
    const block = ['', `${code(findingId)} **${plain(finding.rule)}** ${code(`${finding.file}:${finding.line}`)}`, '', markdown].join('\n');
    if (block.length + 1 > left) break;
    blocks.push(block);
    left -= block.length + 1;
  }
  return blocks.length ? [heading.join('\n'), ...blocks] : [];
}

function renderHeader(report: Report, context: CommentContext): string[] {
  const verdict = report.decision === 'fail' ? '❌ **fail**' : '✅ **pass**';
  const open = report.findings.filter((f) => !f.accepted);
  const acceptedCount = report.findings.length - open.length;
  const lines = [
    `## guardrail-gate: ${verdict} · risk ${report.score}/100 (${report.level})`,
    '',
    `Gate fails at level **${report.failOn}** or above · ${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}` +
      (acceptedCount ? ` (${acceptedCount} accepted)` : '') +
      ` · ${report.stats.filesChanged} file${report.stats.filesChanged === 1 ? '' : 's'} changed, ${report.stats.filesAnalyzed} analyzed`,
  ];
  if (report.ai.authored) {
    lines.push('', `🤖 **AI-authored pull request**: ${report.ai.evidence.map(plain).join('; ')}`);
  }
  for (const message of context.messages ?? []) lines.push('', `> ${message}`);
  if (report.requiredChecks.length) {
    lines.push('', '### Required checks', '');
    for (const check of report.requiredChecks)
      lines.push(`- [ ] **${plain(check.title)}**${check.reason ? `: ${plain(check.reason)}` : ''}`);
  }
  return lines;
}

/** One heading per severity, then one list item per finding (a block never split across the cut). */
function renderFindingBlocks(report: Report, context: CommentContext): string[] {
  if (!report.findings.length) return ['', 'No removed or weakened guardrails found.'];
  const notInline = new Set(context.notInline ?? []);
  const blocks: string[] = ['', '### Findings'];
  const bySeverity = [...SEVERITIES].reverse();
  for (const severity of bySeverity) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    blocks.push('', `#### ${severityBadge(severity)} ${severity} (${group.length})`, '');
    for (const finding of group) blocks.push(renderFindingItem(finding, notInline.has(finding.id)));
  }
  return blocks;
}

function renderFindingItem(finding: Finding, notInline: boolean): string {
  const where = `${finding.file}:${finding.line}`;
  const lines = [
    `- **${plain(finding.rule)}** ${code(where)}${removedNote(finding)}${finding.symbol ? ` in ${code(finding.symbol)}` : ''}: ${plain(finding.message)}`,
    `  <sub>id ${code(finding.id)}${notInline ? ' · no inline comment (its line is not in the diff, or the review could not be posted)' : ''}</sub>`,
  ];
  if (finding.accepted) {
    lines.push(`  ✔️ accepted${finding.accepted.who ? ` by @${plain(finding.accepted.who)}` : ''}: ${plain(finding.accepted.reason)}`);
  }
  const evidence = renderEvidence(finding.evidence);
  if (evidence) lines.push('', `  <details><summary>evidence</summary>`, '', evidence, '', '  </details>');
  return lines.join('\n');
}

/** A removed line names the base version; when the head shows it under another path, that path too. */
function removedNote(finding: Finding): string {
  if (finding.side !== 'base') return '';
  return finding.headFile ? ` (removed line, now in ${code(finding.headFile)})` : ' (removed line)';
}

function renderTail(report: Report, context: CommentContext): string[] {
  const lines: string[] = [];
  if (report.tests.affected.length || report.tests.untested.length) {
    lines.push('', '### Affected tests');
    if (report.tests.affected.length) lines.push('', ...capList(report.tests.affected.map((t) => `- ${code(t)}`)));
    if (report.tests.command) lines.push('', `Run them: ${code(report.tests.command)}`);
    if (report.tests.untested.length) {
      lines.push(
        '',
        `Changed code no test reaches: ${report.tests.untested
          .slice(0, MAX_LIST_ITEMS)
          .map((u) => code(`${u.file}#${u.symbol}`))
          .join(', ')}` +
          (report.tests.untested.length > MAX_LIST_ITEMS ? `, and ${report.tests.untested.length - MAX_LIST_ITEMS} more` : ''),
      );
    }
  }
  if (report.hotspots.length) {
    lines.push('', '### Hot paths', '');
    const hot = [...report.hotspots].sort((a, b) => b.weight - a.weight);
    lines.push(
      ...capList(hot.map((h) => `- ${code(h.symbol ? `${h.file}#${h.symbol}` : h.file)} (${h.source}, weight ${h.weight.toFixed(2)})`)),
    );
  }
  const acceptances = context.acceptances ?? [];
  if (acceptances.length) {
    lines.push('', '### Accepted by maintainers', '');
    for (const a of acceptances) lines.push(`- ${code(a.id)} by @${plain(a.who)}: ${plain(a.reason)}`);
  }
  const lapsed = context.lapsed ?? [];
  if (lapsed.length) {
    lines.push(
      '',
      `<sub>Lapsed acceptances (the finding changed or went away): ${lapsed.map((a) => `${code(a.id)} by @${plain(a.who)}`).join(', ')}</sub>`,
    );
  }
  if (report.notes.length || report.skipped.length) {
    lines.push('', '<details><summary>Notes</summary>', '');
    for (const note of report.notes) lines.push(`- ${plain(note)}`);
    lines.push(...capList(report.skipped.map((s) => `- skipped ${code(s.file)}: ${plain(s.reason)}`)));
    lines.push('', '</details>');
  }
  return lines;
}

function capList(items: string[]): string[] {
  if (items.length <= MAX_LIST_ITEMS) return items;
  return [...items.slice(0, MAX_LIST_ITEMS), `- … and ${items.length - MAX_LIST_ITEMS} more`];
}

function severityBadge(severity: Severity): string {
  return ['⚪', '🔵', '🟡', '🟠', '🔴'][severityRank(severity)]!;
}

/**
 * Renders rule-specific evidence: multi-line text and snippets as fenced code, short values inline.
 * Everything here may come from the pull request, so it is fenced or escaped, never trusted as markdown.
 */
export function renderEvidence(evidence: Evidence | undefined, indent = '  '): string {
  if (!evidence) return '';
  const out: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (value === undefined || value === null || value === '') continue;
    if (key === 'kind') continue; // removed/weakened/moved: already said by the finding's line and message
    if (typeof value === 'string' && (value.includes('\n') || value.length > 80)) {
      out.push(`${indent}${plain(key)}:`, fence(value, indent));
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out.push(`${indent}${plain(key)}: ${code(String(value))}`);
    } else {
      const json = JSON.stringify(value);
      out.push(`${indent}${plain(key)}: ${code(json.length > 200 ? `${json.slice(0, 197)}...` : json)}`);
    }
  }
  return out.join('\n');
}

/** Inline code that survives backticks and newlines in the content. */
export function code(text: string): string {
  const flat = oneLine(text);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** A fenced block whose fence is longer than any backtick run inside (so content cannot close it early). */
export function fence(text: string, indent = ''): string {
  let lines = normalizeLines(text).split('\n');
  let clipped = false;
  if (lines.length > MAX_SNIPPET_LINES) {
    lines = lines.slice(0, MAX_SNIPPET_LINES);
    clipped = true;
  }
  let body = lines.join('\n');
  if (body.length > MAX_SNIPPET_CHARS) {
    body = body.slice(0, MAX_SNIPPET_CHARS);
    clipped = true;
  }
  if (clipped) body += '\n…';
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return [ticks, ...body.split('\n'), ticks].map((l) => indent + l).join('\n');
}

/**
 * Text from the pull request or the analysis shown as plain markdown: HTML and markdown control characters
 * are escaped and `@` does not mention anyone.
 */
export function plain(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;')
    .replace(/([\\`*_[\]|])/g, '\\$1');
}
