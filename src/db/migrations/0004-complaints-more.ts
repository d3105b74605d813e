// Complaints, second step: who filed a complaint on someone's behalf (counter, phone), the
// language of followers without an account, and a record of deadline alerts so that the
// reminder and escalation job never sends the same alert twice.
import type { Kysely } from 'kysely';
import { withId } from '../dialect.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('complaints')
    .addColumn('filed_by_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema.alterTable('complaint_followers').addColumn('locale', 'text').execute();
  // "Me too" looks for open complaints of one category near a point: a bounding box on latitude.
  await db.schema.createIndex('complaints_location').on('complaints').columns(['municipality_id', 'category_id', 'latitude']).execute();
  await db.schema.createIndex('complaints_duplicate_of').on('complaints').column('duplicate_of_id').execute();
  await db.schema.createIndex('complaint_followers_user').on('complaint_followers').column('user_id').execute();

  await withId(db, db.schema.createTable('complaint_deadline_alerts'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('complaint_id', 'integer', (c) => c.notNull().references('complaints.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('complaint_deadline_alerts_unique', ['complaint_id', 'kind', 'deadline', 'due_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('The complaints migration cannot be reverted; restore a backup instead.');
}
