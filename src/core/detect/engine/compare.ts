import { ts } from '../../ts-morph-library.js';
import { severityRank, type RemovalEvidence, type Severity, type WeakeningEvidence } from '../../model.js';
import type { Unit } from '../../parse/units.js';
import type { UnitPair } from '../../relate/pair-units.js';
import { escapeRegExp, isIdentifierText, simpleName } from '../ast/text.js';
import { conjunctsOf } from '../ast/conditions.js';
import { identifiersIn } from '../ast/walk.js';
import { isTestCode } from '../../paths.js';
import type { Detector, Guardrail, LossVerdict, PullRequestView } from '../define-detector.js';
import { lowerSeverity, removedSnippet, type FindingSeed } from './finding.js';
import type { Prepared } from './prepare.js';
import {
  callStillMadeUnderNewName,
  deletedWithItsCallers,
  droppedWithItsFeature,
  helperStandsInFront,
  lostChecksWentWithSubject,
  lostPartExtractedIntoHelper,
  movedIntoCaller,
  sameGuardRewritten,
  refusesUnbuiltFeature,
  refusedCaseLeftUnbuilt,
  responseCheckWentWithItsResponse,
  movedRejection,
  redirectedCall,
  rejectionSignature,
  sameCondition,
  sameGuardStillThere,
  standBeforeSameCode,
  subjectOf,
  subjectRemoved,
  testFollowedRename,
} from './protection.js';
import { registeredGlobally } from '../vocab/registrations.js';

/** How deep the search for a guardrail moved into a helper follows calls. */
const HELPER_DEPTH = 2;

/**
 * Where two guardrails are compared, from the strictest test to the loosest:
 * - `unit:anchor`, `unit:shape`, `unit:category`: before and after in one unit, paired in three passes —
 *   the same anchor, then the same shape, then the same category (a swap of one guardrail for another);
 * - `nearby`: a guardrail that left, found in the same file of the PR or on a configured object the code
 *   calls through (a client, a logger): the same anchor, or the same shape about mostly the same names;
 * - `elsewhere`: found in a helper function or another file: only the same guardrail about the same names.
 * A guardrail marked `exactOnly` matches only the same anchor, in every scope.
 */
export type MatchScope = 'unit:anchor' | 'unit:shape' | 'unit:category' | 'nearby' | 'elsewhere';

/** The one matching predicate: whether `a` and `b` are the same guardrail, seen from `scope`. */
export function sameGuardrail(a: Guardrail, b: Guardrail, scope: MatchScope): boolean {
  const sameAnchor = a.anchor === b.anchor;
  const exact = a.exactOnly === true || b.exactOnly === true;
  switch (scope) {
    case 'unit:anchor':
      return a.kind === b.kind && sameAnchor;
    case 'unit:shape':
      return exact ? sameAnchor : a.kind === b.kind && a.category === b.category;
    case 'unit:category':
      return exact ? sameAnchor : a.category === b.category;
    case 'nearby':
    case 'elsewhere': {
      if (a.category !== b.category) return false;
      if (sameAnchor) return true;
      if (exact) return false;
      // Two guards with the same normalised condition reject the same cases, whatever their names.
      if (sameCondition(a, b)) return true;
      if (a.kind !== b.kind) return false;
      // Shape alone is not enough: every guard clause has the shape of a guard clause. Nearby, a guardrail
      // recognised by its shape (`identity: 'kind'`) may name other things; elsewhere it may not.
      if (scope === 'nearby' && a.identity !== 'anchor') return true;
      return anchorSimilarity(a.anchor, b.anchor) >= 0.6;
    }
  }
}

/** Pairs guardrails before and after: same anchor first, then same shape, then same category (a swap). */
export function matchGuardrails(
  before: Guardrail[],
  after: Guardrail[],
): {
  matched: [Guardrail, Guardrail][];
  unmatchedBefore: Guardrail[];
  unmatchedAfter: Guardrail[];
} {
  const matched: [Guardrail, Guardrail][] = [];
  const left = [...before];
  const right = [...after];
  // The same anchor in front of the same code first: of two copies of one guard (one per branch), the one
  // that stayed is paired with its own copy, and the other is what left.
  const passes = [
    (a: Guardrail, b: Guardrail) => sameGuardrail(a, b, 'unit:anchor') && standBeforeSameCode(a, b),
    ...(['unit:anchor', 'unit:shape', 'unit:category'] as const).map((scope) => (a: Guardrail, b: Guardrail) => sameGuardrail(a, b, scope)),
  ];
  for (const same of passes) {
    for (let i = 0; i < left.length; i++) {
      const j = right.findIndex((r) => same(left[i]!, r));
      if (j >= 0) {
        matched.push([left[i]!, right[j]!]);
        left.splice(i, 1);
        right.splice(j, 1);
        i--;
      }
    }
  }
  return { matched, unmatchedBefore: left, unmatchedAfter: right };
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

/**
 * Compares one detector's inventories of every changed pair: guardrails matched before and after may be
 * weakened; one that left is moved (found in a helper or elsewhere in the PR) or removed.
 */
export function compareInventories(
  detector: Detector,
  severity: Severity,
  prepared: Prepared,
  inventory: (unit: Unit) => Guardrail[],
  emit: (seed: FindingSeed) => void,
): void {
  const weakenedSeverity = detector.meta.weakenedSeverity ?? lowerSeverity(severity);
  const candidates: { pair: UnitPair; guardrail: Guardrail }[] = [];
  const pool: { pair: UnitPair; guardrail: Guardrail; used: boolean }[] = [];
  const allHead = prepared.changedPairs.flatMap((pair) =>
    pair.head ? inventory(pair.head).map((guardrail) => ({ pair, guardrail })) : [],
  );
  const view = pullRequestView(prepared, allHead, inventory);
  for (const pair of prepared.changedPairs) {
    const before = pair.base ? inventory(pair.base) : [];
    const after = pair.head ? inventory(pair.head) : [];
    const { matched, unmatchedBefore, unmatchedAfter } = matchGuardrails(before, after);
    for (const [b, a] of matched) {
      // Amounts of different shapes (a retry count and a backoff factor) are not comparable.
      const weakened =
        b.kind === a.kind &&
        (detector.isWeakened ? detector.isWeakened(b, a, view) : defaultIsWeakened(b, a)) &&
        // What it lost was extracted into a helper it now calls: still done, in another place.
        !lostPartExtractedIntoHelper(b, a, prepared.protection.definitions.head);
      if (weakened) {
        // Every check it lost was about code the PR took out (an assertion of a removed API): it went with that code.
        const wentWithSubject = lostChecksWentWithSubject(b, a, prepared.protection.presence);
        const verdict: LossVerdict | undefined = wentWithSubject ? undefined : detector.judgeLoss?.(b, a, view);
        if (verdict && 'kept' in verdict) continue;
        emit({
          messageId: 'weakened',
          severity: wentWithSubject ? 'info' : (verdict?.severity ?? weakenedSeverity),
          side: 'head',
          unit: pair.head!,
          node: a.node,
          pair,
          anchor: b.anchor,
          data: {
            label: b.label,
            from: describeStrength(b),
            to: describeStrength(a),
            change: describeChange(b, a),
            ...(verdict && 'data' in verdict ? verdict.data : {}),
          },
          evidence: {
            before: b.label,
            after: a.label,
            ...droppedMembers(b, a),
            ...(wentWithSubject ? { subjectRemoved: wentWithSubject.slice(0, 5) } : {}),
            ...verdict?.evidence,
          } satisfies Omit<WeakeningEvidence, 'kind'>,
        });
      }
    }
    for (const guardrail of unmatchedBefore) candidates.push({ pair, guardrail });
    for (const guardrail of unmatchedAfter) pool.push({ pair, guardrail, used: false });
  }
  const protection = prepared.protection;
  const headTestCalls = new Set(
    prepared.changedPairs.flatMap((p) => (p.head && prepared.testFiles.has(p.head.file) ? [...p.head.calls] : [])),
  );
  // A deleted helper went with its callers only when the code the chain started in (if the head kept it)
  // carries no protection of the same kind any more: a deleted delay helper of a retry loop that still
  // retries took a part of that loop's protection with it.
  const wentWithItsCallers = (unit: Unit, guardrail: Guardrail): boolean => {
    const chain = deletedWithItsCallers(unit, protection.deletedUnits, protection.baseUnits, protection.presence.calledNames);
    if (!chain) return false;
    return chain.survivingRoots.every((root) => {
      const head = protection.headOf.get(root);
      return !head || !inventory(head).some((g) => g.category === guardrail.category);
    });
  };
  // Head units of the PR's source code with the guardrails they gained (anchors their base did not have).
  let gains: { head: Unit; gained: Guardrail[] }[] | undefined;
  const callersWithGains = (): { head: Unit; gained: Guardrail[] }[] =>
    (gains ??= prepared.changedPairs.flatMap((p) => {
      if (!p.head || prepared.testFiles.has(p.head.file)) return [];
      const had = new Set((p.base ? inventory(p.base) : []).map((g) => g.anchor));
      const gained = inventory(p.head).filter((g) => !had.has(g.anchor));
      return gained.length ? [{ head: p.head, gained }] : [];
    }));
  const deletedFiles = new Map<string, { pair: UnitPair; guardrail: Guardrail }[]>();
  for (const { pair, guardrail } of candidates) {
    const moved = (where: string, evidence: Record<string, unknown> = {}): void =>
      emit({
        messageId: 'moved',
        severity: 'info',
        side: 'base',
        unit: pair.base!,
        node: guardrail.node,
        pair,
        anchor: guardrail.anchor,
        data: { label: guardrail.label, where },
        evidence: { removed: guardrail.label, foundIn: where, ...evidence },
      });
    const removed = (severity: Severity, evidence: Record<string, unknown> = {}): void =>
      emit({
        messageId: 'removed',
        severity,
        side: 'base',
        unit: pair.base!,
        node: guardrail.node,
        pair,
        anchor: guardrail.anchor,
        data: { label: guardrail.label, ...(guardrail.consequence !== undefined ? { consequence: guardrail.consequence } : {}) },
        evidence: { removed: removedSnippet(guardrail.node, pair.base!), ...evidence },
      });
    // Still there: the same guard with the same condition still leaves (only its body changed), or the call
    // of a helper the PR renamed is still made under the new name.
    if (
      sameGuardStillThere(guardrail, pair.head, protection.throwers) ||
      sameGuardRewritten(guardrail, pair.head) ||
      callStillMadeUnderNewName(guardrail, pair.head, protection.renames)
    )
      continue;
    // What it bounded is gone in another form the detector recognises in the head (see Guardrail.obsoleteIn).
    const obsolete = pair.head ? guardrail.obsoleteIn?.(pair.head) : undefined;
    if (obsolete) {
      removed('info', { noLongerNeeded: obsolete });
      continue;
    }
    // A refusal of a case not built yet rejects a request the code could not serve, not bad input: the PR
    // that removes it usually builds the case. Shown as context only.
    // Unless the PR built nothing in its place: then the refused request is now accepted and not served.
    const leftUnbuilt = refusesUnbuiltFeature(guardrail, protection) ? (refusedCaseLeftUnbuilt(guardrail, protection) ?? false) : undefined;
    if (leftUnbuilt === false) {
      removed('info', { refusedUnbuiltCase: true });
      continue;
    }
    // The same named rejection thrown elsewhere in the head: the check moved, whatever its condition looks like now.
    const signature = rejectionSignature(guardrail.node);
    const { base: baseRejections, head: headRejections, context: contextRejections } = protection.rejections;
    const rejectedIn = signature
      ? movedRejection(signature, baseRejections, headRejections, contextRejections, protection.presence.calledNames)
      : undefined;
    if (rejectedIn) {
      moved(`${rejectedIn.name} (${rejectedIn.file})`, { sameRejection: signature });
      continue;
    }
    const redirected = redirectedCall(guardrail, pair.base!, pair.head, protection.definitions);
    if (redirected) {
      moved(`${redirected}, which the call now goes to`);
      continue;
    }
    const followed = testFollowedRename(guardrail, pair.base!, protection.renames, headTestCalls);
    if (followed) {
      moved(`the tests of ${followed}`);
      continue;
    }
    const global = registeredGlobally(guardrail, protection.globals);
    if (global) {
      moved(`the application-wide registration in ${global}`);
      continue;
    }
    const helper = pair.head ? findInHelpers(pair.head, guardrail, prepared.headIndex, inventory) : undefined;
    // In the same file, the same shape is enough (a nested timer became AbortSignal.timeout, tests folded
    // into a table); elsewhere (a middleware on another route, another module) only the same guardrail
    // about the same names counts. The same normalised condition counts anywhere else in the changed code, even
    // where a guardrail of another shape took it for its counterpart (a helper call replaced by its guard);
    // in the unit itself, only in front of the same code (sameGuardStillThere).
    const file = (pair.head ?? pair.base)!.file;
    // A new helper the unit calls protects it only from in front of its work (helperStandsInFront).
    const inFrontIfCalled = (other: Unit): boolean =>
      !pair.head || !pair.head.calls.has(simpleName(other)) || helperStandsInFront(guardrail, pair.head, simpleName(other));
    const elsewhere = helper
      ? undefined
      : (pool.find(
          (p) =>
            !p.used &&
            sameGuardrail(guardrail, p.guardrail, p.pair.head?.file === file ? 'nearby' : 'elsewhere') &&
            inFrontIfCalled(p.pair.head!),
        ) ?? allHead.find((p) => p.pair !== pair && p.guardrail.category === guardrail.category && sameCondition(guardrail, p.guardrail)));
    if (helper || elsewhere) {
      if (elsewhere && 'used' in elsewhere) elsewhere.used = true;
      moved(helper ? `${helper.name} (${helper.file})` : `${elsewhere!.pair.head!.name} (${elsewhere!.pair.head!.file})`);
      continue;
    }
    // Moved up: a caller of this unit gained a guardrail of the same category around the call to it.
    const caller = movedIntoCaller(guardrail, simpleName(pair.base!), callersWithGains(), pair.head);
    if (caller) {
      moved(`${caller.name} (${caller.file}), which now protects the call to ${simpleName(pair.base!)}`);
      continue;
    }
    if (!pair.head && isDeadCode(pair.base!)) continue;
    // A nested function the PR folded into the function around it (a recursive reader became a loop): the
    // enclosing function gained a guardrail of the same shape, which is where this one went.
    const container = !pair.head ? inlinedInto(pair.base!, guardrail, protection, inventory) : undefined;
    if (container) {
      moved(`${container.name} (${container.file}), the function it was folded into`);
      continue;
    }
    // What it protected left with the PR (the call it wrapped, the code a test exercised): it went with the feature.
    const subjectGone =
      subjectRemoved(subjectOf(guardrail, pair.base!), protection.presence) ??
      responseCheckWentWithItsResponse(guardrail, pair.base!, pair.head) ??
      (!pair.head && wentWithItsCallers(pair.base!, guardrail) ? [simpleName(pair.base!)] : undefined) ??
      (!pair.head ? droppedWithItsFeature(pair.base!, guardrail, protection) : undefined);
    if (subjectGone) {
      removed('info', { subjectRemoved: subjectGone.slice(0, 5) });
      continue;
    }
    const verdict = detector.judgeLoss?.(guardrail, undefined, view);
    if (verdict && 'kept' in verdict) {
      moved(verdict.kept, verdict.evidence);
      continue;
    }
    const inDeletedFile = !pair.head && prepared.deletedFiles.has(pair.base!.file);
    const ownSeverity = verdict?.severity ?? severity;
    if (inDeletedFile && detector.meta.deletedFileLabel !== undefined && severityRank(ownSeverity) > severityRank('info')) {
      const file = pair.base!.file;
      deletedFiles.set(file, [...(deletedFiles.get(file) ?? []), { pair, guardrail }]);
      continue;
    }
    // A guardrail deleted together with its whole file goes with a feature, not a simplification. A refusal
    // left with nothing built in its place is a loss, but a capability check rather than bad input: medium.
    const cap = inDeletedFile ? 'low' : leftUnbuilt ? 'medium' : undefined;
    removed(cap && severityRank(ownSeverity) > severityRank(cap) ? cap : ownSeverity, {
      ...(inDeletedFile ? ({ fileDeleted: true } satisfies Partial<RemovalEvidence>) : {}),
      ...(leftUnbuilt ? { refusedCaseLeftUnbuilt: leftUnbuilt.slice(0, 5) } : {}),
      ...verdict?.evidence,
    });
  }
  // One finding per deleted file, on its first guardrail, for detectors that ask for it.
  for (const [file, lost] of deletedFiles) {
    const first = lost[0]!;
    emit({
      messageId: 'removed',
      severity: severityRank(severity) > severityRank('low') ? 'low' : severity,
      side: 'base',
      unit: first.pair.base!,
      node: first.guardrail.node,
      pair: first.pair,
      anchor: `file ${file}`,
      data: { label: detector.meta.deletedFileLabel!.replace('{{file}}', `\`${file}\``).replace('{{count}}', String(lost.length)) },
      evidence: {
        removed: removedSnippet(first.guardrail.node, first.pair.base!),
        fileDeleted: true,
        lost: lost.slice(0, 10).map((l) => l.guardrail.label),
      } satisfies Omit<RemovalEvidence, 'kind'> & { lost: string[] },
    });
  }
}

/** What a detector may read of the whole pull request (see PullRequestView). */
function pullRequestView(
  prepared: Prepared,
  allHead: { pair: UnitPair; guardrail: Guardrail }[],
  inventory: (unit: Unit) => Guardrail[],
): PullRequestView {
  const changedCode = new Set<string>();
  for (const { base, head } of prepared.changedPairs) {
    if (!base || !head || prepared.testFiles.has(head.file) || head.kind === 'module' || head.kind === 'class' || head.kind === 'call')
      continue;
    changedCode.add(simpleName(head));
  }
  return {
    head: allHead.map(({ pair, guardrail }) => ({
      guardrail,
      unit: pair.head!,
      added: !pair.base || !inventory(pair.base).some((b) => b.anchor === guardrail.anchor),
    })),
    base: prepared.changedPairs.flatMap((pair) =>
      pair.base ? inventory(pair.base).map((guardrail) => ({ guardrail, unit: pair.base! })) : [],
    ),
    unitsNamed: (name) => prepared.headIndex.get(name) ?? [],
    isTest: (path) => prepared.testFiles.has(path) || isTestCode(path),
    changedCode,
  };
}

/**
 * The head of the function a deleted nested function sat in, when that function gained a guardrail of
 * the guardrail's category and shape (one whose anchor it did not have): the nested code was folded into
 * it. A guardrail the container already had does not stand in for the one that left.
 */
function inlinedInto(
  deleted: Unit,
  guardrail: Guardrail,
  protection: Prepared['protection'],
  inventory: (u: Unit) => Guardrail[],
): Unit | undefined {
  const start = deleted.node.getStart(deleted.sourceFile);
  const end = deleted.node.getEnd();
  let container: Unit | undefined;
  for (const unit of protection.baseUnits) {
    if (unit === deleted || unit.file !== deleted.file || unit.kind === 'module' || unit.kind === 'class') continue;
    const from = unit.node.getStart(unit.sourceFile);
    if (from > start || unit.node.getEnd() < end) continue;
    if (!container || from >= container.node.getStart(container.sourceFile)) container = unit;
  }
  const head = container && protection.headOf.get(container);
  if (!container || !head) return undefined;
  // The shape, not what it is about: `catch race` and `catch read` are both a catch.
  const shape = (g: Guardrail): string => g.kind.split(' ')[0]!;
  const alike = (g: Guardrail): boolean => g.category === guardrail.category && shape(g) === shape(guardrail);
  const had = new Set(
    inventory(container)
      .filter(alike)
      .map((g) => g.anchor),
  );
  return inventory(head).some((g) => alike(g) && !had.has(g.anchor)) ? head : undefined;
}

/** Whether the guardrail is present in a helper the head unit calls (directly or one call further). */
function findInHelpers(
  head: Unit,
  guardrail: Guardrail,
  index: Map<string, Unit[]>,
  inventory: (u: Unit) => Guardrail[],
): Unit | undefined {
  const seen = new Set<Unit>([head]);
  // Each unit reached, with the call of the head unit that leads to it.
  let frontier: { unit: Unit; via?: string }[] = [{ unit: head }];
  for (let depth = 0; depth < HELPER_DEPTH; depth++) {
    const next: { unit: Unit; via: string }[] = [];
    for (const { unit, via } of frontier) {
      for (const name of unit.calls) {
        const targets = index.get(name) ?? [];
        // Prefer a helper in the same file; a common name like `get` in another file is not evidence.
        const local = targets.filter((t) => t.file === unit.file);
        for (const target of local.length ? local : targets.length <= 2 ? targets : []) {
          if (seen.has(target)) continue;
          seen.add(target);
          // A configured object the call goes through (a client, a logger) applies its guardrails to every
          // call: the same shape there is enough. A helper function protects only what it does itself:
          // there it must be the same guardrail about the same names, and a guard clause only if the
          // helper runs before the work the guard stood in front of.
          const scope = target.kind === 'field' ? 'nearby' : 'elsewhere';
          if (
            inventory(target).some((g) => sameGuardrail(guardrail, g, scope) && !passesThrough(g, target)) &&
            helperStandsInFront(guardrail, head, via ?? name)
          )
            return target;
          next.push({ unit: target, via: via ?? name });
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
  if (ts.isShorthandPropertyAssignment(node)) return helper.params.includes(node.name.text);
  if (!ts.isPropertyAssignment(node)) return appliedOnlyWhenGiven(node, helper);
  const names = identifiersIn(node.initializer);
  return helper.params.some((p) => names.has(p));
}

/**
 * `if (timeout && !init.signal) { …setTimeout(() => controller.abort(), timeout) }`: a guardrail the helper
 * applies only when its caller hands it a value (a parameter, a field of one, a name destructured from one
 * with no default) is a capability too: a caller that passes nothing gets nothing.
 */
function appliedOnlyWhenGiven(node: ts.Node, helper: Unit): boolean {
  const given = namesTakenFromParameters(helper);
  if (given.size === 0) return false;
  for (let n: ts.Node = node; n.parent && n !== helper.node; n = n.parent) {
    const parent: ts.Node = n.parent;
    if (ts.isIfStatement(parent) && parent.thenStatement === n && conjunctsOf(parent.expression).some((t) => testsGiven(t, given)))
      return true;
  }
  return false;
}

/** The helper's parameters and the locals it takes from them as they are: `const { timeout } = init || {}`, `const ms = opts.ms`. */
function namesTakenFromParameters(helper: Unit): Set<string> {
  // A parameter with a default (`timeoutMs = 5000`) is never absent.
  const defaulted = new Set(
    ts.isFunctionLike(helper.node)
      ? helper.node.parameters.filter((p) => p.initializer && ts.isIdentifier(p.name)).map((p) => (p.name as ts.Identifier).text)
      : [],
  );
  const params = new Set(helper.params.filter((p) => !defaulted.has(p)));
  const fromParameter = (e: ts.Expression): boolean => {
    e = stripParentheses(e);
    if (
      ts.isBinaryExpression(e) &&
      (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) &&
      isEmptyObject(e.right)
    )
      return fromParameter(e.left);
    const root = accessRoot(e);
    return root !== undefined && params.has(root);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.initializer && fromParameter(n.initializer)) {
      if (ts.isIdentifier(n.name)) params.add(n.name.text);
      else if (ts.isObjectBindingPattern(n.name))
        for (const element of n.name.elements) if (!element.initializer && ts.isIdentifier(element.name)) params.add(element.name.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(helper.node);
  return params;
}

function isEmptyObject(e: ts.Expression): boolean {
  const x = stripParentheses(e);
  return ts.isObjectLiteralExpression(x) && x.properties.length === 0;
}

/** `a.b.c` → a; `a` → a. Narrower than ast/text's rootName: through property accesses only, not calls or indexes. */
function accessRoot(e: ts.Expression): string | undefined {
  while (ts.isPropertyAccessExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : undefined;
}

function stripParentheses(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** A test that holds only when the value was given: `timeout`, `opts.timeout`, `ms != null`, `ms !== undefined`, `ms > 0`. */
function testsGiven(term: ts.Expression, given: Set<string>): boolean {
  const e = stripParentheses(term);
  const isGiven = (x: ts.Expression): boolean => {
    const root = accessRoot(stripParentheses(x));
    return root !== undefined && given.has(root) && (ts.isIdentifier(x) || ts.isPropertyAccessExpression(stripParentheses(x)));
  };
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) return isGiven(e);
  if (!ts.isBinaryExpression(e)) return false;
  const op = e.operatorToken.kind;
  const absent = (x: ts.Expression): boolean => x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === 'undefined');
  if ((op === ts.SyntaxKind.ExclamationEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken) && absent(e.right))
    return isGiven(e.left);
  if (op === ts.SyntaxKind.GreaterThanToken && ts.isNumericLiteral(e.right) && e.right.text === '0') return isGiven(e.left);
  return false;
}

/** A deleted unit nothing else referenced: removing it removes no behaviour. */
function isDeadCode(unit: Unit): boolean {
  if (unit.exported || unit.kind === 'module' || unit.kind === 'call') return false;
  const simple = simpleName(unit).replace(/^(get|set) /, '');
  // A computed or quoted name (`['a(b']`, `[Symbol.iterator]`) cannot be searched for as a word: without
  // evidence that nothing uses it, the removal is reported.
  if (!isIdentifierText(simple)) return false;
  const text = unit.sourceFile.text;
  const pattern = new RegExp(`(?<![\\w$])${escapeRegExp(simple)}(?![\\w$])`, 'g');
  let references = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index;
    if (at < unit.node.getStart(unit.sourceFile) || at >= unit.node.getEnd()) references++;
  }
  return references === 0;
}

/** The default weakening test: a member of a set dropped, or an amount past a factor of 2 the wrong way. */
export function defaultIsWeakened(before: Guardrail, after: Guardrail): boolean {
  if (before.members && after.members) {
    const kept = new Set(after.members);
    if (before.members.some((m) => !kept.has(m))) return true;
  }
  if (before.strength === undefined || after.strength === undefined || !before.stronger) return false;
  if (before.stronger === 'higher') return after.strength < before.strength;
  return after.strength >= before.strength * 2;
}

function droppedMembers(before: Guardrail, after: Guardrail): { dropped?: string[] } {
  if (!before.members || !after.members) return {};
  const kept = new Set(after.members);
  const dropped = before.members.filter((m) => !kept.has(m));
  return dropped.length ? { dropped } : {};
}

/** 'lost uuid, required' for a set that shrank, 'from 5000 to 60000' for an amount. */
function describeChange(before: Guardrail, after: Guardrail): string {
  const dropped = droppedMembers(before, after).dropped;
  if (dropped) return `lost ${dropped.join(', ')}`;
  return `from ${describeStrength(before)} to ${describeStrength(after)}`;
}

function describeStrength(g: Guardrail): string {
  if (g.strength === undefined) return g.members ? `[${g.members.join(', ')}]` : 'set';
  if (!Number.isFinite(g.strength)) return 'none';
  return String(g.strength);
}
