import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { MunicipalityRow } from '../../db/schema.ts';
import { isAppError } from '../../lib/errors.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser, TEST_PASSWORD } from '../../../test/support/fixtures.ts';
import type { Contact } from './accounts.ts';
import { lastCodeSentTo, messagesTo, otherCode } from './accounts.test-support.ts';
import { loginWithCode, loginWithPassword, requestLoginCode } from './login.service.ts';
import { requestPasswordReset, resetPassword } from './password-reset.service.ts';

const SECRET = 'login-test-secret-0123456789abcdef0123456789';
const isInvalidCredentials = (e: unknown) => isAppError(e, 'invalid_credentials');
const isInvalidCode = (e: unknown) => isAppError(e, 'invalid_code');

describeEachDatabase('login and password reset', (suite) => {
  let municipality: MunicipalityRow;
  let counter = 0;
  const phone = () => `+2165500${String((counter += 1)).padStart(4, '0')}`;

  before(async () => {
    municipality = await createTestMunicipality(suite.db(), 'login');
  });

  test('the right password logs in; a wrong one, an unknown address or no address get the same error', async () => {
    const db = suite.db();
    const target = phone();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: target });
    const contact: Contact = { channel: 'sms', target };
    assert.equal((await loginWithPassword(db, { municipalityId: municipality.id, contact, password: TEST_PASSWORD })).id, user.id);
    await assert.rejects(loginWithPassword(db, { municipalityId: municipality.id, contact, password: 'wrong password' }), isInvalidCredentials);
    await assert.rejects(loginWithPassword(db, { municipalityId: municipality.id, contact: { channel: 'sms', target: phone() }, password: TEST_PASSWORD }), isInvalidCredentials);
    await assert.rejects(loginWithPassword(db, { municipalityId: municipality.id, contact: null, password: TEST_PASSWORD }), isInvalidCredentials);
  });

  test('disabled, erased and foreign accounts cannot log in', async () => {
    const db = suite.db();
    const target = phone();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: target });
    const contact: Contact = { channel: 'sms', target };
    await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    await assert.rejects(loginWithPassword(db, { municipalityId: municipality.id, contact, password: TEST_PASSWORD }), isInvalidCredentials);
    await db.updateTable('users').set({ status: 'erased' }).where('id', '=', user.id).execute();
    await assert.rejects(loginWithPassword(db, { municipalityId: municipality.id, contact, password: TEST_PASSWORD }), isInvalidCredentials);
    const other = await createTestMunicipality(db, 'login-other');
    const elsewhere = phone();
    await createTestUser(db, { municipalityId: other.id, phone: elsewhere });
    await assert.rejects(loginWithPassword(db, { municipalityId: municipality.id, contact: { channel: 'sms', target: elsewhere }, password: TEST_PASSWORD }), isInvalidCredentials);
  });

  test('logging in with a code sent by SMS; nothing is sent for an unknown address', async () => {
    const db = suite.db();
    const target = phone();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: target });
    const contact: Contact = { channel: 'sms', target };
    await requestLoginCode(db, { municipality, contact, secretKey: SECRET });
    const code = await lastCodeSentTo(db, target);
    await assert.rejects(loginWithCode(db, { municipalityId: municipality.id, contact, code: otherCode(code), secretKey: SECRET }), isInvalidCode);
    assert.equal((await loginWithCode(db, { municipalityId: municipality.id, contact, code, secretKey: SECRET })).id, user.id);
    await assert.rejects(loginWithCode(db, { municipalityId: municipality.id, contact, code, secretKey: SECRET }), isInvalidCode, 'used once');

    const unknown = phone();
    await requestLoginCode(db, { municipality, contact: { channel: 'sms', target: unknown }, secretKey: SECRET });
    assert.deepEqual(await messagesTo(db, unknown), []);
  });

  test('a login code stops working when the account is erased meanwhile', async () => {
    const db = suite.db();
    const target = phone();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: target });
    const contact: Contact = { channel: 'sms', target };
    await requestLoginCode(db, { municipality, contact, secretKey: SECRET });
    const code = await lastCodeSentTo(db, target);
    await db.updateTable('users').set({ status: 'erased', phone: null }).where('id', '=', user.id).execute();
    await assert.rejects(loginWithCode(db, { municipalityId: municipality.id, contact, code, secretKey: SECRET }), isInvalidCode);
  });

  test('a password reset changes the password, ends every session and tells the owner', async () => {
    const db = suite.db();
    const email = 'reset@example.tn';
    const user = await createTestUser(db, { municipalityId: municipality.id, email });
    const contact: Contact = { channel: 'email', target: email };
    const now = new Date().toISOString();
    await db.insertInto('sessions').values({ id: 'a'.repeat(64), municipality_id: municipality.id, user_id: user.id, created_at: now, last_seen_at: now, expires_at: '2999-01-01T00:00:00.000Z', user_agent: null }).execute();
    await requestPasswordReset(db, { municipality, contact, secretKey: SECRET });
    const code = await lastCodeSentTo(db, email);
    await assert.rejects(
      resetPassword(db, { municipality, contact, code: otherCode(code), newPassword: 'a brand new password', secretKey: SECRET }),
      isInvalidCode,
    );
    await resetPassword(db, { municipality, contact, code, newPassword: 'a brand new password', secretKey: SECRET });
    await loginWithPassword(db, { municipalityId: municipality.id, contact, password: 'a brand new password' });
    await assert.rejects(loginWithPassword(db, { municipalityId: municipality.id, contact, password: TEST_PASSWORD }), isInvalidCredentials);
    assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 0);
    const purposes = (await messagesTo(db, email)).map((m) => m.purpose);
    assert.deepEqual(purposes, ['account_reset_code', 'account_password_changed']);
  });

  test('a reset request for an unknown address sends nothing and answers the same', async () => {
    const db = suite.db();
    const target = phone();
    await requestPasswordReset(db, { municipality, contact: { channel: 'sms', target }, secretKey: SECRET });
    assert.deepEqual(await messagesTo(db, target), []);
    await assert.rejects(
      resetPassword(db, { municipality, contact: { channel: 'sms', target }, code: '123456', newPassword: 'whatever password', secretKey: SECRET }),
      isInvalidCode,
    );
  });
});
