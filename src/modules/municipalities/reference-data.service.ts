// Reference data administrators keep up to date: arrondissements, neighbourhoods (with optional
// outlines for the public map) and the municipal departments that complaints are routed to.
// Each change is authorised, written, and recorded in the audit log in one transaction.
//
// Deleting refuses while something still points to the row, and says what: a neighbourhood
// chosen by residents or a department holding staff roles is better renamed or deactivated,
// because silently clearing those references would lose statistics or remove staff access.
import { type Actor, authorize } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { ArrondissementRow, DepartmentRow, NeighbourhoodRow } from '../../db/schema.ts';
import { AppError, isAppError, isUniqueViolation } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findMunicipalityById, listArrondissements, listDepartments, listNeighbourhoods } from './municipalities.repository.ts';
import type { TrilingualName } from './municipalities.service.ts';
import { OUTLINE_PROBLEM_MESSAGES, parseOutline } from './outline.ts';
import {
  countNeighbourhoodsInArrondissement,
  countRoleGrantsInDepartment,
  countUsersInNeighbourhood,
  deleteArrondissementAtVersion,
  deleteDepartmentAtVersion,
  deleteNeighbourhoodAtVersion,
  findArrondissement,
  findDepartment,
  findDepartmentByCode,
  findNeighbourhood,
  insertArrondissement,
  insertDepartment,
  insertNeighbourhood,
  updateArrondissementAtVersion,
  updateDepartmentAtVersion,
  updateNeighbourhoodAtVersion,
} from './reference-data.repository.ts';
import { changedFields, isForeignKeyViolation, nextVersion, staffAuditActor } from './staff-changes.ts';

export type ReferenceScope = { actor: Actor; municipalityId: number };
export type AreaInput = { name: TrilingualName; outline: string | null };
export type NeighbourhoodInput = AreaInput & { arrondissementId: number | null };
export type DepartmentInput = { code: string; name: TrilingualName; email: string | null; active: boolean };

export type FindReferenceOptions = ReferenceScope & { id: number };
export type CreateArrondissementOptions = ReferenceScope & { input: AreaInput };
export type UpdateArrondissementOptions = ReferenceScope & { id: number; version: string; input: AreaInput };
export type CreateNeighbourhoodOptions = ReferenceScope & { input: NeighbourhoodInput };
export type UpdateNeighbourhoodOptions = ReferenceScope & { id: number; version: string; input: NeighbourhoodInput };
export type CreateDepartmentOptions = ReferenceScope & { input: DepartmentInput };
export type UpdateDepartmentOptions = ReferenceScope & { id: number; version: string; input: DepartmentInput };
export type DeleteReferenceOptions = ReferenceScope & { id: number; version: string };

export type ReferenceData = {
  arrondissements: ArrondissementRow[];
  neighbourhoods: NeighbourhoodRow[];
  departments: DepartmentRow[];
};

function allow(scope: ReferenceScope): NonNullable<Actor> {
  authorize(scope.actor, 'reference.manage', { municipalityId: scope.municipalityId });
  return scope.actor;
}

/** A delete or edit refused because other rows still point to this one. */
function inUse(messageKey: string, count?: number): AppError {
  return new AppError('conflict', { fields: { _form: count === undefined ? messageKey : { key: messageKey, values: { count } } } });
}

/**
 * Runs a change, turning constraint errors raised by the database into messages: a unique
 * code taken by a concurrent insert, or a row another module (complaints…) still refers to.
 */
async function withConstraintMessages<T>(change: () => Promise<T>, uniqueField?: { field: string; key: string }): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (isAppError(error)) throw error;
    if (uniqueField && isUniqueViolation(error)) throw new AppError('conflict', { fields: { [uniqueField.field]: uniqueField.key } });
    if (isForeignKeyViolation(error)) throw inUse('admin.reference.in_use_elsewhere');
    throw error;
  }
}

const nameColumns = (name: TrilingualName) => ({ name_ar: name.ar, name_fr: name.fr, name_en: name.en });

/** The outline as stored (validated and normalised), or null when none was given. */
async function storedOutline(trx: Db, municipalityId: number, outline: string | null): Promise<string | null> {
  if (outline === null || outline.trim() === '') return null;
  const municipality = await findMunicipalityById(trx, municipalityId);
  if (!municipality) throw new AppError('not_found');
  const result = parseOutline(outline, { lat: municipality.map_lat, lng: municipality.map_lng });
  if (!result.ok) throw new AppError('validation', { fields: { outline: OUTLINE_PROBLEM_MESSAGES[result.problem] } });
  return result.geometry;
}

/** Loads a row for an edit and checks the editor saw its current version. */
function current<T extends { updated_at: string }>(row: T | undefined, version: string): T {
  if (!row) throw new AppError('not_found');
  if (row.updated_at !== version) throw new AppError('stale');
  return row;
}

export async function listReferenceData(db: Db, scope: ReferenceScope): Promise<ReferenceData> {
  allow(scope);
  const [arrondissements, neighbourhoods, departments] = await Promise.all([
    listArrondissements(db, scope.municipalityId),
    listNeighbourhoods(db, scope.municipalityId),
    listDepartments(db, scope.municipalityId),
  ]);
  return { arrondissements, neighbourhoods, departments };
}

// Arrondissements

const arrondissementFields = (row: Pick<ArrondissementRow, 'name_ar' | 'name_fr' | 'name_en' | 'outline_geojson'>) => ({
  name_ar: row.name_ar,
  name_fr: row.name_fr,
  name_en: row.name_en,
  outline_geojson: row.outline_geojson,
});

export async function getArrondissement(db: Db, options: FindReferenceOptions): Promise<ArrondissementRow> {
  allow(options);
  const row = await findArrondissement(db, options.municipalityId, options.id);
  if (!row) throw new AppError('not_found');
  return row;
}

export async function createArrondissement(db: Db, options: CreateArrondissementOptions): Promise<ArrondissementRow> {
  const actor = allow(options);
  const { municipalityId, input } = options;
  return db.transaction().execute(async (trx) => {
    const now = nowIso();
    const fields = { ...nameColumns(input.name), outline_geojson: await storedOutline(trx, municipalityId, input.outline) };
    const row = await insertArrondissement(trx, { municipality_id: municipalityId, ...fields, created_at: now, updated_at: now });
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'arrondissement.created',
      entityType: 'arrondissement',
      entityId: row.id,
      after: fields,
    });
    return row;
  });
}

export async function updateArrondissement(db: Db, options: UpdateArrondissementOptions): Promise<ArrondissementRow> {
  const actor = allow(options);
  const { municipalityId, id, version, input } = options;
  return db.transaction().execute(async (trx) => {
    const before = current(await findArrondissement(trx, municipalityId, id), version);
    const fields = { ...nameColumns(input.name), outline_geojson: await storedOutline(trx, municipalityId, input.outline) };
    const change = changedFields(arrondissementFields(before), fields);
    if (!change.changed) return before;
    const updatedAt = nextVersion(before.updated_at);
    if (!(await updateArrondissementAtVersion(trx, { municipalityId, id, version }, { ...fields, updated_at: updatedAt }))) {
      throw new AppError('stale');
    }
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'arrondissement.updated',
      entityType: 'arrondissement',
      entityId: id,
      before: change.before,
      after: change.after,
    });
    return { ...before, ...fields, updated_at: updatedAt };
  });
}

export async function deleteArrondissement(db: Db, options: DeleteReferenceOptions): Promise<void> {
  const actor = allow(options);
  const { municipalityId, id, version } = options;
  await withConstraintMessages(() =>
    db.transaction().execute(async (trx) => {
      const before = current(await findArrondissement(trx, municipalityId, id), version);
      const neighbourhoods = await countNeighbourhoodsInArrondissement(trx, municipalityId, id);
      if (neighbourhoods > 0) throw inUse('admin.areas.arrondissement_in_use', neighbourhoods);
      if (!(await deleteArrondissementAtVersion(trx, { municipalityId, id, version }))) throw new AppError('stale');
      await recordAudit(trx, {
        municipalityId,
        actor: staffAuditActor(actor),
        action: 'arrondissement.deleted',
        entityType: 'arrondissement',
        entityId: id,
        before: arrondissementFields(before),
      });
    }),
  );
}

// Neighbourhoods

const neighbourhoodFields = (row: Pick<NeighbourhoodRow, 'arrondissement_id' | 'name_ar' | 'name_fr' | 'name_en' | 'outline_geojson'>) => ({
  arrondissement_id: row.arrondissement_id,
  ...arrondissementFields(row),
});

/** The neighbourhood's columns from the form, with its arrondissement checked to be this municipality's. */
async function neighbourhoodColumns(trx: Db, municipalityId: number, input: NeighbourhoodInput) {
  if (input.arrondissementId !== null && !(await findArrondissement(trx, municipalityId, input.arrondissementId))) {
    throw new AppError('validation', { fields: { arrondissement_id: 'validation.invalid_choice' } });
  }
  return {
    arrondissement_id: input.arrondissementId,
    ...nameColumns(input.name),
    outline_geojson: await storedOutline(trx, municipalityId, input.outline),
  };
}

export async function getNeighbourhood(db: Db, options: FindReferenceOptions): Promise<NeighbourhoodRow> {
  allow(options);
  const row = await findNeighbourhood(db, options.municipalityId, options.id);
  if (!row) throw new AppError('not_found');
  return row;
}

export async function createNeighbourhood(db: Db, options: CreateNeighbourhoodOptions): Promise<NeighbourhoodRow> {
  const actor = allow(options);
  const { municipalityId, input } = options;
  return db.transaction().execute(async (trx) => {
    const now = nowIso();
    const fields = await neighbourhoodColumns(trx, municipalityId, input);
    const row = await insertNeighbourhood(trx, { municipality_id: municipalityId, ...fields, created_at: now, updated_at: now });
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'neighbourhood.created',
      entityType: 'neighbourhood',
      entityId: row.id,
      after: fields,
    });
    return row;
  });
}

export async function updateNeighbourhood(db: Db, options: UpdateNeighbourhoodOptions): Promise<NeighbourhoodRow> {
  const actor = allow(options);
  const { municipalityId, id, version, input } = options;
  return db.transaction().execute(async (trx) => {
    const before = current(await findNeighbourhood(trx, municipalityId, id), version);
    const fields = await neighbourhoodColumns(trx, municipalityId, input);
    const change = changedFields(neighbourhoodFields(before), fields);
    if (!change.changed) return before;
    const updatedAt = nextVersion(before.updated_at);
    if (!(await updateNeighbourhoodAtVersion(trx, { municipalityId, id, version }, { ...fields, updated_at: updatedAt }))) {
      throw new AppError('stale');
    }
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'neighbourhood.updated',
      entityType: 'neighbourhood',
      entityId: id,
      before: change.before,
      after: change.after,
    });
    return { ...before, ...fields, updated_at: updatedAt };
  });
}

export async function deleteNeighbourhood(db: Db, options: DeleteReferenceOptions): Promise<void> {
  const actor = allow(options);
  const { municipalityId, id, version } = options;
  await withConstraintMessages(() =>
    db.transaction().execute(async (trx) => {
      const before = current(await findNeighbourhood(trx, municipalityId, id), version);
      const residents = await countUsersInNeighbourhood(trx, municipalityId, id);
      if (residents > 0) throw inUse('admin.areas.neighbourhood_in_use', residents);
      if (!(await deleteNeighbourhoodAtVersion(trx, { municipalityId, id, version }))) throw new AppError('stale');
      await recordAudit(trx, {
        municipalityId,
        actor: staffAuditActor(actor),
        action: 'neighbourhood.deleted',
        entityType: 'neighbourhood',
        entityId: id,
        before: neighbourhoodFields(before),
      });
    }),
  );
}

// Departments

const CODE_TAKEN = { field: 'code', key: 'admin.departments.code_taken' };

const departmentFields = (row: Pick<DepartmentRow, 'code' | 'name_ar' | 'name_fr' | 'name_en' | 'email' | 'active'>) => ({
  code: row.code,
  name_ar: row.name_ar,
  name_fr: row.name_fr,
  name_en: row.name_en,
  email: row.email,
  active: row.active,
});

const departmentColumns = (input: DepartmentInput) => ({
  code: input.code,
  ...nameColumns(input.name),
  email: input.email,
  active: input.active ? 1 : 0,
});

async function assertCodeFree(trx: Db, municipalityId: number, code: string, exceptId?: number): Promise<void> {
  const holder = await findDepartmentByCode(trx, municipalityId, code);
  if (holder && holder.id !== exceptId) throw new AppError('conflict', { fields: { [CODE_TAKEN.field]: CODE_TAKEN.key } });
}

export async function getDepartment(db: Db, options: FindReferenceOptions): Promise<DepartmentRow> {
  allow(options);
  const row = await findDepartment(db, options.municipalityId, options.id);
  if (!row) throw new AppError('not_found');
  return row;
}

export async function createDepartment(db: Db, options: CreateDepartmentOptions): Promise<DepartmentRow> {
  const actor = allow(options);
  const { municipalityId, input } = options;
  return withConstraintMessages(
    () =>
      db.transaction().execute(async (trx) => {
        await assertCodeFree(trx, municipalityId, input.code);
        const now = nowIso();
        const fields = departmentColumns(input);
        const row = await insertDepartment(trx, { municipality_id: municipalityId, ...fields, created_at: now, updated_at: now });
        await recordAudit(trx, {
          municipalityId,
          actor: staffAuditActor(actor),
          action: 'department.created',
          entityType: 'department',
          entityId: row.id,
          after: fields,
        });
        return row;
      }),
    CODE_TAKEN,
  );
}

export async function updateDepartment(db: Db, options: UpdateDepartmentOptions): Promise<DepartmentRow> {
  const actor = allow(options);
  const { municipalityId, id, version, input } = options;
  return withConstraintMessages(
    () =>
      db.transaction().execute(async (trx) => {
        const before = current(await findDepartment(trx, municipalityId, id), version);
        await assertCodeFree(trx, municipalityId, input.code, id);
        const fields = departmentColumns(input);
        const change = changedFields(departmentFields(before), fields);
        if (!change.changed) return before;
        const updatedAt = nextVersion(before.updated_at);
        if (!(await updateDepartmentAtVersion(trx, { municipalityId, id, version }, { ...fields, updated_at: updatedAt }))) {
          throw new AppError('stale');
        }
        await recordAudit(trx, {
          municipalityId,
          actor: staffAuditActor(actor),
          action: 'department.updated',
          entityType: 'department',
          entityId: id,
          before: change.before,
          after: change.after,
        });
        return { ...before, ...fields, updated_at: updatedAt };
      }),
    CODE_TAKEN,
  );
}

export async function deleteDepartment(db: Db, options: DeleteReferenceOptions): Promise<void> {
  const actor = allow(options);
  const { municipalityId, id, version } = options;
  await withConstraintMessages(() =>
    db.transaction().execute(async (trx) => {
      const before = current(await findDepartment(trx, municipalityId, id), version);
      // Role grants would disappear with the department (ON DELETE CASCADE): staff would lose
      // their access without anyone deciding it. Deactivating keeps them and the history.
      const grants = await countRoleGrantsInDepartment(trx, municipalityId, id);
      if (grants > 0) throw inUse('admin.departments.in_use', grants);
      if (!(await deleteDepartmentAtVersion(trx, { municipalityId, id, version }))) throw new AppError('stale');
      await recordAudit(trx, {
        municipalityId,
        actor: staffAuditActor(actor),
        action: 'department.deleted',
        entityType: 'department',
        entityId: id,
        before: departmentFields(before),
      });
    }),
  );
}
