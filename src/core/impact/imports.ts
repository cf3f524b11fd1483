import { init, parse } from 'es-module-lexer';

/**
 * Extraction of the module specifiers a file loads at run time: static imports and re-exports,
 * `import()` and `require()` with literal specifiers. Type-only imports are left out, because the
 * test runners strip them and so never load what they name.
 */

/**
 * How each specifier is loaded. TypeScript (and so every runner's transform) drops a `named` import
 * whose bindings are only used as types; `star` re-exports, `bare` side-effect imports, `import()` and
 * `require()` always load the module.
 */
export type ImportKind = 'named' | 'star' | 'bare' | 'dynamic' | 'require';

/** How a specifier was found; the fallback scan is reported so the caller can count it. */
export interface ExtractedImports {
  specifiers: string[];
  /** Parallel to `specifiers`. */
  kinds: ImportKind[];
  /** True when es-module-lexer could not lex the file (JSX, syntax errors) and the regex scan was used. */
  fallback: boolean;
  /**
   * The file exports only types (interfaces, type aliases, `declare`d values): importing names from it
   * loads nothing at run time, since the compiler elides such imports.
   */
  typeOnlyModule: boolean;
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
  const kinds: ImportKind[] = [];
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
        } else {
          if ('typeOnly' in entry && entry.typeOnly) continue;
          kinds.push(staticKind(text.slice(entry.importStart, entry.start)));
        }
        specifiers.push(entry.specifier);
      }
      typeOnlyModule = exports.length > 0 && exports.every((entry) => entry.typeOnly) && !kinds.includes('star');
      lexed = true;
    } catch {
      specifiers.length = 0;
      kinds.length = 0;
      lexed = false;
    }
  }
  if (!lexed) {
    fallback = true;
    scanStatic(text, specifiers, kinds);
  }
  if (text.includes('require')) {
    for (const match of text.matchAll(REQUIRE_RE)) {
      specifiers.push(match[2]!);
      kinds.push('require');
    }
  }
  return { specifiers, kinds, fallback, typeOnlyModule };
}

/** Classifies a static import from its text up to the specifier ("import * as ns from '", "export * from '"). */
function staticKind(head: string): ImportKind {
  if (/^export\s*\*/.test(head)) return 'star';
  if (/^import\s*['"]$/.test(head)) return 'bare';
  return 'named';
}

function scanStatic(text: string, out: string[], kinds: ImportKind[]): void {
  if (text.includes('import') || text.includes('export')) {
    for (const match of text.matchAll(STATIC_RE)) {
      if (match[2] !== undefined) continue; // import type / export type
      out.push(match[4]!);
      kinds.push(staticKind(match[0].replace(/^[^ie]*/, '').slice(0, -(match[4]!.length + 1))));
    }
    for (const match of text.matchAll(DYNAMIC_RE)) {
      out.push(match[2]!);
      kinds.push('dynamic');
    }
  }
}
