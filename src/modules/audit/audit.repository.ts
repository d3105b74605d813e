import { sql } from 'kysely';
import { dialectOf, type Db } from '../../db/database.ts';
import type { AuditLogRow } from '../../db/schema.ts';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The head of a municipality's chain, locked for the rest of the transaction so that two
 * writers cannot both append after the same entry (PostgreSQL row lock; SQLite transactions
 * already run one at a time).
 */
export async function lockChainHead(trx: Db, municipalityId: number): Promise<{ seq: number; hash: string }> {
  await trx
    .insertInto('audit_chain_heads')
    .values({ municipality_id: municipalityId, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('municipality_id').doNothing())
    .execute();
  const query = trx.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('municipality_id', '=', municipalityId);
  const head = dialectOf(trx) === 'postgres' ? await query.forUpdate().executeTakeFirstOrThrow() : await query.executeTakeFirstOrThrow();
  return head;
}

export async function appendAuditRow(trx: Db, row: Omit<AuditLogRow, 'id'>): Promise<void> {
  await trx.insertInto('audit_log').values(row).execute();
  await trx
    .updateTable('audit_chain_heads')
    .set({ seq: row.seq, hash: row.hash })
    .where('municipality_id', '=', row.municipality_id)
    .execute();
}

export async function listAuditPage(
  db: Db,
  municipalityId: number,
  afterSeq: number,
  limit: number,
): Promise<AuditLogRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export async function countAuditRows(db: Db, municipalityId?: number): Promise<number> {
  let query = db.selectFrom('audit_log').select(sql<number>`count(*)`.as('n'));
  if (municipalityId !== undefined) query = query.where('municipality_id', '=', municipalityId);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function chainHead(db: Db, municipalityId: number): Promise<{ seq: number; hash: string } | undefined> {
  return db.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('municipality_id', '=', municipalityId).executeTakeFirst();
}

export type AuditFilter = {
  municipalityId: number;
  actorUserId?: number;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: string;
  to?: string;
  beforeSeq?: number;
  limit: number;
};

/** Newest first, for browsing; `beforeSeq` pages backwards. */
export async function searchAuditLog(db: Db, filter: AuditFilter): Promise<AuditLogRow[]> {
  let query = db.selectFrom('audit_log').selectAll().where('municipality_id', '=', filter.municipalityId);
  if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId);
  if (filter.entityType) query = query.where('entity_type', '=', filter.entityType);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.from) query = query.where('created_at', '>=', filter.from);
  if (filter.to) query = query.where('created_at', '<', filter.to);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  return query.orderBy('seq', 'desc').limit(filter.limit).execute();
}

/** The entity types and actions that occur in a municipality's log, for the back office's filters. */
export async function listAuditVocabulary(db: Db, municipalityId: number): Promise<{ entityTypes: string[]; actions: string[] }> {
  const [entityTypes, actions] = await Promise.all([
    db.selectFrom('audit_log').select('entity_type').distinct().where('municipality_id', '=', municipalityId).orderBy('entity_type').execute(),
    db.selectFrom('audit_log').select('action').distinct().where('municipality_id', '=', municipalityId).orderBy('action').execute(),
  ]);
  return { entityTypes: entityTypes.map((r) => r.entity_type), actions: actions.map((r) => r.action) };
}
