import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * Reads the whole head tree for the import graph from git objects (never the work tree, which a PR's
 * build steps may have changed): one `git ls-tree -r -z` for the listing and two `git cat-file --batch`
 * streams for the blobs (configs, sources), never a process per file. They run as a pipeline: each blob
 * is requested as soon as its listing line arrives, so git decompresses while the tree is still walked.
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
// Minified bundles and generated blobs add nothing to a graph of the repository's own code. Neither do
// Yarn's own files (.yarn/releases, .yarn/plugins), skipped like node_modules.
const MAX_SOURCE_BYTES = 1_000_000;

export interface ReadHeadTreeOptions {
  /**
   * Called for each source file as its blob arrives, so the caller can work (extract imports) while git
   * is still decompressing the rest.
   */
  onSource?: (path: string, text: string) => void;
  /**
   * Called once, as soon as the listing is complete and every config has been read, while source blobs
   * are still streaming: a caller can set up module resolution then instead of after the last blob.
   */
  onConfigs?: (tree: { paths: ReadonlySet<string>; configs: ReadonlyMap<string, string> }) => void;
  /**
   * Keep source texts in `sources` (default true). A caller that extracts everything it needs in
   * `onSource` passes false, so the texts die young instead of being promoted and kept.
   */
  retainSources?: boolean;
}

/** Reads every JS/TS source and resolution config of `commit`'s tree. */
export function readHeadTree(repoDir: string, commit: string, options: ReadHeadTreeOptions = {}): Promise<HeadTree> {
  const paths = new Set<string>();
  const sources = new Map<string, string>();
  const configs = new Map<string, string>();
  const retainSources = options.retainSources ?? true;
  // Configs get their own cat-file so that they are all in early (onConfigs), not spread over the stream.
  const configReader = new BlobStream(repoDir, (path, text) => configs.set(path, text));
  const deliverSource = (path: string, text: string): void => {
    if (retainSources) sources.set(path, text);
    options.onSource?.(path, text);
  };
  const sourceReader = new BlobStream(repoDir, deliverSource);
  const readers = [configReader, sourceReader];

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
    const lister = spawnGit(repoDir, ['ls-tree', '-r', '-z', '-l', '--full-tree', commit]);
    lister.stdin.end();
    const listErrors = collect(lister.stderr);

    // Listing entries are `<mode> <type> <sha> <padded size>\t<path>\0`; a chunk may end inside one.
    let rest = '';
    const oversized: string[] = [];
    lister.stdout.setEncoding('utf8');
    lister.stdout.on('data', (chunk: string) => {
      const text = rest + chunk;
      const lastNul = text.lastIndexOf('\0');
      rest = text.slice(lastNul + 1);
      for (let start = 0; start < lastNul; ) {
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
    configReader.done.then(() => {
      if (settled) return;
      try {
        options.onConfigs?.({ paths, configs });
      } catch (error) {
        fail(error as Error);
      }
    }, fail);
    Promise.all(readers.map((reader) => reader.done)).then((unread) => {
      if (settled) return;
      settled = true;
      resolve({ paths, sources, configs, missing: [...oversized, ...unread.flat()] });
    }, fail);
  });
}

/**
 * One `git cat-file --batch --buffer` process: blobs are requested as the listing arrives and delivered
 * in request order.
 */
class BlobStream {
  /** Settles once git has answered every request: the paths whose blob the repository does not have. */
  readonly done: Promise<string[]>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly requested: string[] = [];
  private pending = '';

  constructor(repoDir: string, deliver: (path: string, text: string) => void) {
    this.child = spawnGit(repoDir, ['cat-file', '--batch', '--buffer']);
    const errors = collect(this.child.stderr);
    const unread: string[] = [];
    let failure: Error | undefined;
    const parser = new BatchParser((index, text) => {
      const path = this.requested[index]!;
      if (text === undefined) unread.push(path);
      else deliver(path, text);
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        parser.push(chunk);
      } catch (error) {
        failure = error as Error;
        this.child.kill();
      }
    });
    this.done = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code) => {
        if (failure) return reject(failure);
        if (code !== 0) return reject(new Error(`git cat-file failed: ${errors().trim() || `exit code ${code}`}`));
        if (parser.delivered !== this.requested.length) return reject(new Error(`git cat-file answered ${parser.delivered} of ${this.requested.length} objects`));
        resolve(unread);
      });
    });
    // A reader that fails is reported through readHeadTree's promise; this keeps Node from also
    // reporting the rejection as unhandled when nobody awaits this one directly.
    this.done.catch(() => undefined);
  }

  /** Asks for a blob; requests are sent at `flush`. */
  request(path: string, sha: string): void {
    this.requested.push(path);
    this.pending += sha + '\n';
  }

  /** Sends the requests gathered from one listing chunk in one write. */
  flush(): void {
    if (this.pending === '') return;
    this.child.stdin.write(this.pending);
    this.pending = '';
  }

  end(): void {
    this.flush();
    this.child.stdin.end();
  }

  kill(): void {
    this.child.kill();
  }
}

function spawnGit(repoDir: string, args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn('git', args, { cwd: repoDir, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined); // git may exit before reading everything; 'close' reports why
  return child;
}

function collect(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString();
}

/**
 * Parses `git cat-file --batch` output as it streams: `<sha> blob <size>\n`, the content, a newline; or
 * `<sha> missing\n`. A blob inside one chunk is decoded in place; one spanning chunks is assembled in a
 * buffer of its exact size, so no chunk is copied more than once.
 */
class BatchParser {
  delivered = 0;
  private header: Buffer | undefined;
  private body: Buffer | undefined;
  private bodyFilled = 0;
  private awaitingNewline = false;

  constructor(private readonly deliver: (index: number, text: string | undefined) => void) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.body !== undefined) {
        pos = this.continueBody(chunk, pos);
        continue;
      }
      if (this.awaitingNewline) {
        // The newline after each object's content.
        pos++;
        this.awaitingNewline = false;
        continue;
      }
      const newline = chunk.indexOf(10, pos);
      if (newline < 0) {
        this.header = this.header ? Buffer.concat([this.header, chunk.subarray(pos)]) : Buffer.from(chunk.subarray(pos));
        return;
      }
      const headerText = this.header
        ? Buffer.concat([this.header, chunk.subarray(pos, newline)]).toString('latin1')
        : chunk.toString('latin1', pos, newline);
      this.header = undefined;
      pos = newline + 1;
      const [, kind, sizeText] = headerText.split(' ');
      if (kind === 'missing' || sizeText === undefined) {
        this.deliver(this.delivered++, undefined);
        continue;
      }
      const size = Number(sizeText);
      if (chunk.length - pos >= size) {
        this.deliver(this.delivered++, chunk.toString('utf8', pos, pos + size));
        pos += size;
        this.awaitingNewline = true;
        continue;
      }
      this.body = Buffer.allocUnsafe(size);
      this.bodyFilled = 0;
      pos = this.continueBody(chunk, pos);
    }
  }

  /** Copies as much of the current object's content as `chunk` holds from `pos`. */
  private continueBody(chunk: Buffer, pos: number): number {
    const body = this.body!;
    const taken = Math.min(body.length - this.bodyFilled, chunk.length - pos);
    chunk.copy(body, this.bodyFilled, pos, pos + taken);
    this.bodyFilled += taken;
    if (this.bodyFilled === body.length) {
      this.body = undefined;
      this.deliver(this.delivered++, body.toString('utf8'));
      this.awaitingNewline = true;
    }
    return pos + taken;
  }
}
