// Who a voter is, as the register stores it: never the ID card number, the phone number or the
// IP address themselves, only keyed hashes of them (HMAC under the server's secret key). The
// same card gives the same key in every channel (online, counter, paper), which is what lets the
// register's unique constraint hold "one ballot per person" across channels; without the key,
// a copy of the database does not tell whose card it was (8 digits are easy to enumerate, the
// key is not).
import { hmacHex } from '../../../lib/crypto.ts';
import { toLatinDigits } from '../../../lib/phone.ts';

/** The Tunisian national identity card (CIN) number has 8 digits. */
export const ID_NUMBER_LENGTH = 8;

// What people type between digits: spaces (no-break and thin ones too), dashes, dots, slashes,
// and the direction marks that copy-paste from Arabic text carries.
const SEPARATORS = /[\s\u00A0\u2007\u202F.\-‐‑‒–—/\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * The 8 digits of a national ID card number as typed ("08 123 456", "08-123-456", Arabic-Indic
 * digits), or null when it is not one. Leading zeros count: "08123456" and "8123456" differ.
 */
export function normaliseIdNumber(raw: string): string | null {
  const compact = toLatinDigits(raw.normalize('NFKC')).replace(SEPARATORS, '');
  return new RegExp(`^[0-9]{${ID_NUMBER_LENGTH}}$`).test(compact) ? compact : null;
}

/** The register's key for a person: same card → same key in every channel and cycle. */
export function voterKey(secretKey: string, municipalityId: number, idNumber: string): string {
  return hmacHex(secretKey, `pb-voter:${municipalityId}:${idNumber}`);
}

/** Keyed hash of a normalised (E.164) phone number, for "at most N voters per phone". */
export function phoneKey(secretKey: string, municipalityId: number, phone: string): string {
  return hmacHex(secretKey, `pb-phone:${municipalityId}:${phone}`);
}

/** Keyed hash of an IP address, for rate limits and fraud signals. */
export function ipKey(secretKey: string, ip: string): string {
  return hmacHex(secretKey, `pb-ip:${ip}`);
}
