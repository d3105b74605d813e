// The public list and map of complaints: what anyone may see of every complaint, with filters
// (category, status, neighbourhood, period). The rules of reading.service.ts apply: no name,
// phone, e-mail or account, ever; for sensitive categories no exact point (the map shows the
// centre of a ~500 m square, as the complaint's own page does). Rows carry only the tracking
// number, category, neighbourhood, status, date and followers; the description stays on the
// complaint's page, where the moderated text is shown.
import type { Locale } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { localName, TIME_ZONE, translate } from '../../i18n/i18n.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { listCategories } from './categories.service.ts';
import { COMPLAINT_STATUSES, complaintFollowPath, type ComplaintStatus, FINISHED_STATUSES, OPEN_STATUSES } from './complaints.ts';
import { approximatePoint } from './location.ts';
import {
  countPublicComplaintsByNeighbourhood,
  type ListCursor,
  listPublicComplaintPoints,
  listPublicComplaintRows,
  listRecentPublicComplaintsPerNeighbourhood,
  findComplaintsChangeStamp,
  type PublicComplaintFilter,
  type PublicListRow,
} from './public-list.repository.ts';

/**
 * A value that changes whenever one of the municipality's complaints is filed or changed, so
 * that cached public answers (map points, statistics) are dropped as soon as they are stale.
 */
export async function getPublicChangeStamp(db: Db, municipalityId: number): Promise<string> {
  return findComplaintsChangeStamp(db, municipalityId);
}

// ---------------------------------------------------------------------------------------------
// Periods: days are El Kef's days, not UTC's (a complaint filed at 00:30 on 1 March belongs to
// March), so day boundaries are computed in the municipality's time zone.

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written YYYY-MM-DD, or null. */
export function parseDay(text: string | undefined | null): string | null {
  const match = DAY_PATTERN.exec(text ?? '');
  if (!match) return null;
  const date = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) return null;
  const year = Number(match[1]);
  return year >= 2000 && year <= 2999 ? text! : null;
}

/** Minutes east of UTC in `timeZone` at `instant` (60 for Tunisia, which keeps no summer time). */
export function zoneOffsetMinutes(instant: Date, timeZone = TIME_ZONE): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

/** The instant a local day starts, as ISO UTC text comparable with created_at. */
export function dayStartIso(day: string, timeZone = TIME_ZONE): string {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  const offset = zoneOffsetMinutes(new Date(utcMidnight), timeZone);
  return new Date(utcMidnight - offset * 60_000).toISOString();
}

export function addDaysToDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The local calendar day of an instant, YYYY-MM-DD. */
export function localDay(instant: Date | string, timeZone = TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

export type Period = { from: string | null; to: string | null };

/** Both ends checked; reversed ends are put back in order rather than refused. */
export function normalizePeriod(from: string | null | undefined, to: string | null | undefined): Period {
  let start = parseDay(from);
  let end = parseDay(to);
  if (start && end && start > end) [start, end] = [end, start];
  return { from: start, to: end };
}

function periodBounds(period: Period): Pick<PublicComplaintFilter, 'createdFrom' | 'createdBefore'> {
  return {
    ...(period.from ? { createdFrom: dayStartIso(period.from) } : {}),
    ...(period.to ? { createdBefore: dayStartIso(addDaysToDay(period.to, 1)) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Filters

/** "open" and "finished" group statuses; the others are one status each. */
export const STATUS_FILTERS = ['open', 'finished', ...COMPLAINT_STATUSES] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export type PublicListFilters = {
  category?: number;
  status?: StatusFilter;
  /** A neighbourhood id, or "none" for complaints placed in none. */
  neighbourhood?: number | 'none';
  from?: string;
  to?: string;
};

function statusesOf(filter: StatusFilter | undefined): readonly ComplaintStatus[] | undefined {
  if (filter === undefined) return undefined;
  if (filter === 'open') return OPEN_STATUSES;
  if (filter === 'finished') return FINISHED_STATUSES;
  return [filter];
}

export function toRepositoryFilter(municipalityId: number, filters: PublicListFilters): PublicComplaintFilter {
  const period = normalizePeriod(filters.from, filters.to);
  return {
    municipalityId,
    ...(filters.category !== undefined ? { categoryId: filters.category } : {}),
    ...(filters.status !== undefined ? { statuses: statusesOf(filters.status) } : {}),
    ...(filters.neighbourhood !== undefined ? { neighbourhoodId: filters.neighbourhood === 'none' ? null : filters.neighbourhood } : {}),
    ...periodBounds(period),
  };
}

// ---------------------------------------------------------------------------------------------
// Reference data: category and neighbourhood names, loaded once per page (no query per row).

export type PublicCategoryOption = { id: number; code: string; name: TrilingualName; sensitive: boolean; active: boolean };
export type PublicNeighbourhoodOption = { id: number; name: TrilingualName };
export type PublicReference = { categories: PublicCategoryOption[]; neighbourhoods: PublicNeighbourhoodOption[] };

const names = (row: { name_ar: string; name_fr: string; name_en: string }): TrilingualName => ({ ar: row.name_ar, fr: row.name_fr, en: row.name_en });

/** Every category (old complaints may be in one that was since deactivated) and neighbourhood. */
export async function loadPublicReference(db: Db, municipalityId: number): Promise<PublicReference> {
  const [categories, neighbourhoods] = await Promise.all([
    listCategories(db, { municipalityId, includeInactive: true }),
    listNeighbourhoods(db, municipalityId),
  ]);
  return {
    categories: categories.map((c) => ({ id: c.id, code: c.code, name: c.name, sensitive: c.sensitive, active: c.active })),
    neighbourhoods: neighbourhoods.map((n) => ({ id: n.id, name: names(n) })),
  };
}

// ---------------------------------------------------------------------------------------------
// The list

export type PublicComplaintSummary = {
  trackingNumber: string;
  category: { id: number; code: string; name: TrilingualName } | null;
  neighbourhood: PublicNeighbourhoodOption | null;
  status: ComplaintStatus;
  createdAt: string;
  /** People who said "me too" (the reporter not counted). */
  followerCount: number;
};

function summarize(rows: PublicListRow[], reference: PublicReference): PublicComplaintSummary[] {
  const categories = new Map(reference.categories.map((c) => [c.id, c]));
  const neighbourhoods = new Map(reference.neighbourhoods.map((n) => [n.id, n]));
  return rows.map((row) => {
    const category = categories.get(row.category_id);
    return {
      trackingNumber: row.tracking_number,
      category: category ? { id: category.id, code: category.code, name: category.name } : null,
      neighbourhood: row.neighbourhood_id !== null ? (neighbourhoods.get(row.neighbourhood_id) ?? null) : null,
      status: row.status,
      createdAt: row.created_at,
      followerCount: Number(row.follower_count),
    };
  });
}

const CURSOR_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)_(\d{1,15})$/;

/** "2026-03-01T09:30:00.000Z_1234": readable, and safe in a query string. */
export function encodeCursor(cursor: ListCursor): string {
  return `${cursor.createdAt}_${cursor.id}`;
}

export function decodeCursor(text: string | undefined | null): ListCursor | null {
  const match = CURSOR_PATTERN.exec(text ?? '');
  return match ? { createdAt: match[1]!, id: Number(match[2]) } : null;
}

export const PUBLIC_PAGE_SIZE = 25;

export type ListPublicComplaintsOptions = {
  municipalityId: number;
  filters: PublicListFilters;
  /** Show complaints older than this one. */
  after?: ListCursor | null;
  /** Show complaints newer than this one. */
  before?: ListCursor | null;
  pageSize?: number;
  /** Names already loaded (the routes keep them a little while); loaded here otherwise. */
  reference?: PublicReference;
};

export type PublicComplaintPage = {
  items: PublicComplaintSummary[];
  /** For the "older" link; null on the last page. */
  olderCursor: string | null;
  /** For the "newer" link; null on the first page. */
  newerCursor: string | null;
  reference: PublicReference;
};

/** One page of the public list, newest first. */
export async function listPublicComplaints(db: Db, options: ListPublicComplaintsOptions): Promise<PublicComplaintPage> {
  const pageSize = Math.min(Math.max(options.pageSize ?? PUBLIC_PAGE_SIZE, 1), 100);
  const filter = toRepositoryFilter(options.municipalityId, options.filters);
  const before = options.before ?? undefined;
  const after = before ? undefined : (options.after ?? undefined);
  const [rows, reference] = await Promise.all([
    listPublicComplaintRows(db, { filter, after, before, limit: pageSize + 1 }),
    options.reference ?? loadPublicReference(db, options.municipalityId),
  ]);
  // One row more than shown tells whether the list goes on in the direction we walked.
  const more = rows.length > pageSize;
  // Walking back reached the newest complaints: show the first page, full, as a fresh visit would.
  if (before && !more) return listPublicComplaints(db, { ...options, before: null, after: null });
  const page = before ? rows.slice(rows.length - Math.min(rows.length, pageSize)) : rows.slice(0, pageSize);
  const first = page[0];
  const last = page[page.length - 1];
  const cursorOf = (row: PublicListRow) => encodeCursor({ createdAt: row.created_at, id: row.id });
  return {
    items: summarize(page, reference),
    olderCursor: last && (before ? true : more) ? cursorOf(last) : null,
    newerCursor: first && (before ? more : after !== undefined) ? cursorOf(first) : null,
    reference,
  };
}

// ---------------------------------------------------------------------------------------------
// The map without JavaScript: complaints grouped by neighbourhood

export type NeighbourhoodGroup = {
  /** null: complaints placed in no neighbourhood. */
  neighbourhood: PublicNeighbourhoodOption | null;
  count: number;
  /** The newest few; the list page, filtered by neighbourhood, has them all. */
  items: PublicComplaintSummary[];
};

export type GetPublicMapGroupsOptions = { municipalityId: number; filters: PublicListFilters; perGroup?: number; reference?: PublicReference };

/** Neighbourhoods in the municipality's order, each with its count and newest complaints. */
export async function getPublicMapGroups(db: Db, options: GetPublicMapGroupsOptions): Promise<{ groups: NeighbourhoodGroup[]; total: number; reference: PublicReference }> {
  const filter = toRepositoryFilter(options.municipalityId, options.filters);
  const [counts, reference] = await Promise.all([
    countPublicComplaintsByNeighbourhood(db, filter),
    options.reference ?? loadPublicReference(db, options.municipalityId),
  ]);
  const countOf = new Map(counts.map((c) => [c.neighbourhood_id, c.count]));
  const order: (number | null)[] = [...reference.neighbourhoods.map((n) => n.id), null].filter((id) => (countOf.get(id) ?? 0) > 0);
  // Complaints whose neighbourhood was deleted since count as placed in none.
  const known = new Set(reference.neighbourhoods.map((n) => n.id));
  const orphans = counts.filter((c) => c.neighbourhood_id !== null && !known.has(c.neighbourhood_id)).reduce((sum, c) => sum + c.count, 0);
  const rows = await listRecentPublicComplaintsPerNeighbourhood(db, filter, order, options.perGroup ?? 5);
  const items = summarize(rows, reference);
  const groups = order.map((id) => ({
    neighbourhood: id === null ? null : reference.neighbourhoods.find((n) => n.id === id)!,
    count: (countOf.get(id) ?? 0) + (id === null ? orphans : 0),
    items: items.filter((item) => (item.neighbourhood?.id ?? null) === id),
  }));
  return { groups, total: counts.reduce((sum, c) => sum + c.count, 0), reference };
}

// ---------------------------------------------------------------------------------------------
// The map's GeoJSON

/** At most this many points: the newest. Enough for a town map on a phone, small enough to be quick. */
export const MAP_FEATURE_LIMIT = 500;

export type PublicFeature = {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    tracking: string;
    url: string;
    category: string | null;
    categoryCode: string | null;
    status: ComplaintStatus;
    statusLabel: string;
    neighbourhood: string | null;
    createdAt: string;
    followers: number;
    /** True when the point is the centre of a ~500 m square (sensitive categories). */
    approximate: boolean;
  };
};

export type PublicFeatureCollection = {
  type: 'FeatureCollection';
  features: PublicFeature[];
  /** True when more complaints matched than were sent (only the newest are). */
  truncated: boolean;
};

export type GetPublicFeaturesOptions = { municipalityId: number; filters: PublicListFilters; locale: Locale; limit?: number; reference?: PublicReference };

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** The newest matching complaints that have a point, as GeoJSON with public properties only. */
export async function getPublicComplaintFeatures(db: Db, options: GetPublicFeaturesOptions): Promise<PublicFeatureCollection> {
  const limit = Math.min(Math.max(options.limit ?? MAP_FEATURE_LIMIT, 1), MAP_FEATURE_LIMIT);
  const filter = toRepositoryFilter(options.municipalityId, options.filters);
  const [rows, reference] = await Promise.all([
    listPublicComplaintPoints(db, filter, limit + 1),
    options.reference ?? loadPublicReference(db, options.municipalityId),
  ]);
  const categories = new Map(reference.categories.map((c) => [c.id, c]));
  const neighbourhoods = new Map(reference.neighbourhoods.map((n) => [n.id, n]));
  const statusLabels = new Map(COMPLAINT_STATUSES.map((s) => [s, translate(options.locale, `complaints.status.${s}`)]));
  const features = rows.slice(0, limit).map((row): PublicFeature => {
    const category = categories.get(row.category_id);
    // Unknown category: treat as sensitive rather than risk showing a house.
    const sensitive = category?.sensitive ?? true;
    const point = sensitive ? approximatePoint({ lat: row.latitude, lng: row.longitude }) : { lat: round(row.latitude, 5), lng: round(row.longitude, 5) };
    const neighbourhood = row.neighbourhood_id !== null ? neighbourhoods.get(row.neighbourhood_id) : undefined;
    return {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [point.lng, point.lat] },
      properties: {
        tracking: row.tracking_number,
        url: complaintFollowPath(options.locale, row.tracking_number),
        category: category ? localName({ name_ar: category.name.ar, name_fr: category.name.fr, name_en: category.name.en }, options.locale) : null,
        categoryCode: category?.code ?? null,
        status: row.status,
        statusLabel: statusLabels.get(row.status) ?? row.status,
        neighbourhood: neighbourhood ? localName({ name_ar: neighbourhood.name.ar, name_fr: neighbourhood.name.fr, name_en: neighbourhood.name.en }, options.locale) : null,
        createdAt: row.created_at,
        followers: Number(row.follower_count),
        approximate: sensitive,
      },
    };
  });
  return { type: 'FeatureCollection', features, truncated: rows.length > limit };
}

/** The local day `months - 1` months before today's month began: the default start of "the last N months". */
export function monthsAgoStart(months: number, now = new Date()): string {
  const today = localDay(now);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)) - (months - 1);
  const start = new Date(Date.UTC(year, month - 1, 1));
  return start.toISOString().slice(0, 10);
}
