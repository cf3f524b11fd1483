import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName } from '../ast/text.js';

// Teardown: the calls that give back what code holds (listeners, timers, pooled connections, pending
// entries) and the paths that run when the work is over outside a try statement (a timer firing, a close
// or error event, a disposer, a close/destroy method); finally and catch blocks are error handling's.

/** Listener cleanups: they undo an `on`/`addEventListener`/`subscribe`. */
export const UNLISTEN_CALL = /^(removeListener|removeEventListener|removeAllListeners|off|unsubscribe|unlisten|unwatch)$/;
/** Timer cleanups: they undo a `setTimeout`/`setInterval`. */
export const UNTIMER_CALL = /^(clearTimeout|clearInterval|clearImmediate)$/;
/** Every call that releases something. */
export const RELEASE_CALL =
  /^(removeListener|removeEventListener|removeAllListeners|off|unsubscribe|unlisten|unwatch|unregister|clearTimeout|clearInterval|clearImmediate|release|releaseLock|dispose|destroy|close|abort|disconnect|terminate|delete|cleanup\w*|cleanUp\w*|teardown\w*|tearDown\w*)$/;

/**
 * Calls that dispose of everything a receiver holds, whatever the verb: `emitter.destroy()` and
 * `emitter.clear()` both drop its subscribers, `pool.close()` and `pool.end()` both give back its
 * connections. One of them on the same receiver on the same path stands in for another.
 */
export const WHOLE_DISPOSAL_CALL =
  /^(destroy|dispose|clear|clearAll|reset|close|end|terminate|disconnect|release|removeAllListeners|unsubscribeAll|offAll|teardown|tearDown|cleanup|cleanUp|shutdown|stop|drain|flushAndClose)$/;

/** Events after which a connection, a stream or a socket is done with. */
const TEARDOWN_EVENT =
  /^(close|end|error|disconnect|disconnecting|abort|aborted|finish|exit|timeout|destroy|destroyed|unload|beforeunload|pagehide)$/;
/** Properties and methods that are a disposer: `{ cleanup: () => … }`, `dispose() { … }`. */
const DISPOSER = /^(cleanup|cleanUp|dispose|destroy|unsubscribe|close|teardown|tearDown|stop|abort|release|unmount)$/;
/** Units that tear down: `close()`, `componentWillUnmount()`, `ngOnDestroy()`, `disconnectedCallback()`. */
const TEARDOWN_UNIT =
  /^(close|destroy|dispose|cleanup|cleanUp|teardown|tearDown|stop|shutdown|disconnect|unmount|componentWillUnmount|ngOnDestroy|onDestroy|onUnmounted|beforeDestroy|disconnectedCallback|release|end|abort|_destroy|_close|_final)$/;

/** Names of functions that tear down: `cleanup`, `dispose`, `onClose`, `handleDisconnect`. */
function isTeardownName(name: string): boolean {
  return (
    DISPOSER.test(name) || TEARDOWN_UNIT.test(name) || /^(on|handle)(Close|End|Disconnect|Abort|Exit|Destroy|Unmount|Finish)\w*$/.test(name)
  );
}

/**
 * Where a call sits when it runs once the work is over, as a phrase for a message ("in its timer
 * callback", 'in its "close" handler', "in the disposer it returns"), or undefined when it runs on the
 * happy path or in a try statement's catch or finally.
 */
export function teardownPathOf(node: ts.Node, unit: Unit, sf: ts.SourceFile): string | undefined {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    // A try's catch and finally are the error-handling detector's: it reports the cleanups they lose.
    if (ts.isCatchClause(n) || (ts.isBlock(n) && n.parent && ts.isTryStatement(n.parent) && n.parent.finallyBlock === n)) return undefined;
    if (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) {
      const parent: ts.Node = n.parent;
      if (ts.isCallExpression(parent) && parent.arguments.includes(n)) {
        const name = calleeSimpleName(parent.expression) ?? '';
        if (name === 'finally' || name === 'catch') return undefined;
        // setTimeout, and the wrappers libraries inject for tests and unref'd timers (`setTimeoutFn`).
        if (/^set(?:Timeout|Interval)(?:Fn|WithUnref|Unref)?$/.test(name)) return 'in its timer callback';
        const event = parent.arguments[0];
        if (
          /^(on|once|addListener|addEventListener|prependListener)$/.test(name) &&
          event &&
          (ts.isStringLiteral(event) || ts.isNoSubstitutionTemplateLiteral(event)) &&
          TEARDOWN_EVENT.test(event.text)
        )
          return `in its "${event.text}" handler`;
      }
      if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === n)) return 'in the disposer it returns';
      if (ts.isPropertyAssignment(parent) && parent.initializer === n && DISPOSER.test(parent.name.getText(sf)))
        return `in its ${parent.name.getText(sf)}()`;
      // `const cleanup = () => …`, `const onClose = () => …`: a named disposer or teardown handler.
      if (ts.isVariableDeclaration(parent) && parent.initializer === n && ts.isIdentifier(parent.name) && isTeardownName(parent.name.text))
        return `in ${parent.name.text}()`;
    }
    if (ts.isFunctionDeclaration(n) && n !== unit.node && n.name && isTeardownName(n.name.text)) return `in ${n.name.text}()`;
    if (ts.isMethodDeclaration(n) && n !== unit.node && ts.isObjectLiteralExpression(n.parent) && DISPOSER.test(n.name.getText(sf)))
      return `in its ${n.name.getText(sf)}()`;
    if (n === unit.node) break;
  }
  const simple = unit.name.split('.').pop()?.replace(/#\d+$/, '') ?? '';
  return (unit.kind === 'function' || unit.kind === 'method') && TEARDOWN_UNIT.test(simple) ? `in ${simple}()` : undefined;
}
