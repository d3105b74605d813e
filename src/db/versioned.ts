// Optimistic locking for rows edited in the back office: an update or delete names the
// version (updated_at) the editor saw, inside the municipality. When someone else saved in the
// meantime nothing is written and the caller reports a stale edit.
import type { Updateable } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

export type VersionedKey = { municipalityId: number; id: number; version: string };

/** Tables whose rows carry id, municipality_id and updated_at. */
export type VersionedTable = {
  [T in keyof Database]: Database[T] extends { municipality_id: number; updated_at: string } ? T : never;
}[keyof Database];

// Kysely cannot narrow a column reference through a generic table name, so the shared
// where-clause is built on the untyped handle; the exported signatures stay typed.
type AnyDb = import('kysely').Kysely<any>;

export async function updateAtVersion<T extends VersionedTable>(
  db: Db,
  table: T,
  key: VersionedKey,
  values: Updateable<Database[T]>,
): Promise<boolean> {
  const result = await (db as unknown as AnyDb)
    .updateTable(table as string)
    .set(values as Record<string, unknown>)
    .where('municipality_id', '=', key.municipalityId)
    .where('id', '=', key.id)
    .where('updated_at', '=', key.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteAtVersion(db: Db, table: VersionedTable, key: VersionedKey): Promise<boolean> {
  const result = await (db as unknown as AnyDb)
    .deleteFrom(table as string)
    .where('municipality_id', '=', key.municipalityId)
    .where('id', '=', key.id)
    .where('updated_at', '=', key.version)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Tables whose rows carry id, municipality_id and an integer `version` column. */
export type CountedVersionTable = {
  [T in keyof Database]: Database[T] extends { municipality_id: number; version: unknown } ? T : never;
}[keyof Database];

/**
 * The same for rows versioned by a counter (participatory budgeting: cycles, proposals,
 * reviews, paper batches): writes only when the row is still at `version`, and bumps it.
 */
export async function updateAtVersionNumber<T extends CountedVersionTable>(
  db: Db,
  table: T,
  key: { municipalityId: number; id: number; version: number },
  values: Updateable<Database[T]>,
): Promise<boolean> {
  const result = await (db as unknown as AnyDb)
    .updateTable(table as string)
    .set({ ...(values as Record<string, unknown>), version: key.version + 1 })
    .where('municipality_id', '=', key.municipalityId)
    .where('id', '=', key.id)
    .where('version', '=', key.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
