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

/** Reads every JS/TS source and resolution config of `commit`'s tree. */
export async function readHeadTree(repoDir: string, commit: string): Promise<HeadTree> {
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
    const output = await gitBuffer(repoDir, ['cat-file', '--batch', '--buffer'], toRead.map((item) => item.sha).join('\n') + '\n');
    let offset = 0;
    for (const item of toRead) {
      const newline = output.indexOf(10, offset);
      if (newline < 0) break;
      const header = output.toString('latin1', offset, newline);
      offset = newline + 1;
      const [, kind, size] = header.split(' ');
      if (kind === 'missing' || size === undefined) {
        missing.push(item.path);
        continue;
      }
      const length = Number(size);
      const text = output.toString('utf8', offset, offset + length);
      offset += length + 1; // the content is followed by a newline
      (item.config ? configs : sources).set(item.path, text);
    }
  }
  return { paths, sources, configs, missing };
}
