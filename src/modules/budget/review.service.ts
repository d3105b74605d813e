// The technical review of proposals, and putting proposals on the ballot.
//
// The budget team (budget.manage_cycles) assigns each proposal to a department; that
// department (budget.review with the review's departmentId: its head and agents, or the team)
// records whether it is feasible, with a public reason (required when not), a cost estimate
// with its explanation (required when feasible), and internal notes that are never public.
// Only a feasible, costed proposal can be put on the ballot, as a pb_projects row, and only
// before voting opens: from then on the ballot is frozen (ballotRulesFrozen).
//
// Every change is optimistic-locked (the version the person saw) and audited in its transaction.
import { type Actor, authorize, can } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { AppError, type FieldErrors } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { listDepartments } from '../municipalities/municipalities.repository.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import { ballotRulesFrozen } from './budget.ts';
import type { PbProjectRow, PbProposalRow, PbReviewRow, ProposalStatus } from './budget.table.ts';
import {
  findProjectOfProposal,
  findProposalById,
  findReviewByProposal,
  insertReviewRow,
  listCycleReviews,
  listReviewQueueRows,
  lockProposals,
  projectCodeTaken,
  updateProposalAtVersion,
  updateReviewAtVersion,
} from './proposals.repository.ts';
import { cycleByIdOrThrow, parseCostInput } from './proposals.service.ts';

export const REVIEW_TEXT_MAX_LENGTH = 2000;
const REVIEWABLE: readonly ProposalStatus[] = ['submitted', 'feasible', 'not_feasible'];

/** The departments this actor reviews for; null for the budget team (all of them). */
function reviewScope(actor: Actor, municipalityId: number): number[] | null {
  if (can(actor, 'budget.review', { municipalityId })) return null;
  const departments = (actor?.roles ?? [])
    .filter((g) => (g.role === 'staff_agent' || g.role === 'department_head') && g.departmentId !== null)
    .map((g) => g.departmentId!);
  if (!actor || actor.municipalityId !== municipalityId || departments.length === 0) throw new AppError(actor ? 'forbidden' : 'unauthenticated');
  return departments;
}

function frozenError(): AppError {
  return new AppError('validation', { fields: { _form: 'budget.proposals.error.frozen' } });
}

export type ReviewQueueItem = {
  proposalId: number;
  number: number;
  title: string;
  status: ProposalStatus;
  category: string;
  estimatedCostMillimes: number | null;
  departmentId: number | null;
  feasible: boolean | null;
  costEstimateMillimes: number | null;
};

/** The proposals under review (not merged, withdrawn or hidden): all for the team, their own for a department. */
export async function listReviewQueue(db: Db, options: { actor: Actor; municipalityId: number; cycleId: number }): Promise<ReviewQueueItem[]> {
  const departments = reviewScope(options.actor, options.municipalityId);
  const cycle = await cycleByIdOrThrow(db, options.municipalityId, options.cycleId);
  const [rows, reviews] = await Promise.all([
    listReviewQueueRows(db, options.municipalityId, cycle.id, departments),
    listCycleReviews(db, options.municipalityId, cycle.id),
  ]);
  return rows.map((row) => {
    const review = reviews.get(row.id);
    return {
      proposalId: row.id,
      number: row.number,
      title: row.title,
      status: row.status,
      category: row.category,
      estimatedCostMillimes: row.estimated_cost_millimes,
      departmentId: review?.department_id ?? null,
      feasible: review?.feasible === null || review?.feasible === undefined ? null : review.feasible === 1,
      costEstimateMillimes: review?.cost_estimate_millimes ?? null,
    };
  });
}

export type ReviewWorkspace = {
  proposal: PbProposalRow;
  review: PbReviewRow | null;
  project: PbProjectRow | null;
  departments: { id: number; name_ar: string; name_fr: string; name_en: string }[];
  frozen: boolean;
  canAssign: boolean;
  canDecide: boolean;
  canBallot: boolean;
};

/** Everything the review page shows, internal notes included: staff only. */
export async function loadReviewWorkspace(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId: number; proposalId: number; now?: string },
): Promise<ReviewWorkspace> {
  const { actor, municipalityId } = options;
  const departments = reviewScope(actor, municipalityId);
  const cycle = await cycleByIdOrThrow(db, municipalityId, options.cycleId);
  const proposal = await findProposalById(db, municipalityId, options.proposalId);
  if (!proposal || proposal.cycle_id !== cycle.id) throw new AppError('not_found');
  const review = (await findReviewByProposal(db, municipalityId, proposal.id)) ?? null;
  // A department sees only the proposals given to it.
  if (departments !== null && (review?.department_id == null || !departments.includes(review.department_id))) throw new AppError('forbidden');
  const frozen = ballotRulesFrozen(cycle, options.now ?? nowIso());
  const team = can(actor, 'budget.manage_cycles', { municipalityId });
  return {
    proposal,
    review,
    project: (await findProjectOfProposal(db, municipalityId, proposal.id)) ?? null,
    departments: (await listDepartments(db, municipalityId)).map((d) => ({ id: d.id, name_ar: d.name_ar, name_fr: d.name_fr, name_en: d.name_en })),
    frozen,
    canAssign: team,
    canDecide: review?.department_id != null && can(actor, 'budget.review', { municipalityId, departmentId: review.department_id }),
    canBallot: team,
  };
}

async function reviewableProposal(db: Db, municipalityId: number, proposalId: number, now: string, cycleId?: number): Promise<PbProposalRow> {
  const proposal = await findProposalById(db, municipalityId, proposalId);
  if (!proposal || (cycleId !== undefined && proposal.cycle_id !== cycleId)) throw new AppError('not_found');
  const cycle = await cycleByIdOrThrow(db, municipalityId, proposal.cycle_id);
  if (ballotRulesFrozen(cycle, now)) throw frozenError();
  if (proposal.visibility === 'hidden' || !REVIEWABLE.includes(proposal.status)) {
    throw new AppError('validation', { fields: { _form: 'budget.review.error.not_reviewable' } });
  }
  return proposal;
}

/** The budget team gives a proposal to a department (or to another one). */
export async function assignReviewDepartment(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId?: number; proposalId: number; departmentId: number; reviewVersion: number | null; now?: string },
): Promise<PbReviewRow> {
  const { actor, municipalityId } = options;
  authorize(actor, 'budget.manage_cycles', { municipalityId });
  const now = options.now ?? nowIso();
  const proposal = await reviewableProposal(db, municipalityId, options.proposalId, now, options.cycleId);
  const departments = await listDepartments(db, municipalityId);
  if (!departments.some((d) => d.id === options.departmentId)) throw new AppError('validation', { fields: { departmentId: 'validation.invalid_choice' } });
  const existing = await findReviewByProposal(db, municipalityId, proposal.id);
  if ((existing?.version ?? null) !== options.reviewVersion) throw new AppError('stale');
  return db.transaction().execute(async (trx) => {
    let review: PbReviewRow;
    if (!existing) {
      try {
        review = await insertReviewRow(trx, {
          municipality_id: municipalityId,
          proposal_id: proposal.id,
          department_id: options.departmentId,
          reviewer_user_id: null,
          feasible: null,
          public_reason: null,
          cost_estimate_millimes: null,
          cost_explanation: null,
          internal_notes: null,
          decided_at: null,
          created_at: now,
          updated_at: now,
        });
      } catch {
        // Someone assigned it at the same moment (pb_reviews.proposal_id is unique).
        throw new AppError('stale');
      }
    } else {
      const ok = await updateReviewAtVersion(trx, { municipalityId, id: existing.id, version: existing.version }, { department_id: options.departmentId, updated_at: now });
      if (!ok) throw new AppError('stale');
      review = (await findReviewByProposal(trx, municipalityId, proposal.id))!;
    }
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.review_assigned',
      entityType: 'pb_proposal',
      entityId: proposal.id,
      before: { department_id: existing?.department_id ?? null },
      after: { department_id: options.departmentId },
    });
    return review;
  });
}

export type ReviewDecisionInput = {
  /** 'yes' | 'no' */
  feasible: string;
  publicReason: string;
  costEstimate: string;
  costExplanation: string;
  internalNotes: string;
};

/** The department records its decision; the proposal becomes feasible or not_feasible. */
export async function decideReview(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId?: number; proposalId: number; reviewVersion: number; proposalVersion: number; input: ReviewDecisionInput; now?: string },
): Promise<void> {
  const { actor, municipalityId, input } = options;
  const now = options.now ?? nowIso();
  const proposal = await findProposalById(db, municipalityId, options.proposalId);
  if (!proposal || (options.cycleId !== undefined && proposal.cycle_id !== options.cycleId)) throw new AppError('not_found');
  const review = await findReviewByProposal(db, municipalityId, proposal.id);
  if (!review || review.department_id === null) {
    authorize(actor, 'budget.review', { municipalityId, departmentId: null });
    throw new AppError('validation', { fields: { _form: 'budget.review.error.no_department' } });
  }
  authorize(actor, 'budget.review', { municipalityId, departmentId: review.department_id });
  await reviewableProposal(db, municipalityId, proposal.id, now);

  const fields: FieldErrors = {};
  const feasible = input.feasible === 'yes' ? true : input.feasible === 'no' ? false : null;
  if (feasible === null) fields.feasible = 'validation.required';
  const publicReason = input.publicReason.trim();
  const costExplanation = input.costExplanation.trim();
  const internalNotes = input.internalNotes.trim();
  for (const [name, value] of [
    ['publicReason', publicReason],
    ['costExplanation', costExplanation],
    ['internalNotes', internalNotes],
  ] as const) {
    if (value.length > REVIEW_TEXT_MAX_LENGTH) fields[name] = { key: 'validation.too_long', values: { max: REVIEW_TEXT_MAX_LENGTH } };
  }
  const cost = parseCostInput(input.costEstimate);
  if (feasible === false && publicReason === '') fields.publicReason = 'budget.review.error.reason_required';
  if (feasible === true) {
    if (cost === null) fields.costEstimate = 'budget.review.error.cost_required';
    else if (cost === 'invalid' || cost === 0) fields.costEstimate = 'budget.proposals.error.cost_invalid';
    if (costExplanation === '') fields.costExplanation ??= 'budget.review.error.explanation_required';
  } else if (cost === 'invalid') fields.costEstimate = 'budget.proposals.error.cost_invalid';
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
  if (review.version !== options.reviewVersion || proposal.version !== options.proposalVersion) throw new AppError('stale');

  const decided = {
    feasible: feasible ? 1 : 0,
    public_reason: publicReason || null,
    cost_estimate_millimes: feasible && typeof cost === 'number' ? cost : null,
    cost_explanation: feasible ? costExplanation : null,
    internal_notes: internalNotes || null,
    reviewer_user_id: actor.userId,
    decided_at: now,
  };
  await db.transaction().execute(async (trx) => {
    await lockProposals(trx, municipalityId, [proposal.id]);
    const reviewed = await updateReviewAtVersion(trx, { municipalityId, id: review.id, version: review.version }, { ...decided, updated_at: now });
    const status: ProposalStatus = feasible ? 'feasible' : 'not_feasible';
    const moved = await updateProposalAtVersion(trx, { municipalityId, id: proposal.id, version: proposal.version }, { status, updated_at: now });
    if (!reviewed || !moved) throw new AppError('stale');
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.review_decided',
      entityType: 'pb_proposal',
      entityId: proposal.id,
      before: { status: proposal.status, feasible: review.feasible, cost_estimate_millimes: review.cost_estimate_millimes },
      after: { status, feasible: decided.feasible, cost_estimate_millimes: decided.cost_estimate_millimes },
    });
  });
}

/** The project code for a proposal: its number, or "P<number>" when a project already has that code. */
async function freeProjectCode(db: Db, municipalityId: number, cycleId: number, number: number): Promise<string> {
  for (const code of [String(number), `P${number}`]) {
    if (!(await projectCodeTaken(db, municipalityId, cycleId, code))) return code;
  }
  throw new AppError('validation', { fields: { _form: 'budget.review.error.code_taken' } });
}

/** Puts a feasible, costed proposal on the ballot, before voting opens. */
export async function putProposalOnBallot(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId?: number; proposalId: number; proposalVersion: number; now?: string },
): Promise<PbProjectRow> {
  const { actor, municipalityId } = options;
  authorize(actor, 'budget.manage_cycles', { municipalityId });
  const now = options.now ?? nowIso();
  const proposal = await findProposalById(db, municipalityId, options.proposalId);
  if (!proposal || (options.cycleId !== undefined && proposal.cycle_id !== options.cycleId)) throw new AppError('not_found');
  const cycle = await cycleByIdOrThrow(db, municipalityId, proposal.cycle_id);
  if (ballotRulesFrozen(cycle, now)) throw frozenError();
  const review = await findReviewByProposal(db, municipalityId, proposal.id);
  if (
    proposal.status !== 'feasible' ||
    proposal.visibility === 'hidden' ||
    !review ||
    review.feasible !== 1 ||
    !review.cost_estimate_millimes ||
    review.cost_estimate_millimes <= 0
  ) {
    throw new AppError('validation', { fields: { _form: 'budget.review.error.not_ballotable' } });
  }
  if (proposal.envelope_id === null) throw new AppError('validation', { fields: { _form: 'budget.review.error.no_envelope' } });
  if (proposal.version !== options.proposalVersion) throw new AppError('stale');
  const code = await freeProjectCode(db, municipalityId, cycle.id, proposal.number);
  return db.transaction().execute(async (trx) => {
    const moved = await updateProposalAtVersion(trx, { municipalityId, id: proposal.id, version: proposal.version }, { status: 'on_ballot', updated_at: now });
    if (!moved) throw new AppError('stale');
    const project = await trx
      .insertInto('pb_projects')
      .values({
        municipality_id: municipalityId,
        cycle_id: cycle.id,
        envelope_id: proposal.envelope_id!,
        proposal_id: proposal.id,
        code,
        title: proposal.title,
        description: proposal.description,
        category: proposal.category,
        cost_millimes: review.cost_estimate_millimes!,
        neighbourhood_id: proposal.neighbourhood_id,
        lat: proposal.lat,
        lng: proposal.lng,
        sort_order: proposal.number,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.proposal_on_ballot',
      entityType: 'pb_proposal',
      entityId: proposal.id,
      before: { status: proposal.status },
      after: { status: 'on_ballot', project_id: project.id, code, cost_millimes: project.cost_millimes, envelope_id: project.envelope_id },
    });
    return project;
  });
}

/** Takes a proposal's project off the ballot, before voting opens; the proposal is feasible again. */
export async function takeProposalOffBallot(
  db: Db,
  options: { actor: Actor; municipalityId: number; cycleId?: number; proposalId: number; proposalVersion: number; now?: string },
): Promise<void> {
  const { actor, municipalityId } = options;
  authorize(actor, 'budget.manage_cycles', { municipalityId });
  const now = options.now ?? nowIso();
  const proposal = await findProposalById(db, municipalityId, options.proposalId);
  if (!proposal || (options.cycleId !== undefined && proposal.cycle_id !== options.cycleId)) throw new AppError('not_found');
  const cycle = await cycleByIdOrThrow(db, municipalityId, proposal.cycle_id);
  if (ballotRulesFrozen(cycle, now)) throw frozenError();
  if (proposal.status !== 'on_ballot') throw new AppError('validation', { fields: { _form: 'budget.review.error.not_on_ballot' } });
  if (proposal.version !== options.proposalVersion) throw new AppError('stale');
  await db.transaction().execute(async (trx) => {
    const moved = await updateProposalAtVersion(trx, { municipalityId, id: proposal.id, version: proposal.version }, { status: 'feasible', updated_at: now });
    if (!moved) throw new AppError('stale');
    const project = await findProjectOfProposal(trx, municipalityId, proposal.id);
    if (project) await trx.deleteFrom('pb_projects').where('municipality_id', '=', municipalityId).where('id', '=', project.id).execute();
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.proposal_off_ballot',
      entityType: 'pb_proposal',
      entityId: proposal.id,
      before: { status: 'on_ballot', project_id: project?.id ?? null, code: project?.code ?? null },
      after: { status: 'feasible' },
    });
  });
}
