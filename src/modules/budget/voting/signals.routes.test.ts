// The fraud signals report and annulments in the back office: who may open them, the per-hour
// chart with its table, a burst from one address proposed for annulment, the confirm step with
// its required reason, and the annulment voiding the ballot (its receipt then says so).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../../test/support/fixtures.ts';
import { buildTestApp, TEST_SECRET, TestClient } from '../../../../test/support/http.ts';
import type { MunicipalityRow, UserRow } from '../../../db/schema.ts';
import { nowIso } from '../../../lib/time.ts';
import { signedInClient, textOf } from '../../admin/admin.test-support.ts';
import { createTestCycle, type TestCycle } from '../budget.test-support.ts';
import { ipKey, voterKey } from './voters.ts';
import { firstNeighbourhood } from './voting.test-support.ts';
import { castCounterBallot } from './voting.service.ts';

describeEachDatabase('budget fraud signals and annulment pages', (suite) => {
  let app: FastifyInstance;
  let kef: MunicipalityRow;
  let cycle: TestCycle;
  let neighbourhoodId: number;
  let officer: UserRow;
  let agent: UserRow;
  let citizen: UserRow;

  before(async () => {
    kef = await createTestMunicipality(suite.db(), 'signalpages');
    cycle = await createTestCycle(suite.db(), kef.id, { ballotType: 'approval', slug: 'sig' });
    neighbourhoodId = (await firstNeighbourhood(suite.db(), kef.id)).id;
    officer = await createTestUser(suite.db(), { municipalityId: kef.id, email: 'officer@signalpages.tn', displayName: 'Salma Officer', roles: [{ role: 'budget_officer' }] });
    agent = await createTestUser(suite.db(), { municipalityId: kef.id, email: 'agent@signalpages.tn', roles: [{ role: 'staff_agent' }] });
    citizen = await createTestUser(suite.db(), { municipalityId: kef.id, phone: '+21698000002' });
    app = await buildTestApp(suite.handle(), { defaultMunicipality: 'signalpages' });
  });
  after(() => app.close());

  /** One real online vote from this address (so its ballot carries a seal); returns the receipt code. */
  async function voteOnline(): Promise<string> {
    const client = new TestClient(app);
    await client.get('/fr/budget/sig/vote');
    assert.equal((await client.post('/fr/budget/sig/vote/phone', { phone: '22 777 888' })).statusCode, 303);
    const message = await suite.db().selectFrom('outbox_messages').select('body').where('recipient', '=', '+21622777888').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await client.get('/fr/budget/sig/vote/code');
    assert.equal((await client.post('/fr/budget/sig/vote/code', { code: /\b(\d{6})\b/.exec(message.body)![1]! })).statusCode, 303);
    await client.get(`/fr/budget/sig/vote/ballot?neighbourhood=${neighbourhoodId}`);
    const cast = await client.post('/fr/budget/sig/vote/ballot', {
      neighbourhood: String(neighbourhoodId),
      idNumber: '44556677',
      ageGroup: '25-34',
      declaredEligible: 'yes',
      choice: [String(cycle.projects[0]!.id)],
    });
    assert.equal(cast.statusCode, 303, textOf(cast.body).slice(0, 500));
    const done = await client.get('/fr/budget/sig/vote/done');
    return /([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(done.body)![1]!;
  }

  test('a citizen and a staff agent may open neither the signals nor the annulments', async () => {
    for (const user of [citizen, agent]) {
      const client = await signedInClient(app, user, 'localhost');
      assert.equal((await client.get(`/fr/admin/budget/${cycle.cycle.id}/signals`)).statusCode, 403);
      assert.equal((await client.get(`/fr/admin/budget/${cycle.cycle.id}/annulments`)).statusCode, 403);
      await client.get('/fr/budget/sig/vote');
      const posted = await client.post(`/fr/admin/budget/${cycle.cycle.id}/annulments`, { participations: '1', confirm: 'yes', reason: 'x' });
      assert.equal(posted.statusCode, 403);
    }
    assert.equal(await suite.db().selectFrom('pb_annulments').select('id').executeTakeFirst(), undefined);
  });

  test('a burst from one address is reported, proposed for annulment, confirmed with a reason, and its ballot voided', async () => {
    const receipt = await voteOnline();
    assert.match(textOf((await new TestClient(app).get(`/fr/budget/sig/receipt?code=${receipt}`)).body), /est dans l’urne/);
    // Eleven more participations from the same address in the same hour: a burst.
    const hour = nowIso().slice(0, 13);
    for (let i = 0; i < 11; i += 1) {
      await suite
        .db()
        .insertInto('pb_participations')
        .values({
          municipality_id: kef.id,
          cycle_id: cycle.cycle.id,
          voter_key: voterKey(TEST_SECRET, kef.id, String(30_000_000 + i)),
          channel: 'online',
          phone_hash: null,
          phone_slot: null,
          ip_hash: ipKey(TEST_SECRET, '127.0.0.1'),
          arrondissement_id: null,
          neighbourhood_id: null,
          gender: null,
          age_group: '18-24',
          voted_hour: hour,
          verified_by: null,
          ballot_seal: null,
          annulment_id: null,
        })
        .execute();
    }
    const staff = await signedInClient(app, officer, 'localhost');
    const page = await staff.get(`/fr/admin/budget/${cycle.cycle.id}/signals`);
    assert.equal(page.statusCode, 200);
    const text = textOf(page.body);
    assert.match(text, /Total : 12 participations/);
    assert.match(page.body, /<svg[^>]*class="chart/);
    assert.match(text, /Rafales depuis une même adresse IP/);
    assert.match(text, /Proposer l’annulation de 12 participations/);
    const ids = /name="participations" value="([\d ]+)"/.exec(page.body)![1]!;
    assert.equal(ids.split(' ').length, 12);

    const confirm = await staff.post(`/fr/admin/budget/${cycle.cycle.id}/annulments`, { participations: ids, about: 'x' });
    assert.equal(confirm.statusCode, 200);
    assert.match(textOf(confirm.body), /12 participations seront annulées/);
    assert.match(confirm.body, /name="reason"/);

    const noReason = await staff.post(`/fr/admin/budget/${cycle.cycle.id}/annulments`, { participations: ids, confirm: 'yes', reason: '  ' });
    assert.equal(noReason.statusCode, 400);
    assert.match(textOf(noReason.body), /Indiquez le motif/);
    assert.equal(await suite.db().selectFrom('pb_annulments').select('id').executeTakeFirst(), undefined);

    const done = await staff.post(`/fr/admin/budget/${cycle.cycle.id}/annulments`, { participations: ids, confirm: 'yes', reason: 'Rafale de votes depuis une seule adresse la nuit du 14' });
    assert.equal(done.statusCode, 303, textOf(done.body).slice(0, 500));
    assert.equal(done.headers.location, `/fr/admin/budget/${cycle.cycle.id}/annulments`);
    const annulled = await suite.db().selectFrom('pb_participations').select('id').where('cycle_id', '=', cycle.cycle.id).where('annulment_id', 'is not', null).execute();
    assert.equal(annulled.length, 12);

    const list = await staff.get(`/fr/admin/budget/${cycle.cycle.id}/annulments`);
    assert.match(textOf(list.body), /Rafale de votes depuis une seule adresse la nuit du 14/);
    assert.match(textOf(list.body), /Salma Officer/);

    // The ballot is gone from the box: the receipt is not found, and the page says that an
    // annulment is one reason why, pointing to the annulments published with the results.
    assert.equal(await suite.db().selectFrom('pb_ballots').select('id').where('id', '=', receipt.replace(/-/g, '')).executeTakeFirst(), undefined);
    // One ballot voided (the other eleven participations were written without a ballot).
    const annulment = await suite.db().selectFrom('pb_annulments').select(['ballots_voided', 'paper_participations']).executeTakeFirstOrThrow();
    assert.deepEqual([Number(annulment.ballots_voided), Number(annulment.paper_participations)], [1, 0]);
    const check = await new TestClient(app).get(`/fr/budget/sig/receipt?code=${receipt}`);
    assert.match(textOf(check.body), /Aucun bulletin ne porte le code/);
    assert.match(textOf(check.body), /la participation qui l’accompagnait a été annulée/);
    assert.match(check.body, /href="\/fr\/budget\/sig\/results#annulments"/);

    // The report leaves annulled participations out.
    assert.match(textOf((await staff.get(`/fr/admin/budget/${cycle.cycle.id}/signals`)).body), /Total : 0 participation/);
  });
  test('a card someone else voted with is found by its number, annulled with a reason, and freed for its holder', async () => {
    // Someone voted at a counter with the card 12340077; its holder comes to the counter.
    const counter = (choice: number) =>
      castCounterBallot(suite.db(), {
        secretKey: TEST_SECRET,
        actor: { userId: officer.id, municipalityId: kef.id, roles: [{ role: 'budget_officer', departmentId: null }] },
        municipalityId: kef.id,
        cycleId: cycle.cycle.id,
        idNumber: '12340077',
        residence: { neighbourhoodId },
        ageGroup: '45-59',
        gender: 'female',
        choices: [{ projectId: cycle.projects[choice]!.id, value: 1 }],
      });
    const { receipt } = await counter(0);
    await assert.rejects(counter(1));
    const staff = await signedInClient(app, officer, 'localhost');
    const list = await staff.get(`/fr/admin/budget/${cycle.cycle.id}/annulments`);
    assert.match(textOf(list.body), /Une carte utilisée par quelqu’un d’autre/);
    const unknown = await staff.post(`/fr/admin/budget/${cycle.cycle.id}/annulments/by-card`, { idNumber: '99 88 77 66' });
    assert.equal(unknown.statusCode, 404);
    assert.match(textOf(unknown.body), /Aucune participation avec cette carte/);
    const found = await staff.post(`/fr/admin/budget/${cycle.cycle.id}/annulments/by-card`, { idNumber: '1234 0077' });
    assert.equal(found.statusCode, 200, textOf(found.body).slice(0, 400));
    assert.match(textOf(found.body), /carte d’identité se terminant par 77/);
    // The number typed is neither shown back nor kept in the form.
    assert.doesNotMatch(found.body, /12340077|1234 0077/);
    const ids = /name="participations" value="(\d+)"/.exec(found.body)![1]!;
    const done = await staff.post(`/fr/admin/budget/${cycle.cycle.id}/annulments`, { participations: ids, confirm: 'yes', reason: 'Carte utilisée par un tiers ; la titulaire a voté au guichet' });
    assert.equal(done.statusCode, 303);
    assert.equal(await suite.db().selectFrom('pb_ballots').select('id').where('id', '=', receipt).executeTakeFirst(), undefined);
    // The card is free: the lookup finds nothing, and the holder can vote.
    const again = await staff.post(`/fr/admin/budget/${cycle.cycle.id}/annulments/by-card`, { idNumber: '12340077' });
    assert.equal(again.statusCode, 404);
    const own = await counter(1);
    assert.ok(await suite.db().selectFrom('pb_ballots').select('id').where('id', '=', own.receipt).executeTakeFirst());
    // An agent may not look cards up.
    const agentClient = await signedInClient(app, agent, 'localhost');
    assert.equal((await agentClient.post(`/fr/admin/budget/${cycle.cycle.id}/annulments/by-card`, { idNumber: '12340077' })).statusCode, 403);
  });
});
