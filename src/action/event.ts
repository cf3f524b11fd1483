import type { PullRequestAuthorship } from '../core/ai/authorship.js';
import { ConfigurationError } from '../core/errors.js';

/** What the triggering event says about the change to analyze. */
export type GateEvent =
  | { kind: 'pull_request'; base: string; head: string; prNumber: number; pullRequest: PullRequestAuthorship; fork: boolean }
  | { kind: 'merge_group'; base: string; head: string }
  | { kind: 'comment'; prNumber: number; commentBody: string; commenter: string; commentId: number }
  | { kind: 'ignored'; reason: string }
  | { kind: 'other'; head?: string };

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Maps a workflow event to base/head and the pull request. Pure: the caller reads the payload file.
 * `pull_request.base.sha` is the base branch tip when the event fired; the merge base is found from it
 * later, exactly as GitHub's "Files changed" does.
 */
export function readGateEvent(eventName: string, payload: Record<string, any>, repository: string): GateEvent {
  switch (eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const pr = payload.pull_request;
      if (!pr) throw new ConfigurationError(`event ${eventName}: the payload has no pull_request`);
      return {
        kind: 'pull_request',
        base: sha(pr.base?.sha, 'pull_request.base.sha'),
        head: sha(pr.head?.sha, 'pull_request.head.sha'),
        prNumber: Number(pr.number ?? payload.number),
        pullRequest: {
          author: pr.user?.login,
          labels: Array.isArray(pr.labels) ? pr.labels.map((l: { name?: string }) => l.name ?? '').filter(Boolean) : [],
          branch: pr.head?.ref,
          body: pr.body ?? '',
        },
        fork: Boolean(pr.head?.repo && pr.head.repo.full_name !== repository) || pr.head?.repo?.fork === true,
      };
    }
    case 'merge_group': {
      const group = payload.merge_group;
      if (!group) throw new ConfigurationError('event merge_group: the payload has no merge_group');
      return { kind: 'merge_group', base: sha(group.base_sha, 'merge_group.base_sha'), head: sha(group.head_sha, 'merge_group.head_sha') };
    }
    case 'issue_comment': {
      if (!payload.issue?.pull_request) return { kind: 'ignored', reason: 'the comment is on an issue, not a pull request' };
      if (payload.action !== 'created')
        return { kind: 'ignored', reason: `comment ${payload.action ?? 'event'}: only new comments are read` };
      return {
        kind: 'comment',
        prNumber: Number(payload.issue.number),
        commentBody: String(payload.comment?.body ?? ''),
        commenter: String(payload.comment?.user?.login ?? ''),
        commentId: Number(payload.comment?.id ?? 0),
      };
    }
    default:
      return { kind: 'other', head: typeof payload.after === 'string' && SHA.test(payload.after) ? payload.after : undefined };
  }
}

function sha(value: unknown, where: string): string {
  if (typeof value !== 'string' || !SHA.test(value)) {
    throw new ConfigurationError(`event payload: ${where} is not a commit sha (got ${JSON.stringify(value)})`);
  }
  return value;
}
