import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/core/model.js';
import { buildCliBundle, runCli, type Bundle } from '../cli/bundle.js';
import { createRepo, writeTree, type TempRepo } from '../support/git-repo.js';

// An agent's view of `guardrail-gate mcp`: the SDK's own client spawns the built bundle over stdio, as an
// agent's MCP configuration does, and asks about a change before it is committed. Its answer must be the
// verdict the gate gives on the same change: `analyze --worktree --format json` now, and `analyze
// --base HEAD~1` once the change is committed (what the pull request's gate reads).

let bundle: Bundle;
beforeAll(() => {
  bundle = buildCliBundle();
});
afterAll(() => bundle?.cleanup());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const CLIENT_WITHOUT_TIMEOUT = `import axios from 'axios';

export function createClient(baseURL: string) {
  return axios.create({ baseURL });
}
`;
const CLIENT_WITH_TIMEOUT = CLIENT_WITHOUT_TIMEOUT.replace('{ baseURL }', '{ baseURL, timeout: 5000 }');
const CLIENT_TEST = `import { createClient } from '../src/client.js';
import { expect, it } from 'vitest';

it('creates a client', () => {
  expect(createClient('https://api.example.com')).toBeDefined();
});
`;

/** A service whose timeout was added by an incident fix, and a work tree that takes it out again. */
function repoWithScar(): TempRepo {
  const repo = createRepo('gg-mcp-');
  cleanups.push(() => repo.cleanup());
  repo.commit(
    { 'package.json': '{"name":"svc","type":"module"}\n', 'src/client.ts': CLIENT_WITHOUT_TIMEOUT, 'test/client.test.ts': CLIENT_TEST },
    'client for the provider',
  );
  repo.commit(
    { 'package.json': '{"name":"svc","type":"module"}\n', 'src/client.ts': CLIENT_WITH_TIMEOUT, 'test/client.test.ts': CLIENT_TEST },
    'fix: time out provider calls after 5 s (incident: checkout hung for 40 minutes)',
  );
  writeTree(repo.dir, { 'src/client.ts': CLIENT_WITHOUT_TIMEOUT });
  return repo;
}

async function connect(repo: TempRepo): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bundle.cli, 'mcp'],
    cwd: repo.dir,
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1', NODE_COMPILE_CACHE: bundle.compileCache },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'guardrail-gate-test-agent', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return client;
}

interface Answer {
  decision: string;
  score: number;
  level: string;
  head: string;
  findings: Pick<Finding, 'id' | 'rule' | 'severity' | 'file' | 'line' | 'side' | 'message'>[];
  tests: { affected: string[] };
}

const verdictOf = (r: { decision: string; score: number; level: string; findings: Answer['findings']; tests: { affected: string[] } }) => ({
  decision: r.decision,
  score: r.score,
  level: r.level,
  findings: r.findings.map((f) => ({
    id: f.id,
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    line: f.line,
    side: f.side,
    message: f.message,
  })),
  affected: r.tests.affected,
});

function cliReport(repo: TempRepo, ...args: string[]): Report {
  const run = runCli(bundle, ['analyze', ...args, '--format', 'json'], { cwd: repo.dir });
  expect(run.status, run.stderr).not.toBe(2);
  return JSON.parse(run.stdout) as Report;
}

describe('guardrail-gate mcp (the bundle, through the SDK client over stdio)', () => {
  it('lists its tools with their input schemas', async () => {
    const client = await connect(repoWithScar());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['analyze_change', 'explain_finding']);
    const explain = tools.find((t) => t.name === 'explain_finding')!;
    expect(explain.inputSchema.required).toEqual(['findingId']);
    expect(Object.keys(explain.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['change', 'base', 'head', 'repo', 'failOn']));
  });

  it("answers with the gate's verdict on the same change, before and after it is committed", async () => {
    const repo = repoWithScar();
    const client = await connect(repo);
    const result = await client.callTool({ name: 'analyze_change', arguments: {} });
    expect(result.isError).toBeFalsy();
    const answer = result.structuredContent as unknown as Answer;
    expect(answer.findings.map((f) => f.rule)).toEqual(['removed-timeout']);
    expect(answer.decision).toBe('fail');

    expect(verdictOf(answer)).toEqual(verdictOf(cliReport(repo, '--worktree')));
    // Asked again, the same answer to the byte: deterministic.
    expect((await client.callTool({ name: 'analyze_change', arguments: { change: 'worktree' } })).structuredContent).toEqual(
      result.structuredContent,
    );

    repo.git('commit', '-qam', 'simplify the client');
    const gate = cliReport(repo, '--base', 'HEAD~1', '--head', 'HEAD');
    expect(verdictOf(gate)).toEqual(verdictOf(answer));
    const range = (await client.callTool({ name: 'analyze_change', arguments: { change: 'range', base: 'HEAD~1' } }))
      .structuredContent as unknown as Answer;
    expect(verdictOf(range)).toEqual(verdictOf(gate));
  });

  it('explains why the guardrail exists: the scar commit, the tests that reach it, what to run', async () => {
    const repo = repoWithScar();
    const client = await connect(repo);
    const answer = (await client.callTool({ name: 'analyze_change', arguments: {} })).structuredContent as unknown as Answer;
    const id = answer.findings[0]!.id;
    const result = await client.callTool({ name: 'explain_finding', arguments: { findingId: id } });
    expect(result.isError).toBeFalsy();
    const explanation = result.structuredContent as {
      finding: { id: string; rule: string };
      rule: { id: string; description: string };
      scar?: { commit: string; subject: string; kind: string };
      tests: string[];
      whatToRun: string[];
      howToAccept: string;
    };
    expect(explanation.finding).toMatchObject({ id, rule: 'removed-timeout' });
    expect(explanation.rule.id).toBe('removed-timeout');
    expect(explanation.scar).toMatchObject({
      commit: repo.git('rev-parse', 'HEAD'),
      subject: expect.stringMatching(/^fix: time out provider calls/),
    });
    expect(explanation.tests).toEqual(['test/client.test.ts']);
    expect(explanation.whatToRun.join('\n')).toContain('test/client.test.ts');
    expect(explanation.howToAccept).toContain(`/guardrail-gate accept ${id}`);
    const text = (result.content as { type: string; text: string }[])[0]!.text;
    expect(text).toContain('Scar: added by');
    expect(text).toContain('Tests that reach it: test/client.test.ts');
  });

  it('reports a mistake as a tool error the agent can read, and keeps serving', async () => {
    const repo = repoWithScar();
    const client = await connect(repo);
    const unknown = await client.callTool({ name: 'explain_finding', arguments: { findingId: 'gg-0000000000000000' } });
    expect(unknown.isError).toBe(true);
    expect((unknown.content as { text: string }[])[0]!.text).toMatch(
      /^guardrail-gate: no finding gg-0000000000000000 in this change \(its findings: gg-/,
    );
    const contradicting = await client.callTool({ name: 'analyze_change', arguments: { change: 'staged', base: 'HEAD~1' } });
    expect(contradicting.isError).toBe(true);
    const staged = await client.callTool({ name: 'analyze_change', arguments: { change: 'staged' } });
    expect((staged.structuredContent as unknown as Answer).findings).toEqual([]);
  });
});
