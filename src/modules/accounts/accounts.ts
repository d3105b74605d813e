// Accounts: the rules that hold whatever the page or the database, as plain values and functions.
import { LOCALES, type Locale } from '../../config.ts';
import { normalizePhone, toLatinDigits } from '../../lib/phone.ts';

/**
 * Consent texts are versioned: a consent row records which version the person accepted
 * (Organic Law 2004-63 asks for proof of express consent). When a text in accounts.messages.ts
 * changes in substance, give it a new version here; rows keep the old one.
 */
export const CONSENT_PURPOSES = ['personal_data', 'disability_data'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const CONSENT_VERSIONS: Record<ConsentPurpose, string> = {
  personal_data: '2026-11',
  disability_data: '2026-11',
};

/** One-time codes: 6 digits, valid 15 minutes, 5 guesses (1 chance in 200,000 per code). */
export const CODE_LENGTH = 6;
export const CODE_TTL_MINUTES = 15;
export const CODE_MAX_ATTEMPTS = 5;
/** A new code for the same address and purpose at most once a minute… */
export const CODE_RESEND_SECONDS = 60;
/** …and at most this many account messages to one address an hour, so nobody can flood a phone. */
export const MESSAGES_PER_ADDRESS_PER_HOUR = 5;

export const DISPLAY_NAME_MAX_LENGTH = 80;
export const EMAIL_MAX_LENGTH = 254;

// Optional statistics that show who takes part (women, young people, people with disabilities,
// each neighbourhood), as the municipality committed to within OGP Local.
export const GENDERS = ['female', 'male', 'unspecified'] as const;
export type Gender = (typeof GENDERS)[number];
/** Age groups, never birth dates; no group under 18, since minors cannot hold an account. */
export const AGE_GROUPS = ['18-24', '25-34', '35-44', '45-59', '60+'] as const;
export type AgeGroup = (typeof AGE_GROUPS)[number];
/**
 * Disability as the Washington Group short set asks it (difficulty in six functional domains),
 * the measure national statistics offices use, plus "none" so answers can be counted against
 * a denominator.
 */
export const DISABILITY_DOMAINS = ['seeing', 'hearing', 'walking', 'remembering', 'self_care', 'communicating'] as const;
export type DisabilityDomain = (typeof DISABILITY_DOMAINS)[number];
export const DISABILITY_NONE = 'none';
export type DisabilityAnswer = DisabilityDomain | typeof DISABILITY_NONE;
export const DISABILITY_ANSWERS: readonly DisabilityAnswer[] = [...DISABILITY_DOMAINS, DISABILITY_NONE];

/** Stored as a sorted comma-separated list; "none" stands alone. */
export function encodeDisability(answers: readonly DisabilityAnswer[]): string | null {
  const unique = [...new Set(answers)];
  if (unique.length === 0) return null;
  if (unique.includes(DISABILITY_NONE)) return unique.length === 1 ? DISABILITY_NONE : null;
  return DISABILITY_DOMAINS.filter((d) => unique.includes(d)).join(',');
}

export function decodeDisability(value: string | null): DisabilityAnswer[] {
  if (!value) return [];
  return value.split(',').filter((v): v is DisabilityAnswer => (DISABILITY_ANSWERS as readonly string[]).includes(v));
}

export type ContactChannel = 'email' | 'sms';
/** Where a person can be reached: an e-mail address, or a phone number in E.164 for SMS. */
export type Contact = { channel: ContactChannel; target: string };

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads what someone typed as their identifier: an e-mail address or a phone number. */
export function parseContact(input: string, countryCode = '216'): Contact | null {
  const trimmed = input.trim();
  if (trimmed.includes('@')) {
    const email = trimmed.toLowerCase();
    return email.length <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.test(email) ? { channel: 'email', target: email } : null;
  }
  const phone = normalizePhone(trimmed, countryCode);
  return phone ? { channel: 'sms', target: phone } : null;
}

/** A code as typed: Arabic-Indic digits and spaces are fine ("١٢٣ ٤٥٦"). */
export function normalizeCode(input: string): string {
  return toLatinDigits(input).replace(/\s/g, '');
}

/**
 * Where to go after logging in: only a path on this site in one of its languages. Anything else
 * ("https://evil.example", "//evil.example", "/\\evil") could send people to a look-alike site.
 */
export function safeNextPath(next: unknown, locale: Locale): string {
  const fallback = `/${locale}/account`;
  if (typeof next !== 'string' || next.length > 500) return fallback;
  const localePattern = LOCALES.join('|');
  if (!new RegExp(`^/(${localePattern})(/|\\?|$)`).test(next)) return fallback;
  if (/[\\\s\u0000-\u001f\u007f]/.test(next) || next.includes('//')) return fallback;
  return next;
}
