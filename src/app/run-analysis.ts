import { isAbsolute, relative, resolve, sep } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import type { GitReader, LocalFiles, Logger } from '../adapters/ports.js';
import { detectAiAuthorship, type AiAuthorship, type PullRequestAuthorship } from '../core/ai/authorship.js';
import { detectAll, judge } from '../core/analyze.js';
import { defaultConfig, parseConfig, type Config } from '../core/config/config.js';
import { OUT_OF_TIME } from '../core/detect/engine/prepare.js';
import { ConfigurationError } from '../core/errors.js';
import type { ImpactInput, Report } from '../core/model.js';
import type { DetectResult } from '../core/types.js';
import { collectChanges } from './collect.js';
import { gatherImpact } from './impact.js';

/** The version written into every report (`tool.version`). */
export const TOOL_VERSION: string = packageJson.version;

/** Where the configuration lives when neither `--config` nor the `config` input names a file. */
export const DEFAULT_CONFIG_PATHS = ['.github/guardrail-gate.yml', '.github/guardrail-gate.yaml'];

/** Candidates for `--base` when it is not given, in order: the remote's default branch, then local ones. */
const DEFAULT_BASE_CANDIDATES = ['origin/HEAD', 'origin/main', 'origin/master', 'main', 'master'];

export interface AnalysisDeps {
  git: GitReader;
  /** The user's own local files: hotspot and coverage inputs, a `--config` kept outside the repository. */
  localFiles: LocalFiles;
  logger: Logger;
  /** Milliseconds since some origin, for `stats.durationMs`; the core has no clock. */
  now?: () => number;
  /** The folder relative paths on the command line are resolved from. */
  cwd?: string;
}

export interface AnalysisOptions {
  /** Top level of the work tree (the git adapter's `repoDir`). */
  repoDir: string;
  /** Any git revision; defaults to the merge base with the remote default branch. */
  base?: string;
  /** Any git revision; defaults to HEAD. */
  head?: string;
  /** Configuration file, read from the base commit (CONTRACT §4). */
  configPath?: string;
  failOn?: Config['fail-on'];
  /** Hotspot and coverage files from flags or inputs, as given (resolved from `cwd`). */
  hotspotFiles: string[];
  coverageFiles: string[];
  pullRequest?: PullRequestAuthorship;
  /** Maintainer acceptances keyed by finding id. */
  acceptances?: Map<string, { who: string; reason: string }>;
}

/**
 * Everything the verdict is judged from. Judging it again (a maintainer's acceptances changed) needs no
 * git and no second analysis: acceptances change the judgement only.
 */
export interface Analysis {
  /** The configuration, read and parsed once from the base commit. */
  config: Config;
  /** Merge-base sha: the base side of the pull request. */
  base: string;
  head: string;
  detected: DetectResult;
  impact: ImpactInput;
  ai: AiAuthorship;
  filesChanged: number;
  /** Notes of the configuration and collection stages, added to every report judged from this analysis. */
  notes: string[];
  durationMs: number;
}

/**
 * Runs the whole gate on one pull request: resolves the revisions and their merge base, reads the
 * configuration from the base commit, collects both versions of the changed files, detects removed and
 * weakened guardrails, gathers their impact and judges. Throws ConfigurationError for anything the user
 * must fix (exit 2); returns the Report otherwise, whatever its decision.
 */
export async function runAnalysis(deps: AnalysisDeps, options: AnalysisOptions): Promise<Report> {
  return judgeAnalysis(await analyzeChange(deps, options), options);
}

/** Every stage but the judgement: git, configuration, collect, detect, impact, AI authorship. */
export async function analyzeChange(deps: AnalysisDeps, options: AnalysisOptions): Promise<Analysis> {
  const now = deps.now ?? (() => performance.now());
  const started = now();
  const { git, logger } = deps;
  const cwd = deps.cwd ?? process.cwd();

  const head = await git.resolveCommit(options.head ?? 'HEAD', '--head');
  const baseRevision = options.base ?? (await findDefaultBase(git));
  const baseTip = await git.resolveCommit(baseRevision, '--base');
  const mergeBase = await git.mergeBase(baseTip, head);
  if (!mergeBase) {
    throw new ConfigurationError(`--base: '${baseRevision}' and --head '${options.head ?? 'HEAD'}' share no history (no merge base)`);
  }
  logger.debug(`base ${baseRevision} = ${baseTip}, merge base ${mergeBase}, head ${head}`);

  const { config, notes: configNotes } = await loadConfig(deps, baseTip, options.configPath, options.repoDir, cwd);
  let mark = now();
  const lap = (stage: string): void => {
    const at = now();
    logger.debug(`${stage}: ${Math.round(at - mark)} ms`);
    mark = at;
  };
  const collected = await collectChanges({ git, logger, base: mergeBase, head, config });
  lap(`collect (${collected.files.length} changed files, ${collected.context.length} context files)`);

  const budgetMs = config['time-budget-seconds'] * 1000;
  const detected = detectAll({
    files: collected.files,
    context: collected.context,
    tree: collected.tree,
    config,
    today: new Date().toISOString().slice(0, 10),
    outOfTime: () => now() - started > budgetMs,
  });
  const leftOut = detected.skipped.filter((s) => s.reason === OUT_OF_TIME).length;
  if (leftOut)
    detected.notes.push(
      `the time budget (time-budget-seconds: ${config['time-budget-seconds']}) was spent before ${leftOut} changed files were analyzed; they are listed as skipped`,
    );
  lap(`detect (${detected.findings.length} findings, ${detected.unitsCompared} units compared)`);
  const impact = await gatherImpact({
    repoDir: options.repoDir,
    base: mergeBase,
    head,
    files: collected.files,
    detected,
    config,
    hotspotFiles: [...config.hotspots.map((p) => resolve(options.repoDir, p)), ...options.hotspotFiles.map((p) => resolve(cwd, p))],
    coverageFiles: [...config.coverage.map((p) => resolve(options.repoDir, p)), ...options.coverageFiles.map((p) => resolve(cwd, p))],
    git,
    localFiles: deps.localFiles,
    logger,
  });
  lap('impact');
  const ai = detectAiAuthorship(await git.commits(mergeBase, head), options.pullRequest);
  return {
    config,
    base: mergeBase,
    head,
    detected,
    impact,
    ai,
    filesChanged: collected.files.length,
    notes: [...configNotes, ...collected.notes],
    durationMs: Math.round(now() - started),
  };
}

/** The judgement of an analysis: score, level and decision, with the acceptances and `fail-on` given. */
export function judgeAnalysis(analysis: Analysis, options: Pick<AnalysisOptions, 'failOn' | 'acceptances'> = {}): Report {
  const report = judge({
    base: analysis.base,
    head: analysis.head,
    toolVersion: TOOL_VERSION,
    detected: analysis.detected,
    impact: analysis.impact,
    config: analysis.config,
    ...(options.failOn ? { failOn: options.failOn } : {}),
    ai: analysis.ai,
    filesChanged: analysis.filesChanged,
    durationMs: 0,
    ...(options.acceptances ? { acceptances: options.acceptances } : {}),
  });
  for (const note of analysis.notes) if (!report.notes.includes(note)) report.notes.push(note);
  report.stats.durationMs = analysis.durationMs;
  return report;
}

/** The merge-base side when `--base` is not given: the remote default branch, else a local main/master. */
export async function findDefaultBase(git: GitReader): Promise<string> {
  for (const candidate of DEFAULT_BASE_CANDIDATES) {
    try {
      await git.resolveCommit(candidate, '--base');
      return candidate;
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
    }
  }
  throw new ConfigurationError(
    `--base: no default branch found (tried ${DEFAULT_BASE_CANDIDATES.join(', ')}): pass --base with the branch or commit the pull request targets`,
  );
}

/**
 * Reads the configuration from the base commit, so that a pull request cannot loosen its own gate. A
 * `--config` file the base commit lacks is read from disk (a local run, a file kept outside the repository),
 * and the report says so.
 */
async function loadConfig(
  { git, localFiles }: AnalysisDeps,
  baseTip: string,
  configPath: string | undefined,
  repoDir: string,
  cwd: string,
): Promise<{ config: Config; notes: string[] }> {
  const inRepo = (path: string): string | undefined => {
    const rel = relative(repoDir, isAbsolute(path) ? path : resolve(cwd, path));
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
  };
  const candidates = configPath
    ? [
        ...new Set(
          [...(isAbsolute(configPath) ? [] : [configPath.replace(/^\.\//, '')]), inRepo(configPath)].filter((p): p is string => !!p),
        ),
      ]
    : DEFAULT_CONFIG_PATHS;
  const blobs = await git.readFiles(baseTip, candidates);
  for (const path of candidates) {
    const blob = blobs.get(path);
    if (blob?.text !== undefined) return { config: parseConfig(blob.text, `${path} (base commit)`), notes: [] };
  }
  if (!configPath) return { config: defaultConfig(), notes: [] };

  let text: string | undefined;
  for (const onDisk of new Set([resolve(cwd, configPath), resolve(repoDir, configPath)])) {
    text = await localFiles.readText(onDisk);
    if (text !== undefined) break;
  }
  if (text === undefined) throw new ConfigurationError(`--config: ${configPath} is neither in the base commit nor on disk`);
  return {
    config: parseConfig(text, configPath),
    notes: [
      `configuration read from ${configPath} on disk: the base commit has no such file, so this pull request's gate is not protected from edits to it`,
    ],
  };
}
