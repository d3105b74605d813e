// The accounts module's reads and deletions in the shared outbox (owned by messaging): how many
// account messages an address got lately, and forgetting an erased person's messages.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

export async function countMessagesSince(
  db: Db,
  options: { municipalityId: number; recipient: string; purposes: readonly string[]; since: string },
): Promise<number> {
  const row = await db
    .selectFrom('outbox_messages')
    .select(sql<number>`count(*)`.as('n'))
    .where('municipality_id', '=', options.municipalityId)
    .where('recipient', '=', options.recipient)
    .where('purpose', 'in', [...options.purposes])
    .where('created_at', '>', options.since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes the outbox messages sent to these addresses. A queued message's job then finds nothing
 * and ends quietly (see messaging.jobs.ts).
 */
export async function deleteMessagesTo(db: Db, municipalityId: number, recipients: string[]): Promise<void> {
  if (recipients.length === 0) return;
  await db.deleteFrom('outbox_messages').where('municipality_id', '=', municipalityId).where('recipient', 'in', recipients).execute();
}
