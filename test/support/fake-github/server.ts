import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadRoutes, validate, type Route } from './openapi.js';

/** An account as GitHub returns it in `user` fields. */
export interface FakeUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

/** The Actions token's identity. */
export const ACTIONS_BOT: FakeUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

export interface FakeFile {
  filename: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
  /** The base name of a renamed file; review comments still go under `filename`, LEFT for its base lines. */
  previous_filename?: string;
  patch?: string;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  user: FakeUser;
  labels: string[];
  head: { sha: string; ref: string; repoFullName: string };
  base: { sha: string; ref: string };
  files: FakeFile[];
}

export interface FakeIssueComment {
  id: number;
  node_id: string;
  issueNumber: number;
  body: string;
  user: FakeUser;
  created_at: string;
  updated_at: string;
}

export interface FakeReviewComment {
  id: number;
  node_id: string;
  pullNumber: number;
  pull_request_review_id: number;
  path: string;
  line: number | null;
  original_line: number;
  side: 'LEFT' | 'RIGHT';
  commit_id: string;
  original_commit_id: string;
  body: string;
  user: FakeUser;
  in_reply_to_id?: number;
  created_at: string;
  updated_at: string;
}

export interface FakeThread {
  id: string;
  pullNumber: number;
  commentIds: number[];
  isResolved: boolean;
}

export interface FakeWorkflowRun {
  id: number;
  run_number: number;
  head_sha: string;
  event: string;
  path: string;
  conclusion: 'success' | 'failure' | null;
  rerunRequested?: boolean;
}

/** A fault to inject: the next `times` requests matching method and operation get this answer. */
export interface Fault {
  method?: string;
  operationId?: string;
  times: number;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One request as the server saw it (for assertions on what the Action did). */
export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string;
  status: number;
  body?: unknown;
}

interface TokenGrant {
  user: FakeUser;
  access: 'write' | 'read';
  /** Installation tokens (GITHUB_TOKEN) cannot call GET /user. */
  installation: boolean;
}

const FORBIDDEN = { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' };
const SECONDARY = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
  status: '429',
};

/**
 * A GitHub API server on loopback that answers like GitHub for the calls the Action makes, keeps comments,
 * reviews and threads in memory, and rejects what GitHub would reject: requests whose method and path are
 * not in @octokit/openapi's description (404), bodies missing required fields or with wrong types (422),
 * review comments outside the diff (422, which fails the whole review), writes with a read-only token (403).
 */
export class FakeGitHub {
  readonly owner: string;
  readonly repo: string;
  readonly pulls = new Map<number, FakePull>();
  readonly issueComments: FakeIssueComment[] = [];
  readonly reviewComments: FakeReviewComment[] = [];
  readonly reviews: { id: number; pullNumber: number; body: string; commit_id: string; user: FakeUser }[] = [];
  readonly threads: FakeThread[] = [];
  readonly workflowRuns: FakeWorkflowRun[] = [];
  readonly permissions = new Map<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'>();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  graphqlEnabled = true;
  /** Called before an operation is answered, with how many earlier calls it had: for simulating concurrent runs. */
  beforeHandle?: (operationId: string, earlierCalls: number) => void;
  /** Requests that came in under GitHub Enterprise Server's /api/v3 and /api/graphql prefixes. */
  enterpriseRequests = 0;
  private readonly tokens = new Map<string, TokenGrant>();
  private server?: Server;
  private nextId = 1000;
  private clock = Date.parse('2026-11-20T10:00:00Z');

  constructor(fullName = 'acme/payments') {
    [this.owner, this.repo] = fullName.split('/') as [string, string];
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** Grants a token; `read` tokens are what fork PRs get. */
  addToken(token: string, access: 'write' | 'read', user: FakeUser = ACTIONS_BOT, installation = true): void {
    this.tokens.set(token, { user, access, installation });
  }

  addPull(pull: FakePull): void {
    this.pulls.set(pull.number, pull);
  }

  /** A push to the PR: new head and files; comments whose line left the diff become outdated (line null). */
  pushToPull(number: number, headSha: string, files: FakeFile[]): void {
    const pull = this.pulls.get(number)!;
    pull.head.sha = headSha;
    pull.files = files;
    for (const comment of this.reviewComments.filter((c) => c.pullNumber === number)) {
      if (comment.line !== null && !this.isInDiff(pull, comment.path, comment.side, comment.line)) comment.line = null;
    }
  }

  /** Adds a comment written by someone (for "a user quoting our marker" and command cases). */
  addIssueComment(issueNumber: number, body: string, user: FakeUser): FakeIssueComment {
    const comment = {
      id: this.id(),
      node_id: `IC_${this.nextId}`,
      issueNumber,
      body,
      user,
      created_at: this.now(),
      updated_at: this.now(),
    };
    this.issueComments.push(comment);
    return comment;
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  async start(): Promise<string> {
    loadRoutes();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake-github crashed: ${(error as Error).message}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Requests for one operation id, in order. */
  calls(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  private id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    // GitHub Enterprise Server serves REST under /api/v3 and GraphQL at /api/graphql.
    const enterprise = url.pathname.startsWith('/api/');
    if (url.pathname === '/api/graphql') url.pathname = '/graphql';
    else if (url.pathname.startsWith('/api/v3/')) url.pathname = url.pathname.slice('/api/v3'.length);
    if (enterprise) this.enterpriseRequests += 1;
    const raw = await readBody(req);
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.send(res, { method, path: url.pathname, operationId: '?', status: 0, body: raw }, 400, {
          message: 'Problems parsing JSON',
        });
      }
    }

    if (url.pathname === '/graphql' && method === 'POST') {
      return this.handleGraphql(req, res, body as { query?: string; variables?: Record<string, unknown> });
    }

    const { spec, routes } = loadRoutes();
    let route: Route | undefined;
    let params: Record<string, string> = {};
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const match = candidate.pattern.exec(url.pathname);
      if (!match) continue;
      route = candidate;
      params = Object.fromEntries(candidate.paramNames.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      break;
    }
    const record: RecordedRequest = {
      method,
      path: url.pathname + url.search,
      operationId: route?.operationId ?? '(unknown)',
      status: 0,
      body,
    };
    if (!route) return this.send(res, record, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

    const grant = this.authenticate(req);
    if (!grant) return this.send(res, record, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });

    // Request validation against the published description.
    for (const parameter of route.queryParameters) {
      const value = url.searchParams.get(parameter.name);
      if (value === null) continue;
      const typed = parameter.schema?.type === 'integer' ? Number(value) : value;
      const problem = validate(spec, parameter.schema, typed, parameter.name);
      if (problem) return this.send(res, record, 422, { message: `Invalid request.\n\n${problem}`, status: '422' });
    }
    if (route.bodyRequired && body === undefined)
      return this.send(res, record, 422, { message: 'Invalid request.\n\nNo body was supplied.', status: '422' });
    if (body !== undefined && route.bodySchema) {
      const problem = validate(spec, route.bodySchema, body, 'body');
      if (problem) return this.send(res, record, 422, { message: `Invalid request.\n\n${problem}`, status: '422' });
    }

    const fault = this.takeFault(method, route.operationId);
    if (fault) return this.send(res, record, fault.status, fault.body ?? { message: 'Server Error' }, fault.headers);

    if (method !== 'GET' && grant.access === 'read') return this.send(res, record, 403, FORBIDDEN);

    this.beforeHandle?.(route.operationId, this.requests.filter((r) => r.operationId === route.operationId).length);
    const handler = this.handlers[route.operationId];
    if (!handler) return this.send(res, record, 501, { message: `fake-github does not implement ${route.operationId}` });
    const [status, data, headers] = handler(params, body as Record<string, any>, url.searchParams, grant);
    if (Array.isArray(data) && status === 200) {
      const page = Number(url.searchParams.get('page') ?? 1);
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const slice = data.slice((page - 1) * perPage, page * perPage);
      const extra: Record<string, string> = {};
      if (page * perPage < data.length) {
        const next = new URL(url.toString());
        next.searchParams.set('page', String(page + 1));
        extra.link = `<${this.url}${next.pathname}${next.search}>; rel="next"`;
      }
      return this.send(res, record, status, slice, { ...headers, ...extra });
    }
    return this.send(res, record, status, data, headers);
  }

  private takeFault(method: string, operationId: string): Fault | undefined {
    const index = this.faults.findIndex(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.operationId || f.operationId === operationId),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times === 0) this.faults.splice(index, 1);
    return fault;
  }

  private authenticate(req: IncomingMessage): TokenGrant | undefined {
    const header = req.headers.authorization ?? '';
    const token = header.replace(/^(token|bearer)\s+/i, '');
    return this.tokens.get(token);
  }

  private send(res: ServerResponse, record: RecordedRequest, status: number, data: unknown, headers: Record<string, string> = {}): void {
    record.status = status;
    this.requests.push(record);
    const payload = status === 204 ? '' : JSON.stringify(data ?? null);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '900',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      ...headers,
    });
    res.end(payload);
  }

  private pull(params: Record<string, string>, key = 'pull_number'): FakePull | undefined {
    if (params.owner !== this.owner || params.repo !== this.repo) return undefined;
    return this.pulls.get(Number(params[key]));
  }

  private isInDiff(pull: FakePull, path: string, side: string, line: number): boolean {
    const file = pull.files.find((f) => f.filename === path);
    if (!file?.patch) return false;
    let oldLine = 0;
    let newLine = 0;
    for (const text of file.patch.replace(/\n$/, '').split('\n')) {
      const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
      if (header) {
        oldLine = Number(header[1]);
        newLine = Number(header[2]);
        continue;
      }
      if (text.startsWith('-')) {
        if (side === 'LEFT' && oldLine === line) return true;
        oldLine += 1;
      } else if (text.startsWith('+')) {
        if (side === 'RIGHT' && newLine === line) return true;
        newLine += 1;
      } else if (!text.startsWith('\\')) {
        if ((side === 'LEFT' && oldLine === line) || (side === 'RIGHT' && newLine === line)) return true;
        oldLine += 1;
        newLine += 1;
      }
    }
    return false;
  }

  private userJson(user: FakeUser) {
    return {
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      type: user.type,
      site_admin: false,
      html_url: `https://github.com/${user.login}`,
    };
  }

  private issueCommentJson(c: FakeIssueComment) {
    return {
      id: c.id,
      node_id: c.node_id,
      url: `${this.url}/repos/${this.fullName}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.fullName}/pull/${c.issueNumber}#issuecomment-${c.id}`,
      body: c.body,
      user: this.userJson(c.user),
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    };
  }

  private reviewCommentJson(c: FakeReviewComment) {
    return {
      id: c.id,
      node_id: c.node_id,
      pull_request_review_id: c.pull_request_review_id,
      path: c.path,
      line: c.line,
      original_line: c.original_line,
      side: c.side,
      commit_id: c.commit_id,
      original_commit_id: c.original_commit_id,
      body: c.body,
      user: this.userJson(c.user),
      created_at: c.created_at,
      updated_at: c.updated_at,
      ...(c.in_reply_to_id ? { in_reply_to_id: c.in_reply_to_id } : {}),
      html_url: `https://github.com/${this.fullName}/pull/${c.pullNumber}#discussion_r${c.id}`,
    };
  }

  private readonly handlers: Record<
    string,
    (
      params: Record<string, string>,
      body: Record<string, any>,
      query: URLSearchParams,
      grant: TokenGrant,
    ) => [number, unknown, Record<string, string>?]
  > = {
    'users/get-authenticated': (_p, _b, _q, grant) => {
      if (grant.installation) return [403, FORBIDDEN];
      return [200, this.userJson(grant.user)];
    },
    'pulls/get': (params) => {
      const pull = this.pull(params);
      if (!pull) return [404, { message: 'Not Found' }];
      return [
        200,
        {
          number: pull.number,
          state: 'open',
          title: pull.title,
          body: pull.body,
          user: this.userJson(pull.user),
          labels: pull.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed' })),
          head: {
            sha: pull.head.sha,
            ref: pull.head.ref,
            repo: { full_name: pull.head.repoFullName, fork: pull.head.repoFullName !== this.fullName },
          },
          base: { sha: pull.base.sha, ref: pull.base.ref, repo: { full_name: this.fullName, fork: false } },
        },
      ];
    },
    'pulls/list-files': (params) => {
      const pull = this.pull(params);
      if (!pull) return [404, { message: 'Not Found' }];
      return [
        200,
        pull.files.map((f) => ({
          sha: '0'.repeat(40),
          filename: f.filename,
          status: f.status,
          ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
          additions: 0,
          deletions: 0,
          changes: 0,
          patch: f.patch,
        })),
      ];
    },
    'issues/list-comments': (params) => [
      200,
      this.issueComments.filter((c) => c.issueNumber === Number(params.issue_number)).map((c) => this.issueCommentJson(c)),
    ],
    'issues/create-comment': (params, body, _q, grant) => {
      if (!this.pulls.has(Number(params.issue_number))) return [404, { message: 'Not Found' }];
      if (String(body.body).length > 65_536) {
        return [
          422,
          {
            message: 'Validation Failed',
            errors: [
              { resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' },
            ],
          },
        ];
      }
      const comment = this.addIssueComment(Number(params.issue_number), body.body, grant.user);
      return [201, this.issueCommentJson(comment)];
    },
    'issues/update-comment': (params, body) => {
      const comment = this.issueComments.find((c) => c.id === Number(params.comment_id));
      if (!comment) return [404, { message: 'Not Found' }];
      if (String(body.body).length > 65_536)
        return [422, { message: 'Validation Failed', errors: [{ message: 'body is too long (maximum is 65536 characters)' }] }];
      comment.body = body.body;
      comment.updated_at = this.now();
      return [200, this.issueCommentJson(comment)];
    },
    'issues/delete-comment': (params) => {
      const index = this.issueComments.findIndex((c) => c.id === Number(params.comment_id));
      if (index < 0) return [404, { message: 'Not Found' }];
      this.issueComments.splice(index, 1);
      return [204, undefined];
    },
    'pulls/list-review-comments': (params) => [
      200,
      this.reviewComments.filter((c) => c.pullNumber === Number(params.pull_number)).map((c) => this.reviewCommentJson(c)),
    ],
    'pulls/create-review': (params, body, _q, grant) => {
      const pull = this.pull(params);
      if (!pull) return [404, { message: 'Not Found' }];
      if ((body.event === 'COMMENT' || body.event === 'REQUEST_CHANGES') && !body.body) {
        return [422, { message: 'Unprocessable Entity', errors: ['Review body is required for COMMENT and REQUEST_CHANGES'] }];
      }
      const comments = (body.comments ?? []) as { path: string; line?: number; side?: string; body: string; position?: number }[];
      for (const c of comments) {
        if (c.position === undefined && c.line === undefined)
          return [422, { message: 'Unprocessable Entity', errors: ['Line could not be resolved'] }];
        const side = c.side ?? 'RIGHT';
        if (c.line !== undefined && !this.isInDiff(pull, c.path, side, c.line)) {
          return [
            422,
            {
              message: 'Unprocessable Entity',
              errors: ['Pull request review thread line must be part of the diff', "Pull request review thread diff hunk can't be blank"],
            },
          ];
        }
      }
      const review = {
        id: this.id(),
        pullNumber: pull.number,
        body: body.body ?? '',
        commit_id: body.commit_id ?? pull.head.sha,
        user: grant.user,
      };
      this.reviews.push(review);
      for (const c of comments) {
        const now = this.now();
        const comment: FakeReviewComment = {
          id: this.id(),
          node_id: `PRRC_${this.nextId}`,
          pullNumber: pull.number,
          pull_request_review_id: review.id,
          path: c.path,
          line: c.line!,
          original_line: c.line!,
          side: (c.side ?? 'RIGHT') as 'LEFT' | 'RIGHT',
          commit_id: review.commit_id,
          original_commit_id: review.commit_id,
          body: c.body,
          user: grant.user,
          created_at: now,
          updated_at: now,
        };
        this.reviewComments.push(comment);
        this.threads.push({ id: `PRRT_${comment.id}`, pullNumber: pull.number, commentIds: [comment.id], isResolved: false });
      }
      return [
        200,
        {
          id: review.id,
          node_id: `PRR_${review.id}`,
          user: this.userJson(grant.user),
          body: review.body,
          state: 'COMMENTED',
          commit_id: review.commit_id,
        },
      ];
    },
    'pulls/update-review-comment': (params, body) => {
      const comment = this.reviewComments.find((c) => c.id === Number(params.comment_id));
      if (!comment) return [404, { message: 'Not Found' }];
      comment.body = body.body;
      comment.updated_at = this.now();
      return [200, this.reviewCommentJson(comment)];
    },
    'repos/get-collaborator-permission-level': (params) => {
      const permission = this.permissions.get(params.username!) ?? 'read';
      const legacy = permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission;
      return [200, { permission: legacy, role_name: permission, user: this.userJson({ login: params.username!, id: 1, type: 'User' }) }];
    },
    'actions/list-workflow-runs-for-repo': (_params, _b, query) => {
      const runs = this.workflowRuns.filter(
        (r) => (!query.get('head_sha') || r.head_sha === query.get('head_sha')) && (!query.get('event') || r.event === query.get('event')),
      );
      return [200, { total_count: runs.length, workflow_runs: runs.map((r) => ({ ...r, name: 'guardrail-gate', status: 'completed' })) }];
    },
    'actions/re-run-workflow-failed-jobs': (params) => {
      const run = this.workflowRuns.find((r) => r.id === Number(params.run_id));
      if (!run) return [404, { message: 'Not Found' }];
      run.rerunRequested = true;
      return [201, {}];
    },
  };

  private handleGraphql(req: IncomingMessage, res: ServerResponse, body: { query?: string; variables?: Record<string, any> }): void {
    const record: RecordedRequest = { method: 'POST', path: '/graphql', operationId: 'graphql', status: 0, body };
    if (!this.graphqlEnabled) return this.send(res, record, 404, { message: 'Not Found' });
    const grant = this.authenticate(req);
    if (!grant) return this.send(res, record, 401, { message: 'Bad credentials' });
    const query = body?.query;
    if (typeof query !== 'string')
      return this.send(res, record, 400, { message: 'A query attribute must be specified and must be a string.' });
    const vars = body.variables ?? {};
    const fault = this.takeFault('POST', 'graphql');
    if (fault) return this.send(res, record, fault.status, fault.body ?? { message: 'Server Error' }, fault.headers);

    if (/\bresolveReviewThread\b/.test(query)) {
      if (grant.access === 'read')
        return this.send(res, record, 200, {
          data: { resolveReviewThread: null },
          errors: [{ type: 'FORBIDDEN', path: ['resolveReviewThread'], message: FORBIDDEN.message }],
        });
      const thread = this.threads.find((t) => t.id === vars.id);
      if (!thread)
        return this.send(res, record, 200, {
          data: null,
          errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a node with the global id of '${vars.id}'` }],
        });
      thread.isResolved = true;
      return this.send(res, record, 200, { data: { resolveReviewThread: { thread: { id: thread.id, isResolved: true } } } });
    }
    if (/\breviewThreads\b/.test(query)) {
      if (vars.owner !== this.owner || vars.repo !== this.repo)
        return this.send(res, record, 200, {
          data: { repository: null },
          errors: [{ type: 'NOT_FOUND', message: 'Could not resolve to a Repository' }],
        });
      const threads = this.threads.filter((t) => t.pullNumber === vars.number);
      return this.send(res, record, 200, {
        data: {
          repository: {
            pullRequest: {
              reviewThreads: {
                pageInfo: { hasNextPage: false, endCursor: null },
                nodes: threads.map((t) => ({
                  id: t.id,
                  isResolved: t.isResolved,
                  comments: { nodes: t.commentIds.slice(0, 1).map((id) => ({ databaseId: id })) },
                })),
              },
            },
          },
        },
      });
    }
    return this.send(res, record, 200, { errors: [{ message: 'fake-github: unsupported GraphQL query' }] });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Convenience faults with GitHub's exact wording and headers. */
export const faults = {
  serverError: (operationId: string, times = 1): Fault => ({ operationId, times, status: 500, body: { message: 'Server Error' } }),
  secondaryRateLimit: (operationId: string, retryAfterSeconds = 1, times = 1): Fault => ({
    operationId,
    times,
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: SECONDARY,
  }),
  primaryRateLimit: (operationId: string, times = 1): Fault => ({
    operationId,
    times,
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) },
    body: {
      message: 'API rate limit exceeded for installation ID 1.',
      documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
    },
  }),
};
