// What each back-office form accepts. Field names are the form's input names; messages are keys
// (see src/http/forms.ts), so errors show next to the right field in the reader's language.
import { z } from 'zod';
import { STAFF_ROLES } from '../../auth/policies.ts';
import { COUNCIL_BODIES } from '../municipalities/settings.service.ts';
import { MAX_OUTLINE_CHARS, OUTLINE_PROBLEM_MESSAGES, parseOutline } from '../municipalities/outline.ts';
import { OUTBOX_CHANNELS, OUTBOX_STATUSES } from './outbox.service.ts';
import { pageNumber } from './admin-http.ts';

export const NAME_MAX = 120;
export const ADDRESS_MAX = 300;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const requiredText = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : null));

const optionalEmail = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .refine((v) => v === '' || EMAIL_PATTERN.test(v), 'validation.invalid_email')
  .optional()
  .transform((v) => (v ? v : null));

/** An optional choice of a row by id ("" for none). */
const optionalId = z
  .string()
  .trim()
  .regex(/^(\d{1,12})?$/, 'validation.invalid_choice')
  .optional()
  .transform((v) => (v ? Number(v) : null));

/** One of the offered values; nothing chosen reads "required", anything else "choose one of these". */
const choice = <const T extends readonly [string, ...string[]]>(values: T) => z.string().min(1).pipe(z.enum(values));

/** The updated_at the editor saw, to detect that someone else saved in between. */
const version = z.string().min(1).max(40);

const names = {
  name_ar: requiredText(NAME_MAX),
  name_fr: requiredText(NAME_MAX),
  name_en: requiredText(NAME_MAX),
};

export const versionForm = z.object({ version });

// Areas

/**
 * The outline's shape is checked here, so its error shows together with the others; whether it
 * lies near the municipality is checked by the service, which knows where the municipality is.
 */
const outline = z
  .string()
  .trim()
  .max(MAX_OUTLINE_CHARS)
  .superRefine((text, context) => {
    if (text === '') return;
    const result = parseOutline(text);
    if (!result.ok) context.addIssue({ code: 'custom', message: OUTLINE_PROBLEM_MESSAGES[result.problem] });
  })
  .optional()
  .transform((v) => (v ? v : null));

export const arrondissementForm = z.object({ ...names, outline });
export const arrondissementEditForm = arrondissementForm.extend({ version });

export const neighbourhoodForm = arrondissementForm.extend({ arrondissement_id: optionalId });
export const neighbourhoodEditForm = neighbourhoodForm.extend({ version });

// Departments

export const departmentForm = z.object({
  code: z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .max(40)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'admin.departments.code_format'),
  ...names,
  email: optionalEmail,
  active: z
    .literal('yes')
    .optional()
    .transform((v) => v === 'yes'),
});
export const departmentEditForm = departmentForm.extend({ version });

// Users

export const grantRoleForm = z.object({ role: choice(STAFF_ROLES), department_id: optionalId });
export const accountStatusForm = z.object({ status: choice(['active', 'disabled']), version });
export const emptyForm = z.object({});

// Settings

/** A decimal number typed in a form; a comma is accepted as the decimal separator. */
const decimal = (min: number, max: number, rangeKey: string) =>
  z
    .string()
    .trim()
    .min(1)
    .transform((v) => Number(v.replace(',', '.')))
    .pipe(z.number({ message: 'validation.invalid_number' }).min(min, rangeKey).max(max, rangeKey));

export const settingsForm = z.object({
  ...names,
  address_ar: optionalText(ADDRESS_MAX),
  address_fr: optionalText(ADDRESS_MAX),
  address_en: optionalText(ADDRESS_MAX),
  contact_email: optionalEmail,
  contact_phone: z
    .string()
    .trim()
    .max(30)
    .regex(/^(\+?[0-9][0-9 ().-]*)?$/, 'validation.invalid_phone')
    .optional()
    .transform((v) => (v ? v : null)),
  map_lat: decimal(-90, 90, 'admin.settings.lat_range'),
  map_lng: decimal(-180, 180, 'admin.settings.lng_range'),
  map_zoom: z
    .string()
    .trim()
    .min(1)
    .transform(Number)
    .pipe(z.number({ message: 'validation.invalid_number' }).int('validation.invalid_number').min(1, 'admin.settings.zoom_range').max(19, 'admin.settings.zoom_range')),
  council_body: choice(COUNCIL_BODIES),
  tracking_prefix: z
    .string()
    .trim()
    .toUpperCase()
    .min(1)
    .regex(/^[A-Z]{2,6}$/, 'admin.settings.prefix_format'),
  hostnames: z
    .string()
    .max(4000)
    .optional()
    .transform((text) =>
      (text ?? '')
        .split(/\r?\n/)
        .map((line) => line.trim().toLowerCase())
        .filter(Boolean),
    ),
  version,
});

// Query strings (filters)

export const usersQuery = z.object({
  q: z.string().trim().max(100).optional(),
  role: z.enum([...STAFF_ROLES, 'staff']).optional(),
  page: pageNumber,
});

export const outboxQuery = z.object({
  channel: z.enum(OUTBOX_CHANNELS).optional(),
  status: z.enum(OUTBOX_STATUSES).optional(),
  page: pageNumber,
});

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v))
  .optional();

export const auditQuery = z.object({
  actor: z.string().trim().regex(/^\d{1,12}$/).transform(Number).optional(),
  type: z.string().trim().min(1).max(60).optional(),
  entity: z.string().trim().min(1).max(60).optional(),
  action: z.string().trim().min(1).max(80).optional(),
  from: isoDay,
  to: isoDay,
  before: z.string().regex(/^[1-9]\d{0,12}$/).transform(Number).optional(),
});
