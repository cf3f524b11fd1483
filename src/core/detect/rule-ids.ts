import { DETECTORS } from './registry.js';

/** The rule ids configuration and suppressions may name: every detector's, sorted. */
export function knownRuleIds(): string[] {
  return DETECTORS.map((d) => d.meta.id);
}

/** `unknown rule "removed-timout"; known rules: …`, with the nearest known id first when one is close. */
export function describeUnknownRule(id: string, known: readonly string[]): string {
  const nearest = [...known].sort((a, b) => editDistance(id, a) - editDistance(id, b))[0];
  const hint =
    nearest !== undefined && editDistance(id, nearest) <= Math.max(2, Math.floor(id.length / 4)) ? ` (did you mean "${nearest}"?)` : '';
  return `unknown rule "${id}"${hint}; known rules: ${known.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
