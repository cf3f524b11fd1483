import type { Logger } from '../ports.js';
import type { IssueComment, PullRequestApi } from './pull-request.js';

/** Who may have written our comments: the token's own login when it can be learned, else any bot account. */
export interface TrustedAuthor {
  login?: string;
}

/** True when a comment was written by the identity the gate posts as (a user quoting the marker is not). */
export function isTrustedAuthor(comment: { author: string; authorType: string }, trusted: TrustedAuthor): boolean {
  if (trusted.login) return comment.author === trusted.login;
  return comment.authorType === 'Bot';
}

/** Our sticky comments among the PR's comments, newest first. */
export function findStickyComments(comments: IssueComment[], marker: string, trusted: TrustedAuthor): IssueComment[] {
  return comments
    .filter((c) => c.body.startsWith(marker) && isTrustedAuthor(c, trusted))
    .sort((a, b) => (a.createdAt === b.createdAt ? b.id - a.id : b.createdAt.localeCompare(a.createdAt)));
}

/**
 * Creates the sticky comment or updates it in place; never a second one. Older duplicates (left by a race
 * of two runs) are deleted. An identical body is not written again (no notification, no rate limit spent).
 */
export async function upsertStickyComment(
  api: PullRequestApi,
  existing: IssueComment[],
  body: string,
  logger: Logger,
): Promise<'created' | 'updated' | 'unchanged'> {
  const [current, ...duplicates] = existing;
  for (const duplicate of duplicates) {
    try {
      await api.deleteIssueComment(duplicate.id);
    } catch (error) {
      logger.debug(`could not delete duplicate comment ${duplicate.id}: ${(error as Error).message}`);
    }
  }
  if (!current) {
    await api.createIssueComment(body);
    return 'created';
  }
  if (current.body === body) return 'unchanged';
  await api.updateIssueComment(current.id, body);
  return 'updated';
}
