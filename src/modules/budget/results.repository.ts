// Queries of the results area: the counted ballots of a cycle, the published results, turnout
// from the participation register, annulments, and the rows an imported Pabulib file creates.
// Every query is scoped by municipality.
import type { Db } from '../../db/database.ts';
import type { BallotType, PbCycleRow, VotingChannel } from './budget.table.ts';

export type CountedBallot = {
  id: string;
  channel: VotingChannel;
  choices: { projectId: number; envelopeId: number; value: number }[];
};

/**
 * The ballots that count (those voided by an annulment are no longer in the box): not invalid, and — for paper — from a batch that was
 * accepted (a batch still being keyed or rejected is not in the count). Choices of every
 * envelope; the caller splits them. Sorted by ballot id in plain code-unit order, the same on
 * both databases whatever their collation.
 */
export async function listCountedBallots(db: Db, municipalityId: number, cycleId: number): Promise<CountedBallot[]> {
  const rows = await db
    .selectFrom('pb_ballots')
    .leftJoin('pb_paper_batches', 'pb_paper_batches.id', 'pb_ballots.paper_batch_id')
    .innerJoin('pb_ballot_choices', 'pb_ballot_choices.ballot_id', 'pb_ballots.id')
    .select([
      'pb_ballots.id as id',
      'pb_ballots.channel as channel',
      'pb_ballot_choices.project_id as project_id',
      'pb_ballot_choices.envelope_id as envelope_id',
      'pb_ballot_choices.value as value',
    ])
    .where('pb_ballots.municipality_id', '=', municipalityId)
    .where('pb_ballots.cycle_id', '=', cycleId)
    .where('pb_ballots.invalid', '=', 0)
    .where((eb) => eb.or([eb('pb_ballots.paper_batch_id', 'is', null), eb('pb_paper_batches.status', '=', 'accepted')]))
    .execute();
  const byId = new Map<string, CountedBallot>();
  for (const row of rows) {
    let ballot = byId.get(row.id);
    if (!ballot) {
      ballot = { id: row.id, channel: row.channel, choices: [] };
      byId.set(row.id, ballot);
    }
    ballot.choices.push({ projectId: row.project_id, envelopeId: row.envelope_id, value: row.value });
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Ballots not counted: spoilt paper ballots (kept in the box, marked invalid), and ballots voided
 * by an annulment — deleted from the box, so their number comes from the annulments.
 */
export async function countUncountedBallots(db: Db, municipalityId: number, cycleId: number): Promise<{ invalid: number; annulled: number }> {
  const invalid = await db
    .selectFrom('pb_ballots')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('invalid', '=', 1)
    .executeTakeFirstOrThrow();
  const annulled = await db
    .selectFrom('pb_annulments')
    .select((eb) => eb.fn.sum<string | number | null>('ballots_voided').as('n'))
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .executeTakeFirstOrThrow();
  return { invalid: Number(invalid.n), annulled: Number(annulled.n ?? 0) };
}

/** Paper batches still open with ballots keyed in them: publishing now would leave them out. */
export async function listOpenPaperBatches(db: Db, municipalityId: number, cycleId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('pb_paper_batches')
    .select('batch_number')
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('status', '=', 'open')
    .where((eb) => eb.exists(eb.selectFrom('pb_paper_entries').select('pb_paper_entries.id').whereRef('pb_paper_entries.batch_id', '=', 'pb_paper_batches.id')))
    .orderBy('batch_number')
    .execute();
  return rows.map((r) => r.batch_number);
}

export type AnnulmentSummary = { reason: string; count: number; decidedAt: string };

export async function listPublicAnnulments(db: Db, municipalityId: number, cycleId: number): Promise<AnnulmentSummary[]> {
  const rows = await db
    .selectFrom('pb_annulments')
    .select(['reason', 'participation_count', 'created_at'])
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ reason: r.reason, count: r.participation_count, decidedAt: r.created_at }));
}

export type TurnoutRow = { key: string | null; count: number };
export type TurnoutDimension = 'channel' | 'arrondissement_id' | 'neighbourhood_id' | 'gender' | 'age_group';

/**
 * Participations that were not annulled, counted by one column. `area` narrows to the voters
 * of a district (an arrondissement or a neighbourhood envelope).
 */
export async function countParticipations(
  db: Db,
  options: { municipalityId: number; cycleId: number; by: TurnoutDimension; area?: { arrondissementId?: number | null; neighbourhoodId?: number | null } },
): Promise<TurnoutRow[]> {
  let query = db
    .selectFrom('pb_participations')
    .select([options.by, (eb) => eb.fn.countAll<string | number>().as('n')])
    .where('municipality_id', '=', options.municipalityId)
    .where('cycle_id', '=', options.cycleId)
    .where('annulment_id', 'is', null);
  if (options.area?.arrondissementId != null) query = query.where('arrondissement_id', '=', options.area.arrondissementId);
  if (options.area?.neighbourhoodId != null) query = query.where('neighbourhood_id', '=', options.area.neighbourhoodId);
  const rows = await query.groupBy(options.by).execute();
  return rows.map((r) => {
    const raw = (r as Record<string, unknown>)[options.by];
    return { key: raw === null || raw === undefined ? null : String(raw), count: Number(r.n) };
  });
}

export type StoredResult = {
  envelopeId: number;
  rule: string;
  tieBreaking: string;
  ballotCount: number;
  pbSha256: string;
  resultJson: string;
  computedAt: string;
};

export async function listResults(db: Db, municipalityId: number, cycleId: number): Promise<StoredResult[]> {
  const rows = await db
    .selectFrom('pb_results')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .orderBy('envelope_id')
    .execute();
  return rows.map((r) => ({
    envelopeId: r.envelope_id,
    rule: r.rule,
    tieBreaking: r.tie_breaking,
    ballotCount: r.ballot_count,
    pbSha256: r.pb_sha256,
    resultJson: r.result_json,
    computedAt: r.computed_at,
  }));
}

export async function findResult(db: Db, municipalityId: number, cycleId: number, envelopeId: number): Promise<StoredResult | undefined> {
  return (await listResults(db, municipalityId, cycleId)).find((r) => r.envelopeId === envelopeId);
}

export async function insertResult(trx: Db, municipalityId: number, cycleId: number, result: StoredResult): Promise<void> {
  await trx
    .insertInto('pb_results')
    .values({
      envelope_id: result.envelopeId,
      municipality_id: municipalityId,
      cycle_id: cycleId,
      rule: result.rule,
      tie_breaking: result.tieBreaking,
      ballot_count: result.ballotCount,
      pb_sha256: result.pbSha256,
      result_json: result.resultJson,
      computed_at: result.computedAt,
    })
    .execute();
}

/**
 * Marks the cycle published, only if it was not: the row lock (PostgreSQL) or the writer lock
 * (SQLite) makes a second, concurrent publication update nothing. Returns whether it did.
 */
export async function markCyclePublished(trx: Db, municipalityId: number, cycleId: number, now: string): Promise<boolean> {
  const result = await trx
    .updateTable('pb_cycles')
    .set((eb) => ({ results_published_at: now, updated_at: now, version: eb('version', '+', 1) }))
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', cycleId)
    .where('results_published_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setSelectedProjects(trx: Db, municipalityId: number, cycleId: number, selectedIds: number[], now: string): Promise<void> {
  await trx
    .updateTable('pb_projects')
    .set({ selected: 0, updated_at: now })
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('selected', '=', 1)
    .execute();
  if (selectedIds.length === 0) return;
  await trx
    .updateTable('pb_projects')
    .set({ selected: 1, updated_at: now })
    .where('municipality_id', '=', municipalityId)
    .where('cycle_id', '=', cycleId)
    .where('id', 'in', selectedIds)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Rows created by importing a Pabulib file

export type ImportedCycle = {
  municipalityId: number;
  year: number;
  slug: string;
  title: { ar: string; fr: string; en: string };
  description: { ar: string; fr: string; en: string };
  votingOpenAt: string;
  votingCloseAt: string;
  ballotType: BallotType;
  minChoices: number;
  maxChoices: number | null;
  totalPoints: number | null;
  maxPointsPerProject: number | null;
  rule: string;
  now: string;
};

export async function insertImportedCycle(trx: Db, cycle: ImportedCycle): Promise<PbCycleRow> {
  return trx
    .insertInto('pb_cycles')
    .values({
      municipality_id: cycle.municipalityId,
      year: cycle.year,
      slug: cycle.slug,
      title_ar: cycle.title.ar,
      title_fr: cycle.title.fr,
      title_en: cycle.title.en,
      description_ar: cycle.description.ar,
      description_fr: cycle.description.fr,
      description_en: cycle.description.en,
      // No proposals, review or support phases happened here: they collapse onto the vote.
      information_starts_at: cycle.votingOpenAt,
      proposals_open_at: cycle.votingOpenAt,
      proposals_close_at: cycle.votingOpenAt,
      review_close_at: cycle.votingOpenAt,
      support_open_at: null,
      support_close_at: null,
      voting_open_at: cycle.votingOpenAt,
      voting_close_at: cycle.votingCloseAt,
      results_published_at: null,
      ballot_type: cycle.ballotType,
      min_choices: cycle.minChoices,
      max_choices: cycle.maxChoices,
      total_points: cycle.totalPoints,
      max_points_per_project: cycle.maxPointsPerProject,
      rule: cycle.rule,
      tie_breaking: 'project_id',
      lot_seed: null,
      seal_salt: null,
      created_at: cycle.now,
      updated_at: cycle.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertImportedEnvelope(
  trx: Db,
  envelope: { municipalityId: number; cycleId: number; name: string; budgetMillimes: number; now: string },
): Promise<number> {
  const row = await trx
    .insertInto('pb_envelopes')
    .values({
      municipality_id: envelope.municipalityId,
      cycle_id: envelope.cycleId,
      scope: 'city',
      arrondissement_id: null,
      neighbourhood_id: null,
      name_ar: envelope.name,
      name_fr: envelope.name,
      name_en: envelope.name,
      budget_millimes: envelope.budgetMillimes,
      sort_order: 0,
      created_at: envelope.now,
      updated_at: envelope.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export type ImportedProject = { code: string; title: string; description: string; category: string | null; costMillimes: number; sortOrder: number };

/** Inserts the projects; returns their ids by code. */
export async function insertImportedProjects(
  trx: Db,
  scope: { municipalityId: number; cycleId: number; envelopeId: number; now: string },
  projects: ImportedProject[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const p of projects) {
    const row = await trx
      .insertInto('pb_projects')
      .values({
        municipality_id: scope.municipalityId,
        cycle_id: scope.cycleId,
        envelope_id: scope.envelopeId,
        proposal_id: null,
        code: p.code,
        title: p.title,
        description: p.description,
        category: p.category,
        cost_millimes: p.costMillimes,
        neighbourhood_id: null,
        lat: null,
        lng: null,
        sort_order: p.sortOrder,
        created_at: scope.now,
        updated_at: scope.now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(p.code, row.id);
  }
  return ids;
}
