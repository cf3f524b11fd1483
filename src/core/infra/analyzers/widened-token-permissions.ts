import type { Severity } from '../../model.js';
import { defineAnalyzer, type AnalyzerFinding } from '../define-analyzer.js';
import {
  actionRef,
  pairSteps,
  parseWorkflow,
  sameJobs,
  WORKFLOW_GLOBS,
  type Job,
  type Permissions,
  type Workflow,
} from '../formats/workflow.js';

type Level = 'none' | 'read' | 'write';

export default defineAnalyzer({
  meta: {
    id: 'widened-token-permissions',
    category: 'ci',
    severity: 'medium',
    description:
      "A job's GITHUB_TOKEN got more than it had: write-all, a new write scope, a permissions block removed; or a checkout stopped dropping its credentials.",
    messages: {
      writeAll: 'Job {{job}} now gets a token that can write everything (`write-all`){{was}}.',
      scope: 'Job {{job}} now gets `{{scope}}: write` (it had `{{before}}`).',
      blockRemoved:
        "The permissions block that limited job {{job}}'s token was removed: it now gets the repository's default token, which may be write-all.",
      persistCredentials:
        'The checkout in job {{job}} no longer sets `persist-credentials: false`: the token stays in .git/config for every later step{{why}}.',
      secretsInherit: 'Job {{job}} now passes every secret of the repository to `{{workflow}}` (`secrets: inherit`).',
    },
    reads: WORKFLOW_GLOBS,
    docs: {
      catches:
        "For each job that exists on both sides, the token permissions in effect (the job's block, else the " +
        "workflow's): `write-all` newly granted (`high`), a scope newly at `write` (`medium`; `high` under " +
        '`pull_request_target` or `workflow_run`), a block removed so that the repository default applies again ' +
        '(`medium`). Also a checkout that stopped setting `persist-credentials: false` (`low`, `medium` when the job ' +
        'uploads artifacts or runs on a privileged trigger) and a reusable-workflow call newly given `secrets: inherit` (`low`).',
      ignores:
        'New jobs (what they need is new, not widened), permissions narrowed or moved from the workflow to each job unchanged, `read-all`, and scopes set to read.',
      example: {
        file: '.github/workflows/release.yml',
        before: `on: push
permissions:
  contents: read
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm publish
`,
        after: `on: push
permissions: write-all
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm publish
`,
      },
    },
  },
  analyze(change) {
    if (change.base === undefined || change.head === undefined) return [];
    const base = parseWorkflow(change.base, 'base');
    const head = parseWorkflow(change.head, 'head');
    const privileged = [...head.triggers.keys()].some((t) => t === 'pull_request_target' || t === 'workflow_run');
    const findings: AnalyzerFinding[] = [];
    for (const { before, job } of sameJobs(base, head)) {
      const was = effective(before, base);
      const now = effective(job, head);
      const symbol = `jobs.${job.id}`;
      if (was && !now) {
        if (was.shorthand !== 'write-all') {
          findings.push({
            messageId: 'blockRemoved',
            side: 'base',
            line: was.line,
            headLine: job.line,
            key: `${job.id}/block`,
            symbol,
            data: { job: job.id },
          });
        }
      } else if (now) {
        if (now.shorthand === 'write-all' && was?.shorthand !== 'write-all') {
          findings.push({
            messageId: 'writeAll',
            side: 'head',
            line: now.line,
            key: `${job.id}/write-all`,
            symbol,
            severity: 'high',
            data: { job: job.id, was: was ? '' : ' (it had the repository default)' },
          });
        } else if (was && now.shorthand !== 'write-all') {
          for (const [scope, level] of now.scopes) {
            const had = levelOf(was, scope);
            if (level !== 'write' || had === 'write') continue;
            const severity: Severity = privileged ? 'high' : 'medium';
            findings.push({
              messageId: 'scope',
              side: 'head',
              line: now.line,
              key: `${job.id}/${scope}`,
              symbol,
              severity,
              data: { job: job.id, scope, before: `${scope}: ${had}` },
            });
          }
        }
      }
      findings.push(...credentialFindings(before, job, privileged));
    }
    return findings;
  },
});

function effective(job: Job, workflow: Workflow): Permissions | undefined {
  return job.permissions ?? workflow.permissions;
}

function levelOf(permissions: Permissions, scope: string): Level {
  if (permissions.shorthand === 'write-all') return 'write';
  if (permissions.shorthand === 'read-all') return 'read';
  return permissions.scopes.get(scope) ?? 'none';
}

function credentialFindings(before: Job, job: Job, privileged: boolean): AnalyzerFinding[] {
  const findings: AnalyzerFinding[] = [];
  const symbol = `jobs.${job.id}`;
  for (const [b, a] of pairSteps(before.steps, job.steps).pairs) {
    if (!b.uses || actionRef(b.uses.value).action !== 'actions/checkout') continue;
    if (b.with.get('persist-credentials')?.value !== 'false' || a.with.get('persist-credentials')?.value === 'false') continue;
    const uploads = job.steps.some((s) => s.uses && actionRef(s.uses.value).action === 'actions/upload-artifact');
    const why = uploads ? ', and the job uploads artifacts' : privileged ? ', under a privileged trigger' : '';
    const removedLine = b.with.get('persist-credentials')!.line;
    findings.push({
      messageId: 'persistCredentials',
      side: 'base',
      line: removedLine,
      headLine: a.line,
      key: `${job.id}/persist-credentials/${b.index}`,
      symbol,
      severity: uploads || privileged ? 'medium' : 'low',
      data: { job: job.id, why },
    });
  }
  if (job.secretsInherit && !before.secretsInherit && job.uses) {
    findings.push({
      messageId: 'secretsInherit',
      side: 'head',
      line: job.secretsInherit,
      key: `${job.id}/secrets-inherit`,
      symbol,
      severity: 'low',
      data: { job: job.id, workflow: job.uses.value },
    });
  }
  return findings;
}
