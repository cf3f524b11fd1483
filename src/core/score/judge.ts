import picomatch from 'picomatch';
import {
  headPath,
  inventoryEvidence,
  LEVELS,
  levelRank,
  SEVERITIES,
  severityRank,
  type Contribution,
  type Finding,
  type ImpactInput,
  type Level,
  type Report,
  type RequiredCheck,
  type Severity,
} from '../model.js';
import type { JudgeInput } from '../types.js';

/** Points a finding of each severity is worth before context multiplies it. Info never counts. */
const BASE_POINTS: Record<Severity, number> = { info: 0, low: 4, medium: 12, high: 30, critical: 45 };
/** Score bands: a pile of medium findings can reach a high level on its own. */
const LEVEL_BANDS: [number, Level][] = [
  [85, 'critical'],
  [55, 'high'],
  [25, 'medium'],
  [1, 'low'],
];
const HOT_MULTIPLIER = 0.5; // × (1 + 0.5 × hotspot weight)
const UNTESTED_MULTIPLIER = 1.25;
const CRITICAL_PATH_MULTIPLIER = 1.5;

/**
 * Turns findings and their context into the Report: escalations (scars, weakened tests), explainable
 * contributions, score, level, decision and the checks a human must do.
 */
function wentWithItsFile(finding: Finding): boolean {
  const evidence = inventoryEvidence(finding);
  return evidence?.kind === 'removed' && evidence.fileDeleted === true;
}

export function judge(input: JudgeInput): Report {
  const { impact, config } = input;
  const isCritical = config['critical-paths'].length ? picomatch(config['critical-paths'], { dot: true }) : () => false;
  const reaching = new Map(impact.reachingTests.map((r) => [r.file, r.tests]));
  const weakenedTests = new Set(impact.weakenedTests);
  const hasTestData = impact.reachingTests.length > 0 || impact.affectedTests.length > 0 || impact.untested.length > 0;

  const findings: Finding[] = input.detected.findings.map((f) => ({ ...f, ...(f.evidence ? { evidence: { ...f.evidence } } : {}) }));
  const contributions: Contribution[] = [];
  // Test files that exercise code which lost a guardrail in the same PR: there a weakened test is evidence.
  const testsOfWeakenedCode = new Set(
    findings
      .filter((f) => f.category !== 'test-weakening' && severityRank(f.severity) >= severityRank('medium'))
      .flatMap((f) => reaching.get(headPath(f)) ?? []),
  );

  for (const finding of findings) {
    const acceptance = input.acceptances?.get(finding.id);
    if (acceptance && !finding.accepted) finding.accepted = { by: 'maintainer', who: acceptance.who, reason: acceptance.reason };
    if (finding.severity === 'info') continue;
    const whys: string[] = [];

    const scar = finding.side === 'base' ? impact.scars.find((s) => s.file === finding.file && s.line === finding.line) : undefined;
    if (scar) {
      // A guardrail deleted with its whole file went with the feature the file was: that a fix once added
      // the line says nothing about whether the feature should stay, so the scar is shown, not raised on.
      // Tests come with fixes as a rule: a test a fix added raises only when the code it exercises lost a
      // guardrail in the same PR too.
      const isTest = finding.category === 'test-weakening';
      if (!wentWithItsFile(finding) && (!isTest || testsOfWeakenedCode.has(headPath(finding)))) finding.severity = raise(finding.severity);
      finding.evidence = { ...finding.evidence, scar };
      finding.message += ` It was added by ${scar.commit.slice(0, 7)} "${scar.subject}" (${scar.date.slice(0, 10)}), a ${scar.kind} commit.`;
      whys.push(`scar of a ${scar.kind}`);
    }
    // The head graph, the hotspots and the critical paths name head paths: a renamed file's new name.
    const where = headPath(finding);
    const tests = reaching.get(where) ?? [];
    if (tests.some((t) => weakenedTests.has(t))) {
      finding.severity = raise(finding.severity);
      whys.push('its test was weakened in the same PR');
    }

    let points = BASE_POINTS[finding.severity];
    whys.unshift(`${finding.severity} ${finding.rule}`);
    const hot = impact.hotspots.find(
      (h) => h.file === where && (!h.symbol || !finding.symbol || h.symbol === finding.symbol || finding.symbol.endsWith(`.${h.symbol}`)),
    );
    if (hot) {
      points *= 1 + HOT_MULTIPLIER * Math.min(1, hot.weight);
      whys.push(`hot path (${hot.source}, weight ${hot.weight.toFixed(2)})`);
    }
    if (hasTestData && tests.length === 0 && isUntested(finding, input)) {
      points *= UNTESTED_MULTIPLIER;
      whys.push('no test reaches it');
    }
    if (isCritical(finding.file) || isCritical(where)) {
      points *= CRITICAL_PATH_MULTIPLIER;
      whys.push('critical path');
    }
    if (finding.accepted) {
      whys.push(`accepted by ${finding.accepted.who ?? finding.accepted.by}: ${finding.accepted.reason}`);
      contributions.push({ findingId: finding.id, points: 0, why: whys.join(' × ') });
      continue;
    }
    contributions.push({ findingId: finding.id, points: round(points), why: whys.join(' × ') });
  }

  countTestFilesOnce(findings, contributions);
  const score = Math.min(100, Math.round(contributions.reduce((sum, c) => sum + c.points, 0)));
  const open = findings.filter((f) => !f.accepted && f.severity !== 'info');
  const worst = open.reduce<Level>(
    (level, f) => (levelRank(f.severity as Level) > levelRank(level) ? (f.severity as Level) : level),
    'none',
  );
  const band = LEVEL_BANDS.find(([min]) => score >= min)?.[1] ?? 'none';
  const level = levelRank(band) > levelRank(worst) ? band : worst;

  let failOn: Level | 'none' = input.failOn ?? config['fail-on'];
  const aiFailOn = config.ai['fail-on'];
  if (input.ai.authored && aiFailOn && (aiFailOn === 'none' ? false : failOn === 'none' || levelRank(aiFailOn) < levelRank(failOn)))
    failOn = aiFailOn;
  const decision = failOn !== 'none' && level !== 'none' && levelRank(level) >= levelRank(failOn) ? 'fail' : 'pass';

  findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      Number(!!a.accepted) - Number(!!b.accepted) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line,
  );

  return {
    schemaVersion: 1,
    tool: { name: 'guardrail-gate', version: input.toolVersion },
    base: input.base,
    head: input.head,
    decision,
    score,
    level,
    failOn,
    contributions: contributions.sort((a, b) => b.points - a.points),
    findings,
    tests: {
      affected: impact.affectedTests,
      untested: impact.untested,
      ...(impact.testCommand ? { command: impact.testCommand } : {}),
      ...reachingOfSevere(findings, impact),
    },
    hotspots: impact.hotspots,
    requiredChecks: requiredChecks(open, input),
    ai: input.ai,
    stats: {
      filesChanged: input.filesChanged,
      filesAnalyzed: input.detected.filesAnalyzed,
      durationMs: input.durationMs,
      unitsCompared: input.detected.unitsCompared,
    },
    skipped: input.detected.skipped,
    notes: [...input.detected.notes, ...impact.notes],
  };
}

/**
 * A test file's weakened tests count once in the score, by the heaviest of them: five tests deleted from
 * one file are one concern, and their sum alone must not reach a critical band.
 */
function countTestFilesOnce(findings: Finding[], contributions: Contribution[]): void {
  const heaviest = new Map<string, Contribution>();
  const byId = new Map(findings.map((f) => [f.id, f]));
  for (const contribution of contributions) {
    const finding = byId.get(contribution.findingId);
    if (finding?.category !== 'test-weakening' || contribution.points === 0) continue;
    const file = headPath(finding);
    const counted = heaviest.get(file);
    const [kept, dropped] = !counted || contribution.points > counted.points ? [contribution, counted] : [counted, contribution];
    heaviest.set(file, kept);
    if (dropped) {
      dropped.points = 0;
      dropped.why += ' × counted once per test file';
    }
  }
}

function isUntested(finding: Finding, input: JudgeInput): boolean {
  return (
    input.impact.untested.some((u) => u.file === headPath(finding) && (!finding.symbol || u.symbol === finding.symbol)) ||
    !input.impact.reachingTests.some((r) => r.file === headPath(finding))
  );
}

function requiredChecks(open: Finding[], input: JudgeInput): RequiredCheck[] {
  const checks: RequiredCheck[] = [];
  const byCategory = new Map<string, Finding[]>();
  for (const f of open) {
    if (severityRank(f.severity) < severityRank('medium')) continue;
    byCategory.set(f.category, [...(byCategory.get(f.category) ?? []), f]);
  }
  for (const [category, list] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
    const places = list
      .slice(0, 5)
      .map((f) => `${f.file}:${f.line}${f.symbol ? ` (${f.symbol})` : ''}`)
      .join(', ');
    checks.push({
      id: `confirm-${category}`,
      title: `Confirm the ${category} change${list.length > 1 ? 's' : ''} ${list.length > 1 ? 'are' : 'is'} intended`,
      reason: `${list.length} ${category} guardrail${list.length > 1 ? 's' : ''} removed or weakened: ${places}${list.length > 5 ? ', …' : ''}. Restore, or accept each with a reason.`,
    });
  }
  const { impact } = input;
  if (impact.affectedTests.length) {
    checks.push({
      id: 'affected-tests',
      title: `Run the ${impact.affectedTests.length} affected test file${impact.affectedTests.length > 1 ? 's' : ''}`,
      reason: impact.testCommand
        ? `They import the changed code: ${impact.testCommand}`
        : `They import the changed code: ${impact.affectedTests.slice(0, 10).join(', ')}`,
    });
  }
  const untestedWithFindings = impact.untested.filter((u) =>
    open.some((f) => f.file === u.file && severityRank(f.severity) >= severityRank('medium')),
  );
  if (untestedWithFindings.length) {
    checks.push({
      id: 'add-tests',
      title: 'Add a test for the changed code that lost a guardrail',
      reason: `No test reaches: ${untestedWithFindings
        .slice(0, 5)
        .map((u) => `${u.file} (${u.symbol})`)
        .join(', ')}.`,
    });
  }
  if (input.ai.authored) {
    for (const extra of input.config.ai['required-checks'])
      checks.push({
        id: extra.id,
        title: extra.title,
        reason: extra.reason || 'Required for AI-authored pull requests by the configuration.',
      });
  }
  return checks;
}

function raise(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, severityRank(severity) + 1)]!;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export { LEVELS };

/** The tests reaching each file with an open high or critical finding; absent when there is none. */
function reachingOfSevere(findings: Finding[], impact: ImpactInput): { reaching?: { file: string; tests: string[] }[] } {
  const files = new Set(findings.filter((f) => !f.accepted && (f.severity === 'high' || f.severity === 'critical')).map(headPath));
  const reaching = impact.reachingTests.filter((r) => files.has(r.file)).map((r) => ({ file: r.file, tests: [...r.tests] }));
  return reaching.length ? { reaching } : {};
}
