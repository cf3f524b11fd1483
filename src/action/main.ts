import { emitAnnotations, createActionsLogger, failStep, readRawInput, registerSecret, setOutput, writeJobSummary } from '../adapters/actions/runner.js';
import { openGitRepository } from '../adapters/git/git-reader.js';
import { runAnalysis, TOOL_VERSION } from '../app/run-analysis.js';
import { detectorCatalogue } from '../core/detect/registry.js';
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
    renderSarif: (report) => renderSarif(report, detectorCatalogue()),
    analyze: async (request) => {
      const git = await openGitRepository(request.repoDir, logger);
      const report = await runAnalysis({ git, logger, cwd: request.repoDir }, request);
      return { report };
    },
  };
  await runAction(deps);
}
