import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { MunicipalityRow } from '../../db/schema.ts';
import { isAppError } from '../../lib/errors.ts';
import { addMinutes, nowIso } from '../../lib/time.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { CONSENT_VERSIONS, type Contact } from './accounts.ts';
import { lastCodeSentTo, messagesTo, otherCode, userByContact } from './accounts.test-support.ts';
import { loginWithPassword } from './login.service.ts';
import { resendSignupCode, startSignup, verifySignup } from './signup.service.ts';

const SECRET = 'signup-test-secret-0123456789abcdef0123456789';

describeEachDatabase('sign-up', (suite) => {
  let municipality: MunicipalityRow;
  let counter = 0;
  const phone = (): Contact => ({ channel: 'sms', target: `+2169800${String((counter += 1)).padStart(4, '0')}` });

  before(async () => {
    municipality = await createTestMunicipality(suite.db(), 'signup');
  });

  const start = (contact: Contact, extra: { password?: string | null; displayName?: string | null } = {}) =>
    startSignup(suite.db(), {
      municipality,
      contact,
      displayName: extra.displayName ?? null,
      password: extra.password ?? null,
      locale: 'ar',
      secretKey: SECRET,
    });

  test('a phone sign-up waits for the SMS code, with the consent recorded, then becomes active', async () => {
    const db = suite.db();
    const contact = phone();
    const { codeId } = await start(contact, { displayName: 'Amal' });
    const pending = await userByContact(db, { phone: contact.target });
    assert.equal(pending?.status, 'pending');
    assert.equal(pending?.phone_verified_at, null);
    assert.equal(pending?.password_hash, null);
    assert.equal(pending?.locale, 'ar');
    const consents = await db.selectFrom('consents').selectAll().where('user_id', '=', pending!.id).execute();
    assert.deepEqual(consents.map((c) => [c.purpose, c.text_version, c.withdrawn_at]), [['personal_data', CONSENT_VERSIONS.personal_data, null]]);
    const [message] = await messagesTo(db, contact.target);
    assert.equal(message?.channel, 'sms');
    assert.equal(message?.purpose, 'account_signup_code');
    assert.match(message!.body, /رمز تأكيد حسابكم \d{6}/);

    const code = await lastCodeSentTo(db, contact.target);
    await assert.rejects(verifySignup(db, { municipalityId: municipality.id, codeId, code: otherCode(code), secretKey: SECRET }), (e) => isAppError(e, 'invalid_code'));
    const { userId } = await verifySignup(db, { municipalityId: municipality.id, codeId, code, secretKey: SECRET });
    const active = await userByContact(db, { phone: contact.target });
    assert.equal(active?.id, userId);
    assert.equal(active?.status, 'active');
    assert.notEqual(active?.phone_verified_at, null);
  });

  test('an e-mail sign-up with a password sends an e-mail and can log in once verified', async () => {
    const db = suite.db();
    const contact: Contact = { channel: 'email', target: 'salma@example.tn' };
    const { codeId } = await start(contact, { password: 'a long enough password' });
    await assert.rejects(
      loginWithPassword(db, { municipalityId: municipality.id, contact, password: 'a long enough password' }),
      (e) => isAppError(e, 'invalid_credentials'),
      'a pending account cannot log in',
    );
    const [message] = await messagesTo(db, contact.target);
    assert.equal(message?.channel, 'email');
    assert.ok(message?.subject);
    await verifySignup(db, { municipalityId: municipality.id, codeId, code: await lastCodeSentTo(db, contact.target), secretKey: SECRET });
    const user = await loginWithPassword(db, { municipalityId: municipality.id, contact, password: 'a long enough password' });
    assert.notEqual(user.email_verified_at, null);
  });

  test('an address that has an account gets a notice, and the sign-up answers as usual but can never succeed', async () => {
    const db = suite.db();
    const contact = phone();
    const owner = await createTestUser(db, { municipalityId: municipality.id, phone: contact.target, displayName: 'Owner' });
    const usersBefore = await db.selectFrom('users').select('id').execute();
    const { codeId } = await start(contact, { password: 'attacker password' });
    assert.equal((await db.selectFrom('users').select('id').execute()).length, usersBefore.length);
    const messages = await messagesTo(db, contact.target);
    assert.deepEqual(messages.map((m) => m.purpose), ['account_account_exists']);
    assert.doesNotMatch(messages[0]!.body, /\d{6}/, 'the notice carries no code');
    const stored = await db.selectFrom('verification_codes').selectAll().where('id', '=', codeId).executeTakeFirstOrThrow();
    assert.equal(stored.user_id, null);
    const after = await userByContact(db, { phone: contact.target });
    assert.equal(after?.id, owner.id);
    assert.equal(after?.password_hash, owner.password_hash);
  });

  test('a new sign-up replaces a pending one, and the first sign-up’s code page no longer works', async () => {
    const db = suite.db();
    const contact = phone();
    const first = await start(contact, { password: 'first person password' });
    const firstCode = await lastCodeSentTo(db, contact.target);
    const second = await start(contact, { password: 'second person password' });
    const secondCode = await lastCodeSentTo(db, contact.target);
    const users = await db.selectFrom('users').selectAll().where('phone', '=', contact.target).execute();
    assert.equal(users.length, 1);
    // The first browser cannot activate the account with either code: its sign-up is gone.
    await assert.rejects(verifySignup(db, { municipalityId: municipality.id, codeId: first.codeId, code: firstCode, secretKey: SECRET }));
    await assert.rejects(verifySignup(db, { municipalityId: municipality.id, codeId: first.codeId, code: secondCode, secretKey: SECRET }));
    await verifySignup(db, { municipalityId: municipality.id, codeId: second.codeId, code: secondCode, secretKey: SECRET });
    await loginWithPassword(db, { municipalityId: municipality.id, contact, password: 'second person password' });
  });

  test('a new code at most once a minute; the new one replaces the old', async () => {
    const db = suite.db();
    const contact = phone();
    const { codeId } = await start(contact);
    const oldCode = await lastCodeSentTo(db, contact.target);
    await assert.rejects(resendSignupCode(db, { municipality, codeId, locale: 'fr', secretKey: SECRET }), (e) => isAppError(e, 'rate_limited'));
    await db.updateTable('verification_codes').set({ created_at: addMinutes(nowIso(), -2) }).where('id', '=', codeId).execute();
    const renewed = await resendSignupCode(db, { municipality, codeId, locale: 'fr', secretKey: SECRET });
    assert.notEqual(renewed.codeId, codeId);
    const messages = await messagesTo(db, contact.target);
    assert.equal(messages.length, 2);
    assert.match(messages[1]!.body, /votre code de confirmation/);
    const newCode = await lastCodeSentTo(db, contact.target);
    if (newCode !== oldCode) {
      await assert.rejects(verifySignup(db, { municipalityId: municipality.id, codeId: renewed.codeId, code: oldCode, secretKey: SECRET }));
    }
    await verifySignup(db, { municipalityId: municipality.id, codeId: renewed.codeId, code: newCode, secretKey: SECRET });
  });

  test('a resend for a taken address sends nothing more', async () => {
    const db = suite.db();
    const contact = phone();
    await createTestUser(db, { municipalityId: municipality.id, phone: contact.target });
    const { codeId } = await start(contact);
    await db.updateTable('verification_codes').set({ created_at: addMinutes(nowIso(), -2) }).where('id', '=', codeId).execute();
    await resendSignupCode(db, { municipality, codeId, locale: 'fr', secretKey: SECRET });
    assert.equal((await messagesTo(db, contact.target)).length, 1);
  });

  test('the same address may hold an account in each municipality', async () => {
    const db = suite.db();
    const other = await createTestMunicipality(db, 'signup-other');
    const contact = phone();
    await createTestUser(db, { municipalityId: other.id, phone: contact.target });
    await start(contact);
    const here = await db.selectFrom('users').select(['status']).where('municipality_id', '=', municipality.id).where('phone', '=', contact.target).executeTakeFirst();
    assert.equal(here?.status, 'pending');
  });
});

