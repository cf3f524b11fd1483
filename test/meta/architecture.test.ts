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
  'ts-morph',
  'semver',
  'zod',
  'yaml',
  'picomatch',
  'es-module-lexer',
  'sarif' /* types only */,
  // Parsers of the non-code files the analyzers read (src/core/infra): text in, syntax trees out.
  '@yarnpkg/lockfile',
  '@yarnpkg/parsers',
  'dockerfile-ast',
  'libpg-query',
]);

/** The two entry points and their main modules: where the real adapters are wired. */
const ENTRY_POINTS = new Set(['src/cli.ts', 'src/index.ts', 'src/cli/main.ts', 'src/action/main.ts']);
/** Node modules that reach the file system or start processes. */
const IO_MODULES = new Set(['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:child_process', 'child_process']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
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
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process')
      found.push(`${rel(file)} uses process.${node.name.text}`);
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require')
      found.push(`${rel(file)} calls require()`);
    if (ts.isCallExpression(node) && node.expression.getText(sf) === 'Date.now') found.push(`${rel(file)} reads the clock (Date.now)`);
    if (ts.isNewExpression(node) && node.expression.getText(sf) === 'Date' && !node.arguments?.length)
      found.push(`${rel(file)} reads the clock (new Date())`);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** One import of a file: where it goes (a repo path for relative imports, else the package) and whether only types. */
interface Import {
  to: string;
  typeOnly: boolean;
}

function importDeclarationsOf(file: string): Import[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Import[] = [];
  for (const statement of sf.statements) {
    if (
      !(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) ||
      !statement.moduleSpecifier ||
      !ts.isStringLiteral(statement.moduleSpecifier)
    )
      continue;
    const spec = statement.moduleSpecifier.text;
    let typeOnly: boolean;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly || (!clause.name && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else typeOnly = statement.isTypeOnly;
    out.push({ to: spec.startsWith('.') ? target(file, spec) : spec, typeOnly });
  }
  return out;
}

/**
 * Who may import what, each rule with its reason beside it (the way dependency-cruiser's own
 * configuration reads). `from` picks the files a rule is about; their relative imports must match
 * `allow` (or `allowTypes`, for imports of types only); `packages` lists the packages they may use.
 */
interface DependencyRule {
  name: string;
  reason: string;
  from: RegExp;
  allow: RegExp[];
  allowTypes?: RegExp[];
  packages?: string[];
}

const DEPENDENCY_RULES: DependencyRule[] = [
  {
    name: 'detectors use only the detector kit',
    reason:
      'A detector is one file a newcomer can read on its own: its metadata, messages and inventory, built from the shared ' +
      'kit (define-detector, ast/, vocab/, paths) and the parse types. Reaching into the engine, the registry or another ' +
      'detector would couple rules that must stay independent, and hide vocabulary in a detector instead of vocab/.',
    from: /^src\/core\/detect\/detectors\//,
    allow: [
      /^src\/core\/detect\/define-detector\.ts$/,
      /^src\/core\/detect\/ast\//,
      /^src\/core\/detect\/vocab\//,
      /^src\/core\/paths\.ts$/,
      /^src\/core\/ts-morph-library\.ts$/,
    ],
    allowTypes: [/^src\/core\/parse\//, /^src\/core\/model\.ts$/],
    packages: ['ts-morph'],
  },
  {
    name: 'vocab/ is shared by detectors, never built on one',
    reason:
      'vocab/ answers one question per module (what is a route, a schema call, a log line) for every detector that asks; ' +
      'importing a detector or the engine would make the answer depend on one rule, or form a cycle.',
    from: /^src\/core\/detect\/vocab\//,
    allow: [
      /^src\/core\/detect\/vocab\//,
      /^src\/core\/detect\/ast\//,
      /^src\/core\/detect\/define-detector\.ts$/,
      /^src\/core\/paths\.ts$/,
      /^src\/core\/ts-morph-library\.ts$/,
    ],
    allowTypes: [/^src\/core\/parse\//, /^src\/core\/model\.ts$/],
    packages: ['ts-morph'],
  },
  {
    name: 'ast/ knows syntax, not guardrails',
    reason: 'ast/ holds tree walks and text helpers any code over the syntax tree may use; it knows nothing of detectors or vocabulary.',
    from: /^src\/core\/detect\/ast\//,
    allow: [/^src\/core\/detect\/ast\//, /^src\/core\/parse\/units\.ts$/, /^src\/core\/ts-morph-library\.ts$/],
    packages: ['ts-morph'],
  },
  {
    name: 'renderers read only the model',
    reason:
      'Every surface (text, JSON, SARIF, the PR comment, annotations) is a view of the Report: a renderer that reached into ' +
      'detectors or the engine could show something the Report does not say. The acceptance block is the one format the ' +
      'comment shares with the code that reads acceptances back.',
    from: /^src\/core\/render\//,
    allow: [/^src\/core\/model\.ts$/, /^src\/core\/render\//, /^src\/core\/accept\/store\.ts$/],
    packages: ['sarif'],
  },
];

describe('dependency rules', () => {
  const files = sourceFiles(SRC);
  for (const rule of DEPENDENCY_RULES) {
    it(`${rule.name}: ${rule.reason.split(':')[0]}`, () => {
      const scoped = files.filter((f) => rule.from.test(rel(f)));
      expect(scoped.length, `no file matches ${rule.from}`).toBeGreaterThan(0);
      const violations: string[] = [];
      for (const file of scoped) {
        for (const imported of importDeclarationsOf(file)) {
          const isPackage = !imported.to.startsWith('src/');
          const ok = isPackage
            ? (rule.packages ?? []).includes(imported.to)
            : rule.allow.some((r) => r.test(imported.to)) ||
              (imported.typeOnly && (rule.allowTypes ?? []).some((r) => r.test(imported.to)));
          if (!ok) violations.push(`${rel(file)} imports ${imported.to}${imported.typeOnly ? ' (types)' : ''}`);
        }
      }
      expect(violations, rule.reason).toEqual([]);
    });
  }
});

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
        if (to.startsWith('src/core/infra/analyzers/') || to.startsWith('src/core/detect/detectors/'))
          violations.push(`${rel(file)} imports ${spec}`);
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
