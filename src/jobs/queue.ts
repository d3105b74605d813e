// A durable job queue in the application's own database. Jobs are enqueued in the same
// transaction as the change that needs them (a code is never "sent" for an account that was
// rolled back). Workers claim jobs with FOR UPDATE SKIP LOCKED on PostgreSQL, so several
// processes share the queue without taking the same job; on SQLite the claim is one UPDATE
// statement, and SQLite runs one writer at a time.
import { sql } from 'kysely';
import { dialectOf, type Db } from '../db/database.ts';
import type { JobRow } from '../db/schema.ts';
import { nowIso } from '../lib/time.ts';

export type EnqueueOptions = {
  kind: string;
  payload: unknown;
  municipalityId?: number | null;
  /** When to run it; now by default. */
  runAt?: string;
  maxAttempts?: number;
  /** A job with the same key is enqueued once only (the second call returns null). */
  uniqueKey?: string;
};

export const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * Adds a job. Pass the caller's transaction so the job exists only if the change commits.
 * Returns the job id, or null when `uniqueKey` was already taken.
 */
export async function enqueueJob(db: Db, options: EnqueueOptions): Promise<number | null> {
  const now = nowIso();
  const insert = db.insertInto('jobs').values({
    municipality_id: options.municipalityId ?? null,
    kind: options.kind,
    payload_json: JSON.stringify(options.payload ?? null),
    status: 'pending',
    attempts: 0,
    max_attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    run_at: options.runAt ?? now,
    locked_by: null,
    locked_at: null,
    last_error: null,
    unique_key: options.uniqueKey ?? null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  });
  // ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL a failed statement
  // would abort the caller's whole transaction.
  const row = options.uniqueKey
    ? await insert.onConflict((oc) => oc.column('unique_key').doNothing()).returning('id').executeTakeFirst()
    : await insert.returning('id').executeTakeFirstOrThrow();
  return row?.id ?? null;
}

export type ClaimOptions = {
  /** Only these kinds (the ones the worker has handlers for); all kinds when omitted. */
  kinds?: readonly string[];
};

/** Takes up to `limit` due jobs for this worker, oldest due first, marking them running. */
export async function claimJobs(db: Db, workerId: string, limit: number, options: ClaimOptions = {}): Promise<JobRow[]> {
  const { kinds } = options;
  if (limit <= 0 || kinds?.length === 0) return [];
  const now = nowIso();
  let rows: JobRow[];
  if (dialectOf(db) === 'postgres') {
    // The locking SELECT sits in a CTE so that it runs exactly once; SKIP LOCKED makes a
    // second worker pass over rows the first one is taking instead of waiting for them.
    const result = await sql<JobRow>`
      WITH due AS (
        SELECT id FROM jobs
        WHERE status = 'pending' AND run_at <= ${now} ${kinds ? sql`AND kind = ANY(${[...kinds]})` : sql``}
        ORDER BY run_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE jobs
      SET status = 'running', locked_by = ${workerId}, locked_at = ${now}, attempts = jobs.attempts + 1, updated_at = ${now}
      FROM due WHERE jobs.id = due.id
      RETURNING jobs.*`.execute(db);
    rows = result.rows;
  } else {
    const due = db
      .selectFrom('jobs')
      .select('id')
      .where('status', '=', 'pending')
      .where('run_at', '<=', now)
      .$if(kinds !== undefined, (qb) => qb.where('kind', 'in', [...kinds!]))
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit);
    rows = await db
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', locked_by: workerId, locked_at: now, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', due)
      .returningAll()
      .execute();
  }
  // RETURNING gives no order; run them in the order they were due.
  return rows.sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : a.id - b.id));
}

export async function completeJob(db: Db, jobId: number): Promise<void> {
  const now = nowIso();
  await db
    .updateTable('jobs')
    .set({ status: 'done', locked_by: null, locked_at: null, finished_at: now, updated_at: now, last_error: null })
    .where('id', '=', jobId)
    .execute();
}

/** Exponential backoff: 30 s, 1 min, 2 min … capped at 6 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 6 * 3600_000);
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}

/** Records a failure; the job runs again later unless it has used all its attempts. */
export async function failJob(db: Db, job: JobRow, error: unknown): Promise<'retry' | 'failed'> {
  const now = nowIso();
  const finalFailure = job.attempts >= job.max_attempts;
  await db
    .updateTable('jobs')
    .set({
      status: finalFailure ? 'failed' : 'pending',
      run_at: finalFailure ? job.run_at : new Date(Date.parse(now) + retryDelayMs(job.attempts)).toISOString(),
      locked_by: null,
      locked_at: null,
      last_error: errorText(error),
      updated_at: now,
      finished_at: finalFailure ? now : null,
    })
    .where('id', '=', job.id)
    .execute();
  return finalFailure ? 'failed' : 'retry';
}

/**
 * Gives back jobs a worker claimed but did not start (graceful shutdown). Their attempt is
 * returned too: they never ran.
 */
export async function releaseJobs(db: Db, workerId: string): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set((eb) => ({ status: 'pending', locked_by: null, locked_at: null, attempts: eb('attempts', '-', 1), updated_at: nowIso() }))
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Jobs left running by a worker that died are retried after `staleAfterMs`. The interrupted
 * run counts as an attempt, so a job that kills its worker every time ends as failed instead
 * of taking the queue down forever.
 */
export async function recoverStaleJobs(db: Db, staleAfterMs: number): Promise<{ retried: number; failed: number }> {
  const now = nowIso();
  const cutoff = new Date(Date.parse(now) - staleAfterMs).toISOString();
  const stale = db.updateTable('jobs').where('status', '=', 'running').where('locked_at', '<', cutoff);
  const failed = await stale
    .set({ status: 'failed', locked_by: null, locked_at: null, last_error: 'the worker stopped while running it', updated_at: now, finished_at: now })
    .whereRef('attempts', '>=', 'max_attempts')
    .executeTakeFirst();
  const retried = await stale
    .set({ status: 'pending', locked_by: null, locked_at: null, last_error: 'the worker stopped while running it', updated_at: now })
    .executeTakeFirst();
  return { retried: Number(retried.numUpdatedRows), failed: Number(failed.numUpdatedRows) };
}

/** Kinds of jobs waiting in the queue, to warn about those no worker knows. */
export async function listPendingKinds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('jobs').select('kind').distinct().where('status', '=', 'pending').execute();
  return rows.map((r) => r.kind);
}
