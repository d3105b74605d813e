import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { dialectOf, openDatabase } from './database.ts';

test('SQLite: a transaction holds the write lock from its first statement (BEGIN IMMEDIATE)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-db-'));
  const handle = openDatabase({ kind: 'sqlite', file: path.join(dir, 'lock.db') });
  const otherProcess = new SqliteDatabase(path.join(dir, 'lock.db'));
  otherProcess.pragma('busy_timeout = 0');
  try {
    assert.equal(dialectOf(handle.db), 'sqlite');
    assert.equal(handle.sqlite!.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(handle.sqlite!.pragma('synchronous', { simple: true }), 2, 'synchronous=FULL');
    assert.equal(handle.sqlite!.pragma('foreign_keys', { simple: true }), 1);
    await handle.db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx); // only a read so far
      assert.throws(() => otherProcess.exec('BEGIN IMMEDIATE'), /database is locked/);
    });
    otherProcess.exec('BEGIN IMMEDIATE');
    otherProcess.exec('COMMIT');
  } finally {
    otherProcess.close();
    await handle.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
