// The nightly clean-up: expired sessions and codes, finished jobs and outbox messages older than
// a month, sign-ups never confirmed. Keeping less personal data for less time is part of Organic Law 2004-63's "stated
// purposes only": the outbox holds phone numbers, addresses and one-time codes.
import type { Db } from '../db/database.ts';
import { addDays, nowIso } from '../lib/time.ts';
import type { JobHandler } from './worker.ts';

export const KEEP_FINISHED_DAYS = 30;

export type PurgeReport = { sessions: number; codes: number; jobs: number; messages: number; pendingAccounts: number };

/** A sign-up not confirmed within a day is abandoned; its phone or e-mail and consent go. */
export const PENDING_ACCOUNT_DAYS = 1;

export async function purgeExpired(db: Db, now = nowIso()): Promise<PurgeReport> {
  const monthAgo = addDays(now, -KEEP_FINISHED_DAYS);
  const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  const codes = await db.deleteFrom('verification_codes').where('expires_at', '<=', addDays(now, -1)).executeTakeFirst();
  const jobs = await db.deleteFrom('jobs').where('status', '=', 'done').where('finished_at', '<', monthAgo).executeTakeFirst();
  // Failed jobs stay for an administrator to look into; their payload holds only ids.
  const messages = await db.deleteFrom('outbox_messages').where('created_at', '<', monthAgo).where('status', '!=', 'queued').executeTakeFirst();
  // Their consents and codes go with them (ON DELETE CASCADE); a pending account has filed nothing.
  const pendingAccounts = await db
    .deleteFrom('users')
    .where('status', '=', 'pending')
    .where('created_at', '<', addDays(now, -PENDING_ACCOUNT_DAYS))
    .executeTakeFirst();
  return {
    sessions: Number(sessions.numDeletedRows),
    pendingAccounts: Number(pendingAccounts.numDeletedRows),
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
