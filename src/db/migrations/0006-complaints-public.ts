// Complaints, public pages: indexes for the public list, map and statistics.
//
// The list pages newest first with a keyset on (created_at, id), filtered by category,
// neighbourhood or status. Each index below lets a filtered page read its 25 rows straight off
// the index instead of sorting every matching complaint: with 100,000 complaints that is the
// difference between a fraction of a millisecond and tens of milliseconds per page.
// (municipality_id, created_at, id) replaces 0003's (municipality_id, created_at): on SQLite the
// rowid was already implied, on PostgreSQL the id makes the keyset exact.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('complaints_public_keyset').on('complaints').columns(['municipality_id', 'created_at', 'id']).execute();
  await db.schema.dropIndex('complaints_public_list').execute();
  await db.schema
    .createIndex('complaints_public_category')
    .on('complaints')
    .columns(['municipality_id', 'category_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('complaints_public_neighbourhood')
    .on('complaints')
    .columns(['municipality_id', 'neighbourhood_id', 'created_at', 'id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('The complaints migration cannot be reverted; restore a backup instead.');
}
