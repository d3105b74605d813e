// Recurring work. Each tick enqueues a job whose unique key names the schedule and the minute,
// so with several app processes the work is still done once.
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { enqueueJob } from './queue.ts';

export type Schedule = { name: string; cron: string; kind: string; payload?: unknown };

/** Schedules that modules add (deadline reminders, escalations) are listed here. */
export const SCHEDULES: Schedule[] = [{ name: 'purge-expired', cron: '17 3 * * *', kind: 'purge-expired' }];

export function startSchedules(options: { db: Db; logger: Pick<Logger, 'error'>; schedules?: Schedule[] }): { stop(): void } {
  const crons = (options.schedules ?? SCHEDULES).map(
    (schedule) =>
      new Cron(schedule.cron, { timezone: 'Africa/Tunis', protect: true }, async (cron: Cron) => {
        const slot = (cron.currentRun() ?? new Date()).toISOString().slice(0, 16);
        try {
          await enqueueJob(options.db, { kind: schedule.kind, payload: schedule.payload ?? null, uniqueKey: `schedule:${schedule.name}:${slot}` });
        } catch (error) {
          options.logger.error({ err: error, schedule: schedule.name }, 'could not enqueue scheduled job');
        }
      }),
  );
  return { stop: () => crons.forEach((c) => c.stop()) };
}
