import { detectChanges, judge } from '../../src/core/analyze.js';
import { defaultConfig } from '../../src/core/config/config.js';
import { computeTestImpact, findWeakenedTests } from '../../src/core/impact/affected.js';
import { buildImportGraph } from '../../src/core/impact/graph.js';
import { initImportLexer } from '../../src/core/impact/imports.js';
import { createTestMatcher } from '../../src/core/paths.js';
import { CATEGORIES, emptyImpact, LEVELS, SEVERITIES, type ChangedFile, type Report } from '../../src/core/model.js';
import { isSourcePath } from '../../src/core/paths.js';
import { renderAnnotations } from '../../src/core/render/annotations.js';
import { renderComment } from '../../src/core/render/comment.js';
import { renderJson } from '../../src/core/render/json.js';
import { renderMarkdown } from '../../src/core/render/markdown.js';
import { renderReviewComments } from '../../src/core/render/review.js';
import { renderSarif } from '../../src/core/render/sarif.js';
import { renderSummary } from '../../src/core/render/summary.js';
import { renderText } from '../../src/core/render/text.js';
import type { FuzzInput } from './generators.js';

/** Must be awaited once before `runPipeline` (the import lexer is WebAssembly). */
export const pipelineReady: Promise<void> = initImportLexer();

export interface PipelineOutput {
  report: Report;
  json: string;
  markdowns: string[];
  oneLiners: string[];
  terminal: string;
  sarif: string;
}

/** The whole pure pipeline on one input: detect, impact (import graph and tests), judge, every renderer. */
export function runPipeline(input: FuzzInput): PipelineOutput {
  const config = defaultConfig();
  const files: ChangedFile[] = input.files.map((f) => ({ ...f }));
  const detected = detectChanges({ files, context: [], config, today: '2026-01-01' });
  const sources = new Map(files.filter((f) => f.head !== undefined && isSourcePath(f.path)).map((f) => [f.path, f.head!]));
  const configs = new Map(files.filter((f) => f.head !== undefined && f.path.endsWith('package.json')).map((f) => [f.path, f.head!]));
  const graph = buildImportGraph({ paths: new Set(files.map((f) => f.path)), configs, sources });
  const impact = emptyImpact();
  const isTest = createTestMatcher(config.tests.patterns, configs, impact.notes);
  const tests = computeTestImpact({ graph, isTest, files, changedUnits: detected.changedUnits });
  Object.assign(impact, {
    affectedTests: tests.affectedTests,
    untested: tests.untested,
    reachingTests: tests.reachingTests,
    blastRadius: tests.blastRadius,
  });
  impact.weakenedTests = findWeakenedTests(files, isTest);
  const report = judge({
    base: 'a'.repeat(40),
    head: 'b'.repeat(40),
    toolVersion: '0.0.0-fuzz',
    detected,
    impact,
    config,
    ai: { authored: false, evidence: [] },
    filesChanged: files.length,
    durationMs: 0,
  });
  const review = renderReviewComments(report);
  const annotations = renderAnnotations(report);
  return {
    report,
    json: renderJson(report),
    markdowns: [renderComment(report), renderSummary(report), renderMarkdown(report), ...review.map((c) => c.body)],
    oneLiners: annotations.flatMap((a) => [a.title, a.message]),
    terminal: renderText(report, { color: false }),
    sarif: renderSarif(report, []),
  };
}

/** Lines of a text as git counts them: `\n` only, a final `\n` ends the last line rather than starting one. */
export function gitLineCount(text: string): number {
  let count = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return Math.max(1, text.endsWith('\n') ? count - 1 : count);
}

// eslint-disable-next-line no-control-regex
const BAD_IN_MARKDOWN = /[\r\u2028\u2029\u0085\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const BAD_IN_ONE_LINE = /[\r\n\u2028\u2029\u0085\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/**
 * What a CommonMark reader would take as an HTML comment: `<!--` outside code spans and fenced blocks, other
 * than our own markers. Lines are split at `\n` only: the contract check also asserts no other terminator is left.
 */
export function htmlOutsideCode(markdown: string): string[] {
  const found: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const opener = /^\s*(`{3,})/.exec(line)?.[1];
    if (fence) {
      if (opener && opener.length >= fence.length && line.trim() === opener) fence = undefined;
      continue;
    }
    if (opener) {
      fence = opener;
      continue;
    }
    const outside = line.replace(/(`+)(?:(?!\1).)*?\1(?!`)/g, '').replace(/<!-- guardrail-gate:[^>]*-->/g, '');
    if (outside.includes('<!--')) found.push(line);
  }
  return found;
}

/** Every way the output breaks the report contract (CONTRACT §2) or lets PR text escape; empty when it holds. */
export function contractViolations(input: FuzzInput, output: PipelineOutput): string[] {
  const problems: string[] = [];
  const { report } = output;
  if (report.schemaVersion !== 1) problems.push('schemaVersion is not 1');
  if (!Number.isFinite(report.score) || report.score < 0 || report.score > 100) problems.push(`score ${report.score} outside 0..100`);
  if (!LEVELS.includes(report.level)) problems.push(`level ${report.level}`);
  if (report.decision !== 'pass' && report.decision !== 'fail') problems.push(`decision ${String(report.decision)}`);
  const byPath = new Map<string, { base?: string; head?: string }>();
  for (const f of input.files) {
    byPath.set(f.path, {
      ...(f.base !== undefined && !f.oldPath ? { base: f.base } : {}),
      ...(f.head !== undefined ? { head: f.head } : {}),
    });
    if (f.oldPath) byPath.set(f.oldPath, { ...(f.base !== undefined ? { base: f.base } : {}) });
  }
  const ids = new Set<string>();
  for (const finding of report.findings) {
    const where = `${finding.rule} ${finding.file}:${finding.line}`;
    if (typeof finding.id !== 'string' || finding.id === '') problems.push(`${where}: empty id`);
    if (ids.has(finding.id)) problems.push(`${where}: duplicate id ${finding.id}`);
    ids.add(finding.id);
    if (!CATEGORIES.includes(finding.category)) problems.push(`${where}: category ${finding.category}`);
    if (!SEVERITIES.includes(finding.severity)) problems.push(`${where}: severity ${finding.severity}`);
    if (finding.side !== 'base' && finding.side !== 'head') problems.push(`${where}: side ${String(finding.side)}`);
    const texts = byPath.get(finding.file);
    const text = texts?.[finding.side];
    if (text === undefined) problems.push(`${where}: no ${finding.side} version of ${JSON.stringify(finding.file)} in the input`);
    else if (!Number.isInteger(finding.line) || finding.line < 1 || finding.line > gitLineCount(text)) {
      problems.push(`${where}: line ${finding.line} outside the ${finding.side} file's ${gitLineCount(text)} lines`);
    }
    if (finding.headLine !== undefined) {
      const headFile = typeof finding.evidence?.headFile === 'string' ? finding.evidence.headFile : finding.file;
      const head = byPath.get(headFile)?.head ?? input.files.find((f) => f.oldPath === finding.file)?.head;
      if (head !== undefined && (finding.headLine < 1 || finding.headLine > gitLineCount(head))) {
        problems.push(`${where}: headLine ${finding.headLine} outside the head file's ${gitLineCount(head)} lines`);
      }
    }
  }
  for (const c of report.contributions) if (!ids.has(c.findingId)) problems.push(`contribution for unknown finding ${c.findingId}`);
  for (const markdown of output.markdowns) {
    if (BAD_IN_MARKDOWN.test(markdown))
      problems.push(`markdown holds a raw line terminator or control character: ${JSON.stringify(markdown.match(BAD_IN_MARKDOWN)![0])}`);
    const html = htmlOutsideCode(markdown);
    if (html.length) problems.push(`markdown opens an HTML comment from PR text: ${JSON.stringify(html[0]!.slice(0, 120))}`);
  }
  for (const line of output.oneLiners)
    if (BAD_IN_ONE_LINE.test(line)) problems.push(`annotation text holds ${JSON.stringify(line.match(BAD_IN_ONE_LINE)![0])}`);
  if (BAD_IN_MARKDOWN.test(output.terminal)) problems.push('terminal report holds a control character');
  try {
    JSON.parse(output.json);
    JSON.parse(output.sarif);
  } catch (error) {
    problems.push(`JSON or SARIF does not parse: ${(error as Error).message}`);
  }
  return problems;
}

/**
 * Runs the pipeline twice and checks the contract and determinism. Throws with every problem found, so
 * that fast-check shrinks to a minimal input.
 */
export function checkInput(input: FuzzInput, betweenRuns?: () => void): void {
  const first = runPipeline(input);
  const problems = contractViolations(input, first);
  betweenRuns?.();
  const second = runPipeline(input);
  if (second.json !== first.json) problems.push('not deterministic: two runs gave different JSON reports');
  if (problems.length) throw new ContractViolation(problems);
}

/** A failure of the contract, told apart from a crash (any other exception). */
export class ContractViolation extends Error {
  constructor(readonly problems: string[]) {
    super(`contract violated: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
  }
}
