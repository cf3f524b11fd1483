import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localFiles } from '../../src/adapters/fs/local-files.js';
import { openGitRepository } from '../../src/adapters/git/git-reader.js';
import type { Logger } from '../../src/adapters/ports.js';
import { runAnalysis } from '../../src/app/run-analysis.js';
import { UnreadableFileError } from '../../src/core/infra/define-analyzer.js';
import { dockerfileParser, loadParsersFor, semverOf, yarnClassicParser } from '../../src/core/infra/formats/parsers.js';
import { declarations } from '../../src/core/infra/formats/env.js';
import { parseWorkflow } from '../../src/core/infra/formats/workflow.js';
import { parseYaml } from '../../src/core/infra/formats/yaml.js';
import type { Report } from '../../src/core/model.js';
import { createPullRequestRepo, type Tree } from '../support/git-repo.js';

// The parsers of formats most pull requests do not touch are loaded by the collect step for the files
// that need one. The module state is this file's own (vitest isolates files), and the tests run in order:
// nothing is loaded when the first one starts.
const FIXTURES = join(import.meta.dirname, '../../fixtures/detectors');
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
const quiet: Logger = { debug() {}, info() {}, warning() {}, error() {} };

async function analyze(base: Tree, head: Tree): Promise<Report> {
  const repo = createPullRequestRepo(base, head);
  cleanups.push(() => repo.cleanup());
  const git = await openGitRepository(repo.dir);
  return runAnalysis(
    { git, localFiles, logger: quiet, cwd: repo.dir },
    { repoDir: repo.dir, base: repo.base, head: repo.head, hotspotFiles: [], coverageFiles: [] },
  );
}

describe('lazily loaded parsers', () => {
  it('loads a parser only for the paths that may need it', async () => {
    await loadParsersFor(['src/server.ts', '.github/workflows/ci.yml', 'docs/deploy.md']);
    expect(() => dockerfileParser()).toThrow(/not loaded/);
    expect(() => yarnClassicParser()).toThrow(/not loaded/);
    expect(() => semverOf()).toThrow(/not loaded/);

    await loadParsersFor(['packages/api/package.json']);
    expect(semverOf().satisfies('1.4.0', '^1.2.0')).toBe(true);
    expect(() => dockerfileParser()).toThrow(/not loaded/);

    await loadParsersFor(['deploy/api.Dockerfile']);
    expect(dockerfileParser().parse('FROM node:22\nUSER node\n').getFROMs()).toHaveLength(1);
    expect(() => yarnClassicParser()).toThrow(/not loaded/);
  });

  it('loads the parser of an unchanged file the analyzers asked for', async () => {
    // Only package.json changes; lockfile-drift reads the yarn.lock beside it from the head tree.
    const dir = join(FIXTURES, 'lockfile-drift/flagged/yarn-lock-regenerated-without-new-range');
    const before = {
      'package.json': readFileSync(join(dir, 'before/package.json'), 'utf8'),
      'yarn.lock': readFileSync(join(dir, 'before/yarn.lock'), 'utf8'),
    };
    const report = await analyze(before, { ...before, 'package.json': readFileSync(join(dir, 'after/package.json'), 'utf8') });
    expect(report.notes.filter((n) => /not loaded/.test(n))).toEqual([]);
    expect(report.findings.map((f) => f.rule)).toContain('lockfile-drift');
    expect(() => yarnClassicParser()).not.toThrow();
  });

  it('analyzes a changed Dockerfile with the parser loaded for it', async () => {
    const dir = join(FIXTURES, 'loosened-container-security/flagged/dockerfile-user-switched-to-root-for-curl');
    const report = await analyze(join(dir, 'before'), join(dir, 'after'));
    expect(report.notes.filter((n) => /not loaded/.test(n))).toEqual([]);
    expect(report.findings.map((f) => f.rule)).toContain('loosened-container-security');
  });
});

describe('shared parses', () => {
  it('parses a text once for every analyzer that reads it, and a text that fails each time', () => {
    const text = 'on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n';
    expect(parseWorkflow(text, 'head')).toBe(parseWorkflow(`${text}`, 'base'));
    const broken = 'on: [push\njobs: {\n';
    for (const side of ['base', 'head'] as const) {
      let error: unknown;
      try {
        parseWorkflow(broken, side);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UnreadableFileError);
      expect((error as UnreadableFileError).side).toBe(side);
    }
  });

  it("reads a workflow's env keys from the workflow analyzers' parse, and keeps what a parse of its own refused", () => {
    const text =
      'on: [push]\nenv:\n  NODE_OPTIONS: --max-old-space-size=4096\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      DATABASE_URL: postgres://localhost/test\n    steps:\n      - run: npm test\n';
    expect(declarations('.github/workflows/ci.yml', text)).toEqual(
      new Map([
        ['NODE_OPTIONS', 3],
        ['DATABASE_URL', 8],
      ]),
    );
    expect(parseYaml.known(text, 'head')).toBeDefined();
    expect(parseWorkflow(text, 'head').yaml).toBe(parseYaml.known(text, 'head'));
    // Duplicate keys: unreadable for the env analyzers, as they were.
    expect(declarations('.github/workflows/dup.yml', 'env:\n  A: 1\n  A: 2\njobs: {}\n')).toBeUndefined();
    // Several documents: not one workflow for the shared parse, read on their own (each document's keys).
    expect(declarations('.github/workflows/two.yml', 'env:\n  A: 1\n---\nenv:\n  B: 2\n')).toEqual(
      new Map([
        ['A', 2],
        ['B', 5],
      ]),
    );
    expect(declarations('.github/workflows/broken.yml', 'env: [\n')).toBeUndefined();
  });
});
