import type { Config } from './config/config.js';
import type { ChangedFile, ChangedUnit, ContextFile, Finding, ImpactInput, SkippedFile } from './model.js';

/** Everything the detectors need: both versions of each changed file, and the head files they import. */
export interface DetectInput {
  files: ChangedFile[];
  /** Head versions of unchanged files that changed code imports (helpers a guardrail may have moved into). */
  context: ContextFile[];
  config: Config;
  /** Today's date (YYYY-MM-DD) from the caller's clock, for suppressions that expire. */
  today?: string;
  /**
   * Asked before each file: true once the caller's time budget is spent, and the remaining files are listed
   * as skipped instead of analyzed (the core has no clock of its own).
   */
  outOfTime?: () => boolean;
}

export interface DetectResult {
  findings: Finding[];
  changedUnits: ChangedUnit[];
  skipped: SkippedFile[];
  notes: string[];
  filesAnalyzed: number;
  unitsCompared: number;
}

/** Everything the judge needs to turn findings and their context into a Report. */
export interface JudgeInput {
  base: string;
  head: string;
  toolVersion: string;
  detected: DetectResult;
  impact: ImpactInput;
  config: Config;
  /** `--fail-on` or the Action input; overrides the configuration file. */
  failOn?: Config['fail-on'];
  /** AI authorship as established by the caller from commits and PR metadata. */
  ai: { authored: boolean; evidence: string[] };
  filesChanged: number;
  durationMs: number;
  /** Maintainer acceptances keyed by finding id (issue_comment command). */
  acceptances?: Map<string, { who: string; reason: string }>;
}
