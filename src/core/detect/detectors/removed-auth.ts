import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';
import { exits } from '../ast/statements.js';
import { anchorText, calleeSimpleName, calleeText, propertyNameText } from '../ast/text.js';
import { forEachNodeOfUnit, isWithin, someNode } from '../ast/walk.js';
import { defineDetector, type DirectFinding, type Guardrail, type PullRequestView } from '../define-detector.js';
import { isRouteRegistration, middlewareName, routeMiddlewares } from '../vocab/http.js';
import {
  CALLER,
  callerComparisonKeys,
  comparisonKey,
  type Granted,
  grantedRoles,
  isCallerComparison,
  refusesOtherOwners,
  TENANT_FIELD,
  widened,
} from '../vocab/ownership.js';
import { isWhereVariableName } from '../vocab/queries.js';
import { tokenLibraryName } from '../vocab/signatures.js';

/**
 * The kinds are coarse on purpose: a check that moves from a handler into route middleware or a class
 * decorator changes its shape but not its job, and the engine recognises a move by kind. They are not
 * coarser, because generic authentication middleware checks roles and scopes too: a per-resource policy
 * check must not be taken for "moved" into it.
 * authn: is there a user at all; role: does the user hold a role, permission or scope; policy: may this
 * user act on this resource (can/authorize/ability, ownership); tenancy: the query only sees the caller's
 * rows; signature: the payload is proven authentic.
 */
type AuthKind = 'authn' | 'role' | 'policy' | 'tenancy' | 'signature' | 'unverified-decode';
/** Calls and names that check a role, permission or scope rather than a resource. */
const ROLE_NAME = /role|permission|scope|admin|acl/i;

/** Calls that establish who the caller is. */
const AUTHN_CALL =
  /^(requireAuth\w*|requireUser|requireLogin|requireSession|ensureAuthenticated|ensureLoggedIn|ensureAuth\w*|isAuthenticated|isLoggedIn|authenticate\w*|verifyToken|verifySession|verifyAuth\w*|checkAuth\w*|checkJwt|jwtCheck|expressjwt|expressJwt|withAuth|withSession|auth|authGuard|authMiddleware|requireAuthentication|protect|protectRoute|clerkMiddleware|withApiAuthRequired|withPageAuthRequired)$/;
/** Calls that decide whether the caller may do something. */
const AUTHZ_CALL =
  /^(authorize\w*|can|cannot|checkPermissions?|requirePermissions?|requireRoles?|requireAnyRoles?|checkRoles?|ensureRoles?|allowRoles?|restrictTo|requireScopes?|requiredScopes|requireAdmin|hasPermissions?|hasRoles?|hasAnyRole|hasScope|checkAccess|assertAccess|assertCan\w*|ensureCan\w*|ensureOwner\w*|assertOwner\w*|requireOwner\w*|checkOwnership|verifyOwnership|enforce|permit|checkPolicy|assertPermission\w*|guard(Access|Permission)\w*|isAllowed|isAuthorized|throwUnlessCan)$/;
/** Calls that prove a payload's authenticity; `verify` counts only on a token library or a verifier. */
const SIGNATURE_CALL =
  /^(constructEvent|constructEventAsync|timingSafeEqual|verifySignature\w*|verifyWebhook\w*|validateSignature|validateWebhook\w*|verifyHmac|verifyRequestSignature|verifyMessage|jwtVerify|verifyJwt|verifyJWT|validateRequest|verifyIdToken)$/;
const TOKEN_RECEIVER = /jwt|jose|token|jws|webhook|wh\b|svix|signer|verifier|hmac|crypto|firebase|auth/i;
/** Decorators that exempt an endpoint from the global guard. */
const PUBLIC_DECORATOR =
  /^(Public|IsPublic|SkipAuth|NoAuth|AllowAnonymous|Anonymous|PublicRoute|SkipJwt|AllowUnauthenticated|Unprotected)$/;
/** Decoding a token without checking its signature. */
const DECODE_CALL = /^(decode|decodeJwt|jwtDecode|decodeToken|decodeProtectedHeader)$/;
/** Decorators that guard a method or a whole controller. */
const GUARD_DECORATOR =
  /^(UseGuards|Roles|Role|Authorized|Authenticated|RequirePermissions?|Permissions|RequireRoles?|RequireAuth|Auth|PreAuthorize|Secured|CheckPolicies|CheckAbilities|RolesAllowed|AllowedRoles|HasRoles?|HasPermissions?|Scopes|RequireScopes|UseBefore|Protected)$/;
/** Words in a guard's consequence that say "not allowed". */
const DENIAL =
  /Forbidden|Unauthori[sz]ed|AccessDenied|PermissionDenied|NotAllowed|Authentication\w*Error|Authori[sz]ation\w*Error|\b40[13]\b|not (allowed|authori[sz]ed|permitted)|access denied/i;
/** Conditions that ask a permission question. */
const AUTHZ_CONDITION =
  /\b(can|cannot)\(|\bauthorize\w*\(|polic(y|ies)|permission|\broles?\b|\.role\b|isAdmin|isOwner|isMember|isAllowed|isAuthorized|hasAccess|hasRole|hasPermission|\babilit(y|ies)\b/i;
/**
 * A scope asked of the caller's credentials (`token.scopes.includes('write')`, `requiredScopes`), not any
 * value named `scope` (a telemetry or dependency-injection scope, a query scope): `if (!scope) return` asks
 * whether there is one, not whether the caller holds it.
 */
const SCOPE_QUESTION =
  /\b(?:token|auth|user|claims|credentials?|session|principal|jwt|grant|caller|identity|req|request|ctx|context)\w*\??\.(?:\w+\??\.)?scopes?\b|\bscopes?\??\.(?:includes|has|some|every|indexOf|contains)\(|\b(?:required|granted|allowed|token|oauth|user)Scopes?\b|\bhasScopes?\b/i;
/** Conditions that ask whether there is a caller at all. */
const AUTHN_CONDITION =
  /!\s*(req\.|request\.|ctx\.(state\.)?|context\.|event\.)?(user|session|currentUser|auth|token|principal|identity|userId|claims)\b|isAuthenticated|isLoggedIn|\b(user|session|token)\s*(===?|!==?)\s*(null|undefined)\b/;
/** Container keys: filtering on one scopes the query whatever the value's name (a path parameter, the caller's). */
const TENANT_ONLY =
  /^(teamId|team_id|tenantId|tenant_id|organizationId|organization_id|orgId|org_id|workspaceId|workspace_id|environmentId|environment_id|companyId|company_id|projectId|project_id)$/;
/** Query methods whose object argument filters rows. */
const QUERY_METHOD =
  /^(find\w*|update\w*|delete\w*|count\w*|aggregate|select\w*|destroy|remove\w*|exists|upsert|where|andWhere|findAndCount)$/;

const decorations = new WeakMap<Guardrail, { verifies?: boolean; roles?: Granted; handler?: string }>();

/** Records the roles a check names, for `isWeakened`; `members` lets the engine's message list them. */
function withRoles(g: Guardrail, granted: Granted | undefined): Guardrail {
  if (!granted) return g;
  g.members = granted.members;
  decorations.set(g, { ...decorations.get(g), roles: granted });
  return g;
}

export default defineDetector({
  meta: {
    id: 'removed-auth',
    category: 'auth',
    severity: 'high',
    weakenedSeverity: 'medium',
    description:
      'An authentication, authorization, ownership, tenancy or signature check was removed, or a verified token is now only decoded.',
    messages: {
      removed: '{{symbol}} {{noLongerHas}} {{label}}: a caller who was refused before is now let through.',
      weakened: '{{symbol}}: {{label}} was weakened: {{change}}.',
      moved: '{{label}} left {{symbol}} but is still applied in {{where}}.',
      madePublic: '{{symbol}} is now marked {{decorator}}: the authentication guard that protected it no longer runs.',
      decoded: '{{symbol}} now decodes the token with {{call}} instead of verifying it: anyone can forge the claims.',
      lostComparison: '{{symbol}} no longer compares {{comparison}} {{where}}: a caller who does not own the resource is now let through.',
    },
    docs: {
      catches:
        'Authentication (requireAuth, isAuthenticated, passport.authenticate, auth() and other auth middleware in a route registration, `if (!req.user) return 401`), authorization (authorize, can/cannot, ability checks, role and permission checks, guard clauses that answer 401/403 or throw Forbidden/Unauthorized), ownership checks (`if (doc.userId !== user.id) throw …`, `String(doc.owner) !== String(actorId)`, `!doc.owner.equals(user._id)`), tenancy filters in queries (`where: { teamId: user.teamId }`, `where: { id, environmentId }`, `.where("tenant_id", user.tenantId)`), guard decorators (@UseGuards, @Roles, @Authorized, @RequirePermissions, …) and signature checks (jwt.verify, jose jwtVerify, stripe.webhooks.constructEvent, crypto.timingSafeEqual, verifySignature, HMAC comparisons). A role list that admits more callers is a weakening: a role added to `requireRole("admin")`, `authorize(["owner"])` or `@Roles("owner")`, a permission dropped from `requirePermissions(…)`, the roles argument dropped. Route hooks count as middleware (fastify `onRequest`/`preHandler` in the options of a route, `addHook("onRequest", …)`), and a bare `verify`/`decode` imported from a token library counts as the library call. A token that was verified and is now only decoded (jwt.decode) is reported as critical; an existing endpoint newly marked `@Public()`/`@SkipAuth()`/`@AllowAnonymous()` is reported as high.',
      ignores:
        'A check moved into a helper the handler calls, to route-level middleware (`router.use(requireAuth)`), to a class-level decorator or an instance hook (`addHook`), or to another file of the same PR; a handler moved to a file of its own while the route registration that names it keeps its middleware; a role list narrowed or rewritten with constants; a decode kept beside the verify; a check swapped for an equivalent one (passport.authenticate for requireAuth, jwt.verify for jose jwtVerify); deleted handlers nothing referenced. A client handling a 401/403 from another service (`if (!response.ok)`) is not a check on our caller. A per-resource check (can/authorize, ownership) is not taken for moved into generic authentication middleware that only checks identity and roles.',
      example: {
        file: 'src/documents.ts',
        before:
          'export async function updateDocument(user: User, id: string, patch: Patch) {\n  const doc = await db.document.findUnique({ where: { id } });\n  if (doc.ownerId !== user.id) throw new ForbiddenError();\n  return db.document.update({ where: { id }, data: patch });\n}\n',
        after:
          'export async function updateDocument(user: User, id: string, patch: Patch) {\n  return db.document.update({ where: { id }, data: patch });\n}\n',
      },
    },
  },
  inventory: authChecksOf,
  // A role list that admits more callers is a weakening (`requireRole('admin')` → `requireRole('admin',
  // 'member')`, `requireRole()`); nothing else here has an amount, a swap inside the unit (matched by
  // category) is not a weakening, and a verified token that is now decoded is reported by `inspect`.
  isWeakened(before, after) {
    const from = decorations.get(before)?.roles;
    const to = decorations.get(after)?.roles;
    return from !== undefined && to !== undefined && calleeOf(before) === calleeOf(after) && widened(from, to) !== undefined;
  },
  // A handler moved to a file of its own keeps the middleware its route registration still gives it.
  judgeLoss: (lost, after, pr) => (after ? undefined : stillRegisteredWith(lost, pr)),
  inspect(change): DirectFinding[] {
    const { base, head } = change;
    if (!base || !head) return [];
    return [...madePublic(base, head, change.isNew), ...decodedInstead(base, head, change.isNew), ...lostComparisons(base, head)];
  },
});

/**
 * `@Public()` / `@SkipAuth()` added to an endpoint that existed before: the global guard no longer runs
 * for it. A new endpoint that is public from the start is a design choice, not a removal.
 */
function madePublic(base: Unit, head: Unit, isNew: (node: ts.Node) => boolean): DirectFinding[] {
  const bypasses = (unit: Unit): ts.Decorator[] => {
    const decorated = unit.node;
    const decorators = ts.canHaveDecorators(decorated) ? (ts.getDecorators(decorated) ?? []) : [];
    return decorators.filter((d) =>
      PUBLIC_DECORATOR.test(calleeSimpleName(ts.isCallExpression(d.expression) ? d.expression.expression : d.expression) ?? ''),
    );
  };
  if (bypasses(base).length > 0) return [];
  return bypasses(head)
    .filter((d) => isNew(d))
    .slice(0, 1)
    .map((d) => ({ messageId: 'madePublic', data: { decorator: foldText(d, head) }, node: d, side: 'head' as const, key: 'made public' }));
}

/** List methods whose callback decides which rows the caller gets. */
const ROW_FILTER = /^(filter|find|findIndex|findLast|some|every)$/;
/** Helpers whose name says they check ownership or access: a comparison moved into one is still made. */
const ACCESS_HELPER = /own|access|permi|authori|polic|tenant|member|^(can|may|is)[A-Z]|^assert|^ensure|^require/;

/**
 * An ownership or tenancy comparison that is part of an expression, not the whole of a guard: one term of
 * a larger condition that still guards (`!doc || doc.ownerId !== user.id` → `!doc`), the callback of a list
 * filter (`docs.filter((d) => d.teamId === user.teamId)`), a predicate's answer (`return post.authorId ===
 * user.id || user.isAdmin`). The inventory sees a guard that is still there; this sees what it stopped
 * comparing. Quiet when the comparison is still made anywhere in the file, or a new access helper is called.
 */
function lostComparisons(base: Unit, head: Unit): DirectFinding[] {
  const bsf = base.sourceFile;
  const hsf = head.sourceFile;
  const kept = callerComparisonKeys(hsf, hsf);
  const newHelper = [...head.calls].some((c) => !base.calls.has(c) && ACCESS_HELPER.test(c));
  if (newHelper) return [];
  const findings: DirectFinding[] = [];
  const seen = new Set<string>();
  forEachNodeOfUnit(base, (node) => {
    if (!isCallerComparison(node, bsf)) return;
    const key = comparisonKey(node, bsf);
    if (kept.has(key) || seen.has(key)) return;
    const where = placeOf(node, base, head, bsf);
    if (!where) return;
    seen.add(key);
    findings.push({
      messageId: 'lostComparison',
      data: { comparison: `"${anchorText(node, bsf, 60)}"`, where },
      node,
      side: 'base',
      severity: 'medium',
      key: `comparison ${key}`,
      evidence: { removed: anchorText(node, bsf, 120) },
    });
  });
  return findings;
}

/** Where a base comparison sat, when that place is still in the head; undefined when the inventory owns it. */
function placeOf(node: ts.Expression, base: Unit, head: Unit, sf: ts.SourceFile): string | undefined {
  for (let n: ts.Node = node; n.parent && n !== base.node; n = n.parent) {
    const parent: ts.Node = n.parent;
    if (ts.isIfStatement(parent) && parent.expression === n) {
      // A guard that is only this comparison is the inventory's (removed or kept as a whole).
      if (stripParens(n) === node || !guardKind(parent, base, sf)) return undefined;
      const others = termsOf(parent.expression)
        .filter((t) => !isWithin(node, t))
        .map((t) => squash(t.getText(sf)));
      const stillGuards = someNode(
        head.node,
        (h) =>
          ts.isIfStatement(h) &&
          guardKind(h, head, head.sourceFile) !== undefined &&
          others.some((o) => squash(h.expression.getText(head.sourceFile)).includes(o)),
      );
      return stillGuards ? `in the condition "${anchorText(parent.expression, sf, 70)}"` : undefined;
    }
    if (ts.isArrowFunction(parent) || ts.isFunctionExpression(parent)) {
      const call = parent.parent;
      if (!ts.isCallExpression(call) || !call.arguments.includes(parent)) return undefined;
      const method = calleeSimpleName(call.expression) ?? '';
      if (!ROW_FILTER.test(method) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
      return `in the .${method}() over ${anchorText(call.expression.expression, sf, 40)}`;
    }
    if (ts.isReturnStatement(parent) && parent.expression === n) return 'in what it returns';
    if (ts.isStatement(parent) || ts.isFunctionLike(parent)) return undefined;
  }
  return undefined;
}

function stripParens(node: ts.Node): ts.Node {
  let n = node;
  while (ts.isParenthesizedExpression(n)) n = n.expression;
  return n;
}

/** The terms joined by `&&` and `||` in a condition. */
function termsOf(expression: ts.Expression): ts.Expression[] {
  const e = stripParens(expression) as ts.Expression;
  if (
    ts.isBinaryExpression(e) &&
    (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return [...termsOf(e.left), ...termsOf(e.right)];
  return [e];
}

function squash(text: string): string {
  return text.replace(/\s+/g, '').replace(/\?\./g, '.');
}

function foldText(node: ts.Node, unit: Unit): string {
  return node.getText(unit.sourceFile).replace(/\s+/g, ' ');
}

function decodedInstead(base: Unit, head: Unit, isNew: (node: ts.Node) => boolean): DirectFinding[] {
  const verifiedBefore = authChecksOf(base).some((g) => decorations.get(g)?.verifies);
  if (!verifiedBefore) return [];
  const after = authChecksOf(head);
  if (after.some((g) => decorations.get(g)?.verifies)) return [];
  return after
    .filter((g) => g.kind === 'unverified-decode' && isNew(g.node))
    .slice(0, 1)
    .map((g) => ({
      messageId: 'decoded',
      data: { call: g.anchor },
      node: g.node,
      side: 'head' as const,
      severity: 'critical' as const,
      key: `decoded ${g.anchor}`,
    }));
}

function authChecksOf(unit: Unit): Guardrail[] {
  const sf = unit.sourceFile;
  const found: Guardrail[] = [];
  const conditions: ts.Node[] = [];
  const push = (kind: AuthKind, anchor: string, node: ts.Node, label: string, verifies = false): void => {
    const g: Guardrail = { category: 'auth', kind, anchor, node, label };
    if (verifies) decorations.set(g, { verifies });
    found.push(g);
  };
  const insideRecordedCondition = (node: ts.Node): boolean => conditions.some((c) => isWithin(node, c));

  forEachNodeOfUnit(unit, (node) => {
    if (ts.isIfStatement(node)) {
      const guard = guardKind(node, unit, sf);
      if (guard) {
        conditions.push(node.expression);
        push(
          guard,
          `guard ${anchorText(node.expression, sf, 100)}`,
          node,
          `the ${describeKind(guard)} check "if (${anchorText(node.expression, sf, 70)})"`,
          false,
        );
      }
      return;
    }
    if (ts.isDecorator(node)) {
      const g = decoratorGuard(node, sf);
      if (g) found.push(g);
      return;
    }
    if (ts.isCallExpression(node)) {
      // Middleware named in a route registration: router.post("/x", requireAuth, handler).
      for (const mw of routeMiddlewares(node)) {
        if (ts.isCallExpression(mw)) continue; // visited as a call below
        const g = middlewareGuard(mw, sf);
        if (g) found.push(g);
      }
      if (insideRecordedCondition(node)) return;
      // `import { verify } from 'jsonwebtoken'`: a bare call is known by the library it came from.
      const library = ts.isIdentifier(node.expression) ? tokenLibraryName(sf, node.expression.text) : undefined;
      const name = library?.name ?? calleeSimpleName(node.expression);
      if (!name) return;
      const callee = calleeText(node.expression, sf);
      const receiver = ts.isPropertyAccessExpression(node.expression) ? calleeText(node.expression.expression, sf) : '';
      if (name === 'verify' && (library || TOKEN_RECEIVER.test(receiver))) {
        const verifies = library ? library.jwt : /jwt|jose|jws|token|auth/i.test(receiver);
        push('signature', `signature ${callee}`, node, `the ${callee}() signature check`, verifies);
        return;
      }
      if (SIGNATURE_CALL.test(name)) {
        push('signature', `signature ${name}`, node, `the ${callee}() signature check`, /jwt|IdToken/i.test(name));
        return;
      }
      if (DECODE_CALL.test(name) && (name !== 'decode' || library?.jwt || /jwt|jose|token|jws/i.test(receiver))) {
        push('unverified-decode', callee, node, `an unverified ${callee}()`);
        return;
      }
      if (name === 'where' || name === 'andWhere') {
        const [column, value] = node.arguments;
        if (column && value && ts.isStringLiteral(column) && TENANT_FIELD.test(column.text) && CALLER.test(value.getText(sf))) {
          push('tenancy', `tenancy filter ${column.text}`, node, `the ${column.text} tenancy filter`);
        }
        return;
      }
      if (name === 'authenticate' && /passport/i.test(receiver)) {
        push('authn', 'authn authenticate', node, `the ${callee}() authentication`);
        return;
      }
      if (AUTHZ_CALL.test(name) && !(name === 'can' && node.arguments.length === 0)) {
        const action = node.arguments.find((a): a is ts.StringLiteral => ts.isStringLiteral(a));
        const kind: AuthKind = ROLE_NAME.test(name) && !/^(authorize\w*|can|cannot)$/.test(name) ? 'role' : 'policy';
        const granted = grantedRoles(node.arguments, name);
        const named = granted ? granted.members.map((m) => JSON.stringify(m)).join(', ') : action ? JSON.stringify(action.text) : '…';
        push(kind, `${kind} ${name}${action ? `(${action.text})` : ''}`, node, `the ${callee}(${named}) authorization`);
        withRoles(found[found.length - 1]!, granted);
        return;
      }
      if (AUTHN_CALL.test(name) && !isPlainAuthGetter(node, name)) {
        push('authn', `authn ${name}`, node, `the ${callee}() authentication`);
      }
      return;
    }
    // Tenancy in a query filter: findMany({ where: { id, teamId: user.teamId } }).
    if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isObjectLiteralExpression(node.parent)) {
      const field = propertyNameText(node.name, sf);
      if (!TENANT_FIELD.test(field) || !inQueryFilter(node.parent, sf)) return;
      const value = ts.isPropertyAssignment(node) ? node.initializer : undefined;
      const literal =
        value !== undefined &&
        (ts.isStringLiteral(value) ||
          ts.isNumericLiteral(value) ||
          ts.isObjectLiteralExpression(value) ||
          value.kind === ts.SyntaxKind.NullKeyword);
      const fromCaller =
        value === undefined ? TENANT_ONLY.test(field) : !literal && (CALLER.test(value.getText(sf)) || TENANT_ONLY.test(field));
      if (fromCaller) push('tenancy', `tenancy filter ${field}`, node, `the ${field} tenancy filter`);
    }
  });
  found.push(...inheritedGuards(unit, sf));
  // The signature checks come first so that, when one is swapped for a decode in the same unit, the
  // engine's same-category pass pairs the two (inspect reports it) instead of pairing something else.
  const order = (g: Guardrail): number => (g.kind === 'signature' || g.kind === 'unverified-decode' ? 0 : 1);
  return found.sort((a, b) => order(a) - order(b));
}

/**
 * Guards that apply to the unit from outside it: a class-level decorator for a method, the middleware of
 * the route registration that names a handler, and `router.use(…)` before it. Counting them for the
 * unit is what keeps a guard lifted from every method to the class (or from a handler to its router)
 * quiet, however many methods or routes share it.
 */
function inheritedGuards(unit: Unit, sf: ts.SourceFile): Guardrail[] {
  const found: Guardrail[] = [];
  const fromDecorators = (decorated: ts.Node): void => {
    for (const decorator of ts.canHaveDecorators(decorated) ? (ts.getDecorators(decorated) ?? []) : []) {
      const g = decoratorGuard(decorator, sf);
      if (g) found.push(g);
    }
  };
  if (unit.kind === 'method' && unit.node.parent && (ts.isClassDeclaration(unit.node.parent) || ts.isClassExpression(unit.node.parent))) {
    fromDecorators(unit.node.parent);
    return found;
  }
  const registrations: ts.CallExpression[] = [];
  if (unit.kind === 'call' && ts.isCallExpression(unit.node)) registrations.push(unit.node);
  if (unit.kind === 'function') {
    const simple = unit.name.split('.').pop()!.replace(/#\d+$/, '');
    for (const statement of sf.statements) {
      if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
      const call = statement.expression;
      const last = call.arguments[call.arguments.length - 1];
      if (last && ts.isIdentifier(last) && last.text === simple && isRouteRegistration(call)) registrations.push(call);
    }
  }
  for (const call of registrations) {
    if (!ts.isPropertyAccessExpression(call.expression)) continue;
    const router = calleeText(call.expression.expression, sf);
    const middlewares = call === unit.node ? [] : [...routeMiddlewares(call)];
    for (const statement of statementsBefore(call)) {
      if (!ts.isExpressionStatement(statement) || !ts.isCallExpression(statement.expression)) continue;
      const use = statement.expression;
      if (
        ts.isPropertyAccessExpression(use.expression) &&
        (use.expression.name.text === 'use' || use.expression.name.text === 'addHook') &&
        calleeText(use.expression.expression, sf) === router
      )
        middlewares.push(...routeMiddlewares(use));
    }
    for (const mw of middlewares) {
      const g = middlewareGuard(mw, sf);
      if (!g) continue;
      if (unit.kind === 'function') decorations.set(g, { ...decorations.get(g), handler: simpleUnitName(unit) });
      found.push(g);
    }
  }
  return found;
}

function simpleUnitName(unit: Unit): string {
  return unit.name.split('.').pop()!.replace(/#\d+$/, '');
}

/**
 * Where a middleware a handler inherited from its route registration is still applied: the PR moved the
 * handler (to a file of its own, say) and left the registration that names it, with the same middleware,
 * in the head. The registration is read in the head code of the PR; a middleware taken out of it, or a
 * registration that no longer names the handler, leaves the loss as it is.
 */
function stillRegisteredWith(lost: Guardrail, pr: PullRequestView): { kept: string } | undefined {
  const handler = decorations.get(lost)?.handler;
  const name = ts.isExpression(lost.node) ? middlewareName(lost.node) : undefined;
  if (!handler || !name) return undefined;
  const names = (call: ts.CallExpression): boolean => {
    const last = call.arguments[call.arguments.length - 1];
    return last !== undefined && ts.isIdentifier(last) && last.text === handler && isRouteRegistration(call);
  };
  for (const { guardrail, unit } of pr.head) {
    const node = guardrail.node;
    if (guardrail.kind !== lost.kind || !ts.isExpression(node) || middlewareName(node) !== name) continue;
    const call = node.parent;
    if (!ts.isCallExpression(call) || !call.arguments.includes(node)) continue;
    const viaUse =
      ts.isPropertyAccessExpression(call.expression) &&
      /^(use|addHook)$/.test(call.expression.name.text) &&
      someNode(unit.sourceFile, (n) => ts.isCallExpression(n) && names(n));
    if (names(call) || viaUse) return { kept: `the route registration of ${handler} (${unit.file})` };
  }
  return undefined;
}

/**
 * The statements that run before a registration in the blocks around it, nearest first: the `use` and
 * `addHook` calls of a plugin function as well as those at the top of the file.
 */
function statementsBefore(call: ts.Node): ts.Statement[] {
  const found: ts.Statement[] = [];
  for (let n: ts.Node = call; n.parent; n = n.parent) {
    const parent: ts.Node = n.parent;
    if (ts.isBlock(parent) || ts.isSourceFile(parent)) found.push(...parent.statements.filter((st) => st.end <= n.pos));
  }
  return found;
}

function decoratorGuard(node: ts.Decorator, sf: ts.SourceFile): Guardrail | undefined {
  const call = ts.isCallExpression(node.expression) ? node.expression : undefined;
  const name = calleeSimpleName(call ? call.expression : node.expression);
  if (!name || !GUARD_DECORATOR.test(name)) return undefined;
  const args = call ? call.arguments.map((a) => anchorText(a, sf, 60)).join(', ') : '';
  if (name === 'UseBefore' && !/auth|jwt|session|guard|role|permission|protect/i.test(args)) return undefined;
  const kind: AuthKind =
    /^(CheckPolicies|CheckAbilities)$/.test(name) || /polic|abilit|casl|owner/i.test(args)
      ? 'policy'
      : /^(Roles?|RequirePermissions?|Permissions|RequireRoles?|RolesAllowed|AllowedRoles|HasRoles?|HasPermissions?|Scopes|RequireScopes|PreAuthorize|Secured)$/.test(
            name,
          ) ||
          /role|permission|acl|scope/i.test(args) ||
          (name === 'Authorized' && args !== '')
        ? 'role'
        : 'authn';
  const g: Guardrail = { category: 'auth', kind, anchor: `@${name}(${args})`, node, label: `the @${name}(${args}) guard` };
  return call && name !== 'UseGuards' && name !== 'UseBefore' ? withRoles(g, grantedRoles(call.arguments, name)) : g;
}

function middlewareGuard(mw: ts.Expression, sf: ts.SourceFile): Guardrail | undefined {
  const name = middlewareName(mw);
  if (!name) return undefined;
  let kind = middlewareKind(name);
  if (ts.isCallExpression(mw) && name === 'authenticate') kind = 'authn';
  if (!kind) return undefined;
  const g: Guardrail = {
    category: 'auth',
    kind,
    anchor: `${kind} ${name}`,
    node: mw,
    label: `the ${anchorText(ts.isCallExpression(mw) ? mw.expression : mw, sf, 50)} middleware`,
  };
  return kind === 'role' && ts.isCallExpression(mw) ? withRoles(g, grantedRoles(mw.arguments, name)) : g;
}

/** A `const session = await auth()` is a lookup, not a gate; the guard that tests it is the check. */
function isPlainAuthGetter(node: ts.CallExpression, name: string): boolean {
  if (name !== 'auth' && name !== 'withSession') return false;
  return ts.isAwaitExpression(node.parent) || ts.isVariableDeclaration(node.parent);
}

function middlewareKind(name: string): AuthKind | undefined {
  if (/polic|abilit|owner|\bcan\b/i.test(name)) return 'policy';
  if (/role|permission|acl|scope|admin|authori[sz]e/i.test(name)) return 'role';
  if (/auth|login|loggedin|jwt|session|token|protect|guard|passport|signed|clerk/i.test(name) && !/csrf|oauth2?callback|logout/i.test(name))
    return 'authn';
  return undefined;
}

/** An `if` that refuses the caller: a denial in its consequence, or a permission, identity or ownership question in its condition. */
function guardKind(node: ts.IfStatement, unit: Unit, sf: ts.SourceFile): AuthKind | undefined {
  if (!exits(node.thenStatement) && !DENIAL.test(node.thenStatement.getText(sf))) return undefined;
  const condition = node.expression.getText(sf);
  const consequence = node.thenStatement.getText(sf);
  const denies = DENIAL.test(consequence);
  // `if (!response.ok) { if (response.status === 401) … }`: another service refused us; not a check on our caller.
  if (/\b\w*(response|resp|res|result|reply)\.(ok|status|statusCode)\b/i.test(condition) && !AUTHZ_CONDITION.test(condition))
    return undefined;
  if (/signature|\bsig\b|hmac|digest/i.test(condition) && /!==?|timingSafeEqual|!\s*\w*verif/i.test(condition)) return 'signature';
  if (refusesOtherOwners(node.expression, sf)) return 'policy';
  if (AUTHZ_CONDITION.test(condition) || SCOPE_QUESTION.test(condition))
    return (/\broles?\b|\.role\b|isAdmin|isMember|hasRole|hasPermission|permission/i.test(condition) || SCOPE_QUESTION.test(condition)) &&
      !/\b(can|cannot)\(|authorize|polic|abilit/i.test(condition)
      ? 'role'
      : 'policy';
  if (AUTHN_CONDITION.test(condition) && (denies || /\b(req|request|ctx|context|session|event)\b/.test(condition)))
    return denies && /\b403\b|Forbidden/.test(consequence) ? 'policy' : 'authn';
  // A bare refusal in a handler is about this resource far more often than about a role.
  if (denies) return /\b403\b|Forbidden|AccessDenied|PermissionDenied|NotAllowed/i.test(consequence) ? 'policy' : 'authn';
  return undefined;
}

/**
 * Whether an object literal filters rows: the value of `where`, an argument of a query method, or a
 * filter kept in a variable before it is passed (`const where = { teamId, [Op.and]: [ … ] }`).
 */
function inQueryFilter(object: ts.ObjectLiteralExpression, sf: ts.SourceFile): boolean {
  let n: ts.Node = object;
  while (n.parent) {
    const parent: ts.Node = n.parent;
    if (ts.isVariableDeclaration(parent) && parent.initializer === n) {
      return ts.isIdentifier(parent.name) && isWhereVariableName(parent.name.text);
    }
    if (ts.isPropertyAssignment(parent) && parent.initializer === n) {
      const key = propertyNameText(parent.name, sf);
      if (/^(where|filter|query|conditions|match|\$match)$/.test(key)) return true;
      if (/^(data|create|update|values|set|\$set)$/.test(key)) return false;
      n = parent.parent;
      continue;
    }
    if (ts.isCallExpression(parent)) {
      const name = calleeSimpleName(parent.expression) ?? '';
      return QUERY_METHOD.test(name) && parent.arguments[0] === n && name !== 'update';
    }
    if (ts.isObjectLiteralExpression(parent) || ts.isArrayLiteralExpression(parent) || ts.isParenthesizedExpression(parent)) {
      n = parent;
      continue;
    }
    return false;
  }
  return false;
}

/** The name a role check is called by: a list widened is compared only with the same check's list. */
function calleeOf(g: Guardrail): string | undefined {
  const n = g.node;
  const call = ts.isDecorator(n) ? n.expression : n;
  if (!ts.isCallExpression(call)) return undefined;
  return calleeSimpleName(call.expression);
}

function describeKind(kind: AuthKind): string {
  return kind === 'authn'
    ? 'authentication'
    : kind === 'role'
      ? 'role'
      : kind === 'policy'
        ? 'authorization'
        : kind === 'tenancy'
          ? 'tenancy'
          : 'signature';
}
