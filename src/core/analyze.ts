/**
 * The pure core's two entry points: `detectChanges` (file contents in, findings out) and `judge`
 * (findings and their context in, Report out). No I/O, no clock, no environment: callers pass everything.
 * `detectAll` runs the code detectors and the analyzers of non-code files over one pull request.
 */
import { detectChanges } from './detect/engine/run.js';
import { analyzeFiles } from './infra/run-analyzers.js';
import { ANALYZERS } from './infra/registry.js';
import { claimedByAny, type TreeFiles } from './infra/tree.js';
import { severityRank, type ChangedFile, type Finding } from './model.js';
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
  // The analyzers first: the syntax trees they build of changed code (health routes, environment reads) are
  // kept for the detectors, which parse every changed file and keep none of their own for the analyzers.
  const other = analyzeFiles({
    files: input.files,
    config: input.config,
    ...(input.tree ? { tree: input.tree } : {}),
    ...(input.today ? { today: input.today } : {}),
  });
  const code = detectChanges({ ...input, files: input.files.filter((f) => f.skipped || isCode(f) || !claimedByAny(ANALYZERS, f)) });
  const findings = [...code.findings, ...other.findings];
  nameHeadFiles(findings, input.files);
  const analyzedByBoth = input.files.filter((f) => !f.skipped && isCode(f) && claimedByAny(ANALYZERS, f)).length;
  return {
    findings: findings.sort(
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

/**
 * A finding on a removed line names the base path and a base line; its `headLine` counts in the head
 * version, which for a renamed file (or a unit moved to another file) lives at another path. Name that
 * path, so that surfaces anchored on the head (annotations, SARIF) point at a file that exists there.
 */
function nameHeadFiles(findings: Finding[], files: ChangedFile[]): void {
  const renamedTo = new Map(files.filter((file) => file.oldPath).map((file) => [file.oldPath!, file.path]));
  for (const finding of findings) {
    if (finding.side !== 'base' || finding.headLine === undefined) continue;
    const moved = finding.evidence?.headFile;
    const headFile = typeof moved === 'string' ? moved : (finding.headFile ?? renamedTo.get(finding.file));
    if (headFile && headFile !== finding.file) finding.headFile = headFile;
  }
}
