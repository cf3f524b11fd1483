import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName } from '../ast/text.js';
import { findNodeOfUnit } from '../ast/walk.js';

// Query filters: the names a filter object is held in before it is passed to a query or a write.

/** Names of variables that hold a query filter before it is passed: `const where = { … }`, `conditions`. */
export function isWhereVariableName(name: string): boolean {
  return /^(?:where|\w*Where|conditions?|criteria|filters?)$/.test(name);
}

/**
 * Whether the unit tests a subquery for existence (`EXISTS (…)` in the SQL it builds, `.whereExists(…)`):
 * the database stops at the first row and returns none, so a row limit on that subquery bounds nothing.
 */
export function testsExistence(unit: Unit): boolean {
  return (
    findNodeOfUnit(unit, (n) => {
      if (
        ts.isStringLiteral(n) ||
        ts.isNoSubstitutionTemplateLiteral(n) ||
        ts.isTemplateHead(n) ||
        ts.isTemplateMiddle(n) ||
        ts.isTemplateTail(n)
      )
        return /\bEXISTS\s*\(/i.test(n.text);
      if (ts.isCallExpression(n))
        return /^(?:whereExists|orWhereExists|whereNotExists|andWhereExists)$/.test(calleeSimpleName(n.expression) ?? '');
      return false;
    }) !== undefined
  );
}
