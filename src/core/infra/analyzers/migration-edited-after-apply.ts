import { deployWeight } from '../formats/deploy.js';
import { defineAnalyzer } from '../define-analyzer.js';
import { isMigrationPath, MIGRATION_GLOBS, migrationSide } from '../formats/migration.js';

/**
 * migration-edited-after-apply: a migration that the base revision already had was changed or deleted.
 * Migration tools record what they applied by name: an edited file is not re-run where it already ran, so
 * databases silently diverge (production keeps the old statement, a fresh one gets the new), and a deleted
 * one breaks the tool's history. Compared by what the statements do (parse trees without positions), so
 * comments and layout changes stay quiet.
 */
export const migrationEditedAfterApply = defineAnalyzer({
  meta: {
    id: 'migration-edited-after-apply',
    category: 'migration',
    severity: 'high',
    description: 'A migration that was already in the base revision (and so may have run) was edited or deleted.',
    messages: {
      edited:
        'migration {{file}} was already in the base revision and its statements changed: databases that applied it keep the old version; write a new migration instead',
      deleted:
        'migration {{file}} was already in the base revision and was deleted: the migration history of databases that applied it no longer matches the code',
    },
    reads: MIGRATION_GLOBS,
    docs: {
      catches:
        "A migration file present in the base revision whose statements differ in the head: for SQL (and Prisma's `migration.sql`), " +
        'the Postgres parse trees without positions; for TypeScript migrations, the SQL they run and their builder calls without ' +
        'layout. A deleted migration is reported too (medium).',
      ignores:
        'Changes to comments, whitespace and formatting; renamed files (reported by migration tools themselves); migrations under ' +
        'examples, fixtures and tests (info); new migrations.',
      example: {
        file: 'migrations/0042_add_orders_index.sql',
        before: ['CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);', ''].join('\n'),
        after: [
          '-- speed up the customer page',
          'CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id, created_at);',
          '',
        ].join('\n'),
      },
    },
  },
  analyze(change) {
    if (change.base === undefined || change.status === 'renamed' || !isMigrationPath(change.oldPath ?? change.path)) return [];
    const weight = deployWeight(change.path);
    const severityFor = (severity: 'high' | 'medium'): 'high' | 'medium' | 'info' => (weight === 'example' ? 'info' : severity);
    if (change.head === undefined) {
      return [
        { messageId: 'deleted', data: { file: change.path }, side: 'base', line: 1, key: 'deleted', severity: severityFor('medium') },
      ];
    }
    const base = migrationSide(change.oldPath ?? change.path, change.base);
    const head = migrationSide(change.path, change.head);
    if (!base || !head || base.signature === head.signature) return [];
    const firstDifferent = firstChangedLine(change.base, change.head);
    return [
      {
        messageId: 'edited',
        data: { file: change.path },
        side: 'head',
        line: firstDifferent,
        key: 'edited',
        severity: severityFor('high'),
      },
    ];
  },
});

/** The first head line that differs from the base, to anchor the finding where the edit starts. */
function firstChangedLine(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return Math.min(i + 1, b.length);
}
