import { ts } from '../../ts-morph-library.js';
import { syntaxTree } from '../../parse/parse.js';
import { isTestCode } from '../../paths.js';
import { defineAnalyzer, type AnalyzerFinding } from '../define-analyzer.js';
import { CODE_GLOBS } from '../formats/env.js';

/**
 * hollow-readiness-handler: a readiness or health endpoint that used to check what the service depends on
 * (a database ping, a cache, a downstream call) and now answers without checking anything. The orchestrator
 * keeps routing traffic to an instance whose database is gone: the probe in the manifest is intact, but hollow.
 */
const HEALTH_ROUTE = /(^|\/)(health|healthz|healthcheck|health-check|ready|readyz|readiness|status)(\/[\w-]*)?\/?$/i;
const LIVENESS_ROUTE = /(^|\/)(live|livez|liveness|ping)\/?$/i;
const ROUTE_METHODS = new Set(['get', 'all', 'head', 'route', 'use']);
/** Calls that build the answer, not check a dependency. */
const ANSWER_CALL =
  /^(res|reply|response|ctx|c|h|context|Response|NextResponse|JSON|console|Date|process|Math|Object|Array|String|Number|performance|logger|log)\b/;

interface Handler {
  route: string;
  line: number;
  checks: string[];
}

/** Health routes of a file, by route, with the calls their handlers make to something other than the response. */
export function healthHandlers(path: string, text: string): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  if (!/health|ready|status/i.test(text)) return handlers;
  const sourceFile = syntaxTree(path, text);
  const functions = new Map<string, ts.Node>();
  const collect = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name) functions.set(node.name.text, node);
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
    )
      functions.set(node.name.text, node.initializer);
    ts.forEachChild(node, collect);
  };
  collect(sourceFile);
  const add = (route: string, body: ts.Node | undefined, at: ts.Node): void => {
    if (!body || LIVENESS_ROUTE.test(route) || !HEALTH_ROUTE.test(route)) return;
    handlers.set(route, {
      route,
      line: sourceFile.getLineAndCharacterOfPosition(at.getStart(sourceFile)).line + 1,
      checks: checksIn(body, sourceFile, functions),
    });
  };
  const visit = (node: ts.Node): void => {
    // app.get('/ready', handler), router.get('/health', async (req, res) => ...), fastify.route({ url, handler })
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ROUTE_METHODS.has(node.expression.name.text)) {
      const [first, ...rest] = node.arguments;
      if (first && ts.isStringLiteralLike(first)) {
        const handler = rest[rest.length - 1];
        add(first.text, handler && ts.isIdentifier(handler) ? functions.get(handler.text) : handler, node);
      } else if (first && ts.isObjectLiteralExpression(first)) {
        const prop = (name: string): ts.Expression | undefined =>
          first.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sourceFile) === name)
            ?.initializer;
        const url = prop('url') ?? prop('path');
        const handler = prop('handler');
        if (url && ts.isStringLiteralLike(url))
          add(url.text, handler && ts.isIdentifier(handler) ? functions.get(handler.text) : handler, node);
      }
    }
    // NestJS: @Get('health') on a method, the controller's own path before it.
    if (ts.isMethodDeclaration(node) && node.body) {
      const decorators = ts.getDecorators(node) ?? [];
      const get = decorators
        .map((d) => d.expression)
        .find((e): e is ts.CallExpression => ts.isCallExpression(e) && /^(Get|All|Head)$/.test(e.expression.getText(sourceFile)));
      if (get) {
        const controller = ts.isClassDeclaration(node.parent)
          ? (ts.getDecorators(node.parent) ?? [])
              .map((d) => d.expression)
              .find((e): e is ts.CallExpression => ts.isCallExpression(e) && e.expression.getText(sourceFile) === 'Controller')
          : undefined;
        const part = (call: ts.CallExpression | undefined): string =>
          call?.arguments[0] && ts.isStringLiteralLike(call.arguments[0]) ? call.arguments[0].text : '';
        add(`/${[part(controller), part(get)].filter(Boolean).join('/')}`.replace(/\/+/g, '/'), node.body, node);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  // Next.js route handlers: app/api/health/route.ts exporting GET.
  const nextRoute = /(^|\/)app\/(.*\/)?([\w-]+)\/route\.[cm]?[jt]sx?$/.exec(path);
  if (nextRoute && functions.has('GET')) add(`/${nextRoute[2] ?? ''}${nextRoute[3]}`, functions.get('GET'), functions.get('GET')!);
  return handlers;
}

function checksIn(body: ts.Node, sourceFile: ts.SourceFile, functions: Map<string, ts.Node>, depth = 0): string[] {
  const checks: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(sourceFile).replace(/\s+/g, '');
      if (
        !ANSWER_CALL.test(callee) &&
        !/^(setTimeout|clearTimeout|Promise\.(resolve|all|allSettled|race|any)|Boolean|require)$/.test(callee)
      ) {
        // A helper of the same file is followed once: `checkDependencies()` counts for what it calls.
        const local = ts.isIdentifier(node.expression) ? functions.get(node.expression.text) : undefined;
        if (local && depth < 1) checks.push(...checksIn(local, sourceFile, functions, depth + 1), callee);
        else checks.push(callee);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return [...new Set(checks)];
}

export const hollowReadinessHandler = defineAnalyzer({
  meta: {
    id: 'hollow-readiness-handler',
    category: 'health-check',
    severity: 'high',
    description: "A readiness or health endpoint that checked the service's dependencies now answers without checking anything.",
    messages: {
      hollow:
        'the {{route}} handler no longer checks anything (it called {{checks}}): it answers healthy whatever the state of what the service depends on',
    },
    reads: CODE_GLOBS,
    docs: {
      catches:
        'Handlers of health routes (`/ready`, `/readyz`, `/health`, `/healthz`, `/status`, …) registered with express/koa/fastify-style ' +
        '`app.get(path, handler)` or `route({ url, handler })`, NestJS `@Get()` in a `@Controller()`, and Next.js `app/**/health/route.ts` ' +
        '`GET`, compared by route: in the base the handler called something besides building its answer (a database query, a ping, a ' +
        'helper of the same file that does), in the head it calls nothing. High for readiness routes, medium for health and status.',
      ignores:
        'Liveness routes (`/live`, `/livez`, `/ping`), which should not check dependencies; handlers that still make any check, or call ' +
        'a helper; calls that build the response (`res.json`, `reply.send`, `Response.json`, `Date.now`, `process.uptime`, logging); ' +
        'routes that were removed or renamed; tests.',
      example: {
        file: 'src/server/health.ts',
        before: [
          "import type { Express } from 'express';",
          "import { pool } from '../db.js';",
          '',
          'export function registerHealth(app: Express): void {',
          "  app.get('/ready', async (_req, res) => {",
          "    await pool.query('SELECT 1');",
          "    res.json({ status: 'ok' });",
          '  });',
          '}',
          '',
        ].join('\n'),
        after: [
          "import type { Express } from 'express';",
          '',
          'export function registerHealth(app: Express): void {',
          "  app.get('/ready', (_req, res) => {",
          "    res.json({ status: 'ok', uptime: process.uptime() });",
          '  });',
          '}',
          '',
        ].join('\n'),
      },
    },
  },
  analyze(change) {
    if (change.base === undefined || change.head === undefined || isTestCode(change.path, change.config.tests.patterns)) return [];
    const before = healthHandlers(change.oldPath ?? change.path, change.base);
    if (before.size === 0) return [];
    const after = healthHandlers(change.path, change.head);
    const out: AnalyzerFinding[] = [];
    for (const [route, old] of before) {
      const now = after.get(route);
      if (!now || old.checks.length === 0 || now.checks.length > 0) continue;
      out.push({
        messageId: 'hollow',
        data: { route, checks: old.checks.slice(0, 3).join(', ') },
        side: 'head',
        line: now.line,
        key: `route ${route}`,
        symbol: route,
        severity: /read/i.test(route) ? 'high' : 'medium',
        evidence: { before: old.checks },
      });
    }
    return out;
  },
});
