/**
 * The guardrail-gate side of the bench: what `analyze` does for tests, alone, as its own process so its
 * wall time and peak memory compare with the peers' processes. Usage (after bundling by scripts/bench.mjs):
 *   node affected.mjs <git dir or work tree> <commit> <changed file>...
 * Prints one JSON line: counts, phase times and the affected test files.
 */
import { GitRepository } from '../src/adapters/git/git-reader.js';
import { readHeadGraph } from '../src/app/head-graph.js';
import { computeTestImpact } from '../src/core/impact/affected.js';
import { createTestMatcher } from '../src/core/paths.js';
import type { ChangedFile } from '../src/core/model.js';

const [repo, commit, ...changed] = process.argv.slice(2);
if (!repo || !commit) {
  process.stderr.write('usage: affected.mjs <repo> <commit> <changed file>...\n');
  process.exit(2);
}
const t0 = performance.now();
// A bare mirror or a work tree: git runs in it as given (no --show-toplevel lookup).
const git = new GitRepository(repo);
const { tree, graph } = await readHeadGraph(git, await git.resolveCommit(commit, 'commit'));
const t1 = performance.now();
const cache = new Map<string, boolean>();
const matcher = createTestMatcher([], tree.configs);
const isTest = (path: string): boolean => {
  let answer = cache.get(path);
  if (answer === undefined) cache.set(path, (answer = matcher(path)));
  return answer;
};
const files: ChangedFile[] = changed.map((path) => ({ path, status: 'modified' }));
const impact = computeTestImpact({ graph, isTest, files, changedUnits: [] });
const t2 = performance.now();
process.stdout.write(
  JSON.stringify({
    files: graph.stats.files,
    edges: graph.stats.edges,
    fallbackFiles: graph.stats.fallbackFiles,
    unresolvedRelative: graph.stats.unresolvedRelative,
    packages: graph.resolver.packageNames.length,
    phases: { graphMs: Math.round(t1 - t0), impactMs: Math.round(t2 - t1) },
    affected: impact.affectedTests,
  }) + '\n',
);
