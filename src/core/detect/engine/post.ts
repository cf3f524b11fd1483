import { severityRank, type Finding } from '../../model.js';
import type { Unit } from '../../parse/units.js';

/** Where each finding's node lies, to fold findings that are parts of another. */
export type FindingNodes = Map<Finding, { unit: Unit; start: number; end: number }>;

/** Categories that are usually the mechanics of another guardrail: the catch of a retry loop, its log line. */
const MECHANICS = new Set(['error-handling', 'observability']);

/**
 * One removed guardrail, one finding: a removed catch or failure log that lies inside another removed
 * guardrail of the same unit (the catch of a retry loop, the warning it logs) is folded into that finding's
 * evidence instead of being reported again.
 */
export function foldMechanics(findings: Finding[], nodes: FindingNodes): Finding[] {
  const removed = findings.filter((f) => f.evidence?.kind === 'removed' && f.side === 'base');
  const folded = new Set<Finding>();
  for (const inner of removed) {
    if (!MECHANICS.has(inner.category)) continue;
    const at = nodes.get(inner);
    if (!at) continue;
    const outer = removed.find((o) => {
      if (o === inner || folded.has(o) || MECHANICS.has(o.category)) return false;
      const around = nodes.get(o);
      return around !== undefined && around.unit === at.unit && around.start <= at.start && at.end <= around.end;
    });
    if (outer) {
      folded.add(inner);
      const also = (outer.evidence?.alsoRemoved as string[] | undefined) ?? [];
      outer.evidence = { ...outer.evidence, alsoRemoved: [...also, `${inner.rule}: ${inner.message}`] };
    }
  }
  return findings.filter((f) => !folded.has(f));
}

/** Most severe first, then by file, line and rule. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
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
