import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGateEvent } from '../../src/action/event.js';
import { readActionInputs } from '../../src/action/inputs.js';
import { ConfigurationError } from '../../src/core/errors.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url), 'utf8'));

describe('readActionInputs', () => {
  const from = (values: Record<string, string>) => (name: string) => values[name] ?? '';

  it('reads defaults, multi-line lists and booleans', () => {
    const inputs = readActionInputs(
      from({
        'github-token': ' tok ',
        hotspots: 'traces/a.json\n# comment\n\ncoverage/b.csv, c.csv',
        'review-comments': 'False',
        'fail-on': 'Medium',
      }),
    );
    expect(inputs).toEqual({
      token: 'tok',
      configPath: undefined,
      failOn: 'medium',
      base: undefined,
      head: undefined,
      hotspots: ['traces/a.json', 'coverage/b.csv', 'c.csv'],
      coverage: [],
      comment: true,
      reviewComments: false,
      sarif: undefined,
    });
  });

  it("accepts never for none, as the CLI's --fail-on does", () => {
    expect(readActionInputs(from({ 'fail-on': 'Never' })).failOn).toBe('none');
    expect(readActionInputs(from({ 'fail-on': '' })).failOn).toBeUndefined();
  });

  it('names the input and the expected form when a value is wrong', () => {
    expect(() => readActionInputs(from({ 'fail-on': 'severe' }))).toThrow(
      new ConfigurationError('input fail-on: expected one of none, low, medium, high, critical (or never), got "severe"'),
    );
    expect(() => readActionInputs(from({ comment: 'yes' }))).toThrow('input comment: expected true or false, got "yes"');
    expect(() => readActionInputs(from({ base: '--upload-pack=evil' }))).toThrow(/input base: expected a git revision/);
  });
});

describe('readGateEvent', () => {
  it('pull_request: base and head shas from the payload, PR metadata, fork detection', () => {
    const payload = fixture('pull_request.opened.json');
    const event = readGateEvent('pull_request', payload, payload.repository.full_name);
    expect(event).toMatchObject({
      kind: 'pull_request',
      base: payload.pull_request.base.sha,
      head: payload.pull_request.head.sha,
      prNumber: payload.pull_request.number,
      fork: false,
    });
    payload.pull_request.head.repo.full_name = 'someone/fork';
    expect(readGateEvent('pull_request', payload, payload.repository.full_name)).toMatchObject({ fork: true });
  });

  it('merge_group: base_sha and head_sha', () => {
    const payload = fixture('merge_group.checks_requested.json');
    expect(readGateEvent('merge_group', payload, 'o/r')).toEqual({
      kind: 'merge_group',
      base: payload.merge_group.base_sha,
      head: payload.merge_group.head_sha,
    });
  });

  it('issue_comment: only new comments on pull requests', () => {
    const payload = fixture('issue_comment.created.json');
    expect(readGateEvent('issue_comment', payload, 'o/r')).toMatchObject({
      kind: 'comment',
      prNumber: payload.issue.number,
      commenter: payload.comment.user.login,
    });
    expect(readGateEvent('issue_comment', { ...payload, action: 'edited' }, 'o/r').kind).toBe('ignored');
    expect(readGateEvent('issue_comment', { ...payload, issue: { ...payload.issue, pull_request: undefined } }, 'o/r').kind).toBe(
      'ignored',
    );
  });

  it('rejects a payload whose shas are not shas', () => {
    const payload = fixture('pull_request.opened.json');
    payload.pull_request.head.sha = '--output=/etc/passwd';
    expect(() => readGateEvent('pull_request', payload, 'o/r')).toThrow(/pull_request.head.sha is not a commit sha/);
  });
});
