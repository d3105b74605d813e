import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { appError, type ComplaintsFixture, createComplaintsFixture, fileComplaint } from './complaints.test-support.ts';
import { canDecodeHeic, photoFilePath, processPhoto, removeOrphanPhotos, sniffPhotoType, storePhoto } from './photos.ts';

/** A phone-like photo: 3000 × 2000, taken sideways (EXIF orientation 6), with a GPS position and a camera make. */
async function phonePhoto(format: 'jpeg' | 'png' | 'webp' = 'jpeg', width = 3000, height = 2000): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: '#c0392b' } })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'PhoneMaker', Model: 'Secret Model 9' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '36/1 10/1 48/1', GPSLongitudeRef: 'E', GPSLongitude: '8/1 42/1 36/1' },
    });
  return format === 'jpeg' ? image.jpeg().toBuffer() : format === 'png' ? image.png().toBuffer() : image.webp().toBuffer();
}

/** The EXIF GPS pointer tag (0x8825), as stored in a little-endian TIFF header. */
const hasGpsTag = (exif: Buffer | undefined) => exif !== undefined && exif.includes(Buffer.from([0x25, 0x88]));

function crc32(data: Buffer): number {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid, tiny PNG that declares 60 000 × 60 000 pixels (3.6 billion): a decompression bomb. */
function hugePng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(60_000, 0);
  header.writeUInt32BE(60_000, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = deflateSync(Buffer.alloc(60_001 * 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', rows),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

test('a phone photo is turned upright, resized to 1600 px, and loses every metadata, GPS first', async () => {
  const input = await phonePhoto();
  const declared = await sharp(input).metadata();
  assert.ok(hasGpsTag(declared.exif), 'the test photo does carry GPS');
  assert.equal(declared.orientation, 6);

  const photo = await processPhoto(input);
  const out = await sharp(photo.image).metadata();
  assert.equal(out.format, 'jpeg');
  // 3000 × 2000 taken sideways is 2000 × 3000 upright, so 1067 × 1600 once resized.
  assert.deepEqual([photo.width, photo.height], [1067, 1600]);
  assert.deepEqual([out.width, out.height], [1067, 1600]);
  assert.equal(out.exif, undefined);
  assert.equal(out.xmp, undefined);
  assert.equal(out.icc, undefined);
  assert.equal(out.orientation, undefined);
  assert.ok(!photo.image.includes(Buffer.from('Exif\0\0')), 'no EXIF segment');
  assert.ok(!photo.image.includes(Buffer.from('PhoneMaker')));
  const thumb = await sharp(photo.thumbnail).metadata();
  assert.equal(Math.max(thumb.width!, thumb.height!), 400);
  assert.equal(thumb.exif, undefined);
  assert.equal(photo.sourceType, 'jpeg');
});

test('PNG and WebP are accepted and become JPEG; small photos are not enlarged', async () => {
  for (const format of ['png', 'webp'] as const) {
    const photo = await processPhoto(await phonePhoto(format, 1200, 800));
    assert.equal((await sharp(photo.image).metadata()).format, 'jpeg');
    assert.equal(photo.sourceType, format);
    assert.equal((await sharp(photo.image).metadata()).exif, undefined);
  }
  const small = await processPhoto(await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer());
  assert.deepEqual([small.width, small.height], [300, 200]);
});

test('AVIF is accepted; HEIC is refused with its own message when this sharp cannot decode it', async () => {
  const avif = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2980b9' } }).avif().toBuffer();
  assert.equal(sniffPhotoType(avif), 'avif');
  assert.equal((await processPhoto(avif)).sourceType, 'avif');
  // An iPhone photo starts with an ISO box "ftyp" of brand "heic".
  const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(64)]);
  assert.equal(sniffPhotoType(heic), 'heic');
  if (!canDecodeHeic()) await assert.rejects(processPhoto(heic), appError('validation', { photos: 'complaints.photo.heic' }));
});

test('the content decides, not the name: text, truncated, bombs and oversized files are refused', async () => {
  await assert.rejects(processPhoto(Buffer.from('This is a text file renamed photo.jpg\n')), appError('validation', { photos: 'complaints.photo.unsupported' }));
  await assert.rejects(processPhoto(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')), appError('validation', { photos: 'complaints.photo.unsupported' }));
  const jpeg = await phonePhoto();
  await assert.rejects(processPhoto(jpeg.subarray(0, Math.floor(jpeg.length / 2))), appError('validation', { photos: 'complaints.photo.unreadable' }));
  // A JPEG signature followed by garbage.
  await assert.rejects(processPhoto(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 7)])), appError('validation'));
  await assert.rejects(processPhoto(hugePng()), appError('validation', { photos: 'complaints.photo.too_many_pixels' }));
  await assert.rejects(processPhoto(jpeg, { maxBytes: 1000 }), appError('validation', { photos: 'complaints.photo.too_big' }));
  await assert.rejects(processPhoto(jpeg, { maxPixels: 1_000_000 }), appError('validation', { photos: 'complaints.photo.too_many_pixels' }));
});

describeEachDatabase('complaints: stored photos', (suite) => {
  let kef: ComplaintsFixture;
  let dataDir: string;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'photos');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-photos-'));
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  // Small photos: re-encoding is what takes time, and these tests are about storage.
  const stored = async () => storePhoto({ dataDir, municipalityId: kef.municipality.id, photo: await processPhoto(await phonePhoto('jpeg', 600, 400)) });

  test('stored under uploads/complaints/<municipality>/, referenced by the complaint, public unless the category is sensitive', async () => {
    const db = suite.db();
    const photo = await stored();
    assert.match(photo.storageKey, new RegExp(`^complaints/${kef.municipality.id}/[a-z0-9]+\\.jpg$`));
    assert.ok(fs.existsSync(photoFilePath(dataDir, photo.storageKey)));
    assert.ok(fs.existsSync(photoFilePath(dataDir, photo.thumbnailKey)));
    assert.deepEqual(fs.readdirSync(path.dirname(photo.files[0]!)).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    const { complaint } = await fileComplaint(db, kef, { photos: [photo] });
    const rows = await db.selectFrom('complaint_photos').selectAll().where('complaint_id', '=', complaint.id).execute();
    assert.deepEqual(rows.map((r) => [r.storage_key, r.width, r.height, r.bytes, r.public]), [[photo.storageKey, 400, 600, photo.bytes, 1]]);

    const hidden = await stored();
    const { complaint: sensitive } = await fileComplaint(db, kef, { categoryId: kef.categories.unauthorised_building!.id, photos: [hidden] });
    const [row] = await db.selectFrom('complaint_photos').selectAll().where('complaint_id', '=', sensitive.id).execute();
    assert.equal(row!.public, 0);
    assert.throws(() => photoFilePath(dataDir, '../../etc/passwd'), appError('not_found'));
  });

  test('a complaint that is not saved removes its files', async () => {
    const db = suite.db();
    const photo = await stored();
    await assert.rejects(fileComplaint(db, kef, { photos: [photo], description: '' }), appError('validation'));
    for (const file of photo.files) assert.ok(!fs.existsSync(file), file);
    const many = await Promise.all(Array.from({ length: 6 }, stored));
    await assert.rejects(fileComplaint(db, kef, { photos: many }), appError('validation', { photos: 'complaints.photo.too_many' }));
    for (const file of many.flatMap((p) => p.files)) assert.ok(!fs.existsSync(file));
  });

  test('the orphan job removes old files nobody refers to, and keeps the rest', async () => {
    const db = suite.db();
    const kept = await stored();
    await fileComplaint(db, kef, { photos: [kept] });
    const orphan = await stored();
    const fresh = await stored();
    const old = new Date(Date.now() - 2 * 86_400_000);
    for (const file of [...kept.files, ...orphan.files]) fs.utimesSync(file, old, old);
    const { removed } = await removeOrphanPhotos(db, { dataDir });
    assert.ok(removed >= 2);
    for (const file of orphan.files) assert.ok(!fs.existsSync(file), 'orphan removed');
    for (const file of [...kept.files, ...fresh.files]) assert.ok(fs.existsSync(file), 'referenced or recent files kept');
  });
});
