import { ts } from '../../ts-morph-library.js';
import { nameVariants } from './migration.js';

/**
 * Who in a revision's code still reads a table or a column: the evidence that dropping or renaming it breaks
 * the release that is still running while a migration is applied. Read from syntax (string literals, property
 * names, identifiers; never comments) and from a Prisma schema, whose client selects every scalar field of a
 * model by default: a field still in the base schema is read by every query of that model.
 */
export interface Reader {
  path: string;
  line: number;
  /** The line of code, trimmed, as evidence. */
  excerpt: string;
  via: 'code' | 'prisma-schema';
}

/** Column names too common to count as a reader when they appear as a bare identifier. */
const COMMON_NAMES = new Set([
  'id',
  'name',
  'type',
  'status',
  'value',
  'data',
  'email',
  'title',
  'key',
  'code',
  'state',
  'kind',
  'label',
  'description',
  'created',
  'updated',
  'deleted',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'created_at',
  'updated_at',
  'deleted_at',
  'user',
  'users',
  'order',
  'orders',
  'items',
  'count',
  'active',
  'enabled',
  'version',
  'position',
  'url',
  'path',
  'body',
  'content',
  'text',
]);

/** Forms an ORM gives a table's model: `user_profiles` → userProfiles, user_profile, UserProfile, userProfile. */
export function tableVariants(table: string): string[] {
  const singular = table.replace(/ies$/, 'y').replace(/(?<!s)s$/, '');
  const forms = [...nameVariants(table), ...nameVariants(singular)];
  const pascal = forms.map((f) => f.charAt(0).toUpperCase() + f.slice(1));
  return [...new Set([...forms, ...pascal])].filter((w) => w.length >= 3);
}

const wordIn = (text: string, word: string): boolean =>
  new RegExp(`(^|[^A-Za-z0-9_])${word.replace(/[$]/g, '\\$')}($|[^A-Za-z0-9_])`).test(text);

/** The first reader of `table` (or of `table.column`) in the given files, or undefined. */
export function findReader(
  target: { table: string; column?: string },
  files: Iterable<{ path: string; text: string }>,
): Reader | undefined {
  const tables = tableVariants(target.table);
  const columns = target.column ? nameVariants(target.column) : undefined;
  const searched = columns ?? tables;
  // Code first: a line that reads the column is better evidence than the schema that maps it.
  const ordered = [...files].sort((a, b) => Number(a.path.endsWith('.prisma')) - Number(b.path.endsWith('.prisma')));
  for (const file of ordered) {
    if (!searched.some((w) => file.text.includes(w))) continue;
    const reader = file.path.endsWith('.prisma') ? prismaReader(file, target) : codeReader(file, tables, columns);
    if (reader) return reader;
  }
  return undefined;
}

function codeReader(file: { path: string; text: string }, tables: string[], columns: string[] | undefined): Reader | undefined {
  const sourceFile = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
  let tableSeen = false;
  let hit: ts.Node | undefined;
  const targetWords = columns ?? tables;
  const visit = (node: ts.Node): void => {
    const literal =
      ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)
        ? node.text
        : undefined;
    if (literal !== undefined) {
      const hasTable = tables.some((w) => wordIn(literal, w));
      if (hasTable) tableSeen = true;
      // A common column name counts only inside a string that names the table too (SQL), never alone.
      const matches = targetWords.filter((w) => wordIn(literal, w));
      if (!hit && matches.length && (!columns || matches.some((w) => !COMMON_NAMES.has(w)) || hasTable)) hit = node;
    } else if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      const text = node.text;
      if (tables.includes(text)) tableSeen = true;
      if (!hit && targetWords.includes(text) && !COMMON_NAMES.has(text) && !isImportName(node)) hit = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  if (!hit || (columns && !tableSeen)) return undefined;
  const line = sourceFile.getLineAndCharacterOfPosition(hit.getStart(sourceFile)).line;
  return { path: file.path, line: line + 1, excerpt: (file.text.split('\n')[line] ?? '').trim().slice(0, 160), via: 'code' };
}

function isImportName(node: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (ts.isImportDeclaration(current) || ts.isExportDeclaration(current)) return true;
  }
  return false;
}

/** A Prisma model mapped to the table, with a scalar field mapped to the column (or any field, for a table). */
function prismaReader(file: { path: string; text: string }, target: { table: string; column?: string }): Reader | undefined {
  const lines = file.text.split('\n');
  let model: { name: string; table: string; start: number; fields: { name: string; column: string; line: number }[] } | undefined;
  const models: NonNullable<typeof model>[] = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const opening = /^model\s+(\w+)\s*\{/.exec(line);
    if (opening) {
      model = { name: opening[1]!, table: opening[1]!, start: index + 1, fields: [] };
      return;
    }
    if (!model) return;
    if (line.startsWith('}')) {
      models.push(model);
      model = undefined;
      return;
    }
    const mapped = /^@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(line);
    if (mapped) model.table = mapped[1]!;
    const field = /^(\w+)\s+[\w.]+[?[\]]*(.*)$/.exec(line);
    if (field && !line.startsWith('@@')) {
      const column = /@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(field[2] ?? '')?.[1] ?? field[1]!;
      model.fields.push({ name: field[1]!, column, line: index + 1 });
    }
  });
  const owner = models.find((m) => m.table === target.table);
  if (!owner) return undefined;
  if (!target.column) return { path: file.path, line: owner.start, excerpt: `model ${owner.name}`, via: 'prisma-schema' };
  const field = owner.fields.find((f) => f.column === target.column);
  return field
    ? { path: file.path, line: field.line, excerpt: `model ${owner.name} field ${field.name}`, via: 'prisma-schema' }
    : undefined;
}
