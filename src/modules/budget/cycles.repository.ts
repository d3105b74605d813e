// Reading cycles, their envelopes and their projects. Every area of the budget module loads a
// cycle through here; writes belong to cycles.service.ts.
import type { Db } from '../../db/database.ts';
import type { PbCycleRow, PbEnvelopeRow, PbProjectRow } from './budget.table.ts';

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
