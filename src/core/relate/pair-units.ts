import type { Unit } from '../parse/units.js';

export interface UnitPair {
  base?: Unit;
  head?: Unit;
  /** How the pair was made: same file and name, same name in another file, or similar body. */
  how: 'name' | 'moved' | 'similar' | 'added' | 'deleted';
}

/** Similarity at or above which two units of different names are taken for a rename. */
const RENAME_SIMILARITY = 0.6;
/** Past this many unpaired units a side, similarity pairing is skipped (it is quadratic). */
const MAX_SIMILARITY_CANDIDATES = 400;

/**
 * Pairs base units with head units: by file and qualified name, then by name across files (a function
 * moved to another file), then by body similarity (renamed). `renames` maps head paths to base paths.
 */
export function pairUnits(baseUnits: Unit[], headUnits: Unit[], renames: Map<string, string>): UnitPair[] {
  const pairs: UnitPair[] = [];
  const baseByKey = new Map<string, Unit>();
  for (const unit of baseUnits) baseByKey.set(`${unit.file}\u0000${unit.name}`, unit);
  const unpairedHead: Unit[] = [];
  const pairedBase = new Set<Unit>();

  for (const head of headUnits) {
    const basePath = renames.get(head.file) ?? head.file;
    const base = baseByKey.get(`${basePath}\u0000${head.name}`);
    if (base && !pairedBase.has(base)) {
      pairs.push({ base, head, how: 'name' });
      pairedBase.add(base);
    } else unpairedHead.push(head);
  }

  let unpairedBase = baseUnits.filter((u) => !pairedBase.has(u));

  // Same name, other file: unique on both sides, so two `handler`s in different files never cross-pair.
  const countNames = (units: Unit[]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const u of units) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
    return counts;
  };
  const baseNames = countNames(unpairedBase);
  const headNames = countNames(unpairedHead);
  const stillHead: Unit[] = [];
  for (const head of unpairedHead) {
    if (head.kind !== 'module' && baseNames.get(head.name) === 1 && headNames.get(head.name) === 1) {
      const base = unpairedBase.find((u) => u.name === head.name)!;
      pairs.push({ base, head, how: 'moved' });
      pairedBase.add(base);
    } else stillHead.push(head);
  }
  unpairedBase = unpairedBase.filter((u) => !pairedBase.has(u));

  const remainingHead = new Set(stillHead);
  if (unpairedBase.length <= MAX_SIMILARITY_CANDIDATES && stillHead.length <= MAX_SIMILARITY_CANDIDATES) {
    const candidates: { base: Unit; head: Unit; score: number }[] = [];
    const headTokens = new Map(stillHead.map((u) => [u, tokenSet(u.text)]));
    for (const base of unpairedBase) {
      if (base.kind === 'module') continue;
      const baseTokens = tokenSet(base.text);
      for (const head of stillHead) {
        if (head.kind === 'module' || !compatibleKinds(base, head)) continue;
        const score = jaccard(baseTokens, headTokens.get(head)!);
        if (score >= RENAME_SIMILARITY) candidates.push({ base, head, score });
      }
    }
    candidates.sort((a, b) => b.score - a.score);
    for (const c of candidates) {
      if (pairedBase.has(c.base) || !remainingHead.has(c.head)) continue;
      pairs.push({ base: c.base, head: c.head, how: 'similar' });
      pairedBase.add(c.base);
      remainingHead.delete(c.head);
    }
  }

  for (const head of remainingHead) pairs.push({ head, how: 'added' });
  for (const base of baseUnits) if (!pairedBase.has(base)) pairs.push({ base, how: 'deleted' });
  return pairs;
}

function compatibleKinds(a: Unit, b: Unit): boolean {
  const group = (u: Unit): string => (u.kind === 'field' || u.kind === 'class' ? u.kind : 'code');
  return group(a) === group(b);
}

function tokenSet(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][\w$]*|\d+/g) ?? []);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}
