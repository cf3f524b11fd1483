import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { isCapabilityRefusal, refusesOnlyUnbuiltCases } from '../../src/core/detect/vocab/refusals.js';
import { first } from '../support/syntax.js';

const refusal = (text: string): boolean => {
  const { node, sf } = first(text, ts.isThrowStatement);
  return isCapabilityRefusal(node, sf);
};
const guardRefusesOnly = (text: string): boolean => refusesOnlyUnbuiltCases(first(text, ts.isIfStatement).node);

describe('vocab/refusals: refusals of a case not built yet', () => {
  it('knows them by the error class or the message', () => {
    expect(refusal('throw new UnsupportedFunctionalityError({ functionality: "pdf" });')).toBe(true);
    expect(refusal('throw new NotImplementedError();')).toBe(true);
    expect(refusal('throw new Error("streaming is not implemented yet");')).toBe(true);
    expect(refusal('throw new Error(`the planner does not support ${kind}`);')).toBe(true);
    expect(refusal('throw new Error("nested includes are not supported");')).toBe(true);
  });

  it('leaves out rejections of bad input', () => {
    expect(refusal('throw new TypeError("width must be a number");')).toBe(false);
    expect(refusal('throw new ValidationError("email is invalid");')).toBe(false);
    expect(refusal('throw err;')).toBe(false);
    expect(refusal('throw new Error(`unsupported file type: ${ext}`);')).toBe(false);
    expect(refusal('throw new Error("this image format is not supported");')).toBe(false);
    expect(refusal('throw new UnsupportedMediaTypeError();')).toBe(false);
    expect(refusal('throw new Error(`${name} has already been registered; registering it twice is not yet supported`);')).toBe(false);
    expect(refusal('throw new Error("a key is required: keyless mode is not implemented");')).toBe(false);
  });

  it('counts a guard only when every throw of its own is a refusal', () => {
    expect(guardRefusesOnly('if (x.nested) { throw new Error("nested joins are not supported"); }')).toBe(true);
    expect(guardRefusesOnly('if (!x) { if (y) throw new Error("not implemented"); throw new TypeError("x is required"); }')).toBe(false);
    expect(guardRefusesOnly('if (!x) { return; }')).toBe(false);
  });
});
