import { defineAnalyzer, type AnalyzerFinding } from '../define-analyzer.js';
import { actionRef, jobOf, parseWorkflow, WORKFLOW_GLOBS, type Job } from '../formats/workflow.js';

/** Triggers that run with the base repository's secrets and a write token on events a fork controls. */
const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run'];

/** References to the code of the pull request (or of the run that triggered workflow_run). */
const UNTRUSTED_REF =
  /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch)|refs\/pull\/|github\.event\.number|pull_request\.number/;

export default defineAnalyzer({
  meta: {
    id: 'dangerous-workflow-trigger',
    category: 'ci',
    severity: 'high',
    description:
      "A workflow now runs on pull_request_target or workflow_run (the base repository's secrets and token) and checks out the pull request's code.",
    messages: {
      checkout:
        "Job {{job}} now runs the pull request's own code ({{checkout}}) under `{{trigger}}`, with the base repository's {{power}}.",
      trigger:
        "The workflow now runs on `{{trigger}}`, with the base repository's token and secrets; it does not check out the pull request's code.",
    },
    reads: WORKFLOW_GLOBS,
    docs: {
      catches:
        'A `pull_request_target` or `workflow_run` trigger that the base version lacked, or a checkout of the pull ' +
        "request's head (`ref: ${{ github.event.pull_request.head.sha }}`, `github.head_ref`, `refs/pull/…`, " +
        '`gh pr checkout`) newly added under such a trigger. With the head checked out the job runs code from a fork ' +
        "with the base repository's token: `high`; `critical` when the job can also reach secrets other than " +
        "`GITHUB_TOKEN` (or `secrets: inherit`). The trigger alone, without running the pull request's code, is `info`: the safe use (labelers, comment bots).",
      ignores:
        'Workflows that already had the trigger and the checkout in the base version, `pull_request` triggers, and checkouts of the base branch.',
      example: {
        file: '.github/workflows/preview.yml',
        before: `on: pull_request
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm run build
      - run: npx deploy-preview --token "\${{ secrets.PREVIEW_TOKEN }}"
`,
        after: `on: pull_request_target
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm run build
      - run: npx deploy-preview --token "\${{ secrets.PREVIEW_TOKEN }}"
`,
      },
    },
  },
  analyze(change) {
    if (change.head === undefined) return [];
    const head = parseWorkflow(change.head, 'head');
    const base = change.base !== undefined ? parseWorkflow(change.base, 'base') : undefined;
    const findings: AnalyzerFinding[] = [];
    for (const trigger of PRIVILEGED_TRIGGERS) {
      const at = head.triggers.get(trigger);
      if (!at) continue;
      const newTrigger = !base?.triggers.has(trigger);
      let checkedOut = false;
      for (const job of head.jobs) {
        const checkout = untrustedCheckout(job);
        if (!checkout) continue;
        checkedOut = true;
        const before = jobOf(base, job.id);
        if (!newTrigger && before && untrustedCheckout(before)) continue;
        const secrets = usesSecrets(job);
        findings.push({
          messageId: 'checkout',
          side: 'head',
          line: checkout.line,
          key: `${trigger}/${job.id}`,
          symbol: `jobs.${job.id}`,
          severity: secrets ? 'critical' : 'high',
          data: { job: job.id, checkout: `\`${checkout.text}\``, trigger, power: secrets ? 'secrets and token' : 'token' },
          evidence: { trigger, checkout: checkout.text, secrets },
        });
      }
      if (newTrigger && !checkedOut) {
        findings.push({ messageId: 'trigger', side: 'head', line: at.line, key: trigger, severity: 'info', data: { trigger } });
      }
    }
    return findings;
  },
});

/** A step of the job that fetches the pull request's code, and where. */
function untrustedCheckout(job: Job): { line: number; text: string } | undefined {
  for (const step of job.steps) {
    if (step.uses && actionRef(step.uses.value).action === 'actions/checkout') {
      const ref = step.with.get('ref') ?? step.with.get('repository');
      if (ref && UNTRUSTED_REF.test(ref.value)) return { line: ref.line, text: `ref: ${ref.value}` };
    }
    if (
      step.run &&
      (/\bgh pr checkout\b/.test(step.run.value) ||
        (/\bgit (fetch|checkout|pull)\b/.test(step.run.value) && UNTRUSTED_REF.test(step.run.value)))
    ) {
      return {
        line: step.run.line,
        text:
          step.run.value
            .split('\n')
            .find((l) => /gh pr checkout|git /.test(l))
            ?.trim() ?? 'git checkout',
      };
    }
  }
  return undefined;
}

function usesSecrets(job: Job): boolean {
  if (job.secretsInherit) return true;
  for (const match of job.text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) if (match[1] !== 'GITHUB_TOKEN') return true;
  return false;
}
