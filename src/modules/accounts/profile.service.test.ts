import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { MunicipalityRow, UserRow } from '../../db/schema.ts';
import type { Actor } from '../../auth/policies.ts';
import { isAppError } from '../../lib/errors.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser, TEST_PASSWORD } from '../../../test/support/fixtures.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { lastCodeSentTo, messagesTo, otherCode } from './accounts.test-support.ts';
import { loginWithPassword } from './login.service.ts';
import {
  changePassword,
  confirmContactChange,
  getAccountOverview,
  requestContactChange,
  revokeSession,
  saveDisability,
  updateProfile,
  withdrawConsent,
} from './profile.service.ts';
import { startSession } from './sessions.service.ts';

const SECRET = 'profile-test-secret-0123456789abcdef0123456789';

describeEachDatabase('the account page’s use-cases', (suite) => {
  let municipality: MunicipalityRow;
  let counter = 0;
  const phone = () => `+2164400${String((counter += 1)).padStart(4, '0')}`;
  const actorOf = (user: UserRow): Actor => ({ userId: user.id, municipalityId: user.municipality_id, roles: [] });
  const target = (user: UserRow) => ({ actor: actorOf(user), municipalityId: user.municipality_id, userId: user.id });
  const fetchUser = (id: number) => suite.db().selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  before(async () => {
    municipality = await createTestMunicipality(suite.db(), 'profile');
  });

  test('the profile and statistics answers are saved; a neighbourhood of another municipality is refused', async () => {
    const db = suite.db();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    const [neighbourhood] = await listNeighbourhoods(db, municipality.id);
    await updateProfile(db, { ...target(user), displayName: 'Amal', locale: 'fr', gender: 'female', ageGroup: '25-34', neighbourhoodId: neighbourhood!.id });
    const saved = await fetchUser(user.id);
    assert.deepEqual([saved.display_name, saved.locale, saved.gender, saved.age_group, saved.neighbourhood_id], ['Amal', 'fr', 'female', '25-34', neighbourhood!.id]);

    const other = await createTestMunicipality(db, 'profile-other');
    const [foreign] = await listNeighbourhoods(db, other.id);
    await assert.rejects(
      updateProfile(db, { ...target(user), displayName: null, locale: 'ar', gender: null, ageGroup: null, neighbourhoodId: foreign!.id }),
      (e) => isAppError(e, 'validation') && e.fields.neighbourhood === 'validation.invalid_choice',
    );
    assert.equal((await fetchUser(user.id)).neighbourhood_id, neighbourhood!.id);
  });

  test('nobody else may read or change an account, staff and other municipalities included', async () => {
    const db = suite.db();
    const owner = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    const admin = await createTestUser(db, { municipalityId: municipality.id, phone: phone(), roles: [{ role: 'admin' }] });
    const adminActor: Actor = { userId: admin.id, municipalityId: municipality.id, roles: [{ role: 'admin', departmentId: null }] };
    await assert.rejects(getAccountOverview(db, { actor: adminActor, municipalityId: municipality.id, userId: owner.id }), (e) => isAppError(e, 'forbidden'));
    await assert.rejects(
      updateProfile(db, { actor: adminActor, municipalityId: municipality.id, userId: owner.id, displayName: 'x', locale: 'ar', gender: null, ageGroup: null, neighbourhoodId: null }),
      (e) => isAppError(e, 'forbidden'),
    );
    await assert.rejects(getAccountOverview(db, { actor: null, municipalityId: municipality.id, userId: owner.id }), (e) => isAppError(e, 'unauthenticated'));
    const foreignActor: Actor = { userId: owner.id, municipalityId: municipality.id + 1000, roles: [] };
    await assert.rejects(getAccountOverview(db, { actor: foreignActor, municipalityId: municipality.id, userId: owner.id }), (e) => isAppError(e, 'forbidden'));
    assert.equal((await fetchUser(owner.id)).display_name, 'Test person');
  });

  test('disability is saved only with its own consent, and withdrawing that consent erases it', async () => {
    const db = suite.db();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    await assert.rejects(
      saveDisability(db, { ...target(user), consent: false, answers: ['walking'] }),
      (e) => isAppError(e, 'validation') && e.fields.disability_consent === 'accounts.disability.consent_required',
    );
    assert.equal((await fetchUser(user.id)).disability, null);
    await assert.rejects(saveDisability(db, { ...target(user), consent: true, answers: ['none', 'walking'] }), (e) => isAppError(e, 'validation'));
    await assert.rejects(saveDisability(db, { ...target(user), consent: true, answers: [] }), (e) => isAppError(e, 'validation'));

    await saveDisability(db, { ...target(user), consent: true, answers: ['walking', 'seeing'] });
    assert.equal((await fetchUser(user.id)).disability, 'seeing,walking');
    await saveDisability(db, { ...target(user), consent: true, answers: ['hearing'] });
    const consents = await db.selectFrom('consents').selectAll().where('user_id', '=', user.id).execute();
    assert.equal(consents.filter((c) => c.purpose === 'disability_data' && c.withdrawn_at === null).length, 1, 'one consent, not one per save');

    await withdrawConsent(db, { ...target(user), purpose: 'disability_data' });
    assert.equal((await fetchUser(user.id)).disability, null);
    const after = await db.selectFrom('consents').selectAll().where('user_id', '=', user.id).where('purpose', '=', 'disability_data').execute();
    assert.ok(after.every((c) => c.withdrawn_at !== null));
  });

  test('the general consent is withdrawn by erasing the account, not alone', async () => {
    const db = suite.db();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    await db.insertInto('consents').values({ municipality_id: municipality.id, user_id: user.id, purpose: 'personal_data', text_version: '2026-11', granted_at: new Date().toISOString(), withdrawn_at: null }).execute();
    await assert.rejects(withdrawConsent(db, { ...target(user), purpose: 'personal_data' }), (e) => isAppError(e, 'validation'));
    const consent = await db.selectFrom('consents').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(consent.withdrawn_at, null);
  });

  test('changing the password needs the current one and ends the other sessions', async () => {
    const db = suite.db();
    const target_ = phone();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: target_ });
    const current = await startSession(db, { userId: user.id, municipalityId: municipality.id, days: 1 });
    await startSession(db, { userId: user.id, municipalityId: municipality.id, days: 1 });
    await assert.rejects(
      changePassword(db, { ...target(user), municipality, currentPassword: 'not it', newPassword: 'new password 123', currentSessionId: current.sessionId }),
      (e) => isAppError(e, 'validation') && e.fields.current_password === 'accounts.password.current_wrong',
    );
    await changePassword(db, { ...target(user), municipality, currentPassword: TEST_PASSWORD, newPassword: 'new password 123', currentSessionId: current.sessionId });
    await loginWithPassword(db, { municipalityId: municipality.id, contact: { channel: 'sms', target: target_ }, password: 'new password 123' });
    const sessions = await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    assert.deepEqual(sessions.map((s) => s.id), [current.sessionId]);
    assert.deepEqual((await messagesTo(db, target_)).map((m) => m.purpose), ['account_password_changed']);
  });

  test('a session of another account cannot be revoked', async () => {
    const db = suite.db();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    const someoneElse = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    const theirs = await startSession(db, { userId: someoneElse.id, municipalityId: municipality.id, days: 1 });
    await assert.rejects(revokeSession(db, { ...target(user), sessionId: theirs.sessionId }), (e) => isAppError(e, 'not_found'));
    assert.equal((await db.selectFrom('sessions').select('id').where('id', '=', theirs.sessionId).execute()).length, 1);
    const mine = await startSession(db, { userId: user.id, municipalityId: municipality.id, days: 1 });
    await revokeSession(db, { ...target(user), sessionId: mine.sessionId });
    assert.equal((await db.selectFrom('sessions').select('id').where('id', '=', mine.sessionId).execute()).length, 0);
  });

  test('a new e-mail address is added once the code sent to it is typed; a taken one is refused then', async () => {
    const db = suite.db();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    await requestContactChange(db, { ...target(user), municipality, contact: { channel: 'email', target: 'new@example.tn' }, secretKey: SECRET });
    assert.equal((await fetchUser(user.id)).email, null, 'nothing changes before the code');
    const code = await lastCodeSentTo(db, 'new@example.tn');
    await assert.rejects(confirmContactChange(db, { ...target(user), code: otherCode(code), secretKey: SECRET }), (e) => isAppError(e, 'invalid_code'));
    await confirmContactChange(db, { ...target(user), code, secretKey: SECRET });
    const saved = await fetchUser(user.id);
    assert.equal(saved.email, 'new@example.tn');
    assert.notEqual(saved.email_verified_at, null);

    const second = await createTestUser(db, { municipalityId: municipality.id, phone: phone() });
    // Past the once-a-minute pause for this address.
    await db.updateTable('verification_codes').set({ created_at: '2000-01-01T00:00:00.000Z' }).where('target', '=', 'new@example.tn').execute();
    await requestContactChange(db, { ...target(second), municipality, contact: { channel: 'email', target: 'new@example.tn' }, secretKey: SECRET });
    const secondCode = await lastCodeSentTo(db, 'new@example.tn');
    await assert.rejects(
      confirmContactChange(db, { ...target(second), code: secondCode, secretKey: SECRET }),
      (e) => isAppError(e, 'conflict') && e.fields.code === 'accounts.contact.taken',
    );
    assert.equal((await fetchUser(second.id)).email, null);
  });
});
