// What citizens and staff are told, by SMS or e-mail, through the outbox and in the caller's
// transaction (a message is never sent about a change that was rolled back).
//
// Citizens: the reporter's contact (phone first: most people in El Kef read SMS, not e-mail) and
// every follower, each once even if the same number appears twice, in their language: the
// complaint's language for contacts without an account, the account's language otherwise.
import { LOCALES, type Locale } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { localName, type MessageValues, translate, translator } from '../../i18n/i18n.ts';
import { queueMessage } from '../messaging/messaging.service.ts';
import { addMinutes, nowIso } from '../../lib/time.ts';
import { CONFIRMATIONS_PER_ADDRESS_PER_HOUR, type ComplaintStatus, complaintFollowPath } from './complaints.ts';
import { countMessagesToSince, listFollowerRows, listReachableUsers, type Reachable } from './complaints.repository.ts';
import type { ComplaintRow } from './complaints.table.ts';

export type Recipient = { channel: 'sms' | 'email'; address: string; locale: Locale };

export function asLocale(value: string | null | undefined): Locale {
  return (LOCALES as readonly string[]).includes(value ?? '') ? (value as Locale) : 'ar';
}

/** An address is a phone number in E.164 ("+216…") or an e-mail address. */
export function recipientFor(address: string, locale: Locale): Recipient {
  return { channel: address.startsWith('+') ? 'sms' : 'email', address, locale };
}

/** The verified phone (preferred) or e-mail address of an active account. */
export function reachableAddress(user: Reachable): Recipient | null {
  if (user.status !== 'active') return null;
  if (user.phone && user.phone_verified_at) return recipientFor(user.phone, asLocale(user.locale));
  if (user.email && user.email_verified_at) return recipientFor(user.email, asLocale(user.locale));
  return null;
}

/** The reporter's own address, as given with the complaint. */
export function reporterContact(complaint: Pick<ComplaintRow, 'contact_phone' | 'contact_email' | 'locale'>): Recipient | null {
  const address = complaint.contact_phone ?? complaint.contact_email;
  return address ? recipientFor(address, asLocale(complaint.locale)) : null;
}

/**
 * Everyone to tell about a complaint, each address once: the followers, and the contact the
 * reporter gave with the complaint as long as the reporter still follows it (the reporter
 * follows from the start; unfollowing stops the messages).
 */
export async function complaintRecipients(db: Db, complaint: ComplaintRow): Promise<Recipient[]> {
  const byAddress = new Map<string, Recipient>();
  const add = (recipient: Recipient | null) => {
    if (recipient && !byAddress.has(recipient.address)) byAddress.set(recipient.address, recipient);
  };
  const followers = await listFollowerRows(db, complaint.municipality_id, complaint.id);
  const given = reporterContact(complaint);
  const reporterFollows = followers.some(
    (f) => (complaint.reporter_user_id !== null && f.user_id === complaint.reporter_user_id) || (given !== null && f.contact === given.address),
  );
  if (reporterFollows) add(given);
  const userIds = followers.flatMap((f) => (f.user_id !== null ? [f.user_id] : []));
  const users = new Map((await listReachableUsers(db, complaint.municipality_id, [...new Set(userIds)])).map((u) => [u.id, u]));
  for (const follower of followers) {
    // A reporter who gave a contact with the complaint is told there, not twice.
    if (given && follower.user_id !== null && follower.user_id === complaint.reporter_user_id) continue;
    if (follower.user_id !== null) {
      const user = users.get(follower.user_id);
      if (user) add(reachableAddress(user));
    } else if (follower.contact) {
      add(recipientFor(follower.contact, asLocale(follower.locale ?? complaint.locale)));
    }
  }
  return [...byAddress.values()];
}

/** The public page of a complaint; a path when the site's address is not configured. */
export function followUrl(publicUrl: string | undefined, locale: Locale, trackingNumber: string): string {
  return `${publicUrl ?? ''}${complaintFollowPath(locale, trackingNumber)}`;
}

type CitizenMessage = 'received' | 'status' | 'reply';

async function queueCitizenMessage(
  trx: Db,
  options: {
    municipality: MunicipalityRow;
    complaint: ComplaintRow;
    recipient: Recipient;
    kind: CitizenMessage;
    values: MessageValues;
    detail?: string | null;
    publicUrl: string | undefined;
    linkTrackingNumber?: string;
  },
): Promise<void> {
  const { recipient, complaint } = options;
  const values: MessageValues = {
    municipality: localName(options.municipality, recipient.locale),
    tracking: complaint.tracking_number,
    url: followUrl(options.publicUrl, recipient.locale, options.linkTrackingNumber ?? complaint.tracking_number),
    ...options.values,
  };
  const t = (key: string) => translate(recipient.locale, key, values);
  const base = `complaints.message.${options.kind}`;
  // SMS stay short (a 70-character segment in Arabic) and point to the page; e-mails carry the reply.
  const email = options.detail ? `${t(`${base}.email`)}\n\n${t('complaints.message.detail')}\n${options.detail}` : t(`${base}.email`);
  await queueMessage(trx, {
    municipalityId: complaint.municipality_id,
    channel: recipient.channel,
    recipient: recipient.address,
    ...(recipient.channel === 'sms' ? { body: t(`${base}.sms`) } : { subject: t(`${base}.subject`), body: email }),
    purpose: `complaint_${options.kind}`,
  });
}

export type ConfirmationOptions = {
  municipality: MunicipalityRow;
  complaint: ComplaintRow;
  recipient: Recipient;
  categoryName: string;
  publicUrl: string | undefined;
};

/**
 * "Your complaint was received; its tracking number is …", to the reporter; false when the
 * address already had its share of confirmations this hour (CONFIRMATIONS_PER_ADDRESS_PER_HOUR).
 */
export async function queueConfirmation(trx: Db, options: ConfirmationOptions): Promise<boolean> {
  const sent = await countMessagesToSince(trx, {
    municipalityId: options.complaint.municipality_id,
    recipient: options.recipient.address,
    purposes: ['complaint_received'],
    since: addMinutes(nowIso(), -60),
  });
  if (sent >= CONFIRMATIONS_PER_ADDRESS_PER_HOUR) return false;
  await queueCitizenMessage(trx, { ...options, kind: 'received', values: { category: options.categoryName } });
  return true;
}

export type NotifyFollowersOptions = {
  municipality: MunicipalityRow;
  complaint: ComplaintRow;
  /** A new public status, or a public reply without a status change. */
  change: { kind: 'status'; status: ComplaintStatus } | { kind: 'reply' };
  /** The public text (reply, reason) for e-mails. */
  detail?: string | null;
  publicUrl: string | undefined;
  /** The page the message links to when not the complaint's own (a duplicate links to the original). */
  linkTrackingNumber?: string;
};

/** Tells the reporter and every follower; returns how many messages were queued. */
export async function notifyFollowers(trx: Db, options: NotifyFollowersOptions): Promise<number> {
  const recipients = await complaintRecipients(trx, options.complaint);
  for (const recipient of recipients) {
    const values: MessageValues =
      options.change.kind === 'status' ? { status: translate(recipient.locale, `complaints.status.${options.change.status}`) } : {};
    await queueCitizenMessage(trx, {
      municipality: options.municipality,
      complaint: options.complaint,
      recipient,
      kind: options.change.kind,
      values,
      detail: options.detail,
      publicUrl: options.publicUrl,
      linkTrackingNumber: options.linkTrackingNumber,
    });
  }
  return recipients.length;
}

export type StaffAlertOptions = {
  complaint: ComplaintRow;
  users: Reachable[];
  kind: 'deadline_reminder' | 'escalation';
  deadline: 'acknowledge' | 'resolve';
  dueAt: string;
  categoryName: (locale: Locale) => string;
  daysLate?: number;
  /** The back-office page of the complaint, from the site's root. */
  staffUrl: (locale: Locale) => string;
};

/** Reminders and escalations to staff, each in their own language; returns how many were queued. */
export async function queueStaffAlerts(trx: Db, options: StaffAlertOptions): Promise<number> {
  let queued = 0;
  const seen = new Set<string>();
  for (const user of options.users) {
    const recipient = reachableAddress(user);
    if (!recipient || seen.has(recipient.address)) continue;
    seen.add(recipient.address);
    const tr = translator(recipient.locale);
    const values: MessageValues = {
      tracking: options.complaint.tracking_number,
      deadline: tr.t(`complaints.deadline.${options.deadline}`),
      due: tr.formatDateTime(options.dueAt),
      category: options.categoryName(recipient.locale),
      days: options.daysLate ?? 0,
      url: options.staffUrl(recipient.locale),
    };
    const base = `complaints.message.${options.kind}`;
    await queueMessage(trx, {
      municipalityId: options.complaint.municipality_id,
      channel: recipient.channel,
      recipient: recipient.address,
      ...(recipient.channel === 'sms'
        ? { body: tr.t(`${base}.sms`, values) }
        : { subject: tr.t(`${base}.subject`, values), body: tr.t(`${base}.email`, values) }),
      purpose: `complaint_${options.kind}`,
    });
    queued += 1;
  }
  return queued;
}
