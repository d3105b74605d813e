// The nightly clean-up: expired sessions and codes, finished jobs and outbox messages older than
// a month. Keeping less personal data for less time is part of Organic Law 2004-63's "stated
// purposes only": the outbox holds phone numbers, addresses and one-time codes.
import type { Db } from '../db/database.ts';
import { addDays, nowIso } from '../lib/time.ts';
import type { JobHandler } from './worker.ts';

export const KEEP_FINISHED_DAYS = 30;

export type PurgeReport = { sessions: number; codes: number; jobs: number; messages: number };

export async function purgeExpired(db: Db, now = nowIso()): Promise<PurgeReport> {
  const monthAgo = addDays(now, -KEEP_FINISHED_DAYS);
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  const codes = await db.deleteFrom('verification_codes').where('expires_at', '<=', addDays(now, -1)).executeTakeFirst();
  const jobs = await db.deleteFrom('jobs').where('status', '=', 'done').where('finished_at', '<', monthAgo).executeTakeFirst();
  // Failed jobs stay for an administrator to look into; their payload holds only ids.
  const messages = await db.deleteFrom('outbox_messages').where('created_at', '<', monthAgo).where('status', '!=', 'queued').executeTakeFirst();
  return {
    sessions: Number(sessions.numDeletedRows),
    codes: Number(codes.numDeletedRows),
    jobs: Number(jobs.numDeletedRows),
    messages: Number(messages.numDeletedRows),
  };
}

export function purgeExpiredHandler(db: Db): JobHandler {
  return async () => {
    await purgeExpired(db);
  };
}
