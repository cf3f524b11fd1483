import { ts } from '../../ts-morph-library.js';

/**
 * A semantic model of a database migration: the schema operations it performs, read from SQL with the real
 * Postgres parser (a `.sql` file, Prisma's `migration.sql`, or SQL strings inside a TypeScript migration) and
 * from the schema-builder calls of knex, TypeORM's QueryRunner, Sequelize's QueryInterface and MikroORM.
 */

/** Postgres' own parser (libpg-query), loaded by an adapter and passed in: the core does no I/O. */
export type SqlParser = (sql: string) => { stmts?: { stmt?: Record<string, unknown>; stmt_location?: number }[] };

export type MigrationOp =
  | { op: 'drop-table'; table: string; line: number }
  | { op: 'rename-table'; table: string; to: string; line: number }
  | { op: 'drop-column'; table: string; column: string; line: number }
  | { op: 'rename-column'; table: string; column: string; to: string; line: number }
  | { op: 'create-table'; table: string; line: number }
  | { op: 'add-not-null-column'; table: string; column: string; line: number }
  | { op: 'set-not-null'; table: string; column: string; line: number }
  | { op: 'create-index'; table: string; name: string; concurrent: boolean; line: number };

export interface MigrationModel {
  ops: MigrationOp[];
  /** What the migration does, without positions, comments or layout: two versions that differ here differ in effect. */
  signature: string;
  /** SQL that could not be parsed, with the reason (the rest of the file is still read). */
  unparsed: string[];
}

const MIGRATION_DIR = /(^|\/)(migrations?|migrate|db\/migrate)\//i;
const FLYWAY_NAME = /(^|\/)[VU]\d+(?:[._]\d+)*__[^/]+\.sql$/;
const DRIZZLE_NAME = /(^|\/)drizzle\/\d{4}_[^/]+\.sql$/;
const SCRIPT_EXT = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** Whether a path is a migration: a `.sql` or script file in a migrations folder, or a Flyway/drizzle file. */
export function isMigrationPath(path: string): boolean {
  if (/\.d\.ts$/.test(path) || /(^|\/)node_modules\//.test(path)) return false;
  if (FLYWAY_NAME.test(path) || DRIZZLE_NAME.test(path)) return true;
  if (!MIGRATION_DIR.test(path)) return false;
  if (path.endsWith('.sql')) return true;
  if (!SCRIPT_EXT.test(path) || /\.(test|spec)\.\w+$/.test(path)) return false;
  // A migration script is named by its order (`20261121_add_x.ts`, `1732190000000-Rename.ts`, MikroORM's
  // `Migration20261121093000.ts`) or sits in a folder that is; the rest of a `migrations/` folder is the
  // migration tool's own code (a migrate engine, its helpers), not a migration.
  const segments = path.split('/');
  const name = segments[segments.length - 1]!;
  const folder = segments[segments.length - 2] ?? '';
  return /^(\d{3,}|Migration\d{6,}|V\d+)/.test(name) || /^\d{6,}/.test(folder);
}

/** A down migration undoes an up one: its drops are its purpose. */
export function isDownMigration(path: string): boolean {
  return /(^|\/|[._-])down\.sql$|(^|\/)down\//i.test(path);
}

/** Byte offsets (what libpg-query reports) to character offsets, then to 1-based lines. */
function lineAtByte(text: string, byteOffset: number): number {
  let bytes = 0;
  let line = 1;
  for (let i = 0; i < text.length && bytes < byteOffset; i++) {
    const code = text.charCodeAt(i);
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdbff ? (i++, 4) : 3;
    if (code === 10) line++;
  }
  return line;
}

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/** Parses one version of a migration file. */
export function readMigration(path: string, text: string, parser: SqlParser | undefined): MigrationModel {
  if (path.endsWith('.sql')) {
    const model: MigrationModel = { ops: [], signature: '', unparsed: [] };
    readSql(text, 1, parser, model, (offset) => lineAtByte(text, offset));
    return model;
  }
  return readScriptMigration(path, text, parser);
}

function readSql(
  sql: string,
  baseLine: number,
  parser: SqlParser | undefined,
  model: MigrationModel,
  lineOf?: (byteOffset: number) => number,
): void {
  // Only comments and blank lines (libpg-query rejects an empty query): nothing to read.
  if (foldSql(sql.replace(/\/\*[\s\S]*?\*\//g, '')) === '') return;
  if (!parser) {
    model.unparsed.push('no SQL parser was available');
    model.signature += `\n${foldSql(sql)}`;
    return;
  }
  let parsed;
  try {
    parsed = parser(sql);
  } catch (error) {
    model.unparsed.push(error instanceof Error ? error.message : String(error));
    model.signature += `\n${foldSql(sql)}`;
    return;
  }
  const at = lineOf ?? ((offset: number) => baseLine + lineAtByte(sql, offset) - 1);
  for (const entry of parsed.stmts ?? []) {
    const stmt = entry.stmt ?? {};
    const line = at((entry.stmt_location ?? 0) + leadingTrivia(sql, entry.stmt_location ?? 0));
    model.ops.push(...opsOfStatement(stmt, line));
    model.signature += `\n${JSON.stringify(stmt, (key, value: unknown) => (key === 'location' ? undefined : value))}`;
  }
}

/** A statement's location includes the comments and blank lines before it; the line we want is its first word. */
function leadingTrivia(sql: string, byteOffset: number): number {
  const rest = sql.slice(byteOffset); // close enough for the ASCII of comments and whitespace
  const match = /^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/.exec(rest);
  return match ? match[0].length : 0;
}

const foldSql = (sql: string): string =>
  sql
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

type PgNode = Record<string, unknown>;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function opsOfStatement(stmt: PgNode, line: number): MigrationOp[] {
  const [kind, body] = Object.entries(stmt)[0] ?? [];
  const node = (body ?? {}) as PgNode;
  const relation = (node.relation ?? {}) as PgNode;
  const table = str(relation.relname);
  switch (kind) {
    case 'DropStmt': {
      if (node.removeType !== 'OBJECT_TABLE') return [];
      return ((node.objects ?? []) as PgNode[]).map((object) => {
        const items = (((object.List as PgNode | undefined)?.items ?? []) as PgNode[]).map((i) =>
          str((i.String as PgNode | undefined)?.sval),
        );
        return { op: 'drop-table' as const, table: items[items.length - 1] ?? '', line };
      });
    }
    case 'RenameStmt':
      if (node.renameType === 'OBJECT_TABLE') return [{ op: 'rename-table', table, to: str(node.newname), line }];
      if (node.renameType === 'OBJECT_COLUMN')
        return [{ op: 'rename-column', table, column: str(node.subname), to: str(node.newname), line }];
      return [];
    case 'CreateStmt':
      return [{ op: 'create-table', table, line }];
    case 'IndexStmt':
      return [{ op: 'create-index', table, name: str(node.idxname), concurrent: node.concurrent === true, line }];
    case 'AlterTableStmt': {
      if (node.objtype !== 'OBJECT_TABLE') return [];
      const ops: MigrationOp[] = [];
      for (const wrapped of (node.cmds ?? []) as PgNode[]) {
        const cmd = (wrapped.AlterTableCmd ?? {}) as PgNode;
        if (cmd.subtype === 'AT_DropColumn') ops.push({ op: 'drop-column', table, column: str(cmd.name), line });
        if (cmd.subtype === 'AT_SetNotNull') ops.push({ op: 'set-not-null', table, column: str(cmd.name), line });
        if (cmd.subtype === 'AT_AddColumn') {
          const def = ((cmd.def as PgNode | undefined)?.ColumnDef ?? {}) as PgNode;
          const types = (((def.typeName as PgNode | undefined)?.names ?? []) as PgNode[]).map((n) =>
            str((n.String as PgNode | undefined)?.sval),
          );
          const constraints = ((def.constraints ?? []) as PgNode[]).map((c) => str((c.Constraint as PgNode | undefined)?.contype));
          const generatesValue =
            constraints.some((c) => c === 'CONSTR_DEFAULT' || c === 'CONSTR_IDENTITY' || c === 'CONSTR_GENERATED') ||
            types.some((t) => /serial$/.test(t));
          if (constraints.includes('CONSTR_NOTNULL') && !generatesValue)
            ops.push({ op: 'add-not-null-column', table, column: str(def.colname), line });
        }
      }
      return ops;
    }
    default:
      return [];
  }
}

/** Calls whose first string argument is SQL. */
const SQL_CALLS = new Set(['raw', 'query', 'addSql', 'execute', 'executeRaw', 'unsafe', '$executeRawUnsafe', '$executeRaw', 'sql']);

/**
 * A TypeScript or JavaScript migration: the `up` direction only (its `down` undoes it on purpose), SQL strings
 * given to knex `.raw`, TypeORM `queryRunner.query`, MikroORM `this.addSql`, Sequelize `sequelize.query`, and
 * the schema-builder calls of knex, TypeORM and Sequelize.
 */
function readScriptMigration(path: string, text: string, parser: SqlParser | undefined): MigrationModel {
  const model: MigrationModel = { ops: [], signature: '', unparsed: [] };
  const sourceFile = ts.createSourceFile(
    path,
    text,
    ts.ScriptTarget.Latest,
    true,
    path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const upBodies = findUpBodies(sourceFile);
  const roots: ts.Node[] = upBodies.length ? upBodies : [sourceFile];
  const line = (node: ts.Node): number => lineAt(text, node.getStart(sourceFile));
  const signatureParts: string[] = [];
  const visit = (node: ts.Node, createdTable?: string): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      const args = node.arguments;
      const literal = (index: number): string | undefined => {
        const arg = args[index];
        return arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))
          ? arg.text
          : arg && ts.isTemplateExpression(arg)
            ? templateText(arg)
            : undefined;
      };
      if (SQL_CALLS.has(name) && literal(0) !== undefined) {
        readSql(literal(0)!, line(args[0]!), parser, model);
      } else {
        model.ops.push(...builderOps(name, node, literal, line(node), createdTable));
        // `schema.createTable('t', (table) => { ... })`: columns added inside are on a new table.
        const table = /^(createTable|createTableIfNotExists)$/.test(name) ? literal(0) : createdTable;
        signatureParts.push(`${name}(${args.map((a) => a.getText(sourceFile)).join(',')})`.replace(/\s+/g, ''));
        ts.forEachChild(node, (child) => visit(child, table));
        return;
      }
    }
    if (ts.isTaggedTemplateExpression(node) && /(^|\.)sql$/.test(node.tag.getText(sourceFile))) {
      const template = node.template;
      readSql(ts.isNoSubstitutionTemplateLiteral(template) ? template.text : templateText(template), line(template), parser, model);
      return;
    }
    ts.forEachChild(node, (child) => visit(child, createdTable));
  };
  roots.forEach((root) => visit(root));
  model.signature += `\n${signatureParts.join('\n')}`;
  return model;
}

/** `${...}` in a SQL template becomes a placeholder the parser accepts where a name or value goes. */
function templateText(template: ts.TemplateExpression): string {
  return template.head.text + template.templateSpans.map((span) => `placeholder${span.literal.text}`).join('');
}

function findUpBodies(sourceFile: ts.SourceFile): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    const named = (n: ts.PropertyName | ts.BindingName | undefined): boolean =>
      n !== undefined && (ts.isIdentifier(n) || ts.isStringLiteral(n)) && n.text === 'up';
    if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && named(node.name) && node.body) found.push(node.body);
    else if (
      (ts.isPropertyAssignment(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) &&
      named(node.name) &&
      node.initializer
    )
      found.push(node.initializer);
    else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      /(^|\.)up$/.test(node.left.getText(sourceFile))
    )
      found.push(node.right);
    else ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** The table a knex `schema.table('t', (table) => ...)`/`alterTable` callback works on, found from a call inside it. */
function enclosingBuilderTable(
  node: ts.Node,
  literalOf: (call: ts.CallExpression) => string | undefined,
): { table?: string; created: boolean } {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
      const name = current.expression.name.text;
      if (['table', 'alterTable', 'createTable', 'createTableIfNotExists'].includes(name)) {
        return { table: literalOf(current), created: name.startsWith('create') };
      }
    }
  }
  return { created: false };
}

function builderOps(
  name: string,
  call: ts.CallExpression,
  literal: (index: number) => string | undefined,
  line: number,
  createdTable: string | undefined,
): MigrationOp[] {
  const firstLiteral = (c: ts.CallExpression): string | undefined => {
    const arg = c.arguments[0];
    return arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) ? arg.text : undefined;
  };
  const argCount = call.arguments.length;
  switch (name) {
    case 'dropTable':
    case 'dropTableIfExists':
      return literal(0) ? [{ op: 'drop-table', table: literal(0)!, line }] : [];
    case 'renameTable':
      return literal(0) && literal(1) ? [{ op: 'rename-table', table: literal(0)!, to: literal(1)!, line }] : [];
    case 'createTable':
    case 'createTableIfNotExists':
      return literal(0) ? [{ op: 'create-table', table: literal(0)!, line }] : [];
    case 'dropColumn':
    case 'dropColumns':
    case 'removeColumn': {
      // knex: table.dropColumn('c') inside schema.table('t', ...); TypeORM/Sequelize: dropColumn('t', 'c').
      if (argCount >= 2 && literal(0) && literal(1) && name !== 'dropColumns')
        return [{ op: 'drop-column', table: literal(0)!, column: literal(1)!, line }];
      const { table } = enclosingBuilderTable(call, firstLiteral);
      if (!table) return [];
      return call.arguments.flatMap((_, i) => (literal(i) ? [{ op: 'drop-column' as const, table, column: literal(i)!, line }] : []));
    }
    case 'renameColumn': {
      if (argCount >= 3 && literal(0) && literal(1) && literal(2))
        return [{ op: 'rename-column', table: literal(0)!, column: literal(1)!, to: literal(2)!, line }];
      const { table } = enclosingBuilderTable(call, firstLiteral);
      return table && literal(0) && literal(1) ? [{ op: 'rename-column', table, column: literal(0)!, to: literal(1)!, line }] : [];
    }
    case 'notNullable': {
      // table.string('c').notNullable() in an existing table, with no defaultTo in the chain.
      if (createdTable) return [];
      const { table, created } = enclosingBuilderTable(call, firstLiteral);
      if (!table || created) return [];
      const chain = chainOf(call);
      if (chain.some((c) => /^(defaultTo|alter|primary|increments|bigIncrements)$/.test(c.name))) return [];
      const column = chain.find((c) => c.column)?.column;
      return column ? [{ op: 'add-not-null-column', table, column, line }] : [];
    }
    case 'addColumn': {
      // Sequelize: queryInterface.addColumn('t', 'c', { allowNull: false }) with no defaultValue.
      const options = call.arguments[2];
      if (!literal(0) || !literal(1) || !options || !ts.isObjectLiteralExpression(options)) return [];
      const props = new Map(options.properties.filter(ts.isPropertyAssignment).map((p) => [p.name.getText(), p.initializer.getText()]));
      if (props.get('allowNull') === 'false' && !props.has('defaultValue') && !props.has('autoIncrement')) {
        return [{ op: 'add-not-null-column', table: literal(0)!, column: literal(1)!, line }];
      }
      return [];
    }
    case 'addIndex': {
      // Sequelize: addIndex('t', [...], { concurrently: true })
      if (!literal(0)) return [];
      const options = call.arguments[call.arguments.length - 1];
      const concurrent = !!options && ts.isObjectLiteralExpression(options) && /concurrently\s*:\s*true/.test(options.getText());
      return [{ op: 'create-index', table: literal(0)!, name: '', concurrent, line }];
    }
    default:
      return [];
  }
}

/** The calls of a builder chain ending at `call`: table.string('c').notNullable() → [string('c'), notNullable()]. */
function chainOf(call: ts.CallExpression): { name: string; column?: string }[] {
  const out: { name: string; column?: string }[] = [];
  // walk down to the start, then up past the end
  let current: ts.Expression = call;
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
    const arg = current.arguments[0];
    const column = arg && ts.isStringLiteral(arg) ? arg.text : undefined;
    out.push({ name: current.expression.name.text, ...(column ? { column } : {}) });
    current = current.expression.expression;
  }
  let parent: ts.Node = call;
  while (ts.isPropertyAccessExpression(parent.parent) && ts.isCallExpression(parent.parent.parent)) {
    parent = parent.parent.parent;
    out.push({ name: ((parent as ts.CallExpression).expression as ts.PropertyAccessExpression).name.text });
  }
  return out;
}

let loadedParser: SqlParser | undefined;

/**
 * Loads Postgres' parser (libpg-query, WebAssembly) once. Asynchronous because WebAssembly compiles so; the
 * collect step awaits it when a pull request touches a migration, as it awaits the import lexer. The bundle
 * ships libpg-query.wasm beside itself (scripts/build.mjs), where the module looks for it.
 */
export async function loadSqlParser(): Promise<void> {
  if (loadedParser) return;
  const module = await import('libpg-query');
  await module.loadModule();
  loadedParser = (sql) => module.parseSync(sql) as ReturnType<SqlParser>;
}

/** The parser, once loadSqlParser has run; undefined before. */
export function sqlParser(): SqlParser | undefined {
  return loadedParser;
}

/** The globs of migration files (isMigrationPath decides within them). */
export const MIGRATION_GLOBS = [
  '**/{migrations,migration,migrate}/**/*.{sql,ts,mts,cts,js,mjs,cjs}',
  '**/V*__*.sql',
  '**/U*__*.sql',
  '**/drizzle/*.sql',
];

/** Source files whose code may read a table or column; tests, migrations and declarations excluded by the reader. */
export const SOURCE_GLOB = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}';

/** One side of a changed migration, parsed; throws UnreadableFileError for SQL no parser could read. */
export function migrationSide(path: string, text: string | undefined): MigrationModel | undefined {
  if (text === undefined) return undefined;
  return readMigration(path, text, loadedParser);
}

/** Words to search the code for a table or column by: its SQL name and the camelCase name an ORM maps it to. */
export function nameVariants(name: string): string[] {
  const camel = name.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  return [...new Set([name, camel])].filter((w) => w.length >= 3);
}

/** The operations a changed migration adds: all of an added file's, and those a modified file did not have. */
export function newOps(base: MigrationModel | undefined, head: MigrationModel | undefined): MigrationOp[] {
  if (!head) return [];
  const before = new Set((base?.ops ?? []).map(opIdentity));
  return head.ops.filter((op) => !before.has(opIdentity(op)));
}

export function opIdentity(op: MigrationOp): string {
  const { line, ...rest } = op;
  void line;
  return JSON.stringify(rest);
}

/** Tables the pull request's migrations create: a change to one of those touches no running release. */
export function tablesCreatedByPullRequest(
  changed: readonly { path: string; status: string }[],
  read: (path: string) => string | undefined,
): Set<string> {
  const created = new Set<string>();
  for (const file of changed) {
    if (file.status === 'deleted' || !isMigrationPath(file.path)) continue;
    const text = read(file.path);
    if (text === undefined) continue;
    for (const op of readMigration(file.path, text, loadedParser).ops) if (op.op === 'create-table') created.add(op.table.toLowerCase());
  }
  return created;
}
