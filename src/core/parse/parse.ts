import { ts } from '../ts-morph-library.js';
import { lineOf } from '../detect/ast/text.js';
import { byPathAndText, memoize } from '../memo.js';

export type ParseResult = { ok: true; sourceFile: ts.SourceFile } | { ok: false; reason: string };

/**
 * Deepest syntax tree analyzed. Hand-written code stays under 80 (6,000 files of node_modules measured:
 * 74 at most); the parser and the detectors' recursive visitors run out of stack between 700 and 2,000.
 * A file nested deeper is skipped with this reason rather than costing the run.
 */
export const MAX_NESTING_DEPTH = 250;
/** Longest text parsed: past this a file is data or generated, and parsing it would cost the run's budget. */
export const MAX_SOURCE_CHARS = 2_000_000;
/**
 * `async (a, b(async (c, …` that are calls, not arrow functions, make TypeScript's parser try each as an
 * arrow function and backtrack: the time doubles with each level (20 levels: 40 s). Real code nests such
 * calls once or twice.
 */
export const MAX_ASYNC_CALL_NESTING = 8;

/** What a linear scan of the text tells before parsing: how deep brackets nest, how deep `async (` calls do. */
export function measureNesting(text: string): { bracketDepth: number; asyncCallDepth: number } {
  let depth = 0;
  let bracketDepth = 0;
  // Open parentheses, each with the count of non-arrow `async (` among them and their enclosing ones.
  const parens: { async: boolean; enclosingAsync: number; index: number }[] = [];
  const asyncParens: { enclosing: number; arrow: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 40 /* ( */ || code === 91 /* [ */ || code === 123 /* { */) {
      depth++;
      if (depth > bracketDepth) bracketDepth = depth;
      if (code === 40) {
        const enclosing = parens.length ? parens[parens.length - 1]!.enclosingAsync : -1;
        if (followsAsync(text, i)) {
          asyncParens.push({ enclosing, arrow: false });
          parens.push({ async: true, enclosingAsync: asyncParens.length - 1, index: asyncParens.length - 1 });
        } else parens.push({ async: false, enclosingAsync: enclosing, index: -1 });
      }
    } else if (code === 41 /* ) */ || code === 93 /* ] */ || code === 125 /* } */) {
      if (depth > 0) depth--;
      if (code === 41) {
        const open = parens.pop();
        if (open?.async) asyncParens[open.index]!.arrow = arrowFollows(text, i + 1);
      }
    }
  }
  // Depth of non-arrow `async (` calls inside each other's parentheses (an arrow's body is outside them).
  let asyncCallDepth = 0;
  const depths: number[] = [];
  for (let k = 0; k < asyncParens.length; k++) {
    const entry = asyncParens[k]!;
    const d = (entry.enclosing >= 0 ? depths[entry.enclosing]! : 0) + (entry.arrow ? 0 : 1);
    depths.push(d);
    if (d > asyncCallDepth) asyncCallDepth = d;
  }
  return { bracketDepth, asyncCallDepth };
}

function followsAsync(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  return i >= 4 && text.startsWith('async', i - 4) && !/[\w$]/.test(text.charAt(i - 5));
}

function arrowFollows(text: string, at: number): boolean {
  let i = at;
  while (i < text.length && /\s/.test(text.charAt(i))) i++;
  // `async (a): Promise<T> => …`: a return type annotation sits between the parameters and the arrow.
  if (text.charCodeAt(i) === 58 /* : */) return text.slice(i, i + 200).includes('=>');
  return text.startsWith('=>', i);
}

/** Depth of a syntax tree, measured with an explicit stack (a recursive walk is what the guard prevents). */
export function syntaxDepth(root: ts.Node, stopAbove: number): number {
  let deepest = 0;
  const stack: [ts.Node, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) {
      deepest = depth;
      if (deepest > stopAbove) return deepest;
    }
    ts.forEachChild(node, (child) => {
      stack.push([child, depth + 1]);
    });
  }
  return deepest;
}

/**
 * Parses file text with TypeScript's parser: syntax only, no lib files, no type checker, no file system,
 * nothing from the analyzed repository is loaded or run. Each parse is a separate source file, so the two
 * versions of a file never meet.
 */
export class SyntaxParser {
  parse(path: string, text: string): ParseResult {
    if (text.length > MAX_SOURCE_CHARS)
      return { ok: false, reason: `too large to analyze (${text.length} characters; the limit is ${MAX_SOURCE_CHARS})` };
    const shape = measureNesting(text);
    if (shape.bracketDepth > MAX_NESTING_DEPTH) {
      return { ok: false, reason: `nested too deeply to analyze (brackets ${shape.bracketDepth} deep; the limit is ${MAX_NESTING_DEPTH})` };
    }
    if (shape.asyncCallDepth > MAX_ASYNC_CALL_NESTING) {
      return {
        ok: false,
        reason: `cannot be parsed in bounded time (${shape.asyncCallDepth} nested \`async (\` calls; the limit is ${MAX_ASYNC_CALL_NESTING})`,
      };
    }
    let sourceFile: ts.SourceFile;
    try {
      // A version the analyzers of non-code files already parsed (it reads the environment) is theirs; the
      // detectors' own parses are not kept (a large pull request has hundreds).
      sourceFile = sharedSyntaxTree.known(path, text) ?? createSyntaxTree(path, text);
    } catch (error) {
      // Nesting without brackets (thousands of `if (a) if (b) …`, `<a><a>…`) can still exhaust the stack.
      if (error instanceof RangeError) return { ok: false, reason: `nested too deeply to analyze (the parser ran out of stack)` };
      return { ok: false, reason: `could not be parsed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
    }
    const depth = syntaxDepth(sourceFile, MAX_NESTING_DEPTH);
    if (depth > MAX_NESTING_DEPTH) {
      return { ok: false, reason: `nested too deeply to analyze (syntax tree deeper than ${MAX_NESTING_DEPTH} levels)` };
    }
    // The parser recovers from almost anything; a file that needed recovery in many places is not code we
    // can compare meaningfully (a merge-conflict marker, a template, a file in another language).
    const diagnostics = (sourceFile as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
    if (diagnostics.length > 0) {
      const first = diagnostics[0]!;
      const line = first.start === undefined ? 0 : lineOf(sourceFile, first.start);
      const message = ts.flattenDiagnosticMessageText(first.messageText, ' ');
      if (diagnostics.length > 5 || /conflict marker/i.test(message)) {
        return { ok: false, reason: `does not parse (line ${line}: ${message})` };
      }
    }
    return { ok: true, sourceFile };
  }
}

/** What ts-morph's in-memory Project did for us (target Latest, parent pointers set), without the 17 ms a Project costs to create. */
function createSyntaxTree(path: string, text: string): ts.SourceFile {
  return ts.createSourceFile(`/${path}`, text, ts.ScriptTarget.Latest, true, scriptKindOf(path));
}

const sharedSyntaxTree = memoize(createSyntaxTree, byPathAndText, 64);

/**
 * The syntax tree of one version of a source file, kept for the detectors that parse the same version
 * later: the analyzers of non-code files that read code (environment reads, health routes) parse the
 * changed files first, in the collect step. Throws what the parser throws. Shared: never change it.
 */
export function syntaxTree(path: string, text: string): ts.SourceFile {
  return sharedSyntaxTree(path, text);
}

function scriptKindOf(path: string): ts.ScriptKind {
  if (path.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (path.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[mc]?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
