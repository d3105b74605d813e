// Participatory budgeting, paper ballots: what keying batches needs beyond 0007.
//
// - pb_paper_batches.sheet_envelope_id: the district envelope printed on the batch's ballots.
//   A paper ballot is printed per district (the city-wide projects and the voter's district's),
//   and the ballots of a batch are sorted by sheet before they are put in its envelope, so the
//   keying form shows exactly the projects of the sheet in hand. Null: a sheet with the
//   city-wide envelopes only.
// - rejected_reason / rejected_by / rejected_at: a rejected batch keeps its entries and says why.
// - pb_paper_entries.updated_at: when an entry was last corrected (the paper re-read).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('pb_paper_batches')
    .addColumn('sheet_envelope_id', 'integer', (c) => c.references('pb_envelopes.id'))
    .execute();
  await db.schema.alterTable('pb_paper_batches').addColumn('rejected_reason', 'text').execute();
  await db.schema
    .alterTable('pb_paper_batches')
    .addColumn('rejected_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema.alterTable('pb_paper_batches').addColumn('rejected_at', 'text').execute();
  await db.schema.alterTable('pb_paper_entries').addColumn('updated_at', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('The participatory budgeting migration cannot be reverted; restore a backup instead.');
}
