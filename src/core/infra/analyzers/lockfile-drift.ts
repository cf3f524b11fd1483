import picomatch from 'picomatch';
import { parse as parseYamlValue } from '../../yaml-library.js';
import type { Severity } from '../../model.js';
import { defineAnalyzer, UnreadableFileError, type AnalyzerFinding, type FileChange, type TreeView } from '../define-analyzer.js';
import { deployWeight } from '../formats/deploy.js';
import { LOCKFILE_NAMES, isLockfilePath, parseLockfile, type Lockfile } from '../formats/lockfile.js';
import { isNpmrcPath, parseNpmrc } from '../formats/npmrc.js';
import { ParserUnavailableError } from '../formats/parsers.js';
import { dirOf, isManifestPath, joinPath, parseManifest, type Manifest } from '../formats/package-json.js';
import { classifySpec } from '../formats/ranges.js';

const SECTIONS = ['dependencies', 'optionalDependencies', 'devDependencies'];
/** .npmrc settings that stop the package manager from writing or honouring a lockfile. */
const LOCK_OFF: Record<string, string> = { 'package-lock': 'false', lockfile: 'false', shrinkwrap: 'false' };

export default defineAnalyzer({
  meta: {
    id: 'lockfile-drift',
    category: 'dependency',
    severity: 'medium',
    description: 'The lockfile no longer matches package.json, was deleted while package.json stays, or was switched off in .npmrc.',
    messages: {
      notUpdated: '`{{name}}` is now `{{spec}}` in {{manifest}}, but {{lockfile}} was not updated and does not satisfy it.',
      outOfStep: '{{lockfile}} does not satisfy `{{name}}: {{spec}}` of {{manifest}}: the manifest and the lockfile are out of step.',
      deleted: '{{lockfile}} was deleted while {{manifest}} stays: installs now resolve every version afresh.',
      disabled: '.npmrc now sets `{{setting}}={{value}}`: the package manager no longer writes or honours a lockfile.',
    },
    reads: ['**/package.json', '**/package-lock.json', '**/npm-shrinkwrap.json', '**/yarn.lock', '**/pnpm-lock.yaml', '**/.npmrc'],
    docs: {
      catches:
        'A dependency whose range changed in package.json while the lockfile beside it (or in a parent folder, for a ' +
        'workspace) did not change and cannot satisfy it; a changed lockfile that does not satisfy a range this ' +
        'pull request set (package-lock v2/v3 and v1, yarn classic and berry, pnpm-lock); a lockfile deleted while ' +
        "its package.json stays and no other lockfile replaces it (nor a workspace root's above it, whose member it is); `package-lock=false` (or pnpm's `lockfile=false`) " +
        'added to .npmrc. `medium`; an out-of-step devDependency `low`; any of these in test scaffolding or a sample (e2e and ' +
        'test apps such as `e2e-tests/`, `test-apps/`, `integration-tests/`, fixtures, examples, playgrounds, docs) `info`.',
      ignores:
        "Lockfiles that satisfy the manifest (an update bot's bump, a major included), a nested package's range that any lockfile above it satisfies (a workspace root's), a switch from one package manager to another, drift the base version already had, local specifiers (`workspace:`, `link:`, `file:`, `portal:`, `catalog:`: a folder of the repository or a range kept elsewhere, not a registry version), and lockfiles too large to read.",
      example: {
        file: 'package.json',
        context: [
          {
            path: 'package-lock.json',
            text: `{
  "name": "checkout-service",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "checkout-service", "dependencies": { "stripe": "^14.21.0" } },
    "node_modules/stripe": { "version": "14.25.0", "resolved": "https://registry.npmjs.org/stripe/-/stripe-14.25.0.tgz", "integrity": "sha512-x" }
  }
}
`,
          },
        ],
        before: `{
  "name": "checkout-service",
  "dependencies": {
    "stripe": "^14.21.0"
  }
}
`,
        after: `{
  "name": "checkout-service",
  "dependencies": {
    "stripe": "^16.2.0"
  }
}
`,
      },
    },
  },
  context(file) {
    if (isManifestPath(file.path)) {
      const dirs: string[] = [];
      for (let dir = dirOf(file.path); ; dir = dirOf(dir)) {
        dirs.push(dir);
        if (!dir) break;
      }
      return dirs.flatMap((dir) => LOCKFILE_NAMES.map((name) => ({ pattern: joinPath(dir, name) })));
    }
    if (isLockfilePath(file.path))
      return [
        { pattern: joinPath(dirOf(file.path), 'package.json') },
        ...LOCKFILE_NAMES.map((name) => ({ pattern: joinPath(dirOf(file.path), name) })),
        // A deleted lockfile may have been a stray inside a workspace: the workspace roots above it, and their lockfiles.
        ...(file.status === 'deleted'
          ? ancestorsOf(dirOf(file.path)).flatMap((dir) =>
              ['package.json', 'pnpm-workspace.yaml', ...LOCKFILE_NAMES].map((name) => ({ pattern: joinPath(dir, name) })),
            )
          : []),
      ];
    return [];
  },
  analyze(change) {
    if (isNpmrcPath(change.path)) return disabled(change);
    if (isManifestPath(change.path)) return manifestChanged(change);
    if (isLockfilePath(change.path)) return lockfileChanged(change);
    return [];
  },
});

function disabled(change: FileChange): AnalyzerFinding[] {
  if (change.head === undefined) return [];
  const before = parseNpmrc(change.base ?? '');
  const after = parseNpmrc(change.head);
  const findings: AnalyzerFinding[] = [];
  for (const [setting, off] of Object.entries(LOCK_OFF)) {
    const now = after.get(setting);
    if (now?.value === off && before.get(setting)?.value !== off) {
      findings.push({
        messageId: 'disabled',
        side: 'head',
        line: now.line,
        key: setting,
        ...(deployWeight(change.path) === 'example' ? { severity: 'info' as const } : {}),
        data: { setting, value: off },
      });
    }
  }
  return findings;
}

/** The lockfiles at or above a manifest on one side, nearest first, with their paths. */
function lockfilesAbove(tree: TreeView, side: 'base' | 'head', manifestPath: string): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  for (let dir = dirOf(manifestPath); ; dir = dirOf(dir)) {
    for (const name of LOCKFILE_NAMES) {
      const path = joinPath(dir, name);
      const text = tree.read(side, path);
      if (text !== undefined) found.push({ path, text });
    }
    if (!dir) return found;
  }
}

/** The folders above `dir`, nearest first, ending with the root (''). */
function ancestorsOf(dir: string): string[] {
  const out: string[] = [];
  for (let at = dir; at;) {
    at = dirOf(at);
    out.push(at);
  }
  return out;
}

/**
 * Whether the package in `dir` is a member of a workspace above it that keeps a lockfile of its own: npm and yarn
 * `workspaces` in the root's package.json, or pnpm-workspace.yaml. Its installs are locked there, so a lockfile of
 * its own was a stray and deleting it loses nothing.
 */
function coveredByWorkspace(tree: TreeView, dir: string): boolean {
  return ancestorsOf(dir).some((root) => {
    if (!LOCKFILE_NAMES.some((name) => tree.exists('head', joinPath(root, name)))) return false;
    const member = root ? dir.slice(root.length + 1) : dir;
    return workspaceGlobs(tree, root).some((glob) => picomatch(glob.replace(/^\.\//, '').replace(/\/$/, ''))(member));
  });
}

function workspaceGlobs(tree: TreeView, root: string): string[] {
  const globs: string[] = [];
  const manifest = tree.read('head', joinPath(root, 'package.json'));
  if (manifest !== undefined) {
    try {
      const workspaces = (JSON.parse(manifest) as { workspaces?: unknown }).workspaces;
      const list = Array.isArray(workspaces) ? workspaces : (workspaces as { packages?: unknown } | undefined)?.packages;
      if (Array.isArray(list)) globs.push(...list.filter((g): g is string => typeof g === 'string'));
    } catch {
      // not JSON: no workspaces to read
    }
  }
  const pnpm = tree.read('head', joinPath(root, 'pnpm-workspace.yaml'));
  if (pnpm !== undefined) {
    try {
      const packages = (parseYamlValue(pnpm) as { packages?: unknown } | null)?.packages;
      if (Array.isArray(packages)) globs.push(...packages.filter((g): g is string => typeof g === 'string' && !g.startsWith('!')));
    } catch {
      // unreadable: no workspaces to read
    }
  }
  return globs;
}

function relativeDir(lockPath: string, manifestPath: string): string {
  const lockDir = dirOf(lockPath);
  const dir = dirOf(manifestPath);
  return lockDir ? dir.slice(lockDir.length + 1) : dir;
}

function manifestChanged(change: FileChange): AnalyzerFinding[] {
  if (change.head === undefined) return [];
  const head = parseManifest(change.head, 'head');
  const base = change.base !== undefined ? parseManifest(change.base, 'base') : undefined;
  const locks = lockfilesAbove(change.tree, 'head', change.path);
  const lock = locks[0];
  // A lockfile changed in the same pull request is judged when that file is analyzed.
  if (!lock || locks.some((l) => change.changed.some((f) => f.path === l.path))) return [];
  // Which of them governs a nested package (its own, or a workspace root's above it) the folders alone do not
  // say: a range any of them satisfies is not called out of step.
  const parsed: { path: string; dir: string; lockfile: Lockfile }[] = [];
  for (const candidate of locks) {
    try {
      parsed.push({
        path: candidate.path,
        dir: relativeDir(candidate.path, change.path),
        lockfile: parseLockfile(candidate.path, candidate.text, 'head'),
      });
    } catch (error) {
      // A lockfile whose parser is unavailable is not judged in silence: the runner notes this analyzer's failure
      // on the manifest (its other analyzers' findings stand). One that is not valid says nothing here.
      if (error instanceof UnreadableFileError && error.cause instanceof ParserUnavailableError)
        throw new Error(`${candidate.path} was not read: ${error.cause.message}`, { cause: error });
      return [];
    }
  }
  const weight = weightOf(change.path);
  return changedSpecs(base, head).flatMap(({ section, name, spec }) => {
    const verdicts = parsed.map((p) => p.lockfile.satisfies(p.dir, name, spec));
    if (verdicts[0] !== false || verdicts.some((v) => v !== false)) return [];
    return [
      {
        messageId: 'notUpdated',
        side: 'head' as const,
        line: head.lineOf(section, name),
        key: `${section}.${name}`,
        symbol: name,
        severity: weight(section),
        data: { name, spec, manifest: change.path, lockfile: lock.path },
      },
    ];
  });
}

/**
 * How much an out-of-step range weighs: `medium` for what reaches production, `low` for dev dependencies
 * (CI and laptops), `info` in test scaffolding and samples (e2e and test apps, fixtures, examples, docs), which
 * nobody deploys or installs as the product.
 */
function weightOf(manifestPath: string): (section: string) => Severity {
  const example = deployWeight(manifestPath) === 'example';
  return (section) => (example ? 'info' : section === 'devDependencies' ? 'low' : 'medium');
}

/**
 * Dependencies whose specifier the pull request set: added, or changed. Local specifiers (`workspace:`,
 * `link:`, `file:`, `portal:`, `catalog:`) are left out: they name a folder of the repository or a range kept
 * elsewhere, not a version the registry serves, and the lockfiles record them in shapes of their own.
 */
function changedSpecs(base: Manifest | undefined, head: Manifest): { section: string; name: string; spec: string }[] {
  const out: { section: string; name: string; spec: string }[] = [];
  for (const section of SECTIONS) {
    const before = base?.section(section) ?? new Map<string, string>();
    for (const [name, spec] of head.section(section)) {
      if (before.get(name) !== spec && classifySpec(spec).kind !== 'local') out.push({ section, name, spec });
    }
  }
  return out;
}

function lockfileChanged(change: FileChange): AnalyzerFinding[] {
  const manifestPath = joinPath(dirOf(change.path), 'package.json');
  const headManifestText = change.tree.read('head', manifestPath);
  if (change.head === undefined) {
    if (headManifestText === undefined) return [];
    // Replaced by another package manager's lockfile: a switch, not a loss.
    const replaced = LOCKFILE_NAMES.some(
      (name) => joinPath(dirOf(change.path), name) !== change.path && change.tree.exists('head', joinPath(dirOf(change.path), name)),
    );
    if (replaced || coveredByWorkspace(change.tree, dirOf(change.path))) return [];
    return [
      {
        messageId: 'deleted',
        side: 'base',
        line: 1,
        headLine: 1,
        key: `deleted:${change.path}`,
        ...(deployWeight(change.path) === 'example' ? { severity: 'info' as const } : {}),
        data: { lockfile: change.path, manifest: manifestPath },
      },
    ];
  }
  if (headManifestText === undefined) return [];
  let head: Manifest;
  let base: Manifest | undefined;
  try {
    head = parseManifest(headManifestText, 'head');
    const baseText = change.tree.read('base', manifestPath);
    base = baseText !== undefined ? parseManifest(baseText, 'base') : undefined;
  } catch {
    return [];
  }
  const lockfile = parseLockfile(change.path, change.head, 'head');
  const findings: AnalyzerFinding[] = [];
  for (const { section, name, spec } of changedSpecs(base, head)) {
    if (lockfile.satisfies('', name, spec) !== false) continue;
    findings.push({
      messageId: 'outOfStep',
      side: 'head',
      line: head.lineOf(section, name),
      file: manifestPath,
      key: `${section}.${name}`,
      symbol: name,
      severity: weightOf(manifestPath)(section),
      data: { name, spec, manifest: manifestPath, lockfile: change.path },
    });
  }
  return findings;
}
