import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openGitRepository } from '../../src/adapters/git/git-reader.js';
import type { ReadTreeOptions } from '../../src/adapters/ports.js';
import { readHeadGraph } from '../../src/app/head-graph.js';
import { buildImportGraph } from '../../src/core/impact/graph.js';
import { initImportLexer } from '../../src/core/impact/imports.js';
import { createRepo, type FileMap, type TempRepo } from '../support/git-repo.js';

/** The git adapter's tree reader, as the impact stage reaches it. */
async function readHeadTree(dir: string, commit: string, options?: ReadTreeOptions) {
  return (await openGitRepository(dir)).readTree(commit, options);
}

// The head tree is read from git objects by a pipeline of one `ls-tree` and two `cat-file` processes
// whose output arrives in chunks of whatever size the pipe gives: these cases are built so that blobs
// straddle chunks (a 200 KB file, multi-byte characters), many small blobs share one chunk (700 modules),
// and the skipped and unreadable kinds of file are all present.

/** 700 modules in a chain (m0 imports m1 ...), a barrel, and a test at the far end. */
function chainTree(): FileMap {
  const files: FileMap = {
    'package.json': JSON.stringify({ name: 'chain', workspaces: ['packages/*'] }),
    'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@chain/*": ["src/*"] } }, } // trailing comma and a comment',
    'src/index.ts': "export * from './m0';\n",
    'test/chain.test.ts': "import { value0 } from '@chain/index';\nimport { test } from 'node:test';\ntest('x', () => value0);\n",
  };
  for (let i = 0; i < 700; i++) {
    const next = i < 699 ? `import { value${i + 1} } from './m${i + 1}.js';\n` : '';
    files[`src/m${i}.ts`] = `${next}export const value${i} = ${i < 699 ? `value${i + 1} + 1` : '0'};\n`;
  }
  // Bigger than a pipe chunk (64 KB), and full of characters that take two or three bytes in UTF-8, so
  // that chunk boundaries fall inside one.
  files['src/big.ts'] = `import { value0 } from './m0';\nexport const text = ${JSON.stringify('é€ü'.repeat(70_000))};\n`;
  return files;
}

describe('reading the head tree from git objects', () => {
  const repos: TempRepo[] = [];
  afterAll(() => repos.forEach((repo) => repo.cleanup()));

  it('reads every source and config of the commit, not of the work tree', async () => {
    const repo = createRepo();
    repos.push(repo);
    const files = chainTree();
    const head = repo.commit(files, 'chain');
    // A build step that rewrote a file after checkout must not change what the gate reads.
    writeFileSync(join(repo.dir, 'src/m5.ts'), "import './evil';\n");
    const delivered: string[] = [];
    let configsSeen: string[] | undefined;
    let sourcesWhenConfigsSeen = -1;
    const tree = await readHeadTree(repo.dir, head, {
      onSource: (path) => delivered.push(path),
      onConfigs: ({ configs }) => {
        configsSeen = [...configs.keys()].sort();
        sourcesWhenConfigsSeen = delivered.length;
      },
    });
    const sourcePaths = Object.keys(files).filter((path) => /\.ts$/.test(path));
    expect([...tree.sources.keys()].sort()).toEqual(sourcePaths.sort());
    expect(delivered.sort()).toEqual(sourcePaths.sort());
    for (const path of sourcePaths) expect(tree.sources.get(path)).toBe(files[path]);
    expect(configsSeen).toEqual(['package.json', 'tsconfig.json']);
    // Configs are announced before the sources are all in (that is what lets resolution start early)
    // or, at the latest, with them; never after the tree is returned.
    expect(sourcesWhenConfigsSeen).toBeGreaterThanOrEqual(0);
    expect(tree.paths.size).toBe(Object.keys(files).length);
    expect(tree.missing).toEqual([]);
  });

  it('skips node_modules and Yarn’s own files, and reports oversized and absent blobs as missing', async () => {
    const repo = createRepo();
    repos.push(repo);
    const head = repo.commit({
      'src/a.ts': "import { b } from './b';\n",
      'src/b.ts': 'export const b = 1;\n',
      'src/gone.ts': 'export const gone = "this blob will be deleted from the object store";\n',
      'src/huge.generated.js': `export const data = "${'x'.repeat(1_100_000)}";\n`,
      'node_modules/dep/index.js': 'module.exports = 1;\n',
      '.yarn/plugins/plugin.cjs': 'module.exports = {};\n',
    });
    // A partial clone that never fetched one blob: cat-file answers "missing" for it.
    const sha = repo.git('rev-parse', `${head}:src/gone.ts`);
    rmSync(join(repo.dir, '.git/objects', sha.slice(0, 2), sha.slice(2)));
    const tree = await readHeadTree(repo.dir, head);
    expect([...tree.sources.keys()].sort()).toEqual(['src/a.ts', 'src/b.ts']);
    expect(tree.missing.sort()).toEqual(['src/gone.ts', 'src/huge.generated.js']);
    // Skipped files are still part of the tree's listing (resolution must see they exist).
    expect(tree.paths.has('node_modules/dep/index.js')).toBe(true);
    expect(tree.paths.has('.yarn/plugins/plugin.cjs')).toBe(true);
  });

  it('reads a tree without any source or config', async () => {
    const repo = createRepo();
    repos.push(repo);
    const head = repo.commit({ 'README.md': '# docs only\n', 'assets/logo.svg': '<svg/>' });
    let announced = false;
    const { tree, graph } = await readHeadGraph(await openGitRepository(repo.dir), head);
    await readHeadTree(repo.dir, head, { onConfigs: () => (announced = true) });
    expect(announced).toBe(true);
    expect([...tree.paths].sort()).toEqual(['README.md', 'assets/logo.svg']);
    expect(graph.stats.files).toBe(0);
  });

  it('rejects, and stops git, when a callback throws', async () => {
    const repo = createRepo();
    repos.push(repo);
    const head = repo.commit(chainTree(), 'chain');
    await expect(
      readHeadTree(repo.dir, head, {
        onConfigs: () => {
          throw new Error('resolver broke');
        },
      }),
    ).rejects.toThrow('resolver broke');
    await expect(
      readHeadTree(repo.dir, head, {
        onSource: () => {
          throw new Error('lexer broke');
        },
      }),
    ).rejects.toThrow('lexer broke');
  });

  it('fails with git’s own message when the commit does not exist', async () => {
    const repo = createRepo();
    repos.push(repo);
    repo.commit({ 'a.ts': 'export {};\n' });
    await expect(readHeadTree(repo.dir, 'f'.repeat(40))).rejects.toThrow(
      /git ls-tree failed: .*(not a tree object|Not a valid object name)/,
    );
  });

  it('builds the same graph while streaming as from the texts at rest', async () => {
    const repo = createRepo();
    repos.push(repo);
    const files = chainTree();
    const head = repo.commit(files, 'chain');
    await initImportLexer();
    const streamed = await readHeadGraph(await openGitRepository(repo.dir), head);
    const texts = Object.fromEntries(Object.entries(files).map(([path, text]) => [path, String(text)]));
    const atRest = buildImportGraph({
      paths: new Set(Object.keys(texts)),
      sources: new Map(Object.entries(texts).filter(([path]) => path.endsWith('.ts'))),
      configs: new Map(Object.entries(texts).filter(([path]) => path.endsWith('.json'))),
    });
    expect([...streamed.graph.dependencies]).toEqual([...atRest.dependencies]);
    expect(streamed.graph.stats).toEqual(atRest.stats);
    // The far end of the chain reaches the test through 700 modules, the barrel and a paths alias.
    expect([...streamed.graph.dependentsClosure(['src/m699.ts'])].filter((path) => path.startsWith('test/'))).toEqual([
      'test/chain.test.ts',
    ]);
    expect(streamed.graph.specifiersOf('test/chain.test.ts')).toEqual(['@chain/index', 'node:test']);
    // Texts are not kept once their imports are extracted.
    expect(streamed.tree.sources.size).toBe(0);
  });
});
