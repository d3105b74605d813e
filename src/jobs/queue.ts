// A durable job queue in the application's own database. Jobs are enqueued in the same
// transaction as the change that needs them (a code is never "sent" for an account that was
// rolled back). Workers claim jobs with FOR UPDATE SKIP LOCKED on PostgreSQL, so several
// processes share the queue without taking the same job; SQLite runs one writer at a time.
import { sql } from 'kysely';
import { dialectOf, type Db } from '../db/database.ts';
import type { JobRow } from '../db/schema.ts';
import { isUniqueViolation } from '../lib/errors.ts';
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

export async function enqueueJob(db: Db, options: EnqueueOptions): Promise<number | null> {
  const now = nowIso();
  const insert = db.insertInto('jobs').values({
    municipality_id: options.municipalityId ?? null,
    kind: options.kind,
    payload_json: JSON.stringify(options.payload ?? null),
    status: 'pending',
    attempts: 0,
    max_attempts: options.maxAttempts ?? 8,
    run_at: options.runAt ?? now,
    locked_by: null,
    locked_at: null,
    last_error: null,
    unique_key: options.uniqueKey ?? null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  });
  if (options.uniqueKey) {
    const row = await insert.onConflict((oc) => oc.column('unique_key').doNothing()).returning('id').executeTakeFirst();
    return row?.id ?? null;
  }
  try {
    const row = await insert.returning('id').executeTakeFirstOrThrow();
    return row.id;
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** Takes up to `limit` due jobs for this worker, marking them running. */
export async function claimJobs(db: Db, workerId: string, limit: number): Promise<JobRow[]> {
  const now = nowIso();
  if (dialectOf(db) === 'postgres') {
    const result = await sql<JobRow>`
      UPDATE jobs SET status = 'running', locked_by = ${workerId}, locked_at = ${now}, attempts = attempts + 1, updated_at = ${now}
      WHERE id IN (
        SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ${now}
        ORDER BY run_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED
      )
      RETURNING *`.execute(db);
    return result.rows;
  }
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('jobs')
      .select('id')
      .where('status', '=', 'pending')
      .where('run_at', '<=', now)
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    if (due.length === 0) return [];
    return trx
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', locked_by: workerId, locked_at: now, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute();
  });
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

/** Records a failure; the job runs again later unless it has used all its attempts. */
export async function failJob(db: Db, job: JobRow, error: unknown): Promise<'retry' | 'failed'> {
  const now = nowIso();
  const message = error instanceof Error ? error.message : String(error);
  const finalFailure = job.attempts >= job.max_attempts;
  await db
    .updateTable('jobs')
    .set({
      status: finalFailure ? 'failed' : 'pending',
      run_at: finalFailure ? job.run_at : new Date(Date.now() + retryDelayMs(job.attempts)).toISOString(),
      locked_by: null,
      locked_at: null,
      last_error: message.slice(0, 2000),
      updated_at: now,
      finished_at: finalFailure ? now : null,
    })
    .where('id', '=', job.id)
    .execute();
  return finalFailure ? 'failed' : 'retry';
}

/** Gives back jobs a worker claimed but did not finish (graceful shutdown). */
export async function releaseJobs(db: Db, workerId: string): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set((eb) => ({ status: 'pending', locked_by: null, locked_at: null, attempts: eb('attempts', '-', 1), updated_at: nowIso() }))
    .where('status', '=', 'running')
    .where('locked_by', '=', workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Jobs left running by a worker that died are retried after `staleAfterMs`. */
export async function recoverStaleJobs(db: Db, staleAfterMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - staleAfterMs).toISOString();
  const result = await db
    .updateTable('jobs')
    .set({ status: 'pending', locked_by: null, locked_at: null, updated_at: nowIso() })
    .where('status', '=', 'running')
    .where('locked_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
