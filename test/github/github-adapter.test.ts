import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/adapters/ports.js';
import { createGitHubClient, type GitHubClient } from '../../src/adapters/github/client.js';
import { buildDiffIndex, commentableLines } from '../../src/adapters/github/diff-lines.js';
import { PullRequestApi } from '../../src/adapters/github/pull-request.js';
import { reconcileReviewComments } from '../../src/adapters/github/review-comments.js';
import { findStickyComments, upsertStickyComment } from '../../src/adapters/github/sticky-comment.js';
import { PermissionDeniedError } from '../../src/core/errors.js';
import { STICKY_MARKER } from '../../src/core/render/comment.js';
import { renderReviewComment } from '../../src/core/render/review.js';
import type { Finding } from '../../src/core/model.js';
import { ACTIONS_BOT, FakeGitHub } from '../support/fake-github/server.js';

const PATCH = [
  '@@ -1,6 +1,4 @@',
  ' import axios from "axios";',
  '-const timeout = 5000;',
  '-const retries = 3;',
  ' export const a = 1;',
  '+export const b = 2;',
  ' export const c = 3;',
  '-export const d = 4;',
  '@@ -20,3 +18,3 @@ class X {',
  ' keep();',
  '-drop();',
  '+add();',
  ' keep();',
].join('\n');

const logs: string[] = [];
const logger: Logger = {
  debug: (m) => logs.push(m),
  info: (m) => logs.push(m),
  warning: (m) => logs.push(`warning: ${m}`),
  error: (m) => logs.push(`error: ${m}`),
};

describe('commentableLines', () => {
  it('gives base lines of removed and context lines (LEFT) and head lines of added and context lines (RIGHT)', () => {
    const lines = commentableLines(PATCH);
    expect([...lines.left].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 20, 21, 22]);
    expect([...lines.right].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 18, 19, 20]);
    expect(commentableLines(undefined).left.size).toBe(0);
  });
});

describe('GitHub adapter against the loopback API', () => {
  let github: FakeGitHub;
  let client: GitHubClient;
  let api: PullRequestApi;

  beforeEach(async () => {
    github = new FakeGitHub('acme/payments');
    github.addToken('write', 'write');
    github.addToken('read', 'read');
    github.addPull({
      number: 3,
      title: 't',
      body: '',
      user: { login: 'dev', id: 1, type: 'User' },
      labels: [],
      head: { sha: 'b'.repeat(40), ref: 'feature', repoFullName: 'acme/payments' },
      base: { sha: 'a'.repeat(40), ref: 'main' },
      files: [{ filename: 'src/a.ts', status: 'modified', patch: PATCH }],
    });
    const url = await github.start();
    client = createGitHubClient({ token: 'write', baseUrl: url, logger, userAgent: 'test', retryUnitMs: 1 });
    api = new PullRequestApi(client, { owner: 'acme', repo: 'payments', number: 3 });
  });

  afterEach(() => github.stop());

  it('the fake answers 404 for paths GitHub does not have and 422 for bodies GitHub would reject', async () => {
    await expect(
      client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/nonsense', { owner: 'acme', repo: 'payments', pull_number: 3 }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: 'acme',
        repo: 'payments',
        issue_number: 3,
      } as never),
    ).rejects.toMatchObject({ status: 422 });
    await expect(
      client.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
        owner: 'acme',
        repo: 'payments',
        pull_number: 3,
        event: 'SHOUT',
        body: 'x',
      } as never),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('event') });
    await expect(
      client.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
        owner: 'acme',
        repo: 'payments',
        pull_number: 3,
        event: 'COMMENT',
        body: 'x',
        comments: [{ path: 'src/a.ts', line: 40, side: 'LEFT', body: 'x' }],
      }),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('must be part of the diff') });
    expect(github.reviews).toHaveLength(0);
  });

  it('posts only placeable comments as one review and reports the rest as not inline', async () => {
    const finding = (id: string, line: number, side: 'base' | 'head'): Finding => ({
      id,
      rule: 'removed-timeout',
      category: 'timeout',
      severity: 'high',
      file: 'src/a.ts',
      line,
      side,
      message: 'm',
    });
    const wanted = [
      finding('gg-in-left', 2, 'base'),
      finding('gg-in-right', 19, 'head'),
      finding('gg-outside', 40, 'base'),
      { ...finding('gg-other-file', 2, 'base'), file: 'src/b.ts' },
    ].map(renderReviewComment);
    const result = await reconcileReviewComments({
      api,
      headSha: 'b'.repeat(40),
      wanted,
      diff: buildDiffIndex(await api.listFiles()),
      trusted: {},
      logger,
    });
    expect(result.posted).toEqual(['gg-in-left', 'gg-in-right']);
    expect(result.notInline).toEqual(['gg-outside', 'gg-other-file']);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviewComments.map((c) => `${c.side}:${c.line}`)).toEqual(['LEFT:2', 'RIGHT:19']);

    // Run again: nothing new is posted; a comment written by a human with our marker is not ours.
    github.reviewComments.push({ ...github.reviewComments[0]!, id: 9, user: { login: 'dev', id: 1, type: 'User' } });
    const again = await reconcileReviewComments({
      api,
      headSha: 'b'.repeat(40),
      wanted: wanted.slice(0, 2),
      diff: buildDiffIndex(await api.listFiles()),
      trusted: {},
      logger,
    });
    expect(again).toEqual({ posted: [], kept: ['gg-in-left', 'gg-in-right'], resolved: [], notInline: [] });
    expect(github.reviews).toHaveLength(1);
  });

  it('posts a fresh comment for a finding whose old comment went outdated, and resolves the old thread', async () => {
    const finding: Finding = {
      id: 'gg-moved',
      rule: 'removed-retry',
      category: 'retry',
      severity: 'high',
      file: 'src/a.ts',
      line: 3,
      side: 'base',
      message: 'm',
    };
    const diff = buildDiffIndex(await api.listFiles());
    await reconcileReviewComments({ api, headSha: 'b'.repeat(40), wanted: [renderReviewComment(finding)], diff, trusted: {}, logger });
    // A push moved the code: GitHub marks the old comment outdated (line null); the finding is now on line 4.
    github.reviewComments[0]!.line = null;
    const result = await reconcileReviewComments({
      api,
      headSha: 'c'.repeat(40),
      wanted: [renderReviewComment({ ...finding, line: 4 })],
      diff,
      trusted: {},
      logger,
    });
    expect(result).toMatchObject({ posted: ['gg-moved'], resolved: ['gg-moved'] });
    expect(github.reviewComments.map((c) => c.line)).toEqual([null, 4]);
    expect(github.threads.map((t) => t.isResolved)).toEqual([true, false]);
  });

  it('posts no new comment for an accepted finding, and does not resolve its existing one', async () => {
    const finding = (id: string, line: number): Finding => ({
      id,
      rule: 'removed-retry',
      category: 'retry',
      severity: 'high',
      file: 'src/a.ts',
      line,
      side: 'base',
      message: 'm',
    });
    const diff = buildDiffIndex(await api.listFiles());
    await reconcileReviewComments({
      api,
      headSha: 'b'.repeat(40),
      wanted: [renderReviewComment(finding('gg-kept', 2))],
      diff,
      trusted: {},
      logger,
    });
    const result = await reconcileReviewComments({
      api,
      headSha: 'b'.repeat(40),
      wanted: [finding('gg-kept', 2), finding('gg-new-accepted', 3)].map(renderReviewComment),
      diff,
      trusted: {},
      logger,
      doNotPost: new Set(['gg-kept', 'gg-new-accepted']),
    });
    expect(result).toEqual({ posted: [], kept: ['gg-kept'], resolved: [], notInline: [] });
    expect(github.reviewComments).toHaveLength(1);
  });

  it('keeps one sticky comment: updates the newest, deletes older duplicates, ignores look-alikes by other authors', async () => {
    github.addIssueComment(3, `${STICKY_MARKER}\nold`, ACTIONS_BOT);
    github.addIssueComment(3, `${STICKY_MARKER}\nnewer`, ACTIONS_BOT);
    github.addIssueComment(3, `${STICKY_MARKER}\nquoted by a human`, { login: 'dev', id: 1, type: 'User' });
    const existing = findStickyComments(await api.listIssueComments(), STICKY_MARKER, {});
    expect(existing.map((c) => c.body.split('\n')[1])).toEqual(['newer', 'old']);
    expect(await upsertStickyComment(api, existing, `${STICKY_MARKER}\nfresh`, logger)).toBe('updated');
    expect(github.issueComments.map((c) => c.body.split('\n')[1])).toEqual(['fresh', 'quoted by a human']);
    const again = findStickyComments(await api.listIssueComments(), STICKY_MARKER, {});
    expect(await upsertStickyComment(api, again, `${STICKY_MARKER}\nfresh`, logger)).toBe('unchanged');
  });

  it('pages through long comment lists', async () => {
    for (let i = 0; i < 230; i += 1) github.addIssueComment(3, `comment ${i}`, { login: 'dev', id: 1, type: 'User' });
    expect(await api.listIssueComments()).toHaveLength(230);
    expect(github.calls('issues/list-comments')).toHaveLength(3);
  });

  it("turns a read-only token's 403 into PermissionDeniedError, without retrying it", async () => {
    const readOnly = new PullRequestApi(
      createGitHubClient({ token: 'read', baseUrl: github.url, logger, userAgent: 'test', retryUnitMs: 1 }),
      api.ref,
    );
    await expect(readOnly.createIssueComment('x')).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(github.calls('issues/create-comment')).toHaveLength(1);
  });

  it("reads a user's permission from the collaborators API", async () => {
    github.permissions.set('mia', 'maintain');
    github.permissions.set('sam', 'triage');
    expect(await api.getPermission('mia')).toBe('maintain');
    expect(await api.getPermission('sam')).toBe('triage');
    expect(await api.getPermission('nobody')).toBe('read');
  });
});
