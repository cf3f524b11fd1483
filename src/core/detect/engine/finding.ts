import type { ts } from 'ts-morph';
import { fingerprint } from '../../fingerprint.js';
import { SEVERITIES, severityRank, type Category, type Finding, type Severity } from '../../model.js';
import { MODULE_UNIT, type Unit } from '../../parse/units.js';
import type { UnitPair } from '../../relate/pair-units.js';
import { lineOf, snippet } from '../ast/text.js';
import { LOST_PHRASE, type Detector } from '../define-detector.js';

/** What a finding is made of before it has a message, an id and a line. */
export interface FindingSeed {
  messageId: string;
  severity: Severity;
  side: 'base' | 'head';
  /** The unit the node lies in (the base unit for a removal). */
  unit: Unit;
  node: ts.Node;
  pair: UnitPair;
  /** Distinguishes findings of one rule in one unit in the fingerprint. */
  anchor: string;
  data: Record<string, string | number>;
  evidence: Record<string, unknown>;
  /** The finding's own category, when the detector reads one from the code (DirectFinding.category). */
  category?: Category;
}

/** Fills in the message, the fingerprint and where the finding is shown. */
export function buildFinding(detector: Detector, seed: FindingSeed): Finding {
  const line = lineOf(seed.unit.sourceFile, seed.node.getStart(seed.unit.sourceFile));
  const template = detector.meta.messages[seed.messageId];
  if (template === undefined) throw new Error(`${detector.meta.id} has no message ${seed.messageId}`);
  const symbol = seed.unit.name === MODULE_UNIT ? undefined : seed.unit.name;
  // A unit deleted by the PR took its guardrails with it: say so rather than "no longer has".
  const unitDeleted = seed.side === 'base' && !seed.pair.head && symbol !== undefined;
  const message = fill(template, {
    symbol: symbol ?? 'module top level',
    noLongerHas: unitDeleted ? LOST_PHRASE.deleted : LOST_PHRASE.kept,
    ...seed.data,
  });
  const stableFile = seed.pair.head?.file ?? seed.unit.file;
  const finding: Finding = {
    id: fingerprint([detector.meta.id, seed.messageId, stableFile, seed.pair.head?.name ?? seed.unit.name, seed.anchor]),
    rule: detector.meta.id,
    category: seed.category ?? detector.meta.category,
    severity: seed.severity,
    file: seed.unit.file,
    line,
    side: seed.side,
    ...(symbol ? { symbol } : {}),
    message,
    messageId: seed.messageId,
    evidence: { ...seed.evidence, kind: seed.messageId },
  };
  if (seed.side === 'base') {
    const head = seed.pair.head;
    finding.headLine = head ? Math.min(head.endLine, Math.max(head.startLine, head.startLine + (line - seed.unit.startLine))) : 1;
    if (head && head.file !== seed.unit.file) finding.evidence = { ...finding.evidence!, headFile: head.file };
  }
  return finding;
}

function fill(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(data[key] ?? `{{${key}}}`));
}

/** The removed code as evidence: whitespace folded, at most 200 characters. */
export function removedSnippet(node: ts.Node, unit: Unit): string {
  return snippet(node, unit.sourceFile, 200);
}

/** One step lower, never below low: the default severity of a weakening. */
export function lowerSeverity(severity: Severity): Severity {
  return SEVERITIES[Math.max(1, severityRank(severity) - 1)]!;
}
