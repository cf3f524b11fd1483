#!/usr/bin/env node
// Fails when the committed dist/ is not what the sources build to: builds into a temp folder with
// scripts/build.mjs and compares every file byte for byte. Fix with `npm run build` and commit dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'dist');
const fresh = mkdtempSync(join(tmpdir(), 'guardrail-gate-dist-'));

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1))
    .sort();
}

try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--outdir', fresh], { stdio: ['ignore', 'ignore', 'inherit'] });
  const names = [...new Set([...listFiles(committed), ...listFiles(fresh)])].sort();
  const differing = [];
  for (const name of names) {
    const a = join(committed, name);
    const b = join(fresh, name);
    if (!existsSync(a)) differing.push(`${name} (missing from dist/)`);
    else if (!existsSync(b)) differing.push(`${name} (in dist/ but no longer built)`);
    else if (!readFileSync(a).equals(readFileSync(b))) differing.push(`${name} (content differs)`);
  }
  if (differing.length) {
    console.error(`check-dist: dist/ is out of date with the sources:\n${differing.map((d) => `  ${d}`).join('\n')}`);
    console.error('check-dist: run `npm run build` and commit dist/');
    process.exitCode = 1;
  } else {
    console.error(`check-dist: dist/ matches the sources (${names.length} files)`);
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
