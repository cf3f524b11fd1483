import { ts } from 'ts-morph';
import type { Unit } from '../../parse/units.js';
import { defineDetector, type Guardrail } from '../define-detector.js';
import { anchorText, calleeSimpleName, calleeText, forEachNodeOfUnit, identifiersIn, ownerOfObject, propertyNameText, staticNumber } from '../util/ast.js';

/** Option names that configure retrying. */
const RETRY_OPTION = /^(retry|retries|maxRetries|max_retries|maxRetry|retryCount|retryLimit|retryAttempts|maxAttempts|max_attempts|attempts|numRetries|retryDelay|retryOn|retryCondition|shouldRetry|retryableStatusCodes|retryStatusCodes|statusCodesToRetry|backoff|backoffLimit|maxRetryDelay|retryStrategy|retryPolicy|reconnectStrategy|autoRetry|retryOnError)$/i;
/** Functions and methods that retry what they are given. */
const RETRY_CALL = /^(retry|pRetry|asyncRetry|promiseRetry|retryAsync|withRetry|withRetries|retryable|retrying|backOff|exponentialBackoff|axiosRetry|fetchRetry|fetchWithRetry|retryRequest|requestWithRetry|callWithRetry|retryOperation|retryWithBackoff|attempt)$/i;
/** HTTP statuses that signal a transient failure; an array of several of them is a retryable set. */
const TRANSIENT_STATUSES = new Set(['408', '413', '425', '429', '500', '502', '503', '504', '520', '521', '522', '524']);
const TRANSIENT_CODES = /^(ETIMEDOUT|ECONNRESET|EADDRINUSE|ECONNREFUSED|EPIPE|ENOTFOUND|ENETUNREACH|EAI_AGAIN|ECONNABORTED|UND_ERR_\w+)$/;

export default defineDetector({
  meta: {
    id: 'removed-retry',
    category: 'retry',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'A retry (loop, library, option or retryable set) was removed or cut down.',
    messages: {
      removed: '{{symbol}} no longer has {{label}}: a transient failure now fails the operation.',
      weakened: '{{symbol}}: {{label}} was cut down: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Retry loops (a loop over attempts around a call, with a catch that continues or a backoff delay), recursive retries, retry libraries (p-retry, async-retry, promise-retry, exponential-backoff, axios-retry, cockatiel-style policies, any retry/withRetry/backOff helper), retry options (retries, maxRetries, attempts, retry: { limit, statusCodes, methods }, backoff) and sets of retryable statuses or error codes. Fewer attempts, or a status dropped from the retryable set, is a weakening.',
      ignores: 'A retry moved into a helper the function calls, or swapped for a retry library with the same attempts; more attempts; loops that do not retry.',
      example: {
        file: 'src/client.ts',
        before:
          "export async function getInvoice(id: string) {\n  for (let attempt = 1; attempt <= 3; attempt++) {\n    try {\n      return await http.get(`/invoices/${id}`);\n    } catch (error) {\n      if (attempt === 3) throw error;\n      await sleep(attempt * 200);\n    }\n  }\n}\n",
        after: 'export async function getInvoice(id: string) {\n  return await http.get(`/invoices/${id}`);\n}\n',
      },
    },
  },
  inventory: retriesOf,
});

function retriesOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (g: Omit<Guardrail, 'category'>): void => {
    found.push({ category: 'retry', ...g });
  };

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
      const name = propertyNameText(node.name, sf);
      const owner = ownerOfObject(node.parent, sf);
      const insideRetryObject = /retry|backoff/i.test(owner.split('.').pop() ?? '');
      if (RETRY_OPTION.test(name) || (insideRetryObject && /^(limit|count|max|statusCodes|methods|errorCodes|codes|calculateDelay|delay|factor|minTimeout|maxTimeout)$/i.test(name))) {
        const value = node.initializer;
        if (value.kind === ts.SyntaxKind.FalseKeyword) return;
        if (ts.isObjectLiteralExpression(value)) return; // its members are inventoried one by one
        const attempts = staticNumber(value, sf);
        if (attempts === 0 && /retr|attempt|limit/i.test(name)) return; // retries: 0 retries nothing
        const members = ts.isArrayLiteralExpression(value) ? value.elements.map((e) => e.getText(sf).replace(/['"`]/g, '')) : undefined;
        const countsAttempts = /retr|attempt|limit|count|max$/i.test(name) && !/delay|timeout/i.test(name);
        push({
          kind: 'option', anchor: `${name} option of ${owner}`, node, label: `the ${name} retry option on ${owner}`,
          ...(attempts !== undefined && countsAttempts ? { strength: attempts, stronger: 'higher' as const } : {}),
          ...(members ? { members } : {}),
        });
      }
      return;
    }
    if (ts.isArrayLiteralExpression(node)) {
      const values = node.elements.map((e) => e.getText(sf).replace(/['"`]/g, ''));
      const transient = values.filter((v) => TRANSIENT_STATUSES.has(v) || TRANSIENT_CODES.test(v));
      const owner = node.parent && ts.isPropertyAssignment(node.parent) ? propertyNameText(node.parent.name, sf) : node.parent && ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(sf) : node.parent && ts.isNewExpression(node.parent) && node.parent.parent && ts.isVariableDeclaration(node.parent.parent) ? node.parent.parent.name.getText(sf) : '';
      if (transient.length >= 2 && (transient.length === values.length || /retr/i.test(owner))) {
        if (node.parent && ts.isPropertyAssignment(node.parent) && RETRY_OPTION.test(owner)) return; // counted as the option
        push({ kind: 'retryable-set', anchor: `retryable set ${owner || 'of statuses'}`, node, label: `the retryable set ${owner || '(statuses)'}`, members: values });
      }
      return;
    }
    if (ts.isCallExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (!name) return;
      if (RETRY_CALL.test(name) && !(name === 'attempt' && !ts.isPropertyAccessExpression(node.expression))) {
        const options = node.arguments.find(ts.isObjectLiteralExpression);
        let attempts: number | undefined;
        if (options) {
          for (const p of options.properties) {
            if (ts.isPropertyAssignment(p) && /^(retries|maxRetries|attempts|maxAttempts|numOfAttempts|limit|times)$/i.test(propertyNameText(p.name, sf))) attempts = staticNumber(p.initializer, sf);
          }
        }
        attempts ??= node.arguments.map((a) => staticNumber(a, sf)).find((v) => v !== undefined && v < 100);
        push({ kind: 'call', anchor: `${calleeText(node.expression, sf)}()`, node, label: `the ${name}() retry`, ...(attempts !== undefined ? { strength: attempts, stronger: 'higher' as const } : {}) });
        return;
      }
      // rxjs/superagent: .retry(3), .retryWhen(...)
      if (/^retry(When)?$/i.test(name) && ts.isPropertyAccessExpression(node.expression)) {
        push({ kind: 'call', anchor: `.${name}()`, node, label: `a .${name}() retry`, ...strengthOf(staticNumber(node.arguments[0], sf)) });
      }
      return;
    }
    if (isLoop(node)) {
      const loop = node as ts.IterationStatement;
      if (isRetryLoop(loop, sf)) {
        const target = firstAwaitedCall(loop.statement, sf);
        push({ kind: 'retry-loop', anchor: `retry loop around ${target ?? 'a call'}`, node, label: `a retry loop around ${target ?? 'the call'}`, ...strengthOf(loopBound(loop, sf)) });
      }
    }
  });

  // Recursive retry: the unit calls itself from a catch block, or with an attempt counter.
  const simple = unit.name.split('.').pop()!.replace(/#\d+$/, '');
  if (unit.kind !== 'module' && unit.calls.has(simple)) {
    forEachNodeOfUnit(unit, (node) => {
      if (!ts.isCallExpression(node) || calleeSimpleName(node.expression) !== simple) return;
      const args = node.arguments.map((a) => a.getText(sf)).join(',');
      if (insideCatch(node) || /attempt|retr|tries|count/i.test(args)) {
        push({ kind: 'recursive', anchor: `recursive retry of ${simple}`, node, label: `a recursive retry of ${simple}` });
      }
    });
  }
  return found;
}

function strengthOf(value: number | undefined): Pick<Guardrail, 'strength' | 'stronger'> {
  return value === undefined ? {} : { strength: value, stronger: 'higher' };
}

function isLoop(node: ts.Node): boolean {
  return ts.isForStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForOfStatement(node);
}

/** A loop retries when it is about attempts, or when a failure inside it leads to another turn after a pause. */
function isRetryLoop(loop: ts.IterationStatement, sf: ts.SourceFile): boolean {
  const header = ts.isForStatement(loop) ? [loop.initializer, loop.condition, loop.incrementor] : ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? [loop.expression] : [];
  const headerNames = header.flatMap((n) => (n ? [...identifiersIn(n)] : []));
  if (ts.isForOfStatement(loop)) return false;
  const body = loop.statement.getText(sf);
  const aboutAttempts = headerNames.some((n) => /attempt|retr|tries|tryCount/i.test(n));
  const hasTry = /\btry\s*\{/.test(body) || /\.catch\(/.test(body);
  const pauses = /\b(sleep|delay|wait|setTimeout|backoff|timeout)\w*\(/i.test(body);
  const callsOut = /\bawait\b/.test(body) || /\.then\(/.test(body);
  if (aboutAttempts && callsOut) return true;
  return hasTry && pauses && callsOut;
}

function loopBound(loop: ts.IterationStatement, sf: ts.SourceFile): number | undefined {
  const condition = ts.isForStatement(loop) ? loop.condition : ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : undefined;
  if (!condition || !ts.isBinaryExpression(condition)) return undefined;
  const bound = staticNumber(condition.right, sf);
  if (bound === undefined) return undefined;
  return condition.operatorToken.kind === ts.SyntaxKind.LessThanEqualsToken ? bound : condition.operatorToken.kind === ts.SyntaxKind.LessThanToken ? bound : undefined;
}

function firstAwaitedCall(node: ts.Node, sf: ts.SourceFile): string | undefined {
  let result: string | undefined;
  const visit = (n: ts.Node): void => {
    if (result) return;
    if (ts.isAwaitExpression(n) && ts.isCallExpression(n.expression)) {
      const name = calleeText(n.expression.expression, sf);
      if (!/sleep|delay|wait|setTimeout/i.test(name)) {
        result = anchorText(n.expression.expression, sf, 60);
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return result;
}

function insideCatch(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isCatchClause(n)) return true;
    if (ts.isCallExpression(n) && calleeSimpleName(n.expression) === 'catch') return true;
    if (ts.isFunctionLike(n) && !ts.isArrowFunction(n)) return false;
  }
  return false;
}
