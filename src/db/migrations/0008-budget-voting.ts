// Participatory budgeting, voting: what the online vote needs beyond 0007.
//
// - pb_phone_checks.token_used_at: a ballot token works once. It is marked used in the same
//   transaction as the participation, so a token cannot carry two ballots even under a race.
// - pb_phone_checks (municipality_id, ip_hash, created_at): the per-IP limit on SMS checks
//   ("at most 20 an hour from one address") and the fraud signal "failed checks per IP" read it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pb_phone_checks').addColumn('token_used_at', 'text').execute();
  await db.schema.createIndex('pb_phone_checks_ip').on('pb_phone_checks').columns(['municipality_id', 'ip_hash', 'created_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('The participatory budgeting migration cannot be reverted; restore a backup instead.');
}
