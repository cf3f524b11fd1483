import { PermissionDeniedError } from '../../core/errors.js';
import { MAX_REVIEW_COMMENTS, readFindingMarker, renderGoneComment, type ReviewComment } from '../../core/render/review.js';
import type { Logger } from '../ports.js';
import { placeOnDiff, type DiffIndex } from './diff-lines.js';
import { describeHttpError } from './errors.js';
import type { ExistingReviewComment, PullRequestApi } from './pull-request.js';
import { isTrustedAuthor, type TrustedAuthor } from './sticky-comment.js';

/** What a reconciliation did, for the sticky comment and the log. */
export interface ReconcileResult {
  posted: string[];
  kept: string[];
  resolved: string[];
  /** Findings that could not be placed inline (location not in the diff, or over the cap). */
  notInline: string[];
}

const GONE_PREFIX = '~~This guardrail-gate finding no longer appears~~';

/**
 * Brings the PR's inline comments in line with the current findings: posts comments only for findings
 * that have none yet (as one review), leaves existing ones alone, and resolves the threads of findings that
 * went away (or, when GraphQL cannot, edits them to say so). Every location is checked against the diff
 * first, because one bad location makes GitHub reject the whole review.
 */
export async function reconcileReviewComments(options: {
  api: PullRequestApi;
  headSha: string;
  wanted: ReviewComment[];
  diff: DiffIndex;
  trusted: TrustedAuthor;
  logger: Logger;
  /** Findings that keep an existing comment but get no new one (accepted by a maintainer). */
  doNotPost?: ReadonlySet<string>;
}): Promise<ReconcileResult> {
  const { api, headSha, wanted, diff, trusted, logger } = options;
  const existing = (await api.listReviewComments()).filter((c) => !c.inReplyTo && isTrustedAuthor(c, trusted) && readFindingMarker(c.body));
  const live = new Map<string, ExistingReviewComment>();
  for (const comment of existing) {
    if (comment.line !== null && !comment.body.startsWith(GONE_PREFIX)) live.set(readFindingMarker(comment.body)!, comment);
  }

  const result: ReconcileResult = { posted: [], kept: [], resolved: [], notInline: [] };
  const toPost: ReviewComment[] = [];
  for (const comment of wanted) {
    if (live.has(comment.findingId)) {
      result.kept.push(comment.findingId);
    } else if (options.doNotPost?.has(comment.findingId)) {
      continue;
    } else {
      const path = placeOnDiff(diff, comment.path, comment.side, comment.line);
      if (path === undefined || toPost.length >= MAX_REVIEW_COMMENTS) result.notInline.push(comment.findingId);
      else toPost.push({ ...comment, path });
    }
  }

  if (toPost.length) {
    const body = `guardrail-gate: ${toPost.length} new finding${toPost.length === 1 ? '' : 's'} on the lines below (summary in the PR comment).`;
    await api.createReview(
      headSha,
      body,
      toPost.map(({ path, line, side, body: commentBody }) => ({ path, line, side, body: commentBody })),
    );
    result.posted.push(...toPost.map((c) => c.findingId));
  }

  // Threads whose finding went away, and outdated threads of findings now commented afresh.
  const wantedIds = new Set(wanted.map((c) => c.findingId));
  const stale = existing.filter((c) => {
    if (c.body.startsWith(GONE_PREFIX)) return false;
    const id = readFindingMarker(c.body)!;
    return !wantedIds.has(id) || (c.line === null && result.posted.includes(id));
  });
  if (stale.length) await closeStaleComments(api, stale, headSha, logger, result);
  return result;
}

async function closeStaleComments(
  api: PullRequestApi,
  stale: ExistingReviewComment[],
  headSha: string,
  logger: Logger,
  result: ReconcileResult,
) {
  let threads: Map<number, { id: string; isResolved: boolean }> | undefined;
  try {
    threads = new Map((await api.listReviewThreads()).filter((t) => t.firstCommentId !== undefined).map((t) => [t.firstCommentId!, t]));
  } catch (error) {
    if (error instanceof PermissionDeniedError) throw error;
    logger.debug(`review threads unavailable (${describeHttpError(error)}); editing stale comments instead`);
  }
  for (const comment of stale) {
    const id = readFindingMarker(comment.body)!;
    const thread = threads?.get(comment.id);
    if (thread?.isResolved) continue;
    if (thread) {
      try {
        await api.resolveReviewThread(thread.id);
        result.resolved.push(id);
        continue;
      } catch (error) {
        if (error instanceof PermissionDeniedError) throw error;
        logger.debug(`could not resolve thread of ${id} (${describeHttpError(error)}); editing it instead`);
      }
    }
    await api.updateReviewComment(comment.id, renderGoneComment(comment.body, headSha));
    result.resolved.push(id);
  }
}
