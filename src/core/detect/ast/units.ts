import type { ts } from 'ts-morph';
import { extractUnits, type Unit } from '../../parse/units.js';

/** The units of a whole file, for detectors that compare whole files and name where a finding sits. */
export function unitsOfFile(sourceFile: ts.SourceFile, file: string): Unit[] {
  return extractUnits(sourceFile, file, 'head');
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
