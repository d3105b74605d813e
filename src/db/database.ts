// Opens the database: SQLite (embedded, the default) or PostgreSQL (production). Everything
// above this file speaks Kysely and never learns which one it got, except through
// `dialectOf` where SQL really differs (row locks, full-text search).
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteAdapter, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };

export type DatabaseHandle = {
  db: Db;
  dialect: Dialect;
  /** The SQLite file, for online backups; undefined on PostgreSQL. */
  sqliteFile: string | undefined;
  sqlite: SqliteDatabase.Database | undefined;
  /** The PostgreSQL schema when not the default (tests run each suite in its own). */
  schema: string | undefined;
  destroy(): Promise<void>;
};

// COUNT(*) and other int8 results arrive as strings from pg; our counts fit in a double.
pg.types.setTypeParser(20, (value) => Number(value));

export function openDatabase(target: DatabaseTarget): DatabaseHandle {
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') fs.mkdirSync(path.dirname(target.file), { recursive: true });
    const sqlite = new SqliteDatabase(target.file);
    // WAL lets readers run during a write; synchronous=FULL makes every committed transaction
    // survive a power cut, which we owe to citizens told that their complaint or ballot is saved.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 10000');
    const db = new Kysely<Database>({ dialect: immediateTransactions(new SqliteDialect({ database: sqlite })) });
    return {
      db,
      dialect: 'sqlite',
      sqliteFile: target.file === ':memory:' ? undefined : target.file,
      sqlite,
      schema: undefined,
      destroy: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    ...(target.schema ? { options: `-c search_path=${target.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', sqliteFile: undefined, sqlite: undefined, schema: target.schema, destroy: () => db.destroy() };
}

/**
 * SQLite transactions start with BEGIN IMMEDIATE, taking the write lock at once. With the
 * default deferred BEGIN, a transaction that read first and writes later fails at once with
 * "database is locked" when another process (the CLI next to the server) committed in
 * between; taking the lock first makes it wait its turn (busy_timeout) instead.
 */
function immediateTransactions(dialect: SqliteDialect): SqliteDialect {
  const createDriver = dialect.createDriver.bind(dialect);
  dialect.createDriver = () => {
    const driver = createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  };
  return dialect;
}

export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}
