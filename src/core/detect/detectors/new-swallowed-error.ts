import { ts } from '../../ts-morph-library.js';
import { callName } from '../ast/text.js';
import { enclosingUnitName, unitsOfFile } from '../ast/units.js';
import { forEachNode } from '../ast/walk.js';
import { defineDetector, type DirectFinding } from '../define-detector.js';
import { errorHandlersIn, guardedCalls, type ErrorHandler } from '../vocab/handlers.js';

/** An error handler of the file, with what it guards and whether it swallows the error. */
interface Handler extends ErrorHandler {
  /** What it guards, for the message and the finding's key. */
  around: string;
  /** Swallows the error: nothing, or only a log line, and the code goes on. */
  swallows: boolean;
}

export default defineDetector({
  meta: {
    id: 'new-swallowed-error',
    category: 'error-handling',
    severity: 'low',
    description: 'New code catches an error and swallows it: an empty catch, or a catch that only logs and carries on.',
    messages: {
      swallowed: '{{where}} adds {{label}} that {{change}}: a failure there goes unnoticed by the caller.',
    },
    docs: {
      catches:
        'A `catch` block or `.catch()` handler added by the PR that is empty (`catch {}`, `.catch(() => {})`, `.catch(noop)`) or only writes a log line or reports to an error tracker and goes on, around code that calls something.',
      ignores:
        "Catches that were already there (reformatted or moved within the function, or rewritten from `.catch()` to `try/catch`); a catch that propagates, returns a value or does other work; an empty catch with a comment saying why; `.catch(log)` on a promise nobody awaits (fire-and-forget work must catch to avoid an unhandled rejection); test files. A catch that used to propagate and now swallows is the removed-error-handling detector's.",
      example: {
        file: 'src/notify.ts',
        before: 'export async function notifyOwner(order: Order) {\n  await mailer.send(order.ownerEmail, renderReceipt(order));\n}\n',
        after:
          "export async function notifyOwner(order: Order) {\n  try {\n    await mailer.send(order.ownerEmail, renderReceipt(order));\n  } catch (error) {\n    console.log('mail failed', error);\n  }\n}\n",
      },
    },
  },
  inspect(change) {
    const { base, head } = change;
    // Counted per file, on the module pair: a catch extracted into a new helper of the same file is not new.
    if (!head || head.kind !== 'module') return [];
    const after = handlersOf(head.sourceFile);
    const before = base ? handlersOf(base.sourceFile) : [];
    const swallowedBefore = before.filter((h) => h.swallows).length;
    const swallowedAfter = after.filter((h) => h.swallows);
    // Only handlers the PR adds: a catch that propagated and now swallows is a weakening, reported by
    // removed-error-handling; a catch rewritten in another shape is the same catch.
    let excess = Math.min(swallowedAfter.length - swallowedBefore, after.length - before.length);
    if (excess <= 0) return [];
    const units = unitsOfFile(head.sourceFile, head.file);
    const findings: DirectFinding[] = [];
    for (const handler of swallowedAfter) {
      if (excess <= 0) break;
      if (!change.isNew(handler.whole)) continue;
      excess--;
      const where = enclosingUnitName(units, handler.node, head.sourceFile);
      findings.push({
        messageId: 'swallowed',
        node: handler.node,
        side: 'head',
        key: `swallowed ${where} ${handler.around}`,
        data: { where, label: handler.around, change: handler.outcome === 'logs' ? 'only logs the error' : 'swallows the error' },
        evidence: { outcome: handler.outcome, symbol: where },
      });
    }
    return findings;
  },
});

/** The file's error handlers, each with what it guards and whether it swallows the error. */
function handlersOf(sf: ts.SourceFile): Handler[] {
  return errorHandlersIn((visit) => forEachNode(sf, visit), sf).map((h) => {
    const documented = h.outcome === 'empty' && hasComment(ts.isCatchClause(h.handler) ? h.handler.block : h.handler, sf);
    if (h.guards.shape === 'try') {
      const { calls } = guardedCalls(h.guards.block, sf);
      const swallows = calls.length > 0 && !documented && (h.outcome === 'empty' || h.outcome === 'logs');
      return { ...h, around: `a try/catch around ${calls.join(', ') || 'a block'}`, swallows };
    }
    // A fire-and-forget chain must catch to avoid an unhandled rejection: logging there is enough.
    const fireAndForget = !isAwaitedOrReturned(h.node as ts.CallExpression);
    const swallows = !documented && (h.outcome === 'empty' || (h.outcome === 'logs' && !fireAndForget));
    return { ...h, around: `a .${h.guards.method}() on ${callName(h.guards.chain, sf)}`, swallows };
  });
}

/** An empty handler with a comment inside says why the error is ignored (ESLint's no-empty allows it too). */
function hasComment(node: ts.Node, sf: ts.SourceFile): boolean {
  return /\/\/|\/\*/.test(node.getText(sf));
}

/** Whether a promise chain's result is awaited, returned or assigned: then the caller still sees its outcome. */
function isAwaitedOrReturned(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  while (
    n.parent &&
    (ts.isParenthesizedExpression(n.parent) ||
      (ts.isPropertyAccessExpression(n.parent) && n.parent.parent && ts.isCallExpression(n.parent.parent)))
  ) {
    n = ts.isPropertyAccessExpression(n.parent) ? n.parent.parent! : n.parent;
  }
  const parent = n.parent;
  if (!parent) return false;
  return !(ts.isExpressionStatement(parent) || ts.isVoidExpression(parent));
}
