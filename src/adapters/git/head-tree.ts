import type { HeadTree, ReadTreeOptions } from '../ports.js';
import { BlobStream } from './blobs.js';
import { collectText, type Git } from './git.js';

/**
 * Reads the whole head tree for the import graph from git objects (never the work tree, which a PR's
 * build steps may have changed): one `git ls-tree -r -z` for the listing and two `git cat-file --batch`
 * streams for the blobs (configs, sources), never a process per file. They run as a pipeline: each blob
 * is requested as soon as its listing line arrives, so git decompresses while the tree is still walked.
 */

const SOURCE_RE = /\.(?:[cm]?[jt]sx?)$/;
const DECLARATION_RE = /\.d\.[cm]?ts$/;
const CONFIG_RE = /(?:^|\/)(?:package\.json|[jt]sconfig(?:\.[\w.-]+)?\.json|pnpm-workspace\.yaml|\.mocharc\.jsonc?)$/;
// Minified bundles and generated blobs add nothing to a graph of the repository's own code. Neither do
// Yarn's own files (.yarn/releases, .yarn/plugins), skipped like node_modules.
const MAX_SOURCE_BYTES = 1_000_000;

/** Reads every JS/TS source and resolution config of `commit`'s tree. */
export function readHeadTree(git: Git, commit: string, options: ReadTreeOptions = {}): Promise<HeadTree> {
  const paths = new Set<string>();
  const sources = new Map<string, string>();
  const configs = new Map<string, string>();
  const retainSources = options.retainSources ?? true;
  const unread: string[] = [];
  /** A reader of blobs by id that hands each one's text to `deliver` under the path it was listed at. */
  const pathReader = (deliver: (path: string, text: string) => void) => {
    const requested: string[] = [];
    const stream = new BlobStream(git, (index, object) => {
      const path = requested[index]!;
      if (object?.type === 'blob') deliver(path, object.content.toString('utf8'));
      else unread.push(path);
    });
    return {
      stream,
      request: (path: string, id: string) => {
        requested.push(path);
        stream.request(id);
      },
    };
  };
  // Configs get their own cat-file so that they are all in early (onConfigs), not spread over the stream.
  const configReader = pathReader((path, text) => configs.set(path, text));
  const sourceReader = pathReader((path, text) => {
    if (retainSources) sources.set(path, text);
    options.onSource?.(path, text);
  });
  const readers = [configReader.stream, sourceReader.stream];

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      lister.kill();
      for (const reader of readers) reader.kill();
      reject(error);
    };
    // -l lists each blob's size, so oversized ones (bundled tools, generated data) are never even
    // decompressed: on medusa that is a fifth of the bytes.
    const lister = git.spawn(['ls-tree', '-r', '-z', '-l', '--full-tree', commit, '--']);
    lister.stdin.end();
    const listErrors = collectText(lister.stderr);

    // Listing entries are `<mode> <type> <sha> <padded size>\t<path>\0`; a chunk may end inside one.
    let rest = '';
    const oversized: string[] = [];
    lister.stdout.setEncoding('utf8');
    lister.stdout.on('data', (chunk: string) => {
      const text = rest + chunk;
      const lastNul = text.lastIndexOf('\0');
      rest = text.slice(lastNul + 1);
      for (let start = 0; start < lastNul;) {
        const end = text.indexOf('\0', start);
        const tab = text.indexOf('\t', start);
        const path = text.slice(tab + 1, end);
        const isBlob = text.startsWith('blob', start + 7);
        const shaStart = text.indexOf(' ', start + 7) + 1;
        const shaEnd = text.indexOf(' ', shaStart);
        start = end + 1;
        if (!isBlob) continue;
        paths.add(path);
        if (path.includes('node_modules/') || path.startsWith('.yarn/')) continue;
        const sha = text.slice(shaStart, shaEnd);
        if (CONFIG_RE.test(path)) configReader.request(path, sha);
        else if (SOURCE_RE.test(path) && !DECLARATION_RE.test(path)) {
          if (Number(text.slice(shaEnd, tab)) > MAX_SOURCE_BYTES) oversized.push(path);
          else sourceReader.request(path, sha);
        }
      }
      for (const reader of readers) reader.flush();
    });
    lister.on('error', fail);
    lister.on('close', (code) => {
      if (code !== 0) return fail(new Error(`git ls-tree failed: ${listErrors().trim() || `exit code ${code}`}`));
      for (const reader of readers) reader.end();
    });
    configReader.stream.done.then(() => {
      if (settled) return;
      try {
        options.onConfigs?.({ paths, configs });
      } catch (error) {
        fail(error as Error);
      }
    }, fail);
    Promise.all(readers.map((reader) => reader.done)).then(() => {
      if (settled) return;
      settled = true;
      resolve({ paths, sources, configs, missing: [...oversized, ...unread] });
    }, fail);
  });
}
