import type { ChangedUnit, SkippedFile } from '../../model.js';
import { simpleName } from '../ast/text.js';
import type { ts } from 'ts-morph';
import { SyntaxParser } from '../../parse/parse.js';
import { extractUnits, type Unit } from '../../parse/units.js';
import { isSourcePath, isTestCode } from '../../paths.js';
import { pairUnits, type UnitPair } from '../../relate/pair-units.js';
import type { DetectInput } from '../../types.js';
import { runnerTimeoutRemoved } from '../vocab/timeouts.js';
import { constantResolver, type ConstantResolver } from './constants.js';
import { protectionContext, type ProtectionContext } from './protection.js';

/** The input made ready for the detectors: both sides parsed, cut into units and paired. */
export interface Prepared {
  /** Every unit pair of the changed files, changed or not (suppressions look up their host unit in them). */
  pairs: UnitPair[];
  /** The pairs whose text differs, or that exist on one side only: what the detectors compare. */
  changedPairs: UnitPair[];
  /** Head units reachable by simple name: the changed files' and the unchanged files they import. */
  headIndex: Map<string, Unit[]>;
  /** Base paths of files the PR deletes. */
  deletedFiles: Set<string>;
  /** Paths (base and head) of files that are test code. */
  testFiles: Set<string>;
  /** Head text of each analyzed file, for in-code suppressions. */
  headTexts: Map<string, string>;
  /** What the protection search reads from the head (engine/protection.ts). */
  protection: ProtectionContext;
  /** The head's source files the analysis read (tests left out): the changed ones and the context files. */
  headSources: ts.SourceFile[];
  /** Constants by name, in their file or through its imports among the files read (engine/constants.ts). */
  constantValue: ConstantResolver;
  /** The longest test timeout a runner configuration held before the PR and not after (vocab/timeouts.ts). */
  runnerTimeoutRemoved: number | undefined;
  skipped: SkippedFile[];
  filesAnalyzed: number;
}

/** Why a file was not analyzed when the caller's time budget ran out before it (see DetectInput.outOfTime). */
export const OUT_OF_TIME = "not analyzed: the run's time budget (time-budget-seconds) was spent";

/** Parses both versions of every changed file, cuts them into units, pairs the units and indexes the head. */
export function prepare(input: DetectInput): Prepared {
  const skipped: SkippedFile[] = [];
  const baseParser = new SyntaxParser();
  const headParser = new SyntaxParser();
  const baseUnits: Unit[] = [];
  const headUnits: Unit[] = [];
  const renames = new Map<string, string>();
  const deletedFiles = new Set<string>();
  const testFiles = new Set<string>();
  const headTexts = new Map<string, string>();
  const baseSources: ts.SourceFile[] = [];
  const headSources: ts.SourceFile[] = [];
  /** Every head file parsed, by path, tests included: where a constant is looked up. */
  const headFiles = new Map<string, ts.SourceFile>();
  const baseFiles = new Map<string, ts.SourceFile>();
  let filesAnalyzed = 0;

  for (const file of input.files) {
    if (file.skipped) {
      skipped.push({ file: file.path, reason: file.skipped });
      continue;
    }
    const basePath = file.oldPath ?? file.path;
    if (!isSourcePath(file.path) && !isSourcePath(basePath)) {
      skipped.push({ file: file.path, reason: 'not a JavaScript or TypeScript source file' });
      continue;
    }
    if (input.outOfTime?.()) {
      skipped.push({ file: file.path, reason: OUT_OF_TIME });
      continue;
    }
    let fileUnits: { base: Unit[]; head: Unit[] };
    let base: ReturnType<SyntaxParser['parse']> | undefined;
    let head: ReturnType<SyntaxParser['parse']> | undefined;
    try {
      base = file.base === undefined ? undefined : baseParser.parse(basePath, file.base);
      head = file.head === undefined ? undefined : headParser.parse(file.path, file.head);
      fileUnits = {
        base: base?.ok ? extractUnits(base.sourceFile, basePath, 'base') : [],
        head: head?.ok ? extractUnits(head.sourceFile, file.path, 'head') : [],
      };
    } catch (error) {
      // Whatever a file holds, it costs at most itself: skipped with the reason, the rest still judged.
      skipped.push({
        file: file.path,
        reason: `could not be analyzed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      });
      continue;
    }
    if (base && !base.ok) {
      skipped.push({ file: basePath, reason: `base version ${base.reason}` });
      continue;
    }
    if (head && !head.ok) {
      skipped.push({ file: file.path, reason: `head version ${head.reason}` });
      continue;
    }
    filesAnalyzed++;
    if (file.oldPath) renames.set(file.path, file.oldPath);
    if (file.status === 'deleted') deletedFiles.add(basePath);
    if (isTestCode(file.path, input.config.tests.patterns) || isTestCode(basePath, input.config.tests.patterns)) {
      testFiles.add(file.path);
      testFiles.add(basePath);
    }
    for (const unit of fileUnits.base) baseUnits.push(unit);
    for (const unit of fileUnits.head) headUnits.push(unit);
    if (!testFiles.has(file.path)) {
      if (base?.ok) baseSources.push(base.sourceFile);
      if (head?.ok) headSources.push(head.sourceFile);
    }
    if (base?.ok) baseFiles.set(basePath, base.sourceFile);
    if (head?.ok) {
      headTexts.set(file.path, file.head!);
      headFiles.set(file.path, head.sourceFile);
    }
  }

  const pairs = pairUnits(baseUnits, headUnits, renames);
  const changedPairs = pairs.filter((p) => !p.base || !p.head || p.base.text !== p.head.text);

  const headIndex = new Map<string, Unit[]>();
  const index = (unit: Unit): void => {
    const simple = simpleName(unit);
    const named = headIndex.get(simple);
    // Appended in place: a file of thousands of units of one name (`var a = …` minified) stays linear.
    if (named) named.push(unit);
    else headIndex.set(simple, [unit]);
  };
  headUnits.forEach(index);
  const changedHeadSources = [...headSources];
  const contextUnits: Unit[] = [];
  for (const context of input.context) {
    if (!isSourcePath(context.path)) continue;
    const parsed = headParser.parse(context.path, context.text);
    if (!parsed.ok) continue;
    headFiles.set(context.path, parsed.sourceFile);
    const units = extractUnits(parsed.sourceFile, context.path, 'head');
    units.forEach(index);
    if (!isTestCode(context.path, input.config.tests.patterns)) {
      headSources.push(parsed.sourceFile);
      contextUnits.push(...units);
    }
  }

  const isSource = (unit: Unit): boolean => !testFiles.has(unit.file);
  const protection = protectionContext({
    baseSources,
    headSources,
    changedHeadSources,
    contextUnits,
    pairs,
    baseUnits: baseUnits.filter(isSource),
    headUnits: headUnits.filter(isSource),
  });
  const constantValue = constantResolver(headFiles, baseFiles);
  return {
    pairs,
    changedPairs,
    headIndex,
    deletedFiles,
    testFiles,
    headTexts,
    protection,
    headSources,
    constantValue,
    runnerTimeoutRemoved: runnerTimeoutRemoved(input.files),
    skipped,
    filesAnalyzed,
  };
}

/** The changed units the report lists (class shells left out: their members are listed). */
export function changedUnitsOf(changedPairs: UnitPair[]): ChangedUnit[] {
  return changedPairs
    .filter((p) => (p.head ?? p.base)!.kind !== 'class')
    .map((p) => {
      const unit = (p.head ?? p.base)!;
      return {
        file: unit.file,
        symbol: unit.name,
        side: unit.side,
        startLine: unit.startLine,
        endLine: unit.endLine,
        status: !p.base ? 'added' : !p.head ? 'deleted' : 'modified',
      };
    });
}
