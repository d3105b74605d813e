// Phone numbers as people type them ("22 123 456", "+216 22 123 456", "0021622123456", or with
// Arabic-Indic digits from an Arabic keyboard) turned into one stored form, E.164 ("+21622123456"),
// so that the same number always finds the same account and the SMS gateway gets what it expects.

/** Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹, Persian/Urdu keyboards) digits as Latin digits. */
export function toLatinDigits(input: string): string {
  return input.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (digit) => {
    const code = digit.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

// Separators people and phones insert: spaces (including no-break and thin spaces), dashes, dots,
// slashes, parentheses, and the invisible direction marks that copy-paste from RTL text carries.
const SEPARATORS = /[\s\u00A0\u2007\u202F.\-‐‑‒–—/()\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** National significant numbers in Tunisia have 8 digits (mobile and fixed alike). */
const TUNISIA = '216';
const TUNISIAN_NUMBER_LENGTH = 8;
/** E.164 allows at most 15 digits; fewer than 8 is no real subscriber number anywhere. */
const MIN_DIGITS = 8;
const MAX_DIGITS = 15;

function internationalForm(digits: string): string | null {
  if (!/^[1-9][0-9]*$/.test(digits)) return null;
  if (digits.startsWith(TUNISIA)) {
    return digits.length === TUNISIA.length + TUNISIAN_NUMBER_LENGTH ? `+${digits}` : null;
  }
  return digits.length >= MIN_DIGITS && digits.length <= MAX_DIGITS ? `+${digits}` : null;
}

/**
 * The E.164 form of a phone number, or null when it cannot be one. A number without an
 * international prefix is read as a national number of `countryCode` (Tunisia by default); one
 * with "+" or "00" may be from any country.
 */
export function normalizePhone(input: string, countryCode = TUNISIA): string | null {
  const compact = toLatinDigits(input.normalize('NFKC')).replace(SEPARATORS, '');
  if (compact === '') return null;
  if (compact.startsWith('+')) return /^\+[0-9]+$/.test(compact) ? internationalForm(compact.slice(1)) : null;
  if (!/^[0-9]+$/.test(compact)) return null;
  if (compact.startsWith('00')) return internationalForm(compact.slice(2));
  if (countryCode === TUNISIA) {
    if (compact.length === TUNISIAN_NUMBER_LENGTH && !compact.startsWith('0')) return `+${TUNISIA}${compact}`;
    // "21622123456": typed with the country code but without "+"; no national number is that long.
    if (compact.length === TUNISIA.length + TUNISIAN_NUMBER_LENGTH && compact.startsWith(TUNISIA)) return `+${compact}`;
    return null;
  }
  // Elsewhere a national number often starts with a trunk "0" that the international form drops.
  const national = compact.replace(/^0/, '');
  return internationalForm(`${countryCode}${national}`);
}

/** "+216 22 123 456" for reading; other countries' numbers are shown as stored. */
export function formatPhone(e164: string): string {
  const tunisian = /^\+216(\d{2})(\d{3})(\d{3})$/.exec(e164);
  return tunisian ? `+216 ${tunisian[1]} ${tunisian[2]} ${tunisian[3]}` : e164;
}
