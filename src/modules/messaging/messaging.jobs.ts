// The `send-message` job: delivers one outbox message and records the outcome on it. The
// message's status follows the job: queued while it is tried again, failed after the job's
// last attempt, kept when no transport is configured for its channel.
import type { Db } from '../../db/database.ts';
import type { JobHandler } from '../../jobs/worker.ts';
import { nowIso } from '../../lib/time.ts';
import type { Transports } from './transports.ts';

export function sendMessageHandler(db: Db, transports: Transports): JobHandler {
  return async (job) => {
    const { messageId } = job.payload as { messageId: number };
    const message = await db.selectFrom('outbox_messages').selectAll().where('id', '=', messageId).executeTakeFirst();
    // Already delivered (a job may run twice after a crash) or deliberately kept: nothing to do.
    if (!message || message.status === 'sent' || message.status === 'kept') return;
    const transport = message.channel === 'email' ? transports.email : transports.sms;
    if (!transport) {
      await db.updateTable('outbox_messages').set({ status: 'kept' }).where('id', '=', messageId).execute();
      return;
    }
    try {
      await transport.send({ to: message.recipient, subject: message.subject, body: message.body });
    } catch (error) {
      const final = job.attempts >= job.maxAttempts;
      await db
        .updateTable('outbox_messages')
        .set({
          status: final ? 'failed' : 'queued',
          attempts: message.attempts + 1,
          last_error: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
        })
        .where('id', '=', messageId)
        .execute();
      throw error;
    }
    await db
      .updateTable('outbox_messages')
      .set({ status: 'sent', sent_at: nowIso(), attempts: message.attempts + 1, last_error: null })
      .where('id', '=', messageId)
      .execute();
  };
}
