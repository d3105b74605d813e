// Results of a participatory budgeting cycle: computing the outcome of every envelope with the
// cycle's rule, publishing it (once, after the vote, in one transaction that also erases the
// ballot seals), and the view-models of the public results pages and the staff preview.
//
// A published result is kept as computed (pb_results.result_json, with the exact .pb text it
// was computed from): the public pages show what was announced, and the download is that very
// file, whose SHA-256 is on the page.
import { sql } from 'kysely';
import { dialectOf, type Db } from '../../db/database.ts';
import { type Actor, authorize } from '../../auth/policies.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { listArrondissements, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { phaseAt, type Phase, VOTER_AGE_GROUPS, VOTER_GENDERS } from './budget.ts';
import type { PbCycleRow, PbEnvelopeRow, PbProjectRow, VotingChannel } from './budget.table.ts';
import { loadCycleElections, millimesToTnd } from './cycle-pabulib.ts';
import { findCycleById, findCycleBySlug, listEnvelopes, listProjects } from './cycles.repository.ts';
import type { TieBreaking } from './outcome/ordering.ts';
import { type PbInstance, writePabulib } from './outcome/pabulib.ts';
import { compare, mul, rational, sub, toDecimalString, toExactDecimal, toFractionString, type Rational } from './outcome/rational.ts';
import { isRuleId, ruleAppliesTo, tally, type Explanation, type GreedyExplanation, type MesExplanation, type MesPaymentExplanation, type RuleId } from './outcome/rules.ts';
import {
  type AnnulmentSummary,
  countParticipations,
  countUncountedBallots,
  findResult,
  insertResult,
  listOpenPaperBatches,
  listPublicAnnulments,
  listResults,
  markCyclePublished,
  setSelectedProjects,
  type TurnoutDimension,
} from './results.repository.ts';
import { sealCycleBallots } from './voting/sealing.ts';

// ---------------------------------------------------------------------------------------------
// What is computed and kept

/** The result of one envelope as stored in pb_results.result_json (numbers as exact text). */
export type StoredOutcome = {
  version: 1;
  rule: RuleId;
  tieBreaking: TieBreaking;
  ballotCount: number;
  winners: string[];
  selectionOrder: string[];
  totalCost: string;
  explanation: Explanation;
  /** Votes (ballots listing it) and, for points, the score, per project code. */
  tallies: Record<string, { votes: number; score: number | null }>;
  /** The exact .pb text the result was computed from, as downloaded. */
  pb: string;
};

function exact(value: Rational): string {
  return toExactDecimal(value) ?? toFractionString(value);
}

/** The tie-breaking rule a cycle announced. */
export function cycleTieBreaking(cycle: Pick<PbCycleRow, 'tie_breaking' | 'lot_seed'>): TieBreaking {
  return cycle.tie_breaking === 'equalshares' ? { kind: 'equalshares', lotSeed: cycle.lot_seed ?? '0' } : { kind: 'project_id' };
}

function cycleRule(cycle: PbCycleRow, instance: PbInstance): RuleId {
  if (!isRuleId(cycle.rule) || !ruleAppliesTo(cycle.rule, instance.voteType)) {
    throw new AppError('validation', { fields: { _form: { key: 'budget.results.error.bad_rule', values: { rule: cycle.rule } } } });
  }
  return cycle.rule;
}

/** Tallies one envelope's instance with the cycle's rule and tie-breaking. */
export function outcomeOf(cycle: PbCycleRow, instance: PbInstance, pbText: string): StoredOutcome {
  const rule = cycleRule(cycle, instance);
  const tieBreaking = cycleTieBreaking(cycle);
  const result = tally(instance, rule, { tieBreaking });
  const tallies: StoredOutcome['tallies'] = {};
  for (const p of instance.projects) {
    tallies[p.id] = { votes: Number(p.fields.votes ?? 0), score: p.fields.score != null ? Number(p.fields.score) : null };
  }
  return {
    version: 1,
    rule,
    tieBreaking,
    ballotCount: instance.votes.length,
    winners: result.winners,
    selectionOrder: result.selectionOrder,
    totalCost: exact(result.totalCost),
    explanation: result.explanation,
    tallies,
    pb: pbText,
  };
}

// ---------------------------------------------------------------------------------------------
// Why each project was or was not selected

export type ProjectReason =
  | { kind: 'greedy'; completion: boolean; position: number; selected: boolean; leftBefore: string; leftAfter: string }
  | { kind: 'mes_round'; round: number; rho: string; rhoDecimal: string; payments: MesPaymentExplanation[] }
  | { kind: 'mes_free' }
  | { kind: 'mes_no_support' }
  /** Even with all their money at the start (supporters × per-voter budget) they could not pay it. */
  | { kind: 'mes_too_expensive'; supporters: number; perVoterBudget: string; theirMoney: string }
  /** They could have, but spent part of their money on projects funded before. */
  | { kind: 'mes_spent'; supporters: number; perVoterBudget: string; theirMoney: string };

export type ProjectOutcome = {
  projectId: number;
  code: string;
  title: string;
  costMillimes: number;
  votes: number;
  score: number | null;
  selected: boolean;
  reason: ProjectReason | null;
};

export type EnvelopeOutcome = {
  envelope: PbEnvelopeRow;
  outcome: StoredOutcome;
  /** Projects in the order the rule funded them first, then the others in ballot order. */
  projects: ProjectOutcome[];
  totalCostMillimes: number;
  pbSha256: string;
  /** MES: the per-voter budget the outcome was computed with; add1: with its raises. */
  perVoterBudget: { value: string; decimal: string; raises: number | null; stoppedBecause: string | null } | null;
};

function mesOf(explanation: Explanation): MesExplanation | null {
  if (explanation.kind === 'mes') return explanation;
  if (explanation.kind === 'mes_add1') return explanation.mes;
  if (explanation.kind === 'mes_add1u') return explanation.add1.mes;
  return null;
}

function greedyOf(explanation: Explanation): GreedyExplanation | null {
  if (explanation.kind === 'greedy') return explanation;
  if (explanation.kind === 'mes_add1u') return explanation.completion;
  return null;
}

function tndMillimes(text: string): number {
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3));
}

/** The page's account of an envelope: from a stored outcome and the envelope's projects. */
export function describeEnvelope(envelope: PbEnvelopeRow, projects: PbProjectRow[], outcome: StoredOutcome, pbSha256: string): EnvelopeOutcome {
  const mine = projects.filter((p) => p.envelope_id === envelope.id);
  const winners = new Set(outcome.winners);
  const mes = mesOf(outcome.explanation);
  const greedy = greedyOf(outcome.explanation);
  const rounds = new Map(mes?.rounds.map((r) => [r.projectId, r]) ?? []);
  const free = new Set(mes?.freeProjects ?? []);
  const steps = new Map(greedy?.steps.map((s, i) => [s.projectId, { step: s, position: i + 1 }]) ?? []);

  const reasonOf = (code: string, votes: number, costMillimes: number): ProjectReason | null => {
    const round = rounds.get(code);
    if (round) return { kind: 'mes_round', round: round.round, rho: round.rho, rhoDecimal: round.rhoDecimal, payments: round.payments };
    if (free.has(code)) return { kind: 'mes_free' };
    const step = steps.get(code);
    if (step) {
      return {
        kind: 'greedy',
        completion: outcome.explanation.kind === 'mes_add1u',
        position: step.position,
        selected: step.step.selected,
        leftBefore: step.step.budgetLeftBefore,
        leftAfter: step.step.budgetLeftAfter,
      };
    }
    if (mes) {
      if (votes === 0) return { kind: 'mes_no_support' };
      const budget = parseExact(mes.perVoterBudget);
      const theirMoney = mul(budget, rational(votes));
      const tooExpensive = compare(theirMoney, millimesToTnd(costMillimes)) < 0;
      return {
        kind: tooExpensive ? 'mes_too_expensive' : 'mes_spent',
        supporters: votes,
        perVoterBudget: mes.perVoterBudgetDecimal,
        theirMoney: toDecimalString(theirMoney, 3),
      };
    }
    return null;
  };

  const byCode = new Map(mine.map((p) => [p.code, p]));
  const ordered = [...outcome.selectionOrder.map((c) => byCode.get(c)).filter((p): p is PbProjectRow => !!p), ...mine.filter((p) => !winners.has(p.code))];
  const items = ordered.map((p) => {
    const t = outcome.tallies[p.code] ?? { votes: 0, score: null };
    return {
      projectId: p.id,
      code: p.code,
      title: p.title,
      costMillimes: p.cost_millimes,
      votes: t.votes,
      score: t.score,
      selected: winners.has(p.code),
      reason: reasonOf(p.code, t.votes, p.cost_millimes),
    };
  });
  const add1 = outcome.explanation.kind === 'mes_add1' ? outcome.explanation : outcome.explanation.kind === 'mes_add1u' ? outcome.explanation.add1 : null;
  return {
    envelope,
    outcome,
    projects: items,
    totalCostMillimes: tndMillimes(outcome.totalCost),
    pbSha256,
    perVoterBudget: mes
      ? { value: mes.perVoterBudget, decimal: mes.perVoterBudgetDecimal, raises: add1?.raisesApplied ?? null, stoppedBecause: add1?.stoppedBecause ?? null }
      : null,
  };
}

function parseExact(text: string): Rational {
  if (text.includes('/')) {
    const [n, d] = text.split('/');
    return rational(BigInt(n!), BigInt(d!));
  }
  const [whole, fraction = ''] = text.split('.');
  return rational(BigInt(`${whole}${fraction}`), 10n ** BigInt(fraction.length));
}

/** Money left once the selected projects are paid, in millimes. */
export function leftMillimes(result: EnvelopeOutcome): number {
  return result.envelope.budget_millimes - result.totalCostMillimes;
}

// ---------------------------------------------------------------------------------------------
// Computing (preview, export) and publishing

export type ComputedResults = {
  cycle: PbCycleRow;
  envelopes: EnvelopeOutcome[];
};

/** Every envelope's outcome from the ballots as they are now (no authorization: callers check). */
export async function computeResults(db: Db, options: { municipalityId: number; cycleId: number; cycle?: PbCycleRow; withSelected?: boolean }): Promise<ComputedResults> {
  const cycle = options.cycle ?? (await findCycleById(db, options.municipalityId, options.cycleId));
  if (!cycle) throw new AppError('not_found');
  const elections = await loadCycleElections(db, { municipalityId: options.municipalityId, cycle, withSelected: options.withSelected });
  const projects = elections.envelopes.flatMap((e) => e.projects);
  return {
    cycle,
    envelopes: elections.envelopes.map((e) => {
      const text = writePabulib(e.instance);
      return describeEnvelope(e.envelope, projects, outcomeOf(cycle, e.instance, text), sha256Hex(text));
    }),
  };
}

export type PublicationCheck = {
  phase: Phase;
  published: boolean;
  /** Batch numbers of paper batches still open with ballots keyed in them. */
  openBatches: string[];
  canPublish: boolean;
};

async function publicationCheck(db: Db, cycle: PbCycleRow, now: string): Promise<PublicationCheck> {
  const phase = phaseAt(cycle, now);
  const openBatches = await listOpenPaperBatches(db, cycle.municipality_id, cycle.id);
  const published = cycle.results_published_at !== null;
  return { phase, published, openBatches, canPublish: !published && phase === 'counting' && openBatches.length === 0 };
}

export type ResultsPreview = { cycle: PbCycleRow; check: PublicationCheck; results: ComputedResults | null; uncounted: { invalid: number; annulled: number } };

/** The staff preview: the outcome computed now, and whether it may be published. */
export async function previewResults(db: Db, options: { actor: Actor; municipalityId: number; cycleId: number; now?: string }): Promise<ResultsPreview> {
  authorize(options.actor, 'budget.publish_results', { municipalityId: options.municipalityId });
  const cycle = await findCycleById(db, options.municipalityId, options.cycleId);
  if (!cycle) throw new AppError('not_found');
  const now = options.now ?? nowIso();
  const check = await publicationCheck(db, cycle, now);
  // Before the vote closes nothing is computed: staff do not see a running count either.
  const results = check.phase === 'counting' || check.phase === 'results' ? await computeResults(db, { municipalityId: options.municipalityId, cycleId: cycle.id, cycle }) : null;
  return { cycle, check, results, uncounted: await countUncountedBallots(db, options.municipalityId, cycle.id) };
}

export type PublishResultsOptions = { actor: Actor; municipalityId: number; cycleId: number; now?: string };

/**
 * Publishes the results of a closed vote, in one transaction: the result of every envelope
 * (with the SHA-256 of its .pb file), the selected projects, the publication time, the
 * erasure of the ballot seals (after which no ballot can be traced to anyone), and the audit
 * entry. Refused before the vote closes, twice, and while paper batches are still open.
 */
export async function publishResults(db: Db, options: PublishResultsOptions): Promise<{ envelopes: number; selected: number }> {
  authorize(options.actor, 'budget.publish_results', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  const { municipalityId } = options;
  return db.transaction().execute(async (trx) => {
    const cycle = await findCycleById(trx, municipalityId, options.cycleId);
    if (!cycle) throw new AppError('not_found');
    const check = await publicationCheck(trx, cycle, now);
    if (check.published) throw new AppError('conflict', { fields: { _form: 'budget.results.error.already_published' } });
    if (check.phase !== 'counting') throw new AppError('conflict', { fields: { _form: 'budget.results.error.not_closed' } });
    if (check.openBatches.length > 0) {
      throw new AppError('conflict', { fields: { _form: { key: 'budget.results.error.open_batches', values: { batches: check.openBatches.join(', '), count: check.openBatches.length } } } });
    }
    // First write of the transaction: a concurrent publication waits here, then updates nothing.
    if (!(await markCyclePublished(trx, municipalityId, cycle.id, now))) {
      throw new AppError('conflict', { fields: { _form: 'budget.results.error.already_published' } });
    }
    // One reading of the box: the outcome and the published file come from the same ballots,
    // even if a ballot is voided while the rules run (PostgreSQL reads committed rows).
    const elections = await loadCycleElections(trx, { municipalityId, cycle, withSelected: false });
    const allProjects = elections.envelopes.flatMap((e) => e.projects);
    const computed = {
      envelopes: elections.envelopes.map((e) => describeEnvelope(e.envelope, allProjects, outcomeOf(cycle, e.instance, ''), '')),
    };
    const winnerIds = computed.envelopes.flatMap((e) => e.projects.filter((p) => p.selected).map((p) => p.projectId));
    await setSelectedProjects(trx, municipalityId, cycle.id, winnerIds, now);
    for (const e of elections.envelopes) {
      const computedEnvelope = computed.envelopes.find((c) => c.envelope.id === e.envelope.id)!;
      // The published files carry the `selected` column (last, as buildEnvelopeInstance puts it).
      const winners = new Set(computedEnvelope.outcome.winners);
      const text = writePabulib({
        ...e.instance,
        projectColumns: [...e.instance.projectColumns, 'selected'],
        projects: e.instance.projects.map((p) => ({ ...p, fields: { ...p.fields, selected: winners.has(p.id) ? '1' : '0' } })),
      });
      const outcome: StoredOutcome = { ...computedEnvelope.outcome, pb: text };
      await insertResult(trx, municipalityId, cycle.id, {
        envelopeId: e.envelope.id,
        rule: outcome.rule,
        tieBreaking: cycle.tie_breaking,
        ballotCount: outcome.ballotCount,
        pbSha256: sha256Hex(text),
        resultJson: JSON.stringify(outcome),
        computedAt: now,
      });
    }
    await sealCycleBallots(trx, { municipalityId, cycleId: cycle.id });
    await reorderBallotBox(trx);
    await recordAudit(trx, {
      municipalityId,
      actor: { userId: actor.userId, label: `user:${actor.userId}` },
      action: 'budget.results_published',
      entityType: 'pb_cycle',
      entityId: cycle.id,
      after: {
        envelopes: computed.envelopes.map((e) => ({ envelope_id: e.envelope.id, ballots: e.outcome.ballotCount, winners: e.outcome.winners, total_cost: e.outcome.totalCost })),
      },
    });
    return { envelopes: computed.envelopes.length, selected: winnerIds.length };
  });
}

/**
 * PostgreSQL only: rewrite the ballot box in primary-key order (the random ballot ids). A
 * PostgreSQL heap keeps rows in the order they were inserted, which someone with database access
 * could lay beside the participation register's order to pair voters with ballots. SQLite needs
 * nothing: its box tables are WITHOUT ROWID, stored in id order from the start. The table form of
 * CLUSTER is allowed inside a transaction block, so it happens in the publication transaction,
 * after the seals are erased; it locks the two box tables (every cycle) for the rewrite, which is
 * seconds for a municipality's ballots. The index names are those 0007-budget.ts gives the
 * primary keys.
 */
async function reorderBallotBox(trx: Db): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await sql`CLUSTER pb_ballots USING pb_ballots_pkey`.execute(trx);
  await sql`CLUSTER pb_ballot_choices USING pb_ballot_choices_pk`.execute(trx);
}

// ---------------------------------------------------------------------------------------------
// Public pages

export type TurnoutItem = { key: string; label: { ar: string; fr: string; en: string } | null; count: number };
export type Turnout = {
  total: number;
  channel: TurnoutItem[];
  arrondissement: TurnoutItem[];
  neighbourhood: TurnoutItem[];
  gender: TurnoutItem[];
  age: TurnoutItem[];
};

const UNKNOWN = 'unknown';

async function loadTurnout(db: Db, municipalityId: number, cycleId: number, area?: { arrondissementId?: number | null; neighbourhoodId?: number | null }): Promise<Turnout> {
  const count = (by: TurnoutDimension) => countParticipations(db, { municipalityId, cycleId, by, area });
  const [channel, arr, nbh, gender, age, arrondissements, neighbourhoods] = await Promise.all([
    count('channel'),
    count('arrondissement_id'),
    count('neighbourhood_id'),
    count('gender'),
    count('age_group'),
    listArrondissements(db, municipalityId),
    listNeighbourhoods(db, municipalityId),
  ]);
  const total = channel.reduce((s, r) => s + r.count, 0);
  // Fixed categories in a fixed order, zeros included, unknown last when there are some.
  const fixed = (rows: { key: string | null; count: number }[], keys: readonly string[]): TurnoutItem[] => {
    const items = keys.map((key) => ({ key, label: null, count: rows.find((r) => r.key === key)?.count ?? 0 }));
    const unknown = rows.filter((r) => r.key === null || !keys.includes(r.key)).reduce((s, r) => s + r.count, 0);
    return unknown > 0 ? [...items, { key: UNKNOWN, label: null, count: unknown }] : items;
  };
  const named = (rows: { key: string | null; count: number }[], areas: { id: number; name_ar: string; name_fr: string; name_en: string }[]): TurnoutItem[] => {
    const items = areas.map((a) => ({ key: String(a.id), label: { ar: a.name_ar, fr: a.name_fr, en: a.name_en }, count: rows.find((r) => r.key === String(a.id))?.count ?? 0 }));
    const unknown = rows.filter((r) => r.key === null || !areas.some((a) => String(a.id) === r.key)).reduce((s, r) => s + r.count, 0);
    const shown = items.filter((i) => i.count > 0 || area === undefined);
    return unknown > 0 ? [...shown, { key: UNKNOWN, label: null, count: unknown }] : shown;
  };
  return {
    total,
    channel: fixed(channel, ['online', 'counter', 'paper'] satisfies VotingChannel[]),
    arrondissement: arrondissements.length > 0 ? named(arr, arrondissements) : [],
    neighbourhood: named(nbh, neighbourhoods),
    gender: fixed(gender, VOTER_GENDERS),
    age: fixed(age, VOTER_AGE_GROUPS),
  };
}

export type EnvelopeSummary = { envelope: PbEnvelopeRow; ballots: number; selectedCount: number; selectedCostMillimes: number };

export type PublicResults =
  | { published: false; cycle: PbCycleRow; phase: Phase }
  | {
      published: true;
      cycle: PbCycleRow;
      envelopes: EnvelopeSummary[];
      annulments: AnnulmentSummary[];
      uncounted: { invalid: number; annulled: number };
      turnout: Turnout;
      /** Ballots but nobody in the register: an imported cycle. */
      registerless: boolean;
    };

/** A cycle by its slug; a draft cycle does not exist for the public (as on the cycle pages). */
async function publicCycle(db: Db, municipalityId: number, slug: string, now: string): Promise<PbCycleRow> {
  const cycle = await findCycleBySlug(db, municipalityId, slug);
  if (!cycle || phaseAt(cycle, now) === 'draft') throw new AppError('not_found');
  return cycle;
}

/** The public results summary of a cycle; before publication, only that they are not out yet. */
export async function getPublicResults(db: Db, options: { municipalityId: number; slug: string; now?: string }): Promise<PublicResults> {
  const now = options.now ?? nowIso();
  const cycle = await publicCycle(db, options.municipalityId, options.slug, now);
  const phase = phaseAt(cycle, now);
  if (cycle.results_published_at === null || phase !== 'results') return { published: false, cycle, phase };
  const [envelopes, projects, stored, annulments, uncounted, turnout] = await Promise.all([
    listEnvelopes(db, options.municipalityId, cycle.id),
    listProjects(db, options.municipalityId, cycle.id),
    listResults(db, options.municipalityId, cycle.id),
    listPublicAnnulments(db, options.municipalityId, cycle.id),
    countUncountedBallots(db, options.municipalityId, cycle.id),
    loadTurnout(db, options.municipalityId, cycle.id),
  ]);
  const summaries = envelopes.map((envelope) => {
    const result = stored.find((r) => r.envelopeId === envelope.id);
    const winners = new Set(result ? (JSON.parse(result.resultJson) as StoredOutcome).winners : []);
    const selected = projects.filter((p) => p.envelope_id === envelope.id && winners.has(p.code));
    return {
      envelope,
      ballots: result?.ballotCount ?? 0,
      selectedCount: selected.length,
      selectedCostMillimes: selected.reduce((s, p) => s + p.cost_millimes, 0),
    };
  });
  const ballots = summaries.reduce((s, e) => s + e.ballots, 0);
  return { published: true, cycle, envelopes: summaries, annulments, uncounted, turnout, registerless: turnout.total === 0 && ballots > 0 };
}

export type PublicEnvelopeResults =
  | { published: false; cycle: PbCycleRow; phase: Phase }
  | { published: true; cycle: PbCycleRow; result: EnvelopeOutcome; turnout: Turnout; registerless: boolean; otherEnvelopes: PbEnvelopeRow[] };

async function publishedEnvelope(db: Db, municipalityId: number, cycle: PbCycleRow, envelopeId: number) {
  const envelopes = await listEnvelopes(db, municipalityId, cycle.id);
  const envelope = envelopes.find((e) => e.id === envelopeId);
  if (!envelope) throw new AppError('not_found');
  const stored = await findResult(db, municipalityId, cycle.id, envelopeId);
  if (!stored) throw new AppError('not_found');
  return { envelope, envelopes, stored, outcome: JSON.parse(stored.resultJson) as StoredOutcome };
}

/** One envelope's published result with every project's explanation, and its voters' turnout. */
export async function getPublicEnvelopeResults(db: Db, options: { municipalityId: number; slug: string; envelopeId: number; now?: string }): Promise<PublicEnvelopeResults> {
  const now = options.now ?? nowIso();
  const cycle = await publicCycle(db, options.municipalityId, options.slug, now);
  const phase = phaseAt(cycle, now);
  if (cycle.results_published_at === null || phase !== 'results') {
    const envelopes = await listEnvelopes(db, options.municipalityId, cycle.id);
    if (!envelopes.some((e) => e.id === options.envelopeId)) throw new AppError('not_found');
    return { published: false, cycle, phase };
  }
  const { envelope, envelopes, stored, outcome } = await publishedEnvelope(db, options.municipalityId, cycle, options.envelopeId);
  const projects = await listProjects(db, options.municipalityId, cycle.id);
  const area =
    envelope.scope === 'arrondissement' ? { arrondissementId: envelope.arrondissement_id } : envelope.scope === 'neighbourhood' ? { neighbourhoodId: envelope.neighbourhood_id } : undefined;
  const turnout = await loadTurnout(db, options.municipalityId, cycle.id, area);
  return {
    published: true,
    cycle,
    result: describeEnvelope(envelope, projects, outcome, stored.pbSha256),
    turnout,
    registerless: turnout.total === 0 && outcome.ballotCount > 0,
    otherEnvelopes: envelopes.filter((e) => e.id !== envelope.id),
  };
}

/** The published .pb text of an envelope (exactly the bytes whose SHA-256 was published). */
export async function getPublishedPbFile(db: Db, options: { municipalityId: number; slug: string; envelopeId: number }): Promise<{ cycle: PbCycleRow; text: string; sha256: string }> {
  const cycle = await publicCycle(db, options.municipalityId, options.slug, nowIso());
  if (cycle.results_published_at === null) throw new AppError('not_found');
  const { stored, outcome } = await publishedEnvelope(db, options.municipalityId, cycle, options.envelopeId);
  return { cycle, text: outcome.pb, sha256: stored.pbSha256 };
}

export const CSV_BOM = '\uFEFF';

function csvCell(value: string): string {
  // Ballot ids and codes never start with = + - @, but a project code is typed by staff.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The ballots of a .pb text as CSV for spreadsheets: ballot id, channel, the project codes (in
 * rank order for rankings) and, for points, the points in the same order. UTF-8 with a BOM so
 * that Excel reads it right.
 */
export function ballotsCsv(instance: PbInstance): string {
  const points = instance.voteType === 'cumulative' || instance.voteType === 'scoring';
  const lines = [['ballot_id', 'channel', 'vote', ...(points ? ['points'] : [])].join(',')];
  for (const vote of instance.votes) {
    const cells = [vote.voterId, vote.fields.channel ?? '', vote.projects.join(',')];
    if (points) cells.push((vote.points ?? []).map((p) => toExactDecimal(p) ?? toFractionString(p)).join(','));
    lines.push(cells.map(csvCell).join(','));
  }
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}

/** Budget left as exact TND text (for explanations that compare money). */
export function tndLeft(budgetMillimes: number, spentMillimes: number): string {
  return exact(sub(millimesToTnd(budgetMillimes), millimesToTnd(spentMillimes)));
}
