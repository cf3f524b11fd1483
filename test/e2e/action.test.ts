import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { headPath, type Report } from '../../src/core/model.js';
import { buildBundle, createPrRepo, eventPayload, runBundle, shallowClone, type PrRepo } from '../support/fake-github/harness.js';
import { ACTIONS_BOT, FakeGitHub, faults, type FakeUser } from '../support/fake-github/server.js';

const BASE_BILLING = `import axios from 'axios';

export const billing = axios.create({ baseURL: 'https://billing.internal', timeout: 5000 });

export async function charge(customerId: string, amountCents: number, idempotencyKey: string) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await billing.post('/charges', { customerId, amountCents }, { headers: { 'Idempotency-Key': idempotencyKey } });
    } catch (error) {
      if (attempt === 2) throw error;
    }
  }
}
`;

/** First push: the timeout and the retry loop are gone (an agent "simplified" the client). */
const HEAD1_BILLING = `import axios from 'axios';

export const billing = axios.create({ baseURL: 'https://billing.internal' });

export async function charge(customerId: string, amountCents: number, idempotencyKey: string) {
  return await billing.post('/charges', { customerId, amountCents }, { headers: { 'Idempotency-Key': idempotencyKey } });
}
`;

/** Second push: the retry loop is back; the timeout is still missing. */
const HEAD2_BILLING = BASE_BILLING.replace(', timeout: 5000 }', ' }');

/** The base commit's configuration: an extra check for agent-written PRs. */
const CONFIG = `fail-on: high
ai:
  required-checks:
    - id: agent-review
      title: A maintainer read every removed line
      reason: Coding agents delete guardrails when they simplify code.
`;

const AUTHOR: FakeUser = { login: 'octo-dev', id: 501, type: 'User' };
const MAINTAINER: FakeUser = { login: 'maintainer-mia', id: 502, type: 'User' };
const OUTSIDER: FakeUser = { login: 'drive-by-dan', id: 503, type: 'User' };
const PR = 7;
const WRITE_TOKEN = 'ghs_write_token_for_tests';
const READ_TOKEN = 'ghs_read_only_fork_token';

let bundle: string;
let repo: PrRepo;
let github: FakeGitHub;

beforeAll(() => {
  bundle = buildBundle();
  repo = createPrRepo({ 'src/billing.ts': BASE_BILLING, 'README.md': '# payments\n', '.github/guardrail-gate.yml': CONFIG }, [
    {
      files: { 'src/billing.ts': HEAD1_BILLING },
      message: 'Simplify the billing client\n\nCo-authored-by: Claude <noreply@anthropic.com>',
    },
    { files: { 'src/billing.ts': HEAD2_BILLING }, message: 'Bring the retry loop back' },
  ]);
}, 120_000);

afterEach(async () => {
  await github?.stop();
});

async function startGitHub(fork = false): Promise<string> {
  github = new FakeGitHub('acme/payments');
  github.addToken(WRITE_TOKEN, 'write');
  github.addToken(READ_TOKEN, 'read');
  github.permissions.set(MAINTAINER.login, 'maintain');
  github.permissions.set(OUTSIDER.login, 'read');
  github.addPull({
    number: PR,
    title: 'Simplify billing',
    body: 'Makes the billing client simpler.',
    user: AUTHOR,
    labels: [],
    head: { sha: repo.heads[0]!, ref: 'claude/simplify-billing', repoFullName: fork ? 'drive-by-dan/payments' : 'acme/payments' },
    base: { sha: repo.base, ref: 'main' },
    files: repo.files(repo.heads[0]!),
  });
  return github.start();
}

function pullRequestEvent(action: 'opened' | 'synchronize', head: string, fork = false) {
  return eventPayload(`pull_request.${action}.json`, (p) => {
    p.number = PR;
    p.pull_request.number = PR;
    p.pull_request.user.login = AUTHOR.login;
    p.pull_request.body = 'Makes the billing client simpler.';
    p.pull_request.labels = [];
    p.pull_request.head.sha = head;
    p.pull_request.head.ref = 'claude/simplify-billing';
    p.pull_request.head.repo.full_name = fork ? 'drive-by-dan/payments' : 'acme/payments';
    p.pull_request.head.repo.fork = fork;
    p.pull_request.base.sha = repo.base;
    p.pull_request.base.repo.full_name = 'acme/payments';
    p.repository.full_name = 'acme/payments';
  });
}

function commentEvent(user: FakeUser, body: string) {
  return eventPayload('issue_comment.created.json', (p) => {
    p.issue.number = PR;
    p.comment.body = body;
    p.comment.user.login = user.login;
    p.comment.id = 99001;
    p.repository.full_name = 'acme/payments';
  });
}

function run(eventName: string, payload: unknown, inputs: Record<string, string> = {}, apiUrl = github.url) {
  return runBundle({
    bundle,
    workspace: repo.dir,
    apiUrl,
    repository: 'acme/payments',
    eventName,
    payload,
    inputs: { 'github-token': WRITE_TOKEN, ...inputs },
  });
}

function readReport(file: string): Report {
  return JSON.parse(readFileSync(file, 'utf8')) as Report;
}

function markerId(body: string): string {
  return /<!-- guardrail-gate:finding:(\S+) -->$/.exec(body)?.[1] ?? '';
}

function stickyComments() {
  return github.issueComments.filter((c) => c.body.startsWith('<!-- guardrail-gate:sticky'));
}

describe('the Action against a GitHub API of our own', () => {
  it('first run: fails the step, sets outputs, posts one sticky comment and inline comments on the removed lines', async () => {
    await startGitHub();
    const result = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!), { sarif: 'out/guardrail-gate.sarif' });

    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.outputs.decision).toBe('fail');
    const report = readReport(result.outputs.report!);
    expect(report.schemaVersion).toBe(1);
    expect(Number(result.outputs.findings)).toBe(report.findings.length);
    expect(report.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['removed-timeout', 'removed-retry']));
    expect(result.outputs.level).toBe(report.level);
    expect(result.outputs.score).toBe(String(report.score));
    expect(result.outputs['ai-authored']).toBe('true');
    expect(JSON.parse(result.outputs['required-checks']!)).toEqual(report.requiredChecks);
    expect(report.ai.evidence.join(' ')).toMatch(/Co-authored-by: Claude|claude\//);
    // SARIF for upload-sarif: stable fingerprints, removed lines anchored at the nearest surviving line.
    const sarif = JSON.parse(readFileSync(`${repo.dir}/out/guardrail-gate.sarif`, 'utf8'));
    const results = sarif.runs[0].results as {
      partialFingerprints: Record<string, string>;
      locations: { physicalLocation: { region: { startLine: number } } }[];
    }[];
    expect(results.map((r) => Object.values(r.partialFingerprints)[0]).sort()).toEqual(report.findings.map((f) => f.id).sort());
    for (const finding of report.findings) {
      const result = results.find((r) => Object.values(r.partialFingerprints)[0] === finding.id)!;
      expect(result.locations[0]!.physicalLocation.region.startLine).toBe(finding.headLine);
    }
    // The AI policy of the base commit's configuration adds its check to AI-authored PRs.
    expect(report.requiredChecks.map((c) => c.id)).toContain('agent-review');

    expect(result.summary).toMatch(/guardrail-gate: ❌ \*\*fail\*\*/);
    expect(result.summary).toContain('removed-timeout');
    // Annotations at the nearest surviving head line, and saying so.
    const timeout = report.findings.find((f) => f.rule === 'removed-timeout')!;
    expect(result.stdout).toContain(
      `::error title=guardrail-gate%3A removed-timeout (high),file=src/billing.ts,line=${timeout.headLine}::${timeout.message} (removed at line ${timeout.line} of the base version; shown at the nearest surviving line)`,
    );

    expect(stickyComments()).toHaveLength(1);
    const sticky = stickyComments()[0]!;
    expect(sticky.user.login).toBe(ACTIONS_BOT.login);
    expect(sticky.body).toContain('removed-retry');
    expect(sticky.body.length).toBeLessThanOrEqual(65_536);

    // One review, one comment per finding on its removed (LEFT, base) line, each carrying the finding's id.
    expect(github.reviews).toHaveLength(1);
    const expected = report.findings.map((f) => `${f.id}@${f.line}`).sort();
    expect(github.reviewComments.map((c) => `${markerId(c.body)}@${c.line}`).sort()).toEqual(expected);
    for (const comment of github.reviewComments) expect(comment.side).toBe('LEFT');
    // The token never reaches the log.
    // The token is registered as a secret before anything else, and appears nowhere else.
    const withToken = (result.stdout + result.stderr).split('\n').filter((l) => l.includes(WRITE_TOKEN));
    expect(withToken).toEqual([`::add-mask::${WRITE_TOKEN}`]);
  });

  it('re-run after a push: updates the one sticky comment, adds no duplicates, resolves the thread of the finding that went away', async () => {
    await startGitHub();
    // A user quoting our marker is not mistaken for the gate's comment.
    github.addIssueComment(PR, '<!-- guardrail-gate:sticky v=1 --> quoted by a human', AUTHOR);
    await run('pull_request', pullRequestEvent('opened', repo.heads[0]!));
    const firstSticky = stickyComments().filter((c) => c.user.type === 'Bot');
    expect(firstSticky).toHaveLength(1);

    github.pushToPull(PR, repo.heads[1]!, repo.files(repo.heads[1]!));
    const firstIds = new Set(github.reviewComments.map((c) => markerId(c.body)));
    const requestsBefore = github.requests.length;
    // This run talks to the API as on GitHub Enterprise Server (GITHUB_API_URL=https://HOST/api/v3).
    const second = await run('pull_request', pullRequestEvent('synchronize', repo.heads[1]!), {}, `${github.url}/api/v3`);
    expect(github.enterpriseRequests).toBe(github.requests.length - requestsBefore);
    expect(second.outputs.decision).toBe('fail');
    const report = readReport(second.outputs.report!);
    expect(report.findings.map((f) => f.rule)).toContain('removed-timeout');
    expect(report.findings.map((f) => f.rule)).not.toContain('removed-retry');

    const bot = stickyComments().filter((c) => c.user.type === 'Bot');
    expect(bot).toHaveLength(1);
    expect(bot[0]!.id).toBe(firstSticky[0]!.id);
    expect(bot[0]!.body).not.toContain('removed-retry');
    expect(github.calls('issues/update-comment')).toHaveLength(1);

    // Comments of findings still reported are kept (no duplicates); threads of findings that went away are resolved.
    const currentIds = new Set(report.findings.map((f) => f.id));
    expect([...currentIds].every((id) => firstIds.has(id))).toBe(true);
    expect(github.reviewComments).toHaveLength(firstIds.size);
    expect(github.reviews).toHaveLength(1);
    for (const comment of github.reviewComments) {
      const thread = github.threads.find((t) => t.commentIds.includes(comment.id))!;
      expect(thread.isResolved, markerId(comment.body)).toBe(!currentIds.has(markerId(comment.body)));
    }
    expect(github.threads.filter((t) => t.isResolved).length).toBeGreaterThan(0);

    // A third run with nothing new writes nothing.
    const writesBefore = github.requests.filter((r) => r.method !== 'GET' && r.operationId !== 'graphql').length;
    await run('pull_request', pullRequestEvent('synchronize', repo.heads[1]!));
    expect(github.requests.filter((r) => r.method !== 'GET' && r.operationId !== 'graphql').length).toBe(writesBefore);
  });

  it('edits the comment of a finding that went away when GraphQL is unavailable', async () => {
    await startGitHub();
    await run('pull_request', pullRequestEvent('opened', repo.heads[0]!));
    github.graphqlEnabled = false;
    github.pushToPull(PR, repo.heads[1]!, repo.files(repo.heads[1]!));
    const second = await run('pull_request', pullRequestEvent('synchronize', repo.heads[1]!));
    const currentIds = new Set(readReport(second.outputs.report!).findings.map((f) => f.id));
    const gone = github.reviewComments.filter((c) => !currentIds.has(markerId(c.body)));
    expect(gone.length).toBeGreaterThan(0);
    for (const comment of github.reviewComments) {
      expect(comment.body.includes('no longer appears'), markerId(comment.body)).toBe(!currentIds.has(markerId(comment.body)));
    }
  });

  it('fork PR with a read-only token: same verdict, nothing posted, one warning, results in the summary', async () => {
    await startGitHub(true);
    const result = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!, true), { 'github-token': READ_TOKEN });
    expect(result.code).toBe(1);
    expect(result.outputs.decision).toBe('fail');
    expect(github.issueComments).toHaveLength(0);
    expect(github.reviewComments).toHaveLength(0);
    expect(github.requests.some((r) => r.status === 403)).toBe(true);
    const warnings = result.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('read-only token');
    expect(result.summary).toContain('removed-timeout');
    expect(result.summary).toContain('could not be posted');
    // 403 is not retried.
    expect(github.calls('pulls/create-review')).toHaveLength(1);
  });

  it('a flaky and rate-limited API (500, 429 secondary, 403 primary, then success) is retried and everything lands', async () => {
    await startGitHub();
    github.inject(faults.serverError('issues/create-comment', 1));
    github.inject(faults.serverError('pulls/list-files', 2));
    github.inject(faults.secondaryRateLimit('pulls/create-review', 1));
    github.inject(faults.primaryRateLimit('issues/list-comments'));
    const result = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!));
    expect(result.code).toBe(1);
    expect(github.calls('issues/create-comment').map((r) => r.status)).toEqual([500, 201]);
    expect(github.calls('pulls/list-files').map((r) => r.status)).toEqual([500, 500, 200]);
    expect(github.calls('pulls/create-review').map((r) => r.status)).toEqual([429, 200]);
    expect(github.calls('issues/list-comments').map((r) => r.status)).toEqual([403, 200, 200]);
    expect(stickyComments()).toHaveLength(1);
    expect(github.reviewComments).toHaveLength(readReport(result.outputs.report!).findings.length);
    expect(result.stdout).not.toMatch(/^::warning::/m);
  });

  it('an API that stays down keeps the verdict and says so once per surface; the comment still lands', async () => {
    await startGitHub();
    github.inject(faults.serverError('pulls/list-files', 10));
    github.inject(faults.serverError('issues/create-comment', 10));
    const result = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!));
    expect(result.code).toBe(1);
    expect(result.outputs.decision).toBe('fail');
    // Bounded: the first try and three retries.
    expect(github.calls('pulls/list-files').length).toBe(4);
    expect(github.calls('issues/create-comment').length).toBe(4);
    const warnings = result.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('could not post review comments');
    expect(warnings[1]).toContain('could not publish');
    expect(result.summary).toContain('removed-timeout');
  });

  it('a review GitHub still rejects does not stop the sticky comment', async () => {
    await startGitHub();
    github.inject({
      operationId: 'pulls/create-review',
      times: 1,
      status: 422,
      body: { message: 'Unprocessable Entity', errors: ['Pull request review thread line must be part of the diff'] },
    });
    const result = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!));
    expect(result.code).toBe(1);
    expect(stickyComments()).toHaveLength(1);
    expect(stickyComments()[0]!.body).toContain('no inline comment (its line is not in the diff');
    expect(github.calls('pulls/create-review')).toHaveLength(1);
  });

  it('a maintainer accepts all findings: recorded with who and why, verdict passes, and it survives the next push', async () => {
    await startGitHub();
    github.workflowRuns.push({
      id: 31337,
      run_number: 3,
      head_sha: repo.heads[0]!,
      event: 'pull_request',
      path: '.github/workflows/guardrail-gate.yml',
      conclusion: 'failure',
    });
    const first = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!));
    expect(first.code).toBe(1);

    const accepted = await run(
      'issue_comment',
      commentEvent(MAINTAINER, '/guardrail-gate accept all the gateway enforces a 5 s timeout and retries'),
    );
    expect(accepted.code, accepted.stdout).toBe(0);
    expect(accepted.outputs.decision).toBe('pass');
    const sticky = stickyComments();
    expect(sticky).toHaveLength(1);
    expect(sticky[0]!.body).toContain('maintainer-mia');
    expect(sticky[0]!.body).toContain('the gateway enforces a 5 s timeout and retries');
    const report = readReport(accepted.outputs.report!);
    const stored = /<!-- guardrail-gate:acceptances (.*) -->$/.exec(sticky[0]!.body)![1]!;
    expect(
      JSON.parse(stored)
        .accepted.map((a: { id: string }) => a.id)
        .sort(),
    ).toEqual(report.findings.map((f) => f.id).sort());
    expect(github.permissions.get(MAINTAINER.login)).toBe('maintain');
    expect(github.calls('repos/get-collaborator-permission-level')).toHaveLength(1);
    expect(github.workflowRuns[0]!.rerunRequested).toBe(true);
    expect(report.findings.every((f) => f.accepted?.who === MAINTAINER.login)).toBe(true);

    // An unrelated push: the timeout finding keeps its id and its acceptance; the retry one went away and lapses.
    github.pushToPull(PR, repo.heads[1]!, repo.files(repo.heads[1]!));
    const next = await run('pull_request', pullRequestEvent('synchronize', repo.heads[1]!));
    expect(next.code).toBe(0);
    expect(next.outputs.decision).toBe('pass');
    expect(stickyComments()).toHaveLength(1);
    expect(stickyComments()[0]!.body).toContain('Lapsed acceptances');

    // The merge queue reads the PR's acceptances too (its branch names the PR), so it does not block what was accepted.
    const queued = await run(
      'merge_group',
      eventPayload('merge_group.checks_requested.json', (p) => {
        p.merge_group.base_sha = repo.base;
        p.merge_group.head_sha = repo.heads[1]!;
        p.merge_group.head_ref = `refs/heads/gh-readonly-queue/main/pr-${PR}-${repo.base}`;
        p.repository.full_name = 'acme/payments';
      }),
    );
    expect(queued.code).toBe(0);
    expect(queued.outputs.decision).toBe('pass');
  });

  it('an outsider cannot accept: polite refusal, nothing recorded', async () => {
    await startGitHub();
    const result = await run('issue_comment', commentEvent(OUTSIDER, '/guardrail-gate accept all looks fine to me'));
    expect(result.code).toBe(0);
    expect(stickyComments()).toHaveLength(0);
    expect(github.calls('repos/get-collaborator-permission-level')).toHaveLength(1);
    const reply = github.issueComments.find((c) => c.body.includes('@drive-by-dan'))!;
    expect(reply.body).toMatch(/needs write access/);
    expect(reply.user.login).toBe(ACTIONS_BOT.login);
  });

  it('ignores comments that are not commands', async () => {
    await startGitHub();
    const result = await run('issue_comment', commentEvent(AUTHOR, 'LGTM, thanks!'));
    expect(result.code).toBe(0);
    expect(github.requests).toHaveLength(0);
  });

  it('leaves publication to the newer run when the PR moved on, and keeps its own verdict', async () => {
    await startGitHub();
    github.pushToPull(PR, repo.heads[1]!, repo.files(repo.heads[1]!));
    const result = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!));
    expect(result.code).toBe(1);
    expect(result.outputs.decision).toBe('fail');
    expect(github.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(result.stdout).toContain('the pull request moved on');
    expect(result.stdout).not.toMatch(/^::warning::/m);
  });

  it('posts no comment when there is nothing to say', async () => {
    await startGitHub();
    const result = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!), { head: repo.base });
    expect(result.code).toBe(0);
    expect(result.outputs.decision).toBe('pass');
    expect(result.outputs.findings).toBe('0');
    expect(github.issueComments).toHaveLength(0);
    expect(github.reviews).toHaveLength(0);
    expect(result.summary).toContain('✅ **pass**');
  });

  it("fetches the PR head into a shallow checkout (actions/checkout's default depth) and analyzes the same PR", async () => {
    await startGitHub();
    const workspace = shallowClone(repo.dir);
    const result = await runBundle({
      bundle,
      workspace,
      apiUrl: github.url,
      repository: 'acme/payments',
      eventName: 'pull_request',
      payload: pullRequestEvent('opened', repo.heads[0]!),
      inputs: { 'github-token': WRITE_TOKEN },
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain('fetching 1 commit the event names from origin');
    const report = readReport(result.outputs.report!);
    expect(report.head).toBe(repo.heads[0]);
    expect(report.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['removed-timeout', 'removed-retry']));
    // The token reached git only as a registered secret.
    const basic = Buffer.from(`x-access-token:${WRITE_TOKEN}`).toString('base64');
    expect(result.stdout).toContain(`::add-mask::${basic}`);
  });

  it('merge_group: takes base and head from the merge group and posts nothing', async () => {
    await startGitHub();
    const payload = eventPayload('merge_group.checks_requested.json', (p) => {
      p.merge_group.base_sha = repo.base;
      p.merge_group.head_sha = repo.heads[1]!;
      p.merge_group.head_ref = `refs/heads/gh-readonly-queue/main/pr-${PR}-${repo.base}`;
      p.repository.full_name = 'acme/payments';
    });
    const result = await run('merge_group', payload);
    expect(result.code).toBe(1);
    const report = readReport(result.outputs.report!);
    expect(report.head).toBe(repo.heads[1]);
    expect(report.base).toBe(repo.base);
    expect(github.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('a bad input fails the step with a message naming it', async () => {
    await startGitHub();
    const result = await run('pull_request', pullRequestEvent('opened', repo.heads[0]!), { 'fail-on': 'severe' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::guardrail-gate: input fail-on: expected one of none, low, medium, high, critical/);
    expect(github.requests).toHaveLength(0);
  });
});

describe('the Action with the GitHub API unreachable', () => {
  /** A loopback port nothing listens on (bound once, then released). */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it.each([
    ['a port nothing listens on', async () => `http://127.0.0.1:${await closedPort()}`, /127\.0\.0\.1:\d+ \(ECONNREFUSED\)/],
    [
      'an unresolvable host name',
      async () => 'https://api.guardrail-gate.invalid',
      /api\.guardrail-gate\.invalid \((ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)\)/,
    ],
  ])('%s: fails fast naming the host, no "HTTP 500", and the step still ends with the verdict', async (_name, apiUrl, hostPattern) => {
    const started = performance.now();
    const result = await runBundle({
      bundle,
      workspace: repo.dir,
      apiUrl: await apiUrl(),
      repository: 'acme/payments',
      eventName: 'pull_request',
      payload: pullRequestEvent('opened', repo.heads[0]!),
      inputs: { 'github-token': WRITE_TOKEN },
    });
    const elapsed = performance.now() - started;
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.outputs.decision).toBe('fail');
    expect(readReport(result.outputs.report!).findings.map((f) => f.rule)).toContain('removed-timeout');
    const warnings = result.stdout.split('\n').filter((l) => l.startsWith('::warning::'));
    expect(warnings.length).toBeGreaterThan(0);
    for (const warning of warnings) expect(warning).toMatch(hostPattern);
    expect(result.stdout).not.toMatch(/HTTP 500/);
    expect(result.summary).toContain('removed-timeout');
    // No back-off: without the API the run takes as long as the analysis (the old retries took 14 s per call).
    expect(elapsed).toBeLessThan(20_000);
  });

  it('a /guardrail-gate command, which needs the API, fails in one line naming the host', async () => {
    const result = await run(
      'issue_comment',
      commentEvent(MAINTAINER, '/guardrail-gate accept all fine'),
      {},
      `http://127.0.0.1:${await closedPort()}`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::guardrail-gate: cannot reach the GitHub API at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(result.stdout).not.toMatch(/internal error|HTTP 500/);
  });
});

describe('a pull request that renames files and removes a guardrail in each', () => {
  const filler = Array.from({ length: 12 }, (_, i) => `export const setting${i} = ${i};`).join('\n') + '\n';
  const baseClient = filler + BASE_BILLING;
  const headClient = filler + BASE_BILLING.replace(', timeout: 5000 }', ' }');
  const workflow = (testStep: string) => `name: CI
on:
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm ci
      - run: npm run lint
${testStep}`;
  const manifest = JSON.stringify({ name: 'payments', private: true, scripts: { lint: 'eslint src', test: 'vitest run' } }, null, 2);
  let renamed: PrRepo;

  beforeAll(() => {
    renamed = createPrRepo(
      {
        'src/old-billing.ts': baseClient,
        '.github/workflows/ci.yml': workflow('      - name: Unit tests\n        run: npm test\n'),
        'package.json': manifest,
        'README.md': '# payments\n',
      },
      [
        {
          files: {
            'src/old-billing.ts': null,
            'src/billing/client.ts': headClient,
            '.github/workflows/ci.yml': null,
            '.github/workflows/checks.yml': workflow(''),
          },
          message: 'Move the billing client and the CI workflow',
        },
      ],
    );
  }, 60_000);

  it('every surface points at a file that exists on its side: report, annotations, SARIF, review comments, sticky comment', async () => {
    const head = renamed.heads[0]!;
    const files = renamed.files(head);
    expect(files.filter((f) => f.status === 'renamed').map((f) => `${f.previous_filename} -> ${f.filename}`)).toEqual([
      '.github/workflows/ci.yml -> .github/workflows/checks.yml',
      'src/old-billing.ts -> src/billing/client.ts',
    ]);
    github = new FakeGitHub('acme/payments');
    github.addToken(WRITE_TOKEN, 'write');
    github.addPull({
      number: PR,
      title: 'Move things around',
      body: '',
      user: AUTHOR,
      labels: [],
      head: { sha: head, ref: 'move-things', repoFullName: 'acme/payments' },
      base: { sha: renamed.base, ref: 'main' },
      files,
    });
    await github.start();
    const payload = eventPayload('pull_request.opened.json', (p) => {
      p.number = PR;
      p.pull_request.number = PR;
      p.pull_request.user.login = AUTHOR.login;
      p.pull_request.labels = [];
      p.pull_request.head.sha = head;
      p.pull_request.head.repo.full_name = 'acme/payments';
      p.pull_request.base.sha = renamed.base;
      p.pull_request.base.repo.full_name = 'acme/payments';
      p.repository.full_name = 'acme/payments';
    });
    const result = await runBundle({
      bundle,
      workspace: renamed.dir,
      apiUrl: github.url,
      repository: 'acme/payments',
      eventName: 'pull_request',
      payload,
      inputs: { 'github-token': WRITE_TOKEN, sarif: 'out/gate.sarif' },
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);

    const show = (rev: string, path: string): string[] | undefined => {
      try {
        return execFileSync('git', ['show', `${rev}:${path}`], { cwd: renamed.dir, encoding: 'utf8' }).split('\n');
      } catch {
        return undefined;
      }
    };
    const report = readReport(result.outputs.report!);
    const timeout = report.findings.find((f) => f.rule === 'removed-timeout')!;
    const ciCheck = report.findings.find((f) => f.rule === 'removed-ci-check')!;
    expect(timeout).toMatchObject({ file: 'src/old-billing.ts', side: 'base', headFile: 'src/billing/client.ts' });
    expect(ciCheck).toMatchObject({ file: '.github/workflows/ci.yml', side: 'base', headFile: '.github/workflows/checks.yml' });
    expect(show(renamed.base, timeout.file)![timeout.line - 1]).toContain('timeout: 5000');
    expect(show(renamed.base, ciCheck.file)![ciCheck.line - 1]).toContain('npm test');
    // JSON report: file and line name a file of their side, headFile and headLine one of the head.
    for (const finding of report.findings) {
      const lines = show(finding.side === 'base' ? renamed.base : head, finding.file);
      expect(lines, `${finding.rule} ${finding.side} ${finding.file}`).toBeDefined();
      expect(finding.line).toBeLessThanOrEqual(lines!.length);
      if (finding.side === 'base') expect(finding.headLine!).toBeLessThanOrEqual(show(head, headPath(finding))!.length);
    }

    // Annotations and SARIF are anchored on the head.
    const annotated = [...result.stdout.matchAll(/^::(?:error|warning) [^\n]*?file=([^,\n]+),line=(\d+)::/gm)];
    expect(annotated.length).toBeGreaterThanOrEqual(2);
    for (const [, file, line] of annotated) expect(show(head, file!)!.length, file).toBeGreaterThanOrEqual(Number(line));
    const sarif = JSON.parse(readFileSync(`${renamed.dir}/out/gate.sarif`, 'utf8'));
    for (const r of sarif.runs[0].results) {
      const location = r.locations[0].physicalLocation;
      const uri = decodeURIComponent(location.artifactLocation.uri);
      expect(show(head, uri)?.length, uri).toBeGreaterThanOrEqual(location.region.startLine);
    }

    // Review comments: a removed line of a renamed file goes on the LEFT of its new name (GitHub rejects the
    // old name, and one rejected comment fails the whole review).
    const byId = new Map(github.reviewComments.map((c) => [markerId(c.body), c]));
    for (const finding of [timeout, ciCheck]) {
      expect(byId.get(finding.id), finding.rule).toMatchObject({ path: finding.headFile, side: 'LEFT', line: finding.line });
    }
    // The sticky comment names the base line and where the file is now; nothing is left "not inline".
    const sticky = stickyComments()[0]!.body;
    expect(sticky).toContain(`\`src/old-billing.ts:${timeout.line}\` (removed line, now in \`src/billing/client.ts\`)`);
    expect(sticky).not.toContain('no inline comment');
  });
});
