/**
 * A stable, short fingerprint of a finding's identity (rule, file, symbol, anchor), never of its line:
 * the same finding keeps its id across re-runs and rebases. FNV-1a over 64 bits, written out so the core
 * needs no crypto module.
 */
export function fingerprint(parts: string[]): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const text = parts.join('\u001f');
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return `gg-${hash.toString(16).padStart(16, '0')}`;
}
