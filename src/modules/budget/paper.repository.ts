// Queries of the paper ballot batches: batches, their entries (each ballot keyed twice), and the
// two counts acceptance compares — paper voters in the register, paper ballots in the box.
// Rules live in paper.service.ts.
import { dialectOf, type Db } from '../../db/database.ts';
import type { PbPaperBatchRow } from './budget.table.ts';

export type PaperBatchSummaryRow = PbPaperBatchRow & {
  pass1_count: number;
  pass2_count: number;
  created_by_name: string | null;
  accepted_by_name: string | null;
  rejected_by_name: string | null;
};

export type PaperEntryRow = {
  id: number;
  batch_id: number;
  pass: number;
  position: number;
  choices_json: string;
  entered_by: number | null;
  created_at: string;
  updated_at: string | null;
};

export type PaperKeyerRow = { batch_id: number; pass: number; user_id: number; display_name: string | null };

/** The batches of a cycle, newest first, with how many ballots each pass has keyed. */
export async function listBatchSummaries(db: Db, municipalityId: number, cycleId: number): Promise<PaperBatchSummaryRow[]> {
  const batches = await db
    .selectFrom('pb_paper_batches')
    .leftJoin('users as creator', 'creator.id', 'pb_paper_batches.created_by')
    .leftJoin('users as accepter', 'accepter.id', 'pb_paper_batches.accepted_by')
    .leftJoin('users as rejecter', 'rejecter.id', 'pb_paper_batches.rejected_by')
    .selectAll('pb_paper_batches')
    .select(['creator.display_name as created_by_name', 'accepter.display_name as accepted_by_name', 'rejecter.display_name as rejected_by_name'])
    .where('pb_paper_batches.municipality_id', '=', municipalityId)
    .where('pb_paper_batches.cycle_id', '=', cycleId)
    .orderBy('pb_paper_batches.id', 'desc')
    .execute();
  if (batches.length === 0) return [];
  const counts = await db
    .selectFrom('pb_paper_entries')
    .select(['batch_id', 'pass', (eb) => eb.fn.countAll<number>().as('count')])
    .where('municipality_id', '=', municipalityId)
    .where(
      'batch_id',
      'in',
      batches.map((b) => b.id),
    )
    .groupBy(['batch_id', 'pass'])
    .execute();
  const countOf = (batchId: number, pass: number) => Number(counts.find((c) => c.batch_id === batchId && c.pass === pass)?.count ?? 0);
  return batches.map((b) => ({ ...b, pass1_count: countOf(b.id, 1), pass2_count: countOf(b.id, 2) }));
}

export async function findBatch(db: Db, municipalityId: number, cycleId: number, batchId: number): Promise<PaperBatchSummaryRow | undefined> {
  const row = await db
    .selectFrom('pb_paper_batches')
    .leftJoin('users as creator', 'creator.id', 'pb_paper_batches.created_by')
    .leftJoin('users as accepter', 'accepter.id', 'pb_paper_batches.accepted_by')
    .leftJoin('users as rejecter', 'rejecter.id', 'pb_paper_batches.rejected_by')
    .selectAll('pb_paper_batches')
    .select(['creator.display_name as created_by_name', 'accepter.display_name as accepted_by_name', 'rejecter.display_name as rejected_by_name'])
    .where('pb_paper_batches.municipality_id', '=', municipalityId)
    .where('pb_paper_batches.cycle_id', '=', cycleId)
    .where('pb_paper_batches.id', '=', batchId)
    .executeTakeFirst();
  if (!row) return undefined;
  const counts = await db
    .selectFrom('pb_paper_entries')
    .select(['pass', (eb) => eb.fn.countAll<number>().as('count')])
    .where('municipality_id', '=', municipalityId)
    .where('batch_id', '=', batchId)
    .groupBy('pass')
    .execute();
  const countOf = (pass: number) => Number(counts.find((c) => c.pass === pass)?.count ?? 0);
  return { ...row, pass1_count: countOf(1), pass2_count: countOf(2) };
}

/**
 * The batch row, locked until the transaction ends (PostgreSQL; SQLite transactions already
 * hold the write lock): keying, accepting and rejecting one batch happen one after the other.
 */
export async function lockBatch(trx: Db, municipalityId: number, cycleId: number, batchId: number): Promise<PbPaperBatchRow | undefined> {
  const query = trx
    .selectFrom('pb_paper_batches')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('id', '=', batchId);
  return dialectOf(trx) === 'postgres' ? query.forUpdate().executeTakeFirst() : query.executeTakeFirst();
}

/**
 * Locks the cycle's row (PostgreSQL) so that two batches accepted at the same moment are counted
 * one after the other against the paper voters, and so that acceptance and the publication of
 * the results (which sets results_published_at) never overlap.
 */
export async function lockCycleRow(trx: Db, municipalityId: number, cycleId: number) {
  const query = trx.selectFrom('pb_cycles').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', cycleId);
  return dialectOf(trx) === 'postgres' ? query.forUpdate().executeTakeFirst() : query.executeTakeFirst();
}

export type NewBatch = {
  municipalityId: number;
  cycleId: number;
  batchNumber: string;
  station: string | null;
  sheetEnvelopeId: number | null;
  declaredCount: number;
  createdBy: number;
  now: string;
};

export async function insertBatch(trx: Db, batch: NewBatch): Promise<PbPaperBatchRow> {
  return trx
    .insertInto('pb_paper_batches')
    .values({
      municipality_id: batch.municipalityId,
      cycle_id: batch.cycleId,
      batch_number: batch.batchNumber,
      station: batch.station,
      sheet_envelope_id: batch.sheetEnvelopeId,
      declared_count: batch.declaredCount,
      status: 'open',
      created_by: batch.createdBy,
      accepted_by: null,
      accepted_at: null,
      rejected_reason: null,
      rejected_by: null,
      rejected_at: null,
      created_at: batch.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Bumps the batch's version (an accepter who saw the older state is told it changed). */
export async function bumpBatchVersion(trx: Db, municipalityId: number, batchId: number): Promise<void> {
  await trx
    .updateTable('pb_paper_batches')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', batchId)
    .execute();
}

/** Sets the outcome of an open batch at the version the deciding person saw; false when stale. */
export async function closeBatchAtVersion(
  trx: Db,
  key: { municipalityId: number; batchId: number; version: number },
  values:
    | { status: 'accepted'; accepted_by: number; accepted_at: string }
    | { status: 'rejected'; rejected_by: number; rejected_at: string; rejected_reason: string },
): Promise<boolean> {
  const result = await trx
    .updateTable('pb_paper_batches')
    .set((eb) => ({ ...values, version: eb('version', '+', 1) }))
    .where('municipality_id', '=', key.municipalityId)
    .where('id', '=', key.batchId)
    .where('version', '=', key.version)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listEntries(db: Db, municipalityId: number, batchId: number, pass?: number): Promise<PaperEntryRow[]> {
  let query = db
    .selectFrom('pb_paper_entries')
    .select(['id', 'batch_id', 'pass', 'position', 'choices_json', 'entered_by', 'created_at', 'updated_at'])
    .where('municipality_id', '=', municipalityId)
    .where('batch_id', '=', batchId);
  if (pass !== undefined) query = query.where('pass', '=', pass);
  return query.orderBy('pass').orderBy('position').execute();
}

export async function findEntry(db: Db, municipalityId: number, batchId: number, pass: number, position: number): Promise<PaperEntryRow | undefined> {
  return db
    .selectFrom('pb_paper_entries')
    .select(['id', 'batch_id', 'pass', 'position', 'choices_json', 'entered_by', 'created_at', 'updated_at'])
    .where('municipality_id', '=', municipalityId)
    .where('batch_id', '=', batchId)
    .where('pass', '=', pass)
    .where('position', '=', position)
    .executeTakeFirst();
}

/** Who keyed in each pass of these batches (with their current display name). */
export async function listKeyers(db: Db, municipalityId: number, batchIds: number[]): Promise<PaperKeyerRow[]> {
  if (batchIds.length === 0) return [];
  const rows = await db
    .selectFrom('pb_paper_entries')
    .innerJoin('users', 'users.id', 'pb_paper_entries.entered_by')
    .select(['pb_paper_entries.batch_id', 'pb_paper_entries.pass', 'users.id as user_id', 'users.display_name'])
    .where('pb_paper_entries.municipality_id', '=', municipalityId)
    .where('pb_paper_entries.batch_id', 'in', batchIds)
    .groupBy(['pb_paper_entries.batch_id', 'pb_paper_entries.pass', 'users.id', 'users.display_name'])
    .orderBy('users.id')
    .execute();
  return rows;
}

export async function insertEntry(
  trx: Db,
  entry: { municipalityId: number; batchId: number; pass: number; position: number; choicesJson: string; enteredBy: number; now: string },
): Promise<void> {
  await trx
    .insertInto('pb_paper_entries')
    .values({
      municipality_id: entry.municipalityId,
      batch_id: entry.batchId,
      pass: entry.pass,
      position: entry.position,
      choices_json: entry.choicesJson,
      entered_by: entry.enteredBy,
      created_at: entry.now,
      updated_at: null,
    })
    .execute();
}

export async function updateEntry(trx: Db, entry: { municipalityId: number; id: number; choicesJson: string; enteredBy: number; now: string }): Promise<void> {
  await trx
    .updateTable('pb_paper_entries')
    .set({ choices_json: entry.choicesJson, entered_by: entry.enteredBy, updated_at: entry.now })
    .where('municipality_id', '=', entry.municipalityId)
    .where('id', '=', entry.id)
    .execute();
}

/**
 * People registered as having received a paper ballot (their signature on the list), not
 * annulled: no more paper ballots than this may enter the box.
 */
export async function countRegisteredPaperVoters(db: Db, municipalityId: number, cycleId: number): Promise<number> {
  const row = await db
    .selectFrom('pb_participations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('channel', '=', 'paper')
    .where('annulment_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Paper ballots in the box (valid and invalid alike: each was a ballot handed to someone). */
export async function countPaperBallots(db: Db, municipalityId: number, cycleId: number): Promise<number> {
  const row = await db
    .selectFrom('pb_ballots')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('channel', '=', 'paper')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The arrondissement a neighbourhood belongs to (a neighbourhood sheet also carries its arrondissement's envelope). */
export async function arrondissementOfNeighbourhood(db: Db, municipalityId: number, neighbourhoodId: number): Promise<number | null> {
  const row = await db
    .selectFrom('neighbourhoods')
    .select('arrondissement_id')
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', neighbourhoodId)
    .executeTakeFirst();
  return row?.arrondissement_id ?? null;
}
