import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { calleeSimpleName, escapeRegExp, propertyNameText } from '../ast/text.js';
import { forEachNodeOfUnit } from '../ast/walk.js';
import { defineDetector, type DirectFinding } from '../define-detector.js';
import { ABORT_LISTENER, timeoutsOf } from '../vocab/timeouts.js';

/** Option names that bound the call's time: a timeout of any flavour, or an abort signal. */
const BOUNDING_OPTION = /^(signal|timeout|timeouts|[a-z_]*timeout(ms|millis)?|deadline)$/i;
/** HTTP verbs of the axios and got shorthands; axios puts the config after the body for the ones that send one. */
const READ_VERBS = new Set(['get', 'delete', 'head', 'options']);
const SEND_VERBS = new Set(['post', 'put', 'patch']);

/** An outbound call the detector knows how to read: its name in messages and where its options go. */
interface OutboundCall {
  label: string;
  /** Where the options object goes, then where it may go instead when written as an object literal. */
  optionsAt: number[];
}

export default defineDetector({
  meta: {
    id: 'new-call-without-timeout',
    category: 'timeout',
    severity: 'low',
    description: 'A pull request adds an outbound HTTP call that has no timeout or abort signal.',
    messages: {
      unguarded:
        '{{symbol}} adds a call to {{call}} with no timeout or abort signal: if the server stalls, this waits as long as the socket allows.',
    },
    docs: {
      catches:
        'An added call to `fetch`, `axios` / `axios.get|post|…|request`, `got` / `got.get|post|…`, `http(s).request|get` or undici `request` whose options set no timeout and no `signal`, in a function that applies no deadline of its own (no AbortSignal.timeout, abort timer, Promise.race against a timer, p-timeout, `.setTimeout()` on the request, …).',
      ignores:
        'Calls that existed before (an edited call is for removed-timeout to judge); calls on configured client instances (`billingApi.get`), whose timeout lives where the instance is made; options passed as a variable or spread, which may carry a timeout; ky, whose calls time out after 10 s by default; a file that sets `axios.defaults.timeout`; test files.',
      example: {
        file: 'src/rates.ts',
        before: "export const CURRENCIES = ['EUR', 'USD'];\n",
        after:
          "export const CURRENCIES = ['EUR', 'USD'];\n\nexport async function latestRate(from: string, to: string): Promise<number> {\n  const res = await fetch(`https://fx.example.com/rate?from=${from}&to=${to}`);\n  return ((await res.json()) as { rate: number }).rate;\n}\n",
      },
    },
  },
  inspect(change) {
    const head = change.head;
    if (!head || change.isTestFile) return [];
    const sf = head.sourceFile;
    const candidates: { node: ts.CallExpression; call: OutboundCall }[] = [];
    forEachNodeOfUnit(head, (node) => {
      if (!ts.isCallExpression(node)) return;
      const call = outboundCall(node, sf);
      if (call && change.isNew(node) && !isBounded(node, call)) candidates.push({ node, call });
    });
    if (!candidates.length) return [];
    // A deadline anywhere in the function (a race, a p-timeout, req.setTimeout) covers its calls, including
    // the callbacks cut out as units of their own (`const req = https.request(url, (res) => …)`).
    // An abort listener makes the work cancellable by the caller, which may never cancel: no deadline.
    if (timeoutsOf(enclosingScope(head)).some((g) => g.kind !== ABORT_LISTENER)) return [];
    if (/\bdefaults\.timeout\s*=/.test(sf.text)) return [];
    const existing = change.base ? outboundLabels(change.base) : new Set<string>();
    const findings: DirectFinding[] = [];
    for (const { node, call } of candidates) {
      if (existing.has(call.label)) continue;
      findings.push({
        messageId: 'unguarded',
        node,
        side: 'head',
        key: call.label,
        data: { call: call.label },
        evidence: { call: call.label },
      });
    }
    return findings;
  },
});

/** Recognises the outbound calls of the common clients, by callee and, for undici, by the file's import. */
function outboundCall(call: ts.CallExpression, sf: ts.SourceFile): OutboundCall | undefined {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) {
    if (callee.text === 'fetch') return { label: 'fetch', optionsAt: [1] };
    if (callee.text === 'axios') return { label: 'axios', optionsAt: call.arguments.length > 1 ? [1] : [0] };
    if (callee.text === 'got') return { label: 'got', optionsAt: [1, 0] };
    if (callee.text === 'request' && importsFrom(sf, 'request', 'undici')) return { label: 'undici request', optionsAt: [1] };
    return undefined;
  }
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
  const receiver = callee.expression.text;
  const method = callee.name.text;
  if (receiver === 'globalThis' && method === 'fetch') return { label: 'fetch', optionsAt: [1] };
  if (receiver === 'axios') {
    if (READ_VERBS.has(method)) return { label: `axios.${method}`, optionsAt: [1] };
    if (SEND_VERBS.has(method)) return { label: `axios.${method}`, optionsAt: [2] };
    if (method === 'request') return { label: 'axios.request', optionsAt: [0] };
    return undefined;
  }
  if (receiver === 'got' && (READ_VERBS.has(method) || SEND_VERBS.has(method) || method === 'stream'))
    return { label: `got.${method}`, optionsAt: [1, 0] };
  if ((receiver === 'http' || receiver === 'https') && (method === 'request' || method === 'get') && importsNodeHttp(sf, receiver)) {
    return { label: `${receiver}.${method}`, optionsAt: [1, 0] };
  }
  if (receiver === 'undici' && method === 'request') return { label: 'undici request', optionsAt: [1] };
  return undefined;
}

/**
 * Whether the call's own options bound it, or cannot be read (a variable, a spread: they may carry one),
 * or it sits inside a call that bounds it (pTimeout(fetch(…)) is seen by the unit-level check).
 */
function isBounded(call: ts.CallExpression, outbound: OutboundCall): boolean {
  // The first position may hold options of any shape; the fallbacks (got({ url }), http.request({ host }))
  // only when they are written out as an object, since there a variable is usually the URL.
  const options = outbound.optionsAt
    .map((at) => call.arguments[at])
    .filter((a, i): a is ts.Expression => a !== undefined && !isUrlLike(a) && (i === 0 || ts.isObjectLiteralExpression(a)));
  if (!options.length) return false;
  for (const option of options) {
    if (!ts.isObjectLiteralExpression(option)) return true;
    for (const p of option.properties) {
      if (ts.isSpreadAssignment(p)) return true;
      if (p.name && BOUNDING_OPTION.test(propertyNameText(p.name, call.getSourceFile()))) return true;
    }
  }
  return false;
}

/** A URL argument rather than options: a string, a template, `new URL(…)`. A callback is not options either. */
function isUrlLike(expression: ts.Expression): boolean {
  return (
    ts.isStringLiteralLike(expression) ||
    ts.isTemplateExpression(expression) ||
    (ts.isNewExpression(expression) && calleeSimpleName(expression.expression) === 'URL') ||
    ts.isArrowFunction(expression) ||
    ts.isFunctionExpression(expression)
  );
}

function outboundLabels(unit: Unit): Set<string> {
  const labels = new Set<string>();
  forEachNodeOfUnit(unit, (node) => {
    if (ts.isCallExpression(node)) {
      const call = outboundCall(node, unit.sourceFile);
      if (call) labels.add(call.label);
    }
  });
  return labels;
}

function importsFrom(sf: ts.SourceFile, name: string, module: string): boolean {
  return sf.statements.some(
    (s) =>
      ts.isImportDeclaration(s) &&
      ts.isStringLiteral(s.moduleSpecifier) &&
      s.moduleSpecifier.text === module &&
      s.importClause?.namedBindings !== undefined &&
      ts.isNamedImports(s.importClause.namedBindings) &&
      s.importClause.namedBindings.elements.some((e) => e.name.text === name),
  );
}

/** `import http from 'node:http'`, `import * as https from 'https'`, `const http = require('http')`. */
function importsNodeHttp(sf: ts.SourceFile, name: string): boolean {
  const pattern = new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])[^;\\n]*(from\\s*|require\\(\\s*)['"](node:)?https?['"]`);
  return pattern.test(sf.text);
}

/** The outermost function around the unit, walked whole (nested units included), as a unit of its own. */
function enclosingScope(unit: Unit): Unit {
  let outer: ts.Node = unit.node;
  for (let n: ts.Node | undefined = unit.node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isFunctionLike(n)) outer = n;
  }
  return { ...unit, node: outer, kind: unit.kind === 'module' && outer === unit.node ? 'module' : 'function', nested: new Set() };
}
