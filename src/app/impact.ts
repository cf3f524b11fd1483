import type { BlamedLine, CommitMessage, GitReader, HeadTree, LocalFiles, Logger } from '../adapters/ports.js';
import type { Config } from '../core/config/config.js';
import { changedHeadSources, computeTestImpact, filesReachedByDeletedTest, findWeakenedTests } from '../core/impact/affected.js';
import { parseCoverage, v8LineCounts } from '../core/impact/coverage.js';
import type { ImportGraph } from '../core/impact/graph.js';
import { mapRecords, matchHotspots, parseHotspots, type HotspotRecord } from '../core/impact/hotspots.js';
import { ProductionPathMapper } from '../core/impact/prod-paths.js';
import { testCommand } from '../core/impact/runner.js';
import { classifyCommitMessage, scarCandidates, strongestScar } from '../core/impact/scars.js';
import { createTestMatcher, type TestMatcher } from '../core/paths.js';
import { emptyImpact, type ChangedFile, type ChangedUnit, type ImpactInput, type Scar } from '../core/model.js';
import type { DetectResult } from '../core/types.js';
import { readHeadGraph } from './head-graph.js';

/** What the impact stage needs to know about the run. */
export interface ImpactRequest {
  repoDir: string;
  /** Merge-base sha (the PR's base side). */
  base: string;
  head: string;
  files: ChangedFile[];
  detected: DetectResult;
  config: Config;
  /** Paths given with --hotspots / the hotspots input (plus the configuration's). */
  hotspotFiles: string[];
  coverageFiles: string[];
  git: GitReader;
  /** Reads the hotspot and coverage files. */
  localFiles: LocalFiles;
  logger: Logger;
  /** Directory relative hotspot/coverage paths are read from (default: the process's working directory). */
  cwd?: string;
  /** Days of history churn looks at (default 90, counted back from the base commit's date). */
  churnDays?: number;
}

// Blaming is one process per removed range: cap it so a PR deleting a whole module stays fast.
const MAX_BLAMED_RANGES = 60;

/**
 * Gathers the context of a change: the tests that reach it (import graph of the whole head tree),
 * coverage, production hotspots, churn, scars and blast radius. Every part degrades to a note: a
 * missing signal never fails the run.
 */
export async function gatherImpact(request: ImpactRequest): Promise<ImpactInput> {
  const impact = emptyImpact();
  const { logger } = request;
  const started = performance.now();
  let tree: HeadTree | undefined;
  let graph: ImportGraph | undefined;
  try {
    const read = await readHeadGraph(request.git, request.head);
    tree = read.tree;
    graph = read.graph;
    const { stats } = graph;
    logger.info(
      `import graph: ${stats.files} files, ${stats.edges} edges, ${stats.fallbackFiles} read by the JSX fallback, ${Math.round(performance.now() - started)} ms`,
    );
    if (tree.missing.length)
      impact.notes.push(
        `import graph: ${tree.missing.length} source files were not read (absent from the clone or over 1 MB), e.g. ${tree.missing[0]}`,
      );
  } catch (error) {
    impact.notes.push(`tests: the head tree could not be read, so no import graph (${(error as Error).message.split('\n')[0]})`);
  }

  const changedUnits = request.detected.changedUnits;
  const changedSources = changedHeadSources(request.files);
  const [hotspotInput, coverageInput] = await Promise.all([
    // The caller already merged the configuration's paths (resolved against the repository) into these.
    request.localFiles.readSignalFiles(unique(request.hotspotFiles), request.cwd ?? process.cwd()),
    request.localFiles.readSignalFiles(unique(request.coverageFiles), request.cwd ?? process.cwd()),
  ]);
  for (const error of [...hotspotInput.errors, ...coverageInput.errors]) impact.notes.push(`could not read ${error}`);
  const mapper = new ProductionPathMapper(tree?.paths ?? request.files.map((file) => file.path));

  const coverage = await gatherCoverage(request, coverageInput.files, mapper, impact);

  if (tree && graph) {
    const isTest = memoize(createTestMatcher(request.config.tests.patterns, tree.configs, impact.notes));
    const tests = computeTestImpact({
      graph,
      isTest,
      files: request.files,
      changedUnits,
      ...(coverage ? { unitExecuted: (unit: ChangedUnit) => unitExecuted(unit, coverage) } : {}),
    });
    impact.affectedTests = tests.affectedTests;
    impact.untested = tests.untested;
    impact.reachingTests = tests.reachingTests;
    impact.blastRadius = tests.blastRadius;
    impact.weakenedTests = findWeakenedTests(request.files, isTest);
    linkDeletedTests(request.files, impact, graph, isTest);
    const command = testCommand(
      impact.affectedTests,
      { paths: tree.paths, configs: tree.configs, importsOf: (path) => graph?.specifiersOf(path) },
      request.config.tests.command,
    );
    if (command) impact.testCommand = command;
    if (changedSources.length && impact.affectedTests.length === 0)
      impact.notes.push('tests: no test file imports the changed code, directly or through other modules');
  }

  gatherHotspots(hotspotInput.files, mapper, changedUnits, changedSources, impact);
  await gatherHistory(request, impact);
  logger.info(
    `impact: ${impact.affectedTests.length} affected tests, ${impact.untested.length} untested units, ${impact.hotspots.length} hot paths, ${impact.scars.length} scars in ${Math.round(performance.now() - started)} ms`,
  );
  return impact;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function memoize(matcher: TestMatcher): TestMatcher {
  const cache = new Map<string, boolean>();
  return (path) => {
    let answer = cache.get(path);
    if (answer === undefined) {
      answer = matcher(path);
      cache.set(path, answer);
    }
    return answer;
  };
}

/** A deleted test no longer appears in the head graph: tie it to the changed files it used to load. */
function linkDeletedTests(files: ChangedFile[], impact: ImpactInput, graph: ImportGraph, isTest: TestMatcher): void {
  for (const file of files) {
    if (file.status !== 'deleted' || !isTest(file.path)) continue;
    const reached = filesReachedByDeletedTest(file, graph);
    for (const entry of impact.reachingTests) {
      if (reached.has(entry.file) && !entry.tests.includes(file.path)) entry.tests.push(file.path);
    }
  }
}

/** Repo file -> line hit counts, merged over every coverage file given. */
type CoverageByFile = Map<string, Map<number, number>>;

async function gatherCoverage(
  request: ImpactRequest,
  inputs: { name: string; text: string }[],
  mapper: ProductionPathMapper,
  impact: ImpactInput,
): Promise<CoverageByFile | undefined> {
  if (inputs.length === 0) return undefined;
  const coverage: CoverageByFile = new Map();
  const unmapped = new Set<string>();
  const headText = new Map(request.files.filter((file) => file.head !== undefined).map((file) => [file.path, file.head!]));
  for (const input of inputs) {
    let parsed: ReturnType<typeof parseCoverage>;
    try {
      parsed = parseCoverage(input.text, input.name);
    } catch (error) {
      impact.notes.push(`coverage: ${(error as Error).message}`);
      continue;
    }
    for (const file of parsed.files) {
      const repoPath = mapper.map(file.path);
      if (!repoPath) {
        unmapped.add(file.path);
        continue;
      }
      let lines = file.lines;
      if (!lines && file.v8) {
        // Only changed files matter to coverage's questions, and their head text is at hand.
        const text = headText.get(repoPath);
        if (text === undefined) continue;
        lines = v8LineCounts(file.v8, text);
      }
      if (!lines) continue;
      const merged = coverage.get(repoPath) ?? new Map<number, number>();
      for (const [line, count] of lines) merged.set(line, (merged.get(line) ?? 0) + count);
      coverage.set(repoPath, merged);
    }
  }
  if (unmapped.size)
    impact.notes.push(`coverage: ${unmapped.size} covered files could not be mapped onto repository paths (e.g. ${[...unmapped][0]})`);
  const changed = changedHeadSources(request.files);
  const absent = changed.filter((file) => !coverage.has(file));
  if (absent.length && coverage.size)
    impact.notes.push(`coverage: ${absent.length} changed source files do not appear in the coverage given (e.g. ${absent[0]})`);
  try {
    const changedLines = await request.git.changedHeadLines(
      request.base,
      request.head,
      changed.filter((file) => coverage.has(file)),
    );
    for (const [file, lines] of changedLines) {
      const counts = coverage.get(file);
      if (!counts) continue;
      const uncovered = lines.filter((line) => counts.get(line) === 0);
      if (uncovered.length) impact.uncoveredLines.push({ file, lines: uncovered });
    }
    impact.uncoveredLines.sort((a, b) => a.file.localeCompare(b.file));
  } catch (error) {
    impact.notes.push(`coverage: could not list the changed lines (${(error as Error).message.split('\n')[0]})`);
  }
  return coverage;
}

/** Whether coverage shows a unit ran: undefined when coverage says nothing about its lines. */
function unitExecuted(unit: ChangedUnit, coverage: CoverageByFile): boolean | undefined {
  const counts = coverage.get(unit.file);
  if (!counts) return undefined;
  let instrumented = false;
  for (let line = unit.startLine; line <= unit.endLine; line++) {
    const count = counts.get(line);
    if (count === undefined) continue;
    if (count > 0) return true;
    instrumented = true;
  }
  return instrumented ? false : undefined;
}

function gatherHotspots(
  inputs: { name: string; text: string }[],
  mapper: ProductionPathMapper,
  changedUnits: ChangedUnit[],
  changedSources: string[],
  impact: ImpactInput,
): void {
  if (inputs.length === 0) return;
  const records: HotspotRecord[] = [];
  for (const input of inputs) {
    try {
      records.push(...parseHotspots(input.text, input.name));
    } catch (error) {
      impact.notes.push(`hotspots: ${(error as Error).message}`);
    }
  }
  const { mapped, unmapped } = mapRecords(records, mapper);
  const unmappedRecords = records.length - mapped.length;
  impact.notes.push(
    `hotspots: ${mapped.length} of ${records.length} production records mapped onto repository files` +
      (unmappedRecords
        ? `; ${unmappedRecords} could not be mapped (${unmapped.length} distinct paths, e.g. ${unmapped.slice(0, 2).join(', ')})`
        : ''),
  );
  impact.hotspots = matchHotspots(mapped, changedUnits, changedSources);
}

async function gatherHistory(request: ImpactRequest, impact: ImpactInput): Promise<void> {
  const { git, base } = request;
  const shallow = await git.isShallow();
  if (shallow)
    impact.notes.push('history: shallow clone, so churn and scars only see the commits fetched (use fetch-depth: 0 for the full picture)');
  const basePaths = unique(request.files.filter((file) => file.status !== 'added').map((file) => file.oldPath ?? file.path));
  try {
    const commits = await git.recentCommits(base, basePaths, request.churnDays ?? 90);
    const churn = new Map<string, { changes: number; fixes: number }>();
    for (const commit of commits) {
      const fix = classifyCommitMessage(commit.subject) !== undefined;
      for (const file of commit.files) {
        const entry = churn.get(file) ?? { changes: 0, fixes: 0 };
        entry.changes++;
        if (fix) entry.fixes++;
        churn.set(file, entry);
      }
    }
    for (const file of request.files) {
      const entry = churn.get(file.oldPath ?? file.path);
      if (entry) impact.churn.push({ file: file.path, ...entry });
    }
  } catch (error) {
    impact.notes.push(`history: churn unavailable (${(error as Error).message.split('\n')[0]})`);
  }
  const candidates = scarCandidates(request.detected.findings);
  if (candidates.length === 0) return;
  if (candidates.length > MAX_BLAMED_RANGES)
    impact.notes.push(`history: blamed the first ${MAX_BLAMED_RANGES} of ${candidates.length} removed ranges`);
  const blamed: { candidate: (typeof candidates)[number]; lines: BlamedLine[] }[] = [];
  let boundaryOnly = 0;
  let failures = 0;
  for (const candidate of candidates.slice(0, MAX_BLAMED_RANGES)) {
    try {
      const lines = await git.blame(base, candidate.file, candidate.from, candidate.to);
      if (lines.length && lines.every((line) => line.boundary)) boundaryOnly++;
      blamed.push({ candidate, lines });
    } catch {
      failures++;
    }
  }
  if (failures) impact.notes.push(`history: ${failures} removed ranges could not be blamed`);
  if (boundaryOnly && shallow)
    impact.notes.push(`history: ${boundaryOnly} removed ranges come from before the shallow clone's first commit; their origin is unknown`);
  const shas = unique(blamed.flatMap(({ lines }) => lines.filter((line) => !line.boundary || !shallow).map((line) => line.commit)));
  let messages: Map<string, CommitMessage>;
  try {
    messages = await git.commitMessages(shas);
  } catch (error) {
    impact.notes.push(`history: commit messages unavailable (${(error as Error).message.split('\n')[0]})`);
    return;
  }
  for (const { candidate, lines } of blamed) {
    const scars: Scar[] = [];
    for (const line of lines) {
      const message = messages.get(line.commit);
      if (!message) continue;
      const kind = classifyCommitMessage(`${message.subject}\n\n${message.body}`);
      if (kind)
        scars.push({ file: candidate.file, line: candidate.from, commit: message.sha, date: message.date, subject: message.subject, kind });
    }
    const scar = strongestScar(scars);
    if (scar) impact.scars.push(scar);
  }
}
