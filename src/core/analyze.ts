/**
 * The pure core's two entry points: `detectChanges` (file contents in, findings out) and `judge`
 * (findings and their context in, Report out). No I/O, no clock, no environment: callers pass everything.
 */
export { detectChanges } from './detect/engine/run.js';
export { judge } from './score/judge.js';
export type { DetectInput, DetectResult, JudgeInput } from './types.js';
