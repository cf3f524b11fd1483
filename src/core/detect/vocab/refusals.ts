import { ts } from '../../ts-morph-library.js';
import { calleeSimpleName } from '../ast/text.js';
import { forEachOwnNode } from '../ast/walk.js';

// Refusals of a case the code does not handle yet: `throw new UnsupportedFunctionalityError(…)`,
// `throw new Error('streaming is not implemented yet')`. They reject a well-formed request the code
// cannot serve, not a malformed input: the pull request that removes one usually builds the case.

/** Error classes named for a missing capability. */
const CAPABILITY_ERROR = /^(?:Unsupported\w*|NotSupported\w*|NotImplemented\w*|Unimplemented\w*)$/;
/** Messages that say the case is not built: always a capability refusal. */
const NOT_BUILT_MESSAGE = /\bnot (?:yet )?implemented\b|\bunimplemented\b|\bnot (?:yet )?supported yet\b|\bnot yet supported\b/i;
/** Messages that say the case is not supported: a capability refusal unless they name an input's kind. */
const NOT_SUPPORTED_MESSAGE =
  /\bnot (?:currently |presently )?supported\b|\b(?:currently|presently) not supported\b|\bunsupported\b|\b(?:does|do|can|could) ?not (?:yet )?support\b|\b(?:doesn|don|can)'?t (?:yet )?support\b/i;
// "Unsupported file type", `UnsupportedMediaTypeError`: an input of a kind the code refuses is validation
// of that input, not a capability still to build, so those keep their full weight.
/** Words of a rejected precondition: a duplicate, a required or invalid value, a state it must be in. */
const BROKEN_PRECONDITION = /\balready\b|\bmust\b|\brequired\b|\binvalid\b|\bexpected\b/i;
const INPUT_KIND = /(?:file|type|format|extension|mime|media|encoding|charset|value|character|protocol|scheme)/i;

/** Whether a throw refuses a case not built (by its error class or its message). */
export function isCapabilityRefusal(statement: ts.ThrowStatement, sf: ts.SourceFile): boolean {
  const thrown = statement.expression;
  if (!thrown) return false;
  const errorClass = ts.isNewExpression(thrown) || ts.isCallExpression(thrown) ? (calleeSimpleName(thrown.expression) ?? '') : '';
  if (CAPABILITY_ERROR.test(errorClass)) return !/^(?:Unsupported|NotSupported)/.test(errorClass) || !INPUT_KIND.test(errorClass);
  const text = thrown.getText(sf);
  // "X has already been initialized … is not yet supported": the message names a precondition the value
  // or state broke, so the throw rejects it, whatever else it says about the future.
  if (BROKEN_PRECONDITION.test(text)) return false;
  if (NOT_BUILT_MESSAGE.test(text)) return true;
  return NOT_SUPPORTED_MESSAGE.test(text) && !INPUT_KIND.test(text.replace(/^new \w+/, ''));
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
