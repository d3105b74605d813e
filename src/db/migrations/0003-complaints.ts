// Complaints: the catalogue of categories (with per-category questions and deadlines), the
// complaints themselves with their public timeline, photos, followers ("me too"), the
// citizen's feedback, reusable replies, and Open311 API keys.
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../database.ts';
import { realType, withId } from '../dialect.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const real = realType(db);

  await withId(db, db.schema.createTable('complaint_categories'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name_ar', 'text', (c) => c.notNull())
    .addColumn('name_fr', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('description_ar', 'text')
    .addColumn('description_fr', 'text')
    .addColumn('description_en', 'text')
    .addColumn('group_code', 'text')
    .addColumn('department_id', 'integer', (c) => c.references('departments.id').onDelete('set null'))
    // Sensitive categories (e.g. a neighbour's unauthorised building) never show the exact point.
    .addColumn('sensitive', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ack_days', 'integer', (c) => c.notNull().defaultTo(2))
    .addColumn('resolve_days', 'integer', (c) => c.notNull().defaultTo(21))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('complaint_categories_code_unique', ['municipality_id', 'code'])
    .execute();

  await withId(db, db.schema.createTable('complaint_category_questions'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('category_id', 'integer', (c) => c.notNull().references('complaint_categories.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label_ar', 'text', (c) => c.notNull())
    .addColumn('label_fr', 'text', (c) => c.notNull())
    .addColumn('label_en', 'text', (c) => c.notNull())
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('options_json', 'text')
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('complaint_category_questions_code_unique', ['category_id', 'code'])
    .execute();

  await db.schema
    .createTable('complaint_sequences')
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last_value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('complaint_sequences_pk', ['municipality_id', 'year'])
    .execute();

  await withId(db, db.schema.createTable('complaints'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('tracking_number', 'text', (c) => c.notNull())
    .addColumn('category_id', 'integer', (c) => c.notNull().references('complaint_categories.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('department_id', 'integer', (c) => c.references('departments.id').onDelete('set null'))
    .addColumn('assignee_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('description', 'text', (c) => c.notNull())
    // A moderator's copy with personal data masked; the public sees it when set.
    .addColumn('description_public', 'text')
    .addColumn('answers_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('latitude', real)
    .addColumn('longitude', real)
    .addColumn('neighbourhood_id', 'integer', (c) => c.references('neighbourhoods.id').onDelete('set null'))
    .addColumn('address_text', 'text')
    .addColumn('reporter_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('contact_name', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('duplicate_of_id', 'integer', (c) => c.references('complaints.id').onDelete('set null'))
    .addColumn('forwarded_to', 'text')
    .addColumn('status_reason', 'text')
    .addColumn('follower_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('ack_due_at', 'text', (c) => c.notNull())
    .addColumn('resolve_due_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addColumn('first_response_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // Optimistic locking: every change bumps it; an edit made on an older version is refused.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('complaints_tracking_unique', ['municipality_id', 'tracking_number'])
    .execute();
  await db.schema.createIndex('complaints_public_list').on('complaints').columns(['municipality_id', 'created_at']).execute();
  await db.schema.createIndex('complaints_status').on('complaints').columns(['municipality_id', 'status', 'created_at']).execute();
  await db.schema.createIndex('complaints_category').on('complaints').columns(['municipality_id', 'category_id', 'status']).execute();
  await db.schema.createIndex('complaints_assignee').on('complaints').columns(['assignee_user_id', 'status']).execute();
  await db.schema.createIndex('complaints_reporter').on('complaints').columns(['reporter_user_id']).execute();
  await db.schema.createIndex('complaints_updated').on('complaints').columns(['municipality_id', 'updated_at']).execute();
  if (dialectOf(db) === 'postgres') {
    // Substring search over normalised text (Arabic without diacritics, French without accents).
    // In `public`, whatever the search_path: an extension lives once per database.
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`.execute(db);
    await sql`CREATE INDEX complaints_search ON complaints USING gin (search_text public.gin_trgm_ops)`.execute(db);
  } else {
    await sql`CREATE VIRTUAL TABLE complaints_fts USING fts5(search_text, content='complaints', content_rowid='id', tokenize='trigram')`.execute(db);
    await sql`CREATE TRIGGER complaints_fts_insert AFTER INSERT ON complaints BEGIN
      INSERT INTO complaints_fts(rowid, search_text) VALUES (new.id, new.search_text); END`.execute(db);
    await sql`CREATE TRIGGER complaints_fts_delete AFTER DELETE ON complaints BEGIN
      INSERT INTO complaints_fts(complaints_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`.execute(db);
    await sql`CREATE TRIGGER complaints_fts_update AFTER UPDATE OF search_text ON complaints BEGIN
      INSERT INTO complaints_fts(complaints_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      INSERT INTO complaints_fts(rowid, search_text) VALUES (new.id, new.search_text); END`.execute(db);
  }

  await withId(db, db.schema.createTable('complaint_photos'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('complaint_id', 'integer', (c) => c.notNull().references('complaints.id').onDelete('cascade'))
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaint_photos_complaint').on('complaint_photos').column('complaint_id').execute();

  await withId(db, db.schema.createTable('complaint_events'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('complaint_id', 'integer', (c) => c.notNull().references('complaints.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('body', 'text')
    .addColumn('data_json', 'text')
    .addColumn('actor_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaint_events_complaint').on('complaint_events').columns(['complaint_id', 'id']).execute();

  await withId(db, db.schema.createTable('complaint_followers'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('complaint_id', 'integer', (c) => c.notNull().references('complaints.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    // A phone number or e-mail address for followers without an account.
    .addColumn('contact', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('complaint_followers_user_unique', ['complaint_id', 'user_id'])
    .addUniqueConstraint('complaint_followers_contact_unique', ['complaint_id', 'contact'])
    .execute();

  await db.schema
    .createTable('complaint_feedback')
    .addColumn('complaint_id', 'integer', (c) => c.primaryKey().references('complaints.id').onDelete('cascade'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('resolved', 'integer', (c) => c.notNull())
    .addColumn('satisfaction', 'integer')
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('response_templates'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('title_ar', 'text', (c) => c.notNull())
    .addColumn('title_fr', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text', (c) => c.notNull())
    .addColumn('body_ar', 'text', (c) => c.notNull())
    .addColumn('body_fr', 'text', (c) => c.notNull())
    .addColumn('body_en', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('response_templates_code_unique', ['municipality_id', 'code'])
    .execute();

  await withId(db, db.schema.createTable('api_keys'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('The complaints migration cannot be reverted; restore a backup instead.');
}
