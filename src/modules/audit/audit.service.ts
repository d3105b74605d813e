// The audit log: every change a staff member (or the system) makes is recorded in the same
// transaction as the change, with before/after values, in a hash chain per municipality. Each
// entry's hash covers its content and the previous hash, so editing or deleting any entry
// breaks every later link; `twiza audit verify` finds the first broken one.
import type { Db } from '../../db/database.ts';
import type { AuditLogRow } from '../../db/schema.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { nowIso } from '../../lib/time.ts';
import { GENESIS_HASH, appendAuditRow, chainHead, listAuditPage, lockChainHead } from './audit.repository.ts';

export type AuditActor = { userId: number | null; label: string };

export type AuditEntry = {
  municipalityId: number;
  actor: AuditActor;
  /** What happened, `module.verb` style: "user.role_granted", "department.updated". */
  action: string;
  entityType: string;
  entityId: string | number | null;
  before?: unknown;
  after?: unknown;
};

export const SYSTEM_ACTOR: AuditActor = { userId: null, label: 'system' };

type HashedFields = Omit<AuditLogRow, 'id' | 'hash'>;

export function hashAuditRow(row: HashedFields): string {
  // A fixed field order: the hash must not depend on how a driver orders object keys.
  const canonical = JSON.stringify([
    row.municipality_id,
    row.seq,
    row.actor_user_id,
    row.actor_label,
    row.action,
    row.entity_type,
    row.entity_id,
    row.before_json,
    row.after_json,
    row.created_at,
    row.prev_hash,
  ]);
  return sha256Hex(canonical);
}

function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Appends an entry. Call it with the transaction that makes the change. */
export async function recordAudit(trx: Db, entry: AuditEntry): Promise<void> {
  const head = await lockChainHead(trx, entry.municipalityId);
  const fields: HashedFields = {
    municipality_id: entry.municipalityId,
    seq: head.seq + 1,
    actor_user_id: entry.actor.userId,
    actor_label: entry.actor.label,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId === null ? null : String(entry.entityId),
    before_json: toJson(entry.before),
    after_json: toJson(entry.after),
    created_at: nowIso(),
    prev_hash: head.hash,
  };
  await appendAuditRow(trx, { ...fields, hash: hashAuditRow(fields) });
}

export type ChainVerification =
  | { ok: true; municipalityId: number; checked: number }
  | { ok: false; municipalityId: number; checked: number; brokenAtSeq: number; reason: string };

const PAGE_SIZE = 1000;

/**
 * Walks one municipality's chain from the start and reports the first entry that does not
 * hold: a changed entry (its hash), a changed or removed predecessor (the previous-hash link),
 * a gap in the numbering, or a chain that ends before (or after) the recorded head, which is
 * how removing the last entries shows. `onProgress` gets the number checked so far.
 */
export async function verifyAuditChain(
  db: Db,
  municipalityId: number,
  onProgress?: (checked: number) => void,
  options: { pageSize?: number } = {},
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const broken = (brokenAtSeq: number, reason: string): ChainVerification => ({ ok: false, municipalityId, checked, brokenAtSeq, reason });
  for (;;) {
    const page = await listAuditPage(db, municipalityId, expectedSeq - 1, pageSize);
    for (const row of page) {
      if (row.seq !== expectedSeq) return broken(expectedSeq, 'missing entry');
      if (row.prev_hash !== previousHash) return broken(row.seq, 'previous hash does not match');
      const { id: _id, hash, ...fields } = row;
      if (hashAuditRow(fields) !== hash) return broken(row.seq, 'content does not match its hash');
      previousHash = hash;
      expectedSeq += 1;
      checked += 1;
    }
    onProgress?.(checked);
    if (page.length < pageSize) break;
  }
  const head = await chainHead(db, municipalityId);
  if (!head) return checked === 0 ? { ok: true, municipalityId, checked } : broken(checked, 'the record of the chain’s end is missing');
  if (head.seq > checked) return broken(checked + 1, 'entries after the last one found are missing');
  if (head.seq < checked) return broken(head.seq + 1, 'entries were added after the recorded end of the chain');
  if (head.hash !== previousHash) return broken(checked, 'the last entry does not match the recorded end of the chain');
  return { ok: true, municipalityId, checked };
}
