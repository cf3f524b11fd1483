import { inventoryEvidence, severityRank, type Finding } from '../../model.js';
import type { Unit } from '../../parse/units.js';

/** Where each finding's node lies, and whether its detector folds into an enclosing removal. */
export type FindingNodes = Map<Finding, { unit: Unit; start: number; end: number; folds: boolean; defers?: boolean }>;

/**
 * One removed guardrail, one finding: a removal of a detector declared `fold: 'into-enclosing'` (a removed
 * catch or failure log) that lies inside another detector's removal in the same unit (the catch of a retry
 * loop, the warning it logs) is folded into that finding's evidence instead of being reported again.
 */
export function foldMechanics(findings: Finding[], nodes: FindingNodes): Finding[] {
  const removed = findings.filter((f) => f.messageId === 'removed' && f.side === 'base');
  const folded = new Set<Finding>();
  for (const inner of removed) {
    const at = nodes.get(inner);
    if (!at?.folds) continue;
    const outer = removed.find((o) => {
      const around = nodes.get(o);
      // A generic reading (`behind-overlapping`) is never the enclosing finding: it defers to the dedicated one.
      if (o === inner || folded.has(o) || !around || around.folds || around.defers) return false;
      return around.unit === at.unit && around.start <= at.start && at.end <= around.end;
    });
    const evidence = outer && inventoryEvidence(outer);
    if (outer && evidence) {
      folded.add(inner);
      outer.evidence = { ...evidence, alsoRemoved: [...(evidence.alsoRemoved ?? []), `${inner.rule}: ${inner.message}`] };
    }
  }
  return findings.filter((f) => !folded.has(f));
}

/**
 * A finding of a detector declared `fold: 'behind-overlapping'` (a generic reading of a loss) that overlaps
 * another detector's finding in the same unit defers to it: folded into that finding's evidence when it is
 * a removal at medium or above, dropped when the other found the guardrail kept elsewhere (moved) or gone
 * with what it protected, kept when the other is only context of another kind.
 */
export function deferToOverlapping(findings: Finding[], nodes: FindingNodes): Finding[] {
  const dropped = new Set<Finding>();
  for (const generic of findings) {
    const at = nodes.get(generic);
    if (!at?.defers) continue;
    const overlapping = findings.filter((o) => {
      const other = nodes.get(o);
      if (o === generic || !other || other.defers || o.side !== generic.side) return false;
      return other.unit === at.unit && other.start < at.end && at.start < other.end;
    });
    // The same loss read on the other side of the unit (the head now reads a value without `?.`).
    const sameUnitOtherSide = findings.filter((o) => {
      const other = nodes.get(o);
      return !!other && !other.defers && o.side !== generic.side && o.category === generic.category && other.unit.name === at.unit.name;
    });
    const settled = overlapping.find(
      (o) => o.messageId === 'moved' || (o.evidence as Record<string, unknown> | undefined)?.subjectRemoved !== undefined,
    );
    const louder = [...overlapping.filter((o) => o.messageId === 'removed'), ...sameUnitOtherSide].find(
      (o) => severityRank(o.severity) >= severityRank('medium'),
    );
    if (settled) dropped.add(generic);
    else if (louder) {
      dropped.add(generic);
      louder.evidence = {
        ...louder.evidence,
        alsoRemoved: [...(louder.evidence?.alsoRemoved ?? []), `${generic.rule}: ${generic.message}`],
      };
    }
  }
  return findings.filter((f) => !dropped.has(f));
}

/** Most severe first, then by file, line and rule. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.rule.localeCompare(b.rule),
  );
}

/** Two findings with the same fingerprint (the same guardrail twice in a unit) get an occurrence suffix. */
export function dedupeIds(findings: Finding[]): Finding[] {
  const seen = new Map<string, number>();
  for (const f of findings) {
    const n = (seen.get(f.id) ?? 0) + 1;
    seen.set(f.id, n);
    if (n > 1) f.id = `${f.id}-${n}`;
  }
  return findings;
}
