// Reading cycles, their envelopes and their projects. Every area of the budget module loads a
// cycle through here; writes belong to cycles.service.ts.
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { updateAtVersionNumber } from '../../db/versioned.ts';
import type {
  PbCycleRow,
  PbCyclesTable,
  PbEnvelopeRow,
  PbEnvelopesTable,
  PbPhotosTable,
  PbProjectRow,
  PbProjectUpdatesTable,
} from './budget.table.ts';

export async function findCycleById(db: Db, municipalityId: number, cycleId: number): Promise<PbCycleRow | undefined> {
  return db.selectFrom('pb_cycles').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', cycleId).executeTakeFirst();
}

export async function findCycleBySlug(db: Db, municipalityId: number, slug: string): Promise<PbCycleRow | undefined> {
  return db.selectFrom('pb_cycles').selectAll().where('municipality_id', '=', municipalityId).where('slug', '=', slug).executeTakeFirst();
}

/** Newest first. */
export async function listCycles(db: Db, municipalityId: number): Promise<PbCycleRow[]> {
  return db.selectFrom('pb_cycles').selectAll().where('municipality_id', '=', municipalityId).orderBy('year', 'desc').orderBy('id', 'desc').execute();
}

export async function listEnvelopes(db: Db, municipalityId: number, cycleId: number): Promise<PbEnvelopeRow[]> {
  return db
    .selectFrom('pb_envelopes')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

/** The projects on a cycle's ballot, envelope by envelope, in ballot order. */
export async function listProjects(db: Db, municipalityId: number, cycleId: number): Promise<PbProjectRow[]> {
  return db
    .selectFrom('pb_projects')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .orderBy('envelope_id')
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Writes and counts of the cycle administration (cycles.service.ts), and the project pages.

export async function insertCycle(db: Db, values: Insertable<PbCyclesTable>): Promise<PbCycleRow> {
  return db.insertInto('pb_cycles').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Writes when the row is still at `version`; the version goes up by one. */
export async function updateCycleAtVersion(
  db: Db,
  key: { municipalityId: number; id: number; version: number },
  values: Updateable<PbCyclesTable>,
): Promise<boolean> {
  return updateAtVersionNumber(db, 'pb_cycles', key, values);
}

export async function findEnvelope(db: Db, municipalityId: number, cycleId: number, envelopeId: number): Promise<PbEnvelopeRow | undefined> {
  return db
    .selectFrom('pb_envelopes')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('id', '=', envelopeId)
    .executeTakeFirst();
}

export async function insertEnvelope(db: Db, values: Insertable<PbEnvelopesTable>): Promise<PbEnvelopeRow> {
  return db.insertInto('pb_envelopes').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Projects and proposals that name an envelope: while any does, it cannot be deleted. */
export async function countEnvelopeUses(db: Db, municipalityId: number, envelopeId: number): Promise<number> {
  const [projects, proposals] = await Promise.all([
    db.selectFrom('pb_projects').select((eb) => eb.fn.countAll().as('n')).where('municipality_id', '=', municipalityId).where('envelope_id', '=', envelopeId).executeTakeFirstOrThrow(),
    db.selectFrom('pb_proposals').select((eb) => eb.fn.countAll().as('n')).where('municipality_id', '=', municipalityId).where('envelope_id', '=', envelopeId).executeTakeFirstOrThrow(),
  ]);
  return Number(projects.n) + Number(proposals.n);
}

export type CycleCounts = { proposals: number; projects: number; participations: number };

/** `publicOnly`: the proposals the public list shows (hidden ones are not counted). */
export async function countCycleActivity(db: Db, municipalityId: number, cycleId: number, options: { publicOnly?: boolean } = {}): Promise<CycleCounts> {
  const count = async (table: 'pb_proposals' | 'pb_projects' | 'pb_participations') => {
    let query = db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('municipality_id', '=', municipalityId).where('cycle_id', '=', cycleId);
    // Annulled participations are not counted as turnout.
    if (table === 'pb_participations') query = query.where('annulment_id', 'is', null);
    if (table === 'pb_proposals' && options.publicOnly) query = query.where(sql<boolean>`visibility = 'visible'`);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };
  const [proposals, projects, participations] = await Promise.all([count('pb_proposals'), count('pb_projects'), count('pb_participations')]);
  return { proposals, projects, participations };
}

export async function findProjectByCode(db: Db, municipalityId: number, cycleId: number, code: string): Promise<PbProjectRow | undefined> {
  return db
    .selectFrom('pb_projects')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('code', '=', code)
    .executeTakeFirst();
}

export async function findProjectById(db: Db, municipalityId: number, cycleId: number, projectId: number): Promise<PbProjectRow | undefined> {
  return db
    .selectFrom('pb_projects')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('id', '=', projectId)
    .executeTakeFirst();
}

/** The proposal a project came from, with the department that reviewed it. */
export async function findProjectOrigin(
  db: Db,
  municipalityId: number,
  proposalId: number,
): Promise<{ number: number; title: string; departmentId: number | null } | undefined> {
  return db
    .selectFrom('pb_proposals')
    .leftJoin('pb_reviews', 'pb_reviews.proposal_id', 'pb_proposals.id')
    .select(['pb_proposals.number', 'pb_proposals.title', 'pb_reviews.department_id as departmentId'])
    .where('pb_proposals.municipality_id', '=', municipalityId)
    .where('pb_proposals.id', '=', proposalId)
    .executeTakeFirst();
}

export async function listProjectUpdates(db: Db, municipalityId: number, projectId: number): Promise<Selectable<PbProjectUpdatesTable>[]> {
  return db
    .selectFrom('pb_project_updates')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('project_id', '=', projectId)
    .orderBy('id')
    .execute();
}

export async function listUpdatePhotos(db: Db, municipalityId: number, updateIds: number[]): Promise<Selectable<PbPhotosTable>[]> {
  if (updateIds.length === 0) return [];
  return db
    .selectFrom('pb_photos')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('update_id', 'in', updateIds)
    .orderBy('id')
    .execute();
}

export async function findPhotoByKey(db: Db, municipalityId: number, storageKey: string): Promise<Selectable<PbPhotosTable> | undefined> {
  return db.selectFrom('pb_photos').selectAll().where('municipality_id', '=', municipalityId).where('storage_key', '=', storageKey).executeTakeFirst();
}
