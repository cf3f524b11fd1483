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

/** The commentable lines of every file of a pull request, keyed by head path. */
export type DiffIndex = Map<string, CommentableLines>;

/** Builds the index from the files list of a pull request. */
export function buildDiffIndex(files: { filename: string; patch?: string }[]): DiffIndex {
  return new Map(files.map((f) => [f.filename, commentableLines(f.patch)]));
}

/** True when GitHub will accept a review comment at this place. */
export function isCommentable(index: DiffIndex, path: string, side: 'LEFT' | 'RIGHT', line: number): boolean {
  const lines = index.get(path);
  if (!lines) return false;
  return (side === 'LEFT' ? lines.left : lines.right).has(line);
}
