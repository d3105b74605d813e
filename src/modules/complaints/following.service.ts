// "Me too": before filing, people see open complaints of the same kind nearby and can follow one
// instead of filing it again; the municipality then sees how many people one problem affects,
// and each follower is told when it changes. A person follows a complaint once (database
// constraints on account and on contact); following again changes nothing.
import type { Locale } from '../../config.ts';
import type { Actor } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { nowIso } from '../../lib/time.ts';
import { findCategoryRow } from './categories.repository.ts';
import { type ComplaintStatus, DEFAULT_NEARBY_RADIUS_METERS, normalizeTrackingNumber } from './complaints.ts';
import {
  addToFollowerCount,
  findComplaintRow,
  findComplaintRowByTracking,
  insertFollowerRow,
  listOpenComplaintsInBox,
} from './complaints.repository.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { approximatePoint, boundingBox, distanceMeters, isValidPoint, type Point } from './location.ts';

export type FindNearbyOpenComplaintsOptions = {
  municipalityId: number;
  categoryId: number;
  lat: number;
  lng: number;
  radiusMeters?: number;
  limit?: number;
};

export type NearbyComplaint = {
  id: number;
  trackingNumber: string;
  status: ComplaintStatus;
  description: string;
  createdAt: string;
  followerCount: number;
  /** Rounded to 10 m; for sensitive categories, measured to the approximate point. */
  distanceMeters: number;
  point: Point;
  approximate: boolean;
};

const MAX_NEARBY_RADIUS_METERS = 2000;

/** Open complaints of the category around a point, nearest first; public data only. */
export async function findNearbyOpenComplaints(db: Db, options: FindNearbyOpenComplaintsOptions): Promise<NearbyComplaint[]> {
  const centre = { lat: options.lat, lng: options.lng };
  if (!isValidPoint(centre)) return [];
  const radius = Math.min(Math.max(options.radiusMeters ?? DEFAULT_NEARBY_RADIUS_METERS, 1), MAX_NEARBY_RADIUS_METERS);
  const category = await findCategoryRow(db, options.municipalityId, options.categoryId);
  if (!category) return [];
  const sensitive = category.sensitive === 1;
  // The box in SQL uses the index; the real distance is measured here on the few rows it returns.
  const rows = await listOpenComplaintsInBox(db, {
    municipalityId: options.municipalityId,
    categoryId: options.categoryId,
    box: boundingBox(centre, radius),
    limit: 200,
  });
  return rows
    .map((row) => {
      const exact = { lat: row.latitude!, lng: row.longitude! };
      const shown = sensitive ? approximatePoint(exact) : exact;
      return { row, exact, shown, distance: distanceMeters(centre, exact) };
    })
    .filter((c) => c.distance <= radius)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, options.limit ?? 10)
    .map(({ row, shown, distance }) => ({
      id: row.id,
      trackingNumber: row.tracking_number,
      status: row.status,
      description: row.description_public ?? row.description,
      createdAt: row.created_at,
      followerCount: row.follower_count,
      distanceMeters: sensitive ? Math.round(distanceMeters(centre, shown) / 10) * 10 : Math.round(distance / 10) * 10,
      point: shown,
      approximate: sensitive,
    }));
}

export type FollowComplaintOptions = {
  municipalityId: number;
  complaint: { id: number } | { trackingNumber: string };
  /** A signed-in person follows with their account… */
  actor?: Actor;
  /** …anyone else with a phone number or an e-mail address, to be told of changes. */
  contact?: string | null;
  locale: Locale;
  countryCode?: string;
};

export type FollowResult = {
  /** False when this person already followed it (or reported it): nothing changed. */
  followed: boolean;
  followerCount: number;
  trackingNumber: string;
};

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function readFollowerContact(input: string, countryCode: string | undefined): string {
  const text = input.trim();
  if (text.includes('@')) {
    const email = text.toLowerCase();
    if (email.length > 254 || !EMAIL_PATTERN.test(email)) throw new AppError('validation', { fields: { contact: 'validation.invalid_email' } });
    return email;
  }
  const phone = normalizePhone(text, countryCode);
  if (!phone) throw new AppError('validation', { fields: { contact: 'validation.invalid_phone' } });
  return phone;
}

async function findTarget(db: Db, municipalityId: number, complaint: FollowComplaintOptions['complaint']): Promise<ComplaintRow> {
  let row: ComplaintRow | undefined;
  if ('id' in complaint) row = await findComplaintRow(db, municipalityId, complaint.id);
  else {
    const tracking = normalizeTrackingNumber(complaint.trackingNumber);
    row = tracking ? await findComplaintRowByTracking(db, municipalityId, tracking) : undefined;
  }
  if (!row) throw new AppError('not_found');
  return row;
}

/** "Me too": follows the complaint once per person, counting them in the same transaction. */
export async function followComplaint(db: Db, options: FollowComplaintOptions): Promise<FollowResult> {
  const actor = options.actor ?? null;
  if (actor && actor.municipalityId !== options.municipalityId) throw new AppError('forbidden');
  const contact = !actor && options.contact ? readFollowerContact(options.contact, options.countryCode) : null;
  if (!actor && !contact) throw new AppError('validation', { fields: { contact: 'validation.required' } });
  return db.transaction().execute(async (trx) => {
    const complaint = await findTarget(trx, options.municipalityId, options.complaint);
    // Someone whose own complaint this is already follows it (submission adds them).
    const isReporter = (actor && complaint.reporter_user_id === actor.userId) || (contact !== null && (contact === complaint.contact_phone || contact === complaint.contact_email));
    const followed = isReporter
      ? false
      : await insertFollowerRow(trx, {
          municipality_id: complaint.municipality_id,
          complaint_id: complaint.id,
          user_id: actor?.userId ?? null,
          contact: actor ? null : contact,
          locale: options.locale,
          created_at: nowIso(),
        });
    if (followed) await addToFollowerCount(trx, complaint.municipality_id, complaint.id, 1);
    return { followed, followerCount: complaint.follower_count + (followed ? 1 : 0), trackingNumber: complaint.tracking_number };
  });
}

export type UnfollowComplaintOptions = Omit<FollowComplaintOptions, 'locale'>;

/** Stops messages about a complaint (and the "me too" count goes down). */
export async function unfollowComplaint(db: Db, options: UnfollowComplaintOptions): Promise<{ unfollowed: boolean }> {
  const actor = options.actor ?? null;
  if (actor && actor.municipalityId !== options.municipalityId) throw new AppError('forbidden');
  const contact = !actor && options.contact ? readFollowerContact(options.contact, options.countryCode) : null;
  if (!actor && !contact) throw new AppError('validation', { fields: { contact: 'validation.required' } });
  return db.transaction().execute(async (trx) => {
    const complaint = await findTarget(trx, options.municipalityId, options.complaint);
    const result = await trx
      .deleteFrom('complaint_followers')
      .where('municipality_id', '=', complaint.municipality_id)
      .where('complaint_id', '=', complaint.id)
      .where(actor ? 'user_id' : 'contact', '=', actor ? actor.userId : contact!)
      .executeTakeFirst();
    const removed = Number(result.numDeletedRows) > 0;
    const isReporter = (actor && complaint.reporter_user_id === actor.userId) || (contact !== null && (contact === complaint.contact_phone || contact === complaint.contact_email));
    // The reporter was never counted as a "me too".
    if (removed && !isReporter) await addToFollowerCount(trx, complaint.municipality_id, complaint.id, -1);
    return { unfollowed: removed };
  });
}
