// Every repository and service test runs on SQLite, and on PostgreSQL too when TEST_PG_URL is
// set (CI sets it). Each test suite gets its own SQLite file or its own PostgreSQL schema, so
// suites never see each other's rows. An unreachable PostgreSQL fails the run: it is never skipped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { openDatabase, type DatabaseHandle, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { randomToken } from '../../src/lib/crypto.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export type TestDatabase = { kind: DatabaseKind; handle: DatabaseHandle; cleanup(): Promise<void> };

export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-test-'));
    const handle = openDatabase({ kind: 'sqlite', file: path.join(dir, 'test.db') });
    await migrateToLatest(handle.db);
    return {
      kind,
      handle,
      async cleanup() {
        await handle.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.TEST_PG_URL!;
  const schema = `test_${randomToken(6)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const handle = openDatabase({ kind: 'postgres', url, schema });
  await migrateToLatest(handle.db, schema);
  return {
    kind,
    handle,
    async cleanup() {
      await handle.destroy();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}

export type DatabaseSuite = { kind: DatabaseKind; db(): Db; handle(): DatabaseHandle };

/** Declares `body`'s tests once per database kind, each with a fresh migrated database. */
export function describeEachDatabase(title: string, body: (suite: DatabaseSuite) => void): void {
  for (const kind of databaseKinds()) {
    describe(`${title} [${kind}]`, () => {
      let testDb: TestDatabase | undefined;
      before(async () => {
        testDb = await createTestDatabase(kind);
      });
      body({
        kind,
        db: () => testDb!.handle.db,
        handle: () => testDb!.handle,
      });
      // Registered after the body's hooks so that it runs after them: a suite's own `after`
      // (stopping a worker, closing an app) can still use the database.
      after(async () => {
        await testDb?.cleanup();
      });
    });
  }
}

/**
 * Another connection (SQLite) or pool (PostgreSQL) to the same test database, as a second app
 * process would have. The caller destroys it.
 */
export function openSecondHandle(handle: DatabaseHandle): DatabaseHandle {
  if (handle.dialect === 'sqlite') {
    if (!handle.sqliteFile) throw new Error('An in-memory SQLite database has no second connection.');
    return openDatabase({ kind: 'sqlite', file: handle.sqliteFile });
  }
  return openDatabase({ kind: 'postgres', url: process.env.TEST_PG_URL!, schema: handle.schema });
}
