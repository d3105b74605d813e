import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp, type TestClient } from '../../../test/support/http.ts';
import { findArrondissement, findDepartment, findNeighbourhood } from '../municipalities/reference-data.repository.ts';
import { listArrondissements, listDepartments, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { auditEntries, createTenant, newAuditEntries, parsed, signedInClient, textOf, type TenantFixture, versionOn } from './admin.test-support.ts';

const square = [
  [8.7, 36.17],
  [8.72, 36.17],
  [8.72, 36.19],
  [8.7, 36.19],
  [8.7, 36.17],
];

describeEachDatabase('back office: districts, neighbourhoods and departments', (suite) => {
  let app: FastifyInstance;
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let client: TestClient;

  before(async () => {
    alpha = await createTenant(suite.db(), 'alpha');
    beta = await createTenant(suite.db(), 'beta');
    app = await buildTestApp(suite.handle());
    client = await signedInClient(app, alpha.admin, 'alpha.example');
  });
  after(() => app.close());

  const alphaAudit = async () => (await auditEntries(suite.db(), alpha.municipality.id)).length;

  test('creating a district: saved, one audit entry, back to the list with a message', async () => {
    const count = await alphaAudit();
    const response = await client.submit('/fr/admin/areas/arrondissements/new', '/fr/admin/areas/arrondissements', {
      name_ar: 'الدائرة الشمالية',
      name_fr: 'Arrondissement Nord',
      name_en: 'North district',
      outline: '',
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/fr/admin/areas');
    const list = await client.get('/fr/admin/areas');
    assert.match(textOf(list.body), /Ajouté\./);
    assert.match(list.body, /<bdi>Arrondissement Nord<\/bdi>/);
    const entries = await newAuditEntries(suite.db(), alpha.municipality.id, count);
    assert.deepEqual(entries.map((e) => [e.action, e.actor_user_id]), [['arrondissement.created', alpha.admin.id]]);
    assert.equal((parsed(entries[0]!.after_json) as { name_en: string }).name_en, 'North district');
  });

  test('a missing, too long or wrong value re-shows the form with the input and translated errors; nothing is saved', async () => {
    const before = (await listNeighbourhoods(suite.db(), alpha.municipality.id)).length;
    const count = await alphaAudit();
    const missing = await client.submit('/en/admin/areas/neighbourhoods/new', '/en/admin/areas/neighbourhoods', {
      name_ar: '',
      name_fr: 'Cité Skhira',
      name_en: 'x'.repeat(121),
      arrondissement_id: 'abc',
      outline: '{"type":"Point","coordinates":[8.71,36.18]}',
    });
    assert.equal(missing.statusCode, 400);
    const text = textOf(missing.body);
    assert.match(text, /Name in Arabic: This field is required\./);
    assert.match(text, /Name in English: At most 120 characters\./);
    assert.match(text, /District: Choose one of the offered values\./);
    assert.match(text, /Outline \(GeoJSON\): A polygon is needed/);
    assert.match(missing.body, /value="Cité Skhira"/);

    const outline = await client.submit('/ar/admin/areas/neighbourhoods/new', '/ar/admin/areas/neighbourhoods', {
      name_ar: 'حي', name_fr: 'Quartier', name_en: 'Area',
      outline: JSON.stringify({ type: 'Polygon', coordinates: [square.map(([lng, lat]) => [lat, lng])] }),
    });
    assert.equal(outline.statusCode, 400);
    assert.match(textOf(outline.body), /الحدود بعيدة عن البلدية/);
    const notJson = await client.submit('/fr/admin/areas/neighbourhoods/new', '/fr/admin/areas/neighbourhoods', {
      name_ar: 'حي', name_fr: 'Quartier', name_en: 'Area', outline: '{',
    });
    assert.match(textOf(notJson.body), /Ce contenu n'est pas du GeoJSON valide\./);

    assert.equal((await listNeighbourhoods(suite.db(), alpha.municipality.id)).length, before);
    assert.equal(await alphaAudit(), count);
  });

  test('a wrong CSRF token re-shows the form with a translated message; nothing is saved', async () => {
    const count = await alphaAudit();
    await client.get('/fr/admin/departments/new');
    const response = await client.post('/fr/admin/departments', { _csrf: 'forged.token', code: 'forged', name_ar: 'م', name_fr: 'Faux', name_en: 'Fake' });
    assert.equal(response.statusCode, 403);
    assert.match(textOf(response.body), /Le formulaire a expiré/);
    assert.match(response.body, /value="forged"/);
    assert.equal((await listDepartments(suite.db(), alpha.municipality.id)).some((d) => d.code === 'forged'), false);
    assert.equal(await alphaAudit(), count);
  });

  test('a neighbourhood with an outline, edited, then a stale edit refused', async () => {
    const [arrondissement] = await listArrondissements(suite.db(), alpha.municipality.id);
    const created = await client.submit('/en/admin/areas/neighbourhoods/new', '/en/admin/areas/neighbourhoods', {
      name_ar: 'الزيتونة',
      name_fr: 'Zitouna',
      name_en: 'Zitouna',
      arrondissement_id: String(arrondissement!.id),
      outline: JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [square] } }),
    });
    assert.equal(created.statusCode, 303);
    const row = (await listNeighbourhoods(suite.db(), alpha.municipality.id)).find((n) => n.name_fr === 'Zitouna')!;
    assert.equal(row.arrondissement_id, arrondissement!.id);
    assert.deepEqual(JSON.parse(row.outline_geojson!).type, 'Polygon');

    // Two administrators open the same page.
    const page = await client.get(`/en/admin/areas/neighbourhoods/${row.id}`);
    const version = versionOn(page.body);
    const other = await signedInClient(app, alpha.admin, 'alpha.example');
    const saved = await other.submit(`/en/admin/areas/neighbourhoods/${row.id}`, `/en/admin/areas/neighbourhoods/${row.id}`, {
      name_ar: 'الزيتونة', name_fr: 'Zitouna', name_en: 'Zitouna quarter', arrondissement_id: '', outline: '', version,
    });
    assert.equal(saved.statusCode, 303);
    const count = await alphaAudit();
    const stale = await client.post(`/en/admin/areas/neighbourhoods/${row.id}`, {
      name_ar: 'الزيتونة', name_fr: 'Zitouna (old)', name_en: 'Zitouna', arrondissement_id: '', outline: '', version,
    });
    assert.equal(stale.statusCode, 409);
    assert.match(textOf(stale.body), /Someone else changed this in the meantime/);
    const now = (await findNeighbourhood(suite.db(), alpha.municipality.id, row.id))!;
    assert.deepEqual([now.name_fr, now.name_en, now.arrondissement_id, now.outline_geojson], ['Zitouna', 'Zitouna quarter', null, null]);
    assert.equal(await alphaAudit(), count);
  });

  test('deleting a district that still has neighbourhoods is refused with an explanation', async () => {
    const [arrondissement] = await listArrondissements(suite.db(), alpha.municipality.id);
    const page = await client.get(`/fr/admin/areas/arrondissements/${arrondissement!.id}`);
    const count = await alphaAudit();
    const response = await client.post(`/fr/admin/areas/arrondissements/${arrondissement!.id}/delete`, { version: versionOn(page.body) });
    assert.equal(response.statusCode, 409);
    assert.match(textOf(response.body), /Cet arrondissement contient 1 quartier : déplacez-le ou supprimez-le d’abord\./);
    assert.ok(await findArrondissement(suite.db(), alpha.municipality.id, arrondissement!.id));
    assert.equal(await alphaAudit(), count);
  });

  test('departments: create, refuse a bad or taken code, deactivate, delete an unused one', async () => {
    const bad = await client.submit('/en/admin/departments/new', '/en/admin/departments', {
      code: 'Espaces Verts!', name_ar: 'المساحات الخضراء', name_fr: 'Espaces verts', name_en: 'Green spaces', active: 'yes',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(textOf(bad.body), /Code: Use only lower-case Latin letters, digits and hyphens/);
    const taken = await client.submit('/en/admin/departments/new', '/en/admin/departments', {
      code: 'technical', name_ar: 'م', name_fr: 'S', name_en: 'S', active: 'yes',
    });
    assert.equal(taken.statusCode, 409);
    assert.match(textOf(taken.body), /Another department already uses this code\./);

    const created = await client.submit('/en/admin/departments/new', '/en/admin/departments', {
      code: 'green-spaces', name_ar: 'المساحات الخضراء', name_fr: 'Espaces verts', name_en: 'Green spaces', email: 'Green@Alpha.example', active: 'yes',
    });
    assert.equal(created.statusCode, 303);
    const department = (await listDepartments(suite.db(), alpha.municipality.id)).find((d) => d.code === 'green-spaces')!;
    assert.deepEqual([department.email, department.active], ['green@alpha.example', 1]);

    const edit = await client.get(`/en/admin/departments/${department.id}`);
    const count = await alphaAudit();
    // An unticked checkbox is absent from the post: the department becomes inactive.
    const deactivated = await client.post(`/en/admin/departments/${department.id}`, {
      code: 'green-spaces', name_ar: 'المساحات الخضراء', name_fr: 'Espaces verts', name_en: 'Green spaces', email: '', version: versionOn(edit.body),
    });
    assert.equal(deactivated.statusCode, 303);
    const entries = await newAuditEntries(suite.db(), alpha.municipality.id, count);
    assert.deepEqual(parsed(entries[0]!.after_json), { email: null, active: 0 });

    const again = await client.get(`/en/admin/departments/${department.id}`);
    const deleted = await client.post(`/en/admin/departments/${department.id}/delete`, { version: versionOn(again.body) });
    assert.equal(deleted.statusCode, 303);
    assert.equal(await findDepartment(suite.db(), alpha.municipality.id, department.id), undefined);
    const [deletion] = await newAuditEntries(suite.db(), alpha.municipality.id, count + 1);
    assert.equal(deletion!.action, 'department.deleted');
  });

  test('another municipality’s districts, neighbourhoods and departments cannot be read or changed by guessing ids', async () => {
    const db = suite.db();
    const [betaArrondissement] = await listArrondissements(db, beta.municipality.id);
    const [betaNeighbourhood] = await listNeighbourhoods(db, beta.municipality.id);
    const [betaDepartment] = await listDepartments(db, beta.municipality.id);
    const betaCount = (await auditEntries(db, beta.municipality.id)).length;

    for (const path of [
      `/en/admin/areas/arrondissements/${betaArrondissement!.id}`,
      `/en/admin/areas/neighbourhoods/${betaNeighbourhood!.id}`,
      `/en/admin/departments/${betaDepartment!.id}`,
    ]) {
      const page = await client.get(path);
      assert.equal(page.statusCode, 404, path);
      assert.doesNotMatch(page.body, new RegExp(beta.municipality.name_en));
    }
    await client.get('/en/admin/areas');
    const names = { name_ar: 'مأخوذ', name_fr: 'Pris', name_en: 'Taken' };
    const attempts = [
      client.post(`/en/admin/areas/neighbourhoods/${betaNeighbourhood!.id}`, { ...names, version: betaNeighbourhood!.updated_at }),
      client.post(`/en/admin/areas/arrondissements/${betaArrondissement!.id}/delete`, { version: betaArrondissement!.updated_at }),
      client.post(`/en/admin/departments/${betaDepartment!.id}`, { ...names, code: 'taken', version: betaDepartment!.updated_at }),
      client.post(`/en/admin/departments/${betaDepartment!.id}/delete`, { version: betaDepartment!.updated_at }),
    ];
    for (const response of await Promise.all(attempts)) assert.equal(response.statusCode, 404);

    assert.equal((await findNeighbourhood(db, beta.municipality.id, betaNeighbourhood!.id))?.name_fr, betaNeighbourhood!.name_fr);
    assert.ok(await findArrondissement(db, beta.municipality.id, betaArrondissement!.id));
    assert.equal((await findDepartment(db, beta.municipality.id, betaDepartment!.id))?.code, betaDepartment!.code);
    assert.equal((await auditEntries(db, beta.municipality.id)).length, betaCount);
  });
});
