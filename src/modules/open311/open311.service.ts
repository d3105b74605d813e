// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): the municipality's complaint categories
// as "services", its complaints as "service requests", and filing a complaint from another
// application with an API key. The answers are plain data in the specification's shape
// (open311.format.ts writes them as JSON or XML); problems are Open311Error with message keys,
// translated by the routes.
//
// What GET answers show is what the public complaint page shows (reading.service.ts): the
// moderated text, no name, phone, e-mail or account, and for sensitive categories a point moved
// to the centre of a ~500 m square, no address and no photo. Open311 lists up to 1000
// complaints at once, so the rows are read in a few batched queries (open311.repository.ts)
// rather than through the one-complaint view; open311.test.ts checks both give the same.
import { LOCALES, type Locale } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { type MessageValues, translate } from '../../i18n/i18n.ts';
import { AppError, type FieldError, isAppError } from '../../lib/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { checkApiKey } from '../complaints/api-keys.service.ts';
import { type Category, listCategories, type RawAnswers, validateAnswers } from '../complaints/categories.service.ts';
import { ADDRESS_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, isOpen, normalizeTrackingNumber, OPEN_STATUSES, FINISHED_STATUSES } from '../complaints/complaints.ts';
import { approximatePoint } from '../complaints/location.ts';
import { processPhoto, storePhoto, type StoredPhoto } from '../complaints/photos.ts';
import { publicPhotoPath } from '../complaints/portal-photos.ts';
import { isInsideArea, loadMunicipalityArea, submitComplaint } from '../complaints/submission.service.ts';
import { listDepartments, listMunicipalities } from '../municipalities/municipalities.repository.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { MediaError } from './media.ts';
import { type Open311Value, open311DateTime, parseOpen311DateTime } from './open311.format.ts';
import {
  firstPublicPhotoKeys,
  latestPublicNotes,
  listNeighbourhoodNames,
  listOpen311Rows,
  listOpen311RowsByTracking,
  type Open311Row,
} from './open311.repository.ts';

export const SPECIFICATION_URL = 'http://wiki.open311.org/GeoReport_v2';
/** The specification's limits for GET requests. */
export const MAX_RANGE_DAYS = 90;
export const MAX_RESULTS = 1000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Problems

export type Open311Status = 400 | 403 | 404 | 413 | 429;

/** One entry of the specification's error list: a message key, and the parameter it is about. */
export type Open311Problem = { status: Open311Status; key: string; values?: MessageValues; param?: string };

export class Open311Error extends Error {
  constructor(readonly problems: Open311Problem[]) {
    super(problems.map((p) => (p.param ? `${p.param}: ${p.key}` : p.key)).join('; '));
    this.name = 'Open311Error';
  }

  /** The HTTP status: the most serious problem's (403 before 404 before 400). */
  get status(): Open311Status {
    const order: Open311Status[] = [403, 413, 429, 404, 400];
    return order.find((s) => this.problems.some((p) => p.status === s)) ?? 400;
  }
}

function fail(status: Open311Status, key: string, values?: MessageValues, param?: string): never {
  throw new Open311Error([{ status, key, ...(values ? { values } : {}), ...(param ? { param } : {}) }]);
}

function fieldProblem(param: string, error: FieldError): Open311Problem {
  return typeof error === 'string' ? { status: 400, key: error, param } : { status: 400, key: error.key, values: error.values, param };
}

// ---------------------------------------------------------------------------------------------
// Parameters as they arrive: a query string or a form, where a name may repeat.

export type Open311Params = Record<string, unknown>;

/** The value of a single-valued parameter; empty counts as absent (the specification's "optional"). */
function single(params: Open311Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const present = value.filter((v) => typeof v === 'string' && v.trim() !== '');
    if (present.length > 1) fail(400, 'open311.error.repeated', undefined, name);
    return present[0] === undefined ? undefined : String(present[0]).trim();
  }
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

/** A comma-separated list that may also be given several times. */
function list(params: Open311Params, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return parts.length ? parts : undefined;
}

// ---------------------------------------------------------------------------------------------
// Jurisdictions: jurisdiction_id is a municipality's slug ("kef").

export type JurisdictionDirectory = {
  /**
   * The municipality a request is for. With several municipalities on this server the
   * specification makes jurisdiction_id required; with one it is optional but must match.
   */
  resolve(jurisdictionId: string | undefined): Promise<MunicipalityRow>;
};

/** Municipalities change rarely: the list is kept for `ttlMs`, as the host-name resolver does. */
export function createJurisdictionDirectory(db: Db, ttlMs = 30_000): JurisdictionDirectory {
  let cache: { at: number; bySlug: Map<string, MunicipalityRow> } | undefined;
  return {
    async resolve(jurisdictionId) {
      if (!cache || Date.now() - cache.at > ttlMs) {
        cache = { at: Date.now(), bySlug: new Map((await listMunicipalities(db)).map((m) => [m.slug, m])) };
      }
      const id = jurisdictionId?.trim() || undefined;
      if (id === undefined) {
        if (cache.bySlug.size === 1) return [...cache.bySlug.values()][0]!;
        fail(400, 'open311.error.jurisdiction_required', undefined, 'jurisdiction_id');
      }
      const found = cache.bySlug.get(id.toLowerCase());
      if (!found) fail(404, 'open311.error.jurisdiction_unknown', { id }, 'jurisdiction_id');
      return found;
    },
  };
}

export function jurisdictionParam(params: Open311Params): string | undefined {
  return single(params, 'jurisdiction_id');
}

/** The language of names and messages: `locale`, else Accept-Language, else the default. */
export function open311Locale(params: Open311Params, acceptLanguage: string | undefined, fallback: Locale): Locale {
  const asked = single(params, 'locale');
  if (asked !== undefined) {
    const tag = asked.slice(0, 2).toLowerCase();
    if (!(LOCALES as readonly string[]).includes(tag) || !/^[a-zA-Z]{2}([-_][a-zA-Z0-9]+)*$/.test(asked)) fail(400, 'open311.error.locale_invalid', undefined, 'locale');
    return tag as Locale;
  }
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
    if (tag && (LOCALES as readonly string[]).includes(tag)) return tag as Locale;
  }
  return fallback;
}

// ---------------------------------------------------------------------------------------------
// Services: the catalogue's categories

const pick = (name: TrilingualName, locale: Locale) => name[locale] || name.fr || name.ar;

function groupName(category: Category, locale: Locale): string | null {
  if (!category.groupCode) return null;
  const key = `complaints.group.${category.groupCode}`;
  const name = translate(locale, key);
  return name === key ? category.groupCode : name;
}

function serviceValue(category: Category, locale: Locale): Open311Value {
  // Other languages' names are the synonyms people of a trilingual town search with.
  const others = LOCALES.filter((l) => l !== locale).map((l) => category.name[l].replace(/,/g, ' ').trim());
  return {
    service_code: category.code,
    service_name: pick(category.name, locale),
    description: category.description ? pick(category.description, locale) : '',
    metadata: category.questions.length > 0,
    type: 'realtime',
    keywords: [...new Set(others.filter(Boolean))].join(', '),
    group: groupName(category, locale),
  };
}

export async function listServices(db: Db, options: { municipality: MunicipalityRow; locale: Locale }): Promise<Open311Value> {
  const categories = await listCategories(db, { municipalityId: options.municipality.id });
  return categories.map((c) => serviceValue(c, options.locale));
}

const DATATYPES = { text: 'string', number: 'number', date: 'datetime', single: 'singlevaluelist', multiple: 'multivaluelist' } as const;

async function findService(db: Db, municipalityId: number, serviceCode: string, options: { includeInactive: boolean }): Promise<Category | undefined> {
  const categories = await listCategories(db, { municipalityId, includeInactive: options.includeInactive });
  return categories.find((c) => c.code === serviceCode);
}

export async function getServiceDefinition(
  db: Db,
  options: { municipality: MunicipalityRow; locale: Locale; serviceCode: string },
): Promise<Open311Value> {
  const category = await findService(db, options.municipality.id, options.serviceCode, { includeInactive: false });
  if (!category) fail(404, 'open311.error.service_code_unknown', { code: options.serviceCode }, 'service_code');
  const t = (key: string, values?: MessageValues) => translate(options.locale, key, values);
  return {
    service_code: category.code,
    attributes: category.questions.map((question, index) => {
      const datatype = DATATYPES[question.kind];
      const choices = question.kind === 'single' || question.kind === 'multiple';
      return {
        variable: true,
        code: question.code,
        datatype,
        required: question.required,
        datatype_description: t(`open311.datatype.${datatype}`, { max: 500 }),
        order: index + 1,
        description: pick(question.label, options.locale),
        ...(choices ? { values: question.options.map((o) => ({ key: o.value, name: pick(o.label, options.locale) })) } : {}),
      };
    }),
  };
}

/** When the catalogue last changed, for the discovery document's changeset. */
export async function catalogueChangeset(db: Db, municipalityId: number): Promise<string> {
  const categories = await listCategories(db, { municipalityId, includeInactive: true });
  const latest = categories.map((c) => c.version).sort().pop();
  return latest ? open311DateTime(latest) : open311DateTime(new Date(0).toISOString());
}

// ---------------------------------------------------------------------------------------------
// Service requests: complaints as the public sees them

type RequestContext = {
  locale: Locale;
  categories: Map<number, Category>;
  departments: Map<number, TrilingualName>;
  neighbourhoods: Map<number, TrilingualName>;
  photos: Map<number, string>;
  notes: Map<number, string>;
  /** "https://kef.twiza.tn", for absolute photo addresses. */
  baseUrl: string;
};

function requestValue(row: Open311Row, ctx: RequestContext): Open311Value {
  const category = ctx.categories.get(row.category_id);
  // A category we cannot read is treated as sensitive: hiding too much is the safe mistake.
  const sensitive = category?.sensitive ?? true;
  const exact = row.latitude !== null && row.longitude !== null ? { lat: row.latitude, lng: row.longitude } : null;
  const point = exact && sensitive ? approximatePoint(exact) : exact;
  const neighbourhood = row.neighbourhood_id !== null ? ctx.neighbourhoods.get(row.neighbourhood_id) : undefined;
  const address = [sensitive ? null : row.address_text, neighbourhood ? pick(neighbourhood, ctx.locale) : null].filter(Boolean).join(', ');
  const department = row.department_id !== null ? ctx.departments.get(row.department_id) : undefined;
  const photo = sensitive ? undefined : ctx.photos.get(row.id);
  return {
    service_request_id: row.tracking_number,
    status: isOpen(row.status) ? 'open' : 'closed',
    status_notes: ctx.notes.get(row.id) ?? null,
    service_name: category ? pick(category.name, ctx.locale) : null,
    service_code: category?.code ?? null,
    description: row.description_public ?? row.description,
    agency_responsible: department ? pick(department, ctx.locale) : null,
    service_notice: null,
    requested_datetime: open311DateTime(row.created_at),
    updated_datetime: open311DateTime(row.updated_at),
    expected_datetime: open311DateTime(row.resolve_due_at),
    address: address || null,
    address_id: row.neighbourhood_id !== null ? String(row.neighbourhood_id) : null,
    lat: point ? point.lat : null,
    long: point ? point.lng : null,
    media_url: photo ? `${ctx.baseUrl}${publicPhotoPath(row.tracking_number, photo)}` : null,
  };
}

async function requestValues(db: Db, municipality: MunicipalityRow, locale: Locale, baseUrl: string, rows: Open311Row[]): Promise<Open311Value[]> {
  const ids = rows.map((r) => r.id);
  const [categories, departments, neighbourhoods, photos, notes] = await Promise.all([
    listCategories(db, { municipalityId: municipality.id, includeInactive: true }),
    listDepartments(db, municipality.id),
    listNeighbourhoodNames(db, municipality.id),
    firstPublicPhotoKeys(db, municipality.id, ids),
    latestPublicNotes(db, municipality.id, ids),
  ]);
  const names = (r: { name_ar: string; name_fr: string; name_en: string }): TrilingualName => ({ ar: r.name_ar, fr: r.name_fr, en: r.name_en });
  const ctx: RequestContext = {
    locale,
    categories: new Map(categories.map((c) => [c.id, c])),
    departments: new Map(departments.map((d) => [d.id, names(d)])),
    neighbourhoods: new Map(neighbourhoods.map((n) => [n.id, names(n)])),
    photos,
    notes,
    baseUrl,
  };
  return rows.map((row) => requestValue(row, ctx));
}

export type ListRequestsOptions = {
  municipality: MunicipalityRow;
  locale: Locale;
  params: Open311Params;
  baseUrl: string;
  /** The present, for the default 90 days; tests pass their own. */
  now?: number;
};

function dateParam(params: Open311Params, name: string): number | undefined {
  const text = single(params, name);
  if (text === undefined) return undefined;
  const ms = parseOpen311DateTime(text);
  if (ms === null) fail(400, 'open311.error.date_invalid', undefined, name);
  return ms;
}

/** GET requests: the standard filters, newest first, at most 1000. */
export async function listRequests(db: Db, options: ListRequestsOptions): Promise<Open311Value> {
  const { municipality, params } = options;
  const ids = list(params, 'service_request_id');
  if (ids) {
    // The specification: service_request_id overrides every other argument.
    if (ids.length > MAX_RESULTS) fail(400, 'open311.error.too_many_ids', { max: MAX_RESULTS }, 'service_request_id');
    const numbers = ids.map((id) => {
      const number = normalizeTrackingNumber(id);
      if (!number) fail(400, 'open311.error.request_id_invalid', { id }, 'service_request_id');
      return number;
    });
    const rows = await listOpen311RowsByTracking(db, municipality.id, [...new Set(numbers)]);
    return requestValues(db, municipality, options.locale, options.baseUrl, rows);
  }

  const problems: Open311Problem[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof Open311Error)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const start = attempt(() => dateParam(params, 'start_date'));
  const end = attempt(() => dateParam(params, 'end_date'));
  const statusList = attempt(() => list(params, 'status'));
  const codes = attempt(() => list(params, 'service_code'));
  const wanted = new Set(statusList?.map((s) => s.toLowerCase()) ?? []);
  if ([...wanted].some((s) => s !== 'open' && s !== 'closed')) problems.push({ status: 400, key: 'open311.error.status_invalid', param: 'status' });
  if (start !== undefined && end !== undefined) {
    if (end < start) problems.push({ status: 400, key: 'open311.error.date_order', param: 'end_date' });
    else if (end - start > MAX_RANGE_DAYS * DAY_MS) problems.push({ status: 400, key: 'open311.error.date_range', values: { days: MAX_RANGE_DAYS }, param: 'end_date' });
  }
  let categoryIds: number[] | undefined;
  if (codes) {
    // Codes of retired categories still find their old complaints.
    const categories = await listCategories(db, { municipalityId: municipality.id, includeInactive: true });
    const byCode = new Map(categories.map((c) => [c.code, c.id]));
    const unknown = codes.filter((code) => !byCode.has(code));
    for (const code of unknown) problems.push({ status: 404, key: 'open311.error.service_code_unknown', values: { code }, param: 'service_code' });
    categoryIds = [...new Set(codes.flatMap((code) => (byCode.has(code) ? [byCode.get(code)!] : [])))];
  }
  if (problems.length > 0) throw new Open311Error(problems);

  // Without dates: the last 90 days. With one end: 90 days from it.
  const now = options.now ?? Date.now();
  const to = end ?? (start !== undefined ? start + MAX_RANGE_DAYS * DAY_MS : now);
  const from = start ?? to - MAX_RANGE_DAYS * DAY_MS;
  const statuses = wanted.size === 1 ? (wanted.has('open') ? OPEN_STATUSES : FINISHED_STATUSES) : undefined;
  const rows = await listOpen311Rows(db, {
    municipalityId: municipality.id,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    ...(categoryIds ? { categoryIds } : {}),
    ...(statuses ? { statuses } : {}),
    limit: MAX_RESULTS,
  });
  return requestValues(db, municipality, options.locale, options.baseUrl, rows);
}

/** GET requests/{id}: a list of one, as the specification shapes it. */
export async function getRequest(
  db: Db,
  options: { municipality: MunicipalityRow; locale: Locale; serviceRequestId: string; baseUrl: string },
): Promise<Open311Value> {
  const number = normalizeTrackingNumber(options.serviceRequestId);
  const rows = number ? await listOpen311RowsByTracking(db, options.municipality.id, [number]) : [];
  if (rows.length === 0) fail(404, 'open311.error.request_unknown', { id: options.serviceRequestId }, 'service_request_id');
  return requestValues(db, options.municipality, options.locale, options.baseUrl, rows);
}

/**
 * GET tokens/{token}. Our services are "realtime": POST answers with the service_request_id
 * itself and never a token. A client that asks anyway with what it was given (the tracking
 * number) gets it back as its own token; anything else is not found.
 */
export async function getToken(db: Db, options: { municipality: MunicipalityRow; token: string }): Promise<Open311Value> {
  const number = normalizeTrackingNumber(options.token);
  const rows = number ? await listOpen311RowsByTracking(db, options.municipality.id, [number]) : [];
  if (rows.length === 0) fail(404, 'open311.error.token_unknown', { token: options.token }, 'token');
  return [{ service_request_id: rows[0]!.tracking_number, token: options.token }];
}

// ---------------------------------------------------------------------------------------------
// POST requests: filing a complaint

export type SubmitRequestOptions = {
  municipality: MunicipalityRow;
  locale: Locale;
  params: Open311Params;
  dataDir: string;
  /** The site's address for links in messages ("https://kef.twiza.tn"). */
  publicUrl: string | undefined;
  countryCode: string;
  /** Fetches media_url (media.ts); absent, a media_url is refused. */
  fetchMedia?: (url: string) => Promise<Buffer>;
  boundaryRadiusMeters?: number;
};

const NUMBER_PATTERN = /^[+-]?\d{1,3}(\.\d{1,15})?$/;
const ATTRIBUTE_PATTERN = /^attribute\[([^\]]*)\](\[\])?$/;

/** Where submitComplaint's field errors belong among Open311's parameters. */
function paramOfField(field: string): string {
  if (field.startsWith('answers.')) return `attribute[${field.slice('answers.'.length)}]`;
  const params: Record<string, string> = {
    description: 'description',
    'contact.name': 'first_name',
    'contact.phone': 'phone',
    'contact.email': 'email',
    location: 'lat',
    'location.address': 'address_string',
    'location.neighbourhoodId': 'address_id',
    categoryId: 'service_code',
    photos: 'media_url',
  };
  return params[field] ?? field;
}

function problemsOf(error: AppError): Open311Problem[] {
  const entries = Object.entries(error.fields);
  if (entries.length === 0) return [{ status: 400, key: `errors.${error.code}` }];
  return entries.map(([field, fieldError]) => fieldProblem(paramOfField(field), fieldError));
}

function readAttributes(params: Open311Params, category: Category, problems: Open311Problem[]): RawAnswers {
  const raw: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(params)) {
    const match = ATTRIBUTE_PATTERN.exec(name);
    if (!match) continue;
    const code = match[1]!;
    const question = category.questions.find((q) => q.code === code);
    if (!question) {
      problems.push({ status: 400, key: 'open311.error.attribute_unknown', param: name });
      continue;
    }
    const values = (Array.isArray(value) ? value : [value]).map((v) => String(v));
    // datatype "datetime": clients send a full date-time; the question keeps the day, in El Kef.
    const days = question.kind === 'date' ? values.map((v) => (/T/.test(v) && parseOpen311DateTime(v.trim()) !== null ? open311DateTime(new Date(parseOpen311DateTime(v.trim())!).toISOString()).slice(0, 10) : v)) : values;
    raw[code] = [...(raw[code] ?? []), ...days];
  }
  return raw;
}

type Location = { lat?: number; lng?: number; address?: string; neighbourhoodId?: number };

function readLocation(params: Open311Params, problems: Open311Problem[]): Location {
  const lat = single(params, 'lat');
  const long = single(params, 'long');
  const address = single(params, 'address_string');
  const addressId = single(params, 'address_id');
  const location: Location = {};
  if ((lat === undefined) !== (long === undefined)) {
    problems.push({ status: 400, key: 'open311.error.lat_long_pair', param: lat === undefined ? 'lat' : 'long' });
  } else if (lat !== undefined && long !== undefined) {
    const latOk = NUMBER_PATTERN.test(lat) && Math.abs(Number(lat)) <= 90;
    const longOk = NUMBER_PATTERN.test(long) && Math.abs(Number(long)) <= 180;
    if (!latOk) problems.push({ status: 400, key: 'open311.error.lat_invalid', param: 'lat' });
    if (!longOk) problems.push({ status: 400, key: 'open311.error.long_invalid', param: 'long' });
    if (latOk && longOk) Object.assign(location, { lat: Number(lat), lng: Number(long) });
  }
  if (address !== undefined) {
    if (address.length > ADDRESS_MAX_LENGTH) problems.push({ status: 400, key: 'validation.too_long', values: { max: ADDRESS_MAX_LENGTH }, param: 'address_string' });
    else location.address = address;
  }
  if (addressId !== undefined) {
    // Our addressing system is the neighbourhood list (address_id in GET answers).
    if (!/^[1-9]\d{0,8}$/.test(addressId)) problems.push({ status: 400, key: 'open311.error.address_id_invalid', param: 'address_id' });
    else location.neighbourhoodId = Number(addressId);
  }
  const given = lat !== undefined || long !== undefined || address !== undefined || addressId !== undefined;
  if (!given) problems.push({ status: 400, key: 'open311.error.location_required', param: 'lat' });
  return location;
}

function collect(problems: Open311Problem[], read: () => string | undefined): string | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof Open311Error)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/** The answer's service_notice: what the municipality commits to for this kind of request. */
function serviceNotice(category: Category, locale: Locale): string {
  return translate(locale, 'open311.notice', { ack: category.ackDays, resolve: category.resolveDays });
}

/**
 * POST requests: checks the key, the service and every parameter (all problems at once), then
 * fetches the photo, then files the complaint (channel open311). Nothing is stored unless the
 * complaint is; a refused photo stores nothing either.
 */
export async function submitRequest(db: Db, options: SubmitRequestOptions): Promise<Open311Value> {
  const { municipality, params, locale } = options;
  const keyProblems: Open311Problem[] = [];
  const apiKey = collect(keyProblems, () => single(params, 'api_key'));
  if (keyProblems.length) throw new Open311Error(keyProblems.map((p) => ({ ...p, status: 403 })));
  const check = await checkApiKey(db, { municipalityId: municipality.id, key: apiKey });
  if (!check.ok) fail(403, `open311.error.api_key_${check.reason}`, undefined, 'api_key');
  const client = check.apiKey;

  const serviceCode = single(params, 'service_code');
  if (serviceCode === undefined) fail(400, 'open311.error.service_code_required', undefined, 'service_code');
  const category = await findService(db, municipality.id, serviceCode, { includeInactive: false });
  if (!category) fail(404, 'open311.error.service_code_unknown', { code: serviceCode }, 'service_code');

  const problems: Open311Problem[] = [];
  const location = readLocation(params, problems);
  const raw = readAttributes(params, category, problems);
  try {
    validateAnswers(category.questions, raw);
  } catch (error) {
    if (!isAppError(error, 'validation')) throw error;
    problems.push(...problemsOf(error));
  }
  const description = collect(problems, () => single(params, 'description'));
  if (description !== undefined && description.length > DESCRIPTION_MAX_LENGTH) {
    problems.push({ status: 400, key: 'validation.too_long', values: { max: DESCRIPTION_MAX_LENGTH }, param: 'description' });
  }
  const firstName = collect(problems, () => single(params, 'first_name'));
  const lastName = collect(problems, () => single(params, 'last_name'));
  const phone = collect(problems, () => single(params, 'phone'));
  const email = collect(problems, () => single(params, 'email'));
  const mediaUrl = collect(problems, () => single(params, 'media_url'));
  if (location.lat !== undefined && location.lng !== undefined) {
    const area = await loadMunicipalityArea(db, municipality, options.boundaryRadiusMeters);
    if (!isInsideArea(area, { lat: location.lat, lng: location.lng })) problems.push({ status: 400, key: 'complaints.location.outside', param: 'lat' });
  }
  if (problems.length > 0) throw new Open311Error(problems);

  // Only now, with everything else right, is the photo fetched.
  const photos: StoredPhoto[] = [];
  if (mediaUrl !== undefined) {
    if (!options.fetchMedia) fail(400, 'open311.media.network', undefined, 'media_url');
    let bytes: Buffer;
    try {
      bytes = await options.fetchMedia(mediaUrl);
    } catch (error) {
      if (error instanceof MediaError) fail(400, `open311.media.${error.reason}`, undefined, 'media_url');
      throw error;
    }
    try {
      const processed = await processPhoto(bytes);
      photos.push(await storePhoto({ dataDir: options.dataDir, municipalityId: municipality.id, photo: processed }));
    } catch (error) {
      if (isAppError(error, 'validation')) throw new Open311Error(problemsOf(error));
      throw error;
    }
  }

  const name = [firstName, lastName].filter(Boolean).join(' ') || null;
  try {
    const submitted = await submitComplaint(db, {
      municipality,
      channel: 'open311',
      locale,
      reporter: null,
      contact: { name, phone: phone ?? null, email: email ?? null },
      categoryId: category.id,
      // The specification makes the description optional; the service's name then says what it is.
      description: description ?? pick(category.name, locale),
      answers: raw,
      location,
      photos,
      publicUrl: options.publicUrl,
      countryCode: options.countryCode,
      boundaryRadiusMeters: options.boundaryRadiusMeters,
      // Which client filed it, kept with the complaint's own transaction: if a key is abused,
      // its complaints can be found after it is revoked. The log names the key, not the person.
      async withinTransaction(trx, complaint) {
        await recordAudit(trx, {
          municipalityId: municipality.id,
          actor: { userId: null, label: `api_key:${client.id}` },
          action: 'complaint.filed_by_api',
          entityType: 'complaint',
          entityId: complaint.id,
          after: { trackingNumber: complaint.tracking_number, apiKeyId: client.id, apiKeyPrefix: client.prefix },
        });
      },
    });
    return [{ service_request_id: submitted.trackingNumber, service_notice: serviceNotice(category, locale), account_id: null }];
  } catch (error) {
    if (isAppError(error, 'validation')) throw new Open311Error(problemsOf(error));
    throw error;
  }
}
