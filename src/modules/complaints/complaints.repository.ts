// Queries for complaints, their timeline, photos, followers, feedback and deadline alerts.
// Every query is scoped by municipality_id, so an id from another municipality is simply not
// found. Rules live in the services.
import { type Insertable, sql, type Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { UserRow } from '../../db/schema.ts';
import type { StaffRole } from '../../auth/policies.ts';
import { OPEN_STATUSES, type ComplaintStatus } from './complaints.ts';
import type {
  ComplaintDeadlineAlertsTable,
  ComplaintEventRow,
  ComplaintEventsTable,
  ComplaintFeedbackRow,
  ComplaintFeedbackTable,
  ComplaintFollowerRow,
  ComplaintFollowersTable,
  ComplaintPhotoRow,
  ComplaintPhotosTable,
  ComplaintRow,
  ComplaintsTable,
} from './complaints.table.ts';

// ---------------------------------------------------------------------------------------------
// Tracking numbers

/**
 * The next number of a municipality's year, in the caller's transaction. One statement that
 * inserts the year's first row or increments it: on PostgreSQL the conflicting row is locked
 * until commit, so concurrent submissions queue on it and each gets its own number; SQLite
 * runs one write transaction at a time.
 */
export async function nextTrackingSequence(trx: Db, municipalityId: number, year: number): Promise<number> {
  const row = await trx
    .insertInto('complaint_sequences')
    .values({ municipality_id: municipalityId, year, last_value: 1 })
    .onConflict((oc) =>
      oc.columns(['municipality_id', 'year']).doUpdateSet({ last_value: sql<number>`complaint_sequences.last_value + 1` }),
    )
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return Number(row.last_value);
}

// ---------------------------------------------------------------------------------------------
// Complaints

export async function insertComplaintRow(trx: Db, values: Insertable<ComplaintsTable>): Promise<ComplaintRow> {
  return trx.insertInto('complaints').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findComplaintRow(db: Db, municipalityId: number, id: number): Promise<ComplaintRow | undefined> {
  return db.selectFrom('complaints').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}

export async function findComplaintRowByTracking(db: Db, municipalityId: number, trackingNumber: string): Promise<ComplaintRow | undefined> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('tracking_number', '=', trackingNumber)
    .executeTakeFirst();
}

export async function findComplaintRowsByIds(db: Db, municipalityId: number, ids: number[]): Promise<ComplaintRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('complaints').selectAll().where('municipality_id', '=', municipalityId).where('id', 'in', ids).execute();
}

/**
 * Changes a complaint only if it is still at `version` (what the staff member saw), bumping the
 * version; undefined when someone else changed it in between. On PostgreSQL the UPDATE waits
 * for a concurrent writer and re-checks the version after it commits.
 */
export async function updateComplaintAtVersion(
  trx: Db,
  key: { municipalityId: number; id: number; version: number },
  values: Omit<Updateable<ComplaintsTable>, 'version'>,
): Promise<ComplaintRow | undefined> {
  return trx
    .updateTable('complaints')
    .set({ ...values, version: key.version + 1 })
    .where('municipality_id', '=', key.municipalityId)
    .where('id', '=', key.id)
    .where('version', '=', key.version)
    .returningAll()
    .executeTakeFirst();
}

/** Complaints that were marked duplicates of `originalId` now point to `rootId` (chains stay one step long). */
export async function repointDuplicates(trx: Db, municipalityId: number, originalId: number, rootId: number): Promise<number> {
  const result = await trx
    .updateTable('complaints')
    .set({ duplicate_of_id: rootId })
    .where('municipality_id', '=', municipalityId)
    .where('duplicate_of_id', '=', originalId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function addToFollowerCount(trx: Db, municipalityId: number, complaintId: number, added: number): Promise<void> {
  if (added === 0) return;
  await trx
    .updateTable('complaints')
    .set((eb) => ({ follower_count: eb('follower_count', '+', added) }))
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', complaintId)
    .execute();
}

export type NearbyQuery = {
  municipalityId: number;
  categoryId: number;
  box: { minLat: number; maxLat: number; minLng: number; maxLng: number };
  limit: number;
};

/** Open complaints of a category inside a latitude/longitude box (the caller measures real distances). */
export async function listOpenComplaintsInBox(db: Db, query: NearbyQuery): Promise<ComplaintRow[]> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('municipality_id', '=', query.municipalityId)
    .where('category_id', '=', query.categoryId)
    .where('latitude', '>=', query.box.minLat)
    .where('latitude', '<=', query.box.maxLat)
    .where('longitude', '>=', query.box.minLng)
    .where('longitude', '<=', query.box.maxLng)
    .where('status', 'in', [...OPEN_STATUSES])
    .orderBy('created_at', 'desc')
    .limit(query.limit)
    .execute();
}

export async function listComplaintRowsOfReporter(db: Db, municipalityId: number, userId: number, limit: number): Promise<ComplaintRow[]> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where((eb) =>
      eb.or([
        eb('reporter_user_id', '=', userId),
        eb('id', 'in', eb.selectFrom('complaint_followers').select('complaint_id').where('user_id', '=', userId)),
      ]),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Timeline

export async function insertEventRow(trx: Db, values: Insertable<ComplaintEventsTable>): Promise<ComplaintEventRow> {
  return trx.insertInto('complaint_events').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function listEventRows(db: Db, municipalityId: number, complaintId: number, options: { publicOnly: boolean }): Promise<ComplaintEventRow[]> {
  return db
    .selectFrom('complaint_events')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('complaint_id', '=', complaintId)
    .$if(options.publicOnly, (qb) => qb.where('visibility', '=', 'public'))
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Photos

export async function insertPhotoRows(trx: Db, rows: Insertable<ComplaintPhotosTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('complaint_photos').values(rows).execute();
}

export async function listPhotoRows(db: Db, municipalityId: number, complaintId: number, options: { publicOnly: boolean }): Promise<ComplaintPhotoRow[]> {
  return db
    .selectFrom('complaint_photos')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('complaint_id', '=', complaintId)
    .$if(options.publicOnly, (qb) => qb.where('public', '=', 1))
    .orderBy('id')
    .execute();
}

export async function setPhotosPublic(trx: Db, municipalityId: number, complaintId: number, photoIds: number[], visible: boolean): Promise<number> {
  if (photoIds.length === 0) return 0;
  const result = await trx
    .updateTable('complaint_photos')
    .set({ public: visible ? 1 : 0 })
    .where('municipality_id', '=', municipalityId)
    .where('complaint_id', '=', complaintId)
    .where('id', 'in', photoIds)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Which of these storage keys some complaint refers to (the rest are orphans). */
export async function listReferencedPhotoKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('complaint_photos').select('storage_key').where('storage_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.storage_key));
}

// ---------------------------------------------------------------------------------------------
// Followers

/** Adds a follower unless they already follow (either unique constraint); true when added. */
export async function insertFollowerRow(trx: Db, values: Insertable<ComplaintFollowersTable>): Promise<boolean> {
  // ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL a failed statement
  // would abort the caller's whole transaction.
  const row = await trx.insertInto('complaint_followers').values(values).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  return row !== undefined;
}

export async function listFollowerRows(db: Db, municipalityId: number, complaintId: number): Promise<ComplaintFollowerRow[]> {
  return db
    .selectFrom('complaint_followers')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('complaint_id', '=', complaintId)
    .orderBy('id')
    .execute();
}

export async function isFollowing(db: Db, complaintId: number, who: { userId?: number | null; contact?: string | null }): Promise<boolean> {
  if (!who.userId && !who.contact) return false;
  const row = await db
    .selectFrom('complaint_followers')
    .select('id')
    .where('complaint_id', '=', complaintId)
    .where((eb) => {
      const matches = [];
      if (who.userId) matches.push(eb('user_id', '=', who.userId));
      if (who.contact) matches.push(eb('contact', '=', who.contact));
      return eb.or(matches);
    })
    .executeTakeFirst();
  return row !== undefined;
}

export type Reachable = Pick<UserRow, 'id' | 'email' | 'email_verified_at' | 'phone' | 'phone_verified_at' | 'locale' | 'status'>;

export async function listReachableUsers(db: Db, municipalityId: number, userIds: number[]): Promise<Reachable[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'email', 'email_verified_at', 'phone', 'phone_verified_at', 'locale', 'status'])
    .where('municipality_id', '=', municipalityId)
    .where('id', 'in', userIds)
    .execute();
}

/** Messages of these purposes sent to an address since a time (for the confirmation cap). */
export async function countMessagesToSince(db: Db, options: { municipalityId: number; recipient: string; purposes: string[]; since: string }): Promise<number> {
  const row = await db
    .selectFrom('outbox_messages')
    .select(sql<number>`count(*)`.as('n'))
    .where('municipality_id', '=', options.municipalityId)
    .where('recipient', '=', options.recipient)
    .where('purpose', 'in', options.purposes)
    .where('created_at', '>', options.since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------
// Staff

/** Active users holding one of `roles` (in `departmentId` when given), for alerts. */
export async function listStaffWithRole(
  db: Db,
  municipalityId: number,
  roles: StaffRole[],
  departmentId: number | null,
): Promise<Reachable[]> {
  return db
    .selectFrom('users')
    .select(['users.id', 'users.email', 'users.email_verified_at', 'users.phone', 'users.phone_verified_at', 'users.locale', 'users.status'])
    .distinct()
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .where('users.municipality_id', '=', municipalityId)
    .where('user_roles.municipality_id', '=', municipalityId)
    .where('users.status', '=', 'active')
    .where('user_roles.role', 'in', roles)
    .$if(departmentId !== null, (qb) => qb.where('user_roles.department_id', '=', departmentId))
    .orderBy('users.id')
    .execute();
}

/** The role grants of an active user of this municipality; empty for anyone else. */
export async function listActiveStaffGrants(db: Db, municipalityId: number, userId: number): Promise<{ role: string; department_id: number | null }[]> {
  return db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(['user_roles.role', 'user_roles.department_id'])
    .where('user_roles.municipality_id', '=', municipalityId)
    .where('users.municipality_id', '=', municipalityId)
    .where('users.status', '=', 'active')
    .where('user_roles.user_id', '=', userId)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Feedback

/** True when recorded; false when the complaint already had feedback (primary key). */
export async function insertFeedbackRow(trx: Db, values: Insertable<ComplaintFeedbackTable>): Promise<boolean> {
  const row = await trx.insertInto('complaint_feedback').values(values).onConflict((oc) => oc.doNothing()).returning('complaint_id').executeTakeFirst();
  return row !== undefined;
}

export async function findFeedbackRow(db: Db, municipalityId: number, complaintId: number): Promise<ComplaintFeedbackRow | undefined> {
  return db
    .selectFrom('complaint_feedback')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('complaint_id', '=', complaintId)
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/** Open complaints of every municipality whose current deadline falls before `before`. */
export async function listOpenComplaintsDueBefore(db: Db, before: string, limit: number, afterId = 0): Promise<ComplaintRow[]> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('status', 'in', [...OPEN_STATUSES])
    .where('id', '>', afterId)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'received'), eb('acknowledged_at', 'is', null), eb('ack_due_at', '<', before)]),
        eb('resolve_due_at', '<', before),
      ]),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The alerts already recorded for these complaints, as "id:kind:deadline:due" keys. */
export async function listDeadlineAlertKeys(db: Db, complaintIds: number[]): Promise<Set<string>> {
  if (complaintIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('complaint_deadline_alerts')
    .select(['complaint_id', 'kind', 'deadline', 'due_at'])
    .where('complaint_id', 'in', complaintIds)
    .execute();
  return new Set(rows.map((r) => `${r.complaint_id}:${r.kind}:${r.deadline}:${r.due_at}`));
}

/** Records an alert; false when the same alert for the same due time was already recorded. */
export async function insertDeadlineAlert(trx: Db, values: Insertable<ComplaintDeadlineAlertsTable>): Promise<boolean> {
  const row = await trx.insertInto('complaint_deadline_alerts').values(values).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  return row !== undefined;
}

export async function listResolvedBefore(db: Db, cutoff: string, limit: number): Promise<ComplaintRow[]> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('status', '=', 'resolved' satisfies ComplaintStatus)
    .where('resolved_at', '<', cutoff)
    .orderBy('id')
    .limit(limit)
    .execute();
}
