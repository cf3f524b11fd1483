import type { Logger } from '../ports.js';
import type { Git } from './git.js';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
/** History fetched with a missing commit in a shallow clone; the git adapter deepens further if the merge base is older. */
const SHALLOW_FETCH_DEPTH = 50;

/** How to reach the commits' remote when the checkout kept no credentials. */
export interface FetchCredentials {
  token?: string;
  /** The GitHub server (https://github.com or a GHES host) the token is for. */
  serverUrl?: string;
  registerSecret(value: string): void;
}

/**
 * Makes sure the commits the event names exist in the checkout, fetching the missing ones from `origin`.
 * actions/checkout's default is one commit (for a pull request, the test merge commit), which holds
 * neither the PR head nor the base tip as objects, and an issue_comment run checks out the default branch.
 *
 * When the checkout kept no credentials (`persist-credentials: false`), the token is handed to git the way
 * actions/checkout does it (an `http.<server>/.extraheader`), as a setting of this runner's network
 * commands only: nothing is written to the repository's configuration or the process environment, and the
 * encoded value is registered as a secret first. The git adapter's deepening of a shallow history uses it too.
 */
export async function ensureCommits(
  git: Git,
  shas: readonly (string | undefined)[],
  credentials: FetchCredentials,
  logger: Logger,
): Promise<void> {
  const wanted = [...new Set(shas.filter((s): s is string => !!s && SHA.test(s)))];
  const missing: string[] = [];
  for (const sha of wanted) {
    if (!(await git.succeeds(['cat-file', '-e', `${sha}^{commit}`]))) missing.push(sha);
  }
  if (!missing.length) return;
  if (!(await git.succeeds(['remote', 'get-url', 'origin']))) {
    logger.debug(`commits ${missing.join(', ')} are missing and there is no origin remote to fetch them from`);
    return;
  }

  if (credentials.token && credentials.serverUrl) {
    const persisted = await git.run(['config', '--get-regexp', '^http\\..*\\.extraheader$'], { okExitCodes: [1] });
    if (persisted.exitCode !== 0 || !persisted.stdout.toString().trim()) {
      const basic = Buffer.from(`x-access-token:${credentials.token}`, 'utf8').toString('base64');
      credentials.registerSecret(basic);
      git.addNetworkConfig(`http.${credentials.serverUrl.replace(/\/$/, '')}/.extraheader`, `AUTHORIZATION: basic ${basic}`);
    }
  }

  const shallow = (await git.text(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  const depth = shallow ? [`--depth=${SHALLOW_FETCH_DEPTH}`] : [];
  logger.info(`fetching ${missing.length} commit${missing.length === 1 ? '' : 's'} the event names from origin`);
  try {
    await git.run(['fetch', '--no-tags', '--no-recurse-submodules', '--quiet', ...depth, 'origin', ...missing], { network: true });
  } catch (error) {
    // The analysis names the revision it cannot find; this says why.
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    logger.warning(
      `guardrail-gate could not fetch ${missing.map((s) => s.slice(0, 12)).join(', ')} from origin: ${stderr.trim().split('\n').pop() ?? ''}`,
    );
  }
}
