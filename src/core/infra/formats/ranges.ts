import type { SemVer } from 'semver';
import { semverOf } from './parsers.js';

/**
 * What a dependency specifier lets the package manager install: a bounded semver range, something with
 * no upper bound (`*`, `latest`, a dist-tag, `>=1`, a git branch), or a local package (ignored).
 */
export type Spec = { kind: 'range'; range: string; upper: SemVer | 'none' } | { kind: 'unbounded'; why: string } | { kind: 'local' };

const COMMIT = /#[0-9a-f]{40}$/;

export function classifySpec(raw: string): Spec {
  const spec = raw.trim();
  if (/^(workspace|file|link|portal|patch|catalog):/.test(spec)) return { kind: 'local' };
  if (spec.startsWith('npm:')) {
    const at = spec.lastIndexOf('@');
    return at > 4 ? classifySpec(spec.slice(at + 1)) : { kind: 'unbounded', why: 'an alias without a version' };
  }
  if (spec === '' || spec === '*' || spec === 'x' || spec === 'X') return { kind: 'unbounded', why: `\`${spec || '""'}\` (any version)` };
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(spec) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec)) {
    return COMMIT.test(spec)
      ? { kind: 'range', range: spec, upper: 'none' }
      : { kind: 'unbounded', why: 'a git reference that is not a commit' };
  }
  if (/^https?:\/\//.test(spec)) return { kind: 'unbounded', why: 'a tarball URL' };
  const semver = semverOf();
  const range = semver.validRange(spec);
  if (!range) return { kind: 'unbounded', why: `the dist-tag \`${spec}\`` };
  const upper = upperBound(spec);
  return upper === 'none' ? { kind: 'unbounded', why: `\`${spec}\` (no upper bound)` } : { kind: 'range', range: spec, upper };
}

/** The highest version a range rules out from above; 'none' when some alternative has no upper bound. */
function upperBound(range: string): SemVer | 'none' {
  const semver = semverOf();
  let highest: SemVer | undefined;
  for (const set of new semver.Range(range).set) {
    const caps = set.filter((c) => c.operator === '<' || c.operator === '<=' || c.operator === '');
    if (caps.length === 0) return 'none';
    const cap = caps.map((c) => c.semver).sort(semver.compare)[0]!;
    if (!highest || semver.gt(cap, highest)) highest = cap;
  }
  return highest ?? 'none';
}

/**
 * How `after` relates to `before`: 'unbounded' (a bound was dropped), 'widened' (it admits newer versions
 * than before, and everything before: `~1.2` → `^1.2`, `1.2.3` → `^1.2.3`), 'alternative' (the old range
 * kept, and a later major named beside it: `^1.9.3` → `^2.4.1 || ^1.9.3`, a library declaring it works with
 * both), or undefined (narrower, a shift such as `^1` → `^2`, only a lower bound lowered, or nothing to compare).
 */
export function widening(before: string, after: string): { kind: 'unbounded' | 'widened' | 'alternative'; why: string } | undefined {
  // A spec that did not change is no wider (the same range below), and most of a manifest's do not change:
  // parsing each of them into a range again was most of what this took on a changed package.json.
  if (before === after) return undefined;
  const semver = semverOf();
  const b = classifySpec(before);
  const a = classifySpec(after);
  if (b.kind !== 'range' || a.kind === 'local') return undefined;
  if (a.kind === 'unbounded') return { kind: 'unbounded', why: a.why };
  if (b.upper === 'none' || a.upper === 'none' || b.range === a.range) return undefined;
  try {
    if (!semver.subset(b.range, a.range) || semver.subset(a.range, b.range)) return undefined;
  } catch {
    return undefined;
  }
  if (!semver.gt(a.upper, b.upper)) return undefined;
  const why = `\`${before}\` → \`${after}\``;
  return addsLaterMajor(b.range, b.upper, a.range) ? { kind: 'alternative', why } : { kind: 'widened', why };
}

/**
 * Whether `after` is alternatives (`||`) each of which either stays within `before`'s upper bound or starts
 * at or above it in a later major: the versions it adds are a major someone named, not a bound let go.
 */
function addsLaterMajor(before: string, upper: SemVer, after: string): boolean {
  const semver = semverOf();
  const alternatives = after
    .split('||')
    .map((a) => a.trim())
    .filter(Boolean);
  if (alternatives.length < 2) return false;
  try {
    const lowest = semver.minVersion(before);
    if (!lowest) return false;
    let later = 0;
    for (const alternative of alternatives) {
      const min = semver.minVersion(alternative);
      const cap = upperBound(alternative);
      if (!min || cap === 'none') return false;
      if (semver.gte(min, upper) && min.major > lowest.major) later++;
      else if (semver.gt(cap, upper)) return false;
    }
    return later > 0 && later < alternatives.length;
  } catch {
    return false;
  }
}
