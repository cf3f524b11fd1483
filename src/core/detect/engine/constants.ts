import { ts } from '../../ts-morph-library.js';
import { ModuleResolver } from '../../impact/resolver.js';

/**
 * What a name stands for when it is a constant: `NO_LABELS` in `options || NO_LABELS` is a fallback
 * to a frozen object as much as `options || {}` is. A name is looked up in its own file (a top-level
 * `const`), then through the file's relative imports in the head tree the analysis read (the changed
 * files and the unchanged files they import), following re-exports and constants bound to constants.
 */
export type ConstantResolver = (expression: ts.Expression) => ts.Expression | undefined;

/** How many hops (an import, a re-export, a constant bound to another) the resolution follows. */
const MAX_HOPS = 4;

/**
 * `files` are the head files read, by path: where imports lead. `baseFiles` are the base versions of the
 * changed files: their own constants are theirs, and their imports are followed into the head tree too
 * (an unchanged module holds the same constants on both sides).
 */
export function constantResolver(files: Map<string, ts.SourceFile>, baseFiles: Map<string, ts.SourceFile> = new Map()): ConstantResolver {
  const resolver = new ModuleResolver({ paths: new Set(files.keys()), configText: () => undefined });
  const pathOf = new Map<ts.SourceFile, string>();
  for (const [path, sf] of [...files, ...baseFiles]) pathOf.set(sf, path);
  const cache = new Map<ts.SourceFile, Map<string, ts.Expression | null>>();

  const lookup = (name: string, sf: ts.SourceFile, hops: number): ts.Expression | undefined => {
    if (hops > MAX_HOPS) return undefined;
    for (const statement of sf.statements) {
      if (ts.isVariableStatement(statement) && statement.declarationList.flags & ts.NodeFlags.Const) {
        for (const d of statement.declarationList.declarations) {
          if (!ts.isIdentifier(d.name) || d.name.text !== name || !d.initializer) continue;
          const value = unwrap(d.initializer);
          return ts.isIdentifier(value) ? (lookup(value.text, sf, hops + 1) ?? value) : value;
        }
      }
    }
    const path = pathOf.get(sf);
    if (!path) return undefined;
    for (const statement of sf.statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
      const specifier = statement.moduleSpecifier;
      if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
      const imported = importedName(statement, name);
      if (!imported) continue;
      const target = resolver.resolve(specifier.text, path);
      const targetFile = target ? files.get(target) : undefined;
      if (targetFile) return lookup(imported, targetFile, hops + 1);
    }
    return undefined;
  };

  return (expression) => {
    const e = unwrap(expression);
    if (!ts.isIdentifier(e)) return undefined;
    const sf = e.getSourceFile();
    let known = cache.get(sf);
    if (!known) cache.set(sf, (known = new Map()));
    if (!known.has(e.text)) known.set(e.text, lookup(e.text, sf, 0) ?? null);
    return known.get(e.text) ?? undefined;
  };
}

/** The name a declaration brings in under `local`: `import { A as local }` → A; `export { local } from` → local. */
function importedName(statement: ts.ImportDeclaration | ts.ExportDeclaration, local: string): string | undefined {
  if (ts.isImportDeclaration(statement)) {
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) return undefined;
    const element = bindings.elements.find((el) => el.name.text === local);
    return element ? (element.propertyName?.getText() ?? element.name.text) : undefined;
  }
  const clause = statement.exportClause;
  if (!clause || !ts.isNamedExports(clause)) return undefined;
  const element = clause.elements.find((el) => el.name.text === local);
  return element ? (element.propertyName?.getText() ?? element.name.text) : undefined;
}

function unwrap(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e))
    e = e.expression;
  return e;
}
