import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp, signIn, TestClient, testConfig } from '../../../test/support/http.ts';
import { addDays } from '../../lib/time.ts';
import type { PbCycleRow } from './budget.table.ts';
import { setProposalVisibility, submitProposal } from './proposals.service.ts';
import { createProposalCycle, createProposalsFixture, proposalInput, type ProposalsFixture } from './proposals.test-support.ts';

const validFields = {
  title: 'Éclairage de la rue des écoles',
  description: 'La rue est sombre le soir, les enfants rentrent de l’école dans le noir.',
  category: 'lighting',
  authorKind: 'citizen',
  associationName: '',
  area: 'city',
  lat: '',
  lng: '',
  locationText: 'Rue des écoles',
  estimatedCost: '12 000',
};

/** A multipart body as a browser sends the form with a photo. */
function multipart(fields: Record<string, string>, files: { name: string; filename: string; data: Buffer }[]): { payload: Buffer; contentType: string } {
  const boundary = '----twizaTestBoundary7MA4YWxk';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: image/jpeg\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describeEachDatabase('proposal pages', (suite) => {
  let app: FastifyInstance;
  let fx: ProposalsFixture;
  let cycle: PbCycleRow;
  let dataDir: string;

  before(async () => {
    fx = await createProposalsFixture(suite.db(), 'kef');
    cycle = (await createProposalCycle(suite.db(), fx, 'proposals')).cycle;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-pb-routes-'));
    app = await buildTestApp(suite.handle(), { config: testConfig({ DATA_DIR: dataDir }), defaultMunicipality: 'kef' });
  });
  after(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const count = async () => Number((await suite.db().selectFrom('pb_proposals').select((eb) => eb.fn.countAll().as('n')).where('cycle_id', '=', cycle.id).executeTakeFirstOrThrow()).n);

  test('anonymous visitors get the sign-in link that comes back to the form (Arabic)', async () => {
    const client = new TestClient(app);
    const page = await client.get(`/ar/budget/${cycle.slug}/proposals/new`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /dir="rtl"/);
    assert.ok(page.body.includes(`/ar/login?next=${encodeURIComponent(`/ar/budget/${cycle.slug}/proposals/new`)}`));
    assert.ok(page.body.includes('يجب الدخول إلى حسابكم'));
    assert.ok(!page.body.includes('name="title"'), 'no form for anonymous visitors');
  });

  test('JS-off form in French: errors translated with every input kept; bad CSRF changes nothing; then saved', async () => {
    const client = new TestClient(app);
    await signIn(client, fx.users.citizen);
    const before = await count();
    await client.get(`/fr/budget/${cycle.slug}/proposals/new`);
    const bad = await client.post(`/fr/budget/${cycle.slug}/proposals/new`, { ...validFields, title: '', estimatedCost: 'beaucoup' });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.body.includes('Ce champ est obligatoire') || bad.body.includes('obligatoire'), 'required message in French');
    assert.ok(bad.body.includes('Indiquez un montant en dinars'));
    assert.ok(bad.body.includes('La rue est sombre le soir'), 'description kept');
    assert.ok(bad.body.includes('value="beaucoup"'), 'cost kept');
    assert.equal(await count(), before);

    const forged = await client.post(`/fr/budget/${cycle.slug}/proposals/new`, { ...validFields, _csrf: 'forged' });
    assert.equal(forged.statusCode, 403);
    assert.ok(forged.body.includes('La rue est sombre le soir'));
    assert.equal(await count(), before);

    const ok = await client.post(`/fr/budget/${cycle.slug}/proposals/new`, validFields);
    assert.equal(ok.statusCode, 303);
    assert.match(ok.headers.location as string, new RegExp(`^/fr/budget/${cycle.slug}/proposals/\\d+$`));
    assert.equal(await count(), before + 1);
    const page = await client.get(ok.headers.location as string);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('Éclairage de la rue des écoles'));
    assert.match(page.body, /12[\s\u202f\u00a0]000 DT/);
    assert.ok(page.body.includes('Les services municipaux étudient cette proposition.'));
    const list = await client.get(`/fr/budget/${cycle.slug}/proposals?q=eclairage`);
    assert.ok(list.body.includes('Éclairage de la rue des écoles'));

    // The author sees "withdraw"; others do not.
    const mine = await client.get(ok.headers.location as string);
    assert.ok(mine.body.includes('Retirer ma proposition'));
    const other = new TestClient(app);
    await signIn(other, fx.users.citizen2);
    assert.ok(!(await other.get(ok.headers.location as string)).body.includes('Retirer ma proposition'));
    const withdrawn = await client.post(`${ok.headers.location as string}/withdraw`, {});
    assert.equal(withdrawn.statusCode, 303);
    const after = await client.get(ok.headers.location as string);
    assert.ok(after.body.includes('Votre proposition est retirée.'));
    assert.ok(after.body.includes('Retirée'));
    assert.ok(!after.body.includes('Retirer ma proposition'));
  });

  test('a photo sent with the form is re-encoded, stored and served; a fake image is refused with the form kept', async () => {
    const client = new TestClient(app);
    await signIn(client, fx.users.citizen2);
    await client.get(`/ar/budget/${cycle.slug}/proposals/new`);
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#88aa33' } }).withExif({ IFD0: { Make: 'PhoneMaker' } }).jpeg().toBuffer();
    const fake = multipart({ _csrf: client.lastCsrf!, ...validFields, title: 'Photo truquée' }, [{ name: 'photos', filename: 'x.jpg', data: Buffer.from('not an image at all') }]);
    const refused = await app.inject({ method: 'POST', url: `/ar/budget/${cycle.slug}/proposals/new`, payload: fake.payload, headers: { host: 'localhost', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': fake.contentType } });
    assert.equal(refused.statusCode, 400);
    assert.ok(refused.body.includes('Photo truquée'), 'title kept');

    const body = multipart({ _csrf: client.lastCsrf!, ...validFields, title: 'Avec une photo' }, [{ name: 'photos', filename: 'rue.jpg', data: jpeg }]);
    const response = await app.inject({ method: 'POST', url: `/ar/budget/${cycle.slug}/proposals/new`, payload: body.payload, headers: { host: 'localhost', cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': body.contentType } });
    assert.equal(response.statusCode, 303, response.body.slice(0, 300));
    const page = await client.get(response.headers.location as string);
    const src = /<img src="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(src, 'the page shows the photo');
    const photo = await client.get(src);
    assert.equal(photo.statusCode, 200);
    assert.equal(photo.headers['content-type'], 'image/jpeg');
    assert.equal((await sharp(photo.rawPayload).metadata()).exif, undefined, 'served without EXIF');
    assert.equal((await client.get(src.replace(/[a-z0-9]+\.thumb\.jpg$/, 'aaaaaaaaaaaaaaaaaaaa.jpg'))).statusCode, 404);
    // Hidden by moderation: its photos are no longer served.
    const row = await suite.db().selectFrom('pb_proposals').selectAll().where('title', '=', 'Avec une photo').executeTakeFirstOrThrow();
    await setProposalVisibility(suite.db(), { actor: fx.actors.moderator, municipalityId: fx.municipality.id, proposalId: row.id, version: row.version, hidden: true, reason: 'Photo d’une personne' });
    assert.equal((await client.get(src)).statusCode, 404);
  });

  test('comments: signed in only, errors kept; moderation hides with a public reason', async () => {
    const citizen = new TestClient(app);
    await signIn(citizen, fx.users.citizen);
    await citizen.get(`/fr/budget/${cycle.slug}/proposals/new`);
    const created = await citizen.post(`/fr/budget/${cycle.slug}/proposals/new`, { ...validFields, title: 'À commenter et masquer' });
    const url = created.headers.location as string;
    await citizen.get(url);
    const empty = await citizen.post(`${url}/comments`, { body: '' });
    assert.equal(empty.statusCode, 400);
    const posted = await citizen.post(`${url}/comments`, { body: 'Très bonne idée' });
    assert.equal(posted.statusCode, 303);
    assert.ok((await citizen.get(url)).body.includes('Très bonne idée'));

    const anonymous = new TestClient(app);
    const page = await anonymous.get(url);
    assert.ok(page.body.includes('Connectez-vous pour commenter.'));
    await anonymous.get('/fr/login');
    const anonymousPost = await anonymous.post(`${url}/comments`, { body: 'Spam' });
    assert.equal(anonymousPost.statusCode, 303);
    assert.match(anonymousPost.headers.location as string, /\/fr\/login\?next=/);

    const proposal = await suite.db().selectFrom('pb_proposals').selectAll().where('title', '=', 'À commenter et masquer').executeTakeFirstOrThrow();
    const staffList = `/fr/admin/budget/${cycle.id}/proposals`;
    // A citizen is not staff; an agent is staff but may not moderate.
    assert.equal((await citizen.get(staffList)).statusCode, 403);
    const agent = new TestClient(app);
    await signIn(agent, fx.users.agent);
    assert.equal((await agent.get(staffList)).statusCode, 403);
    const moderator = new TestClient(app);
    await signIn(moderator, fx.users.moderator);
    const list = await moderator.get(staffList);
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes('À commenter et masquer'));
    const adminPage = `/fr/admin/budget/${cycle.id}/proposals/${proposal.id}`;
    await moderator.get(adminPage);
    const noReason = await moderator.post(`${adminPage}/hide`, { version: String(proposal.version), reason: '' });
    assert.equal(noReason.statusCode, 400);
    const hidden = await moderator.post(`${adminPage}/hide`, { version: String(proposal.version), reason: 'Doublon publicitaire' });
    assert.equal(hidden.statusCode, 303);
    const publicPage = await anonymous.get(url);
    assert.ok(publicPage.body.includes('Proposition masquée par la modération'));
    assert.ok(publicPage.body.includes('Doublon publicitaire'));
    assert.ok(!publicPage.body.includes('La rue est sombre'), 'the text is not shown');
  });

  test('review and ballot pages in Arabic: the department decides, errors kept; the team puts it on the ballot', async () => {
    const citizen = new TestClient(app);
    await signIn(citizen, fx.users.citizen);
    await citizen.get(`/ar/budget/${cycle.slug}/proposals/new`);
    await citizen.post(`/ar/budget/${cycle.slug}/proposals/new`, { ...validFields, title: 'مقترح للدراسة الفنية' });
    const proposal = await suite.db().selectFrom('pb_proposals').selectAll().where('title', '=', 'مقترح للدراسة الفنية').executeTakeFirstOrThrow();
    const officer = new TestClient(app);
    await signIn(officer, fx.users.officer);
    const reviewUrl = `/ar/admin/budget/${cycle.id}/review/${proposal.id}`;
    const queue = await officer.get(`/ar/admin/budget/${cycle.id}/review`);
    assert.equal(queue.statusCode, 200);
    assert.ok(queue.body.includes('مقترح للدراسة الفنية'));
    await officer.get(reviewUrl);
    assert.equal((await officer.post(`${reviewUrl}/assign`, { reviewVersion: '', departmentId: String(fx.departments.technical) })).statusCode, 303);

    const agent = new TestClient(app);
    await signIn(agent, fx.users.agent);
    const page = await agent.get(reviewUrl);
    assert.equal(page.statusCode, 200);
    const other = new TestClient(app);
    await signIn(other, fx.users.otherAgent);
    assert.equal((await other.get(reviewUrl)).statusCode, 403);

    const review = await suite.db().selectFrom('pb_reviews').selectAll().where('proposal_id', '=', proposal.id).executeTakeFirstOrThrow();
    const fields = { reviewVersion: String(review.version), proposalVersion: String(proposal.version), feasible: 'no', publicReason: '', costEstimate: '', costExplanation: '', internalNotes: 'ملاحظة داخلية' };
    const refused = await agent.post(`${reviewUrl}/decide`, fields);
    assert.equal(refused.statusCode, 400);
    assert.ok(refused.body.includes('علّلوا لماذا المقترح غير قابل للإنجاز'));
    assert.ok(refused.body.includes('ملاحظة داخلية'), 'notes kept');
    const decided = await agent.post(`${reviewUrl}/decide`, { ...fields, feasible: 'yes', costEstimate: '30000', costExplanation: 'عشرة أعمدة' });
    assert.equal(decided.statusCode, 303);
    assert.equal((await agent.post(`${reviewUrl}/ballot`, { proposalVersion: String(proposal.version + 1) })).statusCode, 403, 'an agent cannot put it on the ballot');
    await officer.get(reviewUrl);
    const ballot = await officer.post(`${reviewUrl}/ballot`, { proposalVersion: String(proposal.version + 1) });
    assert.equal(ballot.statusCode, 303);
    const project = await suite.db().selectFrom('pb_projects').selectAll().where('proposal_id', '=', proposal.id).executeTakeFirstOrThrow();
    assert.equal(project.cost_millimes, 30_000_000);
    const publicPage = await new TestClient(app).get(`/ar/budget/${cycle.slug}/proposals/${proposal.number}`);
    assert.ok(publicPage.body.includes('عشرة أعمدة'));
    assert.ok(!publicPage.body.includes('ملاحظة داخلية'), 'internal notes never public');
  });

  test('support during the pre-selection: a button without JavaScript, counted once (French)', async () => {
    const supportCycle = (await createProposalCycle(suite.db(), fx, 'support')).cycle;
    const proposal = await submitProposal(suite.db(), {
      actor: fx.actors.citizen,
      municipalityId: fx.municipality.id,
      cycleId: supportCycle.id,
      locale: 'fr',
      input: proposalInput({ title: 'À soutenir' }),
      now: addDays(supportCycle.proposals_open_at, 1),
    });
    const url = `/fr/budget/${supportCycle.slug}/proposals/${proposal.number}`;
    const anonymous = new TestClient(app);
    assert.ok((await anonymous.get(url)).body.includes('Connectez-vous pour soutenir cette proposition.'));
    const client = new TestClient(app);
    await signIn(client, fx.users.citizen2);
    assert.ok((await client.get(url)).body.includes('Je soutiens cette proposition'));
    const first = await client.post(`${url}/support`, {});
    assert.equal(first.statusCode, 303);
    await client.get(url);
    const second = await client.post(`${url}/support`, {});
    assert.equal(second.statusCode, 303);
    const page = await client.get(url);
    assert.ok(page.body.includes('Vous soutenez déjà cette proposition.'));
    assert.ok(page.body.includes('1 soutien'));
    const row = await suite.db().selectFrom('pb_proposals').select('support_count').where('id', '=', proposal.id).executeTakeFirstOrThrow();
    assert.equal(row.support_count, 1);
    // The proposal form of a cycle past its proposals phase says so instead of showing a form.
    await signIn(client, fx.users.citizen);
    const closed = await client.get(`/fr/budget/${supportCycle.slug}/proposals/new`);
    assert.ok(closed.body.includes('Le dépôt des propositions n’est pas ouvert'));
    assert.ok(!closed.body.includes('name="title"'));
  });

  test('with a tile server, the form and the page carry the map (an addition: the point fields stay)', async () => {
    const mapped = await buildTestApp(suite.handle(), {
      config: testConfig({ DATA_DIR: dataDir, MAP_TILE_URL: 'https://tiles.example.tn/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: 'OSM' }),
      defaultMunicipality: 'kef',
    });
    try {
      const client = new TestClient(mapped);
      await signIn(client, fx.users.citizen);
      const form = await client.get(`/fr/budget/${cycle.slug}/proposals/new`);
      assert.ok(form.body.includes('id="complaint-map"'));
      assert.ok(form.body.includes('data-mode="pick"'));
      assert.match(form.body, /<script src="\/static\/complaint-map\.js\?v=[0-9a-f]+" defer/);
      assert.ok(form.body.includes('name="lat"'), 'the fields work without JavaScript');
      const created = await client.post(`/fr/budget/${cycle.slug}/proposals/new`, { ...validFields, title: 'Avec un point', lat: '36,1822', lng: '8.7148' });
      assert.equal(created.statusCode, 303);
      const page = await client.get(created.headers.location as string);
      assert.ok(page.body.includes('data-mode="show"'));
      assert.ok(page.body.includes('data-lat="36.1822"'));
      // Without a tile server (the other app), no map at all.
      assert.ok(!(await new TestClient(app).get(created.headers.location as string)).body.includes('id="complaint-map"'));
    } finally {
      await mapped.close();
    }
  });
});
