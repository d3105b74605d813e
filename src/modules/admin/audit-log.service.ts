// Browsing the audit log in the back office, newest first, and checking its hash chain.
import { type Actor, authorize } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { listAuditVocabulary, searchAuditLog } from '../audit/audit.repository.ts';
import { type ChainVerification, verifyAuditChain } from '../audit/audit.service.ts';
import { diffAuditValues, type FieldChange } from './audit-diff.ts';
import { listUserNames } from './users.repository.ts';

export type AuditScope = { actor: Actor; municipalityId: number };

export type AuditLogFilter = {
  actorUserId?: number;
  entityType?: string;
  entityId?: string;
  action?: string;
  /** Calendar days in Tunisia, YYYY-MM-DD, both included. */
  fromDate?: string;
  toDate?: string;
};

export type BrowseAuditLogOptions = AuditScope & { filter: AuditLogFilter; beforeSeq?: number; pageSize: number };

export type AuditEntryView = {
  seq: number;
  createdAt: string;
  actorUserId: number | null;
  actorLabel: string;
  /** The actor's display name today, when the account still exists. */
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  changes: FieldChange[];
};

export type AuditLogPage = {
  entries: AuditEntryView[];
  /** Pass as `beforeSeq` for the next (older) page; null on the last page. */
  olderThanSeq: number | null;
  entityTypes: string[];
  actions: string[];
};

// Tunisia keeps UTC+1 all year (no daylight saving since 2009), so a Tunisian calendar day
// starts at 23:00 UTC the day before.
const TUNIS_OFFSET = '+01:00';

function startOfDayUtc(date: string): string {
  return new Date(`${date}T00:00:00${TUNIS_OFFSET}`).toISOString();
}

function startOfNextDayUtc(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00${TUNIS_OFFSET}`) + 86_400_000).toISOString();
}

export async function browseAuditLog(db: Db, options: BrowseAuditLogOptions): Promise<AuditLogPage> {
  const { actor, municipalityId, filter } = options;
  authorize(actor, 'audit.view', { municipalityId });
  const rows = await searchAuditLog(db, {
    municipalityId,
    actorUserId: filter.actorUserId,
    entityType: filter.entityType,
    entityId: filter.entityId,
    action: filter.action,
    from: filter.fromDate ? startOfDayUtc(filter.fromDate) : undefined,
    to: filter.toDate ? startOfNextDayUtc(filter.toDate) : undefined,
    beforeSeq: options.beforeSeq,
    // One more than shown, to know whether an older page exists.
    limit: options.pageSize + 1,
  });
  const page = rows.slice(0, options.pageSize);
  const actorIds = [...new Set(page.map((r) => r.actor_user_id).filter((id): id is number => id !== null))];
  const [names, vocabulary] = await Promise.all([listUserNames(db, municipalityId, actorIds), listAuditVocabulary(db, municipalityId)]);
  return {
    entries: page.map((row) => ({
      seq: row.seq,
      createdAt: row.created_at,
      actorUserId: row.actor_user_id,
      actorLabel: row.actor_label,
      actorName: row.actor_user_id === null ? null : (names.get(row.actor_user_id) ?? null),
      action: row.action,
      entityType: row.entity_type,
      entityId: row.entity_id,
      changes: diffAuditValues(row.before_json, row.after_json),
    })),
    olderThanSeq: rows.length > options.pageSize ? page[page.length - 1]!.seq : null,
    ...vocabulary,
  };
}

/** Walks the whole chain of the municipality; reading only, so any administrator may run it. */
export async function verifyMunicipalityAuditChain(db: Db, scope: AuditScope): Promise<ChainVerification> {
  authorize(scope.actor, 'audit.view', { municipalityId: scope.municipalityId });
  return verifyAuditChain(db, scope.municipalityId);
}
