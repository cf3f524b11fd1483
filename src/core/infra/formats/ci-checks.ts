import type { Side } from '../../model.js';
import type { TreeView } from '../define-analyzer.js';
import { callsOf, type Check, type CheckKind } from './checks.js';
import { parseManifest } from './package-json.js';
import { splitCommands } from './shell.js';
import { isWorkflowPath, parseWorkflow, runLine, stepsOf, type Job, type Step, type Workflow, WORKFLOW_GLOBS } from './workflow.js';

/** A check a workflow runs, where it runs it, and the identities it stands for through package.json scripts. */
export interface WorkflowCheck extends Check {
  job: Job;
  step: Step;
  /** File line of the command. */
  line: number;
  /** This check's identity and those of the checks the script it calls runs (`script:ci` → `script:lint`, ...). */
  covers: Set<string>;
}

/** How deep script-calls-script chains are followed. */
const SCRIPT_DEPTH = 3;

/** The checks of every `run:` step of a workflow, expanded through the scripts of `scripts`. */
export function workflowChecks(workflow: Workflow, scripts: ReadonlyMap<string, string>): WorkflowCheck[] {
  return workflowCalls(workflow, scripts).filter((c): c is WorkflowCheck => c.kind !== undefined);
}

/** Every script and checking tool the `run:` steps of a workflow call (`npm run ci` too), expanded. */
export function workflowCalls(
  workflow: Workflow,
  scripts: ReadonlyMap<string, string>,
): (Omit<WorkflowCheck, 'kind'> & { kind?: CheckKind })[] {
  const out: (Omit<WorkflowCheck, 'kind'> & { kind?: CheckKind })[] = [];
  for (const { job, step } of stepsOf(workflow)) {
    if (!step.run) continue;
    for (const call of callsOf(step.run.value)) {
      out.push({ ...call, job, step, line: runLine(step, call.command.line), covers: expand(call, scripts) });
    }
  }
  return out;
}

/** A check's identity plus everything the script it names runs, a few calls deep. */
export function expand(check: Pick<Check, 'identity'>, scripts: ReadonlyMap<string, string>): Set<string> {
  const covers = new Set([check.identity]);
  let frontier = [check.identity];
  for (let depth = 0; depth < SCRIPT_DEPTH && frontier.length; depth++) {
    const next: string[] = [];
    for (const identity of frontier) {
      if (!identity.startsWith('script:')) continue;
      const body = scripts.get(identity.slice('script:'.length));
      if (!body) continue;
      for (const inner of callsOf(body)) {
        if (!covers.has(inner.identity)) {
          covers.add(inner.identity);
          next.push(inner.identity);
        }
      }
      // A script that runs a tool directly (`"test": "vitest run"`) covers that tool.
      for (const command of splitCommands(body))
        if (command.words[0] && !command.words[0].includes('=')) covers.add(`tool:${command.words[0].split('/').pop()}`);
    }
    frontier = next;
  }
  return covers;
}

/** The root package.json scripts of one side; empty when it is absent or unreadable. */
export function rootScripts(tree: TreeView, side: Side): Map<string, string> {
  const text = tree.read(side, 'package.json');
  if (text === undefined) return new Map();
  try {
    return parseManifest(text, side).scripts;
  } catch {
    return new Map();
  }
}

/** Every workflow of one side (parsed; unreadable ones left out), by path. */
export function allWorkflows(tree: TreeView, side: Side): Map<string, Workflow> {
  const out = new Map<string, Workflow>();
  for (const path of WORKFLOW_GLOBS.flatMap((glob) => tree.list(side, glob))) {
    if (!isWorkflowPath(path)) continue;
    const text = tree.read(side, path);
    if (text === undefined) continue;
    try {
      out.set(path, parseWorkflow(text, side));
    } catch {
      // A workflow that does not parse runs nothing on GitHub either.
    }
  }
  return out;
}
