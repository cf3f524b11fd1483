import { ts } from '../../ts-morph-library.js';
import { forEachNode, someNode } from '../ast/walk.js';

// Ownership and tenancy: which fields tie a row to its owner or tenant, where the caller's identity comes
// from, and the comparison of the two that makes a check an ownership check wherever it is written (a guard's
// condition, part of a larger one, a list filter's callback, a predicate's answer).

/** Fields that tie a row to its owner. */
export const OWNER_FIELD =
  /\b(userId|user_id|ownerId|owner_id|authorId|author_id|createdBy|created_by|creatorId|accountId|account_id|memberId|uid)\b/;
/** Fields that tie a row to its owner or its tenant. */
export const TENANT_FIELD =
  /^(teamId|team_id|tenantId|tenant_id|organizationId|organization_id|orgId|org_id|workspaceId|workspace_id|environmentId|environment_id|accountId|account_id|companyId|company_id|projectId|project_id|ownerId|owner_id|userId|user_id|authorId|createdById)$/;
/** Objects that stand for a row's owner, or their id: `doc.owner`, `post.author._id`, `task.createdBy.id`. */
const OWNER_OBJECT = /\.(owner|author|creator|createdBy)(\.(_id|id))?$/;
/** Where the caller's identity comes from. */
export const CALLER =
  /\b(user|currentUser|session|actor|viewer|principal|auth|me|caller|identity|claims|ctx\.state|req\.user|tenant|membership|actorId|currentUserId|requester|requesterId|callerId|viewerId)\b/i;

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);
const REFUSING = new Set([ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

/** A comparison of two values, however it is spelled: `a !== b`, `a.equals(b)`, `!isSameUser(a, b)`. */
interface Comparison {
  left: ts.Expression;
  right: ts.Expression;
  refusing: boolean;
}

/** Two-argument predicates named for an equality test: `isSameUser(a, b)`, `sameId(a, b)`, `idsEqual(a, b)`. */
const EQUALITY_PREDICATE = /^(is|are)?(same|equal|equals)([A-Z_]\w*)?$|^\w+(Equal|Match)$/i;

function stripParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

/** The two values a call compares: `x.equals(y)` (how ids that are objects, a MongoDB ObjectId, are compared) or `isSame(x, y)`. */
function comparedByCall(e: ts.Expression): [ts.Expression, ts.Expression] | undefined {
  const call = stripParens(e);
  if (!ts.isCallExpression(call)) return undefined;
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'equals' && call.arguments.length === 1)
    return [callee.expression, call.arguments[0]!];
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (name && EQUALITY_PREDICATE.test(name) && call.arguments.length === 2) return [call.arguments[0]!, call.arguments[1]!];
  return undefined;
}

/**
 * The comparison a node is: an equality operator, or a call that compares. The refusing form of a call is
 * its negation, so the node is the `!` around it and the bare call counts only when it is not negated.
 */
function comparisonOf(node: ts.Node): Comparison | undefined {
  if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind))
    return { left: node.left, right: node.right, refusing: REFUSING.has(node.operatorToken.kind) };
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    const sides = comparedByCall(node.operand);
    return sides ? { left: sides[0], right: sides[1], refusing: true } : undefined;
  }
  if (ts.isCallExpression(node)) {
    const sides = comparedByCall(node);
    if (!sides) return undefined;
    let outer: ts.Node = node.parent;
    while (ts.isParenthesizedExpression(outer) || ts.isNonNullExpression(outer)) outer = outer.parent;
    if (ts.isPrefixUnaryExpression(outer) && outer.operator === ts.SyntaxKind.ExclamationToken) return undefined;
    return { left: sides[0], right: sides[1], refusing: false };
  }
  return undefined;
}

/** The value itself when it is only converted for the comparison: `String(id)`, `id.toString()`, `` `${id}` ``. */
function unwrapConversion(e: ts.Expression): ts.Expression {
  e = stripParens(e);
  if (ts.isCallExpression(e)) {
    const callee = e.expression;
    if (ts.isIdentifier(callee) && callee.text === 'String' && e.arguments.length === 1) return unwrapConversion(e.arguments[0]!);
    if (ts.isPropertyAccessExpression(callee) && /^(toString|toHexString)$/.test(callee.name.text) && e.arguments.length === 0)
      return unwrapConversion(callee.expression);
  }
  if (ts.isTemplateExpression(e) && e.head.text === '' && e.templateSpans.length === 1 && e.templateSpans[0]!.literal.text === '')
    return unwrapConversion(e.templateSpans[0]!.expression);
  return e;
}

function sideText(e: ts.Expression, sf: ts.SourceFile): string {
  return unwrapConversion(e).getText(sf).replace(/\s+/g, '').replace(/\?\./g, '.');
}

function isOwnerSide(text: string): boolean {
  return OWNER_FIELD.test(text) || TENANT_FIELD.test(text.split('.').pop() ?? '') || OWNER_OBJECT.test(text);
}

/**
 * `doc.ownerId !== user.id`, `post.teamId === session.teamId`, `String(doc.owner) !== String(actorId)`,
 * `!doc.author.equals(user._id)`, `!isSameUser(doc.owner, user)`: one side reads an owner or tenant field (or the owner object itself), the
 * other the caller's identity. With `negatedOnly`, only the refusing form (`!==`, `!=`, a negated call).
 */
export function isCallerComparison(node: ts.Node, sf: ts.SourceFile, negatedOnly = false): node is ts.Expression {
  const comparison = comparisonOf(node);
  if (!comparison || (negatedOnly && !comparison.refusing)) return false;
  const left = sideText(comparison.left, sf);
  const right = sideText(comparison.right, sf);
  const callerSide = isOwnerSide(left) ? right : isOwnerSide(right) ? left : undefined;
  return callerSide !== undefined && CALLER.test(callerSide);
}

/** Whether a condition compares a row's owner with the caller and refuses when they differ: an ownership guard. */
export function refusesOtherOwners(condition: ts.Expression, sf: ts.SourceFile): boolean {
  return someNode(condition, (n) => isCallerComparison(n, sf, true));
}

/**
 * The same comparison however it is written: sides in a fixed order, spacing, optional chaining and
 * conversions to string folded, the operator left out (`a !== b` refusing and `a === b` admitting are one check).
 */
export function comparisonKey(node: ts.Expression, sf: ts.SourceFile): string {
  const comparison = comparisonOf(node);
  if (!comparison) return node.getText(sf).replace(/\s+/g, '');
  const side = (e: ts.Expression): string => sideText(e, sf).replace(/!$/, '');
  return [side(comparison.left), side(comparison.right)].sort().join(' ~ ');
}

/** The owner/tenant comparisons under `root`, by key. */
export function callerComparisonKeys(root: ts.Node, sf: ts.SourceFile): Set<string> {
  const keys = new Set<string>();
  forEachNode(root, (n) => {
    if (isCallerComparison(n, sf)) keys.add(comparisonKey(n, sf));
  });
  return keys;
}

// Roles and permissions passed as arguments: `requireRole('admin')`, `authorize(['owner'])`,
// `@Roles('admin', 'editor')`, `requirePermissions('invoice:write')`.

/** Checks whose names list roles any one of which admits the caller: one more role admits more callers. */
const ANY_OF = /role|admin|^authori[sz]e|^restrictTo$|^permit$/i;
/** Checks whose names list permissions or scopes the caller must all hold: one fewer admits more callers. */
const ALL_OF = /permission|scope/i;
/** Names that admit everyone. */
const WILDCARD = /^(\*|any|all|everyone|public|anonymous)$/i;

/** The roles or permissions a check names, and how they combine. */
export interface Granted {
  members: string[];
  mode: 'any' | 'all';
}

/**
 * The literal roles or permissions a check is given, when it is given only names: string arguments or
 * arrays of strings (`requireRole('admin')`, `authorize(['owner', 'admin'])`), next to the caller for a
 * role predicate (`hasRole(user, 'admin')`). `authorize(user, 'delete', doc)` and `can(user, 'delete', doc)`
 * name an action on a resource, not a role list. A role check called with nothing (`requireRole()`) names
 * no role. Undefined when the arguments are not such a list.
 */
export function grantedRoles(args: readonly ts.Expression[], name: string): Granted | undefined {
  const mode = ALL_OF.test(name) ? 'all' : ANY_OF.test(name) ? 'any' : undefined;
  if (!mode) return undefined;
  const members: string[] = [];
  let others = 0;
  for (const arg of args) {
    const items = ts.isArrayLiteralExpression(arg) ? [...arg.elements] : [arg];
    for (const item of items) {
      if (ts.isStringLiteral(item) || ts.isNoSubstitutionTemplateLiteral(item)) members.push(item.text);
      else if (ts.isPropertyAccessExpression(item) && ts.isIdentifier(item.expression) && /^[A-Z]/.test(item.expression.text))
        members.push(`${item.expression.text}.${item.name.text}`);
      else others++;
    }
  }
  // `authorize(user, doc)`: a policy call. Role predicates take the caller beside the roles.
  if (others > 0 && (/^authori[sz]e/i.test(name) || members.length === 0 || others > 1)) return undefined;
  return { members, mode };
}

/**
 * How `after` admits more callers than `before`, or undefined: a role added to an any-of list that kept
 * every role it had, a wildcard added, a permission dropped from an all-of list without a new one, or
 * every name dropped.
 */
export function widened(before: Granted, after: Granted): string | undefined {
  if (before.members.length === 0 || before.mode !== after.mode) return undefined;
  const had = new Set(before.members);
  const has = new Set(after.members);
  const added = after.members.filter((m) => !had.has(m));
  const dropped = before.members.filter((m) => !has.has(m));
  if (after.members.length === 0) return `it no longer names ${before.members.join(', ')}`;
  if (added.some((m) => WILDCARD.test(m)) && !before.members.some((m) => WILDCARD.test(m))) return `it now admits ${added.join(', ')}`;
  if (before.mode === 'any' && added.length > 0 && dropped.length === 0) return `it now also admits ${added.join(', ')}`;
  if (before.mode === 'all' && dropped.length > 0 && added.length === 0) return `it no longer requires ${dropped.join(', ')}`;
  return undefined;
}
