import { MODULE_UNIT } from '../model.js';
import { ts } from '../ts-morph-library.js';
import { calleeSimpleName, calleeText, foldWhitespace, lineOf, propertyNameText } from '../detect/ast/text.js';
import type { Side } from '../model.js';

/**
 * A unit is the grain of comparison: a function, a method, an arrow function bound to a name, a class
 * field, a route or test registered with a string name, a class shell (decorators), or the module's top
 * level. Guardrails are inventoried per unit; a unit does not see inside the units nested in it.
 */
export interface Unit {
  file: string;
  side: Side;
  /** Qualified name: 'BillingClient.constructor', 'router.post("documents.update")', '<module>'. */
  name: string;
  kind: 'function' | 'method' | 'field' | 'call' | 'class' | 'module';
  node: ts.Node;
  sourceFile: ts.SourceFile;
  exported: boolean;
  startLine: number;
  endLine: number;
  /** The unit's own text with whitespace folded (nested units included): what pairing compares. */
  text: string;
  /** Simple names of the functions this unit calls: how a guardrail moved into a helper is found. */
  calls: Set<string>;
  /** Roots of units nested inside this one, not walked when inventorying this unit. */
  nested: Set<ts.Node>;
  /** Parameter names, for detectors that need to know what is input. */
  params: string[];
}

export { MODULE_UNIT };

/** Cuts a parsed file into units. */
export function extractUnits(sourceFile: ts.SourceFile, file: string, side: Side): Unit[] {
  const units: Unit[] = [];
  const roots = new Set<ts.Node>();
  const seen = new Map<string, number>();

  const add = (name: string, kind: Unit['kind'], node: ts.Node, exported: boolean, parent: Unit | undefined): Unit => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    const unit: Unit = {
      file,
      side,
      name: count > 1 ? `${name}#${count}` : name,
      kind,
      node,
      sourceFile,
      exported,
      startLine: lineOf(sourceFile, node.getStart(sourceFile)),
      endLine: lineOf(sourceFile, node.getEnd()),
      text: foldWhitespace(node.getText(sourceFile)),
      calls: new Set(),
      nested: new Set(),
      params: paramsOf(node),
    };
    units.push(unit);
    roots.add(node);
    parent?.nested.add(node);
    return unit;
  };

  const moduleUnit: Unit = {
    file,
    side,
    name: MODULE_UNIT,
    kind: 'module',
    node: sourceFile,
    sourceFile,
    exported: true,
    startLine: 1,
    endLine: lineOf(sourceFile, sourceFile.getEnd()),
    text: foldWhitespace(sourceFile.getText()),
    calls: new Set(),
    nested: new Set(),
    params: [],
  };

  let exportedByName: Set<string> | undefined;
  const isExportedByName = (name: string): boolean => (exportedByName ??= namesExportedByName(sourceFile.text)).has(name);

  // Iterative, parents before children in source order: the order units are numbered (`name#2`) and
  // their calls are recorded in.
  const stack: { node: ts.Node; prefix: string; parent: Unit }[] = [];
  const pushChildren = (node: ts.Node, prefix: string, parent: Unit): void => {
    const children: ts.Node[] = [];
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, prefix, parent });
  };
  pushChildren(sourceFile, '', moduleUnit);
  while (stack.length > 0) {
    const { node, prefix, parent } = stack.pop()!;
    const named = unitOf(node, sourceFile);
    let current = parent;
    let childPrefix = prefix;
    if (named) {
      const name = prefix ? `${prefix}.${named.name}` : named.name;
      current = add(
        name,
        named.kind,
        node,
        named.exported || (parent === moduleUnit && isExportedByName(named.name)),
        parent === moduleUnit ? undefined : parent,
      );
      if (parent === moduleUnit) moduleUnit.nested.add(node);
      childPrefix = name;
    } else if (ts.isCallExpression(node)) {
      const callee = calleeSimpleName(node.expression);
      if (callee) current.calls.add(callee);
      // `logger.info(…)`, `client.get(…)`: the object called on is reached too (its configuration applies).
      const receiver = receiverName(node.expression);
      if (receiver) current.calls.add(receiver);
    } else if (ts.isNewExpression(node)) {
      const callee = calleeSimpleName(node.expression);
      if (callee) current.calls.add(callee);
    }
    if (ts.isCallExpression(node) && named) {
      // The route/test registration itself is the unit: its calls count too.
      const callee = calleeSimpleName(node.expression);
      if (callee) current.calls.add(callee);
    }
    pushChildren(node, childPrefix, current);
  }

  return [moduleUnit, ...units];
}

interface NamedUnit {
  name: string;
  kind: Unit['kind'];
  exported: boolean;
}

function unitOf(node: ts.Node, sourceFile: ts.SourceFile): NamedUnit | undefined {
  if (ts.isFunctionDeclaration(node) && node.body) {
    return { name: node.name?.text ?? 'default', kind: 'function', exported: hasExport(node) };
  }
  if (ts.isClassDeclaration(node) || (ts.isClassExpression(node) && ts.isVariableDeclaration(node.parent))) {
    const name =
      node.name?.text ?? (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent.name.text : 'default');
    return { name, kind: 'class', exported: ts.isClassDeclaration(node) && hasExport(node) };
  }
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    if (!node.body) return undefined;
    const base = propertyNameText(node.name, sourceFile);
    const described = ts.isMethodDeclaration(node) ? describedProperty(node, base, sourceFile) : undefined;
    const name = ts.isGetAccessorDeclaration(node)
      ? `get ${base}`
      : ts.isSetAccessorDeclaration(node)
        ? `set ${base}`
        : described
          ? `${base} ${described}`
          : base;
    return { name, kind: 'method', exported: false };
  }
  if (ts.isConstructorDeclaration(node) && node.body) {
    return { name: 'constructor', kind: 'method', exported: false };
  }
  if (ts.isPropertyDeclaration(node)) {
    return {
      name: propertyNameText(node.name, sourceFile),
      kind: node.initializer && isFunctionValue(node.initializer) ? 'method' : 'field',
      exported: false,
    };
  }
  // Inside a function only a bound function is a unit of its own: `const timer = setTimeout(() => …)`
  // and `const req = https.request(url, (res) => …)` stay part of the function whose guardrail they are.
  if (
    ts.isVariableDeclaration(node) &&
    ts.isIdentifier(node.name) &&
    node.initializer &&
    (isModuleLevel(node) ? holdsCode(node.initializer) : isFunctionValue(skipOuter(node.initializer)))
  ) {
    const statement = node.parent?.parent;
    const exported = statement !== undefined && ts.isVariableStatement(statement) && hasExport(statement);
    return { name: node.name.text, kind: 'function', exported };
  }
  if (
    ts.isVariableDeclaration(node) &&
    ts.isIdentifier(node.name) &&
    node.initializer &&
    isModuleLevel(node) &&
    holdsConfiguration(node.initializer)
  ) {
    // `export const client = axios.create({ timeout })`, `const Body = z.object({...})`: named configuration.
    const statement = node.parent.parent;
    return { name: node.name.text, kind: 'field', exported: ts.isVariableStatement(statement) && hasExport(statement) };
  }
  if (ts.isPropertyAssignment(node) && isFunctionValue(node.initializer)) {
    const base = propertyNameText(node.name, sourceFile);
    const described = describedProperty(node, base, sourceFile);
    return { name: described ? `${base} ${described}` : base, kind: 'method', exported: false };
  }
  const assignedTo = isFunctionValue(node) ? moduleLevelMemberAssignment(node, sourceFile) : undefined;
  if (assignedTo) {
    // `Model.prototype.save = function save() {…}`, `exports.parse = (text) => …`: a method defined by
    // assignment, the way CommonJS code writes classes and exports. Reachable through the object it is set on.
    return { name: assignedTo, kind: 'method', exported: true };
  }
  const configured = moduleLevelConfiguration(node);
  if (configured) {
    // `api.defaults.timeout = 8000`, `axios.defaults.timeout = 5000`: configuration every call through that object
    // gets, set after it was made. It belongs to the object, reached by its name as its declaration is.
    return { name: configured, kind: 'field', exported: false };
  }
  if (ts.isExportAssignment(node) && holdsCode(node.expression)) {
    return { name: 'default', kind: 'function', exported: true };
  }
  // `await t.test("x", …)`: node's test runner awaits subtests; the registration is the same.
  if (
    ts.isCallExpression(node) &&
    (ts.isExpressionStatement(node.parent) || (ts.isAwaitExpression(node.parent) && ts.isExpressionStatement(node.parent.parent)))
  ) {
    // Routes and tests are registered with a name and a function: router.post("documents.update", ...),
    // it("retries twice", ...). Their handler is the unit, named by the registration.
    const first = node.arguments[0];
    if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) && node.arguments.some(isFunctionValue)) {
      return { name: `${calleeText(node.expression, sourceFile)}(${JSON.stringify(first.text)})`, kind: 'call', exported: false };
    }
  }
  return undefined;
}

/**
 * The property an accessor of a property descriptor is for: `sent` for the `set(value) {…}` of
 * `Object.defineProperties(proto, { sent: { get() {…}, set(value) {…} } })` or of
 * `Object.defineProperty(proto, 'sent', { set(value) {…} })`. Named `set sent` like a class's accessor, so
 * that the setters of two properties of one descriptor map are not paired with each other.
 */
function describedProperty(
  member: ts.MethodDeclaration | ts.PropertyAssignment,
  name: string,
  sourceFile: ts.SourceFile,
): string | undefined {
  if (name !== 'get' && name !== 'set') return undefined;
  const descriptor = member.parent;
  if (!ts.isObjectLiteralExpression(descriptor)) return undefined;
  const holder = descriptor.parent;
  if (ts.isPropertyAssignment(holder) && holder.initializer === descriptor && ts.isObjectLiteralExpression(holder.parent))
    return propertyNameText(holder.name, sourceFile);
  if (ts.isCallExpression(holder) && holder.arguments.length === 3 && holder.arguments[2] === descriptor) {
    const key = holder.arguments[1]!;
    return ts.isStringLiteralLike(key) ? key.text : undefined;
  }
  return undefined;
}

/**
 * The member a function is assigned to by a statement of the module's top level (`A.prototype.b = function`,
 * `exports.c = () => …`), as written with whitespace folded; undefined for any other function.
 */
function moduleLevelMemberAssignment(fn: ts.Node, sourceFile: ts.SourceFile): string | undefined {
  let value: ts.Node = fn;
  while (ts.isParenthesizedExpression(value.parent)) value = value.parent;
  const assignment = value.parent;
  if (
    !ts.isBinaryExpression(assignment) ||
    assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken ||
    assignment.right !== value ||
    !ts.isExpressionStatement(assignment.parent) ||
    !ts.isSourceFile(assignment.parent.parent)
  )
    return undefined;
  let target: ts.Expression = assignment.left;
  while (ts.isPropertyAccessExpression(target)) target = target.expression;
  if (!ts.isPropertyAccessExpression(assignment.left) || !ts.isIdentifier(target)) return undefined;
  return assignment.left.getText(sourceFile).replace(/\s+/g, '');
}

/**
 * The object a statement of the module's top level configures by assigning to one of its members
 * (`client.defaults.timeout = 5000`, `queue.defaultJobOptions = {…}`): its name; undefined for anything else.
 * Functions set this way are methods (moduleLevelMemberAssignment); `exports`/`module` are how a file exports.
 */
function moduleLevelConfiguration(node: ts.Node): string | undefined {
  if (!ts.isExpressionStatement(node) || !ts.isSourceFile(node.parent)) return undefined;
  const assignment = node.expression;
  if (!ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  if (!ts.isPropertyAccessExpression(assignment.left) && !ts.isElementAccessExpression(assignment.left)) return undefined;
  if (isFunctionValue(skipOuter(assignment.right))) return undefined;
  let target: ts.Expression = assignment.left;
  while (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) target = target.expression;
  if (!ts.isIdentifier(target) || target.text === 'exports' || target.text === 'module') return undefined;
  return target.text;
}

function isModuleLevel(node: ts.VariableDeclaration): boolean {
  const statement = node.parent?.parent;
  return statement !== undefined && ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent);
}

/** A module-level initializer that configures something: a call, a `new`, an object or array literal. */
function holdsConfiguration(expression: ts.Expression): boolean {
  const inner = skipOuter(expression);
  return (
    ts.isCallExpression(inner) ||
    ts.isNewExpression(inner) ||
    ts.isObjectLiteralExpression(inner) ||
    ts.isArrayLiteralExpression(inner) ||
    ts.isAwaitExpression(inner)
  );
}

/** A variable initializer that is code worth a unit: a function, or a call wrapping one (withAuth(async () => …)). */
function holdsCode(expression: ts.Expression): boolean {
  const inner = skipOuter(expression);
  if (isFunctionValue(inner)) return true;
  if (ts.isCallExpression(inner))
    return inner.arguments.some(
      (a) =>
        isFunctionValue(skipOuter(a)) ||
        (ts.isObjectLiteralExpression(a) &&
          a.properties.some((p) => ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && isFunctionValue(p.initializer)))),
    );
  if (ts.isObjectLiteralExpression(inner))
    return inner.properties.some((p) => ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && isFunctionValue(p.initializer)));
  if (ts.isClassExpression(inner)) return true;
  return false;
}

function skipOuter(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isTypeAssertionExpression(e) ||
    ts.isNonNullExpression(e)
  )
    e = e.expression;
  return e;
}

export function isFunctionValue(node: ts.Node): boolean {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

function hasExport(node: ts.Node): boolean {
  const modifiers = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

/** How far past `module.exports` the names it exports are looked for (up to the next `;`). */
const MODULE_EXPORTS_REACH = 20_000;

/**
 * The names a file exports by name rather than with an `export` modifier: `export { f }`,
 * `module.exports = { f }`, `exports.f = …`, `export default f`. Computed once per file, in one pass
 * each, so that a file of many top-level functions costs no more than its length.
 */
function namesExportedByName(text: string): Set<string> {
  const names = new Set<string>();
  const addIdentifiers = (segment: string): void => {
    for (const match of segment.matchAll(/[A-Za-z_$][\w$]*/g)) names.add(match[0]);
  };
  if (text.includes('export')) {
    for (const match of text.matchAll(/export\s*\{([^}]*)\}/g)) addIdentifiers(match[1]!);
    for (const match of text.matchAll(/export\s+default\s+([A-Za-z_$][\w$]*)/g)) names.add(match[1]!);
  }
  if (text.includes('exports')) {
    for (const match of text.matchAll(/(?<![\w$])exports\.([A-Za-z_$][\w$]*)/g)) names.add(match[1]!);
    let from = 0;
    for (let at = text.indexOf('module.exports', from); at >= 0; at = text.indexOf('module.exports', from)) {
      const semicolon = text.indexOf(';', at);
      const end = Math.min(semicolon < 0 ? text.length : semicolon, at + MODULE_EXPORTS_REACH);
      addIdentifiers(text.slice(at + 14, end));
      from = Math.max(end, at + 14);
    }
  }
  return names;
}

function paramsOf(node: ts.Node): string[] {
  let fn: ts.Node | undefined = node;
  if (ts.isVariableDeclaration(node) || ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) fn = node.initializer;
  if (fn && ts.isCallExpression(fn)) fn = fn.arguments.find(isFunctionValue);
  if (ts.isCallExpression(node)) fn = node.arguments.find(isFunctionValue);
  if (fn && ts.isExpression(fn)) fn = skipOuter(fn);
  if (!fn || !ts.isFunctionLike(fn)) return [];
  const names: string[] = [];
  for (const p of fn.parameters) collectBindingNames(p.name, names);
  return names;
}

function collectBindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collectBindingNames(element.name, out);
}

/** The root identifier of a method call's receiver: `this.client.get` → `client`, `logger.info` → `logger`. */
function receiverName(expression: ts.Expression): string | undefined {
  if (!ts.isPropertyAccessExpression(expression)) return undefined;
  let e: ts.Expression = expression.expression;
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) return e.name.text;
  while (ts.isPropertyAccessExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : undefined;
}
