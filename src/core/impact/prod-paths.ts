import { basename } from '../paths.js';

/**
 * Maps paths as production or CI reports them (absolute, inside a container, file:// URLs, transpiled
 * dist/ output, Windows separators) onto repository paths. A path maps when exactly one repository
 * file with the same name stem matches the most trailing directory segments; build-output folders
 * (dist, build, lib, out) are treated as standing for src.
 */

const OUTPUT_SEGMENTS = new Set(['dist', 'build', 'lib', 'out', 'src', 'esm', 'cjs', '.next', 'server']);
const SOURCE_EXTENSION_RE = /\.(?:d\.)?[cm]?[jt]sx?$/;

export class ProductionPathMapper {
  private readonly repoPaths: ReadonlySet<string>;
  private readonly byStem = new Map<string, string[]>();
  private readonly cache = new Map<string, string | null>();

  constructor(repoPaths: Iterable<string>) {
    const set = new Set<string>();
    for (const path of repoPaths) {
      set.add(path);
      const stem = basename(path).replace(SOURCE_EXTENSION_RE, '');
      const list = this.byStem.get(stem);
      if (list) list.push(path);
      else this.byStem.set(stem, [path]);
    }
    this.repoPaths = set;
  }

  /** The repository path for a production path, or undefined when none (or more than one) fits. */
  map(productionPath: string): string | undefined {
    const cached = this.cache.get(productionPath);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.find(normalizeProductionPath(productionPath));
    this.cache.set(productionPath, found ?? null);
    return found;
  }

  private find(path: string): string | undefined {
    if (path === '') return undefined;
    if (this.repoPaths.has(path)) return path;
    const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
    const name = segments.pop();
    if (!name) return undefined;
    const stem = name.replace(SOURCE_EXTENSION_RE, '');
    const sameExtensionFamily = SOURCE_EXTENSION_RE.test(name);
    const candidates = (this.byStem.get(stem) ?? []).filter((candidate) =>
      sameExtensionFamily ? SOURCE_EXTENSION_RE.test(candidate) && !candidate.endsWith('.d.ts') : basename(candidate) === name,
    );
    if (candidates.length === 0) return undefined;
    let best: string[] = [];
    let bestScore = -1;
    for (const candidate of candidates) {
      const score = trailingMatch(segments, candidate.split('/').slice(0, -1));
      if (score > bestScore) {
        bestScore = score;
        best = [candidate];
      } else if (score === bestScore) {
        best.push(candidate);
      }
    }
    if (best.length === 1) return best[0];
    // Same score: prefer the exact file name (x.js in the repo over x.ts when production ran x.js).
    const exact = best.filter((candidate) => basename(candidate) === name);
    return exact.length === 1 ? exact[0] : undefined;
  }
}

/** Counts matching trailing directory segments; an output folder matches src or another output folder. */
function trailingMatch(production: string[], repo: string[]): number {
  let score = 0;
  let i = production.length - 1;
  let j = repo.length - 1;
  while (i >= 0 && j >= 0) {
    const a = production[i]!;
    const b = repo[j]!;
    if (a === b || (OUTPUT_SEGMENTS.has(a) && OUTPUT_SEGMENTS.has(b))) {
      score++;
      i--;
      j--;
    } else if (OUTPUT_SEGMENTS.has(a) && !OUTPUT_SEGMENTS.has(b)) {
      i--; // dist/esm/x.js: skip the extra output folder
    } else {
      break;
    }
  }
  return score;
}

/** Strips URL schemes, bundler prefixes, queries, drive letters and backslashes. */
export function normalizeProductionPath(raw: string): string {
  let path = raw.trim();
  try {
    if (path.startsWith('file://')) path = decodeURIComponent(path.slice(path.startsWith('file:///') ? 8 : 7));
  } catch {
    path = path.slice(7);
  }
  path = path.replace(/^webpack(?:-internal)?:\/\/\/?(?:\([^)]*\)\/)?/, '').replace(/^[a-z]+:\/\/[^/]*\//i, '');
  path = path
    .replace(/[?#].*$/, '')
    .replace(/\\/g, '/')
    .replace(/^[A-Za-z]:\//, '/');
  // A function location written as path:line:column.
  path = path.replace(/:\d+(?::\d+)?$/, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return ''; // third-party code is not the repository's
  return path.replace(/^\.\//, '');
}
