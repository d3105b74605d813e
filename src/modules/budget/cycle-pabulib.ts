// A cycle's envelopes as Pabulib instances (the .pb files anyone can recompute the result from),
// and the reverse: a .pb file imported as a cycle, for demonstrations and research.
//
// An envelope is one election: its projects, its budget, and the ballots that chose something
// in it. What goes out is what the count uses — counted ballots only (not invalid, paper
// from accepted batches; annulled ones are no longer in the box) — and nothing else about a ballot than its random id
// (the receipt code, so a voter can find their own ballot), its choices and its channel:
// never a time, never anything from the participation register.
import type { Db } from '../../db/database.ts';
import { translate, TIME_ZONE } from '../../i18n/i18n.ts';
import { AppError } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit, type AuditActor } from '../audit/audit.service.ts';
import { findMunicipalityById, listArrondissements, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import type { Actor } from '../../auth/policies.ts';
import { authorize } from '../../auth/policies.ts';
import { insertBallot } from './ballot-box.repository.ts';
import { defaultRule, pabulibVoteType, PROPOSAL_CATEGORIES } from './budget.ts';
import type { BallotType, PbCycleRow, PbEnvelopeRow, PbProjectRow, VotingChannel } from './budget.table.ts';
import { findCycleById, findCycleBySlug, listEnvelopes, listProjects } from './cycles.repository.ts';
import { metaValue, parsePabulib, PabulibError, type PbInstance, type PbMetaEntry, type PbVote } from './outcome/pabulib.ts';
import { parseDecimal, rational, toExactDecimal, type Rational } from './outcome/rational.ts';
import { isRuleId, ruleAppliesTo, type RuleId } from './outcome/rules.ts';
import {
  type CountedBallot,
  insertImportedCycle,
  insertImportedEnvelope,
  insertImportedProjects,
  listCountedBallots,
} from './results.repository.ts';

const CHANNELS: readonly VotingChannel[] = ['online', 'counter', 'paper'];

/** Millimes as exact TND: 1 234 567 millimes → 1234.567. */
export function millimesToTnd(millimes: number): Rational {
  return rational(millimes, 1000);
}

function tndText(millimes: number): string {
  return toExactDecimal(millimesToTnd(millimes))!;
}

/** A day in El Kef's time zone, written as Pabulib files write it: 15.06.2026. */
export function pabulibDay(iso: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('day')}.${get('month')}.${get('year')}`;
}

/** A META value as the writer accepts it: trimmed, never empty. */
function metaText(value: string | null | undefined): string | null {
  const text = (value ?? '').replace(/\s+/g, ' ').trim();
  return text === '' || text.toLowerCase() === 'none' ? null : text;
}

export type EnvelopeInstanceInput = {
  municipalityName: string;
  cycle: PbCycleRow;
  envelope: PbEnvelopeRow;
  /** Names of the envelope's area, when it is a district envelope. */
  district: string | null;
  subunit: string | null;
  /** The projects of the cycle (those of other envelopes are ignored). */
  projects: PbProjectRow[];
  /** Counted ballots of the cycle, sorted by id (choices of other envelopes are ignored). */
  ballots: CountedBallot[];
  /** Adds the PROJECTS column `selected` (published results). */
  withSelected: boolean;
};

/**
 * An envelope as a Pabulib instance. Ballots with no choice in this envelope are not its
 * voters (someone from another district, or who abstained here). Deterministic: the same
 * ballots give the same bytes, which is what lets the published file's SHA-256 be checked.
 */
export function buildEnvelopeInstance(input: EnvelopeInstanceInput): PbInstance {
  const { cycle, envelope } = input;
  const voteType = pabulibVoteType(cycle.ballot_type);
  const projects = input.projects.filter((p) => p.envelope_id === envelope.id);
  const order = new Map(projects.map((p, i) => [p.id, i]));
  const codeOf = new Map(projects.map((p) => [p.id, p.code]));

  const votes: PbVote[] = [];
  const approvals = new Map<number, number>();
  const scores = new Map<number, number>();
  let largestTotal = 0;
  for (const ballot of input.ballots) {
    const choices = ballot.choices.filter((c) => c.envelopeId === envelope.id && codeOf.has(c.projectId));
    if (choices.length === 0) continue;
    choices.sort(voteType === 'ordinal' ? (a, b) => a.value - b.value || order.get(a.projectId)! - order.get(b.projectId)! : (a, b) => order.get(a.projectId)! - order.get(b.projectId)!);
    let total = 0;
    for (const c of choices) {
      approvals.set(c.projectId, (approvals.get(c.projectId) ?? 0) + 1);
      scores.set(c.projectId, (scores.get(c.projectId) ?? 0) + c.value);
      total += c.value;
    }
    largestTotal = Math.max(largestTotal, total);
    votes.push({
      voterId: ballot.id,
      projects: choices.map((c) => codeOf.get(c.projectId)!),
      points: voteType === 'cumulative' ? choices.map((c) => rational(c.value)) : null,
      fields: { channel: ballot.channel },
    });
  }

  const meta: PbMetaEntry[] = [];
  const put = (key: string, value: string | number | null | undefined) => {
    const text = value === null || value === undefined ? null : metaText(String(value));
    if (text !== null) meta.push({ key, value: text });
  };
  put('description', `${input.municipalityName} ${cycle.year}: ${envelope.name_fr || envelope.name_ar}`);
  put('country', 'Tunisia');
  put('unit', input.municipalityName);
  put('instance', cycle.year);
  put('district', input.district);
  put('subunit', input.subunit);
  put('num_projects', projects.length);
  put('num_votes', votes.length);
  put('budget', tndText(envelope.budget_millimes));
  put('vote_type', voteType);
  put('rule', cycle.rule);
  put('tie_breaking', cycle.tie_breaking);
  if (cycle.tie_breaking === 'equalshares') put('lot_seed', cycle.lot_seed ?? '0');
  put('date_begin', pabulibDay(cycle.voting_open_at));
  put('date_end', pabulibDay(cycle.voting_close_at));
  if (cycle.ballot_type === 'approval' || cycle.ballot_type === 'ranking' || cycle.ballot_type === 'knapsack') {
    put('min_length', cycle.min_choices);
    if (cycle.ballot_type !== 'knapsack') put('max_length', cycle.max_choices);
  }
  if (cycle.ballot_type === 'knapsack') put('max_sum_cost', tndText(envelope.budget_millimes));
  if (cycle.ballot_type === 'cumulative') {
    // Required by the format; a cycle always sets it, the fallback only keeps the file readable.
    put('max_sum_points', cycle.total_points ?? Math.max(1, largestTotal));
    put('max_points', cycle.max_points_per_project);
  }
  put('language', 'ar');
  put('currency', 'TND');

  const projectColumns = ['project_id', 'cost', 'votes', ...(voteType === 'cumulative' ? ['score'] : []), 'name', 'category', ...(input.withSelected ? ['selected'] : [])];
  const voteColumns = ['voter_id', 'vote', ...(voteType === 'cumulative' ? ['points'] : []), 'channel'];
  return {
    meta,
    budget: millimesToTnd(envelope.budget_millimes),
    voteType,
    projectColumns,
    projects: projects.map((p) => {
      const fields: Record<string, string | null> = {
        votes: String(approvals.get(p.id) ?? 0),
        name: metaText(p.title),
        category: metaText(p.category),
      };
      if (voteType === 'cumulative') fields.score = String(scores.get(p.id) ?? 0);
      if (input.withSelected) fields.selected = p.selected === 1 ? '1' : '0';
      return { id: p.code, cost: millimesToTnd(p.cost_millimes), fields };
    }),
    voteColumns,
    votes,
  };
}

export type EnvelopeElection = {
  envelope: PbEnvelopeRow;
  projects: PbProjectRow[];
  instance: PbInstance;
};

export type CycleElections = {
  cycle: PbCycleRow;
  municipalitySlug: string;
  envelopes: EnvelopeElection[];
};

/** Every envelope of a cycle as a Pabulib instance, from the database as it is now. */
export async function loadCycleElections(db: Db, options: { municipalityId: number; cycle: PbCycleRow; withSelected?: boolean }): Promise<CycleElections> {
  const { municipalityId, cycle } = options;
  const municipality = await findMunicipalityById(db, municipalityId);
  if (!municipality) throw new AppError('not_found');
  const [envelopes, projects, ballots, arrondissements, neighbourhoods] = await Promise.all([
    listEnvelopes(db, municipalityId, cycle.id),
    listProjects(db, municipalityId, cycle.id),
    listCountedBallots(db, municipalityId, cycle.id),
    listArrondissements(db, municipalityId),
    listNeighbourhoods(db, municipalityId),
  ]);
  const arrondissementName = new Map(arrondissements.map((a) => [a.id, a.name_fr || a.name_ar]));
  const neighbourhoodById = new Map(neighbourhoods.map((n) => [n.id, n]));
  return {
    cycle,
    municipalitySlug: municipality.slug,
    envelopes: envelopes.map((envelope) => {
      let district: string | null = null;
      let subunit: string | null = null;
      if (envelope.scope === 'arrondissement' && envelope.arrondissement_id !== null) district = arrondissementName.get(envelope.arrondissement_id) ?? null;
      if (envelope.scope === 'neighbourhood' && envelope.neighbourhood_id !== null) {
        const n = neighbourhoodById.get(envelope.neighbourhood_id);
        subunit = n ? n.name_fr || n.name_ar : null;
        district = n?.arrondissement_id != null ? (arrondissementName.get(n.arrondissement_id) ?? null) : null;
      }
      const instance = buildEnvelopeInstance({
        municipalityName: municipality.name_fr || municipality.name_ar,
        cycle,
        envelope,
        district,
        subunit,
        projects,
        ballots,
        withSelected: options.withSelected ?? cycle.results_published_at !== null,
      });
      return { envelope, projects: projects.filter((p) => p.envelope_id === envelope.id), instance };
    }),
  };
}

/** The file name of an envelope's ballots: `2026-3.pb` (cycle slug, envelope id). */
export function pbFileName(cycle: Pick<PbCycleRow, 'slug'>, envelopeId: number, extension: 'pb' | 'csv' = 'pb'): string {
  return `${cycle.slug}-${envelopeId}.${extension}`;
}

/** A cycle by slug, or by numeric id when no cycle has that slug. */
export async function findCycleByRef(db: Db, municipalityId: number, ref: string): Promise<PbCycleRow | undefined> {
  const bySlug = await findCycleBySlug(db, municipalityId, ref);
  if (bySlug) return bySlug;
  return /^[1-9]\d{0,11}$/.test(ref) ? findCycleById(db, municipalityId, Number(ref)) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Import

export type ImportPabulibOptions = {
  municipalityId: number;
  /** A staff member (checked and audited as such), or null for the command line. */
  actor: Actor | null;
  text: string;
  slug: string;
  year?: number;
  /** The outcome rule; by default from META `rule` when it names one, else the ballot type's default. */
  rule?: string;
  now?: string;
};

export type ImportedCycleSummary = { cycle: PbCycleRow; envelopeId: number; projects: number; ballots: number };

function importError(message: string): AppError {
  return new AppError('validation', { fields: { file: message }, message });
}

/** Pabulib dates: 15.06.2018, 2018-06-15, 06.2018 or 2018. Returns the day as ISO, or null. */
export function parsePabulibDate(text: string | null, end: boolean): string | null {
  if (!text) return null;
  const t = text.trim();
  let y: number;
  let m: number;
  let d: number | null = null;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(t))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(t))) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})[./](\d{4})$/.exec(t))) [m, y] = [Number(match[1]), Number(match[2])];
  else if ((match = /^(\d{4})$/.exec(t))) [y, m] = [Number(match[1]), end ? 12 : 1];
  else return null;
  if (m < 1 || m > 12 || y < 1900 || y > 2200) return null;
  if (d === null) d = end ? new Date(Date.UTC(y, m, 0)).getUTCDate() : 1;
  const date = new Date(Date.UTC(y, m - 1, d, end ? 23 : 0, end ? 59 : 0));
  if (date.getUTCMonth() !== m - 1) return null;
  return date.toISOString();
}

function millimesOf(value: Rational, what: string): number {
  const scaled = rational(value.n * 1000n, value.d);
  if (scaled.d !== 1n) throw importError(`${what} (${toExactDecimal(value) ?? '?'}) has more than 3 decimals: it cannot be written in millimes`);
  if (scaled.n > BigInt(Number.MAX_SAFE_INTEGER)) throw importError(`${what} is too large`);
  return Number(scaled.n);
}

function wholeMeta(instance: PbInstance, key: string): number | null {
  const text = metaValue(instance, key);
  if (text === null) return null;
  const value = parseDecimal(text);
  if (value === null || value.d !== 1n || value.n > 1_000_000n) throw importError(`META ${key} "${text}" is not a whole number`);
  return Number(value.n);
}

function ruleFor(instance: PbInstance, ballotType: BallotType, asked: string | undefined): RuleId {
  const voteType = instance.voteType;
  if (asked !== undefined) {
    if (!isRuleId(asked)) throw importError(`unknown rule "${asked}"`);
    if (!ruleAppliesTo(asked, voteType)) throw importError(`${asked} needs ballots with points, and this file has ${voteType} ballots`);
    return asked;
  }
  const meta = (metaValue(instance, 'rule') ?? '').toLowerCase();
  if (isRuleId(meta) && ruleAppliesTo(meta, voteType)) return meta;
  if (meta === 'greedy') return voteType === 'cumulative' ? 'greedy_additive_cardinal_sat' : 'greedy_cost_sat';
  if (meta.startsWith('equalshares') || meta.startsWith('mes')) return voteType === 'cumulative' ? 'mes_additive_cardinal_sat' : 'mes_cost_sat_add1u';
  return defaultRule(ballotType) as RuleId;
}

/** The channel a VOTES row names (column `channel` or Pabulib's `voting_method`), else online. */
function channelOf(vote: PbVote): VotingChannel {
  const named = (vote.fields.channel ?? vote.fields.voting_method ?? '').toLowerCase();
  return (CHANNELS as readonly string[]).includes(named) ? (named as VotingChannel) : 'online';
}

/**
 * Creates a cycle from a Pabulib file: one city-wide envelope with the file's budget, its
 * projects (ids become project codes) and its ballots (new random ids: receipts are ours).
 * The cycle's vote is closed and its results not yet published, so staff can compute,
 * check and publish them as for any cycle. Nobody is in the participation register: turnout
 * by person is unknown, and the cycle's description says the cycle was imported.
 */
export async function importPabulib(db: Db, options: ImportPabulibOptions): Promise<ImportedCycleSummary> {
  if (options.actor !== null) authorize(options.actor, 'budget.manage_cycles', { municipalityId: options.municipalityId });
  const now = options.now ?? nowIso();
  const slug = options.slug.trim();
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(slug)) throw importError(`the slug "${slug}" must be lower-case letters, digits and dashes (at most 40)`);

  // A NUL character cannot be stored as text by PostgreSQL: refuse it here, with its line.
  const nul = options.text.indexOf('\u0000');
  if (nul >= 0) throw importError(`not a valid .pb file: line ${options.text.slice(0, nul).split('\n').length}: a NUL character (is it a binary file?)`);
  let instance: PbInstance;
  try {
    instance = parsePabulib(options.text);
  } catch (error) {
    if (error instanceof PabulibError) throw importError(`not a valid .pb file: ${error.message}`);
    throw error;
  }
  let ballotType: BallotType;
  if (instance.voteType === 'approval') {
    // A file limiting the total cost rather than the number of projects is a knapsack vote.
    ballotType = metaValue(instance, 'max_sum_cost') !== null && metaValue(instance, 'max_length') === null ? 'knapsack' : 'approval';
  } else if (instance.voteType === 'ordinal') ballotType = 'ranking';
  else if (instance.voteType === 'cumulative') ballotType = 'cumulative';
  else throw importError(`vote_type "${instance.voteType}" is not supported (approval, ordinal or cumulative)`);
  const rule = ruleFor(instance, ballotType, options.rule);

  const budgetMillimes = millimesOf(instance.budget, 'the budget');
  const projects = instance.projects.map((p, i) => {
    if (p.id.length > 40) throw importError(`project id "${p.id.slice(0, 40)}…" is longer than 40 characters`);
    const category = p.fields.category ?? null;
    return {
      code: p.id,
      title: (p.fields.name ?? p.id).slice(0, 300),
      description: p.fields.description ?? '',
      category: category !== null && (PROPOSAL_CATEGORIES as readonly string[]).includes(category) ? category : null,
      costMillimes: millimesOf(p.cost, `the cost of project ${p.id}`),
      sortOrder: i,
    };
  });
  const votes = instance.votes.map((vote) => {
    const values = new Map<string, number>();
    vote.projects.forEach((code, i) => {
      if (instance.voteType === 'cumulative') {
        const points = vote.points![i]!;
        if (points.d !== 1n || points.n > 1_000_000n) throw importError(`voter ${vote.voterId}: points must be whole numbers`);
        values.set(code, (values.get(code) ?? 0) + Number(points.n));
      } else if (!values.has(code)) {
        // Ordinal: the rank (1 = most preferred); listed twice, the first place counts.
        values.set(code, instance.voteType === 'ordinal' ? values.size + 1 : 1);
      }
    });
    return { channel: channelOf(vote), values };
  });

  const closeFromFile = parsePabulibDate(metaValue(instance, 'date_end'), true);
  const openFromFile = parsePabulibDate(metaValue(instance, 'date_begin'), false);
  // The vote must be over, or the cycle would not be ready for its results.
  const votingCloseAt = closeFromFile !== null && closeFromFile < now ? closeFromFile : now;
  const votingOpenAt = openFromFile !== null && openFromFile <= votingCloseAt ? openFromFile : votingCloseAt;
  const year = options.year ?? Number(votingOpenAt.slice(0, 4));

  const place = [metaValue(instance, 'unit'), metaValue(instance, 'district'), metaValue(instance, 'subunit')].filter((x): x is string => !!x);
  const name = (metaValue(instance, 'description') ?? (place.join(' — ') || slug)).slice(0, 200);
  const description = (locale: 'ar' | 'fr' | 'en') =>
    translate(locale, 'budget.results.import.description', { file: name, country: metaValue(instance, 'country') ?? '—', ballots: votes.length });

  return db.transaction().execute(async (trx) => {
    const existing = await findCycleBySlug(trx, options.municipalityId, slug);
    if (existing) throw importError(`a cycle with the slug "${slug}" already exists`);
    const cycle = await insertImportedCycle(trx, {
      municipalityId: options.municipalityId,
      year,
      slug,
      title: { ar: name, fr: name, en: name },
      description: { ar: description('ar'), fr: description('fr'), en: description('en') },
      votingOpenAt,
      votingCloseAt,
      ballotType,
      minChoices: Math.max(0, wholeMeta(instance, 'min_length') ?? 1),
      maxChoices: ballotType === 'approval' || ballotType === 'ranking' ? wholeMeta(instance, 'max_length') : null,
      totalPoints: ballotType === 'cumulative' ? wholeMeta(instance, 'max_sum_points') : null,
      maxPointsPerProject: ballotType === 'cumulative' ? wholeMeta(instance, 'max_points') : null,
      rule,
      now,
    });
    const envelopeId = await insertImportedEnvelope(trx, { municipalityId: options.municipalityId, cycleId: cycle.id, name, budgetMillimes, now });
    const ids = await insertImportedProjects(trx, { municipalityId: options.municipalityId, cycleId: cycle.id, envelopeId, now }, projects);
    for (const vote of votes) {
      await insertBallot(trx, {
        municipalityId: options.municipalityId,
        cycleId: cycle.id,
        channel: vote.channel,
        choices: [...vote.values].map(([code, value]) => ({ projectId: ids.get(code)!, envelopeId, value })),
      });
    }
    const actor: AuditActor = options.actor ? { userId: options.actor.userId, label: `user:${options.actor.userId}` } : { userId: null, label: 'cli' };
    await recordAudit(trx, {
      municipalityId: options.municipalityId,
      actor,
      action: 'budget.cycle_imported',
      entityType: 'pb_cycle',
      entityId: cycle.id,
      after: { slug, rule, ballot_type: ballotType, projects: projects.length, ballots: votes.length, budget_millimes: budgetMillimes },
    });
    return { cycle, envelopeId, projects: projects.length, ballots: votes.length };
  });
}
