// Queries behind the back office's people pages: accounts, their staff roles, and the counts
// shown on the dashboard. Every query is scoped by municipality_id.
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { UserRoleRow, UserRow, UserStatus } from '../../db/schema.ts';
import type { StaffRole } from '../../auth/policies.ts';

export type UserSearch = {
  municipalityId: number;
  /** Words typed in the search box; matched in the name, and in e-mail and phone when allowed. */
  text?: string;
  searchContact: boolean;
  /** 'staff' for anyone holding a role. */
  role?: StaffRole | 'staff';
};

/** `%text%` for LIKE, with the wildcard characters the person typed taken literally. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function likeLower(column: string, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

function filtered(db: Db, search: UserSearch) {
  let query = db.selectFrom('users').where('users.municipality_id', '=', search.municipalityId);
  const text = search.text?.trim();
  if (text) {
    const pattern = containsPattern(text);
    // Phone numbers are stored without spaces; "22 123 456" should still find +21622123456.
    const digits = text.replace(/[\s().-]/g, '');
    query = query.where((eb) =>
      eb.or([
        likeLower('users.display_name', pattern),
        ...(search.searchContact ? [likeLower('users.email', pattern)] : []),
        ...(search.searchContact && /^\+?\d+$/.test(digits) ? [likeLower('users.phone', containsPattern(digits))] : []),
      ]),
    );
  }
  if (search.role) {
    const role = search.role;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_roles')
          .select('user_roles.id')
          .whereRef('user_roles.user_id', '=', 'users.id')
          .$if(role !== 'staff', (q) => q.where('user_roles.role', '=', role)),
      ),
    );
  }
  return query;
}

export async function searchUsers(db: Db, search: UserSearch & { limit: number; offset: number }): Promise<UserRow[]> {
  return filtered(db, search).selectAll('users').orderBy('users.id', 'desc').limit(search.limit).offset(search.offset).execute();
}

export async function countUsers(db: Db, search: UserSearch): Promise<number> {
  const row = await filtered(db, search).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findUserInMunicipality(db: Db, municipalityId: number, userId: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', userId).executeTakeFirst();
}

export type RoleGrantWithDepartment = UserRoleRow & {
  department_code: string | null;
  department_name_ar: string | null;
  department_name_fr: string | null;
  department_name_en: string | null;
};

export async function listRoleGrantsOf(db: Db, municipalityId: number, userIds: number[]): Promise<RoleGrantWithDepartment[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('user_roles')
    .leftJoin('departments', 'departments.id', 'user_roles.department_id')
    .selectAll('user_roles')
    .select([
      'departments.code as department_code',
      'departments.name_ar as department_name_ar',
      'departments.name_fr as department_name_fr',
      'departments.name_en as department_name_en',
    ])
    .where('user_roles.municipality_id', '=', municipalityId)
    .where('user_roles.user_id', 'in', userIds)
    .orderBy('user_roles.id')
    .execute();
}

export async function findRoleGrant(db: Db, municipalityId: number, userId: number, grantId: number): Promise<UserRoleRow | undefined> {
  return db
    .selectFrom('user_roles')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('user_id', '=', userId)
    .where('id', '=', grantId)
    .executeTakeFirst();
}

export async function insertRoleGrant(
  db: Db,
  values: { municipalityId: number; userId: number; role: StaffRole; departmentId: number | null; grantedBy: number; createdAt: string },
): Promise<UserRoleRow> {
  return db
    .insertInto('user_roles')
    .values({
      municipality_id: values.municipalityId,
      user_id: values.userId,
      role: values.role,
      department_id: values.departmentId,
      granted_by: values.grantedBy,
      created_at: values.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteRoleGrant(db: Db, municipalityId: number, grantId: number): Promise<boolean> {
  const result = await db.deleteFrom('user_roles').where('municipality_id', '=', municipalityId).where('id', '=', grantId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Active accounts holding the admin role, other than `exceptUserId`. */
export async function countOtherActiveAdministrators(db: Db, municipalityId: number, exceptUserId: number): Promise<number> {
  const row = await db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(sql<number>`count(distinct users.id)`.as('n'))
    .where('user_roles.municipality_id', '=', municipalityId)
    .where('user_roles.role', '=', 'admin')
    .where('users.status', '=', 'active')
    .where('users.id', '!=', exceptUserId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setUserStatusAtVersion(
  db: Db,
  key: { municipalityId: number; userId: number; version: string },
  status: UserStatus,
  updatedAt: string,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ status, updated_at: updatedAt })
    .where('municipality_id', '=', key.municipalityId)
    .where('id', '=', key.userId)
    .where('updated_at', '=', key.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteSessionsOfUserIn(db: Db, municipalityId: number, userId: number): Promise<number> {
  const result = await db.deleteFrom('sessions').where('municipality_id', '=', municipalityId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countStaffMembers(db: Db, municipalityId: number): Promise<number> {
  const row = await db
    .selectFrom('user_roles')
    .select(sql<number>`count(distinct user_id)`.as('n'))
    .where('municipality_id', '=', municipalityId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Display names for the audit log's actor column. */
export async function listUserNames(db: Db, municipalityId: number, userIds: number[]): Promise<Map<number, string | null>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('municipality_id', '=', municipalityId)
    .where('id', 'in', userIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
