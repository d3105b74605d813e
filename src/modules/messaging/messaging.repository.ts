// Reading the outbox, for the back office (administrators only: it holds phone numbers and
// one-time codes; see the `outbox.view` policy).
import type { Db } from '../../db/database.ts';
import type { OutboxMessageRow, OutboxStatus } from '../../db/schema.ts';

export type OutboxFilter = {
  municipalityId: number;
  status?: OutboxStatus;
  channel?: 'email' | 'sms';
  /** Pages backwards: messages with a smaller id. */
  beforeId?: number;
  limit: number;
};

/** Newest first. */
export async function listOutboxMessages(db: Db, filter: OutboxFilter): Promise<OutboxMessageRow[]> {
  let query = db.selectFrom('outbox_messages').selectAll().where('municipality_id', '=', filter.municipalityId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function findOutboxMessage(db: Db, municipalityId: number, id: number): Promise<OutboxMessageRow | undefined> {
  return db.selectFrom('outbox_messages').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}
