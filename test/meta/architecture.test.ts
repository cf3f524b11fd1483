import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';

// The dependency rules of the codebase, enforced on every test run rather than hoped for
// (research/style.md §10.3): the core is pure, detectors are independent, adapters stay thin.
const ROOT = join(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/** Packages the pure core may use: parsing, schema and glob libraries that do no I/O. */
const CORE_PACKAGES = new Set([
  'ts-morph', 'semver', 'zod', 'yaml', 'picomatch', 'es-module-lexer', 'sarif' /* types only */,
  // Parsers of the non-code files the analyzers read (src/core/infra): text in, syntax trees out.
  '@yarnpkg/lockfile', '@yarnpkg/parsers', 'dockerfile-ast', 'libpg-query',
]);

/** The two entry points and their main modules: where the real adapters are wired. */
const ENTRY_POINTS = new Set(['src/cli.ts', 'src/index.ts', 'src/cli/main.ts', 'src/action/main.ts']);
/** Node modules that reach the file system or start processes. */
const IO_MODULES = new Set(['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:child_process', 'child_process']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

const rel = (file: string): string => relative(ROOT, file).split('\\').join('/');
const target = (file: string, specifier: string): string => rel(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));

/** Calls that reach the environment or the clock, found in the syntax tree (comments and strings don't count). */
function impureCalls(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process') found.push(`${rel(file)} uses process.${node.name.text}`);
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') found.push(`${rel(file)} calls require()`);
    if (ts.isCallExpression(node) && node.expression.getText(sf) === 'Date.now') found.push(`${rel(file)} reads the clock (Date.now)`);
    if (ts.isNewExpression(node) && node.expression.getText(sf) === 'Date' && !node.arguments?.length) found.push(`${rel(file)} reads the clock (new Date())`);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('keeps src/core pure: only core modules and I/O-free packages', () => {
    const violations: string[] = [];
    for (const file of files.filter((f) => rel(f).startsWith('src/core/'))) {
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) {
          if (!target(file, spec).startsWith('src/core/')) violations.push(`${rel(file)} imports ${spec}`);
        } else if (!CORE_PACKAGES.has(spec.split('/')[0]!.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)) {
          violations.push(`${rel(file)} imports ${spec}`);
        }
      }
      violations.push(...impureCalls(file));
    }
    expect(violations).toEqual([]);
  });

  it('keeps detectors independent of each other', () => {
    const violations: string[] = [];
    for (const file of files.filter((f) => rel(f).startsWith('src/core/detect/detectors/'))) {
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        const to = target(file, spec);
        if (to.startsWith('src/core/detect/detectors/')) violations.push(`${rel(file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps analyzers of non-code files independent of each other and of the code detectors', () => {
    const violations: string[] = [];
    for (const file of files.filter((f) => rel(f).startsWith('src/core/infra/analyzers/'))) {
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        const to = target(file, spec);
        if (to.startsWith('src/core/infra/analyzers/') || to.startsWith('src/core/detect/detectors/')) violations.push(`${rel(file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps adapters away from detectors', () => {
    const violations: string[] = [];
    for (const file of files.filter((f) => rel(f).startsWith('src/adapters/'))) {
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        if (target(file, spec).startsWith('src/core/detect/')) violations.push(`${rel(file)} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  /**
   * Import rules in the manner of dependency-cruiser's configuration: each names who it applies to, what
   * they may not import, and why.
   */
  const RULES: { name: string; reason: string; from: (file: string) => boolean; forbidden: (target: string) => boolean }[] = [
    {
      name: 'app-through-ports',
      reason:
        'src/app/ is the pipeline: it takes its git, file and logging adapters as parameters (ports.ts), so that ' +
        'any adapter can be swapped or pointed at a temp folder without touching the pipeline.',
      from: (file) => file.startsWith('src/app/'),
      forbidden: (to) => to.startsWith('src/adapters/') && to !== 'src/adapters/ports.ts',
    },
    {
      name: 'io-in-adapters',
      reason:
        'Reading files and starting processes is what adapters are for; the entry points and their main modules ' +
        'wire them. Anywhere else, I/O is hidden from the tests and from review.',
      from: (file) => !file.startsWith('src/adapters/') && !ENTRY_POINTS.has(file),
      forbidden: (to) => IO_MODULES.has(to),
    },
    {
      name: 'one-way-to-run-git',
      reason:
        'Every git command must carry the same neutral options (no textconv, filters, hooks, fsmonitor, pager, ' +
        'prompt or unintended network) so a repository cannot make git run its code: only src/adapters/git/git.ts spawns.',
      from: (file) => file !== 'src/adapters/git/git.ts',
      forbidden: (to) => to === 'node:child_process' || to === 'child_process',
    },
  ];

  it.each(RULES)('rule $name', (rule) => {
    const violations: string[] = [];
    for (const file of files) {
      const from = rel(file);
      if (!rule.from(from)) continue;
      for (const spec of importsOf(file)) {
        const to = spec.startsWith('.') ? target(file, spec) : spec;
        if (rule.forbidden(to)) violations.push(`${from} imports ${spec}`);
      }
    }
    expect(violations, rule.reason).toEqual([]);
  });
});
