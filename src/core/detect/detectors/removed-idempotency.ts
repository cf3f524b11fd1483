import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { exits } from '../ast/statements.js';
import { anchorText, calleeSimpleName, calleeText, escapeRegExp, isIdentifierText, propertyNameText, rootName } from '../ast/text.js';
import { enclosingFunction, findFirst, forEachNode, forEachNodeOfUnit, identifiersIn } from '../ast/walk.js';
import { defineDetector, type Guardrail } from '../define-detector.js';
import { isLogCall } from '../vocab/logging.js';
import { isWhereVariableName } from '../vocab/queries.js';

/** Writes that cannot create a duplicate by construction. */
const UPSERT_CALL =
  /^(upsert\w*|bulkUpsert\w*|findOrCreate\w*|findOneOrCreate\w*|findOrBuild\w*|firstOrCreate\w*|getOrCreate\w*|createOrUpdate\w*|updateOrCreate\w*|insertOrUpdate\w*|createIfNotExists\w*|insertIfNotExists\w*|onConflict\w*|onDuplicateKeyUpdate|orIgnore|ignore|merge|putIfAbsent|setnx|setNX|SETNX|hsetnx|addJobIfNotExists)$/i;
/** SQL that makes a write idempotent. */
const IDEMPOTENT_SQL =
  /\bON\s+CONFLICT\b|\bIF\s+NOT\s+EXISTS\b|\bINSERT\s+IGNORE\b|\bON\s+DUPLICATE\s+KEY\b|\bWHERE\s+NOT\s+EXISTS\b|\bMERGE\s+INTO\b|\bIF\s+EXISTS\b/i;
/** Options that deduplicate work (queues, payment APIs, upserts). */
const DEDUP_OPTION =
  /^(idempotencyKey|idempotency_key|idempotentKey|jobKey|job_key|jobId|deduplicationId|deduplication|dedupe|dedupeKey|dedupKey|uniqueKey|upsert|ignoreDuplicates|conflictFields|conflictTarget|onConflict|skipDuplicates|updateOnDuplicate|\$setOnInsert|messageDeduplicationId|MessageDeduplicationId|singletonKey|lockKey|unique)$/;
/** Reads of a cache or map: a value computed before, not a record that the work was done. */
const CACHE_READ = /\b\w*(?:cache|memo|map|lru|store)\w*\s*\.\s*get\s*\(|^\s*(?:await\s+)?fetch\s*\(/i;
/**
 * Reads of the request itself (a header, a query or route parameter, a cookie): the caller's input, not a
 * record that the work was done (`const forwarded = first(req.headers.get('x-forwarded-for'))`).
 */
const REQUEST_READ = /\b(?:headers|searchParams|query|params|cookies)\s*\.\s*get\s*\(|\b(?:req|request|ctx)\s*\.\s*(?:get|header)\s*\(/g;
/** File-system existence tests. */
const FILE_EXISTS = /\b(?:existsSync|pathExists\w*|fileExists|exists)\s*\(|\bfs\w*\.\s*(?:exists|access|stat)\w*\s*\(/;
/** Calls that look a record up (by the work's identity, when it is a dedup check). */
const LOOKUP_CALL = /^(find\w*|get\w*|exists|count|has|lookup|fetch\w*|load\w*|select\w*|query\w*|first)$/i;
/** Words that say a condition is about work already done. */
const ALREADY =
  /already|processed|exist|duplicate|dedup|seen|completed|handled|idempoten|isDone|wasSent|sent\b|delivered|consumed|inFlight|locked|claimed/i;
/**
 * Writes whose `where` decides which rows change. A state condition there (`deletedAt: { [Op.ne]: null }`,
 * `status: 'pending'`, `consumedAt: null`) is a compare-and-set: the write only lands on rows still in the
 * expected state, so a concurrent restore, a second consumer or a replay changes nothing.
 */
const WRITE_METHOD =
  /^(update\w*|destroy|delete\w*|remove\w*|softDelete|softRemove|restore|increment|decrement|findOneAnd(?:Update|Delete|Replace|Remove)|findByIdAnd(?:Update|Delete|Remove))$/;
/** Row-state columns a write is conditioned on: soft deletion, one-time use, claims, status, versions. */
const STATE_COLUMN =
  /^(?:is_?)?(?:deleted|archived|consumed|used|redeemed|revoked|claimed|processed|completed|locked|expired|cancel+ed|published)(?:_?(?:at|by|on))?$|^(?:status|state|version|lock_?version|expires_?at)$/i;
/** A where value that tests for null or presence: `null`, `{ [Op.ne]: null }`, `{ not: null }`, `IsNull()`. */
const NULL_TEST =
  /^null$|^\{\s*(?:\[Op\.(?:ne|is|not|eq)\]|not|equals|\$ne|\$eq|\$exists)\s*:\s*(?:null|true|false)\s*\}$|^(?:Not\()?IsNull\(\)\)?$/;

/** Flags that say a one-time operation has started or finished: shutting down, terminated, settled. */
const STATE_FLAG =
  /(shuttingDown\w*|ShuttingDown\w*|closing|closed|stopped|stopping|terminated|terminating|finished|finishing|settled|released|destroyed|disposed|cancel+ed|aborted|deactivated|alreadyCalled|fired|handled|processed)$/i;

/** What losing most of these lets happen. */
const REPLAY_APPLIES_TWICE = 'a retried or replayed request can now apply twice';

export default defineDetector({
  meta: {
    id: 'removed-idempotency',
    category: 'idempotency',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'Protection against doing the same work twice was removed: an idempotency key, a dedup check, an upsert, ON CONFLICT.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: {{consequence}}.',
      weakened: '{{symbol}}: {{label}} was weakened: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Idempotency keys (options and headers named idempotency*), dedup options of queues and APIs (jobKey, jobId, deduplicationId, ignoreDuplicates, skipDuplicates), upserts and their kin (upsert, findOrCreate, onConflict, setnx), SQL with ON CONFLICT / IF NOT EXISTS / INSERT IGNORE / WHERE NOT EXISTS, early returns for work already processed (`if (existing) return`, `if (event.processed) return`), catches of unique-constraint violations, and state conditions in the where clause of a write (`destroy({ where: { id, deletedAt: { [Op.ne]: null } } })`, `updateMany({ where: { id, status: "pending" } })`): a compare-and-set that keeps a concurrent restore, a second consumer or a replay from changing the row.',
      ignores:
        'The same protection moved into a helper or to another write of the same PR; plain inserts that never had one; an early return on a value read from the request (a header, a query parameter), which is input, not a record of work done; a word such as "processed" in a name the condition only tests the shape of (`processedData.startsWith(prefix)`, `processedData.length >= n`); where clauses of reads, and conditions on which row (`id`, `teamId`: tenancy belongs to removed-auth); lazy initialisation (`if (!cache) cache = compute()`), which computes a value on first use and checks no request identity.',
      example: {
        file: 'src/payments.ts',
        before:
          "export async function charge(order: Order) {\n  return stripe.paymentIntents.create({ amount: order.total, currency: 'eur' }, { idempotencyKey: `order-${order.id}` });\n}\n",
        after:
          "export async function charge(order: Order) {\n  return stripe.paymentIntents.create({ amount: order.total, currency: 'eur' });\n}\n",
      },
    },
  },
  inventory: idempotencyOf,
});

function idempotencyOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const push = (g: Omit<Guardrail, 'category'>): void => {
    found.push({ category: 'idempotency', consequence: REPLAY_APPLIES_TWICE, ...g });
  };
  const lookups = new Set<string>();
  const assigned = flagsAssigned(unit, sf);
  const writersOfVariables = new Map<ts.VariableDeclaration, string | undefined>();

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isCallExpression(node)) {
      const name = calleeSimpleName(node.expression);
      if (name && UPSERT_CALL.test(name) && !(name === 'merge' || name === 'ignore')) {
        push({ kind: 'upsert', anchor: `${name}`, node, label: `the ${calleeText(node.expression, sf)}() idempotent write` });
      } else if (name && (name === 'ignore' || name === 'merge') && /insert|onConflict/i.test(node.expression.getText(sf))) {
        push({ kind: 'upsert', anchor: name, node, label: `the ${name}() on conflict` });
      }
      return;
    }
    if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isObjectLiteralExpression(node.parent)) {
      const name = propertyNameText(node.name, sf);
      const write = writeConditionedBy(node.parent, sf, writersOfVariables);
      if (write && isStateCondition(node, name, sf)) {
        push({
          kind: 'write-condition',
          anchor: `write condition ${name}`,
          identity: 'anchor',
          node,
          label: `the ${name} condition on the ${write}() write`,
        });
        return;
      }
      if (DEDUP_OPTION.test(name) || /idempoten/i.test(name)) {
        if (
          ts.isPropertyAssignment(node) &&
          (node.initializer.kind === ts.SyntaxKind.FalseKeyword || node.initializer.kind === ts.SyntaxKind.UndefinedKeyword)
        )
          return;
        // `unique: true` in a schema column, `upsert: true` in an update: both dedupe.
        push({ kind: 'option', anchor: `${name} option`, node, label: `the ${name} option` });
      }
      return;
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      const text = node.getText(sf);
      if (IDEMPOTENT_SQL.test(text)) {
        const clause = IDEMPOTENT_SQL.exec(text)![0].toUpperCase().replace(/\s+/g, ' ');
        push({ kind: 'sql', anchor: clause, node, label: `the ${clause} clause` });
      } else if (/idempotency-key|idempotency_key|x-idempotency/i.test(text)) {
        push({ kind: 'header', anchor: 'idempotency header', node, label: 'the idempotency-key header' });
      }
      return;
    }
    // const existing = await Payment.findOne(...) → remember: a later `if (existing) return` is a dedup check.
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const init = node.initializer.getText(sf).replace(REQUEST_READ, '');
      // A record looked up by the work's identity; a cache or map read (`cache.get(key)`) and an HTTP
      // `fetch()` are not a record of work done.
      if (/\b(find\w*|get\w*|exists|count|has|lookup|fetch\w*|load\w*|select\w*|query\w*|first)\s*\(/i.test(init) && !CACHE_READ.test(init))
        lookups.add(node.name.text);
      return;
    }
    if (ts.isIfStatement(node)) {
      const once = onceGuard(node, sf, assigned);
      if (once) {
        // A guard that wraps its work (`if (!closing) { closing = true; pool.end() }`) protects that work: a
        // guard on the same flag in a helper protects the helper's own work, not this one, so the work's
        // calls are part of what names it.
        const work = wrappedWork(node, sf);
        push({
          kind: 'once-guard',
          anchor: `once ${once}${work.length ? ` ${work.join(' ')}` : ''}`,
          identity: 'anchor',
          node,
          label: `the run-once guard on ${once}`,
        });
        return;
      }
      // A check that throws "already exists" rejects bad input (validation); dedup answers without error.
      if (throwsOnly(node.thenStatement)) return;
      if (!exits(node.thenStatement) && !returnsExisting(node.thenStatement)) return;
      const condition = node.expression;
      const text = condition.getText(sf);
      // The words are read where the condition tests them (a flag, a field, a predicate, a status string),
      // not in any name it mentions: `processedData.startsWith(prefix)` tests the shape of input data.
      const already = ALREADY.test(testedTerms(condition).join(' '));
      if (/^\s*!/.test(text) && !already) return; // `if (!x) throw` is a presence check, not dedup
      // A file that exists is an output already written, not a request already served: no identity is checked.
      if (FILE_EXISTS.test(text)) return;
      const thenText = node.thenStatement.getText(sf);
      if (/NotFound|404|Unauthori|Forbidden/.test(thenText)) return;
      // `if (token) return use(token); throw new AuthError()`: found or fail. A dedup check skips work the
      // code would otherwise do; here the other path does no work, it only refuses.
      if (!node.elseStatement && onlyRefusesAfter(node)) return;
      // `if (existing)`, `if (existing != null)`: the lookup itself, not one of its fields
      // (`if (template.collectionId)` branches on what was found, it does not skip work already done).
      // `const existingName = frame.name?.trim(); if (existingName) return existingName;`: a value of the input
      // used when present, a default computed otherwise. Nothing was looked up or recorded.
      if (presentInputReturned(node, unit, sf)) return;
      const mentionsLookup = [...lookups].some((name) =>
        new RegExp(`^\\s*${escapeRegExp(name)}\\s*(?:$|[!=]==?\\s*(?:null|undefined)\\s*$)`).test(text),
      );
      const setMembership = /\.(has|includes)\(/.test(text) && /seen|processed|handled|done|sent|ids|keys|cache/i.test(text);
      if (already || mentionsLookup || setMembership) {
        push({
          kind: 'dedup-check',
          anchor: `dedup ${anchorText(condition, sf, 80)}`,
          identity: 'anchor',
          node,
          label: `the already-processed check "if (${anchorText(condition, sf, 60)})"`,
        });
      }
      return;
    }
    // catch (e) { if (e.code === '23505' || e instanceof UniqueConstraintError) … }
    if (ts.isCatchClause(node)) {
      const text = node.block.getText(sf);
      if (/23505|P2002|ER_DUP_ENTRY|E11000|UniqueConstraint|unique.?violation|duplicate key/i.test(text)) {
        push({
          kind: 'unique-violation',
          anchor: 'unique-violation handling',
          // The constraint still refuses the duplicate; what is lost is the answer to it.
          consequence: 'a second write of the same row (a race or a replay) now fails with the constraint error instead of being handled',
          node,
          label: 'the handling of a unique-constraint violation',
        });
      }
    }
  });
  return found;
}

/**
 * What a condition tests, as words: the flags and fields it reads as a truth value or compares for
 * equality (the last name of `order.processedAt`), the predicates it calls (`isDuplicate`, not the receiver
 * of `data.startsWith`), and the strings it holds (`status === 'completed'`, `get(\`seen:${id}\`)`). A name
 * that only receives a string or size test (`processedData.length >= n`) is not what the test is about.
 */
function testedTerms(condition: ts.Expression): string[] {
  const terms: string[] = [];
  const tested = (e: ts.Expression): void => {
    while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAwaitExpression(e) || ts.isAsExpression(e))
      e = e.expression;
    if (ts.isIdentifier(e)) terms.push(e.text);
    else if (ts.isPropertyAccessExpression(e)) terms.push(e.name.text);
    else if (ts.isElementAccessExpression(e)) tested(e.argumentExpression);
    else if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) tested(e.operand);
    else if (ts.isConditionalExpression(e)) [e.condition, e.whenTrue, e.whenFalse].forEach(tested);
    else if (ts.isCallExpression(e)) {
      const name = calleeSimpleName(e.expression);
      if (name) terms.push(name);
    } else if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      const logical =
        op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken;
      const equality = [
        ts.SyntaxKind.EqualsEqualsToken,
        ts.SyntaxKind.EqualsEqualsEqualsToken,
        ts.SyntaxKind.ExclamationEqualsToken,
        ts.SyntaxKind.ExclamationEqualsEqualsToken,
      ].includes(op);
      if (logical || equality) [e.left, e.right].forEach(tested);
    }
  };
  tested(condition);
  forEachNode(condition, (n) => {
    if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) terms.push(n.text);
  });
  return terms;
}

/**
 * The write a where clause conditions, when `object` is one: the value of `where` in the options of
 * `destroy`/`update…`/`delete…` (`Model.destroy({ where })`, `prisma.job.updateMany({ where, data })`), or
 * an object kept in a `where` variable that a write of the same function is given. `writers` remembers
 * the answer per variable, since every property of its object asks.
 */
function writeConditionedBy(
  object: ts.ObjectLiteralExpression,
  sf: ts.SourceFile,
  writers: Map<ts.VariableDeclaration, string | undefined>,
): string | undefined {
  const holder = object.parent;
  if (ts.isPropertyAssignment(holder) && propertyNameText(holder.name, sf) === 'where' && ts.isObjectLiteralExpression(holder.parent)) {
    const call = holder.parent.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(holder.parent)) return undefined;
    const name = calleeSimpleName(call.expression);
    return name && WRITE_METHOD.test(name) ? name : undefined;
  }
  if (!ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name) || !isWhereVariableName(holder.name.text)) return undefined;
  if (!writers.has(holder)) writers.set(holder, writeGiven(holder.name.text, enclosingFunction(holder) ?? sf));
  return writers.get(holder);
}

/** The first write call within `scope` that gets `variable` in its arguments (`destroy({ where })`). */
function writeGiven(variable: string, scope: ts.Node): string | undefined {
  return findFirst(
    scope,
    (node) => {
      if (!ts.isCallExpression(node)) return undefined;
      const name = calleeSimpleName(node.expression);
      return name && WRITE_METHOD.test(name) && node.arguments.some((arg) => identifiersIn(arg).has(variable)) ? name : undefined;
    },
    { belowRoot: true },
  );
}

/** A condition on the row's state rather than on which row: `deletedAt: …`, `status: 'pending'`, `x: null`. */
function isStateCondition(node: ts.PropertyAssignment | ts.ShorthandPropertyAssignment, name: string, sf: ts.SourceFile): boolean {
  if (STATE_COLUMN.test(name)) return true;
  return ts.isPropertyAssignment(node) && NULL_TEST.test(node.initializer.getText(sf).replace(/\s+/g, ' ').trim());
}

/**
 * References assigned in the unit, with where: `terminated = true`, `this._shuttingDown = true`, `promise = run()`.
 * A parameter given a new value (`input = {}`) is normalised input, not a flag.
 */
function flagsAssigned(unit: Unit, sf: ts.SourceFile): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const params = new Set(unit.params);
  forEachNodeOfUnit(unit, (node) => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isIdentifier(node.left) || ts.isPropertyAccessExpression(node.left))
    ) {
      if (ts.isIdentifier(node.left) && params.has(node.left.text)) return;
      if (node.right.kind !== ts.SyntaxKind.FalseKeyword && node.right.kind !== ts.SyntaxKind.NullKeyword) {
        const name = node.left.getText(sf).replace(/^this\./, '');
        out.set(name, [...(out.get(name) ?? []), node.getStart(sf)]);
      }
    }
  });
  return out;
}

/**
 * `if (terminated) return; terminated = true;`, `if (!deactivatePromise) { deactivatePromise = … }`,
 * `if (!_shuttingDown) { … }`: the unit makes sure something happens once. Returns the flag's name.
 */
function onceGuard(node: ts.IfStatement, sf: ts.SourceFile, assigned: Map<string, number[]>): string | undefined {
  const operands: ts.Expression[] = [];
  const flatten = (e: ts.Expression): boolean => {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (
      ts.isBinaryExpression(e) &&
      (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    )
      return flatten(e.left) && flatten(e.right);
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return flatten(e.operand);
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      operands.push(e);
      return true;
    }
    return false;
  };
  if (!flatten(node.expression) || operands.length === 0) return undefined;
  const names = operands.map((o) => o.getText(sf).replace(/^this\./, ''));
  const last = (n: string): string => n.split('.').pop()!;
  // A run-once guard records that the work happened in the code it guards: the flag is set after the check
  // (`if (done) return; done = true`, `if (!p) p = start()`). A flag only decided before it (`let skip =
  // false; if (old) skip = true; … if (!skip) …`, a promise started earlier and awaited if there is one) is
  // a branch on a computed value, not a record of work done.
  const start = node.getStart(sf);
  const setAfter = (n: string): boolean => (assigned.get(n) ?? []).some((at) => at > start);
  const flag = names.find(setAfter) ?? names.find((n) => STATE_FLAG.test(last(n)));
  if (!flag) return undefined;
  if (lazyInitialisation(node, flag, sf)) return undefined;
  if (boundAfreshEachCall(node, flag)) return undefined;
  if (onlyWarns(node.thenStatement, sf)) return undefined;
  // A bare flag check only counts when it stops the work: exits, or wraps it.
  const negated = /^\s*!/.test(node.expression.getText(sf));
  if (!negated && !exits(node.thenStatement) && !node.elseStatement) return undefined;
  return last(flag);
}

/** Calls that only schedule a callback for later: what they run is what counts. */
const SCHEDULE_CALL = /^(setTimeout|setImmediate|queueMicrotask|nextTick|requestAnimationFrame)$/;

/**
 * Whether a once-guarded branch does nothing but warn: it sets its flag, computes locals, collects into them
 * and logs (now or from a scheduled callback). A warning shown once keeps the log quiet; running it twice
 * applies nothing twice.
 */
function onlyWarns(statement: ts.Statement, sf: ts.SourceFile): boolean {
  let logs = 0;
  const locals = new Set<string>();
  const quiet = (st: ts.Statement): boolean => {
    if (ts.isBlock(st)) return st.statements.every(quiet);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) locals.add(d.name.text);
      return true;
    }
    if (ts.isIfStatement(st)) return quiet(st.thenStatement) && (!st.elseStatement || quiet(st.elseStatement));
    if (ts.isForOfStatement(st) || ts.isForInStatement(st) || ts.isForStatement(st)) return quiet(st.statement);
    if (ts.isReturnStatement(st) || ts.isContinueStatement(st) || ts.isBreakStatement(st))
      return !ts.isReturnStatement(st) || !st.expression;
    if (!ts.isExpressionStatement(st)) return false;
    const e = st.expression;
    // The flag itself: `this.checked = true`, `warned = true`.
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && e.right.kind === ts.SyntaxKind.TrueKeyword)
      return true;
    if (!ts.isCallExpression(e)) return false;
    if (isLogCall(e, sf)) {
      logs++;
      return true;
    }
    const name = calleeSimpleName(e.expression) ?? '';
    if (SCHEDULE_CALL.test(name)) {
      const callback = e.arguments[0];
      return (
        !!callback &&
        (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback)) &&
        ts.isBlock(callback.body) &&
        quiet(callback.body)
      );
    }
    // Collecting into a local: `found.push(key)`.
    return (
      name === 'push' &&
      ts.isPropertyAccessExpression(e.expression) &&
      ts.isIdentifier(e.expression.expression) &&
      locals.has(e.expression.expression.text)
    );
  };
  return quiet(statement) && logs > 0;
}

/**
 * Whether the flag is a variable the guard's own function declares (`let choice = choices.find(…); if (!choice)
 * { choice = …; choices.push(choice) }`): it starts afresh on every call, so it cannot record that a call
 * already did the work; at most it keeps one pass of a loop from repeating a step.
 */
function boundAfreshEachCall(node: ts.IfStatement, flag: string): boolean {
  if (!isIdentifierText(flag)) return false;
  const fn = enclosingFunction(node);
  if (!fn) return false;
  let declared = false;
  forEachNode(fn, (n) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === flag && enclosingFunction(n) === fn) declared = true;
  });
  return declared;
}

/**
 * `const existingName = frame.name?.trim(); if (existingName) return existingName;`: the condition tests a
 * name bound to what the unit was given (a parameter read, with no lookup call on the way), and the branch
 * returns that same value. That is a fallback for when the input lacks it, not a record of work done.
 */
function presentInputReturned(node: ts.IfStatement, unit: Unit, sf: ts.SourceFile): boolean {
  let condition = node.expression;
  while (ts.isParenthesizedExpression(condition)) condition = condition.expression;
  if (!ts.isIdentifier(condition)) return false;
  const name = condition.text;
  const statements = ts.isBlock(node.thenStatement) ? node.thenStatement.statements : [node.thenStatement];
  const only = statements.length === 1 ? statements[0] : undefined;
  if (!only || !ts.isReturnStatement(only) || !only.expression || only.expression.getText(sf) !== name) return false;
  let init: ts.Expression | undefined;
  forEachNodeOfUnit(unit, (n) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) init = n.initializer;
  });
  if (!init || ts.isAwaitExpression(init)) return false;
  const root = rootName(init);
  if (!root || !unit.params.includes(root)) return false;
  let lookup = false;
  forEachNode(init, (n) => {
    if (ts.isCallExpression(n) && LOOKUP_CALL.test(calleeSimpleName(n.expression) ?? '')) lookup = true;
  });
  return !lookup;
}

/**
 * `if (!cache) cache = compute()`, `if (!index) { index = rows.reduce(…) }`: the branch only computes the
 * value it tests, on first use. That is a lazy cache, not a guard against doing work twice: running it
 * again recomputes the same value, and no request or message identity is checked or recorded. A flag
 * that holds work in flight (`if (!closing) closing = this.shutdown()`, a promise) or a state word
 * (`closed`, `processed`) is still a run-once guard.
 */
function lazyInitialisation(node: ts.IfStatement, flag: string, sf: ts.SourceFile): boolean {
  if (!/^\s*!/.test(node.expression.getText(sf)) || node.elseStatement) return false;
  if (STATE_FLAG.test(flag.split('.').pop()!) || /promise|pending|running|inflight|task|job|closing|starting/i.test(flag)) return false;
  const statements = ts.isBlock(node.thenStatement) ? node.thenStatement.statements : [node.thenStatement];
  if (statements.length === 0) return false;
  let assignsFlag = false;
  const onlyComputes = statements.every((statement) => {
    if (!ts.isExpressionStatement(statement)) return false;
    const e = statement.expression;
    if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
    const value = e.right;
    // A value computed in place: not a yes/no flag, not a promise of work started here.
    if (value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (ts.isAwaitExpression(value) || /\.then\(|new Promise\b/.test(value.getText(sf))) return false;
    if (e.left.getText(sf).replace(/^this\./, '') === flag) assignsFlag = true;
    return true;
  });
  return onlyComputes && assignsFlag;
}

/**
 * The calls a negated run-once guard wraps (`if (!done) { done = true; flush() }` → flush), sorted; none
 * for a guard that exits (`if (done) return`), whose work is the rest of the function.
 */
function wrappedWork(node: ts.IfStatement, sf: ts.SourceFile): string[] {
  if (!/^\s*!/.test(node.expression.getText(sf)) || exits(node.thenStatement)) return [];
  const names = new Set<string>();
  forEachNode(node.thenStatement, (n) => {
    if (!ts.isCallExpression(n)) return;
    const name = calleeSimpleName(n.expression);
    if (name && name.length >= 4) names.add(name);
  });
  return [...names].sort();
}

function throwsOnly(statement: ts.Statement): boolean {
  const last = ts.isBlock(statement) ? statement.statements[statement.statements.length - 1] : statement;
  return !!last && ts.isThrowStatement(last);
}

function returnsExisting(statement: ts.Statement): boolean {
  return ts.isBlock(statement) && statement.statements.some((s) => ts.isReturnStatement(s));
}

/** Whether everything after the statement in its block is a throw: the path it skips does no work. */
function onlyRefusesAfter(statement: ts.Statement): boolean {
  const parent = statement.parent;
  if (!ts.isBlock(parent) && !ts.isSourceFile(parent)) return false;
  const after = parent.statements.slice(parent.statements.indexOf(statement) + 1);
  return after.length > 0 && after.every((s) => ts.isThrowStatement(s));
}
