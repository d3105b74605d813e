// Queries of the vote: the participation register, the SMS checks, receipts and annulments.
// The ballot box itself is written through ../ballot-box.repository.ts.
import type { Insertable } from 'kysely';
import type { Db } from '../../../db/database.ts';
import type { NeighbourhoodRow } from '../../../db/schema.ts';
import type { PbParticipationsTable, PbPhoneChecksTable, VotingChannel } from '../budget.table.ts';

export async function findNeighbourhood(db: Db, municipalityId: number, neighbourhoodId: number): Promise<NeighbourhoodRow | undefined> {
  return db.selectFrom('neighbourhoods').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', neighbourhoodId).executeTakeFirst();
}

/** Sets the cycle's seal salt when it has none yet; returns the salt in force. */
export async function ensureSealSalt(trx: Db, municipalityId: number, cycleId: number, salt: string): Promise<string | null> {
  await trx
    .updateTable('pb_cycles')
    .set({ seal_salt: salt })
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', cycleId)
    .where('seal_salt', 'is', null)
    .execute();
  const row = await trx.selectFrom('pb_cycles').select('seal_salt').where('municipality_id', '=', municipalityId).where('id', '=', cycleId).executeTakeFirst();
  return row?.seal_salt ?? null;
}

/** The phone slots (1…N) taken in a cycle by participations with this phone. */
export async function takenPhoneSlots(db: Db, municipalityId: number, cycleId: number, phoneHash: string): Promise<number[]> {
  const rows = await db
    .selectFrom('pb_participations')
    .select('phone_slot')
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('phone_hash', '=', phoneHash)
    .execute();
  return rows.map((r) => r.phone_slot).filter((s): s is number => s !== null);
}

export async function hasParticipation(db: Db, municipalityId: number, cycleId: number, voterKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('pb_participations')
    .select('id')
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('voter_key', '=', voterKey)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertParticipation(trx: Db, row: Insertable<PbParticipationsTable>): Promise<number> {
  const inserted = await trx.insertInto('pb_participations').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export async function insertPhoneCheck(db: Db, row: Insertable<PbPhoneChecksTable>): Promise<number> {
  const inserted = await db.insertInto('pb_phone_checks').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export async function findPhoneCheck(db: Db, municipalityId: number, cycleId: number, checkId: number) {
  return db
    .selectFrom('pb_phone_checks')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('id', '=', checkId)
    .executeTakeFirst();
}

export async function findPhoneCheckByToken(db: Db, municipalityId: number, cycleId: number, tokenHash: string) {
  return db
    .selectFrom('pb_phone_checks')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/**
 * Counts a guess at a check's code before comparing it, in its own statement: true while the
 * check is unverified, unexpired and had fewer than `maxAttempts` guesses.
 */
export async function claimCheckAttempt(db: Db, checkId: number, maxAttempts: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('pb_phone_checks')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', checkId)
    .where('attempts', '<', maxAttempts)
    .where('verified_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a check verified with its token; false when another request verified it first. */
export async function markCheckVerified(db: Db, checkId: number, tokenHash: string, now: string): Promise<boolean> {
  const result = await db
    .updateTable('pb_phone_checks')
    .set({ verified_at: now, token_hash: tokenHash })
    .where('id', '=', checkId)
    .where('verified_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Uses a ballot token; false when it was used already (the caller's transaction then fails). */
export async function markTokenUsed(trx: Db, checkId: number, now: string): Promise<boolean> {
  const result = await trx
    .updateTable('pb_phone_checks')
    .set({ token_used_at: now })
    .where('id', '=', checkId)
    .where('token_used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** When this phone last asked for a code in the cycle. */
export async function latestPhoneCheckAt(db: Db, municipalityId: number, cycleId: number, phoneHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('pb_phone_checks')
    .select('created_at')
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('phone_hash', '=', phoneHash)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at;
}

export async function countPhoneChecksSince(db: Db, municipalityId: number, cycleId: number, phoneHash: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('pb_phone_checks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('phone_hash', '=', phoneHash)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countIpChecksSince(db: Db, municipalityId: number, ipHash: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('pb_phone_checks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('municipality_id', '=', municipalityId)
    .where('ip_hash', '=', ipHash)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type ReceiptRow = { id: string; channel: VotingChannel; invalid: number };

export async function findBallot(db: Db, municipalityId: number, cycleId: number, ballotId: string): Promise<ReceiptRow | undefined> {
  return db
    .selectFrom('pb_ballots')
    .select(['id', 'channel', 'invalid'])
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('id', '=', ballotId)
    .executeTakeFirst();
}

export async function listBallotChoices(db: Db, ballotId: string): Promise<{ project_id: number; envelope_id: number; value: number }[]> {
  return db.selectFrom('pb_ballot_choices').select(['project_id', 'envelope_id', 'value']).where('ballot_id', '=', ballotId).orderBy('project_id').execute();
}
