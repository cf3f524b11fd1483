import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../src/adapters/ports.js';
import type { FileMap } from '../support/git-repo.js';

export const FIXTURES = join(import.meta.dirname, '../../fixtures');

/** Reads a folder into a FileMap (repo-relative path -> text). */
export function readTree(root: string): FileMap {
  const files: FileMap = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relative);
      else files[relative] = readFileSync(join(root, relative), 'utf8');
    }
  };
  walk('');
  return files;
}

/** The fixture monorepo's two sides: base, and base with the overlay applied and the deletions made. */
export function monorepoSides(): { base: FileMap; head: FileMap } {
  const root = join(FIXTURES, 'impact/monorepo');
  const base = readTree(join(root, 'base'));
  const head: FileMap = { ...base, ...readTree(join(root, 'head-overlay')) };
  for (const line of readFileSync(join(root, 'head-deleted.txt'), 'utf8').split('\n')) if (line.trim()) delete head[line.trim()];
  return { base, head };
}

/** A Logger that keeps what it was told, for assertions and quiet test output. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (message) => lines.push(`debug: ${message}`),
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
  };
}
