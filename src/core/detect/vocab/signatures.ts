import { ts } from '../../ts-morph-library.js';

// Token and signature libraries: where a bare `verify(…)` or `decode(…)` comes from decides whether it
// checks a signature (`import { verify } from 'jsonwebtoken'`) or does something else entirely.

/** Modules whose `verify` checks a token's or a payload's signature and whose `decode` does not. */
const TOKEN_MODULE =
  /^(jsonwebtoken|jose|jws|jwt-decode|jwt-simple|njwt|fast-jwt|@node-rs\/jsonwebtoken|hono\/jwt|@tsndr\/cloudflare-worker-jwt|@octokit\/webhooks(-methods)?|svix|standardwebhooks|tweetnacl|@noble\/\w+|node:crypto|crypto)$/;

/** Of those, the modules of JSON web tokens: a verify there checks claims a decode would hand over unchecked. */
const JWT_MODULE = /jwt|jose|jws|jsonwebtoken/;

const imported = new WeakMap<ts.SourceFile, Map<string, { name: string; jwt: boolean }>>();

/** The local names a file imports from a token or signature library, with the name each has there. */
function tokenImports(sf: ts.SourceFile): Map<string, { name: string; jwt: boolean }> {
  let names = imported.get(sf);
  if (names) return names;
  names = new Map();
  for (const statement of sf.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!TOKEN_MODULE.test(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    const jwt = JWT_MODULE.test(statement.moduleSpecifier.text);
    for (const element of bindings.elements) names.set(element.name.text, { name: (element.propertyName ?? element.name).text, jwt });
  }
  imported.set(sf, names);
  return names;
}

/**
 * The name a bare call's callee has in the token library it was imported from (`verify as check` →
 * verify), and whether the library is one of JSON web tokens.
 */
export function tokenLibraryName(sf: ts.SourceFile, local: string): { name: string; jwt: boolean } | undefined {
  return tokenImports(sf).get(local);
}
