// One error type for everything a user or client can be told about. `code` is a stable
// identifier and also the message key `errors.<code>`; the HTTP layer maps it in one place to
// an HTML page, JSON, or (later) Open311's format.
export type AppErrorCode =
  | 'not_found'
  | 'forbidden'
  | 'unauthenticated'
  | 'csrf_invalid'
  | 'rate_limited'
  | 'validation'
  | 'conflict'
  | 'stale'
  | 'invalid_code'
  | 'invalid_credentials'
  | 'payload_too_large'
  | 'internal';

const statusByCode: Record<AppErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  unauthenticated: 401,
  csrf_invalid: 403,
  rate_limited: 429,
  validation: 400,
  conflict: 409,
  stale: 409,
  invalid_code: 400,
  invalid_credentials: 401,
  payload_too_large: 413,
  internal: 500,
};

/** A message key, or a key with the values it needs (such as {max} for too_long). */
export type FieldError = string | { key: string; values: Record<string, number | string> };
export type FieldErrors = Record<string, FieldError>;

export class AppError extends Error {
  readonly status: number;
  /** Message keys per form field, for `validation` errors. */
  readonly fields: FieldErrors;

  constructor(readonly code: AppErrorCode, options: { fields?: FieldErrors; message?: string; cause?: unknown } = {}) {
    super(options.message ?? code, { cause: options.cause });
    this.name = 'AppError';
    this.status = statusByCode[code];
    this.fields = options.fields ?? {};
  }
}

export function isAppError(error: unknown, code?: AppErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/** True when a database driver reports a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
