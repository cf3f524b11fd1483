import type { AcceptCommand } from './command.js';

/** A maintainer's acceptance of one finding, as stored in the sticky comment. */
export interface AcceptanceRecord {
  id: string;
  who: string;
  reason: string;
}

const BLOCK_START = '<!-- guardrail-gate:acceptances ';
const BLOCK_END = ' -->';

/**
 * Serializes acceptances as a hidden HTML comment for the end of the sticky comment. Characters that
 * could close the HTML comment or start markup are written as JSON unicode escapes, so a reason such as
 * "-->" cannot break out of the block.
 */
export function renderAcceptanceBlock(records: AcceptanceRecord[]): string {
  const json = JSON.stringify({ v: 1, accepted: records }).replace(/[<>&-]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${BLOCK_START}${json}${BLOCK_END}`;
}

/**
 * Reads the acceptances stored in a sticky comment body. Only the last block counts: the renderer puts
 * ours at the very end, after any text that came from the pull request. A damaged block reads as none.
 */
export function parseAcceptanceBlock(body: string): AcceptanceRecord[] {
  const start = body.lastIndexOf(BLOCK_START);
  if (start < 0) return [];
  const end = body.indexOf(BLOCK_END, start + BLOCK_START.length);
  if (end < 0) return [];
  try {
    const data = JSON.parse(body.slice(start + BLOCK_START.length, end)) as { accepted?: unknown };
    if (!Array.isArray(data.accepted)) return [];
    return data.accepted.filter(
      (r): r is AcceptanceRecord =>
        typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.who === 'string' && typeof r.reason === 'string',
    );
  } catch {
    return [];
  }
}

/**
 * Adds a maintainer's commands to the stored acceptances. `all` expands to the ids of the findings open
 * now; a later acceptance of the same id replaces the earlier one. Ids that are not in the current
 * report are returned as `unknown` so the maintainer can be told.
 */
export function applyAcceptCommands(
  stored: AcceptanceRecord[],
  commands: AcceptCommand[],
  who: string,
  currentIds: readonly string[],
): { records: AcceptanceRecord[]; unknown: string[] } {
  const byId = new Map(stored.map((r) => [r.id, r]));
  const unknown: string[] = [];
  for (const command of commands) {
    const ids = command.target === 'all' ? currentIds : [command.target];
    for (const id of ids) {
      if (!currentIds.includes(id)) {
        unknown.push(id);
        continue;
      }
      byId.set(id, { id, who, reason: command.reason });
    }
  }
  return { records: [...byId.values()], unknown };
}

/**
 * Splits stored acceptances into those whose finding is still reported and those that lapsed because the
 * finding changed or went away (a changed finding has a new id, so its old acceptance no longer applies).
 */
export function partitionAcceptances(
  records: AcceptanceRecord[],
  currentIds: readonly string[],
): { live: AcceptanceRecord[]; lapsed: AcceptanceRecord[] } {
  const ids = new Set(currentIds);
  return { live: records.filter((r) => ids.has(r.id)), lapsed: records.filter((r) => !ids.has(r.id)) };
}

/** The acceptances in the shape the judge takes. */
export function toAcceptanceMap(records: AcceptanceRecord[]): Map<string, { who: string; reason: string }> {
  return new Map(records.map((r) => [r.id, { who: r.who, reason: r.reason }]));
}
