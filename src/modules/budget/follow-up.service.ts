// Implementation follow-up of the projects citizens chose: the budget team, or the department
// that reviewed the project's proposal, posts where the work stands (status, progress, a text,
// up to three photos). The project carries its latest status and progress; every update stays
// on its public page. Only selected projects are followed up: the others were not chosen.
import { type Actor, authorize } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { AppError, type FieldErrors } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { removeStoredPhotos, type StoredPhoto } from '../complaints/photos.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import type { ImplementationStatus, PbCycleRow, PbProjectRow } from './budget.table.ts';
import { findCycleById, findProjectById, findProjectOrigin } from './cycles.repository.ts';
import { projectUpdatesWithPhotos, type ProjectUpdateView } from './projects.service.ts';

export const IMPLEMENTATION_STATUSES: readonly ImplementationStatus[] = ['not_started', 'study', 'procurement', 'works', 'completed', 'cancelled'];
export const MAX_UPDATE_PHOTOS = 3;
export const UPDATE_BODY_MAX_LENGTH = 4000;

type FollowUpScope = { actor: Actor; municipalityId: number; cycleId: number; projectId: number };

async function loadProject(db: Db, scope: FollowUpScope): Promise<{ cycle: PbCycleRow; project: PbProjectRow; departmentId: number | null }> {
  const cycle = await findCycleById(db, scope.municipalityId, scope.cycleId);
  const project = cycle ? await findProjectById(db, scope.municipalityId, cycle.id, scope.projectId) : undefined;
  if (!cycle || !project) throw new AppError('not_found');
  const origin = project.proposal_id === null ? undefined : await findProjectOrigin(db, scope.municipalityId, project.proposal_id);
  // The department that reviewed the proposal carries the project out; without one, the team.
  const departmentId = origin?.departmentId ?? null;
  authorize(scope.actor, 'budget.follow_up', { municipalityId: scope.municipalityId, departmentId });
  return { cycle, project, departmentId };
}

export type FollowUpPage = { cycle: PbCycleRow; project: PbProjectRow; updates: ProjectUpdateView[] };

export async function getFollowUp(db: Db, scope: FollowUpScope): Promise<FollowUpPage> {
  const { cycle, project } = await loadProject(db, scope);
  return { cycle, project, updates: await projectUpdatesWithPhotos(db, scope.municipalityId, project.id) };
}

export type PostUpdateOptions = FollowUpScope & {
  status: ImplementationStatus;
  progressPercent: number;
  body: string;
  /** Already processed and written to disk (photos.ts); removed here if the update is not saved. */
  photos: StoredPhoto[];
  now?: string;
};

export async function postProjectUpdate(db: Db, options: PostUpdateOptions): Promise<number> {
  try {
    const { project } = await loadProject(db, options);
    const fields: FieldErrors = {};
    if (!IMPLEMENTATION_STATUSES.includes(options.status)) fields.status = 'validation.invalid_choice';
    if (!Number.isInteger(options.progressPercent) || options.progressPercent < 0 || options.progressPercent > 100) fields.progress = 'budget.follow_up.error.progress';
    else if (options.status === 'completed' && options.progressPercent !== 100) fields.progress = 'budget.follow_up.error.completed';
    const body = options.body.trim();
    if (body.length > UPDATE_BODY_MAX_LENGTH) fields.body = { key: 'validation.too_long', values: { max: UPDATE_BODY_MAX_LENGTH } };
    if (options.photos.length > MAX_UPDATE_PHOTOS) fields.photos = { key: 'budget.follow_up.error.too_many_photos', values: { max: MAX_UPDATE_PHOTOS } };
    if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
    if (project.selected !== 1) throw new AppError('conflict', { fields: { _form: 'budget.follow_up.error.not_selected' } });
    const actor = options.actor!;
    const now = options.now ?? nowIso();
    return await db.transaction().execute(async (trx) => {
      const update = await trx
        .insertInto('pb_project_updates')
        .values({
          municipality_id: options.municipalityId,
          project_id: project.id,
          status: options.status,
          progress_percent: options.progressPercent,
          body: body || null,
          author_user_id: actor.userId,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const photo of options.photos) {
        await trx
          .insertInto('pb_photos')
          .values({
            municipality_id: options.municipalityId,
            proposal_id: null,
            update_id: update.id,
            storage_key: photo.storageKey,
            width: photo.width,
            height: photo.height,
            bytes: photo.bytes,
            created_at: now,
          })
          .execute();
      }
      const changed = await trx
        .updateTable('pb_projects')
        .set({ implementation_status: options.status, progress_percent: options.progressPercent, version: project.version + 1, updated_at: now })
        .where('municipality_id', '=', options.municipalityId)
        .where('id', '=', project.id)
        .where('version', '=', project.version)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) throw new AppError('stale');
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'budget.project_update_posted',
        entityType: 'pb_project',
        entityId: project.id,
        before: { implementation_status: project.implementation_status, progress_percent: project.progress_percent },
        after: { implementation_status: options.status, progress_percent: options.progressPercent, update_id: update.id, photos: options.photos.length },
      });
      return update.id;
    });
  } catch (error) {
    await removeStoredPhotos(options.photos);
    throw error;
  }
}
