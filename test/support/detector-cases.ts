import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defaultConfig } from '../../src/core/config/config.js';
import { detectAll } from '../../src/core/analyze.js';
import { loadAllParsers } from '../../src/core/infra/formats/parsers.js';
import { ANALYZERS } from '../../src/core/infra/registry.js';
import { contextRequests, MAX_SEARCH_HITS, pathsToRead, searchCandidates, searchHit, type TreeFiles } from '../../src/core/infra/tree.js';
import type { ChangedFile, Finding } from '../../src/core/model.js';
import { isSourcePath, SOURCE_EXTENSIONS } from '../../src/core/paths.js';

// The analyzers' parsers of formats most pull requests do not touch (Dockerfiles, lockfiles, Postgres' SQL
// compiled to WebAssembly) are loaded by collect when a file needs one; the cases are not collected: load all.
await loadAllParsers();

export const FIXTURES = join(import.meta.dirname, '../../fixtures/detectors');

/**
 * A detector case is a folder under fixtures/detectors/<id>/{flagged,quiet}/<case>/ holding either
 * `before.ts` + `after.ts` (one file, analyzed as `case.json`'s `file` or src/<case>.ts), or `before/` +
 * `after/` trees (several files: moves across files, helpers; a pull request as two trees, which is how
 * the non-code analyzers' cases are written: the unchanged files of the trees are what they may ask for). `expected.json`, when present in a
 * flagged case, lists what must be found: [{ "kind": "removed" | "weakened" | …, "side": "base", "line": 4 }].
 */
export interface DetectorCase {
  name: string;
  dir: string;
  files: ChangedFile[];
  /** The unchanged files of a two-tree case, served to the analyzers as the collect step would. */
  tree?: Map<string, string>;
  expected?: { kind: string; side?: 'base' | 'head'; line?: number }[];
}

export function loadCases(detectorId: string, group: 'flagged' | 'quiet'): DetectorCase[] {
  const root = join(FIXTURES, detectorId, group);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort()
    .map((name) => loadCase(join(root, name), name));
}

function loadCase(dir: string, name: string): DetectorCase {
  const meta = existsSync(join(dir, 'case.json')) ? (JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { file?: string }) : {};
  let files: ChangedFile[];
  let tree: Map<string, string> | undefined;
  if (existsSync(join(dir, 'before')) || existsSync(join(dir, 'after'))) {
    const before = readTree(join(dir, 'before'));
    const after = readTree(join(dir, 'after'));
    const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
    files = paths
      .filter((p) => before.get(p) !== after.get(p))
      .map((path) => ({
        path,
        status: !before.has(path) ? 'added' : !after.has(path) ? 'deleted' : 'modified',
        ...(before.has(path) ? { base: before.get(path)! } : {}),
        ...(after.has(path) ? { head: after.get(path)! } : {}),
      }));
    tree = new Map([...after].filter(([path, text]) => before.get(path) === text));
  } else {
    const ext =
      SOURCE_EXTENSIONS.map((e) => e.slice(1)).find((e) => existsSync(join(dir, `before.${e}`)) || existsSync(join(dir, `after.${e}`))) ??
      'ts';
    const path = meta.file ?? `src/${name}.${ext}`;
    const base = existsSync(join(dir, `before.${ext}`)) ? readFileSync(join(dir, `before.${ext}`), 'utf8') : undefined;
    const head = existsSync(join(dir, `after.${ext}`)) ? readFileSync(join(dir, `after.${ext}`), 'utf8') : undefined;
    files = [
      {
        path,
        status: base === undefined ? 'added' : head === undefined ? 'deleted' : 'modified',
        ...(base !== undefined ? { base } : {}),
        ...(head !== undefined ? { head } : {}),
      },
    ];
  }
  const expectedPath = join(dir, 'expected.json');
  return {
    name,
    dir,
    files,
    ...(tree ? { tree } : {}),
    ...(existsSync(expectedPath) ? { expected: JSON.parse(readFileSync(expectedPath, 'utf8')) } : {}),
  };
}

function readTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(root)) return out;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(relative(root, full).split('\\').join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}

/**
 * Runs every detector and analyzer over the case and returns the findings of one rule. The analyzers get
 * only the unchanged files they ask for, bounded as in production (src/app/collect.ts).
 */
export function findingsOf(ruleId: string, files: ChangedFile[], unchanged: Map<string, string> = new Map()): Finding[] {
  // The unchanged source files are also what collect reads as context for the code detectors (imports).
  const context = [...unchanged].filter(([path]) => isSourcePath(path)).map(([path, text]) => ({ path, text }));
  const result = detectAll({ files, context, tree: treeOf(files, unchanged), config: defaultConfig(), today: '2026-11-23' });
  return result.findings.filter((f) => f.rule === ruleId);
}

/** What the collect step would have read for the analyzers from a case's unchanged files. */
export function treeOf(files: ChangedFile[], unchanged: Map<string, string>): TreeFiles {
  const asked = contextRequests(ANALYZERS, files);
  const headPaths = [...new Set([...unchanged.keys(), ...files.filter((f) => f.status !== 'deleted').map((f) => f.path)])].sort();
  const changed = new Set(files.flatMap((f) => (f.oldPath ? [f.path, f.oldPath] : [f.path])));
  const { paths } = pathsToRead(asked, headPaths, changed);
  const searched = searchCandidates(asked.searches, headPaths, changed).paths.filter(
    (p) => unchanged.has(p) && searchHit(asked.searches, p, unchanged.get(p)!),
  );
  const kept = [...new Set([...paths.filter((p) => unchanged.has(p)), ...searched.slice(0, MAX_SEARCH_HITS)])];
  return {
    unchanged: Object.fromEntries(kept.map((p) => [p, unchanged.get(p)!])),
    ...(asked.globs.length || asked.searches.length ? { headPaths } : {}),
  };
}

/** Findings a reviewer would be shown as a problem: not info (moved), not accepted. */
export function loud(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.severity !== 'info' && !f.accepted);
}
