// People in the back office: finding accounts, granting and revoking staff roles, disabling and
// re-enabling accounts. Rules that protect the municipality itself:
// - a department-scoped role (agent, head of department) names a department of the same
//   municipality; the other roles name none;
// - at least one active administrator always remains, so nobody can lock the municipality out
//   of its own back office by revoking or disabling the last one;
// - administrators cannot disable their own account (they would be cut off mid-session).
// E-mail addresses and phone numbers are personal data: shown and searched only for roles
// allowed to view accounts (users.view).
import {
  type Action,
  type Actor,
  authorize,
  can,
  DEPARTMENT_SCOPED_ROLES,
  STAFF_ROLES,
  type StaffRole,
} from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { UserRow, UserStatus } from '../../db/schema.ts';
import { AppError, isAppError, isUniqueViolation } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { listDepartments, lockMunicipality } from '../municipalities/municipalities.repository.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { findDepartment } from '../municipalities/reference-data.repository.ts';
import { nextVersion, staffAuditActor } from '../municipalities/staff-changes.ts';
import {
  countOtherActiveAdministrators,
  countUsers,
  deleteRoleGrant,
  deleteSessionsOfUserIn,
  findRoleGrant,
  findUserInMunicipality,
  insertRoleGrant,
  listRoleGrantsOf,
  type RoleGrantWithDepartment,
  searchUsers,
  setUserStatusAtVersion,
} from './users.repository.ts';

export type UsersScope = { actor: Actor; municipalityId: number };

export type RoleGrantView = {
  id: number;
  role: StaffRole;
  department: { id: number; code: string; name: TrilingualName } | null;
};

export type UserSummary = {
  id: number;
  displayName: string | null;
  /** Null when the viewer may not see personal data. */
  email: string | null;
  phone: string | null;
  status: UserStatus;
  createdAt: string;
  lastLoginAt: string | null;
  roles: RoleGrantView[];
};

export type ListUsersOptions = UsersScope & { text?: string; role?: StaffRole | 'staff'; page: number; pageSize: number };
export type UserList = { items: UserSummary[]; total: number; page: number; pageCount: number; showContact: boolean };

export type UserDetail = {
  user: UserSummary & { version: string };
  showContact: boolean;
  canManageRoles: boolean;
  /** Active departments a department-scoped role may name; empty for those who cannot grant roles. */
  departmentChoices: { id: number; name: TrilingualName }[];
};

export type GrantRoleOptions = UsersScope & { userId: number; role: StaffRole; departmentId: number | null };
export type RevokeRoleOptions = UsersScope & { userId: number; grantId: number };
export type SetAccountStatusOptions = UsersScope & { userId: number; version: string; status: 'active' | 'disabled' };

/** The people pages open to those who may view accounts or manage roles (the latter without contacts). */
function authorizeAny(actor: Actor, actions: Action[], municipalityId: number): asserts actor is NonNullable<Actor> {
  if (actions.some((action) => can(actor, action, { municipalityId }))) return;
  authorize(actor, actions[0]!, { municipalityId });
}

function grantView(grant: RoleGrantWithDepartment): RoleGrantView {
  return {
    id: grant.id,
    role: grant.role as StaffRole,
    department:
      grant.department_id === null
        ? null
        : {
            id: grant.department_id,
            code: grant.department_code ?? '',
            name: { ar: grant.department_name_ar ?? '', fr: grant.department_name_fr ?? '', en: grant.department_name_en ?? '' },
          },
  };
}

function summaryOf(user: UserRow, grants: RoleGrantWithDepartment[], showContact: boolean): UserSummary {
  return {
    id: user.id,
    displayName: user.display_name,
    email: showContact ? user.email : null,
    phone: showContact ? user.phone : null,
    status: user.status,
    createdAt: user.created_at,
    lastLoginAt: user.last_login_at,
    roles: grants.filter((g) => g.user_id === user.id).map(grantView),
  };
}

export async function listUsers(db: Db, options: ListUsersOptions): Promise<UserList> {
  const { actor, municipalityId } = options;
  authorizeAny(actor, ['users.view', 'users.manage_roles'], municipalityId);
  const showContact = can(actor, 'users.view', { municipalityId });
  const search = { municipalityId, text: options.text, role: options.role, searchContact: showContact };
  const total = await countUsers(db, search);
  const pageCount = Math.max(1, Math.ceil(total / options.pageSize));
  const page = Math.min(Math.max(1, options.page), pageCount);
  const users = await searchUsers(db, { ...search, limit: options.pageSize, offset: (page - 1) * options.pageSize });
  const grants = await listRoleGrantsOf(db, municipalityId, users.map((u) => u.id));
  return { items: users.map((u) => summaryOf(u, grants, showContact)), total, page, pageCount, showContact };
}

export async function getUserDetail(db: Db, options: UsersScope & { userId: number }): Promise<UserDetail> {
  const { actor, municipalityId } = options;
  authorizeAny(actor, ['users.view', 'users.manage_roles'], municipalityId);
  const user = await findUserInMunicipality(db, municipalityId, options.userId);
  if (!user) throw new AppError('not_found');
  const showContact = can(actor, 'users.view', { municipalityId });
  const grants = await listRoleGrantsOf(db, municipalityId, [user.id]);
  const canManageRoles = can(actor, 'users.manage_roles', { municipalityId });
  const departments = canManageRoles ? (await listDepartments(db, municipalityId)).filter((d) => d.active) : [];
  return {
    user: { ...summaryOf(user, grants, showContact), version: user.updated_at },
    showContact,
    canManageRoles,
    departmentChoices: departments.map((d) => ({ id: d.id, name: { ar: d.name_ar, fr: d.name_fr, en: d.name_en } })),
  };
}

const fieldError = (field: string, key: string) => new AppError('validation', { fields: { [field]: key } });

export async function grantRole(db: Db, options: GrantRoleOptions): Promise<void> {
  const { actor, municipalityId, userId, role, departmentId } = options;
  authorize(actor, 'users.manage_roles', { municipalityId });
  if (!STAFF_ROLES.includes(role)) throw fieldError('role', 'validation.invalid_choice');
  const scoped = DEPARTMENT_SCOPED_ROLES.includes(role);
  if (scoped && departmentId === null) throw fieldError('department_id', 'admin.users.department_required');
  if (!scoped && departmentId !== null) throw fieldError('department_id', 'admin.users.department_not_allowed');
  try {
    await db.transaction().execute(async (trx) => {
      await lockMunicipality(trx, municipalityId);
      const user = await findUserInMunicipality(trx, municipalityId, userId);
      if (!user) throw new AppError('not_found');
      if (user.status === 'erased') throw new AppError('conflict', { fields: { _form: 'admin.users.erased' } });
      if (departmentId !== null) {
        const department = await findDepartment(trx, municipalityId, departmentId);
        if (!department || !department.active) throw fieldError('department_id', 'validation.invalid_choice');
      }
      const held = await listRoleGrantsOf(trx, municipalityId, [userId]);
      if (held.some((g) => g.role === role && g.department_id === departmentId)) {
        throw new AppError('conflict', { fields: { role: 'admin.users.role_already_held' } });
      }
      const grant = await insertRoleGrant(trx, { municipalityId, userId, role, departmentId, grantedBy: actor.userId, createdAt: nowIso() });
      await recordAudit(trx, {
        municipalityId,
        actor: staffAuditActor(actor),
        action: 'user.role_granted',
        entityType: 'user',
        entityId: userId,
        after: { grant_id: grant.id, role, department_id: departmentId },
      });
    });
  } catch (error) {
    if (!isAppError(error) && isUniqueViolation(error)) throw new AppError('conflict', { fields: { role: 'admin.users.role_already_held' } });
    throw error;
  }
}

export async function revokeRole(db: Db, options: RevokeRoleOptions): Promise<void> {
  const { actor, municipalityId, userId, grantId } = options;
  authorize(actor, 'users.manage_roles', { municipalityId });
  await db.transaction().execute(async (trx) => {
    await lockMunicipality(trx, municipalityId);
    const grant = await findRoleGrant(trx, municipalityId, userId, grantId);
    if (!grant) throw new AppError('not_found');
    const user = await findUserInMunicipality(trx, municipalityId, userId);
    if (!user) throw new AppError('not_found');
    if (grant.role === 'admin' && user.status === 'active' && (await countOtherActiveAdministrators(trx, municipalityId, userId)) === 0) {
      throw new AppError('conflict', { fields: { _form: 'admin.users.last_admin' } });
    }
    await deleteRoleGrant(trx, municipalityId, grantId);
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'user.role_revoked',
      entityType: 'user',
      entityId: userId,
      before: { grant_id: grant.id, role: grant.role, department_id: grant.department_id },
    });
  });
}

/** Disables an account (ending all its sessions at once) or enables it again. */
export async function setAccountStatus(db: Db, options: SetAccountStatusOptions): Promise<void> {
  const { actor, municipalityId, userId, version, status } = options;
  authorize(actor, 'users.manage_roles', { municipalityId });
  if (status === 'disabled' && userId === actor.userId) throw new AppError('conflict', { fields: { _form: 'admin.users.cannot_disable_self' } });
  await db.transaction().execute(async (trx) => {
    await lockMunicipality(trx, municipalityId);
    const user = await findUserInMunicipality(trx, municipalityId, userId);
    if (!user) throw new AppError('not_found');
    if (user.updated_at !== version) throw new AppError('stale');
    if (user.status === 'erased') throw new AppError('conflict', { fields: { _form: 'admin.users.erased' } });
    // Re-enabling does not skip verification: an account that never confirmed a contact stays pending.
    const newStatus: UserStatus =
      status === 'disabled' ? 'disabled' : user.email_verified_at || user.phone_verified_at ? 'active' : 'pending';
    if (newStatus === user.status) return;
    if (status === 'disabled' && user.status === 'active') {
      const grants = await listRoleGrantsOf(trx, municipalityId, [userId]);
      if (grants.some((g) => g.role === 'admin') && (await countOtherActiveAdministrators(trx, municipalityId, userId)) === 0) {
        throw new AppError('conflict', { fields: { _form: 'admin.users.last_admin' } });
      }
    }
    if (!(await setUserStatusAtVersion(trx, { municipalityId, userId, version }, newStatus, nextVersion(user.updated_at)))) {
      throw new AppError('stale');
    }
    const sessionsEnded = status === 'disabled' ? await deleteSessionsOfUserIn(trx, municipalityId, userId) : 0;
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: status === 'disabled' ? 'user.disabled' : 'user.enabled',
      entityType: 'user',
      entityId: userId,
      before: { status: user.status },
      after: { status: newStatus, ...(status === 'disabled' ? { sessions_ended: sessionsEnded } : {}) },
    });
  });
}
