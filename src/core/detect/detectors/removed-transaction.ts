import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { throwsError } from '../ast/statements.js';
import { calleeSimpleName, calleeText, rootName } from '../ast/text.js';
import { objectProperties } from '../ast/values.js';
import { forEachNodeOfUnit, isWithin } from '../ast/walk.js';
import { defineDetector, type DirectFinding, type Guardrail } from '../define-detector.js';

/** Calls that open a transaction: prisma, sequelize, knex, drizzle, typeorm, kysely, pg-promise, postgres.js, mongoose. */
const TRANSACTION_CALL =
  /^(\$transaction|transaction|startTransaction|beginTransaction|withTransaction|runInTransaction|transactional|transact|inTransaction|tx|begin|withTransactionRetry|executeTransaction|runTransaction|writeTransaction)$/;
/** `tx` and `begin` are too short to trust without a callback and a database-looking receiver. */
const DATABASE_RECEIVER =
  /db|database|sql|knex|prisma|sequelize|manager|dataSource|connection|conn|client|pool|orm|em|session|mongoose|repo|trx|kysely|drizzle|queryRunner|firestore|store/i;
/** Methods that write. */
const WRITE =
  /^(create|createMany|createManyAndReturn|insert|insertMany|insertOne|update|updateMany|updateOne|upsert|delete|deleteMany|deleteOne|destroy|remove|save|increment|decrement|bulkCreate|bulkWrite|bulkInsert|findOneAndUpdate|findOneAndDelete|findByIdAndUpdate|findByIdAndDelete|replaceOne|\$executeRaw|\$executeRawUnsafe|execute|query|softDelete|restore)$/;
/** Clients whose name says nothing about the write: `prisma.order.create` and `tx.order.create` are the same write. */
const CLIENT_ROOT =
  /^(prisma|db|database|knex|sequelize|manager|em|entityManager|dataSource|client|connection|conn|pool|orm|trx|tx|t|transaction|session|queryRunner|kysely|drizzle|sql)$/;

interface Coverage {
  /** Writes the transaction covers, normalized. */
  members: string[];
  /** Writes of the unit that no transaction covers, normalized. */
  outside: Set<string>;
}
const coverage = new WeakMap<Guardrail, Coverage>();
/** Inventory and inspect read the same unit: analyse it once. */
const analysed = new WeakMap<Unit, { guardrails: Guardrail[]; writes: Write[] }>();

export default defineDetector({
  meta: {
    id: 'removed-transaction',
    category: 'transaction',
    severity: 'high',
    weakenedSeverity: 'high',
    description: 'Writes were taken out of a transaction: the transaction was removed, or a write that ran inside it now runs outside it.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: its writes can now half-apply.',
      weakened: '{{symbol}}: a write now runs outside {{label}} ({{change}}): it no longer commits or rolls back with the others.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
      leftTransaction:
        '{{symbol}}: {{write}} no longer passes the transaction it was given: it commits on its own, even when the caller rolls back.',
    },
    docs: {
      catches:
        'Transactions opened with prisma `$transaction` (array and interactive), sequelize / knex / drizzle / kysely / typeorm `transaction(…)`, `queryRunner.startTransaction()`, pg-promise `db.tx`, postgres.js `sql.begin`, mongoose `session.withTransaction`, `@Transactional()`, and `BEGIN` / `START TRANSACTION` SQL; checks that refuse to run outside a transaction (`if (!transaction) throw …`, `assert(trx)`); writes that carry a `{ transaction }` option or go through the transaction client. A write that ran inside the transaction and now runs outside it (through the plain client, or without its `{ transaction: t }` option) is reported even when the transaction stays; so is a write that joined a transaction passed in and now runs without it.',
      ignores:
        'A transaction moved into a helper the function calls (`inTx(async (tx) => …)`) or to another file of the same PR; one transaction API swapped for another; writes added to a transaction; writes deleted outright or replaced by a call that carries the transaction itself (`saveWithCtx(ctx)`).',
      example: {
        file: 'src/orders.ts',
        before:
          'export async function placeOrder(order: NewOrder) {\n  return prisma.$transaction([\n    prisma.order.create({ data: order }),\n    prisma.stock.update({ where: { sku: order.sku }, data: { count: { decrement: order.quantity } } }),\n  ]);\n}\n',
        after:
          'export async function placeOrder(order: NewOrder) {\n  const created = await prisma.order.create({ data: order });\n  await prisma.stock.update({ where: { sku: order.sku }, data: { count: { decrement: order.quantity } } });\n  return created;\n}\n',
      },
    },
  },
  inventory: (unit) => transactionsOf(unit).guardrails,
  /**
   * A write that joined a transaction passed in (`Order.create(data, { transaction: t })`) and now runs
   * without it. Compared write by write on the change rather than inventoried: a write replaced by another
   * call (`saveWithCtx(ctx)`, which carries the transaction itself) or deleted is not evidence of anything.
   */
  inspect(change): DirectFinding[] {
    const { base, head } = change;
    if (!base || !head) return [];
    const before = transactionsOf(base);
    if (before.guardrails.some((g) => g.kind === 'transaction')) return [];
    const joined = new Set(before.writes.filter((w) => w.optioned).map((w) => w.name));
    if (joined.size === 0) return [];
    const after = transactionsOf(head);
    const stillJoined = new Set(after.writes.filter((w) => w.optioned).map((w) => w.name));
    const opened = after.guardrails.some((g) => g.kind === 'transaction');
    const escaped = after.writes.filter((w) => !w.optioned && joined.has(w.name) && !stillJoined.has(w.name) && !opened);
    return escaped.slice(0, 3).map((w) => ({
      messageId: 'leftTransaction',
      data: { write: `${w.name}()` },
      node: w.call,
      side: 'head' as const,
      key: `left transaction ${w.name}`,
    }));
  },
  isWeakened(before, after) {
    const b = coverage.get(before);
    const a = coverage.get(after);
    if (!b || !a) return false;
    const kept = new Set(a.members);
    // Only a write that still happens, outside now: a write deleted outright is not this detector's business.
    return b.members.some((m) => !kept.has(m) && a.outside.has(m));
  },
});

interface Write {
  call: ts.CallExpression;
  name: string;
  optioned: boolean;
}

function transactionsOf(unit: Unit): { guardrails: Guardrail[]; writes: Write[] } {
  const cached = analysed.get(unit);
  if (cached) return cached;
  const result = analyse(unit);
  analysed.set(unit, result);
  return result;
}

function analyse(unit: Unit): { guardrails: Guardrail[]; writes: Write[] } {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const scopes: { node: ts.Node; client?: string; all?: boolean }[] = [];
  const writes: Write[] = [];

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isDecorator(node)) {
      const name = calleeSimpleName(ts.isCallExpression(node.expression) ? node.expression.expression : node.expression);
      if (name === 'Transactional' || name === 'Transaction') {
        scopes.push({ node: unit.node, all: true });
        found.push({ category: 'transaction', kind: 'transaction', anchor: 'transaction', node, label: `the @${name}() transaction` });
      }
      return;
    }
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && /^\s*(BEGIN|START TRANSACTION)\b/i.test(node.text)) {
      scopes.push({ node: unit.node });
      found.push({ category: 'transaction', kind: 'transaction', anchor: 'transaction', node, label: 'the BEGIN … COMMIT transaction' });
      return;
    }
    // `if (!transaction) throw new Error("Transaction required")`: the function refuses to run outside one.
    if (ts.isIfStatement(node) && throwsError(node.thenStatement) && requiresTransaction(node.expression, sf)) {
      found.push({
        category: 'transaction',
        kind: 'requires-transaction',
        anchor: 'requires a transaction',
        node,
        label: 'the check that a transaction is open',
      });
      return;
    }
    if (
      ts.isCallExpression(node) &&
      /^(assert|invariant|ok)$/.test(calleeSimpleName(node.expression) ?? '') &&
      node.arguments[0] &&
      TRANSACTION_VALUE.test(node.arguments[0].getText(sf))
    ) {
      found.push({
        category: 'transaction',
        kind: 'requires-transaction',
        anchor: 'requires a transaction',
        node,
        label: 'the assertion that a transaction is open',
      });
      return;
    }
    if (!ts.isCallExpression(node)) return;
    const name = calleeSimpleName(node.expression);
    if (!name) return;
    const callee = calleeText(node.expression, sf);
    if (TRANSACTION_CALL.test(name) && isTransactionCall(node, name, sf)) {
      const callback = node.arguments.find(
        (a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a),
      );
      const array = node.arguments.find(ts.isArrayLiteralExpression);
      const client = callback?.parameters[0] && ts.isIdentifier(callback.parameters[0].name) ? callback.parameters[0].name.text : undefined;
      // Unmanaged (`const t = await sequelize.transaction()`, `queryRunner.startTransaction()`): the whole unit.
      scopes.push({ node: callback ?? array ?? unit.node, ...(client ? { client } : {}) });
      found.push({ category: 'transaction', kind: 'transaction', anchor: 'transaction', node, label: `the ${callee}() transaction` });
      return;
    }
    if (WRITE.test(name) && ts.isPropertyAccessExpression(node.expression)) {
      writes.push({
        call: node,
        name: normalizeWrite(node, sf),
        optioned:
          node.arguments.some((a) => ts.isObjectLiteralExpression(a) && hasTransactionOption(a, sf)) ||
          /\.transacting\(|\.useTransaction\(/.test(callee),
      });
    }
  });

  // No transaction opened here: writes that join one passed in are compared by `inspect`, write by write.
  if (!found.some((g) => g.kind === 'transaction')) return { guardrails: found, writes };

  const covered = (w: { call: ts.CallExpression; optioned: boolean }): boolean =>
    w.optioned ||
    scopes.some(
      (s) =>
        isWithin(w.call, s.node) &&
        (s.all === true || (s.client === undefined ? s.node !== unit.node : rootName(w.call.expression) === s.client)),
    );
  const outside = new Set(writes.filter((w) => !covered(w)).map((w) => w.name));
  const members = [...new Set(writes.filter(covered).map((w) => w.name))].sort();
  for (const g of found.filter((f) => f.kind === 'transaction')) {
    g.members = members;
    coverage.set(g, { members, outside });
  }
  return { guardrails: found, writes };
}

/** The value a transaction travels in: `transaction`, `trx`, `ctx.state.transaction`, `options.transaction`. */
const TRANSACTION_VALUE = /^!?\s*([\w.]*\.)?(transaction|trx|tx|dbTransaction|transactionClient)$/;

function requiresTransaction(condition: ts.Expression, sf: ts.SourceFile): boolean {
  const text = condition.getText(sf).replace(/\s+/g, '');
  return /^!/.test(text) && TRANSACTION_VALUE.test(text);
}

function isTransactionCall(node: ts.CallExpression, name: string, sf: ts.SourceFile): boolean {
  const receiver = ts.isPropertyAccessExpression(node.expression) ? calleeText(node.expression.expression, sf) : '';
  const hasWork = node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a) || ts.isArrayLiteralExpression(a));
  if (name === 'tx' || name === 'begin' || name === 'transact') return hasWork && DATABASE_RECEIVER.test(receiver);
  if (name === 'transaction') return receiver !== '' ? DATABASE_RECEIVER.test(receiver) || hasWork : hasWork;
  return true;
}

function hasTransactionOption(object: ts.ObjectLiteralExpression, sf: ts.SourceFile): boolean {
  const props = objectProperties(object, sf);
  return props.has('transaction') || props.has('session') || props.has('trx');
}

/** `tx.order.create` and `prisma.order.create` → order.create; `Order.create` stays; `trx("orders").insert` → ("orders").insert. */
function normalizeWrite(call: ts.CallExpression, sf: ts.SourceFile): string {
  const parts = calleeText(call.expression, sf).split('.');
  while (parts.length > 1 && CLIENT_ROOT.test(parts[0]!.replace(/\(.*$/, ''))) {
    const head = parts[0]!;
    const args = /\(.*$/.exec(head)?.[0];
    parts.shift();
    if (args) parts[0] = `${args}.${parts[0]}`;
  }
  return parts.join('.');
}
