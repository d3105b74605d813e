import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { MunicipalityRow } from '../../db/schema.ts';
import { isAppError } from '../../lib/errors.ts';
import { addMinutes, nowIso } from '../../lib/time.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../test/support/fixtures.ts';
import { CODE_MAX_ATTEMPTS, MESSAGES_PER_ADDRESS_PER_HOUR, type Contact } from './accounts.ts';
import { consumeCode, createCode, issueCode } from './codes.service.ts';
import { lastCodeSentTo, messagesTo, otherCode } from './accounts.test-support.ts';

const SECRET = 'codes-test-secret-0123456789abcdef0123456789';

describeEachDatabase('one-time codes', (suite) => {
  let municipality: MunicipalityRow;
  let counter = 0;
  const freshContact = (): Contact => ({ channel: 'sms', target: `+2162200${String((counter += 1)).padStart(4, '0')}` });
  const isInvalidCode = (error: unknown) => isAppError(error, 'invalid_code');

  before(async () => {
    municipality = await createTestMunicipality(suite.db(), 'codes');
  });

  test('a code works once, and only for its purpose and address', async () => {
    const db = suite.db();
    const contact = freshContact();
    const { codeId, code } = await createCode(db, { municipalityId: municipality.id, purpose: 'login', contact, userId: null, secretKey: SECRET });
    const stored = await db.selectFrom('verification_codes').selectAll().where('id', '=', codeId).executeTakeFirstOrThrow();
    assert.notEqual(stored.code_hash, code);
    assert.doesNotMatch(stored.code_hash, new RegExp(code));
    await assert.rejects(consumeCode(db, { municipalityId: municipality.id, purpose: 'password_reset', lookup: { target: contact.target }, code, secretKey: SECRET }), isInvalidCode);
    await assert.rejects(consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { target: freshContact().target }, code, secretKey: SECRET }), isInvalidCode);
    const used = await consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { target: contact.target }, code, secretKey: SECRET });
    assert.equal(used.id, codeId);
    await assert.rejects(consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { target: contact.target }, code, secretKey: SECRET }), isInvalidCode);
  });

  test('after the allowed wrong guesses even the right code fails', async () => {
    const db = suite.db();
    const contact = freshContact();
    const { codeId, code } = await createCode(db, { municipalityId: municipality.id, purpose: 'login', contact, userId: null, secretKey: SECRET });
    for (let i = 0; i < CODE_MAX_ATTEMPTS; i += 1) {
      await assert.rejects(consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { codeId }, code: otherCode(code), secretKey: SECRET }), isInvalidCode);
    }
    await assert.rejects(consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { codeId }, code, secretKey: SECRET }), isInvalidCode);
    const stored = await db.selectFrom('verification_codes').select(['attempts', 'consumed_at']).where('id', '=', codeId).executeTakeFirstOrThrow();
    assert.equal(stored.attempts, CODE_MAX_ATTEMPTS);
    assert.equal(stored.consumed_at, null);
  });

  test('an expired code fails', async () => {
    const db = suite.db();
    const contact = freshContact();
    const { codeId, code } = await createCode(db, { municipalityId: municipality.id, purpose: 'login', contact, userId: null, secretKey: SECRET });
    await db.updateTable('verification_codes').set({ expires_at: addMinutes(nowIso(), -1) }).where('id', '=', codeId).execute();
    await assert.rejects(consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { codeId }, code, secretKey: SECRET }), isInvalidCode);
  });

  test('a new code ends the earlier ones for the same address and purpose', async () => {
    const db = suite.db();
    const contact = freshContact();
    const first = await createCode(db, { municipalityId: municipality.id, purpose: 'login', contact, userId: null, secretKey: SECRET });
    const second = await createCode(db, { municipalityId: municipality.id, purpose: 'login', contact, userId: null, secretKey: SECRET });
    await assert.rejects(consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { codeId: first.codeId }, code: first.code, secretKey: SECRET }), isInvalidCode);
    const used = await consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { target: contact.target }, code: second.code, secretKey: SECRET });
    assert.equal(used.id, second.codeId);
  });

  test('a code from another municipality is unknown here', async () => {
    const db = suite.db();
    const other = await createTestMunicipality(db, 'codes-other');
    const contact = freshContact();
    const { codeId, code } = await createCode(db, { municipalityId: other.id, purpose: 'login', contact, userId: null, secretKey: SECRET });
    await assert.rejects(consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { codeId }, code, secretKey: SECRET }), isInvalidCode);
  });

  test('issuing sends the code in the person’s language, at most once a minute', async () => {
    const db = suite.db();
    const contact = freshContact();
    const options = { municipality, municipalityId: municipality.id, purpose: 'login' as const, contact, userId: null, secretKey: SECRET, locale: 'fr' as const, messageKind: 'login_code' as const };
    const first = await issueCode(db, options);
    assert.ok(first);
    const messages = await messagesTo(db, contact.target);
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.channel, 'sms');
    assert.match(messages[0]!.body, /votre code de connexion est \d{6}/);
    // Asked again at once: nothing new, and the code already sent keeps working.
    assert.equal(await issueCode(db, options), null);
    assert.equal((await messagesTo(db, contact.target)).length, 1);
    const code = await lastCodeSentTo(db, contact.target);
    await consumeCode(db, { municipalityId: municipality.id, purpose: 'login', lookup: { target: contact.target }, code, secretKey: SECRET });
  });

  test('an address gets a limited number of account messages an hour', async () => {
    const db = suite.db();
    const contact = freshContact();
    const options = { municipality, municipalityId: municipality.id, contact, userId: null, secretKey: SECRET, locale: 'en' as const };
    // Different purposes, so the once-a-minute rule does not apply; the hourly cap still does.
    const purposes = ['login', 'password_reset', 'verify_contact'] as const;
    let issued = 0;
    for (let i = 0; i < MESSAGES_PER_ADDRESS_PER_HOUR + 2; i += 1) {
      const purpose = purposes[i % purposes.length]!;
      // Age earlier codes so that only the hourly cap can refuse.
      await db.updateTable('verification_codes').set({ created_at: addMinutes(nowIso(), -2) }).where('target', '=', contact.target).execute();
      if (await issueCode(db, { ...options, purpose, messageKind: 'login_code' })) issued += 1;
    }
    assert.equal(issued, MESSAGES_PER_ADDRESS_PER_HOUR);
    assert.equal((await messagesTo(db, contact.target)).length, MESSAGES_PER_ADDRESS_PER_HOUR);
  });
});
