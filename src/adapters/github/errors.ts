import { PermissionDeniedError } from '../../core/errors.js';

/** An HTTP error as Octokit throws it. */
interface HttpError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

/** True for GitHub's answer to a token that may not write here (fork PR, read-only permissions). */
export function isPermissionDenied(error: unknown): boolean {
  const e = error as HttpError;
  if (e?.status !== 403) return false;
  // A 403 that is a rate limit is not a permission problem.
  if (e.response?.headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(e.message ?? '')) return false;
  return true;
}

/**
 * Runs one GitHub call and turns a permission refusal into PermissionDeniedError, the signal for the
 * publisher to degrade to the job summary instead of failing the gate.
 */
export async function withPermission<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isPermissionDenied(error)) {
      throw new PermissionDeniedError(`${what}: ${(error as HttpError).message ?? 'forbidden'}`);
    }
    throw error;
  }
}

/** A short description of a failed call for a log line (never the request headers). */
export function describeHttpError(error: unknown): string {
  const e = error as HttpError;
  return e?.status ? `HTTP ${e.status}: ${(e.message ?? '').split('\n')[0]}` : String((error as Error)?.message ?? error);
}

/**
 * Codes of a failure to reach the host at all (name resolution, connection, certificate): waiting seconds
 * and trying again does not fix them, so they are neither retried nor reported as a server error.
 */
const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The GitHub API's host cannot be reached: every call of the run fails fast with this one error. */
export class ApiUnreachableError extends Error {
  override name = 'ApiUnreachableError';
  constructor(
    readonly host: string,
    readonly code: string,
  ) {
    super(`cannot reach the GitHub API at ${host} (${code}); check GITHUB_API_URL and the runner's network`);
  }
}

/** The network error code behind a failed request (undici nests it in `cause`, sometimes in an AggregateError). */
export function unreachableCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const current = queue.shift() as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (typeof current.code === 'string' && UNREACHABLE_CODES.has(current.code)) return current.code;
    queue.push(current.cause, ...(Array.isArray(current.errors) ? current.errors : []));
  }
  return undefined;
}
