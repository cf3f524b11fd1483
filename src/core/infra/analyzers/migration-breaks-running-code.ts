import type { Severity } from '../../model.js';
import { isTestCode } from '../../paths.js';
import { defineAnalyzer, UnreadableFileError, type AnalyzerFinding, type FileChange } from '../define-analyzer.js';
import { findReader, tableVariants } from '../formats/code-readers.js';
import { deployWeight } from '../formats/deploy.js';
import {
  isDownMigration,
  isMigrationPath,
  MIGRATION_GLOBS,
  migrationSide,
  nameVariants,
  newOps,
  SOURCE_GLOB,
  tablesCreatedByPullRequest,
  type MigrationModel,
  type MigrationOp,
} from '../formats/migration.js';

/**
 * migration-breaks-running-code: a migration drops or renames a table or column. During a rolling deploy the
 * previous release keeps running against the migrated database, so the question is whether the **base**
 * revision's code still reads what is dropped: if it does, its queries fail until the last old instance is
 * gone (critical, with the reader as evidence); if nothing reads it any more, the drop is the safe contract
 * step of an expand/contract change (info).
 */
type Destructive = Extract<MigrationOp, { op: 'drop-table' | 'rename-table' | 'drop-column' | 'rename-column' }>;

const isDestructive = (op: MigrationOp): op is Destructive =>
  ['drop-table', 'rename-table', 'drop-column', 'rename-column'].includes(op.op);

function describe(op: Destructive): string {
  switch (op.op) {
    case 'drop-table':
      return `DROP TABLE ${op.table}`;
    case 'rename-table':
      return `RENAME TABLE ${op.table} TO ${op.to}`;
    case 'drop-column':
      return `DROP COLUMN ${op.table}.${op.column}`;
    case 'rename-column':
      return `RENAME COLUMN ${op.table}.${op.column} TO ${op.to}`;
  }
}

function sides(change: Pick<FileChange, 'path' | 'oldPath' | 'base' | 'head'>): { base?: MigrationModel; head?: MigrationModel } {
  const base = migrationSide(change.oldPath ?? change.path, change.base);
  const head = migrationSide(change.path, change.head);
  // A .sql file the parser rejects as a whole (another dialect, a template) is skipped, with the parser's reason.
  for (const [side, model] of [
    ['base', base],
    ['head', head],
  ] as const) {
    if (model && change.path.endsWith('.sql') && model.unparsed.length && model.ops.length === 0)
      throw new UnreadableFileError(side, `not Postgres SQL: ${model.unparsed[0]}`);
  }
  return { ...(base ? { base } : {}), ...(head ? { head } : {}) };
}

function destructiveOps(change: Pick<FileChange, 'path' | 'oldPath' | 'base' | 'head'>): Destructive[] {
  if (!isMigrationPath(change.path) || isDownMigration(change.path) || change.head === undefined) return [];
  // Migrations of examples, fixtures and tests run against no production database: not worth a search.
  if (deployWeight(change.path) !== 'production') return [];
  const { base, head } = sides(change);
  return newOps(base, head).filter(isDestructive);
}

const searchWords = (op: Destructive): string[] => ('column' in op ? nameVariants(op.column) : tableVariants(op.table));

export const migrationBreaksRunningCode = defineAnalyzer({
  meta: {
    id: 'migration-breaks-running-code',
    category: 'migration',
    severity: 'critical',
    description: "A migration drops or renames a table or column that the release still running (the base revision's code) reads.",
    messages: {
      'read-by-base':
        '{{operation}} while the release still running reads it ({{reader}}): until every old instance is replaced, its queries fail. ' +
        'Ship the code that stops reading it first, and drop it in a later release.',
      'contract-step':
        "{{operation}}: nothing in the base revision's code reads it any more, the safe contract step of an expand/contract change",
    },
    reads: MIGRATION_GLOBS,
    docs: {
      catches:
        "DROP TABLE, DROP COLUMN, RENAME TABLE and RENAME COLUMN in a new or edited up-migration: `.sql` files and Prisma's " +
        "`migration.sql` parsed with Postgres' own parser (libpg-query), SQL strings inside TypeScript migrations (knex `.raw`, " +
        'TypeORM `queryRunner.query`, MikroORM `this.addSql`, Sequelize `sequelize.query`) and their schema builders (`dropColumn`, ' +
        "`renameColumn`, `dropTable`, `removeColumn`, …). Each is judged against the **base** revision's code, the release that keeps " +
        'running while the migration is applied: a string literal or property that names the column in a file that also names its ' +
        "table, or a field of the model in the base `schema.prisma` (Prisma's client selects every scalar field), is a reader. With a " +
        'reader the finding is critical and names it; without one it is info: the safe contract step.',
      ignores:
        'Down migrations; migrations under examples, fixtures and tests; tables created by the same pull request; readers in tests, migrations and type declarations; comments; ' +
        'common column names (`id`, `name`, `email`, `status`, …) that appear only as bare identifiers, not in SQL beside the table. ' +
        'SQL another dialect writes (MySQL backticks) is reported as skipped. The base code is searched within a bound (1500 files ' +
        'read, 100 kept); past it the report says so.',
      example: {
        file: 'prisma/migrations/20261120093000_drop_legacy_phone/migration.sql',
        before: '',
        after: ['-- AlterTable', 'ALTER TABLE "Customer" DROP COLUMN "legacyPhone";', ''].join('\n'),
        context: [
          {
            path: 'src/customers/contact.ts',
            text: [
              "import { db } from '../db.js';",
              '',
              'export async function contactNumber(customerId: string): Promise<string | null> {',
              "  const row = await db.selectFrom('Customer').select(['phone', 'legacyPhone']).where('id', '=', customerId).executeTakeFirst();",
              '  return row?.phone ?? row?.legacyPhone ?? null;',
              '}',
              '',
            ].join('\n'),
          },
        ],
      },
    },
  },
  context(file) {
    let ops: Destructive[];
    try {
      ops = destructiveOps(file);
    } catch {
      return []; // an unreadable migration is reported as skipped by analyze()
    }
    if (ops.length === 0) return [];
    const words = [...new Set(ops.flatMap(searchWords))];
    return [
      { pattern: SOURCE_GLOB, containing: words },
      { pattern: '**/*.prisma', containing: words },
    ];
  },
  analyze(change) {
    const created = tablesCreatedByPullRequest(change.changed, (path) => change.tree.read('head', path));
    const ops = destructiveOps(change).filter((op) => !created.has(op.table.toLowerCase()));
    if (ops.length === 0) return [];
    const candidates = [
      ...new Set([
        ...change.tree.list('base', SOURCE_GLOB),
        ...change.tree.list('base', '**/*.prisma'),
        ...change.changed.map((f) => f.oldPath ?? f.path),
      ]),
    ]
      .filter((path) => (path.endsWith('.prisma') || /\.[cm]?[jt]sx?$/.test(path)) && !path.endsWith('.d.ts') && !isMigrationPath(path))
      .filter((path) => !isTestCode(path, change.config.tests.patterns) && !/(^|\/)(node_modules|dist|build|vendor)\//.test(path))
      .sort();
    const files = candidates.flatMap((path) => {
      const text = change.tree.read('base', path);
      return text === undefined ? [] : [{ path, text }];
    });
    return ops.map((op): AnalyzerFinding => {
      const reader = findReader({ table: op.table, ...('column' in op ? { column: op.column } : {}) }, files);
      const severity: Severity = reader ? 'critical' : 'info';
      return {
        messageId: reader ? 'read-by-base' : 'contract-step',
        data: { operation: describe(op), ...(reader ? { reader: `${reader.path}:${reader.line}` } : {}) },
        side: 'head',
        line: op.line,
        key: describe(op),
        symbol: 'column' in op ? `${op.table}.${op.column}` : op.table,
        severity,
        evidence: {
          operation: op.op,
          ...(reader ? { reader: { file: reader.path, line: reader.line, excerpt: reader.excerpt, via: reader.via } } : {}),
        },
      };
    });
  },
});
