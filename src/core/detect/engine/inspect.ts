import type { Severity } from '../../model.js';
import type { Unit } from '../../parse/units.js';
import { foldWhitespace, nodeTexts } from '../ast/text.js';
import type { Detector } from '../define-detector.js';
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
    for (const d of direct) {
      const owner = d.side === 'base' ? pair.base! : pair.head!;
      emit({
        messageId: d.messageId,
        severity: d.severity ?? severity,
        side: d.side,
        unit: owner,
        node: d.node,
        pair,
        anchor: d.key,
        data: d.data ?? {},
        evidence: d.evidence ?? {},
      });
    }
  }
}
