import { ts } from '../../ts-morph-library.js';
import type { Unit } from '../../parse/units.js';

// Tree walks, all iterative: a deeply nested file (generated code, a long chain of `a + b + …`) must not
// overflow the stack. Every walk visits parents before children and children in source order, except
// `forEachNodeBottomUp`, which visits children first.

/** How a walk proceeds through the tree. */
interface WalkShape {
  /** Whether the walk goes into the children of `node` (it has been visited already). Default: always. */
  descend?(node: ts.Node): boolean;
  /** Whether a child is walked at all. Default: every child. */
  admit?(child: ts.Node): boolean;
}

/** The children of a node in source order. `forEachChild` stops at a truthy return: the callback returns nothing. */
function childrenOf(node: ts.Node): ts.Node[] {
  const children: ts.Node[] = [];
  ts.forEachChild(node, (child) => {
    children.push(child);
  });
  return children;
}

/** Pushes the children of `node` on `stack` so that they pop in source order (no array per node: walks are hot). */
function pushChildren(stack: ts.Node[], node: ts.Node, push: (child: ts.Node) => void): void {
  const mark = stack.length;
  ts.forEachChild(node, push);
  for (let i = mark, j = stack.length - 1; i < j; i++, j--) {
    const swap = stack[i]!;
    stack[i] = stack[j]!;
    stack[j] = swap;
  }
}

/** The core walk: pre-order from `roots`, stopping as soon as `visit` returns a value other than undefined. */
function preorder<T>(roots: readonly ts.Node[], visit: (node: ts.Node) => T | undefined, shape: WalkShape = {}): T | undefined {
  const stack: ts.Node[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]!);
  const admit = shape.admit;
  // `forEachChild` stops at a truthy return: the callbacks return nothing.
  const push = admit
    ? (child: ts.Node): void => {
        if (admit(child)) stack.push(child);
      }
    : (child: ts.Node): void => {
        stack.push(child);
      };
  while (stack.length > 0) {
    const node = stack.pop()!;
    const result = visit(node);
    if (result !== undefined) return result;
    if (shape.descend && !shape.descend(node)) continue;
    pushChildren(stack, node, push);
  }
  return undefined;
}

/** Visits `root` and every node below it. */
export function forEachNode(root: ts.Node, visit: (node: ts.Node) => void): void {
  preorder([root], (node) => {
    visit(node);
    return undefined;
  });
}

/** Visits every node below `root`, children before their parent (`root` itself last). */
export function forEachNodeBottomUp(root: ts.Node, visit: (node: ts.Node) => void): void {
  const stack: { node: ts.Node; expanded: boolean }[] = [{ node: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.expanded) {
      stack.pop();
      visit(top.node);
      continue;
    }
    top.expanded = true;
    const children = childrenOf(top.node);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, expanded: false });
  }
}

/** The nodes a unit owns: its own code, not the units nested in it (the module unit: its top level). */
function unitRoots(unit: Unit): ts.Node[] {
  return unit.kind === 'module' ? childrenOf(unit.node).filter((child) => !unit.nested.has(child)) : [unit.node];
}

/** Visits every node of a unit, not descending into the units nested in it. */
export function forEachNodeOfUnit(unit: Unit, visit: (node: ts.Node) => void): void {
  preorder(
    unitRoots(unit),
    (node) => {
      visit(node);
      return undefined;
    },
    { admit: (child) => !unit.nested.has(child) },
  );
}

/** Visits the nodes of `root`, not descending into nested functions (their code runs some other time). */
export function forEachOwnNode(root: ts.Node, visit: (node: ts.Node) => void): void {
  preorder(
    [root],
    (node) => {
      visit(node);
      return undefined;
    },
    { descend: (node) => node === root || !ts.isFunctionLike(node) },
  );
}

/** Where a find-first search looks. */
export interface SearchScope {
  /** Leave out nested functions below the root (`forEachOwnNode`'s view). */
  ownCode?: boolean;
  /** Start at the root's children rather than the root itself. */
  belowRoot?: boolean;
  /** Whether the search goes into a node's children (after `pick` saw the node). Default: always. */
  descend?(node: ts.Node): boolean;
}

/**
 * The first value `pick` gives for a node of `root` in pre-order, or undefined: the one find-first walk.
 * `pick` returns undefined to go on (a node that matches but yields nothing known keeps the search going).
 */
export function findFirst<T>(root: ts.Node, pick: (node: ts.Node) => T | undefined, scope: SearchScope = {}): T | undefined {
  const roots = scope.belowRoot ? childrenOf(root) : [root];
  const own = (node: ts.Node): boolean => node === root || !ts.isFunctionLike(node);
  const descend = scope.ownCode ? (scope.descend ? (node: ts.Node) => own(node) && scope.descend!(node) : own) : scope.descend;
  return preorder(roots, pick, descend ? { descend } : {});
}

/** The first node of `root` (pre-order) that satisfies the guard. */
export function findNode<T extends ts.Node>(root: ts.Node, guard: (node: ts.Node) => node is T, scope?: SearchScope): T | undefined;
export function findNode(root: ts.Node, test: (node: ts.Node) => boolean, scope?: SearchScope): ts.Node | undefined;
export function findNode(root: ts.Node, test: (node: ts.Node) => boolean, scope: SearchScope = {}): ts.Node | undefined {
  return findFirst(root, (node) => (test(node) ? node : undefined), scope);
}

/** Whether some node of `root` satisfies the test. */
export function someNode(root: ts.Node, test: (node: ts.Node) => boolean, scope: SearchScope = {}): boolean {
  return findNode(root, test, scope) !== undefined;
}

/** The first node of a unit (pre-order, nested units left out) that satisfies the guard. */
export function findNodeOfUnit<T extends ts.Node>(unit: Unit, guard: (node: ts.Node) => node is T): T | undefined;
export function findNodeOfUnit(unit: Unit, test: (node: ts.Node) => boolean): ts.Node | undefined;
export function findNodeOfUnit(unit: Unit, test: (node: ts.Node) => boolean): ts.Node | undefined {
  return preorder(unitRoots(unit), (node) => (test(node) ? node : undefined), { admit: (child) => !unit.nested.has(child) });
}

/** Identifier names mentioned in an expression. */
export function identifiersIn(node: ts.Node): Set<string> {
  const names = new Set<string>();
  forEachNode(node, (n) => {
    if (ts.isIdentifier(n)) names.add(n.text);
  });
  return names;
}

/** Whether the identifier `name` occurs in `node`. */
export function mentions(node: ts.Node, name: string): boolean {
  return someNode(node, (n) => ts.isIdentifier(n) && n.text === name);
}

/** The closest ancestor satisfying the guard, stopping at `stop`. */
export function ancestor<T extends ts.Node>(node: ts.Node, guard: (n: ts.Node) => n is T, stop?: ts.Node): T | undefined {
  for (let n = node.parent; n && n !== stop; n = n.parent) if (guard(n)) return n;
  return undefined;
}

/** The innermost function around a node. */
export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  let n: ts.Node | undefined = node.parent;
  while (n) {
    if (ts.isFunctionLike(n)) return n as ts.SignatureDeclaration;
    n = n.parent;
  }
  return undefined;
}

/** Whether the node sits inside `container` (a condition, an argument list). */
export function isWithin(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}
