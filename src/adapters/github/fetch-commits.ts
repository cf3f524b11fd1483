import { execFile } from 'node:child_process';
import type { Logger } from '../ports.js';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** History fetched with a missing commit in a shallow clone; the git adapter deepens further if the merge base is older. */
const SHALLOW_FETCH_DEPTH = 50;

function git(repoDir: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: repoDir, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/**
 * Makes sure the commits the event names exist in the checkout, fetching the missing ones from `origin`.
 * actions/checkout's default is one commit (for a pull request, the test merge commit), which holds
 * neither the PR head nor the base tip as objects, and an issue_comment run checks out the default branch.
 *
 * When the checkout kept no credentials (`persist-credentials: false`), the token is handed to git the way
 * actions/checkout does it (an `http.<server>/.extraheader`), through GIT_CONFIG_* variables of this
 * process only: nothing is written to the repository's configuration, and the encoded value is registered
 * as a secret first. Every git command of the run (the git adapter's deepening of a shallow history too)
 * inherits it.
 */
export async function ensureCommits(options: {
  repoDir: string;
  shas: (string | undefined)[];
  token?: string;
  serverUrl?: string;
  env: NodeJS.ProcessEnv;
  registerSecret(value: string): void;
  logger: Logger;
}): Promise<void> {
  const { repoDir, env, logger } = options;
  const wanted = [...new Set(options.shas.filter((s): s is string => !!s && SHA.test(s)))];
  const missing: string[] = [];
  for (const sha of wanted) {
    if ((await git(repoDir, ['cat-file', '-e', `${sha}^{commit}`], env)).code !== 0) missing.push(sha);
  }
  if (!missing.length) return;
  if ((await git(repoDir, ['remote', 'get-url', 'origin'], env)).code !== 0) {
    logger.debug(`commits ${missing.join(', ')} are missing and there is no origin remote to fetch them from`);
    return;
  }

  if (options.token && options.serverUrl) {
    const persisted = await git(repoDir, ['config', '--get-regexp', '^http\\..*\\.extraheader$'], env);
    if (persisted.code !== 0 || !persisted.stdout.trim()) {
      const basic = Buffer.from(`x-access-token:${options.token}`, 'utf8').toString('base64');
      options.registerSecret(basic);
      const index = Number(env.GIT_CONFIG_COUNT ?? 0);
      env.GIT_CONFIG_COUNT = String(index + 1);
      env[`GIT_CONFIG_KEY_${index}`] = `http.${options.serverUrl.replace(/\/$/, '')}/.extraheader`;
      env[`GIT_CONFIG_VALUE_${index}`] = `AUTHORIZATION: basic ${basic}`;
    }
  }

  const shallow = (await git(repoDir, ['rev-parse', '--is-shallow-repository'], env)).stdout.trim() === 'true';
  const depth = shallow ? [`--depth=${SHALLOW_FETCH_DEPTH}`] : [];
  logger.info(`fetching ${missing.length} commit${missing.length === 1 ? '' : 's'} the event names from origin`);
  const fetched = await git(repoDir, ['fetch', '--no-tags', '--no-recurse-submodules', ...depth, 'origin', ...missing], env);
  if (fetched.code !== 0) {
    // The analysis names the revision it cannot find; this says why.
    logger.warning(`guardrail-gate could not fetch ${missing.map((s) => s.slice(0, 12)).join(', ')} from origin: ${fetched.stderr.trim().split('\n').pop() ?? ''}`);
  }
}
