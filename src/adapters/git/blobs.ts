import type { BlobContent } from '../ports.js';
import { collectText, type Git } from './git.js';

/**
 * The one reader of `git cat-file --batch`. Objects are asked for by id, never by `<rev>:<path>`: a path
 * may hold a newline or start with a dash, and the ids are already known from `diff --raw` or `ls-tree`.
 * cat-file is never given `--textconv` or `--filters`, so the bytes are the object's own.
 */

/** git's own binary heuristic: a NUL byte in the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000;

/** One object as cat-file delivered it: `content` is a view into the pipe's chunk, valid during the call only. */
export type DeliverObject = (index: number, object: { type: string; content: Buffer } | undefined) => void;

/**
 * A `git cat-file --batch --buffer` process: objects are requested as they become known and delivered in
 * request order, while git is still decompressing the rest.
 */
export class BlobStream {
  /** Settles once git has answered every request. */
  readonly done: Promise<void>;
  private readonly child: ReturnType<Git['spawn']>;
  private requested = 0;
  private pending = '';

  constructor(git: Git, deliver: DeliverObject) {
    this.child = git.spawn(['cat-file', '--batch', '--buffer']);
    const errors = collectText(this.child.stderr);
    let failure: Error | undefined;
    const parser = new BatchParser(deliver);
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
        if (parser.delivered !== this.requested)
          return reject(new Error(`git cat-file answered ${parser.delivered} of ${this.requested} objects`));
        resolve();
      });
    });
    // A reader that fails is reported through its caller's promise; this keeps Node from also reporting
    // the rejection as unhandled when nobody awaits this one directly.
    this.done.catch(() => undefined);
  }

  /** Asks for an object by id; requests are sent at `flush`. Returns the request's index. */
  request(id: string): number {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id)) throw new Error(`expected an object id, got '${id}'`);
    this.pending += id + '\n';
    return this.requested++;
  }

  /** Sends the gathered requests in one write. */
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

/**
 * Reads many objects by id in one process. Missing objects and non-blobs are absent from the map; binary
 * blobs and blobs over `maxBytes` carry no text.
 */
export async function readObjects(
  git: Git,
  ids: readonly string[],
  options: { maxBytes?: number } = {},
): Promise<Map<string, BlobContent>> {
  const result = new Map<string, BlobContent>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return result;
  const stream = new BlobStream(git, (index, object) => {
    if (!object || object.type !== 'blob') return;
    const { content } = object;
    const size = content.length;
    const binary = content.subarray(0, BINARY_PROBE_BYTES).includes(0);
    const tooLarge = options.maxBytes !== undefined && size > options.maxBytes;
    result.set(unique[index]!, binary || tooLarge ? { size, binary } : { text: content.toString('utf8'), size, binary });
  });
  for (const id of unique) stream.request(id);
  stream.end();
  await stream.done;
  return result;
}

/**
 * Parses `git cat-file --batch` output as it streams: `<id> <type> <size>\n`, the content, a newline; or
 * `<id> missing\n`. An object inside one chunk is delivered in place; one spanning chunks is assembled in
 * a buffer of its exact size, so no chunk is copied more than once.
 */
class BatchParser {
  delivered = 0;
  private header: Buffer | undefined;
  private body: Buffer | undefined;
  private bodyType = '';
  private bodyFilled = 0;
  private awaitingNewline = false;

  constructor(private readonly deliver: DeliverObject) {}

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
      const [, type = '', sizeText] = headerText.split(' ');
      if (type === 'missing' || type === 'ambiguous' || sizeText === undefined) {
        this.deliver(this.delivered++, undefined);
        continue;
      }
      const size = Number(sizeText);
      if (chunk.length - pos >= size) {
        this.deliver(this.delivered++, { type, content: chunk.subarray(pos, pos + size) });
        pos += size;
        this.awaitingNewline = true;
        continue;
      }
      this.body = Buffer.allocUnsafe(size);
      this.bodyType = type;
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
      this.deliver(this.delivered++, { type: this.bodyType, content: body });
      this.awaitingNewline = true;
    }
    return pos + taken;
  }
}
