// Runs jobs from the queue: polls, claims a few, runs each through its handler, records the
// outcome with retries and backoff. A worker claims only the kinds it has handlers for, so
// during a rolling deploy an older process leaves a newer job kind to the newer processes.
// `stop()` starts nothing new, lets the running job finish, then hands back any claimed job it
// did not start, so a redeploy loses nothing.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import type { JobRow } from '../db/schema.ts';
import { randomToken } from '../lib/crypto.ts';
import { claimJobs, completeJob, failJob, listPendingKinds, recoverStaleJobs, releaseJobs } from './queue.ts';

export type JobContext = {
  id: number;
  municipalityId: number | null;
  payload: unknown;
  /** This run's number, from 1. */
  attempts: number;
  maxAttempts: number;
};
export type JobHandler = (job: JobContext) => Promise<void>;
export type JobHandlers = Record<string, JobHandler>;

export type WorkerOptions = {
  db: Db;
  handlers: JobHandlers;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  pollMs?: number;
  batchSize?: number;
  /**
   * A job still "running" after this long belonged to a dead worker and is retried. Handlers
   * must finish well within it (and be idempotent: a job may run more than once).
   */
  staleAfterMs?: number;
};

export type Worker = {
  id: string;
  /** Runs one poll now; resolves with the number of jobs claimed (used by tests and the CLI). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
};

const MAINTENANCE_EVERY_MS = 60_000;

export function startWorker(options: WorkerOptions, { autoStart = true } = {}): Worker {
  const id = `${hostname()}:${process.pid}:${randomToken(4)}`;
  const pollMs = options.pollMs ?? 1000;
  const batchSize = options.batchSize ?? 5;
  const kinds = Object.keys(options.handlers);
  const warnedKinds = new Set<string>();
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> | undefined;
  let lastMaintenance = 0;

  async function runJob(job: JobRow): Promise<void> {
    const handler = options.handlers[job.kind];
    try {
      if (!handler) throw new Error(`No handler for job kind "${job.kind}"`);
      await handler({
        id: job.id,
        municipalityId: job.municipality_id,
        payload: JSON.parse(job.payload_json),
        attempts: job.attempts,
        maxAttempts: job.max_attempts,
      });
      await completeJob(options.db, job.id);
    } catch (error) {
      const outcome = await failJob(options.db, job, error);
      options.logger[outcome === 'failed' ? 'error' : 'warn']({ err: error, jobId: job.id, kind: job.kind, attempts: job.attempts }, `job ${outcome}`);
    }
  }

  async function maintain(): Promise<void> {
    lastMaintenance = Date.now();
    const recovered = await recoverStaleJobs(options.db, options.staleAfterMs ?? 10 * 60_000);
    if (recovered.retried + recovered.failed > 0) options.logger.warn(recovered, 'recovered jobs of a stopped worker');
    for (const kind of await listPendingKinds(options.db)) {
      if (!options.handlers[kind] && !warnedKinds.has(kind)) {
        warnedKinds.add(kind);
        options.logger.warn({ kind }, 'jobs of a kind this worker has no handler for are waiting');
      }
    }
  }

  async function poll(): Promise<number> {
    if (stopping) return 0;
    if (Date.now() - lastMaintenance > MAINTENANCE_EVERY_MS) await maintain();
    const jobs = await claimJobs(options.db, id, batchSize, { kinds });
    for (const job of jobs) {
      if (stopping) break; // the rest is released by stop()
      await runJob(job);
    }
    return jobs.length;
  }

  function runOnce(): Promise<number> {
    // One poll at a time: a manual runOnce() waits for the timer's poll and vice versa.
    current = (current ?? Promise.resolve(0)).catch(() => 0).then(poll);
    return current;
  }

  function schedule(delay: number) {
    if (stopping) return;
    timer = setTimeout(async () => {
      let claimed = 0;
      try {
        claimed = await runOnce();
      } catch (error) {
        options.logger.error({ err: error }, 'job poll failed');
      }
      schedule(claimed > 0 ? 0 : pollMs);
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
