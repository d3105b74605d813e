// Consent records: who accepted which version of which text, when, and when they withdrew it.
// Rows are never deleted while the account exists: they are the proof the law asks for.
import type { Db } from '../../db/database.ts';
import type { ConsentRow } from '../../db/schema.ts';
import type { ConsentPurpose } from './accounts.ts';

export async function insertConsent(
  db: Db,
  row: { municipalityId: number; userId: number; purpose: ConsentPurpose; textVersion: string; grantedAt: string },
): Promise<void> {
  await db
    .insertInto('consents')
    .values({
      municipality_id: row.municipalityId,
      user_id: row.userId,
      purpose: row.purpose,
      text_version: row.textVersion,
      granted_at: row.grantedAt,
      withdrawn_at: null,
    })
    .execute();
}

export async function findActiveConsent(db: Db, userId: number, purpose: ConsentPurpose): Promise<ConsentRow | undefined> {
  return db
    .selectFrom('consents')
    .selectAll()
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('withdrawn_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** Marks the active consents of a purpose (or all purposes) withdrawn; returns how many. */
export async function markConsentsWithdrawn(db: Db, userId: number, withdrawnAt: string, purpose?: ConsentPurpose): Promise<number> {
  let query = db.updateTable('consents').set({ withdrawn_at: withdrawnAt }).where('user_id', '=', userId).where('withdrawn_at', 'is', null);
  if (purpose) query = query.where('purpose', '=', purpose);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function listConsentsOf(db: Db, userId: number): Promise<ConsentRow[]> {
  return db.selectFrom('consents').selectAll().where('user_id', '=', userId).orderBy('granted_at', 'desc').orderBy('id', 'desc').execute();
}
