import { describe, expect, it } from 'vitest';
import { findingsOf, loadCases, loud } from '../support/detector-cases.js';

// What the fixture meta-test cannot say: which kind of protection the removed lines are read as.
const rule = 'removed-tested-guard';
const categoriesOf = (name: string): string[] => {
  const found = loadCases(rule, 'flagged').find((c) => c.name === name);
  if (!found) throw new Error(`no fixture flagged/${name}`);
  return loud(findingsOf(rule, found.files, found.tree)).map((f) => f.category);
};

describe('removed-tested-guard reads what the removed lines protected', () => {
  it('a type test of an input that answers early is validation', () => {
    expect(categoriesOf('type-check-of-an-input-removed-with-its-test')).toEqual(['validation']);
  });

  it('an own-property test is validation, though the loop around it tests for objects', () => {
    expect(categoriesOf('own-property-check-removed-with-its-test')).toEqual(['validation']);
  });

  it('a typeof-function test of something the code then calls is a presence check (null-safety)', () => {
    expect(categoriesOf('presence-check-removed-with-a-test-in-common-assertion-lines')).toEqual(['null-safety']);
  });

  it('an error recorded under a condition is a refusal (validation)', () => {
    expect(categoriesOf('error-recorded-under-a-condition-removed-with-its-test')).toEqual(['validation']);
  });

  it('a clamp that lets an absent value through is a limit, not a null guard', () => {
    expect(categoriesOf('clamp-helper-removed-with-its-test')).toEqual(['resource-limit']);
  });

  it('a default given to a falsy field, across a comment, is a null guard', () => {
    expect(categoriesOf('falsy-default-removed-with-its-test')).toEqual(['null-safety']);
  });
});
