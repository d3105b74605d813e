// Queries behind the public list and map of complaints. They select named public columns only
// (never selectAll): a contact name, phone or e-mail cannot reach a public page by accident,
// and the rows stay small. Every query is scoped by municipality and pages with a keyset on
// (created_at, id), which the indexes of migration 0006 serve directly.
import type { CompiledQuery, ExpressionBuilder, SelectQueryBuilder } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { ComplaintStatus } from './complaints.ts';

/** Which complaints a public page shows. Absent fields do not filter. */
export type PublicComplaintFilter = {
  municipalityId: number;
  categoryId?: number;
  statuses?: readonly ComplaintStatus[];
  /** A neighbourhood id, or null for complaints placed in none. */
  neighbourhoodId?: number | null;
  /** ISO instants: created_at >= createdFrom and < createdBefore. */
  createdFrom?: string;
  createdBefore?: string;
};

/** A position in the list, newest first: the last (or first) row of a page. */
export type ListCursor = { createdAt: string; id: number };

export type PublicListRow = {
  id: number;
  tracking_number: string;
  category_id: number;
  neighbourhood_id: number | null;
  status: ComplaintStatus;
  created_at: string;
  follower_count: number;
};

export type PublicPointRow = PublicListRow & { latitude: number; longitude: number };

const LIST_COLUMNS = ['id', 'tracking_number', 'category_id', 'neighbourhood_id', 'status', 'created_at', 'follower_count'] as const;

type ComplaintsQuery<O> = SelectQueryBuilder<Database, 'complaints', O>;

function applyFilter<O>(query: ComplaintsQuery<O>, filter: PublicComplaintFilter): ComplaintsQuery<O> {
  let q = query.where('municipality_id', '=', filter.municipalityId);
  if (filter.categoryId !== undefined) q = q.where('category_id', '=', filter.categoryId);
  if (filter.statuses !== undefined) {
    const statuses = [...filter.statuses];
    q = statuses.length === 1 ? q.where('status', '=', statuses[0]!) : q.where('status', 'in', statuses);
  }
  if (filter.neighbourhoodId !== undefined) {
    q = filter.neighbourhoodId === null ? q.where('neighbourhood_id', 'is', null) : q.where('neighbourhood_id', '=', filter.neighbourhoodId);
  }
  if (filter.createdFrom !== undefined) q = q.where('created_at', '>=', filter.createdFrom);
  if (filter.createdBefore !== undefined) q = q.where('created_at', '<', filter.createdBefore);
  return q;
}

// Row values, (created_at, id) < (x, y): both databases read them as one range on the index,
// where the equivalent OR would make SQLite walk from the newest row down to the cursor.
function olderThan(cursor: ListCursor) {
  return (eb: ExpressionBuilder<Database, 'complaints'>) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(cursor.createdAt, cursor.id));
}

function newerThan(cursor: ListCursor) {
  return (eb: ExpressionBuilder<Database, 'complaints'>) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(cursor.createdAt, cursor.id));
}

export type ListPageQuery = {
  filter: PublicComplaintFilter;
  /** Rows older than this one (the "older" link). */
  after?: ListCursor;
  /** Rows newer than this one (the "newer" link); returned newest first all the same. */
  before?: ListCursor;
  limit: number;
};

/** One page of complaints, newest first. Ask for one row more than shown to know if more follow. */
export async function listPublicComplaintRows(db: Db, query: ListPageQuery): Promise<PublicListRow[]> {
  let q = applyFilter(db.selectFrom('complaints').select(LIST_COLUMNS), query.filter);
  if (query.before) {
    // Walk forward from the cursor, then turn the page round: the rows just newer than it.
    q = q.where(newerThan(query.before)).orderBy('created_at', 'asc').orderBy('id', 'asc');
    return (await q.limit(query.limit).execute()).reverse();
  }
  if (query.after) q = q.where(olderThan(query.after));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
}

/** The newest complaints that have a point on the map. */
export async function listPublicComplaintPoints(db: Db, filter: PublicComplaintFilter, limit: number): Promise<PublicPointRow[]> {
  const rows = await applyFilter(db.selectFrom('complaints').select([...LIST_COLUMNS, 'latitude', 'longitude']), filter)
    .where('latitude', 'is not', null)
    .where('longitude', 'is not', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows as PublicPointRow[];
}

/** How many complaints match, per neighbourhood (null: placed in none). */
export async function countPublicComplaintsByNeighbourhood(
  db: Db,
  filter: PublicComplaintFilter,
): Promise<{ neighbourhood_id: number | null; count: number }[]> {
  const rows = await applyFilter(
    db.selectFrom('complaints').select(['neighbourhood_id', (eb) => eb.fn.countAll<number>().as('count')]),
    filter,
  )
    .groupBy('neighbourhood_id')
    .execute();
  return rows.map((r) => ({ neighbourhood_id: r.neighbourhood_id, count: Number(r.count) }));
}

/**
 * The newest `perGroup` complaints of each neighbourhood in one statement: one small indexed
 * branch per neighbourhood, glued with UNION ALL (a window function would sort every match).
 */
export async function listRecentPublicComplaintsPerNeighbourhood(
  db: Db,
  filter: PublicComplaintFilter,
  neighbourhoodIds: (number | null)[],
  perGroup: number,
): Promise<PublicListRow[]> {
  if (neighbourhoodIds.length === 0) return [];
  const branch = (neighbourhoodId: number | null) =>
    db
      .selectFrom((eb) =>
        applyFilter(eb.selectFrom('complaints').select(LIST_COLUMNS), { ...filter, neighbourhoodId })
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(perGroup)
          .as('branch'),
      )
      .selectAll();
  const [first, ...rest] = neighbourhoodIds.map(branch);
  const query = rest.length > 0 ? first!.unionAll(rest) : first!;
  return query.execute();
}

// The change stamp is read on every public request (public.routes.ts): compiled once per
// database handle and municipality, it costs half as much.
const stampQueries = new WeakMap<Db, Map<number, CompiledQuery<{ updated_at: string; id: number }>>>();

/**
 * Changes whenever a complaint of the municipality is filed or changed: cached public answers
 * (pages, map points) are kept only while it stays the same.
 */
export async function findComplaintsChangeStamp(db: Db, municipalityId: number): Promise<string> {
  let byMunicipality = stampQueries.get(db);
  if (!byMunicipality) {
    byMunicipality = new Map();
    stampQueries.set(db, byMunicipality);
  }
  let query = byMunicipality.get(municipalityId);
  if (!query) {
    query = db
      .selectFrom('complaints')
      .select(['updated_at', 'id'])
      .where('municipality_id', '=', municipalityId)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .compile();
    byMunicipality.set(municipalityId, query);
  }
  const row = (await db.executeQuery(query)).rows[0];
  return row ? `${row.updated_at}/${row.id}` : 'none';
}
