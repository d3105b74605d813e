// The outbox in the back office: every e-mail and SMS the platform sent or kept. Without an SMS
// gateway or SMTP server, messages stay here ("kept") and administrators read the codes to pass
// them on. A message's body can hold a one-time login code, so opening one is recorded in the
// audit log: reading a code is how an insider could take over a resident's account.
import { type Actor, authorize } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { OutboxMessageRow, OutboxStatus } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import { countOutboxMessages, findOutboxMessage, listOutboxMessages, type OutboxListRow } from './outbox.repository.ts';

export const OUTBOX_CHANNELS = ['email', 'sms'] as const;
export const OUTBOX_STATUSES = ['queued', 'sent', 'kept', 'failed'] as const satisfies readonly OutboxStatus[];

export type OutboxScope = { actor: Actor; municipalityId: number };
export type ListOutboxOptions = OutboxScope & {
  channel?: 'email' | 'sms';
  status?: OutboxStatus;
  page: number;
  pageSize: number;
};
export type OutboxList = { items: OutboxListRow[]; total: number; page: number; pageCount: number };
export type ReadOutboxMessageOptions = OutboxScope & { messageId: number };

export async function listOutbox(db: Db, options: ListOutboxOptions): Promise<OutboxList> {
  const { actor, municipalityId } = options;
  authorize(actor, 'outbox.view', { municipalityId });
  const filter = { municipalityId, channel: options.channel, status: options.status };
  const total = await countOutboxMessages(db, filter);
  const pageCount = Math.max(1, Math.ceil(total / options.pageSize));
  const page = Math.min(Math.max(1, options.page), pageCount);
  const items = await listOutboxMessages(db, { ...filter, limit: options.pageSize, offset: (page - 1) * options.pageSize });
  return { items, total, page, pageCount };
}

/** One message with its body; the reading is recorded in the audit log. */
export async function readOutboxMessage(db: Db, options: ReadOutboxMessageOptions): Promise<OutboxMessageRow> {
  const { actor, municipalityId, messageId } = options;
  authorize(actor, 'outbox.view', { municipalityId });
  return db.transaction().execute(async (trx) => {
    const message = await findOutboxMessage(trx, municipalityId, messageId);
    if (!message) throw new AppError('not_found');
    await recordAudit(trx, {
      municipalityId,
      actor: staffAuditActor(actor),
      action: 'outbox.message_read',
      entityType: 'outbox_message',
      entityId: messageId,
      after: { channel: message.channel, purpose: message.purpose },
    });
    return message;
  });
}
