import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp, TestClient } from '../../../test/support/http.ts';
import { createTenant, signedInClient, textOf, type TenantFixture } from './admin.test-support.ts';

/** The links of the back office's sub-navigation, in order. */
function navLinks(html: string): string[] {
  const nav = /<nav class="admin-nav".*?<\/nav>/s.exec(html)?.[0] ?? '';
  return [...nav.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!);
}

const ADMIN_ONLY_PAGES = ['/admin/users', '/admin/areas', '/admin/departments', '/admin/settings', '/admin/outbox', '/admin/audit', '/admin/audit/verify'];

describeEachDatabase('back office: who may enter, and which sections they see', (suite) => {
  let app: FastifyInstance;
  let alpha: TenantFixture;

  before(async () => {
    alpha = await createTenant(suite.db(), 'alpha');
    await createTenant(suite.db(), 'beta');
    app = await buildTestApp(suite.handle(), { defaultMunicipality: 'alpha' });
  });
  after(() => app.close());

  test('anonymous visitors are sent to the login page, and back afterwards', async () => {
    const client = new TestClient(app, 'alpha.example');
    const page = await client.get('/fr/admin/users?q=x');
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, `/fr/login?next=${encodeURIComponent('/fr/admin/users?q=x')}`);
    // A form post cannot be replayed after logging in: back to the back office's front page.
    await client.get('/fr/');
    const post = await client.post('/fr/admin/departments', { code: 'x' });
    assert.equal(post.statusCode, 303);
    assert.equal(post.headers.location, `/fr/login?next=${encodeURIComponent('/fr/admin')}`);
  });

  test('signed-in residents without a staff role get a translated 403', async () => {
    const client = await signedInClient(app, alpha.citizen, 'alpha.example');
    const ar = await client.get('/ar/admin');
    assert.equal(ar.statusCode, 403);
    assert.match(ar.body, /<html lang="ar" dir="rtl">/);
    assert.match(textOf(ar.body), /ليست لديكم صلاحية القيام بهذا/);
    const fr = await client.get('/fr/admin/users');
    assert.equal(fr.statusCode, 403);
    assert.match(textOf(fr.body), /Vous n'avez pas le droit de faire cela/);
  });

  test('staff without the admin role reach the dashboard but none of the admin-only pages', async () => {
    const client = await signedInClient(app, alpha.agent, 'alpha.example');
    const dashboard = await client.get('/en/admin');
    assert.equal(dashboard.statusCode, 200);
    const nav = navLinks(dashboard.body);
    assert.equal(nav[0], '/en/admin');
    assert.match(dashboard.body, /<a href="\/en\/admin" aria-current="page">Dashboard<\/a>/);
    // Other modules may add sections for agents (complaints…); none of the admin-only ones shows.
    for (const path of ADMIN_ONLY_PAGES) assert.ok(!nav.includes(`/en${path}`), path);
    for (const path of ADMIN_ONLY_PAGES) {
      const response = await client.get(`/en${path}`);
      assert.equal(response.statusCode, 403, path);
      assert.match(textOf(response.body), /You are not allowed to do this/, path);
    }
    await client.get('/en/admin');
    const post = await client.post('/en/admin/areas/arrondissements', { name_ar: 'أ', name_fr: 'A', name_en: 'A' });
    assert.equal(post.statusCode, 403);
    assert.equal((await suite.db().selectFrom('arrondissements').select('id').where('name_fr', '=', 'A').execute()).length, 0);
  });

  test('administrators see every section, with the current one marked, in three languages', async () => {
    const client = await signedInClient(app, alpha.admin, 'alpha.example');
    const en = await client.get('/en/admin/departments');
    assert.equal(en.statusCode, 200);
    const nav = navLinks(en.body);
    const mine = ['/en/admin', '/en/admin/users', '/en/admin/areas', '/en/admin/departments', '/en/admin/settings', '/en/admin/outbox', '/en/admin/audit'];
    assert.deepEqual(nav.filter((link) => mine.includes(link)), mine);
    assert.match(en.body, /<a href="\/en\/admin\/departments" aria-current="page">Departments<\/a>/);
    assert.equal((en.body.match(/aria-current="page"/g) ?? []).length, 1);
    const ar = await client.get('/ar/admin');
    assert.match(ar.body, /<html lang="ar" dir="rtl">/);
    assert.match(textOf(ar.body), /المستعملون والأدوار/);
    assert.match(textOf(ar.body), /3 حسابات/);
    const fr = await client.get('/fr/admin');
    assert.match(textOf(fr.body), /Tableau de bord/);
    assert.match(textOf(fr.body), /3 comptes/);
    assert.equal((await client.get('/fr/admin/')).headers.location, '/fr/admin');
  });

  test('a session belongs to its municipality: on another municipality’s site it is not signed in', async () => {
    const client = await signedInClient(app, alpha.admin, 'beta.example');
    const response = await client.get('/en/admin');
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /^\/en\/login\?next=/);
  });

  test('no page is left untranslated', async () => {
    const client = await signedInClient(app, alpha.admin, 'alpha.example');
    const [department] = alpha.departments;
    const pages = [
      '/admin',
      '/admin/users',
      `/admin/users/${alpha.agent.id}`,
      '/admin/areas',
      '/admin/areas/arrondissements/new',
      '/admin/areas/neighbourhoods/new',
      '/admin/departments',
      '/admin/departments/new',
      `/admin/departments/${department!.id}`,
      '/admin/settings',
      '/admin/outbox',
      '/admin/audit',
      '/admin/audit/verify',
    ];
    for (const locale of ['ar', 'fr', 'en']) {
      for (const path of pages) {
        const response = await client.get(`/${locale}${path}`);
        assert.equal(response.statusCode, 200, `${locale}${path}`);
        // A message key showing instead of its text means a missing translation.
        assert.doesNotMatch(textOf(response.body), /\b(admin|form|validation|errors)\.[a-z_]+\.?[a-z_]*\b/, `${locale}${path}`);
      }
    }
  });
});
