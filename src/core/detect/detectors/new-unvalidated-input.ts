import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { snippet } from '../ast/text.js';
import { findNodeOfUnit } from '../ast/walk.js';
import { defineDetector, type DirectFinding } from '../define-detector.js';
import { isRequestHandler } from '../vocab/http.js';

/** Where a request handler reads what the client sent. */
const BODY_READ = /\b(req|request|ctx\.request|ctx)\.(body|query|params)\b|\brequest\.(json|formData|text)\(\)|\bevent\.body\b/;
/** Anything in the handler that looks at the input before trusting it. */
const VALIDATES =
  /\.(parse|safeParse|parseAsync|safeParseAsync|validate|validateAsync|validateSync|assert)\(|\bvalidate\w*\(|\bassert\w*\(|\binvariant\(|\bcelebrate\(|\bcheckSchema\(|\bvalidationResult\(|\bis[A-Z]\w*\(|\btypeof\b|\binstanceof\b|Number\.is|Array\.isArray|\bthrow\b|status\(\s*4\d\d|badRequest|ValidationPipe|@Body\(/;

export default defineDetector({
  meta: {
    id: 'new-unvalidated-input',
    category: 'validation',
    severity: 'low',
    description: 'A new request handler reads the request body, query or params and passes them on without any check.',
    messages: {
      added: '{{symbol}} is new and uses {{read}} without validating it first.',
    },
    docs: {
      catches:
        'Request handlers added by the PR (Express/Koa/Fastify route registrations, Next.js route functions, handlers taking req/ctx/request) that read req.body, req.query, req.params, ctx.request.body or request.json() and contain no schema check, validation call, type check, guard that throws or 4xx answer.',
      ignores:
        "Handlers that existed before the PR (a removal there is removed-validation's finding), handlers whose route registration carries a validation middleware, and handlers that do not read client input.",
      example: {
        file: 'src/routes/refunds.ts',
        before: "import { router } from './router.js';\n",
        after:
          "import { router } from './router.js';\nimport { refunds } from '../services/refunds.js';\n\nrouter.post('/refunds', async (req, res) => {\n  res.json(await refunds.create(req.body.chargeId, req.body.amount));\n});\n",
      },
    },
  },
  inspect(change) {
    const head = change.head;
    if (!head || change.base || change.isTestFile || !isRequestHandler(head)) return [];
    const text = head.node.getText(head.sourceFile);
    const read = BODY_READ.exec(text);
    if (!read || VALIDATES.test(text)) return [];
    const at = firstRead(head) ?? head.node;
    const finding: DirectFinding = {
      messageId: 'added',
      data: { read: read[0] },
      node: at,
      side: 'head',
      key: `unvalidated ${read[0]}`,
      evidence: { read: snippet(at, head.sourceFile) },
    };
    return [finding];
  },
});

function firstRead(unit: Unit): ts.Node | undefined {
  return findNodeOfUnit(unit, (node) => ts.isPropertyAccessExpression(node) && /^(body|query|params)$/.test(node.name.text));
}
