// A throwaway install for command-line and process tests: its own DATA_DIR and its own
// database (a SQLite file, or a fresh PostgreSQL database next to TEST_PG_URL's), described as
// the environment variables Twiza reads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { randomToken } from '../../src/lib/crypto.ts';
import type { Io } from '../../src/cli.ts';
import type { DatabaseKind } from './databases.ts';

export type ScratchSite = {
  kind: DatabaseKind;
  dataDir: string;
  databaseUrl: string;
  /** Environment for runCli or a child process (PATH kept, logs silent). */
  env: Record<string, string>;
  /** A new handle to the site's database; the caller destroys it. */
  open(): DatabaseHandle;
  cleanup(): Promise<void>;
};

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createScratchSite(kind: DatabaseKind): Promise<ScratchSite> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-site-'));
  const dataDir = path.join(root, 'data');
  let databaseUrl: string;
  let dropDatabase = async () => {};
  if (kind === 'sqlite') {
    databaseUrl = `sqlite:${path.join(dataDir, 'twiza.db')}`;
  } else {
    const name = `twiza_site_${randomToken(6)}`;
    await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(process.env.TEST_PG_URL!);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = () => withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  }
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
  };
  return {
    kind,
    dataDir,
    databaseUrl,
    env,
    open: () =>
      kind === 'sqlite' ? openDatabase({ kind: 'sqlite', file: databaseUrl.slice('sqlite:'.length) }) : openDatabase({ kind: 'postgres', url: databaseUrl }),
    async cleanup() {
      await dropDatabase();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export type CapturedIo = { io: Io; out: string[]; err: string[]; progress: string[] };

/** An io for runCli that keeps every line, reading configuration from `env`. */
export function captureIo(env: Record<string, string>): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  return {
    out,
    err,
    progress,
    io: { out: (line) => void out.push(line), err: (line) => void err.push(line), progress: (text) => void progress.push(text), env },
  };
}
