import path from 'node:path';
import type { PullRequestAuthorship } from '../core/ai/authorship.js';
import { isGateCommand, parseAcceptCommands } from '../core/accept/command.js';
import { applyAcceptCommands, parseAcceptanceBlock, partitionAcceptances, type AcceptanceRecord } from '../core/accept/store.js';
import type { Config } from '../core/config/config.js';
import { ConfigurationError } from '../core/errors.js';
import type { Report } from '../core/model.js';
import { renderAnnotations } from '../core/render/annotations.js';
import { STICKY_MARKER } from '../core/render/comment.js';
import type { Logger } from '../adapters/ports.js';
import { createGitHubClient } from '../adapters/github/client.js';
import { ApiUnreachableError, describeHttpError } from '../adapters/github/errors.js';
import { PullRequestApi } from '../adapters/github/pull-request.js';
import { findStickyComments, type TrustedAuthor } from '../adapters/github/sticky-comment.js';
import { readGateEvent, type GateEvent } from './event.js';
import { readActionInputs, type ActionInputs, type InputSource } from './inputs.js';
import { planPublication, publish, type PublicationContext } from './publish.js';
import type { RunnerEnvironment } from './runner-env.js';

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
  /** Fetches the commits the event names when the checkout lacks them (shallow or default-branch checkouts). */
  fetchToken: string;
}

/** The configuration's surfaces switch (`publish` in the configuration file). */
export type PublishSwitches = Config['publish'];

/**
 * One analysis of the event's change: run once, judged as often as the acceptances change (an accept
 * command judges it before and after applying itself, with no second collect, detect or impact).
 */
export interface AnalyzedChange {
  judge(acceptances: AcceptanceRecord[]): Report;
  /** The base commit configuration's surfaces switch, from the one parse the analysis made. */
  publish: PublishSwitches;
}

/** The runner-facing side effects, as functions so the wiring in src/action/main.ts stays the only import of them. */
export interface ActionDeps {
  runner: RunnerEnvironment;
  readInput: InputSource;
  logger: Logger;
  registerSecret(value: string): void;
  setOutput(name: string, value: string): void;
  writeJobSummary(markdown: string): Promise<void>;
  emitAnnotations(annotations: ReturnType<typeof renderAnnotations>): void;
  failStep(message: string): void;
  /** The webhook payload file's text. */
  readTextFile(path: string): Promise<string>;
  /** Writes a file, creating its folder. */
  writeTextFile(path: string, text: string): Promise<void>;
  analyze(request: AnalysisRequest): Promise<AnalyzedChange>;
  renderJson(report: Report): string;
  renderSarif(report: Report): string;
  toolVersion: string;
}

const WRITE_PERMISSIONS = new Set(['admin', 'maintain', 'write']);

/**
 * The Action: read inputs and the event, analyze, set the verdict and local outputs, then publish to the PR.
 * The verdict is computed before any write to GitHub; a publication that fails (permissions, outages,
 * rate limits) is logged once and never changes it.
 */
export async function runAction(deps: ActionDeps): Promise<void> {
  try {
    await run(deps);
  } catch (error) {
    if (error instanceof ConfigurationError || error instanceof ApiUnreachableError) {
      // Something to fix outside the code (an input, the network): one line that says what, no stack.
      deps.failStep(`guardrail-gate: ${error.message}`);
    } else {
      // Fail closed: an internal error must not let a change through unexamined.
      deps.failStep(`guardrail-gate: internal error: ${(error as Error)?.stack ?? String(error)}`);
    }
  }
}

/** The change to analyze, as the event and the inputs name it. */
interface Target {
  base?: string;
  head?: string;
  pullRequest?: PullRequestAuthorship;
}

/** What earlier runs stored on the PR: our sticky comment's author and the acceptances in it. */
interface Stored {
  trusted: TrustedAuthor;
  acceptances: AcceptanceRecord[];
}

async function run(deps: ActionDeps): Promise<void> {
  const { runner, logger } = deps;
  const inputs = readActionInputs(deps.readInput);
  deps.registerSecret(inputs.token);

  const payload = runner.eventPath ? await readPayload(deps, runner.eventPath) : {};
  const event = readGateEvent(runner.eventName, payload, runner.repository);
  if (event.kind === 'ignored') {
    logger.info(`guardrail-gate: nothing to do (${event.reason})`);
    return;
  }
  if (event.kind === 'comment' && !isGateCommand(event.commentBody)) {
    logger.info('guardrail-gate: the comment holds no /guardrail-gate command');
    return;
  }

  const api = pullRequestApi(deps, inputs, event, payload);
  const target = await resolveTarget(event, inputs, api);
  const stored = api ? await loadStored(api, inputs.token, logger) : { trusted: {}, acceptances: [] };

  // An accept command is checked before anything is analyzed: a refusal needs no analysis.
  let command: ParsedCommand | undefined;
  if (event.kind === 'comment') {
    command = await checkAcceptCommand(api!, event, logger);
    if (!command) return;
  }

  const analysis = await deps.analyze({
    repoDir: runner.workspace,
    ...target,
    configPath: inputs.configPath,
    failOn: inputs.failOn,
    hotspotFiles: inputs.hotspots,
    coverageFiles: inputs.coverage,
    fetchToken: inputs.token,
  });
  const judge = (records: AcceptanceRecord[]): Report => analysis.judge(records);

  // Acceptances change the judgement only: judge once to learn the current findings, apply the command,
  // and judge again only when it changed something.
  let acceptances = stored.acceptances;
  let report = judge(acceptances);
  const messages: string[] = [];
  let acceptedNow = false;
  if (command && event.kind === 'comment') {
    const applied = applyCommand(command, event.commenter, acceptances, report);
    if (applied.changed) report = judge(applied.records);
    acceptances = applied.records;
    acceptedNow = applied.changed;
    if (applied.message) messages.push(applied.message);
  }
  const { live, lapsed } = partitionAcceptances(
    acceptances,
    report.findings.map((f) => f.id),
  );

  // The verdict and everything local first: none of it needs the network.
  const reportPath = path.join(runner.reportDir, 'report.json');
  await deps.writeTextFile(reportPath, deps.renderJson(report));
  if (inputs.sarif) await deps.writeTextFile(path.resolve(runner.workspace, inputs.sarif), deps.renderSarif(report));
  setOutputs(deps, report, reportPath);
  const plan = planPublication({ inputs, switches: analysis.publish, event, api, head: target.head, acceptedNow });
  if (plan.annotations) deps.emitAnnotations(renderAnnotations(report));
  logger.info(`guardrail-gate: ${report.decision} (risk ${report.score}/100, ${report.level}; ${report.findings.length} findings)`);

  // Publication: best effort, degrading on a read-only token, never touching the verdict.
  const context: PublicationContext = { report, trusted: stored.trusted, live, lapsed, storedCount: acceptances.length, messages, runner };
  await publish(plan, context, deps);

  if (report.decision === 'fail') {
    const open = report.findings.filter((f) => !f.accepted).length;
    deps.failStep(
      `guardrail-gate: risk ${report.score}/100 (${report.level}) is at or above fail-on ${report.failOn}; ${open} open finding${open === 1 ? '' : 's'}`,
    );
  }
}

/** The client for the PR the event concerns; undefined without a token, a repository or a PR number. */
function pullRequestApi(
  deps: ActionDeps,
  inputs: ActionInputs,
  event: GateEvent,
  payload: Record<string, any>,
): PullRequestApi | undefined {
  const { runner, logger } = deps;
  if (!inputs.token || !runner.owner || !runner.repo) return undefined;
  const prNumber =
    event.kind === 'pull_request' || event.kind === 'comment'
      ? event.prNumber
      : event.kind === 'merge_group'
        ? mergeGroupPr(payload)
        : undefined;
  if (!prNumber) return undefined;
  const client = createGitHubClient({
    token: inputs.token,
    baseUrl: runner.apiUrl,
    logger,
    userAgent: `guardrail-gate/${deps.toolVersion}`,
    ...(runner.retryUnitMs !== undefined ? { retryUnitMs: runner.retryUnitMs } : {}),
  });
  return new PullRequestApi(client, { owner: runner.owner, repo: runner.repo, number: prNumber });
}

/** Base, head and PR metadata: from the payload, or for a comment from the PR itself. Inputs win. */
async function resolveTarget(event: GateEvent, inputs: ActionInputs, api: PullRequestApi | undefined): Promise<Target> {
  switch (event.kind) {
    case 'pull_request':
      return { base: inputs.base ?? event.base, head: inputs.head ?? event.head, pullRequest: event.pullRequest };
    case 'merge_group':
      return { base: inputs.base ?? event.base, head: inputs.head ?? event.head };
    case 'comment': {
      if (!api) throw new ConfigurationError('input github-token: a token is needed to handle /guardrail-gate commands');
      const pr = await api.getPullRequest();
      return {
        base: inputs.base ?? pr.baseSha,
        head: inputs.head ?? pr.headSha,
        pullRequest: { author: pr.author, labels: pr.labels, branch: pr.branch, body: pr.body },
      };
    }
    default:
      return { base: inputs.base, head: inputs.head ?? (event.kind === 'other' ? event.head : undefined) };
  }
}

/** Our sticky comment and the acceptances in it. Reading works with any token; a failure means "none". */
async function loadStored(api: PullRequestApi, token: string, logger: Logger): Promise<Stored> {
  try {
    const [comments, login] = await Promise.all([api.listIssueComments(), api.whoAmI(token)]);
    const trusted: TrustedAuthor = { login };
    const [current] = findStickyComments(comments, STICKY_MARKER, trusted);
    return { trusted, acceptances: current ? parseAcceptanceBlock(current.body) : [] };
  } catch (error) {
    logger.warning(
      `guardrail-gate could not read the pull request's comments (${describeHttpError(error)}); earlier acceptances are not applied.`,
    );
    return { trusted: {}, acceptances: [] };
  }
}

type ParsedCommand = ReturnType<typeof parseAcceptCommands>;

/**
 * `/guardrail-gate accept ...`: the commenter's permission and the command's form. Returns the parsed
 * command when it is to be applied; otherwise replies on the PR and returns undefined.
 */
async function checkAcceptCommand(
  api: PullRequestApi,
  event: Extract<GateEvent, { kind: 'comment' }>,
  logger: Logger,
): Promise<ParsedCommand | undefined> {
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
  return parsed;
}

/** Applies an accept command to the stored acceptances, against the findings of the current report. */
function applyCommand(
  parsed: ParsedCommand,
  commenter: string,
  stored: AcceptanceRecord[],
  report: Report,
): { records: AcceptanceRecord[]; changed: boolean; message?: string } {
  const currentIds = report.findings.map((f) => f.id);
  const { records, unknown } = applyAcceptCommands(stored, parsed.commands, commenter, currentIds);
  const changed = JSON.stringify(records) !== JSON.stringify(stored);
  const parts: string[] = [];
  const acceptedIds = records
    .filter((r) => r.who === commenter && !stored.some((s) => s.id === r.id && s.reason === r.reason))
    .map((r) => r.id);
  if (acceptedIds.length) parts.push(`@${commenter} accepted ${acceptedIds.map((id) => `\`${id}\``).join(', ')}`);
  if (unknown.length) parts.push(`not current findings, so not accepted: ${unknown.map((id) => `\`${id}\``).join(', ')}`);
  if (parsed.problems.length) parts.push(parsed.problems.join('; '));
  return { records, changed, ...(parts.length ? { message: parts.join(' · ') } : {}) };
}

async function replyQuietly(api: PullRequestApi, body: string, logger: Logger): Promise<void> {
  try {
    await api.createIssueComment(body);
  } catch (error) {
    logger.warning(`guardrail-gate could not reply on the pull request (${describeHttpError(error)})`);
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

async function readPayload(deps: ActionDeps, file: string): Promise<Record<string, any>> {
  let text: string;
  try {
    text = await deps.readTextFile(file);
  } catch (error) {
    throw new ConfigurationError(`GITHUB_EVENT_PATH: cannot read the event payload (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch (error) {
    throw new ConfigurationError(`GITHUB_EVENT_PATH: cannot read the event payload (${(error as Error).message})`);
  }
}

/** A merge queue branch names its PR (gh-readonly-queue/main/pr-104-<sha>): used to read that PR's acceptances. */
function mergeGroupPr(payload: Record<string, any>): number | undefined {
  const match = /\/pr-(\d+)-[0-9a-f]+$/.exec(String(payload.merge_group?.head_ref ?? ''));
  return match ? Number(match[1]) : undefined;
}
