import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { teardownPathOf } from '../../src/core/detect/vocab/teardown.js';
import { unitNamed } from '../support/syntax.js';

/** Where the call named `callee` sits in function `name` of `text`. */
function pathOf(text: string, name: string, callee: string): string | undefined {
  const unit = unitNamed(text, name);
  let found: ts.CallExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (!found && ts.isCallExpression(node) && node.expression.getText(unit.sourceFile).endsWith(callee)) found = node;
    ts.forEachChild(node, visit);
  };
  visit(unit.node);
  if (!found) throw new Error(`no call ${callee}`);
  return teardownPathOf(found, unit, unit.sourceFile);
}

describe('vocab/teardown: paths that run once the work is over', () => {
  it('names timer callbacks, teardown events, disposers and teardown methods', () => {
    expect(pathOf('function f() { setTimeout(() => { pending.delete(id); }, 10); }', 'f', 'pending.delete')).toBe('in its timer callback');
    expect(pathOf("function f(s) { s.on('close', () => bus.off('x', h)); }", 'f', 'bus.off')).toBe('in its "close" handler');
    expect(
      pathOf("function f() { useEffect(() => { return () => window.removeEventListener('resize', h); }); }", 'f', 'removeEventListener'),
    ).toBe('in the disposer it returns');
    expect(pathOf('function f() { return { cleanup: () => { acks.delete(id); } }; }', 'f', 'acks.delete')).toBe('in its cleanup()');
    expect(pathOf("function f(s) { const onClose = () => clearInterval(t); s.once('close', onClose); }", 'f', 'clearInterval')).toBe(
      'in onClose()',
    );
    expect(pathOf('class C { close() { this.timer.unref(); clearInterval(this.timer); } }', 'C.close', 'clearInterval')).toBe('in close()');
  });

  it('leaves the happy path and a try statement to others', () => {
    expect(pathOf('function f() { clearTimeout(t); return 1; }', 'f', 'clearTimeout')).toBeUndefined();
    expect(pathOf('async function f() { try { await g(); } finally { client.release(); } }', 'f', 'client.release')).toBeUndefined();
    expect(
      pathOf('async function f() { try { await g(); } catch (e) { client.release(); throw e; } }', 'f', 'client.release'),
    ).toBeUndefined();
    expect(pathOf("function f(s) { s.on('data', () => bus.off('x', h)); }", 'f', 'bus.off')).toBeUndefined();
  });
});
