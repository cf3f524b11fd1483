import { isTestCode } from '../../paths.js';
import { severityRank, type Severity } from '../../model.js';
import { defineAnalyzer, type FileChange } from '../define-analyzer.js';
import { chartManifestRequests, deployWeight, weighSeverity } from '../formats/deploy.js';
import {
  CODE_GLOBS,
  declarations,
  envReadsOfSide,
  isPlatformKey,
  isToolingPath,
  loadsKeysInBulk,
  SURFACE_GLOBS,
  surfaceKind,
  type EnvRead,
  type SurfaceKind,
} from '../formats/env.js';

/**
 * env-declaration-removed: a declaration surface (.env.example, compose, Kubernetes env or ConfigMap,
 * Dockerfile ENV/ARG, workflow env) stops naming a key that the head code still reads. The next deploy, CI
 * run or fresh checkout configured from that surface starts without the key, and the code that reads it
 * gets `undefined`.
 */

/**
 * Keys the base version of the surface declared and the head version does not, each with its base line and
 * the head line of the nearest key above it that survived (where a review comment can land in the head).
 */
function removedKeys(file: Pick<FileChange, 'path' | 'oldPath' | 'base' | 'head'>): Map<string, { line: number; headLine: number }> {
  const removed = new Map<string, { line: number; headLine: number }>();
  if (file.base === undefined) return removed;
  const before = declarations(file.oldPath ?? file.path, file.base);
  const after = file.head === undefined ? new Map<string, number>() : declarations(file.path, file.head);
  // A head that is no longer a readable surface (a YAML error, another kind of file): nothing to compare.
  if (!before || !after) return removed;
  let headLine = 1;
  for (const [key, line] of [...before].sort((a, b) => a[1] - b[1])) {
    const kept = after.get(key);
    if (kept !== undefined) headLine = kept;
    else if (!isPlatformKey(key)) removed.set(key, { line, headLine });
  }
  return removed;
}

export const envDeclarationRemoved = defineAnalyzer({
  meta: {
    id: 'env-declaration-removed',
    category: 'config',
    severity: 'medium',
    description:
      'A key is removed from a declaration surface (.env.example, compose, Kubernetes, Dockerfile, workflow env) while the code still reads it.',
    messages: {
      removed: '{{key}} is no longer declared in {{surface}}, but {{reader}} still reads it {{how}}: {{consequence}}',
    },
    reads: SURFACE_GLOBS,
    docs: {
      catches:
        'Keys the base version of a changed declaration surface named and its head version no longer names (or the whole file ' +
        'deleted): `.env.example`/`.env.sample`/`.env.template` and kin, compose `environment`, Kubernetes `env` and ' +
        'ConfigMap/Secret data, Helm `env`, Dockerfile `ENV`/`ARG`, workflow `env`, turbo.json, when the head code still reads ' +
        "the key (`process.env.X`, `process.env['X']`, `import.meta.env.X`, `Bun.env.X`, `const { X } = process.env`). Medium " +
        'when application code reads it without a fallback; low when every read has a fallback or tests for the key; info when ' +
        'only tests, scripts or configuration files read it, and for dev setups and examples (a compose.dev.yml, examples/).',
      ignores:
        'Keys that moved: still declared by another surface of the head tree (for a key removed from a deployment file, another ' +
        'deployment file or a dotenv template; for the others, any surface). Keys the head code no longer reads (removed ' +
        'with their feature, or renamed consistently in code and declarations). A Kubernetes container or compose service that ' +
        'loads keys in bulk (`envFrom`, `env_file`) in the head: the key may still arrive through it. Keys the platform sets ' +
        '(NODE_ENV, PORT, CI, GITHUB_*, …).',
      example: {
        file: 'deploy/api.yaml',
        before: [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: api',
          'spec:',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: api',
          '          image: registry.example.com/api:1.4',
          '          env:',
          '            - name: DATABASE_URL',
          '              value: postgres://db/shop',
          '            - name: SESSION_SECRET',
          '              valueFrom:',
          '                secretKeyRef: { name: api, key: session-secret }',
          '',
        ].join('\n'),
        after: [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: api',
          'spec:',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: api',
          '          image: registry.example.com/api:1.5',
          '          env:',
          '            - name: DATABASE_URL',
          '              value: postgres://db/shop',
          '',
        ].join('\n'),
        context: [{ path: 'src/session.ts', text: 'export const sessionSecret = process.env.SESSION_SECRET!;\n' }],
      },
    },
  },
  context(file) {
    const keys = [...removedKeys(file).keys()];
    if (keys.length === 0) return [];
    return [...[...SURFACE_GLOBS, ...CODE_GLOBS].map((pattern) => ({ pattern, containing: keys })), ...chartManifestRequests(file)];
  },
  analyze(change) {
    const removed = removedKeys(change);
    if (removed.size === 0) return [];
    // Keys may still arrive through envFrom/env_file of the same file, from a source not listed here.
    if (change.head !== undefined && loadsKeysInBulk(change.path, change.head)) return [];
    const kind = surfaceKind(change.oldPath ?? change.path);
    if (!kind) return [];

    const stillDeclared = new Set<string>();
    const surfaces = new Set([...SURFACE_GLOBS.flatMap((g) => change.tree.list('head', g)), ...change.changed.map((f) => f.path)]);
    for (const path of surfaces) {
      if (path === change.path) continue;
      const other = surfaceKind(path);
      // A deployment is configured from deployment files (and the template an operator copies), not from CI's env.
      if (!other || (kind === 'deployment' && other === 'ci')) continue;
      const text = change.tree.read('head', path);
      if (text === undefined) continue;
      declarations(path, text)?.forEach((_, key) => stillDeclared.add(key));
    }

    const readsByKey = new Map<string, { path: string; read: EnvRead }[]>();
    for (const entry of envReadsOfSide(change.tree, 'head', change.changed)) {
      if (!removed.has(entry.read.key)) continue;
      readsByKey.set(entry.read.key, [...(readsByKey.get(entry.read.key) ?? []), entry]);
    }
    const weight = deployWeight(change.oldPath ?? change.path, change.tree);
    const surface = `${change.oldPath ?? change.path}${change.head === undefined ? ' (deleted)' : ''}`;
    return [...removed]
      .filter(([key]) => !stillDeclared.has(key) && readsByKey.has(key))
      .map(([key, { line, headLine }]) => {
        const reads = readsByKey.get(key)!;
        const strongest = strongestRead(reads, change.config.tests.patterns);
        return {
          messageId: 'removed',
          data: {
            key,
            surface,
            reader: `${strongest.path}:${strongest.read.line}`,
            consequence: CONSEQUENCE[kind],
            how:
              strongest.read.fallback === 'none'
                ? 'without a fallback'
                : strongest.read.fallback === 'value'
                  ? 'with a fallback'
                  : 'behind a check',
          },
          side: 'base' as const,
          line,
          headLine,
          key,
          symbol: key,
          severity: weighSeverity(strongest.severity, weight),
          evidence: { reader: strongest.path, readerLine: strongest.read.line, fallback: strongest.read.fallback, surfaceKind: kind },
        };
      });
  },
});

const CONSEQUENCE: Record<SurfaceKind, string> = {
  template: 'a checkout or an environment set up from this template starts without it',
  deployment: 'the service deployed from this file starts without it',
  ci: 'the builds and runs of this workflow start without it',
};

/** The read that depends on the key most: application code without a fallback first. */
function strongestRead(
  reads: { path: string; read: EnvRead }[],
  testPatterns: readonly string[],
): { path: string; read: EnvRead; severity: Severity } {
  const rated = reads.map((entry) => {
    const tooling = isTestCode(entry.path, testPatterns) || isToolingPath(entry.path);
    const severity: Severity = tooling ? 'info' : entry.read.fallback === 'none' ? 'medium' : 'low';
    return { ...entry, severity };
  });
  return rated.reduce((best, next) => (severityRank(next.severity) > severityRank(best.severity) ? next : best));
}
