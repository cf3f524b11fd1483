import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import type { ChangedFile } from '../../model.js';
import { basename, isTestRunnerConfig } from '../../paths.js';
import { anchorText, calleeSimpleName, calleeText, ownerOfObject, propertyNameText } from '../ast/text.js';
import { spreadSource, staticNumber } from '../ast/values.js';
import { findFirst, forEachNode, forEachNodeOfUnit, identifiersIn } from '../ast/walk.js';
import type { Guardrail } from '../define-detector.js';

// The timeout inventory, shared by removed-timeout (compared before/after), new-call-without-timeout (a new
// call in a function with a deadline of its own is covered) and removed-retry (test-runner configs).

/**
 * Option and property names that hold a timeout (got's `timeout: { request }` is walked into), and the time
 * budgets that database drivers name without the word: `maxTimeMS`, `maxExecutionTimeMs`, `timeLimit`
 * (a retry budget, `maxRetryTime`, is retry's).
 */
const TIMEOUT_NAME =
  /^(timeout|timeouts|[a-z_]*timeout(ms|millis|_ms|seconds|_seconds)?|deadline|[a-z_]*deadline(ms)?|statement_timeout|lock_timeout|idle_in_transaction_session_timeout|max(?![a-z_]*retr)[a-z_]*time(hint)?(ms|millis|_ms|seconds|_seconds)?|time_?limit(ms|millis|_ms|seconds|_seconds)?)$/i;
/** How long idle resources live (pool clients, kept-alive sockets, cache entries): housekeeping, not a deadline on a call. */
const IDLE_LIFETIME_NAME =
  /^(idleTimeout(Millis|Ms)?|keepAliveTimeout|keepAliveMaxTimeout|keepAliveTimeoutThreshold|cacheTimeout|sessionTimeout|ttl|max(Idle|Life)Time(MS|Ms|Millis|Seconds)?)$/i;
/** Timeouts of interface elements (a toast that hides itself, a debounced input): nothing waits on them. */
const UI_OWNER = /toast|snackbar|notif|tooltip|popover|modal|banner|debounce|throttle|animat|transition|setState|alert/i;
/** Retry libraries call their backoff delays minTimeout/maxTimeout: a pause between attempts, not a deadline. */
const BACKOFF_DELAY_NAME = /^(min|max)Timeout$/i;
/** Functions whose job is to bound the time of a promise. */
const TIMEOUT_CALL =
  /^(withTimeout|pTimeout|promiseTimeout|timeoutPromise|timeoutAfter|raceTimeout|withDeadline|timeout|setTimeoutPromise|abortAfter)$/i;
/** Functions that arm a named deadline on something in flight: addTimeout(ms, handler, 'read'), armDeadline(…). */
const ARM_DEADLINE_CALL = /^(add|arm|start|schedule|install|register|apply|attach|enforce|create)[A-Za-z]*(Timeout|Deadline)$/;
/** A timer callback that ends the operation rather than scheduling work. */
const ENDS_OPERATION = /\.abort\(|\breject\(|\bthrow\b|\.destroy\(|\.cancel\(|timed?\s*out|timeout/i;

/** Which of the unit's deadlines are the same guardrail in another shape (a signal, a timer, a race). */
const DEADLINE = 'deadline';
/**
 * A listener on an abort signal that ends the pending operation: cancellation, another shape than a
 * deadline. It bounds nothing by itself (the caller decides when to abort), so it covers no new call.
 */
export const ABORT_LISTENER = 'abort-listener';
/**
 * The member a timeout option carries when its value falls back to a default (`timeout ?? settings.timeout`,
 * or a name bound with a default in the unit): losing it leaves the call unbounded whenever none is given.
 */
export const TIMEOUT_FALLBACK = 'its default when none is given';

/** Whether an option or property of this name holds a timeout (not an idle lifetime or a backoff delay). */
export function isTimeoutOptionName(name: string): boolean {
  return TIMEOUT_NAME.test(name) && !IDLE_LIFETIME_NAME.test(name) && !BACKOFF_DELAY_NAME.test(name);
}

/** The timeouts, deadlines and time budgets of one unit. */
export function timeoutsOf(unit: Unit): Guardrail[] {
  if (isTestRunnerConfig(unit.file)) return [];
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (kind: string, anchor: string, node: ts.Node, label: string, strength?: number): void => {
    found.push({
      category: 'timeout',
      kind,
      anchor,
      node,
      label,
      ...(strength !== undefined ? { strength, stronger: 'lower' as const } : {}),
    });
  };
  /** A timeout option of an object configuring `owner`, reported on `at` (the property, or the spread bringing it). */
  const optionTimeout = (node: ts.PropertyAssignment | ts.ShorthandPropertyAssignment, owner: string, at: ts.Node): void => {
    const name = propertyNameText(node.name, sf);
    if (!TIMEOUT_NAME.test(name) || IDLE_LIFETIME_NAME.test(name) || UI_OWNER.test(owner)) return;
    if (BACKOFF_DELAY_NAME.test(name) && /retry|backoff/i.test(owner)) return;
    const value = ts.isPropertyAssignment(node) ? node.initializer : undefined;
    if (value && ts.isObjectLiteralExpression(value)) {
      // got's { lookup, connect, response, request }: one guardrail whose phases are its members, bounded
      // overall by `request` when it is set (else by its longest phase).
      const phases = new Map<string, number | undefined>();
      for (const inner of value.properties) {
        if (!ts.isPropertyAssignment(inner) || isDisabled(inner.initializer)) continue;
        phases.set(propertyNameText(inner.name, sf), timeoutStrength(inner.initializer, sf));
      }
      if (!phases.size) return;
      const known = [...phases.values()].filter((v): v is number => v !== undefined);
      const overall = phases.has('request') ? phases.get('request') : known.length === phases.size ? Math.max(...known) : undefined;
      found.push({
        category: 'timeout',
        kind: 'option',
        anchor: `${name} option of ${owner}`,
        node: at,
        label: `a ${name} (${[...phases.keys()].join(', ')}) on ${owner}`,
        members: [...phases.keys()],
        ...(overall !== undefined ? { strength: overall, stronger: 'lower' as const } : {}),
      });
      return;
    }
    if (value && isDisabled(value)) return;
    const strength = value ? timeoutStrength(value, sf) : undefined;
    found.push({
      category: 'timeout',
      kind: 'option',
      anchor: `${name} option of ${owner}`,
      node: at,
      label: `a ${name} option on ${owner}`,
      members: at === node && fallsBack(value ?? node.name, unit) ? [TIMEOUT_FALLBACK] : [],
      ...(strength !== undefined ? { strength, stronger: 'lower' as const } : {}),
    });
  };
  const races: ts.CallExpression[] = [];
  const rejectingTimers: { node: ts.CallExpression; ms: number | undefined }[] = [];

  forEachNodeOfUnit(unit, (node) => {
    // { timeout: 5000 } / { timeout: { request: 10_000 } } / { connectionTimeoutMillis: 2000 }
    if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isObjectLiteralExpression(node.parent)) {
      optionTimeout(node, ownerOfObject(node.parent, sf), node);
      return;
    }
    // { ...SHARED_DEFAULTS, baseURL }: the options a spread constant brings count as this object's own, so
    // that moving `timeout` into shared defaults keeps it where it applies.
    if (ts.isSpreadAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
      const source = spreadSource(node, sf);
      if (!source) return;
      const owner = ownerOfObject(node.parent, sf);
      for (const p of source.properties)
        if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) optionTimeout(p, owner, node);
      return;
    }
    // client.timeout = 5000; server.requestTimeout = 30_000; xhr.ontimeout = () => reject(…)
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      TIMEOUT_NAME.test(node.left.name.text)
    ) {
      if (isDisabled(node.right)) return;
      // The same setting as the option in an object literal, written later: `api.defaults.timeout = 5000` is
      // `axios.create({ timeout: 5000 })`, so the two shapes are one and a timeout moving between them moved.
      push('option', `${anchorText(node.left, sf)} assignment`, node, `${anchorText(node.left, sf)} = …`, timeoutStrength(node.right, sf));
      return;
    }
    if (!ts.isCallExpression(node)) return;
    const name = calleeSimpleName(node.expression);
    const callee = calleeText(node.expression, sf);
    if (!name) return;
    // AbortSignal.timeout(5000), AbortSignal.any([..., AbortSignal.timeout(n)])
    if (name === 'timeout' && /(^|\.)AbortSignal\.timeout$/.test(callee)) {
      // `const signal = AbortSignal.timeout(n)` that no call receives any more bounds nothing.
      const parent = node.parent;
      if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && isUnusedLocal(parent.name.text, unit, () => false)) return;
      push(DEADLINE, 'AbortSignal.timeout', node, 'an AbortSignal.timeout deadline', timeoutStrength(node.arguments[0], sf));
      return;
    }
    // setTimeout(() => controller.abort(), n) / setTimeout(() => reject(new Error('timeout')), n)
    if (name === 'setTimeout' && isGlobalTimer(node.expression) && node.arguments.length >= 2) {
      const callback = node.arguments[0]!;
      const text = callback.getText(sf);
      if (!ENDS_OPERATION.test(text)) return;
      // A timer that aborts a local controller whose signal no call receives any more bounds nothing.
      const aborted = /^\s*(?:\(\s*\)|\w+)\s*=>\s*\{?\s*([A-Za-z_$][\w$]*)\.abort\(/.exec(text)?.[1];
      if (aborted && isUnusedLocal(aborted, unit, (id) => isAbortCall(id))) return;
      const ms = timeoutStrength(node.arguments[1], sf);
      // `stream.cancel()` ends a pending read as `abort()` ends a request.
      if (/\.abort\(|\.destroy\(|\.cancel\(/.test(text))
        push(DEADLINE, 'timer that aborts the operation', node, 'a timer that aborts the operation', ms);
      else rejectingTimers.push({ node, ms });
      return;
    }
    // signal.addEventListener('abort', onAbort): the pending operation ends when the caller cancels. Without
    // it, a request whose caller gave up (or whose deadline signal fired) waits for an answer that may never come.
    if (name === 'addEventListener' && ts.isPropertyAccessExpression(node.expression) && isAbortListener(node, unit)) {
      push(ABORT_LISTENER, 'listener that ends the operation on abort', node, 'an abort listener that ends the pending operation');
      return;
    }
    // Promise.race([work, timeoutPromise])
    if (callee === 'Promise.race' && node.arguments[0]) {
      races.push(node);
      return;
    }
    // req.setTimeout(5000, …), query.timeout(1000), socket.setTimeout(…)
    if ((name === 'setTimeout' || name === 'timeout') && ts.isPropertyAccessExpression(node.expression) && node.arguments.length >= 1) {
      const receiver = anchorText(node.expression.expression, sf, 40);
      push('method', `.${name}() on ${receiver}`, node, `a .${name}() deadline on ${receiver}`, timeoutStrength(node.arguments[0], sf));
      return;
    }
    // pTimeout(promise, 5000), withTimeout(fn, ms)
    if (TIMEOUT_CALL.test(name)) {
      push(DEADLINE, `${name}()`, node, `a ${name}() deadline`, firstDuration(node.arguments, sf));
      return;
    }
    // addTimeout(delays.read, onTimeout, 'read'), armDeadline(limits.idle, 'idle'): one deadline per named phase.
    if (ARM_DEADLINE_CALL.test(name)) {
      const phase = node.arguments.find((a) => ts.isStringLiteralLike(a)) as ts.StringLiteralLike | undefined;
      const what = phase ? `${name}('${phase.text}')` : `${name}()`;
      // The phase is part of the kind: another phase's deadline in a helper is not this one moved there.
      push(phase ? `armed ${phase.text}` : 'armed', what, node, `a deadline armed by ${what}`, firstDuration(node.arguments, sf));
    }
  });

  // A race is a deadline when one of its racers is a timer: a rejecting setTimeout in the unit, or a
  // sleep/timeout helper among the racers. The rejecting timer and the race are one guardrail.
  for (const race of races) {
    const racers = race.arguments[0]!.getText(sf);
    const timer = rejectingTimers.shift();
    if (!timer && !/timeout|setTimeout|sleep|delay|deadline|timer/i.test(racers)) continue;
    if (!boundsAnOperation(race.arguments[0]!, sf)) continue;
    const ms = timer?.ms ?? durationInside(race.arguments[0]!, sf);
    push(DEADLINE, 'Promise.race against a timer', race, 'a Promise.race against a timer', ms);
  }
  for (const timer of rejectingTimers)
    push(DEADLINE, 'timer that rejects the operation', timer.node, 'a timer that rejects the operation', timer.ms);

  // Hand-written deadlines: `if (Date.now() - start > timeout) throw …`, `elapsed >= deadline`.
  forEachNodeOfUnit(unit, (node) => {
    if (!ts.isIfStatement(node) || !ts.isBinaryExpression(node.expression)) return;
    const op = node.expression.operatorToken.kind;
    if (
      op !== ts.SyntaxKind.GreaterThanToken &&
      op !== ts.SyntaxKind.GreaterThanEqualsToken &&
      op !== ts.SyntaxKind.LessThanToken &&
      op !== ts.SyntaxKind.LessThanEqualsToken
    )
      return;
    const names = [...identifiersIn(node.expression)];
    if (names.some((n) => /timeout|deadline/i.test(n)) && names.some((n) => /now|elapsed|start|time|Date/i.test(n))) {
      push(
        'elapsed-check',
        `deadline check ${names
          .filter((n) => /timeout|deadline/i.test(n))
          .sort()
          .join(',')}`,
        node,
        'an elapsed-time check against a deadline',
      );
    }
  });
  return found;
}

/**
 * Whether a timeout option's value falls back to a default: `a ?? b` / `a || b` with a real default, or a
 * name the unit binds with one (`{ timeout = DEFAULT }`, `const timeout = options.timeout ?? DEFAULT`), so
 * that a fallback moved to where the value is assigned is the same fallback.
 */
function fallsBack(value: ts.Node, unit: Unit): boolean {
  let e: ts.Node = value;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    return (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) && !isDisabled(e.right);
  }
  if (!ts.isIdentifier(e)) return false;
  const name = e.text;
  let bound = false;
  forEachNode(unit.node, (n) => {
    if (bound) return;
    if ((ts.isParameter(n) || ts.isBindingElement(n)) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) bound = true;
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer)
      bound = fallsBack(n.initializer, unit);
  });
  return bound;
}

/** What an abort handler does when it ends the pending operation rather than only noting the abort. */
const ENDS_ON_ABORT =
  /\breject\w*\(|\.abort\(|\.cancel\(|\.destroy\(|\bthrow\b|\bcleanup\w*\(|\bcleanUp\w*\(|\bsettle\w*\(|\bfinish\w*\(|\bclose\(/;

/**
 * `x.addEventListener('abort', handler)` whose handler ends the pending operation (rejects it, aborts what it
 * started, cleans it up): inline, or a function the unit or its file declares under that name.
 */
function isAbortListener(call: ts.CallExpression, unit: Unit): boolean {
  const [event, handler] = call.arguments;
  if (!event || !ts.isStringLiteralLike(event) || event.text !== 'abort' || !handler) return false;
  const sf = unit.sourceFile;
  if (ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)) return ENDS_ON_ABORT.test(handler.body.getText(sf));
  if (!ts.isIdentifier(handler)) return false;
  const name = handler.text;
  // `const onAbort = () => …`, `function onAbort() {…}`, or `let listener = null; … listener = () => …`.
  let ends = false;
  forEachNode(sf, (n) => {
    if (ends) return;
    let value: ts.Node | undefined;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) value = n.initializer;
    else if (ts.isFunctionDeclaration(n) && n.name?.text === name) value = n.body;
    else if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(n.left) &&
      n.left.text === name
    )
      value = n.right;
    if (value && ENDS_ON_ABORT.test(value.getText(sf))) ends = true;
  });
  return ends;
}

function isAbortCall(id: ts.Identifier): boolean {
  const parent = id.parent;
  return ts.isPropertyAccessExpression(parent) && parent.expression === id && parent.name.text === 'abort';
}

/**
 * Whether `name` is a local the unit declares and never uses otherwise (`ignore` tells the uses that do
 * not count, as the timer's own `controller.abort()`). A name declared outside the unit may be used anywhere.
 */
function isUnusedLocal(name: string, unit: Unit, ignore: (id: ts.Identifier) => boolean): boolean {
  let declared = false;
  let used = false;
  forEachNode(unit.node, (n) => {
    if (used || !ts.isIdentifier(n) || n.text !== name) return;
    const parent = n.parent;
    if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent)) && parent.name === n) {
      declared ||= ts.isVariableDeclaration(parent);
      if (!ts.isVariableDeclaration(parent)) used = true;
      return;
    }
    if (ts.isPropertyAccessExpression(parent) && parent.name === n) return;
    if (!ignore(n)) used = true;
  });
  return declared && !used;
}

/** Racers that are a timer, and racers that are a stop or cancel signal: neither is work being waited for. */
const TIMER_RACER = /timeout|setTimeout|sleep|delay|deadline|timer|wait\b/i;
const STOP_RACER = /stop|abort|signal|cancel|shut\s*down|shutdown|closed?\b|closing|exit|terminat|interrupt/i;

/**
 * A timeout bounds a wait on some operation: a race of a short sleep against a stop signal (an
 * interruptible pause in a loop) bounds nothing. Unknown racers (a variable holding the list) count.
 */
function boundsAnOperation(racers: ts.Expression, sf: ts.SourceFile): boolean {
  if (!ts.isArrayLiteralExpression(racers)) return true;
  return racers.elements.some((e) => {
    const text = e.getText(sf);
    return !TIMER_RACER.test(text) && !STOP_RACER.test(text);
  });
}

/** `setTimeout(…)`, `globalThis.setTimeout(…)`, `window.setTimeout(…)`: the timer, not a request's method. */
function isGlobalTimer(expression: ts.Expression): boolean {
  if (ts.isIdentifier(expression)) return true;
  return (
    ts.isPropertyAccessExpression(expression) &&
    ts.isIdentifier(expression.expression) &&
    /^(globalThis|window|global|self|timers)$/.test(expression.expression.text)
  );
}

function firstDuration(args: readonly ts.Expression[], sf: ts.SourceFile): number | undefined {
  for (const arg of args) {
    const ms = timeoutStrength(arg, sf);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

/** The first duration passed to a call among the racers: sleep(5000), timeout(5_000). */
function durationInside(node: ts.Node, sf: ts.SourceFile): number | undefined {
  return findFirst(node, (n) =>
    ts.isCallExpression(n) && /timeout|sleep|delay|deadline|timer/i.test(calleeSimpleName(n.expression) ?? '')
      ? firstDuration(n.arguments, sf)
      : undefined,
  );
}

/** The timeout in ms; 0, false and Infinity mean "no timeout" (axios, got, undici all read 0 that way). */
function timeoutStrength(expression: ts.Expression | undefined, sf: ts.SourceFile): number | undefined {
  if (!expression) return undefined;
  if (isDisabled(expression)) return Number.POSITIVE_INFINITY;
  const value = staticNumber(expression, sf);
  if (value === undefined) return undefined;
  return value <= 0 ? Number.POSITIVE_INFINITY : value;
}

function isDisabled(expression: ts.Expression): boolean {
  return (
    expression.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(expression) && (expression.text === 'Infinity' || expression.text === 'undefined')) ||
    expression.kind === ts.SyntaxKind.NullKeyword
  );
}

/** A test timeout in a runner's configuration: `testTimeout: 30000`, `"timeout": 10000`, `--timeout 10000`. */
const RUNNER_TIMEOUT = /(?:\b(?:testTimeout|timeout)["']?\s*[:=]\s*|--(?:test-?)?timeout[= ]\s*)(\d[\d_]*)/gi;

function runnerTimeoutsIn(text: string): Set<number> {
  return new Set([...text.matchAll(RUNNER_TIMEOUT)].map((m) => Number(m[1]!.replace(/_/g, ''))).filter((ms) => ms > 0));
}

/**
 * The longest test timeout that a test runner's configuration (jest/vitest/mocha config files, package.json
 * `jest`/`mocha` settings and scripts) held before the PR and no longer holds after it: the configuration
 * deleted or its timeout taken out. Tests that now set that timeout themselves took it over.
 */
export function runnerTimeoutRemoved(files: readonly ChangedFile[]): number | undefined {
  let longest: number | undefined;
  for (const file of files) {
    const basePath = file.oldPath ?? file.path;
    if (file.base === undefined || !(isTestRunnerConfig(basePath) || basename(basePath) === 'package.json')) continue;
    const kept = file.head === undefined ? new Set<number>() : runnerTimeoutsIn(file.head);
    for (const ms of runnerTimeoutsIn(file.base)) if (!kept.has(ms) && (longest === undefined || ms > longest)) longest = ms;
  }
  return longest;
}

/**
 * The timeout a test runner gives every test that sets none, read from what the test file imports: jest's
 * and vitest's 5 s (the default), tap's 30 s. `node:test`
 * has none: a test of it without a timeout may run forever, so a timeout set there adds a bound, it does not
 * raise one. Undefined when the runner has no default.
 */
export function defaultTestTimeout(sourceFile: ts.SourceFile): number | undefined {
  const runner = testRunnerOf(sourceFile);
  if (runner === 'node:test') return undefined;
  if (runner === 'tap') return 30_000;
  return 5000;
}

/** The test runner a test file imports (`import test from 'node:test'`, `require('tap')`), when it is one that `defaultTestTimeout` tells apart. */
function testRunnerOf(sourceFile: ts.SourceFile): 'node:test' | 'tap' | undefined {
  let found: 'node:test' | 'tap' | undefined;
  const consider = (specifier: ts.Node | undefined): void => {
    if (found || !specifier || !ts.isStringLiteralLike(specifier)) return;
    if (specifier.text === 'node:test') found = 'node:test';
    else if (specifier.text === 'tap') found = 'tap';
  };
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement)) consider(statement.moduleSpecifier);
    else if (ts.isVariableStatement(statement))
      for (const d of statement.declarationList.declarations) {
        let init = d.initializer;
        // `const { test } = require('node:test')`, `const t = require('tap')`, `require('tap').test`
        while (init && (ts.isPropertyAccessExpression(init) || ts.isParenthesizedExpression(init))) init = init.expression;
        if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require')
          consider(init.arguments[0]);
      }
  }
  return found;
}
