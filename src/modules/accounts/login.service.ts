// Logging in, with a password or with a code sent to the person's phone or e-mail. Every failure
// gives the same answer ("wrong identifier or password", "wrong or expired code"), so the form
// does not tell whether an address has an account; only active accounts can log in.
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow, UserRow } from '../../db/schema.ts';
import type { Locale } from '../../config.ts';
import { AppError } from '../../lib/errors.ts';
import type { Contact } from './accounts.ts';
import { consumeCode, issueCode } from './codes.service.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { findUserByContact, findUserById } from './users.repository.ts';

let dummyHash: Promise<string> | undefined;

/** Checks a password against a throwaway hash, so "no such account" takes as long as "wrong password". */
async function spendPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('twiza-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}

function contactMatches(user: UserRow, contact: Contact): boolean {
  return contact.channel === 'email' ? user.email === contact.target : user.phone === contact.target;
}

export type LoginWithPasswordOptions = { municipalityId: number; contact: Contact | null; password: string };

export async function loginWithPassword(db: Db, options: LoginWithPasswordOptions): Promise<UserRow> {
  const user = options.contact ? await findUserByContact(db, options.municipalityId, options.contact) : undefined;
  if (!user || user.status !== 'active' || !user.password_hash) {
    await spendPasswordCheck(options.password);
    throw new AppError('invalid_credentials', { fields: { _form: 'errors.invalid_credentials' } });
  }
  if (!(await verifyPassword(user.password_hash, options.password))) {
    throw new AppError('invalid_credentials', { fields: { _form: 'errors.invalid_credentials' } });
  }
  return user;
}

export type RequestLoginCodeOptions = { municipality: MunicipalityRow; contact: Contact; secretKey: string };

/** Sends a login code when the address belongs to an active account; silent otherwise. */
export async function requestLoginCode(db: Db, options: RequestLoginCodeOptions): Promise<void> {
  const user = await findUserByContact(db, options.municipality.id, options.contact);
  if (!user || user.status !== 'active') return;
  await issueCode(db, {
    municipality: options.municipality,
    municipalityId: options.municipality.id,
    purpose: 'login',
    contact: options.contact,
    userId: user.id,
    secretKey: options.secretKey,
    locale: user.locale as Locale,
    messageKind: 'login_code',
  });
}

export type LoginWithCodeOptions = { municipalityId: number; contact: Contact | null; code: string; secretKey: string };

export async function loginWithCode(db: Db, options: LoginWithCodeOptions): Promise<UserRow> {
  if (!options.contact) throw new AppError('invalid_code', { fields: { code: 'errors.invalid_code' } });
  const row = await consumeCode(db, {
    municipalityId: options.municipalityId,
    purpose: 'login',
    lookup: { target: options.contact.target },
    code: options.code,
    secretKey: options.secretKey,
  });
  const user = row.user_id === null ? undefined : await findUserById(db, options.municipalityId, row.user_id);
  // The account may have changed address or been closed since the code was sent.
  if (!user || user.status !== 'active' || !contactMatches(user, options.contact)) {
    throw new AppError('invalid_code', { fields: { code: 'errors.invalid_code' } });
  }
  return user;
}
