// Form handling shared by every page: parse the posted body with a zod schema, turn problems
// into message keys per field, and keep what the user typed so a re-rendered form loses nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { z } from 'zod';
import { AppError, type FieldError, type FieldErrors, isAppError } from '../lib/errors.ts';

export type FormValues = Record<string, string | string[]>;

export type FormState = {
  values: FormValues;
  errors: FieldErrors;
};

export const emptyForm: FormState = { values: {}, errors: {} };

/** The posted body as strings, without the CSRF token; what a form shows back after an error. */
export function formValues(body: unknown): FormValues {
  const values: FormValues = {};
  if (!body || typeof body !== 'object') return values;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === '_csrf') continue;
    if (typeof value === 'string') values[key] = value;
    else if (Array.isArray(value)) values[key] = value.filter((v): v is string => typeof v === 'string');
  }
  return values;
}

/** Maps a zod issue to a message; schemas may also name a message key as their message. */
function issueMessage(issue: z.core.$ZodIssue, raw: unknown): FieldError {
  // zod leaves the input out of its issues, so emptiness is read from the posted value.
  const empty = raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0);
  if (/^[a-z_]+\.[a-z_.]+$/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'too_big':
      return { key: 'validation.too_long', values: { max: Number(issue.maximum) } };
    case 'too_small':
      return Number(issue.minimum) === 1 && issue.origin === 'string'
        ? 'validation.required'
        : { key: 'validation.too_short', values: { min: Number(issue.minimum) } };
    case 'invalid_value':
      // An empty select or radio group is a missing answer, not a wrong one.
      return empty ? 'validation.required' : 'validation.invalid_choice';
    case 'invalid_type':
      return empty ? 'validation.required' : 'validation.invalid';
    case 'invalid_format':
      return issue.format === 'email' ? 'validation.invalid_email' : 'validation.invalid';
    default:
      return 'validation.invalid';
  }
}

/** Parses a form body; throws AppError('validation') with per-field message keys. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const values = formValues(body);
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    if (!(field in fields)) fields[field] = issueMessage(issue, values[field]);
  }
  throw new AppError('validation', { fields });
}

export type FormHandlerSpec<S extends z.ZodType> = {
  schema: S;
  /** Renders the form page with the user's input and errors; used on any failure. */
  render(request: FastifyRequest, reply: FastifyReply, state: FormState, status: number): unknown;
  /** Does the work with valid input, and answers (normally a 303 redirect). */
  handle(request: FastifyRequest, reply: FastifyReply, input: z.output<S>): Promise<unknown>;
};

/** The errors a form shows for an AppError: per field, or one for the whole form. */
export function formErrorsOf(error: AppError): FieldErrors {
  if (Object.keys(error.fields).length > 0) return error.fields;
  return { _form: `errors.${error.code}` };
}

/**
 * Registers a form's POST route. Order: CSRF (a failure re-renders the form, nothing changes),
 * then the schema, then the use-case. Any error the user can fix re-renders the form with what
 * they typed; authorization errors and bugs go to the error handler.
 */
export function postForm<S extends z.ZodType>(
  app: FastifyInstance,
  url: string,
  spec: FormHandlerSpec<S>,
  options: RouteShorthandOptions = {},
): void {
  app.post(url, { ...options, config: { ...(options.config ?? {}), csrfHandledByForm: true } }, async (request, reply) => {
    const values = formValues(request.body);
    if (!request.csrfOk) {
      return spec.render(request, reply, { values, errors: { _form: 'errors.csrf_invalid' } }, 403);
    }
    try {
      const input = parseForm(spec.schema, request.body);
      return await spec.handle(request, reply, input);
    } catch (error) {
      if (isAppError(error) && error.status < 500 && error.code !== 'forbidden' && error.code !== 'unauthenticated') {
        return spec.render(request, reply, { values, errors: formErrorsOf(error) }, error.status);
      }
      throw error;
    }
  });
}
