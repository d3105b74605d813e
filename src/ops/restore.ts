// `twiza restore DIR`: puts a backup back. It first proves the backup is whole (every checksum)
// and belongs here (same database kind, no migration this version does not know), refuses while
// a Twiza server is running on this DATA_DIR, and asks for --yes after saying what it replaces.
// What it replaces is moved aside (".before-restore-<time>") rather than deleted, so restoring
// the wrong backup can be undone; the operator removes those copies when satisfied.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { knownMigrations, listAppliedMigrations } from '../db/migrate.ts';
import { copyFileDurably, fileStamp, isSafeRelativePath } from './files.ts';
import { BackupError, SECRET_KEY_FILE, UPLOADS_DIR, readManifest, verifyManifestFiles, type BackupManifest } from './manifest.ts';
import { runPgTool, splitPassword } from './postgres-tools.ts';
import { findRunningServers } from './running.ts';
import type { Progress } from './backup.ts';

export type RestorePlan = {
  manifest: BackupManifest;
  /** Lines telling the operator what will be replaced. */
  replaces: string[];
  /** Reasons the restore cannot go ahead; empty when it can. */
  refusals: string[];
};

function describeDatabase(config: Config): string {
  if (config.database.kind === 'sqlite') return `the SQLite database ${config.database.file}`;
  const { url } = splitPassword(config.database.url);
  return `every table of the PostgreSQL database ${url}`;
}

/** Reads and checks a backup against this install; changes nothing. */
export async function planRestore(config: Config, dir: string, progress: Progress = () => {}): Promise<RestorePlan> {
  const manifest = readManifest(dir);
  const refusals: string[] = [];
  const problems = await verifyManifestFiles(dir, manifest, (checked, total) => {
    if (checked % 100 === 0 || checked === total) progress(`checksums: ${checked} of ${total} files`);
  });
  if (problems.length) refusals.push(`The backup is damaged:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  if (manifest.database.kind !== config.database.kind) {
    refusals.push(`The backup holds a ${manifest.database.kind} database but DATABASE_URL points to ${config.database.kind}.`);
  }
  if (config.database.kind === 'sqlite' && config.database.file === ':memory:') refusals.push('DATABASE_URL is an in-memory database.');
  const known = new Set(knownMigrations());
  const unknown = manifest.migrations.filter((name) => !known.has(name));
  if (unknown.length) {
    refusals.push(`The backup was made by a newer Twiza (migrations ${unknown.join(', ')}); upgrade Twiza first, then restore.`);
  }
  if (config.database.kind === 'postgres' && manifest.database.kind === 'postgres') {
    // pg_restore --clean drops and recreates what the dump holds; tables a later migration
    // added would stay behind and break the next start. Ask for an empty database instead.
    const handle = openDatabase({ kind: 'postgres', url: config.database.url });
    try {
      const inBackup = new Set(manifest.migrations);
      const newer = (await listAppliedMigrations(handle.db)).filter((name) => !inBackup.has(name));
      if (newer.length) {
        refusals.push(
          `The database has migrations the backup does not (${newer.join(', ')}). Restore into an empty database: ` +
            'drop and create it (dropdb, createdb), then run the restore again.',
        );
      }
    } finally {
      await handle.destroy();
    }
  }
  for (const server of findRunningServers(config.dataDir)) {
    refusals.push(
      `Twiza is running (process ${server.pid}, started ${server.startedAt}, ${server.url}). Stop it first; ` +
        `if no Twiza is running, remove ${path.join(config.dataDir, 'run', `${server.pid}.json`)}.`,
    );
  }

  const uploads = manifest.files.filter((f) => f.path.startsWith(`${UPLOADS_DIR}/`)).length;
  const replaces = [
    `${describeDatabase(config)}, with the copy of ${manifest.created_at}`,
    `the uploads folder ${path.join(config.dataDir, UPLOADS_DIR)}, with the backup's ${uploads} file${uploads === 1 ? '' : 's'}`,
  ];
  if (manifest.secret_key === 'file') replaces.push(`the secret key ${path.join(config.dataDir, SECRET_KEY_FILE)}`);
  return { manifest, replaces, refusals };
}

export type RestoreReport = {
  /** Where the replaced files were moved. */
  keptAside: string[];
  warnings: string[];
};

/** Moves `file` aside if it exists; returns the new name. */
function moveAside(file: string, stamp: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const aside = `${file}.before-restore-${stamp}`;
  fs.renameSync(file, aside);
  return aside;
}

function restoreSqlite(backupFile: string, target: string, stamp: string, keptAside: string[]): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Copy next to the target first, so the switch is a rename within one file system.
  const incoming = `${target}.restoring`;
  copyFileDurably(backupFile, incoming);
  // The old -wal and -shm belong to the old database: left in place, SQLite would replay the
  // old WAL over the restored file. Moved with it, they stay a usable pair (name-wal).
  const moved = moveAside(target, stamp);
  if (moved) keptAside.push(moved);
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(`${target}${suffix}`)) {
      if (moved) fs.renameSync(`${target}${suffix}`, `${moved}${suffix}`);
      else fs.rmSync(`${target}${suffix}`);
    }
  }
  fs.renameSync(incoming, target);
  const check = new SqliteDatabase(target);
  try {
    const result = check.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new BackupError(`The restored database failed SQLite's check: ${String(result)}`);
  } finally {
    check.close();
  }
}

export async function restoreBackup(
  config: Config,
  dir: string,
  plan: RestorePlan,
  options: { progress?: Progress; env?: Record<string, string | undefined> } = {},
): Promise<RestoreReport> {
  if (plan.refusals.length) throw new BackupError(plan.refusals.join('\n'));
  const progress = options.progress ?? (() => {});
  const { manifest } = plan;
  const stamp = fileStamp();
  const keptAside: string[] = [];
  const warnings: string[] = [];
  const backupPath = (relative: string) => path.join(dir, ...relative.split('/'));

  progress('database: restoring');
  if (config.database.kind === 'sqlite') {
    restoreSqlite(backupPath(manifest.database.file), config.database.file, stamp, keptAside);
  } else {
    await runPgTool('pg_restore', {
      url: config.database.url,
      // One transaction: a restore that fails half-way leaves the database as it was.
      args: ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', '--verbose', backupPath(manifest.database.file)],
      env: options.env,
      onLine: (line) => progress(`database: ${line.replace(/^pg_restore: /, '')}`),
    });
  }

  const uploadsDir = path.join(config.dataDir, UPLOADS_DIR);
  const movedUploads = moveAside(uploadsDir, stamp);
  if (movedUploads) keptAside.push(movedUploads);
  fs.mkdirSync(uploadsDir, { recursive: true });
  const uploads = manifest.files.filter((f) => f.path.startsWith(`${UPLOADS_DIR}/`));
  uploads.forEach((entry, index) => {
    const relative = entry.path.slice(UPLOADS_DIR.length + 1);
    if (!isSafeRelativePath(relative)) throw new BackupError(`Unsafe path in the manifest: ${entry.path}`);
    copyFileDurably(backupPath(entry.path), path.join(uploadsDir, ...relative.split('/')));
    if ((index + 1) % 100 === 0 || index + 1 === uploads.length) progress(`uploads: ${index + 1} of ${uploads.length} files`);
  });

  if (manifest.secret_key === 'file') {
    const keyFile = path.join(config.dataDir, SECRET_KEY_FILE);
    const incoming = fs.readFileSync(backupPath(SECRET_KEY_FILE), 'utf8');
    if (!fs.existsSync(keyFile) || fs.readFileSync(keyFile, 'utf8') !== incoming) {
      const moved = moveAside(keyFile, stamp);
      if (moved) keptAside.push(moved);
      copyFileDurably(backupPath(SECRET_KEY_FILE), keyFile, 0o600);
    }
    if (config.secretKey) {
      warnings.push('SECRET_KEY is set in the environment, so the restored secret.key is not used: keep SECRET_KEY the value it had when the backup was made.');
    }
  } else if (manifest.secret_key === 'environment') {
    warnings.push('The backup was made with SECRET_KEY from the environment: start Twiza with that same value.');
  }
  return { keptAside, warnings };
}
