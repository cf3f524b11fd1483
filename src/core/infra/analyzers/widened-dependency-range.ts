import type { Severity } from '../../model.js';
import { defineAnalyzer, type AnalyzerFinding } from '../define-analyzer.js';
import { deployWeight } from '../formats/deploy.js';
import { isManifestPath, parseManifest, type Manifest } from '../formats/package-json.js';
import { widening } from '../formats/ranges.js';

/** Runtime dependencies reach production; dev dependencies reach CI and laptops. Peer ranges are the consumer's. */
/** A later major named beside the old range is a compatibility decision, shown but not raised. */
const WEIGHT: Record<string, { unbounded: Severity; widened: Severity; alternative: Severity }> = {
  dependencies: { unbounded: 'high', widened: 'medium', alternative: 'info' },
  optionalDependencies: { unbounded: 'high', widened: 'medium', alternative: 'info' },
  devDependencies: { unbounded: 'low', widened: 'info', alternative: 'info' },
};

export default defineAnalyzer({
  meta: {
    id: 'widened-dependency-range',
    category: 'dependency',
    severity: 'medium',
    description:
      'A dependency range in package.json now admits newer versions than before (or any version), or an overrides/resolutions pin was removed or loosened.',
    messages: {
      unbounded: '{{section}} `{{name}}` was `{{before}}` and is now {{why}}: the next install takes whatever is published.',
      widened: '{{section}} `{{name}}` now admits newer versions than before: {{why}}.',
      alternative: '{{section}} `{{name}}` now also accepts a later major beside the range it had: {{why}}.',
      pinRemoved: 'The {{field}} pin `{{name}}: {{before}}` was removed: the version it forced is no longer enforced.',
      pinWidened: 'The {{field}} pin `{{name}}` was loosened: {{why}}.',
    },
    reads: ['**/package.json'],
    docs: {
      catches:
        'For each dependency present on both sides, a head range that contains the base range and reaches above it ' +
        '(`semver.subset`; `1.2.3` → `^1.2.3`, `~1.2.0` → `^1.2.0`, `^1.2` → `>=1.2 <3`): `medium` for `dependencies` ' +
        'and `optionalDependencies`, `info` for `devDependencies`. A bounded range replaced by something with no ' +
        'upper bound (`*`, `latest` or another dist-tag, `>=1.0.0`, a git branch, a tarball URL): `high` for runtime ' +
        'dependencies, `low` for dev ones. An entry of `overrides`, `resolutions` or `pnpm.overrides` removed or ' +
        'loosened: `medium`. In test scaffolding and samples (e2e and test apps, fixtures, examples, playgrounds, docs), ' +
        'which nobody installs from the registry as the product, every finding is `info`.',
      ignores:
        'Version shifts (`^1.4.0` → `^2.0.0`, what update bots do) and a later major named beside the old range ' +
        '(`^1.9.3` → `^2.4.1 || ^1.9.3`, `info`), narrowed ranges, a lower bound lowered, new and ' +
        'removed dependencies, `peerDependencies` (a library widening the versions it supports), and local specifiers ' +
        '(`workspace:`, `file:`, `link:`).',
      example: {
        file: 'package.json',
        before: `{
  "name": "checkout-service",
  "dependencies": {
    "express": "4.19.2",
    "stripe": "^14.21.0"
  }
}
`,
        after: `{
  "name": "checkout-service",
  "dependencies": {
    "express": "4.19.2",
    "stripe": "latest"
  }
}
`,
      },
    },
  },
  analyze(change) {
    if (!isManifestPath(change.path) || change.base === undefined || change.head === undefined) return [];
    const base = parseManifest(change.base, 'base');
    const head = parseManifest(change.head, 'head');
    const scaffolding = deployWeight(change.path) === 'example';
    const findings: AnalyzerFinding[] = [];
    for (const [section, weight] of Object.entries(WEIGHT)) {
      const before = base.section(section);
      for (const [name, spec] of head.section(section)) {
        const was = before.get(name);
        if (was === undefined) continue;
        const wider = widening(was, spec);
        if (!wider) continue;
        findings.push({
          messageId: wider.kind,
          side: 'head',
          line: head.lineOf(section, name),
          key: `${section}.${name}`,
          symbol: name,
          severity: scaffolding ? 'info' : weight[wider.kind],
          data: { section, name, before: was, why: wider.why },
          evidence: { before: was, after: spec, section },
        });
      }
    }
    findings.push(...pinChanges(base, head).map((f) => (scaffolding ? { ...f, severity: 'info' as const } : f)));
    return findings;
  },
});

/** The pins of overrides (npm), resolutions (yarn) and pnpm.overrides, flattened to `path → spec`. */
function pinsOf(manifest: Manifest): Map<string, { field: string; spec: string; path: string[] }> {
  const pins = new Map<string, { field: string; spec: string; path: string[] }>();
  const walk = (field: string, value: unknown, path: string[]): void => {
    if (typeof value === 'string') pins.set(`${field}:${path.join(' > ')}`, { field, spec: value, path });
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(field, inner, key === '.' ? path : [...path, key]);
    }
  };
  walk('overrides', manifest.json.overrides, []);
  walk('resolutions', manifest.json.resolutions, []);
  const pnpm = manifest.json.pnpm as Record<string, unknown> | undefined;
  if (pnpm && typeof pnpm === 'object') walk('pnpm.overrides', pnpm.overrides, []);
  return pins;
}

function pinChanges(base: Manifest, head: Manifest): AnalyzerFinding[] {
  const before = pinsOf(base);
  const after = pinsOf(head);
  const findings: AnalyzerFinding[] = [];
  for (const [key, pin] of before) {
    const name = pin.path.join(' > ');
    const keyPath = pin.field === 'pnpm.overrides' ? ['pnpm', 'overrides', ...pin.path] : [pin.field, ...pin.path];
    const now = after.get(key);
    if (!now) {
      // A pin that a reference (`$express`) or a local link stood for pins nothing by itself.
      if (pin.spec.startsWith('$')) continue;
      const headField = pin.field === 'pnpm.overrides' ? ['pnpm', 'overrides'] : [pin.field];
      findings.push({
        messageId: 'pinRemoved',
        side: 'base',
        line: base.lineOf(...keyPath),
        headLine: head.lineOf(...headField),
        key,
        symbol: name,
        data: { field: pin.field, name, before: pin.spec },
        evidence: { removed: pin.spec },
      });
      continue;
    }
    const wider = widening(pin.spec, now.spec);
    if (wider) {
      findings.push({
        messageId: 'pinWidened',
        side: 'head',
        line: head.lineOf(...keyPath),
        key,
        symbol: name,
        ...(wider.kind === 'alternative' ? { severity: 'info' as const } : {}),
        data: { field: pin.field, name, why: wider.why },
        evidence: { before: pin.spec, after: now.spec },
      });
    }
  }
  return findings;
}
