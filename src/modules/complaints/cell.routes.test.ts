import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp, testConfig, type TestClient } from '../../../test/support/http.ts';
import { signedInClient, textOf, versionOn } from '../admin/admin.test-support.ts';
import { listResponseTemplates } from './categories.service.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { type ComplaintsFixture, createComplaintsFixture, fileComplaint } from './complaints.test-support.ts';
import { photoFilePath } from './photos.ts';

const DATA_DIR = '/tmp/twiza-test-data';

describeEachDatabase('complaints cell pages', (suite) => {
  let app: FastifyInstance;
  let kef: ComplaintsFixture;
  let other: ComplaintsFixture;
  let officer: TestClient;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'cellr');
    other = await createComplaintsFixture(suite.db(), 'otherr');
    app = await buildTestApp(suite.handle(), { config: testConfig({ DATA_DIR, DEFAULT_MUNICIPALITY: 'cellr' }), defaultMunicipality: 'cellr' });
    officer = await signedInClient(app, kef.officer.user, 'localhost');
  });
  after(() => app.close());

  const db = () => suite.db();
  const reload = (complaint: { id: number }) => db().selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();
  const events = async (complaint: { id: number }) => db().selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaint.id).orderBy('id').execute();
  const file = async (overrides: Parameters<typeof fileComplaint>[2] = {}) => (await fileComplaint(db(), kef, overrides)).complaint;
  const page = (complaint: { id: number }, locale = 'fr') => `/${locale}/admin/complaints/${complaint.id}`;
  /** Fetches the complaint's page (for the CSRF token and the version) and posts one of its forms. */
  const act = async (client: TestClient, complaint: ComplaintRow, action: string, fields: Record<string, string | string[]> = {}, locale = 'fr') => {
    const shown = await client.get(page(complaint, locale));
    assert.equal(shown.statusCode, 200, `GET ${page(complaint, locale)}`);
    return client.post(`${page(complaint, locale)}/${action}`, { version: versionOn(shown.body), ...fields });
  };

  test('the inbox lists the municipality’s complaints with their deadline; search and filters narrow it', async () => {
    const lamp = await file({ description: 'الفانوس مطفأ قرب المدرسة' });
    const medina = await file({ description: 'Lampadaire éteint dans la Médina', locale: 'fr' });
    const foreign = (await fileComplaint(db(), other, { description: 'Médina المدرسة' })).complaint;
    const all = await officer.get('/fr/admin/complaints');
    assert.equal(all.statusCode, 200);
    assert.ok(all.body.includes(lamp.tracking_number) && all.body.includes(medina.tracking_number));
    assert.ok(!all.body.includes(foreign.tracking_number));
    assert.match(textOf(all.body), /Prise en compte : reste 2 jours/);
    assert.match(all.body, /<bdi dir="ltr" class="cell-tracking">/);

    const searched = await officer.get('/ar/admin/complaints?q=' + encodeURIComponent('مدرسه'));
    assert.ok(searched.body.includes(lamp.tracking_number));
    assert.ok(!searched.body.includes(medina.tracking_number));
    const accents = await officer.get('/fr/admin/complaints?q=medina');
    assert.ok(accents.body.includes(medina.tracking_number) && !accents.body.includes(lamp.tracking_number));
    assert.match(accents.body, /name="q"[^>]*value="medina"|value="medina"[^>]*name="q"/, 'the search stays in its box');

    // Nonsense in the query string is dropped rather than an error.
    const odd = await officer.get('/fr/admin/complaints?status=nope&category=abc&page=-3&sort=x');
    assert.equal(odd.statusCode, 200);
    assert.ok(odd.body.includes(lamp.tracking_number));

    const agent = await signedInClient(app, kef.cleanlinessAgent.user, 'localhost');
    const agentInbox = await agent.get('/fr/admin/complaints');
    assert.equal(agentInbox.statusCode, 200);
    assert.ok(!agentInbox.body.includes(lamp.tracking_number), 'a lighting complaint is the technical service’s');
    const waste = await file({ categoryId: kef.categories.waste!.id, description: 'ordures' });
    assert.ok((await agent.get('/fr/admin/complaints')).body.includes(waste.tracking_number));
    assert.ok((await agent.get('/fr/admin/complaints?department=mine')).body.includes(waste.tracking_number), 'the "my department" view');
  });

  test('a complaint’s page: contact details by role, refused to another department, absent from another municipality', async () => {
    const complaint = await file({ description: 'Texte du citoyen', contact: { name: 'Amira', phone: '22 444 333' }, locale: 'fr' });
    const shown = await officer.get(page(complaint));
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /<bdi dir="ltr">\+21622444333<\/bdi>/);
    assert.match(shown.body, /<bdi>Amira<\/bdi>/);
    assert.match(shown.body, /<bdi>Texte du citoyen<\/bdi>/);
    assert.match(textOf(shown.body), /Public/);

    const colleague = await signedInClient(app, kef.technicalAgent2.user, 'localhost');
    const notAssigned = await colleague.get(page(complaint));
    assert.equal(notAssigned.statusCode, 200);
    assert.ok(!notAssigned.body.includes('21622444333') && !notAssigned.body.includes('Amira'), 'no contact details for an agent not assigned');

    const cleanliness = await signedInClient(app, kef.cleanlinessAgent.user, 'localhost');
    const refused = await cleanliness.get(page(complaint));
    assert.equal(refused.statusCode, 403);
    assert.ok(!refused.body.includes(complaint.tracking_number) && !refused.body.includes('Texte du citoyen'));
    const refusedPost = await cleanliness.post(`${page(complaint)}/note`, { version: '1', note_body: 'x' });
    assert.equal(refusedPost.statusCode, 403);
    assert.equal((await events(complaint)).length, 1);

    const foreign = (await fileComplaint(db(), other, { description: 'ailleurs' })).complaint;
    assert.equal((await officer.get(page(foreign))).statusCode, 404);
    const foreignPost = await officer.post(`${page(foreign)}/acknowledge`, { version: '1' });
    assert.equal(foreignPost.statusCode, 404);
    assert.equal((await reload(foreign)).status, 'received');
    assert.equal((await officer.get('/fr/admin/complaints/abc')).statusCode, 404);

    const citizen = await signedInClient(app, kef.citizen.user, 'localhost');
    assert.equal((await citizen.get(page(complaint))).statusCode, 403);
  });

  test('triage, assign (with the department’s staff), start, reply from a template, note, resolve, close, reopen', async () => {
    const complaint = await file({ description: 'Lampe éteinte', locale: 'fr' });
    let response = await act(officer, complaint, 'acknowledge');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, page(complaint));
    assert.match(textOf((await officer.get(page(complaint))).body), /Réclamation prise en compte\./);
    assert.equal((await reload(complaint)).status, 'acknowledged');

    response = await act(officer, complaint, 'triage', { triage_category: String(kef.categories.lighting!.id), triage_priority: 'high', triage_department: '' });
    assert.equal(response.statusCode, 303);
    assert.equal((await reload(complaint)).priority, 'high');

    // "Show this department's staff" draws the form again with the cleanliness staff, changing nothing.
    response = await act(officer, complaint, 'assign', { intent: 'refresh', assign_department: String(kef.cleanliness.id), assign_agent: '' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /cleanliness-agent/);
    assert.doesNotMatch(response.body.split('id="action-assign"')[1]!.split('</details>')[0]!, /technical-agent-2/);
    assert.equal((await reload(complaint)).status, 'acknowledged');
    // An agent of another department is refused next to the field.
    response = await act(officer, complaint, 'assign', { assign_department: String(kef.cleanliness.id), assign_agent: String(kef.technicalAgent.user.id) });
    assert.equal(response.statusCode, 400);
    assert.match(textOf(response.body), /Cet agent n’appartient pas au service choisi\./);
    assert.match(response.body, /id="error-assign_agent"/);
    response = await act(officer, complaint, 'assign', { assign_department: String(kef.technical.id), assign_agent: String(kef.technicalAgent.user.id) });
    assert.equal(response.statusCode, 303);
    let row = await reload(complaint);
    assert.equal(row.status, 'assigned');
    assert.equal(row.assignee_user_id, kef.technicalAgent.user.id);

    const agent = await signedInClient(app, kef.technicalAgent.user, 'localhost');
    assert.equal((await act(agent, row, 'start')).statusCode, 303);

    const template = (await listResponseTemplates(db(), { municipalityId: kef.municipality.id }))[0]!;
    response = await act(agent, row, 'reply', { intent: 'use_template', reply_template: String(template.id), reply_text: '' });
    assert.equal(response.statusCode, 200, 'the template is put in the box, nothing sent');
    assert.ok(textOf(response.body).includes(template.body.fr), 'in the complaint’s language (French)');
    assert.equal((await events(complaint)).filter((e) => e.kind === 'reply').length, 0);
    response = await act(agent, row, 'reply', { reply_text: 'L’équipe passe mardi.', reply_template: String(template.id) });
    assert.equal(response.statusCode, 303);
    assert.equal((await events(complaint)).filter((e) => e.kind === 'reply').at(-1)!.body, 'L’équipe passe mardi.');

    assert.equal((await act(agent, row, 'note', { note_body: 'Pièce commandée' })).statusCode, 303);
    const note = (await events(complaint)).at(-1)!;
    assert.deepEqual([note.kind, note.visibility, note.body], ['note', 'internal', 'Pièce commandée']);

    assert.equal((await act(agent, row, 'resolve', { resolve_reply: 'Lampe remplacée.' })).statusCode, 303);
    row = await reload(complaint);
    assert.equal(row.status, 'resolved');
    const shown = await agent.get(page(complaint));
    assert.match(shown.body, /Lampe remplacée\./);
    assert.match(shown.body, /badge cell-badge--internal/, 'internal entries are marked');

    assert.equal((await act(officer, row, 'close')).statusCode, 303);
    assert.equal((await reload(complaint)).status, 'closed');
    assert.equal((await act(officer, row, 'reopen', { reopen_reason: 'Toujours éteinte' })).statusCode, 303);
    assert.equal((await reload(complaint)).status, 'in_progress');
  });

  test('reject with a reason, duplicate of a tracking number, forward to STEG, mask personal data', async () => {
    const rejected = await file();
    assert.equal((await act(officer, rejected, 'reject', { reject_reason: 'Hors compétence' })).statusCode, 303);
    assert.equal((await reload(rejected)).status_reason, 'Hors compétence');

    const original = await file();
    const duplicate = await file();
    assert.equal((await act(officer, duplicate, 'duplicate', { duplicate_of: original.tracking_number.toLowerCase() })).statusCode, 303);
    assert.equal((await reload(duplicate)).duplicate_of_id, original.id);
    const unknown = await file();
    const response = await act(officer, unknown, 'duplicate', { duplicate_of: 'KEF-1999-999999' });
    assert.equal(response.statusCode, 400);
    assert.match(textOf(response.body), /Aucune réclamation ne porte ce numéro\./);
    assert.equal((await reload(unknown)).status, 'received');

    const forwarded = await file();
    assert.equal((await act(officer, forwarded, 'forward', { forward_utility: 'steg', forward_reason: 'Coupure générale' })).statusCode, 303);
    assert.deepEqual([(await reload(forwarded)).status, (await reload(forwarded)).forwarded_to], ['forwarded', 'steg']);

    const personal = await file({ description: 'Mon voisin Karim au 22 111 222 jette ses ordures' });
    const moderator = await signedInClient(app, kef.moderator.user, 'localhost');
    assert.equal((await act(moderator, personal, 'mask', { mask_text: 'Un voisin jette ses ordures' })).statusCode, 303);
    let row = await reload(personal);
    assert.equal(row.description_public, 'Un voisin jette ses ordures');
    assert.equal(row.description, 'Mon voisin Karim au 22 111 222 jette ses ordures', 'the original is kept');
    assert.equal((await act(moderator, row, 'mask', { intent: 'unmask' })).statusCode, 303);
    row = await reload(personal);
    assert.equal(row.description_public, null);
  });

  test('bad input changes nothing: a missing reason, a wrong CSRF token, a stale version', async () => {
    const complaint = await file({ locale: 'fr' });
    const before = await reload(complaint);
    const eventCount = (await events(complaint)).length;

    let response = await act(officer, complaint, 'reject', { reject_reason: '   ' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /id="error-reject_reason"/);
    assert.match(textOf(response.body), /Ce champ est obligatoire\./);
    assert.match(response.body, /<details class="cell-action" id="action-reject" open/);

    response = await act(officer, complaint, 'forward', { forward_utility: 'gas', forward_reason: 'x' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /id="error-forward_utility"/);

    await officer.get(page(complaint));
    response = await officer.post(`${page(complaint)}/resolve`, { _csrf: 'forged', version: String(before.version), resolve_reply: 'Texte tapé' });
    assert.equal(response.statusCode, 403);
    assert.match(textOf(response.body), /Le formulaire a expiré/);
    assert.match(response.body, />Texte tapé<\/textarea>/, 'what was typed is kept');

    // Someone else acknowledges it meanwhile; this page still carries the old version.
    const stalePage = await officer.get(page(complaint));
    const oldVersion = versionOn(stalePage.body);
    const colleague = await signedInClient(app, kef.admin.user, 'localhost');
    assert.equal((await act(colleague, complaint, 'acknowledge')).statusCode, 303);
    const changed = await reload(complaint);
    const changedEvents = (await events(complaint)).length;
    response = await officer.post(`${page(complaint)}/resolve`, { version: oldVersion, resolve_reply: 'Ma réponse soignée' });
    assert.equal(response.statusCode, 409);
    assert.match(textOf(response.body), /Un collègue a modifié cette réclamation/);
    assert.match(response.body, />Ma réponse soignée<\/textarea>/, 'nothing lost of what was typed');
    assert.equal(versionOn(response.body), String(changed.version), 'the form now carries the current version');
    assert.match(response.body, /Prise en compte<\/span>/, 'the page shows the complaint as it is now');
    const after = await reload(complaint);
    assert.equal(after.version, changed.version);
    assert.equal(after.status, 'acknowledged');
    assert.equal((await events(complaint)).length, changedEvents);

    assert.equal(before.version, 1);
    assert.equal(eventCount, 1);
    response = await officer.post(`${page(complaint)}/note`, { note_body: 'sans version' });
    assert.equal(response.statusCode, 400);
    assert.match(textOf(response.body), /Un collègue a modifié cette réclamation/);
  });

  test('bulk: tick several, one action, each outcome shown; nothing ticked is refused', async () => {
    const a = await file();
    const b = await file();
    const list = await officer.get('/en/admin/complaints?status=received');
    const fresh = (row: ComplaintRow) => `${row.id}:${row.version}`;
    let response = await officer.post('/en/admin/complaints/bulk', { item: [fresh(a), `${b.id}:${b.version + 3}`], bulk_action: 'priority', bulk_priority: 'urgent', back: '?status=received' });
    assert.equal(response.statusCode, 200, list.statusCode === 200 ? 'outcome page' : 'list');
    const text = textOf(response.body);
    assert.match(text, /Change the priority: 1 succeeded out of 2\./);
    assert.match(text, /Not applied: someone else changed it in the meantime\./);
    assert.match(response.body, /href="\/en\/admin\/complaints\?status=received"/);
    assert.equal((await reload(a)).priority, 'urgent');
    assert.equal((await reload(b)).priority, 'normal');

    await officer.get('/en/admin/complaints');
    response = await officer.post('/en/admin/complaints/bulk', { bulk_action: 'acknowledge', back: '' });
    assert.equal(response.statusCode, 400);
    assert.match(textOf(response.body), /Tick at least one complaint in the table\./);
    response = await officer.post('/en/admin/complaints/bulk', { item: fresh(await reload(a)), bulk_action: 'reject', bulk_reason: '' });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /id="error-bulk_reason"/);
    assert.equal((await reload(a)).status, 'received');
    response = await officer.post('/en/admin/complaints/bulk', { _csrf: 'forged', item: fresh(await reload(a)), bulk_action: 'acknowledge' });
    assert.equal(response.statusCode, 403);
    assert.equal((await reload(a)).status, 'received');
  });

  test('CSV export: a BOM, RFC 4180 quoting, formulas neutralised, personal columns for the officer only', async () => {
    const tricky = await file({ description: '=HYPERLINK("http://evil","clic"), puis\nune ligne', contact: { name: '@Sami', phone: '22 777 888' } });
    const response = await officer.get('/fr/admin/complaints/export.csv?status=received');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(response.headers['content-disposition']), /^attachment; filename="complaints-cellr-\d{4}-\d{2}-\d{2}\.csv"$/);
    const body = response.rawPayload.toString('utf8');
    assert.ok(body.startsWith('\uFEFFNuméro de suivi,'), 'a byte-order mark, then the French header');
    assert.ok(body.includes('Nom du citoyen') && body.includes('Téléphone du citoyen'));
    assert.ok(body.includes(`"'=HYPERLINK(""http://evil"",""clic""), puis\nune ligne"`));
    assert.ok(body.includes(`'@Sami,'+21622777888`));
    assert.ok(body.includes(tricky.tracking_number));
    assert.ok(body.split('\r\n').length >= 3);

    const head = await signedInClient(app, kef.technicalHead.user, 'localhost');
    const refused = await head.get('/fr/admin/complaints/export.csv');
    assert.equal(refused.statusCode, 403);
    assert.ok(!refused.body.includes(tricky.tracking_number));
    assert.doesNotMatch((await head.get('/fr/admin/complaints')).body, /export\.csv/, 'no link to what is refused');
  });

  test('counter and phone: the form by steps, the receipt with the tracking number, bad input kept', async () => {
    const agent = await signedInClient(app, kef.technicalAgent.user, 'localhost');
    const first = await agent.get('/ar/admin/complaints/new');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /name="category"/);
    const second = await agent.get(`/ar/admin/complaints/new?category=${kef.categories.lighting!.id}`);
    assert.match(second.body, /name="answers.lamps_out"/);
    assert.match(second.body, /name="contact.phone"[^>]*dir="ltr"|dir="ltr"[^>]*name="contact.phone"/);

    const count = async () => (await db().selectFrom('complaints').select('id').where('municipality_id', '=', kef.municipality.id).execute()).length;
    const before = await count();
    let response = await agent.post('/ar/admin/complaints/new', {
      category_id: String(kef.categories.lighting!.id),
      channel: 'phone',
      locale: 'ar',
      description: '',
      'answers.lamps_out': 'كثير',
      'location.address': 'أمام المدرسة',
      'contact.name': 'صالح',
      'contact.phone': '123',
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /id="error-description"/);
    assert.match(response.body, /id="error-contact.phone"/);
    assert.match(response.body, /id="error-answers.lamps_out"/);
    assert.match(response.body, /value="صالح"/);
    assert.match(response.body, /value="أمام المدرسة"/);
    assert.equal(await count(), before);

    response = await agent.post('/ar/admin/complaints/new', {
      category_id: String(kef.categories.lighting!.id),
      channel: 'phone',
      locale: 'fr',
      description: 'الفانوس مطفأ',
      'answers.lamps_out': '٢',
      'location.address': 'أمام المدرسة',
      'contact.name': 'صالح',
      'contact.phone': '22 123 999',
    });
    assert.equal(response.statusCode, 303);
    const filed = await db().selectFrom('complaints').selectAll().where('municipality_id', '=', kef.municipality.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(response.headers.location, `/ar/admin/complaints/filed/${filed.id}`);
    assert.deepEqual([filed.channel, filed.filed_by_user_id, filed.locale, filed.contact_phone], ['phone', kef.technicalAgent.user.id, 'fr', '+21622123999']);
    const receipt = await agent.get(String(response.headers.location));
    assert.equal(receipt.statusCode, 200);
    assert.match(receipt.body, new RegExp(`<bdi dir="ltr" class="cell-tracking">${filed.tracking_number}</bdi>`));
    assert.ok(receipt.body.includes(`/fr/complaints/${filed.tracking_number}`), 'the follow-up page in the citizen’s language');

    const someoneElse = await signedInClient(app, kef.cleanlinessAgent.user, 'localhost');
    assert.equal((await someoneElse.get(String(response.headers.location))).statusCode, 404);
    const moderator = await signedInClient(app, kef.moderator.user, 'localhost');
    assert.equal((await moderator.get('/fr/admin/complaints/new')).statusCode, 403);
  });

  test('photos are served to staff who may see the complaint, hidden ones included', async () => {
    const complaint = await file();
    const key = `complaints/${kef.municipality.id}/${'a'.repeat(20)}.jpg`;
    for (const k of [key, key.replace('.jpg', '.thumb.jpg')]) {
      const file = photoFilePath(DATA_DIR, k);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    }
    const photo = await db()
      .insertInto('complaint_photos')
      .values({ municipality_id: kef.municipality.id, complaint_id: complaint.id, storage_key: key, width: 10, height: 10, bytes: 4, public: 0, created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const shown = await officer.get(page(complaint));
    assert.match(shown.body, new RegExp(`/fr/admin/complaints/${complaint.id}/photos/${photo.id}/thumb`));
    const image = await officer.get(`${page(complaint)}/photos/${photo.id}`);
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/jpeg');
    assert.equal((await officer.get(`${page(complaint)}/photos/${photo.id}/thumb`)).statusCode, 200);
    assert.equal((await officer.get(`${page(complaint)}/photos/999999`)).statusCode, 404);
    const cleanliness = await signedInClient(app, kef.cleanlinessAgent.user, 'localhost');
    assert.equal((await cleanliness.get(`${page(complaint)}/photos/${photo.id}`)).statusCode, 403);
  });
});
