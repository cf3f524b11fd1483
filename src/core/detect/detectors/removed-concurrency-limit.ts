import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, calleeText, ownerOfObject, propertyNameText } from '../ast/text.js';
import { staticNumber } from '../ast/values.js';
import { findFirst, forEachNode, forEachNodeOfUnit } from '../ast/walk.js';
import { defineDetector, type Guardrail, weakenedByFactor } from '../define-detector.js';

/** Factories of a bounded pool: p-limit, p-throttle's kin, async's queue. */
const POOL_FACTORY = /^(pLimit|plimit|limitConcurrency|createLimiter|limitFunction|semaphore|createSemaphore|sema)$/;
/** Helpers that map with a concurrency bound given as a number or option. */
const BOUNDED_MAP =
  /^(pMap|pAll|pFilter|pEachSeries|pMapSeries|eachLimit|mapLimit|parallelLimit|timesLimit|filterLimit|forEachLimit|mapConcurrent|mapWithConcurrency|asyncPool|promisePool|runWithConcurrency|batchProcess|mapSeries|eachSeries)$/;
/** Classes that bound concurrency or exclude. */
const POOL_CLASS = /^(PQueue|Queue|Semaphore|Sema|Mutex|RWLock|ReadWriteLock|Redlock|Lock|AsyncLock|PromisePool|Pool|Worker)$/;
/** Option names that bound how much runs at once. */
const CONCURRENCY_OPTION =
  /^(concurrency|maxConcurrency|maxConcurrent|parallelism|maxParallel|maxInFlight|maxWorkers|workerCount|poolSize|connectionLimit)$/;
/** Methods that take a lock or a permit. */
const LOCK_METHOD =
  /^(runExclusive|acquire|acquireLock|acquireRead|acquireWrite|lock|tryLock|using|withLock|synchronized|waitForUnlock|request)$/;
const LOCK_RECEIVER = /mutex|lock|semaphore|sema|redlock|permit|locks|latch/i;
/** Functions that run work under a lock. */
const LOCK_CALL =
  /^(withLock|withMutex|withAdvisoryLock|acquireLock|acquireAdvisoryLock|runExclusive|synchronized|withDistributedLock|lockAndRun)$/;
/** SQL that locks rows or takes an advisory lock. */
const LOCKING_SQL =
  /\bFOR\s+(NO\s+KEY\s+)?UPDATE\b|\bFOR\s+SHARE\b|\bpg_(try_)?advisory_(xact_)?lock\b|\bGET_LOCK\s*\(|\bLOCK\s+TABLE\b|\bsp_getapplock\b/i;

export default defineDetector({
  meta: {
    id: 'removed-concurrency-limit',
    category: 'concurrency',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'A bound on concurrent work (a pool, a queue, a semaphore) or a lock was removed, or the bound raised a lot.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: work that was serialized or bounded now runs all at once.',
      weakened: '{{symbol}}: {{label}} was raised {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Concurrency bounds (p-limit `pLimit(5)` and calls through the limiter it returns, `new PQueue({ concurrency })`, p-map/async `mapLimit`/`eachLimit` with a limit, bullmq `new Worker(…, { concurrency })`, any `concurrency`/`maxConcurrent`/`poolSize` option, batching a `Promise.all` chunk by chunk), semaphores and mutexes (`mutex.runExclusive`, `lock.acquire`, redlock `acquire`/`using`, `withLock`), and locking SQL (`SELECT … FOR UPDATE`, `pg_advisory_lock`, `GET_LOCK`, knex `.forUpdate()`, typeorm `lock: { mode: "pessimistic_write" }`). A bound raised twofold or more is a weakening.',
      ignores:
        'A bound or lock moved into a helper, or to another file of the same PR; a pool swapped for another with the same bound; a lower bound; bottleneck limiters (the rate-limit detector owns them).',
      example: {
        file: 'src/sync.ts',
        before:
          "import pLimit from 'p-limit';\n\nexport async function syncAll(accounts: Account[]) {\n  const limit = pLimit(5);\n  await Promise.all(accounts.map((a) => limit(() => syncAccount(a))));\n}\n",
        after: 'export async function syncAll(accounts: Account[]) {\n  await Promise.all(accounts.map((a) => syncAccount(a)));\n}\n',
      },
    },
  },
  inventory: boundsOf,
  isWeakened: (before, after) => weakenedByFactor(before, after, 2),
});

function boundsOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const limiters = limiterNames(sf);
  const push = (kind: 'pool' | 'lock', anchor: string, node: ts.Node, label: string, bound?: number): void => {
    found.push({
      category: 'concurrency',
      kind,
      anchor,
      node,
      label,
      ...(bound !== undefined ? { strength: bound, stronger: 'lower' as const } : {}),
    });
  };

  forEachNodeOfUnit(unit, (node) => {
    if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isObjectLiteralExpression(node.parent)) {
      const name = propertyNameText(node.name, sf);
      const owner = ownerOfObject(node.parent, sf);
      if (CONCURRENCY_OPTION.test(name)) {
        if (/Bottleneck/.test(owner)) return; // a rate limiter's setting
        const value = ts.isPropertyAssignment(node) ? staticNumber(node.initializer, sf) : undefined;
        if (value === Number.POSITIVE_INFINITY) return;
        push('pool', `${name} option of ${owner}`, node, `the ${name} bound on ${owner}`, value);
        return;
      }
      // typeorm: findOne({ where, lock: { mode: 'pessimistic_write' } }); sequelize: { lock: t.LOCK.UPDATE }
      if (
        name === 'lock' &&
        ts.isPropertyAssignment(node) &&
        /pessimistic|UPDATE|SHARE|KEY_SHARE|true/i.test(node.initializer.getText(sf))
      ) {
        push('lock', 'row lock option', node, `the row lock on ${owner}`);
      }
      return;
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      const match = LOCKING_SQL.exec(node.getText(sf));
      if (match) push('lock', `sql ${match[0].toUpperCase().replace(/\s+/g, ' ')}`, node, `the ${match[0].replace(/\s+/g, ' ')} lock`);
      return;
    }
    if (ts.isNewExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (!name || !POOL_CLASS.test(name)) return;
      const first = node.arguments?.[0];
      if (/^(Mutex|RWLock|ReadWriteLock|Redlock|Lock|AsyncLock)$/.test(name)) {
        push('lock', `lock ${name}`, node, `the ${name}`);
        return;
      }
      if (/^(Semaphore|Sema)$/.test(name)) {
        push('pool', `pool ${name}`, node, `the ${name}`, staticNumber(first, sf));
        return;
      }
      // PQueue, PromisePool, Worker: the bound is an option, inventoried above.
      return;
    }
    if (!ts.isCallExpression(node)) return;
    const name = calleeSimpleName(node.expression);
    if (!name) return;
    const callee = calleeText(node.expression, sf);
    if (POOL_FACTORY.test(name)) {
      const first = node.arguments[0];
      push(
        'pool',
        `pool ${name}`,
        node,
        `the ${callee}() pool`,
        first && ts.isObjectLiteralExpression(first) ? undefined : staticNumber(first, sf),
      );
      return;
    }
    // `limit(() => work(x))` with `const limit = pLimit(5)` somewhere in the file: work goes through the pool.
    if (
      ts.isIdentifier(node.expression) &&
      limiters.has(node.expression.text) &&
      node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))
    ) {
      push('pool', 'work through a limiter', node, `the ${node.expression.text}() concurrency limiter`, limiters.get(node.expression.text));
      return;
    }
    if (BOUNDED_MAP.test(name)) {
      const bound = node.arguments.map((a) => staticNumber(a, sf)).find((v) => v !== undefined);
      const serial = /Series$/.test(name);
      push('pool', `bounded ${name}`, node, `the ${callee}() bound`, serial ? 1 : bound);
      return;
    }
    if (LOCK_CALL.test(name) && (ts.isIdentifier(node.expression) || LOCK_RECEIVER.test(node.expression.getText(sf)))) {
      push('lock', `lock ${name}`, node, `the ${callee}() lock`);
      return;
    }
    if (
      ts.isPropertyAccessExpression(node.expression) &&
      LOCK_METHOD.test(name) &&
      LOCK_RECEIVER.test(calleeText(node.expression.expression, sf))
    ) {
      if (name === 'request' && !/navigator\.locks|locks$/.test(calleeText(node.expression.expression, sf))) return;
      push('lock', `lock ${calleeText(node.expression.expression, sf).split('.').pop()}.${name}`, node, `the ${callee}() lock`);
      return;
    }
    if (/^(forUpdate|forShare|forNoKeyUpdate|forKeyShare|setLock|lockForUpdate|sharedLock)$/.test(name)) {
      push('lock', `row lock ${name}`, node, `the .${name}() row lock`);
      return;
    }
    // for (const batch of chunk(items, 10)) await Promise.all(batch.map(...)): batches bound the fan-out.
    if (callee === 'Promise.all' || callee === 'Promise.allSettled') {
      const loop = enclosingLoop(node, unit);
      if (loop && /chunk|batch|slice|splice|page/i.test(loopHeader(loop, sf))) {
        push('pool', 'batched Promise.all', node, 'batching of the Promise.all', batchSize(loop, sf));
      }
    }
  });
  // `const limit = pLimit(5)` used in the same unit is one guardrail, not two: keep the use.
  const used = new Set(
    found.filter((g) => g.anchor === 'work through a limiter').map((g) => ((g.node as ts.CallExpression).expression as ts.Identifier).text),
  );
  return found.filter(
    (g) =>
      !(
        g.anchor.startsWith('pool ') &&
        ts.isVariableDeclaration(g.node.parent) &&
        ts.isIdentifier(g.node.parent.name) &&
        used.has(g.node.parent.name.text)
      ),
  );
}

/** `const limit = pLimit(5)` anywhere in the file: the names that run work through a pool, and their bound. */
function limiterNames(sf: ts.SourceFile): Map<string, number | undefined> {
  const names = new Map<string, number | undefined>();
  forEachNode(sf, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isCallExpression(node.initializer)) {
      const name = calleeSimpleName(node.initializer.expression);
      if (name && POOL_FACTORY.test(name)) names.set(node.name.text, staticNumber(node.initializer.arguments[0], sf));
    }
  });
  return names;
}

function enclosingLoop(node: ts.Node, unit: Unit): ts.IterationStatement | undefined {
  for (let n = node.parent; n && n !== unit.node; n = n.parent) {
    if (ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n) || ts.isForInStatement(n)) return n;
    if (ts.isFunctionLike(n) && !ts.isArrowFunction(n)) return undefined;
  }
  return undefined;
}

function loopHeader(loop: ts.IterationStatement, sf: ts.SourceFile): string {
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return `${loop.initializer.getText(sf)} ${loop.expression.getText(sf)}`;
  if (ts.isForStatement(loop)) return [loop.initializer, loop.condition, loop.incrementor].map((n) => n?.getText(sf) ?? '').join(' ');
  return (loop as ts.WhileStatement | ts.DoStatement).expression.getText(sf);
}

function batchSize(loop: ts.IterationStatement, sf: ts.SourceFile): number | undefined {
  let size: number | undefined;
  if (ts.isForOfStatement(loop)) {
    size = findFirst(loop.expression, (n) =>
      ts.isCallExpression(n) && /chunk|batch/i.test(calleeSimpleName(n.expression) ?? '')
        ? staticNumber(n.arguments[n.arguments.length - 1], sf)
        : undefined,
    );
  } else if (ts.isForStatement(loop) && loop.incrementor) {
    const m = /\+=\s*([A-Z_a-z0-9]+)/.exec(loop.incrementor.getText(sf));
    if (m) size = /^\d+$/.test(m[1]!) ? Number(m[1]) : undefined;
  }
  return size;
}
