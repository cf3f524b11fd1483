import type { ts } from 'ts-morph';
import { findNode } from '../../src/core/detect/ast/walk.js';
import { SyntaxParser } from '../../src/core/parse/parse.js';
import { extractUnits, type Unit } from '../../src/core/parse/units.js';

/** Parses a snippet as the gate does (syntax only) and returns its source file. */
export function parse(text: string, file = 'src/snippet.ts'): ts.SourceFile {
  const parsed = new SyntaxParser().parse(file, text);
  if (!parsed.ok) throw new Error(`snippet does not parse: ${parsed.reason}`);
  return parsed.sourceFile;
}

/** The units of a snippet, module unit first. */
export function unitsOf(text: string, file = 'src/snippet.ts'): Unit[] {
  return extractUnits(parse(text, file), file, 'head');
}

/** The unit of a snippet with the given name. */
export function unitNamed(text: string, name: string, file = 'src/snippet.ts'): Unit {
  const unit = unitsOf(text, file).find((u) => u.name === name);
  if (!unit) throw new Error(`no unit ${name}`);
  return unit;
}

/** The first node of a snippet that satisfies the guard, with its source file. */
export function first<T extends ts.Node>(
  text: string,
  guard: (node: ts.Node) => node is T,
  file = 'src/snippet.ts',
): { node: T; sf: ts.SourceFile } {
  const sf = parse(text, file);
  const node = findNode(sf, guard);
  if (!node) throw new Error('no such node in the snippet');
  return { node, sf };
}
