import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { exits, throwsError } from '../ast/statements.js';
import { anchorText, calleeSimpleName, calleeText, ownerOfObject, propertyNameText } from '../ast/text.js';
import { objectProperties, staticSize } from '../ast/values.js';
import { forEachNodeOfUnit } from '../ast/walk.js';
import { defineDetector, type Guardrail, weakenedByFactor } from '../define-detector.js';
import { testsExistence } from '../vocab/queries.js';

/** Option names that are a cap wherever they appear. */
const CAP_OPTION =
  /^(maxSize|maxFileSize|fileSize|maxFiles|maxFields|fieldSize|maxFieldsSize|maxTotalFileSize|maxBodyLength|maxContentLength|bodyLimit|bodySizeLimit|sizeLimit|maxBodySize|maxRequestBodySize|maxDepth|depthLimit|maxItems|maxPageSize|maxPerPage|pageSize|perPage|per_page|page_size|maxPayload|maxHttpBufferSize|maxHeaderSize|maxParamLength|parameterLimit|arrayLimit|maxKeys|maxEntries|maxComplexity|maxBuffer|maxResults|maxRows|maxAliasCount|maxMessageSize|maxReceiveMessageLength|maxSendMessageLength|max_tokens|maxTokens|maxOutputTokens|maxLength|max_length|maxRedirects|maxSockets|maxTotalSockets|maxFreeSockets)$/;
/** Options that are a cap only in some places: `limit` of a body parser or a query, `max` of a cache or pool. */
const CONTEXT_OPTION = /^(limit|take|max|files|fields|parts|headerPairs|first|last|top|size)$/;
const BODY_PARSER =
  /^((express|bodyParser|koaBody|bodyparser)\.)?(json|urlencoded|text|raw|koaBody|bodyParser|formidable|multer|busboy|fastify|Fastify|limits)$/;
const QUERY_CALL =
  /(^|\.)(find\w*|findMany|findAll|findAndCount\w*|select\w*|query\w*|search\w*|list\w*|paginate\w*|aggregate|scan|getMany|where|fetch\w*)$/i;
const CACHE_OR_POOL = /lru|cache|pool|queue|buffer|store|map|history|log|multer|limits|upload/i;
/** Owners that belong to the rate-limit detector. */
const RATE_OWNER = /rate|throttl|limiter|slowDown|bottleneck|quota/i;
/** Input that reaches a cap unclamped is not a cap. */
const RAW_INPUT = /\b(req|request|ctx|query|params|body|input|args|event)\b/;
/** Clamps about delays are timeouts and backoffs, not resource caps. */
const TIME_WORDS = /delay|backoff|timeout|wait|sleep|interval|retry|attempt|\bms\b|millis|seconds|duration/i;
const CAP_NAME = /^([A-Z][A-Z0-9_]*(MAX|LIMIT|CAP|SIZE|PAGE)[A-Z0-9_]*|(max|limit|cap)[A-Z]\w*|\w*(Limit|Max|Cap))$/;
/**
 * Helpers that read or buffer at most a given size, by their name: `readResponseWithSizeLimit(res)`,
 * `readBodyWithByteLimit(stream, max)`, `readLimited(stream)`, `boundedRead(…)`. Replaced by a plain read
 * (`await res.text()`), the whole body is buffered whatever its size.
 */
const SIZE_CAPPED_CALL =
  /^(?:\w+With(?:Size|Byte|Bytes|Length)(?:Limit|Cap)|(?:read|buffer|collect|consume)\w*With(?:Limit|Cap)|(?:read|buffer|collect|consume|fetch|load|parse)\w*(?:Limited|Bounded|Capped)|(?:limited|bounded|capped)(?:Read|Buffer|Body|Text|Json|Fetch|Stream)\w*)$/;
const TOO_LARGE = /too (large|long|big|many|deep)|exceed|larger than|\b413\b|PayloadTooLarge|limit/i;
const MEASURE = /depth|size|length|count|bytes|items|total|level|rows|pages?|nodes|entries|len\b/i;

/** The members of a `limits: {…}` set and their caps. */
const capSets = new WeakMap<Guardrail, Map<string, number | undefined>>();

/** express.json() and friends cap bodies at 100kb when no limit is given. */
const BODY_PARSER_DEFAULT = 100 * 1024;

export default defineDetector({
  meta: {
    id: 'removed-resource-limit',
    category: 'resource-limit',
    severity: 'high',
    weakenedSeverity: 'medium',
    description: 'A size, length, page-size or depth cap was removed or lifted a lot: more memory, rows or work per request than before.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: one request can now ask for as much as it likes.',
      weakened: '{{symbol}}: {{label}} was lifted {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
    },
    docs: {
      catches:
        'Caps given as options (maxFileSize, fileSize, maxFiles, maxBodyLength, maxContentLength, bodyLimit, maxDepth, maxItems, pageSize, maxPayload, maxHttpBufferSize, parameterLimit, max_tokens, …; `limit` of a body parser or a query, `take` of a query, `max` of a cache or pool, multer `limits`), query-builder caps (`.limit(50)`, `.take(50)`), GraphQL `depthLimit(n)`/complexity rules, clamps (`Math.min(requested, MAX_PAGE_SIZE)`), truncations (`items.slice(0, MAX_ITEMS)`), reads through a helper that caps the size by its name (`readResponseWithSizeLimit(res)`, `readLimited(stream)`) depth or size checks that stop early (`if (depth > MAX_DEPTH) return`) and size checks that reject once a measure passes a named cap (`if (body.length > maxBodyLength) throw …`). A cap lifted fivefold or more, or set to Infinity/-1/false, is a weakening.',
      ignores:
        'A cap moved into a helper or another file of the same PR; a lower cap; a body parser `limit` dropped back to its 100kb default when it was larger; guard clauses that throw on input without naming a cap (removed-validation owns those); rate limits; caps on delays (timeouts and backoffs); a row limit dropped from a subquery that became an `EXISTS` test, which reads no rows (shown as info).',
      example: {
        file: 'src/uploads.ts',
        before: "export const upload = multer({ dest: 'uploads/', limits: { fileSize: 5 * 1024 * 1024, files: 1 } });\n",
        after: "export const upload = multer({ dest: 'uploads/' });\n",
      },
    },
  },
  inventory: capsOf,
  isWeakened(before, after) {
    const b = capSets.get(before);
    const a = capSets.get(after);
    if (!b || !a) return weakenedByFactor(before, after, 5);
    for (const [key, from] of b) {
      if (!a.has(key)) return true;
      const to = a.get(key);
      if (from !== undefined && to !== undefined && to >= from * 5) return true;
    }
    return false;
  },
});

function capsOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const recorded: ts.Node[] = [];
  const push = (
    kind: 'cap' | 'cap-set' | 'clamp' | 'truncate' | 'stop',
    anchor: string,
    node: ts.Node,
    label: string,
    cap?: number,
  ): void => {
    recorded.push(node);
    found.push({
      category: 'resource-limit',
      kind,
      anchor,
      node,
      label,
      ...(cap !== undefined ? { strength: cap, stronger: 'lower' as const } : {}),
      ...(kind === 'cap' && QUERY_ROW_CAP.test(anchor) ? { obsoleteIn: (head: Unit) => becameExistenceTest(unit, head) } : {}),
    });
  };
  const insideRecorded = (node: ts.Node): boolean => recorded.some((r) => node.pos >= r.pos && node.end <= r.end && node !== r);

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.parent)) {
      const name = propertyNameText(node.name, sf);
      if (!CAP_OPTION.test(name) && !CONTEXT_OPTION.test(name) && name !== 'limits') return;
      const owner = ownerOfObject(node.parent, sf);
      if (RATE_OWNER.test(owner) || TIME_WORDS.test(name)) return;
      if (ts.isObjectLiteralExpression(node.initializer)) {
        // multer/busboy/fastify `limits: { fileSize, files }`: one guardrail for the set, so that dropping
        // the whole object is one finding; a member dropped or lifted is a weakening.
        if (name === 'limits') {
          const values = new Map<string, number | undefined>();
          for (const [key, p] of objectProperties(node.initializer, sf))
            values.set(key, ts.isPropertyAssignment(p) ? staticSize(p.initializer, sf) : undefined);
          if (values.size === 0) return;
          push('cap-set', `limits of ${owner}`, node, `the limits (${[...values.keys()].join(', ')}) on ${owner}`);
          capSets.set(found[found.length - 1]!, values);
        }
        return;
      }
      if (name === 'limits' || /(^|\.)limits$/.test(owner)) return; // counted with its set
      if (!CAP_OPTION.test(name) && !contextIsCap(name, owner)) return;
      const valueText = node.initializer.getText(sf);
      const value = staticSize(node.initializer, sf);
      // `take: req.query.limit` passes the caller's number through: no cap at all.
      if (value === undefined && RAW_INPUT.test(valueText) && !/Math\.min|clamp/.test(valueText)) return;
      // `take: null`, `maxSize: Infinity`: no cap; a cap set to one of these shows up as removed.
      if (value === Number.POSITIVE_INFINITY) return;
      push('cap', `${name} of ${owner}`, node, `the ${name} cap on ${owner}`, value);
      return;
    }
    if (!ts.isCallExpression(node)) {
      if (ts.isIfStatement(node)) stopGuard(node, sf, unit.params, push);
      return;
    }
    const name = calleeSimpleName(node.expression);
    if (!name) return;
    const callee = calleeText(node.expression, sf);
    // express.json() without a limit still has the 100kb default: a dropped limit is a tightening, not a removal.
    if (BODY_PARSER.test(callee) && /^(json|urlencoded|text|raw)$/.test(name) && !hasOption(node, 'limit', sf)) {
      push('cap', `limit of ${callee}`, node, `the body size cap of ${callee}()`, BODY_PARSER_DEFAULT);
      return;
    }
    if (SIZE_CAPPED_CALL.test(name) && !RATE_OWNER.test(name) && !TIME_WORDS.test(name)) {
      push('cap', `${name}()`, node, `the size-capped read ${name}()`, firstSize(node.arguments, sf));
      return;
    }
    if (/^(depthLimit|createComplexityLimitRule|costLimit|maxDepthRule|queryComplexity)$/.test(name)) {
      push('cap', `${name}()`, node, `the ${name}() cap`, staticSize(node.arguments[0], sf));
      return;
    }
    if (
      ts.isPropertyAccessExpression(node.expression) &&
      /^(limit|take|top|first)$/.test(name) &&
      node.arguments.length === 1 &&
      !RATE_OWNER.test(calleeText(node.expression.expression, sf))
    ) {
      const arg = node.arguments[0]!;
      const value = staticSize(arg, sf);
      const capLike = value !== undefined || CAP_NAME.test(arg.getText(sf)) || /Math\.min|clamp/.test(arg.getText(sf));
      if (capLike && !(name === 'first' && value === undefined))
        push('cap', `.${name}() of a query`, node, `the .${name}(${anchorText(arg, sf, 30)}) cap`, value);
      return;
    }
    if (callee === 'Math.min' && !insideRecorded(node) && node.arguments.length >= 2) {
      const text = node.getText(sf);
      if (TIME_WORDS.test(text)) return;
      const caps = node.arguments.filter((a) => staticSize(a, sf) !== undefined || CAP_NAME.test(a.getText(sf)));
      const subject = node.arguments.find((a) => !caps.includes(a));
      if (!caps.length || !subject || !(MEASURE.test(text) || caps.some((c) => CAP_NAME.test(c.getText(sf))))) return;
      const bound = caps.map((c) => staticSize(c, sf)).filter((v): v is number => v !== undefined);
      push(
        'clamp',
        `clamp of ${anchorText(subject, sf, 50)}`,
        node,
        `the clamp Math.min(${anchorText(subject, sf, 40)}, …)`,
        bound.length ? Math.min(...bound) : undefined,
      );
      return;
    }
    if (name === 'slice' || name === 'substring' || name === 'substr' || name === 'splice') {
      const [start, end] = node.arguments;
      if (!start || !end || start.getText(sf) !== '0' || !CAP_NAME.test(end.getText(sf)) || TIME_WORDS.test(end.getText(sf))) return;
      // `truncate(str, maxLen)`: a helper whose cap is its caller's argument caps nothing by itself.
      if (ts.isIdentifier(end) && unit.params.includes(end.text)) return;
      push(
        'truncate',
        `truncation to ${anchorText(end, sf, 40)}`,
        node,
        `the truncation to ${anchorText(end, sf, 40)}`,
        staticSize(end, sf),
      );
    }
  });
  return found;
}

function firstSize(args: readonly ts.Expression[], sf: ts.SourceFile): number | undefined {
  for (const arg of args) {
    const value = staticSize(arg, sf);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A row cap of a query: `limit`/`take`/`top`/`first` of a query call, `.limit(n)` of a builder. */
const QUERY_ROW_CAP = /^(?:(?:limit|take|top|first) of |\.(?:limit|take|top|first)\(\) of a query)/;

/**
 * A row cap is a resource guard on a result set that is read: once the query it capped is only tested
 * for existence (`EXISTS (…)`, which stops at the first row and returns none), the cap bounds nothing.
 */
function becameExistenceTest(base: Unit, head: Unit): string | undefined {
  return !testsExistence(base) && testsExistence(head) ? 'the query it capped is now an EXISTS test, which reads no rows' : undefined;
}

function contextIsCap(name: string, owner: string): boolean {
  const last = owner.split('.').pop() ?? owner;
  if (name === 'limit') return BODY_PARSER.test(owner) || BODY_PARSER.test(last) || QUERY_CALL.test(owner);
  if (name === 'take' || name === 'first' || name === 'last' || name === 'top')
    return QUERY_CALL.test(owner) || /pagination|paging/i.test(owner);
  if (name === 'max') return CACHE_OR_POOL.test(owner) || /^(new )?LRU/.test(owner);
  if (name === 'size') return /search|query|elastic|opensearch/i.test(owner);
  return /(^|\.)limits$/.test(owner) || /multer|busboy|formidable/i.test(owner);
}

function hasOption(call: ts.CallExpression, option: string, sf: ts.SourceFile): boolean {
  return call.arguments.some((a) => ts.isObjectLiteralExpression(a) && objectProperties(a, sf).has(option));
}

/** `if (depth > MAX_DEPTH) return;`, `if (body.length > maxBodyLength) throw …`: a check that stops once a measure passes a cap. */
function stopGuard(
  node: ts.IfStatement,
  sf: ts.SourceFile,
  params: string[],
  push: (kind: 'stop', anchor: string, node: ts.Node, label: string, cap?: number) => void,
): void {
  if (!exits(node.thenStatement)) return;
  // A throwing size check is also input validation; it is a cap when it names one or says "too large".
  const rejects = throwsError(node.thenStatement);
  // `limit > -1 && body.length > limit`: the comparison with a measure is the cap.
  const comparisons: ts.BinaryExpression[] = [];
  const collect = (e: ts.Expression): void => {
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (!ts.isBinaryExpression(e)) return;
    if (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
      collect(e.left);
      collect(e.right);
    } else comparisons.push(e);
  };
  collect(node.expression);
  const measureOf = (c: ts.BinaryExpression): string => (isGreater(c) ? c.left : c.right).getText(sf);
  const condition = comparisons.find((c) => MEASURE.test(measureOf(c)) && !CAP_NAME.test(measureOf(c).split('.').pop() ?? ''));
  if (!condition) return;
  const op = condition.operatorToken.kind;
  const greater = op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.GreaterThanEqualsToken;
  const less = op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.LessThanEqualsToken;
  if (!greater && !less) return;
  const [measure, cap] = greater ? [condition.left, condition.right] : [condition.right, condition.left];
  const capText = cap.getText(sf);
  if (!MEASURE.test(measure.getText(sf)) || TIME_WORDS.test(condition.getText(sf))) return;
  const value = staticSize(cap, sf);
  if (params.includes(capText)) return; // the caller decides the cap
  const namedCap = CAP_NAME.test(capText.split('.').pop() ?? capText);
  if (value === undefined && !namedCap) return;
  if (rejects && !namedCap && !TOO_LARGE.test(node.thenStatement.getText(sf))) return;
  // `> 0` and `> 1` ask whether there is anything at all, not whether there is too much; and an unnamed
  // single-digit bound on anything but a depth is about shape (`if (parts.length >= 2) return parse(parts)`
  // needs two path segments), not about how much work one request may cause.
  if (value !== undefined && value <= 1) return;
  if (value !== undefined && value < 10 && !namedCap && !/depth|level|nest/i.test(measure.getText(sf))) return;
  push('stop', `stop when ${anchorText(measure, sf, 40)} passes a cap`, node, `the cap "if (${anchorText(condition, sf, 60)})"`, value);
}

function isGreater(c: ts.BinaryExpression): boolean {
  return c.operatorToken.kind === ts.SyntaxKind.GreaterThanToken || c.operatorToken.kind === ts.SyntaxKind.GreaterThanEqualsToken;
}
