import { defineAnalyzer, type AnalyzerFinding } from '../define-analyzer.js';
import { rootScripts, workflowChecks, type WorkflowCheck } from '../formats/ci-checks.js';
import { CHECK_WEIGHT } from '../formats/checks.js';
import { alwaysSucceeds, splitCommands } from '../formats/shell.js';
import { alwaysContinues, neverRuns, pairedSteps, parseWorkflow, WORKFLOW_GLOBS } from '../formats/workflow.js';

/** How a check's failure stops failing the workflow, or why it stops running at all. */
type Mask = 'continue-on-error' | 'job continue-on-error' | 'if: false' | 'job if: false' | '|| true' | 'set +e';

export default defineAnalyzer({
  meta: {
    id: 'masked-ci-failure',
    category: 'ci',
    severity: 'high',
    description:
      'A CI check still runs but its failure no longer fails the workflow (continue-on-error, || true, set +e), or it was switched off with if: false.',
    messages: {
      masked: '{{check}} in job {{job}} no longer fails the workflow: {{mask}}.',
      sometimes: '{{check}} in job {{job}} may no longer fail the workflow: continue-on-error is now `{{value}}`.',
      stepMasked: 'Step {{step}} of job {{job}} no longer fails the workflow: {{mask}}.',
    },
    reads: WORKFLOW_GLOBS,
    docs: {
      catches:
        'A test, lint, type-check, build or audit command that failed the workflow in the base version and no longer ' +
        'does: its step or job got `continue-on-error: true`, an `if: false` (or `${{ false }}`), the command got ' +
        '`|| true` (`|| exit 0`, `|| echo ...`), or the script `set +e`. Severity follows the check: `high` for tests, ' +
        '`medium` for the others; `continue-on-error` set to an expression (an experimental matrix entry) is `low`, ' +
        'and so is `continue-on-error: true` on a step that runs no check.',
      ignores:
        'Checks that were already masked in the base version, new steps that were never required, and `continue-on-error` on steps such as uploads and notifications when it is expression-driven.',
      example: {
        file: '.github/workflows/ci.yml',
        before: `on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm test
`,
        after: `on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm test
        continue-on-error: true
`,
      },
    },
  },
  context: () => [{ pattern: 'package.json' }],
  analyze(change) {
    if (change.base === undefined || change.head === undefined) return [];
    const base = parseWorkflow(change.base, 'base');
    const head = parseWorkflow(change.head, 'head');
    const findings: AnalyzerFinding[] = [];
    const baseChecks = workflowChecks(base, rootScripts(change.tree, 'base'));
    const headChecks = workflowChecks(head, rootScripts(change.tree, 'head'));
    const unmaskedInBase = new Set(baseChecks.filter((c) => masksOf(c).length === 0).map((c) => c.identity));
    const unmaskedInHead = new Set(headChecks.filter((c) => masksOf(c).length === 0).map((c) => c.identity));
    const reported = new Set<string>();
    for (const check of headChecks) {
      const masks = masksOf(check);
      if (masks.length === 0 || !unmaskedInBase.has(check.identity) || unmaskedInHead.has(check.identity) || reported.has(check.identity))
        continue;
      reported.add(check.identity);
      const onlySometimes =
        masks.every((m) => m === 'continue-on-error' || m === 'job continue-on-error') &&
        [check.step.continueOnError, check.job.continueOnError].every((v) => alwaysContinues(v) !== 'always');
      const value = (check.step.continueOnError ?? check.job.continueOnError)?.value ?? '';
      findings.push({
        messageId: onlySometimes ? 'sometimes' : 'masked',
        side: 'head',
        line: maskLine(check, masks[0]!),
        key: check.identity,
        symbol: `jobs.${check.job.id}`,
        severity: onlySometimes ? 'low' : CHECK_WEIGHT[check.kind],
        data: { check: `\`${check.command.text}\``, job: check.job.id, mask: masks.map(describe).join(', '), value },
        evidence: { masks, command: check.command.text, kind: check.kind },
      });
    }
    // Steps that run no check: continue-on-error newly set on a step that could fail the job before.
    for (const { job, before: b, after: a } of pairedSteps(base, head)) {
      if (alwaysContinues(a.continueOnError) !== 'always' || alwaysContinues(b.continueOnError) === 'always') continue;
      if (headChecks.some((c) => c.step === a)) continue;
      const name = a.name ?? a.uses?.value ?? a.run?.value.split('\n')[0] ?? `#${a.index + 1}`;
      findings.push({
        messageId: 'stepMasked',
        side: 'head',
        line: a.continueOnError!.line,
        key: `${job.id}/${name}`,
        symbol: `jobs.${job.id}`,
        severity: 'low',
        data: { step: `\`${name}\``, job: job.id, mask: 'continue-on-error: true' },
      });
    }
    return findings;
  },
});

function masksOf(check: WorkflowCheck): Mask[] {
  const masks: Mask[] = [];
  if (alwaysContinues(check.step.continueOnError)) masks.push('continue-on-error');
  if (alwaysContinues(check.job.continueOnError)) masks.push('job continue-on-error');
  if (neverRuns(check.step.if)) masks.push('if: false');
  if (neverRuns(check.job.if)) masks.push('job if: false');
  const commands = splitCommands(check.step.run?.value ?? '');
  const at = commands.findIndex((c) => c.text === check.command.text && c.line === check.command.line);
  if (at >= 0 && commands[at]!.next === '||' && alwaysSucceeds(commands[at + 1])) masks.push('|| true');
  // `set +e` before the command, with no `set -e` between: a failing check no longer stops the script.
  let errexitOff = false;
  for (const command of commands.slice(0, Math.max(0, at))) {
    if (command.words[0] === 'set' && command.words.includes('+e')) errexitOff = true;
    if (command.words[0] === 'set' && command.words.some((w) => /^-\w*e/.test(w))) errexitOff = false;
  }
  // Under `set +e` only a check that is not the script's last command is muted: the step's status is the last one's.
  if (errexitOff && at < commands.length - 1) masks.push('set +e');
  return masks;
}

function maskLine(check: WorkflowCheck, mask: Mask): number {
  if (mask === 'continue-on-error') return check.step.continueOnError!.line;
  if (mask === 'job continue-on-error') return check.job.continueOnError!.line;
  if (mask === 'if: false') return check.step.if!.line;
  if (mask === 'job if: false') return check.job.if!.line;
  return check.line;
}

function describe(mask: Mask): string {
  switch (mask) {
    case 'continue-on-error':
      return 'the step has `continue-on-error: true`';
    case 'job continue-on-error':
      return 'the job has `continue-on-error: true`';
    case 'if: false':
      return 'the step is switched off (`if: false`)';
    case 'job if: false':
      return 'the job is switched off (`if: false`)';
    case '|| true':
      return 'the command ignores its exit code (`|| true`)';
    case 'set +e':
      return 'the script runs under `set +e` and the command is not its last';
  }
}
