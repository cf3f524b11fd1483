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
