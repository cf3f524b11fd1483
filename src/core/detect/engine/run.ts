import type { Config } from '../../config/config.js';
import { severityRank, type Finding, type Severity } from '../../model.js';
import { isExampleCode } from '../../paths.js';
import type { Unit } from '../../parse/units.js';
import type { DetectInput, DetectResult } from '../../types.js';
import type { Detector, Guardrail } from '../define-detector.js';
import { DETECTORS } from '../registry.js';
import { knownRuleIds } from '../rule-ids.js';
import { applySuppressions } from '../suppressions.js';
import { compareInventories } from './compare.js';
import { buildFinding, type FindingSeed } from './finding.js';
import { inspectChanges, inspectPullRequest } from './inspect.js';
import { deferToOverlapping, dedupeIds, foldMechanics, sortFindings, type FindingNodes } from './post.js';
import { changedUnitsOf, prepare, type Prepared } from './prepare.js';

/**
 * Compares the base and head versions of every changed file, unit by unit, with every enabled detector,
 * and returns the findings. Pure: contents in, findings out.
 */
export function detectChanges(input: DetectInput): DetectResult {
  const prepared = prepare(input);
  const notes: string[] = [];
  const findings: Finding[] = [];
  const findingNodes: FindingNodes = new Map();
  for (const detector of DETECTORS) {
    const severity = configuredSeverity(detector, input.config);
    if (severity === 'off') continue;
    try {
      findings.push(...runDetector(detector, severity, prepared, findingNodes));
    } catch (error) {
      // One detector's bug must not cost the others' findings: note it and go on.
      notes.push(`detector ${detector.meta.id} failed and was skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const suppressed = applySuppressions(
    capExampleCode(deferToOverlapping(foldMechanics(findings, findingNodes), findingNodes)),
    prepared.headTexts,
    prepared.pairs,
    input.today,
    knownRuleIds(),
  );
  notes.push(...suppressed.notes);
  return {
    findings: dedupeIds(sortFindings(suppressed.findings)),
    changedUnits: changedUnitsOf(prepared.changedPairs),
    skipped: prepared.skipped,
    notes,
    filesAnalyzed: prepared.filesAnalyzed,
    unitsCompared: prepared.changedPairs.length,
  };
}

/** A guardrail in example code (examples/, demo/, …) protects no user of the project: context only, `info`. */
function capExampleCode(findings: Finding[]): Finding[] {
  for (const finding of findings) {
    if (isExampleCode(finding.file) && severityRank(finding.severity) > severityRank('info')) {
      finding.severity = 'info';
      finding.evidence = { ...finding.evidence, exampleCode: true };
    }
  }
  return findings;
}

function configuredSeverity(detector: Detector, config: Config): Severity | 'off' {
  const setting = config.rules[detector.meta.id];
  if (setting === undefined) return detector.meta.severity;
  if (typeof setting === 'string') return setting;
  if (setting.enabled === false) return 'off';
  return setting.severity ?? detector.meta.severity;
}

function runDetector(detector: Detector, severity: Severity, prepared: Prepared, findingNodes: FindingNodes): Finding[] {
  const findings: Finding[] = [];
  const scope = detector.meta.scope ?? 'source';
  const inScope = (unit: Unit): boolean => scope === 'all' || (scope === 'test') === prepared.testFiles.has(unit.file);
  const cache = new Map<Unit, Guardrail[]>();
  const inventory = (unit: Unit): Guardrail[] => {
    let found = cache.get(unit);
    if (!found) {
      found = detector.inventory && inScope(unit) ? detector.inventory(unit) : [];
      cache.set(unit, found);
    }
    return found;
  };
  const emit = (seed: FindingSeed): void => {
    const finding = buildFinding(detector, seed);
    findingNodes.set(finding, {
      unit: seed.unit,
      start: seed.node.getStart(seed.unit.sourceFile),
      end: seed.node.getEnd(),
      folds: detector.meta.fold === 'into-enclosing',
      defers: detector.meta.fold === 'behind-overlapping',
    });
    findings.push(finding);
  };
  if (detector.inventory) compareInventories(detector, severity, prepared, inventory, emit);
  inspectChanges(detector, severity, prepared, inScope, emit);
  inspectPullRequest(detector, severity, prepared, emit);
  return findings;
}
