import { describe, expect, it } from 'vitest';
import { detectChanges } from '../../src/core/analyze.js';
import { defaultConfig, parseConfig } from '../../src/core/config/config.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { extractImports, initImportLexer } from '../../src/core/impact/imports.js';
import { ModuleResolver } from '../../src/core/impact/resolver.js';
import { createTestMatcher } from '../../src/core/paths.js';
import type { ChangedFile, Finding, Report } from '../../src/core/model.js';
import { SyntaxParser } from '../../src/core/parse/parse.js';
import { extractUnits } from '../../src/core/parse/units.js';
import { renderAnnotations } from '../../src/core/render/annotations.js';
import { renderComment } from '../../src/core/render/comment.js';
import { renderMarkdown } from '../../src/core/render/markdown.js';
import { renderReviewComment } from '../../src/core/render/review.js';
import { buildSarif } from '../../src/core/render/sarif.js';
import { renderSummary } from '../../src/core/render/summary.js';
import { renderText } from '../../src/core/render/text.js';
import { htmlOutsideCode } from '../fuzz/pipeline.js';

const CLIENT_BASE = `import axios from 'axios';

export function createClient(baseURL: string) {
  return axios.create({ baseURL, timeout: 5000 });
}
`;
const CLIENT_HEAD = `import axios from 'axios';

export function createClient(baseURL: string) {
  return axios.create({ baseURL });
}
`;

function detect(files: ChangedFile[]) {
  return detectChanges({ files, context: [], config: defaultConfig(), today: '2026-01-01' });
}

/** A PR that removes a timeout in one file and touches `path` (with `text` on both sides) in another. */
function withHostileFile(path: string, text: string) {
  return detect([
    { path: 'src/client.ts', status: 'modified', base: CLIENT_BASE, head: CLIENT_HEAD },
    { path, status: 'modified', base: `${text}\n// base\n`, head: `${text}\n// head\n` },
  ]);
}

function seconds<T>(run: () => T): { value: T; seconds: number } {
  const started = performance.now();
  const value = run();
  return { value, seconds: (performance.now() - started) / 1000 };
}

const DEEP: Record<string, string> = {
  parentheses: `export const x = ${'('.repeat(1000)}1${')'.repeat(1000)};`,
  calls: `export const x = ${'f('.repeat(1000)}1${')'.repeat(1000)};`,
  'object literals': `export const x = ${'{ a: '.repeat(1000)}1${' }'.repeat(1000)};`,
  'array literals': `export const x = ${'['.repeat(1000)}1${']'.repeat(1000)};`,
  'nested ifs': `export function g(a: boolean) { ${'if (a) '.repeat(3000)}return 1; }`,
  'nested ifs with blocks': `export function g(a: boolean) { ${'if (a) { '.repeat(1000)}return 1;${' }'.repeat(1000)} }`,
  'a long + chain': `export const x = ${Array.from({ length: 3000 }, (_, i) => `a${i}`).join(' + ')};`,
  'nested arrow functions': `export const x = ${'() => '.repeat(3000)}1;`,
  'nested ternaries': `export const x = ${'a ? b : '.repeat(3000)}c;`,
};

// Time bounds here catch hangs, not speed: the old code took 40 s to minutes on these inputs, so each bound
// is set several times above what a loaded 2-core CI machine needs. Speed targets live in `npm run bench`.
describe('hostile input to the pure core', () => {
  for (const [kind, text] of Object.entries(DEEP)) {
    it(`skips a file of ${kind} with its reason and still judges the rest`, () => {
      const { value: result, seconds: took } = seconds(() => withHostileFile('src/deep.ts', text));
      expect(result.skipped).toContainEqual({ file: 'src/deep.ts', reason: expect.stringMatching(/nested too deeply/) });
      expect(result.findings.map((f) => [f.rule, f.file])).toContainEqual(['removed-timeout', 'src/client.ts']);
      expect(result.notes.filter((n) => /failed/.test(n))).toEqual([]);
      expect(took).toBeLessThan(20);
    });
  }

  it('skips the unclosed nested `f(async (c, …` that makes the parser backtrack, in bounded time', () => {
    for (const text of ['f(async (c, '.repeat(30), `${'f(async (c, '.repeat(30)}x${'))'.repeat(30)};`]) {
      const { value: result, seconds: took } = seconds(() => withHostileFile('src/backtrack.ts', text));
      expect(result.skipped).toContainEqual({ file: 'src/backtrack.ts', reason: expect.stringMatching(/bounded time/) });
      expect(result.findings.map((f) => f.rule)).toContain('removed-timeout');
      expect(took).toBeLessThan(15);
    }
    // Nested async arrow functions are ordinary code and are parsed.
    const arrows = `export const x = ${'f(async (c, d) => '.repeat(12)}1${')'.repeat(12)};`;
    expect(new SyntaxParser().parse('src/arrows.ts', arrows).ok).toBe(true);
  });

  it('scans `import` followed by thousands of blanks in linear time', async () => {
    await initImportLexer();
    for (const blanks of [' '.repeat(20_000), '\n'.repeat(20_000), ' \t'.repeat(10_000)]) {
      const { value, seconds: took } = seconds(() => extractImports(`import${blanks}x\nimport { a } from './a';\n`, 'src/view.tsx'));
      expect(took).toBeLessThan(4);
      expect(value.specifiers).toEqual(['./a']);
    }
    const many = seconds(() => extractImports('import import '.repeat(20_000), 'src/view.tsx'));
    expect(many.seconds).toBeLessThan(4);
    // The fallback still reads what it read before.
    const read = extractImports(
      `import a, { b } from "./a";\nexport * from './b';\nimport './c';\nimport type { T } from './t';\nconst v = <div/>;`,
      'src/v.tsx',
    );
    expect(read.specifiers).toEqual(['./a', './b', './c']);
    expect(read.kinds).toEqual(['named', 'star', 'bare']);
  });

  it('cuts a file of 10,000 top-level functions into units in linear time, exports by name included', () => {
    const text =
      Array.from({ length: 10_000 }, (_, i) => `function f${i}() { return ${i}; }`).join('\n') +
      '\nexport { f7, f9999 };\nmodule.exports.other = f3;\nexports.f5 = f5;\n';
    const parsed = new SyntaxParser().parse('src/many.ts', text);
    if (!parsed.ok) throw new Error(parsed.reason);
    const { value: units, seconds: took } = seconds(() => extractUnits(parsed.sourceFile, 'src/many.ts', 'head'));
    expect(took).toBeLessThan(15);
    const exported = units
      .filter((u) => u.exported && u.kind !== 'module')
      .map((u) => u.name)
      .sort();
    expect(exported).toEqual(['f3', 'f5', 'f7', 'f9999']);
  });

  it('counts lines as git does: a lone CR, U+2028 and U+2029 are not line breaks', () => {
    const prefix = '// one\r two\u2028 three\u2029 four\n';
    const result = detect([{ path: 'src/client.ts', status: 'modified', base: prefix + CLIENT_BASE, head: prefix + CLIENT_HEAD }]);
    const finding = result.findings.find((f) => f.rule === 'removed-timeout');
    const gitLine = (prefix + CLIENT_BASE).slice(0, (prefix + CLIENT_BASE).indexOf('timeout')).split('\n').length;
    expect(finding?.line).toBe(gitLine);
    expect(finding?.headLine).toBeLessThanOrEqual((prefix + CLIENT_HEAD).split('\n').length - 1);
    for (const unit of result.changedUnits) {
      const text = unit.side === 'base' ? prefix + CLIENT_BASE : prefix + CLIENT_HEAD;
      expect(unit.endLine).toBeLessThanOrEqual(text.split('\n').length - 1);
    }
  });

  it('rejects an empty glob in the configuration, naming its key', () => {
    for (const [yaml, key] of [
      ['include: [""]', 'include.0'],
      ['exclude: ["src/**", ""]', 'exclude.1'],
      ['tests:\n  patterns: [""]', 'tests.patterns.0'],
      ['critical-paths: ["  "]', 'critical-paths.0'],
    ] as const) {
      expect(() => parseConfig(yaml, 'gg.yml')).toThrow(ConfigurationError);
      expect(() => parseConfig(yaml, 'gg.yml')).toThrow(new RegExp(`gg\\.yml: ${key.replace(/\./g, '\\.')}: an empty glob`));
    }
  });

  it('ignores, with a note, an empty jest testMatch glob in the repository', () => {
    const notes: string[] = [];
    const isTest = createTestMatcher(
      [],
      new Map([['package.json', JSON.stringify({ jest: { testMatch: ['', '**/*.check.ts'] } })]]),
      notes,
    );
    expect(isTest('src/a.check.ts')).toBe(true);
    expect(isTest('src/a.ts')).toBe(false);
    expect(notes).toEqual([expect.stringMatching(/package\.json jest\.testMatch holds an unusable glob ""/)]);
  });

  it('resolves through workspaces globs such as "./" and packages whose main point at each other', () => {
    const configs = new Map([
      ['package.json', JSON.stringify({ name: 'root', workspaces: ['./', 'packages/*'] })],
      ['packages/a/package.json', JSON.stringify({ name: 'a', main: '../b' })],
      ['packages/b/package.json', JSON.stringify({ name: 'b', main: '../a' })],
      ['packages/c/package.json', `{ "name": "c", "exports": ${'['.repeat(5000)}"./x.js"${']'.repeat(5000)} }`],
    ]);
    const paths = new Set([...configs.keys(), 'packages/c/x.ts', 'src/index.ts']);
    const resolver = new ModuleResolver({ paths, configText: (p) => configs.get(p) });
    expect(resolver.resolve('a', 'src/index.ts')).toBeUndefined();
    expect(resolver.resolve('../packages/b', 'src/index.ts')).toBeUndefined();
    expect(resolver.resolve('c', 'src/index.ts')).toBeUndefined();
    expect(resolver.packageNames).toEqual(['a', 'b', 'c', 'root']);
  });
});

function report(findings: Finding[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'guardrail-gate', version: '0.1.0' },
    base: 'a'.repeat(40),
    head: 'b'.repeat(40),
    decision: 'fail',
    score: 64,
    level: 'high',
    failOn: 'high',
    contributions: [],
    findings,
    tests: { affected: ['test/x\r\r<!--.test.ts'], untested: [{ file: 'src/a.ts', symbol: 'b\r\r<!--' }] },
    hotspots: [],
    requiredChecks: [],
    ai: { authored: false, evidence: [] },
    stats: { filesChanged: 1, filesAnalyzed: 1, durationMs: 1 },
    skipped: [{ file: 'src/odd\r\r<!--.ts', reason: 'binary file' }],
    notes: [],
  };
}

/** PR text that tries to end the code span or the list item and open an HTML comment hiding what follows. */
const BREAKOUTS = [
  '\r\r<!-- ',
  '\r\n\r\n<!-- ',
  '\n\n<!-- ',
  '\u2028\u2028<!-- ',
  '\u2029<!-- ',
  '\x1b[2J\x07\x00<!-- ',
  '\v\f\u0085<!-- ',
];

describe('PR text in the renderers', () => {
  for (const breakout of BREAKOUTS) {
    const label = JSON.stringify(breakout);
    it(`neutralises ${label} in the comment, summary, review comment, annotations and terminal`, () => {
      const finding: Finding = {
        id: 'f1',
        rule: 'removed-timeout',
        category: 'timeout',
        severity: 'high',
        file: `src/a${breakout}.ts`,
        line: 3,
        side: 'head',
        symbol: `Client[${breakout}key]`,
        message: `The timeout on ${breakout}call was removed.`,
        evidence: { removed: `timeout: 5000${breakout}`, name: `x${breakout}` },
      };
      const second: Finding = { ...finding, id: 'f2', symbol: 'Visible.second', message: 'Second finding stays visible.' };
      const r = report([finding, second]);
      const markdowns = [renderComment(r), renderSummary(r), renderMarkdown(r), renderReviewComment(finding).body];
      for (const markdown of markdowns) {
        // Only our own markers are HTML comments; nothing from the PR opens one outside code.
        expect(htmlOutsideCode(markdown)).toEqual([]);
        // eslint-disable-next-line no-control-regex
        expect(markdown).not.toMatch(/[\r\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u0085]/);
      }
      expect(renderComment(r)).toContain('Second finding stays visible.');
      for (const annotation of renderAnnotations(r)) {
        // eslint-disable-next-line no-control-regex
        expect(annotation.message + annotation.title).not.toMatch(/[\r\n\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u0085]/);
      }
      // eslint-disable-next-line no-control-regex
      expect(renderText(r, { color: false })).not.toMatch(/[\r\u2028\u2029\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u0085]/);
    });
  }

  it('percent-encodes #, ? and other reserved characters in SARIF URIs', () => {
    const base: Finding = {
      id: 'f',
      rule: 'removed-timeout',
      category: 'timeout',
      severity: 'high',
      file: 'src/a#b?c%d e.ts',
      line: 1,
      side: 'head',
      message: 'm',
    };
    const sarif = buildSarif(report([base]), []);
    const uri = sarif.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri!;
    expect(uri).toBe('src/a%23b%3Fc%25d%20e.ts');
    expect(decodeURIComponent(uri)).toBe(base.file);
  });
});

describe('names with regular-expression metacharacters', () => {
  for (const name of ["['a(b']", "['x.*+?']", '["$&"]', "['[']", "['a|b']"]) {
    it(`still reports the removal when the deleted unit is named ${name}`, () => {
      const base = `import axios from 'axios';\n\nconst handlers = {\n  ${name}: async (url: string) => axios.get(url, { timeout: 5000 }),\n  other: () => 1,\n};\n\nexport default handlers;\n`;
      const head = `import axios from 'axios';\n\nconst handlers = {\n  other: () => 1,\n};\n\nexport default handlers;\n`;
      const result = detect([{ path: 'src/handlers.ts', status: 'modified', base, head }]);
      expect(result.notes.filter((n) => /failed/.test(n))).toEqual([]);
      expect(result.findings.map((f) => [f.rule, f.line])).toContainEqual(['removed-timeout', 4]);
    });
  }
});

describe('limits that hold', () => {
  it('lists the files not reached within the time budget as skipped, and still judges the ones before', () => {
    let asked = 0;
    const result = detectChanges({
      files: [
        { path: 'src/client.ts', status: 'modified', base: CLIENT_BASE, head: CLIENT_HEAD },
        { path: 'src/later.ts', status: 'modified', base: CLIENT_BASE, head: CLIENT_HEAD },
      ],
      context: [],
      config: defaultConfig(),
      outOfTime: () => asked++ > 0,
    });
    expect(result.findings.map((f) => f.file)).toEqual(['src/client.ts']);
    expect(result.skipped).toEqual([
      { file: 'src/later.ts', reason: expect.stringMatching(/time budget \(time-budget-seconds\) was spent/) },
    ]);
  });
});
