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
