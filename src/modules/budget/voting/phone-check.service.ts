// The SMS check before an online ballot: a 6-digit code sent to the voter's phone, then, once
// typed, a ballot token good for one ballot within 30 minutes. Only keyed hashes are stored (the
// phone, the code, the token), so a copy of the database neither reveals numbers nor lets anyone
// vote. The limits keep the form from being a way to flood phones or run up the SMS bill, and
// make mass voting from one phone or one address visible and slow (see signals.service.ts).
import type { Locale } from '../../../config.ts';
import { sql } from 'kysely';
import { dialectOf, type Db } from '../../../db/database.ts';
import type { MunicipalityRow } from '../../../db/schema.ts';
import { translate } from '../../../i18n/i18n.ts';
import { hmacHex, randomDigits, randomToken, safeEqual } from '../../../lib/crypto.ts';
import { AppError } from '../../../lib/errors.ts';
import { normalizePhone, toLatinDigits } from '../../../lib/phone.ts';
import { addMinutes, nowIso } from '../../../lib/time.ts';
import { queueMessage } from '../../messaging/messaging.service.ts';
import { phaseAt } from '../budget.ts';
import { findCycleById } from '../cycles.repository.ts';
import { ipKey, phoneKey } from './voters.ts';
import {
  claimCheckAttempt,
  countIpChecksSince,
  countPhoneChecksSince,
  findPhoneCheck,
  insertPhoneCheck,
  latestPhoneCheckAt,
  markCheckVerified,
  takenPhoneSlots,
} from './voting.repository.ts';

export const CHECK_CODE_LENGTH = 6;
export const CHECK_TTL_MINUTES = 10;
export const CHECK_MAX_ATTEMPTS = 5;
export const CHECK_RESEND_SECONDS = 60;
export const CHECKS_PER_PHONE_PER_HOUR = 5;
export const CHECKS_PER_IP_PER_HOUR = 20;
/** How long a ballot token works after the code was confirmed. */
export const TOKEN_TTL_MINUTES = 30;

const KEY = 'budget.vote.error';

function codeHash(secretKey: string, cycleId: number, phoneHash: string, code: string): string {
  return hmacHex(secretKey, `pb-check:${cycleId}:${phoneHash}:${code}`);
}

/** The stored form of a ballot token. */
export function tokenHash(secretKey: string, token: string): string {
  return hmacHex(secretKey, `pb-token:${token}`);
}

export type StartPhoneCheckOptions = {
  secretKey: string;
  municipality: MunicipalityRow;
  cycleId: number;
  /** As typed; normalised to E.164 (Tunisian numbers without a prefix). */
  phone: string;
  ip: string;
  locale: Locale;
  now?: string;
};

/**
 * Sends a code to the phone (through the outbox) and returns the check's id, which the next page
 * carries. Refused when voting is not open online, the number is not one, the phone already has
 * `max_voters_per_phone` participations, a code went to it less than a minute ago, or the phone
 * or the address asked too often this hour.
 */
export async function startPhoneCheck(db: Db, options: StartPhoneCheckOptions): Promise<{ checkId: number }> {
  const now = options.now ?? nowIso();
  const municipalityId = options.municipality.id;
  const cycle = await findCycleById(db, municipalityId, options.cycleId);
  if (!cycle) throw new AppError('not_found');
  if (phaseAt(cycle, now) !== 'voting') throw new AppError('validation', { fields: { _form: `${KEY}.not_open` } });
  if (cycle.online_voting !== 1) throw new AppError('validation', { fields: { _form: `${KEY}.channel_closed` } });
  const phone = normalizePhone(options.phone);
  if (!phone) throw new AppError('validation', { fields: { phone: `${KEY}.invalid_phone` } });
  const phoneHash = phoneKey(options.secretKey, municipalityId, phone);
  const ipHash = ipKey(options.secretKey, options.ip);
  const code = randomDigits(CHECK_CODE_LENGTH);
  // The limits are read and the check written in one transaction, one phone at a time (SQLite:
  // one writer; PostgreSQL: a lock on the phone's hash), so that requests arriving together
  // cannot all pass the limits before any of them is written.
  const checkId = await db.transaction().execute(async (trx) => {
    if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`pb-check:${phoneHash}`}))`.execute(trx);
    if ((await takenPhoneSlots(trx, municipalityId, cycle.id, phoneHash)).length >= cycle.max_voters_per_phone) {
      throw new AppError('validation', { fields: { phone: { key: `${KEY}.phone_full`, values: { max: cycle.max_voters_per_phone } } } });
    }
    const last = await latestPhoneCheckAt(trx, municipalityId, cycle.id, phoneHash);
    if (last && Date.parse(now) - Date.parse(last) < CHECK_RESEND_SECONDS * 1000) {
      throw new AppError('rate_limited', { fields: { phone: { key: `${KEY}.resend_pause`, values: { seconds: CHECK_RESEND_SECONDS } } } });
    }
    const hourAgo = addMinutes(now, -60);
    if ((await countPhoneChecksSince(trx, municipalityId, cycle.id, phoneHash, hourAgo)) >= CHECKS_PER_PHONE_PER_HOUR) {
      throw new AppError('rate_limited', { fields: { phone: `${KEY}.too_many_checks` } });
    }
    if ((await countIpChecksSince(trx, municipalityId, ipHash, hourAgo)) >= CHECKS_PER_IP_PER_HOUR) {
      throw new AppError('rate_limited', { fields: { _form: `${KEY}.too_many_checks_ip` } });
    }
    const id = await insertPhoneCheck(trx, {
      municipality_id: municipalityId,
      cycle_id: cycle.id,
      phone_hash: phoneHash,
      code_hash: codeHash(options.secretKey, cycle.id, phoneHash, code),
      attempts: 0,
      expires_at: addMinutes(now, CHECK_TTL_MINUTES),
      verified_at: null,
      token_hash: null,
      token_used_at: null,
      ip_hash: ipHash,
      created_at: now,
    });
    await queueMessage(trx, {
      municipalityId,
      channel: 'sms',
      recipient: phone,
      body: translate(options.locale, 'budget.vote.sms.code', { code, minutes: CHECK_TTL_MINUTES }),
      purpose: 'budget_vote_code',
    });
    return id;
  });
  return { checkId };
}

export type ConfirmPhoneCheckOptions = {
  secretKey: string;
  municipalityId: number;
  cycleId: number;
  checkId: number;
  /** As typed (spaces and Arabic-Indic digits accepted). */
  code: string;
  now?: string;
};

function invalidCode(): AppError {
  return new AppError('invalid_code', { fields: { code: `${KEY}.invalid_code` } });
}

/**
 * Checks the typed code and returns a ballot token (random; only its hash is stored), good for
 * one ballot within TOKEN_TTL_MINUTES. Each guess is counted before it is compared, in its own
 * statement; wrong, expired, used up and unknown checks all give the same error.
 */
export async function confirmPhoneCheck(db: Db, options: ConfirmPhoneCheckOptions): Promise<{ token: string }> {
  const now = options.now ?? nowIso();
  const typed = toLatinDigits(options.code).replace(/\s/g, '');
  const check = await findPhoneCheck(db, options.municipalityId, options.cycleId, options.checkId);
  if (!check) throw invalidCode();
  if (!(await claimCheckAttempt(db, check.id, CHECK_MAX_ATTEMPTS, now))) throw invalidCode();
  if (!safeEqual(codeHash(options.secretKey, check.cycle_id, check.phone_hash, typed), check.code_hash)) throw invalidCode();
  const token = randomToken();
  if (!(await markCheckVerified(db, check.id, tokenHash(options.secretKey, token), now))) throw invalidCode();
  return { token };
}
