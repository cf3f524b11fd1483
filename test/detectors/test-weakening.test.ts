import { describe, expect, it } from 'vitest';
import { findingsOf, loadCases } from '../support/detector-cases.js';

// What the fixture meta-test cannot say: how many findings, at what severity, and with which evidence.
const rule = 'test-weakening';
const findingsOfCase = (group: 'flagged' | 'quiet', name: string) => {
  const found = loadCases(rule, group).find((c) => c.name === name);
  if (!found) throw new Error(`no fixture ${group}/${name}`);
  return findingsOf(rule, found.files, found.tree);
};

describe('test-weakening reads tests', () => {
  it('reports a deleted test file once, at low, naming how many tests went with it', () => {
    const findings = findingsOfCase('flagged', 'test-file-with-several-tests-deleted');
    expect(findings.map((f) => [f.severity, f.messageId, f.line])).toEqual([['low', 'removed', 4]]);
    expect(findings[0]?.message).toContain('`test/slug.test.ts` (3 tests)');
  });

  it('keeps a deleted rejection test at its severity though the code it tests changed', () => {
    const findings = findingsOfCase('flagged', 'rejection-test-deleted-while-the-code-changes');
    expect(findings.map((f) => [f.severity, f.messageId])).toEqual([['high', 'removed']]);
  });

  it('names the assertions a weakened test lost', () => {
    // The first test swapped its call count for `toHaveBeenCalledWith` without making fewer assertions: counted, it stays.
    const findings = findingsOfCase('flagged', 'retry-count-assertion-dropped-while-the-client-changes');
    expect(findings.map((f) => [f.severity, f.message.match(/`[^`]+`/)?.[0]])).toEqual([
      ['medium', '`expect(fetch).toHaveBeenCalledTimes(3)`'],
    ]);
  });

  it('says a test rewritten with the code it checks is a behaviour change, as info', () => {
    const findings = findingsOfCase('quiet', 'assertions-rewritten-for-the-behaviour-the-pr-changes');
    expect(findings.map((f) => [f.severity, f.messageId])).toEqual([['info', 'weakened']]);
    expect(findings[0]?.evidence).toMatchObject({ behaviourChanged: ['parseHost'] });
  });

  it('says element checks turned into counts of the collection lose only the order, as low', () => {
    const findings = findingsOfCase('flagged', 'order-specific-element-checks-became-counts-of-the-collection');
    expect(findings.map((f) => [f.severity, f.messageId])).toEqual([['low', 'weakened']]);
    expect(findings[0]?.evidence).toMatchObject({ elementsCheckedAsAWhole: 'responses' });
  });

  it('keeps element checks replaced by a mere length check at medium', () => {
    const findings = findingsOfCase('flagged', 'element-checks-replaced-by-a-length-check');
    expect(findings.map((f) => [f.severity, f.messageId])).toEqual([['medium', 'weakened']]);
  });

  it('shows a first timeout given to a test that ran under the runner default as info', () => {
    const findings = findingsOfCase('quiet', 'first-timeout-given-to-an-end-to-end-test');
    expect(findings.map((f) => [f.severity, f.messageId])).toEqual([['info', 'timeoutSet']]);
  });

  it('says rows dropped from a table whose outcome a kept row still expects are low', () => {
    const findings = findingsOfCase('flagged', 'rows-dropped-whose-outcome-a-kept-row-still-expects');
    expect(findings.map((f) => [f.severity, f.messageId])).toEqual([
      ['low', 'removed'],
      ['low', 'removed'],
    ]);
  });

  it('keeps a dropped row whose outcome no kept row expects at its severity', () => {
    const findings = findingsOfCase('flagged', 'row-dropped-from-each-table');
    expect(findings.map((f) => [f.severity, f.messageId])).toEqual([['high', 'removed']]);
  });

  it('keeps a rejected input dropped from the middle of a table at its severity', () => {
    const findings = findingsOfCase('flagged', 'rejected-input-row-dropped-from-the-middle-of-a-table');
    expect(findings.map((f) => [f.severity, f.messageId])).toEqual([['high', 'removed']]);
  });

  it('says a deleted flaky test is cleanup, as info', () => {
    const findings = findingsOfCase('quiet', 'flaky-test-deleted');
    expect(findings.map((f) => [f.severity, f.evidence])).toEqual([['info', expect.objectContaining({ flaky: true })]]);
  });
});
