import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { Db } from '../db/database.ts';
import { describeEachDatabase } from '../../test/support/databases.ts';
import { recordingLogger } from '../../test/support/logger.ts';
import { claimJobs, enqueueJob, failJob, recoverStaleJobs, releaseJobs, retryDelayMs } from './queue.ts';
import { startWorker, type JobContext } from './worker.ts';

const PAST = '2000-01-01T00:00:00.000Z';
const FUTURE = '2999-01-01T00:00:00.000Z';

async function jobById(db: Db, id: number) {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Time passes: the job is due again (backoff is tested on run_at, not by waiting). */
async function makeDue(db: Db, id: number) {
  await db.updateTable('jobs').set({ run_at: PAST }).where('id', '=', id).execute();
}

test('backoff doubles from 30 seconds and stops growing at 6 hours', () => {
  assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [30_000, 60_000, 120_000, 240_000]);
  assert.equal(retryDelayMs(30), 6 * 3600_000);
});

describeEachDatabase('job queue', (suite) => {
  beforeEach(async () => {
    await suite.db().deleteFrom('jobs').execute();
  });

  test('a job enqueued in a transaction that rolls back does not exist', async () => {
    const db = suite.db();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await enqueueJob(trx, { kind: 'noop', payload: { n: 1 } });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    const committed = await db.transaction().execute((trx) => enqueueJob(trx, { kind: 'noop', payload: { n: 2 } }));
    const rows = await db.selectFrom('jobs').selectAll().execute();
    assert.deepEqual(
      rows.map((r) => [r.id, JSON.parse(r.payload_json)]),
      [[committed, { n: 2 }]],
    );
  });

  test('a unique key is enqueued once, even inside a transaction that goes on', async () => {
    const db = suite.db();
    const first = await enqueueJob(db, { kind: 'noop', payload: null, uniqueKey: 'once' });
    assert.equal(typeof first, 'number');
    const [second, afterwards] = await db.transaction().execute(async (trx) => {
      const again = await enqueueJob(trx, { kind: 'noop', payload: null, uniqueKey: 'once' });
      // The transaction is still usable after the duplicate (no aborted PostgreSQL transaction).
      const other = await enqueueJob(trx, { kind: 'noop', payload: null, uniqueKey: 'other' });
      return [again, other];
    });
    assert.equal(second, null);
    assert.equal(typeof afterwards, 'number');
    const keys = (await db.selectFrom('jobs').select('unique_key').orderBy('id').execute()).map((r) => r.unique_key);
    assert.deepEqual(keys, ['once', 'other']);
  });

  test('claims take due jobs oldest first, skip future ones, and mark them running', async () => {
    const db = suite.db();
    const later = await enqueueJob(db, { kind: 'noop', payload: 'later', runAt: '2001-01-01T00:00:00.000Z' });
    const earliest = await enqueueJob(db, { kind: 'noop', payload: 'earliest', runAt: PAST });
    const sameTimeSecond = await enqueueJob(db, { kind: 'noop', payload: 'same time, enqueued second', runAt: '2001-01-01T00:00:00.000Z' });
    const future = await enqueueJob(db, { kind: 'noop', payload: 'future', runAt: FUTURE });

    const firstTwo = await claimJobs(db, 'worker-a', 2);
    assert.deepEqual(firstTwo.map((j) => j.id), [earliest, later]);
    assert.ok(firstTwo.every((j) => j.status === 'running' && j.locked_by === 'worker-a' && j.attempts === 1));
    const rest = await claimJobs(db, 'worker-b', 10);
    assert.deepEqual(rest.map((j) => j.id), [sameTimeSecond]);
    assert.deepEqual(await claimJobs(db, 'worker-c', 10), []);
    assert.equal((await jobById(db, future!)).status, 'pending');
  });

  test('claims can be limited to the kinds a worker knows', async () => {
    const db = suite.db();
    await enqueueJob(db, { kind: 'known', payload: null });
    const unknown = await enqueueJob(db, { kind: 'from-a-newer-version', payload: null });
    const claimed = await claimJobs(db, 'w', 10, { kinds: ['known'] });
    assert.deepEqual(claimed.map((j) => j.kind), ['known']);
    assert.deepEqual(await claimJobs(db, 'w', 10, { kinds: [] }), []);
    assert.equal((await jobById(db, unknown!)).status, 'pending');
  });

  test('a failing job is retried later with backoff, then fails for good after its last attempt', async () => {
    const db = suite.db();
    const calls: JobContext[] = [];
    const logger = recordingLogger();
    const worker = startWorker(
      {
        db,
        logger,
        handlers: {
          flaky: async (job) => {
            calls.push(job);
            throw new Error(`gateway down (attempt ${job.attempts})`);
          },
        },
      },
      { autoStart: false },
    );
    const id = (await enqueueJob(db, { kind: 'flaky', payload: { to: 'x' }, maxAttempts: 3 }))!;

    assert.equal(await worker.runOnce(), 1);
    let row = await jobById(db, id);
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, 'gateway down (attempt 1)');
    assert.equal(row.locked_by, null);
    assert.ok(Date.parse(row.run_at) - Date.parse(row.updated_at) === retryDelayMs(1), 'run_at is the failure time plus the first backoff');
    assert.equal(await worker.runOnce(), 0, 'not due again before the backoff');

    await makeDue(db, id);
    await worker.runOnce();
    row = await jobById(db, id);
    assert.equal(row.status, 'pending');
    assert.equal(Date.parse(row.run_at) - Date.parse(row.updated_at), retryDelayMs(2));

    await makeDue(db, id);
    await worker.runOnce();
    row = await jobById(db, id);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 3);
    assert.equal(row.last_error, 'gateway down (attempt 3)');
    assert.notEqual(row.finished_at, null);
    assert.deepEqual(
      calls.map((c) => [c.attempts, c.maxAttempts, c.payload]),
      [
        [1, 3, { to: 'x' }],
        [2, 3, { to: 'x' }],
        [3, 3, { to: 'x' }],
      ],
    );
    assert.deepEqual(
      logger.lines.map((l) => [l.level, l.message]),
      [
        ['warn', 'job retry'],
        ['warn', 'job retry'],
        ['error', 'job failed'],
      ],
    );
    await makeDue(db, id);
    assert.equal(await worker.runOnce(), 0, 'a failed job is never claimed again');
    await worker.stop();
  });

  test('a successful job is done and runs once', async () => {
    const db = suite.db();
    const seen: unknown[] = [];
    const worker = startWorker({ db, logger: recordingLogger(), handlers: { greet: async (job) => void seen.push(job.payload) } }, { autoStart: false });
    const id = (await enqueueJob(db, { kind: 'greet', payload: { text: 'مرحبا' }, municipalityId: null }))!;
    assert.equal(await worker.runOnce(), 1);
    assert.equal(await worker.runOnce(), 0);
    assert.deepEqual(seen, [{ text: 'مرحبا' }]);
    const row = await jobById(db, id);
    assert.equal(row.status, 'done');
    assert.notEqual(row.finished_at, null);
    await worker.stop();
  });

  test('stop() lets the running job finish and hands back the claimed jobs it did not start', async () => {
    const db = suite.db();
    const ids = [];
    for (let n = 0; n < 3; n += 1) ids.push((await enqueueJob(db, { kind: 'slow', payload: n }))!);
    let release!: () => void;
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const ran: unknown[] = [];
    const worker = startWorker(
      {
        db,
        logger: recordingLogger(),
        batchSize: 3,
        handlers: {
          slow: async (job) => {
            ran.push(job.payload);
            started();
            await new Promise<void>((resolve) => (release = resolve));
          },
        },
      },
      { autoStart: false },
    );
    const polling = worker.runOnce();
    await firstStarted;
    const claimed = await db.selectFrom('jobs').select(['id', 'status']).where('status', '=', 'running').execute();
    assert.equal(claimed.length, 3, 'the batch of three is claimed while the first runs');
    const stopping = worker.stop();
    release();
    await stopping;
    await polling;
    assert.deepEqual(ran, [0], 'nothing new starts once stop() is called');
    const rows = await db.selectFrom('jobs').selectAll().orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [r.id, r.status, r.attempts, r.locked_by]),
      [
        [ids[0], 'done', 1, null],
        [ids[1], 'pending', 0, null],
        [ids[2], 'pending', 0, null],
      ],
    );
    assert.equal(await worker.runOnce(), 0, 'a stopped worker claims nothing');
  });

  test('releaseJobs gives back only that worker’s running jobs', async () => {
    const db = suite.db();
    await enqueueJob(db, { kind: 'noop', payload: 1 });
    await enqueueJob(db, { kind: 'noop', payload: 2 });
    await claimJobs(db, 'mine', 1);
    await claimJobs(db, 'theirs', 1);
    assert.equal(await releaseJobs(db, 'mine'), 1);
    const rows = await db.selectFrom('jobs').select(['status', 'locked_by']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { status: 'pending', locked_by: null },
      { status: 'running', locked_by: 'theirs' },
    ]);
  });

  test('jobs of a worker that died are retried after the stale delay, or failed when out of attempts', async () => {
    const db = suite.db();
    const retried = (await enqueueJob(db, { kind: 'noop', payload: 'retry me', maxAttempts: 3 }))!;
    const exhausted = (await enqueueJob(db, { kind: 'noop', payload: 'last try', maxAttempts: 1 }))!;
    const recent = (await enqueueJob(db, { kind: 'noop', payload: 'still running' }))!;
    await claimJobs(db, 'dead-worker', 3);
    // The first two were locked long ago; the third just now.
    await db.updateTable('jobs').set({ locked_at: PAST }).where('id', 'in', [retried, exhausted]).execute();

    assert.deepEqual(await recoverStaleJobs(db, 10 * 60_000), { retried: 1, failed: 1 });
    const byId = async (id: number) => {
      const row = await jobById(db, id);
      return [row.status, row.attempts, row.locked_by];
    };
    assert.deepEqual(await byId(retried), ['pending', 1, null]);
    assert.deepEqual(await byId(exhausted), ['failed', 1, null]);
    assert.deepEqual(await byId(recent), ['running', 1, 'dead-worker']);
    assert.equal((await jobById(db, retried)).last_error, 'the worker stopped while running it');
  });

  test('a worker leaves jobs of an unknown kind waiting and warns about them once', async () => {
    const db = suite.db();
    const logger = recordingLogger();
    const worker = startWorker({ db, logger, handlers: { known: async () => {} } }, { autoStart: false });
    const unknown = (await enqueueJob(db, { kind: 'mystery', payload: null }))!;
    const known = (await enqueueJob(db, { kind: 'known', payload: null }))!;
    assert.equal(await worker.runOnce(), 1);
    assert.equal((await jobById(db, known)).status, 'done');
    const waiting = await jobById(db, unknown);
    assert.deepEqual([waiting.status, waiting.attempts], ['pending', 0]);
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    assert.deepEqual(warnings.map((l) => [l.message, l.fields]), [['jobs of a kind this worker has no handler for are waiting', { kind: 'mystery' }]]);
    await worker.stop();
  });

  test('a payload that cannot be parsed fails the job like a throwing handler', async () => {
    const db = suite.db();
    const id = (await enqueueJob(db, { kind: 'known', payload: null, maxAttempts: 1 }))!;
    await db.updateTable('jobs').set({ payload_json: '{not json' }).where('id', '=', id).execute();
    const worker = startWorker({ db, logger: recordingLogger(), handlers: { known: async () => {} } }, { autoStart: false });
    await worker.runOnce();
    const row = await jobById(db, id);
    assert.equal(row.status, 'failed');
    assert.match(row.last_error ?? '', /JSON/);
    await worker.stop();
  });

  test('failJob on the last attempt keeps run_at and sets finished_at', async () => {
    const db = suite.db();
    const id = (await enqueueJob(db, { kind: 'noop', payload: null, maxAttempts: 1, runAt: PAST }))!;
    const [job] = await claimJobs(db, 'w', 1);
    assert.equal(await failJob(db, job!, 'plain string error'), 'failed');
    const row = await jobById(db, id);
    assert.equal(row.run_at, PAST);
    assert.equal(row.last_error, 'plain string error');
  });
});
