import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { isErrorLogCall, isErrorReportCall, isLogCall, isLoggingReference } from '../../src/core/detect/vocab/logging.js';
import { first } from '../support/syntax.js';

const check = (text: string, test: (call: ts.CallExpression, sf: ts.SourceFile) => boolean): boolean => {
  const { node, sf } = first(text, ts.isCallExpression);
  return test(node, sf);
};

describe('vocab/logging: log lines and error reports', () => {
  it('recognises log calls on the usual receivers, at any level', () => {
    expect(check("console.log('x');", isLogCall)).toBe(true);
    expect(check("this.deps.logger.info('x');", isLogCall)).toBe(true);
    expect(check("req.log.debug('x');", isLogCall)).toBe(true);
    expect(check("logger.child({ id }).warn('x');", isLogCall)).toBe(true);
    expect(check("res.send('x');", isLogCall)).toBe(false);
    expect(check("user.info('x');", isLogCall)).toBe(false);
  });

  it('tells failure levels from the others', () => {
    expect(check("logger.error('failed', err);", isErrorLogCall)).toBe(true);
    expect(check("console.warn('retrying');", isErrorLogCall)).toBe(true);
    expect(check("logger.info('done');", isErrorLogCall)).toBe(false);
  });

  it('recognises reports to error trackers and spans', () => {
    expect(check('Sentry.captureException(err);', isErrorReportCall)).toBe(true);
    expect(check('bugsnag.notify(err);', isErrorReportCall)).toBe(true);
    expect(check('span.setStatus({ code: SpanStatusCode.ERROR });', isErrorReportCall)).toBe(true);
    expect(check('span.setStatus({ code: SpanStatusCode.OK });', isErrorReportCall)).toBe(false);
    expect(check('mailer.notify(user);', isErrorReportCall)).toBe(false);
  });

  it('recognises a logging function passed by reference', () => {
    const handler = (text: string): boolean => {
      const { node, sf } = first(text, ts.isCallExpression);
      return isLoggingReference(node.arguments[0]!, sf);
    };
    expect(handler('work().catch(console.error);')).toBe(true);
    expect(handler('work().catch(captureException);')).toBe(true);
    expect(handler('work().catch(next);')).toBe(false);
  });
});
