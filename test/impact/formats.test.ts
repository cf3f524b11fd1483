import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCoverage, v8LineCounts } from '../../src/core/impact/coverage.js';
import { mapRecords, matchHotspots, parseCsv, parseHotspots } from '../../src/core/impact/hotspots.js';
import { buildImportGraph } from '../../src/core/impact/graph.js';
import { extractImports, initImportLexer } from '../../src/core/impact/imports.js';
import { parseJsonc } from '../../src/core/impact/jsonc.js';
import { normalizeProductionPath, ProductionPathMapper } from '../../src/core/impact/prod-paths.js';
import { testCommand } from '../../src/core/impact/runner.js';
import { classifyCommitMessage } from '../../src/core/impact/scars.js';
import { createTestMatcher } from '../../src/core/paths.js';
import type { ChangedUnit } from '../../src/core/model.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const read = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');

/** Every file of the fixture monorepo (base and head together), as production paths map onto them. */
function monorepoPaths(): string[] {
  const paths = new Set<string>();
  const walk = (root: string, dir = ''): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(root, relative);
      else paths.add(relative);
    }
  };
  walk(join(FIXTURES, 'impact/monorepo/base'));
  walk(join(FIXTURES, 'impact/monorepo/head-overlay'));
  return [...paths].sort();
}

const unit = (file: string, symbol: string, startLine: number, endLine: number): ChangedUnit => ({
  file,
  symbol,
  side: 'head',
  startLine,
  endLine,
  status: 'modified',
});

describe('import extraction', () => {
  beforeAll(() => initImportLexer());

  it('keeps run-time imports and drops type-only ones', () => {
    const source = [
      "import type { A } from './a';",
      "import { type B, c } from './b';",
      "export type { D } from './d';",
      "export * from './e';",
      "export { f } from './f';",
      "const g = require('./g');",
      "const h = await import('./h');",
      "let i: import('./i').T;",
      'const j = import(`./locale/${lang}.js`);',
    ].join('\n');
    expect(extractImports(source, 'src/x.ts')).toEqual({
      specifiers: ['./b', './e', './f', './h', './g'],
      kinds: ['named', 'star', 'named', 'dynamic', 'require'],
      names: [['c'], undefined, ['f'], undefined, undefined],
      fallback: false,
      typeOnlyModule: false,
      typeExports: ['D'],
      valueExports: ['f'],
    });
    expect(extractImports("export * as ns from './n';\nexport *   from './m';\n", 'src/barrel.ts').kinds).toEqual(['namespace', 'star']);
    expect(
      extractImports(
        "import d, { a, type T, b as c } from './x';\nimport * as ns from './y';\nexport type U = 1;\nexport interface V {}\nexport const w = 1;\n",
        'src/z.ts',
      ),
    ).toMatchObject({
      names: [['default', 'a', 'b'], undefined],
      typeExports: ['U', 'V'],
    });
    expect(
      extractImports('export interface A { a: string }\nexport type B = A;\nexport declare const c: B;\n', 'src/types.ts').typeOnlyModule,
    ).toBe(true);
    expect(extractImports('export interface A { a: string }\nexport enum E { X }\n', 'src/enum.ts').typeOnlyModule).toBe(false);
  });

  it('reads JSX files with the fallback scan', () => {
    const source =
      "import React from 'react';\nimport type { P } from './p';\nimport { Button } from './Button';\nexport const App = () => <Button onClick={() => import('./lazy')} />;\nconst legacy = require('./legacy');\n";
    const result = extractImports(source, 'src/App.tsx');
    expect(result.fallback).toBe(true);
    expect(result.specifiers).toEqual(['react', './Button', './lazy', './legacy']);
    expect(result.kinds).toEqual(['named', 'named', 'dynamic', 'require']);
  });

  it('falls back when the lexer cannot read a .ts file', () => {
    const result = extractImports("import { a } from './a';\nconst x = <T,>(v: T) => <div>{v}</div>;", 'src/odd.ts');
    expect(result.specifiers).toContain('./a');
  });
});

describe('import graph', () => {
  beforeAll(() => initImportLexer());

  const graphOf = (files: Record<string, string>) => {
    const sources = new Map(Object.entries(files).filter(([path]) => !path.endsWith('.json')));
    const configs = new Map(Object.entries(files).filter(([path]) => path.endsWith('.json')));
    return buildImportGraph({ paths: new Set(Object.keys(files)), sources, configs });
  };

  it('leaves out named imports of type-only modules, as the compiler elides them, but keeps star re-exports and side-effect imports', () => {
    const graph = graphOf({
      'src/types.ts': 'export interface Order { id: string }\n',
      'src/uses-types.ts': "import { Order } from './types';\nexport const id = (o: Order) => o.id;\n",
      'src/barrel.ts': "export * from './types';\n",
      'src/side.ts': "import './types';\n",
      'src/uses-barrel.ts': "import { Order } from './barrel';\nexport let o: Order;\n",
      'src/values.ts': 'export const ZERO = 0;\n',
      'src/mixed-barrel.ts': "export * from './types';\nexport * from './side';\nexport * from './values';\n",
      'src/uses-mixed.ts': "import { Order } from './mixed-barrel';\nexport let o: Order;\n",
      'src/uses-mixed-value.ts': "import { Order, ZERO } from './mixed-barrel';\nexport const o: Order | number = ZERO;\n",
    });
    // A barrel of type-only modules is type-only itself; one that also re-exports values is not, but an
    // import of nothing but its type names is still dropped by the compiler.
    expect(graph.dependencies.get('src/uses-barrel.ts')).toEqual([]);
    expect(graph.dependencies.get('src/uses-mixed.ts')).toEqual([]);
    expect(graph.dependencies.get('src/uses-mixed-value.ts')).toEqual(['src/mixed-barrel.ts']);
    expect(graph.dependencies.get('src/uses-types.ts')).toEqual([]);
    expect(graph.dependencies.get('src/barrel.ts')).toEqual(['src/types.ts']);
    expect(graph.dependencies.get('src/side.ts')).toEqual(['src/types.ts']);
    expect(graph.stats.typeOnlyImports).toBe(3);
  });

  it('leaves out an import that binds only names the target exports as types', () => {
    const graph = graphOf({
      'src/schema.ts': 'export const Order = {};\nexport type TOrder = { id: string };\n',
      'src/type-user.ts': "import { TOrder } from './schema';\nexport const f = (o: TOrder) => o;\n",
      'src/value-user.ts': "import { Order, TOrder } from './schema';\nexport const g = (o: TOrder) => Order;\n",
      'src/inline-type.ts': "import { type Order } from './schema';\nexport let h: Order;\n",
    });
    expect(graph.dependencies.get('src/type-user.ts')).toEqual([]);
    expect(graph.dependencies.get('src/inline-type.ts')).toEqual([]);
    expect(graph.dependencies.get('src/value-user.ts')).toEqual(['src/schema.ts']);
  });

  it('follows export * barrels to find the names a module exports only as types', () => {
    const graph = graphOf({
      'types/index.ts': "export * from './orders';\nexport * from './money';\nexport * as legacy from './legacy';\n",
      'types/orders.ts': "export interface OrderDTO { id: string }\nexport type OrderStatus = 'open' | 'paid';\n",
      'types/money.ts': 'export const ZERO = 0;\nexport type Cents = number;\n',
      'types/legacy.ts': 'export interface OldOrder { id: number }\n',
      'types/shadowing.ts': "export * from './orders';\nexport const OrderStatus = { open: 'open' };\n",
      'types/cycle-a.ts': "export * from './cycle-b';\n",
      'types/cycle-b.ts': "export * from './cycle-a';\nexport interface Looped {}\n",
      'src/only-types.ts': "import { OrderDTO, Cents } from '../types';\nexport let o: OrderDTO | Cents;\n",
      'src/value-too.ts': "import { OrderDTO, ZERO } from '../types';\nexport const z: OrderDTO | number = ZERO;\n",
      'src/namespace-name.ts': "import { OldOrder } from '../types';\nexport let l: OldOrder;\n",
      'src/shadowed.ts': "import { OrderStatus } from '../types/shadowing';\nexport const s = OrderStatus.open;\n",
      'src/looped.ts': "import { Looped } from '../types/cycle-a';\nexport let l: Looped;\n",
    });
    expect(graph.dependencies.get('src/only-types.ts')).toEqual([]);
    expect(graph.dependencies.get('src/value-too.ts')).toEqual(['types/index.ts']);
    // `export * as legacy` passes on one name, `legacy`, not the names inside it.
    expect(graph.dependencies.get('src/namespace-name.ts')).toEqual(['types/index.ts']);
    // The barrel's own value OrderStatus wins over the type of the same name from its star.
    expect(graph.dependencies.get('src/shadowed.ts')).toEqual(['types/shadowing.ts']);
    expect(graph.dependencies.get('src/looped.ts')).toEqual([]);
  });

  it('maps a subpath export in build output back to its own source folder, not the package root', () => {
    const graph = graphOf({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['packages/*'] }),
      'packages/framework/package.json': JSON.stringify({
        name: '@x/framework',
        exports: { '.': './dist/index.js', './types': './dist/types/index.js', './esm': './dist/esm/esm/index.js' },
      }),
      'packages/framework/src/index.ts': 'export const root = 1;\n',
      'packages/framework/src/types/index.ts': 'export const typesEntry = 1;\n',
      'packages/framework/src/esm/index.ts': 'export const esmEntry = 1;\n',
      'packages/app/src/app.ts':
        "import { typesEntry } from '@x/framework/types';\nimport { esmEntry } from '@x/framework/esm';\nimport { root } from '@x/framework';\n",
    });
    // `types` and `esm` are also build-output folder names: only as many are stripped as needed.
    expect(graph.dependencies.get('packages/app/src/app.ts')).toEqual([
      'packages/framework/src/types/index.ts',
      'packages/framework/src/esm/index.ts',
      'packages/framework/src/index.ts',
    ]);
  });

  it('resolves package imports (#internal), exports folder mappings and wildcard subpaths', () => {
    const graph = graphOf({
      'package.json': JSON.stringify({ name: 'root', workspaces: ['pkgs/*'], imports: { '#db/*': './src/db/*.ts' } }),
      'src/app.ts': "import { q } from '#db/query';\nimport { icon } from '@x/ui/icons/star';\nimport { legacy } from '@x/ui/old/thing';\n",
      'src/db/query.ts': 'export const q = 1;\n',
      'pkgs/ui/package.json': JSON.stringify({
        name: '@x/ui',
        exports: { './icons/*': { import: './dist/icons/*.mjs' }, './old/': './lib/old/' },
      }),
      'pkgs/ui/src/icons/star.ts': 'export const icon = 1;\n',
      'pkgs/ui/lib/old/thing.js': 'exports.legacy = 1;\n',
    });
    expect(graph.dependencies.get('src/app.ts')).toEqual(['src/db/query.ts', 'pkgs/ui/src/icons/star.ts', 'pkgs/ui/lib/old/thing.js']);
  });
});

describe('test command', () => {
  const context = {
    paths: new Set(['package.json', 'vitest.config.ts', 'src/a.test.ts', "src/it's.test.ts"]),
    configs: new Map([['package.json', '{"name":"x"}']]),
    importsOf: (): string[] | undefined => undefined,
  };

  it('uses the runner the repository configures and quotes odd paths', () => {
    expect(testCommand(['src/a.test.ts', "src/it's.test.ts"], context)).toBe(`npx vitest run src/a.test.ts 'src/it'\\''s.test.ts'`);
  });

  it('fills a configured template', () => {
    expect(testCommand(['src/a.test.ts'], context, 'pnpm test -- {files} --bail')).toBe('pnpm test -- src/a.test.ts --bail');
    expect(testCommand(['src/a.test.ts'], context, 'make test FILES=')).toBe('make test FILES= src/a.test.ts');
    expect(testCommand([], context)).toBeUndefined();
  });
});

describe('tsconfig reading', () => {
  it('accepts comments and trailing commas', () => {
    expect(parseJsonc('{\n // c\n "a": "http://x", /* b */ "b": [1, 2,],\n}')).toEqual({ a: 'http://x', b: [1, 2] });
    expect(parseJsonc('{ not json')).toBeUndefined();
  });
});

describe('test file recognition', () => {
  it('follows the common conventions and leaves helpers out', () => {
    const isTest = createTestMatcher([], new Map());
    const tests = [
      'src/a.test.ts',
      'src/b.spec.tsx',
      'lib/c-test.mjs',
      'src/__tests__/d.ts',
      'test/e.js',
      'packages/x/tests/f.ts',
      'test.js',
    ];
    const notTests = [
      'src/latest.ts',
      'test/helpers/server.js',
      'test/fixtures/app.test.ts',
      'src/__tests__/__fixtures__/x.ts',
      'src/test-utils.ts',
      'src/a.test.d.ts',
      'test/setup.ts',
      'README.md',
      'src/providers/base-specs.tsx',
      'src/__tests__/joiner/helpers.ts',
    ];
    expect(tests.filter(isTest)).toEqual(tests);
    expect(notTests.filter(isTest)).toEqual([]);
  });

  it('adds globs from configuration and package.json jest.testMatch', () => {
    const configs = new Map([['packages/web/package.json', JSON.stringify({ jest: { testMatch: ['**/checks/**/*.ts'] } })]]);
    const isTest = createTestMatcher(['e2e/**/*.e2e.ts'], configs);
    expect(isTest('e2e/login.e2e.ts')).toBe(true);
    expect(isTest('packages/web/src/checks/price.ts')).toBe(true);
    expect(isTest('packages/web/src/price.ts')).toBe(false);
  });
});

describe('production path mapping', () => {
  const mapper = new ProductionPathMapper(monorepoPaths());

  it('maps containerized, transpiled, URL and Windows paths onto the repository', () => {
    expect(mapper.map('/app/packages/app/dist/checkout.js')).toBe('packages/app/src/checkout.ts');
    expect(mapper.map('file:///home/runner/work/mono/mono/packages/shared/src/timeout.ts')).toBe('packages/shared/src/timeout.ts');
    expect(mapper.map('C:\\build\\mono\\packages\\app\\src\\refund.ts')).toBe('packages/app/src/refund.ts');
    expect(mapper.map('/var/task/packages/app/dist/audit.cjs')).toBe('packages/app/src/audit.cjs');
    expect(mapper.map('webpack:///./packages/pricing/src/format.ts?abc')).toBe('packages/pricing/src/format.ts');
  });

  it('refuses third-party code, unknown files and ambiguous names', () => {
    expect(mapper.map('/app/node_modules/express/lib/router/index.js')).toBeUndefined();
    expect(mapper.map('/app/packages/gone/dist/thing.js')).toBeUndefined();
    // Two index.ts files in the repository and nothing in the path to choose between them.
    expect(mapper.map('/srv/index.js')).toBeUndefined();
    expect(normalizeProductionPath('/app/src/x.js:12:7')).toBe('/app/src/x.js');
  });
});

describe('hotspot formats', () => {
  const mapper = new ProductionPathMapper(monorepoPaths());

  it('aggregates OTLP spans by code location, with both attribute conventions', () => {
    const records = parseHotspots(read('hotspots/otlp-traces.json'), 'otlp-traces.json');
    const checkout = records.find((record) => record.function === 'checkout')!;
    expect(checkout).toMatchObject({ source: 'otlp', path: '/app/packages/app/dist/checkout.js', calls: 10, errors: 1, line: 5 });
    expect(checkout.p95).toBe(250);
    expect(records.find((record) => record.path.endsWith('timeout.ts'))).toMatchObject({
      function: 'shared.timeout.withTimeout',
      calls: 3,
      errors: 0,
      line: 1,
    });
    const { mapped, unmapped } = mapRecords(records, mapper);
    expect(mapped.map((record) => record.file).sort()).toEqual(['packages/app/src/checkout.ts', 'packages/shared/src/timeout.ts']);
    expect(unmapped).toEqual(['/app/node_modules/express/lib/router/index.js', '/app/packages/gone/dist/thing.js']);
  });

  it('reads the OTLP file exporter (one request per line) like the single document', () => {
    const lines = parseHotspots(read('hotspots/otlp-traces.jsonl'), 'otlp-traces.jsonl');
    expect(lines.find((record) => record.function === 'checkout')).toMatchObject({ calls: 10, errors: 1 });
  });

  it('reads function call counts from NODE_V8_COVERAGE output and skips node internals', () => {
    const records = parseHotspots(read('hotspots/coverage-4242-1763900000000-0.json'), 'v8');
    expect(records).toEqual([{ source: 'v8', path: 'file:///app/packages/legacy/lib/retry.js', function: 'retry', calls: 1200 }]);
  });

  it('reads Istanbul function counts with their lines', () => {
    const records = parseHotspots(read('hotspots/istanbul-functions.json'), 'istanbul');
    expect(records).toEqual([
      {
        source: 'istanbul',
        path: '/home/runner/work/mono/mono/packages/pricing/src/format.ts',
        function: 'formatPrice',
        line: 3,
        calls: 5400,
      },
    ]);
  });

  it('reads a CSV and a JSON export with column aliases', () => {
    const csv = parseHotspots(read('hotspots/apm-export.csv'), 'apm.csv');
    expect(csv[0]).toEqual({
      source: 'csv',
      path: '/var/task/packages/app/dist/report.js',
      function: 'buildReport',
      calls: 300,
      errors: 2,
      p95: 45,
    });
    const json = parseHotspots(read('hotspots/apm-export.json'), 'apm.json');
    expect(json[1]).toEqual({ source: 'csv', path: 'C:\\build\\mono\\packages\\app\\src\\refund.ts', function: 'refund', calls: 42 });
    expect(parseCsv('a,b\n"x, ""y""",2\r\n')).toEqual([{ a: 'x, "y"', b: '2' }]);
    expect(() => parseHotspots('name,value\nx,1\n', 'bad.csv')).toThrow(/file column/);
  });

  it('weighs changed units by their production calls, hottest first', () => {
    const records = [
      ...parseHotspots(read('hotspots/otlp-traces.json'), 'otlp'),
      ...parseHotspots(read('hotspots/istanbul-functions.json'), 'istanbul'),
      ...parseHotspots(read('hotspots/apm-export.csv'), 'csv'),
    ];
    const { mapped } = mapRecords(records, mapper);
    const hotspots = matchHotspots(
      mapped,
      [
        unit('packages/pricing/src/format.ts', 'formatPrice', 3, 5),
        unit('packages/app/src/checkout.ts', 'checkout', 5, 8),
        unit('packages/app/src/report.ts', 'buildReport', 1, 3),
        unit('packages/app/src/orphan.ts', 'orphan', 1, 3),
      ],
      [],
    );
    expect(hotspots.map((h) => [h.file, h.symbol, h.source])).toEqual([
      ['packages/pricing/src/format.ts', 'formatPrice', 'istanbul'],
      ['packages/app/src/report.ts', 'buildReport', 'csv'],
      ['packages/app/src/checkout.ts', 'checkout', 'otlp'],
    ]);
    expect(hotspots[0]!.weight).toBe(1);
    expect(hotspots[2]!.figures).toEqual({ calls: 10, errors: 1, p95: 250 });
    // Errors raise a weight: 10 calls with 1 error weigh more than 10 calls alone would.
    expect(hotspots[2]!.weight).toBeGreaterThan(Math.log1p(10) / Math.log1p(5400));
    expect(hotspots[2]!.weight).toBeLessThan(hotspots[1]!.weight);
  });
});

describe('coverage formats', () => {
  it('reads lcov line hits', () => {
    const { format, files } = parseCoverage(read('coverage/lcov.info'), 'lcov.info');
    expect(format).toBe('lcov');
    expect(files[0]!.path).toBe('/home/runner/work/mono/mono/packages/shared/src/timeout.ts');
    expect([...files[0]!.lines!]).toEqual([
      [1, 4],
      [2, 0],
    ]);
  });

  it('reads Istanbul statement hits as line hits', () => {
    const { format, files } = parseCoverage(read('coverage/coverage-final.json'), 'coverage-final.json');
    expect(format).toBe('istanbul');
    expect([...files[0]!.lines!]).toEqual([[4, 0]]);
  });

  it('turns V8 block ranges into line hits against the executed text', () => {
    const { format, files } = parseCoverage(read('coverage/v8/coverage-999-1763900000000-0.json'), 'v8.json');
    expect(format).toBe('v8');
    const text = read('impact/monorepo/head-overlay/packages/app/src/report.ts');
    expect([...v8LineCounts(files[0]!.v8!, text)]).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect([
      ...v8LineCounts(
        [
          {
            functionName: '',
            ranges: [
              { startOffset: 0, endOffset: 40, count: 3 },
              { startOffset: 12, endOffset: 30, count: 0 },
            ],
          },
        ],
        'const a = 1;\nif (x) {\n  y();\n}\nz();',
      ),
    ]).toEqual([
      [1, 3],
      [2, 0],
      [3, 0],
      [5, 3],
    ]);
    expect(() => parseCoverage('hello', 'x.txt')).toThrow(/not a coverage file/);
  });
});

describe('scar classification', () => {
  it.each([
    ['fix: add timeout to the billing client (#123)', 'fix'],
    ['Add retry around webhook delivery\n\nFixes #88', 'fix'],
    ['fix(api): timeout after checkout outage', 'incident'],
    ['Hotfix for INC-2211: cap payload size', 'incident'],
    ['Validate redirect target (CVE-2024-1234)', 'security'],
    ['Revert "Remove idempotency key"', 'revert'],
    ['Prevent SQL injection in search', 'security'],
    ['Fix crash when the queue is empty', 'fix'],
    ['fix(auth): check the signature before parsing', 'fix'],
    ['Fixed the race in the cache refresh', 'fix'],
    ['feat: add login page\n\nFixes a XSS in the preview (GHSA-abcd-efgh-ijkl)', 'security'],
  ])('%s -> %s', (message, kind) => {
    expect(classifyCommitMessage(message)).toBe(kind);
  });

  it.each([
    'feat: add billing client',
    'refactor: extract helper (#77)',
    'Use dependency injection for the mailer',
    'chore(deps): bump zod',
    'Update prefix handling',
    // A word in a feature's subject is not evidence of a fix: the conventional type says what the commit is.
    'feat: add security settings page',
    'feat(upload): retry and fix timeout error handling',
    'feat(queue): rollback command',
    'Add regression tests for the parser',
    'feat: dashboard\n\nCloses #12',
    'docs: explain the XSS protections',
    'perf: fix the hot path allocation',
    'Add rollback support to migrations',
    'Merge master in next (#1954)\n\n* fix: prevent XSS in the error page',
    "Merge branch 'main' into next\n\nFixes #12",
  ])('%s is not a scar', (message) => {
    expect(classifyCommitMessage(message)).toBeUndefined();
  });
});
