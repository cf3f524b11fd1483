import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { findNode } from '../../src/core/detect/ast/walk.js';
import { failurePathOf } from '../../src/core/detect/vocab/failure-paths.js';
import { parse } from '../support/syntax.js';

/** The kind of the node that opens the failure path the `marker()` call sits on, or 'happy path'. */
const pathOf = (text: string): string => {
  const sf = parse(text);
  const marker = findNode(sf, (n): n is ts.CallExpression => ts.isCallExpression(n) && n.expression.getText(sf) === 'marker');
  const opener = failurePathOf(marker!, sf, sf);
  return opener ? ts.SyntaxKind[opener.kind] : 'happy path';
};

describe('vocab/failure-paths: code that runs only when something failed', () => {
  it('recognises catches, promise error handlers, error events and error branches', () => {
    expect(pathOf('try { a(); } catch (e) { marker(); }')).toBe('CatchClause');
    expect(pathOf('work().catch((e) => { marker(); });')).toBe('ArrowFunction');
    expect(pathOf("stream.on('error', () => { marker(); });")).toBe('ArrowFunction');
    expect(pathOf('request({ onError: () => marker() });')).toBe('PropertyAssignment');
    expect(pathOf('if (!res.ok) { marker(); }')).toBe('IfStatement');
    expect(pathOf("if (input.length > 10) { marker(); throw new Error('too long'); }")).toBe('IfStatement');
  });

  it('leaves the happy path alone', () => {
    expect(pathOf('try { marker(); } catch (e) { a(); }')).toBe('happy path');
    expect(pathOf("stream.on('data', () => { marker(); });")).toBe('happy path');
    expect(pathOf('if (user.active) { marker(); }')).toBe('happy path');
  });
});
