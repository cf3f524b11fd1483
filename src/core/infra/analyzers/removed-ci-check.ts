import { defineAnalyzer, type AnalyzerFinding, type FileChange } from '../define-analyzer.js';
import { allWorkflows, rootScripts, workflowCalls, workflowChecks, type WorkflowCheck } from '../formats/ci-checks.js';
import { CHECK_WEIGHT, isCheckIdentity, kindOfIdentity, kindOfName } from '../formats/checks.js';
import { dirOf, isManifestPath, parseManifest } from '../formats/package-json.js';
import { alwaysSucceeds, splitCommands } from '../formats/shell.js';
import { isWorkflowPath, jobOf, parseWorkflow, WORKFLOW_GLOBS, type Workflow } from '../formats/workflow.js';

export default defineAnalyzer({
  meta: {
    id: 'removed-ci-check',
    category: 'ci',
    severity: 'high',
    description: 'A test, lint, type-check, build or audit step that CI ran is gone, or the package.json script it calls was hollowed out.',
    messages: {
      removed: 'CI no longer runs {{check}} (a {{kind}} check of job {{job}}): no workflow runs it any more.',
      sameKindRemains: 'CI no longer runs {{check}} (job {{job}}); another {{kind}} check still runs ({{remaining}}).',
      hollowed:
        'The `{{script}}` script that CI runs was hollowed out: it was `{{before}}` and now only `{{after}}`, which always succeeds.',
      masked: 'The `{{script}}` script that CI runs now ignores its failures: `{{after}}`.',
      passWithNoTests: 'The `{{script}}` script now passes when it finds no tests (`--passWithNoTests`).',
    },
    reads: [...WORKFLOW_GLOBS, '**/package.json'],
    docs: {
      catches:
        'A check that CI ran in the base version and that no workflow of the head version runs any more: a test, lint, ' +
        'type-check, build, audit or format check, recognised by what runs (`npm test`, `pnpm run lint`, `npx tsc`, ' +
        '`turbo run build`) and followed through package.json scripts (`npm run ci` covers what `ci` runs). A removed ' +
        'test check is `high`, lint, type-check, build and audit `medium`, a format check `low`. Also a package.json ' +
        'script that a workflow calls and that was hollowed out (`"test": "echo ok"`, `exit 0`), made to ignore its ' +
        'failures (`|| true`), or told to pass without tests (`--passWithNoTests`, `low`).',
      ignores:
        'Checks that moved: to another step, job or workflow file, into a script that a step still calls, or split by ' +
        'a matrix. A check replaced by another check of the same kind, run directly or by a script a step calls, ' +
        'is `info`. Scripts no workflow calls, and the npm default test script (`echo "Error: no test specified" && exit 1`) becoming a real one.',
      example: {
        file: '.github/workflows/ci.yml',
        before: `on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm run lint
      - run: npm test
`,
        after: `on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm run lint
`,
      },
    },
  },
  context: () => [{ pattern: 'package.json' }, ...WORKFLOW_GLOBS.map((pattern) => ({ pattern }))],
  analyze(change) {
    if (isWorkflowPath(change.path) || (change.oldPath && isWorkflowPath(change.oldPath))) return removedChecks(change);
    if (isManifestPath(change.path) && change.base !== undefined && change.head !== undefined) return hollowedScripts(change);
    return [];
  },
});

function removedChecks(change: FileChange): AnalyzerFinding[] {
  if (change.base === undefined) return [];
  const base = parseWorkflow(change.base, 'base');
  const head = change.head !== undefined ? parseWorkflow(change.head, 'head') : undefined;
  const baseScripts = rootScripts(change.tree, 'base');
  const headScripts = rootScripts(change.tree, 'head');
  const baseChecks = workflowChecks(base, baseScripts);
  // When the head of this workflow still runs every check of its base, none is gone, and the other workflows
  // need not be parsed (YAML, most of what the workflow analyzers cost) to know it.
  const headCalls = head ? workflowCalls(head, headScripts) : [];
  const stillHere = new Set(headCalls.flatMap((c) => [...c.covers]));
  if (baseChecks.every((check) => stillHere.has(check.identity))) return [];
  // What every head workflow still runs, this one included.
  const workflows = allWorkflows(change.tree, 'head');
  if (head) workflows.set(change.path, head);
  const calls = [...workflows.values()].flatMap((w) => (w === head ? headCalls : workflowCalls(w, headScripts)));
  // The checks among them (workflowChecks' filter, without expanding every workflow's calls a second time).
  const running = calls.filter((c): c is WorkflowCheck => c.kind !== undefined);
  const covered = new Set(calls.flatMap((c) => [...c.covers]));
  const findings: AnalyzerFinding[] = [];
  const reported = new Set<string>();
  for (const check of baseChecks) {
    // Gone when neither what the step named nor any check its script ran still runs somewhere.
    if (covered.has(check.identity) || reported.has(check.identity)) continue;
    const lost = [...check.covers].filter((identity) => identity !== check.identity && isCheckIdentity(identity) && !covered.has(identity));
    const inner = [...check.covers].filter((identity) => identity !== check.identity && isCheckIdentity(identity));
    if (inner.length > 0 && lost.length === 0) continue;
    reported.add(check.identity);
    // Another check of that kind, run directly or by a script a step calls (`lint:all` → `lint:types`).
    const sameKind =
      running.find((c) => c.kind === check.kind) ?? calls.find((c) => [...c.covers].some((id) => kindOfIdentity(id) === check.kind));
    const headJob = jobOf(head, check.job.id);
    findings.push({
      messageId: sameKind ? 'sameKindRemains' : 'removed',
      side: 'base',
      line: check.line,
      headLine: headJob?.line ?? jobsLine(head),
      key: `${check.identity}`,
      symbol: `jobs.${check.job.id}`,
      severity: sameKind ? 'info' : CHECK_WEIGHT[check.kind],
      data: {
        check: `\`${check.command.text}\``,
        kind: check.kind,
        job: check.job.id,
        ...(sameKind ? { remaining: `\`${sameKind.command.text}\`` } : {}),
      },
      evidence: { removed: check.command.text, kind: check.kind, ...(lost.length ? { lost } : {}), ...(head ? {} : { fileDeleted: true }) },
    });
  }
  return findings;
}

function jobsLine(workflow: Workflow | undefined): number {
  if (!workflow) return 1;
  return workflow.jobs[0] ? Math.max(1, workflow.jobs[0].line - 1) : 1;
}

const NPM_DEFAULT_TEST = /no test specified/;

function hollowedScripts(change: FileChange): AnalyzerFinding[] {
  const base = parseManifest(change.base!, 'base');
  const head = parseManifest(change.head!, 'head');
  // Workflows call the root manifest's scripts, or a package's when a step runs in its folder. Read (parsed)
  // only for a script that changed: most manifest changes are dependencies.
  let calledByCi: Set<string> | undefined;
  const isCalledByCi = (name: string): boolean => {
    if (!calledByCi) {
      calledByCi = new Set<string>();
      const dir = dirOf(change.path);
      for (const workflow of allWorkflows(change.tree, 'head').values()) {
        for (const check of workflowCalls(workflow, head.scripts)) {
          const where = (check.step.workingDirectory ?? '').replace(/^\.\/?/, '').replace(/\/$/, '');
          if (where === dir) for (const id of check.covers) calledByCi.add(id);
        }
      }
    }
    return calledByCi.has(`script:${name}`);
  };
  const findings: AnalyzerFinding[] = [];
  for (const [name, before] of base.scripts) {
    const after = head.scripts.get(name);
    if (after === undefined || after === before || NPM_DEFAULT_TEST.test(before)) continue;
    if (!isCalledByCi(name)) continue;
    const kind = kindOfName(name);
    // The line costs a YAML parse of the manifest: only for a finding.
    const line = (): number => head.lineOf('scripts', name);
    const data = { script: name, before: clip(before), after: clip(after) };
    if (isHollow(after) && !isHollow(before)) {
      findings.push({
        messageId: 'hollowed',
        side: 'head',
        line: line(),
        key: `script:${name}`,
        symbol: `scripts.${name}`,
        severity: kind ? CHECK_WEIGHT[kind] : 'medium',
        data,
        evidence: { before, after },
      });
    } else if (masksFailures(after) && !masksFailures(before)) {
      findings.push({
        messageId: 'masked',
        side: 'head',
        line: line(),
        key: `script:${name}`,
        symbol: `scripts.${name}`,
        severity: kind ? CHECK_WEIGHT[kind] : 'medium',
        data,
        evidence: { before, after },
      });
    } else if (/--passWithNoTests\b/.test(after) && !/--passWithNoTests\b/.test(before)) {
      findings.push({
        messageId: 'passWithNoTests',
        side: 'head',
        line: line(),
        key: `script:${name}`,
        symbol: `scripts.${name}`,
        severity: 'low',
        data,
        evidence: { before, after },
      });
    }
  }
  return findings;
}

/** A script every command of which always succeeds (`echo ok`, `exit 0`, `true`) or that does nothing. */
function isHollow(script: string): boolean {
  const commands = splitCommands(script);
  return commands.length === 0 || commands.every((c) => alwaysSucceeds(c));
}

/** A script with a command whose failure is swallowed (`jest || true`, `eslint . || exit 0`). */
function masksFailures(script: string): boolean {
  const commands = splitCommands(script);
  return commands.some((c, i) => c.next === '||' && !alwaysSucceeds(c) && alwaysSucceeds(commands[i + 1]));
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
