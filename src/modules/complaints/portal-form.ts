// The complaint form over HTTP: reading what the browser sent (multipart with photos, or a
// plain form from the "nearby complaints" step), and naming fields the way the form does.
//
// Multipart bodies are read here, in the handler, field by field: a photo that is too big is
// cut off by the parser and reported, and the rest of the form is still read, so the page that
// comes back keeps everything the citizen typed.
import type { FastifyRequest } from 'fastify';
import { formValues, type FormValues } from '../../http/forms.ts';
import { CSRF_FIELD } from '../../http/csrf.ts';
import type { FieldError, FieldErrors } from '../../lib/errors.ts';
import type { RawAnswers } from './categories.service.ts';
import { PORTAL_PHOTO_LIMITS, type Upload } from './portal-photos.ts';

/** The form's own field names (short, without dots, so that ids work as CSS selectors too). */
export const QUESTION_PREFIX = 'q_';
export const PHOTOS_FIELD = 'photos';
export const KEPT_PHOTOS_FIELD = 'kept_photos';

/** Limits of the multipart parser for this form; photos as in PORTAL_PHOTO_LIMITS. */
export const MULTIPART_LIMITS = {
  fileSize: PORTAL_PHOTO_LIMITS.maxBytes,
  files: PORTAL_PHOTO_LIMITS.readFiles,
  // Long enough that a too-long description is reported as such rather than cut.
  fieldSize: 64 * 1024,
  fields: 200,
  parts: 250,
  headerPairs: 100,
};

export type Submission = {
  values: FormValues;
  csrfToken: string | undefined;
  uploads: Upload[];
  /** Files chosen, counting those beyond the limit. */
  photoCount: number;
  /** Problems found while reading: too many or too big photos, a body over the limits. */
  errors: FieldErrors;
};

function append(values: FormValues, name: string, value: string): void {
  const existing = values[name];
  if (existing === undefined) values[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else values[name] = [existing, value];
}

const tooMany: FieldError = { key: 'complaints.photo.too_many', values: { max: PORTAL_PHOTO_LIMITS.maxFiles } };
const tooBig: FieldError = { key: 'complaints.photo.too_big', values: { max: Math.floor(PORTAL_PHOTO_LIMITS.maxBytes / (1024 * 1024)) } };

/** Reads the posted form, multipart or not. Never throws for what a person can fix. */
export async function readSubmission(request: FastifyRequest): Promise<Submission> {
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const token = body[CSRF_FIELD];
    return { values: formValues(body), csrfToken: typeof token === 'string' ? token : undefined, uploads: [], photoCount: 0, errors: {} };
  }
  const values: FormValues = {};
  const uploads: Upload[] = [];
  const errors: FieldErrors = {};
  let csrfToken: string | undefined;
  let photoCount = 0;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        // Read to the end whatever it is: the parser stops at the size limit and marks it truncated.
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        const data = Buffer.concat(chunks);
        if (part.fieldname !== PHOTOS_FIELD) continue;
        // An empty file input is sent as a part with no name and no content.
        if (!part.filename && data.length === 0) continue;
        photoCount += 1;
        if (photoCount > PORTAL_PHOTO_LIMITS.maxFiles) continue;
        if (part.file.truncated) errors.photos ??= tooBig;
        else uploads.push({ filename: part.filename, data });
      } else if (part.fieldname === CSRF_FIELD) {
        csrfToken = String(part.value);
      } else {
        append(values, part.fieldname, String(part.value));
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') photoCount = Math.max(photoCount, PORTAL_PHOTO_LIMITS.readFiles + 1);
    else if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PROTO_VIOLATION') errors._form = 'errors.payload_too_large';
    else throw error;
  }
  if (photoCount > PORTAL_PHOTO_LIMITS.maxFiles) errors.photos = tooMany;
  return { values, csrfToken, uploads, photoCount, errors };
}

export function textOf(values: FormValues, name: string): string {
  const value = values[name];
  return (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
}

/** A positive whole number typed in a field, or null. */
export function idOf(values: FormValues, name: string): number | null {
  const text = textOf(values, name);
  return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : null;
}

/** The answers to a category's questions, by question code, as the service reads them. */
export function answersOf(values: FormValues): RawAnswers {
  const answers: RawAnswers = {};
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith(QUESTION_PREFIX)) answers[name.slice(QUESTION_PREFIX.length)] = value;
  }
  return answers;
}

const SERVICE_FIELDS: Record<string, string> = {
  categoryId: 'category',
  'location.neighbourhoodId': 'neighbourhood',
  'location.address': 'address',
  'contact.name': 'name',
  'contact.phone': 'phone',
  'contact.email': 'email',
};

/** The service's field names ("contact.phone", "answers.pole") as the form's ("phone", "q_pole"). */
export function formFieldErrors(fields: FieldErrors): FieldErrors {
  const mapped: FieldErrors = {};
  for (const [field, error] of Object.entries(fields)) {
    const name = field.startsWith('answers.') ? `${QUESTION_PREFIX}${field.slice('answers.'.length)}` : (SERVICE_FIELDS[field] ?? field);
    mapped[name] ??= error;
  }
  return mapped;
}
