import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  emitAnnotations,
  createActionsLogger,
  failStep,
  readRawInput,
  registerSecret,
  setOutput,
  writeJobSummary,
} from '../adapters/actions/runner.js';
import { localFiles } from '../adapters/fs/local-files.js';
import { openGitRepository } from '../adapters/git/git-reader.js';
import { analyzeChange, judgeAnalysis, TOOL_VERSION } from '../app/run-analysis.js';
import { toAcceptanceMap } from '../core/accept/store.js';
import { detectorCatalogue } from '../core/detect/registry.js';
import { analyzerCatalogue } from '../core/infra/registry.js';
import { renderJson } from '../core/render/json.js';
import { renderSarif } from '../core/render/sarif.js';
import { runAction, type ActionDeps } from './run-action.js';
import { readRunnerEnvironment } from './runner-env.js';

/** Builds the real adapters (runner, git, GitHub, files) and runs the Action once. */
export async function runActionWithRunner(env: Record<string, string | undefined> = process.env): Promise<void> {
  const logger = createActionsLogger();
  const runner = readRunnerEnvironment(env, process.cwd());
  const deps: ActionDeps = {
    runner,
    readInput: readRawInput,
    logger,
    registerSecret,
    setOutput,
    writeJobSummary,
    emitAnnotations,
    failStep,
    readTextFile: (file) => readFile(file, 'utf8'),
    writeTextFile: async (file, text) => {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
    },
    toolVersion: TOOL_VERSION,
    renderJson,
    renderSarif: (report) => renderSarif(report, [...detectorCatalogue(), ...analyzerCatalogue()]),
    analyze: async (request) => {
      const git = await openGitRepository(request.repoDir, logger);
      await git.ensureCommits(
        [request.base, request.head],
        { token: request.fetchToken, serverUrl: runner.serverUrl, registerSecret },
        logger,
      );
      const analysis = await analyzeChange({ git, localFiles, logger, cwd: request.repoDir }, request);
      return {
        publish: analysis.config.publish,
        judge: (acceptances) =>
          judgeAnalysis(analysis, { ...(request.failOn ? { failOn: request.failOn } : {}), acceptances: toAcceptanceMap(acceptances) }),
      };
    },
  };
  await runAction(deps);
}
