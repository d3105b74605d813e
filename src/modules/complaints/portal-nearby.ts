// "Is it already reported?" for the form: open complaints of the same category near the
// citizen's pin (following.service.ts), or, when there is no pin (no JavaScript, no map tiles:
// most of El Kef's phones), in the neighbourhood they chose. findNearbyOpenComplaints needs a
// point, so the neighbourhood query lives here until the service takes a neighbourhood too.
import type { Db } from '../../db/database.ts';
import { type ComplaintStatus, OPEN_STATUSES } from './complaints.ts';
import { findNearbyOpenComplaints } from './following.service.ts';

export type SimilarComplaint = {
  trackingNumber: string;
  status: ComplaintStatus;
  /** The public text (a moderator's masked version when there is one). */
  description: string;
  createdAt: string;
  followerCount: number;
  /** Metres from the pin, rounded; null when matched by neighbourhood. */
  distanceMeters: number | null;
  approximate: boolean;
};

export type FindSimilarOpenComplaintsOptions = {
  municipalityId: number;
  categoryId: number;
  point: { lat: number; lng: number } | null;
  neighbourhoodId: number | null;
  limit?: number;
};

/** Open complaints of the category near the point, else in the neighbourhood; [] when neither is known. */
export async function findSimilarOpenComplaints(db: Db, options: FindSimilarOpenComplaintsOptions): Promise<SimilarComplaint[]> {
  const limit = options.limit ?? 5;
  if (options.point) {
    const nearby = await findNearbyOpenComplaints(db, {
      municipalityId: options.municipalityId,
      categoryId: options.categoryId,
      lat: options.point.lat,
      lng: options.point.lng,
      limit,
    });
    return nearby.map((n) => ({
      trackingNumber: n.trackingNumber,
      status: n.status,
      description: n.description,
      createdAt: n.createdAt,
      followerCount: n.followerCount,
      distanceMeters: n.distanceMeters,
      approximate: n.approximate,
    }));
  }
  if (options.neighbourhoodId === null) return [];
  const rows = await db
    .selectFrom('complaints')
    .select(['tracking_number', 'status', 'description', 'description_public', 'created_at', 'follower_count'])
    .where('municipality_id', '=', options.municipalityId)
    .where('category_id', '=', options.categoryId)
    .where('neighbourhood_id', '=', options.neighbourhoodId)
    .where('status', 'in', [...OPEN_STATUSES])
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    trackingNumber: row.tracking_number,
    status: row.status,
    description: row.description_public ?? row.description,
    createdAt: row.created_at,
    followerCount: row.follower_count,
    distanceMeters: null,
    approximate: false,
  }));
}
