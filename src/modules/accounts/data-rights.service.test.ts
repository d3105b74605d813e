import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { MunicipalityRow, UserRow } from '../../db/schema.ts';
import type { Actor } from '../../auth/policies.ts';
import { isAppError } from '../../lib/errors.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser, TEST_PASSWORD } from '../../../test/support/fixtures.ts';
import { lastCodeSentTo, messagesTo, otherCode } from './accounts.test-support.ts';
import { eraseAccount, exportAccountData, requestErasureCode } from './data-rights.service.ts';
import { loginWithCode, loginWithPassword, requestLoginCode } from './login.service.ts';
import { saveDisability } from './profile.service.ts';
import { startSession } from './sessions.service.ts';

const SECRET = 'rights-test-secret-0123456789abcdef0123456789';

describeEachDatabase('export and erasure', (suite) => {
  let municipality: MunicipalityRow;
  let counter = 0;
  const phone = () => `+2165300${String((counter += 1)).padStart(4, '0')}`;
  const actorOf = (user: UserRow): Actor => ({ userId: user.id, municipalityId: user.municipality_id, roles: [] });
  const target = (user: UserRow) => ({ actor: actorOf(user), municipalityId: user.municipality_id, userId: user.id });

  before(async () => {
    municipality = await createTestMunicipality(suite.db(), 'rights');
  });

  test('the export holds the profile, consents and sessions, and no secret', async () => {
    const db = suite.db();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: phone(), email: 'export@example.tn', displayName: 'Hédi' });
    await saveDisability(db, { ...target(user), consent: true, answers: ['hearing'] });
    const session = await startSession(db, { userId: user.id, municipalityId: municipality.id, days: 1, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0' });
    const data = await exportAccountData(db, { ...target(user), municipality, currentSessionId: session.sessionId });
    assert.equal(data.account.display_name, 'Hédi');
    assert.equal(data.account.email, 'export@example.tn');
    assert.equal(data.account.has_password, true);
    assert.deepEqual(data.statistics.disability, ['hearing']);
    assert.deepEqual(data.consents.map((c) => c.purpose), ['disability_data']);
    assert.equal(data.sessions.length, 1);
    assert.equal(data.sessions[0]!.current, true);
    const text = JSON.stringify(data);
    assert.doesNotMatch(text, /argon2/);
    assert.ok(!text.includes(user.password_hash!), 'no password hash');
    assert.ok(!text.includes(session.sessionId), 'no session identifier');
    assert.ok(!text.includes(session.token), 'no session token');
    assert.doesNotMatch(text, /password_hash|code_hash/);
  });

  test('erasing with the password empties the account, ends its sessions and it can never log in again', async () => {
    const db = suite.db();
    const target_ = phone();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: target_, email: 'erase@example.tn', displayName: 'Nour' });
    await saveDisability(db, { ...target(user), consent: true, answers: ['walking'] });
    await startSession(db, { userId: user.id, municipalityId: municipality.id, days: 1 });
    await requestLoginCode(db, { municipality, contact: { channel: 'sms', target: target_ }, secretKey: SECRET });
    const loginCode = await lastCodeSentTo(db, target_);

    await assert.rejects(
      eraseAccount(db, { ...target(user), password: 'wrong password', code: null, secretKey: SECRET }),
      (e) => isAppError(e, 'validation') && e.fields.password === 'accounts.password.current_wrong',
    );
    assert.equal((await db.selectFrom('users').select('status').where('id', '=', user.id).executeTakeFirstOrThrow()).status, 'active');

    await eraseAccount(db, { ...target(user), password: TEST_PASSWORD, code: null, secretKey: SECRET });
    const erased = await db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(erased.status, 'erased');
    for (const field of ['display_name', 'email', 'email_verified_at', 'phone', 'phone_verified_at', 'password_hash', 'gender', 'age_group', 'neighbourhood_id', 'disability', 'last_login_at'] as const) {
      assert.equal(erased[field], null, field);
    }
    assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 0);
    assert.equal((await db.selectFrom('verification_codes').select('id').where('user_id', '=', user.id).execute()).length, 0);
    assert.deepEqual(await messagesTo(db, target_), [], 'messages to the erased number are forgotten');
    const consents = await db.selectFrom('consents').selectAll().where('user_id', '=', user.id).execute();
    assert.ok(consents.length > 0 && consents.every((c) => c.withdrawn_at !== null));

    await assert.rejects(loginWithPassword(db, { municipalityId: municipality.id, contact: { channel: 'sms', target: target_ }, password: TEST_PASSWORD }), (e) => isAppError(e, 'invalid_credentials'));
    await assert.rejects(loginWithCode(db, { municipalityId: municipality.id, contact: { channel: 'sms', target: target_ }, code: loginCode, secretKey: SECRET }), (e) => isAppError(e, 'invalid_code'));
    await assert.rejects(exportAccountData(db, { ...target(user), municipality }), (e) => isAppError(e, 'not_found'));
  });

  test('an account without a password confirms erasure with a code', async () => {
    const db = suite.db();
    const target_ = phone();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: target_ });
    await db.updateTable('users').set({ password_hash: null }).where('id', '=', user.id).execute();
    await assert.rejects(eraseAccount(db, { ...target(user), password: null, code: null, secretKey: SECRET }), (e) => isAppError(e, 'validation'));
    await requestErasureCode(db, { ...target(user), municipality, secretKey: SECRET });
    const code = await lastCodeSentTo(db, target_);
    await assert.rejects(eraseAccount(db, { ...target(user), password: null, code: otherCode(code), secretKey: SECRET }), (e) => isAppError(e, 'invalid_code'));
    await eraseAccount(db, { ...target(user), password: null, code, secretKey: SECRET });
    assert.equal((await db.selectFrom('users').select('status').where('id', '=', user.id).executeTakeFirstOrThrow()).status, 'erased');
  });

  test('staff accounts are not erased by their holder, and nobody erases someone else’s', async () => {
    const db = suite.db();
    const staff = await createTestUser(db, { municipalityId: municipality.id, phone: phone(), roles: [{ role: 'moderator' }] });
    const staffActor: Actor = { userId: staff.id, municipalityId: municipality.id, roles: [{ role: 'moderator', departmentId: null }] };
    await assert.rejects(
      eraseAccount(db, { actor: staffActor, municipalityId: municipality.id, userId: staff.id, password: TEST_PASSWORD, code: null, secretKey: SECRET }),
      (e) => isAppError(e, 'conflict'),
    );
    const citizen = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    await assert.rejects(
      eraseAccount(db, { actor: staffActor, municipalityId: municipality.id, userId: citizen.id, password: TEST_PASSWORD, code: null, secretKey: SECRET }),
      (e) => isAppError(e, 'forbidden'),
    );
    const statuses = await db.selectFrom('users').select('status').where('id', 'in', [staff.id, citizen.id]).execute();
    assert.deepEqual(statuses.map((s) => s.status), ['active', 'active']);
  });
});

describeEachDatabase('export and erasure reach the complaints module', (suite) => {
  test('a citizen’s complaints are in their export; erasure keeps the complaint without their contact details', async () => {
    const { seedComplaintCatalogue } = await import('../complaints/demo-catalogue.ts');
    const { listCategories } = await import('../complaints/categories.service.ts');
    const { submitComplaint } = await import('../complaints/submission.service.ts');
    const db = suite.db();
    const municipality = await createTestMunicipality(db, 'rights-complaints');
    await seedComplaintCatalogue(db, municipality.id);
    const [category] = (await listCategories(db, { municipalityId: municipality.id })).filter((c) => c.questions.every((q) => !q.required));
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: '+21653990001', displayName: 'Nour' });
    const actor: Actor = { userId: user.id, municipalityId: municipality.id, roles: [] };
    const { trackingNumber } = await submitComplaint(db, {
      municipality,
      channel: 'web',
      locale: 'ar',
      reporter: actor,
      contact: { name: 'Nour Ben Salah', phone: '+21653990001' },
      categoryId: category!.id,
      description: 'حفرة كبيرة أمام المدرسة',
      location: { address: 'نهج الجمهورية' },
    });

    const data = await exportAccountData(db, { actor, municipalityId: municipality.id, userId: user.id, municipality });
    assert.deepEqual(data.complaints.map((c) => c.tracking_number), [trackingNumber]);
    assert.equal(data.complaints[0]!.description, 'حفرة كبيرة أمام المدرسة');

    await eraseAccount(db, { actor, municipalityId: municipality.id, userId: user.id, password: TEST_PASSWORD, code: null, secretKey: SECRET });
    const complaint = await db.selectFrom('complaints').selectAll().where('tracking_number', '=', trackingNumber).executeTakeFirstOrThrow();
    assert.equal(complaint.description, 'حفرة كبيرة أمام المدرسة', 'the complaint itself stays');
    assert.deepEqual([complaint.contact_name, complaint.contact_phone, complaint.contact_email], [null, null, null]);
  });
});
