import { describe, expect, it } from 'vitest';
import { isWhereVariableName } from '../../src/core/detect/vocab/queries.js';

describe('vocab/queries: query filters', () => {
  it('recognises the names a filter object is held in', () => {
    for (const name of ['where', 'ownerWhere', 'conditions', 'criteria', 'filter', 'filters']) expect(isWhereVariableName(name)).toBe(true);
    for (const name of ['whereabouts', 'data', 'options', 'filtered']) expect(isWhereVariableName(name)).toBe(false);
  });
});
