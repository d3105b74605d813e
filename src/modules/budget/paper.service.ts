// Paper ballots. At a polling station staff check the ID card and register the voter as having
// received a paper ballot (a participation with channel 'paper', written by the voting
// service); the ballot itself carries no name. Ballots are then keyed in by batch — the
// envelope of ballots with its number, its station and the number of ballots it declares:
//
// 1. Pass 1 keys every ballot of the batch in order (positions 1…declared count): the project
//    codes marked, or "blank", or "spoilt" (unreadable, ambiguous). Keyers key what they see;
//    the rules are applied at acceptance, so a ballot with too many choices is keyed as marked.
// 2. Pass 2 keys the same ballots again, by someone else, who does not see pass 1. A person who
//    keyed any ballot of one pass may never key in the other pass of that batch.
// 3. When both passes are complete they are compared position by position; differences are
//    listed side by side and a keyer corrects an entry of their own pass after re-reading the
//    paper, until both passes agree.
// 4. The budget team accepts the batch: only when the passes are complete and identical, and
//    only if the paper ballots of the cycle would not then outnumber the paper voters in the
//    register (more ballots than signatures is ballot stuffing or missing signatures). The
//    ballots go into the box in one transaction; a ballot the rules find invalid (over the
//    envelope, too many choices, blank) goes in as an invalid ballot, counted, never trimmed.
//    Or the team rejects the batch, with a reason.
//
// Sheets: a paper ballot is printed per district — the city-wide projects and the projects of
// one district envelope — and handed to a voter whose residence on the ID card matches. Staff
// sort the ballots by sheet before making batches, so a batch has one sheet and its keying form
// lists exactly the projects printed on the paper in hand, in the same order, with their codes.
// That keeps the form short (no other district's projects to scroll past, no district to pick
// for every ballot, no mis-picked district silently moving a vote), and a ballot of another
// sheet found in a batch means the batch was mis-sorted: it is rejected and made again.
//
// Secrecy: a batch and its entries name the staff who keyed, never a voter. Accepted ballots
// enter the box in a shuffled order with random ids, so even the position of a ballot in its
// envelope does not survive into the box.
import { randomInt } from 'node:crypto';
import { type Actor, authorize, can } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { AppError, type FieldErrors, isUniqueViolation } from '../../lib/errors.ts';
import { toLatinDigits } from '../../lib/phone.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import { insertBallot } from './ballot-box.repository.ts';
import { type BallotChoice, type BallotProblem, type EnvelopeArea, envelopesForResidence, type Phase, phaseAt, validateBallot } from './budget.ts';
import type { BallotType, PbCycleRow, PbEnvelopeRow, PbPaperBatchRow, PbProjectRow } from './budget.table.ts';
import { findCycleById, listEnvelopes, listProjects } from './cycles.repository.ts';
import {
  arrondissementOfNeighbourhood,
  bumpBatchVersion,
  closeBatchAtVersion,
  countPaperBallots,
  countRegisteredPaperVoters,
  findBatch,
  findEntry,
  insertBatch,
  insertEntry,
  listBatchSummaries,
  listEntries,
  listKeyers,
  lockBatch,
  lockCycleRow,
  type PaperBatchSummaryRow,
  type PaperEntryRow,
  updateEntry,
} from './paper.repository.ts';

export const PASSES = [1, 2] as const;
export type Pass = (typeof PASSES)[number];

/** The most ballots one batch (one envelope of ballots) may declare. */
export const MAX_BATCH_SIZE = 1000;
/** Points or a rank typed for one project: at most three digits. */
const MARK_PATTERN = /^\d{1,3}$/;

const E = 'budget.paper.error';
const formError = (field: string, key: string, values?: Record<string, number | string>) =>
  new AppError('validation', { fields: { [field]: values ? { key: `${E}.${key}`, values } : `${E}.${key}` } });
const conflict = (key: string, values?: Record<string, number | string>) =>
  new AppError('conflict', { fields: { _form: values ? { key: `${E}.${key}`, values } : `${E}.${key}` } });

// ---------------------------------------------------------------------------------------------
// Entries

/** One keyed paper ballot: spoilt, or the marks read on it (none: a blank ballot). */
export type PaperEntry = { kind: 'spoilt' } | { kind: 'marks'; marks: Record<string, number> };

/** As stored in pb_paper_entries.choices_json: {"invalid": true} or {"projects": {code: value}}. */
export function entryToJson(entry: PaperEntry): string {
  if (entry.kind === 'spoilt') return JSON.stringify({ invalid: true });
  const projects: Record<string, number> = {};
  for (const code of Object.keys(entry.marks).sort()) projects[code] = entry.marks[code]!;
  return JSON.stringify({ projects });
}

export function entryFromJson(json: string): PaperEntry {
  const raw = JSON.parse(json) as { invalid?: boolean; projects?: Record<string, number> };
  if (raw.invalid) return { kind: 'spoilt' };
  return { kind: 'marks', marks: { ...(raw.projects ?? {}) } };
}

export function sameEntry(a: PaperEntry, b: PaperEntry): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'spoilt' || b.kind === 'spoilt') return true;
  const codes = Object.keys(a.marks);
  return codes.length === Object.keys(b.marks).length && codes.every((code) => b.marks[code] === a.marks[code]);
}

/** A keyed ballot as pages show it: the codes marked in ballot order with their values. */
export type EntryView = { position: number; kind: 'spoilt' | 'blank' | 'marks'; marks: { code: string; value: number }[] };

function entryView(position: number, entry: PaperEntry, codeOrder: string[]): EntryView {
  if (entry.kind === 'spoilt') return { position, kind: 'spoilt', marks: [] };
  const codes = Object.keys(entry.marks);
  if (codes.length === 0) return { position, kind: 'blank', marks: [] };
  const rank = (code: string) => {
    const i = codeOrder.indexOf(code);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return { position, kind: 'marks', marks: codes.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y)).map((code) => ({ code, value: entry.marks[code]! })) };
}

/** What the keying form posts: the state of the ballot, and per project id what was typed or ticked. */
export type PaperEntryInput = { state: 'marked' | 'blank' | 'spoilt'; values: Record<number, string> };

/**
 * Reads the keying form against the sheet. Field errors name `project_<id>` (a number that is
 * not one) or `state` (nothing marked on a ballot said to be marked, or marks on a ballot said
 * to be blank or spoilt — a keyer's slip, caught before it reaches the comparison).
 */
export function entryFromInput(sheet: PaperSheet, ballotType: BallotType, input: PaperEntryInput): PaperEntry {
  const marks: Record<string, number> = {};
  const errors: FieldErrors = {};
  for (const project of sheet.projects) {
    const raw = toLatinDigits(input.values[project.id] ?? '').trim();
    if (raw === '') continue;
    if (ballotType === 'approval' || ballotType === 'knapsack') {
      if (raw !== '1') errors[`project_${project.id}`] = `${E}.invalid_mark`;
      else marks[project.code] = 1;
      continue;
    }
    if (!MARK_PATTERN.test(raw)) {
      errors[`project_${project.id}`] = ballotType === 'ranking' ? `${E}.invalid_rank` : `${E}.invalid_points`;
      continue;
    }
    const value = Number(raw);
    // Zero points or rank 0 is the same as nothing written.
    if (value > 0) marks[project.code] = value;
  }
  if (Object.keys(errors).length > 0) throw new AppError('validation', { fields: errors });
  const marked = Object.keys(marks).length > 0;
  if (input.state === 'marked' && !marked) throw formError('state', 'nothing_marked');
  if (input.state !== 'marked' && marked) throw formError('state', input.state === 'blank' ? 'marks_on_blank' : 'marks_on_spoilt');
  return input.state === 'spoilt' ? { kind: 'spoilt' } : { kind: 'marks', marks };
}

// ---------------------------------------------------------------------------------------------
// Sheets

/** The envelopes and projects printed on one paper ballot, in ballot order. */
export type PaperSheet = {
  /** The district envelope of the sheet; null for a sheet of the city-wide envelopes only. */
  district: PbEnvelopeRow | null;
  envelopes: { envelope: PbEnvelopeRow; projects: PbProjectRow[] }[];
  projects: PbProjectRow[];
};

async function sheetOf(db: Db, municipalityId: number, districtId: number | null, envelopes: PbEnvelopeRow[], projects: PbProjectRow[]): Promise<PaperSheet> {
  const district = districtId === null ? null : (envelopes.find((e) => e.id === districtId) ?? null);
  const areas: EnvelopeArea[] = envelopes.map((e) => ({
    id: e.id,
    scope: e.scope,
    arrondissementId: e.arrondissement_id,
    neighbourhoodId: e.neighbourhood_id,
    budgetMillimes: e.budget_millimes,
  }));
  // The residence a sheet stands for: its district's area (a neighbourhood's sheet also carries
  // its arrondissement's envelope when the cycle has both kinds).
  let residence = { arrondissementId: null as number | null, neighbourhoodId: null as number | null };
  if (district?.scope === 'arrondissement') residence = { arrondissementId: district.arrondissement_id, neighbourhoodId: null };
  if (district?.scope === 'neighbourhood' && district.neighbourhood_id !== null) {
    residence = { arrondissementId: await arrondissementOfNeighbourhood(db, municipalityId, district.neighbourhood_id), neighbourhoodId: district.neighbourhood_id };
  }
  const ids = new Set(envelopesForResidence(areas, residence).map((a) => a.id));
  const onSheet = envelopes.filter((e) => ids.has(e.id));
  const list = onSheet.map((envelope) => ({ envelope, projects: projects.filter((p) => p.envelope_id === envelope.id) }));
  return { district, envelopes: list, projects: list.flatMap((e) => e.projects) };
}

/** The sheets a batch may be made of: one per district envelope, and city-wide only when the cycle has a city envelope. */
export function sheetChoices(envelopes: PbEnvelopeRow[]): { districts: PbEnvelopeRow[]; cityOnly: boolean } {
  const districts = envelopes.filter((e) => e.scope !== 'city');
  return { districts, cityOnly: envelopes.some((e) => e.scope === 'city') };
}

// ---------------------------------------------------------------------------------------------
// Phase and access

type Scope = { actor: Actor; municipalityId: number };

/** Keying and acceptance happen while voting is open or while counting, never after the results. */
export function paperKeyingOpen(cycle: PbCycleRow, now: string): boolean {
  if (cycle.paper_voting !== 1 || cycle.results_published_at !== null) return false;
  const phase = phaseAt(cycle, now);
  return phase === 'voting' || phase === 'counting';
}

function assertKeyingOpen(cycle: PbCycleRow, now: string): void {
  if (paperKeyingOpen(cycle, now)) return;
  if (cycle.paper_voting !== 1) throw conflict('no_paper_voting');
  if (cycle.results_published_at !== null || phaseAt(cycle, now) === 'results') throw conflict('results_published');
  throw conflict('not_open');
}

function authorizeView(scope: Scope): void {
  const resource = { municipalityId: scope.municipalityId };
  if (can(scope.actor, 'budget.accept_paper', resource)) return;
  authorize(scope.actor, 'budget.key_paper', resource);
}

async function loadCycle(db: Db, municipalityId: number, cycleId: number): Promise<PbCycleRow> {
  const cycle = await findCycleById(db, municipalityId, cycleId);
  if (!cycle) throw new AppError('not_found');
  return cycle;
}

// ---------------------------------------------------------------------------------------------
// Batches list

export type PaperCycleInfo = {
  id: number;
  slug: string;
  title: { ar: string; fr: string; en: string };
  ballotType: BallotType;
  phase: Phase;
  paperVoting: boolean;
};

export type BatchSummary = {
  id: number;
  batchNumber: string;
  station: string | null;
  sheetName: { ar: string; fr: string; en: string } | null;
  declaredCount: number;
  status: PbPaperBatchRow['status'];
  passCounts: [number, number];
  keyers: [string[], string[]];
  createdBy: string | null;
  createdAt: string;
  acceptedBy: string | null;
  acceptedAt: string | null;
  rejectedBy: string | null;
  rejectedAt: string | null;
  rejectedReason: string | null;
  version: number;
};

export type PaperBatchesModel = {
  cycle: PaperCycleInfo;
  batches: BatchSummary[];
  sheets: { districts: { id: number; name: { ar: string; fr: string; en: string } }[]; cityOnly: boolean };
  registeredPaperVoters: number;
  paperBallots: number;
  keyingOpen: boolean;
  mayKey: boolean;
  mayAccept: boolean;
};

const nameOf = (e: PbEnvelopeRow) => ({ ar: e.name_ar, fr: e.name_fr, en: e.name_en });
const displayName = (name: string | null, userId: number) => name ?? `#${userId}`;

function cycleInfo(cycle: PbCycleRow, now: string): PaperCycleInfo {
  return {
    id: cycle.id,
    slug: cycle.slug,
    title: { ar: cycle.title_ar, fr: cycle.title_fr, en: cycle.title_en },
    ballotType: cycle.ballot_type,
    phase: phaseAt(cycle, now),
    paperVoting: cycle.paper_voting === 1,
  };
}

function summaryOf(row: PaperBatchSummaryRow, envelopes: PbEnvelopeRow[], keyers: { batch_id: number; pass: number; user_id: number; display_name: string | null }[]): BatchSummary {
  const sheet = row.sheet_envelope_id === null ? undefined : envelopes.find((e) => e.id === row.sheet_envelope_id);
  const keyersOf = (pass: number) => keyers.filter((k) => k.batch_id === row.id && k.pass === pass).map((k) => displayName(k.display_name, k.user_id));
  return {
    id: row.id,
    batchNumber: row.batch_number,
    station: row.station,
    sheetName: sheet ? nameOf(sheet) : null,
    declaredCount: row.declared_count,
    status: row.status,
    passCounts: [row.pass1_count, row.pass2_count],
    keyers: [keyersOf(1), keyersOf(2)],
    createdBy: row.created_by === null ? null : displayName(row.created_by_name, row.created_by),
    createdAt: row.created_at,
    acceptedBy: row.accepted_by === null ? null : displayName(row.accepted_by_name, row.accepted_by),
    acceptedAt: row.accepted_at,
    rejectedBy: row.rejected_by === null ? null : displayName(row.rejected_by_name, row.rejected_by),
    rejectedAt: row.rejected_at,
    rejectedReason: row.rejected_reason,
    version: row.version,
  };
}

export type LoadPaperBatchesOptions = Scope & { cycleId: number; now?: string };

export async function loadPaperBatches(db: Db, options: LoadPaperBatchesOptions): Promise<PaperBatchesModel> {
  authorizeView(options);
  const now = options.now ?? nowIso();
  const cycle = await loadCycle(db, options.municipalityId, options.cycleId);
  const [rows, envelopes, registeredPaperVoters, paperBallots] = await Promise.all([
    listBatchSummaries(db, options.municipalityId, cycle.id),
    listEnvelopes(db, options.municipalityId, cycle.id),
    countRegisteredPaperVoters(db, options.municipalityId, cycle.id),
    countPaperBallots(db, options.municipalityId, cycle.id),
  ]);
  const keyers = await listKeyers(db, options.municipalityId, rows.map((r) => r.id));
  const choices = sheetChoices(envelopes);
  const resource = { municipalityId: options.municipalityId };
  return {
    cycle: cycleInfo(cycle, now),
    batches: rows.map((row) => summaryOf(row, envelopes, keyers)),
    sheets: { districts: choices.districts.map((e) => ({ id: e.id, name: nameOf(e) })), cityOnly: choices.cityOnly },
    registeredPaperVoters,
    paperBallots,
    keyingOpen: paperKeyingOpen(cycle, now),
    mayKey: can(options.actor, 'budget.key_paper', resource),
    mayAccept: can(options.actor, 'budget.accept_paper', resource),
  };
}

// ---------------------------------------------------------------------------------------------
// Creating a batch

export type CreatePaperBatchOptions = Scope & {
  cycleId: number;
  batchNumber: string;
  station: string | null;
  /** The district envelope of the sheet; null for city-wide only. */
  sheetEnvelopeId: number | null;
  declaredCount: number;
  now?: string;
};

/** Batch numbers as written on envelopes: "12", "B-07", "٣٤" all become Latin, upper case, trimmed. */
export function normaliseBatchNumber(raw: string): string {
  return toLatinDigits(raw).trim().replace(/\s+/g, ' ').toUpperCase();
}

export async function createPaperBatch(db: Db, options: CreatePaperBatchOptions): Promise<{ batchId: number }> {
  authorize(options.actor, 'budget.key_paper', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  const batchNumber = normaliseBatchNumber(options.batchNumber);
  if (!/^[A-Z0-9][A-Z0-9 /._-]{0,19}$/.test(batchNumber)) throw formError('batchNumber', 'invalid_batch_number');
  if (!Number.isSafeInteger(options.declaredCount) || options.declaredCount < 1 || options.declaredCount > MAX_BATCH_SIZE) {
    throw formError('declaredCount', 'invalid_count', { max: MAX_BATCH_SIZE });
  }
  const cycle = await loadCycle(db, options.municipalityId, options.cycleId);
  assertKeyingOpen(cycle, now);
  const envelopes = await listEnvelopes(db, options.municipalityId, cycle.id);
  const choices = sheetChoices(envelopes);
  if (options.sheetEnvelopeId === null) {
    if (!choices.cityOnly) throw formError('sheet', 'sheet_required');
  } else if (!choices.districts.some((e) => e.id === options.sheetEnvelopeId)) {
    throw formError('sheet', 'sheet_required');
  }
  const station = options.station?.trim() || null;
  try {
    return await db.transaction().execute(async (trx) => {
      const batch = await insertBatch(trx, {
        municipalityId: options.municipalityId,
        cycleId: cycle.id,
        batchNumber,
        station,
        sheetEnvelopeId: options.sheetEnvelopeId,
        declaredCount: options.declaredCount,
        createdBy: actor.userId,
        now,
      });
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'budget.paper_batch_created',
        entityType: 'pb_paper_batch',
        entityId: batch.id,
        after: { cycleId: cycle.id, batchNumber, station, sheetEnvelopeId: options.sheetEnvelopeId, declaredCount: options.declaredCount },
      });
      return { batchId: batch.id };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw formError('batchNumber', 'batch_number_taken');
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// One batch

export type ComparisonRow = { position: number; first: EntryView; second: EntryView; same: boolean };

export type PaperBatchModel = {
  cycle: PaperCycleInfo;
  batch: BatchSummary;
  sheet: PaperSheet;
  /** The pass this person keys in this batch (they keyed in it), or null. */
  myPass: Pass | null;
  /** Per pass: the first position not keyed yet, or null when the pass is complete. */
  nextPosition: [number | null, number | null];
  /** This person's own entries (their pass only: pass 2 never sees pass 1 while keying). */
  myEntries: EntryView[];
  /** Both passes side by side, once both are complete; null before. */
  comparison: { rows: ComparisonRow[]; differences: ComparisonRow[] } | null;
  acceptance: {
    registeredPaperVoters: number;
    paperBallots: number;
    /** Paper ballots in the box once this batch is in. */
    after: number;
    problem: null | 'incomplete' | 'differences' | 'too_many';
  };
  keyingOpen: boolean;
  mayKey: boolean;
  mayAccept: boolean;
};

export type LoadPaperBatchOptions = Scope & { cycleId: number; batchId: number; now?: string };

function firstMissing(entries: PaperEntryRow[], pass: number, declared: number): number | null {
  const keyed = new Set(entries.filter((e) => e.pass === pass).map((e) => e.position));
  for (let position = 1; position <= declared; position += 1) if (!keyed.has(position)) return position;
  return null;
}

/** Position by position, the two passes of a batch (both complete). */
export function comparePasses(entries: PaperEntryRow[], declared: number, codeOrder: string[]): ComparisonRow[] {
  const of = (pass: number, position: number) => entries.find((e) => e.pass === pass && e.position === position);
  const rows: ComparisonRow[] = [];
  for (let position = 1; position <= declared; position += 1) {
    const a = of(1, position);
    const b = of(2, position);
    if (!a || !b) continue;
    const first = entryFromJson(a.choices_json);
    const second = entryFromJson(b.choices_json);
    rows.push({ position, first: entryView(position, first, codeOrder), second: entryView(position, second, codeOrder), same: sameEntry(first, second) });
  }
  return rows;
}

function passOf(entries: PaperEntryRow[], userId: number): Pass | null {
  for (const pass of PASSES) if (entries.some((e) => e.pass === pass && e.entered_by === userId)) return pass;
  return null;
}

export async function loadPaperBatch(db: Db, options: LoadPaperBatchOptions): Promise<PaperBatchModel> {
  authorizeView(options);
  const actor = options.actor!;
  const now = options.now ?? nowIso();
  const cycle = await loadCycle(db, options.municipalityId, options.cycleId);
  const row = await findBatch(db, options.municipalityId, cycle.id, options.batchId);
  if (!row) throw new AppError('not_found');
  const [envelopes, projects, entries, keyers, registeredPaperVoters, paperBallots] = await Promise.all([
    listEnvelopes(db, options.municipalityId, cycle.id),
    listProjects(db, options.municipalityId, cycle.id),
    listEntries(db, options.municipalityId, row.id),
    listKeyers(db, options.municipalityId, [row.id]),
    countRegisteredPaperVoters(db, options.municipalityId, cycle.id),
    countPaperBallots(db, options.municipalityId, cycle.id),
  ]);
  const sheet = await sheetOf(db, options.municipalityId, row.sheet_envelope_id, envelopes, projects);
  const codeOrder = sheet.projects.map((p) => p.code);
  const myPass = passOf(entries, actor.userId);
  const complete = row.pass1_count === row.declared_count && row.pass2_count === row.declared_count;
  const rows = complete ? comparePasses(entries, row.declared_count, codeOrder) : null;
  const differences = rows?.filter((r) => !r.same) ?? [];
  const after = paperBallots + row.declared_count;
  let problem: PaperBatchModel['acceptance']['problem'] = null;
  if (!complete) problem = 'incomplete';
  else if (differences.length > 0) problem = 'differences';
  else if (after > registeredPaperVoters) problem = 'too_many';
  const resource = { municipalityId: options.municipalityId };
  return {
    cycle: cycleInfo(cycle, now),
    batch: summaryOf(row, envelopes, keyers),
    sheet,
    myPass,
    nextPosition: [firstMissing(entries, 1, row.declared_count), firstMissing(entries, 2, row.declared_count)],
    myEntries:
      myPass === null
        ? []
        : entries.filter((e) => e.pass === myPass).map((e) => entryView(e.position, entryFromJson(e.choices_json), codeOrder)),
    comparison: rows ? { rows, differences } : null,
    acceptance: { registeredPaperVoters, paperBallots, after, problem },
    keyingOpen: paperKeyingOpen(cycle, now) && row.status === 'open',
    mayKey: can(options.actor, 'budget.key_paper', resource),
    mayAccept: can(options.actor, 'budget.accept_paper', resource),
  };
}

// ---------------------------------------------------------------------------------------------
// Keying one ballot

export type PaperEntryFormModel = {
  cycle: PaperCycleInfo;
  batch: BatchSummary;
  sheet: PaperSheet;
  rules: Pick<PbCycleRow, 'ballot_type' | 'min_choices' | 'max_choices' | 'total_points' | 'max_points_per_project'>;
  pass: Pass;
  position: number;
  /** What this person's pass keyed at this position, when it did (a correction). */
  existing: PaperEntry | null;
  /** The other pass's entry at this position, shown only once both passes are complete. */
  other: EntryView | null;
  keyedInPass: number;
};

export type LoadPaperEntryOptions = Scope & { cycleId: number; batchId: number; pass: number; position: number; now?: string };

/** Checks that this person may key `pass` of this batch, given who keyed what. */
function assertMayKeyPass(entries: PaperEntryRow[], userId: number, pass: Pass): void {
  const other: Pass = pass === 1 ? 2 : 1;
  if (entries.some((e) => e.pass === other && e.entered_by === userId)) throw conflict('other_pass_keyer', { pass: other });
}

function assertPosition(batch: PbPaperBatchRow, pass: number, position: number): asserts pass is Pass {
  if ((pass !== 1 && pass !== 2) || !Number.isSafeInteger(position) || position < 1 || position > batch.declared_count) throw new AppError('not_found');
}

export async function loadPaperEntryForm(db: Db, options: LoadPaperEntryOptions): Promise<PaperEntryFormModel> {
  authorize(options.actor, 'budget.key_paper', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  const cycle = await loadCycle(db, options.municipalityId, options.cycleId);
  const row = await findBatch(db, options.municipalityId, cycle.id, options.batchId);
  if (!row) throw new AppError('not_found');
  const pass = options.pass;
  assertPosition(row, pass, options.position);
  if (row.status !== 'open') throw conflict(row.status === 'accepted' ? 'batch_accepted' : 'batch_rejected');
  assertKeyingOpen(cycle, now);
  const [envelopes, projects, entries, keyers] = await Promise.all([
    listEnvelopes(db, options.municipalityId, cycle.id),
    listProjects(db, options.municipalityId, cycle.id),
    listEntries(db, options.municipalityId, row.id),
    listKeyers(db, options.municipalityId, [row.id]),
  ]);
  assertMayKeyPass(entries, actor.userId, pass);
  const mine = entries.find((e) => e.pass === pass && e.position === options.position);
  const keyersOfPass = new Set(entries.filter((e) => e.pass === pass).map((e) => e.entered_by));
  // Someone not (yet) keying this pass never reads its entries: they could then key the other
  // pass with them in mind.
  if (mine && !keyersOfPass.has(actor.userId)) throw conflict('keyed_by_other');
  const sheet = await sheetOf(db, options.municipalityId, row.sheet_envelope_id, envelopes, projects);
  const codeOrder = sheet.projects.map((p) => p.code);
  const complete = row.pass1_count === row.declared_count && row.pass2_count === row.declared_count;
  const otherRow = complete ? entries.find((e) => e.pass !== pass && e.position === options.position) : undefined;
  return {
    cycle: cycleInfo(cycle, now),
    batch: summaryOf(row, envelopes, keyers),
    sheet,
    rules: {
      ballot_type: cycle.ballot_type,
      min_choices: cycle.min_choices,
      max_choices: cycle.max_choices,
      total_points: cycle.total_points,
      max_points_per_project: cycle.max_points_per_project,
    },
    pass,
    position: options.position,
    existing: mine ? entryFromJson(mine.choices_json) : null,
    other: otherRow ? entryView(options.position, entryFromJson(otherRow.choices_json), codeOrder) : null,
    keyedInPass: entries.filter((e) => e.pass === pass).length,
  };
}

export type KeyPaperEntryOptions = LoadPaperEntryOptions & { input: PaperEntryInput };

/**
 * Keys (or corrects) the ballot at `position` in `pass`. Returns the next position of the pass
 * still to key, or null when the pass is complete.
 */
export async function keyPaperEntry(db: Db, options: KeyPaperEntryOptions): Promise<{ nextPosition: number | null; corrected: boolean }> {
  authorize(options.actor, 'budget.key_paper', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  const cycle = await loadCycle(db, options.municipalityId, options.cycleId);
  const [envelopes, projects] = await Promise.all([listEnvelopes(db, options.municipalityId, cycle.id), listProjects(db, options.municipalityId, cycle.id)]);
  return db.transaction().execute(async (trx) => {
    const batch = await lockBatch(trx, options.municipalityId, cycle.id, options.batchId);
    if (!batch) throw new AppError('not_found');
    const pass = options.pass;
    assertPosition(batch, pass, options.position);
    if (batch.status !== 'open') throw conflict(batch.status === 'accepted' ? 'batch_accepted' : 'batch_rejected');
    assertKeyingOpen(cycle, now);
    const sheet = await sheetOf(trx, options.municipalityId, batch.sheet_envelope_id, envelopes, projects);
    const entry = entryFromInput(sheet, cycle.ballot_type, options.input);
    // Read under the batch lock: two requests of one person, one per pass, cannot both pass this.
    const entries = await listEntries(trx, options.municipalityId, batch.id);
    assertMayKeyPass(entries, actor.userId, pass);
    const existing = entries.find((e) => e.pass === pass && e.position === options.position);
    const json = entryToJson(entry);
    if (existing) {
      const keyersOfPass = new Set(entries.filter((e) => e.pass === pass).map((e) => e.entered_by));
      if (!keyersOfPass.has(actor.userId)) throw conflict('keyed_by_other');
      if (existing.choices_json !== json) {
        await updateEntry(trx, { municipalityId: options.municipalityId, id: existing.id, choicesJson: json, enteredBy: actor.userId, now });
        await recordAudit(trx, {
          municipalityId: options.municipalityId,
          actor: staffAuditActor(actor),
          action: 'budget.paper_entry_corrected',
          entityType: 'pb_paper_batch',
          entityId: batch.id,
          before: { pass, position: options.position, entry: JSON.parse(existing.choices_json) },
          after: { pass, position: options.position, entry: JSON.parse(json) },
        });
        await bumpBatchVersion(trx, options.municipalityId, batch.id);
      }
    } else {
      await insertEntry(trx, { municipalityId: options.municipalityId, batchId: batch.id, pass, position: options.position, choicesJson: json, enteredBy: actor.userId, now });
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'budget.paper_entry_keyed',
        entityType: 'pb_paper_batch',
        entityId: batch.id,
        after: { pass, position: options.position, entry: JSON.parse(json) },
      });
      await bumpBatchVersion(trx, options.municipalityId, batch.id);
    }
    const keyed = new Set(entries.filter((e) => e.pass === pass).map((e) => e.position));
    keyed.add(options.position);
    let nextPosition: number | null = null;
    for (let p = options.position + 1; p <= batch.declared_count && nextPosition === null; p += 1) if (!keyed.has(p)) nextPosition = p;
    for (let p = 1; p < options.position && nextPosition === null; p += 1) if (!keyed.has(p)) nextPosition = p;
    return { nextPosition, corrected: existing !== undefined };
  });
}

// ---------------------------------------------------------------------------------------------
// Accepting and rejecting

export type AcceptPaperBatchOptions = Scope & { cycleId: number; batchId: number; version: number; now?: string };

export type AcceptedBatch = { ballots: number; invalid: number; problems: Partial<Record<BallotProblem['code'] | 'spoilt', number>> };

function shuffled<T>(items: T[]): T[] {
  const list = [...items];
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = randomInt(0, i + 1);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/**
 * Puts the batch's ballots in the box: only when both passes are complete and identical, and
 * only if the paper ballots of the cycle then do not outnumber the paper voters registered.
 * Each ballot is checked against the cycle's rules; one that fails goes in as invalid, with no
 * choices.
 */
export async function acceptPaperBatch(db: Db, options: AcceptPaperBatchOptions): Promise<AcceptedBatch> {
  authorize(options.actor, 'budget.accept_paper', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  return db.transaction().execute(async (trx) => {
    const cycle = await lockCycleRow(trx, options.municipalityId, options.cycleId);
    if (!cycle) throw new AppError('not_found');
    const batch = await lockBatch(trx, options.municipalityId, cycle.id, options.batchId);
    if (!batch) throw new AppError('not_found');
    if (batch.status !== 'open') throw conflict(batch.status === 'accepted' ? 'batch_accepted' : 'batch_rejected');
    if (batch.version !== options.version) throw conflict('stale');
    assertKeyingOpen(cycle, now);
    const [envelopes, projects, entries] = await Promise.all([
      listEnvelopes(trx, options.municipalityId, cycle.id),
      listProjects(trx, options.municipalityId, cycle.id),
      listEntries(trx, options.municipalityId, batch.id),
    ]);
    const count = (pass: number) => entries.filter((e) => e.pass === pass).length;
    if (count(1) !== batch.declared_count || count(2) !== batch.declared_count) throw conflict('passes_incomplete');
    const keyers1 = new Set(entries.filter((e) => e.pass === 1).map((e) => e.entered_by));
    if (entries.some((e) => e.pass === 2 && e.entered_by !== null && keyers1.has(e.entered_by))) throw conflict('same_keyer');
    const sheet = await sheetOf(trx, options.municipalityId, batch.sheet_envelope_id, envelopes, projects);
    const rows = comparePasses(entries, batch.declared_count, sheet.projects.map((p) => p.code));
    const differences = rows.filter((r) => !r.same).length;
    if (differences > 0 || rows.length !== batch.declared_count) throw conflict('passes_differ', { count: differences });
    const voters = await countRegisteredPaperVoters(trx, options.municipalityId, cycle.id);
    const ballotsAfter = (await countPaperBallots(trx, options.municipalityId, cycle.id)) + batch.declared_count;
    if (ballotsAfter > voters) throw conflict('too_many_ballots', { ballots: ballotsAfter, voters });

    const byCode = new Map(sheet.projects.map((p) => [p.code, p]));
    const envelopeOf = new Map(sheet.projects.map((p) => [p.id, p.envelope_id]));
    const areas: EnvelopeArea[] = sheet.envelopes.map(({ envelope: e }) => ({
      id: e.id,
      scope: e.scope,
      arrondissementId: e.arrondissement_id,
      neighbourhoodId: e.neighbourhood_id,
      budgetMillimes: e.budget_millimes,
    }));
    const ballotProjects = sheet.projects.map((p) => ({ id: p.id, envelopeId: p.envelope_id, costMillimes: p.cost_millimes }));
    const result: AcceptedBatch = { ballots: 0, invalid: 0, problems: {} };
    const tally = (code: BallotProblem['code'] | 'spoilt') => (result.problems[code] = (result.problems[code] ?? 0) + 1);
    for (const entryRow of shuffled(entries.filter((e) => e.pass === 1))) {
      const entry = entryFromJson(entryRow.choices_json);
      result.ballots += 1;
      let invalid = entry.kind === 'spoilt';
      let choices: { projectId: number; envelopeId: number; value: number }[] = [];
      if (entry.kind === 'spoilt') tally('spoilt');
      else {
        const unknown = Object.keys(entry.marks).some((code) => !byCode.has(code));
        const keyed: BallotChoice[] = Object.entries(entry.marks).flatMap(([code, value]) => {
          const project = byCode.get(code);
          return project ? [{ projectId: project.id, value }] : [];
        });
        const problems: BallotProblem[] = unknown ? [{ code: 'unknown_project', projectId: 0 }] : validateBallot(cycle, ballotProjects, areas, keyed);
        if (problems.length > 0) {
          invalid = true;
          for (const code of new Set(problems.map((p) => p.code))) tally(code);
        } else {
          choices = keyed.map((c) => ({ projectId: c.projectId, envelopeId: envelopeOf.get(c.projectId)!, value: c.value }));
        }
      }
      if (invalid) result.invalid += 1;
      await insertBallot(trx, {
        municipalityId: options.municipalityId,
        cycleId: cycle.id,
        channel: 'paper',
        paperBatchId: batch.id,
        invalid,
        choices,
      });
    }
    const closed = await closeBatchAtVersion(trx, { municipalityId: options.municipalityId, batchId: batch.id, version: options.version }, {
      status: 'accepted',
      accepted_by: actor.userId,
      accepted_at: now,
    });
    if (!closed) throw conflict('stale');
    await recordAudit(trx, {
      municipalityId: options.municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.paper_batch_accepted',
      entityType: 'pb_paper_batch',
      entityId: batch.id,
      before: { status: 'open' },
      after: { status: 'accepted', ballots: result.ballots, invalid: result.invalid, problems: result.problems, paperBallots: ballotsAfter, paperVoters: voters },
    });
    return result;
  });
}

export type RejectPaperBatchOptions = Scope & { cycleId: number; batchId: number; version: number; reason: string; now?: string };

/** Sets a batch aside with a reason (mis-sorted, count does not match the envelope, damaged…); its entries stay. */
export async function rejectPaperBatch(db: Db, options: RejectPaperBatchOptions): Promise<void> {
  authorize(options.actor, 'budget.accept_paper', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const now = options.now ?? nowIso();
  const reason = options.reason.trim();
  if (reason === '') throw formError('reason', 'reason_required');
  await db.transaction().execute(async (trx) => {
    const cycle = await lockCycleRow(trx, options.municipalityId, options.cycleId);
    if (!cycle) throw new AppError('not_found');
    const batch = await lockBatch(trx, options.municipalityId, cycle.id, options.batchId);
    if (!batch) throw new AppError('not_found');
    if (batch.status !== 'open') throw conflict(batch.status === 'accepted' ? 'batch_accepted' : 'batch_rejected');
    if (batch.version !== options.version) throw conflict('stale');
    assertKeyingOpen(cycle, now);
    const closed = await closeBatchAtVersion(trx, { municipalityId: options.municipalityId, batchId: batch.id, version: options.version }, {
      status: 'rejected',
      rejected_by: actor.userId,
      rejected_at: now,
      rejected_reason: reason,
    });
    if (!closed) throw conflict('stale');
    await recordAudit(trx, {
      municipalityId: options.municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.paper_batch_rejected',
      entityType: 'pb_paper_batch',
      entityId: batch.id,
      before: { status: 'open' },
      after: { status: 'rejected', reason },
    });
  });
}
