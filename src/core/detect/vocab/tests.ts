import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeText } from '../ast/text.js';

// Test registrations: how a test or a suite is declared in the runners the detectors read (jest, vitest,
// mocha, node:test, ava, tap), so that every detector that reads tests agrees on what a test is.

/** Registrations of a single test (describe blocks are containers, their tests are units of their own). */
export const TEST_CALL = /^(it|test|specify|xit|xtest|fit|xspecify)$/;
/** Registrations of a suite. */
export const SUITE_CALL = /^(describe|context|suite|xdescribe|fdescribe|xcontext|fcontext)$/;
/** Registrations that do not run. */
export const SKIPPED = /^(xit|xtest|xspecify|xdescribe|xcontext)\b|\.(skip|todo|fixme)\b/;

/** The callee of a test or suite registration unit: `it.skip`, `describe.only`, `test.each([...])`. */
export function registrationCallee(unit: Unit): string | undefined {
  if (unit.kind !== 'call' || !ts.isCallExpression(unit.node)) return undefined;
  const callee = calleeText(unit.node.expression, unit.sourceFile);
  const root = /^[\w$]+/.exec(callee)?.[0] ?? '';
  if (TEST_CALL.test(root) || SUITE_CALL.test(root)) return callee;
  // A subtest of node's test runner or tap: `t.test("x", …)`, registered on the parent test's context.
  const subtest = /^[\w$]+\.(test|it|describe)\b(.*)$/.exec(callee);
  return subtest ? `${subtest[1]}${subtest[2]}` : undefined;
}
