import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { MunicipalityRow, UserRow } from '../../db/schema.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser, TEST_PASSWORD } from '../../../test/support/fixtures.ts';
import { signIn } from '../../../test/support/http.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { CONSENT_VERSIONS } from './accounts.ts';
import { SESSION_COOKIE } from './session-cookie.ts';
import { startSession } from './sessions.service.ts';
import { AddressedClient, buildAccountsTestApp, lastCodeSentTo } from './accounts.test-support.ts';

describeEachDatabase('the account page', (suite) => {
  let app: FastifyInstance;
  let alpha: MunicipalityRow;
  let beta: MunicipalityRow;
  let counter = 0;
  const phone = () => `+2162400${String((counter += 1)).padStart(4, '0')}`;

  before(async () => {
    alpha = await createTestMunicipality(suite.db(), 'alpha');
    beta = await createTestMunicipality(suite.db(), 'beta');
    app = await buildAccountsTestApp(suite.handle(), 'alpha');
  });
  after(() => app.close());

  const fetchUser = (id: number) => suite.db().selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function signedInClient(options: { email?: string } = {}): Promise<{ client: AddressedClient; user: UserRow }> {
    const user = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: phone(), ...options });
    const client = new AddressedClient(app);
    await signIn(client, user);
    return { client, user };
  }

  test('without signing in, the account page sends to the login page and its forms refuse', async () => {
    const client = new AddressedClient(app);
    const page = await client.get('/fr/account');
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/fr/login?next=%2Ffr%2Faccount');
    await client.get('/fr/login');
    const post = await client.post('/fr/account/profile', { display_name: 'x', locale: 'fr' });
    assert.equal(post.statusCode, 401);
    assert.equal((await client.get('/fr/account/export')).statusCode, 303);
  });

  test('the page shows the contact, profile, sessions and consents sections', async () => {
    const { client, user } = await signedInClient();
    const page = await client.get('/fr/account');
    assert.equal(page.statusCode, 200);
    for (const heading of ['Téléphone et e-mail', 'Profil', 'Handicap (facultatif)', 'Mot de passe', 'Appareils connectés', 'Vos consentements', 'Vos données', 'Supprimer mon compte']) {
      assert.match(page.body, new RegExp(`<h2[^>]*>${heading.replace(/[()]/g, '\\$&')}</h2>`), heading);
    }
    assert.match(page.body, /\+216\u00A024\u00A000\d\u00A0\d{3}/);
    assert.match(page.body, /Cet appareil/);
    assert.match(page.body, /value="Test person"/);
    assert.ok(user);
  });

  test('saving the profile, and every bad input refused with nothing changed', async () => {
    const { client, user } = await signedInClient();
    const [neighbourhood] = await listNeighbourhoods(suite.db(), alpha.id);
    const [foreign] = await listNeighbourhoods(suite.db(), beta.id);
    const valid = { display_name: 'Amal', locale: 'en', gender: 'female', age_group: '60+', neighbourhood: String(neighbourhood!.id) };
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ ...valid, display_name: 'x'.repeat(81) }, 400, /80 caractères au plus/],
      [{ ...valid, locale: 'de' }, 400, /Choisissez une des valeurs proposées/],
      [{ ...valid, locale: '' }, 400, /Ce champ est obligatoire|Choisissez une des valeurs/],
      [{ ...valid, gender: 'other' }, 400, /Choisissez une des valeurs proposées/],
      [{ ...valid, age_group: '12-17' }, 400, /Choisissez une des valeurs proposées/],
      [{ ...valid, neighbourhood: 'abc' }, 400, /Cette valeur n’est pas valide|Cette valeur n&#39;est pas valide|Cette valeur n'est pas valide/],
      [{ ...valid, neighbourhood: String(foreign!.id) }, 400, /Choisissez une des valeurs proposées/],
      [{ ...valid, _csrf: 'forged.token' }, 403, /Le formulaire a expiré/],
    ];
    const before = await fetchUser(user.id);
    for (const [fields, status, message] of cases) {
      await client.get('/fr/account');
      const response = await client.post('/fr/account/profile', fields);
      assert.equal(response.statusCode, status, JSON.stringify(fields));
      assert.match(response.body, message);
      assert.deepEqual(await fetchUser(user.id), before);
    }
    await client.get('/fr/account');
    const saved = await client.post('/fr/account/profile', valid);
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, '/fr/account#profile-title');
    const after = await fetchUser(user.id);
    assert.deepEqual([after.display_name, after.locale, after.gender, after.age_group, after.neighbourhood_id], ['Amal', 'en', 'female', '60+', neighbourhood!.id]);
    const page = await client.get('/fr/account');
    assert.match(page.body, /Votre profil a été enregistré/);
    assert.match(page.body, /<option value="60\+" selected>/);
  });

  test('disability needs its own consent; withdrawing it erases the answer', async () => {
    const db = suite.db();
    const { client, user } = await signedInClient();
    await client.get('/en/account');
    const refused = await client.post('/en/account/disability', { disability: ['walking', 'seeing'] });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /tick the consent that goes with it/);
    assert.match(refused.body, /value="walking" checked/, 'the answers typed are kept');
    assert.equal((await fetchUser(user.id)).disability, null);
    assert.equal((await db.selectFrom('consents').select('id').where('user_id', '=', user.id).execute()).length, 0);

    const saved = await client.post('/en/account/disability', { disability: ['walking', 'seeing'], disability_consent: 'yes' });
    assert.equal(saved.statusCode, 303);
    assert.equal((await fetchUser(user.id)).disability, 'seeing,walking');
    const consent = await db.selectFrom('consents').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    assert.deepEqual([consent.purpose, consent.text_version, consent.withdrawn_at], ['disability_data', CONSENT_VERSIONS.disability_data, null]);

    const page = await client.get('/en/account');
    assert.match(page.body, /Your answer about disability/);
    const withdrawn = await client.post('/en/account/consents/withdraw', { purpose: 'disability_data' });
    assert.equal(withdrawn.statusCode, 303);
    assert.equal((await fetchUser(user.id)).disability, null);
    assert.notEqual((await db.selectFrom('consents').select('withdrawn_at').where('id', '=', consent.id).executeTakeFirstOrThrow()).withdrawn_at, null);

    await client.get('/en/account');
    const general = await client.post('/en/account/consents/withdraw', { purpose: 'personal_data' });
    assert.equal(general.statusCode, 400);
    assert.match(general.body, /to withdraw it, erase your account/);
    const unknown = await client.post('/en/account/consents/withdraw', { purpose: 'marketing' });
    assert.equal(unknown.statusCode, 400);
  });

  test('changing the password ends the other sessions; a wrong current password changes nothing', async () => {
    const db = suite.db();
    const { client, user } = await signedInClient();
    await startSession(db, { userId: user.id, municipalityId: alpha.id, days: 1, userAgent: 'Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile Safari/537.36' });
    const before = (await fetchUser(user.id)).password_hash;
    await client.get('/fr/account');
    const wrong = await client.post('/fr/account/password', { current_password: 'nope', new_password: 'another password', password_confirm: 'another password' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Ce n’est pas votre mot de passe actuel/);
    const mismatch = await client.post('/fr/account/password', { current_password: TEST_PASSWORD, new_password: 'another password', password_confirm: 'another passw0rd' });
    assert.equal(mismatch.statusCode, 400);
    assert.equal((await fetchUser(user.id)).password_hash, before);
    assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 2);

    const changed = await client.post('/fr/account/password', { current_password: TEST_PASSWORD, new_password: 'another password', password_confirm: 'another password' });
    assert.equal(changed.statusCode, 303);
    assert.notEqual((await fetchUser(user.id)).password_hash, before);
    assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 1);
    assert.equal((await client.get('/fr/account')).statusCode, 200, 'this session lives on');
  });

  test('sessions: the list names devices; one can be ended, or all the others', async () => {
    const db = suite.db();
    const { client, user } = await signedInClient();
    const phoneSession = await startSession(db, { userId: user.id, municipalityId: alpha.id, days: 1, userAgent: 'Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile Safari/537.36' });
    await startSession(db, { userId: user.id, municipalityId: alpha.id, days: 1, userAgent: 'Mozilla/5.0 (Windows NT 10.0) Firefox/121.0' });
    const page = await client.get('/en/account');
    assert.match(page.body, /Chrome, Android/);
    assert.match(page.body, /Firefox, Windows/);
    assert.match(page.body, /3 open sessions/);

    const malformed = await client.post('/en/account/sessions/revoke', { session: 'not-a-session' });
    assert.equal(malformed.statusCode, 400);
    const someoneElse = await createTestUser(db, { municipalityId: alpha.id, phone: phone() });
    const theirs = await startSession(db, { userId: someoneElse.id, municipalityId: alpha.id, days: 1 });
    await client.get('/en/account');
    const foreign = await client.post('/en/account/sessions/revoke', { session: theirs.sessionId });
    assert.equal(foreign.statusCode, 404);
    assert.equal((await db.selectFrom('sessions').select('id').where('id', '=', theirs.sessionId).execute()).length, 1);

    await client.get('/en/account');
    const revoked = await client.post('/en/account/sessions/revoke', { session: phoneSession.sessionId });
    assert.equal(revoked.statusCode, 303);
    assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 2);
    await client.get('/en/account');
    const ended = await client.post('/en/account/sessions/end-others', {});
    assert.equal(ended.statusCode, 303);
    assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 1);
    assert.match((await client.get('/en/account')).body, /Your sessions on other devices were ended/);
  });

  test('adding an e-mail address with the code sent to it', async () => {
    const db = suite.db();
    const { client, user } = await signedInClient();
    await client.get('/fr/account');
    const invalid = await client.post('/fr/account/contact', { identifier: 'not-an-address@' });
    assert.equal(invalid.statusCode, 400);
    const asked = await client.post('/fr/account/contact', { identifier: 'Mine@Example.TN' });
    assert.equal(asked.statusCode, 303);
    assert.equal(asked.headers.location, '/fr/account/contact/verify');
    const form = await client.get('/fr/account/contact/verify');
    assert.match(form.body, /<bdi dir="ltr" class="mono">mine@example\.tn<\/bdi>/);
    assert.equal((await fetchUser(user.id)).email, null);
    const confirmed = await client.post('/fr/account/contact/verify', { code: await lastCodeSentTo(db, 'mine@example.tn') });
    assert.equal(confirmed.statusCode, 303);
    assert.equal((await fetchUser(user.id)).email, 'mine@example.tn');
  });

  test('the data export is a JSON file with the profile, consents and sessions, and no secret', async () => {
    const { client, user } = await signedInClient({ email: 'export@example.tn' });
    const response = await client.get('/en/account/export');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /application\/json/);
    assert.match(String(response.headers['content-disposition']), /^attachment; filename="twiza-account-alpha-\d+\.json"$/);
    const data = JSON.parse(response.body);
    assert.equal(data.account.id, user.id);
    assert.equal(data.account.email, 'export@example.tn');
    assert.equal(data.sessions.length, 1);
    assert.ok(!response.body.includes(user.password_hash!));
    assert.doesNotMatch(response.body, /argon2|password_hash/);
    assert.ok(!response.body.includes(client.cookies.get(SESSION_COOKIE)!));
  });

  test('erasing the account: a wrong password changes nothing; the right one erases and logs out', async () => {
    const db = suite.db();
    const { client, user } = await signedInClient();
    const page = await client.get('/fr/account/erase');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /reste public/);
    const wrong = await client.post('/fr/account/erase', { password: 'not it' });
    assert.equal(wrong.statusCode, 400);
    assert.equal((await fetchUser(user.id)).status, 'active');
    const forged = await client.post('/fr/account/erase', { password: TEST_PASSWORD, _csrf: 'forged.token' });
    assert.equal(forged.statusCode, 403);
    assert.equal((await fetchUser(user.id)).status, 'active');
    await client.get('/fr/account/erase');
    const erased = await client.post('/fr/account/erase', { password: TEST_PASSWORD });
    assert.equal(erased.statusCode, 303);
    assert.equal(erased.headers.location, '/fr/');
    assert.equal(client.cookies.get(SESSION_COOKIE), undefined);
    const row = await fetchUser(user.id);
    assert.equal(row.status, 'erased');
    assert.equal(row.phone, null);
    assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 0);
    assert.match((await client.get('/fr/')).body, /Votre compte a été supprimé/);
  });

  test('a staff member is asked to hand over their roles before erasing their account', async () => {
    const staff = await createTestUser(suite.db(), { municipalityId: alpha.id, phone: phone(), roles: [{ role: 'moderator' }] });
    const client = new AddressedClient(app);
    await signIn(client, staff);
    const page = await client.get('/en/account/erase');
    assert.match(page.body, /Ask an administrator to remove them first/);
    assert.doesNotMatch(page.body, /name="password"/);
    const attempt = await client.post('/en/account/erase', { password: TEST_PASSWORD });
    assert.equal(attempt.statusCode, 409);
    assert.equal((await fetchUser(staff.id)).status, 'active');
  });

  test('the privacy notice exists in three languages with its versions and the INPDP', async () => {
    const client = new AddressedClient(app);
    const pages: [string, RegExp][] = [
      ['/ar/privacy', /الهيئة الوطنية لحماية المعطيات الشخصية/],
      ['/fr/privacy', /INPDP/],
      ['/en/privacy', /INPDP/],
    ];
    for (const [url, authority] of pages) {
      const page = await client.get(url);
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, authority);
      assert.match(page.body, new RegExp(CONSENT_VERSIONS.personal_data));
      assert.match(page.body, /2004/);
    }
    assert.match((await client.get('/en/privacy')).body, /after 30 days without use/);
  });
});
