// Migrations are TypeScript modules listed here in order, so that the same set runs on SQLite
// and PostgreSQL and nothing depends on reading a folder at run time.
import { DEFAULT_MIGRATION_TABLE, type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as foundation from './migrations/0001-foundation.ts';
import * as complaints from './migrations/0003-complaints.ts';
import * as complaintsMore from './migrations/0004-complaints-more.ts';
import * as open311 from './migrations/0005-open311.ts';
import * as complaintsPublic from './migrations/0006-complaints-public.ts';
import * as budget from './migrations/0007-budget.ts';
import * as budgetVoting from './migrations/0008-budget-voting.ts';
import * as budgetPaper from './migrations/0009-budget-paper.ts';

const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  // 0002 was never used; numbers only need to sort.
  '0003-complaints': complaints,
  '0004-complaints-more': complaintsMore,
  '0005-open311': open311,
  '0006-complaints-public': complaintsPublic,
  '0007-budget': budget,
  '0008-budget-voting': budgetVoting,
  '0009-budget-paper': budgetPaper,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export type MigrationReport = { applied: string[] };

export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error)}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** The migrations this version of Twiza knows, in order. */
export function knownMigrations(): string[] {
  return Object.keys(migrations).sort();
}

/**
 * The migrations applied to a database, in order, read from Kysely's own table (so names this
 * version does not know are listed too); empty when it was never migrated.
 */
export async function listAppliedMigrations(db: Kysely<any>, schema?: string): Promise<string[]> {
  const source = schema ? db.withSchema(schema) : db;
  try {
    const rows = await source.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').orderBy('name').execute();
    return rows.map((r: { name: string }) => r.name);
  } catch (error) {
    if (/no such table|does not exist/.test(String((error as Error).message))) return [];
    throw error;
  }
}
