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

/** Walks one municipality's chain from the start; `onProgress` gets the number checked so far. */
export async function verifyAuditChain(
  db: Db,
  municipalityId: number,
  onProgress?: (checked: number) => void,
): Promise<ChainVerification> {
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const page = await listAuditPage(db, municipalityId, expectedSeq - 1, 1000);
    for (const row of page) {
      const broken = (reason: string): ChainVerification => ({ ok: false, municipalityId, checked, brokenAtSeq: row.seq, reason });
      if (row.seq !== expectedSeq) return { ok: false, municipalityId, checked, brokenAtSeq: expectedSeq, reason: 'missing entry' };
      if (row.prev_hash !== previousHash) return broken('previous hash does not match');
      const { id: _id, hash, ...fields } = row;
      if (hashAuditRow(fields) !== hash) return broken('content does not match its hash');
      previousHash = hash;
      expectedSeq += 1;
      checked += 1;
    }
    onProgress?.(checked);
    if (page.length < 1000) break;
  }
  const head = await chainHead(db, municipalityId);
  if (head && (head.seq !== checked || head.hash !== previousHash)) {
    return { ok: false, municipalityId, checked, brokenAtSeq: checked + 1, reason: 'entries after the last one found are missing' };
  }
  return { ok: true, municipalityId, checked };
}
