// Filing a complaint, from the web form, an SMS gateway, the counter, the phone or Open311.
// Everything a complaint needs is written in one transaction (the complaint with its tracking
// number, its first public timeline entry, its photos, the reporter as first follower, the
// confirmation message), so a citizen told "your complaint is saved, number KEF-2026-000123"
// can rely on it: the transaction is durable when it commits (SQLite synchronous=FULL,
// PostgreSQL's default synchronous commit).
import type { Locale } from '../../config.ts';
import { type Actor, authorize } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { normalizeSearchText } from '../../db/search.ts';
import { localName } from '../../i18n/i18n.ts';
import { AppError, type FieldErrors } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { addDays, nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { listArrondissements, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { findNeighbourhood } from '../municipalities/reference-data.repository.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import { type Answers, answersText, type Category, getCategory, type RawAnswers, validateAnswers } from './categories.service.ts';
import {
  ADDRESS_MAX_LENGTH,
  type Channel,
  CHANNELS,
  complaintFollowPath,
  CONTACT_NAME_MAX_LENGTH,
  DEFAULT_BOUNDARY_RADIUS_METERS,
  DESCRIPTION_MAX_LENGTH,
  formatTrackingNumber,
  MAX_PHOTOS,
  trackingYear,
} from './complaints.ts';
import {
  insertComplaintRow,
  insertEventRow,
  insertFollowerRow,
  insertPhotoRows,
  listReachableUsers,
  nextTrackingSequence,
} from './complaints.repository.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { distanceMeters, isValidPoint, type Point, pointInAny, pointInPolygon, polygonsOf } from './location.ts';
import { queueConfirmation, reachableAddress, reporterContact } from './notifications.ts';
import { removeStoredPhotos, type StoredPhoto } from './photos.ts';

export type ComplaintContactInput = {
  name?: string | null;
  /** As typed: "22 123 456", "+216…", Arabic-Indic digits; stored in E.164. */
  phone?: string | null;
  email?: string | null;
};

export type ComplaintLocationInput = {
  lat?: number | null;
  lng?: number | null;
  neighbourhoodId?: number | null;
  /** An address or a landmark ("in front of the Zitouna primary school"). */
  address?: string | null;
};

export type SubmitComplaintOptions = {
  municipality: MunicipalityRow;
  channel: Channel;
  /** The language of the form; the complaint's messages are sent in it. */
  locale: Locale;
  /** The signed-in citizen, or null for an anonymous complaint. */
  reporter: Actor;
  contact?: ComplaintContactInput;
  categoryId: number;
  description: string;
  answers?: RawAnswers;
  location: ComplaintLocationInput;
  /** Already processed and stored (photos.ts); removed again if the complaint is not saved. */
  photos?: StoredPhoto[];
  /** The member of staff typing it in at the counter or on the phone (required for those channels). */
  filedBy?: Actor;
  /** The site's address, for the link in the confirmation ("https://kef.twiza.tn"); a path without it. */
  publicUrl?: string;
  /** For phone numbers typed without a country code (PHONE_COUNTRY_CODE). */
  countryCode?: string;
  /** Without outlines, how far from the map centre a point may be. */
  boundaryRadiusMeters?: number;
  /**
   * More writes that must commit or fail with the complaint, in its transaction: the SMS
   * gateway's message id, so that a retried delivery never files a second complaint.
   */
  withinTransaction?: (trx: Db, complaint: ComplaintRow) => Promise<void>;
};

export type SubmittedComplaint = {
  complaint: ComplaintRow;
  trackingNumber: string;
  /** The public page where it can be followed, e.g. "/ar/complaints/KEF-2026-000123". */
  followPath: string;
};

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Contact = { name: string | null; phone: string | null; email: string | null };

function readContact(input: ComplaintContactInput | undefined, countryCode: string | undefined, fields: FieldErrors): Contact {
  const name = input?.name?.trim() || null;
  const phoneText = input?.phone?.trim() || null;
  const emailText = input?.email?.trim().toLowerCase() || null;
  if (name && name.length > CONTACT_NAME_MAX_LENGTH) fields['contact.name'] = { key: 'validation.too_long', values: { max: CONTACT_NAME_MAX_LENGTH } };
  const phone = phoneText ? normalizePhone(phoneText, countryCode) : null;
  if (phoneText && !phone) fields['contact.phone'] = 'validation.invalid_phone';
  if (emailText && (emailText.length > 254 || !EMAIL_PATTERN.test(emailText))) fields['contact.email'] = 'validation.invalid_email';
  return { name, phone, email: emailText && !fields['contact.email'] ? emailText : null };
}

type Place = { point: Point | null; neighbourhoodId: number | null; address: string | null };

function readPlace(input: ComplaintLocationInput, fields: FieldErrors, required: boolean): Place {
  const address = input.address?.trim() || null;
  if (address && address.length > ADDRESS_MAX_LENGTH) fields['location.address'] = { key: 'validation.too_long', values: { max: ADDRESS_MAX_LENGTH } };
  const hasLat = input.lat !== undefined && input.lat !== null;
  const hasLng = input.lng !== undefined && input.lng !== null;
  let point: Point | null = null;
  if (hasLat || hasLng) {
    const candidate = { lat: Number(input.lat), lng: Number(input.lng) };
    if (!hasLat || !hasLng || !isValidPoint(candidate)) fields.location = 'complaints.location.invalid';
    else point = candidate;
  }
  const neighbourhoodId = input.neighbourhoodId ?? null;
  if (required && !point && neighbourhoodId === null && !address && !fields.location) fields.location = 'complaints.location.required';
  return { point, neighbourhoodId, address };
}

export type MunicipalityArea = {
  /** Outlines that bound the municipality; empty when the radius applies. */
  polygons: ReturnType<typeof polygonsOf>;
  neighbourhoods: { id: number; polygons: ReturnType<typeof polygonsOf> }[];
  centre: Point;
  radiusMeters: number;
};

/**
 * The municipality's territory as far as we know it. Arrondissements cover the whole
 * municipality, so once one has an outline, the union of all outlines (arrondissements and
 * neighbourhoods, which may stick out a little where they were drawn by hand) is the boundary.
 * Neighbourhood outlines alone usually cover only part of the town: with those only, or none,
 * a radius around the map centre applies, so that drawing one neighbourhood does not start
 * refusing complaints from all the others.
 */
export async function loadMunicipalityArea(db: Db, municipality: MunicipalityRow, radiusMeters = DEFAULT_BOUNDARY_RADIUS_METERS): Promise<MunicipalityArea> {
  const arrondissements = await listArrondissements(db, municipality.id);
  const neighbourhoods = (await listNeighbourhoods(db, municipality.id)).map((n) => ({ id: n.id, polygons: polygonsOf(n.outline_geojson) }));
  const arrondissementPolygons = arrondissements.flatMap((a) => polygonsOf(a.outline_geojson));
  return {
    polygons: arrondissementPolygons.length > 0 ? [...arrondissementPolygons, ...neighbourhoods.flatMap((n) => n.polygons)] : [],
    neighbourhoods,
    centre: { lat: municipality.map_lat, lng: municipality.map_lng },
    radiusMeters,
  };
}

export function isInsideArea(area: MunicipalityArea, point: Point): boolean {
  return area.polygons.length > 0 ? pointInAny(point, area.polygons) : distanceMeters(area.centre, point) <= area.radiusMeters;
}

/** The neighbourhood whose outline contains the point, if any. */
export function neighbourhoodAt(area: MunicipalityArea, point: Point): number | null {
  return area.neighbourhoods.find((n) => n.polygons.some((p) => pointInPolygon(point, p)))?.id ?? null;
}

type Checked = { category: Category; answers: Answers; contact: Contact; place: Place };

/** Every check, with all field errors at once so the form can show them together. */
async function checkSubmission(db: Db, options: SubmitComplaintOptions): Promise<Checked> {
  const { municipality } = options;
  const fields: FieldErrors = {};
  if (!CHANNELS.includes(options.channel)) throw new AppError('validation', { fields: { channel: 'validation.invalid_choice' } });
  if (options.reporter && options.reporter.municipalityId !== municipality.id) throw new AppError('forbidden');
  if (options.channel === 'counter' || options.channel === 'phone') {
    if (!options.filedBy) throw new AppError('validation', { fields: { _form: 'complaints.filed_by.required' } });
  }
  if (options.filedBy) authorize(options.filedBy, 'complaints.file_on_behalf', { municipalityId: municipality.id });

  if (options.description.trim() === '') fields.description = 'validation.required';
  else if (options.description.length > DESCRIPTION_MAX_LENGTH) fields.description = { key: 'validation.too_long', values: { max: DESCRIPTION_MAX_LENGTH } };
  if ((options.photos?.length ?? 0) > MAX_PHOTOS) fields.photos = { key: 'complaints.photo.too_many', values: { max: MAX_PHOTOS } };
  const contact = readContact(options.contact, options.countryCode, fields);
  // An SMS carries no position: the complaints cell locates it at triage.
  const place = readPlace(options.location, fields, options.channel !== 'sms');

  const category = await getCategory(db, { municipalityId: municipality.id, categoryId: options.categoryId });
  let answers: Answers = {};
  if (!category || !category.active) {
    fields.categoryId = 'complaints.category.unknown';
  } else {
    try {
      answers = validateAnswers(category.questions, options.answers);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      Object.assign(fields, error.fields);
    }
  }
  if (place.neighbourhoodId !== null && !(await findNeighbourhood(db, municipality.id, place.neighbourhoodId))) {
    fields['location.neighbourhoodId'] = 'validation.invalid_choice';
  }
  if (place.point && !fields.location) {
    const area = await loadMunicipalityArea(db, municipality, options.boundaryRadiusMeters);
    if (!isInsideArea(area, place.point)) fields.location = 'complaints.location.outside';
    else if (place.neighbourhoodId === null) place.neighbourhoodId = neighbourhoodAt(area, place.point);
  }
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
  return { category: category!, answers, contact, place };
}

/** Files a complaint; see the top of this file. Throws AppError('validation') with every field error. */
export async function submitComplaint(db: Db, options: SubmitComplaintOptions): Promise<SubmittedComplaint> {
  const photos = options.photos ?? [];
  try {
    return await fileComplaint(db, options, photos);
  } catch (error) {
    // Nothing refers to the files now; the orphan job would remove them later anyway.
    await removeStoredPhotos(photos);
    throw error;
  }
}

async function fileComplaint(db: Db, options: SubmitComplaintOptions, photos: StoredPhoto[]): Promise<SubmittedComplaint> {
  const { municipality } = options;
  const { category, answers, contact, place } = await checkSubmission(db, options);
  const reporterUserId = options.reporter?.userId ?? null;
  const filedBy = options.filedBy ?? null;

  const complaint = await db.transaction().execute(async (trx) => {
    const now = nowIso();
    const sequence = await nextTrackingSequence(trx, municipality.id, trackingYear(now));
    const trackingNumber = formatTrackingNumber(municipality.tracking_prefix, trackingYear(now), sequence);
    const row = await insertComplaintRow(trx, {
      municipality_id: municipality.id,
      tracking_number: trackingNumber,
      category_id: category.id,
      status: 'received',
      priority: 'normal',
      channel: options.channel,
      department_id: category.departmentId,
      assignee_user_id: null,
      description: options.description,
      description_public: null,
      answers_json: JSON.stringify(answers),
      latitude: place.point?.lat ?? null,
      longitude: place.point?.lng ?? null,
      neighbourhood_id: place.neighbourhoodId,
      address_text: place.address,
      reporter_user_id: reporterUserId,
      contact_name: contact.name,
      contact_phone: contact.phone,
      contact_email: contact.email,
      filed_by_user_id: filedBy?.userId ?? null,
      locale: options.locale,
      duplicate_of_id: null,
      forwarded_to: null,
      status_reason: null,
      follower_count: 0,
      search_text: normalizeSearchText([trackingNumber, options.description, place.address ?? '', answersText(category.questions, answers)].join(' ')),
      ack_due_at: addDays(now, category.ackDays),
      resolve_due_at: addDays(now, category.resolveDays),
      acknowledged_at: null,
      first_response_at: null,
      resolved_at: null,
      closed_at: null,
      created_at: now,
      updated_at: now,
      version: 1,
    });
    await insertEventRow(trx, {
      municipality_id: municipality.id,
      complaint_id: row.id,
      kind: 'status',
      visibility: 'public',
      from_status: null,
      to_status: 'received',
      body: null,
      data_json: JSON.stringify({ channel: options.channel }),
      actor_user_id: filedBy?.userId ?? reporterUserId,
      created_at: now,
    });
    await insertPhotoRows(
      trx,
      photos.map((p) => ({
        municipality_id: municipality.id,
        complaint_id: row.id,
        storage_key: p.storageKey,
        width: p.width,
        height: p.height,
        bytes: p.bytes,
        // A photo of a neighbour's building shows exactly where it is: sensitive categories keep
        // photos for staff only.
        public: category.sensitive ? 0 : 1,
        created_at: now,
      })),
    );
    // The reporter follows their complaint; "me too" from the same person is then a no-op.
    // follower_count counts the others ("me too"), not the reporter.
    const reporterAddress = contact.phone ?? contact.email;
    if (reporterUserId !== null || reporterAddress) {
      await insertFollowerRow(trx, {
        municipality_id: municipality.id,
        complaint_id: row.id,
        user_id: reporterUserId,
        contact: reporterUserId === null ? reporterAddress : null,
        locale: options.locale,
        created_at: now,
      });
    }
    let recipient = reporterContact(row);
    if (!recipient && reporterUserId !== null) {
      const [user] = await listReachableUsers(trx, municipality.id, [reporterUserId]);
      recipient = user ? reachableAddress(user) : null;
    }
    if (recipient) {
      await queueConfirmation(trx, {
        municipality,
        complaint: row,
        // The confirmation goes in the form's language, whatever the account's.
        recipient: { ...recipient, locale: options.locale },
        categoryName: localName(categoryNames(category), options.locale),
        publicUrl: options.publicUrl,
      });
    }
    if (options.withinTransaction) await options.withinTransaction(trx, row);
    if (filedBy) {
      // The audit log is kept for ever and hash-chained: it names the complaint, never the
      // citizen's phone or e-mail, which must remain erasable.
      await recordAudit(trx, {
        municipalityId: municipality.id,
        actor: staffAuditActor(filedBy),
        action: 'complaint.filed_on_behalf',
        entityType: 'complaint',
        entityId: row.id,
        after: { trackingNumber, channel: options.channel, categoryId: category.id },
      });
    }
    return row;
  });
  return { complaint, trackingNumber: complaint.tracking_number, followPath: complaintFollowPath(options.locale, complaint.tracking_number) };
}

function categoryNames(category: Category): { name_ar: string; name_fr: string; name_en: string } {
  return { name_ar: category.name.ar, name_fr: category.name.fr, name_en: category.name.en };
}
