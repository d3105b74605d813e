// Queries of the complaints cell: the inbox (filters, search, sorting, pages), the rows of a CSV
// export, and the staff a complaint can be handed to. Every query is scoped by municipality and
// by what the actor may see (`InboxVisibility`, decided by the service from the policies).
//
// Search: the stored search_text and the query are normalised the same way (src/db/search.ts),
// so "مدرسه" finds "المدرسة" and "medina" finds "Médina". On SQLite, words of three letters or
// more go through the FTS5 trigram index (complaints_fts); shorter ones, which a trigram index
// cannot serve, use LIKE on search_text. On PostgreSQL, LIKE '%word%' is served by the pg_trgm
// GIN index on search_text.
import { type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { dialectOf, type Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { likeEscape } from '../../db/search.ts';
import { type Channel, type ComplaintStatus, FINISHED_STATUSES, OPEN_STATUSES, type Priority } from './complaints.ts';

/** What the actor may see: everything, or complaints of some departments and those assigned to them. */
export type InboxVisibility = { all: true } | { all: false; departmentIds: number[]; assigneeUserId: number | null };

export type InboxQuery = {
  municipalityId: number;
  visibility: InboxVisibility;
  status?: ComplaintStatus | 'open' | 'finished';
  categoryId?: number;
  /** Departments (any of them), or complaints without a department. */
  departmentIds?: number[] | 'none';
  assignee?: number | 'none';
  neighbourhoodId?: number;
  channel?: Channel;
  priority?: Priority;
  /** Filed at or after this instant (ISO). */
  from?: string;
  /** Filed before this instant (ISO). */
  before?: string;
  /** Open and past their current deadline at `now`. */
  overdue?: boolean;
  now: string;
  /** Normalised search words (searchTerms). */
  terms?: string[];
};

export const INBOX_SORTS = ['newest', 'oldest', 'due', 'followed'] as const;
export type InboxSort = (typeof INBOX_SORTS)[number];

export type InboxRow = {
  id: number;
  tracking_number: string;
  version: number;
  status: ComplaintStatus;
  priority: Priority;
  channel: Channel;
  category_id: number;
  category_name_ar: string;
  category_name_fr: string;
  category_name_en: string;
  department_id: number | null;
  department_name_ar: string | null;
  department_name_fr: string | null;
  department_name_en: string | null;
  neighbourhood_name_ar: string | null;
  neighbourhood_name_fr: string | null;
  neighbourhood_name_en: string | null;
  assignee_user_id: number | null;
  assignee_name: string | null;
  follower_count: number;
  acknowledged_at: string | null;
  ack_due_at: string;
  resolve_due_at: string;
  created_at: string;
};

type From = SelectQueryBuilder<Database, 'complaints', object>;
type Eb = ExpressionBuilder<Database, 'complaints'>;

/** The deadline that matters now (see currentDeadline in complaints.ts), as SQL. */
const currentDueAt = sql<string>`case when complaints.status = 'received' and complaints.acknowledged_at is null then complaints.ack_due_at else complaints.resolve_due_at end`;

function visibilityCondition(eb: Eb, visibility: InboxVisibility): Expression<SqlBool> {
  if (visibility.all) return sql<SqlBool>`1 = 1`;
  const parts: Expression<SqlBool>[] = [];
  if (visibility.departmentIds.length > 0) parts.push(eb('complaints.department_id', 'in', visibility.departmentIds));
  if (visibility.assigneeUserId !== null) parts.push(eb('complaints.assignee_user_id', '=', visibility.assigneeUserId));
  // Nothing visible: a condition that is never true rather than an empty IN list.
  return parts.length > 0 ? eb.or(parts) : sql<SqlBool>`1 = 0`;
}

function searchCondition(db: Db, eb: Eb, terms: string[]): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  const likes = (term: string) => sql<SqlBool>`complaints.search_text like ${`%${likeEscape(term)}%`} escape '\\'`;
  if (dialectOf(db) === 'postgres') {
    for (const term of terms) conditions.push(likes(term));
  } else {
    const long = terms.filter((t) => [...t].length >= 3);
    const short = terms.filter((t) => [...t].length < 3);
    if (long.length > 0) {
      // Each word quoted: a phrase of its own, matched as a substring by the trigram tokenizer.
      // Normalised words hold letters and digits only, so they never contain a quote.
      const match = long.map((t) => `"${t}"`).join(' AND ');
      conditions.push(eb('complaints.id', 'in', sql<number>`(select rowid from complaints_fts where complaints_fts match ${match})`));
    }
    for (const term of short) conditions.push(likes(term));
  }
  return eb.and(conditions);
}

function applyFilters(db: Db, query: From, q: InboxQuery): From {
  return query
    .where('complaints.municipality_id', '=', q.municipalityId)
    .where((eb) => visibilityCondition(eb, q.visibility))
    .$if(q.status === 'open', (qb) => qb.where('complaints.status', 'in', [...OPEN_STATUSES]))
    .$if(q.status === 'finished', (qb) => qb.where('complaints.status', 'in', [...FINISHED_STATUSES]))
    .$if(q.status !== undefined && q.status !== 'open' && q.status !== 'finished', (qb) =>
      qb.where('complaints.status', '=', q.status as ComplaintStatus),
    )
    .$if(q.categoryId !== undefined, (qb) => qb.where('complaints.category_id', '=', q.categoryId!))
    .$if(q.departmentIds === 'none', (qb) => qb.where('complaints.department_id', 'is', null))
    .$if(Array.isArray(q.departmentIds), (qb) => {
      const ids = q.departmentIds as number[];
      return ids.length > 0 ? qb.where('complaints.department_id', 'in', ids) : qb.where(sql<SqlBool>`1 = 0`);
    })
    .$if(q.assignee === 'none', (qb) => qb.where('complaints.assignee_user_id', 'is', null))
    .$if(typeof q.assignee === 'number', (qb) => qb.where('complaints.assignee_user_id', '=', q.assignee as number))
    .$if(q.neighbourhoodId !== undefined, (qb) => qb.where('complaints.neighbourhood_id', '=', q.neighbourhoodId!))
    .$if(q.channel !== undefined, (qb) => qb.where('complaints.channel', '=', q.channel!))
    .$if(q.priority !== undefined, (qb) => qb.where('complaints.priority', '=', q.priority!))
    .$if(q.from !== undefined, (qb) => qb.where('complaints.created_at', '>=', q.from!))
    .$if(q.before !== undefined, (qb) => qb.where('complaints.created_at', '<', q.before!))
    .$if(q.overdue === true, (qb) =>
      qb.where('complaints.status', 'in', [...OPEN_STATUSES]).where(sql<SqlBool>`${currentDueAt} < ${q.now}`),
    )
    .$if((q.terms?.length ?? 0) > 0, (qb) => qb.where((eb) => searchCondition(db, eb, q.terms!)));
}

function inboxSelect(db: Db) {
  return db
    .selectFrom('complaints')
    .innerJoin('complaint_categories', (join) =>
      join.onRef('complaint_categories.id', '=', 'complaints.category_id').onRef('complaint_categories.municipality_id', '=', 'complaints.municipality_id'),
    )
    .leftJoin('departments', (join) =>
      join.onRef('departments.id', '=', 'complaints.department_id').onRef('departments.municipality_id', '=', 'complaints.municipality_id'),
    )
    .leftJoin('neighbourhoods', (join) =>
      join.onRef('neighbourhoods.id', '=', 'complaints.neighbourhood_id').onRef('neighbourhoods.municipality_id', '=', 'complaints.municipality_id'),
    )
    .leftJoin('users as assignee', (join) =>
      join.onRef('assignee.id', '=', 'complaints.assignee_user_id').onRef('assignee.municipality_id', '=', 'complaints.municipality_id'),
    )
    .select([
      'complaints.id',
      'complaints.tracking_number',
      'complaints.version',
      'complaints.status',
      'complaints.priority',
      'complaints.channel',
      'complaints.category_id',
      'complaint_categories.name_ar as category_name_ar',
      'complaint_categories.name_fr as category_name_fr',
      'complaint_categories.name_en as category_name_en',
      'complaints.department_id',
      'departments.name_ar as department_name_ar',
      'departments.name_fr as department_name_fr',
      'departments.name_en as department_name_en',
      'neighbourhoods.name_ar as neighbourhood_name_ar',
      'neighbourhoods.name_fr as neighbourhood_name_fr',
      'neighbourhoods.name_en as neighbourhood_name_en',
      'complaints.assignee_user_id',
      'assignee.display_name as assignee_name',
      'complaints.follower_count',
      'complaints.acknowledged_at',
      'complaints.ack_due_at',
      'complaints.resolve_due_at',
      'complaints.created_at',
    ]);
}

export async function countInboxRows(db: Db, query: InboxQuery): Promise<number> {
  const row = await applyFilters(db, db.selectFrom('complaints') as unknown as From, query)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number((row as { n: number }).n);
}

export async function listInboxRows(db: Db, query: InboxQuery & { sort: InboxSort; limit: number; offset: number }): Promise<InboxRow[]> {
  let qb = applyFilters(db, inboxSelect(db) as unknown as From, query) as unknown as ReturnType<typeof inboxSelect>;
  switch (query.sort) {
    case 'oldest':
      qb = qb.orderBy('complaints.created_at', 'asc').orderBy('complaints.id', 'asc');
      break;
    case 'due':
      // Open complaints by their current deadline; finished ones (no deadline) after them.
      qb = qb
        .orderBy(sql`case when complaints.status in ('received', 'acknowledged', 'assigned', 'in_progress') then 0 else 1 end`)
        .orderBy(currentDueAt)
        .orderBy('complaints.id', 'asc');
      break;
    case 'followed':
      qb = qb.orderBy('complaints.follower_count', 'desc').orderBy('complaints.created_at', 'desc').orderBy('complaints.id', 'desc');
      break;
    default:
      qb = qb.orderBy('complaints.created_at', 'desc').orderBy('complaints.id', 'desc');
  }
  return (await qb.limit(query.limit).offset(query.offset).execute()) as InboxRow[];
}

export type ExportRow = InboxRow & {
  description: string;
  description_public: string | null;
  address_text: string | null;
  latitude: number | null;
  longitude: number | null;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  reporter_user_id: number | null;
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  forwarded_to: string | null;
  status_reason: string | null;
};

/** One batch of an export, in tracking order (by id), after `afterId`: no row is skipped or repeated while others file. */
export async function listExportRows(db: Db, query: InboxQuery & { afterId: number; limit: number }): Promise<ExportRow[]> {
  const qb = applyFilters(db, inboxSelect(db) as unknown as From, query) as unknown as ReturnType<typeof inboxSelect>;
  return (await qb
    .select([
      'complaints.description',
      'complaints.description_public',
      'complaints.address_text',
      'complaints.latitude',
      'complaints.longitude',
      'complaints.contact_name',
      'complaints.contact_phone',
      'complaints.contact_email',
      'complaints.reporter_user_id',
      'complaints.first_response_at',
      'complaints.resolved_at',
      'complaints.closed_at',
      'complaints.forwarded_to',
      'complaints.status_reason',
    ])
    .where('complaints.id', '>', query.afterId)
    .orderBy('complaints.id', 'asc')
    .limit(query.limit)
    .execute()) as ExportRow[];
}

export type StaffMemberRow = { user_id: number; display_name: string | null; role: string; department_id: number | null };

/** Active staff of the municipality with their role grants (one row per grant), by name. */
export async function listStaffGrantRows(db: Db, municipalityId: number): Promise<StaffMemberRow[]> {
  return db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(['users.id as user_id', 'users.display_name', 'user_roles.role', 'user_roles.department_id'])
    .where('user_roles.municipality_id', '=', municipalityId)
    .where('users.municipality_id', '=', municipalityId)
    .where('users.status', '=', 'active')
    .orderBy('users.display_name')
    .orderBy('users.id')
    .execute();
}

/** Display names of people of this municipality (staff on a timeline); other ids are left out. */
export async function listPeopleNames(db: Db, municipalityId: number, userIds: number[]): Promise<Map<number, string | null>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('municipality_id', '=', municipalityId)
    .where('id', 'in', [...new Set(userIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
