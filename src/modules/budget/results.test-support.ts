// Hand-built cycles for the results tests: rows inserted directly, so these tests depend on
// nothing but the schema and the ballot box.
import type { Db } from '../../db/database.ts';
import { insertBallot } from './ballot-box.repository.ts';
import type { BallotType, EnvelopeScope, PbCycleRow, VotingChannel } from './budget.table.ts';

export const T_OPEN = '2026-03-01T08:00:00.000Z';
export const T_CLOSE = '2026-03-15T20:00:00.000Z';
export const T_DURING = '2026-03-10T10:00:00.000Z';
export const T_AFTER = '2026-03-16T10:00:00.000Z';

export async function insertCycle(
  db: Db,
  options: { municipalityId: number; slug: string; ballotType?: BallotType; rule?: string; totalPoints?: number | null; maxChoices?: number | null; tieBreaking?: string; lotSeed?: string | null },
): Promise<PbCycleRow> {
  const now = '2026-01-01T00:00:00.000Z';
  return db
    .insertInto('pb_cycles')
    .values({
      municipality_id: options.municipalityId,
      year: 2026,
      slug: options.slug,
      title_ar: `دورة ${options.slug}`,
      title_fr: `Cycle ${options.slug}`,
      title_en: `Cycle ${options.slug}`,
      description_ar: null,
      description_fr: null,
      description_en: null,
      information_starts_at: '2026-01-01T00:00:00.000Z',
      proposals_open_at: '2026-01-10T00:00:00.000Z',
      proposals_close_at: '2026-01-31T00:00:00.000Z',
      review_close_at: '2026-02-20T00:00:00.000Z',
      support_open_at: null,
      support_close_at: null,
      voting_open_at: T_OPEN,
      voting_close_at: T_CLOSE,
      results_published_at: null,
      ballot_type: options.ballotType ?? 'approval',
      min_choices: 1,
      max_choices: options.maxChoices === undefined ? 3 : options.maxChoices,
      total_points: options.totalPoints ?? null,
      max_points_per_project: null,
      rule: options.rule ?? 'greedy_cost_sat',
      tie_breaking: options.tieBreaking ?? 'project_id',
      lot_seed: options.lotSeed ?? null,
      seal_salt: 'salt-for-tests',
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertEnvelope(
  db: Db,
  options: { municipalityId: number; cycleId: number; scope?: EnvelopeScope; arrondissementId?: number | null; neighbourhoodId?: number | null; name: string; budgetMillimes: number; sortOrder?: number },
): Promise<number> {
  const now = '2026-01-01T00:00:00.000Z';
  const row = await db
    .insertInto('pb_envelopes')
    .values({
      municipality_id: options.municipalityId,
      cycle_id: options.cycleId,
      scope: options.scope ?? 'city',
      arrondissement_id: options.arrondissementId ?? null,
      neighbourhood_id: options.neighbourhoodId ?? null,
      name_ar: `ظرف ${options.name}`,
      name_fr: `Enveloppe ${options.name}`,
      name_en: `Envelope ${options.name}`,
      budget_millimes: options.budgetMillimes,
      sort_order: options.sortOrder ?? 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertProject(
  db: Db,
  options: { municipalityId: number; cycleId: number; envelopeId: number; code: string; title?: string; costMillimes: number; sortOrder?: number },
): Promise<number> {
  const now = '2026-01-01T00:00:00.000Z';
  const row = await db
    .insertInto('pb_projects')
    .values({
      municipality_id: options.municipalityId,
      cycle_id: options.cycleId,
      envelope_id: options.envelopeId,
      proposal_id: null,
      code: options.code,
      title: options.title ?? `Projet ${options.code}`,
      description: '',
      category: 'roads',
      cost_millimes: options.costMillimes,
      neighbourhood_id: null,
      lat: null,
      lng: null,
      sort_order: options.sortOrder ?? 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let voterSeq = 0;

/** A participation (register) and its ballot (box), as a vote would write them, with a seal. */
export async function castTestBallot(
  db: Db,
  options: {
    municipalityId: number;
    cycleId: number;
    channel?: VotingChannel;
    choices: { projectId: number; envelopeId: number; value?: number }[];
    invalid?: boolean;
    paperBatchId?: number | null;
    neighbourhoodId?: number | null;
    arrondissementId?: number | null;
    gender?: string | null;
    ageGroup?: string | null;
    register?: boolean;
  },
): Promise<{ ballotId: string; participationId: number | null }> {
  const ballotId = await insertBallot(db, {
    municipalityId: options.municipalityId,
    cycleId: options.cycleId,
    channel: options.channel ?? 'online',
    invalid: options.invalid,
    paperBatchId: options.paperBatchId ?? null,
    choices: options.choices.map((c) => ({ projectId: c.projectId, envelopeId: c.envelopeId, value: c.value ?? 1 })),
  });
  if (options.register === false) return { ballotId, participationId: null };
  voterSeq += 1;
  const row = await db
    .insertInto('pb_participations')
    .values({
      municipality_id: options.municipalityId,
      cycle_id: options.cycleId,
      voter_key: `voter-${voterSeq}-${ballotId}`,
      channel: options.channel ?? 'online',
      phone_hash: null,
      phone_slot: null,
      ip_hash: null,
      arrondissement_id: options.arrondissementId ?? null,
      neighbourhood_id: options.neighbourhoodId ?? null,
      gender: options.gender ?? null,
      age_group: options.ageGroup ?? null,
      voted_hour: '2026-03-10T10',
      verified_by: null,
      ballot_seal: options.channel === 'paper' ? null : `seal-${ballotId}`,
      annulment_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ballotId, participationId: row.id };
}

/** Annuls participations and deletes the given ballots from the box, as an annulment does. */
export async function annul(db: Db, options: { municipalityId: number; cycleId: number; reason: string; participationIds: number[]; ballotIds: string[] }): Promise<number> {
  const row = await db
    .insertInto('pb_annulments')
    .values({
      municipality_id: options.municipalityId,
      cycle_id: options.cycleId,
      reason: options.reason,
      participation_count: options.participationIds.length,
      ballots_voided: options.ballotIds.length,
      decided_by: null,
      created_at: '2026-03-12T10:00:00.000Z',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('pb_participations').set({ annulment_id: row.id }).where('id', 'in', options.participationIds).execute();
  if (options.ballotIds.length > 0) {
    await db.deleteFrom('pb_ballot_choices').where('ballot_id', 'in', options.ballotIds).execute();
    await db.deleteFrom('pb_ballots').where('id', 'in', options.ballotIds).execute();
  }
  return row.id;
}
