import { describe, expect, it } from 'vitest';
import { findingsOf, loadCases, loud } from '../support/detector-cases.js';

// What the fixture meta-test cannot say: what the message tells the reader will go wrong.
const rule = 'removed-idempotency';
const findingsOfCase = (group: 'flagged' | 'quiet', name: string) => {
  const found = loadCases(rule, group).find((c) => c.name === name);
  if (!found) throw new Error(`no fixture ${group}/${name}`);
  return loud(findingsOf(rule, found.files, found.tree));
};

describe('removed-idempotency says what the lost protection did', () => {
  it('a removed unique-constraint catch: the second write now fails, it does not apply twice', () => {
    const messages = findingsOfCase('flagged', 'unique-violation-fallback-removed').map((f) => f.message);
    expect(messages).toEqual([
      'findOrCreateTag no longer has the handling of a unique-constraint violation: a second write of the same row (a race or a replay) now fails with the constraint error instead of being handled.',
    ]);
  });

  it('a removed idempotency key: a replay can apply twice', () => {
    const [finding] = findingsOfCase('flagged', 'idempotency-key-dropped');
    expect(finding?.message).toMatch(/no longer has .*: a retried or replayed request can now apply twice\.$/);
  });
});
