// The nightly clean-up: expired sessions and codes, and finished jobs older than a month.
// Keeping less personal data for less time is part of Organic Law 2004-63's "stated purposes only".
import type { Db } from '../db/database.ts';
import { addDays, nowIso } from '../lib/time.ts';
import type { JobHandler } from './worker.ts';

export async function purgeExpired(db: Db): Promise<{ sessions: number; codes: number; jobs: number }> {
  const now = nowIso();
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  const codes = await db.deleteFrom('verification_codes').where('expires_at', '<=', addDays(now, -1)).executeTakeFirst();
  const jobs = await db
    .deleteFrom('jobs')
    .where('status', '=', 'done')
    .where('finished_at', '<', addDays(now, -30))
    .executeTakeFirst();
  return {
    sessions: Number(sessions.numDeletedRows),
    codes: Number(codes.numDeletedRows),
    jobs: Number(jobs.numDeletedRows),
  };
}

export function purgeExpiredHandler(db: Db): JobHandler {
  return async () => {
    await purgeExpired(db);
  };
}
