// What every back-office change shares: who is written in the audit log, the version stamp that
// detects concurrent edits, and how database constraint errors become messages.
import type { Actor } from '../../auth/policies.ts';
import { nowIso } from '../../lib/time.ts';
import type { AuditActor } from '../audit/audit.service.ts';

/**
 * The audit log names staff by account number, not by name: the entry must stay true when the
 * person later changes their display name, and the back office shows the current name beside it.
 */
export function staffAuditActor(actor: NonNullable<Actor>): AuditActor {
  return { userId: actor.userId, label: `user:${actor.userId}` };
}

/**
 * The new updated_at for a row last stamped `previous`. It must differ from `previous`, or a
 * second edit within the same millisecond would pass the stale-edit check.
 */
export function nextVersion(previous: string): string {
  const now = nowIso();
  return now > previous ? now : new Date(Date.parse(previous) + 1).toISOString();
}

/** True when a row could not be deleted or changed because another table still points to it. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string } | null;
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * The fields an edit changes, as the audit log's before and after: an entry then reads as the
 * change itself, and an untouched 50 KB outline is not copied into the log on every rename.
 */
export function changedFields<T extends Record<string, unknown>>(
  before: T,
  after: T,
): { before: Partial<T>; after: Partial<T>; changed: boolean } {
  const old: Partial<T> = {};
  const updated: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    old[key] = before[key];
    updated[key] = after[key];
  }
  return { before: old, after: updated, changed: Object.keys(updated).length > 0 };
}
