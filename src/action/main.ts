import { emitAnnotations, createActionsLogger, failStep, readRawInput, registerSecret, setOutput, writeJobSummary } from '../adapters/actions/runner.js';
import { openGitRepository } from '../adapters/git/git-reader.js';
import { ensureCommits } from '../adapters/github/fetch-commits.js';
import { DEFAULT_CONFIG_PATHS, runAnalysis, TOOL_VERSION } from '../app/run-analysis.js';
import type { GitReader } from '../adapters/ports.js';
import { parseConfig, type Config } from '../core/config/config.js';
import { detectorCatalogue } from '../core/detect/registry.js';
import { analyzerCatalogue } from '../core/infra/registry.js';
import { renderJson } from '../core/render/json.js';
import { renderSarif } from '../core/render/sarif.js';
import { runAction, type ActionDeps } from './run-action.js';

/** Builds the real adapters (runner, git, GitHub) and runs the Action once. */
export async function runActionWithRunner(env: Record<string, string | undefined> = process.env): Promise<void> {
  const logger = createActionsLogger();
  const deps: ActionDeps = {
    env,
    readInput: readRawInput,
    logger,
    registerSecret,
    setOutput,
    writeJobSummary,
    emitAnnotations,
    failStep,
    toolVersion: TOOL_VERSION,
    renderJson,
    renderSarif: (report) => renderSarif(report, [...detectorCatalogue(), ...analyzerCatalogue()]),
    ensureCommits: (repoDir, shas, token) =>
      ensureCommits({ repoDir, shas, token, serverUrl: env.GITHUB_SERVER_URL, env: process.env, registerSecret, logger }),
    analyze: async (request) => {
      const git = await openGitRepository(request.repoDir, logger);
      const report = await runAnalysis({ git, logger, cwd: request.repoDir }, request);
      return { report, publish: await readPublishSettings(git, request.base, request.configPath) };
    },
  };
  await runAction(deps);
}

/**
 * The configuration's `publish` switches, read from the base commit like the rest of the configuration
 * (runAnalysis has already validated the file, so a problem here only means "use the defaults").
 */
async function readPublishSettings(git: GitReader, base: string | undefined, configPath: string | undefined): Promise<Config['publish'] | undefined> {
  if (!base) return undefined;
  try {
    const sha = await git.resolveCommit(base, '--base');
    const paths = configPath ? [configPath.replace(/^\.\//, '')] : DEFAULT_CONFIG_PATHS;
    const blobs = await git.readBlobs(paths.map((path) => ({ sha, path })));
    for (const path of paths) {
      const text = blobs.get(`${sha}:${path}`)?.text;
      if (text !== undefined) return parseConfig(text, path).publish;
    }
  } catch {
    // Fall through to the defaults.
  }
  return undefined;
}
