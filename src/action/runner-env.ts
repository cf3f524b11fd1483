import path from 'node:path';

/**
 * What the runner tells the Action through its environment, read in this one place (as inputs.ts is the
 * one place inputs are read). Everything else receives the RunnerEnvironment.
 */
export interface RunnerEnvironment {
  /** `owner/name` of the repository the workflow runs in. */
  repository: string;
  owner?: string;
  repo?: string;
  eventName: string;
  /** The webhook payload file, when the runner wrote one. */
  eventPath?: string;
  /** REST base URL without a trailing slash: https://api.github.com, or https://HOST/api/v3 on GHES. */
  apiUrl: string;
  /** https://github.com or the GHES host: what git fetches from, and where run links point. */
  serverUrl?: string;
  /** This workflow run's page, linked from the PR comment. */
  runUrl?: string;
  /** The checkout (GITHUB_WORKSPACE), or the process's folder outside a runner. */
  workspace: string;
  /** Where the JSON report is written: `<RUNNER_TEMP>/guardrail-gate`. */
  reportDir: string;
  /** The workflow file of this run (`.github/workflows/x.yml`), to re-run the gate's failed run of the PR. */
  workflowPath?: string;
  /** Retry and rate-limit unit in ms, scaled down by the test suite (loopback API only); undefined in production. */
  retryUnitMs?: number;
}

/** Reads the runner's variables; `cwd` stands in for GITHUB_WORKSPACE outside a runner. */
export function readRunnerEnvironment(env: Record<string, string | undefined>, cwd: string): RunnerEnvironment {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');
  const apiUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, '');
  const serverUrl = env.GITHUB_SERVER_URL || undefined;
  const workspace = env.GITHUB_WORKSPACE || cwd;
  const workflowPath = /^[^/]+\/[^/]+\/(.+?)@/.exec(env.GITHUB_WORKFLOW_REF ?? '')?.[1];
  const retryUnitMs = testRetryUnit(env.GUARDRAIL_GATE_TEST_RETRY_UNIT_MS, apiUrl);
  return {
    repository,
    ...(owner ? { owner } : {}),
    ...(repo ? { repo } : {}),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ...(env.GITHUB_EVENT_PATH ? { eventPath: env.GITHUB_EVENT_PATH } : {}),
    apiUrl,
    ...(serverUrl ? { serverUrl } : {}),
    ...(serverUrl && env.GITHUB_RUN_ID ? { runUrl: `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` } : {}),
    workspace,
    reportDir: path.join(env.RUNNER_TEMP || workspace, 'guardrail-gate'),
    ...(workflowPath ? { workflowPath } : {}),
    ...(retryUnitMs !== undefined ? { retryUnitMs } : {}),
  };
}

/**
 * Retry and rate-limit waits are scaled down only in the test suite, and only against a loopback API, so
 * the variable can never shorten waits against GitHub itself.
 */
function testRetryUnit(raw: string | undefined, apiUrl: string): number | undefined {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) return undefined;
  let host = '';
  try {
    host = new URL(apiUrl).hostname;
  } catch {
    // Not a URL: no test scaling.
  }
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' ? value : undefined;
}
