import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { buildTestApp, TestClient } from '../../../test/support/http.ts';
import { signedInClient, textOf } from '../admin/admin.test-support.ts';
import { createTestCycle } from './budget.test-support.ts';
import { findCycleById, listCycles, listEnvelopes } from './cycles.repository.ts';

describeEachDatabase('budget cycle pages', (suite) => {
  let app: FastifyInstance;
  let municipalityId: number;
  let visitor: TestClient;

  before(async () => {
    const m = await createTestMunicipality(suite.db(), 'pbroutes');
    municipalityId = m.id;
    app = await buildTestApp(suite.handle(), { defaultMunicipality: 'pbroutes' });
    visitor = new TestClient(app);
  });
  after(() => app.close());

  test('the list and a cycle page show the current phase with its dates, in Arabic and French; a draft cycle is not public', async () => {
    const { cycle } = await createTestCycle(suite.db(), municipalityId, { phase: 'voting', slug: 'vote-now' });
    await createTestCycle(suite.db(), municipalityId, { phase: 'draft', slug: 'later' });
    const list = await visitor.get('/fr/budget');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /href="\/fr\/budget\/vote-now"/);
    assert.doesNotMatch(list.body, /\/fr\/budget\/later"/);
    assert.equal((await visitor.get('/fr/budget/later')).statusCode, 404);

    const fr = await visitor.get('/fr/budget/vote-now');
    assert.equal(fr.statusCode, 200);
    assert.match(fr.body, /<li class="pb-timeline__step pb-timeline__step--current" aria-current="step"><span class="pb-timeline__name">Vote<\/span>/);
    assert.match(fr.body, /href="\/fr\/budget\/vote-now\/vote"/, 'the vote is what a resident can do now');
    assert.match(textOf(fr.body), /1 000 DT/, 'the city envelope in dinars');
    const ar = await visitor.get('/ar/budget/vote-now');
    assert.equal(ar.statusCode, 200);
    assert.match(ar.body, /<html lang="ar" dir="rtl">/);
    assert.match(ar.body, /aria-current="step"><span class="pb-timeline__name">التصويت<\/span>/);
    assert.match(ar.body, /د\.ت/);
    assert.equal(cycle.slug, 'vote-now');
  });

  test('projects listed by envelope, filterable; a project page; selected badge only after the results', async () => {
    await createTestCycle(suite.db(), municipalityId, {
      phase: 'results',
      slug: 'done',
      envelopes: [
        {
          scope: 'city',
          budgetMillimes: 1_000_000,
          projects: [
            { code: 'P1', costMillimes: 400_000, title: 'Éclairage du marché', selected: true },
            { code: 'P2', costMillimes: 800_000, title: 'Aire de jeux' },
          ],
        },
        { scope: 'city', budgetMillimes: 500_000, name: 'Seconde', projects: [{ code: 'Q1', costMillimes: 100_000, title: 'Bancs publics' }] },
      ],
    });
    const all = await visitor.get('/fr/budget/done/projects');
    assert.equal(all.statusCode, 200);
    const text = textOf(all.body);
    assert.match(text, /Éclairage du marché/);
    assert.match(text, /Aire de jeux/);
    assert.match(text, /Bancs publics/);
    assert.equal((all.body.match(/class="badge pb-selected"/g) ?? []).length, 1);
    const envelopes = await listEnvelopes(suite.db(), municipalityId, (await listCycles(suite.db(), municipalityId)).find((c) => c.slug === 'done')!.id);
    const filtered = await visitor.get(`/fr/budget/done/projects?envelope=${envelopes[1]!.id}`);
    assert.doesNotMatch(textOf(filtered.body), /Aire de jeux/);
    assert.match(textOf(filtered.body), /Bancs publics/);

    const page = await visitor.get('/ar/budget/done/projects/P1');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<bdi>Éclairage du marché<\/bdi>/);
    assert.match(page.body, /متابعة الإنجاز/);
    assert.match(page.body, /\/ar\/login\?next=/, 'a visitor is asked to log in to comment');
    assert.equal((await visitor.get('/fr/budget/done/projects/NOPE')).statusCode, 404);
  });

  test('a signed-in resident comments on a selected project; a bad CSRF token keeps the text and writes nothing', async () => {
    const { projects } = await createTestCycle(suite.db(), municipalityId, {
      phase: 'results',
      slug: 'talk',
      envelopes: [{ scope: 'city', budgetMillimes: 1_000_000, projects: [{ code: 'T1', costMillimes: 400_000, selected: true }] }],
    });
    const user = await createTestUser(suite.db(), { municipalityId, displayName: 'Salma' });
    const client = await signedInClient(app, user, 'localhost');
    await client.get('/fr/budget/talk/projects/T1');
    const forged = await client.post('/fr/budget/talk/projects/T1/comments', { body: 'Merci pour les lampes', _csrf: 'forged' });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, /Merci pour les lampes/);
    const count = async () => (await suite.db().selectFrom('pb_comments').select('id').where('project_id', '=', projects[0]!.id).execute()).length;
    assert.equal(await count(), 0);
    const posted = await client.submit('/fr/budget/talk/projects/T1', '/fr/budget/talk/projects/T1/comments', { body: 'Merci pour les lampes' });
    assert.equal(posted.statusCode, 303);
    assert.equal(await count(), 1);
    const page = await client.get('/fr/budget/talk/projects/T1');
    assert.match(page.body, /Merci pour les lampes/);
    assert.match(page.body, /Salma/);
  });

  test('back office: an officer creates a cycle from the form (El Kef time), adds an envelope in dinars; an agent cannot', async () => {
    const officer = await signedInClient(app, await createTestUser(suite.db(), { municipalityId, roles: [{ role: 'budget_officer' }] }), 'localhost');
    const form = await officer.get('/fr/admin/budget/new');
    assert.equal(form.statusCode, 200);
    const fields = {
      year: '2031',
      slug: 'pb-2031',
      'title.ar': 'الميزانية التشاركية 2031',
      'title.fr': 'Budget participatif 2031',
      'title.en': '',
      informationStartsAt: '2031-01-05T08:00',
      proposalsOpenAt: '2031-01-10T08:00',
      proposalsCloseAt: '2031-02-10T18:00',
      reviewCloseAt: '2031-03-10T18:00',
      votingOpenAt: '2031-03-20T08:00',
      votingCloseAt: '2031-04-05T20:00',
      ballotType: 'approval',
      minChoices: '1',
      maxChoices: '3',
      rule: 'mes_cost_sat_add1u',
      tieBreaking: 'project_id',
      minAge: '18',
      maxVotersPerPhone: '3',
      residenceRequired: 'yes',
      onlineVoting: 'yes',
      counterVoting: 'yes',
    };
    const wrongOrder = await officer.post('/fr/admin/budget/new', { ...fields, votingOpenAt: '2031-01-01T08:00' });
    assert.equal(wrongOrder.statusCode, 400);
    assert.match(wrongOrder.body, /précède/);
    assert.match(wrongOrder.body, /value="Budget participatif 2031"/, 'what was typed is kept');
    const created = await officer.post('/fr/admin/budget/new', fields);
    assert.equal(created.statusCode, 303);
    const cycle = (await listCycles(suite.db(), municipalityId)).find((c) => c.slug === 'pb-2031')!;
    assert.equal(cycle.voting_open_at, '2031-03-20T07:00:00.000Z', 'typed in Tunisia time (UTC+1)');
    assert.equal(cycle.paper_voting, 0);
    assert.equal(created.headers.location, `/fr/admin/budget/${cycle.id}`);

    const hub = await officer.get(`/fr/admin/budget/${cycle.id}`);
    assert.equal(hub.statusCode, 200);
    assert.match(hub.body, new RegExp(`/fr/admin/budget/${cycle.id}/results`));
    const envelope = await officer.submit(`/fr/admin/budget/${cycle.id}/envelopes/new`, `/fr/admin/budget/${cycle.id}/envelopes/new`, {
      area: 'city',
      'name.ar': 'المدينة',
      'name.fr': 'Ville',
      'name.en': '',
      budget: '150 000,500',
      sortOrder: '0',
    });
    assert.equal(envelope.statusCode, 303);
    assert.deepEqual((await listEnvelopes(suite.db(), municipalityId, cycle.id)).map((e) => e.budget_millimes), [150_000_500]);

    const department = await suite.db().selectFrom('departments').select('id').where('municipality_id', '=', municipalityId).executeTakeFirstOrThrow();
    const agent = await signedInClient(app, await createTestUser(suite.db(), { municipalityId, roles: [{ role: 'staff_agent', departmentId: department.id }] }), 'localhost');
    assert.equal((await agent.get('/fr/admin/budget/new')).statusCode, 403);
    const agentHub = await agent.get(`/fr/admin/budget/${cycle.id}`);
    assert.equal(agentHub.statusCode, 200);
    assert.match(agentHub.body, new RegExp(`/fr/admin/budget/${cycle.id}/review`), 'department staff reach the review');
    assert.doesNotMatch(agentHub.body, new RegExp(`/fr/admin/budget/${cycle.id}/results`));
    assert.doesNotMatch(agentHub.body, /envelopes\/new/);
    const before = await findCycleById(suite.db(), municipalityId, cycle.id);
    await agent.get(`/fr/admin/budget/${cycle.id}`);
    const refused = await agent.post(`/fr/admin/budget/${cycle.id}/edit`, { ...fields, maxChoices: '9', version: String(before!.version) });
    assert.equal(refused.statusCode, 403);
    assert.equal((await findCycleById(suite.db(), municipalityId, cycle.id))!.max_choices, 3);
    const citizen = await signedInClient(app, await createTestUser(suite.db(), { municipalityId }), 'localhost');
    assert.equal((await citizen.get('/fr/admin/budget')).statusCode, 403);
  });

  test('once voting opened, the form shows the ballot rules locked and still saves a later closing date', async () => {
    const { cycle } = await createTestCycle(suite.db(), municipalityId, { phase: 'voting', slug: 'locked' });
    const officer = await signedInClient(app, await createTestUser(suite.db(), { municipalityId, roles: [{ role: 'budget_officer' }] }), 'localhost');
    const form = await officer.get(`/fr/admin/budget/${cycle.id}/edit`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<fieldset class="fieldset pb-locked" disabled/);
    assert.match(form.body, /<input type="hidden" name="ballotType" value="approval"\/>/);
    assert.match(form.body, /name="votingOpenAt" value="[^"]+" dir="ltr" required disabled/);
    // What the browser sends: hidden copies of the locked fields, and the fields still open.
    const sent: Record<string, string> = {};
    for (const match of form.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) if (match[1] !== '_csrf') sent[match[1]!] = match[2]!;
    for (const name of ['year', 'slug', 'title.ar', 'title.fr', 'title.en', 'votingCloseAt']) {
      sent[name] = new RegExp(`name="${name.replace('.', '\\.')}"[^>]*value="([^"]*)"`).exec(form.body)?.[1] ?? '';
    }
    sent.votingCloseAt = '2099-01-01T10:00';
    sent.onlineVoting = 'yes';
    const saved = await officer.post(`/fr/admin/budget/${cycle.id}/edit`, sent);
    assert.equal(saved.statusCode, 303, /<div class="error-summary".*?<\/div>/s.exec(saved.body)?.[0]);
    const after = await findCycleById(suite.db(), municipalityId, cycle.id);
    assert.equal(after!.voting_close_at, '2099-01-01T09:00:00.000Z');
    assert.equal(after!.max_choices, cycle.max_choices);
    const changed = await officer.post(`/fr/admin/budget/${cycle.id}/edit`, { ...sent, version: String(after!.version), maxChoices: '7' });
    assert.equal(changed.statusCode, 400);
    assert.equal((await findCycleById(suite.db(), municipalityId, cycle.id))!.max_choices, cycle.max_choices);
  });
});

describeEachDatabase('budget pages: ids too large for an integer column', (suite) => {
  let app: FastifyInstance;

  before(async () => {
    await createTestMunicipality(suite.db(), 'pbbigid');
    app = await buildTestApp(suite.handle(), { defaultMunicipality: 'pbbigid' });
  });
  after(() => app.close());

  test('a photo or proposal id beyond 2^31 is not found, not a server error', async () => {
    const visitor = new TestClient(app);
    for (const url of ['/fr/budget/photos/999999999999', '/fr/budget/photos/2147483648/thumb', '/media/budget/proposals/999999999999/abcdefabcdefabcdef.jpg']) {
      assert.equal((await visitor.get(url)).statusCode, 404, url);
    }
  });
});
