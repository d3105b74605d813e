// `twiza backup`: a consistent copy of the database, the uploads and the secret key, taken
// while the site runs, in a new folder with a manifest of checksums.
//
// - SQLite: the online backup API copies the database page by page. If another connection
//   writes meanwhile, SQLite starts the copy again, so the result is always one consistent
//   moment; after a restart we copy the rest in one step so that a busy site cannot keep the
//   backup from finishing.
// - PostgreSQL: pg_dump --format=custom, itself one consistent snapshot.
// - Uploads are copied after the database, so every photo the copied database mentions is in
//   the backup (some newer ones may be too, which is harmless).
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { listAppliedMigrations } from '../db/migrate.ts';
import { copyFileDurably, fileStamp, formatBytes, listFiles, sha256File } from './files.ts';
import {
  BackupError,
  POSTGRES_BACKUP_FILE,
  SECRET_KEY_FILE,
  SQLITE_BACKUP_FILE,
  UPLOADS_DIR,
  writeManifest,
  type BackupManifest,
  type ManifestFile,
} from './manifest.ts';
import { runPgTool } from './postgres-tools.ts';

export type Progress = (text: string) => void;

export type BackupOptions = {
  config: Config;
  /** The folder that receives the new backup folder; DATA_DIR/backups by default. */
  parentDir?: string;
  progress?: Progress;
  /** Environment for pg_dump (its PATH and PG* variables). */
  env?: Record<string, string | undefined>;
};

export type BackupResult = { dir: string; manifest: BackupManifest };

/** Pages copied per step: small enough to keep the server's event loop responsive. */
const PAGES_PER_STEP = 1000;
/** better-sqlite3 clamps the step to 0..2^31-1 (a negative "all" would become 0, a pause). */
const ALL_REMAINING_PAGES = 0x7fffffff;

async function backupSqlite(sourceFile: string, destination: string, progress: Progress): Promise<void> {
  if (!fs.existsSync(sourceFile)) throw new BackupError(`There is no database at ${sourceFile} to back up.`);
  const handle = openDatabase({ kind: 'sqlite', file: sourceFile });
  try {
    let lastRemaining = Number.POSITIVE_INFINITY;
    let restarted = false;
    let lastShown = -1;
    const done = await handle.sqlite!.backup(destination, {
      progress({ totalPages, remainingPages }) {
        // More pages left than last time: a write elsewhere made SQLite start over.
        if (remainingPages > lastRemaining) restarted = true;
        lastRemaining = remainingPages;
        const percent = totalPages === 0 ? 100 : Math.floor(((totalPages - remainingPages) / totalPages) * 100);
        if (percent !== lastShown) {
          lastShown = percent;
          progress(`database: ${percent}% of ${totalPages} pages${restarted ? ' (restarted after a write)' : ''}`);
        }
        // After a restart, copy everything in one step: the database may have grown, so ask
        // for the most better-sqlite3 accepts rather than the page count seen now.
        return restarted ? ALL_REMAINING_PAGES : PAGES_PER_STEP;
      },
    });
    progress(`database: 100% of ${done.totalPages} pages${restarted ? ' (restarted after a write)' : ''}`);
  } finally {
    await handle.destroy();
  }
  // Make the copy one self-contained file (no -wal beside it) and check it reads back whole.
  const copy = new SqliteDatabase(destination);
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`The copied database failed SQLite's check: ${String(check)}`);
  } finally {
    copy.close();
  }
}

async function appliedMigrationsOfFile(file: string): Promise<string[]> {
  const handle = openDatabase({ kind: 'sqlite', file });
  try {
    return await listAppliedMigrations(handle.db);
  } finally {
    await handle.destroy();
  }
}

async function appliedMigrationsOfPostgres(url: string): Promise<string[]> {
  const handle = openDatabase({ kind: 'postgres', url });
  try {
    return await listAppliedMigrations(handle.db);
  } finally {
    await handle.destroy();
  }
}

function copyUploads(uploadsDir: string, destination: string, progress: Progress): void {
  const files = listFiles(uploadsDir);
  let bytes = 0;
  let lastShown = -1;
  files.forEach((relative, index) => {
    const from = path.join(uploadsDir, ...relative.split('/'));
    try {
      copyFileDurably(from, path.join(destination, ...relative.split('/')));
      bytes += fs.statSync(from).size;
    } catch (error) {
      // Removed while we were copying (a rejected upload cleaned up): nothing to keep.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const percent = Math.floor(((index + 1) / files.length) * 100);
    if (percent !== lastShown) {
      lastShown = percent;
      progress(`uploads: ${index + 1} of ${files.length} files, ${formatBytes(bytes)}`);
    }
  });
  if (files.length === 0) progress('uploads: none yet');
}

export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const { config } = options;
  const progress = options.progress ?? (() => {});
  const parent = path.resolve(options.parentDir ?? path.join(config.dataDir, 'backups'));
  fs.mkdirSync(parent, { recursive: true });
  const createdAt = new Date();
  let dir = path.join(parent, `twiza-${fileStamp(createdAt)}`);
  for (let n = 2; fs.existsSync(dir); n += 1) dir = path.join(parent, `twiza-${fileStamp(createdAt)}-${n}`);
  fs.mkdirSync(dir);
  try {
    let databaseFile: string;
    let migrations: string[];
    if (config.database.kind === 'sqlite') {
      if (config.database.file === ':memory:') throw new BackupError('An in-memory database cannot be backed up.');
      databaseFile = SQLITE_BACKUP_FILE;
      await backupSqlite(config.database.file, path.join(dir, databaseFile), progress);
      migrations = await appliedMigrationsOfFile(path.join(dir, databaseFile));
    } else {
      databaseFile = POSTGRES_BACKUP_FILE;
      migrations = await appliedMigrationsOfPostgres(config.database.url);
      progress('database: running pg_dump');
      await runPgTool('pg_dump', {
        url: config.database.url,
        args: ['--format=custom', '--verbose', `--file=${path.join(dir, databaseFile)}`],
        env: options.env,
        onLine: (line) => progress(`database: ${line.replace(/^pg_dump: /, '')}`),
      });
    }

    copyUploads(path.join(config.dataDir, UPLOADS_DIR), path.join(dir, UPLOADS_DIR), progress);

    const secretKeyFile = path.join(config.dataDir, SECRET_KEY_FILE);
    const secretKey = config.secretKey ? 'environment' : fs.existsSync(secretKeyFile) ? 'file' : 'none';
    if (secretKey === 'file') copyFileDurably(secretKeyFile, path.join(dir, SECRET_KEY_FILE), 0o600);

    const files: ManifestFile[] = [];
    const relatives = [databaseFile, ...listFiles(path.join(dir, UPLOADS_DIR)).map((f) => `${UPLOADS_DIR}/${f}`)];
    if (secretKey === 'file') relatives.push(SECRET_KEY_FILE);
    for (const [index, relative] of relatives.entries()) {
      const file = path.join(dir, ...relative.split('/'));
      files.push({ path: relative, bytes: fs.statSync(file).size, sha256: await sha256File(file) });
      if ((index + 1) % 100 === 0 || index + 1 === relatives.length) progress(`checksums: ${index + 1} of ${relatives.length} files`);
    }
    const manifest: BackupManifest = {
      format: 'twiza-backup',
      version: 1,
      created_at: createdAt.toISOString(),
      database: { kind: config.database.kind, file: databaseFile },
      migrations,
      secret_key: secretKey,
      files,
    };
    writeManifest(dir, manifest);
    return { dir, manifest };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
