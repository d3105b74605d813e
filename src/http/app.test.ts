import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../test/support/databases.ts';
import { createTestMunicipality } from '../../test/support/fixtures.ts';
import { buildTestApp, TestClient } from '../../test/support/http.ts';

describeEachDatabase('pages, languages and security headers', (suite) => {
  let app: FastifyInstance;
  before(async () => {
    await createTestMunicipality(suite.db(), 'alpha', ['alpha.example']);
    await createTestMunicipality(suite.db(), 'beta', ['beta.example']);
    app = await buildTestApp(suite.handle(), { defaultMunicipality: 'alpha' });
  });
  after(() => app.close());

  test('/ redirects by cookie first, then Accept-Language, then the default (Arabic)', async () => {
    const client = new TestClient(app);
    assert.equal((await client.get('/')).headers.location, '/ar/');
    assert.equal((await client.get('/', { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' })).headers.location, '/fr/');
    await client.get('/en/');
    assert.equal((await client.get('/', { 'accept-language': 'fr' })).headers.location, '/en/');
  });

  test('Arabic pages are right-to-left, French left-to-right, with a language switch keeping the page', async () => {
    const client = new TestClient(app);
    const ar = await client.get('/ar/');
    assert.equal(ar.statusCode, 200);
    assert.match(ar.body, /<html lang="ar" dir="rtl">/);
    assert.match(ar.body, /href="\/fr\/"[^>]*>Français/);
    const fr = await client.get('/fr/');
    assert.match(fr.body, /<html lang="fr" dir="ltr">/);
    assert.match(fr.body, /Commune de alpha vous souhaite la bienvenue/);
  });

  test('the municipality is chosen by host name', async () => {
    const beta = await new TestClient(app, 'beta.example').get('/en/');
    assert.match(beta.body, /Municipality of beta welcomes you/);
    const unknownHost = await new TestClient(app, 'elsewhere.example').get('/en/');
    assert.match(unknownHost.body, /Municipality of alpha welcomes you/);
  });

  test('an unknown language or page is a translated 404', async () => {
    const client = new TestClient(app);
    const unknownLocale = await client.get('/de/');
    assert.equal(unknownLocale.statusCode, 404);
    const missing = await client.get('/fr/nowhere');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /La page demandée n&#39;existe pas|La page demandée n'existe pas/);
  });

  test('strict Content-Security-Policy and other security headers', async () => {
    const response = await new TestClient(app).get('/ar/');
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });

  test('a POST without a valid CSRF token changes nothing and gets a translated 403', async () => {
    const client = new TestClient(app);
    await client.get('/fr/');
    const response = await client.post('/fr/logout', { _csrf: 'forged.token' });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /Le formulaire a expiré/);
  });

  test('pages set the CSRF cookie; machine endpoints (Open311, SMS gateway) set no cookie', async () => {
    const page = await app.inject({ method: 'GET', url: '/fr/', headers: { host: 'alpha.example' } });
    assert.match(String(page.headers['set-cookie']), /twiza_csrf=/);
    const api = await app.inject({ method: 'GET', url: '/open311/v2/discovery.json', headers: { host: 'alpha.example' } });
    assert.equal(api.statusCode, 200);
    assert.equal(api.headers['set-cookie'], undefined);
    const sms = await app.inject({ method: 'POST', url: '/sms/inbound', payload: 'from=1&text=x', headers: { host: 'alpha.example', 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(sms.headers['set-cookie'], undefined);
  });

  test('health and readiness', async () => {
    const client = new TestClient(app);
    assert.deepEqual(JSON.parse((await client.get('/healthz')).body), { status: 'ok' });
    assert.deepEqual(JSON.parse((await client.get('/readyz')).body), { status: 'ready' });
  });
});
