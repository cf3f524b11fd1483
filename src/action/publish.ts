import { parseAcceptanceBlock, type AcceptanceRecord } from '../core/accept/store.js';
import { PermissionDeniedError } from '../core/errors.js';
import type { Report } from '../core/model.js';
import { renderComment, STICKY_MARKER } from '../core/render/comment.js';
import { renderReviewComments } from '../core/render/review.js';
import { renderSummary } from '../core/render/summary.js';
import type { Logger } from '../adapters/ports.js';
import { buildDiffIndex } from '../adapters/github/diff-lines.js';
import { describeHttpError } from '../adapters/github/errors.js';
import type { PullRequestApi } from '../adapters/github/pull-request.js';
import { reconcileReviewComments } from '../adapters/github/review-comments.js';
import { findStickyComments, upsertStickyComment, type TrustedAuthor } from '../adapters/github/sticky-comment.js';
import type { GateEvent } from './event.js';
import type { ActionInputs } from './inputs.js';
import type { RunnerEnvironment } from './runner-env.js';

/**
 * What the run posts where, decided once from the inputs, the configuration's `publish` switches and the
 * event, before anything is posted. Executing it can degrade (a read-only token) or fail (an outage), but
 * never changes the verdict, which is set before.
 */
export interface PublicationPlan {
  /** Workflow annotations on the changed lines. */
  annotations: boolean;
  /** The job summary. */
  summary: boolean;
  /** Posting to the pull request; absent when there is none to post to (merge queue, push, no token). */
  pullRequest?: {
    api: PullRequestApi;
    /** The head this run analyzed. */
    head: string;
    reviewComments: boolean;
    stickyComment: boolean;
    /** Leave publication to a newer run when the PR's head moved on since the event. */
    checkHeadMoved: boolean;
    /** An acceptance in this run turned the verdict to pass: re-run the PR's failed gate run. */
    rerunGateOnPass: boolean;
  };
}

/** Decides the plan. Pure. */
export function planPublication(options: {
  inputs: ActionInputs;
  switches: { comment: boolean; 'review-comments': boolean; summary: boolean; annotations: boolean };
  event: GateEvent;
  api: PullRequestApi | undefined;
  head: string | undefined;
  acceptedNow: boolean;
}): PublicationPlan {
  const { inputs, switches, event, api, head } = options;
  const toPullRequest = api && head && event.kind !== 'merge_group' && (inputs.comment || inputs.reviewComments);
  return {
    annotations: switches.annotations,
    summary: switches.summary,
    ...(toPullRequest
      ? {
          pullRequest: {
            api,
            head,
            reviewComments: inputs.reviewComments && switches['review-comments'],
            stickyComment: inputs.comment && switches.comment,
            checkHeadMoved: event.kind === 'pull_request' && !inputs.head,
            rerunGateOnPass: options.acceptedNow,
          },
        }
      : {}),
  };
}

/** What the posts are made of. */
export interface PublicationContext {
  report: Report;
  trusted: TrustedAuthor;
  live: AcceptanceRecord[];
  lapsed: AcceptanceRecord[];
  /** Acceptances stored before this run's command: a comment that held some is updated even when all-clear. */
  storedCount: number;
  /** Lines for the comment and the summary (what an accept command did, late acceptances). */
  messages: string[];
  runner: RunnerEnvironment;
}

/** The runner-side sinks publication writes to. */
export interface PublicationSinks {
  logger: Logger;
  writeJobSummary(markdown: string): Promise<void>;
}

const DEGRADE_WARNING =
  'guardrail-gate could not post to the pull request (read-only token, e.g. a fork PR): the results are in the job summary and annotations, and the verdict is unchanged. See docs/github.md to enable PR comments.';

/** How posting to the pull request went. */
type PullRequestOutcome =
  | { kind: 'posted'; notInline: string[] }
  /** The PR moved on: the newer run publishes. */
  | { kind: 'left-to-newer-run' }
  /** A read-only token: nothing could be posted. */
  | { kind: 'degraded'; notInline: string[] }
  | { kind: 'failed'; notInline: string[] };

/** Executes the plan: the PR first (its outcome goes into the summary), then the job summary. */
export async function publish(plan: PublicationPlan, context: PublicationContext, sinks: PublicationSinks): Promise<void> {
  const { report, runner } = context;
  const { logger } = sinks;
  let outcome: PullRequestOutcome | undefined;
  if (plan.pullRequest) {
    outcome = await publishToPullRequest(plan.pullRequest, context, logger);
    if (plan.pullRequest.rerunGateOnPass && report.decision === 'pass' && outcome.kind !== 'degraded') {
      await rerunGate(plan.pullRequest.api, report.head || plan.pullRequest.head, runner.workflowPath, logger);
    }
  }
  if (!plan.summary) return;
  const notInline = outcome && 'notInline' in outcome ? outcome.notInline : [];
  const messages = [...context.messages];
  if (outcome?.kind === 'degraded')
    messages.push('Results could not be posted to the pull request (read-only token); this summary holds them.');
  try {
    await sinks.writeJobSummary(renderSummary(report, { notInline, acceptances: context.live, lapsed: context.lapsed, messages }));
  } catch (error) {
    logger.warning(`guardrail-gate could not write the job summary (${(error as Error).message}); the verdict is unchanged.`);
  }
}

/**
 * Posts the inline review comments and the sticky comment. Best effort: a read-only token degrades (one
 * warning), other failures are logged, and nothing here can change the verdict, which is already set.
 */
async function publishToPullRequest(
  target: NonNullable<PublicationPlan['pullRequest']>,
  context: PublicationContext,
  logger: Logger,
): Promise<PullRequestOutcome> {
  const { api, head } = target;
  const { report, trusted, live, lapsed, messages } = context;
  let notInline: string[] = [];
  try {
    // A newer push makes this run's comments stale before they land; the newer run publishes instead.
    if (target.checkHeadMoved) {
      const current = await api.getPullRequest();
      if (current.headSha !== head) {
        logger.info(`guardrail-gate: the pull request moved on to ${current.headSha.slice(0, 12)}; leaving publication to that run`);
        return { kind: 'left-to-newer-run' };
      }
    }
    if (target.reviewComments) {
      const posted = await postReviewComments(api, report, head, trusted, logger);
      if (posted.kind === 'degraded') {
        logger.warning(DEGRADE_WARNING);
        return posted;
      }
      notInline = posted.notInline;
    }
    if (target.stickyComment) {
      // Read the comment again just before writing: a maintainer's acceptance recorded by a concurrent
      // issue_comment run since this run started must not be overwritten (the next run applies it).
      const existing = findStickyComments(await api.listIssueComments(), STICKY_MARKER, trusted);
      const currentIds = new Set(report.findings.map((f) => f.id));
      const latecomers = (existing[0] ? parseAcceptanceBlock(existing[0].body) : []).filter(
        (r) => currentIds.has(r.id) && !live.some((known) => known.id === r.id),
      );
      if (latecomers.length)
        messages.push(
          `Acceptances recorded while this run was under way apply from the next run: ${latecomers.map((r) => `\`${r.id}\``).join(', ')}`,
        );
      const body = renderComment(report, {
        notInline,
        acceptances: [...live, ...latecomers],
        lapsed,
        summaryUrl: context.runner.runUrl,
        messages,
      });
      if (existing.length || report.findings.length || context.storedCount) {
        const what = await upsertStickyComment(api, existing, body, logger);
        logger.info(`sticky comment ${what}`);
      } else {
        // Nothing found and nothing said before: no comment is the quietest all-clear.
        logger.info('no findings: no PR comment needed');
      }
    }
    return { kind: 'posted', notInline };
  } catch (error) {
    if (error instanceof PermissionDeniedError) {
      logger.warning(DEGRADE_WARNING);
      return { kind: 'degraded', notInline };
    }
    logger.warning(
      `guardrail-gate could not publish to the pull request (${describeHttpError(error)}); the verdict is unchanged and the results are in the job summary.`,
    );
    return { kind: 'failed', notInline };
  }
}

/**
 * The inline comments. A read-only token is reported as `degraded`; any other failure leaves every
 * finding to the sticky comment, which says which have no inline comment.
 */
async function postReviewComments(
  api: PullRequestApi,
  report: Report,
  head: string,
  trusted: TrustedAuthor,
  logger: Logger,
): Promise<{ kind: 'posted'; notInline: string[] } | { kind: 'degraded'; notInline: string[] }> {
  const wanted = renderReviewComments(report);
  try {
    const diff = buildDiffIndex(await api.listFiles());
    const accepted = new Set(report.findings.filter((f) => f.accepted).map((f) => f.id));
    const result = await reconcileReviewComments({ api, headSha: report.head || head, wanted, diff, trusted, logger, doNotPost: accepted });
    logger.info(
      `review comments: ${result.posted.length} posted, ${result.kept.length} kept, ${result.resolved.length} resolved, ${result.notInline.length} not placeable inline`,
    );
    return { kind: 'posted', notInline: result.notInline };
  } catch (error) {
    if (error instanceof PermissionDeniedError) return { kind: 'degraded', notInline: [] };
    logger.warning(`guardrail-gate could not post review comments (${describeHttpError(error)}); the findings are in the PR comment.`);
    return { kind: 'posted', notInline: wanted.map((c) => c.findingId) };
  }
}

/** After an acceptance turns the verdict to pass, re-run the PR's failed gate job so its required check turns green. */
async function rerunGate(api: PullRequestApi, head: string, workflowPath: string | undefined, logger: Logger): Promise<void> {
  try {
    const rerun = await api.rerunFailedGateRun(head, workflowPath);
    logger.info(
      rerun
        ? 'guardrail-gate: re-running the failed gate run of the PR head'
        : 'guardrail-gate: no failed gate run of the PR head to re-run',
    );
  } catch (error) {
    logger.warning(
      `guardrail-gate could not re-run the PR's gate (${describeHttpError(error)}); re-run it by hand to update the required check (needs actions: write).`,
    );
  }
}
