import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from '../../yaml-library.js';
import type { Side } from '../../model.js';
import { UnreadableFileError } from '../define-analyzer.js';
import { byText, memoize } from '../../memo.js';

/** A parsed YAML file that can say on which line each node stands. */
export interface YamlFile {
  doc: Document.Parsed;
  /** 1-based line of a node (or a pair's key); 1 when the node has no position. */
  lineOf(node: Node | Pair | null | undefined): number;
  /** 1-based last line of a node. */
  endLineOf(node: Node | Pair | null | undefined): number;
}

/** Parses one side of a YAML file, keeping positions; a syntax error makes the file unreadable. Shared: do not change it. */
export const parseYaml = memoize((text: string, side: Side): YamlFile => {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) throw new UnreadableFileError(side, `not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  const start = (node: Node | Pair | null | undefined): number | undefined => {
    if (!node) return undefined;
    if ('key' in node && !('range' in node)) return start(node.key as Node) ?? start(node.value as Node);
    return (node as Node).range?.[0];
  };
  const end = (node: Node | Pair | null | undefined): number | undefined => {
    if (!node) return undefined;
    if ('key' in node && !('range' in node)) return end(node.value as Node) ?? end(node.key as Node);
    const range = (node as Node).range;
    return range ? Math.max(range[0], range[1] - 1) : undefined;
  };
  return {
    doc,
    lineOf: (node) => {
      const at = start(node);
      return at === undefined ? 1 : counter.linePos(at).line;
    },
    endLineOf: (node) => {
      const at = end(node);
      return at === undefined ? 1 : counter.linePos(at).line;
    },
  };
}, byText);

/** The pairs of a mapping node, keyed by their scalar key's text; empty for anything else. */
export function pairsOf(node: unknown): Pair<Node, Node>[] {
  return isMap(node) ? ((node as YAMLMap<Node, Node>).items as Pair<Node, Node>[]) : [];
}

/** The pair of a mapping with this key. */
export function pairOf(node: unknown, key: string): Pair<Node, Node> | undefined {
  return pairsOf(node).find((pair) => keyText(pair) === key);
}

export function keyText(pair: Pair<unknown, unknown>): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** A scalar's value as a string (numbers and booleans written out); undefined for collections. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  return node.value === null ? '' : String(node.value);
}

/** The items of a sequence node; empty for anything else. */
export function itemsOf(node: unknown): Node[] {
  return isSeq(node) ? (node.items as Node[]) : [];
}

export { isMap, isScalar, isSeq };
