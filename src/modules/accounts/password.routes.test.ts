import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { MunicipalityRow } from '../../db/schema.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { SESSION_COOKIE } from './session-cookie.ts';
import { verifyPassword } from './passwords.ts';
import { AddressedClient, buildAccountsTestApp, lastCodeSentTo, messagesTo, otherCode } from './accounts.test-support.ts';

describeEachDatabase('forgotten password pages', (suite) => {
  let app: FastifyInstance;
  let alpha: MunicipalityRow;
  let counter = 0;
  const phone = () => `+2162300${String((counter += 1)).padStart(4, '0')}`;

  before(async () => {
    alpha = await createTestMunicipality(suite.db(), 'alpha');
    app = await buildAccountsTestApp(suite.handle(), 'alpha');
  });
  after(() => app.close());

  const passwordHashOf = async (userId: number) =>
    (await suite.db().selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow()).password_hash;

  test('a code by SMS, then a new password: signed in, the old password no longer works', async () => {
    const db = suite.db();
    const target = phone();
    const user = await createTestUser(db, { municipalityId: alpha.id, phone: target });
    const client = new AddressedClient(app);
    const asked = await client.submit('/fr/password/forgot', '/fr/password/forgot', { identifier: target.slice(4) });
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/fr/password/reset');
    const form = await client.get('/fr/password/reset');
    assert.match(form.body, new RegExp(`name="identifier"[^>]*value="\\${target}"`));
    const code = await lastCodeSentTo(db, target);
    const done = await client.post('/fr/password/reset', { identifier: target, code, new_password: 'my new password', password_confirm: 'my new password' });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/fr/account');
    assert.ok(client.cookies.get(SESSION_COOKIE));
    assert.equal(await verifyPassword((await passwordHashOf(user.id))!, 'my new password'), true);
    assert.deepEqual((await messagesTo(db, target)).map((m) => m.purpose), ['account_reset_code', 'account_password_changed']);
  });

  test('bad inputs are refused, translated, and the password stays as it was', async () => {
    const db = suite.db();
    const target = phone();
    const user = await createTestUser(db, { municipalityId: alpha.id, phone: target });
    const before = await passwordHashOf(user.id);
    const client = new AddressedClient(app);
    await client.submit('/fr/password/forgot', '/fr/password/forgot', { identifier: target });
    const code = await lastCodeSentTo(db, target);
    const base = { identifier: target, code, new_password: 'my new password', password_confirm: 'my new password' };
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ ...base, password_confirm: 'something else' }, 400, /Les deux mots de passe sont différents/],
      [{ ...base, new_password: 'short', password_confirm: 'short' }, 400, /8 caractères au moins/],
      [{ ...base, new_password: 'x'.repeat(201), password_confirm: 'x'.repeat(201) }, 400, /200 caractères au plus/],
      [{ ...base, code: '' }, 400, /Ce champ est obligatoire/],
      [{ ...base, code: 'abcdef' }, 400, /Le code compte 6 chiffres/],
      [{ ...base, code: otherCode(code) }, 400, /Code incorrect ou expiré/],
      [{ ...base, _csrf: 'forged.token' }, 403, /Le formulaire a expiré/],
    ];
    for (const [fields, status, message] of cases) {
      await client.get('/fr/password/reset');
      const response = await client.post('/fr/password/reset', fields);
      assert.equal(response.statusCode, status, JSON.stringify(fields).slice(0, 90));
      assert.match(response.body, message);
      assert.equal(await passwordHashOf(user.id), before);
    }
    assert.equal(client.cookies.get(SESSION_COOKIE), undefined);
  });

  test('an unknown address gets the same answer and no message', async () => {
    const unknown = phone();
    const client = new AddressedClient(app);
    const asked = await client.submit('/en/password/forgot', '/en/password/forgot', { identifier: unknown });
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/en/password/reset');
    assert.deepEqual(await messagesTo(suite.db(), unknown), []);
    const missing = await client.submit('/en/password/forgot', '/en/password/forgot', { identifier: '' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /This field is required/);
  });
});
