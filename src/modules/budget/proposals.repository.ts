// Queries of citizens' proposals, their photos, comments, supports and technical reviews. Rules
// live in proposals.service.ts and review.service.ts; every query is scoped by municipality.
import { type Insertable, sql, type Updateable } from 'kysely';
import { type Db, dialectOf } from '../../db/database.ts';
import { likeEscape } from '../../db/search.ts';
import { updateAtVersionNumber } from '../../db/versioned.ts';
import type { PbCommentsTable, PbPhotosTable, PbProposalRow, PbProposalsTable, PbReviewRow, PbReviewsTable, ProposalStatus, Visibility } from './budget.table.ts';

// ---------------------------------------------------------------------------------------------
// Proposals

/** The next free number of a cycle; callers retry on the unique constraint (see submitProposal). */
export async function nextProposalNumber(trx: Db, municipalityId: number, cycleId: number): Promise<number> {
  const row = await trx
    .selectFrom('pb_proposals')
    .select((eb) => eb.fn.max('number').as('max'))
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

/**
 * Serialises writers of one cycle's proposals for the rest of the transaction (numbering,
 * merging). PostgreSQL takes a row lock on the cycle; SQLite runs one write transaction at a time.
 */
export async function lockCycle(trx: Db, municipalityId: number, cycleId: number): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await trx.selectFrom('pb_cycles').select('id').where('municipality_id', '=', municipalityId).where('id', '=', cycleId).forUpdate().execute();
}

/** Locks proposals (PostgreSQL) in id order, so two transactions never wait on each other in a circle. */
export async function lockProposals(trx: Db, municipalityId: number, ids: number[]): Promise<void> {
  if (dialectOf(trx) !== 'postgres' || ids.length === 0) return;
  await trx.selectFrom('pb_proposals').select('id').where('municipality_id', '=', municipalityId).where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

export async function insertProposalRow(trx: Db, values: Insertable<PbProposalsTable>): Promise<PbProposalRow> {
  return trx.insertInto('pb_proposals').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findProposalById(db: Db, municipalityId: number, id: number): Promise<PbProposalRow | undefined> {
  return db.selectFrom('pb_proposals').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}

export async function findProposalByNumber(db: Db, municipalityId: number, cycleId: number, number: number): Promise<PbProposalRow | undefined> {
  return db
    .selectFrom('pb_proposals')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('number', '=', number)
    .executeTakeFirst();
}

/** Changes a proposal if it is still at `version`; true when it was. The version goes up by one. */
export async function updateProposalAtVersion(
  trx: Db,
  key: { municipalityId: number; id: number; version: number },
  values: Updateable<PbProposalsTable>,
): Promise<boolean> {
  return updateAtVersionNumber(trx, 'pb_proposals', key, values);
}

export type ProposalFilters = {
  category?: string;
  neighbourhoodId?: number;
  status?: ProposalStatus;
  visibility?: Visibility;
  /** Normalised search terms (normalizeSearchText); all must appear. */
  terms?: string[];
  sort?: 'newest' | 'supported';
};

export async function listProposalRows(
  db: Db,
  municipalityId: number,
  cycleId: number,
  filters: ProposalFilters,
  page: { limit: number; offset: number },
): Promise<{ rows: PbProposalRow[]; total: number }> {
  let query = db.selectFrom('pb_proposals').where('municipality_id', '=', municipalityId).where('cycle_id', '=', cycleId);
  if (filters.category) query = query.where('category', '=', filters.category);
  if (filters.neighbourhoodId) query = query.where('neighbourhood_id', '=', filters.neighbourhoodId);
  if (filters.status) query = query.where('status', '=', filters.status);
  if (filters.visibility) query = query.where('visibility', '=', filters.visibility);
  for (const term of filters.terms ?? []) query = query.where(sql<boolean>`search_text like ${`%${likeEscape(term)}%`} escape '\\'`);
  const counted = await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  let ordered = query.selectAll();
  if (filters.sort === 'supported') ordered = ordered.orderBy('support_count', 'desc');
  const rows = await ordered.orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
  return { rows, total: Number(counted?.n ?? 0) };
}

/** Proposals by id, for links (merged into …). */
export async function listProposalsByIds(db: Db, municipalityId: number, ids: number[]): Promise<PbProposalRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('pb_proposals').selectAll().where('municipality_id', '=', municipalityId).where('id', 'in', ids).execute();
}

// ---------------------------------------------------------------------------------------------
// Photos

export async function insertPhotoRows(trx: Db, rows: Insertable<PbPhotosTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('pb_photos').values(rows).execute();
}

export async function listProposalPhotos(db: Db, municipalityId: number, proposalId: number) {
  return db
    .selectFrom('pb_photos')
    .select(['id', 'storage_key', 'width', 'height'])
    .where('municipality_id', '=', municipalityId)
    .where('proposal_id', '=', proposalId)
    .orderBy('id')
    .execute();
}

/**
 * Which of these storage keys a budget photo row refers to. Budget photos are stored beside the
 * complaints' (src/modules/complaints/photos.ts), whose orphan job asks this too.
 */
export async function listReferencedBudgetPhotoKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('pb_photos').select('storage_key').where('storage_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.storage_key));
}

// ---------------------------------------------------------------------------------------------
// Comments

export async function insertCommentRow(trx: Db, values: Insertable<PbCommentsTable>) {
  return trx.insertInto('pb_comments').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findCommentById(db: Db, municipalityId: number, id: number) {
  return db.selectFrom('pb_comments').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}

export async function setCommentVisibility(trx: Db, municipalityId: number, id: number, visibility: Visibility, reason: string | null): Promise<void> {
  await trx.updateTable('pb_comments').set({ visibility, hidden_reason: reason }).where('municipality_id', '=', municipalityId).where('id', '=', id).execute();
}

/** Comments of a proposal or of a project, oldest first, with their authors' display names. */
export async function listComments(db: Db, municipalityId: number, target: { proposalId: number } | { projectId: number }) {
  return db
    .selectFrom('pb_comments')
    .leftJoin('users', 'users.id', 'pb_comments.author_user_id')
    .select([
      'pb_comments.id',
      'pb_comments.body',
      'pb_comments.visibility',
      'pb_comments.hidden_reason',
      'pb_comments.created_at',
      'pb_comments.author_user_id',
      'users.display_name as author_name',
    ])
    .where('pb_comments.municipality_id', '=', municipalityId)
    .$call((q) => ('proposalId' in target ? q.where('pb_comments.proposal_id', '=', target.proposalId) : q.where('pb_comments.project_id', '=', target.projectId)))
    .orderBy('pb_comments.id')
    .execute();
}

/** Sets comment_count to the number of visible comments (hidden ones are not counted). */
export async function refreshCommentCount(trx: Db, municipalityId: number, proposalId: number): Promise<void> {
  await trx
    .updateTable('pb_proposals')
    .set({
      comment_count: sql<number>`(select count(*) from pb_comments where pb_comments.proposal_id = ${proposalId} and pb_comments.visibility = 'visible')`,
    })
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', proposalId)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Supports

/** Records a support unless this person already gave it; true when added. */
export async function insertSupportRow(trx: Db, values: { municipality_id: number; proposal_id: number; user_id: number; created_at: string }): Promise<boolean> {
  // ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL a failed statement
  // would abort the whole transaction.
  const row = await trx.insertInto('pb_supports').values(values).onConflict((oc) => oc.doNothing()).returning('proposal_id').executeTakeFirst();
  return row !== undefined;
}

export async function hasSupported(db: Db, municipalityId: number, proposalId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('pb_supports')
    .select('user_id')
    .where('municipality_id', '=', municipalityId)
    .where('proposal_id', '=', proposalId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Copies the supporters of `fromId` to `toId`, skipping those who already support `toId`. */
export async function copySupports(trx: Db, municipalityId: number, fromId: number, toId: number, now: string): Promise<void> {
  await trx
    .insertInto('pb_supports')
    .columns(['municipality_id', 'proposal_id', 'user_id', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('pb_supports')
        .select([sql.lit(municipalityId).as('municipality_id'), sql.lit(toId).as('proposal_id'), 'user_id', sql.val(now).as('created_at')])
        .where('municipality_id', '=', municipalityId)
        .where('proposal_id', '=', fromId),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Sets support_count from the supports table. */
export async function refreshSupportCount(trx: Db, municipalityId: number, proposalId: number): Promise<void> {
  await trx
    .updateTable('pb_proposals')
    .set({ support_count: sql<number>`(select count(*) from pb_supports where pb_supports.proposal_id = ${proposalId})` })
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', proposalId)
    .execute();
}

export async function incrementSupportCount(trx: Db, municipalityId: number, proposalId: number): Promise<void> {
  await trx
    .updateTable('pb_proposals')
    .set({ support_count: sql<number>`support_count + 1` })
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', proposalId)
    .execute();
}

export async function countSupports(db: Db, municipalityId: number, proposalId: number): Promise<number> {
  const row = await db
    .selectFrom('pb_supports')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('municipality_id', '=', municipalityId)
    .where('proposal_id', '=', proposalId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Reviews

export async function findReviewByProposal(db: Db, municipalityId: number, proposalId: number): Promise<PbReviewRow | undefined> {
  return db.selectFrom('pb_reviews').selectAll().where('municipality_id', '=', municipalityId).where('proposal_id', '=', proposalId).executeTakeFirst();
}

export async function insertReviewRow(trx: Db, values: Insertable<PbReviewsTable>): Promise<PbReviewRow> {
  return trx.insertInto('pb_reviews').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateReviewAtVersion(
  trx: Db,
  key: { municipalityId: number; id: number; version: number },
  values: Updateable<PbReviewsTable>,
): Promise<boolean> {
  return updateAtVersionNumber(trx, 'pb_reviews', key, values);
}

/** Reviews of a cycle's proposals, by proposal id. */
export async function listCycleReviews(db: Db, municipalityId: number, cycleId: number): Promise<Map<number, PbReviewRow>> {
  const rows = await db
    .selectFrom('pb_reviews')
    .innerJoin('pb_proposals', 'pb_proposals.id', 'pb_reviews.proposal_id')
    .selectAll('pb_reviews')
    .where('pb_reviews.municipality_id', '=', municipalityId)
    .where('pb_proposals.cycle_id', '=', cycleId)
    .execute();
  return new Map(rows.map((r) => [r.proposal_id, r]));
}

/** Proposals under technical review: not merged, withdrawn or hidden. */
export async function listReviewQueueRows(db: Db, municipalityId: number, cycleId: number, departmentIds: number[] | null): Promise<PbProposalRow[]> {
  let query = db
    .selectFrom('pb_proposals')
    .leftJoin('pb_reviews', 'pb_reviews.proposal_id', 'pb_proposals.id')
    .selectAll('pb_proposals')
    .where('pb_proposals.municipality_id', '=', municipalityId)
    .where('pb_proposals.cycle_id', '=', cycleId)
    .where('pb_proposals.status', 'not in', ['merged', 'withdrawn'])
    .where('pb_proposals.visibility', '=', 'visible');
  if (departmentIds !== null) query = query.where('pb_reviews.department_id', 'in', departmentIds.length ? departmentIds : [-1]);
  return query.orderBy('pb_proposals.number').execute();
}

// ---------------------------------------------------------------------------------------------
// Projects made from proposals

export async function findProjectOfProposal(db: Db, municipalityId: number, proposalId: number) {
  return db.selectFrom('pb_projects').selectAll().where('municipality_id', '=', municipalityId).where('proposal_id', '=', proposalId).executeTakeFirst();
}

export async function projectCodeTaken(db: Db, municipalityId: number, cycleId: number, code: string): Promise<boolean> {
  const row = await db
    .selectFrom('pb_projects')
    .select('id')
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('code', '=', code)
    .executeTakeFirst();
  return row !== undefined;
}
