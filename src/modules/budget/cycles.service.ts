// Running a participatory budgeting cycle from the back office: its dates, ballot rules,
// eligibility and channels, and its envelopes. Once voting opens the ballot rules, the
// envelopes and the projects are frozen (a ballot cast on Monday must mean the same on Friday):
// changing them is refused here, whatever the form sent. Every change is authorized, checked
// against the version the editor saw, and written to the audit log in its transaction.
import { type Actor, authorize, can } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { randomToken } from '../../lib/crypto.ts';
import { AppError, type FieldErrors, isUniqueViolation } from '../../lib/errors.ts';
import { toLatinDigits } from '../../lib/phone.ts';
import { nowIso } from '../../lib/time.ts';
import { TIME_ZONE } from '../../i18n/i18n.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { listArrondissements, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { changedFields, nextVersion, staffAuditActor } from '../municipalities/staff-changes.ts';
import { updateAtVersion, deleteAtVersion } from '../../db/versioned.ts';
import { BALLOT_TYPES, ballotRulesFrozen, checkPhaseDates, pabulibVoteType, phaseAt, type Phase } from './budget.ts';
import type { BallotType, EnvelopeScope, PbCycleRow, PbEnvelopeRow } from './budget.table.ts';
import {
  countCycleActivity,
  countEnvelopeUses,
  type CycleCounts,
  findCycleById,
  findEnvelope,
  insertCycle,
  insertEnvelope,
  listCycles,
  listEnvelopes,
  updateCycleAtVersion,
} from './cycles.repository.ts';
import { isRuleId, RULE_IDS, ruleAppliesTo, type RuleId } from './outcome/rules.ts';

export type Trilingual = { ar: string; fr: string; en: string };
export type CycleScope = { actor: Actor; municipalityId: number; now?: string };

// ---------------------------------------------------------------------------------------------
// Pure helpers: money and local times

/**
 * The largest amount accepted: a thousand billion dinars. Money columns are 64-bit integers of
 * millimes (bigint on PostgreSQL, read back as numbers), exact in JavaScript up to 2^53.
 */
export const MAX_MILLIMES = 1_000_000_000_000_000;

/**
 * An amount in dinars as people type it, in millimes, exactly (no floating point): "150000",
 * "150 000,500", "150000.5", "١٥٠٠٠٠". One separator (comma or point) is the decimal mark, with
 * at most three decimals (millimes); spaces group thousands, and so does a mark used twice or
 * more ("1.500.000"). With both a point and a comma, the last is the decimal mark and the other
 * groups thousands ("1.500,250"). Null when it is not an amount, is zero or negative, or is too
 * large to store.
 */
export function parseTnd(input: string): number | null {
  let text = toLatinDigits(input.trim())
    .replace(/[\s\u00a0\u202f\u066c']/g, '')
    .replace(/\u066b/g, ',')
    .replace(/(د\.?ت|dt|tnd)$/i, '');
  if (text === '') return null;
  const lastComma = text.lastIndexOf(',');
  const lastPoint = text.lastIndexOf('.');
  let whole = text;
  let decimals = '';
  let grouping: string | null = null;
  if (lastComma >= 0 && lastPoint >= 0) {
    const decimalAt = Math.max(lastComma, lastPoint);
    grouping = lastComma > lastPoint ? '.' : ',';
    whole = text.slice(0, decimalAt);
    decimals = text.slice(decimalAt + 1);
  } else if (lastComma >= 0 || lastPoint >= 0) {
    const mark = lastComma >= 0 ? ',' : '.';
    if (text.split(mark).length > 2) {
      // The same mark twice or more groups thousands ("1.500.000"); once, it is the decimal mark.
      grouping = mark;
    } else {
      whole = text.slice(0, text.indexOf(mark));
      decimals = text.slice(text.indexOf(mark) + 1);
    }
  }
  if (grouping !== null) {
    // Grouped digits come in threes: "1.500.000", never "1..2" or "15.00".
    if (!new RegExp(`^\\d{1,3}(\\${grouping}\\d{3})+$`).test(whole) && !/^\d{1,3}$/.test(whole)) return null;
    whole = whole.split(grouping).join('');
  }
  if (!/^\d{1,10}$/.test(whole) || !/^\d{0,3}$/.test(decimals)) return null;
  const millimes = Number(whole) * 1000 + Number(decimals.padEnd(3, '0'));
  if (millimes <= 0 || millimes > MAX_MILLIMES) return null;
  return millimes;
}

/** Millimes as a form shows them back: "150000,5" style in French and Arabic, "150000.5" in English. */
export function millimesToInput(millimes: number, locale: string): string {
  const whole = Math.floor(millimes / 1000);
  const rest = millimes % 1000;
  if (rest === 0) return String(whole);
  return `${whole}${locale === 'en' ? '.' : ','}${String(rest).padStart(3, '0').replace(/0+$/, '')}`;
}

function zoneOffsetMinutes(instant: number, timeZone: string): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(instant)).find((p) => p.type === 'timeZoneName')
      ?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

/** "2027-03-01T08:00" typed in El Kef's time (a datetime-local input) → ISO UTC; null when malformed. */
export function localInputToIso(value: string, timeZone = TIME_ZONE): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(toLatinDigits(value.trim()));
  if (!match) return null;
  const asUtc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]));
  const check = new Date(asUtc);
  if (Number.isNaN(asUtc) || check.getUTCMonth() !== Number(match[2]) - 1 || check.getUTCDate() !== Number(match[3]) || Number(match[4]) > 23) return null;
  return new Date(asUtc - zoneOffsetMinutes(asUtc, timeZone) * 60_000).toISOString();
}

/** ISO UTC → the value of a datetime-local input in El Kef's time. */
export function isoToLocalInput(iso: string | null, timeZone = TIME_ZONE): string {
  if (!iso) return '';
  const instant = Date.parse(iso);
  return new Date(instant + zoneOffsetMinutes(instant, timeZone) * 60_000).toISOString().slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Cycle input and its checks

export type TieBreakingKind = 'project_id' | 'equalshares';

export type CycleInput = {
  year: number;
  slug: string;
  title: Trilingual;
  description: Trilingual;
  informationStartsAt: string;
  proposalsOpenAt: string;
  proposalsCloseAt: string;
  reviewCloseAt: string;
  supportOpenAt: string | null;
  supportCloseAt: string | null;
  votingOpenAt: string;
  votingCloseAt: string;
  ballotType: BallotType;
  minChoices: number;
  maxChoices: number | null;
  totalPoints: number | null;
  maxPointsPerProject: number | null;
  rule: string;
  tieBreaking: TieBreakingKind;
  lotSeed: string | null;
  minAge: number;
  residenceRequired: boolean;
  maxVotersPerPhone: number;
  onlineVoting: boolean;
  counterVoting: boolean;
  paperVoting: boolean;
};

/** The rules a ballot type may be tallied with (points utilities need points). */
export function rulesFor(type: BallotType): RuleId[] {
  return RULE_IDS.filter((rule) => ruleAppliesTo(rule, pabulibVoteType(type)));
}

type CycleColumns = Omit<PbCycleRow, 'id' | 'municipality_id' | 'results_published_at' | 'seal_salt' | 'version' | 'created_at' | 'updated_at'>;

function columnsOf(input: CycleInput): CycleColumns {
  const type = input.ballotType;
  return {
    year: input.year,
    slug: input.slug,
    title_ar: input.title.ar,
    title_fr: input.title.fr,
    title_en: input.title.en || input.title.fr,
    description_ar: input.description.ar || null,
    description_fr: input.description.fr || null,
    description_en: input.description.en || null,
    information_starts_at: input.informationStartsAt,
    proposals_open_at: input.proposalsOpenAt,
    proposals_close_at: input.proposalsCloseAt,
    review_close_at: input.reviewCloseAt,
    support_open_at: input.supportOpenAt,
    support_close_at: input.supportCloseAt,
    voting_open_at: input.votingOpenAt,
    voting_close_at: input.votingCloseAt,
    ballot_type: type,
    min_choices: input.minChoices,
    // Each limit only means something for its ballot type; the others are stored empty.
    max_choices: type === 'approval' || type === 'ranking' ? input.maxChoices : null,
    total_points: type === 'cumulative' ? input.totalPoints : null,
    max_points_per_project: type === 'cumulative' ? input.maxPointsPerProject : null,
    rule: input.rule,
    tie_breaking: input.tieBreaking,
    lot_seed: input.tieBreaking === 'equalshares' ? input.lotSeed : null,
    min_age: input.minAge,
    residence_required: input.residenceRequired ? 1 : 0,
    max_voters_per_phone: input.maxVotersPerPhone,
    online_voting: input.onlineVoting ? 1 : 0,
    counter_voting: input.counterVoting ? 1 : 0,
    paper_voting: input.paperVoting ? 1 : 0,
  };
}

const DATE_FIELDS: Record<string, keyof CycleInput> = {
  information_starts_at: 'informationStartsAt',
  proposals_open_at: 'proposalsOpenAt',
  proposals_close_at: 'proposalsCloseAt',
  review_close_at: 'reviewCloseAt',
  support_open_at: 'supportOpenAt',
  support_close_at: 'supportCloseAt',
  voting_open_at: 'votingOpenAt',
  voting_close_at: 'votingCloseAt',
};

/** Checks a cycle's input; throws a validation error naming each wrong field (form field names). */
export function checkCycleInput(input: CycleInput): void {
  const fields: FieldErrors = {};
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2999) fields.year = 'budget.cycle.error.year';
  // "photos" is taken by /budget/photos/:id.
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(input.slug) || input.slug === 'photos') fields.slug = 'budget.cycle.error.slug';
  if (!input.title.ar.trim()) fields['title.ar'] = 'validation.required';
  if (!input.title.fr.trim()) fields['title.fr'] = 'validation.required';
  if ((input.supportOpenAt === null) !== (input.supportCloseAt === null)) {
    fields[input.supportOpenAt === null ? 'supportOpenAt' : 'supportCloseAt'] = 'budget.cycle.error.support_pair';
  }
  const columns = columnsOf(input);
  for (const wrong of checkPhaseDates({ ...columns, results_published_at: null })) {
    const field = DATE_FIELDS[wrong] ?? wrong;
    if (!(field in fields)) fields[field] = 'budget.cycle.error.date_order';
  }
  if (!BALLOT_TYPES.includes(input.ballotType)) fields.ballotType = 'validation.invalid_choice';
  const type = input.ballotType;
  if (!Number.isInteger(input.minChoices) || input.minChoices < 1 || input.minChoices > 100) fields.minChoices = 'budget.cycle.error.limit';
  if (type === 'approval' || type === 'ranking') {
    if (input.maxChoices === null) fields.maxChoices = 'validation.required';
    else if (!Number.isInteger(input.maxChoices) || input.maxChoices < input.minChoices || input.maxChoices > 100) fields.maxChoices = 'budget.cycle.error.max_choices';
  }
  if (type === 'cumulative') {
    if (input.totalPoints === null) fields.totalPoints = 'validation.required';
    else if (!Number.isInteger(input.totalPoints) || input.totalPoints < 1 || input.totalPoints > 1000) fields.totalPoints = 'budget.cycle.error.limit';
    if (
      input.maxPointsPerProject !== null &&
      (!Number.isInteger(input.maxPointsPerProject) || input.maxPointsPerProject < 1 || (input.totalPoints !== null && input.maxPointsPerProject > input.totalPoints))
    ) {
      fields.maxPointsPerProject = 'budget.cycle.error.max_points';
    }
  }
  if (!isRuleId(input.rule) || !BALLOT_TYPES.includes(type) || !ruleAppliesTo(input.rule, pabulibVoteType(type))) fields.rule = 'budget.cycle.error.rule';
  if (input.tieBreaking !== 'project_id' && input.tieBreaking !== 'equalshares') fields.tieBreaking = 'validation.invalid_choice';
  if (input.tieBreaking === 'equalshares' && !input.lotSeed?.trim()) fields.lotSeed = 'budget.cycle.error.lot_seed';
  // The law on municipal participation is for adults; a cycle may only ask for more.
  if (!Number.isInteger(input.minAge) || input.minAge < 18 || input.minAge > 120) fields.minAge = 'budget.cycle.error.min_age';
  if (!Number.isInteger(input.maxVotersPerPhone) || input.maxVotersPerPhone < 1 || input.maxVotersPerPhone > 20) fields.maxVotersPerPhone = 'budget.cycle.error.limit';
  if (!input.onlineVoting && !input.counterVoting && !input.paperVoting) fields.onlineVoting = 'budget.cycle.error.no_channel';
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
}

/** Columns frozen once voting opens, with the form field each is entered in. */
const FROZEN_COLUMNS: [keyof CycleColumns, string][] = [
  ['ballot_type', 'ballotType'],
  ['min_choices', 'minChoices'],
  ['max_choices', 'maxChoices'],
  ['total_points', 'totalPoints'],
  ['max_points_per_project', 'maxPointsPerProject'],
  ['rule', 'rule'],
  ['tie_breaking', 'tieBreaking'],
  ['lot_seed', 'lotSeed'],
  // Who may vote cannot change during the vote either.
  ['min_age', 'minAge'],
  ['residence_required', 'residenceRequired'],
  ['max_voters_per_phone', 'maxVotersPerPhone'],
  // Past phases stay as they were.
  ['information_starts_at', 'informationStartsAt'],
  ['proposals_open_at', 'proposalsOpenAt'],
  ['proposals_close_at', 'proposalsCloseAt'],
  ['review_close_at', 'reviewCloseAt'],
  ['support_open_at', 'supportOpenAt'],
  ['support_close_at', 'supportCloseAt'],
  ['voting_open_at', 'votingOpenAt'],
];

/** The form fields that cannot change once voting has opened. */
export const FROZEN_FORM_FIELDS: readonly string[] = FROZEN_COLUMNS.map(([, field]) => field);

/** Throws when voting has opened: ballot rules, envelopes and projects no longer change. */
export function assertBallotNotFrozen(cycle: Pick<PbCycleRow, 'voting_open_at'>, now: string = nowIso()): void {
  if (ballotRulesFrozen(cycle, now)) throw new AppError('conflict', { fields: { _form: 'budget.cycle.error.frozen' } });
}

// ---------------------------------------------------------------------------------------------
// Reading

export type CycleSummary = { cycle: PbCycleRow; phase: Phase };

/** Every cycle of the municipality, newest first, with its phase (back office list). */
export async function listCyclesForStaff(db: Db, scope: CycleScope): Promise<CycleSummary[]> {
  authorize(scope.actor, 'admin.access', { municipalityId: scope.municipalityId });
  const now = scope.now ?? nowIso();
  return (await listCycles(db, scope.municipalityId)).map((cycle) => ({ cycle, phase: phaseAt(cycle, now) }));
}

export type AreaOption = { id: number; name: Trilingual };

export type CycleHub = {
  cycle: PbCycleRow;
  phase: Phase;
  frozen: boolean;
  envelopes: PbEnvelopeRow[];
  counts: CycleCounts;
  arrondissements: AreaOption[];
  neighbourhoods: AreaOption[];
  canManage: boolean;
};

export async function listAreas(db: Db, municipalityId: number): Promise<{ arrondissements: AreaOption[]; neighbourhoods: AreaOption[] }> {
  const [arrondissements, neighbourhoods] = await Promise.all([listArrondissements(db, municipalityId), listNeighbourhoods(db, municipalityId)]);
  const option = (row: { id: number; name_ar: string; name_fr: string; name_en: string }) => ({ id: row.id, name: { ar: row.name_ar, fr: row.name_fr, en: row.name_en } });
  return { arrondissements: arrondissements.map(option), neighbourhoods: neighbourhoods.map(option) };
}

/** The cycle's back office page: settings, envelopes, counts. Any staff member may read it. */
export async function getCycleHub(db: Db, scope: CycleScope & { cycleId: number }): Promise<CycleHub> {
  authorize(scope.actor, 'admin.access', { municipalityId: scope.municipalityId });
  const cycle = await findCycleById(db, scope.municipalityId, scope.cycleId);
  if (!cycle) throw new AppError('not_found');
  const now = scope.now ?? nowIso();
  const [envelopes, counts, areas] = await Promise.all([
    listEnvelopes(db, scope.municipalityId, cycle.id),
    countCycleActivity(db, scope.municipalityId, cycle.id),
    listAreas(db, scope.municipalityId),
  ]);
  return {
    cycle,
    phase: phaseAt(cycle, now),
    frozen: ballotRulesFrozen(cycle, now),
    envelopes,
    counts,
    ...areas,
    canManage: can(scope.actor, 'budget.manage_cycles', { municipalityId: scope.municipalityId }),
  };
}

// ---------------------------------------------------------------------------------------------
// Cycle changes

function envelopeTaken(): AppError {
  return new AppError('validation', { fields: { areaId: 'budget.envelope.error.taken' } });
}

function slugTaken(): AppError {
  return new AppError('validation', { fields: { slug: 'budget.cycle.error.slug_taken' } });
}

export async function createCycle(db: Db, options: CycleScope & { input: CycleInput }): Promise<PbCycleRow> {
  authorize(options.actor, 'budget.manage_cycles', { municipalityId: options.municipalityId });
  checkCycleInput(options.input);
  const actor = options.actor;
  const now = options.now ?? nowIso();
  try {
    return await db.transaction().execute(async (trx) => {
      const cycle = await insertCycle(trx, {
        municipality_id: options.municipalityId,
        ...columnsOf(options.input),
        results_published_at: null,
        // The salt of the annulment seals, erased when the results are published (sealing.ts).
        seal_salt: randomToken(),
        created_at: now,
        updated_at: now,
      });
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'budget.cycle_created',
        entityType: 'pb_cycle',
        entityId: cycle.id,
        after: columnsOf(options.input),
      });
      return cycle;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken();
    throw error;
  }
}

export type UpdateCycleOptions = CycleScope & { cycleId: number; version: number; input: CycleInput };

export async function updateCycle(db: Db, options: UpdateCycleOptions): Promise<PbCycleRow> {
  authorize(options.actor, 'budget.manage_cycles', { municipalityId: options.municipalityId });
  const actor = options.actor;
  checkCycleInput(options.input);
  const now = options.now ?? nowIso();
  try {
    return await db.transaction().execute(async (trx) => {
      const before = await findCycleById(trx, options.municipalityId, options.cycleId);
      if (!before) throw new AppError('not_found');
      if (before.version !== options.version) throw new AppError('stale');
      const after = columnsOf(options.input);
      // The form shows dates to the minute: a date sent back unchanged keeps its stored seconds.
      for (const column of Object.keys(DATE_FIELDS) as (keyof CycleColumns & keyof typeof DATE_FIELDS)[]) {
        const stored = before[column] as string | null;
        const sent = after[column] as string | null;
        if (stored && sent && stored.slice(0, 16) === sent.slice(0, 16)) (after as Record<string, unknown>)[column] = stored;
      }
      if (ballotRulesFrozen(before, now)) {
        const fields: FieldErrors = {};
        for (const [column, field] of FROZEN_COLUMNS) {
          if (JSON.stringify(before[column]) !== JSON.stringify(after[column])) fields[field] = 'budget.cycle.error.frozen_field';
        }
        // Reopening a closed vote would let people vote after the count began.
        if (now >= before.voting_close_at && before.voting_close_at !== after.voting_close_at) fields.votingCloseAt = 'budget.cycle.error.closed';
        if (Object.keys(fields).length > 0) throw new AppError('validation', { fields: { _form: 'budget.cycle.error.frozen', ...fields } });
      }
      const { before: old, after: changed, changed: any } = changedFields(
        Object.fromEntries(Object.keys(after).map((k) => [k, before[k as keyof CycleColumns]])) as CycleColumns,
        after,
      );
      if (!any) return before;
      if (!(await updateCycleAtVersion(trx, { municipalityId: options.municipalityId, id: before.id, version: options.version }, { ...after, updated_at: now }))) {
        throw new AppError('stale');
      }
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'budget.cycle_updated',
        entityType: 'pb_cycle',
        entityId: before.id,
        before: old,
        after: changed,
      });
      return (await findCycleById(trx, options.municipalityId, before.id))!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Envelopes

export type EnvelopeInput = {
  scope: EnvelopeScope;
  /** The arrondissement or neighbourhood id, per scope; ignored for 'city'. */
  areaId: number | null;
  name: Trilingual;
  budgetMillimes: number;
  sortOrder: number;
};

async function checkEnvelopeInput(db: Db, municipalityId: number, input: EnvelopeInput): Promise<{ arrondissementId: number | null; neighbourhoodId: number | null }> {
  const fields: FieldErrors = {};
  if (!input.name.ar.trim()) fields['name.ar'] = 'validation.required';
  if (!input.name.fr.trim()) fields['name.fr'] = 'validation.required';
  if (!Number.isInteger(input.budgetMillimes) || input.budgetMillimes <= 0 || input.budgetMillimes > MAX_MILLIMES) fields.budget = 'budget.envelope.error.budget';
  let arrondissementId: number | null = null;
  let neighbourhoodId: number | null = null;
  if (input.scope === 'arrondissement' || input.scope === 'neighbourhood') {
    const areas = await listAreas(db, municipalityId);
    const list = input.scope === 'arrondissement' ? areas.arrondissements : areas.neighbourhoods;
    if (input.areaId === null || !list.some((a) => a.id === input.areaId)) fields.areaId = 'budget.envelope.error.area';
    else if (input.scope === 'arrondissement') arrondissementId = input.areaId;
    else neighbourhoodId = input.areaId;
  } else if (input.scope !== 'city') {
    fields.scope = 'validation.invalid_choice';
  }
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
  return { arrondissementId, neighbourhoodId };
}

/**
 * One envelope per area and one city-wide envelope per cycle. The table's unique constraint
 * does not see it (its empty area columns are NULL, and NULLs never collide), so it is checked here.
 */
async function assertAreaFree(db: Db, municipalityId: number, cycleId: number, scope: EnvelopeScope, area: { arrondissementId: number | null; neighbourhoodId: number | null }, exceptId?: number): Promise<void> {
  const clash = (await listEnvelopes(db, municipalityId, cycleId)).some(
    (e) => e.id !== exceptId && e.scope === scope && e.arrondissement_id === area.arrondissementId && e.neighbourhood_id === area.neighbourhoodId,
  );
  if (clash) throw envelopeTaken();
}

async function cycleForEnvelopeChange(db: Db, municipalityId: number, cycleId: number, now: string): Promise<PbCycleRow> {
  const cycle = await findCycleById(db, municipalityId, cycleId);
  if (!cycle) throw new AppError('not_found');
  assertBallotNotFrozen(cycle, now);
  return cycle;
}

function envelopeAudit(row: Pick<PbEnvelopeRow, 'scope' | 'arrondissement_id' | 'neighbourhood_id' | 'name_ar' | 'name_fr' | 'name_en' | 'budget_millimes' | 'sort_order'>) {
  return {
    scope: row.scope,
    arrondissement_id: row.arrondissement_id,
    neighbourhood_id: row.neighbourhood_id,
    name_ar: row.name_ar,
    name_fr: row.name_fr,
    name_en: row.name_en,
    budget_millimes: row.budget_millimes,
    sort_order: row.sort_order,
  };
}


export async function createEnvelope(db: Db, options: CycleScope & { cycleId: number; input: EnvelopeInput }): Promise<PbEnvelopeRow> {
  authorize(options.actor, 'budget.manage_cycles', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  const area = await checkEnvelopeInput(db, options.municipalityId, options.input);
  try {
    return await db.transaction().execute(async (trx) => {
      const cycle = await cycleForEnvelopeChange(trx, options.municipalityId, options.cycleId, now);
      await assertAreaFree(trx, options.municipalityId, cycle.id, options.input.scope, area);
      const envelope = await insertEnvelope(trx, {
        municipality_id: options.municipalityId,
        cycle_id: cycle.id,
        scope: options.input.scope,
        arrondissement_id: area.arrondissementId,
        neighbourhood_id: area.neighbourhoodId,
        name_ar: options.input.name.ar,
        name_fr: options.input.name.fr,
        name_en: options.input.name.en || options.input.name.fr,
        budget_millimes: options.input.budgetMillimes,
        sort_order: options.input.sortOrder,
        created_at: now,
        updated_at: now,
      });
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'budget.envelope_created',
        entityType: 'pb_envelope',
        entityId: envelope.id,
        after: { cycle_id: cycle.id, ...envelopeAudit(envelope) },
      });
      return envelope;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw envelopeTaken();
    throw error;
  }
}

export async function updateEnvelope(
  db: Db,
  options: CycleScope & { cycleId: number; envelopeId: number; version: string; input: EnvelopeInput },
): Promise<PbEnvelopeRow> {
  authorize(options.actor, 'budget.manage_cycles', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  const area = await checkEnvelopeInput(db, options.municipalityId, options.input);
  try {
    return await db.transaction().execute(async (trx) => {
      await cycleForEnvelopeChange(trx, options.municipalityId, options.cycleId, now);
      const before = await findEnvelope(trx, options.municipalityId, options.cycleId, options.envelopeId);
      if (!before) throw new AppError('not_found');
      await assertAreaFree(trx, options.municipalityId, options.cycleId, options.input.scope, area, before.id);
      const values = {
        scope: options.input.scope,
        arrondissement_id: area.arrondissementId,
        neighbourhood_id: area.neighbourhoodId,
        name_ar: options.input.name.ar,
        name_fr: options.input.name.fr,
        name_en: options.input.name.en || options.input.name.fr,
        budget_millimes: options.input.budgetMillimes,
        sort_order: options.input.sortOrder,
      };
      const diff = changedFields(envelopeAudit(before), values);
      if (!diff.changed) return before;
      const ok = await updateAtVersion(
        trx,
        'pb_envelopes',
        { municipalityId: options.municipalityId, id: before.id, version: options.version },
        { ...values, updated_at: nextVersion(before.updated_at) },
      );
      if (!ok) throw new AppError('stale');
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'budget.envelope_updated',
        entityType: 'pb_envelope',
        entityId: before.id,
        before: diff.before,
        after: diff.after,
      });
      return (await findEnvelope(trx, options.municipalityId, options.cycleId, before.id))!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw envelopeTaken();
    throw error;
  }
}

export async function deleteEnvelope(db: Db, options: CycleScope & { cycleId: number; envelopeId: number; version: string }): Promise<void> {
  authorize(options.actor, 'budget.manage_cycles', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  await db.transaction().execute(async (trx) => {
    await cycleForEnvelopeChange(trx, options.municipalityId, options.cycleId, now);
    const before = await findEnvelope(trx, options.municipalityId, options.cycleId, options.envelopeId);
    if (!before) throw new AppError('not_found');
    if ((await countEnvelopeUses(trx, options.municipalityId, before.id)) > 0) {
      throw new AppError('conflict', { fields: { _form: 'budget.envelope.error.in_use' } });
    }
    if (!(await deleteAtVersion(trx, 'pb_envelopes', { municipalityId: options.municipalityId, id: before.id, version: options.version }))) {
      throw new AppError('stale');
    }
    await recordAudit(trx, {
      municipalityId: options.municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.envelope_deleted',
      entityType: 'pb_envelope',
      entityId: before.id,
      before: { cycle_id: before.cycle_id, ...envelopeAudit(before) },
    });
  });
}
