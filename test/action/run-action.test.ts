import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAction, type ActionDeps, type AnalysisRequest, type AnalyzedChange } from '../../src/action/run-action.js';
import { readRunnerEnvironment } from '../../src/action/runner-env.js';
import { parseAcceptanceBlock, renderAcceptanceBlock } from '../../src/core/accept/store.js';
import type { Finding, Report } from '../../src/core/model.js';
import { ACTIONS_BOT, FakeGitHub } from '../support/fake-github/server.js';

// runAction in-process with the analysis port answered by a small stand-in (the bundle and the real
// pipeline are exercised by test/e2e/action.test.ts); GitHub is the loopback server.

const HEAD = 'b'.repeat(40);
const BASE = 'a'.repeat(40);

function finding(id: string, line: number): Finding {
  return {
    id,
    rule: 'removed-retry',
    category: 'retry',
    severity: 'high',
    file: 'src/a.ts',
    line,
    side: 'base',
    headLine: line,
    message: `finding ${id}`,
  };
}

/** The analysis port: two findings; the decision fails while one of them is not accepted. Records every judgement. */
function analyzeStub(requests: AnalysisRequest[], judged: string[][]) {
  return async (request: AnalysisRequest): Promise<AnalyzedChange> => {
    requests.push(request);
    return {
      publish: {
        comment: true,
        'review-comments': true,
        summary: true,
        annotations: true,
      },
      judge: (acceptances) => {
        judged.push(acceptances.map((a) => a.id));
        return judgeStub(new Map(acceptances.map((a) => [a.id, a])));
      },
    };
  };
}

function judgeStub(acceptances: Map<string, { who: string; reason: string }>): Report {
  const findings = [finding('gg-one', 2), finding('gg-two', 3)].map((f) => {
    const accepted = acceptances.get(f.id);
    return accepted ? { ...f, accepted: { by: 'maintainer' as const, ...accepted } } : f;
  });
  const open = findings.filter((f) => !f.accepted).length;
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'guardrail-gate', version: 'test' },
    base: BASE,
    head: HEAD,
    decision: open ? 'fail' : 'pass',
    score: open * 40,
    level: open ? 'high' : 'none',
    failOn: 'high',
    contributions: [],
    findings,
    tests: { affected: [], untested: [] },
    hotspots: [],
    requiredChecks: [],
    ai: { authored: false, evidence: [] },
    stats: { filesChanged: 1, filesAnalyzed: 1, durationMs: 1 },
    skipped: [],
    notes: [],
  };
  return report;
}

describe('runAction with /guardrail-gate commands', () => {
  let github: FakeGitHub;
  let temp: string;

  beforeEach(async () => {
    github = new FakeGitHub('acme/payments');
    github.addToken('tok', 'write');
    github.permissions.set('mia', 'write');
    github.addPull({
      number: 5,
      title: 't',
      body: '',
      user: { login: 'dev', id: 1, type: 'User' },
      labels: [],
      head: { sha: HEAD, ref: 'feature', repoFullName: 'acme/payments' },
      base: { sha: BASE, ref: 'main' },
      files: [
        {
          filename: 'src/a.ts',
          status: 'modified',
          patch: '@@ -1,4 +1,1 @@\n keep();\n-one();\n-two();\n-three();',
        },
      ],
    });
    await github.start();
    temp = mkdtempSync(path.join(tmpdir(), 'gg-run-action-'));
  });

  afterEach(() => github.stop());

  function comment(body: string, user = 'mia') {
    return runWith('issue_comment', {
      action: 'created',
      issue: { number: 5, pull_request: { url: 'x' } },
      comment: { id: 1, body, user: { login: user } },
    });
  }

  async function runWith(eventName: string, payload: unknown) {
    const eventPath = path.join(temp, 'event.json');
    writeFileSync(eventPath, JSON.stringify(payload));
    const outputs = new Map<string, string>();
    const failures: string[] = [];
    const logs: string[] = [];
    const requests: AnalysisRequest[] = [];
    const judged: string[][] = [];
    const env = {
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'acme/payments',
      GITHUB_API_URL: github.url,
      RUNNER_TEMP: temp,
      GITHUB_WORKSPACE: temp,
      GUARDRAIL_GATE_TEST_RETRY_UNIT_MS: '1',
    };
    const deps: ActionDeps = {
      runner: readRunnerEnvironment(env, temp),
      readInput: (name) => (name === 'github-token' ? 'tok' : name === 'review-comments' ? 'false' : ''),
      logger: {
        debug: () => {},
        info: (m) => logs.push(m),
        warning: (m) => logs.push(`warning: ${m}`),
        error: (m) => logs.push(`error: ${m}`),
      },
      registerSecret: () => {},
      setOutput: (name, value) => outputs.set(name, value),
      writeJobSummary: async () => {},
      emitAnnotations: () => {},
      failStep: (m) => failures.push(m),
      readTextFile: async (file) => readFileSync(file, 'utf8'),
      writeTextFile: async (file, text) => {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
      },
      analyze: analyzeStub(requests, judged),
      renderJson: (report) => JSON.stringify(report),
      renderSarif: () => '{}',
      toolVersion: 'test',
    };
    await runAction(deps);
    return { outputs, failures, logs, requests, judged };
  }

  const sticky = () =>
    github.issueComments.filter((c) => c.body.startsWith('<!-- guardrail-gate:sticky') && c.user.login === ACTIONS_BOT.login);

  it('accepts one finding by id: recorded, the other still blocks, unknown ids are named', async () => {
    const run = await comment('/guardrail-gate accept gg-one covered by the queue retry\n/guardrail-gate accept gg-typo oops');
    expect(run.outputs.get('decision')).toBe('fail');
    expect(run.failures).toHaveLength(1);
    expect(parseAcceptanceBlock(sticky()[0]!.body)).toEqual([{ id: 'gg-one', who: 'mia', reason: 'covered by the queue retry' }]);
    expect(sticky()[0]!.body).toContain('@mia accepted `gg-one` · not current findings, so not accepted: `gg-typo`');
    // One analysis, judged twice: once to learn the current ids, once with the new acceptance.
    expect(run.requests).toHaveLength(1);
    expect(run.judged).toEqual([[], ['gg-one']]);

    const second = await comment('/guardrail-gate accept gg-two the idempotency key makes this safe');
    expect(second.outputs.get('decision')).toBe('pass');
    expect(second.failures).toEqual([]);
    expect(sticky()).toHaveLength(1);
    expect(parseAcceptanceBlock(sticky()[0]!.body).map((a) => a.id)).toEqual(['gg-one', 'gg-two']);
    expect(JSON.parse(readFileSync(second.outputs.get('report')!, 'utf8')).decision).toBe('pass');
  });

  it('does not overwrite an acceptance recorded by a concurrent run while this one was analyzing', async () => {
    const pullRequestEvent = {
      action: 'synchronize',
      number: 5,
      pull_request: {
        number: 5,
        user: { login: 'dev' },
        labels: [],
        body: '',
        head: {
          sha: HEAD,
          ref: 'feature',
          repo: { full_name: 'acme/payments' },
        },
        base: { sha: BASE },
      },
    };
    await runWith('pull_request', pullRequestEvent);
    expect(sticky()).toHaveLength(1);
    // The next pull_request run reads the comment; then, before it writes, a maintainer's acceptance lands.
    github.beforeHandle = (operationId, earlier) => {
      // Run one listed comments twice (on start, before writing); this is run two's second listing.
      if (operationId === 'issues/list-comments' && earlier === 3) {
        const stored = sticky()[0]!;
        stored.body = stored.body.replace(
          /<!-- guardrail-gate:acceptances .* -->$/,
          renderAcceptanceBlock([{ id: 'gg-two', who: 'mia', reason: 'safe' }]),
        );
      }
    };
    const run = await runWith('pull_request', pullRequestEvent);
    expect(run.outputs.get('decision')).toBe('fail');
    expect(parseAcceptanceBlock(sticky()[0]!.body)).toEqual([{ id: 'gg-two', who: 'mia', reason: 'safe' }]);
    expect(sticky()[0]!.body).toContain('apply from the next run: `gg-two`');
    // The next run applies it.
    github.beforeHandle = undefined;
    const next = await runWith('pull_request', pullRequestEvent);
    expect(next.judged).toEqual([['gg-two']]);
  });

  it('asks for a reason instead of accepting without one', async () => {
    const run = await comment('/guardrail-gate accept gg-one');
    expect(run.requests).toHaveLength(0);
    expect(sticky()).toHaveLength(0);
    const reply = github.issueComments.find((c) => c.body.startsWith('@mia'))!;
    expect(reply.body).toMatch(/a reason is required/);
  });
});
