// Runs jobs from the queue: polls, claims a few, runs each through its handler, records the
// outcome with retries and backoff. `stop()` lets running jobs finish, then hands back any
// claimed job it did not start, so a redeploy loses nothing.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import type { JobRow } from '../db/schema.ts';
import { randomToken } from '../lib/crypto.ts';
import { claimJobs, completeJob, failJob, recoverStaleJobs, releaseJobs } from './queue.ts';

export type JobHandler = (job: {
  id: number;
  municipalityId: number | null;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}) => Promise<void>;
export type JobHandlers = Record<string, JobHandler>;

export type WorkerOptions = {
  db: Db;
  handlers: JobHandlers;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  pollMs?: number;
  batchSize?: number;
  /** A job still "running" after this long belonged to a dead worker and is retried. */
  staleAfterMs?: number;
};

export type Worker = {
  id: string;
  /** Runs one poll now; resolves with the number of jobs handled (used by tests and the CLI). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
};

export function startWorker(options: WorkerOptions, { autoStart = true } = {}): Worker {
  const id = `${hostname()}:${process.pid}:${randomToken(4)}`;
  const pollMs = options.pollMs ?? 1000;
  const batchSize = options.batchSize ?? 5;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> | undefined;
  let lastStaleCheck = 0;

  async function runJob(job: JobRow): Promise<void> {
    const handler = options.handlers[job.kind];
    try {
      if (!handler) throw new Error(`No handler for job kind "${job.kind}"`);
      await handler({ id: job.id, municipalityId: job.municipality_id, payload: JSON.parse(job.payload_json), attempts: job.attempts, maxAttempts: job.max_attempts });
      await completeJob(options.db, job.id);
    } catch (error) {
      const outcome = await failJob(options.db, job, error);
      options.logger[outcome === 'failed' ? 'error' : 'warn']({ err: error, jobId: job.id, kind: job.kind, attempts: job.attempts }, `job ${outcome}`);
    }
  }

  async function poll(): Promise<number> {
    if (Date.now() - lastStaleCheck > 60_000) {
      lastStaleCheck = Date.now();
      await recoverStaleJobs(options.db, options.staleAfterMs ?? 10 * 60_000);
    }
    const jobs = await claimJobs(options.db, id, batchSize);
    for (const job of jobs) {
      if (stopping) break;
      await runJob(job);
    }
    return jobs.length;
  }

  function runOnce(): Promise<number> {
    current = (current ?? Promise.resolve(0)).catch(() => 0).then(poll);
    return current;
  }

  function schedule(delay: number) {
    if (stopping) return;
    timer = setTimeout(async () => {
      let handled = 0;
      try {
        handled = await runOnce();
      } catch (error) {
        options.logger.error({ err: error }, 'job poll failed');
      }
      schedule(handled > 0 ? 0 : pollMs);
    }, delay);
  }

  if (autoStart) schedule(0);

  return {
    id,
    runOnce,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await current?.catch(() => undefined);
      const released = await releaseJobs(options.db, id);
      if (released > 0) options.logger.info({ released }, 'released unfinished jobs');
    },
  };
}
