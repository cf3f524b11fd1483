import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PullRequestAuthorship } from '../core/ai/authorship.js';
import { isGateCommand, parseAcceptCommands } from '../core/accept/command.js';
import {
  applyAcceptCommands,
  parseAcceptanceBlock,
  partitionAcceptances,
  toAcceptanceMap,
  type AcceptanceRecord,
} from '../core/accept/store.js';
import { ConfigurationError, PermissionDeniedError } from '../core/errors.js';
import type { Report } from '../core/model.js';
import { renderAnnotations } from '../core/render/annotations.js';
import { renderComment, STICKY_MARKER } from '../core/render/comment.js';
import { renderReviewComments } from '../core/render/review.js';
import { renderSummary } from '../core/render/summary.js';
import type { Logger } from '../adapters/ports.js';
import { createGitHubClient } from '../adapters/github/client.js';
import { buildDiffIndex } from '../adapters/github/diff-lines.js';
import { describeHttpError } from '../adapters/github/errors.js';
import { PullRequestApi, type IssueComment } from '../adapters/github/pull-request.js';
import { reconcileReviewComments } from '../adapters/github/review-comments.js';
import { findStickyComments, upsertStickyComment, type TrustedAuthor } from '../adapters/github/sticky-comment.js';
import { readGateEvent, type GateEvent } from './event.js';
import { readActionInputs, type ActionInputs, type InputSource } from './inputs.js';

/** What the Action asks of the analysis pipeline (src/app/run-analysis.ts), in the Action's terms. */
export interface AnalysisRequest {
  repoDir: string;
  base?: string;
  head?: string;
  configPath?: string;
  failOn?: ActionInputs['failOn'];
  hotspotFiles: string[];
  coverageFiles: string[];
  pullRequest?: PullRequestAuthorship;
  acceptances?: Map<string, { who: string; reason: string }>;
}

/** The analysis result the Action publishes; `publish` is the configuration's surfaces switch when known. */
export interface AnalysisOutcome {
  report: Report;
  publish?: { comment: boolean; 'review-comments': boolean; summary: boolean; annotations: boolean };
}

/** The runner-facing side effects, as functions so the wiring in src/index.ts stays the only import of them. */
export interface ActionDeps {
  env: Record<string, string | undefined>;
  readInput: InputSource;
  logger: Logger;
  registerSecret(value: string): void;
  setOutput(name: string, value: string): void;
  writeJobSummary(markdown: string): Promise<void>;
  emitAnnotations(annotations: ReturnType<typeof renderAnnotations>): void;
  failStep(message: string): void;
  analyze(request: AnalysisRequest): Promise<AnalysisOutcome>;
  /** Fetches the named commits into the checkout when they are missing (shallow or default-branch checkouts). */
  ensureCommits?(repoDir: string, shas: (string | undefined)[], token: string): Promise<void>;
  renderJson(report: Report): string;
  renderSarif(report: Report): string;
  toolVersion: string;
}

const WRITE_PERMISSIONS = new Set(['admin', 'maintain', 'write']);
const DEGRADE_WARNING =
  'guardrail-gate could not post to the pull request (read-only token, e.g. a fork PR): the results are in the job summary and annotations, and the verdict is unchanged. See docs/github.md to enable PR comments.';

/**
 * The Action: read inputs and the event, analyze, set the verdict and local outputs, then publish to the PR.
 * The verdict is computed before any write to GitHub; a publication that fails (permissions, outages,
 * rate limits) is logged once and never changes it.
 */
export async function runAction(deps: ActionDeps): Promise<void> {
  try {
    await run(deps);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      deps.failStep(`guardrail-gate: ${error.message}`);
    } else {
      // Fail closed: an internal error must not let a change through unexamined.
      deps.failStep(`guardrail-gate: internal error: ${(error as Error)?.stack ?? String(error)}`);
    }
  }
}

async function run(deps: ActionDeps): Promise<void> {
  const { env, logger } = deps;
  const inputs = readActionInputs(deps.readInput);
  deps.registerSecret(inputs.token);

  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = env.GITHUB_EVENT_PATH ? await readJson(env.GITHUB_EVENT_PATH) : {};
  const event = readGateEvent(eventName, payload, repository);
  if (event.kind === 'ignored') {
    logger.info(`guardrail-gate: nothing to do (${event.reason})`);
    return;
  }
  if (event.kind === 'comment' && !isGateCommand(event.commentBody)) {
    logger.info('guardrail-gate: the comment holds no /guardrail-gate command');
    return;
  }

  const apiUrl = env.GITHUB_API_URL || 'https://api.github.com';
  const client =
    inputs.token && owner && repo
      ? createGitHubClient({
          token: inputs.token,
          baseUrl: apiUrl.replace(/\/$/, ''),
          logger,
          userAgent: `guardrail-gate/${deps.toolVersion}`,
          retryUnitMs: testRetryUnit(env, apiUrl),
        })
      : undefined;
  const prNumber = event.kind === 'pull_request' || event.kind === 'comment' ? event.prNumber : event.kind === 'merge_group' ? mergeGroupPr(payload) : undefined;
  const api = client && prNumber ? new PullRequestApi(client, { owner: owner!, repo: repo!, number: prNumber }) : undefined;

  // Base, head and PR metadata: from the payload, or for a comment from the PR itself.
  let base = inputs.base;
  let head = inputs.head;
  let pullRequest: PullRequestAuthorship | undefined;
  if (event.kind === 'pull_request' || event.kind === 'merge_group') {
    base ??= event.base;
    head ??= event.head;
    if (event.kind === 'pull_request') pullRequest = event.pullRequest;
  } else if (event.kind === 'comment') {
    if (!api) throw new ConfigurationError('input github-token: a token is needed to handle /guardrail-gate commands');
    const pr = await api.getPullRequest();
    base ??= pr.baseSha;
    head ??= pr.headSha;
    pullRequest = { author: pr.author, labels: pr.labels, branch: pr.branch, body: pr.body };
  } else if (event.kind === 'other') {
    head ??= event.head;
  }

  // What earlier runs stored: our sticky comment and the acceptances in it. Reading works with any token.
  const sticky = api ? await loadSticky(api, inputs.token, logger) : { comments: [] as IssueComment[], trusted: {}, stored: [] as AcceptanceRecord[] };
  let acceptances = sticky.stored;
  const messages: string[] = [];

  const repoDir = env.GITHUB_WORKSPACE || process.cwd();
  let commitsReady = false;
  const analyze = async (records: AcceptanceRecord[]) => {
    if (!commitsReady) {
      await deps.ensureCommits?.(repoDir, [base, head], inputs.token);
      commitsReady = true;
    }
    return deps.analyze({
      repoDir,
      base,
      head,
      configPath: inputs.configPath,
      failOn: inputs.failOn,
      hotspotFiles: inputs.hotspots,
      coverageFiles: inputs.coverage,
      pullRequest,
      acceptances: toAcceptanceMap(records),
    });
  };

  let outcome: AnalysisOutcome | undefined;
  let acceptedNow = false;
  if (event.kind === 'comment') {
    const handled = await handleAcceptCommand(api!, event, acceptances, analyze, logger);
    if (!handled) return;
    ({ outcome, acceptances } = handled);
    acceptedNow = handled.changed;
    if (handled.message) messages.push(handled.message);
  }
  outcome ??= await analyze(acceptances);
  const { report } = outcome;
  const publish = outcome.publish ?? { comment: true, 'review-comments': true, summary: true, annotations: true };
  const { live, lapsed } = partitionAcceptances(acceptances, report.findings.map((f) => f.id));

  // The verdict and everything local first: none of it needs the network.
  const reportPath = await writeReportFile(env, deps.renderJson(report));
  if (inputs.sarif) {
    const sarifPath = path.resolve(env.GITHUB_WORKSPACE || process.cwd(), inputs.sarif);
    await mkdir(path.dirname(sarifPath), { recursive: true });
    await writeFile(sarifPath, deps.renderSarif(report));
  }
  setOutputs(deps, report, reportPath);
  if (publish.annotations) deps.emitAnnotations(renderAnnotations(report));
  logger.info(`guardrail-gate: ${report.decision} (risk ${report.score}/100, ${report.level}; ${report.findings.length} findings)`);

  // Publication: best effort, degrading on a read-only token, never touching the verdict.
  const summaryUrl = env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  let notInline: string[] = [];
  let degraded = false;
  if (api && head && event.kind !== 'merge_group' && (inputs.comment || inputs.reviewComments)) {
    ({ notInline, degraded } = await publishToPullRequest({
      api,
      head,
      report,
      inputs,
      publish,
      checkHeadMoved: event.kind === 'pull_request' && !inputs.head,
      trusted: sticky.trusted,
      live,
      lapsed,
      storedCount: acceptances.length,
      summaryUrl,
      messages,
      logger,
    }));
    if (acceptedNow && report.decision === 'pass' && !degraded) await rerunGate(api, report.head || head, env, logger);
  }

  if (publish.summary) {
    const summaryMessages = [...messages];
    if (degraded) summaryMessages.push('Results could not be posted to the pull request (read-only token); this summary holds them.');
    try {
      await deps.writeJobSummary(renderSummary(report, { notInline, acceptances: live, lapsed, messages: summaryMessages }));
    } catch (error) {
      logger.warning(`guardrail-gate could not write the job summary (${(error as Error).message}); the verdict is unchanged.`);
    }
  }

  if (report.decision === 'fail') {
    const open = report.findings.filter((f) => !f.accepted).length;
    deps.failStep(`guardrail-gate: risk ${report.score}/100 (${report.level}) is at or above fail-on ${report.failOn}; ${open} open finding${open === 1 ? '' : 's'}`);
  }
}

/** What publishing to the PR needs: the report, where it may go, and what earlier runs stored. */
interface PublishRequest {
  api: PullRequestApi;
  head: string;
  report: Report;
  inputs: ActionInputs;
  publish: NonNullable<AnalysisOutcome['publish']>;
  /** Skip publishing when the PR's head moved on since the event (a newer run will publish). */
  checkHeadMoved: boolean;
  trusted: TrustedAuthor;
  live: AcceptanceRecord[];
  lapsed: AcceptanceRecord[];
  storedCount: number;
  summaryUrl?: string;
  messages: string[];
  logger: Logger;
}

/**
 * Posts the inline review comments and the sticky comment. Best effort: a read-only token degrades (one
 * warning), other failures are logged, and nothing here can change the verdict, which is already set.
 */
async function publishToPullRequest(options: PublishRequest): Promise<{ notInline: string[]; degraded: boolean }> {
  const { api, head, report, inputs, publish, trusted, live, lapsed, summaryUrl, messages, logger } = options;
  let notInline: string[] = [];
  let degraded = false;
  try {
    // A newer push makes this run's comments stale before they land; the newer run publishes instead.
    if (options.checkHeadMoved) {
      const current = await api.getPullRequest();
      if (current.headSha !== head) {
        logger.info(`guardrail-gate: the pull request moved on to ${current.headSha.slice(0, 12)}; leaving publication to that run`);
        throw new PublicationSkipped();
      }
    }
    if (inputs.reviewComments && publish['review-comments']) {
      const wanted = renderReviewComments(report);
      try {
        const diff = buildDiffIndex(await api.listFiles());
        const accepted = new Set(report.findings.filter((f) => f.accepted).map((f) => f.id));
        const result = await reconcileReviewComments({ api, headSha: report.head || head, wanted, diff, trusted, logger, doNotPost: accepted });
        notInline = result.notInline;
        logger.info(`review comments: ${result.posted.length} posted, ${result.kept.length} kept, ${result.resolved.length} resolved, ${result.notInline.length} not placeable inline`);
      } catch (error) {
        if (error instanceof PermissionDeniedError) throw error;
        // The sticky comment still carries every finding; it says which have no inline comment.
        notInline = wanted.map((c) => c.findingId);
        logger.warning(`guardrail-gate could not post review comments (${describeHttpError(error)}); the findings are in the PR comment.`);
      }
    }
    if (inputs.comment && publish.comment) {
      // Read the comment again just before writing: a maintainer's acceptance recorded by a concurrent
      // issue_comment run since this run started must not be overwritten (the next run applies it).
      const existing = findStickyComments(await api.listIssueComments(), STICKY_MARKER, trusted);
      const currentIds = new Set(report.findings.map((f) => f.id));
      const latecomers = (existing[0] ? parseAcceptanceBlock(existing[0].body) : []).filter(
        (r) => currentIds.has(r.id) && !live.some((known) => known.id === r.id),
      );
      if (latecomers.length) messages.push(`Acceptances recorded while this run was under way apply from the next run: ${latecomers.map((r) => `\`${r.id}\``).join(', ')}`);
      const body = renderComment(report, { notInline, acceptances: [...live, ...latecomers], lapsed, summaryUrl, messages });
      if (existing.length || report.findings.length || options.storedCount) {
        const what = await upsertStickyComment(api, existing, body, logger);
        logger.info(`sticky comment ${what}`);
      } else {
        // Nothing found and nothing said before: no comment is the quietest all-clear.
        logger.info('no findings: no PR comment needed');
      }
    }
  } catch (error) {
    if (error instanceof PublicationSkipped) {
      // Logged where it was decided.
    } else if (error instanceof PermissionDeniedError) {
      degraded = true;
      logger.warning(DEGRADE_WARNING);
    } else {
      logger.warning(`guardrail-gate could not publish to the pull request (${describeHttpError(error)}); the verdict is unchanged and the results are in the job summary.`);
    }
  }
  return { notInline, degraded };
}

/** Thrown to leave the publication block early without a warning. */
class PublicationSkipped extends Error {}

/** Handles `/guardrail-gate accept ...`: permission check, then analysis with the new acceptances. */
async function handleAcceptCommand(
  api: PullRequestApi,
  event: Extract<GateEvent, { kind: 'comment' }>,
  stored: AcceptanceRecord[],
  analyze: (records: AcceptanceRecord[]) => Promise<AnalysisOutcome>,
  logger: Logger,
): Promise<{ outcome: AnalysisOutcome; acceptances: AcceptanceRecord[]; changed: boolean; message?: string } | undefined> {
  const parsed = parseAcceptCommands(event.commentBody);
  const permission = await api.getPermission(event.commenter);
  if (!WRITE_PERMISSIONS.has(permission)) {
    logger.info(`guardrail-gate: @${event.commenter} has ${permission} access; acceptance refused`);
    await replyQuietly(
      api,
      `@${event.commenter} thanks for looking at this. Accepting a guardrail-gate finding needs write access to this repository, so nothing was changed. A maintainer can accept it with \`/guardrail-gate accept <finding-id> <reason>\`.`,
      logger,
    );
    return undefined;
  }
  if (!parsed.commands.length) {
    await replyQuietly(api, `@${event.commenter} I could not read that command: ${parsed.problems.join('; ')}.`, logger);
    return undefined;
  }
  const first = await analyze(stored);
  const currentIds = first.report.findings.map((f) => f.id);
  const { records, unknown } = applyAcceptCommands(stored, parsed.commands, event.commenter, currentIds);
  const changed = JSON.stringify(records) !== JSON.stringify(stored);
  const parts: string[] = [];
  const acceptedIds = records.filter((r) => r.who === event.commenter && !stored.some((s) => s.id === r.id && s.reason === r.reason)).map((r) => r.id);
  if (acceptedIds.length) parts.push(`@${event.commenter} accepted ${acceptedIds.map((id) => `\`${id}\``).join(', ')}`);
  if (unknown.length) parts.push(`not current findings, so not accepted: ${unknown.map((id) => `\`${id}\``).join(', ')}`);
  if (parsed.problems.length) parts.push(parsed.problems.join('; '));
  const outcome = changed ? await analyze(records) : first;
  return { outcome, acceptances: records, changed, message: parts.join(' · ') || undefined };
}

async function loadSticky(api: PullRequestApi, token: string, logger: Logger): Promise<{ comments: IssueComment[]; trusted: TrustedAuthor; stored: AcceptanceRecord[] }> {
  try {
    const [comments, login] = await Promise.all([api.listIssueComments(), api.whoAmI(token)]);
    const trusted: TrustedAuthor = { login };
    const [current] = findStickyComments(comments, STICKY_MARKER, trusted);
    return { comments, trusted, stored: current ? parseAcceptanceBlock(current.body) : [] };
  } catch (error) {
    logger.warning(`guardrail-gate could not read the pull request's comments (${describeHttpError(error)}); earlier acceptances are not applied.`);
    return { comments: [], trusted: {}, stored: [] };
  }
}

async function replyQuietly(api: PullRequestApi, body: string, logger: Logger): Promise<void> {
  try {
    await api.createIssueComment(body);
  } catch (error) {
    logger.warning(`guardrail-gate could not reply on the pull request (${describeHttpError(error)})`);
  }
}

/** After an acceptance turns the verdict to pass, re-run the PR's failed gate job so its required check turns green. */
async function rerunGate(api: PullRequestApi, head: string, env: Record<string, string | undefined>, logger: Logger): Promise<void> {
  const workflowPath = /^[^/]+\/[^/]+\/(.+?)@/.exec(env.GITHUB_WORKFLOW_REF ?? '')?.[1];
  try {
    const rerun = await api.rerunFailedGateRun(head, workflowPath);
    logger.info(rerun ? 'guardrail-gate: re-running the failed gate run of the PR head' : 'guardrail-gate: no failed gate run of the PR head to re-run');
  } catch (error) {
    logger.warning(`guardrail-gate could not re-run the PR's gate (${describeHttpError(error)}); re-run it by hand to update the required check (needs actions: write).`);
  }
}

function setOutputs(deps: ActionDeps, report: Report, reportPath: string): void {
  deps.setOutput('decision', report.decision);
  deps.setOutput('score', String(report.score));
  deps.setOutput('level', report.level);
  deps.setOutput('findings', String(report.findings.length));
  deps.setOutput('report', reportPath);
  deps.setOutput('affected-tests', report.tests.affected.join('\n'));
  deps.setOutput('required-checks', JSON.stringify(report.requiredChecks));
  deps.setOutput('ai-authored', String(report.ai.authored));
}

async function writeReportFile(env: Record<string, string | undefined>, json: string): Promise<string> {
  const dir = path.join(env.RUNNER_TEMP || env.GITHUB_WORKSPACE || process.cwd(), 'guardrail-gate');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'report.json');
  await writeFile(file, json);
  return file;
}

async function readJson(file: string): Promise<Record<string, any>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, any>;
  } catch (error) {
    throw new ConfigurationError(`GITHUB_EVENT_PATH: cannot read the event payload (${(error as Error).message})`);
  }
}

/** A merge queue branch names its PR (gh-readonly-queue/main/pr-104-<sha>): used to read that PR's acceptances. */
function mergeGroupPr(payload: Record<string, any>): number | undefined {
  const match = /\/pr-(\d+)-[0-9a-f]+$/.exec(String(payload.merge_group?.head_ref ?? ''));
  return match ? Number(match[1]) : undefined;
}

/**
 * Retry and rate-limit waits are scaled down only in the test suite, and only against a loopback API, so
 * the variable can never shorten waits against GitHub itself.
 */
function testRetryUnit(env: Record<string, string | undefined>, apiUrl: string): number | undefined {
  const value = Number(env.GUARDRAIL_GATE_TEST_RETRY_UNIT_MS);
  if (!Number.isFinite(value) || value <= 0) return undefined;
  const host = (() => {
    try {
      return new URL(apiUrl).hostname;
    } catch {
      return '';
    }
  })();
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' ? value : undefined;
}
