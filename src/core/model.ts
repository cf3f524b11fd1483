/**
 * The data model shared by every stage: what goes into the pure core and the Report that comes out.
 * The Report's JSON shape is the outside contract (CONTRACT.md §2, schemaVersion 1): extend it, never
 * rename or drop a field.
 */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * Reads a fail-on threshold as the CLI, the Action and the MCP tool all accept it: a level, or `never` for
 * `none` (what several CI scripts pass). Undefined when it is neither, so each entry point can word its own error.
 */
export function parseFailOnLevel(value: string): Level | undefined {
  if (value === 'never') return 'none';
  return (LEVELS as readonly string[]).includes(value) ? (value as Level) : undefined;
}

/** The closed category vocabulary of the contract; a new word comes with its documentation. */
export const CATEGORIES = [
  'retry',
  'timeout',
  'validation',
  'idempotency',
  'error-handling',
  'auth',
  'rate-limit',
  'circuit-breaker',
  'transaction',
  'observability',
  'resource-limit',
  'concurrency',
  'null-safety',
  'type-safety',
  'secrets',
  'test-weakening',
  'dependency',
  'migration',
  'health-check',
  'config',
  'ci',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Side = 'base' | 'head';

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** One changed file of the pull request, with both versions read from git objects. */
export interface ChangedFile {
  /** Repo-relative path on the head side (for a deletion, the base path). Forward slashes. */
  path: string;
  /** Path on the base side when the file was renamed. */
  oldPath?: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  /** Text of the base version; undefined for an added file or when it was skipped. */
  base?: string;
  /** Text of the head version; undefined for a deleted file or when it was skipped. */
  head?: string;
  /** Set when the file is not analyzed (binary, too large, not a source file, excluded by config). */
  skipped?: string;
}

/** A file the head tree holds that the PR did not change, read because changed code imports it. */
export interface ContextFile {
  path: string;
  text: string;
}

/** A commit of the pull request, as git reports it (for AI-authorship evidence and scars). */
export interface CommitInfo {
  sha: string;
  authorName: string;
  authorEmail: string;
  message: string;
}

/** Accepted status of a finding: suppressed in code, accepted by a maintainer, or open. */
export interface Acceptance {
  by: 'suppression' | 'maintainer';
  reason: string;
  who?: string;
  expires?: string;
}

export interface Finding {
  /** Stable fingerprint: same finding, same id, across re-runs and rebases (no line numbers in it). */
  id: string;
  rule: string;
  category: Category;
  severity: Severity;
  file: string;
  line: number;
  side: Side;
  symbol?: string;
  message: string;
  /**
   * Extension: which of the rule's messages this is (`removed`, `weakened`, `moved`, or a message of the
   * detector's own); also carried as `evidence.kind`, as before.
   */
  messageId?: string;
  evidence?: Evidence;
  /**
   * Extension: for a finding on a removed (base) line, the nearest head line that survives, so surfaces
   * that can only point at the head (annotations, SARIF) have somewhere to anchor.
   */
  headLine?: number;
  /**
   * Extension: the head-side path `headLine` counts in, when it differs from `file` (the file was renamed,
   * or the unit moved to another file). `file` and `line` always name the same side (`side`).
   */
  headFile?: string;
  /** Extension to the contract: a finding that was accepted stays visible but no longer counts. */
  accepted?: Acceptance;
}

/**
 * The head-side path of what a finding is about: its own file on the head side; for a removed (base) line,
 * the file its `headLine` counts in (a renamed file's new name, the file a unit moved to), else its own.
 * What the head's import graph, hotspots, critical paths and head-anchored surfaces are matched against.
 */
export function headPath(finding: Pick<Finding, 'file' | 'side' | 'headFile'>): string {
  return finding.side === 'base' ? (finding.headFile ?? finding.file) : finding.file;
}

/** What the engine adds to any finding's evidence. */
interface EvidenceBase {
  /** The message id, as the discriminant of the evidence's shape. */
  kind?: string;
  /** The head file of a unit that moved to another file. */
  headFile?: string;
  /** Removals folded into this one (`rule: message`): the catch of a retry loop, the warning it logged. */
  alsoRemoved?: string[];
  /** The commit that added the removed guardrail, when it fixed something (judge). */
  scar?: Scar;
}

/** A guardrail that is gone: the removed code, folded to one line. */
export interface RemovalEvidence extends EvidenceBase {
  kind: 'removed';
  removed: string;
  /** The guardrail went with its whole file. */
  fileDeleted?: true;
}

/** A guardrail still there but weaker: its description before and after. */
export interface WeakeningEvidence extends EvidenceBase {
  kind: 'weakened';
  before: string;
  after: string;
  /** Members of a set-like guardrail that were dropped (retryable statuses, allowed roles). */
  dropped?: string[];
  /** Names the PR took out of the code that every lost check read: the weakening went with them (info). */
  subjectRemoved?: string[];
}

/** A guardrail that left the unit but is still applied elsewhere (info). */
export interface MoveEvidence extends EvidenceBase {
  kind: 'moved';
  removed: string;
  foundIn: string;
}

/** A finding a detector raised directly: its own message id as `kind`, and what it chose to record. */
export interface DetectorEvidence extends EvidenceBase {
  [detail: string]: unknown;
}

/** Rule-specific evidence (CONTRACT §2: optional, rule-specific), typed by kind. */
export type Evidence = RemovalEvidence | WeakeningEvidence | MoveEvidence | DetectorEvidence;

/** The evidence of a removal, weakening or move found by comparing inventories; undefined for other findings. */
export function inventoryEvidence(finding: Finding): RemovalEvidence | WeakeningEvidence | MoveEvidence | undefined {
  const evidence = finding.evidence;
  if (!evidence) return undefined;
  return evidence.kind === 'removed' || evidence.kind === 'weakened' || evidence.kind === 'moved'
    ? (evidence as RemovalEvidence | WeakeningEvidence | MoveEvidence)
    : undefined;
}

export interface Contribution {
  findingId: string;
  points: number;
  why: string;
}

export interface UntestedUnit {
  file: string;
  symbol: string;
}

export interface Hotspot {
  file: string;
  symbol?: string;
  source: 'otlp' | 'v8' | 'istanbul' | 'csv' | 'churn';
  weight: number;
  /** Figures behind the weight, as the source gave them (calls, errors, p95 ms, changes, fixes). */
  figures?: Record<string, number>;
}

export interface RequiredCheck {
  id: string;
  title: string;
  reason: string;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'guardrail-gate'; version: string };
  base: string;
  head: string;
  decision: 'pass' | 'fail';
  score: number;
  level: Level;
  /** The threshold the decision was taken against (extension). */
  failOn: Level | 'none';
  contributions: Contribution[];
  findings: Finding[];
  /**
   * `reaching` (extension): for each changed file that carries a high or critical finding, the test files
   * that reach it through the import graph (what the comment's diagram and `explain_finding` show).
   */
  tests: { affected: string[]; untested: UntestedUnit[]; command?: string; reaching?: { file: string; tests: string[] }[] };
  hotspots: Hotspot[];
  requiredChecks: RequiredCheck[];
  ai: { authored: boolean; evidence: string[] };
  stats: {
    filesChanged: number;
    filesAnalyzed: number;
    durationMs: number;
    unitsCompared?: number;
  };
  /** Files that were not analyzed, and why (extension). */
  skipped: SkippedFile[];
  /** Things the reader should know about how complete the analysis is (extension). */
  notes: string[];
}

/**
 * The symbol of a file's module top level, as a unit. Here rather than in parse/ so that impact, which only
 * reads the symbols, does not load the TypeScript parser (the bench's graph process stays small).
 */
export const MODULE_UNIT = '<module>';

/** A unit (function, method, handler, module top level) whose text changed, on the side where it lives. */
export interface ChangedUnit {
  file: string;
  symbol: string;
  side: Side;
  startLine: number;
  endLine: number;
  /** The unit exists on this side only (added, or deleted by the PR). */
  status: 'added' | 'modified' | 'deleted';
}

/** A removed line traced back to the commit that added it, when that commit fixed something. */
export interface Scar {
  file: string;
  /** Base-side line that was blamed. */
  line: number;
  commit: string;
  date: string;
  subject: string;
  kind: 'fix' | 'incident' | 'security' | 'revert';
}

/**
 * Context about the change computed outside the detectors (import graph, coverage, telemetry, history).
 * Every part is optional: without history or telemetry the report degrades with a note.
 */
export interface ImpactInput {
  affectedTests: string[];
  untested: UntestedUnit[];
  testCommand?: string;
  hotspots: Hotspot[];
  scars: Scar[];
  churn: { file: string; changes: number; fixes: number }[];
  blastRadius: { file: string; direct: number; transitive: number }[];
  /** Changed head lines that no test executed, when a coverage file was given. */
  uncoveredLines: { file: string; lines: number[] }[];
  /** For each changed file, the test files that reach it through the import graph. */
  reachingTests: { file: string; tests: string[] }[];
  /** Test files deleted or weakened by the same PR (a removed guardrail whose test also went is escalated). */
  weakenedTests: string[];
  notes: string[];
}

export function emptyImpact(): ImpactInput {
  return {
    affectedTests: [],
    untested: [],
    hotspots: [],
    scars: [],
    churn: [],
    blastRadius: [],
    uncoveredLines: [],
    reachingTests: [],
    weakenedTests: [],
    notes: [],
  };
}
