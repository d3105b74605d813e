// Citizens' proposals: submission during the 'proposals' phase (signed-in citizens or
// associations, with photos), the public list and page, comments, support in the optional
// pre-selection, and the back office's moderation (hide with a public reason) and merging.
//
// Numbers are per cycle ("proposal 12"): the next number is MAX+1 under a lock on the cycle
// (PostgreSQL) or SQLite's single writer, and the unique constraint (cycle_id, number) is the
// last word: a collision retries the whole transaction.
import type { Locale } from '../../config.ts';
import { type Actor, authorize, can } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { normalizeSearchText, searchTerms } from '../../db/search.ts';
import { AppError, type FieldErrors, isUniqueViolation } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { type StoredPhoto, removeStoredPhotos } from '../complaints/photos.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import { phaseAt, PROPOSAL_CATEGORIES } from './budget.ts';
import type { PbCycleRow, PbEnvelopeRow, PbProposalRow, ProposalStatus } from './budget.table.ts';
import { findCycleById, findCycleBySlug, listEnvelopes } from './cycles.repository.ts';
import { parseTnd } from './cycles.service.ts';
import {
  copySupports,
  findCommentById,
  findProposalById,
  findProposalByNumber,
  findReviewByProposal,
  incrementSupportCount,
  insertCommentRow,
  insertPhotoRows,
  insertProposalRow,
  insertSupportRow,
  listComments,
  listProposalPhotos,
  listProposalRows,
  listProposalsByIds,
  lockCycle,
  lockProposals,
  nextProposalNumber,
  type ProposalFilters,
  refreshCommentCount,
  refreshSupportCount,
  setCommentVisibility,
  updateProposalAtVersion,
  hasSupported,
} from './proposals.repository.ts';

export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 5000;
export const ASSOCIATION_MAX_LENGTH = 200;
export const LOCATION_TEXT_MAX_LENGTH = 300;
export const COMMENT_MAX_LENGTH = 2000;
export const REASON_MAX_LENGTH = 1000;
/** The highest cost a proposal may state: 100 million TND, far above any municipal budget. */
export const PROPOSAL_STATUSES: readonly ProposalStatus[] = ['submitted', 'feasible', 'not_feasible', 'on_ballot', 'merged', 'withdrawn'];
/** The value of the area select meaning "the whole city" (the city-wide envelope). */
export const CITY_AREA = 'city';

// ---------------------------------------------------------------------------------------------
// Pure helpers

/**
 * An estimated cost as typed (see parseTnd in cycles.service.ts: Arabic-Indic digits, spaces
 * between thousands, "." or "," before the millimes): null when left empty, 'invalid' when it
 * is not an amount.
 */
export function parseCostInput(raw: string): number | null | 'invalid' {
  if (raw.trim() === '') return null;
  return parseTnd(raw) ?? 'invalid';
}

/** The neighbourhood's envelope, else its arrondissement's, else the city-wide one. */
export function envelopeForArea(
  envelopes: Pick<PbEnvelopeRow, 'id' | 'scope' | 'arrondissement_id' | 'neighbourhood_id'>[],
  area: { neighbourhoodId: number; arrondissementId: number | null } | 'city',
): number | null {
  const city = envelopes.find((e) => e.scope === 'city');
  if (area === 'city') return city?.id ?? null;
  const own = envelopes.find((e) => e.scope === 'neighbourhood' && e.neighbourhood_id === area.neighbourhoodId);
  if (own) return own.id;
  const district = area.arrondissementId === null ? undefined : envelopes.find((e) => e.scope === 'arrondissement' && e.arrondissement_id === area.arrondissementId);
  return district?.id ?? city?.id ?? null;
}

function checkText(fields: FieldErrors, name: string, value: string, options: { required: boolean; max: number; min?: number }): void {
  if (value === '') {
    if (options.required) fields[name] = 'validation.required';
  } else if (value.length > options.max) fields[name] = { key: 'validation.too_long', values: { max: options.max } };
  else if (options.min && value.length < options.min) fields[name] = { key: 'validation.too_short', values: { min: options.min } };
}

// ---------------------------------------------------------------------------------------------
// Loading a cycle

export async function cycleBySlugOrThrow(db: Db, municipalityId: number, slug: string): Promise<PbCycleRow> {
  const cycle = await findCycleBySlug(db, municipalityId, slug);
  // A cycle still being prepared is not public.
  if (!cycle || phaseAt(cycle, nowIso()) === 'draft') throw new AppError('not_found');
  return cycle;
}

export async function cycleByIdOrThrow(db: Db, municipalityId: number, cycleId: number): Promise<PbCycleRow> {
  const cycle = await findCycleById(db, municipalityId, cycleId);
  if (!cycle) throw new AppError('not_found');
  return cycle;
}

// ---------------------------------------------------------------------------------------------
// Submission

/** What the form sends, as typed. */
export type ProposalInput = {
  title: string;
  description: string;
  category: string;
  /** 'citizen' | 'association' */
  authorKind: string;
  associationName: string;
  /** A neighbourhood id, or CITY_AREA. */
  area: string;
  lat: string;
  lng: string;
  locationText: string;
  estimatedCost: string;
};

export type SubmitProposalOptions = {
  actor: Actor;
  municipalityId: number;
  cycleId: number;
  locale: Locale;
  input: ProposalInput;
  /** Stored before the call (pb-photos.ts); removed here if the proposal is not saved. */
  photos?: StoredPhoto[];
  now?: string;
};

type CheckedProposal = {
  title: string;
  description: string;
  category: string;
  authorKind: 'citizen' | 'association';
  associationName: string | null;
  neighbourhoodId: number | null;
  envelopeId: number | null;
  lat: number | null;
  lng: number | null;
  locationText: string | null;
  costMillimes: number | null;
};

/** Checks a proposal form; throws AppError('validation') with every field error. */
export async function checkProposalInput(db: Db, municipalityId: number, cycleId: number, input: ProposalInput): Promise<CheckedProposal> {
  const fields: FieldErrors = {};
  const title = input.title.trim();
  const description = input.description.trim();
  checkText(fields, 'title', title, { required: true, max: TITLE_MAX_LENGTH, min: 5 });
  checkText(fields, 'description', description, { required: true, max: DESCRIPTION_MAX_LENGTH, min: 20 });
  const category = input.category.trim();
  if (!category) fields.category = 'validation.required';
  else if (!(PROPOSAL_CATEGORIES as readonly string[]).includes(category)) fields.category = 'validation.invalid_choice';
  const authorKind = input.authorKind.trim() || 'citizen';
  if (authorKind !== 'citizen' && authorKind !== 'association') fields.authorKind = 'validation.invalid_choice';
  const associationName = input.associationName.trim();
  if (authorKind === 'association') checkText(fields, 'associationName', associationName, { required: true, max: ASSOCIATION_MAX_LENGTH });
  const locationText = input.locationText.trim();
  checkText(fields, 'locationText', locationText, { required: false, max: LOCATION_TEXT_MAX_LENGTH });

  // The area decides the envelope.
  const envelopes = await listEnvelopes(db, municipalityId, cycleId);
  const area = input.area.trim();
  let neighbourhoodId: number | null = null;
  let envelopeId: number | null = null;
  if (area === '') fields.area = 'validation.required';
  else if (area === CITY_AREA) {
    envelopeId = envelopeForArea(envelopes, 'city');
    if (envelopeId === null) fields.area = 'validation.invalid_choice';
  } else {
    const neighbourhood = /^\d{1,9}$/.test(area) ? (await listNeighbourhoods(db, municipalityId)).find((n) => n.id === Number(area)) : undefined;
    if (!neighbourhood) fields.area = 'validation.invalid_choice';
    else {
      neighbourhoodId = neighbourhood.id;
      envelopeId = envelopeForArea(envelopes, { neighbourhoodId: neighbourhood.id, arrondissementId: neighbourhood.arrondissement_id });
      if (envelopeId === null && envelopes.length > 0) fields.area = 'budget.proposals.error.no_envelope';
    }
  }

  // The point is optional; both coordinates or neither.
  const latText = input.lat.trim().replace(',', '.');
  const lngText = input.lng.trim().replace(',', '.');
  let lat: number | null = null;
  let lng: number | null = null;
  if (latText !== '' || lngText !== '') {
    const la = Number(latText);
    const ln = Number(lngText);
    if (latText === '' || lngText === '' || !Number.isFinite(la) || !Number.isFinite(ln) || Math.abs(la) > 90 || Math.abs(ln) > 180) {
      fields.lat = 'budget.proposals.error.point_invalid';
    } else {
      lat = la;
      lng = ln;
    }
  }

  const cost = parseCostInput(input.estimatedCost);
  if (cost === 'invalid') fields.estimatedCost = 'budget.proposals.error.cost_invalid';

  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
  return {
    title,
    description,
    category,
    authorKind: authorKind as 'citizen' | 'association',
    associationName: authorKind === 'association' ? associationName : null,
    neighbourhoodId,
    envelopeId,
    lat,
    lng,
    locationText: locationText || null,
    costMillimes: cost === 'invalid' ? null : cost,
  };
}

/** Files a citizen's proposal; see the top of this file. */
export async function submitProposal(db: Db, options: SubmitProposalOptions): Promise<PbProposalRow> {
  const photos = options.photos ?? [];
  try {
    return await fileProposal(db, options, photos);
  } catch (error) {
    // Nothing refers to the files now; the orphan job would remove them later anyway.
    await removeStoredPhotos(photos);
    throw error;
  }
}

async function fileProposal(db: Db, options: SubmitProposalOptions, photos: StoredPhoto[]): Promise<PbProposalRow> {
  const { actor, municipalityId } = options;
  if (!actor || actor.municipalityId !== municipalityId) throw new AppError('unauthenticated');
  const cycle = await cycleByIdOrThrow(db, municipalityId, options.cycleId);
  const now = options.now ?? nowIso();
  if (phaseAt(cycle, now) !== 'proposals') throw new AppError('validation', { fields: { _form: 'budget.proposals.error.not_open' } });
  const checked = await checkProposalInput(db, municipalityId, cycle.id, options.input);

  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(async (trx) => {
        await lockCycle(trx, municipalityId, cycle.id);
        const number = await nextProposalNumber(trx, municipalityId, cycle.id);
        const row = await insertProposalRow(trx, {
          municipality_id: municipalityId,
          cycle_id: cycle.id,
          number,
          author_user_id: actor.userId,
          author_kind: checked.authorKind,
          association_name: checked.associationName,
          title: checked.title,
          description: checked.description,
          category: checked.category,
          envelope_id: checked.envelopeId,
          neighbourhood_id: checked.neighbourhoodId,
          lat: checked.lat,
          lng: checked.lng,
          location_text: checked.locationText,
          estimated_cost_millimes: checked.costMillimes,
          status: 'submitted',
          hidden_reason: null,
          merged_into_id: null,
          search_text: normalizeSearchText([String(number), checked.title, checked.description, checked.associationName ?? '', checked.locationText ?? ''].join(' ')),
          locale: options.locale,
          created_at: now,
          updated_at: now,
        });
        await insertPhotoRows(
          trx,
          photos.map((p) => ({
            municipality_id: municipalityId,
            proposal_id: row.id,
            update_id: null,
            storage_key: p.storageKey,
            width: p.width,
            height: p.height,
            bytes: p.bytes,
            created_at: now,
          })),
        );
        return row;
      });
    } catch (error) {
      // Two submissions took the same number (possible only without the lock): try again.
      if (isUniqueViolation(error) && attempt < 5) continue;
      throw error;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export type ProposalSummary = {
  id: number;
  number: number;
  title: string;
  category: string;
  status: ProposalStatus;
  hidden: boolean;
  hiddenReason: string | null;
  authorKind: 'citizen' | 'association';
  associationName: string | null;
  neighbourhoodId: number | null;
  estimatedCostMillimes: number | null;
  supportCount: number;
  commentCount: number;
  createdAt: string;
  version: number;
};

function summaryOf(row: PbProposalRow): ProposalSummary {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    category: row.category,
    status: row.status,
    hidden: row.visibility === 'hidden',
    hiddenReason: row.hidden_reason,
    authorKind: row.author_kind,
    associationName: row.association_name,
    neighbourhoodId: row.neighbourhood_id,
    estimatedCostMillimes: row.estimated_cost_millimes,
    supportCount: row.support_count,
    commentCount: row.comment_count,
    createdAt: row.created_at,
    version: row.version,
  };
}

export type ProposalListFilters = {
  category?: string;
  neighbourhoodId?: number;
  status?: ProposalStatus;
  q?: string;
  sort?: 'newest' | 'supported';
  /** Back office only: 'hidden' or 'visible'. */
  visibility?: 'hidden' | 'visible';
};

export const PROPOSALS_PAGE_SIZE = 20;

export type ProposalList = { items: ProposalSummary[]; total: number; page: number; pageCount: number };

function toRepositoryFilters(filters: ProposalListFilters): ProposalFilters {
  return {
    category: filters.category,
    neighbourhoodId: filters.neighbourhoodId,
    status: filters.status,
    visibility: filters.visibility,
    terms: filters.q ? searchTerms(filters.q) : undefined,
    sort: filters.sort,
  };
}

/** The public list: hidden proposals are left out (their page says why). */
export async function listPublicProposals(
  db: Db,
  options: { municipalityId: number; cycleId: number; filters: ProposalListFilters; page: number },
): Promise<ProposalList> {
  const filters = { ...toRepositoryFilters(options.filters), visibility: 'visible' as const };
  const { rows, total } = await listProposalRows(db, options.municipalityId, options.cycleId, filters, {
    limit: PROPOSALS_PAGE_SIZE,
    offset: (options.page - 1) * PROPOSALS_PAGE_SIZE,
  });
  return { items: rows.map(summaryOf), total, page: options.page, pageCount: Math.max(1, Math.ceil(total / PROPOSALS_PAGE_SIZE)) };
}

/** The back office's list: hidden ones included. */
export async function listProposalsForModeration(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId: number; filters: ProposalListFilters; page: number },
): Promise<ProposalList> {
  authorize(options.actor, 'budget.moderate', { municipalityId: options.municipalityId });
  await cycleByIdOrThrow(db, options.municipalityId, options.cycleId);
  const { rows, total } = await listProposalRows(db, options.municipalityId, options.cycleId, toRepositoryFilters(options.filters), {
    limit: PROPOSALS_PAGE_SIZE,
    offset: (options.page - 1) * PROPOSALS_PAGE_SIZE,
  });
  return { items: rows.map(summaryOf), total, page: options.page, pageCount: Math.max(1, Math.ceil(total / PROPOSALS_PAGE_SIZE)) };
}

export type PublicReview = {
  feasible: boolean;
  publicReason: string | null;
  costEstimateMillimes: number | null;
  costExplanation: string | null;
  decidedAt: string | null;
};

export type PublicComment = {
  id: number;
  authorName: string | null;
  body: string | null;
  hidden: boolean;
  hiddenReason: string | null;
  createdAt: string;
};

export type PublicProposal =
  | { hidden: true; number: number; hiddenReason: string | null }
  | {
      hidden: false;
      proposal: ProposalSummary & {
        description: string;
        lat: number | null;
        lng: number | null;
        locationText: string | null;
        envelopeId: number | null;
      };
      photos: { storageKey: string; width: number; height: number }[];
      /** Only once the department has decided; internal notes are never part of it. */
      review: PublicReview | null;
      mergedInto: { number: number; title: string } | null;
      mergedFrom: { number: number; title: string }[];
      projectCode: string | null;
      comments: PublicComment[];
      supportedByViewer: boolean;
      /** The viewer wrote it (they may withdraw it while proposals are open). */
      viewerIsAuthor: boolean;
    };

/** A proposal's public page. Hidden: only the moderation's reason. */
export async function getPublicProposal(
  db: Db,
  options: { municipalityId: number; cycleId: number; number: number; viewer: Actor },
): Promise<PublicProposal> {
  const row = await findProposalByNumber(db, options.municipalityId, options.cycleId, options.number);
  if (!row) throw new AppError('not_found');
  if (row.visibility === 'hidden') return { hidden: true, number: row.number, hiddenReason: row.hidden_reason };
  const [photos, review, comments, mergedInto, mergedFrom, project] = await Promise.all([
    listProposalPhotos(db, options.municipalityId, row.id),
    findReviewByProposal(db, options.municipalityId, row.id),
    listComments(db, options.municipalityId, { proposalId: row.id }),
    row.merged_into_id ? listProposalsByIds(db, options.municipalityId, [row.merged_into_id]) : Promise.resolve([]),
    db
      .selectFrom('pb_proposals')
      .select(['number', 'title'])
      .where('municipality_id', '=', options.municipalityId)
      .where('merged_into_id', '=', row.id)
      .where('visibility', '=', 'visible')
      .orderBy('number')
      .execute(),
    db.selectFrom('pb_projects').select('code').where('municipality_id', '=', options.municipalityId).where('proposal_id', '=', row.id).executeTakeFirst(),
  ]);
  const decided = review && review.feasible !== null && review.decided_at !== null;
  return {
    hidden: false,
    proposal: {
      ...summaryOf(row),
      description: row.description,
      lat: row.lat,
      lng: row.lng,
      locationText: row.location_text,
      envelopeId: row.envelope_id,
    },
    photos: photos.map((p) => ({ storageKey: p.storage_key, width: p.width, height: p.height })),
    review: decided
      ? {
          feasible: review.feasible === 1,
          publicReason: review.public_reason,
          costEstimateMillimes: review.feasible === 1 ? review.cost_estimate_millimes : null,
          costExplanation: review.feasible === 1 ? review.cost_explanation : null,
          decidedAt: review.decided_at,
        }
      : null,
    // A target hidden since the merge: its title is not shown either.
    mergedInto: mergedInto[0] && mergedInto[0].visibility === 'visible' ? { number: mergedInto[0].number, title: mergedInto[0].title } : null,
    mergedFrom,
    projectCode: project?.code ?? null,
    comments: comments.map((c) =>
      c.visibility === 'hidden'
        ? { id: c.id, authorName: null, body: null, hidden: true, hiddenReason: c.hidden_reason, createdAt: c.created_at }
        : { id: c.id, authorName: c.author_name, body: c.body, hidden: false, hiddenReason: null, createdAt: c.created_at },
    ),
    supportedByViewer: options.viewer ? await hasSupported(db, options.municipalityId, row.id, options.viewer.userId) : false,
    viewerIsAuthor: options.viewer !== null && row.author_user_id === options.viewer.userId,
  };
}

/** The photo files of a visible proposal (for serving them); empty when hidden or unknown. */
export async function publicProposalPhotoKeys(db: Db, municipalityId: number, proposalId: number): Promise<string[]> {
  const row = await findProposalById(db, municipalityId, proposalId);
  if (!row || row.visibility === 'hidden') return [];
  return (await listProposalPhotos(db, municipalityId, proposalId)).map((p) => p.storage_key);
}

// ---------------------------------------------------------------------------------------------
// Comments and support

async function visibleProposalOrThrow(db: Db, municipalityId: number, cycleId: number, number: number): Promise<PbProposalRow> {
  const row = await findProposalByNumber(db, municipalityId, cycleId, number);
  if (!row || row.visibility === 'hidden') throw new AppError('not_found');
  return row;
}

export async function addProposalComment(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId: number; number: number; body: string; now?: string },
): Promise<void> {
  const { actor, municipalityId } = options;
  if (!actor || actor.municipalityId !== municipalityId) throw new AppError('unauthenticated');
  const cycle = await cycleByIdOrThrow(db, municipalityId, options.cycleId);
  const now = options.now ?? nowIso();
  if (phaseAt(cycle, now) === 'draft') throw new AppError('not_found');
  const proposal = await visibleProposalOrThrow(db, municipalityId, cycle.id, options.number);
  const body = options.body.trim();
  const fields: FieldErrors = {};
  checkText(fields, 'body', body, { required: true, max: COMMENT_MAX_LENGTH });
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
  await db.transaction().execute(async (trx) => {
    await insertCommentRow(trx, {
      municipality_id: municipalityId,
      proposal_id: proposal.id,
      project_id: null,
      author_user_id: actor.userId,
      body,
      hidden_reason: null,
      created_at: now,
    });
    await refreshCommentCount(trx, municipalityId, proposal.id);
  });
}

const SUPPORTABLE: readonly ProposalStatus[] = ['submitted', 'feasible', 'on_ballot'];

/**
 * Supports a proposal during the pre-selection. Once per person, by the primary key of
 * pb_supports; a second support changes nothing and says so (`added: false`).
 */
export async function supportProposal(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId: number; number: number; now?: string },
): Promise<{ added: boolean }> {
  const { actor, municipalityId } = options;
  if (!actor || actor.municipalityId !== municipalityId) throw new AppError('unauthenticated');
  const cycle = await cycleByIdOrThrow(db, municipalityId, options.cycleId);
  const now = options.now ?? nowIso();
  if (phaseAt(cycle, now) !== 'support') throw new AppError('validation', { fields: { _form: 'budget.proposals.error.support_closed' } });
  const proposal = await visibleProposalOrThrow(db, municipalityId, cycle.id, options.number);
  if (!SUPPORTABLE.includes(proposal.status)) throw new AppError('validation', { fields: { _form: 'budget.proposals.error.not_supportable' } });
  return db.transaction().execute(async (trx) => {
    // The proposal's row first, as merging does, so the two never wait on each other in a circle.
    await lockProposals(trx, municipalityId, [proposal.id]);
    const added = await insertSupportRow(trx, { municipality_id: municipalityId, proposal_id: proposal.id, user_id: actor.userId, created_at: now });
    if (added) await incrementSupportCount(trx, municipalityId, proposal.id);
    return { added };
  });
}

/**
 * The author withdraws their proposal, while proposals are still open and before any review
 * decision. It stays listed as withdrawn (its number is not reused).
 */
export async function withdrawProposal(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId: number; number: number; now?: string },
): Promise<void> {
  const { actor, municipalityId } = options;
  if (!actor || actor.municipalityId !== municipalityId) throw new AppError('unauthenticated');
  const cycle = await cycleByIdOrThrow(db, municipalityId, options.cycleId);
  const now = options.now ?? nowIso();
  const proposal = await visibleProposalOrThrow(db, municipalityId, cycle.id, options.number);
  if (proposal.author_user_id !== actor.userId) throw new AppError('forbidden');
  if (phaseAt(cycle, now) !== 'proposals' || proposal.status !== 'submitted') {
    throw new AppError('validation', { fields: { _form: 'budget.proposals.error.not_withdrawable' } });
  }
  const ok = await updateProposalAtVersion(db, { municipalityId, id: proposal.id, version: proposal.version }, { status: 'withdrawn', updated_at: now });
  if (!ok) throw new AppError('stale');
}

// ---------------------------------------------------------------------------------------------
// Moderation

export type ProposalVisibilityOptions = {
  actor: Actor;
  municipalityId: number;
  /** The cycle of the page the request came from: a proposal of another cycle is not found. */
  cycleId?: number;
  proposalId: number;
  version: number;
  hidden: boolean;
  /** Public; required when hiding. */
  reason: string;
};

export async function setProposalVisibility(db: Db, options: ProposalVisibilityOptions): Promise<void> {
  const { actor, municipalityId } = options;
  authorize(actor, 'budget.moderate', { municipalityId });
  const row = await findProposalById(db, municipalityId, options.proposalId);
  if (!row || (options.cycleId !== undefined && row.cycle_id !== options.cycleId)) throw new AppError('not_found');
  const reason = options.reason.trim();
  if (options.hidden) {
    const fields: FieldErrors = {};
    checkText(fields, 'reason', reason, { required: true, max: REASON_MAX_LENGTH });
    if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
    // A project on the ballot is the ballot's: take it off first.
    if (row.status === 'on_ballot') throw new AppError('validation', { fields: { _form: 'budget.proposals.error.on_ballot' } });
  }
  if (row.version !== options.version) throw new AppError('stale');
  await db.transaction().execute(async (trx) => {
    const values = options.hidden ? { visibility: 'hidden' as const, hidden_reason: reason } : { visibility: 'visible' as const, hidden_reason: null };
    const ok = await updateProposalAtVersion(trx, { municipalityId, id: row.id, version: options.version }, { ...values, updated_at: nowIso() });
    if (!ok) throw new AppError('stale');
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: options.hidden ? 'budget.proposal_hidden' : 'budget.proposal_shown',
      entityType: 'pb_proposal',
      entityId: row.id,
      before: { visibility: row.visibility, hidden_reason: row.hidden_reason },
      after: values,
    });
  });
}

export async function setProposalCommentVisibility(
  db: Db,
  options: { actor: Actor; municipalityId: number; commentId: number; hidden: boolean; reason: string; cycleId?: number; proposalId?: number },
): Promise<{ proposalId: number | null }> {
  const { actor, municipalityId } = options;
  authorize(actor, 'budget.moderate', { municipalityId });
  const comment = await findCommentById(db, municipalityId, options.commentId);
  if (!comment) throw new AppError('not_found');
  // From a proposal's moderation page: a comment of that proposal, of a proposal of that cycle.
  if (options.proposalId !== undefined && comment.proposal_id !== options.proposalId) throw new AppError('not_found');
  if (options.cycleId !== undefined) {
    const proposal = comment.proposal_id === null ? undefined : await findProposalById(db, municipalityId, comment.proposal_id);
    if (!proposal || proposal.cycle_id !== options.cycleId) throw new AppError('not_found');
  }
  const reason = options.reason.trim();
  if (options.hidden) {
    const fields: FieldErrors = {};
    checkText(fields, 'reason', reason, { required: true, max: REASON_MAX_LENGTH });
    if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
  }
  await db.transaction().execute(async (trx) => {
    await setCommentVisibility(trx, municipalityId, comment.id, options.hidden ? 'hidden' : 'visible', options.hidden ? reason : null);
    if (comment.proposal_id !== null) await refreshCommentCount(trx, municipalityId, comment.proposal_id);
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: options.hidden ? 'budget.comment_hidden' : 'budget.comment_shown',
      entityType: 'pb_comment',
      entityId: comment.id,
      before: { visibility: comment.visibility, hidden_reason: comment.hidden_reason },
      after: { visibility: options.hidden ? 'hidden' : 'visible', hidden_reason: options.hidden ? reason : null },
    });
  });
  return { proposalId: comment.proposal_id };
}

/** Comments of a proposal for the back office (hidden ones with their text). */
export async function listCommentsForModeration(db: Db, options: { actor: Actor; municipalityId: number; proposalId: number }) {
  authorize(options.actor, 'budget.moderate', { municipalityId: options.municipalityId });
  return listComments(db, options.municipalityId, { proposalId: options.proposalId });
}

const MERGEABLE: readonly ProposalStatus[] = ['submitted', 'feasible', 'not_feasible'];

/**
 * Merges proposal X into Y (same cycle): X becomes 'merged' with merged_into_id = Y, and X's
 * supporters now support Y, each once (the primary key of pb_supports); Y's count is recounted.
 */
export async function mergeProposal(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId?: number; proposalId: number; version: number; intoNumber: number },
): Promise<{ into: PbProposalRow }> {
  const { actor, municipalityId } = options;
  authorize(actor, 'budget.moderate', { municipalityId });
  const from = await findProposalById(db, municipalityId, options.proposalId);
  if (!from || (options.cycleId !== undefined && from.cycle_id !== options.cycleId)) throw new AppError('not_found');
  const into = await findProposalByNumber(db, municipalityId, from.cycle_id, options.intoNumber);
  if (!into) throw new AppError('validation', { fields: { into: 'budget.proposals.error.merge_unknown' } });
  if (into.id === from.id) throw new AppError('validation', { fields: { into: 'budget.proposals.error.merge_self' } });
  if (!MERGEABLE.includes(from.status)) throw new AppError('validation', { fields: { _form: 'budget.proposals.error.merge_status' } });
  if (into.status === 'merged' || into.status === 'withdrawn' || into.visibility === 'hidden') {
    throw new AppError('validation', { fields: { into: 'budget.proposals.error.merge_target' } });
  }
  if (from.version !== options.version) throw new AppError('stale');
  const cycle = await cycleByIdOrThrow(db, municipalityId, from.cycle_id);
  if (nowIso() >= cycle.voting_open_at) throw new AppError('validation', { fields: { _form: 'budget.proposals.error.frozen' } });
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    await lockProposals(trx, municipalityId, [from.id, into.id]);
    // Y may have been merged or hidden since it was read.
    const target = await findProposalById(trx, municipalityId, into.id);
    if (!target || target.status === 'merged' || target.status === 'withdrawn' || target.visibility === 'hidden') throw new AppError('stale');
    const ok = await updateProposalAtVersion(trx, { municipalityId, id: from.id, version: options.version }, {
      status: 'merged',
      merged_into_id: into.id,
      updated_at: now,
    });
    if (!ok) throw new AppError('stale');
    await copySupports(trx, municipalityId, from.id, into.id, now);
    await refreshSupportCount(trx, municipalityId, into.id);
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.proposal_merged',
      entityType: 'pb_proposal',
      entityId: from.id,
      before: { status: from.status, merged_into_id: null },
      after: { status: 'merged', merged_into_id: into.id, into_number: into.number },
    });
  });
  return { into: (await findProposalById(db, municipalityId, into.id))! };
}

/** For the back office: may this actor moderate? (Routes show links with it, never protect.) */
export function canModerate(actor: Actor, municipalityId: number): boolean {
  return can(actor, 'budget.moderate', { municipalityId });
}
