import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { localFiles } from '../adapters/fs/local-files.js';
import { openGitRepository } from '../adapters/git/git-reader.js';
import { analyzeChangeSpec } from './change.js';
import { TOOL_VERSION } from '../app/run-analysis.js';
import { detectorCatalogue } from '../core/detect/registry.js';
import { analyzerCatalogue } from '../core/infra/registry.js';
import { ConfigurationError } from '../core/errors.js';
import type { Report } from '../core/model.js';
import { renderJson } from '../core/render/json.js';
import { renderMarkdown } from '../core/render/markdown.js';
import { renderSarif } from '../core/render/sarif.js';
import { renderText } from '../core/render/text.js';
import { parseCommandLine, wantsDebug, type AnalyzeArgs, type Format } from './args.js';
import { runDemo } from './demo.js';
import { serveMcp } from '../mcp/server.js';
import { ANALYZE_HELP, DEMO_HELP, MAIN_HELP, MCP_HELP } from './help.js';
import { StderrLogger } from './logger.js';

/** What the command line touches of its process; tests and the entry point pass the real ones. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  stdoutIsTty: boolean;
}

/** Exit statuses of CONTRACT §1. */
export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_ERROR = 2;

/**
 * Runs one command line and returns the exit status: 0 the gate passes, 1 it fails, 2 the run could not
 * be done. Status 2 always comes with one line on stderr that says what to fix (stack only with --debug).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = wantsDebug(argv);
  try {
    const command = parseCommandLine(argv);
    switch (command.kind) {
      case 'help':
        io.stdout({ analyze: ANALYZE_HELP, demo: DEMO_HELP, mcp: MCP_HELP, main: MAIN_HELP }[command.topic]);
        return EXIT_PASS;
      case 'version':
        io.stdout(`${TOOL_VERSION}\n`);
        return EXIT_PASS;
      case 'analyze':
        return await analyze(command.args, io);
      case 'mcp': {
        // stdout carries the protocol: every log line goes to stderr.
        const logger = new StderrLogger(io.stderr, command.args.debug);
        await serveMcp({ repoDir: resolve(io.cwd, command.args.repo ?? '.'), cwd: io.cwd, logger });
        return EXIT_PASS;
      }
      case 'demo': {
        const logger = new StderrLogger(io.stderr, command.args.debug);
        const report = await runDemo(logger);
        io.stdout(render(report, command.args.format, useColor(io, command.args.format, undefined)));
        return EXIT_PASS;
      }
    }
  } catch (error) {
    if (error instanceof ConfigurationError) {
      io.stderr(`guardrail-gate: ${oneLine(error.message)}\n`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      io.stderr(`guardrail-gate: internal error: ${oneLine(message)}${debug ? '' : ' (run with --debug for details)'}\n`);
    }
    if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT_ERROR;
  }
}

async function analyze(args: AnalyzeArgs, io: CliIo): Promise<number> {
  const logger = new StderrLogger(io.stderr, args.debug);
  const git = await openGitRepository(resolve(io.cwd, args.repo ?? '.'), logger);
  const report = await analyzeChangeSpec(
    { git, localFiles, logger, cwd: io.cwd },
    {
      repoDir: git.repoDir,
      change: args.local
        ? { kind: args.local }
        : {
            kind: 'range',
            ...(args.base !== undefined ? { base: args.base } : {}),
            ...(args.head !== undefined ? { head: args.head } : {}),
          },
      ...(args.config !== undefined ? { configPath: args.config } : {}),
      ...(args.failOn !== undefined ? { failOn: args.failOn } : {}),
      hotspotFiles: args.hotspots,
      coverageFiles: args.coverage,
    },
  );
  const output = render(report, args.format, useColor(io, args.format, args.output));
  if (args.output) {
    const target = resolve(io.cwd, args.output);
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, output);
    } catch (error) {
      throw new ConfigurationError(`--output: cannot write ${args.output}: ${(error as Error).message}`);
    }
    logger.info(`guardrail-gate: ${report.decision} (risk ${report.score}/100, level ${report.level}); report written to ${args.output}`);
  } else {
    io.stdout(output);
  }
  return report.decision === 'fail' ? EXIT_FAIL : EXIT_PASS;
}

function render(report: Report, format: Format, color: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'sarif':
      return renderSarif(report, [...detectorCatalogue(), ...analyzerCatalogue()]);
    case 'text':
      return renderText(report, { color });
  }
}

/** Colors for a terminal only, and never when NO_COLOR is set (https://no-color.org). */
function useColor(io: CliIo, format: Format, output: string | undefined): boolean {
  return format === 'text' && output === undefined && io.stdoutIsTty && !io.env.NO_COLOR;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
