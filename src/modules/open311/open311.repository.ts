// Queries for Open311's GET requests: up to 1000 complaints in a handful of queries (the rows,
// then the first public photo and the latest public note of all of them at once), not a few
// queries per complaint. Only columns the public may see are selected: the contact fields,
// the reporter and the staff never leave the database through this file.
import type { Db } from '../../db/database.ts';
import type { ComplaintStatus } from '../complaints/complaints.ts';

export type Open311Row = {
  id: number;
  tracking_number: string;
  category_id: number;
  status: ComplaintStatus;
  department_id: number | null;
  description: string;
  description_public: string | null;
  latitude: number | null;
  longitude: number | null;
  neighbourhood_id: number | null;
  address_text: string | null;
  created_at: string;
  updated_at: string;
  resolve_due_at: string;
};

const PUBLIC_COLUMNS = [
  'id',
  'tracking_number',
  'category_id',
  'status',
  'department_id',
  'description',
  'description_public',
  'latitude',
  'longitude',
  'neighbourhood_id',
  'address_text',
  'created_at',
  'updated_at',
  'resolve_due_at',
] as const;

export type Open311Query = {
  municipalityId: number;
  /** ISO UTC bounds on created_at, both included. */
  from: string;
  to: string;
  categoryIds?: number[];
  statuses?: readonly ComplaintStatus[];
  limit: number;
};

/** Newest first. */
export async function listOpen311Rows(db: Db, query: Open311Query): Promise<Open311Row[]> {
  return db
    .selectFrom('complaints')
    .select(PUBLIC_COLUMNS)
    .where('municipality_id', '=', query.municipalityId)
    .where('created_at', '>=', query.from)
    .where('created_at', '<=', query.to)
    .$if(query.categoryIds !== undefined, (qb) => qb.where('category_id', 'in', query.categoryIds!))
    .$if(query.statuses !== undefined, (qb) => qb.where('status', 'in', [...query.statuses!]))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit)
    .execute();
}

/** By tracking number, newest first; numbers of another municipality are simply not found. */
export async function listOpen311RowsByTracking(db: Db, municipalityId: number, trackingNumbers: string[]): Promise<Open311Row[]> {
  if (trackingNumbers.length === 0) return [];
  return db
    .selectFrom('complaints')
    .select(PUBLIC_COLUMNS)
    .where('municipality_id', '=', municipalityId)
    .where('tracking_number', 'in', trackingNumbers)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The storage key of each complaint's first public photo. */
export async function firstPublicPhotoKeys(db: Db, municipalityId: number, complaintIds: number[]): Promise<Map<number, string>> {
  if (complaintIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('complaint_photos as p')
    .select(['p.complaint_id', 'p.storage_key'])
    .where('p.municipality_id', '=', municipalityId)
    .where('p.complaint_id', 'in', complaintIds)
    .where('p.public', '=', 1)
    .where((eb) =>
      eb(
        'p.id',
        '=',
        eb.selectFrom('complaint_photos as q').select((q) => q.fn.min('q.id').as('first')).whereRef('q.complaint_id', '=', 'p.complaint_id').where('q.public', '=', 1),
      ),
    )
    .execute();
  return new Map(rows.map((r) => [r.complaint_id, r.storage_key]));
}

/** The text of each complaint's latest public timeline entry that has one (a reply, a reason). */
export async function latestPublicNotes(db: Db, municipalityId: number, complaintIds: number[]): Promise<Map<number, string>> {
  if (complaintIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('complaint_events as e')
    .select(['e.complaint_id', 'e.body'])
    .where('e.municipality_id', '=', municipalityId)
    .where('e.complaint_id', 'in', complaintIds)
    .where((eb) =>
      eb(
        'e.id',
        '=',
        eb
          .selectFrom('complaint_events as f')
          .select((f) => f.fn.max('f.id').as('latest'))
          .whereRef('f.complaint_id', '=', 'e.complaint_id')
          .where('f.visibility', '=', 'public')
          .where('f.body', 'is not', null)
          .where('f.body', '<>', ''),
      ),
    )
    .execute();
  return new Map(rows.flatMap((r) => (r.body ? [[r.complaint_id, r.body] as [number, string]] : [])));
}

/** Neighbourhood names only: their outlines can weigh tens of kilobytes each. */
export async function listNeighbourhoodNames(db: Db, municipalityId: number): Promise<{ id: number; name_ar: string; name_fr: string; name_en: string }[]> {
  return db.selectFrom('neighbourhoods').select(['id', 'name_ar', 'name_fr', 'name_en']).where('municipality_id', '=', municipalityId).execute();
}
