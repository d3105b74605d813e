// Queries for Open311 API keys. A key is found by the SHA-256 of its text (unique), never by the
// text itself, which is not stored. Every other query is scoped by municipality.
import type { Insertable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ApiKeyRow, ApiKeysTable } from './complaints.table.ts';

export async function insertApiKeyRow(trx: Db, values: Insertable<ApiKeysTable>): Promise<ApiKeyRow> {
  return trx.insertInto('api_keys').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findApiKeyRowByHash(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function findApiKeyRow(db: Db, municipalityId: number, id: number): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}

/** Newest first; revoked keys stay listed (with their date) so the history is readable. */
export async function listApiKeyRows(db: Db, municipalityId: number): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('municipality_id', '=', municipalityId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

/** Revokes a key that is still active; false when it was already revoked (or is not there). */
export async function revokeApiKeyRow(trx: Db, municipalityId: number, id: number, at: string): Promise<boolean> {
  const result = await trx
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records a use, at most once per `notBefore` window: a busy client should not write on every request. */
export async function touchApiKeyRow(db: Db, id: number, at: string, notBefore: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', notBefore)]))
    .execute();
}
