// Queries on one-time codes. The counters and "consumed" marks are changed by single conditional
// UPDATEs, so two requests racing with guesses cannot get more than the allowed attempts.
import type { Db } from '../../db/database.ts';
import type { CodePurpose, VerificationCodeRow } from '../../db/schema.ts';

export type NewCode = Omit<VerificationCodeRow, 'id'>;

export async function insertCode(db: Db, row: NewCode): Promise<number> {
  const inserted = await db.insertInto('verification_codes').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export type CodeLookup = { codeId: number } | { target: string } | { userId: number };

/** The newest code of a purpose that is neither used nor expired, found by id, address or account. */
export async function findLiveCode(
  db: Db,
  options: { municipalityId: number; purpose: CodePurpose; lookup: CodeLookup; now: string },
): Promise<VerificationCodeRow | undefined> {
  let query = db
    .selectFrom('verification_codes')
    .selectAll()
    .where('municipality_id', '=', options.municipalityId)
    .where('purpose', '=', options.purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', options.now);
  const { lookup } = options;
  if ('codeId' in lookup) query = query.where('id', '=', lookup.codeId);
  else if ('target' in lookup) query = query.where('target', '=', lookup.target);
  else query = query.where('user_id', '=', lookup.userId);
  return query.orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function findCodeById(db: Db, municipalityId: number, codeId: number): Promise<VerificationCodeRow | undefined> {
  return db.selectFrom('verification_codes').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', codeId).executeTakeFirst();
}

/** When the newest code for this address and purpose was made, for the "once a minute" rule. */
export async function latestCodeCreatedAt(
  db: Db,
  options: { municipalityId: number; purpose: CodePurpose; target: string },
): Promise<string | undefined> {
  const row = await db
    .selectFrom('verification_codes')
    .select('created_at')
    .where('municipality_id', '=', options.municipalityId)
    .where('purpose', '=', options.purpose)
    .where('target', '=', options.target)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at;
}

/** Ends the live codes of an address and purpose: only the newest code sent may work. */
export async function expireLiveCodes(
  db: Db,
  options: { municipalityId: number; purpose: CodePurpose; target: string; now: string },
): Promise<void> {
  await db
    .updateTable('verification_codes')
    .set({ expires_at: options.now })
    .where('municipality_id', '=', options.municipalityId)
    .where('purpose', '=', options.purpose)
    .where('target', '=', options.target)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', options.now)
    .execute();
}

/** Counts one guess; false when the code has no guesses left (or was used meanwhile). */
export async function claimAttempt(db: Db, codeId: number, maxAttempts: number): Promise<boolean> {
  const result = await db
    .updateTable('verification_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', codeId)
    .where('attempts', '<', maxAttempts)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a code used; false when another request used it first. */
export async function markCodeConsumed(db: Db, codeId: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('verification_codes')
    .set({ consumed_at: now })
    .where('id', '=', codeId)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteCodesOfUser(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('verification_codes').where('user_id', '=', userId).execute();
}
