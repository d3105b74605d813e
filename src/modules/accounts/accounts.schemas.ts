// The accounts forms as zod schemas. Messages are message keys (see src/http/forms.ts); the
// identifier schemas take the country code from configuration, since "22 123 456" is a
// Tunisian number only in Tunisia.
import { z } from 'zod';
import { LOCALES } from '../../config.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';
import {
  AGE_GROUPS,
  CODE_LENGTH,
  CONSENT_PURPOSES,
  DISABILITY_ANSWERS,
  DISPLAY_NAME_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  GENDERS,
  normalizeCode,
  parseContact,
} from './accounts.ts';

/** An e-mail address or phone number, read into a Contact. */
export function identifierField(countryCode: string) {
  return z
    .string()
    .trim()
    .min(1)
    .max(EMAIL_MAX_LENGTH)
    .transform((value, ctx) => {
      const contact = parseContact(value, countryCode);
      if (!contact) {
        ctx.addIssue({ code: 'custom', message: 'accounts.form.identifier_invalid' });
        return z.NEVER;
      }
      return contact;
    });
}

/** For login and reset forms: a malformed identifier is simply "no such account" there. */
const looseIdentifier = z.string().trim().min(1).max(EMAIL_MAX_LENGTH);

const newPassword = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);

/** An optional field: an empty box is "no answer" (null). */
function optional<T extends z.ZodType>(schema: T) {
  return z
    .preprocess((value) => (value === '' ? undefined : value), schema.optional())
    .transform((value) => (value ?? null) as z.output<T> | null);
}

const displayName = optional(z.string().trim().max(DISPLAY_NAME_MAX_LENGTH)).transform((value) => value || null);

const code = z
  .string()
  .trim()
  .min(1)
  .max(20)
  .transform(normalizeCode)
  .refine((value) => new RegExp(`^[0-9]{${CODE_LENGTH}}$`).test(value), { message: 'accounts.form.code_format' });

const checkbox = z.literal('yes').optional().transform((value) => value === 'yes');

export function signupSchema(countryCode: string) {
  return z.object({
    identifier: identifierField(countryCode),
    display_name: displayName,
    password: optional(newPassword),
    adult: z.literal('yes', { message: 'accounts.signup.adult_required' }),
    consent: z.literal('yes', { message: 'accounts.signup.consent_required' }),
  });
}

export const verifySchema = z.object({ code });

const next = z.string().max(500).optional();

export const loginSchema = z.object({ identifier: looseIdentifier, password: z.string().min(1).max(PASSWORD_MAX_LENGTH), next });

export function codeRequestSchema(countryCode: string) {
  return z.object({ identifier: identifierField(countryCode), next });
}

export const loginCodeSchema = z.object({ identifier: looseIdentifier, code, next });

/** The new password twice, so a typing mistake does not lock the person out. */
const passwordsMatch: [(value: { new_password: string; password_confirm: string }) => boolean, { message: string; path: string[] }] = [
  (value) => value.new_password === value.password_confirm,
  { message: 'accounts.password.mismatch', path: ['password_confirm'] },
];

const newPasswordTwice = { new_password: newPassword, password_confirm: z.string().min(1).max(PASSWORD_MAX_LENGTH) };

export const resetSchema = z.object({ identifier: looseIdentifier, code, ...newPasswordTwice }).refine(...passwordsMatch);

export const changePasswordSchema = z
  .object({ current_password: optional(z.string().max(PASSWORD_MAX_LENGTH)), ...newPasswordTwice })
  .refine(...passwordsMatch);

export const profileSchema = z.object({
  display_name: displayName,
  locale: z.enum(LOCALES),
  gender: optional(z.enum(GENDERS)),
  age_group: optional(z.enum(AGE_GROUPS)),
  neighbourhood: optional(z.string().regex(/^[0-9]{1,9}$/).transform(Number)),
});

export const disabilitySchema = z.object({
  disability_consent: checkbox,
  disability: z.preprocess(
    (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.enum(DISABILITY_ANSWERS as [string, ...string[]])).max(DISABILITY_ANSWERS.length),
  ),
});

export const sessionSchema = z.object({ session: z.string().regex(/^[0-9a-f]{64}$/) });

export const consentSchema = z.object({ purpose: z.enum(CONSENT_PURPOSES) });

export function contactSchema(countryCode: string) {
  return z.object({ identifier: identifierField(countryCode) });
}

export const eraseSchema = z.object({
  password: optional(z.string().max(PASSWORD_MAX_LENGTH)),
  code: optional(code),
});

/** Forms that only carry the CSRF token (buttons). */
export const emptySchema = z.object({});
