/** The lines of one file a review comment may be placed on, per side, as GitHub's "Files changed" shows them. */
export interface CommentableLines {
  /** Base-side line numbers of removed and context lines inside the hunks. */
  left: Set<number>;
  /** Head-side line numbers of added and context lines inside the hunks. */
  right: Set<number>;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * Reads the `patch` of one entry of `GET /pulls/{n}/files` (unified diff hunks without file headers).
 * GitHub rejects a whole review when one comment points outside these lines, so every location is checked
 * here first.
 */
export function commentableLines(patch: string | undefined): CommentableLines {
  const left = new Set<number>();
  const right = new Set<number>();
  if (!patch) return { left, right };
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  for (const line of patch.replace(/\n$/, '').split('\n')) {
    const header = HUNK_HEADER.exec(line);
    if (header) {
      oldLine = Number(header[1]);
      newLine = Number(header[2]);
      inHunk = true;
      continue;
    }
    if (!inHunk || line.startsWith('\\')) continue;
    const mark = line[0];
    if (mark === '-') {
      left.add(oldLine++);
    } else if (mark === '+') {
      right.add(newLine++);
    } else if (mark === ' ' || line === '') {
      left.add(oldLine++);
      right.add(newLine++);
    }
  }
  return { left, right };
}

/**
 * The commentable lines of every file of a pull request, keyed by head path; a renamed file's base lines
 * also under its base path, with the head path GitHub wants them posted under (`postAs`).
 */
export type DiffIndex = Map<string, CommentableLines & { postAs?: string }>;

/** Builds the index from the files list of a pull request. */
export function buildDiffIndex(files: { filename: string; patch?: string; previousFilename?: string }[]): DiffIndex {
  const index: DiffIndex = new Map(files.map((f) => [f.filename, commentableLines(f.patch)]));
  for (const file of files) {
    if (!file.previousFilename || file.previousFilename === file.filename || index.has(file.previousFilename)) continue;
    // A removed line of a renamed file: GitHub shows it on the LEFT of the file's new name, and takes a
    // comment on it only under that name.
    index.set(file.previousFilename, { left: index.get(file.filename)!.left, right: new Set(), postAs: file.filename });
  }
  return index;
}

/**
 * Where GitHub takes a review comment on this line of this side of `path` (a path on that side): the path
 * to post it under, or undefined when the line is not in the diff (one such comment fails the whole review).
 */
export function placeOnDiff(index: DiffIndex, path: string, side: 'LEFT' | 'RIGHT', line: number): string | undefined {
  const lines = index.get(path);
  if (!lines || !(side === 'LEFT' ? lines.left : lines.right).has(line)) return undefined;
  return lines.postAs ?? path;
}
