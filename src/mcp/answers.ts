import type { DetectorMeta } from '../core/detect/define-detector.js';
import { headPath, type Finding, type Report, type Scar } from '../core/model.js';

/**
 * What the MCP tools answer, made from the Report alone: the same report the CLI prints and the Action
 * posts, so the agent hears what the gate will later say. Nothing here depends on the clock (the run's
 * duration is left out), so the same change gives the same answer, byte for byte.
 */

export interface ChangeAnswer {
  decision: Report['decision'];
  score: number;
  level: Report['level'];
  failOn: Report['failOn'];
  base: string;
  head: string;
  findings: Pick<Finding, 'id' | 'rule' | 'category' | 'severity' | 'file' | 'line' | 'side' | 'symbol' | 'message' | 'accepted'>[];
  requiredChecks: Report['requiredChecks'];
  tests: { affected: string[]; untested: Report['tests']['untested']; command?: string };
  filesChanged: number;
  filesAnalyzed: number;
  notes: string[];
}

export function changeAnswer(report: Report): ChangeAnswer {
  return {
    decision: report.decision,
    score: report.score,
    level: report.level,
    failOn: report.failOn,
    base: report.base,
    head: report.head,
    findings: report.findings.map((f) => ({
      id: f.id,
      rule: f.rule,
      category: f.category,
      severity: f.severity,
      file: f.file,
      line: f.line,
      side: f.side,
      ...(f.symbol !== undefined ? { symbol: f.symbol } : {}),
      message: f.message,
      ...(f.accepted ? { accepted: f.accepted } : {}),
    })),
    requiredChecks: report.requiredChecks,
    tests: {
      affected: report.tests.affected,
      untested: report.tests.untested,
      ...(report.tests.command ? { command: report.tests.command } : {}),
    },
    filesChanged: report.stats.filesChanged,
    filesAnalyzed: report.stats.filesAnalyzed,
    notes: report.notes,
  };
}

/** A few lines an agent can read at a glance; the structured answer carries everything. */
export function changeSummary(answer: ChangeAnswer): string {
  const head = `guardrail-gate: ${answer.decision.toUpperCase()}  risk ${answer.score}/100, level ${answer.level} (fails at ${answer.failOn})`;
  const open = answer.findings.filter((f) => !f.accepted && f.severity !== 'info');
  const lines = open.map(
    (f) => `${f.severity.toUpperCase()} ${f.file}:${f.line} (${f.side}) ${f.symbol ?? ''} [${f.rule}] ${f.message} (id ${f.id})`,
  );
  const run = answer.tests.command ? [`Run: ${answer.tests.command}`] : [];
  const next = open.length
    ? ['Call explain_finding with a finding id for why the guardrail exists and what to run.']
    : ['No removed or weakened guardrail.'];
  return [head, ...lines, ...run, ...next].join('\n');
}

export interface FindingExplanation {
  finding: ChangeAnswer['findings'][number] & { evidence?: Finding['evidence'] };
  rule: { id: string; description: string; catches: string; ignores: string } | undefined;
  /** The commit that added the removed guardrail, when it fixed something (a scar). */
  scar?: Scar;
  /** Production traffic on the changed code, from the hotspot files given. */
  hotPath?: { file: string; symbol?: string; source: string; weight: number; figures?: Record<string, number> };
  /** Test files that reach the finding's file through imports. */
  tests: string[];
  /** How the finding weighs in the score. */
  weight?: { points: number; why: string };
  whatToRun: string[];
  howToAccept: string;
}

export function explainFinding(report: Report, findingId: string, catalogue: DetectorMeta[]): FindingExplanation | undefined {
  const finding = report.findings.find((f) => f.id === findingId);
  if (!finding) return undefined;
  const meta = catalogue.find((d) => d.id === finding.rule);
  const scar: Scar | undefined = finding.evidence?.scar;
  const hot = report.hotspots.find(
    (h) =>
      h.file === headPath(finding) &&
      (!h.symbol || !finding.symbol || h.symbol === finding.symbol || finding.symbol.endsWith(`.${h.symbol}`)),
  );
  const tests = report.tests.reaching?.find((r) => r.file === headPath(finding))?.tests ?? [];
  const contribution = report.contributions.find((c) => c.findingId === finding.id);
  const whatToRun = [
    ...(report.tests.command ? [report.tests.command] : []),
    ...report.requiredChecks.map((check) => `${check.title}: ${check.reason}`),
  ];
  const [answer] = changeAnswer({ ...report, findings: [finding] }).findings;
  return {
    finding: { ...answer!, ...(finding.evidence ? { evidence: finding.evidence } : {}) },
    rule: meta ? { id: meta.id, description: meta.description, catches: meta.docs.catches, ignores: meta.docs.ignores } : undefined,
    ...(scar ? { scar } : {}),
    ...(hot
      ? {
          hotPath: {
            file: hot.file,
            ...(hot.symbol ? { symbol: hot.symbol } : {}),
            source: hot.source,
            weight: hot.weight,
            ...(hot.figures ? { figures: hot.figures } : {}),
          },
        }
      : {}),
    tests,
    ...(contribution ? { weight: { points: contribution.points, why: contribution.why } } : {}),
    whatToRun,
    howToAccept:
      `Restore the guardrail, or keep the change and say why: a comment "// guardrail-gate-ignore ${finding.rule} -- <reason>" ` +
      `above the line, or a maintainer's "/guardrail-gate accept ${finding.id} <reason>" on the pull request.`,
  };
}

export function explanationText(explanation: FindingExplanation): string {
  const { finding } = explanation;
  const lines = [
    `${finding.severity.toUpperCase()} [${finding.rule}] ${finding.file}:${finding.line} (${finding.side}) ${finding.symbol ?? ''}`.trimEnd(),
    finding.message,
  ];
  if (explanation.rule) lines.push(`Why the rule exists: ${explanation.rule.description}`);
  if (explanation.scar) {
    const s = explanation.scar;
    lines.push(`Scar: added by ${s.commit.slice(0, 12)} "${s.subject}" (${s.date.slice(0, 10)}), a ${s.kind} commit.`);
  }
  if (explanation.hotPath) {
    const h = explanation.hotPath;
    const figures = h.figures
      ? ` (${Object.entries(h.figures)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`
      : '';
    lines.push(`Hot path: ${h.file}${h.symbol ? ` ${h.symbol}` : ''}, ${h.source} weight ${h.weight.toFixed(2)}${figures}.`);
  }
  lines.push(explanation.tests.length ? `Tests that reach it: ${explanation.tests.join(', ')}` : 'No test reaches it.');
  if (explanation.weight) lines.push(`Weight: ${explanation.weight.points} points (${explanation.weight.why}).`);
  if (explanation.whatToRun.length) lines.push('What to run:', ...explanation.whatToRun.map((w) => `  - ${w}`));
  lines.push(explanation.howToAccept);
  return lines.join('\n');
}
