import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp, type TestClient } from '../../../test/support/http.ts';
import { auditEntries, newAuditEntries, signedInClient, textOf } from '../admin/admin.test-support.ts';
import { getCategory, listCategories, listResponseTemplates } from './categories.service.ts';
import { type ComplaintsFixture, createComplaintsFixture } from './complaints.test-support.ts';

describeEachDatabase('complaints catalogue pages', (suite) => {
  let app: FastifyInstance;
  let kef: ComplaintsFixture;
  let other: ComplaintsFixture;
  let officer: TestClient;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'catal');
    other = await createComplaintsFixture(suite.db(), 'othercat');
    app = await buildTestApp(suite.handle(), { defaultMunicipality: 'catal' });
    officer = await signedInClient(app, kef.officer.user, 'localhost');
  });
  after(() => app.close());

  const categoryCount = async () => (await listCategories(suite.db(), { municipalityId: kef.municipality.id, includeInactive: true })).length;
  const base = {
    code: 'potholes',
    'name.ar': 'حفر في الطريق',
    'name.fr': 'Nids-de-poule',
    'name.en': 'Potholes',
    'description.ar': '',
    'description.fr': '',
    'description.en': '',
    groupCode: 'technical',
    departmentId: '',
    ackDays: '2',
    resolveDays: '30',
    sortOrder: '15',
    active: 'yes',
    question_rows: '2',
  };
  const question = {
    'questions.0.code': 'size',
    'questions.0.kind': 'single',
    'questions.0.label.ar': 'حجم الحفرة',
    'questions.0.label.fr': 'Taille du trou',
    'questions.0.label.en': 'Size of the hole',
    'questions.0.required': 'yes',
    'questions.0.options': 'small | صغيرة | Petit | Small\nlarge | كبيرة | Grand | Large',
  };

  test('the list shows categories and templates; only the cell and administrators may open it', async () => {
    const list = await officer.get('/fr/admin/catalogue');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /<bdi>Éclairage public<\/bdi>/);
    assert.match(textOf(list.body), /Modèles de réponse/);
    for (const user of [kef.technicalHead.user, kef.moderator.user, kef.technicalAgent.user]) {
      const client = await signedInClient(app, user, 'localhost');
      assert.equal((await client.get('/fr/admin/catalogue')).statusCode, 403);
      assert.equal((await client.get('/fr/admin/catalogue/categories/new')).statusCode, 403);
      assert.doesNotMatch((await client.get('/fr/admin')).body, /\/fr\/admin\/catalogue/, 'no link to it either');
    }
    const foreign = (await listCategories(suite.db(), { municipalityId: other.municipality.id }))[0]!;
    assert.equal((await officer.get(`/fr/admin/catalogue/categories/${foreign.id}`)).statusCode, 404);
  });

  test('a new category with a choice question: saved, audited, back to the list', async () => {
    const count = (await auditEntries(suite.db(), kef.municipality.id)).length;
    const response = await officer.submit('/fr/admin/catalogue/categories/new', '/fr/admin/catalogue/categories/new', {
      ...base,
      departmentId: String(kef.technical.id),
      ...question,
      intent: 'save',
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/fr/admin/catalogue');
    assert.match(textOf((await officer.get('/fr/admin/catalogue')).body), /Catégorie ajoutée\./);
    const saved = (await listCategories(suite.db(), { municipalityId: kef.municipality.id })).find((c) => c.code === 'potholes')!;
    assert.deepEqual([saved.name.ar, saved.departmentId, saved.resolveDays, saved.groupCode, saved.active], ['حفر في الطريق', kef.technical.id, 30, 'technical', true]);
    assert.equal(saved.questions.length, 1, 'the blank row is ignored');
    assert.deepEqual(saved.questions[0]!.options.map((o) => [o.value, o.label.fr]), [['small', 'Petit'], ['large', 'Grand']]);
    const entries = await newAuditEntries(suite.db(), kef.municipality.id, count);
    assert.deepEqual(entries.map((e) => e.action), ['complaint_category.created']);
  });

  test('bad input is shown next to each field, with what was typed; nothing is saved', async () => {
    const before = await categoryCount();
    let response = await officer.submit('/en/admin/catalogue/categories/new', '/en/admin/catalogue/categories/new', {
      ...base,
      code: 'Bad Code!',
      'name.en': '',
      ackDays: '5',
      resolveDays: '3',
      ...question,
      'questions.0.options': 'small | only two parts',
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /id="error-questions.0.options"/);
    assert.match(textOf(response.body), /Each line has four parts/);
    assert.match(response.body, /small \| only two parts<\/textarea>/);

    response = await officer.post('/en/admin/catalogue/categories/new', { ...base, code: 'bad code', 'name.en': '', ackDays: '5', resolveDays: '3', ...question, 'questions.0.kind': 'text' });
    assert.equal(response.statusCode, 400);
    for (const field of ['code', 'name.en', 'resolveDays', 'questions.0.options']) assert.match(response.body, new RegExp(`id="error-${field.replace('.', '\\.')}"`), field);
    assert.match(response.body, /value="حفر في الطريق"/);

    response = await officer.post('/en/admin/catalogue/categories/new', { ...base, code: 'lighting' });
    assert.equal(response.statusCode, 409);
    assert.match(textOf(response.body), /This code is already in use\./);

    response = await officer.post('/en/admin/catalogue/categories/new', { ...base, code: 'fresh', _csrf: 'forged' });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /value="fresh"/);
    assert.equal(await categoryCount(), before);
  });

  test('editing: more rows, removing a question, a stale version keeps what was typed', async () => {
    const lighting = kef.categories.lighting!;
    const form = await officer.get(`/fr/admin/catalogue/categories/${lighting.id}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="questions.1.code"[^>]*value="lamps_out"|value="lamps_out"[^>]*name="questions.1.code"/);
    const version = /name="version" value="([^"]+)"/.exec(form.body)![1]!;
    const values = {
      ...base,
      code: 'lighting',
      'name.ar': lighting.name.ar,
      'name.fr': 'Éclairage public (lampadaires)',
      'name.en': lighting.name.en,
      departmentId: String(kef.technical.id),
      ackDays: '1',
      resolveDays: '10',
      question_rows: '3',
      'questions.0.code': 'pole_number',
      'questions.0.kind': 'text',
      'questions.0.label.ar': 'رقم العمود',
      'questions.0.label.fr': 'Numéro du poteau',
      'questions.0.label.en': 'Pole number',
      'questions.1.code': 'lamps_out',
      'questions.1.kind': 'number',
      'questions.1.label.ar': 'عدد',
      'questions.1.label.fr': 'Nombre',
      'questions.1.label.en': 'Number',
      'questions.1.remove': 'yes',
      version,
    };
    const more = await officer.post(`/fr/admin/catalogue/categories/${lighting.id}`, { ...values, intent: 'more' });
    assert.equal(more.statusCode, 200);
    assert.match(more.body, /name="questions.4.code"/, 'two more rows');
    assert.match(more.body, /value="Éclairage public \(lampadaires\)"/);
    assert.equal((await getCategory(suite.db(), { municipalityId: kef.municipality.id, categoryId: lighting.id }))!.name.fr, 'Éclairage public');

    const saved = await officer.post(`/fr/admin/catalogue/categories/${lighting.id}`, { ...values, intent: 'save' });
    assert.equal(saved.statusCode, 303);
    const after = (await getCategory(suite.db(), { municipalityId: kef.municipality.id, categoryId: lighting.id }))!;
    assert.equal(after.name.fr, 'Éclairage public (lampadaires)');
    assert.equal(after.resolveDays, 10);
    assert.deepEqual(after.questions.map((q) => q.code), ['pole_number']);

    // The first form's version is now old: refused, the typing kept, the form ready to save over.
    const stale = await officer.post(`/fr/admin/catalogue/categories/${lighting.id}`, { ...values, 'name.fr': 'Mon nom à moi', intent: 'save' });
    assert.equal(stale.statusCode, 409);
    assert.match(textOf(stale.body), /Quelqu’un d’autre a enregistré des modifications/);
    assert.match(stale.body, /value="Mon nom à moi"/);
    assert.equal((await getCategory(suite.db(), { municipalityId: kef.municipality.id, categoryId: lighting.id }))!.name.fr, 'Éclairage public (lampadaires)');
    const currentVersion = /name="version" value="([^"]+)"/.exec(stale.body)![1]!;
    assert.equal(currentVersion, after.version);
  });

  test('reply templates: create, edit, refuse bad input', async () => {
    const count = (await listResponseTemplates(suite.db(), { municipalityId: kef.municipality.id })).length;
    const fields = {
      code: 'lamp_replaced',
      'title.ar': 'تمّ تعويض الفانوس',
      'title.fr': 'Lampe remplacée',
      'title.en': 'Lamp replaced',
      'body.ar': 'تمّ تعويض الفانوس. شكرًا على تنبيهكم.',
      'body.fr': 'La lampe a été remplacée. Merci de votre signalement.',
      'body.en': 'The lamp was replaced. Thank you for telling us.',
    };
    let response = await officer.submit('/ar/admin/catalogue/templates/new', '/ar/admin/catalogue/templates/new', { ...fields, 'body.fr': '' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /id="error-body.fr"/);
    assert.equal((await listResponseTemplates(suite.db(), { municipalityId: kef.municipality.id })).length, count);

    response = await officer.post('/ar/admin/catalogue/templates/new', fields);
    assert.equal(response.statusCode, 303);
    const template = (await listResponseTemplates(suite.db(), { municipalityId: kef.municipality.id })).find((t) => t.code === 'lamp_replaced')!;
    assert.equal(template.body.ar, 'تمّ تعويض الفانوس. شكرًا على تنبيهكم.');

    const edit = await officer.get(`/ar/admin/catalogue/templates/${template.id}`);
    assert.match(edit.body, /dir="rtl"/);
    response = await officer.post(`/ar/admin/catalogue/templates/${template.id}`, { ...fields, 'title.en': 'Street lamp replaced', version: template.version });
    assert.equal(response.statusCode, 303);
    assert.equal((await listResponseTemplates(suite.db(), { municipalityId: kef.municipality.id })).find((t) => t.id === template.id)!.title.en, 'Street lamp replaced');

    const foreign = (await listResponseTemplates(suite.db(), { municipalityId: other.municipality.id }))[0]!;
    assert.equal((await officer.get(`/ar/admin/catalogue/templates/${foreign.id}`)).statusCode, 404);
    assert.equal((await officer.post(`/ar/admin/catalogue/templates/${foreign.id}`, { ...fields, version: foreign.version })).statusCode, 404);
  });
});
