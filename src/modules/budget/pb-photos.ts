// Photos of citizens' proposals: reading the multipart form, processing the uploads (decoded and
// re-encoded by sharp, so no EXIF/GPS survives, see src/modules/complaints/photos.ts), writing
// them durably before the proposal's transaction, and the public addresses of the files.
//
// The files live beside the complaints' (DATA_DIR/uploads/complaints/<municipality>/), with the
// same key format; the complaints' orphan job keeps the files pb_photos refers to.
import type { FastifyRequest } from 'fastify';
import { CSRF_FIELD } from '../../http/csrf.ts';
import type { FormValues } from '../../http/forms.ts';
import { AppError, type FieldError, type FieldErrors } from '../../lib/errors.ts';
import { processPhoto, type ProcessedPhoto } from '../complaints/photos.ts';

export const PROPOSAL_MAX_PHOTOS = 3;
/** Per file as uploaded: a phone's full-size JPEG is 3–6 MB. */
export const PROPOSAL_PHOTO_MAX_BYTES = 8 * 1024 * 1024;
export const PHOTOS_FIELD = 'photos';

export const PROPOSAL_MULTIPART_LIMITS = {
  fileSize: PROPOSAL_PHOTO_MAX_BYTES,
  // A few more than allowed, so that choosing five photos gets "three at most" with the form kept.
  files: PROPOSAL_MAX_PHOTOS + 3,
  fieldSize: 64 * 1024,
  fields: 50,
  parts: 80,
  headerPairs: 100,
};

export type Upload = { filename: string; data: Buffer };

export type ProposalSubmission = {
  values: FormValues;
  csrfToken: string | undefined;
  uploads: Upload[];
  photoCount: number;
  errors: FieldErrors;
};

const tooMany: FieldError = { key: 'budget.proposals.photo.too_many', values: { max: PROPOSAL_MAX_PHOTOS } };
const tooBig: FieldError = { key: 'complaints.photo.too_big', values: { max: Math.floor(PROPOSAL_PHOTO_MAX_BYTES / (1024 * 1024)) } };

function append(values: FormValues, name: string, value: string): void {
  const existing = values[name];
  if (existing === undefined) values[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else values[name] = [existing, value];
}

/** Reads the posted proposal form, multipart or not. Never throws for what a person can fix. */
export async function readProposalSubmission(request: FastifyRequest): Promise<ProposalSubmission> {
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values: FormValues = {};
    for (const [key, value] of Object.entries(body)) if (key !== CSRF_FIELD && typeof value === 'string') values[key] = value;
    const token = body[CSRF_FIELD];
    return { values, csrfToken: typeof token === 'string' ? token : undefined, uploads: [], photoCount: 0, errors: {} };
  }
  const values: FormValues = {};
  const uploads: Upload[] = [];
  const errors: FieldErrors = {};
  let csrfToken: string | undefined;
  let photoCount = 0;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        const data = Buffer.concat(chunks);
        if (part.fieldname !== PHOTOS_FIELD) continue;
        // An empty file input is sent as a part with no name and no content.
        if (!part.filename && data.length === 0) continue;
        photoCount += 1;
        if (photoCount > PROPOSAL_MAX_PHOTOS) continue;
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
    if (code === 'FST_FILES_LIMIT') photoCount = PROPOSAL_MULTIPART_LIMITS.files + 1;
    else if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PROTO_VIOLATION') errors._form = 'errors.payload_too_large';
    else throw error;
  }
  if (photoCount > PROPOSAL_MAX_PHOTOS) errors.photos = tooMany;
  return { values, csrfToken, uploads, photoCount, errors };
}

/** Decodes and re-encodes every upload, one at a time (memory); nothing is written. Throws AppError('validation') with a `photos` error. */
export async function processProposalPhotos(uploads: Upload[]): Promise<ProcessedPhoto[]> {
  if (uploads.length > PROPOSAL_MAX_PHOTOS) throw new AppError('validation', { fields: { photos: tooMany } });
  const processed: ProcessedPhoto[] = [];
  for (const upload of uploads) processed.push(await processPhoto(upload.data, { maxBytes: PROPOSAL_PHOTO_MAX_BYTES }));
  return processed;
}

const FILE_PATTERN = /^[a-z0-9]{16,64}(\.thumb)?\.jpg$/;

/** The public address of a proposal's photo (or its thumbnail), by storage key. */
export function proposalPhotoPath(proposalId: number, storageKey: string): string {
  return `/media/budget/proposals/${proposalId}/${storageKey.split('/').pop()}`;
}

/** Which stored file a public address names, when it is one of these photos or their thumbnails. */
export function proposalPhotoKey(storageKeys: string[], fileName: string): string | undefined {
  if (!FILE_PATTERN.test(fileName)) return undefined;
  for (const key of storageKeys) {
    if (key.endsWith(`/${fileName}`)) return key;
    const thumb = key.replace(/\.jpg$/, '.thumb.jpg');
    if (thumb.endsWith(`/${fileName}`)) return thumb;
  }
  return undefined;
}
