import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { SESSION_COOKIE } from './session-cookie.ts';
import { AddressedClient, buildAccountsTestApp, countRows, lastCodeSentTo, messagesTo, otherCode, userByContact } from './accounts.test-support.ts';

const VALID = { identifier: '', display_name: 'Amal', password: '', adult: 'yes', consent: 'yes' };

describeEachDatabase('sign-up pages', (suite) => {
  let app: FastifyInstance;
  let counter = 0;
  const nationalNumber = () => `97 ${String((counter += 1)).padStart(3, '0')} 123`;
  const e164 = (national: string) => `+216${national.replace(/\s/g, '')}`;

  before(async () => {
    await createTestMunicipality(suite.db(), 'alpha');
    app = await buildAccountsTestApp(suite.handle(), 'alpha');
  });
  after(() => app.close());

  test('the form is in Arabic by default, right-to-left, with the phone field left-to-right', async () => {
    const page = await new AddressedClient(app).get('/ar/signup');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="ar" dir="rtl">/);
    assert.match(page.body, /<h1>إنشاء حساب<\/h1>/);
    assert.match(page.body, /<input[^>]*name="identifier"[^>]*dir="ltr"/);
    assert.match(page.body, /name="consent"/);
    assert.match(page.body, /href="\/ar\/privacy"/);
  });

  test('sign-up with a phone number alone: code by SMS, then signed in on the account page', async () => {
    const db = suite.db();
    const client = new AddressedClient(app);
    const national = nationalNumber();
    const response = await client.submit('/fr/signup', '/fr/signup', { ...VALID, identifier: national });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/fr/signup/verify');
    const pending = await userByContact(db, { phone: e164(national) });
    assert.equal(pending?.status, 'pending');
    assert.equal(pending?.display_name, 'Amal');
    assert.equal(pending?.locale, 'fr');

    const verifyPage = await client.get('/fr/signup/verify');
    assert.equal(verifyPage.statusCode, 200);
    assert.match(verifyPage.body, /<bdi dir="ltr" class="mono">\+216\u00A0\d\d\u00A0\d{3}\u00A0\d{3}<\/bdi>/);

    const code = await lastCodeSentTo(db, e164(national));
    const wrong = await client.post('/fr/signup/verify', { code: otherCode(code) });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /Code incorrect ou expiré/);
    assert.equal((await userByContact(db, { phone: e164(national) }))?.status, 'pending');

    // Typed on an Arabic keyboard, with a space.
    const arabicDigits = code.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));
    const verified = await client.post('/fr/signup/verify', { code: `${arabicDigits.slice(0, 3)} ${arabicDigits.slice(3)}` });
    assert.equal(verified.statusCode, 303);
    assert.equal(verified.headers.location, '/fr/account');
    assert.ok(client.cookies.get(SESSION_COOKIE));
    assert.equal((await userByContact(db, { phone: e164(national) }))?.status, 'active');
    const account = await client.get('/fr/account');
    assert.equal(account.statusCode, 200);
    assert.match(account.body, /Bienvenue ! Votre compte est prêt\./);
    assert.match(account.body, /Bonjour <bdi>Amal<\/bdi>/);
  });

  test('sign-up with an e-mail address sends the code by e-mail', async () => {
    const db = suite.db();
    const client = new AddressedClient(app);
    const response = await client.submit('/en/signup', '/en/signup', { ...VALID, identifier: 'Leila@Example.TN', password: 'long enough password' });
    assert.equal(response.statusCode, 303);
    const [message] = await messagesTo(db, 'leila@example.tn');
    assert.equal(message?.channel, 'email');
    assert.match(message!.subject ?? '', /confirmation code/);
  });

  test('each bad input re-renders the form, translated, with what was typed, and creates nothing', async () => {
    const db = suite.db();
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...VALID, identifier: '' }, /Ce champ est obligatoire/],
      [{ ...VALID, identifier: 'not a number' }, /Saisissez un numéro de mobile comme 22 123 456/],
      [{ ...VALID, identifier: '22 123' }, /Saisissez un numéro de mobile/],
      [{ ...VALID, identifier: `${'a'.repeat(250)}@example.tn` }, /254 caractères au plus/],
      [{ ...VALID, identifier: '22 333 444', display_name: 'x'.repeat(81) }, /80 caractères au plus/],
      [{ ...VALID, identifier: '22 333 444', password: 'short' }, /8 caractères au moins/],
      [{ ...VALID, identifier: '22 333 444', adult: '' }, /Les comptes sont réservés aux personnes de 18 ans ou plus/],
      [{ ...VALID, identifier: '22 333 444', consent: 'no' }, /Votre consentement est nécessaire/],
    ];
    const before = await countRows(db, 'users');
    for (const [fields, message] of cases) {
      const client = new AddressedClient(app);
      const response = await client.submit('/fr/signup', '/fr/signup', fields);
      assert.equal(response.statusCode, 400, JSON.stringify(fields).slice(0, 80));
      assert.match(response.body, message);
      assert.match(response.body, /class="error-summary"/);
      if (fields.display_name && fields.display_name.length < 81) assert.match(response.body, /value="Amal"/, 'kept what was typed');
    }
    assert.equal(await countRows(db, 'users'), before);
    assert.equal((await messagesTo(db, '+21622333444')).length, 0);
  });

  test('a wrong CSRF token re-renders the form with the input and changes nothing', async () => {
    const db = suite.db();
    const client = new AddressedClient(app);
    await client.get('/fr/signup');
    const before = await countRows(db, 'users');
    const response = await client.post('/fr/signup', { ...VALID, identifier: '22 444 555', _csrf: 'forged.token' });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /Le formulaire a expiré/);
    assert.match(response.body, /value="22 444 555"/);
    assert.equal(await countRows(db, 'users'), before);
    assert.equal((await messagesTo(db, '+21622444555')).length, 0);
  });

  test('a number that already has an account gets the same pages, a notice, and no new account', async () => {
    const db = suite.db();
    const municipality = await db.selectFrom('municipalities').select('id').where('slug', '=', 'alpha').executeTakeFirstOrThrow();
    await createTestUser(db, { municipalityId: municipality.id, phone: '+21622555666' });
    const client = new AddressedClient(app);
    const before = await countRows(db, 'users');
    const response = await client.submit('/fr/signup', '/fr/signup', { ...VALID, identifier: '22 555 666' });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/fr/signup/verify');
    const verifyPage = await client.get('/fr/signup/verify');
    assert.equal(verifyPage.statusCode, 200);
    assert.match(verifyPage.body, /Si cette adresse est libre/);
    assert.equal(await countRows(db, 'users'), before);
    assert.deepEqual((await messagesTo(db, '+21622555666')).map((m) => m.purpose), ['account_account_exists']);
    const attempt = await client.post('/fr/signup/verify', { code: '123456' });
    assert.equal(attempt.statusCode, 400);
    assert.equal(client.cookies.get(SESSION_COOKIE), undefined);
  });

  test('the code page: bad inputs, forged token, expiry and the attempt limit all leave the account pending', async () => {
    const db = suite.db();
    const national = nationalNumber();
    const client = new AddressedClient(app);
    await client.submit('/fr/signup', '/fr/signup', { ...VALID, identifier: national });
    await client.get('/fr/signup/verify');
    const code = await lastCodeSentTo(db, e164(national));
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ code: '' }, 400, /Ce champ est obligatoire/],
      [{ code: '1'.repeat(21) }, 400, /20 caractères au plus/],
      [{ code: '12ab56' }, 400, /Le code compte 6 chiffres/],
      [{ code, _csrf: 'forged.token' }, 403, /Le formulaire a expiré/],
    ];
    for (const [fields, status, message] of cases) {
      const response = await client.post('/fr/signup/verify', fields);
      assert.equal(response.statusCode, status, JSON.stringify(fields));
      assert.match(response.body, message);
    }
    for (let i = 0; i < 5; i += 1) assert.equal((await client.post('/fr/signup/verify', { code: otherCode(code) })).statusCode, 400);
    const locked = await client.post('/fr/signup/verify', { code });
    assert.equal(locked.statusCode, 400, 'five wrong guesses use the code up');
    assert.equal((await userByContact(db, { phone: e164(national) }))?.status, 'pending');

    assert.equal(client.cookies.get(SESSION_COOKIE), undefined);

    // A fresh sign-up (from another device, under the per-address rate limit), whose code then expires.
    const later = new AddressedClient(app);
    await later.submit('/fr/signup', '/fr/signup', { ...VALID, identifier: national });
    await later.get('/fr/signup/verify');
    const fresh = await lastCodeSentTo(db, e164(national));
    await db.updateTable('verification_codes').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('target', '=', e164(national)).execute();
    const expired = await later.post('/fr/signup/verify', { code: fresh });
    assert.equal(expired.statusCode, 400);
    assert.match(expired.body, /Code incorrect ou expiré/);
    assert.equal((await userByContact(db, { phone: e164(national) }))?.status, 'pending');
    assert.equal(later.cookies.get(SESSION_COOKIE), undefined);
  });

  test('asking again at once for a new code is refused politely; the code page needs its sign-up', async () => {
    const client = new AddressedClient(app);
    await client.submit('/fr/signup', '/fr/signup', { ...VALID, identifier: nationalNumber() });
    await client.get('/fr/signup/verify');
    const resend = await client.post('/fr/signup/resend', {});
    assert.equal(resend.statusCode, 429);
    assert.match(resend.body, /Patientez une minute/);

    const stranger = new AddressedClient(app);
    const orphan = await stranger.get('/fr/signup/verify');
    assert.equal(orphan.statusCode, 303);
    assert.equal(orphan.headers.location, '/fr/signup');
    const back = await stranger.get('/fr/signup');
    assert.match(back.body, /Cette inscription a expiré/);
  });

  test('signed-in people are sent to their account', async () => {
    const db = suite.db();
    const municipality = await db.selectFrom('municipalities').select('id').where('slug', '=', 'alpha').executeTakeFirstOrThrow();
    const user = await createTestUser(db, { municipalityId: municipality.id, phone: '+21622666777' });
    const client = new AddressedClient(app);
    const { signIn } = await import('../../../test/support/http.ts');
    await signIn(client, user);
    const response = await client.get('/en/signup');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/en/account');
  });
});
