// One-time codes sent by SMS or e-mail: to confirm an address, to log in, to reset a password,
// to confirm erasing an account. Only an HMAC of the code is stored, keyed with the server's
// secret and bound to its purpose and address, so a copy of the database gives no usable code.
import type { Db } from '../../db/database.ts';
import type { CodePurpose, MunicipalityRow, VerificationCodeRow } from '../../db/schema.ts';
import type { Locale } from '../../config.ts';
import { hmacHex, randomDigits, safeEqual } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { addMinutes, nowIso } from '../../lib/time.ts';
import { CODE_LENGTH, CODE_MAX_ATTEMPTS, CODE_RESEND_SECONDS, CODE_TTL_MINUTES, type Contact, normalizeCode } from './accounts.ts';
import { type AccountMessageKind, mayMessage, sendAccountMessage } from './account-messages.ts';
import {
  type CodeLookup,
  claimAttempt,
  expireLiveCodes,
  findLiveCode,
  insertCode,
  latestCodeCreatedAt,
  markCodeConsumed,
} from './codes.repository.ts';

function codeHash(secretKey: string, purpose: CodePurpose, target: string, code: string): string {
  return hmacHex(secretKey, `verification-code:${purpose}:${target}:${code}`);
}

export type CreateCodeOptions = {
  municipalityId: number;
  purpose: CodePurpose;
  contact: Contact;
  userId: number | null;
  secretKey: string;
};

/** Stores a new code (ending the address's earlier ones for this purpose) and returns it once. */
export async function createCode(db: Db, options: CreateCodeOptions): Promise<{ codeId: number; code: string }> {
  const now = nowIso();
  const code = randomDigits(CODE_LENGTH);
  await expireLiveCodes(db, { municipalityId: options.municipalityId, purpose: options.purpose, target: options.contact.target, now });
  const codeId = await insertCode(db, {
    municipality_id: options.municipalityId,
    purpose: options.purpose,
    channel: options.contact.channel,
    target: options.contact.target,
    user_id: options.userId,
    code_hash: codeHash(options.secretKey, options.purpose, options.contact.target, code),
    attempts: 0,
    expires_at: addMinutes(now, CODE_TTL_MINUTES),
    consumed_at: null,
    created_at: now,
  });
  return { codeId, code };
}

/** True when a code for this address and purpose was made less than a minute ago. */
export async function isInResendPause(db: Db, options: { municipalityId: number; purpose: CodePurpose; target: string }): Promise<boolean> {
  const last = await latestCodeCreatedAt(db, options);
  return last !== undefined && Date.now() - Date.parse(last) < CODE_RESEND_SECONDS * 1000;
}

export type IssueCodeOptions = CreateCodeOptions & {
  municipality: MunicipalityRow;
  locale: Locale;
  messageKind: AccountMessageKind;
};

/**
 * Creates and sends a code, unless the address asked for one less than a minute ago or had its
 * messages for the hour: then nothing changes, so the code already sent keeps working. Callers
 * answer the same either way, so the answer does not tell whether an account exists.
 */
export async function issueCode(db: Db, options: IssueCodeOptions): Promise<{ codeId: number } | null> {
  const target = options.contact.target;
  if (await isInResendPause(db, { municipalityId: options.municipalityId, purpose: options.purpose, target })) return null;
  if (!(await mayMessage(db, { municipalityId: options.municipalityId, recipient: target }))) return null;
  const { codeId, code } = await createCode(db, options);
  await sendAccountMessage(db, {
    municipality: options.municipality,
    locale: options.locale,
    contact: options.contact,
    kind: options.messageKind,
    values: { code, minutes: CODE_TTL_MINUTES },
  });
  return { codeId };
}

export type ConsumeCodeOptions = {
  municipalityId: number;
  purpose: CodePurpose;
  lookup: CodeLookup;
  code: string;
  secretKey: string;
};

function invalidCode(): AppError {
  return new AppError('invalid_code', { fields: { code: 'errors.invalid_code' } });
}

/**
 * Checks a typed code and marks it used. Each guess is counted before it is compared, in its own
 * statement: call this outside a transaction, so a failed guess stays counted even when the
 * caller's work fails. Wrong, expired, used up or unknown codes all give the same error.
 */
export async function consumeCode(db: Db, options: ConsumeCodeOptions): Promise<VerificationCodeRow> {
  const typed = normalizeCode(options.code);
  const row = await findLiveCode(db, { municipalityId: options.municipalityId, purpose: options.purpose, lookup: options.lookup, now: nowIso() });
  if (!row) throw invalidCode();
  if (!(await claimAttempt(db, row.id, CODE_MAX_ATTEMPTS))) throw invalidCode();
  if (!safeEqual(codeHash(options.secretKey, row.purpose, row.target, typed), row.code_hash)) throw invalidCode();
  if (!(await markCodeConsumed(db, row.id, nowIso()))) throw invalidCode();
  return row;
}
