// Helpers for the portal's route tests: the app with its own data directory, a browser-like
// client that also sends multipart forms with files, test images, and what is on disk.
// Test code only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import type { DatabaseHandle, Db } from '../../db/database.ts';
import { buildTestApp, testConfig } from '../../../test/support/http.ts';
import { AddressedClient } from '../accounts/accounts.test-support.ts';

export type PortalApp = { app: FastifyInstance; dataDir: string };

/** The app behind a trusted proxy (each client has its own address for the rate limits), with its own DATA_DIR. */
export async function buildPortalApp(database: DatabaseHandle, defaultMunicipality: string, env: Record<string, string> = {}): Promise<PortalApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-portal-'));
  const app = await buildTestApp(database, { config: testConfig({ TRUST_PROXY: 'true', DATA_DIR: dataDir, ...env }), defaultMunicipality });
  return { app, dataDir };
}

export type FilePart = { field?: string; filename: string; type: string; data: Buffer };

/** A multipart/form-data body as a browser builds it. */
export function multipartBody(fields: Record<string, string | string[]>, files: FilePart[] = []): { body: Buffer; contentType: string } {
  const boundary = `----twizatest${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    }
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'photos'}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export class PortalClient extends AddressedClient {
  /** Posts a multipart form with the CSRF token of the last page, unless `_csrf` is given. */
  async postMultipart(url: string, fields: Record<string, string | string[]>, files: FilePart[] = []) {
    const all = '_csrf' in fields || !this.lastCsrf ? fields : { _csrf: this.lastCsrf, ...fields };
    const { body, contentType } = multipartBody(all, files);
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { host: this.host, cookie, 'content-type': contentType, 'x-forwarded-for': this.address },
    });
    // Keep cookies and the next CSRF token as a browser would.
    for (const c of response.cookies as { name: string; value: string; maxAge?: number }[]) {
      if (c.maxAge === 0 || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (match) this.lastCsrf = match[1];
    return response;
  }
}

/** A real JPEG carrying EXIF data: the camera's make and a GPS position (the reporter's home, say). */
export async function jpegWithExif(width = 800, height = 600): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'TwizaTestPhone', Model: 'Secret Model 9', Artist: 'Amal Ben Salah' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '36/1 10/1 48/1', GPSLongitudeRef: 'E', GPSLongitude: '8/1 42/1 36/1' },
    })
    .toBuffer();
}

export async function smallPng(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 0, g: 90, b: 80 } } }).png().toBuffer();
}

/** Every file under the complaint photo directory of a municipality. */
export function photoFilesOnDisk(dataDir: string, municipalityId: number): string[] {
  const dir = path.join(dataDir, 'uploads', 'complaints', String(municipalityId));
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

export async function complaintCount(db: Db, municipalityId: number): Promise<number> {
  const row = await db.selectFrom('complaints').select(db.fn.countAll<number>().as('n')).where('municipality_id', '=', municipalityId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function complaintByTracking(db: Db, trackingNumber: string) {
  return db.selectFrom('complaints').selectAll().where('tracking_number', '=', trackingNumber).executeTakeFirstOrThrow();
}

export async function photoRowsOf(db: Db, complaintId: number) {
  return db.selectFrom('complaint_photos').selectAll().where('complaint_id', '=', complaintId).orderBy('id').execute();
}

/** The tracking number in a receipt address ("/fr/complaints/receipt/KEF-2026-000001"). */
export function trackingFrom(location: unknown): string {
  const match = /\/complaints\/receipt\/([A-Z]+-\d{4}-\d+)$/.exec(String(location));
  if (!match) throw new Error(`not a receipt address: ${String(location)}`);
  return match[1]!;
}
