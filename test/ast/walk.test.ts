import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { nodeTexts } from '../../src/core/detect/ast/text.js';
import {
  findFirst,
  forEachNode,
  forEachNodeBottomUp,
  forEachNodeOfUnit,
  forEachOwnNode,
  someNode,
} from '../../src/core/detect/ast/walk.js';
import { extractUnits } from '../../src/core/parse/units.js';
import { parse, unitNamed, unitsOf } from '../support/syntax.js';

const kinds = (walk: (visit: (node: ts.Node) => void) => void): string[] => {
  const out: string[] = [];
  walk((node) => out.push(ts.SyntaxKind[node.kind]));
  return out;
};

describe('ast/walk', () => {
  it('visits parents before children in source order, or children first when asked', () => {
    const sf = parse('f(a, b);');
    const statement = sf.statements[0]!;
    expect(kinds((visit) => forEachNode(statement, visit))).toEqual([
      'ExpressionStatement',
      'CallExpression',
      'Identifier',
      'Identifier',
      'Identifier',
    ]);
    expect(kinds((visit) => forEachNodeBottomUp(statement, visit))).toEqual([
      'Identifier',
      'Identifier',
      'Identifier',
      'CallExpression',
      'ExpressionStatement',
    ]);
  });

  it('keeps a unit walk out of the units nested in it, and an own-code walk out of nested functions', () => {
    const text = 'function outer() {\n  const inner = () => secret();\n  visible(() => deferred());\n}\n';
    const calls = (walk: (visit: (node: ts.Node) => void) => void): string[] => {
      const out: string[] = [];
      walk((node) => {
        if (ts.isCallExpression(node)) out.push(node.expression.getText());
      });
      return out;
    };
    const outer = unitNamed(text, 'outer');
    expect(calls((visit) => forEachNodeOfUnit(outer, visit))).toEqual(['visible', 'deferred']);
    expect(calls((visit) => forEachOwnNode(outer.node, visit))).toEqual(['visible']);
    const moduleUnit = unitsOf(text)[0]!;
    expect(calls((visit) => forEachNodeOfUnit(moduleUnit, visit))).toEqual([]);
  });

  it('finds the first node that yields a value, going on past matches that yield nothing', () => {
    const sf = parse('limit(x); limit(5); limit(7);');
    const firstNumber = findFirst(sf, (node) =>
      ts.isCallExpression(node) && ts.isNumericLiteral(node.arguments[0]!) ? Number(node.arguments[0].text) : undefined,
    );
    expect(firstNumber).toBe(5);
    expect(someNode(sf, (node) => ts.isIdentifier(node) && node.text === 'x')).toBe(true);
    expect(someNode(sf, (node) => ts.isIdentifier(node) && node.text === 'y')).toBe(false);
  });

  it('walks a very deep tree without overflowing the stack', () => {
    // A recursive walk overflows the stack on this file already at 5 000 terms.
    const depth = 10_000;
    // Parsed directly: the gate's parser skips a tree this deep (MAX_NESTING_DEPTH), the walks must still hold.
    const text = `export function total() {\n  return ${Array.from({ length: depth }, (_, i) => `v${i}`).join(' + ')};\n}\n`;
    const sf = ts.createSourceFile('/src/snippet.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    let identifiers = 0;
    forEachNode(sf, (node) => {
      if (ts.isIdentifier(node)) identifiers++;
    });
    expect(identifiers).toBe(depth + 1);
    expect(findFirst(sf, (node) => (ts.isIdentifier(node) && node.text === `v${depth - 1}` ? node.text : undefined))).toBe(`v${depth - 1}`);
    let last = '';
    forEachNodeBottomUp(sf, (node) => {
      last = ts.SyntaxKind[node.kind];
    });
    expect(last).toBe('SourceFile');
    expect(extractUnits(sf, 'src/snippet.ts', 'head').map((u) => u.name)).toEqual(['<module>', 'total']);
  });

  it('makes a unit of a method assigned at the top level of a CommonJS module', () => {
    const text = 'Store.prototype.save = function save(doc) {\n  return doc;\n};\nexports.load = (id) => id;\nconst x = () => 1;\n';
    const units = unitsOf(text, 'lib/store.js');
    expect(units.map((u) => u.name)).toEqual(['<module>', 'Store.prototype.save', 'exports.load', 'x']);
    expect(units[1]!.params).toEqual(['doc']);
  });

  it('collects the folded text of every node of a unit once', () => {
    const unit = unitNamed('function f() {\n  return   a  +  b;\n}\n', 'f');
    const texts = nodeTexts(unit);
    expect(texts.has('return a + b;')).toBe(true);
    expect(texts.has('a + b')).toBe(true);
    expect(nodeTexts(unit)).toBe(texts);
  });
});
