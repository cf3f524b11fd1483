/**
 * Forward-slash path helpers for repository-relative paths. The core may not import node:path, and
 * repository paths are always POSIX-style whatever the host, so these few functions are all it needs.
 */

/** The directory part of a repo-relative path ('' for a file at the root). */
export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Joins a directory and a relative specifier, resolving `.` and `..`. Returns undefined when the result
 * would climb above the repository root (such a file cannot be in the head tree).
 */
export function joinPath(dir: string, relative: string): string | undefined {
  const out = dir === '' ? [] : dir.split('/');
  for (const segment of relative.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(segment);
    }
  }
  return out.join('/');
}

/** The extension including its dot ('.ts', '.d.ts' is reported as '.ts'), or '' when there is none. */
export function extname(path: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

/** Source files the import graph reads. */
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

const SOURCE_EXTENSION_SET = new Set<string>(SOURCE_EXTENSIONS);

/** Whether a path is a JS/TS source file the graph follows (declaration files carry no runtime code). */
export function isSourcePath(path: string): boolean {
  return SOURCE_EXTENSION_SET.has(extname(path)) && !/\.d\.[mc]?ts$/.test(path);
}
