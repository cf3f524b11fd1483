import type { Node } from 'yaml';
import type { Side } from '../../model.js';
import { UnreadableFileError } from '../define-analyzer.js';
import { byText, memoize } from '../../memo.js';
import { isMap, isScalar, isSeq, itemsOf, keyText, pairOf, pairsOf, parseYaml, scalarText, type YamlFile } from './yaml.js';

/** The paths GitHub reads workflows from. */
export const WORKFLOW_GLOBS = ['.github/workflows/*.yml', '.github/workflows/*.yaml'];

export function isWorkflowPath(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/** A value and the line it stands on. */
export interface At<T = string> {
  value: T;
  line: number;
}

/** `permissions:` as written: a shorthand (`read-all`, `write-all`, `{}` = none) or scopes. */
export interface Permissions {
  line: number;
  shorthand?: 'read-all' | 'write-all' | 'none';
  scopes: Map<string, 'read' | 'write' | 'none'>;
}

export interface Step {
  index: number;
  line: number;
  endLine: number;
  id?: string;
  name?: string;
  uses?: At;
  run?: At;
  with: Map<string, At>;
  env: Map<string, At>;
  continueOnError?: At;
  if?: At;
  workingDirectory?: string;
}

export interface Job {
  id: string;
  line: number;
  endLine: number;
  name?: string;
  /** A reusable workflow call (`uses:` on the job). */
  uses?: At;
  secretsInherit?: number;
  permissions?: Permissions;
  continueOnError?: At;
  if?: At;
  steps: Step[];
  /** The job's whole text, for `${{ secrets.* }}` and event references. */
  text: string;
}

export interface Workflow {
  yaml: YamlFile;
  text: string;
  triggers: Map<string, At<Node | null>>;
  permissions?: Permissions;
  jobs: Job[];
}

/**
 * Parses one side of a workflow; a file that is not YAML, or whose top level is not a mapping, is unreadable.
 * Shared by every analyzer that reads the same text: do not change it.
 */
export const parseWorkflow = memoize((text: string, side: Side): Workflow => {
  const yaml = parseYaml(text, side);
  const root = yaml.doc.contents;
  if (!isMap(root)) throw new UnreadableFileError(side, 'not a workflow (the top level is not a mapping)');
  const lines = text.split('\n');
  const triggers = new Map<string, At<Node | null>>();
  const on = pairOf(root, 'on');
  if (on) {
    const value = on.value;
    if (isScalar(value)) triggers.set(String(value.value), { value: null, line: yaml.lineOf(on) });
    for (const item of itemsOf(value)) triggers.set(scalarText(item) ?? '', { value: null, line: yaml.lineOf(item) });
    for (const pair of pairsOf(value)) triggers.set(keyText(pair), { value: pair.value ?? null, line: yaml.lineOf(pair) });
  }
  const permissions = permissionsOf(pairOf(root, 'permissions'), yaml);
  const jobs: Job[] = [];
  for (const pair of pairsOf(pairOf(root, 'jobs')?.value)) {
    const node = pair.value;
    const line = yaml.lineOf(pair);
    const endLine = yaml.endLineOf(pair);
    const steps = itemsOf(pairOf(node, 'steps')?.value).map((step, index) => stepOf(step, index, yaml));
    const uses = atOf(pairOf(node, 'uses'), yaml);
    const secrets = pairOf(node, 'secrets');
    const jobPermissions = permissionsOf(pairOf(node, 'permissions'), yaml);
    const continueOnError = atOf(pairOf(node, 'continue-on-error'), yaml);
    const condition = atOf(pairOf(node, 'if'), yaml);
    const name = scalarText(pairOf(node, 'name')?.value);
    jobs.push({
      id: keyText(pair),
      line,
      endLine,
      ...(name !== undefined ? { name } : {}),
      ...(uses ? { uses } : {}),
      ...(secrets && scalarText(secrets.value) === 'inherit' ? { secretsInherit: yaml.lineOf(secrets) } : {}),
      ...(jobPermissions ? { permissions: jobPermissions } : {}),
      ...(continueOnError ? { continueOnError } : {}),
      ...(condition ? { if: condition } : {}),
      steps,
      text: lines.slice(line - 1, endLine).join('\n'),
    });
  }
  return { yaml, text, triggers, ...(permissions ? { permissions } : {}), jobs };
}, byText);

/** A scalar value and its line; for a block scalar (`run: |`), the line its text starts on. */
function atOf(pair: { value?: unknown } | undefined, yaml: YamlFile): At | undefined {
  if (!pair) return undefined;
  const text = scalarText(pair.value);
  if (text === undefined) return undefined;
  const block = isScalar(pair.value) && String(pair.value.type ?? '').startsWith('BLOCK');
  return { value: text, line: yaml.lineOf(pair.value as Node) + (block ? 1 : 0) };
}

function stepOf(node: Node, index: number, yaml: YamlFile): Step {
  const map = (key: string): Map<string, At> => {
    const out = new Map<string, At>();
    for (const pair of pairsOf(pairOf(node, key)?.value)) {
      const text = scalarText(pair.value);
      if (text !== undefined) out.set(keyText(pair), { value: text, line: yaml.lineOf(pair) });
    }
    return out;
  };
  const id = scalarText(pairOf(node, 'id')?.value);
  const name = scalarText(pairOf(node, 'name')?.value);
  const uses = atOf(pairOf(node, 'uses'), yaml);
  const run = atOf(pairOf(node, 'run'), yaml);
  const continueOnError = atOf(pairOf(node, 'continue-on-error'), yaml);
  const condition = atOf(pairOf(node, 'if'), yaml);
  const workingDirectory = scalarText(pairOf(node, 'working-directory')?.value);
  return {
    index,
    line: yaml.lineOf(node),
    endLine: yaml.endLineOf(node),
    ...(id !== undefined ? { id } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(uses ? { uses } : {}),
    ...(run ? { run } : {}),
    with: map('with'),
    env: map('env'),
    ...(continueOnError ? { continueOnError } : {}),
    ...(condition ? { if: condition } : {}),
    ...(workingDirectory !== undefined ? { workingDirectory } : {}),
  };
}

function permissionsOf(pair: { value?: unknown } | undefined, yaml: YamlFile): Permissions | undefined {
  if (!pair) return undefined;
  const line = yaml.lineOf(pair as never);
  const value = pair.value;
  const shorthand = scalarText(value);
  if (shorthand === 'read-all' || shorthand === 'write-all') return { line, shorthand, scopes: new Map() };
  if (isMap(value) && value.items.length === 0) return { line, shorthand: 'none', scopes: new Map() };
  const scopes = new Map<string, 'read' | 'write' | 'none'>();
  for (const scope of pairsOf(value)) {
    const level = scalarText(scope.value);
    if (level === 'read' || level === 'write' || level === 'none') scopes.set(keyText(scope), level);
  }
  return { line, ...(isSeq(value) ? {} : {}), scopes };
}

/** `false`, `${{ false }}`, `0`: an `if:` that never runs the job or step. */
export function neverRuns(condition: At | undefined): boolean {
  if (!condition) return false;
  const text = condition.value
    .trim()
    .replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1')
    .trim();
  return text === 'false' || text === '0' || text === "''" || text === 'null';
}

/** `true`, `${{ true }}`: failures of the job or step no longer fail the workflow. */
export function alwaysContinues(value: At | undefined): 'always' | 'sometimes' | undefined {
  if (!value) return undefined;
  const text = value.value.trim();
  if (text === 'true' || /^\$\{\{\s*true\s*\}\}$/.test(text)) return 'always';
  if (text.includes('${{')) return 'sometimes';
  return undefined;
}

/** The action a `uses:` names, without its ref (`actions/checkout`), and the ref. */
export function actionRef(uses: string): { action: string; ref?: string } {
  const at = uses.lastIndexOf('@');
  return at < 0 ? { action: uses } : { action: uses.slice(0, at), ref: uses.slice(at + 1) };
}

/** A step's identity across versions: its id, else its name, else what it uses or runs. */
export function stepKey(step: Step): string {
  if (step.id) return `id:${step.id}`;
  if (step.name) return `name:${step.name}`;
  if (step.uses) return `uses:${actionRef(step.uses.value).action}`;
  return `run:${(step.run?.value ?? '').replace(/\s+/g, ' ').trim()}`;
}

/** Pairs the steps of a base job with the head job's, by key, then by position among the unmatched. */
export function pairSteps(base: Step[], head: Step[]): { pairs: [Step, Step][]; removed: Step[]; added: Step[] } {
  const pairs: [Step, Step][] = [];
  const left = [...base];
  const right = [...head];
  for (const pass of [
    stepKey,
    (s: Step) => (s.uses ? `uses:${actionRef(s.uses.value).action}` : `run:${(s.run?.value ?? '').replace(/\s+/g, ' ').trim()}`),
  ]) {
    for (let i = 0; i < left.length; i++) {
      const j = right.findIndex((r) => pass(r) === pass(left[i]!));
      if (j >= 0) {
        pairs.push([left[i]!, right[j]!]);
        left.splice(i--, 1);
        right.splice(j, 1);
      }
    }
  }
  return { pairs, removed: left, added: right };
}

/**
 * The one walk of a workflow's jobs and steps the CI analyzers share: every step with its job, in file order.
 */
export function stepsOf(workflow: Workflow): { job: Job; step: Step }[] {
  return workflow.jobs.flatMap((job) => job.steps.map((step) => ({ job, step })));
}

/** Every `uses:` of a workflow, a job's (a reusable workflow) before its steps', in file order. */
export function usesOf(workflow: Workflow): At[] {
  return workflow.jobs.flatMap((job) => [...(job.uses ? [job.uses] : []), ...job.steps.flatMap((step) => (step.uses ? [step.uses] : []))]);
}

/** The job with this id, if the workflow has one. */
export function jobOf(workflow: Workflow | undefined, id: string): Job | undefined {
  return workflow?.jobs.find((job) => job.id === id);
}

/** The head's jobs that the base has too (by id), each with its base version, in the head's order. */
export function sameJobs(base: Workflow, head: Workflow): { before: Job; job: Job }[] {
  return head.jobs.flatMap((job) => {
    const before = jobOf(base, job.id);
    return before ? [{ before, job }] : [];
  });
}

/** The steps of the jobs both versions have, paired within each job (see pairSteps), in the head's job order. */
export function pairedSteps(base: Workflow, head: Workflow): { job: Job; before: Step; after: Step }[] {
  return sameJobs(base, head).flatMap(({ before, job }) =>
    pairSteps(before.steps, job.steps).pairs.map(([b, a]) => ({ job, before: b, after: a })),
  );
}

/** The file line of a command of a step's `run:` script (`commandLine` is 0-based within the script). */
export function runLine(step: Step, commandLine: number): number {
  return step.run ? step.run.line + commandLine : step.line;
}
