import { ts } from 'ts-morph';
import type { Unit } from '../../parse/units.js';

/** Visits every node of a file, parents before children. */
export function forEachNode(root: ts.Node, visit: (node: ts.Node) => void): void {
  const walk = (node: ts.Node): void => {
    visit(node);
    ts.forEachChild(node, walk);
  };
  walk(root);
}

/**
 * The innermost unit holding a node, for messages of detectors that compare whole files: 'Cart.add', or
 * 'the module top level'.
 */
export function enclosingUnitName(units: Unit[], node: ts.Node, sf: ts.SourceFile): string {
  const at = node.getStart(sf);
  let best: Unit | undefined;
  for (const unit of units) {
    if (unit.kind === 'module' || unit.kind === 'class') continue;
    if (unit.node.getStart(sf) <= at && at < unit.node.getEnd() && (!best || unit.node.getWidth(sf) < best.node.getWidth(sf))) best = unit;
  }
  return best?.name ?? 'the module top level';
}
