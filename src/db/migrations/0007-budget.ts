// Participatory budgeting: cycles and their envelopes, citizens' proposals (photos, comments,
// support), the departments' technical review, the projects on the ballot and their follow-up,
// and the vote — a participation register (who voted) kept apart from the ballot box (what was
// voted), paper ballot batches keyed twice, annulments, and the published results.
//
// Secrecy is a property of the schema: `pb_ballots` and `pb_ballot_choices` have no person, no
// time and no sequential id. On SQLite they are WITHOUT ROWID tables, so even the storage order
// is the order of the random ballot id, not the order of arrival. Nothing in the box points to
// an annulment either: an annulment deletes the ballots it voids and keeps only their number.
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../database.ts';
import { realType, withId } from '../dialect.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const real = realType(db);
  const sqlite = dialectOf(db) === 'sqlite';

  await withId(db, db.schema.createTable('pb_cycles'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title_ar', 'text', (c) => c.notNull())
    .addColumn('title_fr', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text', (c) => c.notNull())
    .addColumn('description_ar', 'text')
    .addColumn('description_fr', 'text')
    .addColumn('description_en', 'text')
    // Phase boundaries, ISO timestamps; the phase at a moment is derived from them (budget.ts).
    .addColumn('information_starts_at', 'text', (c) => c.notNull())
    .addColumn('proposals_open_at', 'text', (c) => c.notNull())
    .addColumn('proposals_close_at', 'text', (c) => c.notNull())
    .addColumn('review_close_at', 'text', (c) => c.notNull())
    // Optional pre-selection by citizens' support; both null when the cycle has none.
    .addColumn('support_open_at', 'text')
    .addColumn('support_close_at', 'text')
    .addColumn('voting_open_at', 'text', (c) => c.notNull())
    .addColumn('voting_close_at', 'text', (c) => c.notNull())
    .addColumn('results_published_at', 'text')
    // Ballot rules, frozen once voting opens.
    .addColumn('ballot_type', 'text', (c) => c.notNull())
    .addColumn('min_choices', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('max_choices', 'integer')
    .addColumn('total_points', 'integer')
    .addColumn('max_points_per_project', 'integer')
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('tie_breaking', 'text', (c) => c.notNull().defaultTo('project_id'))
    .addColumn('lot_seed', 'text')
    // Eligibility and verification.
    .addColumn('min_age', 'integer', (c) => c.notNull().defaultTo(18))
    .addColumn('residence_required', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('max_voters_per_phone', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('online_voting', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('counter_voting', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('paper_voting', 'integer', (c) => c.notNull().defaultTo(1))
    // Random salt of the annulment seals (see pb_participations.ballot_seal); erased when the
    // results are published, after which no ballot can be traced to anyone, even with the key.
    .addColumn('seal_salt', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('pb_cycles_slug_unique', ['municipality_id', 'slug'])
    .execute();

  await withId(db, db.schema.createTable('pb_envelopes'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    // 'city' | 'arrondissement' | 'neighbourhood'
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('arrondissement_id', 'integer', (c) => c.references('arrondissements.id'))
    .addColumn('neighbourhood_id', 'integer', (c) => c.references('neighbourhoods.id'))
    .addColumn('name_ar', 'text', (c) => c.notNull())
    .addColumn('name_fr', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('budget_millimes', 'bigint', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('pb_envelopes_area_unique', ['cycle_id', 'scope', 'arrondissement_id', 'neighbourhood_id'])
    .execute();
  await db.schema.createIndex('pb_envelopes_cycle').on('pb_envelopes').columns(['cycle_id', 'sort_order']).execute();

  await withId(db, db.schema.createTable('pb_proposals'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    // Per-cycle number shown to people ("proposal 12").
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('author_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    // 'citizen' | 'association'
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('association_name', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('envelope_id', 'integer', (c) => c.references('pb_envelopes.id'))
    .addColumn('neighbourhood_id', 'integer', (c) => c.references('neighbourhoods.id'))
    .addColumn('lat', real)
    .addColumn('lng', real)
    .addColumn('location_text', 'text')
    .addColumn('estimated_cost_millimes', 'bigint')
    // 'submitted' | 'merged' | 'withdrawn' | 'feasible' | 'not_feasible' | 'on_ballot'
    .addColumn('status', 'text', (c) => c.notNull())
    // Moderation: 'visible' | 'hidden' (with the public reason).
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('visible'))
    .addColumn('hidden_reason', 'text')
    .addColumn('merged_into_id', 'integer', (c) => c.references('pb_proposals.id'))
    .addColumn('support_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('comment_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('pb_proposals_number_unique', ['cycle_id', 'number'])
    .execute();
  await db.schema.createIndex('pb_proposals_cycle').on('pb_proposals').columns(['cycle_id', 'status', 'id']).execute();
  await db.schema.createIndex('pb_proposals_author').on('pb_proposals').columns(['author_user_id']).execute();

  // Supporting a proposal in the pre-selection: once per person, by constraint.
  await db.schema
    .createTable('pb_supports')
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('proposal_id', 'integer', (c) => c.notNull().references('pb_proposals.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pb_supports_pk', ['proposal_id', 'user_id'])
    .execute();

  // Technical review: one per proposal.
  await withId(db, db.schema.createTable('pb_reviews'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('proposal_id', 'integer', (c) => c.notNull().unique().references('pb_proposals.id').onDelete('cascade'))
    .addColumn('department_id', 'integer', (c) => c.references('departments.id'))
    .addColumn('reviewer_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    // null while the review is under way, then 1 or 0.
    .addColumn('feasible', 'integer')
    .addColumn('public_reason', 'text')
    .addColumn('cost_estimate_millimes', 'bigint')
    .addColumn('cost_explanation', 'text')
    .addColumn('internal_notes', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('pb_projects'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    .addColumn('envelope_id', 'integer', (c) => c.notNull().references('pb_envelopes.id'))
    .addColumn('proposal_id', 'integer', (c) => c.references('pb_proposals.id').onDelete('set null'))
    // The project id in .pb files and on paper ballots: short, stable, unique in the cycle.
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('cost_millimes', 'bigint', (c) => c.notNull())
    .addColumn('neighbourhood_id', 'integer', (c) => c.references('neighbourhoods.id'))
    .addColumn('lat', real)
    .addColumn('lng', real)
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    // Set when the results are published.
    .addColumn('selected', 'integer', (c) => c.notNull().defaultTo(0))
    // Follow-up: 'not_started' | 'study' | 'procurement' | 'works' | 'completed' | 'cancelled'
    .addColumn('implementation_status', 'text', (c) => c.notNull().defaultTo('not_started'))
    .addColumn('progress_percent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('pb_projects_code_unique', ['cycle_id', 'code'])
    .execute();
  await db.schema.createIndex('pb_projects_envelope').on('pb_projects').columns(['envelope_id', 'sort_order']).execute();

  // Implementation follow-up, newest last.
  await withId(db, db.schema.createTable('pb_project_updates'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('pb_projects.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('progress_percent', 'integer', (c) => c.notNull())
    .addColumn('body', 'text')
    .addColumn('author_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pb_project_updates_project').on('pb_project_updates').columns(['project_id', 'id']).execute();

  // Photos of proposals and of implementation updates (files handled as complaint photos are).
  await withId(db, db.schema.createTable('pb_photos'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('proposal_id', 'integer', (c) => c.references('pb_proposals.id').onDelete('cascade'))
    .addColumn('update_id', 'integer', (c) => c.references('pb_project_updates.id').onDelete('cascade'))
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pb_photos_proposal').on('pb_photos').column('proposal_id').execute();
  await db.schema.createIndex('pb_photos_update').on('pb_photos').column('update_id').execute();

  // Comments on proposals and on projects (follow-up), moderated.
  await withId(db, db.schema.createTable('pb_comments'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('proposal_id', 'integer', (c) => c.references('pb_proposals.id').onDelete('cascade'))
    .addColumn('project_id', 'integer', (c) => c.references('pb_projects.id').onDelete('cascade'))
    .addColumn('author_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('visible'))
    .addColumn('hidden_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pb_comments_proposal').on('pb_comments').columns(['proposal_id', 'id']).execute();
  await db.schema.createIndex('pb_comments_project').on('pb_comments').columns(['project_id', 'id']).execute();

  // ------------------------------------------------------------------------------------------
  // Voting

  // An SMS verification before an online ballot: the code, then a short-lived ballot token.
  await withId(db, db.schema.createTable('pb_phone_checks'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    .addColumn('phone_hash', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('ip_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pb_phone_checks_phone').on('pb_phone_checks').columns(['cycle_id', 'phone_hash', 'created_at']).execute();

  await withId(db, db.schema.createTable('pb_annulments'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('participation_count', 'integer', (c) => c.notNull())
    // How many ballots the annulment took out of the box (deleted: a voided ballot keeps no mark
    // that would tie it to the annulled participations), and how many of the annulled
    // participations were paper ones, whose ballots cannot be found.
    .addColumn('ballots_voided', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('paper_participations', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('decided_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // The participation register: who voted. One row per person per cycle — the constraint
  // pb_participations_voter_unique is what makes "one ballot per person" true under any race.
  await withId(db, db.schema.createTable('pb_participations'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    // Keyed hash of the normalised national ID card number; never the number itself.
    .addColumn('voter_key', 'text', (c) => c.notNull())
    // 'online' | 'counter' | 'paper'
    .addColumn('channel', 'text', (c) => c.notNull())
    // Keyed hashes, for "at most N voters per phone" and the fraud signals.
    .addColumn('phone_hash', 'text')
    .addColumn('phone_slot', 'integer')
    .addColumn('ip_hash', 'text')
    // Declared (online) or checked on the card (counter, paper): turnout statistics.
    .addColumn('arrondissement_id', 'integer', (c) => c.references('arrondissements.id'))
    .addColumn('neighbourhood_id', 'integer', (c) => c.references('neighbourhoods.id'))
    .addColumn('gender', 'text')
    .addColumn('age_group', 'text')
    // The hour only ('2027-03-14T21'): enough for the fraud signals, too coarse to match a ballot.
    .addColumn('voted_hour', 'text', (c) => c.notNull())
    // The staff member who checked the ID card (counter, paper).
    .addColumn('verified_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    // HMAC(secret key + cycle salt, ballot id) while the vote is open, so that an annulment can
    // find the ballot and delete it from the box; erased with the salt when the results are
    // published. Paper: null (the paper ballot is keyed later, apart from its voter).
    .addColumn('ballot_seal', 'text')
    .addColumn('annulment_id', 'integer', (c) => c.references('pb_annulments.id'))
    .addUniqueConstraint('pb_participations_voter_unique', ['cycle_id', 'voter_key'])
    .addUniqueConstraint('pb_participations_phone_slot_unique', ['cycle_id', 'phone_hash', 'phone_slot'])
    .execute();
  await db.schema.createIndex('pb_participations_hour').on('pb_participations').columns(['cycle_id', 'voted_hour']).execute();

  await withId(db, db.schema.createTable('pb_paper_batches'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    .addColumn('batch_number', 'text', (c) => c.notNull())
    .addColumn('station', 'text')
    .addColumn('declared_count', 'integer', (c) => c.notNull())
    // 'open' | 'accepted' | 'rejected'
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('accepted_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('accepted_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('pb_paper_batches_number_unique', ['cycle_id', 'batch_number'])
    .execute();

  // Each paper ballot of a batch is keyed twice (pass 1 and 2) by two different people; the
  // batch is accepted only when both passes agree.
  await withId(db, db.schema.createTable('pb_paper_entries'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('batch_id', 'integer', (c) => c.notNull().references('pb_paper_batches.id').onDelete('cascade'))
    .addColumn('pass', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    // {"projects": {code: points}} or {"invalid": true}
    .addColumn('choices_json', 'text', (c) => c.notNull())
    .addColumn('entered_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('pb_paper_entries_unique', ['batch_id', 'pass', 'position'])
    .execute();

  // The ballot box: what was voted. No person, no time; the id is random and is the receipt.
  await db.schema
    .createTable('pb_ballots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('paper_batch_id', 'integer', (c) => c.references('pb_paper_batches.id'))
    // Paper ballots found invalid (spoilt) are kept and counted as such.
    .addColumn('invalid', 'integer', (c) => c.notNull().defaultTo(0))
    .$call((t) => (sqlite ? t.modifyEnd(sql`without rowid`) : t))
    .execute();
  await db.schema.createIndex('pb_ballots_cycle').on('pb_ballots').columns(['cycle_id', 'id']).execute();

  // One row per project chosen on a ballot; the primary key forbids listing a project twice.
  await db.schema
    .createTable('pb_ballot_choices')
    .addColumn('ballot_id', 'text', (c) => c.notNull().references('pb_ballots.id').onDelete('cascade'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('pb_projects.id'))
    .addColumn('envelope_id', 'integer', (c) => c.notNull().references('pb_envelopes.id'))
    // 1 for approval and knapsack; the points of a cumulative ballot; 1 = first for ranking.
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('pb_ballot_choices_pk', ['ballot_id', 'project_id'])
    .$call((t) => (sqlite ? t.modifyEnd(sql`without rowid`) : t))
    .execute();
  await db.schema.createIndex('pb_ballot_choices_envelope').on('pb_ballot_choices').columns(['envelope_id', 'ballot_id']).execute();

  // Published results, one per envelope: what the rule computed on which ballot set.
  await db.schema
    .createTable('pb_results')
    .addColumn('envelope_id', 'integer', (c) => c.primaryKey().references('pb_envelopes.id').onDelete('cascade'))
    .addColumn('municipality_id', 'integer', (c) => c.notNull().references('municipalities.id'))
    .addColumn('cycle_id', 'integer', (c) => c.notNull().references('pb_cycles.id').onDelete('cascade'))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('tie_breaking', 'text', (c) => c.notNull())
    .addColumn('ballot_count', 'integer', (c) => c.notNull())
    // SHA-256 of the published .pb file the result was computed from.
    .addColumn('pb_sha256', 'text', (c) => c.notNull())
    .addColumn('result_json', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('The participatory budgeting migration cannot be reverted; restore a backup instead.');
}
