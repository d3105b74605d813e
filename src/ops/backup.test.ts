// Backup and restore through the command line, as an operator runs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { runCli } from '../cli.ts';
import { databaseKinds } from '../../test/support/databases.ts';
import { captureIo, createScratchSite, type ScratchSite } from '../../test/support/sites.ts';
import { knownMigrations } from '../db/migrate.ts';
import { markRunning } from './running.ts';
import type { BackupManifest } from './manifest.ts';

function writeFile(file: string, content: string | Buffer) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** Every file under `dir` with its content, to compare folders. */
function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (!fs.existsSync(dir)) return result;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      result[path.relative(dir, full)] = fs.readFileSync(full, 'base64');
    }
  }
  return result;
}

async function backupOf(site: ScratchSite, outDir: string): Promise<{ dir: string; manifest: BackupManifest; err: string[]; progress: string[] }> {
  const { io, out, err, progress } = captureIo(site.env);
  const code = await runCli(['backup', '--out', outDir], io);
  assert.equal(code, 0, err.join('\n'));
  const dir = out.at(-1)!;
  return { dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest, err, progress };
}

async function municipalitySlugs(site: ScratchSite): Promise<string[]> {
  const handle = site.open();
  try {
    return (await handle.db.selectFrom('municipalities').select('slug').orderBy('slug').execute()).map((r) => r.slug);
  } finally {
    await handle.destroy();
  }
}

describe('backup and restore [sqlite]', () => {
  let site: ScratchSite;
  let backupsDir: string;
  let databaseFile: string;
  before(async () => {
    site = await createScratchSite('sqlite');
    databaseFile = site.databaseUrl.slice('sqlite:'.length);
    backupsDir = path.join(path.dirname(site.dataDir), 'backups');
    assert.equal(await runCli(['seed-demo'], captureIo(site.env).io), 0);
    assert.equal(await runCli(['create-admin', '--email', 'admin@kef.tn'], captureIo(site.env).io), 0);
  });
  after(() => site.cleanup());

  test('a backup taken while another connection writes restores a consistent database, uploads and key', async () => {
    const uploads = path.join(site.dataDir, 'uploads');
    writeFile(path.join(uploads, 'complaints/2026/photo-1.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    writeFile(path.join(uploads, 'complaints/2026/حفرة.txt'), 'حفرة في الطريق');
    writeFile(path.join(site.dataDir, 'secret.key'), 'k'.repeat(64));

    // Enough data that the copy takes several steps, and a writer that keeps committing pairs
    // of rows in one transaction each: a consistent copy never holds half a pair.
    const writer = new SqliteDatabase(databaseFile);
    writer.pragma('busy_timeout = 10000');
    const insert = writer.prepare(
      "INSERT INTO jobs (kind, payload_json, status, attempts, max_attempts, run_at, created_at, updated_at) VALUES ('pair', ?, 'done', 0, 1, '2000-01-01', '2000-01-01', '2000-01-01')",
    );
    const writePair = writer.transaction((pair: number) => {
      insert.run(JSON.stringify({ pair, padding: 'x'.repeat(1500) }));
      insert.run(JSON.stringify({ pair, padding: 'y'.repeat(1500) }));
    });
    for (let pair = 0; pair < 3000; pair += 1) writePair(pair);
    let nextPair = 3000;
    let writing = true;
    let writesDuringBackup = 0;
    const keepWriting = () => {
      if (!writing) return;
      writePair(nextPair++);
      writesDuringBackup += 1;
      setImmediate(keepWriting);
    };
    setImmediate(keepWriting);
    let backup;
    try {
      backup = await backupOf(site, backupsDir);
    } finally {
      writing = false;
      writer.close();
    }
    assert.ok(writesDuringBackup > 0, 'the site kept writing during the backup');
    assert.ok(backup.progress.some((line) => /^database: 100% of \d+ pages/.test(line)), 'progress is shown');
    assert.ok(backup.progress.some((line) => /^uploads: 2 of 2 files/.test(line)));

    const { dir, manifest } = backup;
    assert.equal(path.dirname(dir), backupsDir);
    assert.equal(manifest.database.kind, 'sqlite');
    assert.deepEqual(manifest.migrations, knownMigrations());
    assert.equal(manifest.secret_key, 'file');
    assert.deepEqual(
      manifest.files.map((f) => f.path).sort(),
      ['database.sqlite', 'secret.key', 'uploads/complaints/2026/photo-1.jpg', 'uploads/complaints/2026/حفرة.txt'].sort(),
    );
    assert.ok(manifest.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.bytes > 0));
    assert.equal(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);
    assert.ok(!fs.existsSync(path.join(dir, 'database.sqlite-wal')), 'the copy is one self-contained file');

    const copy = new SqliteDatabase(path.join(dir, 'database.sqlite'), { readonly: true });
    const pairs = copy.prepare("SELECT json_extract(payload_json, '$.pair') AS pair, count(*) AS n FROM jobs WHERE kind = 'pair' GROUP BY pair").all() as {
      pair: number;
      n: number;
    }[];
    copy.close();
    assert.ok(pairs.length >= 3000);
    assert.deepEqual(
      pairs.filter((p) => p.n !== 2),
      [],
      'no transaction was copied half-way',
    );
    const expected = snapshot(uploads);

    // The site goes on after the backup: new data, a deleted photo, a changed photo, a new key.
    assert.equal(await runCli(['create-admin', '--email', 'later@kef.tn'], captureIo(site.env).io), 0);
    fs.rmSync(path.join(uploads, 'complaints/2026/photo-1.jpg'));
    writeFile(path.join(uploads, 'complaints/2026/حفرة.txt'), 'changed');
    writeFile(path.join(uploads, 'later.jpg'), 'new');
    writeFile(path.join(site.dataDir, 'secret.key'), 'z'.repeat(64));
    // A crash leaves a write-ahead log beside the database, holding a committed row.
    const crashed = spawnSync(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(databaseFile)}); db.pragma('wal_autocheckpoint = 0');
         db.prepare("INSERT INTO jobs (kind, payload_json, status, attempts, max_attempts, run_at, created_at, updated_at) VALUES ('crash', '{}', 'done', 0, 1, 'x', 'x', 'x')").run();
         process.exit(0);`,
      ],
      { cwd: process.cwd() },
    );
    assert.equal(crashed.status, 0, String(crashed.stderr));
    assert.ok(fs.statSync(`${databaseFile}-wal`).size > 0, 'the crash left a write-ahead log');

    const { io, out, err } = captureIo(site.env);
    assert.equal(await runCli(['restore', dir, '--yes'], io), 0, err.join('\n'));
    assert.match(out.join('\n'), /Restored\./);

    const restored = new SqliteDatabase(databaseFile, { readonly: true });
    const emails = (restored.prepare('SELECT email FROM users ORDER BY email').all() as { email: string }[]).map((r) => r.email);
    const crashRows = restored.prepare("SELECT count(*) AS n FROM jobs WHERE kind = 'crash'").get() as { n: number };
    const restoredPairs = restored.prepare("SELECT count(*) AS n FROM jobs WHERE kind = 'pair'").get() as { n: number };
    assert.equal(restored.pragma('quick_check', { simple: true }), 'ok');
    restored.close();
    assert.deepEqual(emails, ['admin@kef.tn'], 'the administrator added after the backup is gone');
    assert.equal(crashRows.n, 0, 'the old write-ahead log was not replayed over the restored file');
    assert.equal(restoredPairs.n, pairs.length * 2);
    assert.deepEqual(snapshot(uploads), expected, 'the uploads are exactly those of the backup');
    assert.equal(fs.readFileSync(path.join(site.dataDir, 'secret.key'), 'utf8'), 'k'.repeat(64));

    // What was replaced is kept aside, the old database with its log as a usable pair.
    const aside = out.filter((l) => l.startsWith('Kept the replaced copy at ')).map((l) => l.slice('Kept the replaced copy at '.length).replace(/ \(.*$/, ''));
    const oldDatabase = aside.find((p) => p.startsWith(`${databaseFile}.before-restore-`))!;
    assert.ok(oldDatabase && fs.existsSync(`${oldDatabase}-wal`));
    const old = new SqliteDatabase(oldDatabase, { readonly: true });
    assert.equal((old.prepare("SELECT count(*) AS n FROM jobs WHERE kind = 'crash'").get() as { n: number }).n, 1);
    old.close();
    assert.ok(aside.some((p) => fs.existsSync(path.join(p, 'later.jpg'))), 'the replaced uploads folder is kept');

    const audit = captureIo(site.env);
    assert.equal(await runCli(['audit', 'verify'], audit.io), 0, audit.out.join('\n'));
  });

  test('restore without --yes says what it would replace and changes nothing', async () => {
    const { dir } = await backupOf(site, backupsDir);
    assert.equal(await runCli(['create-admin', '--email', 'after@kef.tn'], captureIo(site.env).io), 0);
    const before = fs.readFileSync(databaseFile);
    const { io, out, err } = captureIo(site.env);
    assert.equal(await runCli(['restore', dir], io), 2);
    const said = out.join('\n');
    assert.match(said, /Restoring replaces:/);
    assert.ok(said.includes(`the SQLite database ${databaseFile}`));
    assert.ok(said.includes(`the uploads folder ${path.join(site.dataDir, 'uploads')}`));
    assert.match(err.join('\n'), /Nothing was changed\. Run again with --yes/);
    assert.ok(fs.readFileSync(databaseFile).equals(before));
  });

  test('restore refuses while Twiza is running on this DATA_DIR', async () => {
    const { dir } = await backupOf(site, backupsDir);
    const running = markRunning(site.dataDir, { startedAt: '2026-11-27T03:00:00.000Z', url: 'http://127.0.0.1:3000', database: databaseFile });
    try {
      const { io, err } = captureIo(site.env);
      assert.equal(await runCli(['restore', dir, '--yes'], io), 1);
      assert.match(err.join('\n'), new RegExp(`Twiza is running \\(process ${process.pid}`));
      assert.match(err.join('\n'), /Nothing was changed/);
    } finally {
      running.release();
    }
    // A record left by a process that no longer exists does not block a restore.
    fs.writeFileSync(path.join(site.dataDir, 'run', '999999999.json'), JSON.stringify({ pid: 999999999, startedAt: 'x', url: 'x', database: 'x' }));
    const { io, err } = captureIo(site.env);
    assert.equal(await runCli(['restore', dir], io), 2, err.join('\n'));
    assert.ok(!fs.existsSync(path.join(site.dataDir, 'run', '999999999.json')), 'the stale record is removed');
  });

  test('a damaged or foreign backup is refused before anything is replaced', async () => {
    writeFile(path.join(site.dataDir, 'uploads', 'a.txt'), 'original');
    const { dir } = await backupOf(site, backupsDir);
    const before = fs.readFileSync(databaseFile);

    writeFile(path.join(dir, 'uploads', 'a.txt'), 'tampered');
    let captured = captureIo(site.env);
    assert.equal(await runCli(['restore', dir, '--yes'], captured.io), 1);
    assert.match(captured.err.join('\n'), /The backup is damaged:\n\s+- uploads\/a\.txt: (size|checksum) differs/);
    writeFile(path.join(dir, 'uploads', 'a.txt'), 'original');

    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, migrations: [...manifest.migrations, '9999-from-the-future'] }));
    captured = captureIo(site.env);
    assert.equal(await runCli(['restore', dir, '--yes'], captured.io), 1);
    assert.match(captured.err.join('\n'), /made by a newer Twiza \(migrations 9999-from-the-future\)/);

    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, files: [...manifest.files, { path: '../../etc/passwd', bytes: 1, sha256: 'x' }] }));
    captured = captureIo(site.env);
    assert.equal(await runCli(['restore', dir, '--yes'], captured.io), 1);
    assert.match(captured.err.join('\n'), /names a file outside the backup: \.\.\/\.\.\/etc\/passwd/);

    fs.rmSync(manifestFile);
    captured = captureIo(site.env);
    assert.equal(await runCli(['restore', dir, '--yes'], captured.io), 1);
    assert.match(captured.err.join('\n'), /is not a Twiza backup: it has no manifest\.json/);

    assert.ok(fs.readFileSync(databaseFile).equals(before), 'the database was not touched');
  });

  test('backing up a database that does not exist is a clear error, and leaves no folder behind', async () => {
    const { io, err } = captureIo({ ...site.env, DATABASE_URL: `sqlite:${path.join(site.dataDir, 'missing.db')}` });
    const out = path.join(path.dirname(site.dataDir), 'empty-backups');
    assert.equal(await runCli(['backup', '--out', out], io), 1);
    assert.match(err.join('\n'), /There is no database at .*missing\.db to back up\./);
    assert.deepEqual(fs.readdirSync(out), []);
  });
});

if (databaseKinds().includes('postgres')) {
  describe('backup and restore [postgres]', () => {
    let site: ScratchSite;
    let backupsDir: string;
    before(async () => {
      site = await createScratchSite('postgres');
      backupsDir = path.join(site.dataDir, 'backups');
      assert.equal(await runCli(['seed-demo'], captureIo(site.env).io), 0);
    });
    after(() => site.cleanup());

    test('pg_dump and pg_restore --clean round trip, uploads included', async () => {
      writeFile(path.join(site.dataDir, 'uploads', 'p.jpg'), 'photo');
      const { dir, manifest, progress } = await backupOf(site, backupsDir);
      assert.equal(manifest.database.kind, 'postgres');
      assert.deepEqual(manifest.files.map((f) => f.path).sort(), ['database.pgdump', 'secret.key', 'uploads/p.jpg'].sort().filter((p) => p !== 'secret.key' || manifest.secret_key === 'file'));
      assert.ok(progress.some((line) => /^database: /.test(line)), 'pg_dump progress is shown');
      assert.equal(fs.readFileSync(path.join(dir, 'database.pgdump')).subarray(0, 5).toString(), 'PGDMP');

      const handle = site.open();
      try {
        await handle.db
          .insertInto('municipalities')
          .values({ slug: 'later', name_ar: 'x', name_fr: 'x', name_en: 'x', tracking_prefix: 'LAT', council_body: 'elected_council', contact_email: null, contact_phone: null, address_ar: null, address_fr: null, address_en: null, map_lat: 0, map_lng: 0, map_zoom: 1, created_at: 'x', updated_at: 'x' })
          .execute();
      } finally {
        await handle.destroy();
      }
      fs.rmSync(path.join(site.dataDir, 'uploads', 'p.jpg'));
      assert.deepEqual(await municipalitySlugs(site), ['kef', 'later']);

      const { io, err } = captureIo(site.env);
      assert.equal(await runCli(['restore', dir, '--yes'], io), 0, err.join('\n'));
      assert.deepEqual(await municipalitySlugs(site), ['kef']);
      assert.equal(fs.readFileSync(path.join(site.dataDir, 'uploads', 'p.jpg'), 'utf8'), 'photo');
      const audit = captureIo(site.env);
      assert.equal(await runCli(['audit', 'verify'], audit.io), 0, audit.out.join('\n'));
    });

    test('without pg_dump on the PATH the error says what to install', async () => {
      const { io, err } = captureIo({ ...site.env, PATH: '/nonexistent' });
      assert.equal(await runCli(['backup', '--out', backupsDir], io), 1);
      assert.match(err.join('\n'), /pg_dump was not found on the PATH\. Install the PostgreSQL client tools/);
    });

    test('a password in DATABASE_URL reaches pg_dump through PGPASSWORD, not its arguments', async () => {
      const { splitPassword } = await import('./postgres-tools.ts');
      assert.deepEqual(splitPassword('postgres://twiza:s%40cret@db:5432/twiza'), { url: 'postgres://twiza@db:5432/twiza', password: 's@cret' });
    });
  });
}
