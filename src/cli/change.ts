import { snapshotLocalChanges, type LocalChangeKind } from '../adapters/git/snapshot.js';
import type { Report } from '../core/model.js';
import { runAnalysis, type AnalysisDeps, type AnalysisOptions } from '../app/run-analysis.js';

/** What to analyze: a pull request's range, or local changes not yet committed (against HEAD). */
export type ChangeSpec = { kind: 'range'; base?: string; head?: string } | { kind: LocalChangeKind };

/**
 * Runs the gate on a change. A range is the pull request analysis itself; staged or work-tree changes are
 * first made into a snapshot commit on top of HEAD (src/adapters/git/snapshot.ts) and then analyzed by the
 * same pipeline, so a change checked before the push gets the findings the gate posts after it.
 */
export async function analyzeChangeSpec(
  deps: AnalysisDeps,
  options: Omit<AnalysisOptions, 'base' | 'head'> & { change: ChangeSpec },
): Promise<Report> {
  const { change, ...rest } = options;
  if (change.kind === 'range') {
    return runAnalysis(deps, {
      ...rest,
      ...(change.base !== undefined ? { base: change.base } : {}),
      ...(change.head !== undefined ? { head: change.head } : {}),
    });
  }
  // Serialised from the snapshot on: the snapshot's git commands read the environment the previous run sets.
  return serialised(async () => {
    const snapshot = await snapshotLocalChanges(options.repoDir, change.kind);
    try {
      const report = await withGitEnvironment(snapshot.env, () => runAnalysis(deps, { ...rest, base: snapshot.base, head: snapshot.head }));
      report.notes.push(
        change.kind === 'staged'
          ? `head is the staged changes (the index) as a snapshot commit ${snapshot.head.slice(0, 12)} on top of HEAD; it exists only for this run`
          : `head is the work tree (tracked and untracked, not ignored files) as a snapshot commit ${snapshot.head.slice(0, 12)} on top of HEAD; it exists only for this run`,
      );
      return report;
    } finally {
      await snapshot.dispose();
    }
  });
}

let queue: Promise<unknown> = Promise.resolve();

/** One local analysis at a time (the MCP server may be asked twice at once). */
function serialised<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(work, work);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Runs `work` with git's object-directory variables set in this process's environment, which every git
 * the analysis starts inherits (the readers spawn git without an env of their own), and restores them after.
 */
async function withGitEnvironment<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
