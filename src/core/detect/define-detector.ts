import type { ts } from 'ts-morph';
import type { Category, Severity } from '../model.js';
import type { Unit } from '../parse/units.js';

/**
 * One guardrail found in a unit: what it protects, described so that the same guardrail is recognised
 * again after reformatting, renaming or moving.
 */
export interface Guardrail {
  category: Category;
  /** The shape it takes: 'option', 'abort-signal', 'retry-loop', 'schema', 'guard-clause', ... */
  kind: string;
  /**
   * A normalized description that survives reformatting and renaming: 'timeout option of axios.create',
   * 'retry loop around fetch'. Two guardrails with the same anchor are the same guardrail.
   */
  anchor: string;
  /** A comparable amount when there is one: milliseconds, attempts, a size cap. */
  strength?: number;
  /** Which way `strength` is safer: a higher attempt count, a lower timeout. */
  stronger?: 'higher' | 'lower';
  /** For set-like guardrails (retryable statuses, allowed roles): the members, to tell a dropped one. */
  members?: string[];
  /**
   * How the guardrail is recognised elsewhere (in a helper, in another file of the PR): by its shape
   * (`kind`, the default: any retry loop stands for a retry loop) or only by an `anchor` about the same
   * names (guard clauses: every guard has the shape of a guard).
   */
  identity?: 'kind' | 'anchor';
  /**
   * Matches another guardrail only when the anchors are identical, never by shape or category, even in
   * the same unit: for stand-ins that answer one specific removal (`new URL()` for a removed check of a
   * URL's shape) and must not mask any other.
   */
  exactOnly?: boolean;
  /**
   * What it protects, when the detector knows better than the engine's reading of the node (see
   * protection.ts): the names of the operations, and whether losing any or all of them takes it away.
   */
  subject?: { names: string[]; goneWhen: 'any' | 'all' };
  /**
   * The separate checks the guardrail makes, when its strength counts them (a test's assertions): each
   * one's normalised text and the names it reads. A weakening whose lost checks all read something the
   * pull request took out of the code went with that code (see protection.ts, `lostChecksWentWithSubject`).
   */
  checks?: { text: string; names: string[] }[];
  /**
   * Why the head no longer needs it, when the detector can tell from the head unit that what the guardrail
   * bounded is gone in another form (a row limit on a subquery that became an EXISTS test, which reads no
   * rows). Undefined when it is still needed. A removal it explains is shown as context (info) only.
   */
  obsoleteIn?: (head: Unit) => string | undefined;
  /**
   * What losing it lets happen, for a detector whose `removed` message leaves that to the guardrail
   * (`{{consequence}}`): an idempotency key that is gone lets a replay apply twice, a caught
   * unique-constraint violation that is gone makes the second write fail instead.
   */
  consequence?: string;
  /** The node that carries it, in the unit's syntax tree. */
  node: ts.Node;
  /** Short human description used in messages: 'a 5000 ms timeout on axios.create'. */
  label: string;
}

/** A finding a detector raises directly (new code that lacks a guardrail, a weakening visible in one side). */
export interface DirectFinding<MessageId extends string = string> {
  /** One of the detector's own message ids: the compiler checks it against `meta.messages`. */
  messageId: MessageId;
  data?: Record<string, string | number>;
  node: ts.Node;
  side: 'base' | 'head';
  /** Overrides the detector's severity for this finding. */
  severity?: Severity;
  /** Distinguishes findings of the same rule in the same unit in the fingerprint. */
  key: string;
  /** What the finding shows as evidence (the engine adds `kind`, the message id). */
  evidence?: Record<string, unknown>;
  /**
   * The category of this finding, when the detector reads it from the code rather than declaring one for
   * all its findings (`meta.category` otherwise).
   */
  category?: Category;
}

/** A finding a detector raises from the whole pull request: a direct finding and the unit its node lies in. */
export interface PullRequestFinding<MessageId extends string = string> extends DirectFinding<MessageId> {
  unit: Unit;
}

/**
 * The whole pull request at once, tests and code together, for a detector whose evidence spans files (a
 * deleted test and the code it exercised). Built by the engine once per run.
 */
export interface WholeChange {
  /** Every unit pair whose text changed, or that exists on one side only. */
  changed: readonly { base?: Unit; head?: Unit }[];
  /** Whether a path is test code. */
  isTest(path: string): boolean;
  /** Every base unit of a changed file, changed or not: what else of the file a test may reach it through. */
  baseUnitsIn(file: string): readonly Unit[];
  /** Every source file (tests left out) of the head the analysis read: the changed ones and their imports. */
  headSources: readonly ts.SourceFile[];
  /** Names the pull request took out of the code, and the names the head's code still calls. */
  presence: { removedNames: ReadonlySet<string>; calledNames: ReadonlySet<string> };
}

/** What a detector sees of a unit that changed: both sides, paired, and a way to tell new code. */
export interface ChangeContext {
  base?: Unit;
  head?: Unit;
  /** True when the node of the head unit has no counterpart of the same text in the base unit. */
  isNew(node: ts.Node): boolean;
  isTestFile: boolean;
  /**
   * The value a name stands for when it is a constant, in its own file or imported from another the
   * analysis read (`NO_LABELS` → `Object.freeze({})`); undefined when it is not a known constant.
   */
  constantValue(expression: ts.Expression): ts.Expression | undefined;
  /**
   * The longest test timeout (ms) a test runner's configuration held before the PR and no longer holds:
   * a timeout that tests now set themselves may have taken over from it.
   */
  runnerTimeoutRemoved?: number;
}

/**
 * What an inventory detector may read of the whole pull request when it judges a guardrail that left or
 * weakened (`isWeakened`, `judgeLoss`): where else the head holds guardrails of its kind, the helpers a unit
 * calls, and which code the PR changed. Built by the engine once per run (engine/compare.ts).
 */
export interface PullRequestView {
  /**
   * The detector's guardrails on the head side of every changed unit in its scope, with their unit; `added`
   * when the base of that unit had no guardrail of the same anchor (a new test, a new check).
   */
  head: readonly { guardrail: Guardrail; unit: Unit; added: boolean }[];
  /** The detector's guardrails on the base side of every changed unit in its scope. */
  base: readonly { guardrail: Guardrail; unit: Unit }[];
  /** Head units by simple name: the changed files' and the unchanged files they import. */
  unitsNamed(name: string): readonly Unit[];
  /** Whether a path is test code. */
  isTest(path: string): boolean;
  /**
   * Simple names of the source units (test code left out) the PR kept but changed: code whose behaviour
   * the same PR may have changed on purpose.
   */
  changedCode: ReadonlySet<string>;
}

/**
 * A detector's own reading of a guardrail that left its unit or weakened, when it knows more than the
 * engine: still kept elsewhere (`kept` names where: reported as a move, info), or the severity to report
 * (the detector's own when absent), with evidence and message data of its own.
 */
export type LossVerdict =
  | { kept: string; evidence?: Record<string, unknown> }
  | { severity?: Severity; evidence?: Record<string, unknown>; data?: Record<string, string> };

/** The messages the engine raises for an inventory detector: a guardrail removed, weakened, or moved elsewhere. */
export type InventoryMessageId = 'removed' | 'weakened' | 'moved';

/**
 * The phrase a message uses for "the unit lost it": `{{noLongerHas}}` reads "no longer has", or "was deleted,
 * and with it" when the PR deleted the unit itself (and its guardrails with it).
 */
export const LOST_PHRASE = { kept: 'no longer has', deleted: 'was deleted, and with it' } as const;

export interface DetectorMeta<MessageId extends string = string> {
  id: string;
  category: Category;
  /** Severity of a removal; weakenings default to one step lower; moves are always info. */
  severity: Severity;
  weakenedSeverity?: Severity;
  description: string;
  /**
   * Message templates by message id. The engine fills in {{symbol}} (the unit), {{noLongerHas}} (see
   * LOST_PHRASE), and for inventory messages {{label}}, {{from}}, {{to}}, {{change}}, {{where}} and the
   * guardrail's {{consequence}}; direct
   * findings fill in their own `data`.
   */
  messages: Record<MessageId, string>;
  /**
   * How a removal of this detector relates to another detector's removal around it. `into-enclosing`: it is
   * usually the mechanics of that other guardrail (the catch of a retry loop, the warning it logs), so a
   * removal lying inside another detector's removal in the same unit is folded into that finding's evidence
   * instead of being reported again. Detectors that fold are never the enclosing finding.
   * `behind-overlapping`: it reads a loss generically that a dedicated detector may have named already, so a
   * finding that overlaps another detector's finding in the same unit defers to it: folded into a removal
   * reported at medium or above, dropped when the other found the guardrail kept elsewhere (moved) or gone
   * with its subject, kept otherwise.
   */
  fold?: 'into-enclosing' | 'behind-overlapping';
  /**
   * When set, the guardrails a deleted file took with it are reported once for the file (a deleted test
   * file is one finding, not one per test), with this `{{label}}`: `{{file}}` and `{{count}}` are filled
   * in. By default each is reported on its own.
   */
  deletedFileLabel?: string;
  /** Which files the detector reads: source code (default), test files, or both. */
  scope?: 'source' | 'test' | 'all';
  docs: {
    catches: string;
    ignores: string;
    /**
     * One file before and after; `alsoChanged` holds the other files the example's pull request changes,
     * for a rule whose evidence spans files (the test of the code).
     */
    example: { before: string; after: string; file?: string; alsoChanged?: { file: string; before: string; after: string }[] };
  };
}

export interface Detector<MessageId extends string = string> {
  meta: DetectorMeta<MessageId>;
  /**
   * The guardrails present in one unit. Compared before and after to find removed, weakened, moved: a
   * detector with an inventory must define those three messages (`defineDetector` checks it).
   */
  inventory?(unit: Unit): Guardrail[];
  /** Findings on the change itself, for guardrails that are not an inventory (new unguarded code). */
  inspect?(change: ChangeContext): DirectFinding<MessageId>[];
  /** Findings whose evidence is spread over the pull request (see WholeChange). */
  inspectPullRequest?(change: WholeChange): PullRequestFinding<MessageId>[];
  /**
   * Decides whether moving from `before` to `after` (same anchor) weakens the guardrail.
   * The default compares `strength` with a factor of 2 and `members` for dropped entries.
   */
  isWeakened?(before: Guardrail, after: Guardrail, pr: PullRequestView): boolean;
  /**
   * Reads a guardrail that weakened (`after` is its head counterpart) or left its unit (`after` undefined)
   * and the engine's own search did not find elsewhere: kept elsewhere, or how severe the loss is. Undefined
   * leaves the engine's answer.
   */
  judgeLoss?(lost: Guardrail, after: Guardrail | undefined, pr: PullRequestView): LossVerdict | undefined;
}

/** What `defineDetector` demands of a detector without the three inventory messages: no inventory. */
type InventoryNeedsItsMessages<MessageId extends string> = [InventoryMessageId] extends [MessageId]
  ? unknown
  : { /** An inventory detector must define the messages `removed`, `weakened` and `moved`. */ inventory?: never; isWeakened?: never };

/**
 * Declares a detector, typed like typescript-eslint's `createRule<Options, MessageId>`: the message ids
 * are inferred from `meta.messages`, every `messageId` a finding uses must be one of them, and a detector
 * with an inventory must define `removed`, `weakened` and `moved`. At run time, the identity function.
 */
export function defineDetector<const MessageId extends string>(
  detector: Detector<MessageId> & InventoryNeedsItsMessages<MessageId>,
): Detector<MessageId> {
  return detector;
}

/**
 * Compares amounts only between guardrails of the same kind (the engine also pairs guardrails of one
 * category but different kinds, whose amounts mean different things). `factor` is how much weaker an
 * amount must get to count: 2 means doubled (for `stronger: 'lower'`) or halved (for 'higher').
 */
export function weakenedByFactor(before: Guardrail, after: Guardrail, factor = 2): boolean {
  if (before.kind !== after.kind) return false;
  if (before.strength === undefined || after.strength === undefined || !before.stronger) return false;
  if (before.stronger === 'lower')
    return before.strength > 0 && Number.isFinite(before.strength) && after.strength >= before.strength * factor;
  return after.strength * factor <= before.strength;
}
