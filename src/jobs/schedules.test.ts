import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { describeEachDatabase, openSecondHandle } from '../../test/support/databases.ts';
import { SCHEDULES, enqueueScheduledRun, scheduledSlot, scheduleUniqueKey, type Schedule } from './schedules.ts';

const NIGHTLY: Schedule = { name: 'nightly', cron: '17 3 * * *', kind: 'purge-expired' };

test('the slot is the scheduled time in Tunis, however late the timer fired', () => {
  // 03:17 in Tunis (UTC+1, no daylight saving) is 02:17 UTC.
  const onTime = scheduledSlot(NIGHTLY, new Date('2026-11-27T02:17:00.000Z'));
  const late = scheduledSlot(NIGHTLY, new Date('2026-11-27T02:19:42.123Z'));
  assert.equal(onTime.toISOString(), '2026-11-27T02:17:00.000Z');
  assert.equal(late.toISOString(), '2026-11-27T02:17:00.000Z');
  assert.equal(scheduleUniqueKey(NIGHTLY, late), 'schedule:nightly:2026-11-27T02:17');
  const nextNight = scheduledSlot(NIGHTLY, new Date('2026-11-28T02:17:00.500Z'));
  assert.notEqual(scheduleUniqueKey(NIGHTLY, nextNight), scheduleUniqueKey(NIGHTLY, late));
});

test('every built-in schedule has a valid cron pattern', () => {
  for (const schedule of SCHEDULES) assert.ok(scheduledSlot(schedule, new Date()) instanceof Date, schedule.name);
});

describeEachDatabase('schedules across processes', (suite) => {
  beforeEach(async () => {
    await suite.db().deleteFrom('jobs').execute();
  });

  test('two processes firing for the same slot enqueue one job', async () => {
    const other = openSecondHandle(suite.handle());
    try {
      // Process A fires on time, process B a little late: same slot.
      const slotA = scheduledSlot(NIGHTLY, new Date('2026-11-27T02:17:00.004Z'));
      const slotB = scheduledSlot(NIGHTLY, new Date('2026-11-27T02:17:01.350Z'));
      const [a, b] = await Promise.all([enqueueScheduledRun(suite.db(), NIGHTLY, slotA), enqueueScheduledRun(other.db, NIGHTLY, slotB)]);
      assert.equal([a, b].filter((id) => id !== null).length, 1, 'exactly one of them enqueued it');
      const nextNight = await enqueueScheduledRun(other.db, NIGHTLY, scheduledSlot(NIGHTLY, new Date('2026-11-28T02:17:00.000Z')));
      assert.equal(typeof nextNight, 'number');
      const jobs = await suite.db().selectFrom('jobs').select(['kind', 'unique_key', 'status']).orderBy('id').execute();
      assert.deepEqual(jobs, [
        { kind: 'purge-expired', unique_key: 'schedule:nightly:2026-11-27T02:17', status: 'pending' },
        { kind: 'purge-expired', unique_key: 'schedule:nightly:2026-11-28T02:17', status: 'pending' },
      ]);
    } finally {
      await other.destroy();
    }
  });
});
