// The transaction a ballot is written in.
//
// PostgreSQL: one transaction per ballot, at the default isolation level; concurrent ballots run
// side by side on the pool and the register's unique constraints settle every race.
//
// SQLite: one writer at a time, and every COMMIT waits for the disk (synchronous=FULL: a ballot
// we said was counted survives a power cut). One transaction per ballot would cap the vote at
// the disk's flushes per second — a few hundred on ordinary hardware. So ballots that arrive
// while a commit is under way are queued and written together in the next transaction, each
// inside its own SAVEPOINT: a ballot that fails (already voted, phone full…) is rolled back to
// its savepoint and fails alone, the others go on. Each caller is answered only after the COMMIT
// returned, so "your ballot is counted" is still said only of a durable ballot; if the COMMIT
// itself fails, every ballot of the group fails. The constraints work as before: within a group
// each ballot sees the ones written before it.
import { sql } from 'kysely';
import { dialectOf, type Db } from '../../../db/database.ts';

/** Ballot writes under way; the concurrency test and the bench read it. */
export const ballotWriteGauge = { inFlight: 0, maxInFlight: 0, transactions: 0 };

/** At most this many ballots in one SQLite transaction. */
const MAX_GROUP = 256;

type Job = { work: (trx: Db) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Queue = { pending: Job[]; running: boolean };

const queues = new WeakMap<Db, Queue>();

let grouping = true;

/** Turns group commit off (one transaction per ballot) or on; for the bench's comparison. */
export function setGroupCommit(on: boolean): void {
  grouping = on;
}

/**
 * Runs `work` in a transaction (or in the caller's, when `db` already is one); `work`'s error
 * undoes what it wrote and is rethrown to this caller only. `work` must use only the `trx` it is
 * given: on SQLite the one connection is held by the group's transaction, so a query through
 * `db` inside it would wait for itself.
 */
export async function writeBallot<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  ballotWriteGauge.inFlight += 1;
  ballotWriteGauge.maxInFlight = Math.max(ballotWriteGauge.maxInFlight, ballotWriteGauge.inFlight);
  try {
    if (db.isTransaction) return await work(db);
    if (!grouping || dialectOf(db) !== 'sqlite') {
      ballotWriteGauge.transactions += 1;
      return await db.transaction().execute(work);
    }
    return await new Promise<T>((resolve, reject) => {
      let queue = queues.get(db);
      if (!queue) {
        queue = { pending: [], running: false };
        queues.set(db, queue);
      }
      queue.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!queue.running) {
        queue.running = true;
        // Let the ballots arriving in this turn of the event loop join the first group.
        setImmediate(() => void drain(db, queue));
      }
    });
  } finally {
    ballotWriteGauge.inFlight -= 1;
  }
}

async function drain(db: Db, queue: Queue): Promise<void> {
  while (queue.pending.length > 0) {
    const group = queue.pending.splice(0, MAX_GROUP);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      ballotWriteGauge.transactions += 1;
      await db.transaction().execute(async (trx) => {
        for (const job of group) {
          await sql`savepoint ballot`.execute(trx);
          try {
            outcomes.push({ ok: true, value: await job.work(trx) });
          } catch (error) {
            outcomes.push({ ok: false, error });
            // If SQLite already rolled the whole transaction back (disk full, I/O error), this
            // throws and the whole group fails below, as it must.
            await sql`rollback to savepoint ballot`.execute(trx);
          }
          await sql`release savepoint ballot`.execute(trx);
        }
      });
    } catch (error) {
      // Nothing of the group was committed: every ballot fails, with its own error if it had one.
      for (const [i, job] of group.entries()) {
        const outcome = outcomes[i];
        job.reject(outcome && !outcome.ok ? outcome.error : error);
      }
      continue;
    }
    for (const [i, job] of group.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
  }
  queue.running = false;
}
