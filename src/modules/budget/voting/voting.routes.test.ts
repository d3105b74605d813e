// The voting pages as a browser without JavaScript uses them: every step a plain form post, the
// SMS code read from the outbox, the ballot token only in a cookie, mistakes shown with every
// choice kept, one ballot per ID card, the receipt and its check; the counter (a ballot or a
// paper ballot handed out) and who may open it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../../test/support/fixtures.ts';
import { buildTestApp, TestClient } from '../../../../test/support/http.ts';
import type { MunicipalityRow, UserRow } from '../../../db/schema.ts';
import { signedInClient, textOf } from '../../admin/admin.test-support.ts';
import { insertBallot } from '../ballot-box.repository.ts';
import { createTestCycle, type TestCycle } from '../budget.test-support.ts';
import { firstNeighbourhood } from './voting.test-support.ts';

describeEachDatabase('budget voting pages', (suite) => {
  let app: FastifyInstance;
  let kef: MunicipalityRow;
  let approval: TestCycle;
  let knapsack: TestCycle;
  let closed: TestCycle;
  let neighbourhoodId: number;
  let agent: UserRow;
  let citizen: UserRow;
  let phones = 0;

  before(async () => {
    kef = await createTestMunicipality(suite.db(), 'votepages');
    approval = await createTestCycle(suite.db(), kef.id, { ballotType: 'approval', maxChoices: 2, slug: 'appr' });
    knapsack = await createTestCycle(suite.db(), kef.id, { ballotType: 'knapsack', slug: 'knap' });
    closed = await createTestCycle(suite.db(), kef.id, { phase: 'review', slug: 'later' });
    neighbourhoodId = (await firstNeighbourhood(suite.db(), kef.id)).id;
    agent = await createTestUser(suite.db(), { municipalityId: kef.id, email: 'agent@votepages.tn', roles: [{ role: 'staff_agent' }] });
    citizen = await createTestUser(suite.db(), { municipalityId: kef.id, phone: '+21698000001' });
    app = await buildTestApp(suite.handle(), { defaultMunicipality: 'votepages' });
  });
  after(() => app.close());

  const projectId = (cycle: TestCycle, code: string) => String(cycle.projects.find((p) => p.code === code)!.id);
  const ballotCount = async (cycle: TestCycle) =>
    Number((await suite.db().selectFrom('pb_ballots').select((eb) => eb.fn.countAll().as('n')).where('cycle_id', '=', cycle.cycle.id).executeTakeFirstOrThrow()).n);

  async function codeSentTo(recipient: string): Promise<string> {
    const message = await suite.db().selectFrom('outbox_messages').select('body').where('recipient', '=', recipient).orderBy('id', 'desc').executeTakeFirst();
    const code = message && /\b(\d{6})\b/.exec(message.body)?.[1];
    assert.ok(code, `a code was sent to ${recipient}`);
    return code;
  }

  /** Goes through the phone and code steps; returns a client holding a ballot token. */
  async function verifiedVoter(cycle: TestCycle, locale = 'ar'): Promise<TestClient> {
    phones += 1;
    const local = `22 ${String(100 + phones)} ${String(100 + phones)}`;
    const e164 = `+21622${String(100 + phones)}${String(100 + phones)}`;
    const client = new TestClient(app);
    const intro = await client.get(`/${locale}/budget/${cycle.cycle.slug}/vote`);
    assert.equal(intro.statusCode, 200);
    const sent = await client.post(`/${locale}/budget/${cycle.cycle.slug}/vote/phone`, { phone: local });
    assert.equal(sent.statusCode, 303, sent.body.slice(0, 400));
    assert.equal(sent.headers.location, `/${locale}/budget/${cycle.cycle.slug}/vote/code`);
    const codePage = await client.get(sent.headers.location as string);
    assert.equal(codePage.statusCode, 200);
    const confirmed = await client.post(`/${locale}/budget/${cycle.cycle.slug}/vote/code`, { code: await codeSentTo(e164) });
    assert.equal(confirmed.statusCode, 303, confirmed.body.slice(0, 400));
    assert.equal(confirmed.headers.location, `/${locale}/budget/${cycle.cycle.slug}/vote/residence`);
    return client;
  }

  test('the whole online vote in Arabic without JavaScript, then the receipt check', async () => {
    const client = new TestClient(app);
    const intro = await client.get('/ar/budget/appr/vote');
    assert.match(textOf(intro.body), /بطاقة التعريف الوطنية/);
    assert.match(intro.body, /action="\/ar\/budget\/appr\/vote\/phone"/);

    const voter = await verifiedVoter(approval);
    // The token is only in an HttpOnly cookie scoped to the vote's path, never in a URL.
    const tokenCookie = (await voter.get('/ar/budget/appr/vote/residence')).statusCode;
    assert.equal(tokenCookie, 200);
    assert.ok(voter.cookies.has('twiza_pb_ballot'));

    const ballot = await voter.get(`/ar/budget/appr/vote/ballot?neighbourhood=${neighbourhoodId}`);
    assert.equal(ballot.statusCode, 200);
    assert.match(ballot.body, /Project C1/);
    assert.match(ballot.body, /Project A1/, 'the district envelope is on the ballot');
    assert.match(ballot.body, /data-pb-envelope=/);
    assert.match(ballot.body, /<script src="\/static\/budget-ballot\.js\?v=[0-9a-f]{12}" defer><\/script>/);
    assert.match(ballot.body, /\u2066300\u2069 د\.ت/, 'costs in dinars, the figure isolated');
    // One money format (money.ts): 1 000 dinars with a narrow space, never "1.000" (1 dinar in Tunisia).
    assert.match(ballot.body, /\u20661\u202f000\u2069 د\.ت/);
    assert.doesNotMatch(ballot.body, /\d\.\d{3}\u2069? د\.ت/);
    assert.doesNotMatch(ballot.body, new RegExp(voter.cookies.get('twiza_pb_ballot')!), 'the token is not on the page');

    const cast = await voter.post('/ar/budget/appr/vote/ballot', {
      neighbourhood: String(neighbourhoodId),
      idNumber: '08 123 456',
      ageGroup: '25-34',
      gender: 'female',
      declaredEligible: 'yes',
      choice: [projectId(approval, 'C1'), projectId(approval, 'A1')],
    });
    assert.equal(cast.statusCode, 303, textOf(cast.body).slice(0, 600));
    assert.equal(cast.headers.location, '/ar/budget/appr/vote/done');
    assert.equal(await ballotCount(approval), 1);
    assert.ok(!voter.cookies.has('twiza_pb_ballot'), 'the token is gone');

    const done = await voter.get('/ar/budget/appr/vote/done');
    assert.equal(done.statusCode, 200);
    const code = /<strong dir="ltr">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<\/strong>/.exec(done.body)?.[1];
    assert.ok(code, 'the receipt code is shown');
    assert.match(done.body, /Project C1/);
    assert.match(done.body, /Project A1/);
    assert.doesNotMatch(done.body, /Project C2/);

    // Anyone with the code can check it, typed loosely.
    const loose = code.replace(/-/g, '').toLowerCase();
    const check = await new TestClient(app).get(`/fr/budget/appr/receipt?code=${loose}`);
    assert.equal(check.statusCode, 200);
    assert.match(textOf(check.body), new RegExp(`Votre bulletin ${code} est dans l’urne`));
    assert.match(textOf(check.body), /Mode de vote : en ligne/);
    assert.match(check.body, /Project A1/);

    const missing = await new TestClient(app).get('/fr/budget/appr/receipt?code=0000-0000-0000');
    assert.match(textOf(missing.body), /Aucun bulletin ne porte le code/);
    const invalid = await new TestClient(app).get('/fr/budget/appr/receipt?code=abc');
    assert.equal(invalid.statusCode, 400);
    assert.match(textOf(invalid.body), /12 lettres et chiffres/);
  });

  test('a ballot with mistakes comes back explained, with every choice kept, and nothing is stored', async () => {
    const voter = await verifiedVoter(knapsack, 'fr');
    const before = await ballotCount(knapsack);
    // C2 + C3 + C4 = 1,100 TND in a 1,000 TND envelope; no declaration.
    const response = await voter.post('/fr/budget/knap/vote/ballot', {
      neighbourhood: String(neighbourhoodId),
      idNumber: '07654321',
      ageGroup: '45-59',
      choice: [projectId(knapsack, 'C2'), projectId(knapsack, 'C3'), projectId(knapsack, 'C4')],
    });
    assert.equal(response.statusCode, 400);
    const text = textOf(response.body);
    assert.match(text, /Le total de 1[  ]100 DT dépasse l’enveloppe de 1[  ]000 DT/);
    assert.match(text, /Vous devez déclarer/);
    for (const code of ['C2', 'C3', 'C4']) {
      assert.match(response.body, new RegExp(`id="field-project_${projectId(knapsack, code)}" name="choice" value="${projectId(knapsack, code)}" checked`));
    }
    assert.doesNotMatch(response.body, new RegExp(`value="${projectId(knapsack, 'C1')}" checked`));
    assert.match(response.body, /name="idNumber" type="text" value="07654321"/);
    assert.match(response.body, /<option value="45-59" selected>/);
    assert.equal(await ballotCount(knapsack), before);

    // A project of another cycle is not on this ballot, by name.
    const forged = await voter.post('/fr/budget/knap/vote/ballot', {
      neighbourhood: String(neighbourhoodId),
      idNumber: '07654321',
      ageGroup: '45-59',
      declaredEligible: 'yes',
      choice: [projectId(approval, 'C1')],
    });
    assert.equal(forged.statusCode, 400);
    assert.match(textOf(forged.body), /Project C1 \(C1\) n’est pas sur le bulletin de votre quartier|n’est pas sur le bulletin/);

    // A wrong CSRF token: the ballot comes back as typed, nothing stored.
    const csrf = await voter.post('/fr/budget/knap/vote/ballot', {
      _csrf: 'forged',
      neighbourhood: String(neighbourhoodId),
      idNumber: '07654321',
      ageGroup: '45-59',
      declaredEligible: 'yes',
      choice: [projectId(knapsack, 'C2')],
    });
    assert.equal(csrf.statusCode, 403);
    assert.match(csrf.body, new RegExp(`value="${projectId(knapsack, 'C2')}" checked`));
    assert.equal(await ballotCount(knapsack), before);

    const ok = await voter.post('/fr/budget/knap/vote/ballot', {
      neighbourhood: String(neighbourhoodId),
      idNumber: '07654321',
      ageGroup: '45-59',
      declaredEligible: 'yes',
      choice: [projectId(knapsack, 'C2'), projectId(knapsack, 'C3')],
    });
    assert.equal(ok.statusCode, 303, textOf(ok.body).slice(0, 600));
    assert.equal(await ballotCount(knapsack), before + 1);
  });

  test('the same ID card cannot vote twice: the second ballot is refused with its choices kept', async () => {
    const first = await verifiedVoter(approval, 'fr');
    const fields = { neighbourhood: String(neighbourhoodId), idNumber: '11223344', ageGroup: '18-24', declaredEligible: 'yes', choice: [projectId(approval, 'C2')] };
    assert.equal((await first.post('/fr/budget/appr/vote/ballot', fields)).statusCode, 303);
    const count = await ballotCount(approval);
    const second = await verifiedVoter(approval, 'fr');
    const again = await second.post('/fr/budget/appr/vote/ballot', { ...fields, choice: [projectId(approval, 'C3')] });
    assert.equal(again.statusCode, 400, textOf(again.body).slice(0, 400));
    assert.match(textOf(again.body), /déjà voté/);
    assert.match(again.body, new RegExp(`value="${projectId(approval, 'C3')}" checked`));
    assert.match(again.body, /name="idNumber" type="text" value="11223344"/);
    assert.equal(await ballotCount(approval), count);
  });

  test('without a ballot token the ballot sends the voter back to the start', async () => {
    const client = new TestClient(app);
    const page = await client.get(`/fr/budget/appr/vote/ballot?neighbourhood=${neighbourhoodId}`);
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/fr/budget/appr/vote');
    await client.get('/fr/budget/appr/vote');
    const posted = await client.post('/fr/budget/appr/vote/ballot', { neighbourhood: String(neighbourhoodId), idNumber: '55667788', ageGroup: '18-24', declaredEligible: 'yes', choice: [projectId(approval, 'C1')] });
    assert.equal(posted.statusCode, 303);
    const code = await client.get('/fr/budget/appr/vote/code');
    assert.equal(code.statusCode, 303, 'no code page without a phone check');
  });

  test('outside the voting phase the vote page says when voting opens', async () => {
    const page = await new TestClient(app).get('/fr/budget/later/vote');
    assert.equal(page.statusCode, 200);
    assert.match(textOf(page.body), /Le vote n’est pas encore ouvert/);
    assert.doesNotMatch(page.body, /vote\/phone/);
    assert.equal((await new TestClient(app).get('/fr/budget/nope/vote')).statusCode, 404);
    void closed;
  });

  test('at the counter, staff enter a citizen’s ballot and print a receipt, or hand a paper ballot', async () => {
    const staff = await signedInClient(app, agent, 'localhost');
    const base = `/fr/admin/budget/${approval.cycle.id}/counter`;
    const choose = await staff.get(base);
    assert.equal(choose.statusCode, 200);
    assert.doesNotMatch(choose.body, /name="idNumber"/, 'first the neighbourhood');
    const form = await staff.get(`${base}?neighbourhood=${neighbourhoodId}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="idNumber"/);
    assert.match(form.body, /Project A1/);

    const count = await ballotCount(approval);
    const cast = await staff.post(base, { neighbourhood: String(neighbourhoodId), idNumber: '22334455', ageGroup: '60+', intent: 'ballot', choice: [projectId(approval, 'C4')] });
    assert.equal(cast.statusCode, 303, textOf(cast.body).slice(0, 600));
    assert.equal(cast.headers.location, `${base}/receipt`);
    const receipt = await staff.get(`${base}/receipt`);
    assert.equal(receipt.statusCode, 200);
    assert.match(receipt.body, /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
    assert.match(receipt.body, /Project C4/);
    assert.equal(await ballotCount(approval), count + 1);
    const counter = await suite.db().selectFrom('pb_participations').selectAll().where('cycle_id', '=', approval.cycle.id).where('channel', '=', 'counter').execute();
    assert.equal(counter.length, 1);
    assert.equal(counter[0]!.verified_by, agent.id);

    await staff.get(`${base}?neighbourhood=${neighbourhoodId}`);
    const paper = await staff.post(base, { neighbourhood: String(neighbourhoodId), idNumber: '33445566', ageGroup: '35-44', gender: 'male', intent: 'paper' });
    assert.equal(paper.statusCode, 303, textOf(paper.body).slice(0, 600));
    const papers = await suite.db().selectFrom('pb_participations').selectAll().where('cycle_id', '=', approval.cycle.id).where('channel', '=', 'paper').execute();
    assert.equal(papers.length, 1);
    assert.equal(await ballotCount(approval), count + 1, 'a paper voter puts no ballot in the box yet');

    // The same card again, in either channel: refused, the form keeps what was typed.
    await staff.get(`${base}?neighbourhood=${neighbourhoodId}`);
    const twice = await staff.post(base, { neighbourhood: String(neighbourhoodId), idNumber: '33 445 566', ageGroup: '35-44', intent: 'ballot', choice: [projectId(approval, 'C1')] });
    assert.equal(twice.statusCode, 400);
    assert.match(textOf(twice.body), /déjà voté/);
    assert.match(twice.body, /name="idNumber" type="text" value="33 445 566"/);
    assert.match(twice.body, new RegExp(`value="${projectId(approval, 'C1')}" checked`));
    assert.equal(await ballotCount(approval), count + 1);
  });

  test('cumulative ballots: points per project, too many points refused with the points kept', async () => {
    const cumulative = await createTestCycle(suite.db(), kef.id, { ballotType: 'cumulative', totalPoints: 10, slug: 'cumul' });
    const voter = await verifiedVoter(cumulative, 'en');
    const page = await voter.get(`/en/budget/cumul/vote/ballot?neighbourhood=${neighbourhoodId}`);
    assert.match(page.body, /Share 10 points between the projects/);
    const c1 = projectId(cumulative, 'C1');
    const c2 = projectId(cumulative, 'C2');
    const base = { neighbourhood: String(neighbourhoodId), idNumber: '66778899', ageGroup: '25-34', declaredEligible: 'yes' };
    const over = await voter.post('/en/budget/cumul/vote/ballot', { ...base, [`points.${c1}`]: '7', [`points.${c2}`]: '5' });
    assert.equal(over.statusCode, 400);
    assert.match(textOf(over.body), /12 points given, 10 at most/);
    assert.match(over.body, new RegExp(`name="points\\.${c1}"[^>]*value="7"`));
    assert.match(over.body, new RegExp(`name="points\\.${c2}"[^>]*value="5"`));
    const ok = await voter.post('/en/budget/cumul/vote/ballot', { ...base, [`points.${c1}`]: '6', [`points.${c2}`]: '4', [`points.${projectId(cumulative, 'C3')}`]: '0' });
    assert.equal(ok.statusCode, 303, textOf(ok.body).slice(0, 500));
    const choices = await suite
      .db()
      .selectFrom('pb_ballot_choices')
      .innerJoin('pb_ballots', 'pb_ballots.id', 'pb_ballot_choices.ballot_id')
      .select(['pb_ballot_choices.project_id', 'pb_ballot_choices.value'])
      .where('pb_ballots.cycle_id', '=', cumulative.cycle.id)
      .orderBy('pb_ballot_choices.value', 'desc')
      .execute();
    assert.deepEqual(
      choices.map((c) => [String(c.project_id), c.value]),
      [
        [c1, 6],
        [c2, 4],
      ],
    );
    assert.match(textOf((await voter.get('/en/budget/cumul/vote/done')).body), /Project C1 \(C1\) — 6 points/);
  });

  test('ranking ballots: ranks must follow each other; the receipt lists them in rank order', async () => {
    const ranking = await createTestCycle(suite.db(), kef.id, { ballotType: 'ranking', maxChoices: 3, slug: 'rank' });
    const voter = await verifiedVoter(ranking, 'en');
    const [c1, c2, c3] = ['C1', 'C2', 'C3'].map((code) => projectId(ranking, code));
    const base = { neighbourhood: String(neighbourhoodId), idNumber: '77889900', ageGroup: '18-24', declaredEligible: 'yes' };
    const gap = await voter.post('/en/budget/rank/vote/ballot', { ...base, [`rank.${c1}`]: '1', [`rank.${c2}`]: '3' });
    assert.equal(gap.statusCode, 400);
    assert.match(textOf(gap.body), /Ranks must follow each other/);
    assert.match(gap.body, new RegExp(`name="rank\\.${c2}"[^]*?<option value="3" selected>`));
    const ok = await voter.post('/en/budget/rank/vote/ballot', { ...base, [`rank.${c3}`]: '1', [`rank.${c1}`]: '2' });
    assert.equal(ok.statusCode, 303, textOf(ok.body).slice(0, 500));
    const receipt = textOf((await voter.get('/en/budget/rank/vote/done')).body);
    assert.match(receipt, /Project C3 \(C3\) — Rank 1 Project C1 \(C1\) — Rank 2/);
  });

  test('after the results, the vote page links to them and a receipt is said to be in the published files', async () => {
    const published = await createTestCycle(suite.db(), kef.id, { phase: 'results', slug: 'published' });
    const receipt = await insertBallot(suite.db(), {
      municipalityId: kef.id,
      cycleId: published.cycle.id,
      channel: 'paper',
      choices: [{ projectId: published.projects[0]!.id, envelopeId: published.projects[0]!.envelope_id, value: 1 }],
    });
    const vote = await new TestClient(app).get('/fr/budget/published/vote');
    assert.match(textOf(vote.body), /les résultats sont publiés/);
    assert.match(vote.body, /href="\/fr\/budget\/published\/results"/);
    const check = await new TestClient(app).get(`/fr/budget/published/receipt?code=${receipt}`);
    assert.match(textOf(check.body), /Mode de vote : bulletin papier/);
    assert.match(textOf(check.body), /Il figure aussi dans les fichiers publiés avec les résultats/);
    assert.match(check.body, /href="\/fr\/budget\/published\/results"/);
  });

  test('a citizen cannot open the counter', async () => {
    const client = await signedInClient(app, citizen, 'localhost');
    assert.equal((await client.get(`/fr/admin/budget/${approval.cycle.id}/counter`)).statusCode, 403);
    const anonymous = await new TestClient(app).get(`/fr/admin/budget/${approval.cycle.id}/counter`);
    assert.notEqual(anonymous.statusCode, 200);
  });
});
