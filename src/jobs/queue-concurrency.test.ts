// Several workers, each with its own connection pool as separate app processes would have,
// share one queue: no job is taken twice and every job is handled exactly once.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { DatabaseHandle } from '../db/database.ts';
import { describeEachDatabase, openSecondHandle } from '../../test/support/databases.ts';
import { recordingLogger } from '../../test/support/logger.ts';
import { claimJobs, enqueueJob } from './queue.ts';
import { startWorker } from './worker.ts';

const WORKERS = 4;
const JOBS = 120;

describeEachDatabase('job queue shared by several processes', (suite) => {
  let handles: DatabaseHandle[] = [];
  before(() => {
    handles = Array.from({ length: WORKERS }, () => openSecondHandle(suite.handle()));
  });
  after(async () => {
    await Promise.all(handles.map((h) => h.destroy()));
  });
  beforeEach(async () => {
    await suite.db().deleteFrom('jobs').execute();
  });

  test('concurrent claims never return the same job', async () => {
    const db = suite.db();
    for (let n = 0; n < JOBS; n += 1) await enqueueJob(db, { kind: 'noop', payload: n });
    const claimedBy = await Promise.all(
      handles.map(async (handle, w) => {
        const mine: number[] = [];
        for (;;) {
          const batch = await claimJobs(handle.db, `worker-${w}`, 3);
          if (batch.length === 0) return mine;
          mine.push(...batch.map((j) => j.id));
        }
      }),
    );
    const all = claimedBy.flat();
    assert.equal(all.length, JOBS);
    assert.equal(new Set(all).size, JOBS, 'no job id appears twice');
    const rows = await db.selectFrom('jobs').select(['id', 'locked_by']).execute();
    for (const row of rows) {
      const owner = claimedBy.findIndex((ids) => ids.includes(row.id));
      assert.equal(row.locked_by, `worker-${owner}`);
    }
  });

  test('workers polling together handle every job exactly once', async () => {
    const db = suite.db();
    const ids = new Set<number>();
    for (let n = 0; n < JOBS; n += 1) ids.add((await enqueueJob(db, { kind: 'count', payload: n }))!);
    const handled: { job: number; worker: number }[] = [];
    const workers = handles.map((handle, w) =>
      startWorker(
        {
          db: handle.db,
          logger: recordingLogger(),
          batchSize: 2,
          handlers: {
            count: async (job) => {
              handled.push({ job: job.id, worker: w });
              // Yield so the other workers get to claim while this one "works".
              await new Promise((resolve) => setImmediate(resolve));
            },
          },
        },
        { autoStart: false },
      ),
    );
    await Promise.all(
      workers.map(async (worker) => {
        while ((await worker.runOnce()) > 0);
      }),
    );
    await Promise.all(workers.map((w) => w.stop()));
    assert.equal(handled.length, JOBS);
    assert.deepEqual(new Set(handled.map((h) => h.job)), ids);
    const statuses = await db.selectFrom('jobs').select('status').distinct().execute();
    assert.deepEqual(statuses, [{ status: 'done' }]);
    if (suite.kind === 'postgres') {
      const busyWorkers = new Set(handled.map((h) => h.worker));
      assert.ok(busyWorkers.size > 1, 'on PostgreSQL the work is shared between workers');
    }
  });

  if (suite.kind === 'postgres') {
    test('a job locked by another transaction is skipped, not waited for (SKIP LOCKED)', { timeout: 15_000 }, async () => {
      const db = suite.db();
      const first = (await enqueueJob(db, { kind: 'noop', payload: 'locked', runAt: '2000-01-01T00:00:00.000Z' }))!;
      const second = (await enqueueJob(db, { kind: 'noop', payload: 'free', runAt: '2000-01-02T00:00:00.000Z' }))!;
      await handles[0]!.db.transaction().execute(async (trx) => {
        // Another worker is in the middle of claiming the oldest job.
        await trx.selectFrom('jobs').select('id').where('id', '=', first).forUpdate().execute();
        // Without SKIP LOCKED this claim would wait for the transaction above, which waits for it.
        const claimed = await claimJobs(handles[1]!.db, 'other', 1);
        assert.deepEqual(claimed.map((j) => j.id), [second]);
      });
      const [retaken] = await claimJobs(handles[2]!.db, 'third', 1);
      assert.equal(retaken?.id, first, 'once the lock is gone the oldest job is claimed');
    });
  }
});
