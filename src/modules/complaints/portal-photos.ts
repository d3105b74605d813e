// Photos on the complaint form: the upload limits, turning uploads into stored photos, photos
// kept between the steps of the form (bound to the browser by a signed token), and which photo
// files the public may fetch.
//
// Photos are processed (decoded, re-encoded without metadata) and written to disk before the
// complaint's transaction, as photos.ts requires. When the citizen is shown similar complaints
// nearby before filing, the photos they already sent are kept on disk rather than asked for
// again: on a slow connection, sending five photos twice is minutes and money. The form then
// carries a token naming those files; it is signed with the server's key and this browser's
// CSRF secret, so nobody can attach files they did not upload, and it expires well before the
// nightly job removes files no complaint refers to.
import fs from 'node:fs/promises';
import type { Db } from '../../db/database.ts';
import { hmacHex, safeEqual } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { MAX_PHOTOS } from './complaints.ts';
import { listReferencedPhotoKeys } from './complaints.repository.ts';
import { ORPHAN_PHOTO_AGE_MS, photoFilePath, processPhoto, type ProcessedPhoto, removeStoredPhotos, type StoredPhoto, thumbnailKeyOf } from './photos.ts';

// Shared with the other modules' photo forms; kept here for the complaints' callers.
export { photoErrorOf, storePhotos } from './photos.ts';

/** What the form accepts; the multipart parser enforces the same numbers while reading. */
export const PORTAL_PHOTO_LIMITS = {
  /** Per file as uploaded: a phone's full-size JPEG is 3–6 MB. */
  maxBytes: 8 * 1024 * 1024,
  maxFiles: MAX_PHOTOS,
  /**
   * Files read before giving up on a request: a few more than allowed, so that choosing six
   * photos gets a "five at most" message with the rest of the form kept, not a bare error.
   */
  readFiles: MAX_PHOTOS + 5,
} as const;

/** Kept photos expire long before the orphan job (a day) could remove their files. */
export const KEPT_PHOTOS_TTL_MS = Math.min(6 * 3600_000, ORPHAN_PHOTO_AGE_MS / 2);

export type Upload = { filename: string; data: Buffer };

/**
 * Decodes and re-encodes every upload; nothing is written. Throws AppError('validation') with
 * a `photos` error for the first photo that is refused.
 */
export async function processUploads(uploads: Upload[]): Promise<ProcessedPhoto[]> {
  const processed: ProcessedPhoto[] = [];
  // One at a time: a small server decoding five 12-megapixel photos at once runs out of memory.
  for (const upload of uploads) processed.push(await processPhoto(upload.data, { maxBytes: PORTAL_PHOTO_LIMITS.maxBytes }));
  return processed;
}

// ---------------------------------------------------------------------------------------------
// Photos kept between steps

type KeptPayload = { m: number; x: number; p: [string, number, number, number][] };

function keptMac(secretKey: string, browserSecret: string, body: string): string {
  return hmacHex(secretKey, `complaint-photos.${browserSecret}.${body}`);
}

export type KeptPhotosScope = { secretKey: string; browserSecret: string; municipalityId: number; dataDir: string };

/** A token naming stored photos, for a hidden field of the next step's form. */
export function keptPhotosToken(scope: KeptPhotosScope, photos: StoredPhoto[], now = Date.now()): string {
  const payload: KeptPayload = { m: scope.municipalityId, x: now + KEPT_PHOTOS_TTL_MS, p: photos.map((p) => [p.storageKey, p.width, p.height, p.bytes]) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${keptMac(scope.secretKey, scope.browserSecret, body)}`;
}

const keptError = () => new AppError('validation', { fields: { photos: 'complaints.portal.photos.kept_expired' } });

function readToken(scope: KeptPhotosScope, token: string, now: number): KeptPayload {
  const [body, mac] = token.split('.');
  if (!body || !mac || !safeEqual(mac, keptMac(scope.secretKey, scope.browserSecret, body))) throw keptError();
  let payload: KeptPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as KeptPayload;
  } catch {
    throw keptError();
  }
  if (payload.m !== scope.municipalityId || !(payload.x > now) || !Array.isArray(payload.p) || payload.p.length > MAX_PHOTOS) throw keptError();
  return payload;
}

/** How many photos a valid, unexpired token names (for display); 0 for anything else. */
export function countKeptPhotos(scope: KeptPhotosScope, token: string | undefined, now = Date.now()): number {
  if (!token) return 0;
  try {
    return readToken(scope, token, now).p.length;
  } catch {
    return 0;
  }
}

/**
 * The photos a token names, checked: signed for this browser, not expired, still on disk, and
 * not already part of a complaint (a form sent twice must not share, then delete, the files of
 * the first complaint). Throws AppError('validation') with a `photos` error otherwise.
 */
export async function readKeptPhotos(db: Db, scope: KeptPhotosScope, token: string, now = Date.now()): Promise<StoredPhoto[]> {
  const payload = readToken(scope, token, now);
  const photos = payload.p.map(([storageKey, width, height, bytes]) => {
    if (!storageKey.startsWith(`complaints/${scope.municipalityId}/`)) throw keptError();
    const thumbnailKey = thumbnailKeyOf(storageKey);
    // photoFilePath refuses anything that is not one of our keys (no "../").
    return { storageKey, thumbnailKey, width, height, bytes, files: [photoFilePath(scope.dataDir, storageKey), photoFilePath(scope.dataDir, thumbnailKey)] };
  });
  const referenced = await listReferencedPhotoKeys(db, photos.map((p) => p.storageKey));
  if (referenced.size > 0) throw keptError();
  for (const photo of photos) {
    for (const file of photo.files) {
      if (!(await fs.stat(file).then((s) => s.isFile(), () => false))) throw keptError();
    }
  }
  return photos;
}

/** Removes the photos a token names, if it is valid and they belong to no complaint; never throws. */
export async function discardKeptPhotos(db: Db, scope: KeptPhotosScope, token: string | undefined): Promise<void> {
  if (!token) return;
  try {
    await removeStoredPhotos(await readKeptPhotos(db, scope, token));
  } catch {
    // Invalid, expired or already used: the orphan job removes whatever is left.
  }
}

// ---------------------------------------------------------------------------------------------
// Public photo files

const FILE_PATTERN = /^[a-z0-9]{16,64}(\.thumb)?\.jpg$/;

/** The address of a complaint's public photo (or thumbnail) file, by its storage key. */
export function publicPhotoPath(trackingNumber: string, storageKey: string): string {
  return `/media/complaints/${encodeURIComponent(trackingNumber)}/${storageKey.split('/').pop()}`;
}

/**
 * Which stored file a public photo address names, when it is one of the complaint's public
 * photos (or their thumbnails); undefined otherwise.
 */
export function publicPhotoKey(photos: { storageKey: string; thumbnailKey: string }[], fileName: string): string | undefined {
  if (!FILE_PATTERN.test(fileName)) return undefined;
  for (const photo of photos) {
    if (photo.storageKey.endsWith(`/${fileName}`)) return photo.storageKey;
    if (photo.thumbnailKey.endsWith(`/${fileName}`)) return photo.thumbnailKey;
  }
  return undefined;
}
