import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { buildTestApp, signIn, TestClient } from '../../../test/support/http.ts';
import { listArrondissements } from '../municipalities/municipalities.repository.ts';
import { parsePabulib } from './outcome/pabulib.ts';
import { castTestBallot, insertCycle, insertEnvelope, insertProject } from './results.test-support.ts';

describeEachDatabase('budget results pages', ({ db, handle }) => {
  let app: FastifyInstance;
  let municipalityId: number;
  let cycleId: number;
  let city: number;
  let district: number;
  let officer: { id: number; municipality_id: number };
  let citizen: { id: number; municipality_id: number };

  before(async () => {
    const m = await createTestMunicipality(db(), 'respages');
    municipalityId = m.id;
    const arrondissementId = (await listArrondissements(db(), municipalityId))[0]!.id;
    // The vote closed in March 2026: the cycle is counting, results not published.
    const cycle = await insertCycle(db(), { municipalityId, slug: '2026', rule: 'mes_cost_sat_add1u', tieBreaking: 'equalshares', lotSeed: "l'an 2026" });
    cycleId = cycle.id;
    city = await insertEnvelope(db(), { municipalityId, cycleId, name: 'ville', budgetMillimes: 100_000_000 });
    district = await insertEnvelope(db(), { municipalityId, cycleId, scope: 'arrondissement', arrondissementId, name: 'nord', budgetMillimes: 20_000_000, sortOrder: 1 });
    const p = (envelopeId: number, code: string, costMillimes: number, title: string) => insertProject(db(), { municipalityId, cycleId, envelopeId, code, costMillimes, title });
    const park = await p(city, '1', 60_000_000, 'حديقة عمومية');
    const lights = await p(city, '2', 30_000_000, 'Éclairage public');
    const road = await p(city, '3', 45_000_000, 'Route "du marché"; tronçon 2');
    const school = await p(district, '4', 15_000_000, 'Cour d’école');
    const ballots: [number[], Record<string, unknown>][] = [
      [[park, lights], { gender: 'female', ageGroup: '18-24', arrondissementId }],
      [[park], { gender: 'male', ageGroup: '25-34', channel: 'counter' }],
      [[park, road], { gender: 'female', ageGroup: '60+', channel: 'paper' }],
      [[road, lights], { gender: 'male', ageGroup: '35-44' }],
      [[lights], {}],
    ];
    for (const [projects, extra] of ballots) {
      await castTestBallot(db(), { municipalityId, cycleId, choices: projects.map((projectId) => ({ projectId, envelopeId: city })), ...extra });
    }
    await castTestBallot(db(), { municipalityId, cycleId, choices: [{ projectId: school, envelopeId: district }], arrondissementId });
    officer = await createTestUser(db(), { municipalityId, email: 'budget@respages.tn', roles: [{ role: 'budget_officer' }] });
    citizen = await createTestUser(db(), { municipalityId, phone: '+21620111222' });
    app = await buildTestApp(handle(), { defaultMunicipality: 'respages' });
  });

  after(async () => {
    await app.close();
  });

  test('before publication the public pages show no result and the downloads do not exist', async () => {
    const client = new TestClient(app);
    for (const url of ['/fr/budget/2026/results', `/fr/budget/2026/results/${city}`]) {
      const page = await client.get(url);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /ne sont pas encore publiés/);
      assert.match(page.body, /Le vote est clos/);
      assert.doesNotMatch(page.body, /Éclairage public/);
    }
    assert.equal((await client.get(`/fr/budget/2026/results/${city}.pb`)).statusCode, 404);
    assert.equal((await client.get(`/fr/budget/2026/results/${city}.csv`)).statusCode, 404);
    assert.equal((await client.get('/fr/budget/nope/results')).statusCode, 404);
    assert.equal((await client.get('/fr/budget/2026/results/999999')).statusCode, 404);
  });

  test('the staff preview computes the result; publishing needs the confirmation, a valid form and the right role', async () => {
    const visitor = new TestClient(app);
    await signIn(visitor, citizen);
    assert.equal((await visitor.get(`/fr/admin/budget/${cycleId}/results`)).statusCode, 403);

    const staff = new TestClient(app);
    await signIn(staff, officer);
    const preview = await staff.get(`/fr/admin/budget/${cycleId}/results`);
    assert.equal(preview.statusCode, 200);
    assert.match(preview.body, /Publier les résultats/);
    assert.match(preview.body, /Retenu au tour 1/);

    const unconfirmed = await staff.post(`/fr/admin/budget/${cycleId}/results/publish`, {});
    assert.equal(unconfirmed.statusCode, 400);
    assert.match(unconfirmed.body, /Cochez la case pour confirmer/);
    const badCsrf = await staff.post(`/fr/admin/budget/${cycleId}/results/publish`, { _csrf: 'forged', confirm: 'yes' });
    assert.equal(badCsrf.statusCode, 403);
    const still = await db().selectFrom('pb_cycles').select('results_published_at').where('id', '=', cycleId).executeTakeFirstOrThrow();
    assert.equal(still.results_published_at, null);

    await staff.get(`/fr/admin/budget/${cycleId}/results`);
    const published = await staff.post(`/fr/admin/budget/${cycleId}/results/publish`, { confirm: 'yes' });
    assert.equal(published.statusCode, 303);
    assert.equal(published.headers.location, `/fr/admin/budget/${cycleId}/results`);
    const after = await staff.get(`/fr/admin/budget/${cycleId}/results`);
    assert.match(after.body, /Les résultats sont publiés/);
    assert.doesNotMatch(after.body, /name="confirm"/);
    const again = await staff.post(`/fr/admin/budget/${cycleId}/results/publish`, { confirm: 'yes' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /déjà publiés/);
  });

  test('after publication: explanations in Arabic and French, turnout charts with their tables, downloads that match', async () => {
    const client = new TestClient(app);
    const ar = await client.get(`/ar/budget/2026/results/${city}`);
    assert.equal(ar.statusCode, 200);
    assert.match(ar.body, /حديقة عمومية/);
    assert.match(ar.body, /طريقة الحصص المتساوية/);
    assert.match(ar.body, /اختير في الجولة 1/);
    assert.match(ar.body, /role="img"/);
    assert.match(ar.body, /<title id="turnout-channel-chart-title">حسب طريقة التصويت<\/title>/);
    assert.match(ar.body, /<caption class="visually-hidden">حسب الجنس<\/caption>/);
    assert.match(ar.body, /على الورق/);
    const fr = await client.get(`/fr/budget/2026/results/${city}`);
    assert.match(fr.body, /Méthode des parts égales avec complément « \+1 »/);
    assert.match(fr.body, /Retenu au tour 1, au prix ρ/);
    assert.match(fr.body, /partisan\(s\) ont payé chacun/);
    assert.match(fr.body, /twiza pb tally 2026-\d+\.pb --rule mes_cost_sat_add1u --tie-breaking equalshares --lot-seed 'l'\\''an 2026'/);
    // The announced seed and how to redo the draw.
    assert.ok(fr.body.includes("La graine annoncée avant le dépouillement est « l'an 2026 »"));
    assert.ok(fr.body.includes("printf '%s\\0%s' 'l'\\''an 2026' CODE | sha256sum"), 'the draw command');
    // Every project is explained: selected or why not.
    for (const title of ['Éclairage public', 'Route &quot;du marché&quot;; tronçon 2']) assert.ok(fr.body.includes(title), title);

    const stored = await db().selectFrom('pb_results').select(['pb_sha256', 'ballot_count']).where('envelope_id', '=', city).executeTakeFirstOrThrow();
    assert.ok(fr.body.includes(stored.pb_sha256));
    const pb = await client.get(`/fr/budget/2026/results/${city}.pb`);
    assert.equal(pb.statusCode, 200);
    assert.match(String(pb.headers['content-disposition']), /attachment; filename="2026-\d+\.pb"/);
    assert.equal(createHash('sha256').update(pb.rawPayload).digest('hex'), stored.pb_sha256);
    const instance = parsePabulib(pb.body);
    assert.equal(instance.votes.length, 5);
    assert.equal(stored.ballot_count, 5);
    const csv = await client.get(`/fr/budget/2026/results/${city}.csv`);
    assert.equal(csv.statusCode, 200);
    assert.ok(csv.body.startsWith('\uFEFFballot_id,channel,vote\r\n'));
    const rows = csv.body.slice(1).trim().split('\r\n').slice(1).map((line) => line.split(',')[0]);
    assert.deepEqual(rows, instance.votes.map((v) => v.voterId));
    // The district envelope has its own single ballot.
    const districtFile = parsePabulib((await client.get(`/fr/budget/2026/results/${district}.pb`)).body);
    assert.deepEqual(districtFile.votes.map((v) => v.projects), [['4']]);

    const summary = await client.get('/ar/budget/2026/results');
    assert.match(summary.body, /المبالغ المخصّصة/);
    // One money format (money.ts): the 100 000 dinar envelope with a narrow space, never "100.000"
    // (which reads as 100 dinars in Tunisia).
    assert.match(summary.body, /\u2066100\u202f000\u2069 د\.ت/);
    assert.doesNotMatch(summary.body + ar.body, /\d\.\d{3}\u2069? د\.ت/);
    assert.match(summary.body, /لم تُلغَ أيّ مشاركة/);
    assert.match(summary.body, /حسب الفئة العمرية/);
  });
});
