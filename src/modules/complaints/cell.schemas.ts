// What the complaints cell's pages accept: the inbox's query string and every form. Field names
// are the forms' input names, each form's own (one page shows many forms, and ids must not
// repeat); messages are keys (src/http/forms.ts). The workflow services check the rest (is this
// step allowed now, does the agent work in that department) and their field errors are mapped
// back to these names by the routes.
import { z } from 'zod';
import { LOCALES } from '../../config.ts';
import { pageNumber } from '../admin/admin-http.ts';
import { INBOX_SORTS } from './cell.repository.ts';
import { STATUS_FILTERS } from './cell.service.ts';
import { CHANNELS, DESCRIPTION_MAX_LENGTH, PRIORITIES, REASON_MAX_LENGTH, REPLY_MAX_LENGTH, UTILITIES } from './complaints.ts';

const id = z.string().trim().regex(/^[1-9]\d{0,11}$/).transform(Number);
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v));

export const inboxQuerySchema = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  status: z.enum(STATUS_FILTERS).optional(),
  category: id.optional(),
  department: z.union([z.enum(['mine', 'none']), id]).optional(),
  assignee: z.union([z.enum(['me', 'none']), id]).optional(),
  neighbourhood: id.optional(),
  channel: z.enum(CHANNELS).optional(),
  priority: z.enum(PRIORITIES).optional(),
  from: isoDay.optional(),
  to: isoDay.optional(),
  overdue: z.literal('1').optional(),
  sort: z.enum(INBOX_SORTS).optional(),
  page: pageNumber,
});
export type InboxQueryInput = z.output<typeof inboxQuerySchema>;

/** One of the offered values; nothing chosen reads "required", anything else "choose one of these". */
const choice = <const T extends readonly [string, ...string[]]>(values: T) => z.string().min(1, 'validation.required').pipe(z.enum(values));
const requiredId = z.string().trim().min(1, 'validation.required').regex(/^[1-9]\d{0,11}$/, 'validation.invalid_choice').transform(Number);
const optionalId = z
  .string()
  .trim()
  .regex(/^(\d{1,12})?$/, 'validation.invalid_choice')
  .optional()
  .transform((v) => (v ? Number(v) : null));
const requiredText = (max: number) => z.string().trim().min(1, 'validation.required').max(max);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : null));

/** The complaint's version the staff member saw; a change made on an older one is refused as stale. */
const version = z.string().regex(/^[1-9]\d{0,8}$/, 'complaints.cell.version_missing').transform(Number);

/** A button that redraws the form without acting ("show this department's staff", "use this template"). */
const intent = z.enum(['send', 'refresh', 'use_template']).optional().default('send');

export const versionOnlyForm = z.object({ version });

export const triageForm = z.object({
  version,
  triage_category: requiredId,
  triage_priority: choice(PRIORITIES),
  triage_department: optionalId,
});

export const assignForm = z.object({
  version,
  intent,
  assign_department: requiredId,
  assign_agent: optionalId,
});

/** Reply and resolution: typed text, or a template chosen (and shown first with "use this template"). */
export const resolveForm = z.object({ version, intent, resolve_reply: optionalText(REPLY_MAX_LENGTH), resolve_template: optionalId });
export const replyForm = z.object({ version, intent, reply_text: optionalText(REPLY_MAX_LENGTH), reply_template: optionalId });

export const rejectForm = z.object({ version, reject_reason: requiredText(REASON_MAX_LENGTH) });
export const duplicateForm = z.object({ version, duplicate_of: requiredText(40) });
export const forwardForm = z.object({ version, forward_utility: choice(UTILITIES), forward_reason: requiredText(REASON_MAX_LENGTH) });
export const reopenForm = z.object({ version, reopen_reason: optionalText(REASON_MAX_LENGTH) });
export const noteForm = z.object({ version, note_body: requiredText(REPLY_MAX_LENGTH) });

const idList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().regex(/^[1-9]\d{0,11}$/, 'validation.invalid_choice').transform(Number)).max(50));

export const maskForm = z.object({
  version,
  /** "unmask" shows the citizen's original text publicly again. */
  intent: z.enum(['send', 'unmask']).optional().default('send'),
  mask_text: optionalText(DESCRIPTION_MAX_LENGTH),
  mask_photo: idList,
});

// ---------------------------------------------------------------------------------------------
// Bulk

export const BULK_ACTIONS = ['acknowledge', 'start', 'assign', 'priority', 'close', 'reject', 'forward'] as const;
export type BulkActionKey = (typeof BULK_ACTIONS)[number];

const itemList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[1-9]\d{0,11}:[1-9]\d{0,8}$/, 'validation.invalid')
          .transform((pair) => {
            const [complaintId, version] = pair.split(':').map(Number) as [number, number];
            return { complaintId, version };
          }),
      )
      .min(1, 'complaints.cell.bulk.none_selected')
      .max(200, 'complaints.cell.bulk.too_many'),
  );

export const bulkForm = z
  .object({
    item: itemList,
    bulk_action: choice(BULK_ACTIONS),
    bulk_department: optionalId,
    bulk_priority: z.enum(PRIORITIES).optional().or(z.literal('').transform(() => undefined)),
    bulk_utility: z.enum(UTILITIES).optional().or(z.literal('').transform(() => undefined)),
    bulk_reason: optionalText(REASON_MAX_LENGTH),
    /** The inbox's query string, to come back to the same list. */
    back: z.string().max(2000).regex(/^(\?[^\s#]*)?$/).optional(),
  })
  .superRefine((form, context) => {
    const need = (path: string, ok: boolean) => {
      if (!ok) context.addIssue({ code: 'custom', path: [path], message: 'validation.required' });
    };
    if (form.bulk_action === 'assign') need('bulk_department', form.bulk_department !== null);
    if (form.bulk_action === 'priority') need('bulk_priority', form.bulk_priority !== undefined);
    if (form.bulk_action === 'forward') need('bulk_utility', form.bulk_utility !== undefined);
    if (form.bulk_action === 'reject' || form.bulk_action === 'forward') need('bulk_reason', form.bulk_reason !== null);
  });

// ---------------------------------------------------------------------------------------------
// Counter and phone

/**
 * The counter form. Only the choices are checked here: the description, place and contact are
 * checked by submitComplaint, which reports every problem at once (the same rules as online).
 */
const passText = z
  .string()
  .max(10_000)
  .optional()
  .transform((v) => v ?? '');
export const intakeForm = z.object({
  channel: choice(['counter', 'phone']),
  locale: choice(LOCALES),
  category_id: requiredId,
  description: passText,
  'location.neighbourhoodId': optionalId,
  'location.address': passText,
  'contact.name': passText,
  'contact.phone': passText,
  'contact.email': passText,
});

/** The answers to a category's questions: every `answers.CODE` field, one value or several. */
export function answersFrom(body: unknown): Record<string, string | string[]> {
  const answers: Record<string, string | string[]> = {};
  if (!body || typeof body !== 'object') return answers;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (!key.startsWith('answers.')) continue;
    const code = key.slice('answers.'.length);
    if (typeof value === 'string') answers[code] = value;
    else if (Array.isArray(value)) answers[code] = value.filter((v): v is string => typeof v === 'string');
  }
  return answers;
}
