import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { callerComparisonKeys, grantedRoles, refusesOtherOwners, widened } from '../../src/core/detect/vocab/ownership.js';
import { first, parse } from '../support/syntax.js';

const granted = (text: string) => {
  const call = first(text, ts.isCallExpression).node;
  return grantedRoles(call.arguments, (call.expression as ts.Identifier).text);
};

describe('vocab/ownership: roles passed as arguments', () => {
  it('reads literal role and permission lists, not actions on a resource', () => {
    expect(granted("requireRole('admin', 'editor');")).toEqual({ members: ['admin', 'editor'], mode: 'any' });
    expect(granted("authorize(['owner']);")).toEqual({ members: ['owner'], mode: 'any' });
    expect(granted('hasRole(user, Role.Admin);')).toEqual({ members: ['Role.Admin'], mode: 'any' });
    expect(granted("requirePermissions('invoice:read', 'invoice:write');")).toEqual({
      members: ['invoice:read', 'invoice:write'],
      mode: 'all',
    });
    expect(granted('requireRole();')).toEqual({ members: [], mode: 'any' });
    expect(granted("authorize(user, 'delete', doc);")).toBeUndefined();
    expect(granted("can(user, 'delete', doc);")).toBeUndefined();
    expect(granted('requireRole(role);')).toBeUndefined();
  });

  it('tells a list that admits more callers from one narrowed or rewritten', () => {
    const any = (...members: string[]) => ({ members, mode: 'any' as const });
    const all = (...members: string[]) => ({ members, mode: 'all' as const });
    expect(widened(any('admin'), any('admin', 'member'))).toBe('it now also admits member');
    expect(widened(any('admin'), any())).toBe('it no longer names admin');
    expect(widened(any('admin'), any('admin', '*'))).toBe('it now admits *');
    expect(widened(all('read', 'write'), all('read'))).toBe('it no longer requires write');
    expect(widened(any('admin', 'member'), any('admin'))).toBeUndefined();
    expect(widened(any('admin'), any('Role.Admin'))).toBeUndefined();
    expect(widened(all('read'), all('read', 'write'))).toBeUndefined();
  });
});

describe("vocab/ownership: a row's owner compared with the caller", () => {
  const refuses = (condition: string): boolean => {
    const { node, sf } = first(`if (${condition}) throw new Error('no');`, ts.isIfStatement);
    return refusesOtherOwners(node.expression, sf);
  };

  it('reads owner fields, owner objects and caller ids, converted to strings or compared with equals()', () => {
    expect(refuses('doc.ownerId !== user.id')).toBe(true);
    expect(refuses('String(task.owner) !== String(actorId)')).toBe(true);
    expect(refuses('post.author._id.toString() != currentUserId')).toBe(true);
    expect(refuses('`${doc.creator}` !== `${requesterId}`')).toBe(true);
    expect(refuses('!task.createdBy.equals(user._id)')).toBe(true);
    expect(refuses('!doc || !(doc.owner).equals(req.user.id)')).toBe(true);
    expect(refuses('!isSameUser(post.author, session.user)')).toBe(true);
    expect(refuses('!idsEqual(doc.ownerId, currentUserId)')).toBe(true);
  });

  it('needs the refusing form, an owner on one side and the caller on the other', () => {
    expect(refuses('doc.ownerId === user.id')).toBe(false);
    expect(refuses('task.owner.equals(user._id)')).toBe(false);
    expect(refuses('String(task.owner) !== String(otherTask.owner)')).toBe(false);
    expect(refuses('association.owner !== model')).toBe(false);
    expect(refuses('!a.equals(b)')).toBe(false);
    expect(refuses('!isSameModel(include.source, associationOwner)')).toBe(false);
    expect(refuses('!isSameUser(post.author, session.user, strict)')).toBe(false);
  });

  it('keys one comparison the same however its sides are converted or ordered', () => {
    const keys = (text: string): string[] => {
      const sf = parse(text);
      return [...callerComparisonKeys(sf, sf)];
    };
    expect(keys('const a = String(doc.owner) !== String(user._id); const b = user._id.toString() === doc.owner.toString();')).toEqual([
      'doc.owner ~ user._id',
    ]);
    expect(keys('const c = !doc.owner.equals(user._id);')).toEqual(['doc.owner ~ user._id']);
  });
});
