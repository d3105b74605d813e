// manifest.json describes a backup: when it was made, of which database, at which migration,
// and the SHA-256 of every file in it, so a restore can prove the copy is whole first.
import fs from 'node:fs';
import path from 'node:path';
import { isSafeRelativePath, sha256File } from './files.ts';

export const MANIFEST_FILE = 'manifest.json';
export const SQLITE_BACKUP_FILE = 'database.sqlite';
export const POSTGRES_BACKUP_FILE = 'database.pgdump';
export const SECRET_KEY_FILE = 'secret.key';
export const UPLOADS_DIR = 'uploads';

export type ManifestFile = { path: string; bytes: number; sha256: string };

export type BackupManifest = {
  format: 'twiza-backup';
  version: 1;
  created_at: string;
  database: { kind: 'sqlite' | 'postgres'; file: string };
  /** Migrations applied to the database when it was copied. */
  migrations: string[];
  /** Where the secret key came from: the file is in the backup, or SECRET_KEY must be kept. */
  secret_key: 'file' | 'environment' | 'none';
  files: ManifestFile[];
};

export class BackupError extends Error {
  override name = 'BackupError';
}

export function writeManifest(dir: string, manifest: BackupManifest): void {
  // Written last and renamed into place: a folder without manifest.json is an unfinished backup.
  const temporary = path.join(dir, `${MANIFEST_FILE}.partial`);
  fs.writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(temporary, path.join(dir, MANIFEST_FILE));
}

export function readManifest(dir: string): BackupManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) throw new BackupError(`${dir} is not a Twiza backup: it has no ${MANIFEST_FILE} (an unfinished backup has none).`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
  } catch {
    throw new BackupError(`${file} is not valid JSON.`);
  }
  if (manifest.format !== 'twiza-backup' || manifest.version !== 1 || !Array.isArray(manifest.files)) {
    throw new BackupError(`${file} is not a Twiza backup manifest of a version this Twiza reads.`);
  }
  for (const entry of manifest.files) {
    if (!isSafeRelativePath(entry.path)) throw new BackupError(`${file} names a file outside the backup: ${entry.path}`);
  }
  return manifest;
}

/** Checks every file against its size and checksum; returns the problems found (none = whole). */
export async function verifyManifestFiles(
  dir: string,
  manifest: BackupManifest,
  onProgress?: (checked: number, total: number) => void,
): Promise<string[]> {
  const problems: string[] = [];
  let checked = 0;
  for (const entry of manifest.files) {
    const file = path.join(dir, ...entry.path.split('/'));
    if (!fs.existsSync(file)) problems.push(`${entry.path}: missing`);
    else if (fs.statSync(file).size !== entry.bytes) problems.push(`${entry.path}: size differs`);
    else if ((await sha256File(file)) !== entry.sha256) problems.push(`${entry.path}: checksum differs`);
    checked += 1;
    onProgress?.(checked, manifest.files.length);
  }
  if (!manifest.files.some((f) => f.path === manifest.database.file)) problems.push(`${manifest.database.file}: not listed in the manifest`);
  return problems;
}
