// The SMS and e-mails the accounts module sends, in the person's language, through the outbox.
// Each address gets a limited number of account messages an hour: sign-up and code forms are
// open to anyone, and must not become a way to flood someone's phone or run up the SMS bill.
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import type { Locale } from '../../config.ts';
import { localName, translate, type MessageValues } from '../../i18n/i18n.ts';
import { addMinutes, nowIso } from '../../lib/time.ts';
import { formatPhone } from '../../lib/phone.ts';
import { queueMessage } from '../messaging/messaging.service.ts';
import { type Contact, MESSAGES_PER_ADDRESS_PER_HOUR } from './accounts.ts';
import { countMessagesSince } from './account-messages.repository.ts';

export const ACCOUNT_MESSAGE_KINDS = [
  'signup_code',
  'login_code',
  'reset_code',
  'contact_code',
  'confirm_code',
  'account_exists',
  'password_changed',
] as const;
export type AccountMessageKind = (typeof ACCOUNT_MESSAGE_KINDS)[number];

const OUTBOX_PURPOSES = ACCOUNT_MESSAGE_KINDS.map((kind) => `account_${kind}`);

export type SendAccountMessageOptions = {
  municipality: MunicipalityRow;
  locale: Locale;
  contact: Contact;
  kind: AccountMessageKind;
  values?: MessageValues;
};

/** Whether this address may get another account message now. */
export async function mayMessage(db: Db, options: { municipalityId: number; recipient: string }): Promise<boolean> {
  const sent = await countMessagesSince(db, {
    municipalityId: options.municipalityId,
    recipient: options.recipient,
    purposes: OUTBOX_PURPOSES,
    since: addMinutes(nowIso(), -60),
  });
  return sent < MESSAGES_PER_ADDRESS_PER_HOUR;
}

/** Queues the message unless the address had its share this hour; true when queued. */
export async function sendAccountMessage(db: Db, options: SendAccountMessageOptions): Promise<boolean> {
  const { municipality, locale, contact, kind } = options;
  if (!(await mayMessage(db, { municipalityId: municipality.id, recipient: contact.target }))) return false;
  const values: MessageValues = {
    municipality: localName(municipality, locale),
    contact: contact.channel === 'sms' ? formatPhone(contact.target) : contact.target,
    ...options.values,
  };
  const t = (key: string) => translate(locale, key, values);
  await queueMessage(db, {
    municipalityId: municipality.id,
    channel: contact.channel,
    recipient: contact.target,
    // SMS are short (a 70-character segment in Arabic); e-mails say more.
    ...(contact.channel === 'sms'
      ? { body: t(`accounts.message.${kind}.sms`) }
      : { subject: t(`accounts.message.${kind}.subject`), body: t(`accounts.message.${kind}.email`) }),
    purpose: `account_${kind}`,
  });
  return true;
}
