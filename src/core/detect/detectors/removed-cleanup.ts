import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, calleeText, simpleName } from '../ast/text.js';
import { findNodeOfUnit, forEachNodeOfUnit } from '../ast/walk.js';
import { defineDetector, type Guardrail, type LossVerdict, type PullRequestView } from '../define-detector.js';
import { RELEASE_CALL, teardownPathOf, UNLISTEN_CALL, UNTIMER_CALL, WHOLE_DISPOSAL_CALL } from '../vocab/teardown.js';

export default defineDetector({
  meta: {
    id: 'removed-cleanup',
    category: 'resource-limit',
    // A cleanup inside another removed guardrail (the timer of a removed timeout) is that guardrail's mechanics.
    fold: 'into-enclosing',
    severity: 'medium',
    description:
      'A cleanup that gives back what the code holds (a listener, a timer, a pooled connection, a pending entry) was removed from the path that runs when the work is over (a timer firing, a close or error event, a disposer): it now piles up.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: what it gave back now stays held and piles up with every call.',
      weakened: '{{symbol}}: {{label}} was weakened: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Calls that release a resource — `removeListener`/`off`/`removeEventListener`, `clearTimeout`/`clearInterval`, `release()`, `close()`, `destroy()`, `abort()`, `dispose()`, `unsubscribe()`, a `cleanup…()`/`teardown…()` function, `pending.delete(id)` or `delete pending[id]` on a registry of pending work — removed from a path that runs once the work is over: a timer callback, a `close`/`end`/`error`/`disconnect`/`abort` handler, a function returned as a disposer (a React effect cleanup, `{ cleanup: () => … }`), or a close/destroy/dispose/unmount method.',
      ignores:
        'A cleanup moved into a helper or another file of the same PR, or still made elsewhere in the function; a disposal of a whole receiver made with another disposal verb on the same receiver (`emitter.destroy()` → `emitter.clear()`); a listener or timer cleanup removed together with the listener or timer it undid; cleanups on the happy path only; cleanups in the catch or finally of a try statement, which removed-error-handling reports; test files.',
      example: {
        file: 'src/events.ts',
        before:
          "export function streamEvents(req: Request, res: Response) {\n  const heartbeat = setInterval(() => res.write(': ping\\n\\n'), 15_000);\n  bus.on('event', send);\n  req.on('close', () => {\n    clearInterval(heartbeat);\n    bus.off('event', send);\n  });\n}\n",
        after:
          "export function streamEvents(req: Request, res: Response) {\n  const heartbeat = setInterval(() => res.write(': ping\\n\\n'), 15_000);\n  bus.on('event', send);\n}\n",
      },
    },
  },
  inventory: cleanupsOf,
  judgeLoss: (lost, after, pr) => (after ? undefined : (disposedUnderAnotherVerb(lost, pr) ?? madeByACalledHelper(lost, pr))),
});

/** The text of a call's receiver, spaces and optional chaining left out: `this.engine?.close()` → this.engine. */
function receiverOf(e: ts.PropertyAccessExpression, sf: ts.SourceFile): string {
  return e.expression.getText(sf).replace(/\s+|\?(?=\.)/g, '');
}

/** The base unit a lost guardrail came from, and its head counterpart (same name, same file). */
function unitsOf(lost: Guardrail, pr: PullRequestView): { base: Unit; head: Unit } | undefined {
  const base = pr.base.find((entry) => entry.guardrail === lost)?.unit;
  if (!base) return undefined;
  const head = pr.unitsNamed(simpleName(base)).find((h) => h.name === base.name && h.file === base.file);
  return head ? { base, head } : undefined;
}

/**
 * A method call on the object's own state (`this.engine.close()`) that a helper of the same file, which the
 * head unit calls, now makes (`onclose()` does `this.engine?.close()`): the unit still gives it back, through
 * the helper, whether or not the helper sits on a path the detector knows as a teardown.
 */
function madeByACalledHelper(lost: Guardrail, pr: PullRequestView): LossVerdict | undefined {
  const call = lost.node;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const units = unitsOf(lost, pr);
  if (!units) return undefined;
  const { base, head } = units;
  const receiver = receiverOf(call.expression, base.sourceFile);
  if (!receiver.startsWith('this.')) return undefined;
  const method = call.expression.name.text;
  const args = call.arguments.map((a) => a.getText(base.sourceFile)).join(',');
  for (const name of head.calls) {
    for (const helper of pr.unitsNamed(name)) {
      if (helper === head || helper.file !== head.file) continue;
      const same = findNodeOfUnit(
        helper,
        (n): n is ts.CallExpression =>
          ts.isCallExpression(n) &&
          ts.isPropertyAccessExpression(n.expression) &&
          n.expression.name.text === method &&
          receiverOf(n.expression, helper.sourceFile) === receiver &&
          n.arguments.map((a) => a.getText(helper.sourceFile)).join(',') === args,
      );
      if (same) return { kept: `${helper.name}, which ${simpleName(head)} calls`, evidence: { madeByHelper: helper.name } };
    }
  }
  return undefined;
}

/**
 * A whole-receiver disposal (`this.emitter.destroy()`) that the head unit still makes with another
 * disposal verb on the same receiver (`this.emitter.clear()`): the receiver still gives back what it
 * holds, the verb was renamed.
 */
function disposedUnderAnotherVerb(lost: Guardrail, pr: PullRequestView): LossVerdict | undefined {
  const call = lost.node;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  if (!WHOLE_DISPOSAL_CALL.test(call.expression.name.text)) return undefined;
  const base = pr.base.find((entry) => entry.guardrail === lost)?.unit;
  if (!base) return undefined;
  const receiver = receiverOf(call.expression, base.sourceFile);
  const args = call.arguments.map((a) => a.getText(base.sourceFile)).join(',');
  const simple = base.name.split('.').pop()!.replace(/#\d+$/, '');
  for (const head of pr.unitsNamed(simple)) {
    if (head.name !== base.name || head.file !== base.file) continue;
    const standIn = findNodeOfUnit(
      head,
      (n): n is ts.CallExpression =>
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        WHOLE_DISPOSAL_CALL.test(n.expression.name.text) &&
        receiverOf(n.expression, head.sourceFile) === receiver &&
        n.arguments.map((a) => a.getText(head.sourceFile)).join(',') === args &&
        teardownPathOf(n, head, head.sourceFile) !== undefined,
    );
    if (standIn && ts.isPropertyAccessExpression(standIn.expression))
      return { kept: `${receiver}.${standIn.expression.name.text}() in ${head.name}`, evidence: { disposalRenamed: true } };
  }
  return undefined;
}

/**
 * The names of what a cleanup gives back: the listener of `off('x', onX)`, the timer of `clearTimeout(t)`,
 * the receiver of `client.release()`. When the pull request takes such a name out of the code, the thing
 * held went with the cleanup. A cleanup-named function (`cleanupPending()`) names nothing else.
 */
function heldNames(call: ts.CallExpression, name: string): string[] {
  const last = (e: ts.Expression | undefined): string | undefined => {
    if (!e) return undefined;
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e)) return e.name.text;
    return undefined;
  };
  if (UNLISTEN_CALL.test(name)) return [last(call.arguments[1]) ?? last(call.arguments[0])].filter((n): n is string => !!n);
  if (UNTIMER_CALL.test(name)) return [last(call.arguments[0])].filter((n): n is string => !!n);
  if (!ts.isPropertyAccessExpression(call.expression)) return [];
  let root: ts.Expression = call.expression.expression;
  while (ts.isPropertyAccessExpression(root) || ts.isNonNullExpression(root) || ts.isCallExpression(root))
    root = ts.isPropertyAccessExpression(root) && root.expression.kind === ts.SyntaxKind.ThisKeyword ? root.name : root.expression;
  return ts.isIdentifier(root) ? [root.text] : [];
}

function cleanupsOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  forEachNodeOfUnit(unit, (node) => {
    // `delete this.acks[id]`: the operator form of `pending.delete(id)` on a registry of pending work.
    if (ts.isDeleteExpression(node) && ts.isElementAccessExpression(node.expression)) {
      const receiver = node.expression.expression.getText(sf);
      const last = receiver.split('.').pop() ?? '';
      if (!PENDING.test(last)) return;
      const path = teardownPathOf(node, unit, sf);
      if (!path) return;
      // Named as calleeText names `this.acks.delete(id)`, so the two forms are one cleanup.
      const registry = calleeText(node.expression.expression, sf).replace(/\s*\.\s*/g, '.');
      found.push({
        category: 'resource-limit',
        kind: 'cleanup',
        anchor: `cleanup ${registry}.delete`,
        identity: 'anchor',
        exactOnly: true,
        node,
        label: `the ${registry}.delete() ${path}`,
      });
      return;
    }
    if (!ts.isCallExpression(node)) return;
    const name = calleeSimpleName(node.expression);
    if (!name || !RELEASE_CALL.test(name)) return;
    // `.delete(key)` releases only on a registry of pending work: `this.pending.delete(id)`, not `db.user.delete()`.
    if (name === 'delete' && !isPendingRegistry(node, sf)) return;
    // `off`, `close` and friends of a bare function are someone else's API; a method call or a cleanup-named function is ours.
    if (
      !ts.isPropertyAccessExpression(node.expression) &&
      !/^(clear|cleanup|cleanUp|teardown|tearDown|dispose|unsubscribe|release)/.test(name)
    )
      return;
    const path = teardownPathOf(node, unit, sf);
    if (!path) return;
    // A timer that aborts or destroys is a deadline, the timeout detector's; here a timer counts for what it clears up.
    if (path === 'in its timer callback' && DEADLINE_CALL.test(name)) return;
    const callee = calleeText(node.expression, sf)
      .replace(/\s*\.\s*/g, '.')
      .replace(/\?\./g, '.');
    // Which listener or timer it gives back tells one `removeEventListener` of a component from another:
    // the event (the handler may be renamed), or the timer.
    const what = UNLISTEN_CALL.test(name) || UNTIMER_CALL.test(name) ? node.arguments[0]?.getText(sf).replace(/\s+/g, '') : undefined;
    const guardrail: Guardrail = {
      category: 'resource-limit',
      kind: 'cleanup',
      anchor: `cleanup ${callee}${what ? `(${what})` : ''}`,
      identity: 'anchor',
      // Another cleanup does not stand in for this one: `socket.terminate()` gives back the socket, not the listener.
      exactOnly: true,
      node,
      label: `the ${callee}() ${path}`,
    };
    const held = heldNames(node, name);
    if (held.length > 0) guardrail.subject = { names: held, goneWhen: 'any' };
    found.push(guardrail);
  });
  return found;
}

/** What a timer does when it enforces a deadline. */
const DEADLINE_CALL = /^(abort|destroy|close|terminate|disconnect|end)$/;

/** Receivers that hold pending work or registrations by key. */
const PENDING =
  /pending|acks|inflight|inFlight|waiting|waiters|listeners|handlers|callbacks|subscribers|subscriptions|timers|outstanding|requests/i;

function isPendingRegistry(call: ts.CallExpression, sf: ts.SourceFile): boolean {
  if (!ts.isPropertyAccessExpression(call.expression) || call.arguments.length !== 1) return false;
  if (ts.isAwaitExpression(call.parent)) return false;
  const receiver = call.expression.expression.getText(sf);
  return PENDING.test(receiver.split('.').pop() ?? '');
}
