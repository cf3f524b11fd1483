import type { GitHubClient } from './client.js';
import { withPermission } from './errors.js';

/** owner/name of a repository and one pull request in it. */
export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** The parts of a pull request the Action needs. */
export interface PullRequestInfo {
  number: number;
  baseSha: string;
  headSha: string;
  author: string;
  labels: string[];
  branch: string;
  body: string;
  /** owner/name of the head repository; differs from the base repository for a fork. */
  headRepo?: string;
}

/** An issue comment on the PR (the conversation tab). */
export interface IssueComment {
  id: number;
  body: string;
  author: string;
  authorType: string;
  createdAt: string;
}

/** One file of the PR as "Files changed" shows it: under its head name, with the base name of a rename. */
export interface PullRequestFile {
  filename: string;
  patch?: string;
  previousFilename?: string;
}

/** A review comment on a line of the diff. `line` is null once GitHub considers it outdated. */
export interface ExistingReviewComment {
  id: number;
  nodeId: string;
  body: string;
  author: string;
  authorType: string;
  path: string;
  line: number | null;
  side: string | undefined;
  inReplyTo?: number;
}

/** Level of access a user has to the repository, as the collaborators API reports it. */
export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

const PER_PAGE = 100;

/** The REST and GraphQL calls the Action makes about one pull request. Thin: no decisions here. */
export class PullRequestApi {
  constructor(
    private readonly client: GitHubClient,
    readonly ref: PullRequestRef,
  ) {}

  private get repoParams() {
    return { owner: this.ref.owner, repo: this.ref.repo };
  }

  async getPullRequest(): Promise<PullRequestInfo> {
    const { data } = await this.client.rest.pulls.get({ ...this.repoParams, pull_number: this.ref.number });
    return {
      number: data.number,
      baseSha: data.base.sha,
      headSha: data.head.sha,
      author: data.user?.login ?? '',
      labels: data.labels.map((l) => l.name ?? '').filter(Boolean),
      branch: data.head.ref,
      body: data.body ?? '',
      headRepo: data.head.repo?.full_name,
    };
  }

  /** Files of the PR with their patches (GitHub's three-dot diff, the one review comments anchor to). */
  async listFiles(): Promise<PullRequestFile[]> {
    const files = await this.client.paginate(this.client.rest.pulls.listFiles, {
      ...this.repoParams,
      pull_number: this.ref.number,
      per_page: PER_PAGE,
    });
    return files.map((f) => ({
      filename: f.filename,
      patch: f.patch,
      ...(f.status === 'renamed' && f.previous_filename ? { previousFilename: f.previous_filename } : {}),
    }));
  }

  async listIssueComments(): Promise<IssueComment[]> {
    const comments = await this.client.paginate(this.client.rest.issues.listComments, {
      ...this.repoParams,
      issue_number: this.ref.number,
      per_page: PER_PAGE,
    });
    return comments.map((c) => ({
      id: c.id,
      body: c.body ?? '',
      author: c.user?.login ?? '',
      authorType: c.user?.type ?? '',
      createdAt: c.created_at,
    }));
  }

  async createIssueComment(body: string): Promise<number> {
    const { data } = await withPermission('posting the PR comment', () =>
      this.client.rest.issues.createComment({ ...this.repoParams, issue_number: this.ref.number, body }),
    );
    return data.id;
  }

  async updateIssueComment(id: number, body: string): Promise<void> {
    await withPermission('updating the PR comment', () =>
      this.client.rest.issues.updateComment({ ...this.repoParams, comment_id: id, body }),
    );
  }

  async deleteIssueComment(id: number): Promise<void> {
    await withPermission('deleting a duplicate PR comment', () =>
      this.client.rest.issues.deleteComment({ ...this.repoParams, comment_id: id }),
    );
  }

  async listReviewComments(): Promise<ExistingReviewComment[]> {
    const comments = await this.client.paginate(this.client.rest.pulls.listReviewComments, {
      ...this.repoParams,
      pull_number: this.ref.number,
      per_page: PER_PAGE,
    });
    return comments.map((c) => ({
      id: c.id,
      nodeId: c.node_id,
      body: c.body,
      author: c.user?.login ?? '',
      authorType: c.user?.type ?? '',
      path: c.path,
      line: c.line ?? null,
      side: c.side,
      inReplyTo: c.in_reply_to_id,
    }));
  }

  /** Posts all new inline comments of a run as one review: one request, one notification. */
  async createReview(
    headSha: string,
    body: string,
    comments: { path: string; line: number; side: 'LEFT' | 'RIGHT'; body: string }[],
  ): Promise<void> {
    await withPermission('posting review comments', () =>
      this.client.rest.pulls.createReview({
        ...this.repoParams,
        pull_number: this.ref.number,
        commit_id: headSha,
        event: 'COMMENT',
        body,
        comments,
      }),
    );
  }

  async updateReviewComment(id: number, body: string): Promise<void> {
    await withPermission('editing a review comment', () =>
      this.client.rest.pulls.updateReviewComment({ ...this.repoParams, comment_id: id, body }),
    );
  }

  /** Review threads with the database id of their first comment, for resolving by comment. */
  async listReviewThreads(): Promise<{ id: string; isResolved: boolean; firstCommentId?: number }[]> {
    const query = `query($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
      repository(owner: $owner, name: $repo) {
        pullRequest(number: $number) {
          reviewThreads(first: 100, after: $cursor) {
            pageInfo { hasNextPage endCursor }
            nodes { id isResolved comments(first: 1) { nodes { databaseId } } }
          }
        }
      }
    }`;
    type Page = {
      repository: {
        pullRequest: {
          reviewThreads: {
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
            nodes: { id: string; isResolved: boolean; comments: { nodes: { databaseId: number | null }[] } }[];
          };
        } | null;
      } | null;
    };
    const threads: { id: string; isResolved: boolean; firstCommentId?: number }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const data: Page = await this.client.graphql<Page>(query, { ...this.repoParams, number: this.ref.number, cursor });
      const connection = data.repository?.pullRequest?.reviewThreads;
      if (!connection) break;
      for (const node of connection.nodes) {
        threads.push({ id: node.id, isResolved: node.isResolved, firstCommentId: node.comments.nodes[0]?.databaseId ?? undefined });
      }
      if (!connection.pageInfo.hasNextPage) break;
      cursor = connection.pageInfo.endCursor;
    }
    return threads;
  }

  async resolveReviewThread(threadId: string): Promise<void> {
    await withPermission('resolving a review thread', () =>
      this.client.graphql(`mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }`, {
        id: threadId,
      }),
    );
  }

  /** The permission of a user on the repository; `none` when GitHub says they are no collaborator. */
  async getPermission(username: string): Promise<Permission> {
    try {
      const { data } = await this.client.rest.repos.getCollaboratorPermissionLevel({ ...this.repoParams, username });
      const roleName = (data as { role_name?: string }).role_name;
      if (roleName === 'maintain') return 'maintain';
      if (roleName === 'triage') return 'triage';
      return data.permission as Permission;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return 'none';
      throw error;
    }
  }

  /** The login the token acts as, or undefined for installation tokens (GITHUB_TOKEN), which cannot ask. */
  async whoAmI(token: string): Promise<string | undefined> {
    // ghs_ tokens belong to an app installation (the Actions token among them): GET /user answers 403.
    if (token.startsWith('ghs_')) return undefined;
    try {
      const { data } = await this.client.rest.users.getAuthenticated();
      return data.login;
    } catch {
      return undefined;
    }
  }

  /** Re-runs the failed jobs of the latest run of a workflow on the PR head, so its required check updates. */
  async rerunFailedGateRun(headSha: string, workflowPath: string | undefined): Promise<boolean> {
    const { data } = await this.client.rest.actions.listWorkflowRunsForRepo({
      ...this.repoParams,
      head_sha: headSha,
      event: 'pull_request',
      per_page: 20,
    });
    const runs = data.workflow_runs.filter((r) => r.conclusion === 'failure' && (!workflowPath || r.path === workflowPath));
    const latest = runs.sort((a, b) => b.run_number - a.run_number)[0];
    if (!latest) return false;
    await withPermission('re-running the gate', () =>
      this.client.rest.actions.reRunWorkflowFailedJobs({ ...this.repoParams, run_id: latest.id }),
    );
    return true;
  }
}
