// A person's own account: profile, the optional statistics fields, disability with its own
// consent, password, sessions, consents, and changing the phone or e-mail. Each use-case asks
// the policies first: an account is its owner's alone, staff included.
import type { Db } from '../../db/database.ts';
import type { ConsentRow, MunicipalityRow, NeighbourhoodRow, SessionRow, UserRow } from '../../db/schema.ts';
import type { Locale } from '../../config.ts';
import { type Actor, authorize } from '../../auth/policies.ts';
import { AppError, isUniqueViolation } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import {
  type AgeGroup,
  CONSENT_VERSIONS,
  type ConsentPurpose,
  type Contact,
  type DisabilityAnswer,
  encodeDisability,
  type Gender,
} from './accounts.ts';
import { sendAccountMessage } from './account-messages.ts';
import { consumeCode, issueCode } from './codes.service.ts';
import { findLiveCode } from './codes.repository.ts';
import { findActiveConsent, insertConsent, listConsentsOf, markConsentsWithdrawn } from './consents.repository.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { deleteSession, deleteSessionsOfUser, listSessionsOfUser } from './sessions.repository.ts';
import { countRoleGrantsOf, findNeighbourhood, findUserById, updateUser } from './users.repository.ts';

/** Who is acting on which account: every use-case below starts from this. */
export type AccountTarget = { actor: Actor; municipalityId: number; userId: number };

async function ownAccount(db: Db, target: AccountTarget, action: 'account.view' | 'account.manage'): Promise<UserRow> {
  authorize(target.actor, action, { municipalityId: target.municipalityId, ownerUserId: target.userId });
  const user = await findUserById(db, target.municipalityId, target.userId);
  if (!user || user.status !== 'active') throw new AppError('not_found');
  return user;
}

export type AccountOverview = {
  user: UserRow;
  consents: ConsentRow[];
  sessions: SessionRow[];
  neighbourhoods: NeighbourhoodRow[];
  holdsStaffRoles: boolean;
};

export async function getAccountOverview(db: Db, target: AccountTarget): Promise<AccountOverview> {
  const user = await ownAccount(db, target, 'account.view');
  const [consents, sessions, neighbourhoods, roles] = await Promise.all([
    listConsentsOf(db, user.id),
    listSessionsOfUser(db, user.id),
    listNeighbourhoods(db, target.municipalityId),
    countRoleGrantsOf(db, user.id),
  ]);
  return { user, consents, sessions, neighbourhoods, holdsStaffRoles: roles > 0 };
}

export type UpdateProfileOptions = AccountTarget & {
  displayName: string | null;
  locale: Locale;
  gender: Gender | null;
  ageGroup: AgeGroup | null;
  neighbourhoodId: number | null;
};

export async function updateProfile(db: Db, options: UpdateProfileOptions): Promise<void> {
  const user = await ownAccount(db, options, 'account.manage');
  // A neighbourhood id from the form is looked up within the municipality: a foreign one is refused.
  if (options.neighbourhoodId !== null && !(await findNeighbourhood(db, options.municipalityId, options.neighbourhoodId))) {
    throw new AppError('validation', { fields: { neighbourhood: 'validation.invalid_choice' } });
  }
  await updateUser(db, user.id, {
    display_name: options.displayName,
    locale: options.locale,
    gender: options.gender,
    age_group: options.ageGroup,
    neighbourhood_id: options.neighbourhoodId,
    updated_at: nowIso(),
  });
}

export type SaveDisabilityOptions = AccountTarget & { consent: boolean; answers: DisabilityAnswer[] };

/**
 * Disability is health data (Organic Law 2004-63): kept only with its own consent, given here
 * and recorded with its text version; never implied by the general consent of the sign-up.
 */
export async function saveDisability(db: Db, options: SaveDisabilityOptions): Promise<void> {
  const user = await ownAccount(db, options, 'account.manage');
  if (!options.consent) throw new AppError('validation', { fields: { disability_consent: 'accounts.disability.consent_required' } });
  if (options.answers.length === 0) throw new AppError('validation', { fields: { disability: 'accounts.disability.answer_required' } });
  const value = encodeDisability(options.answers);
  if (value === null) throw new AppError('validation', { fields: { disability: 'accounts.disability.none_alone' } });
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    const active = await findActiveConsent(trx, user.id, 'disability_data');
    if (!active || active.text_version !== CONSENT_VERSIONS.disability_data) {
      if (active) await markConsentsWithdrawn(trx, user.id, now, 'disability_data');
      await insertConsent(trx, {
        municipalityId: options.municipalityId,
        userId: user.id,
        purpose: 'disability_data',
        textVersion: CONSENT_VERSIONS.disability_data,
        grantedAt: now,
      });
    }
    await updateUser(trx, user.id, { disability: value, updated_at: now });
  });
}

export type WithdrawConsentOptions = AccountTarget & { purpose: ConsentPurpose };

/**
 * Withdrawing the disability consent erases the answer in the same transaction. The general
 * consent cannot be withdrawn while the account exists (an account is personal data): erasing
 * the account is how it is withdrawn.
 */
export async function withdrawConsent(db: Db, options: WithdrawConsentOptions): Promise<void> {
  const user = await ownAccount(db, options, 'account.manage');
  if (options.purpose === 'personal_data') {
    throw new AppError('validation', { fields: { _form: 'accounts.consents.personal_data_needs_erasure' } });
  }
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    await markConsentsWithdrawn(trx, user.id, now, 'disability_data');
    await updateUser(trx, user.id, { disability: null, updated_at: now });
  });
}

export type ChangePasswordOptions = AccountTarget & {
  municipality: MunicipalityRow;
  /** Required when the account has a password; accounts without one may set one. */
  currentPassword: string | null;
  newPassword: string;
  currentSessionId: string;
};

/** Changes the password and ends the other sessions: someone who knew the old one is logged out. */
export async function changePassword(db: Db, options: ChangePasswordOptions): Promise<void> {
  const user = await ownAccount(db, options, 'account.manage');
  if (user.password_hash) {
    if (!options.currentPassword) throw new AppError('validation', { fields: { current_password: 'validation.required' } });
    if (!(await verifyPassword(user.password_hash, options.currentPassword))) {
      throw new AppError('validation', { fields: { current_password: 'accounts.password.current_wrong' } });
    }
  }
  const passwordHash = await hashPassword(options.newPassword);
  await db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, { password_hash: passwordHash, updated_at: nowIso() });
    await deleteSessionsOfUser(trx, user.id, options.currentSessionId);
    const contact = primaryContact(user);
    if (contact) await sendAccountMessage(trx, { municipality: options.municipality, locale: user.locale as Locale, contact, kind: 'password_changed' });
  });
}

/** Where account notices go: the phone when there is one (most people read SMS first), else the e-mail. */
export function primaryContact(user: Pick<UserRow, 'phone' | 'email'>): Contact | null {
  if (user.phone) return { channel: 'sms', target: user.phone };
  if (user.email) return { channel: 'email', target: user.email };
  return null;
}

export async function revokeSession(db: Db, options: AccountTarget & { sessionId: string }): Promise<void> {
  await ownAccount(db, options, 'account.manage');
  const sessions = await listSessionsOfUser(db, options.userId);
  // Only a session of this account: an id of someone else's is simply not found.
  if (!sessions.some((s) => s.id === options.sessionId)) throw new AppError('not_found');
  await deleteSession(db, options.sessionId);
}

export async function endOtherSessionsOfAccount(db: Db, options: AccountTarget & { currentSessionId: string }): Promise<number> {
  await ownAccount(db, options, 'account.manage');
  return deleteSessionsOfUser(db, options.userId, options.currentSessionId);
}

export type RequestContactChangeOptions = AccountTarget & { municipality: MunicipalityRow; contact: Contact; secretKey: string };

/**
 * Sends a code to a new phone or e-mail address. Whether the address belongs to another account
 * is said only once the code is typed, to the person who proved they hold it.
 */
export async function requestContactChange(db: Db, options: RequestContactChangeOptions): Promise<void> {
  const user = await ownAccount(db, options, 'account.manage');
  const current = options.contact.channel === 'email' ? user.email : user.phone;
  if (current === options.contact.target) throw new AppError('validation', { fields: { identifier: 'accounts.contact.same' } });
  const issued = await issueCode(db, {
    municipality: options.municipality,
    municipalityId: options.municipalityId,
    purpose: 'verify_contact',
    contact: options.contact,
    userId: user.id,
    secretKey: options.secretKey,
    locale: user.locale as Locale,
    messageKind: 'contact_code',
  });
  if (!issued) throw new AppError('rate_limited', { fields: { _form: 'accounts.code.wait' } });
}

export async function confirmContactChange(db: Db, options: AccountTarget & { code: string; secretKey: string }): Promise<Contact> {
  const user = await ownAccount(db, options, 'account.manage');
  const row = await consumeCode(db, {
    municipalityId: options.municipalityId,
    purpose: 'verify_contact',
    lookup: { userId: user.id },
    code: options.code,
    secretKey: options.secretKey,
  });
  const now = nowIso();
  try {
    await updateUser(
      db,
      user.id,
      row.channel === 'email'
        ? { email: row.target, email_verified_at: now, updated_at: now }
        : { phone: row.target, phone_verified_at: now, updated_at: now },
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', { fields: { code: 'accounts.contact.taken' } });
    throw error;
  }
  return { channel: row.channel, target: row.target };
}

/** The address a pending contact change waits for, to show on the code page. */
export async function pendingContactChange(db: Db, options: AccountTarget): Promise<Contact | null> {
  const user = await ownAccount(db, options, 'account.view');
  const row = await findLiveCode(db, { municipalityId: options.municipalityId, purpose: 'verify_contact', lookup: { userId: user.id }, now: nowIso() });
  return row ? { channel: row.channel, target: row.target } : null;
}
