// Outgoing e-mail and SMS. A message is written to the outbox and a `send-message` job is
// enqueued in the caller's transaction; the worker delivers it through SMTP or the SMS gateway
// when configured, and otherwise keeps it in the outbox, where administrators can read it.
import type { Db } from '../../db/database.ts';
import { enqueueJob } from '../../jobs/queue.ts';
import { nowIso } from '../../lib/time.ts';

export const SEND_MESSAGE_JOB = 'send-message';

export type OutgoingMessage = {
  municipalityId: number;
  channel: 'email' | 'sms';
  recipient: string;
  subject?: string;
  body: string;
  /** Why it is sent ("signup_code", "password_reset"…), for the outbox and statistics. */
  purpose: string;
};

export async function queueMessage(trx: Db, message: OutgoingMessage): Promise<number> {
  const row = await trx
    .insertInto('outbox_messages')
    .values({
      municipality_id: message.municipalityId,
      channel: message.channel,
      recipient: message.recipient,
      subject: message.subject ?? null,
      body: message.body,
      purpose: message.purpose,
      status: 'queued',
      attempts: 0,
      last_error: null,
      created_at: nowIso(),
      sent_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await enqueueJob(trx, { kind: SEND_MESSAGE_JOB, payload: { messageId: row.id }, municipalityId: message.municipalityId, maxAttempts: 6 });
  return row.id;
}
