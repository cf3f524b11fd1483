import { defineAnalyzer, type AnalyzerFinding } from '../define-analyzer.js';
import { isScaffoldingPath } from '../formats/deploy.js';
import { isLockfilePath, parseLockfile, type LockEntry } from '../formats/lockfile.js';

/** The public registries' tarball hosts; a lockfile's own majority host (a company registry) is trusted too. */
const REGISTRY_HOSTS = new Set(['registry.npmjs.org', 'registry.yarnpkg.com', 'registry.npmmirror.com', 'npm.pkg.github.com']);
/** Hosts of the machine itself: an e2e suite's local registry, where it publishes the build under test. */
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|host\.docker\.internal)(:\d+)?$/;

export default defineAnalyzer({
  meta: {
    id: 'untrusted-lockfile-source',
    category: 'dependency',
    severity: 'medium',
    description:
      'A lockfile entry now comes from outside the registry (plain http, git, another host) or lost the integrity checksum it had.',
    messages: {
      insecure: '`{{name}}@{{version}}` is now fetched over plain http ({{resolved}}): anyone on the path can swap it.',
      offRegistry: '`{{name}}@{{version}}` is now fetched from {{where}} instead of the registry the rest of the lockfile uses.',
      integrityDropped: '`{{name}}@{{version}}` lost its integrity checksum: the package manager no longer verifies what it downloads.',
    },
    reads: ['**/package-lock.json', '**/npm-shrinkwrap.json', '**/yarn.lock', '**/pnpm-lock.yaml'],
    docs: {
      catches:
        'Lockfile entries (package-lock, yarn classic and berry, pnpm-lock) that the pull request added or changed and ' +
        'that are now fetched over `http:` (`high`), from a git repository or a tarball host that is neither a public ' +
        "registry nor the host most of the lockfile's base version uses (`medium`), or that had an integrity checksum " +
        'in the base version and have none for the same version now (`medium`).',
      ignores:
        'Entries the pull request did not touch, workspace and local links, a whole lockfile moving to another registry host, ' +
        "a test app's entries from a registry on the machine itself (an e2e suite's local registry: `info`), version bumps " +
        'that keep host and checksum, and a package that was already fetched from the same git repository or host and moves to another ' +
        'commit or version of it.',
      example: {
        file: 'package-lock.json',
        before: `{
  "lockfileVersion": 3,
  "packages": {
    "": { "dependencies": { "left-pad": "^1.3.0" } },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQ7tIj5Og0qaE9Exv/l2fS5QCFlIZ2f0Gn4cbNnQ6+2h6mLw=="
    }
  }
}
`,
        after: `{
  "lockfileVersion": 3,
  "packages": {
    "": { "dependencies": { "left-pad": "^1.3.0" } },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "http://npm.internal-mirror.example/left-pad/-/left-pad-1.3.0.tgz"
    }
  }
}
`,
      },
    },
  },
  analyze(change) {
    if (!isLockfilePath(change.path) || change.head === undefined) return [];
    const head = parseLockfile(change.path, change.head, 'head');
    const base = change.base !== undefined ? parseLockfile(change.path, change.base, 'base') : undefined;
    // A lockfile may hold one version twice (yarn: a git descriptor and a registry one): keep every entry.
    const before = new Map<string, LockEntry[]>();
    for (const e of base?.entries ?? []) before.set(`${e.name}@${e.version}`, [...(before.get(`${e.name}@${e.version}`) ?? []), e]);
    // Where each package came from in the base, whatever its version: a package that was already fetched from
    // that git repository or host and moves to another commit or version of it is an update, not a new source.
    const baseOrigins = new Map<string, Set<string>>();
    for (const e of base?.entries ?? []) {
      const origin = sourceOf(e)?.origin;
      if (origin !== undefined) baseOrigins.set(e.name, (baseOrigins.get(e.name) ?? new Set()).add(origin));
    }
    // A lockfile moved wholesale to a company registry is a switch of registry, not one entry off it.
    const trusted = new Set([...REGISTRY_HOSTS, ...majorityHost(base?.entries ?? []), ...majorityHost(head.entries)]);
    const scaffolding = isScaffoldingPath(change.path);
    const findings: AnalyzerFinding[] = [];
    for (const entry of head.entries) {
      if (entry.local) continue;
      const id = `${entry.name}@${entry.version}`;
      const twins = before.get(id) ?? [];
      if (twins.some((e) => e.resolved === entry.resolved && e.integrity === entry.integrity)) continue;
      const was = twins.find((e) => e.resolved === entry.resolved) ?? twins[0];
      if (!was && !base) continue; // a new lockfile: its state, not a change of it
      const data = { name: entry.name, version: entry.version, resolved: entry.resolved ?? '', where: '' };
      const source = sourceOf(entry);
      const wasSource = was ? sourceOf(was) : undefined;
      if (
        source &&
        source.kind !== 'registry' &&
        !(source.kind === 'host' && trusted.has(source.host)) &&
        (!wasSource || wasSource.label !== source.label) &&
        !baseOrigins.get(entry.name)?.has(source.origin)
      ) {
        findings.push({
          messageId: source.kind === 'http' ? 'insecure' : 'offRegistry',
          side: 'head',
          line: head.lineOf(entry),
          key: `source:${id}`,
          symbol: entry.name,
          severity: scaffolding && LOOPBACK_HOST.test(source.host) ? 'info' : source.kind === 'http' ? 'high' : 'medium',
          data: { ...data, where: source.label },
          evidence: { resolved: entry.resolved, before: was?.resolved },
        });
      } else if (was?.integrity && !entry.integrity) {
        findings.push({
          messageId: 'integrityDropped',
          side: 'head',
          line: head.lineOf(entry),
          key: `integrity:${id}`,
          symbol: entry.name,
          data,
          evidence: { before: was.integrity },
        });
      }
    }
    return findings;
  },
});

/** Where an entry is fetched from; `origin` names the repository or host without the commit or file. */
type Source = { kind: 'registry' | 'http' | 'git' | 'host'; host: string; label: string; origin: string };

function sourceOf(entry: LockEntry): Source | undefined {
  const resolved = entry.resolved;
  if (!resolved) return undefined;
  // Berry resolutions are descriptors: `name@npm:1.0.0` is the registry, anything else says its protocol.
  const protocol = /^(@[^/]+\/)?[^@]+@([a-z+]+):/.exec(resolved)?.[2];
  if (protocol === 'npm') return { kind: 'registry', host: '', label: 'the registry', origin: 'registry' };
  if (
    /^(git\+|git:|github:|gitlab:|bitbucket:)/.test(resolved) ||
    /\.git(#|$)/.test(resolved) ||
    protocol?.startsWith('git') ||
    protocol === 'github'
  ) {
    return { kind: 'git', host: '', label: `git (${resolved.slice(0, 100)})`, origin: `git:${gitRepository(resolved)}` };
  }
  const url = /https?:\/\/[^\s"#]+/.exec(resolved)?.[0];
  if (!url) return undefined;
  const host = new URL(url).host;
  if (url.startsWith('http:')) return { kind: 'http', host, label: `http://${host}`, origin: `http:${host}` };
  return REGISTRY_HOSTS.has(host)
    ? { kind: 'registry', host, label: host, origin: 'registry' }
    : { kind: 'host', host, label: host, origin: host };
}

/**
 * A git resolution reduced to the repository it names: `git+ssh://git@github.com/o/r.git#sha`,
 * `https://github.com/o/r#sha` and `github:o/r#tag` are all `github.com/o/r`.
 */
function gitRepository(resolved: string): string {
  const withoutRef = resolved.replace(/#.*$/, '').replace(/^(@[^/]+\/)?[^@]+@(?=[a-z+]+:)/, '');
  const shorthand = /^(github|gitlab|bitbucket):(.+)$/.exec(withoutRef);
  const path = shorthand
    ? `${shorthand[1]}.${shorthand[1] === 'bitbucket' ? 'org' : 'com'}/${shorthand[2]}`
    : withoutRef
        .replace(/^[a-z+]+:\/\//, '')
        .replace(/^[^@/]+@/, '')
        .replace(/^([^/:]+):(?!\d)/, '$1/');
  return path.replace(/\.git$/, '').toLowerCase();
}

/** The host most entries of a lockfile come from (a private registry mirror), if any. */
function majorityHost(entries: LockEntry[]): string[] {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const source = sourceOf(entry);
    if (source?.kind === 'host') counts.set(source.host, (counts.get(source.host) ?? 0) + 1);
  }
  const total = entries.length;
  return [...counts].filter(([, n]) => n >= Math.max(3, total * 0.2)).map(([host]) => host);
}
