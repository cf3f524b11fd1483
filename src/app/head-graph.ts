import type { GitReader, HeadTree } from '../adapters/ports.js';
import { ImportGraphBuilder, type ImportGraph } from '../core/impact/graph.js';
import { extractImports, initImportLexer } from '../core/impact/imports.js';

/**
 * The import graph of a commit's whole tree, built while its blobs stream out of git: each source's
 * imports are extracted as it arrives (its text is dropped right after), and resolved as soon as the
 * listing and the configs are in, so that almost nothing is left to do after the last blob.
 */
export async function readHeadGraph(git: GitReader, commit: string): Promise<{ tree: HeadTree; graph: ImportGraph }> {
  await initImportLexer();
  const builder = new ImportGraphBuilder();
  const tree = await git.readTree(commit, {
    retainSources: false,
    onSource: (path, text) => builder.add(path, extractImports(text, path)),
    onConfigs: (listed) => builder.setTree(listed),
  });
  return { tree, graph: builder.finish() };
}
