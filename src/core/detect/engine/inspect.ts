import type { Severity } from '../../model.js';
import type { Unit } from '../../parse/units.js';
import { isTestCode } from '../../paths.js';
import type { UnitPair } from '../../relate/pair-units.js';
import { foldWhitespace, nodeTexts } from '../ast/text.js';
import type { Detector, DirectFinding } from '../define-detector.js';
import type { FindingSeed } from './finding.js';
import type { Prepared } from './prepare.js';

/** Runs a detector's `inspect` over every changed pair in its scope: findings on the change itself. */
export function inspectChanges(
  detector: Detector,
  severity: Severity,
  prepared: Prepared,
  inScope: (unit: Unit) => boolean,
  emit: (seed: FindingSeed) => void,
): void {
  if (!detector.inspect) return;
  for (const pair of prepared.changedPairs) {
    const unit = pair.head ?? pair.base!;
    if (!inScope(unit)) continue;
    const base = pair.base;
    const direct = detector.inspect({
      ...(pair.base ? { base: pair.base } : {}),
      ...(pair.head ? { head: pair.head } : {}),
      isNew: (node) => !base || !nodeTexts(base).has(foldWhitespace(node.getText(pair.head!.sourceFile))),
      isTestFile: prepared.testFiles.has(unit.file),
      constantValue: prepared.constantValue,
      ...(prepared.runnerTimeoutRemoved !== undefined ? { runnerTimeoutRemoved: prepared.runnerTimeoutRemoved } : {}),
    });
    for (const d of direct) emit(seedOf(d, severity, d.side === 'base' ? pair.base! : pair.head!, pair));
  }
}

/** Runs a detector's `inspectPullRequest` once over the whole change (see WholeChange). */
export function inspectPullRequest(detector: Detector, severity: Severity, prepared: Prepared, emit: (seed: FindingSeed) => void): void {
  if (!detector.inspectPullRequest) return;
  const pairOf = new Map<Unit, UnitPair>();
  for (const pair of prepared.changedPairs) {
    if (pair.base) pairOf.set(pair.base, pair);
    if (pair.head) pairOf.set(pair.head, pair);
  }
  const baseUnits = new Map<string, Unit[]>();
  for (const { base } of prepared.pairs) if (base) baseUnits.set(base.file, [...(baseUnits.get(base.file) ?? []), base]);
  const found = detector.inspectPullRequest({
    changed: prepared.changedPairs,
    baseUnitsIn: (file) => baseUnits.get(file) ?? [],
    isTest: (path) => prepared.testFiles.has(path) || isTestCode(path),
    headSources: prepared.headSources,
    presence: prepared.protection.presence,
  });
  for (const d of found) {
    const pair = pairOf.get(d.unit);
    if (pair) emit(seedOf(d, severity, d.unit, pair));
  }
}

/** The finding seed of a detector's direct finding, raised on `unit` of `pair`. */
function seedOf(d: DirectFinding, severity: Severity, unit: Unit, pair: UnitPair): FindingSeed {
  return {
    messageId: d.messageId,
    severity: d.severity ?? severity,
    side: d.side,
    unit,
    node: d.node,
    pair,
    anchor: d.key,
    data: d.data ?? {},
    evidence: d.evidence ?? {},
    ...(d.category ? { category: d.category } : {}),
  };
}
