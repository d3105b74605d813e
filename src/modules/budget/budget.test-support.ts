// Test fixtures of the budget module, for every area's tests: a cycle with its envelopes and
// projects, put in the phase a test needs by dates around `now`. Rows are written directly
// (no service, no audit): tests of the cycle administration itself go through cycles.service.ts.
import type { Insertable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { randomToken } from '../../lib/crypto.ts';
import { addDays, nowIso } from '../../lib/time.ts';
import { defaultRule, type Phase } from './budget.ts';
import type { BallotType, EnvelopeScope, PbCycleRow, PbCyclesTable, PbEnvelopeRow, PbProjectRow } from './budget.table.ts';

type PhaseDateFields = Pick<
  PbCyclesTable,
  | 'information_starts_at'
  | 'proposals_open_at'
  | 'proposals_close_at'
  | 'review_close_at'
  | 'support_open_at'
  | 'support_close_at'
  | 'voting_open_at'
  | 'voting_close_at'
  | 'results_published_at'
>;

/**
 * Phase dates such that `phaseAt(dates, now) === phase`. The pre-selection by support is only
 * there for the 'support' phase, or when `withSupport` is set.
 */
export function phaseDatesFor(phase: Phase, now: string, withSupport = phase === 'support'): PhaseDateFields {
  // Offsets in days from `now`, per boundary, for each phase.
  const offsets: Record<Phase, [number, number, number, number, number, number, number, number, number | null]> = {
    //            info  open  close review supOpen supClose vOpen vClose results
    draft: [2, 3, 10, 20, 21, 25, 26, 30, null],
    information: [-1, 3, 10, 20, 21, 25, 26, 30, null],
    proposals: [-10, -1, 10, 20, 21, 25, 26, 30, null],
    review: [-20, -15, -1, 10, 11, 15, 16, 30, null],
    support: [-30, -25, -20, -10, -1, 5, 6, 20, null],
    voting: [-40, -35, -30, -20, -15, -10, -1, 10, null],
    counting: [-40, -35, -30, -20, -15, -12, -10, -1, null],
    results: [-40, -35, -30, -20, -15, -12, -10, -3, -1],
  };
  const [info, open, close, review, supOpen, supClose, vOpen, vClose, results] = offsets[phase];
  return {
    information_starts_at: addDays(now, info),
    proposals_open_at: addDays(now, open),
    proposals_close_at: addDays(now, close),
    review_close_at: addDays(now, review),
    support_open_at: withSupport ? addDays(now, supOpen) : null,
    support_close_at: withSupport ? addDays(now, supClose) : null,
    voting_open_at: addDays(now, vOpen),
    voting_close_at: addDays(now, vClose),
    results_published_at: results === null ? null : addDays(now, results),
  };
}

export type TestProjectSpec = {
  code: string;
  costMillimes: number;
  title?: string;
  neighbourhoodId?: number | null;
  proposalId?: number | null;
  selected?: boolean;
};

export type TestEnvelopeSpec = {
  scope: EnvelopeScope;
  arrondissementId?: number | null;
  neighbourhoodId?: number | null;
  budgetMillimes: number;
  name?: string;
  projects?: TestProjectSpec[];
};

export type TestCycleOptions = {
  /** Default 'voting'. */
  phase?: Phase;
  /** Default nowIso(). */
  now?: string;
  /** Default: a unique slug; year 2027. */
  slug?: string;
  year?: number;
  ballotType?: BallotType;
  minChoices?: number;
  maxChoices?: number | null;
  totalPoints?: number | null;
  maxPointsPerProject?: number | null;
  /** Default: defaultRule(ballotType). */
  rule?: string;
  withSupport?: boolean;
  /**
   * Default: a city envelope of 1,000 TND with projects C1 (300 TND), C2 (400), C3 (500), C4
   * (200); and when the municipality has an arrondissement, an envelope for the first one of
   * 500 TND with projects A1 (250) and A2 (300).
   */
  envelopes?: TestEnvelopeSpec[];
  /** Any other column of pb_cycles. */
  cycle?: Partial<Insertable<PbCyclesTable>>;
};

export type TestCycle = { cycle: PbCycleRow; envelopes: PbEnvelopeRow[]; projects: PbProjectRow[] };

let counter = 0;

/** A cycle with envelopes and projects in the chosen phase (default: voting, approval ballots). */
export async function createTestCycle(db: Db, municipalityId: number, options: TestCycleOptions = {}): Promise<TestCycle> {
  const now = options.now ?? nowIso();
  const phase = options.phase ?? 'voting';
  const ballotType = options.ballotType ?? 'approval';
  counter += 1;
  const slug = options.slug ?? `test-${counter}-${randomToken(4)}`;
  let envelopeSpecs = options.envelopes;
  if (!envelopeSpecs) {
    envelopeSpecs = [
      {
        scope: 'city',
        budgetMillimes: 1_000_000,
        projects: [
          { code: 'C1', costMillimes: 300_000 },
          { code: 'C2', costMillimes: 400_000 },
          { code: 'C3', costMillimes: 500_000 },
          { code: 'C4', costMillimes: 200_000 },
        ],
      },
    ];
    const arrondissement = await db
      .selectFrom('arrondissements')
      .select('id')
      .where('municipality_id', '=', municipalityId)
      .orderBy('id')
      .executeTakeFirst();
    if (arrondissement) {
      envelopeSpecs.push({
        scope: 'arrondissement',
        arrondissementId: arrondissement.id,
        budgetMillimes: 500_000,
        projects: [
          { code: 'A1', costMillimes: 250_000 },
          { code: 'A2', costMillimes: 300_000 },
        ],
      });
    }
  }
  const cycle = await db
    .insertInto('pb_cycles')
    .values({
      municipality_id: municipalityId,
      year: options.year ?? 2027,
      slug,
      title_ar: `الميزانية التشاركية ${slug}`,
      title_fr: `Budget participatif ${slug}`,
      title_en: `Participatory budget ${slug}`,
      description_ar: null,
      description_fr: null,
      description_en: null,
      ...phaseDatesFor(phase, now, options.withSupport),
      ballot_type: ballotType,
      min_choices: options.minChoices ?? 1,
      max_choices: options.maxChoices === undefined ? (ballotType === 'approval' || ballotType === 'ranking' ? 3 : null) : options.maxChoices,
      total_points: options.totalPoints === undefined ? (ballotType === 'cumulative' ? 10 : null) : options.totalPoints,
      max_points_per_project: options.maxPointsPerProject === undefined ? null : options.maxPointsPerProject,
      rule: options.rule ?? defaultRule(ballotType),
      // Erased at publication: a cycle with results has none.
      seal_salt: phase === 'results' ? null : randomToken(),
      created_at: now,
      updated_at: now,
      ...options.cycle,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const envelopes: PbEnvelopeRow[] = [];
  const projects: PbProjectRow[] = [];
  for (const [index, spec] of envelopeSpecs.entries()) {
    const name = spec.name ?? `${spec.scope} ${index + 1}`;
    const envelope = await db
      .insertInto('pb_envelopes')
      .values({
        municipality_id: municipalityId,
        cycle_id: cycle.id,
        scope: spec.scope,
        arrondissement_id: spec.arrondissementId ?? null,
        neighbourhood_id: spec.neighbourhoodId ?? null,
        name_ar: name,
        name_fr: name,
        name_en: name,
        budget_millimes: spec.budgetMillimes,
        sort_order: index,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    envelopes.push(envelope);
    for (const [order, project] of (spec.projects ?? []).entries()) {
      projects.push(
        await db
          .insertInto('pb_projects')
          .values({
            municipality_id: municipalityId,
            cycle_id: cycle.id,
            envelope_id: envelope.id,
            proposal_id: project.proposalId ?? null,
            code: project.code,
            title: project.title ?? `Project ${project.code}`,
            description: `Description of ${project.code}`,
            category: null,
            cost_millimes: project.costMillimes,
            neighbourhood_id: project.neighbourhoodId ?? null,
            lat: null,
            lng: null,
            sort_order: order,
            selected: project.selected ? 1 : 0,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
    }
  }
  return { cycle, envelopes, projects };
}
