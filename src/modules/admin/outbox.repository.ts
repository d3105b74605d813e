// Queries on the message outbox for the back office, always within one municipality.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { OutboxMessageRow, OutboxStatus } from '../../db/schema.ts';

export type OutboxFilter = { municipalityId: number; channel?: 'email' | 'sms'; status?: OutboxStatus };

/** A row for the list: everything but the body, which may hold a one-time code. */
export type OutboxListRow = Omit<OutboxMessageRow, 'body'>;

function filtered(db: Db, filter: OutboxFilter) {
  let query = db.selectFrom('outbox_messages').where('municipality_id', '=', filter.municipalityId);
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  if (filter.status) query = query.where('status', '=', filter.status);
  return query;
}

export async function listOutboxMessages(db: Db, filter: OutboxFilter & { limit: number; offset: number }): Promise<OutboxListRow[]> {
  return filtered(db, filter)
    .select(['id', 'municipality_id', 'channel', 'recipient', 'subject', 'purpose', 'status', 'attempts', 'last_error', 'created_at', 'sent_at'])
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

export async function countOutboxMessages(db: Db, filter: OutboxFilter): Promise<number> {
  const row = await filtered(db, filter).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findOutboxMessage(db: Db, municipalityId: number, messageId: number): Promise<OutboxMessageRow | undefined> {
  return db.selectFrom('outbox_messages').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', messageId).executeTakeFirst();
}

export async function countOutboxByStatus(db: Db, municipalityId: number): Promise<Record<OutboxStatus, number>> {
  const rows = await db
    .selectFrom('outbox_messages')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('municipality_id', '=', municipalityId)
    .groupBy('status')
    .execute();
  const counts: Record<OutboxStatus, number> = { queued: 0, sent: 0, kept: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}
