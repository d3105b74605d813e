// Recurring work. Every app process runs the same schedules; each tick enqueues a job whose
// unique key names the schedule and the scheduled time, so with several processes the work
// is still done once. The slot is the time the run was *scheduled* for, not the moment the
// timer fired, so a process whose event loop was busy for a minute still names the same slot.
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { enqueueJob } from './queue.ts';

export type Schedule = { name: string; cron: string; kind: string; payload?: unknown };

/** Wall-clock times are Tunisian: "3 a.m." means 3 a.m. in El Kef. */
export const SCHEDULE_TIMEZONE = 'Africa/Tunis';

/** Schedules that modules add (deadline reminders, escalations) are listed here. */
export const SCHEDULES: Schedule[] = [
  { name: 'purge-expired', cron: '17 3 * * *', kind: 'purge-expired' },
  // Complaints: deadline reminders and escalations every hour (each alert is sent once),
  // closing of resolved complaints the citizen did not answer, removal of orphan photo files.
  { name: 'complaints-deadlines', cron: '7 * * * *', kind: 'complaints-deadlines' },
  { name: 'complaints-auto-close', cron: '23 4 * * *', kind: 'complaints-auto-close' },
  { name: 'complaints-photo-orphans', cron: '41 3 * * *', kind: 'complaints-photo-orphans' },
];

/** The scheduled time of the run that fired at `firedAt` (the latest occurrence not after it). */
export function scheduledSlot(schedule: Schedule, firedAt: Date): Date {
  const cron = new Cron(schedule.cron, { timezone: SCHEDULE_TIMEZONE, paused: true });
  return cron.previousRuns(1, new Date(firedAt.getTime() + 1))[0] ?? firedAt;
}

export function scheduleUniqueKey(schedule: Schedule, slot: Date): string {
  return `schedule:${schedule.name}:${slot.toISOString().slice(0, 16)}`;
}

/** Enqueues one run of `schedule` for `slot`; null when another process already did. */
export async function enqueueScheduledRun(db: Db, schedule: Schedule, slot: Date): Promise<number | null> {
  return enqueueJob(db, { kind: schedule.kind, payload: schedule.payload ?? null, uniqueKey: scheduleUniqueKey(schedule, slot) });
}

export function startSchedules(options: { db: Db; logger: Pick<Logger, 'error'>; schedules?: Schedule[] }): { stop(): void } {
  const crons = (options.schedules ?? SCHEDULES).map(
    (schedule) =>
      new Cron(schedule.cron, { timezone: SCHEDULE_TIMEZONE, protect: true }, async () => {
        try {
          await enqueueScheduledRun(options.db, schedule, scheduledSlot(schedule, new Date()));
        } catch (error) {
          options.logger.error({ err: error, schedule: schedule.name }, 'could not enqueue scheduled job');
        }
      }),
  );
  return { stop: () => crons.forEach((c) => c.stop()) };
}
