import { ts } from 'ts-morph';
import { forEachNode } from '../ast/walk.js';

// Ownership and tenancy: which fields tie a row to its owner or tenant, where the caller's identity comes
// from, and the comparison of the two that makes a check an ownership check wherever it is written (a guard's
// condition, part of a larger one, a list filter's callback, a predicate's answer).

/** Fields that tie a row to its owner. */
export const OWNER_FIELD =
  /\b(userId|user_id|ownerId|owner_id|authorId|author_id|createdBy|created_by|creatorId|accountId|account_id|memberId|uid)\b/;
/** Fields that tie a row to its owner or its tenant. */
export const TENANT_FIELD =
  /^(teamId|team_id|tenantId|tenant_id|organizationId|organization_id|orgId|org_id|workspaceId|workspace_id|environmentId|environment_id|accountId|account_id|companyId|company_id|projectId|project_id|ownerId|owner_id|userId|user_id|authorId|createdById)$/;
/** Where the caller's identity comes from. */
export const CALLER =
  /\b(user|currentUser|session|actor|viewer|principal|auth|me|caller|identity|claims|ctx\.state|req\.user|tenant|membership)\b/i;

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/**
 * `doc.ownerId !== user.id`, `post.teamId === session.teamId`: one side reads an owner or tenant field, the
 * other the caller's identity. With `negatedOnly`, only the refusing form (`!==`, `!=`).
 */
export function isCallerComparison(node: ts.Node, sf: ts.SourceFile, negatedOnly = false): node is ts.BinaryExpression {
  if (!ts.isBinaryExpression(node) || !EQUALITY.has(node.operatorToken.kind)) return false;
  const op = node.operatorToken.kind;
  if (negatedOnly && op !== ts.SyntaxKind.ExclamationEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsToken) return false;
  const left = node.left.getText(sf);
  const right = node.right.getText(sf);
  const isOwnerSide = (text: string): boolean => OWNER_FIELD.test(text) || TENANT_FIELD.test(text.split('.').pop() ?? '');
  const callerSide = isOwnerSide(left) ? right : isOwnerSide(right) ? left : undefined;
  return callerSide !== undefined && CALLER.test(callerSide);
}

/**
 * The same comparison however it is written: sides in a fixed order, spacing and optional chaining folded,
 * the operator left out (`a !== b` refusing and `a === b` admitting are one check).
 */
export function comparisonKey(node: ts.BinaryExpression, sf: ts.SourceFile): string {
  const side = (e: ts.Expression): string => e.getText(sf).replace(/\s+/g, '').replace(/\?\./g, '.').replace(/!$/, '');
  return [side(node.left), side(node.right)].sort().join(' ~ ');
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
