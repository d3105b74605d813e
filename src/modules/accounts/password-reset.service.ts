// "Forgotten password": a code sent to the account's phone or e-mail, then a new password. The
// request answers the same whether or not the address has an account. A reset ends every session
// (whoever knew the old password is logged out) and tells the owner it happened, so a reset they
// did not ask for does not go unnoticed.
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow, UserRow } from '../../db/schema.ts';
import type { Locale } from '../../config.ts';
import { AppError } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import type { Contact } from './accounts.ts';
import { sendAccountMessage } from './account-messages.ts';
import { consumeCode, issueCode } from './codes.service.ts';
import { hashPassword } from './passwords.ts';
import { deleteSessionsOfUser } from './sessions.repository.ts';
import { findUserByContact, findUserById, updateUser } from './users.repository.ts';

export type RequestPasswordResetOptions = { municipality: MunicipalityRow; contact: Contact; secretKey: string };

export async function requestPasswordReset(db: Db, options: RequestPasswordResetOptions): Promise<void> {
  const user = await findUserByContact(db, options.municipality.id, options.contact);
  if (!user || user.status !== 'active') return;
  await issueCode(db, {
    municipality: options.municipality,
    municipalityId: options.municipality.id,
    purpose: 'password_reset',
    contact: options.contact,
    userId: user.id,
    secretKey: options.secretKey,
    locale: user.locale as Locale,
    messageKind: 'reset_code',
  });
}

export type ResetPasswordOptions = {
  municipality: MunicipalityRow;
  contact: Contact | null;
  code: string;
  newPassword: string;
  secretKey: string;
};

/** Sets the new password and ends all sessions; returns the account, to sign it in. */
export async function resetPassword(db: Db, options: ResetPasswordOptions): Promise<UserRow> {
  const { municipality, contact } = options;
  if (!contact) throw new AppError('invalid_code', { fields: { code: 'errors.invalid_code' } });
  const row = await consumeCode(db, {
    municipalityId: municipality.id,
    purpose: 'password_reset',
    lookup: { target: contact.target },
    code: options.code,
    secretKey: options.secretKey,
  });
  const user = row.user_id === null ? undefined : await findUserById(db, municipality.id, row.user_id);
  const stillTheirs = user && (contact.channel === 'email' ? user.email : user.phone) === contact.target;
  if (!user || user.status !== 'active' || !stillTheirs) throw new AppError('invalid_code', { fields: { code: 'errors.invalid_code' } });
  const passwordHash = await hashPassword(options.newPassword);
  await db.transaction().execute(async (trx) => {
    await updateUser(trx, user.id, { password_hash: passwordHash, updated_at: nowIso() });
    await deleteSessionsOfUser(trx, user.id);
    await sendAccountMessage(trx, { municipality, locale: user.locale as Locale, contact, kind: 'password_changed' });
  });
  return user;
}
