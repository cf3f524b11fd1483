import { Project, ts } from 'ts-morph';

export type ParseResult = { ok: true; sourceFile: ts.SourceFile } | { ok: false; reason: string };

/**
 * Parses file text with ts-morph on an in-memory file system: syntax only, no lib files, no type checker,
 * nothing from the analyzed repository is loaded or run. One Project per side keeps the two versions apart.
 */
export class SyntaxParser {
  private readonly project = new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    skipFileDependencyResolution: true,
    compilerOptions: { allowJs: true, jsx: ts.JsxEmit.Preserve, noLib: true },
  });

  parse(path: string, text: string): ParseResult {
    const file = this.project.createSourceFile(`/${path}`, text, { overwrite: true, scriptKind: scriptKindOf(path) });
    const sourceFile = file.compilerNode;
    // The parser recovers from almost anything; a file that needed recovery in many places is not code we
    // can compare meaningfully (a merge-conflict marker, a template, a file in another language).
    const diagnostics = (sourceFile as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
    if (diagnostics.length > 0) {
      const first = diagnostics[0]!;
      const line = first.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(first.start).line + 1;
      const message = ts.flattenDiagnosticMessageText(first.messageText, ' ');
      if (diagnostics.length > 5 || /conflict marker/i.test(message)) {
        return { ok: false, reason: `does not parse (line ${line}: ${message})` };
      }
    }
    return { ok: true, sourceFile };
  }
}

function scriptKindOf(path: string): ts.ScriptKind {
  if (path.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (path.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[mc]?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
