import { spawn } from 'node:child_process';

/**
 * Reads the whole head tree for the import graph from git objects (never the work tree, which a PR's
 * build steps may have changed): one `git ls-tree -r -z` for the listing and one `git cat-file --batch`
 * stream for every blob, not a process per file.
 */

export interface HeadTree {
  /** Every path in the commit's tree. */
  paths: Set<string>;
  /** Source files (JS/TS) to put in the graph. */
  sources: Map<string, string>;
  /** package.json, tsconfig/jsconfig, pnpm-workspace.yaml, .mocharc.json texts. */
  configs: Map<string, string>;
  /** Files whose blob the repository does not have (partial clones), or too large to read. */
  missing: string[];
}

const SOURCE_RE = /\.(?:[cm]?[jt]sx?)$/;
const DECLARATION_RE = /\.d\.[cm]?ts$/;
const CONFIG_RE = /(?:^|\/)(?:package\.json|[jt]sconfig(?:\.[\w.-]+)?\.json|pnpm-workspace\.yaml|\.mocharc\.jsonc?)$/;
// Minified bundles and generated blobs add nothing to a graph of the repository's own code.
const MAX_SOURCE_BYTES = 1_000_000;

/** Runs git and collects stdout as a Buffer; rejects with git's stderr on failure. */
function gitBuffer(repoDir: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: repoDir, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(`git ${args[0]} failed: ${Buffer.concat(errors).toString().trim()}`));
    });
    child.stdin.on('error', () => undefined); // git may exit before reading everything; close() reports it
    child.stdin.end(input ?? '');
  });
}

export interface ReadHeadTreeOptions {
  /**
   * Called for each source file as its blob arrives, so the caller can work (extract imports) while git
   * is still decompressing the rest: on two cores that overlap is most of the read time.
   */
  onSource?: (path: string, text: string) => void;
}

/** Reads every JS/TS source and resolution config of `commit`'s tree. */
export async function readHeadTree(repoDir: string, commit: string, options: ReadHeadTreeOptions = {}): Promise<HeadTree> {
  const listing = await gitBuffer(repoDir, ['ls-tree', '-r', '-z', '--full-tree', '-l', commit]);
  const paths = new Set<string>();
  const toRead: { path: string; sha: string; config: boolean }[] = [];
  const missing: string[] = [];
  for (const entry of listing.toString('utf8').split('\0')) {
    if (!entry) continue;
    const tab = entry.indexOf('\t');
    const path = entry.slice(tab + 1);
    const [, type, sha, size] = entry.slice(0, tab).split(/\s+/);
    if (type !== 'blob' || !sha) continue;
    paths.add(path);
    if (path.includes('node_modules/')) continue;
    const config = CONFIG_RE.test(path);
    const source = !config && SOURCE_RE.test(path) && !DECLARATION_RE.test(path);
    if (!config && !source) continue;
    if (source && Number(size) > MAX_SOURCE_BYTES) {
      missing.push(path);
      continue;
    }
    toRead.push({ path, sha, config });
  }
  const sources = new Map<string, string>();
  const configs = new Map<string, string>();
  if (toRead.length) {
    await streamBlobs(repoDir, toRead.map((item) => item.sha), (index, text) => {
      const item = toRead[index]!;
      if (text === undefined) missing.push(item.path);
      else if (item.config) configs.set(item.path, text);
      else {
        sources.set(item.path, text);
        options.onSource?.(item.path, text);
      }
    });
  }
  return { paths, sources, configs, missing };
}

/**
 * One `git cat-file --batch --buffer` for every object, parsed as it streams: `<sha> blob <size>\n`,
 * the content, a newline; or `<sha> missing\n`. `deliver` gets the request index and the text.
 */
function streamBlobs(repoDir: string, shas: string[], deliver: (index: number, text: string | undefined) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch', '--buffer'], { cwd: repoDir, stdio: ['pipe', 'pipe', 'pipe'] });
    const errors: Buffer[] = [];
    let pending: Buffer = Buffer.alloc(0);
    let index = 0;
    let failed: Error | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      try {
        while (index < shas.length) {
          const newline = pending.indexOf(10, offset);
          if (newline < 0) break;
          const header = pending.toString('latin1', offset, newline);
          const [, kind, size] = header.split(' ');
          if (kind === 'missing' || size === undefined) {
            deliver(index++, undefined);
            offset = newline + 1;
            continue;
          }
          const end = newline + 1 + Number(size);
          if (pending.length < end + 1) break;
          deliver(index++, pending.toString('utf8', newline + 1, end));
          offset = end + 1;
        }
      } catch (error) {
        failed ??= error as Error;
      }
      pending = pending.subarray(offset);
    });
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (failed) reject(failed);
      else if (code === 0) resolve();
      else reject(new Error(`git cat-file failed: ${Buffer.concat(errors).toString().trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(shas.join('\n') + '\n');
  });
}
