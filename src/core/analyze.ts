/**
 * The pure core's two entry points: `detectChanges` (file contents in, findings out) and `judge`
 * (findings and their context in, Report out). No I/O, no clock, no environment: callers pass everything.
 * `detectAll` runs the code detectors and the analyzers of non-code files over one pull request.
 */
import { detectChanges } from './detect/engine/run.js';
import { analyzeFiles } from './infra/run-analyzers.js';
import { ANALYZERS } from './infra/registry.js';
import { claimedByAny, type TreeFiles } from './infra/tree.js';
import { severityRank } from './model.js';
import { isSourcePath } from './paths.js';
import type { DetectInput, DetectResult } from './types.js';

export { detectChanges } from './detect/engine/run.js';
export { judge } from './score/judge.js';
export type { DetectInput, DetectResult, JudgeInput } from './types.js';

/**
 * Code files go to the detectors, files an analyzer claims to the analyzers (a TypeScript migration to
 * both); one result comes back, as if from one stage.
 */
export function detectAll(input: DetectInput & { tree?: TreeFiles }): DetectResult {
  const isCode = (f: { path: string; oldPath?: string }): boolean =>
    isSourcePath(f.path) || (f.oldPath !== undefined && isSourcePath(f.oldPath));
  const code = detectChanges({ ...input, files: input.files.filter((f) => f.skipped || isCode(f) || !claimedByAny(ANALYZERS, f)) });
  const other = analyzeFiles({
    files: input.files,
    config: input.config,
    ...(input.tree ? { tree: input.tree } : {}),
    ...(input.today ? { today: input.today } : {}),
  });
  const analyzedByBoth = input.files.filter((f) => !f.skipped && isCode(f) && claimedByAny(ANALYZERS, f)).length;
  return {
    findings: [...code.findings, ...other.findings].sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        a.file.localeCompare(b.file) ||
        a.line - b.line ||
        a.rule.localeCompare(b.rule),
    ),
    changedUnits: code.changedUnits,
    skipped: [...code.skipped.filter((s) => !other.skipped.some((o) => o.file === s.file)), ...other.skipped],
    notes: [...code.notes, ...other.notes],
    filesAnalyzed: code.filesAnalyzed + other.filesAnalyzed - Math.min(analyzedByBoth, other.filesAnalyzed),
    unitsCompared: code.unitsCompared,
  };
}
