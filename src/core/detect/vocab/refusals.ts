import { ts } from 'ts-morph';
import { calleeSimpleName } from '../ast/text.js';
import { forEachOwnNode } from '../ast/walk.js';

// Refusals of a case the code does not handle yet: `throw new UnsupportedFunctionalityError(…)`,
// `throw new Error('streaming is not implemented yet')`. They reject a well-formed request the code
// cannot serve, not a malformed input: the pull request that removes one usually builds the case.

/** Error classes named for a missing capability. */
const CAPABILITY_ERROR = /^(?:Unsupported\w*|NotSupported\w*|NotImplemented\w*|Unimplemented\w*)$/;
/** Messages that say the case is not supported or not built. */
const CAPABILITY_MESSAGE =
  /\bnot (?:yet )?(?:implemented|supported)\b|\bunimplemented\b|\bunsupported\b|\b(?:does|do|can|could) ?not (?:yet )?support\b|\b(?:doesn|don|can)'?t (?:yet )?support\b|\bnot implemented yet\b|\bnot supported yet\b/i;

/** Whether a throw refuses a case not built (by its error class or its message). */
export function isCapabilityRefusal(statement: ts.ThrowStatement, sf: ts.SourceFile): boolean {
  const thrown = statement.expression;
  if (!thrown) return false;
  if ((ts.isNewExpression(thrown) || ts.isCallExpression(thrown)) && CAPABILITY_ERROR.test(calleeSimpleName(thrown.expression) ?? ''))
    return true;
  return CAPABILITY_MESSAGE.test(thrown.getText(sf));
}

/**
 * Whether a guard (an `if` whose branch throws, or a throw) answers only with capability refusals: every
 * throw it makes on its own refuses a case not built.
 */
export function refusesOnlyUnbuiltCases(node: ts.Node): boolean {
  const sf = node.getSourceFile();
  const root = ts.isIfStatement(node) ? node.thenStatement : ts.isThrowStatement(node) ? node : undefined;
  if (!root) return false;
  let refusals = 0;
  let others = 0;
  forEachOwnNode(root, (n) => {
    if (ts.isThrowStatement(n)) {
      if (isCapabilityRefusal(n, sf)) refusals++;
      else others++;
    }
  });
  return refusals > 0 && others === 0;
}
