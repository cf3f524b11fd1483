import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { forEachNode } from '../../src/core/detect/ast/walk.js';
import {
  catchOutcome,
  chainRoot,
  errorHandlersIn,
  guardedCalls,
  isTransparent,
  keepsFailureVisible,
} from '../../src/core/detect/vocab/handlers.js';
import { first, parse } from '../support/syntax.js';

const outcomeOf = (text: string): string => {
  const { node, sf } = first(text, ts.isCatchClause);
  return catchOutcome(node, sf);
};
const promiseOutcome = (text: string): string => {
  const { node, sf } = first(text, ts.isCallExpression);
  return catchOutcome(node.arguments[0]!, sf);
};

describe('vocab/handlers: error handlers', () => {
  it('tells what a catch does with the error', () => {
    expect(outcomeOf('try { a(); } catch (e) { throw e; }')).toBe('propagates');
    expect(outcomeOf("try { a(); } catch (e) { if (e.code === 'ENOENT') return null; throw e; }")).toBe('propagates');
    expect(outcomeOf('try { a(); } catch (e) { if (options.strict) throw e; }')).toBe('conditional');
    expect(outcomeOf('try { a(); } catch {}')).toBe('empty');
    expect(outcomeOf("try { a(); } catch (e) { logger.warn('failed', e); }")).toBe('logs');
    expect(outcomeOf('try { a(); } catch { return []; }')).toBe('default');
    expect(outcomeOf('try { a(); } catch { failed = true; }')).toBe('other');
  });

  it('tells what a promise handler does, a handler it cannot see into counting as propagating', () => {
    expect(promiseOutcome('work().catch(next);')).toBe('propagates');
    expect(promiseOutcome('work().catch(noop);')).toBe('empty');
    expect(promiseOutcome('work().catch(console.error);')).toBe('logs');
    expect(promiseOutcome('work().catch(() => undefined);')).toBe('empty');
    expect(promiseOutcome('work().catch(handle);')).toBe('unknown');
    expect(keepsFailureVisible('unknown')).toBe(true);
    expect(keepsFailureVisible('logs')).toBe(false);
  });

  it('recognises a catch that only passes the error on', () => {
    const transparent = (text: string): boolean => {
      const { node, sf } = first(text, ts.isCatchClause);
      return isTransparent(node, sf);
    };
    expect(transparent("try { a(); } catch (e) { log.error('x', e); throw e; }")).toBe(true);
    expect(transparent('try { a(); } catch (e) { throw new Wrapped(e); }')).toBe(false);
  });

  it('collects the catch clauses and promise handlers of a walk, with what they guard', () => {
    const sf = parse(
      'async function f() {\n  try { await db.query(sql); } catch (e) { log.warn(e); }\n  fetch(url).then(parse).catch(() => null);\n}\n',
    );
    const handlers = errorHandlersIn((visit) => forEachNode(sf, visit), sf);
    expect(handlers.map((h) => [h.guards.shape, h.outcome])).toEqual([
      ['try', 'logs'],
      ['promise', 'default'],
    ]);
    const promise = handlers[1]!.guards;
    expect(promise.shape === 'promise' && [promise.method, promise.chain.getText(sf)]).toEqual(['catch', 'fetch(url)']);
  });

  it('names the calls a try block guards and whether any of them can fail', () => {
    const guarded = (text: string): ReturnType<typeof guardedCalls> => {
      const { node, sf } = first(text, ts.isTryStatement);
      return guardedCalls(node.tryBlock, sf);
    };
    expect(guarded('try { const u = new URL(x); await client.send(u); logger.info(u); } catch {}')).toEqual({
      calls: ['URL', 'client.send'],
      canFail: true,
      awaited: [],
    });
    expect(guarded('try { seen.get(key); Math.max(a, b); } catch {}')).toEqual({
      calls: ['Math.max', 'seen.get'],
      canFail: false,
      awaited: [],
    });
    // A promise awaited without a call is what the try guards: named by what is awaited.
    expect(guarded('try { await this.connecting; } catch (e) { throw wrap(e); }')).toEqual({
      calls: [],
      canFail: true,
      awaited: ['this.connecting'],
    });
  });

  it('finds the first call of a chain', () => {
    const { node, sf } = first('fetch(url).then(a).catch(b);', ts.isCallExpression);
    expect(chainRoot(node).getText(sf)).toBe('fetch(url)');
  });
});
