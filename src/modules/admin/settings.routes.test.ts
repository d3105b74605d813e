import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp, TestClient } from '../../../test/support/http.ts';
import { findMunicipalityById, listHostnamesOf } from '../municipalities/municipalities.repository.ts';
import { auditEntries, createTenant, newAuditEntries, parsed, signedInClient, textOf, type TenantFixture, versionOn } from './admin.test-support.ts';

/** The settings form as a browser would post it, from the page's current values. */
function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*name="([a-z_]+)"[^>]*>/g)) {
    const tag = match[0];
    const name = match[1]!;
    if (name === '_csrf') continue;
    if (/type="radio"/.test(tag)) {
      if (/checked/.test(tag)) fields[name] = /value="([^"]*)"/.exec(tag)![1]!;
      continue;
    }
    fields[name] = /value="([^"]*)"/.exec(tag)?.[1] ?? '';
  }
  for (const match of html.matchAll(/<textarea[^>]*name="([a-z_]+)"[^>]*>([^<]*)<\/textarea>/g)) fields[match[1]!] = match[2]!;
  return fields;
}

describeEachDatabase('back office: municipality settings', (suite) => {
  let app: FastifyInstance;
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let client: TestClient;

  before(async () => {
    alpha = await createTenant(suite.db(), 'alpha', ['alpha.example']);
    beta = await createTenant(suite.db(), 'beta', ['beta.example']);
    app = await buildTestApp(suite.handle());
    client = await signedInClient(app, alpha.admin, 'alpha.example');
  });
  after(() => app.close());

  test('saving the settings takes effect at once (the host cache is cleared) and is audited', async () => {
    const page = await client.get('/en/admin/settings');
    assert.equal(page.statusCode, 200);
    const fields = formFields(page.body);
    assert.equal(fields.map_lat, '36.18');
    assert.equal(fields.council_body, 'elected_council');
    // Warm the host → municipality cache with the old name.
    assert.match((await new TestClient(app, 'alpha.example').get('/en/')).body, /Municipality of alpha/);

    const count = (await auditEntries(suite.db(), alpha.municipality.id)).length;
    const response = await client.post('/en/admin/settings', {
      ...fields,
      name_en: 'Municipality of El Kef',
      council_body: 'acting_administrator',
      map_lat: '36,1822',
      tracking_prefix: 'kef',
      hostnames: 'alpha.example\r\nKEF.example.TN\r\n',
      contact_email: 'Contact@Kef.example.tn',
    });
    assert.equal(response.statusCode, 303);
    const saved = (await findMunicipalityById(suite.db(), alpha.municipality.id))!;
    assert.deepEqual(
      [saved.name_en, saved.council_body, saved.map_lat, saved.tracking_prefix, saved.contact_email],
      ['Municipality of El Kef', 'acting_administrator', 36.1822, 'KEF', 'contact@kef.example.tn'],
    );
    assert.deepEqual(await listHostnamesOf(suite.db(), alpha.municipality.id), ['alpha.example', 'kef.example.tn']);
    assert.match((await new TestClient(app, 'kef.example.tn').get('/en/')).body, /Municipality of El Kef/);
    const [entry] = await newAuditEntries(suite.db(), alpha.municipality.id, count);
    assert.equal(entry!.action, 'municipality.settings_updated');
    assert.equal((parsed(entry!.before_json) as Record<string, unknown>).council_body, 'elected_council');
    assert.equal((parsed(entry!.after_json) as Record<string, unknown>).council_body, 'acting_administrator');
  });

  test('bad values are shown next to their fields in the reader’s language; nothing changes', async () => {
    const page = await client.get('/fr/admin/settings');
    const fields = formFields(page.body);
    const count = (await auditEntries(suite.db(), alpha.municipality.id)).length;
    const response = await client.post('/fr/admin/settings', {
      ...fields,
      name_fr: '',
      map_lat: '91',
      map_lng: 'east',
      map_zoom: '25',
      council_body: 'mayor',
      tracking_prefix: 'K3F',
      contact_email: 'not-an-address',
      address_fr: 'x'.repeat(301),
    });
    assert.equal(response.statusCode, 400);
    const text = textOf(response.body);
    assert.match(text, /Nom en français : Ce champ est obligatoire\./);
    assert.match(text, /Latitude : La latitude est un nombre entre -90 et 90\./);
    assert.match(text, /Longitude : Saisissez un nombre\./);
    assert.match(text, /Zoom \(de 1 à 19\) : Le zoom est un nombre entier entre 1 et 19\./);
    assert.match(text, /Organe de gestion : Choisissez une des valeurs proposées\./);
    assert.match(text, /Préfixe des numéros de suivi : De 2 à 6 lettres latines majuscules/);
    assert.match(text, /E-mail de contact : Saisissez une adresse e-mail valide/);
    assert.match(text, /Adresse en français : 300 caractères au plus\./);
    // What was typed is kept.
    assert.match(response.body, /value="K3F"/);
    const hosts = await client.post('/fr/admin/settings', { ...fields, hostnames: 'alpha.example\nbeta.example' });
    assert.equal(hosts.statusCode, 409);
    assert.match(textOf(hosts.body), /« beta.example » est déjà utilisé par une autre commune\./);
    const current = await client.post('/fr/admin/settings', { ...fields, hostnames: 'kef.example.tn' });
    assert.match(textOf(current.body), /« alpha.example » ne peut pas être retiré/);
    assert.equal((await auditEntries(suite.db(), alpha.municipality.id)).length, count);
    assert.equal((await findMunicipalityById(suite.db(), alpha.municipality.id))?.name_fr, fields.name_fr);
  });

  test('a stale save and a forged form are refused', async () => {
    const page = await client.get('/en/admin/settings');
    const fields = formFields(page.body);
    const other = await signedInClient(app, alpha.admin, 'alpha.example');
    const otherPage = await other.get('/en/admin/settings');
    assert.equal(versionOn(otherPage.body), fields.version);
    assert.equal((await other.post('/en/admin/settings', { ...formFields(otherPage.body), contact_phone: '78 200 200' })).statusCode, 303);

    const stale = await client.post('/en/admin/settings', { ...fields, contact_phone: '78 999 999' });
    assert.equal(stale.statusCode, 409);
    assert.match(textOf(stale.body), /Someone else changed this in the meantime/);
    const forged = await client.post('/en/admin/settings', { ...fields, _csrf: 'forged.token', contact_phone: '78 111 111' });
    assert.equal(forged.statusCode, 403);
    assert.match(textOf(forged.body), /The form expired/);
    assert.equal((await findMunicipalityById(suite.db(), alpha.municipality.id))?.contact_phone, '78 200 200');
  });

  test('an administrator of one municipality cannot touch another’s settings, even on its site', async () => {
    const onBeta = await signedInClient(app, alpha.admin, 'beta.example');
    const response = await onBeta.get('/en/admin/settings');
    assert.equal(response.statusCode, 303);
    await onBeta.get('/en/');
    const post = await onBeta.post('/en/admin/settings', { name_en: 'Taken over', version: beta.municipality.updated_at });
    assert.equal(post.statusCode, 303);
    assert.equal((await findMunicipalityById(suite.db(), beta.municipality.id))?.name_en, beta.municipality.name_en);
  });
});
