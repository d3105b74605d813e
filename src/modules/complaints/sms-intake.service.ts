// Complaints by SMS, for people without a smartphone or data. The municipality's SMS gateway
// forwards each message it receives (sender and text); Twiza answers:
//
// - "STATUS KEF-2026-000123" (or "STATUT …" in French, "حالة …" in Arabic; any case, with or
//   without diacritics, the number typed loosely): the complaint's current status;
// - anything else: a new complaint, waiting for the complaints cell to categorise and locate
//   it, and its tracking number.
//
// The answer is queued as an SMS to the sender (the complaint's confirmation, or the status)
// and also returned, for gateways that reply to the sender themselves. Gateways retry when they
// are unsure a delivery went through; with the gateway's message id, a retry gets the first
// answer again and never files a second complaint (a unique constraint, in the complaint's own
// transaction).
import type { Locale } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { normalizeSearchText } from '../../db/search.ts';
import { localName, translate } from '../../i18n/i18n.ts';
import { AppError, type FieldErrors, isAppError, isUniqueViolation } from '../../lib/errors.ts';
import { normalizePhone, toLatinDigits } from '../../lib/phone.ts';
import { nowIso } from '../../lib/time.ts';
import { queueMessage } from '../messaging/messaging.service.ts';
import { findCategoryRowByCode } from './categories.repository.ts';
import { formatTrackingNumber, normalizeTrackingNumber } from './complaints.ts';
import type { SmsInboundMessageRow } from './complaints.table.ts';
import { followUrl } from './notifications.ts';
import { getPublicComplaint } from './reading.service.ts';
import { submitComplaint } from './submission.service.ts';

/** Ten SMS segments: longer is no phone's message, and a complaint needs far less. */
export const SMS_TEXT_MAX_LENGTH = 1600;
export const SMS_MESSAGE_ID_MAX_LENGTH = 200;

export type ReceiveSmsOptions = {
  municipality: MunicipalityRow;
  /** The sender's number as the gateway gives it. */
  from: string;
  text: string;
  /** The gateway's id of this message, the same on every retry of it. */
  messageId?: string | null;
  /** The catch-all category's code (SMS_INTAKE_CATEGORY). */
  categoryCode: string;
  countryCode: string;
  publicUrl: string | undefined;
  /** The language of a message with no letters to tell by ("123"). */
  defaultLocale: Locale;
};

export type SmsAnswer = {
  kind: 'complaint' | 'status';
  /** The text sent back to the sender. */
  reply: string;
  trackingNumber: string | null;
  /** True when this message id was already answered: nothing new was stored or sent. */
  repeated: boolean;
};

/** The intake cannot work as configured (the catch-all category is missing): an operator's problem. */
export class SmsIntakeUnavailable extends Error {
  constructor(readonly categoryCode: string) {
    super(`The SMS intake category "${categoryCode}" does not exist or is inactive in this municipality.`);
    this.name = 'SmsIntakeUnavailable';
  }
}

// ---------------------------------------------------------------------------------------------
// Reading a message

/** Status keywords, normalised as search text is (lower case, no diacritics, ة → ه, no article). */
const STATUS_KEYWORDS: Record<string, Locale> = {
  status: 'en',
  statut: 'fr',
  etat: 'fr',
  [normalizeSearchText('حالة')]: 'ar',
};

export type SmsCommand = { kind: 'status'; locale: Locale; trackingNumber: string | null } | { kind: 'complaint'; locale: Locale };

/** Arabic letters → Arabic; other letters → French, the administration's second language. */
function languageOf(text: string, fallback: Locale): Locale {
  if (/[\u0600-\u06FF]/.test(text)) return 'ar';
  if (/\p{L}/u.test(text)) return 'fr';
  return fallback;
}

/**
 * What a message asks for. "حالة الطريق سيئة" ("the road's condition is bad") starts with the
 * Arabic keyword but is a complaint: a message is a status query only when the keyword is
 * followed by a tracking number, or by nothing that could be anything else.
 */
export function readSmsCommand(text: string, trackingPrefix: string, fallback: Locale): SmsCommand {
  const words = normalizeSearchText(toLatinDigits(text)).split(' ').filter(Boolean);
  const keywordLocale = words[0] !== undefined ? STATUS_KEYWORDS[words[0]] : undefined;
  if (!keywordLocale) return { kind: 'complaint', locale: languageOf(text, fallback) };
  const rest = words.slice(1);
  // "KEF 2026 000123", "kef-2026-123", "2026/123" (this municipality's prefix implied).
  for (let take = Math.min(rest.length, 4); take >= 1; take -= 1) {
    const candidate = rest.slice(0, take).join('');
    const number = normalizeTrackingNumber(candidate) ?? (/^\d+$/.test(candidate) ? normalizeTrackingNumber(`${trackingPrefix}${candidate}`) : null);
    if (number) return { kind: 'status', locale: keywordLocale, trackingNumber: number };
  }
  // "STATUS" alone, or with something number-like we could not read: explain how to ask.
  const prefix = trackingPrefix.toLowerCase();
  if (rest.length === 0 || (rest.length <= 4 && rest.every((w) => w.length <= 16 && (/\d/.test(w) || w === prefix)))) {
    return { kind: 'status', locale: keywordLocale, trackingNumber: null };
  }
  return { kind: 'complaint', locale: languageOf(text, fallback) };
}

// ---------------------------------------------------------------------------------------------
// Answering

type Checked = { from: string; text: string; messageId: string | null };

function check(options: ReceiveSmsOptions): Checked {
  const fields: FieldErrors = {};
  const from = normalizePhone(options.from ?? '', options.countryCode);
  if (!from) fields.from = 'validation.invalid_phone';
  const text = (options.text ?? '').trim();
  if (text === '') fields.text = 'validation.required';
  else if (text.length > SMS_TEXT_MAX_LENGTH) fields.text = { key: 'validation.too_long', values: { max: SMS_TEXT_MAX_LENGTH } };
  const messageId = options.messageId?.trim() || null;
  if (messageId !== null && (messageId.length > SMS_MESSAGE_ID_MAX_LENGTH || !/^[\x21-\x7e]+$/.test(messageId))) fields.message_id = 'validation.invalid';
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
  return { from: from!, text, messageId };
}

async function findInbound(db: Db, municipalityId: number, messageId: string): Promise<SmsInboundMessageRow | undefined> {
  return db.selectFrom('sms_inbound_messages').selectAll().where('municipality_id', '=', municipalityId).where('message_id', '=', messageId).executeTakeFirst();
}

async function recordInbound(trx: Db, values: { municipalityId: number; messageId: string; kind: 'complaint' | 'status'; complaintId: number | null; reply: string }): Promise<void> {
  await trx
    .insertInto('sms_inbound_messages')
    .values({
      municipality_id: values.municipalityId,
      message_id: values.messageId,
      kind: values.kind,
      complaint_id: values.complaintId,
      reply: values.reply,
      created_at: nowIso(),
    })
    .execute();
}

function repeatedAnswer(row: SmsInboundMessageRow, trackingNumber: string | null): SmsAnswer {
  return { kind: row.kind, reply: row.reply, trackingNumber, repeated: true };
}

async function answerOf(db: Db, municipalityId: number, messageId: string): Promise<SmsAnswer> {
  const row = await findInbound(db, municipalityId, messageId);
  if (!row) throw new Error(`SMS ${messageId} was answered but its record is gone`);
  const complaint = row.complaint_id !== null ? await db.selectFrom('complaints').select('tracking_number').where('id', '=', row.complaint_id).executeTakeFirst() : undefined;
  return repeatedAnswer(row, complaint?.tracking_number ?? null);
}

async function statusReply(db: Db, options: ReceiveSmsOptions, command: { locale: Locale; trackingNumber: string | null }): Promise<{ reply: string; trackingNumber: string | null }> {
  const { municipality } = options;
  const values = { municipality: localName(municipality, command.locale), example: formatTrackingNumber(municipality.tracking_prefix, new Date().getUTCFullYear(), 123) };
  if (command.trackingNumber === null) return { reply: translate(command.locale, 'complaints.sms.usage', values), trackingNumber: null };
  try {
    const complaint = await getPublicComplaint(db, { municipalityId: municipality.id, trackingNumber: command.trackingNumber });
    return {
      reply: translate(command.locale, 'complaints.sms.status', {
        ...values,
        tracking: complaint.trackingNumber,
        status: translate(command.locale, `complaints.status.${complaint.status}`),
        url: followUrl(options.publicUrl, command.locale, complaint.trackingNumber),
      }),
      trackingNumber: complaint.trackingNumber,
    };
  } catch (error) {
    if (!isAppError(error, 'not_found')) throw error;
    return { reply: translate(command.locale, 'complaints.sms.unknown', { ...values, tracking: command.trackingNumber }), trackingNumber: null };
  }
}

/**
 * Answers one inbound SMS; see the top of this file. Throws AppError('validation') for a
 * message that cannot be one (no valid sender, no text, too long), having stored nothing.
 */
export async function receiveSms(db: Db, options: ReceiveSmsOptions): Promise<SmsAnswer> {
  const { municipality } = options;
  const { from, text, messageId } = check(options);
  if (messageId) {
    const earlier = await findInbound(db, municipality.id, messageId);
    if (earlier) return answerOf(db, municipality.id, messageId);
  }
  const command = readSmsCommand(text, municipality.tracking_prefix, options.defaultLocale);
  try {
    if (command.kind === 'status') {
      const { reply, trackingNumber } = await statusReply(db, options, command);
      await db.transaction().execute(async (trx) => {
        if (messageId) await recordInbound(trx, { municipalityId: municipality.id, messageId, kind: 'status', complaintId: null, reply });
        await queueMessage(trx, { municipalityId: municipality.id, channel: 'sms', recipient: from, body: reply, purpose: 'complaint_sms_status' });
      });
      return { kind: 'status', reply, trackingNumber, repeated: false };
    }

    const category = await findCategoryRowByCode(db, municipality.id, options.categoryCode);
    if (!category || category.active !== 1) throw new SmsIntakeUnavailable(options.categoryCode);
    let reply = '';
    const submitted = await submitComplaint(db, {
      municipality,
      channel: 'sms',
      locale: command.locale,
      reporter: null,
      // The sender is the contact: the confirmation and every later update go to this number.
      contact: { phone: from },
      categoryId: category.id,
      description: text,
      location: {},
      publicUrl: options.publicUrl,
      countryCode: options.countryCode,
      async withinTransaction(trx, complaint) {
        // The sender was never told their words would be published, and an SMS often carries a
        // name or a number: the public sees a neutral line until the cell publishes a summary
        // (masking, in the back office). Staff still see and search the original.
        await trx
          .updateTable('complaints')
          .set({ description_public: translate(command.locale, 'complaints.sms.public_placeholder') })
          .where('id', '=', complaint.id)
          .execute();
        reply = translate(command.locale, 'complaints.sms.received', {
          municipality: localName(municipality, command.locale),
          tracking: complaint.tracking_number,
        });
        if (messageId) await recordInbound(trx, { municipalityId: municipality.id, messageId, kind: 'complaint', complaintId: complaint.id, reply });
      },
    });
    return { kind: 'complaint', reply, trackingNumber: submitted.trackingNumber, repeated: false };
  } catch (error) {
    // The same message delivered twice at the same moment: the second transaction lost the race
    // on the message id and left nothing behind; answer as the first did.
    if (messageId && isUniqueViolation(error)) return answerOf(db, municipality.id, messageId);
    throw error;
  }
}
