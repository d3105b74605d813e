// Sign-up with an e-mail address or a mobile number alone. The account waits ("pending") until
// the person types the code sent to that address; it then becomes active with the address
// verified. Three choices, and why:
//
// - The answer never says whether the address already has an account (that would tell anyone
//   who types a neighbour's number that the neighbour uses the platform). When it does, the owner
//   gets a message instead ("you already have an account: log in or reset your password") and
//   the form goes on to the same code page, whose code can never work.
// - A pending account has proven nothing, so a new sign-up for the same address replaces it. The
//   code page is bound to the sign-up that made it (its code id, in a signed cookie): whoever
//   signs up second cannot make the first person's code activate their own password.
// - The password is optional: without one, the person logs in with a code sent each time, which
//   suits basic phones and people who do not want another password.
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow, VerificationCodeRow } from '../../db/schema.ts';
import type { Locale } from '../../config.ts';
import { AppError, isUniqueViolation } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { CODE_RESEND_SECONDS, CODE_TTL_MINUTES, CONSENT_VERSIONS, type Contact } from './accounts.ts';
import { sendAccountMessage } from './account-messages.ts';
import { consumeCode, createCode } from './codes.service.ts';
import { findCodeById } from './codes.repository.ts';
import { insertConsent } from './consents.repository.ts';
import { hashPassword } from './passwords.ts';
import { deleteUser, findUserByContact, findUserById, insertUser, updateUser } from './users.repository.ts';

export type StartSignupOptions = {
  municipality: MunicipalityRow;
  contact: Contact;
  displayName: string | null;
  password: string | null;
  /** The page's language, kept as the language of the messages we send. */
  locale: Locale;
  secretKey: string;
};

/** Starts a sign-up; returns the code id the verification page is bound to. */
export async function startSignup(db: Db, options: StartSignupOptions): Promise<{ codeId: number }> {
  const { municipality, contact } = options;
  // Hash before looking anything up, so both answers take as long.
  const passwordHash = options.password ? await hashPassword(options.password) : null;
  try {
    return await db.transaction().execute(async (trx) => {
      const existing = await findUserByContact(trx, municipality.id, contact);
      if (existing && existing.status !== 'pending') {
        const decoy = await createCode(trx, { municipalityId: municipality.id, purpose: 'verify_contact', contact, userId: null, secretKey: options.secretKey });
        await sendAccountMessage(trx, { municipality, locale: existing.locale as Locale, contact, kind: 'account_exists' });
        return { codeId: decoy.codeId };
      }
      if (existing) await deleteUser(trx, existing.id);
      const now = nowIso();
      const userId = await insertUser(trx, {
        municipality_id: municipality.id,
        display_name: options.displayName,
        email: contact.channel === 'email' ? contact.target : null,
        email_verified_at: null,
        phone: contact.channel === 'sms' ? contact.target : null,
        phone_verified_at: null,
        password_hash: passwordHash,
        status: 'pending',
        locale: options.locale,
        gender: null,
        age_group: null,
        neighbourhood_id: null,
        disability: null,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      });
      await insertConsent(trx, {
        municipalityId: municipality.id,
        userId,
        purpose: 'personal_data',
        textVersion: CONSENT_VERSIONS.personal_data,
        grantedAt: now,
      });
      const { codeId, code } = await createCode(trx, { municipalityId: municipality.id, purpose: 'verify_contact', contact, userId, secretKey: options.secretKey });
      await sendAccountMessage(trx, { municipality, locale: options.locale, contact, kind: 'signup_code', values: { code, minutes: CODE_TTL_MINUTES } });
      return { codeId };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another sign-up for this address committed between our read and our insert: answer as
    // for any taken address (the database constraint is the final guard).
    const decoy = await createCode(db, { municipalityId: municipality.id, purpose: 'verify_contact', contact, userId: null, secretKey: options.secretKey });
    return { codeId: decoy.codeId };
  }
}

function startAgain(): AppError {
  return new AppError('invalid_code', { fields: { _form: 'accounts.verify.start_again' } });
}

/** The code a verification page is bound to, while it can still be used. */
export async function findSignupCode(db: Db, options: { municipalityId: number; codeId: number }): Promise<VerificationCodeRow | undefined> {
  const row = await findCodeById(db, options.municipalityId, options.codeId);
  return row && row.purpose === 'verify_contact' && row.consumed_at === null ? row : undefined;
}

export type VerifySignupOptions = { municipalityId: number; codeId: number; code: string; secretKey: string };

/** Activates the pending account when the code is right; returns its id for the new session. */
export async function verifySignup(db: Db, options: VerifySignupOptions): Promise<{ userId: number }> {
  const row = await consumeCode(db, {
    municipalityId: options.municipalityId,
    purpose: 'verify_contact',
    lookup: { codeId: options.codeId },
    code: options.code,
    secretKey: options.secretKey,
  });
  const user = row.user_id === null ? undefined : await findUserById(db, options.municipalityId, row.user_id);
  if (!user || user.status !== 'pending') throw new AppError('invalid_code', { fields: { code: 'errors.invalid_code' } });
  const now = nowIso();
  await updateUser(db, user.id, {
    status: 'active',
    ...(row.channel === 'email' ? { email_verified_at: now } : { phone_verified_at: now }),
    updated_at: now,
  });
  return { userId: user.id };
}

export type ResendSignupCodeOptions = { municipality: MunicipalityRow; codeId: number; locale: Locale; secretKey: string };

/**
 * A new code for the same sign-up, at most once a minute. Returns the new code id, to which the
 * page is bound from now on.
 */
export async function resendSignupCode(db: Db, options: ResendSignupCodeOptions): Promise<{ codeId: number }> {
  const { municipality } = options;
  const row = await findSignupCode(db, { municipalityId: municipality.id, codeId: options.codeId });
  if (!row) throw startAgain();
  if (Date.now() - Date.parse(row.created_at) < CODE_RESEND_SECONDS * 1000) {
    throw new AppError('rate_limited', { fields: { _form: 'accounts.verify.wait' } });
  }
  const contact: Contact = { channel: row.channel, target: row.target };
  return db.transaction().execute(async (trx) => {
    const user = row.user_id === null ? undefined : await findUserById(trx, municipality.id, row.user_id);
    if (row.user_id !== null && user?.status !== 'pending') throw startAgain();
    const { codeId, code } = await createCode(trx, { municipalityId: municipality.id, purpose: 'verify_contact', contact, userId: row.user_id, secretKey: options.secretKey });
    // The owner of a taken address was told once; a decoy code is renewed without a message.
    if (user) await sendAccountMessage(trx, { municipality, locale: options.locale, contact, kind: 'signup_code', values: { code, minutes: CODE_TTL_MINUTES } });
    return { codeId };
  });
}
