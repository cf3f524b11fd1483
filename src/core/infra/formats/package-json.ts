import type { Side } from '../../model.js';
import { UnreadableFileError } from '../define-analyzer.js';
import { pairOf, parseYaml, type YamlFile } from './yaml.js';

/** The dependency sections of a manifest and how much a change in each weighs. */
export const DEPENDENCY_SECTIONS = ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'] as const;
export type DependencySection = (typeof DEPENDENCY_SECTIONS)[number];

export function isManifestPath(path: string): boolean {
  return (path === 'package.json' || path.endsWith('/package.json')) && !path.split('/').includes('node_modules');
}

/** A package.json: its values, and the line of any key (JSON is YAML, so the YAML parser gives positions). */
export interface Manifest {
  json: Record<string, unknown>;
  /** The line of `"key"` under the path of keys (`['scripts', 'test']`), else of the nearest ancestor found. */
  lineOf(...path: string[]): number;
  scripts: Map<string, string>;
  section(name: string): Map<string, string>;
}

export function parseManifest(text: string, side: Side): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UnreadableFileError(side, `not valid JSON (${(error as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new UnreadableFileError(side, 'not a package.json (the top level is not an object)');
  const record = json as Record<string, unknown>;
  let yaml: YamlFile | undefined;
  const stringMap = (value: unknown): Map<string, string> =>
    new Map(
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')
        : [],
    );
  return {
    json: record,
    lineOf(...path) {
      try {
        yaml ??= parseYaml(text, side);
      } catch {
        return 1;
      }
      let node: unknown = yaml.doc.contents;
      let line = 1;
      for (const key of path) {
        const pair = pairOf(node, key);
        if (!pair) break;
        line = yaml.lineOf(pair);
        node = pair.value;
      }
      return line;
    },
    scripts: stringMap(record.scripts),
    section: (name) => stringMap(record[name]),
  };
}

/**
 * Whether a manifest describes a package published to a registry for others to install: not private, named and
 * versioned, and shaped for consumers (an `exports` map, a `files` list, types, a module entry, a `bin`, or
 * `publishConfig`). A bare `main` does not count: `npm init` gives every application one.
 */
export function isPublishedManifest(json: Record<string, unknown>): boolean {
  if (json.private === true || typeof json.name !== 'string' || typeof json.version !== 'string') return false;
  return ['exports', 'files', 'types', 'typings', 'module', 'bin', 'publishConfig'].some((field) => json[field] !== undefined);
}

/** The paths of the package.json files that may govern `path`: its folder's, then each parent's up to the root. */
export function manifestsAbove(path: string): string[] {
  const out: string[] = [];
  for (let dir = dirOf(path); ; dir = dirOf(dir)) {
    out.push(joinPath(dir, 'package.json'));
    if (!dir) return out;
  }
}

/** The directory of a repository path ('' for the root), and a path joined onto one. */
export function dirOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

export function joinPath(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}
