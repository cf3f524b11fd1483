import { ts as tsApi, type ts } from 'ts-morph';
import type { Config } from '../config/config.js';
import { fingerprint } from '../fingerprint.js';
import { SEVERITIES, severityRank, type ChangedUnit, type Finding, type Severity, type SkippedFile } from '../model.js';
import { isSourcePath, SyntaxParser } from '../parse/parse.js';
import { extractUnits, foldWhitespace, lineOf, MODULE_UNIT, type Unit } from '../parse/units.js';
import { pairUnits, type UnitPair } from '../relate/pair-units.js';
import { isTestPath } from '../test-files.js';
import type { DetectInput, DetectResult } from '../types.js';
import type { Detector, Guardrail } from './define-detector.js';
import { DETECTORS } from './registry.js';
import { applySuppressions } from './suppressions.js';

/** How deep the search for a guardrail moved into a helper follows calls. */
const HELPER_DEPTH = 2;

interface Analyzed {
  pairs: UnitPair[];
  changedPairs: UnitPair[];
  headIndex: Map<string, Unit[]>;
  deletedFiles: Set<string>;
  testFiles: Set<string>;
}

/**
 * Compares the base and head versions of every changed file, unit by unit, with every enabled detector,
 * and returns the findings. Pure: contents in, findings out.
 */
export function detectChanges(input: DetectInput): DetectResult {
  const skipped: SkippedFile[] = [];
  const notes: string[] = [];
  const baseParser = new SyntaxParser();
  const headParser = new SyntaxParser();
  const baseUnits: Unit[] = [];
  const headUnits: Unit[] = [];
  const renames = new Map<string, string>();
  const deletedFiles = new Set<string>();
  const testFiles = new Set<string>();
  const headTexts = new Map<string, string>();
  let filesAnalyzed = 0;

  for (const file of input.files) {
    if (file.skipped) {
      skipped.push({ file: file.path, reason: file.skipped });
      continue;
    }
    const basePath = file.oldPath ?? file.path;
    if (!isSourcePath(file.path) && !isSourcePath(basePath)) {
      skipped.push({ file: file.path, reason: 'not a JavaScript or TypeScript source file' });
      continue;
    }
    const base = file.base === undefined ? undefined : baseParser.parse(basePath, file.base);
    const head = file.head === undefined ? undefined : headParser.parse(file.path, file.head);
    if (base && !base.ok) {
      skipped.push({ file: basePath, reason: `base version ${base.reason}` });
      continue;
    }
    if (head && !head.ok) {
      skipped.push({ file: file.path, reason: `head version ${head.reason}` });
      continue;
    }
    filesAnalyzed++;
    if (file.oldPath) renames.set(file.path, file.oldPath);
    if (file.status === 'deleted') deletedFiles.add(basePath);
    if (isTestPath(file.path, input.config.tests.patterns) || isTestPath(basePath, input.config.tests.patterns)) {
      testFiles.add(file.path);
      testFiles.add(basePath);
    }
    if (base?.ok) baseUnits.push(...extractUnits(base.sourceFile, basePath, 'base'));
    if (head?.ok) {
      headUnits.push(...extractUnits(head.sourceFile, file.path, 'head'));
      headTexts.set(file.path, file.head!);
    }
  }

  const pairs = pairUnits(baseUnits, headUnits, renames);
  const changedPairs = pairs.filter((p) => !p.base || !p.head || p.base.text !== p.head.text);

  // Head units reachable by name: the changed files' and the unchanged files they import.
  const headIndex = new Map<string, Unit[]>();
  const index = (unit: Unit): void => {
    const simple = unit.name.split('.').pop()!.replace(/#\d+$/, '');
    headIndex.set(simple, [...(headIndex.get(simple) ?? []), unit]);
  };
  headUnits.forEach(index);
  for (const context of input.context) {
    if (!isSourcePath(context.path)) continue;
    const parsed = headParser.parse(context.path, context.text);
    if (parsed.ok) extractUnits(parsed.sourceFile, context.path, 'head').forEach(index);
  }

  const analyzed: Analyzed = { pairs, changedPairs, headIndex, deletedFiles, testFiles };
  const findings: Finding[] = [];
  const findingNodes: FindingNodes = new Map();
  for (const detector of DETECTORS) {
    const severity = configuredSeverity(detector, input.config);
    if (severity === 'off') continue;
    try {
      findings.push(...runDetector(detector, severity, analyzed, findingNodes));
    } catch (error) {
      // One detector's bug must not cost the others' findings: note it and go on.
      notes.push(`detector ${detector.meta.id} failed and was skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const suppressed = applySuppressions(foldMechanics(findings, findingNodes), headTexts, pairs, input.today);
  notes.push(...suppressed.notes);

  const changedUnits: ChangedUnit[] = changedPairs
    .filter((p) => (p.head ?? p.base)!.kind !== 'class')
    .map((p) => {
      const unit = (p.head ?? p.base)!;
      return { file: unit.file, symbol: unit.name, side: unit.side, startLine: unit.startLine, endLine: unit.endLine, status: !p.base ? 'added' : !p.head ? 'deleted' : 'modified' };
    });

  return {
    findings: dedupeIds(sortFindings(suppressed.findings)),
    changedUnits,
    skipped,
    notes,
    filesAnalyzed,
    unitsCompared: changedPairs.length,
  };
}

function configuredSeverity(detector: Detector, config: Config): Severity | 'off' {
  const setting = config.rules[detector.meta.id];
  if (setting === undefined) return detector.meta.severity;
  if (typeof setting === 'string') return setting;
  if (setting.enabled === false) return 'off';
  return setting.severity ?? detector.meta.severity;
}

/** Where each finding's node lies, to fold findings that are parts of another. */
type FindingNodes = Map<Finding, { unit: Unit; start: number; end: number }>;

/** Categories that are usually the mechanics of another guardrail: the catch of a retry loop, its log line. */
const MECHANICS = new Set(['error-handling', 'observability']);

/**
 * One removed guardrail, one finding: a removed catch or failure log that lies inside another removed
 * guardrail of the same unit (the catch of a retry loop, the warning it logs) is folded into that finding's
 * evidence instead of being reported again.
 */
function foldMechanics(findings: Finding[], nodes: FindingNodes): Finding[] {
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

function runDetector(detector: Detector, severity: Severity, analyzed: Analyzed, findingNodes: FindingNodes): Finding[] {
  const findings: Finding[] = [];
  const scope = detector.meta.scope ?? 'source';
  const inScope = (unit: Unit): boolean => {
    const isTest = analyzed.testFiles.has(unit.file);
    return scope === 'all' || (scope === 'test') === isTest;
  };
  const cache = new Map<Unit, Guardrail[]>();
  const inventory = (unit: Unit): Guardrail[] => {
    let found = cache.get(unit);
    if (!found) {
      found = detector.inventory && inScope(unit) ? detector.inventory(unit) : [];
      cache.set(unit, found);
    }
    return found;
  };
  const weakenedSeverity = detector.meta.weakenedSeverity ?? lower(severity);
  const emit = (base: FindingSeed): void => {
    const finding = buildFinding(detector, base);
    findingNodes.set(finding, { unit: base.unit, start: base.node.getStart(base.unit.sourceFile), end: base.node.getEnd() });
    findings.push(finding);
  };

  if (detector.inventory) {
    const candidates: { pair: UnitPair; guardrail: Guardrail }[] = [];
    const pool: { pair: UnitPair; guardrail: Guardrail; used: boolean }[] = [];
    for (const pair of analyzed.changedPairs) {
      const before = pair.base ? inventory(pair.base) : [];
      const after = pair.head ? inventory(pair.head) : [];
      const { matched, unmatchedBefore, unmatchedAfter } = matchGuardrails(before, after);
      for (const [b, a] of matched) {
        // Amounts of different shapes (a retry count and a backoff factor) are not comparable.
        const weakened = b.kind === a.kind && (detector.isWeakened ? detector.isWeakened(b, a) : defaultIsWeakened(b, a));
        if (weakened) {
          emit({
            messageId: 'weakened', severity: weakenedSeverity, side: 'head', unit: pair.head!, node: a.node, pair, anchor: b.anchor,
            data: { label: b.label, from: describeStrength(b), to: describeStrength(a), change: describeChange(b, a) },
            evidence: { before: b.label, after: a.label, ...droppedMembers(b, a) },
          });
        }
      }
      for (const guardrail of unmatchedBefore) candidates.push({ pair, guardrail });
      for (const guardrail of unmatchedAfter) pool.push({ pair, guardrail, used: false });
    }
    for (const { pair, guardrail } of candidates) {
      const helper = pair.head ? findInHelpers(pair.head, guardrail, analyzed.headIndex, inventory) : undefined;
      // In the same file, the same shape is enough (a nested timer became AbortSignal.timeout, tests folded
      // into a table); elsewhere (a middleware on another route, another module) only the same guardrail
      // about the same names counts.
      const file = (pair.head ?? pair.base)!.file;
      const elsewhere = helper ? undefined : pool.find((p) => !p.used && (p.pair.head?.file === file ? equivalent(guardrail, p.guardrail) : sameGuardrail(guardrail, p.guardrail)));
      if (helper || elsewhere) {
        if (elsewhere) elsewhere.used = true;
        const where = helper ? `${helper.name} (${helper.file})` : `${elsewhere!.pair.head!.name} (${elsewhere!.pair.head!.file})`;
        emit({
          messageId: 'moved', severity: 'info', side: 'base', unit: pair.base!, node: guardrail.node, pair, anchor: guardrail.anchor,
          data: { label: guardrail.label, where }, evidence: { removed: guardrail.label, foundIn: where },
        });
        continue;
      }
      if (!pair.head && isDeadCode(pair.base!, analyzed)) continue;
      const inDeletedFile = !pair.head && analyzed.deletedFiles.has(pair.base!.file);
      emit({
        messageId: 'removed',
        // A guardrail deleted together with its whole file goes with a feature, not a simplification.
        severity: inDeletedFile && severityRank(severity) > severityRank('low') ? 'low' : severity,
        side: 'base', unit: pair.base!, node: guardrail.node, pair, anchor: guardrail.anchor,
        data: { label: guardrail.label }, evidence: { removed: snippetOf(guardrail.node, pair.base!), ...(inDeletedFile ? { fileDeleted: true } : {}) },
      });
    }
  }

  if (detector.inspect) {
    for (const pair of analyzed.changedPairs) {
      const unit = pair.head ?? pair.base!;
      if (!inScope(unit)) continue;
      const baseTexts = pair.base ? collectTexts(pair.base) : new Set<string>();
      const direct = detector.inspect({
        ...(pair.base ? { base: pair.base } : {}),
        ...(pair.head ? { head: pair.head } : {}),
        isNew: (node) => !baseTexts.has(foldWhitespace(node.getText(pair.head!.sourceFile))),
        isTestFile: analyzed.testFiles.has(unit.file),
      });
      for (const d of direct) {
        const owner = d.side === 'base' ? pair.base! : pair.head!;
        emit({ messageId: d.messageId, severity: d.severity ?? severity, side: d.side, unit: owner, node: d.node, pair, anchor: d.key, data: d.data ?? {}, evidence: d.evidence ?? {} });
      }
    }
  }
  return findings;
}

interface FindingSeed {
  messageId: string;
  severity: Severity;
  side: 'base' | 'head';
  unit: Unit;
  node: ts.Node;
  pair: UnitPair;
  anchor: string;
  data: Record<string, string | number>;
  evidence: Record<string, unknown>;
}

function buildFinding(detector: Detector, seed: FindingSeed): Finding {
  const line = lineOf(seed.unit.sourceFile, seed.node.getStart(seed.unit.sourceFile));
  const template = detector.meta.messages[seed.messageId] ?? seed.messageId;
  const symbol = seed.unit.name === MODULE_UNIT ? undefined : seed.unit.name;
  // A unit deleted by the PR took its guardrails with it: say so rather than "no longer has".
  const phrased = seed.side === 'base' && !seed.pair.head && symbol ? template.replace('{{symbol}} no longer has', '{{symbol}} was deleted, and with it') : template;
  const message = fill(phrased, { symbol: symbol ?? 'module top level', ...seed.data });
  const stableFile = seed.pair.head?.file ?? seed.unit.file;
  const finding: Finding = {
    id: fingerprint([detector.meta.id, seed.messageId, stableFile, seed.pair.head?.name ?? seed.unit.name, seed.anchor]),
    rule: detector.meta.id,
    category: detector.meta.category,
    severity: seed.severity,
    file: seed.unit.file,
    line,
    side: seed.side,
    ...(symbol ? { symbol } : {}),
    message,
    evidence: { ...seed.evidence, kind: seed.messageId },
  };
  if (seed.side === 'base') {
    const head = seed.pair.head;
    finding.headLine = head ? Math.min(head.endLine, Math.max(head.startLine, head.startLine + (line - seed.unit.startLine))) : 1;
    if (head && head.file !== seed.unit.file) finding.evidence = { ...finding.evidence, headFile: head.file };
  }
  return finding;
}

function fill(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(data[key] ?? `{{${key}}}`));
}

/** Pairs guardrails before and after: same anchor first, then same shape, then same category (a swap). */
export function matchGuardrails(before: Guardrail[], after: Guardrail[]): {
  matched: [Guardrail, Guardrail][];
  unmatchedBefore: Guardrail[];
  unmatchedAfter: Guardrail[];
} {
  const matched: [Guardrail, Guardrail][] = [];
  const left = [...before];
  const right = [...after];
  const pass = (same: (a: Guardrail, b: Guardrail) => boolean): void => {
    for (let i = 0; i < left.length; i++) {
      const j = right.findIndex((r) => same(left[i]!, r));
      if (j >= 0) {
        matched.push([left[i]!, right[j]!]);
        left.splice(i, 1);
        right.splice(j, 1);
        i--;
      }
    }
  };
  pass((a, b) => a.kind === b.kind && a.anchor === b.anchor);
  pass((a, b) => a.exactOnly || b.exactOnly ? a.anchor === b.anchor : a.kind === b.kind && a.category === b.category);
  pass((a, b) => a.exactOnly || b.exactOnly ? a.anchor === b.anchor : a.category === b.category);
  return { matched, unmatchedBefore: left, unmatchedAfter: right };
}

/**
 * Whether a guardrail found elsewhere (a helper, another file of the PR) is the one that left: the same
 * anchor, or the same shape about mostly the same names. Shape alone is not enough: every guard clause
 * has the shape of a guard clause.
 */
function equivalent(a: Guardrail, b: Guardrail): boolean {
  if (a.category !== b.category) return false;
  if (a.anchor === b.anchor) return true;
  if (a.exactOnly || b.exactOnly) return false;
  if (a.kind !== b.kind) return false;
  return a.identity !== 'anchor' || anchorSimilarity(a.anchor, b.anchor) >= 0.6;
}

function sameGuardrail(a: Guardrail, b: Guardrail): boolean {
  if (a.exactOnly || b.exactOnly) return a.category === b.category && a.anchor === b.anchor;
  return a.category === b.category && (a.anchor === b.anchor || (a.kind === b.kind && anchorSimilarity(a.anchor, b.anchor) >= 0.6));
}

/** Jaccard similarity of the names two anchors mention, the first word (the shape) left out. */
function anchorSimilarity(a: string, b: string): number {
  const names = (anchor: string): Set<string> => new Set((anchor.match(/[A-Za-z_$][\w$]*|\d+/g) ?? []).slice(1));
  const ta = names(a);
  const tb = names(b);
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  const union = ta.size + tb.size - shared;
  return union === 0 ? 1 : shared / union;
}

/** Whether the guardrail is present in a helper the head unit calls (directly or one call further). */
function findInHelpers(head: Unit, guardrail: Guardrail, index: Map<string, Unit[]>, inventory: (u: Unit) => Guardrail[]): Unit | undefined {
  const seen = new Set<Unit>([head]);
  let frontier: Unit[] = [head];
  for (let depth = 0; depth < HELPER_DEPTH; depth++) {
    const next: Unit[] = [];
    for (const unit of frontier) {
      for (const name of unit.calls) {
        const targets = index.get(name) ?? [];
        // Prefer a helper in the same file; a common name like `get` in another file is not evidence.
        const local = targets.filter((t) => t.file === unit.file);
        for (const target of local.length ? local : targets.length <= 2 ? targets : []) {
          if (seen.has(target)) continue;
          seen.add(target);
          // A configured object the call goes through (a client, a logger) applies its guardrails to every
          // call: the same shape there is enough. A helper function protects only what it does itself:
          // there it must be the same guardrail about the same names.
          const matches = target.kind === 'field' ? equivalent : sameGuardrail;
          if (inventory(target).some((g) => matches(guardrail, g) && !passesThrough(g, target))) return target;
          next.push(target);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/**
 * An option whose value the helper takes from its own parameters (`'Idempotency-Key': options.key`,
 * `{ timeout }`) is a capability, not a guardrail applied: the caller that stopped passing it lost it.
 */
function passesThrough(guardrail: Guardrail, helper: Unit): boolean {
  const node = guardrail.node;
  if (helper.params.length === 0) return false;
  let value: ts.Node | undefined;
  if (tsApi.isShorthandPropertyAssignment(node)) return helper.params.includes(node.name.text);
  if (tsApi.isPropertyAssignment(node)) value = node.initializer;
  if (!value) return false;
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (tsApi.isIdentifier(n)) names.add(n.text);
    n.forEachChild(visit);
  };
  visit(value);
  return helper.params.some((p) => names.has(p));
}

/** A deleted unit nothing else referenced: removing it removes no behaviour. */
function isDeadCode(unit: Unit, analyzed: Analyzed): boolean {
  if (unit.exported || unit.kind === 'module' || unit.kind === 'call') return false;
  const simple = unit.name.split('.').pop()!.replace(/#\d+$/, '').replace(/^(get|set) /, '');
  const text = unit.sourceFile.text;
  const pattern = new RegExp(`\\b${simple.replace(/[$]/g, '\\$')}\\b`, 'g');
  let references = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index;
    if (at < unit.node.getStart(unit.sourceFile) || at >= unit.node.getEnd()) references++;
  }
  return references === 0;
}

export function defaultIsWeakened(before: Guardrail, after: Guardrail): boolean {
  if (before.members && after.members) {
    const kept = new Set(after.members);
    if (before.members.some((m) => !kept.has(m))) return true;
  }
  if (before.strength === undefined || after.strength === undefined || !before.stronger) return false;
  if (before.stronger === 'higher') return after.strength < before.strength;
  return after.strength >= before.strength * 2;
}

function droppedMembers(before: Guardrail, after: Guardrail): Record<string, unknown> {
  if (!before.members || !after.members) return {};
  const kept = new Set(after.members);
  const dropped = before.members.filter((m) => !kept.has(m));
  return dropped.length ? { dropped } : {};
}

/** 'lost uuid, required' for a set that shrank, 'from 5000 to 60000' for an amount. */
function describeChange(before: Guardrail, after: Guardrail): string {
  const dropped = droppedMembers(before, after).dropped as string[] | undefined;
  if (dropped) return `lost ${dropped.join(', ')}`;
  return `from ${describeStrength(before)} to ${describeStrength(after)}`;
}

function describeStrength(g: Guardrail): string {
  if (g.strength === undefined) return g.members ? `[${g.members.join(', ')}]` : 'set';
  if (!Number.isFinite(g.strength)) return 'none';
  return String(g.strength);
}

function collectTexts(unit: Unit): Set<string> {
  const texts = new Set<string>();
  const visit = (node: ts.Node): void => {
    texts.add(foldWhitespace(node.getText(unit.sourceFile)));
    node.forEachChild(visit);
  };
  visit(unit.node);
  return texts;
}

function snippetOf(node: ts.Node, unit: Unit): string {
  const text = foldWhitespace(node.getText(unit.sourceFile));
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function lower(severity: Severity): Severity {
  return SEVERITIES[Math.max(1, severityRank(severity) - 1)]!;
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
}

/** Two findings with the same fingerprint (the same guardrail twice in a unit) get an occurrence suffix. */
function dedupeIds(findings: Finding[]): Finding[] {
  const seen = new Map<string, number>();
  for (const f of findings) {
    const n = (seen.get(f.id) ?? 0) + 1;
    seen.set(f.id, n);
    if (n > 1) f.id = `${f.id}-${n}`;
  }
  return findings;
}
