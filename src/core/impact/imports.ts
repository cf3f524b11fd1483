import { init, parse } from 'es-module-lexer';

/**
 * Extraction of the module specifiers a file loads at run time: static imports and re-exports,
 * `import()` and `require()` with literal specifiers. Type-only imports are left out, because the
 * test runners strip them and so never load what they name.
 */

/** How a specifier was found; the fallback scan is reported so the caller can count it. */
export interface ExtractedImports {
  specifiers: string[];
  /** True when es-module-lexer could not lex the file (JSX, syntax errors) and the regex scan was used. */
  fallback: boolean;
}

let ready: Promise<void> | undefined;

/** es-module-lexer is WebAssembly: it must be initialised once before the first extraction. */
export function initImportLexer(): Promise<void> {
  ready ??= init();
  return ready;
}

// A require() call with one string literal argument; dynamic or computed requires are not followed.
const REQUIRE_RE = /(?:^|[^.\w$])require\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;
// The fallback for what the lexer cannot read (JSX): import/export ... from 'x', import 'x',
// import('x'), and TypeScript's `import x = require('x')` (caught by REQUIRE_RE).
const STATIC_RE = /(?:^|[^.\w$])(import|export)\s+(type\s+)?(?:[\w$*{}\s,]*?\s*from\s*)?(['"])([^'"\n]+)\3/g;
const DYNAMIC_RE = /(?:^|[^.\w$])import\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/**
 * Lists the run-time specifiers of one source file. Must be called after `initImportLexer()` resolved.
 * `jsx` files skip the lexer (it cannot read JSX and would only throw).
 */
export function extractImports(text: string, path: string): ExtractedImports {
  const specifiers: string[] = [];
  let fallback = false;
  const mayHaveJsx = path.endsWith('x');
  let lexed = false;
  if (!mayHaveJsx) {
    try {
      const [imports] = parse(text);
      for (const entry of imports) {
        if (entry.type === 'import-meta' || entry.specifier == null) continue;
        if (entry.type === 'dynamic') {
          if (entry.glob || entry.probablyTypeOnly) continue;
        } else if ('typeOnly' in entry && entry.typeOnly) {
          continue;
        }
        specifiers.push(entry.specifier);
      }
      lexed = true;
    } catch {
      lexed = false;
    }
  }
  if (!lexed) {
    fallback = true;
    scanStatic(text, specifiers);
  }
  if (text.includes('require')) {
    for (const match of text.matchAll(REQUIRE_RE)) specifiers.push(match[2]!);
  }
  return { specifiers, fallback };
}

function scanStatic(text: string, out: string[]): void {
  if (text.includes('import') || text.includes('export')) {
    for (const match of text.matchAll(STATIC_RE)) {
      if (match[2] !== undefined) continue; // import type / export type
      out.push(match[4]!);
    }
    for (const match of text.matchAll(DYNAMIC_RE)) out.push(match[2]!);
  }
}
