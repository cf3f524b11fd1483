import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Category, Finding, Report, Severity } from '../model.js';

/** What SARIF needs to know of a detector; `DetectorMeta` (detect/define-detector.ts) has this shape. */
export interface RuleDescription {
  id: string;
  category: Category;
  severity: Severity;
  description: string;
  docs?: { catches?: string; ignores?: string };
}

/** The automation category, so that uploads of this tool never replace other tools' code-scanning results. */
export const SARIF_CATEGORY = 'guardrail-gate/';
const FINGERPRINT_KEY = 'guardrailGate/v1';

/**
 * Renders the report as a SARIF 2.1.0 log with one run. Rules come from the detector catalogue (plus any
 * rule a finding names that the catalogue lacks, e.g. an internal error); every result carries the
 * finding's stable id as its partial fingerprint. Code scanning only shows results on head-side lines, so a
 * finding on a removed (base) line is anchored at `finding.headLine` and says which base line it was.
 */
export function renderSarif(report: Report, rules: readonly RuleDescription[]): string {
  return `${JSON.stringify(buildSarif(report, rules), null, 2)}\n`;
}

/** The SARIF log as an object (for callers that upload or merge it). */
export function buildSarif(report: Report, rules: readonly RuleDescription[]): Log {
  const catalogue = new Map(rules.map((rule) => [rule.id, rule]));
  for (const finding of report.findings) {
    if (!catalogue.has(finding.rule)) {
      catalogue.set(finding.rule, { id: finding.rule, category: finding.category, severity: finding.severity, description: finding.rule });
    }
  }
  const ordered = [...catalogue.values()].sort((a, b) => a.id.localeCompare(b.id));
  const index = new Map(ordered.map((rule, i) => [rule.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            semanticVersion: report.tool.version,
            version: report.tool.version,
            rules: ordered.map(toRule),
          },
        },
        automationDetails: { id: SARIF_CATEGORY },
        results: report.findings.map((finding) => toResult(finding, index.get(finding.rule) ?? 0)),
        properties: { decision: report.decision, score: report.score, level: report.level, base: report.base, head: report.head },
      },
    ],
  };
}

function toRule(rule: RuleDescription): ReportingDescriptor {
  const help = [rule.docs?.catches, rule.docs?.ignores ? `Stays quiet on: ${rule.docs.ignores}` : undefined].filter(Boolean).join('\n\n');
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)(\w)/g, (_m, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.description },
    ...(rule.docs?.catches ? { fullDescription: { text: rule.docs.catches } } : {}),
    ...(help ? { help: { text: help } } : {}),
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties: { tags: ['guardrail', rule.category], category: rule.category, severity: rule.severity },
  };
}

function toResult(finding: Finding, ruleIndex: number): Result {
  const onBase = finding.side === 'base';
  const line = Math.max(1, onBase ? (finding.headLine ?? 1) : finding.line);
  // Anchored on the head: the head version's path (a renamed file's new name).
  const file = onBase ? (finding.headFile ?? finding.file) : finding.file;
  const text = onBase ? `${finding.message} (removed line ${finding.line} of the base version)` : finding.message;
  const result: Result = {
    ruleId: finding.rule,
    ruleIndex,
    level: sarifLevel(finding.severity),
    message: { text },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: relativeUri(file) }, region: { startLine: line } },
        ...(finding.symbol ? { logicalLocations: [{ fullyQualifiedName: finding.symbol }] } : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.id },
    properties: { category: finding.category, severity: finding.severity, side: finding.side, findingId: finding.id },
  };
  if (finding.accepted) {
    result.suppressions = [
      { kind: finding.accepted.by === 'suppression' ? 'inSource' : 'external', justification: finding.accepted.reason },
    ];
  }
  return result;
}

/**
 * A repo-relative path as a relative URI reference: each segment percent-encoded, so that `#`, `?`, `%`
 * and the other reserved characters a file name may hold are not read as a fragment, a query or an escape.
 */
export function relativeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** critical/high must be acted on (error), medium should be looked at (warning), the rest is context (note). */
function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}
