#!/usr/bin/env node
// Bundles the command line (src/cli.ts -> dist/cli.js) and the Action (src/index.ts -> dist/index.js) with
// esbuild: ESM for Node, everything inlined so that `node dist/cli.js` runs in a fresh clone without
// `npm ci`, readable (no minification), deterministic (check-dist compares it byte for byte).
//   node scripts/build.mjs [--outdir DIR] [--only cli|index]
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdirFlag = process.argv.indexOf('--outdir');
const outdir = outdirFlag >= 0 ? resolve(process.argv[outdirFlag + 1] ?? '') : join(root, 'dist');
const onlyFlag = process.argv.indexOf('--only');
const only = onlyFlag >= 0 ? process.argv[onlyFlag + 1] : undefined;

// TypeScript's compiler (inside ts-morph) and some dependencies use CommonJS globals; an ESM bundle must
// recreate them or it crashes at load ("__filename is not defined", "Dynamic require of 'net'").
const shim = [
  "import { createRequire as __ggCreateRequire } from 'node:module';",
  "import { fileURLToPath as __ggFileURLToPath } from 'node:url';",
  "import { dirname as __ggDirname } from 'node:path';",
  'const require = __ggCreateRequire(import.meta.url);',
  'const __filename = __ggFileURLToPath(import.meta.url);',
  'const __dirname = __ggDirname(__filename);',
].join('\n');

const entries = [
  { entry: 'src/cli.ts', out: 'cli.js', banner: `#!/usr/bin/env node\n${shim}`, executable: true },
  { entry: 'src/index.ts', out: 'index.js', banner: shim, executable: false },
];

mkdirSync(outdir, { recursive: true });
for (const { entry, out, banner, executable } of entries) {
  if (only && out !== `${only}.js`) continue;
  if (!existsSync(join(root, entry))) {
    console.warn(`build: ${entry} does not exist yet; skipping ${out}`);
    continue;
  }
  const started = performance.now();
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: join(outdir, out),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: false,
    sourcemap: false,
    // Third-party license comments go to <out>.LEGAL.txt beside the bundle.
    legalComments: 'linked',
    banner: { js: banner },
    charset: 'utf8',
    logLevel: 'warning',
  });
  if (executable) chmodSync(join(outdir, out), 0o755);
  console.error(`build: ${entry} -> ${join(outdir, out)} (${Math.round(performance.now() - started)} ms)`);
}

// Postgres' parser (libpg-query) is WebAssembly: its loader, inlined above, reads libpg-query.wasm from the
// folder of the running bundle (its `__dirname`, the shim's), so the binary ships beside the bundles.
const wasm = join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm');
copyFileSync(wasm, join(outdir, 'libpg-query.wasm'));
console.error(`build: ${wasm} -> ${join(outdir, 'libpg-query.wasm')}`);
