import { init, parse } from 'es-module-lexer';

/**
 * Extraction of the module specifiers a file loads at run time: static imports and re-exports,
 * `import()` and `require()` with literal specifiers. Type-only imports are left out, because the
 * test runners strip them and so never load what they name.
 */

/**
 * How each specifier is loaded. TypeScript (and so every runner's transform) drops a `named` import
 * whose bindings are only used as types; `star` re-exports (`export * from`), `namespace` re-exports
 * (`export * as ns from`), `bare` side-effect imports, `import()` and `require()` always load the module.
 */
export type ImportKind = 'named' | 'star' | 'namespace' | 'bare' | 'dynamic' | 'require';

/** How a specifier was found; the fallback scan is reported so the caller can count it. */
export interface ExtractedImports {
  specifiers: string[];
  /** Parallel to `specifiers`. */
  kinds: ImportKind[];
  /** True when es-module-lexer could not lex the file (JSX, syntax errors) and the regex scan was used. */
  fallback: boolean;
  /**
   * The file's own exports are all types (interfaces, type aliases, `declare`d values), and it has at
   * least one export or `export *`. Importing names from it loads nothing at run time, since the compiler
   * elides such imports, provided its `export *` targets are type-only too (the graph checks that).
   */
  typeOnlyModule: boolean;
  /**
   * Parallel to `specifiers`: for a `named` import, the names it binds ('default' for a default import;
   * inline `type X` entries left out); undefined when unknown (namespace imports, the fallback scan).
   */
  names: (string[] | undefined)[];
  /** Names this file exports only as types (`export type T`, `export interface I`). */
  typeExports: string[];
  /**
   * Names this file itself exports as values (declarations and named re-exports): they shadow the same
   * names coming through its `export *`. Empty for the fallback scan, which does not read exports.
   */
  valueExports: string[];
}

let ready: Promise<void> | undefined;

/**
 * A copy of a short string cut from a file's text that does not keep the text alive. V8 represents a
 * slice as a view into its parent, so without this every specifier would pin its whole source file in
 * memory until the graph is dropped (27 MB on a 7k-file tree, promoted and copied by every collection).
 */
function detach(value: string): string {
  return (' ' + value).slice(1);
}

/** es-module-lexer is WebAssembly: it must be initialised once before the first extraction. */
export function initImportLexer(): Promise<void> {
  ready ??= init();
  return ready;
}

// A require() call with one string literal argument; dynamic or computed requires are not followed.
const REQUIRE_RE = /(?:^|[^.\w$])require\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;
// The fallback for what the lexer cannot read (JSX): import/export ... from 'x', import 'x',
// import('x'), and TypeScript's `import x = require('x')` (caught by REQUIRE_RE). The static form is
// scanned by hand (scanStaticAt): a regular expression for it backtracks on runs of blanks.
const STATIC_KEYWORD_RE = /(?:^|[^.\w$])(import|export)(?=\s)/g;
const DYNAMIC_RE = /(?:^|[^.\w$])import\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/**
 * Lists the run-time specifiers of one source file. Must be called after `initImportLexer()` resolved.
 * `jsx` files skip the lexer (it cannot read JSX and would only throw).
 */
export function extractImports(text: string, path: string): ExtractedImports {
  const specifiers: string[] = [];
  const kinds: ImportKind[] = [];
  const names: (string[] | undefined)[] = [];
  const typeExports: string[] = [];
  const valueExports: string[] = [];
  let fallback = false;
  let typeOnlyModule = false;
  const mayHaveJsx = path.endsWith('x');
  let lexed = false;
  if (!mayHaveJsx) {
    try {
      const [imports, exports] = parse(text);
      for (const entry of imports) {
        if (entry.type === 'import-meta' || entry.specifier == null) continue;
        if (entry.type === 'dynamic') {
          if (entry.glob || entry.probablyTypeOnly) continue;
          kinds.push('dynamic');
          names.push(undefined);
        } else {
          if ('typeOnly' in entry && entry.typeOnly) continue;
          const head = text.slice(entry.importStart, entry.start);
          const kind = staticKind(head);
          kinds.push(kind);
          names.push(kind === 'named' ? boundNames(head) : undefined);
        }
        specifiers.push(detach(entry.specifier));
      }
      const own = exports.filter((entry) => entry.type !== 'reexport-all');
      typeOnlyModule = (own.length > 0 || kinds.includes('star')) && own.every((entry) => entry.typeOnly);
      const values = new Set<string>();
      for (const entry of exports) if (!entry.typeOnly && 'name' in entry) values.add(entry.name);
      for (const entry of exports) if (entry.typeOnly && 'name' in entry && !values.has(entry.name)) typeExports.push(detach(entry.name));
      for (const name of values) valueExports.push(detach(name));
      lexed = true;
    } catch {
      specifiers.length = 0;
      kinds.length = 0;
      names.length = 0;
      typeExports.length = 0;
      valueExports.length = 0;
      lexed = false;
    }
  }
  if (!lexed) {
    fallback = true;
    scanStatic(text, specifiers, kinds);
    while (names.length < specifiers.length) names.push(undefined);
  }
  if (text.includes('require')) {
    for (const match of text.matchAll(REQUIRE_RE)) {
      specifiers.push(detach(match[2]!));
      kinds.push('require');
      names.push(undefined);
    }
  }
  return { specifiers, kinds, fallback, typeOnlyModule, names, typeExports, valueExports };
}

/**
 * The names a named import or re-export binds, from its text up to the specifier:
 * `import d, { a, type T, b as c } from '` -> ['default', 'a', 'b']. Undefined for namespace imports
 * (and, to stay on the safe side, for anything with a `*` in it, comments included). Called for every
 * named import of the tree, so it scans with indexOf rather than regular expressions.
 */
function boundNames(head: string): string[] | undefined {
  if (head.includes('*')) return undefined;
  const bound: string[] = [];
  const brace = head.indexOf('{');
  // Between the keyword and the brace (or `from`): a default import's local name, if there is one.
  const defaultPart = head.slice(6, brace >= 0 ? brace : head.lastIndexOf('from'));
  if (IDENTIFIER_CHAR_RE.test(defaultPart)) bound.push('default');
  if (brace >= 0) {
    for (const part of head.slice(brace + 1, head.lastIndexOf('}')).split(',')) {
      let item = part.trim();
      if (item === '' || (item.startsWith('type') && isSpace(item.charCodeAt(4)))) continue;
      const as = item.includes('as') ? item.search(/\s+as\s+/) : -1;
      if (as > 0) item = item.slice(0, as);
      const first = item.charCodeAt(0);
      if (first === 34 || first === 39) item = item.slice(1, -1); // import { 'a-b' as c }
      bound.push(detach(item));
    }
  }
  return bound;
}

const IDENTIFIER_CHAR_RE = /[\w$]/;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Classifies a static import from its text up to the specifier ("import * as ns from '", "export * from '"). */
function staticKind(head: string): ImportKind {
  let i = 6; // past `import` / `export`
  while (i < head.length && isSpace(head.charCodeAt(i))) i++;
  const next = head.charCodeAt(i);
  if (head.charCodeAt(0) === 101 /* e */) {
    if (next !== 42 /* * */) return 'named';
    // `export * as ns from` binds one name, a namespace object; `export * from` merges every export.
    let j = i + 1;
    while (j < head.length && isSpace(head.charCodeAt(j))) j++;
    return head.startsWith('as', j) && isSpace(head.charCodeAt(j + 2)) ? 'namespace' : 'star';
  }
  return (next === 39 || next === 34) && i === head.length - 1 ? 'bare' : 'named';
}

function scanStatic(text: string, out: string[], kinds: ImportKind[]): void {
  if (text.includes('import') || text.includes('export')) {
    // Every character is looked at a bounded number of times: a clause that ends without `from '…'` is not
    // scanned again from a keyword inside it (what it would find there, it would have found already).
    let resumeAt = 0;
    for (const match of text.matchAll(STATIC_KEYWORD_RE)) {
      const keywordStart = match.index + match[0].length - 6;
      if (keywordStart < resumeAt) continue;
      const found = scanStaticAt(text, keywordStart + 6);
      resumeAt = found.end;
      if (!found.specifier) continue;
      out.push(detach(found.specifier));
      kinds.push(staticKind(text.slice(keywordStart, found.quoteAt + 1)));
    }
    for (const match of text.matchAll(DYNAMIC_RE)) {
      out.push(detach(match[2]!));
      kinds.push('dynamic');
    }
  }
}

/** Characters of an import clause between the keyword and `from`: names, braces, commas, `*`, blanks. */
function isClauseChar(code: number): boolean {
  return (
    isSpace(code) ||
    code === 44 ||
    code === 42 ||
    code === 123 ||
    code === 125 ||
    code === 36 ||
    code === 95 ||
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122)
  );
}

/**
 * Reads `import|export <blanks> [clause from] 'specifier'` from just past the keyword. Returns the
 * specifier (undefined for none, or for `import type`/`export type`), where its quote is, and where the
 * scan stopped.
 */
function scanStaticAt(text: string, from: number): { specifier?: string; quoteAt: number; end: number } {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (text.startsWith('type', i) && isSpace(text.charCodeAt(i + 4))) return { quoteAt: -1, end: i + 4 };
  const quoted = (at: number): string | undefined => {
    const quote = text.charCodeAt(at);
    if (quote !== 39 && quote !== 34) return undefined;
    let j = at + 1;
    while (j < text.length) {
      const code = text.charCodeAt(j);
      if (code === 39 || code === 34 || code === 10) break;
      j++;
    }
    return j > at + 1 && text.charCodeAt(j) === quote ? text.slice(at + 1, j) : undefined;
  };
  const bare = quoted(i);
  if (bare !== undefined) return { specifier: bare, quoteAt: i, end: i + bare.length + 2 };
  for (let k = i; k < text.length && isClauseChar(text.charCodeAt(k)); k++) {
    if (!text.startsWith('from', k)) continue;
    let q = k + 4;
    while (q < text.length && isSpace(text.charCodeAt(q))) q++;
    const specifier = quoted(q);
    if (specifier !== undefined) return { specifier, quoteAt: q, end: q + specifier.length + 2 };
  }
  let end = i;
  while (end < text.length && isClauseChar(text.charCodeAt(end))) end++;
  return { quoteAt: -1, end };
}
