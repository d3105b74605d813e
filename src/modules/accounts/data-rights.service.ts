// The rights Organic Law 2004-63 gives a person over their data, for their own account: to get
// a copy of it (export) and to have it erased. Correcting it is the profile form.
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import type { Locale } from '../../config.ts';
import { authorize } from '../../auth/policies.ts';
import { AppError } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { decodeDisability } from './accounts.ts';
// Every module that keeps a person's data takes part in their export and erasure.
import { forgetComplaintReporter } from '../complaints/personal-data.service.ts';
import { listComplaintsForReporter } from '../complaints/reading.service.ts';
import { deleteMessagesTo } from './account-messages.repository.ts';
import { consumeCode, issueCode } from './codes.service.ts';
import { deleteCodesOfUser } from './codes.repository.ts';
import { listConsentsOf, markConsentsWithdrawn } from './consents.repository.ts';
import { verifyPassword } from './passwords.ts';
import { type AccountTarget, primaryContact } from './profile.service.ts';
import { deleteSessionsOfUser, listRoleGrants, listSessionsOfUser } from './sessions.repository.ts';
import { countRoleGrantsOf, findNeighbourhood, findUserById, updateUser } from './users.repository.ts';

export const EXPORT_FORMAT_VERSION = 1;

/**
 * Everything Twiza keeps about the account, as JSON. Secrets are left out on purpose: the
 * password hash, session identifiers and codes would help an attacker who got the file and tell
 * its owner nothing.
 */
export async function exportAccountData(db: Db, options: AccountTarget & { municipality: MunicipalityRow; currentSessionId?: string }) {
  authorize(options.actor, 'account.view', { municipalityId: options.municipalityId, ownerUserId: options.userId });
  const user = await findUserById(db, options.municipalityId, options.userId);
  if (!user || user.status !== 'active') throw new AppError('not_found');
  const [consents, sessions, roles, neighbourhood, complaints] = await Promise.all([
    listConsentsOf(db, user.id),
    listSessionsOfUser(db, user.id),
    listRoleGrants(db, user.id),
    user.neighbourhood_id === null ? undefined : findNeighbourhood(db, options.municipalityId, user.neighbourhood_id),
    listComplaintsForReporter(db, { actor: options.actor, municipalityId: options.municipalityId, limit: 500 }),
  ]);
  return {
    format: 'twiza-account-export',
    format_version: EXPORT_FORMAT_VERSION,
    exported_at: nowIso(),
    municipality: { slug: options.municipality.slug, name_ar: options.municipality.name_ar, name_fr: options.municipality.name_fr, name_en: options.municipality.name_en },
    account: {
      id: user.id,
      status: user.status,
      display_name: user.display_name,
      email: user.email,
      email_verified_at: user.email_verified_at,
      phone: user.phone,
      phone_verified_at: user.phone_verified_at,
      has_password: user.password_hash !== null,
      message_language: user.locale,
      created_at: user.created_at,
      updated_at: user.updated_at,
      last_login_at: user.last_login_at,
    },
    statistics: {
      gender: user.gender,
      age_group: user.age_group,
      neighbourhood: neighbourhood ? { id: neighbourhood.id, name_ar: neighbourhood.name_ar, name_fr: neighbourhood.name_fr, name_en: neighbourhood.name_en } : null,
      disability: decodeDisability(user.disability),
    },
    consents: consents.map((c) => ({ purpose: c.purpose, text_version: c.text_version, granted_at: c.granted_at, withdrawn_at: c.withdrawn_at })),
    sessions: sessions.map((s) => ({
      created_at: s.created_at,
      last_seen_at: s.last_seen_at,
      expires_at: s.expires_at,
      device: s.user_agent,
      current: s.id === options.currentSessionId,
    })),
    roles: roles.map((r) => ({ role: r.role, department_id: r.department_id })),
    complaints: complaints.map((c) => ({
      tracking_number: c.trackingNumber,
      status: c.status,
      category: c.category.code,
      description: c.description,
      reported_by_me: c.reportedByMe,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    })),
  };
}

export type AccountExport = Awaited<ReturnType<typeof exportAccountData>>;

export async function requestErasureCode(
  db: Db,
  options: AccountTarget & { municipality: MunicipalityRow; secretKey: string },
): Promise<void> {
  authorize(options.actor, 'account.manage', { municipalityId: options.municipalityId, ownerUserId: options.userId });
  const user = await findUserById(db, options.municipalityId, options.userId);
  const contact = user && primaryContact(user);
  if (!user || user.status !== 'active' || !contact) throw new AppError('not_found');
  const issued = await issueCode(db, {
    municipality: options.municipality,
    municipalityId: options.municipalityId,
    purpose: 'login',
    contact,
    userId: user.id,
    secretKey: options.secretKey,
    locale: user.locale as Locale,
    messageKind: 'confirm_code',
  });
  if (!issued) throw new AppError('rate_limited', { fields: { _form: 'accounts.code.wait' } });
}

/** What the erasure page needs to know: how the person confirms, and whether they may erase at all. */
export async function describeErasure(db: Db, options: AccountTarget): Promise<{ hasPassword: boolean; holdsStaffRoles: boolean }> {
  authorize(options.actor, 'account.view', { municipalityId: options.municipalityId, ownerUserId: options.userId });
  const user = await findUserById(db, options.municipalityId, options.userId);
  if (!user || user.status !== 'active') throw new AppError('not_found');
  return { hasPassword: user.password_hash !== null, holdsStaffRoles: (await countRoleGrantsOf(db, user.id)) > 0 };
}

export type EraseAccountOptions = AccountTarget & {
  /** Accounts with a password confirm with it; the others with a code sent to them. */
  password: string | null;
  code: string | null;
  secretKey: string;
};

/**
 * Erases the account: the row stays (public contributions point to it) but holds nothing
 * personal any more and can never log in again; sessions, codes and messages to the person's
 * addresses are deleted; consents are marked withdrawn, which keeps the proof that processing
 * was consented to while it lasted.
 */
export async function eraseAccount(db: Db, options: EraseAccountOptions): Promise<void> {
  authorize(options.actor, 'account.manage', { municipalityId: options.municipalityId, ownerUserId: options.userId });
  const user = await findUserById(db, options.municipalityId, options.userId);
  if (!user || user.status !== 'active') throw new AppError('not_found');
  // A staff account is closed by an administrator, who first hands its work over.
  if ((await countRoleGrantsOf(db, user.id)) > 0) throw new AppError('conflict', { fields: { _form: 'accounts.erase.staff' } });
  if (user.password_hash) {
    if (!options.password) throw new AppError('validation', { fields: { password: 'validation.required' } });
    if (!(await verifyPassword(user.password_hash, options.password))) {
      throw new AppError('validation', { fields: { password: 'accounts.password.current_wrong' } });
    }
  } else {
    if (!options.code) throw new AppError('validation', { fields: { code: 'validation.required' } });
    await consumeCode(db, { municipalityId: options.municipalityId, purpose: 'login', lookup: { userId: user.id }, code: options.code, secretKey: options.secretKey });
  }
  await db.transaction().execute(async (trx) => {
    const now = nowIso();
    await markConsentsWithdrawn(trx, user.id, now);
    await deleteSessionsOfUser(trx, user.id);
    await deleteCodesOfUser(trx, user.id);
    const addresses = [user.email, user.phone].filter((a): a is string => a !== null);
    await deleteMessagesTo(trx, options.municipalityId, addresses);
    // Their complaints stay (the municipality's work and statistics) without their contact details.
    await forgetComplaintReporter(trx, { municipalityId: options.municipalityId, userId: user.id, addresses });
    await updateUser(trx, user.id, {
      status: 'erased',
      display_name: null,
      email: null,
      email_verified_at: null,
      phone: null,
      phone_verified_at: null,
      password_hash: null,
      gender: null,
      age_group: null,
      neighbourhood_id: null,
      disability: null,
      last_login_at: null,
      updated_at: now,
    });
  });
}

