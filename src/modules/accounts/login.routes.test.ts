import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { MunicipalityRow } from '../../db/schema.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser, TEST_PASSWORD } from '../../../test/support/fixtures.ts';
import { signIn } from '../../../test/support/http.ts';
import { SESSION_COOKIE } from './session-cookie.ts';
import { AddressedClient, buildAccountsTestApp, countRows, lastCodeSentTo, messagesTo, otherCode } from './accounts.test-support.ts';

describeEachDatabase('login and logout pages', (suite) => {
  let app: FastifyInstance;
  let alpha: MunicipalityRow;
  let counter = 0;
  const phone = () => `+2162100${String((counter += 1)).padStart(4, '0')}`;
  const national = (e164: string) => e164.slice(4);

  before(async () => {
    alpha = await createTestMunicipality(suite.db(), 'alpha', ['alpha.example']);
    await createTestMunicipality(suite.db(), 'beta', ['beta.example']);
    app = await buildAccountsTestApp(suite.handle(), 'alpha');
  });
  after(() => app.close());

  const sessionsOf = async (userId: number) => (await suite.db().selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length;

  test('logging in with a phone number and password goes back to the page asked for', async () => {
    const target = phone();
    const user = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: target });
    const client = new AddressedClient(app);
    const page = await client.get('/fr/login?next=%2Ffr%2Fprivacy');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<input type="hidden" name="next" value="\/fr\/privacy"/);
    const response = await client.post('/fr/login', { identifier: `00216 ${national(target)}`, password: TEST_PASSWORD, next: '/fr/privacy' });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/fr/privacy');
    assert.ok(client.cookies.get(SESSION_COOKIE));
    assert.equal(await sessionsOf(user.id), 1);
    const landing = await client.get('/fr/privacy');
    assert.match(landing.body, /Vous êtes connecté·e\./);
  });

  test('a link to another site is never followed after login', async () => {
    const user = await createTestUser(suite.db(), { municipalityId: alpha.id, email: 'next@example.tn' });
    const client = new AddressedClient(app);
    const page = await client.get('/en/login?next=https%3A%2F%2Fevil.example%2F');
    assert.doesNotMatch(page.body, /name="next"/, 'an unsafe next is not carried into the form');
    const response = await client.post('/en/login', { identifier: 'next@example.tn', password: TEST_PASSWORD, next: '//evil.example/en' });
    assert.equal(response.headers.location, '/en/account');
    assert.equal(await sessionsOf(user.id), 1);
  });

  test('wrong, missing, too long and forged inputs are refused with translated messages and no session', async () => {
    const target = phone();
    const user = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: target });
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ identifier: national(target), password: 'wrong password' }, 401, /Identifiant ou mot de passe incorrect/],
      [{ identifier: phone(), password: TEST_PASSWORD }, 401, /Identifiant ou mot de passe incorrect/],
      [{ identifier: 'not an identifier', password: TEST_PASSWORD }, 401, /Identifiant ou mot de passe incorrect/],
      [{ identifier: national(target), password: '' }, 400, /Ce champ est obligatoire/],
      [{ identifier: national(target), password: 'x'.repeat(201) }, 400, /200 caractères au plus/],
      [{ identifier: national(target), password: TEST_PASSWORD, _csrf: 'forged.token' }, 403, /Le formulaire a expiré/],
    ];
    for (const [fields, status, message] of cases) {
      const client = new AddressedClient(app);
      const response = await client.submit('/fr/login', '/fr/login', fields);
      assert.equal(response.statusCode, status, JSON.stringify(fields).slice(0, 80));
      assert.match(response.body, message);
      assert.doesNotMatch(response.body, /value="wrong password"|correct horse/, 'passwords are never echoed');
      assert.equal(client.cookies.get(SESSION_COOKIE), undefined);
    }
    assert.equal(await sessionsOf(user.id), 0);
  });

  test('logging in ends the session the browser had before (a shared phone)', async () => {
    const first = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: phone() });
    const secondPhone = phone();
    const second = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: secondPhone });
    const client = new AddressedClient(app);
    await signIn(client, first);
    await client.get('/fr/privacy');
    const response = await client.post('/fr/login', { identifier: secondPhone, password: TEST_PASSWORD });
    assert.equal(response.statusCode, 303);
    assert.equal(await sessionsOf(first.id), 0);
    assert.equal(await sessionsOf(second.id), 1);
  });

  test('an erased account cannot log in', async () => {
    const target = phone();
    const user = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: target });
    await suite.db().updateTable('users').set({ status: 'erased' }).where('id', '=', user.id).execute();
    const response = await new AddressedClient(app).submit('/en/login', '/en/login', { identifier: national(target), password: TEST_PASSWORD });
    assert.equal(response.statusCode, 401);
    assert.match(response.body, /Wrong identifier or password/);
    assert.equal(await sessionsOf(user.id), 0);
  });

  test('logging in with a code sent by SMS', async () => {
    const db = suite.db();
    const target = phone();
    const user = await createTestUser(db, { municipalityId: alpha.id, phone: target });
    const client = new AddressedClient(app);
    const asked = await client.submit('/ar/login/code?next=%2Far%2Fprivacy', '/ar/login/code', { identifier: national(target), next: '/ar/privacy' });
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/ar/login/code/verify?next=%2Far%2Fprivacy');
    const form = await client.get(asked.headers.location as string);
    assert.match(form.body, new RegExp(`name="identifier"[^>]*value="\\${target}"`), 'the number is filled in');
    const code = await lastCodeSentTo(db, target);
    const wrong = await client.post('/ar/login/code/verify', { identifier: target, code: otherCode(code), next: '/ar/privacy' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /الرمز غير صحيح أو منتهي الصلاحية/);
    const right = await client.post('/ar/login/code/verify', { identifier: target, code, next: '/ar/privacy' });
    assert.equal(right.statusCode, 303);
    assert.equal(right.headers.location, '/ar/privacy');
    assert.equal(await sessionsOf(user.id), 1);
  });

  test('a code request for an unknown number answers the same and sends nothing', async () => {
    const unknown = phone();
    const client = new AddressedClient(app);
    const asked = await client.submit('/fr/login/code', '/fr/login/code', { identifier: national(unknown) });
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/fr/login/code/verify');
    assert.deepEqual(await messagesTo(suite.db(), unknown), []);
    const malformed = await client.submit('/fr/login/code', '/fr/login/code', { identifier: '12' });
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.body, /Saisissez un numéro de mobile/);
  });

  test('logging out ends the session in the database and says so', async () => {
    const user = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: phone() });
    const client = new AddressedClient(app);
    await signIn(client, user);
    await client.get('/fr/account');
    const response = await client.post('/fr/logout', {});
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/fr/');
    assert.equal(client.cookies.get(SESSION_COOKIE), undefined);
    assert.equal(await sessionsOf(user.id), 0);
    const home = await client.get('/fr/');
    assert.match(home.body, /Vous êtes déconnecté·e\./);
  });

  test('logging out with a forged token does nothing', async () => {
    const user = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: phone() });
    const client = new AddressedClient(app);
    await signIn(client, user);
    const response = await client.post('/fr/logout', { _csrf: 'forged.token' });
    assert.equal(response.statusCode, 403);
    assert.equal(await sessionsOf(user.id), 1);
  });

  test('a session of one municipality is not accepted by another', async () => {
    const user = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: phone() });
    const client = new AddressedClient(app, 'beta.example');
    await signIn(client, user);
    const response = await client.get('/en/account');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/en/login?next=%2Fen%2Faccount');
    const home = new AddressedClient(app, 'alpha.example');
    home.cookies.set(SESSION_COOKIE, client.cookies.get(SESSION_COOKIE)!);
    assert.equal((await home.get('/en/account')).statusCode, 200);
  });

  test('more than ten login attempts a minute from one address are refused', async () => {
    const db = suite.db();
    const client = new AddressedClient(app);
    await client.get('/en/login');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await client.post('/en/login', { identifier: 'nobody@example.tn', password: 'guess' })).statusCode);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[10], 429);
    const sessionsBefore = await countRows(db, 'sessions');
    const another = new AddressedClient(app);
    assert.equal((await another.submit('/en/login', '/en/login', { identifier: 'nobody@example.tn', password: 'guess' })).statusCode, 401, 'other addresses are not affected');
    assert.equal(await countRows(db, 'sessions'), sessionsBefore);
  });
});
