import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../test/support/fixtures.ts';
import { buildTestApp, testConfig } from '../../../test/support/http.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { type ComplaintsFixture, createComplaintsFixture, fileComplaint, outboxCount, outboxTo } from './complaints.test-support.ts';
import { receiveSms, readSmsCommand } from './sms-intake.service.ts';

const SECRET = 'gateway-shared-secret-0123456789';

test('SMS_INBOUND_SECRET must be long enough; the intake category defaults to "other"', () => {
  assert.equal(loadConfig({}).sms.inboundSecret, undefined);
  assert.equal(loadConfig({}).sms.intakeCategory, 'other');
  assert.equal(loadConfig({ SMS_INBOUND_SECRET: SECRET, SMS_INTAKE_CATEGORY: 'a-trier' }).sms.inboundSecret, SECRET);
  assert.equal(loadConfig({ SMS_INTAKE_CATEGORY: 'a-trier' }).sms.intakeCategory, 'a-trier');
  assert.throws(() => loadConfig({ SMS_INBOUND_SECRET: 'short' }), (e: unknown) => e instanceof ConfigError && /SMS_INBOUND_SECRET: must be at least 16/.test(e.message));
  assert.throws(() => loadConfig({ SMS_INTAKE_CATEGORY: 'Not A Code' }), /SMS_INTAKE_CATEGORY/);
});

test('status queries are read in three languages, loosely typed; other texts are complaints', () => {
  const read = (text: string) => readSmsCommand(text, 'KEF', 'ar');
  const status = (trackingNumber: string | null, locale: string) => ({ kind: 'status', locale, trackingNumber });
  assert.deepEqual(read('STATUS KEF-2026-000123'), status('KEF-2026-000123', 'en'));
  assert.deepEqual(read('status kef 2026 123'), status('KEF-2026-000123', 'en'));
  assert.deepEqual(read('  Status: KEF/2026/000123. '), status('KEF-2026-000123', 'en'));
  assert.deepEqual(read('Statut KEF-2026-000045'), status('KEF-2026-000045', 'fr'));
  assert.deepEqual(read('STATUT kef2026000045'), status('KEF-2026-000045', 'fr'));
  assert.deepEqual(read('État 2026-45'), status('KEF-2026-000045', 'fr'), 'the municipality’s prefix is implied');
  assert.deepEqual(read('حالة KEF-2026-000123'), status('KEF-2026-000123', 'ar'));
  assert.deepEqual(read('حَالَة ٢٠٢٦-١٢٣'), status('KEF-2026-000123', 'ar'), 'diacritics and Arabic-Indic digits');
  assert.deepEqual(read('الحالة KEF ۲۰۲۶ ۱۲۳'), status('KEF-2026-000123', 'ar'), 'with the article, Persian digits');
  assert.deepEqual(read('STATUS'), status(null, 'en'), 'the keyword alone asks how');
  assert.deepEqual(read('statut 12'), status(null, 'fr'), 'a number we cannot read');
  assert.deepEqual(read('حالة الطريق سيئة جدا قرب المعهد'), { kind: 'complaint', locale: 'ar' }, '"the road’s condition is bad" is a complaint');
  assert.deepEqual(read('Status of the lamp near the school: still broken'), { kind: 'complaint', locale: 'fr' });
  assert.deepEqual(read('Lampadaire en panne rue de Tunis'), { kind: 'complaint', locale: 'fr' });
  assert.deepEqual(read('الفانوس مطفأ'), { kind: 'complaint', locale: 'ar' });
  assert.deepEqual(read('12345'), { kind: 'complaint', locale: 'ar' });
});

describeEachDatabase('complaints by SMS', (suite) => {
  let app: FastifyInstance;
  let kef: ComplaintsFixture;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'kef');
    // A municipality without the catch-all category.
    await createTestMunicipality(suite.db(), 'bare', ['bare.example']);
    app = await buildTestApp(suite.handle(), { config: testConfig({ SMS_INBOUND_SECRET: SECRET, PUBLIC_URL: 'https://kef.example' }) });
  });
  after(() => app.close());

  async function deliver(fields: Record<string, string>, options: { headers?: Record<string, string>; host?: string; json?: boolean; noSecretHeader?: boolean } = {}) {
    const headers: Record<string, string> = { host: options.host ?? 'localhost', ...(options.noSecretHeader ? {} : { 'x-twiza-secret': SECRET }), ...options.headers };
    const response = await app.inject({
      method: 'POST',
      url: '/sms/inbound',
      headers: { ...headers, 'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded' },
      payload: options.json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
    });
    return { status: response.statusCode, text: response.body.trimEnd(), type: String(response.headers['content-type']) };
  }
  const complaintCount = async () => Number((await suite.db().selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  test('a message files a complaint waiting for triage and answers with its tracking number', async () => {
    const answer = await deliver({ from: '22 123 456', text: 'الفانوس مطفأ قرب الجامع الكبير', message_id: 'gw-1' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.type, 'text/plain; charset=utf-8');
    const tracking = /KEF-\d{4}-\d{6}/.exec(answer.text)?.[0];
    assert.ok(tracking, answer.text);
    assert.equal(answer.text, `بلدية kef: سُجّلت شكايتكم تحت الرقم ${tracking}. لمتابعتها أرسلوا: حالة ${tracking}`);
    const row = await suite.db().selectFrom('complaints').selectAll().where('tracking_number', '=', tracking!).executeTakeFirstOrThrow();
    assert.equal(row.channel, 'sms');
    assert.equal(row.status, 'received');
    assert.equal(row.category_id, kef.categories.other!.id);
    assert.equal(row.contact_phone, '+21622123456');
    assert.equal(row.locale, 'ar');
    assert.equal(row.description, 'الفانوس مطفأ قرب الجامع الكبير');
    // The public does not see the SMS text until the cell publishes a summary.
    const { getPublicComplaint } = await import('./reading.service.ts');
    const publicView = await getPublicComplaint(suite.db(), { municipalityId: row.municipality_id, trackingNumber: tracking! });
    assert.doesNotMatch(JSON.stringify(publicView), /الفانوس/);
    assert.match(publicView.description, /إرسالية قصيرة/);
    assert.equal(row.latitude, null);
    assert.equal(row.address_text, null);
    const sent = await outboxTo(suite.db(), '+21622123456');
    assert.equal(sent.length, 1, 'the confirmation is queued to the sender');
    assert.match(sent[0]!.body, new RegExp(tracking!));
  });

  test('a retried delivery (same message id) answers the same and stores and sends nothing more', async () => {
    const first = await deliver({ from: '+216 22 444 555', text: 'Dépôt sauvage derrière le marché', message_id: 'gw-retry' });
    assert.equal(first.status, 200);
    assert.match(first.text, /^Commune de kef : réclamation enregistrée sous le n° KEF-\d{4}-\d{6}\. Pour la suivre, envoyez : STATUT KEF-/);
    const complaints = await complaintCount();
    const messages = await outboxCount(suite.db());
    const again = await deliver({ from: '+216 22 444 555', text: 'Dépôt sauvage derrière le marché', message_id: 'gw-retry' });
    assert.equal(again.status, 200);
    assert.equal(again.text, first.text);
    assert.equal(await complaintCount(), complaints);
    assert.equal(await outboxCount(suite.db()), messages);
    // Without an id, a gateway's retry cannot be told from a new message: it files again.
    await deliver({ from: '+216 22 444 555', text: 'Encore' });
    assert.equal(await complaintCount(), complaints + 1);
  });

  test('the same message delivered twice at once files one complaint', async () => {
    const before = await complaintCount();
    const options = {
      municipality: kef.municipality,
      from: '22 777 888',
      text: 'Nid-de-poule avenue Bourguiba',
      messageId: 'gw-race',
      categoryCode: 'other',
      countryCode: '216',
      publicUrl: undefined,
      defaultLocale: 'ar' as const,
    };
    const answers = await Promise.all([receiveSms(suite.db(), options), receiveSms(suite.db(), options), receiveSms(suite.db(), options)]);
    assert.equal(await complaintCount(), before + 1);
    assert.equal(new Set(answers.map((a) => a.trackingNumber)).size, 1);
    assert.equal(new Set(answers.map((a) => a.reply)).size, 1);
    assert.equal(answers.filter((a) => !a.repeated).length, 1);
  });

  test('STATUS, STATUT and حالة answer with the current status, by SMS and in the response', async () => {
    const { trackingNumber } = await fileComplaint(suite.db(), kef);
    const phone = '+21622999000';
    const en = await deliver({ from: phone, text: `status ${trackingNumber.toLowerCase()}` });
    assert.equal(en.status, 200);
    assert.equal(en.text, `Municipality of kef: complaint ${trackingNumber}: Received. https://kef.example/en/complaints/${trackingNumber}`);
    const fr = await deliver({ from: phone, text: `Statut ${trackingNumber.replace(/-/g, ' ')}` });
    assert.equal(fr.text, `Commune de kef : réclamation ${trackingNumber} : Reçue. https://kef.example/fr/complaints/${trackingNumber}`);
    const digits = trackingNumber.replace(/^KEF-/, '').replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
    const ar = await deliver({ from: phone, text: `حالة ${digits}` });
    assert.equal(ar.text, `بلدية kef: الشكاية ${trackingNumber}: وردت. https://kef.example/ar/complaints/${trackingNumber}`);
    const sent = await outboxTo(suite.db(), phone);
    assert.deepEqual(sent.map((m) => m.body), [en.text, fr.text, ar.text]);
    assert.ok(sent.every((m) => m.channel === 'sms' && m.purpose === 'complaint_sms_status'));

    const unknown = await deliver({ from: phone, text: 'STATUS KEF-1999-000001' });
    assert.equal(unknown.text, 'Municipality of kef: no complaint has the number KEF-1999-000001. Check the number.');
    const usage = await deliver({ from: phone, text: 'STATUT' });
    assert.match(usage.text, /envoyez STATUT suivi de son numéro, par exemple : STATUT KEF-\d{4}-000123$/);

    // A status retry is not sent twice either.
    const count = (await outboxTo(suite.db(), phone)).length;
    const once = await deliver({ from: phone, text: `STATUS ${trackingNumber}`, message_id: 'gw-status-1' });
    const twice = await deliver({ from: phone, text: `STATUS ${trackingNumber}`, message_id: 'gw-status-1' });
    assert.equal(twice.text, once.text);
    assert.equal((await outboxTo(suite.db(), phone)).length, count + 1);
  });

  test('the secret is required, in the header or as a parameter; JSON bodies work too', async () => {
    const before = await complaintCount();
    const missing = await deliver({ from: '22 123 456', text: 'x' }, { noSecretHeader: true });
    assert.equal(missing.status, 403);
    const empty = await deliver({ from: '22 123 456', text: 'x', secret: '' }, { headers: { 'x-twiza-secret': '' } });
    assert.equal(empty.status, 403);
    const wrong = await deliver({ from: '22 123 456', text: 'x' }, { headers: { 'x-twiza-secret': `${SECRET}x`, 'accept-language': 'en' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.text, 'The shared secret is wrong.');
    assert.equal(await complaintCount(), before);
    const asParameter = await deliver({ from: '22 123 456', text: 'Éclairage en panne', secret: SECRET }, { noSecretHeader: true });
    assert.equal(asParameter.status, 200, asParameter.text);
    const asJson = await deliver({ from: '22 123 456', text: 'Lamp broken near the school' }, { json: true });
    assert.equal(asJson.status, 200, asJson.text);
    assert.equal(await complaintCount(), before + 2);
  });

  test('bad deliveries are refused with a clear 4xx and nothing stored', async () => {
    const before = await complaintCount();
    const messages = await outboxCount(suite.db());
    const en = { headers: { 'accept-language': 'en' } };
    const empty = await deliver({ from: '22 123 456', text: '   ' }, en);
    assert.equal(empty.status, 400);
    assert.equal(empty.text, 'text: This field is required.');
    const long = await deliver({ from: '22 123 456', text: 'x'.repeat(1601) }, en);
    assert.equal(long.status, 400);
    assert.equal(long.text, 'text: At most 1,600 characters.');
    const badPhone = await deliver({ from: 'my phone', text: 'Lamp' }, en);
    assert.equal(badPhone.status, 400);
    assert.equal(badPhone.text, 'from: Enter a valid mobile number, such as 22 123 456.');
    const noFrom = await deliver({ text: 'Lamp' }, en);
    assert.equal(noFrom.status, 400);
    const badId = await deliver({ from: '22 123 456', text: 'Lamp', message_id: 'has spaces in it' }, en);
    assert.equal(badId.status, 400);
    assert.equal(badId.text, 'message_id: This value is not valid.');
    const huge = await deliver({ from: '22 123 456', text: 'x'.repeat(70_000) }, en);
    assert.equal(huge.status, 413);
    assert.equal(huge.text, 'The request is too large.');
    const broken = await app.inject({ method: 'POST', url: '/sms/inbound', headers: { 'x-twiza-secret': SECRET, 'content-type': 'application/json', 'accept-language': 'en' }, payload: '{"from":' });
    assert.equal(broken.statusCode, 400);
    assert.match(broken.body, /could not be read/);
    assert.doesNotMatch(broken.body, /<html/i);
    const noCategory = await deliver({ from: '22 123 456', text: 'Lamp' }, { host: 'bare.example', headers: { 'accept-language': 'en' } });
    assert.equal(noCategory.status, 503);
    assert.match(noCategory.text, /SMS_INTAKE_CATEGORY/);
    assert.equal(await complaintCount(), before);
    assert.equal(await outboxCount(suite.db()), messages);
  });
});

describeEachDatabase('complaints by SMS, switched off', (suite) => {
  let app: FastifyInstance;
  before(async () => {
    await createComplaintsFixture(suite.db(), 'kef');
    app = await buildTestApp(suite.handle());
  });
  after(() => app.close());

  test('without SMS_INBOUND_SECRET the endpoint does not exist, whatever is sent', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/sms/inbound',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twiza-secret': '' },
      payload: 'from=22123456&text=hello&secret=',
    });
    assert.equal(response.statusCode, 404);
    assert.equal(Number((await suite.db().selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), 0);
  });
});
