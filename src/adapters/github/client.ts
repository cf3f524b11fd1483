import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck';
import type { Logger } from '../ports.js';
import { ApiUnreachableError, unreachableCode } from './errors.js';

/** The Octokit instance every GitHub call of the Action goes through. */
export type GitHubClient = ReturnType<typeof getOctokit>;

type OctokitPlugin = NonNullable<Parameters<typeof getOctokit>[2]>;

/** How the client is built; timings are parameters so tests against a loopback server stay fast. */
export interface ClientOptions {
  token: string;
  /** REST base URL: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  baseUrl: string;
  logger: Logger;
  userAgent: string;
  /** Milliseconds per "second" of retry-after and of the retry back-off (1000 in production). */
  retryUnitMs?: number;
  /** Rate-limit waits longer than this many seconds are not worth CI minutes: give up and degrade. */
  maxRateLimitWaitSeconds?: number;
}

/** Server errors are retried this many times with quadratic back-off (1, 4, 9 units). */
const SERVER_ERROR_RETRIES = 3;
/** Rate-limited requests are retried at most this many times. */
const RATE_LIMIT_RETRIES = 2;

/**
 * Builds the one GitHub client: retries 5xx with back-off (plugin-retry) and waits out primary and
 * secondary rate limits when the wait is short (plugin-throttling). 403/404/422 are never retried: a 403
 * usually means a read-only token, which the publisher turns into a degrade, not a wait.
 */
export function createGitHubClient(options: ClientOptions): GitHubClient {
  const unit = options.retryUnitMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const onLimit =
    (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      if (retryCount < RATE_LIMIT_RETRIES && retryAfter <= maxWait) {
        options.logger.info(`GitHub ${kind} rate limit on ${request.method} ${request.url}: retrying in ${retryAfter}s`);
        return true;
      }
      options.logger.warning(`GitHub ${kind} rate limit on ${request.method} ${request.url}: giving up (retry-after ${retryAfter}s)`);
      return false;
    };
  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      userAgent: options.userAgent,
      log: {
        debug: (m: string) => options.logger.debug(m),
        info: (m: string) => options.logger.debug(m),
        warn: (m: string) => options.logger.debug(m),
        error: (m: string) => options.logger.debug(m),
      },
      retry: { retries: SERVER_ERROR_RETRIES, retryAfterBaseValue: unit, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      throttle: {
        retryAfterBaseValue: unit,
        // GitHub asks for a pause between content-creating requests; the plugin's pacing (1 s between
        // writes, 3 s between notifying writes) is kept, on the same unit as everything else.
        ...(unit !== 1000
          ? {
              write: new Bottleneck.Group({ maxConcurrent: 1, minTime: unit }),
              notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * unit }),
            }
          : {}),
        fallbackSecondaryRateRetryAfter: 60,
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      },
    },
    failFastWhenUnreachable(options.baseUrl, options.logger),
    retry,
    throttling,
  );
}

/**
 * An Octokit plugin, registered before plugin-retry so that it wraps the bare request: a host that cannot
 * be reached (DNS, connection refused, certificate) fails the call at once with ApiUnreachableError
 * instead of the "HTTP 500" Octokit makes of it, which plugin-retry would retry with back-off; every later
 * call of the run then fails the same way without trying. The error carries a `request` without headers
 * (so no token) only because plugin-retry reads `error.request.request.retries`, and finds none.
 */
function failFastWhenUnreachable(baseUrl: string, logger: Logger): OctokitPlugin {
  let host = baseUrl;
  try {
    host = new URL(baseUrl).host;
  } catch {
    // An unparsable URL is named as given.
  }
  return (octokit) => {
    let unreachable: ApiUnreachableError | undefined;
    const fail = (options: { method?: string; url?: string }): never => {
      throw Object.assign(unreachable!, { request: { method: options.method, url: options.url, request: {} } });
    };
    octokit.hook.wrap('request', async (request, options) => {
      if (unreachable) fail(options);
      try {
        return await request(options);
      } catch (error) {
        const code = unreachableCode(error);
        if (!code) throw error;
        unreachable = new ApiUnreachableError(host, code);
        logger.debug(`GitHub API unreachable: ${(error as Error).message}`);
        return fail(options);
      }
    });
  };
}
