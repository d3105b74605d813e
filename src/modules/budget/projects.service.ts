// What the public reads about participatory budgeting: the cycles, a cycle with its phases and
// envelopes, its projects, and a project's page with its implementation follow-up and comments.
// Citizens comment on selected projects (the follow-up is where they hold the municipality to
// its word); moderators hide a comment with a public reason, never delete it.
import { type Actor, authorize, can } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import { phaseAt, type Phase } from './budget.ts';
import type { ImplementationStatus, PbCycleRow, PbEnvelopeRow, PbProjectRow, Visibility } from './budget.table.ts';
import {
  countCycleActivity,
  type CycleCounts,
  findCycleBySlug,
  findProjectByCode,
  findProjectById,
  findProjectOrigin,
  listCycles,
  listEnvelopes,
  listProjects,
  listProjectUpdates,
  listUpdatePhotos,
} from './cycles.repository.ts';
import { listAreas, type AreaOption } from './cycles.service.ts';
import { listComments } from './proposals.repository.ts';

export const COMMENT_MAX_LENGTH = 2000;
export const HIDDEN_REASON_MAX_LENGTH = 300;

/** Phases in which a cycle is under way (shown first on the list). */
const CURRENT_PHASES: readonly Phase[] = ['information', 'proposals', 'review', 'support', 'voting', 'counting'];

export type PublicCycleSummary = { cycle: PbCycleRow; phase: Phase };

/**
 * The cycles the public sees: those whose information phase has begun. Cycles under way first,
 * then the others, newest first.
 */
export async function listPublicCycles(db: Db, options: { municipalityId: number; now?: string }): Promise<PublicCycleSummary[]> {
  const now = options.now ?? nowIso();
  const all = (await listCycles(db, options.municipalityId)).map((cycle) => ({ cycle, phase: phaseAt(cycle, now) })).filter((c) => c.phase !== 'draft');
  const current = all.filter((c) => CURRENT_PHASES.includes(c.phase));
  return [...current, ...all.filter((c) => !CURRENT_PHASES.includes(c.phase))];
}

export type PublicCycle = {
  cycle: PbCycleRow;
  phase: Phase;
  envelopes: PbEnvelopeRow[];
  counts: CycleCounts;
  arrondissements: AreaOption[];
  neighbourhoods: AreaOption[];
};

/** A cycle by its slug; a draft cycle does not exist for the public. */
export async function getPublicCycle(db: Db, options: { municipalityId: number; slug: string; now?: string }): Promise<PublicCycle> {
  const cycle = await findCycleBySlug(db, options.municipalityId, options.slug);
  const phase = cycle ? phaseAt(cycle, options.now ?? nowIso()) : 'draft';
  if (!cycle || phase === 'draft') throw new AppError('not_found');
  const [envelopes, counts, areas] = await Promise.all([
    listEnvelopes(db, options.municipalityId, cycle.id),
    countCycleActivity(db, options.municipalityId, cycle.id, { publicOnly: true }),
    listAreas(db, options.municipalityId),
  ]);
  return { cycle, phase, envelopes, counts, ...areas };
}

export type PublicProjects = PublicCycle & { projects: PbProjectRow[] };

export async function listPublicProjects(db: Db, options: { municipalityId: number; slug: string; now?: string }): Promise<PublicProjects> {
  const cycle = await getPublicCycle(db, options);
  return { ...cycle, projects: await listProjects(db, options.municipalityId, cycle.cycle.id) };
}

export type ProjectUpdateView = {
  id: number;
  status: ImplementationStatus;
  progressPercent: number;
  body: string | null;
  createdAt: string;
  photos: { id: number; width: number; height: number }[];
};

export type ProjectCommentView = {
  id: number;
  body: string | null;
  authorName: string | null;
  visibility: Visibility;
  hiddenReason: string | null;
  createdAt: string;
};

export type PublicProject = PublicCycle & {
  project: PbProjectRow;
  envelope: PbEnvelopeRow | undefined;
  origin: { number: number; title: string } | null;
  updates: ProjectUpdateView[];
  comments: ProjectCommentView[];
  canComment: boolean;
  canModerate: boolean;
  canFollowUp: boolean;
};

export async function projectUpdatesWithPhotos(db: Db, municipalityId: number, projectId: number): Promise<ProjectUpdateView[]> {
  const updates = await listProjectUpdates(db, municipalityId, projectId);
  const photos = await listUpdatePhotos(db, municipalityId, updates.map((u) => u.id));
  return updates.map((u) => ({
    id: u.id,
    status: u.status,
    progressPercent: u.progress_percent,
    body: u.body,
    createdAt: u.created_at,
    photos: photos.filter((p) => p.update_id === u.id).map((p) => ({ id: p.id, width: p.width, height: p.height })),
  }));
}

/** A project's public page. Hidden comments show their reason, not their text. */
export async function getPublicProject(
  db: Db,
  options: { actor: Actor; municipalityId: number; slug: string; code: string; now?: string },
): Promise<PublicProject> {
  const cycle = await getPublicCycle(db, options);
  const project = await findProjectByCode(db, options.municipalityId, cycle.cycle.id, options.code);
  if (!project) throw new AppError('not_found');
  const origin = project.proposal_id === null ? undefined : await findProjectOrigin(db, options.municipalityId, project.proposal_id);
  const [updates, comments] = await Promise.all([
    projectUpdatesWithPhotos(db, options.municipalityId, project.id),
    listComments(db, options.municipalityId, { projectId: project.id }),
  ]);
  const resource = { municipalityId: options.municipalityId, departmentId: origin?.departmentId ?? null };
  return {
    ...cycle,
    project,
    envelope: cycle.envelopes.find((e) => e.id === project.envelope_id),
    origin: origin ? { number: origin.number, title: origin.title } : null,
    updates,
    comments: comments.map((c) => ({
      id: c.id,
      body: c.visibility === 'visible' ? c.body : null,
      // A hidden comment does not name its author (as on a proposal's page).
      authorName: c.visibility === 'visible' ? c.author_name : null,
      visibility: c.visibility,
      hiddenReason: c.hidden_reason,
      createdAt: c.created_at,
    })),
    canComment: options.actor !== null && options.actor.municipalityId === options.municipalityId && project.selected === 1,
    canModerate: can(options.actor, 'budget.moderate', resource),
    canFollowUp: project.selected === 1 && can(options.actor, 'budget.follow_up', resource),
  };
}

export type CommentOnProjectOptions = { actor: Actor; municipalityId: number; cycleId: number; projectId: number; body: string; now?: string };

/** A signed-in person's comment on a selected project. */
export async function commentOnProject(db: Db, options: CommentOnProjectOptions): Promise<number> {
  const actor = options.actor;
  if (!actor) throw new AppError('unauthenticated');
  if (actor.municipalityId !== options.municipalityId) throw new AppError('forbidden');
  const body = options.body.trim();
  if (body === '') throw new AppError('validation', { fields: { body: 'validation.required' } });
  if (body.length > COMMENT_MAX_LENGTH) throw new AppError('validation', { fields: { body: { key: 'validation.too_long', values: { max: COMMENT_MAX_LENGTH } } } });
  const project = await findProjectById(db, options.municipalityId, options.cycleId, options.projectId);
  if (!project) throw new AppError('not_found');
  if (project.selected !== 1) throw new AppError('conflict', { fields: { body: 'budget.project.comment_not_selected' } });
  const row = await db
    .insertInto('pb_comments')
    .values({
      municipality_id: options.municipalityId,
      proposal_id: null,
      project_id: project.id,
      author_user_id: actor.userId,
      body,
      hidden_reason: null,
      created_at: options.now ?? nowIso(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export type HideCommentOptions = { actor: Actor; municipalityId: number; projectId: number; commentId: number; reason: string };

/** Hides a project comment with a public reason (budget moderators); the text stays for the record. */
export async function hideProjectComment(db: Db, options: HideCommentOptions): Promise<void> {
  authorize(options.actor, 'budget.moderate', { municipalityId: options.municipalityId });
  const actor = options.actor;
  const reason = options.reason.trim();
  if (reason === '') throw new AppError('validation', { fields: { reason: 'validation.required' } });
  if (reason.length > HIDDEN_REASON_MAX_LENGTH) throw new AppError('validation', { fields: { reason: { key: 'validation.too_long', values: { max: HIDDEN_REASON_MAX_LENGTH } } } });
  await db.transaction().execute(async (trx) => {
    const comment = await trx
      .selectFrom('pb_comments')
      .select(['id', 'visibility'])
      .where('municipality_id', '=', options.municipalityId)
      .where('project_id', '=', options.projectId)
      .where('id', '=', options.commentId)
      .executeTakeFirst();
    if (!comment) throw new AppError('not_found');
    if (comment.visibility === 'hidden') return;
    await trx.updateTable('pb_comments').set({ visibility: 'hidden', hidden_reason: reason }).where('id', '=', comment.id).where('municipality_id', '=', options.municipalityId).execute();
    await recordAudit(trx, {
      municipalityId: options.municipalityId,
      actor: staffAuditActor(actor),
      action: 'budget.project_comment_hidden',
      entityType: 'pb_comment',
      entityId: comment.id,
      before: { visibility: 'visible' },
      after: { visibility: 'hidden', hidden_reason: reason },
    });
  });
}
