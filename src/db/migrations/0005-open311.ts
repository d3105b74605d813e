// SMS intake: the messages an SMS gateway delivered, by the gateway's own message id. Gateways
// retry a delivery they think failed (a timeout, a dropped connection), so the same message can
// arrive twice; the unique constraint makes the second arrival find the first instead of filing
// a second complaint. The reply sent the first time is kept, so the retry gets the same answer
// and no second SMS. No phone number is stored here: the complaint holds the contact, and
// erasing it there must be enough.
import type { Kysely } from 'kysely';
import { withId } from '../dialect.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('sms_inbound_messages'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    // complaint: the text filed a complaint; status: it asked for a complaint's status.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('complaint_id', 'integer', (c) => c.references('complaints.id').onDelete('set null'))
    .addColumn('reply', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sms_inbound_messages_unique', ['municipality_id', 'message_id'])
    .execute();
  // The back office lists a municipality's API keys; the key itself is found by its hash (unique).
  await db.schema.createIndex('api_keys_municipality').on('api_keys').columns(['municipality_id', 'created_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('The complaints migration cannot be reverted; restore a backup instead.');
}
