// Photos citizens attach to complaints. Every photo is decoded and re-encoded, never stored as
// sent: a phone's photo carries the GPS position of the person who took it (often their home),
// the phone's make and serial numbers, and sometimes a thumbnail of the uncropped original.
// Re-encoding drops all of that, fixes the orientation, and bounds the size; a file that only
// claims to be an image (by its name or type) is refused because we decode its content.
//
// Files are written durably before the database transaction that refers to them (a committed
// complaint never points to a missing file); if the transaction fails, the submission removes
// them, and a nightly job removes any file no complaint refers to after a day.
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { Db } from '../../db/database.ts';
import { randomToken } from '../../lib/crypto.ts';
import { AppError, type FieldError, isAppError } from '../../lib/errors.ts';
import { listReferencedBudgetPhotoKeys } from '../budget/proposals.repository.ts';
import { listReferencedPhotoKeys } from './complaints.repository.ts';

export type PhotoLimits = {
  /** Bytes of the file as uploaded. */
  maxBytes: number;
  /** Width × height as the file declares it: a 100 000 × 100 000 PNG of a few kilobytes would take 40 GB to decode. */
  maxPixels: number;
  /** The longer side of the stored image. */
  maxDimension: number;
  thumbnailDimension: number;
  quality: number;
};

export const DEFAULT_PHOTO_LIMITS: PhotoLimits = {
  maxBytes: 12 * 1024 * 1024,
  // 50 megapixels: above any phone's default output (108 and 200 MP sensors save 12 MP by default).
  maxPixels: 50_000_000,
  maxDimension: 1600,
  thumbnailDimension: 400,
  quality: 80,
};

export type PhotoType = 'jpeg' | 'png' | 'webp' | 'avif' | 'heic';

export type ProcessedPhoto = {
  /** JPEG, at most maxDimension on its longer side, without any metadata. */
  image: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
  /** What the upload really was, read from its content. */
  sourceType: PhotoType;
};

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** The image type from the file's first bytes, whatever its name says; null for anything else. */
export function sniffPhotoType(data: Buffer): PhotoType | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  // ISO base media file (HEIF family): a "ftyp" box with a major brand and compatible brands.
  if (data.length >= 16 && data.toString('latin1', 4, 8) === 'ftyp') {
    const boxSize = Math.min(data.readUInt32BE(0), data.length);
    const brands = [data.toString('latin1', 8, 12)];
    for (let offset = 16; offset + 4 <= boxSize; offset += 4) brands.push(data.toString('latin1', offset, offset + 4));
    if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
    if (brands.some((b) => HEIC_BRANDS.has(b))) return 'heic';
  }
  return null;
}

/**
 * Whether this build of sharp decodes iPhone photos (HEIC, HEVC-compressed). The prebuilt
 * binaries decode AVIF but leave HEVC out (patents), so HEIC is refused with a message that
 * says how to send the photo instead.
 */
export function canDecodeHeic(): boolean {
  const heif = (sharp.format as unknown as Record<string, { input?: { fileSuffix?: string[] } } | undefined>).heif;
  return heif?.input?.fileSuffix?.includes('.heic') ?? false;
}

function photoError(key: string, values?: Record<string, number | string>): AppError {
  return new AppError('validation', { fields: { photos: values ? { key, values } : key } });
}

/** Checks, decodes and re-encodes one uploaded photo. Throws AppError('validation') with a `photos` field error. */
export async function processPhoto(input: Buffer, limits: Partial<PhotoLimits> = {}): Promise<ProcessedPhoto> {
  const settings = { ...DEFAULT_PHOTO_LIMITS, ...limits };
  if (input.length > settings.maxBytes) {
    throw photoError('complaints.photo.too_big', { max: Math.floor(settings.maxBytes / (1024 * 1024)) });
  }
  const sourceType = sniffPhotoType(input);
  if (!sourceType) throw photoError('complaints.photo.unsupported');
  if (sourceType === 'heic' && !canDecodeHeic()) throw photoError('complaints.photo.heic');

  let declared: Metadata;
  try {
    // Only the header is read here, so no pixel limit yet: the declared size is checked below
    // with a message of its own.
    declared = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw photoError('complaints.photo.unreadable');
  }
  // The content must be what its first bytes say (a PNG signature on something else is not a PNG).
  const expected = sourceType === 'avif' || sourceType === 'heic' ? 'heif' : sourceType;
  if (declared.format !== expected) throw photoError('complaints.photo.unsupported');
  if (!declared.width || !declared.height) throw photoError('complaints.photo.unreadable');
  // Checked on the header, before decoding anything; sharp's limitInputPixels guards again below.
  if (declared.width * declared.height > settings.maxPixels) {
    throw photoError('complaints.photo.too_many_pixels', { max: Math.floor(settings.maxPixels / 1_000_000) });
  }

  try {
    // failOn 'truncated': a cut-off upload is refused, while the harmless warnings some cameras'
    // files raise are not. Only the first frame of an animated image is read.
    const { data: image, info } = await sharp(input, { failOn: 'truncated', limitInputPixels: settings.maxPixels, pages: 1 })
      .autoOrient()
      .resize({ width: settings.maxDimension, height: settings.maxDimension, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      // No withMetadata()/keepExif(): sharp writes none of the input's EXIF, GPS, XMP or ICC data.
      .jpeg({ quality: settings.quality, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(image)
      .resize({ width: settings.thumbnailDimension, height: settings.thumbnailDimension, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 75, mozjpeg: true })
      .toBuffer();
    return { image, thumbnail, width: info.width, height: info.height, sourceType };
  } catch {
    throw photoError('complaints.photo.unreadable');
  }
}

// ---------------------------------------------------------------------------------------------
// Storage on disk, under DATA_DIR/uploads/complaints/<municipality>/

export type StoredPhoto = {
  /** "complaints/<municipality id>/<random>.jpg", relative to DATA_DIR/uploads. */
  storageKey: string;
  thumbnailKey: string;
  width: number;
  height: number;
  bytes: number;
  /** Absolute paths of the files written, to remove them if the complaint is not saved. */
  files: string[];
};

const STORAGE_KEY_PATTERN = /^complaints\/\d+\/[a-z0-9]{16,64}(\.thumb)?\.jpg$/;

export function uploadsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

export function thumbnailKeyOf(storageKey: string): string {
  return storageKey.replace(/\.jpg$/, '.thumb.jpg');
}

/** The file of a stored photo; throws for anything that is not one of our keys (no "../"). */
export function photoFilePath(dataDir: string, storageKey: string): string {
  if (!STORAGE_KEY_PATTERN.test(storageKey)) throw new AppError('not_found');
  return path.join(uploadsDir(dataDir), storageKey);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes to a temporary name, flushes to disk, renames: a crash leaves either nothing or the whole file. */
async function writeFileDurably(file: string, data: Buffer): Promise<void> {
  const temporary = `${file}.${randomToken(6)}.tmp`;
  const handle = await fs.open(temporary, 'wx', 0o640);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, file);
}

export type StorePhotoOptions = { dataDir: string; municipalityId: number; photo: ProcessedPhoto };

/** Writes a processed photo and its thumbnail durably; call before the transaction that refers to it. */
export async function storePhoto(options: StorePhotoOptions): Promise<StoredPhoto> {
  const key = `complaints/${options.municipalityId}/${randomToken(20)}.jpg`;
  const thumbnailKey = thumbnailKeyOf(key);
  const file = photoFilePath(options.dataDir, key);
  const thumbnailFile = photoFilePath(options.dataDir, thumbnailKey);
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const files: string[] = [];
  try {
    await writeFileDurably(file, options.photo.image);
    files.push(file);
    await writeFileDurably(thumbnailFile, options.photo.thumbnail);
    files.push(thumbnailFile);
    // The renames are durable once the directory itself is flushed.
    await syncDirectory(dir);
  } catch (error) {
    await Promise.all(files.map((f) => fs.rm(f, { force: true })));
    throw error;
  }
  return { storageKey: key, thumbnailKey, width: options.photo.width, height: options.photo.height, bytes: options.photo.image.length, files };
}

/** Removes photos written for a complaint that was not saved. Never throws: the orphan job is the safety net. */
export async function removeStoredPhotos(photos: StoredPhoto[]): Promise<void> {
  await Promise.all(photos.flatMap((p) => p.files.map((f) => fs.rm(f, { force: true }).catch(() => undefined))));
}

export const ORPHAN_PHOTO_AGE_MS = 24 * 3600_000;

export type RemoveOrphanPhotosOptions = { dataDir: string; now?: string; olderThanMs?: number };

/**
 * Removes photo files no complaint refers to, once older than a day (a submission in progress
 * writes its files a moment before its transaction commits), and leftover temporary files.
 * Participatory budgeting photos (pb_photos) are stored in the same folder and are kept too.
 */
export async function removeOrphanPhotos(db: Db, options: RemoveOrphanPhotosOptions): Promise<{ removed: number }> {
  const root = path.join(uploadsDir(options.dataDir), 'complaints');
  const cutoff = Date.parse(options.now ?? new Date().toISOString()) - (options.olderThanMs ?? ORPHAN_PHOTO_AGE_MS);
  let removed = 0;
  let municipalities: string[];
  try {
    municipalities = (await fs.readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && /^\d+$/.test(d.name)).map((d) => d.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { removed };
    throw error;
  }
  for (const municipality of municipalities) {
    const dir = path.join(root, municipality);
    const old: { name: string; key: string | null }[] = [];
    for (const name of await fs.readdir(dir)) {
      const stat = await fs.stat(path.join(dir, name)).catch(() => undefined);
      if (!stat?.isFile() || stat.mtimeMs >= cutoff) continue;
      const key = `complaints/${municipality}/${name}`;
      // A thumbnail lives as long as its photo.
      old.push({ name, key: STORAGE_KEY_PATTERN.test(key) ? key.replace(/\.thumb\.jpg$/, '.jpg') : null });
    }
    for (let i = 0; i < old.length; i += 500) {
      const batch = old.slice(i, i + 500);
      const keys = [...new Set(batch.flatMap((f) => (f.key ? [f.key] : [])))];
      const referenced = await listReferencedPhotoKeys(db, keys);
      for (const key of await listReferencedBudgetPhotoKeys(db, keys)) referenced.add(key);
      for (const file of batch) {
        if (file.key && referenced.has(file.key)) continue;
        await fs.rm(path.join(dir, file.name), { force: true });
        removed += 1;
      }
    }
  }
  return { removed };
}

/** The `photos` field error of a refused upload, or undefined for any other error. */
export function photoErrorOf(error: unknown): FieldError | undefined {
  return isAppError(error, 'validation') ? error.fields.photos : undefined;
}

/** Writes processed photos durably; on failure removes what was written and rethrows. */
export async function storePhotos(options: { dataDir: string; municipalityId: number; photos: ProcessedPhoto[] }): Promise<StoredPhoto[]> {
  const stored: StoredPhoto[] = [];
  try {
    for (const photo of options.photos) stored.push(await storePhoto({ dataDir: options.dataDir, municipalityId: options.municipalityId, photo }));
  } catch (error) {
    await removeStoredPhotos(stored);
    throw error;
  }
  return stored;
}
