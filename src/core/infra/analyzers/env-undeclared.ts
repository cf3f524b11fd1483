import { isTestCode } from '../../paths.js';
import { defineAnalyzer, type FileChange } from '../define-analyzer.js';
import {
  CODE_GLOBS,
  declaredKeys,
  envReads,
  envReadsOfSide,
  isDotenvTemplate,
  isPlatformKey,
  isToolingPath,
  SURFACE_GLOBS,
  type EnvRead,
} from '../formats/env.js';
import { isScaffoldingPath, isShippedContainerFile } from '../formats/deploy.js';
import { SOURCE_GLOB } from '../formats/migration.js';
import { dirOf, isPublishedManifest, manifestsAbove } from '../formats/package-json.js';

/**
 * env-undeclared: head code reads an environment key that the base code did not read, and no declaration
 * surface of the repository carries it. A deployment is configured from those surfaces; a key none of them
 * names is the one the next deploy starts without.
 */
/** Keys this file reads in the head and did not read in the base, each at its first head read. */
function newReads(file: Pick<FileChange, 'path' | 'oldPath' | 'base' | 'head'>): EnvRead[] {
  if (file.head === undefined || /\.d\.ts$/.test(file.path)) return [];
  const before = new Set(file.base === undefined ? [] : envReads(file.oldPath ?? file.path, file.base).map((r) => r.key));
  const seen = new Set<string>();
  return envReads(file.path, file.head).filter((r) => {
    if (before.has(r.key) || isPlatformKey(r.key) || seen.has(r.key)) return false;
    seen.add(r.key);
    return true;
  });
}

export const envUndeclared = defineAnalyzer({
  meta: {
    id: 'env-undeclared',
    category: 'config',
    severity: 'medium',
    description:
      'Code newly reads an environment variable that no .env.example, compose, Kubernetes, Dockerfile or workflow declaration carries.',
    messages: {
      undeclared:
        '{{key}} is newly read here {{how}}, and no declaration surface of the repository carries it (.env.example, compose, Kubernetes env or ' +
        'ConfigMap, Dockerfile ENV/ARG, workflow env, turbo.json): a deployment configured from them starts without it',
    },
    reads: CODE_GLOBS,
    docs: {
      catches:
        "Keys read by the head version of a changed source file (`process.env.X`, `process.env['X']`, `import.meta.env.X`, " +
        '`Bun.env.X`, `const { X } = process.env`) that its base version did not read, when no other base code reads them ' +
        'either and no declaration surface of the head tree names them: `.env.example`/`.env.sample`/`.env.template`, compose ' +
        '`environment`, Kubernetes `env` and ConfigMap/Secret data, Helm `env`, Dockerfile `ENV`/`ARG`, workflow `env`, turbo.json. ' +
        'Medium for a read without a fallback in application code; info when the code has a fallback or tests for the key, ' +
        'in tests, scripts, configuration files and test apps (`e2e-tests/`, `test-apps/`, examples), and in a published ' +
        'package (its nearest package.json is not private and has `exports`, `files`, types, `bin` or `publishConfig`) ' +
        'whose folder ships no Dockerfile or compose file: such a read is a setting for its users, which no deployment of ' +
        'this repository gives it.',
      ignores:
        'Repositories with no dotenv template at all (they do not declare keys, so there is nothing to drift from), and ' +
        'whose only templates belong to sample or test apps (`examples/*/.env.example` declares for that example only); keys ' +
        'the platform sets (NODE_ENV, PORT, CI, GITHUB_*, …); keys other base code already read; keys the same pull request declares.',
      example: {
        file: 'src/billing/stripe.ts',
        before: ["import Stripe from 'stripe';", '', 'export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);', ''].join('\n'),
        after: [
          "import Stripe from 'stripe';",
          '',
          'export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);',
          'export const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET!;',
          '',
        ].join('\n'),
        context: [{ path: '.env.example', text: 'DATABASE_URL=postgres://localhost/shop\nSTRIPE_SECRET_KEY=\n' }],
      },
    },
  },
  context(file) {
    const keys = newReads(file).map((r) => r.key);
    if (keys.length === 0) return [];
    return [
      ...[...SURFACE_GLOBS, SOURCE_GLOB].map((pattern) => ({ pattern, containing: keys })),
      ...manifestsAbove(file.path).map((pattern) => ({ pattern })),
    ];
  },
  analyze(change) {
    const reads = newReads(change);
    if (reads.length === 0) return [];
    const headPaths = [...change.tree.list('head', '**'), ...change.changed.map((f) => f.path)];
    const templates = headPaths.filter(isDotenvTemplate);
    // A repository without a dotenv template does not declare its keys: nothing to drift from. A sample app's
    // or a test app's template declares for that app only.
    if (!templates.some((t) => !isScaffoldingPath(t) || isUnder(change.path, dirOf(t)))) return [];
    const declared = new Set<string>();
    const surfacePaths = new Set([...SURFACE_GLOBS.flatMap((g) => change.tree.list('head', g)), ...change.changed.map((f) => f.path)]);
    for (const path of surfacePaths) {
      const text = change.tree.read('head', path);
      if (text === undefined || /\.[cm]?[jt]sx?$/.test(path)) continue;
      declaredKeys(path, text)?.forEach((k) => declared.add(k));
    }
    // Keys other base code already read are not this pull request's drift.
    const readBefore = new Set(
      envReadsOfSide(change.tree, 'base', change.changed, { except: change.oldPath ?? change.path }).map((r) => r.read.key),
    );
    const quietFile = isTestCode(change.path, change.config.tests.patterns) || isToolingPath(change.path);
    // A published package's reads are settings its users may give it, unless its folder also ships it as a service
    // (a Dockerfile or compose file of its own): then a deployment of this repository runs it too.
    const pkg = publishedPackageOf(change);
    const published = pkg && !headPaths.some((p) => isUnder(p, pkg.dir) && isShippedContainerFile(p)) ? pkg.name : undefined;
    return reads
      .filter((r) => !declared.has(r.key) && !readBefore.has(r.key))
      .map((r) => ({
        messageId: 'undeclared',
        data: {
          key: r.key,
          how: r.fallback === 'none' ? 'without a fallback' : r.fallback === 'value' ? 'with a fallback' : 'behind a check',
        },
        side: 'head' as const,
        line: r.line,
        key: r.key,
        symbol: r.key,
        severity: r.fallback === 'none' && !quietFile && !published ? ('medium' as const) : ('info' as const),
        evidence: { fallback: r.fallback, ...(published ? { publishedPackage: published } : {}) },
      }));
  },
});

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** The published package the file belongs to (its nearest package.json), if it is one: its name and folder. */
function publishedPackageOf(change: FileChange): { name: string; dir: string } | undefined {
  for (const path of manifestsAbove(change.path)) {
    const text = change.tree.read('head', path);
    if (text === undefined) continue;
    try {
      const json = JSON.parse(text) as unknown;
      if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
      const record = json as Record<string, unknown>;
      return isPublishedManifest(record) ? { name: String(record.name), dir: dirOf(path) } : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
