import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../test/support/fixtures.ts';
import { purgeExpired } from './purge.ts';

const NOW = '2026-11-27T03:17:00.000Z';

describeEachDatabase('nightly purge', (suite) => {
  test('removes what is expired or long finished, and keeps the rest', async () => {
    const db = suite.db();
    const m = await createTestMunicipality(db, 'purge');
    const user = await createTestUser(db, { municipalityId: m.id, email: 'p@example.tn' });
    const session = (id: string, expires_at: string) => ({ id, municipality_id: m.id, user_id: user.id, created_at: NOW, last_seen_at: NOW, expires_at, user_agent: null });
    await db.insertInto('sessions').values([session('expired', '2026-11-27T03:00:00.000Z'), session('live', '2026-12-01T00:00:00.000Z')]).execute();
    const code = (target: string, expires_at: string) => ({
      municipality_id: m.id, purpose: 'login' as const, channel: 'sms' as const, target, user_id: null, code_hash: 'h', attempts: 0, expires_at, consumed_at: null, created_at: NOW,
    });
    await db.insertInto('verification_codes').values([code('old', '2026-11-20T00:00:00.000Z'), code('recent', '2026-11-27T02:00:00.000Z')]).execute();
    const job = (kind: string, status: 'done' | 'failed' | 'pending', finished_at: string | null) => ({
      municipality_id: null, kind, payload_json: 'null', status, attempts: 1, max_attempts: 1, run_at: NOW, locked_by: null, locked_at: null, last_error: null, unique_key: null, created_at: NOW, updated_at: NOW, finished_at,
    });
    await db.insertInto('jobs').values([
      job('done-long-ago', 'done', '2026-10-01T00:00:00.000Z'),
      job('done-recently', 'done', '2026-11-20T00:00:00.000Z'),
      job('failed-long-ago', 'failed', '2026-10-01T00:00:00.000Z'),
      job('waiting', 'pending', null),
    ]).execute();
    const message = (body: string, status: 'sent' | 'kept' | 'queued', created_at: string) => ({
      municipality_id: m.id, channel: 'sms' as const, recipient: '+21698000000', subject: null, body, purpose: 'login', status, attempts: 0, last_error: null, created_at, sent_at: null,
    });
    await db.insertInto('outbox_messages').values([
      message('old sent', 'sent', '2026-10-01T00:00:00.000Z'),
      message('old kept', 'kept', '2026-10-01T00:00:00.000Z'),
      message('old but still queued', 'queued', '2026-10-01T00:00:00.000Z'),
      message('recent', 'sent', '2026-11-26T00:00:00.000Z'),
    ]).execute();

    const pending = (email: string, created_at: string) => ({
      municipality_id: m.id, display_name: null, email, email_verified_at: null, phone: null, phone_verified_at: null, password_hash: null,
      status: 'pending' as const, locale: 'ar', gender: null, age_group: null, neighbourhood_id: null, disability: null, created_at, updated_at: created_at, last_login_at: null,
    });
    const [abandoned] = await db.insertInto('users').values([pending('abandoned@example.tn', '2026-11-25T00:00:00.000Z'), pending('fresh@example.tn', '2026-11-27T03:00:00.000Z')]).returning('id').execute();
    await db.insertInto('consents').values({ municipality_id: m.id, user_id: abandoned!.id, purpose: 'personal_data', text_version: 'v', granted_at: NOW, withdrawn_at: null }).execute();

    assert.deepEqual(await purgeExpired(db, NOW), { sessions: 1, codes: 1, jobs: 1, messages: 2, pendingAccounts: 1 });
    assert.deepEqual((await db.selectFrom('users').select('email').where('status', '=', 'pending').execute()).map((r) => r.email), ['fresh@example.tn']);
    assert.equal((await db.selectFrom('consents').select('id').where('user_id', '=', abandoned!.id).execute()).length, 0);
    assert.deepEqual((await db.selectFrom('sessions').select('id').execute()).map((r) => r.id), ['live']);
    assert.deepEqual((await db.selectFrom('verification_codes').select('target').execute()).map((r) => r.target), ['recent']);
    assert.deepEqual((await db.selectFrom('jobs').select('kind').orderBy('id').execute()).map((r) => r.kind), ['done-recently', 'failed-long-ago', 'waiting']);
    assert.deepEqual((await db.selectFrom('outbox_messages').select('body').orderBy('id').execute()).map((r) => r.body), ['old but still queued', 'recent']);
    assert.deepEqual(await purgeExpired(db, NOW), { sessions: 0, codes: 0, jobs: 0, messages: 0, pendingAccounts: 0 }, 'a second run finds nothing');
  });
});
