import { defineAnalyzer, UnreadableFileError, type AnalyzerFinding } from '../define-analyzer.js';
import { deployWeight } from '../formats/deploy.js';
import {
  isDownMigration,
  isMigrationPath,
  MIGRATION_GLOBS,
  migrationSide,
  newOps,
  tablesCreatedByPullRequest,
} from '../formats/migration.js';

/**
 * migration-locks-table: a new migration step that fails or blocks on a table that already holds data: a NOT
 * NULL column added without a default (fails on any existing row, or rewrites and locks the table), SET NOT
 * NULL (scans the table under an exclusive lock), an index built without CONCURRENTLY (blocks writes while it
 * builds). Tables created by the same pull request are empty: nothing to fail on or to lock.
 */
export const migrationLocksTable = defineAnalyzer({
  meta: {
    id: 'migration-locks-table',
    category: 'migration',
    severity: 'medium',
    description:
      'A migration adds a NOT NULL column without a default, sets NOT NULL, or builds an index without CONCURRENTLY on a table that already exists.',
    messages: {
      'not-null-without-default':
        'ADD COLUMN {{table}}.{{column}} NOT NULL without a default: it fails on a table that has rows (give it a default, or add it nullable, backfill, then constrain)',
      'set-not-null':
        'SET NOT NULL on {{table}}.{{column}} scans the whole table under an exclusive lock (add a CHECK … NOT VALID constraint and validate it first)',
      'index-not-concurrent': 'CREATE INDEX on {{table}} without CONCURRENTLY blocks writes to the table while the index builds',
    },
    reads: MIGRATION_GLOBS,
    docs: {
      catches:
        "New statements of an up-migration, read with Postgres' own parser from `.sql` files, Prisma's `migration.sql` and the SQL " +
        "and schema builders of TypeScript migrations (knex `table.string('c').notNullable()` without `defaultTo` in `schema.table`, " +
        'Sequelize `addColumn(…, { allowNull: false })` without `defaultValue`, `addIndex` without `concurrently`): a NOT NULL column ' +
        'without a default, identity or serial type (medium), SET NOT NULL (low), a non-concurrent CREATE INDEX (low), each on a ' +
        'table this pull request did not create.',
      ignores:
        'Migrations under examples, fixtures and tests (info); tables created by the same pull request (in any of its migrations); columns with a default, identity, generated or serial ' +
        'values; CREATE INDEX CONCURRENTLY; down migrations; statements an edited migration already had.',
      example: {
        file: 'db/migrations/20261118_add_invoice_currency.sql',
        before: '',
        after: [
          '-- currencies per invoice',
          'ALTER TABLE invoices ADD COLUMN currency char(3) NOT NULL;',
          'CREATE INDEX invoices_currency_idx ON invoices (currency);',
          '',
        ].join('\n'),
      },
    },
  },
  analyze(change) {
    if (!isMigrationPath(change.path) || isDownMigration(change.path) || change.head === undefined) return [];
    const base = migrationSide(change.oldPath ?? change.path, change.base);
    const head = migrationSide(change.path, change.head);
    if (head && change.path.endsWith('.sql') && head.unparsed.length && head.ops.length === 0)
      throw new UnreadableFileError('head', `not Postgres SQL: ${head.unparsed[0]}`);
    const created = tablesCreatedByPullRequest(change.changed, (path) => change.tree.read('head', path));
    const out: AnalyzerFinding[] = [];
    const production = deployWeight(change.path) === 'production';
    for (const op of newOps(base, head)) {
      if (!('table' in op) || created.has(op.table.toLowerCase())) continue;
      if (op.op === 'add-not-null-column' || op.op === 'set-not-null') {
        out.push({
          messageId: op.op === 'add-not-null-column' ? 'not-null-without-default' : 'set-not-null',
          data: { table: op.table, column: op.column },
          side: 'head',
          line: op.line,
          key: `${op.op} ${op.table}.${op.column}`,
          symbol: `${op.table}.${op.column}`,
          severity: !production ? 'info' : op.op === 'add-not-null-column' ? 'medium' : 'low',
        });
      } else if (op.op === 'create-index' && !op.concurrent) {
        out.push({
          messageId: 'index-not-concurrent',
          data: { table: op.table },
          side: 'head',
          line: op.line,
          key: `create-index ${op.table} ${op.name}`,
          symbol: op.table,
          severity: production ? 'low' : 'info',
        });
      }
    }
    return out;
  },
});
