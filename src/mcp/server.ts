import { resolve } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { openGitRepository } from '../adapters/git/git-reader.js';
import { localFiles } from '../adapters/fs/local-files.js';
import type { Logger } from '../adapters/ports.js';
import { analyzeChangeSpec, type ChangeSpec } from '../cli/change.js';
import { TOOL_VERSION } from '../app/run-analysis.js';
import { detectorCatalogue } from '../core/detect/registry.js';
import { ConfigurationError } from '../core/errors.js';
import { LEVELS, type Report } from '../core/model.js';
import { changeAnswer, changeSummary, explainFinding, explanationText } from './answers.js';

/**
 * `guardrail-gate mcp`: the gate as a Model Context Protocol server on stdio, for a coding agent to ask
 * about its own change before it pushes. Every tool runs the analysis the CLI and the Action run (through
 * analyzeChange), so the answer is the verdict the pull request will get. stdout is the protocol's: logs
 * go to stderr only.
 */

export interface McpOptions {
  /** The repository analyzed when a tool call names none (`--repo`, default the current directory). */
  repoDir: string;
  cwd: string;
  logger: Logger;
}

const changeShape = {
  change: z
    .enum(['worktree', 'staged', 'range'])
    .optional()
    .describe(
      "What to analyze against HEAD: 'worktree' (default: tracked and untracked files as on disk), 'staged' (the index), or 'range' (base...head)",
    ),
  base: z.string().optional().describe("With change 'range': the revision the pull request targets (default: the remote's default branch)"),
  head: z.string().optional().describe("With change 'range': the pull request's revision (default HEAD)"),
  repo: z.string().optional().describe('Path of the repository (default: the one the server was started in)'),
  failOn: z
    .enum([...LEVELS, 'never'])
    .optional()
    .describe('Level at or above which the verdict is fail (default: the configuration, else high)'),
};
type ChangeArgs = {
  change?: 'worktree' | 'staged' | 'range';
  base?: string;
  head?: string;
  repo?: string;
  failOn?: (typeof LEVELS)[number] | 'never';
};

export function createMcpServer(options: McpOptions): McpServer {
  const server = new McpServer({ name: 'guardrail-gate', version: TOOL_VERSION });

  server.registerTool(
    'analyze_change',
    {
      title: 'Guardrails this change removes or weakens',
      description:
        'Runs guardrail-gate on a change before it is pushed: which guardrails (retries, timeouts, validation, idempotency, auth, ...) ' +
        'it removes or weakens, the risk score, the level and the verdict the pull request gate will give, the affected tests and the ' +
        'command that runs them. Reads git objects and files only; never executes anything of the repository.',
      inputSchema: changeShape,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      answer(async () => {
        const answer = changeAnswer(await analyze(options, args));
        return { content: [{ type: 'text' as const, text: changeSummary(answer) }], structuredContent: { ...answer } };
      }),
  );

  server.registerTool(
    'explain_finding',
    {
      title: 'Why a guardrail exists',
      description:
        'Explains one finding of analyze_change (same change arguments, plus its id): what the rule protects against, the commit that ' +
        'added the guardrail when it fixed a bug or an incident (the scar), the production traffic on that code, the tests that reach it, ' +
        'what to run, and how to keep the change deliberately.',
      inputSchema: { ...changeShape, findingId: z.string().min(1).describe('The id of a finding, as analyze_change returned it') },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      answer(async () => {
        const report = await analyze(options, args);
        const explanation = explainFinding(report, args.findingId, detectorCatalogue());
        if (!explanation) {
          const ids = report.findings.map((f) => f.id);
          throw new ConfigurationError(
            `no finding ${args.findingId} in this change (${ids.length ? `its findings: ${ids.join(', ')}` : 'it has no finding'}); the change may have moved on since analyze_change`,
          );
        }
        return { content: [{ type: 'text' as const, text: explanationText(explanation) }], structuredContent: { ...explanation } };
      }),
  );

  return server;
}

/** Serves on stdin/stdout until the client closes stdin. */
export async function serveMcp(options: McpOptions): Promise<void> {
  const server = createMcpServer(options);
  const transport = new StdioServerTransport();
  const stdinClosed = new Promise<void>((done) => {
    process.stdin.once('end', done);
    process.stdin.once('close', done);
  });
  await server.connect(transport);
  options.logger.debug(`guardrail-gate mcp: serving ${options.repoDir} on stdio`);
  await stdinClosed;
  // A client may write its last request and close stdin at once: answer what was asked before closing.
  // The last messages are still being parsed and dispatched when 'end' fires: let them reach their handlers.
  await new Promise((next) => setTimeout(next, 50));
  while (inFlight.size) await Promise.allSettled([...inFlight]);
  await new Promise((next) => setTimeout(next, 50)); // the responses are written after the handlers settle
  await server.close();
}

async function analyze(options: McpOptions, args: ChangeArgs): Promise<Report> {
  const kind = args.change ?? 'worktree';
  if (kind !== 'range' && (args.base !== undefined || args.head !== undefined)) {
    throw new ConfigurationError(`change '${kind}' compares against HEAD: drop base/head, or use change 'range'`);
  }
  const git = await openGitRepository(args.repo ? resolve(options.cwd, args.repo) : options.repoDir, options.logger);
  const change: ChangeSpec =
    kind === 'range'
      ? { kind, ...(args.base !== undefined ? { base: args.base } : {}), ...(args.head !== undefined ? { head: args.head } : {}) }
      : { kind };
  return analyzeChangeSpec(
    { git, localFiles, logger: options.logger, cwd: options.cwd },
    {
      repoDir: git.repoDir,
      change,
      ...(args.failOn !== undefined ? { failOn: args.failOn === 'never' ? 'none' : args.failOn } : {}),
      hotspotFiles: [],
      coverageFiles: [],
    },
  );
}

/** Tool calls under way, so that closing stdin does not cut them short. */
const inFlight = new Set<Promise<unknown>>();

/** A mistake of the caller is a tool error the agent can read and fix; anything else is an internal error. */
function answer<T extends { content: { type: 'text'; text: string }[] }>(
  work: () => Promise<T>,
): Promise<T | { isError: true; content: { type: 'text'; text: string }[] }> {
  const call = guarded(work);
  inFlight.add(call);
  void call.finally(() => inFlight.delete(call));
  return call;
}

async function guarded<T extends { content: { type: 'text'; text: string }[] }>(
  work: () => Promise<T>,
): Promise<T | { isError: true; content: { type: 'text'; text: string }[] }> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const text = error instanceof ConfigurationError ? message : `internal error: ${message}`;
    return { isError: true, content: [{ type: 'text', text: `guardrail-gate: ${text}` }] };
  }
}
