import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { grantedRoles, widened } from '../../src/core/detect/vocab/ownership.js';
import { first } from '../support/syntax.js';

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
