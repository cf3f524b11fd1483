import type { Config } from '../config/config.js';
import { fingerprint } from '../fingerprint.js';
import { severityRank, type ChangedFile, type Finding, type Severity, type SkippedFile } from '../model.js';
import type { DetectResult } from '../types.js';
import { UnreadableFileError, type Analyzer, type AnalyzerFinding } from './define-analyzer.js';
import { ANALYZERS } from './registry.js';
import { applyCommentSuppressions } from './suppressions.js';
import { claims, treeView, type TreeFiles } from './tree.js';

export interface AnalyzeFilesInput {
  /** Every changed file of the pull request; the analyzers pick the ones they claim. */
  files: ChangedFile[];
  /** The unchanged files the analyzers asked for (see tree.ts). */
  tree?: TreeFiles;
  config: Config;
  today?: string;
  /** Defaults to the registry; tests of the runner pass their own. */
  analyzers?: readonly Analyzer[];
}

/**
 * Runs every enabled analyzer over the changed files it claims and returns their findings in the code
 * detectors' shape. Pure: contents in, findings out. A side that cannot be parsed skips the file (with
 * the parser's reason); an analyzer's bug costs only its own findings, with a note.
 */
export function analyzeFiles(input: AnalyzeFilesInput): DetectResult {
  const analyzers = input.analyzers ?? ANALYZERS;
  const tree = treeView(input.files, input.tree);
  const changed = input.files.map((f) => ({ path: f.path, status: f.status, ...(f.oldPath ? { oldPath: f.oldPath } : {}) }));
  const findings: Finding[] = [];
  const skipped: SkippedFile[] = [];
  const notes: string[] = [];
  const headTexts = new Map<string, string>();
  let filesAnalyzed = 0;

  for (const file of input.files) {
    if (file.skipped) continue;
    const mine = analyzers.filter((analyzer) => claims(analyzer, file));
    if (mine.length === 0) continue;
    let unreadable: string | undefined;
    const raisedHere: Finding[] = [];
    for (const analyzer of mine) {
      const severity = configuredSeverity(analyzer, input.config);
      if (severity === 'off') continue;
      try {
        const raised = analyzer.analyze({
          path: file.path,
          ...(file.oldPath ? { oldPath: file.oldPath } : {}),
          status: file.status,
          ...(file.base !== undefined ? { base: file.base } : {}),
          ...(file.head !== undefined ? { head: file.head } : {}),
          changed,
          tree,
          config: input.config,
        });
        raisedHere.push(...raised.map((raw) => buildFinding(analyzer, severity, file, raw)));
      } catch (error) {
        if (error instanceof UnreadableFileError) {
          unreadable = `${error.side} version cannot be read: ${error.message}`;
          break;
        }
        notes.push(
          `analyzer ${analyzer.meta.id} failed on ${file.path} and was skipped: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    if (unreadable) {
      // Findings other analyzers raised on a file one of them cannot parse are not trusted either.
      skipped.push({ file: file.path, reason: unreadable });
      continue;
    }
    findings.push(...raisedHere);
    filesAnalyzed++;
    if (file.head !== undefined) headTexts.set(file.path, file.head);
  }

  const suppressed = applyCommentSuppressions(findings, headTexts, input.today);
  notes.push(...suppressed.notes);
  return { findings: dedupeIds(suppressed.findings), changedUnits: [], skipped, notes, filesAnalyzed, unitsCompared: 0 };
}

/** The analyzers the configuration leaves on: the others are neither run nor asked what to read. */
export function enabledAnalyzers(config: Config, analyzers: readonly Analyzer[] = ANALYZERS): Analyzer[] {
  return analyzers.filter((analyzer) => configuredSeverity(analyzer, config) !== 'off');
}

function configuredSeverity(analyzer: Analyzer, config: Config): Severity | 'off' {
  const setting = config.rules[analyzer.meta.id];
  if (setting === undefined) return analyzer.meta.severity;
  if (typeof setting === 'string') return setting;
  if (setting.enabled === false) return 'off';
  return setting.severity ?? analyzer.meta.severity;
}

function buildFinding(analyzer: Analyzer, configured: Severity, file: ChangedFile, raw: AnalyzerFinding): Finding {
  const template = analyzer.meta.messages[raw.messageId] ?? raw.messageId;
  const message = template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(raw.data?.[key] ?? `{{${key}}}`));
  // A configured severity replaces the default; a finding's own severity moves relative to it.
  const severity = raw.severity ? shift(raw.severity, analyzer.meta.severity, configured) : configured;
  const target = raw.file ?? file.path;
  // A removed line of a renamed file counts in the base version, whose path is the old one; the id keeps
  // the head path, so that it does not change when a later push renames the file back.
  const onRenamedBase = raw.side === 'base' && !raw.file && file.oldPath !== undefined && file.oldPath !== file.path;
  return {
    id: fingerprint([analyzer.meta.id, raw.messageId, target, raw.key]),
    rule: analyzer.meta.id,
    category: analyzer.meta.category,
    severity,
    file: onRenamedBase ? file.oldPath! : target,
    line: Math.max(1, raw.line),
    side: raw.side,
    ...(raw.symbol ? { symbol: raw.symbol } : {}),
    message,
    messageId: raw.messageId,
    evidence: {
      ...raw.evidence,
      kind: raw.messageId,
      ...(raw.file ? { analyzedFile: file.path } : {}),
      ...(file.oldPath && raw.side === 'base' && !raw.file ? { baseFile: file.oldPath } : {}),
    },
    ...(raw.side === 'base' ? { headLine: Math.max(1, raw.headLine ?? 1) } : {}),
    ...(onRenamedBase ? { headFile: file.path } : {}),
  };
}

/** `wanted` relative to the rule's default, applied to the configured severity (info stays info). */
function shift(wanted: Severity, defaults: Severity, configured: Severity): Severity {
  if (configured === defaults || wanted === 'info') return wanted;
  const order: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
  const rank = severityRank(configured) + severityRank(wanted) - severityRank(defaults);
  return order[Math.min(order.length - 1, Math.max(1, rank))]!;
}

/** Two findings with the same fingerprint get an occurrence suffix, as the code detectors' do. */
function dedupeIds(findings: Finding[]): Finding[] {
  const seen = new Map<string, number>();
  for (const f of findings) {
    const n = (seen.get(f.id) ?? 0) + 1;
    seen.set(f.id, n);
    if (n > 1) f.id = `${f.id}-${n}`;
  }
  return findings;
}
