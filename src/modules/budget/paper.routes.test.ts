import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { UserRow } from '../../db/schema.ts';
import { randomToken } from '../../lib/crypto.ts';
import { nowIso } from '../../lib/time.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { buildTestApp, testConfig, TestClient } from '../../../test/support/http.ts';
import { signedInClient, textOf } from '../admin/admin.test-support.ts';
import { createTestCycle, type TestCycle } from './budget.test-support.ts';

describeEachDatabase('paper ballot pages', (suite) => {
  let app: FastifyInstance;
  let municipalityId: number;
  let agent1: UserRow;
  let agent2: UserRow;
  let officer: UserRow;
  let citizen: UserRow;
  let keyer1: TestClient;
  let keyer2: TestClient;
  let team: TestClient;
  let tc: TestCycle;
  const slug = `paperr${suite.kind}`;
  const host = `${slug}.example`;

  before(async () => {
    const municipality = await createTestMunicipality(suite.db(), slug, [host]);
    municipalityId = municipality.id;
    const user = (role: 'staff_agent' | 'budget_officer' | null, name: string) =>
      createTestUser(suite.db(), { municipalityId, email: `${name}-${randomToken(3)}@example.tn`, displayName: name, roles: role ? [{ role }] : [] });
    agent1 = await user('staff_agent', 'Amira Keyer');
    agent2 = await user('staff_agent', 'Bilel Keyer');
    officer = await user('budget_officer', 'Salma Officer');
    citizen = await user(null, 'Citizen');
    app = await buildTestApp(suite.handle(), { config: testConfig({ DEFAULT_MUNICIPALITY: slug }), defaultMunicipality: slug });
    keyer1 = await signedInClient(app, agent1, host);
    keyer2 = await signedInClient(app, agent2, host);
    team = await signedInClient(app, officer, host);
    tc = await createTestCycle(suite.db(), municipalityId);
    // Three people signed the list when handed a paper ballot (as the counter registers them).
    for (let i = 0; i < 3; i += 1) {
      await suite
        .db()
        .insertInto('pb_participations')
        .values({
          municipality_id: municipalityId,
          cycle_id: tc.cycle.id,
          voter_key: randomToken(),
          channel: 'paper',
          phone_hash: null,
          phone_slot: null,
          ip_hash: null,
          arrondissement_id: null,
          neighbourhood_id: null,
          gender: null,
          age_group: null,
          voted_hour: nowIso().slice(0, 13),
          verified_by: officer.id,
          ballot_seal: null,
          annulment_id: null,
        })
        .execute();
    }
  });
  after(() => app.close());

  const base = (locale = 'fr') => `/${locale}/admin/budget/${tc.cycle.id}/paper`;
  const batches = () => suite.db().selectFrom('pb_paper_batches').selectAll().where('cycle_id', '=', tc.cycle.id).orderBy('id').execute();
  const entries = (batchId: number) => suite.db().selectFrom('pb_paper_entries').selectAll().where('batch_id', '=', batchId).orderBy('pass').orderBy('position').execute();
  const project = (code: string) => tc.projects.find((p) => p.code === code)!.id;
  const district = () => String(tc.envelopes.find((e) => e.scope !== 'city')!.id);
  const entryUrl = (batchId: number, pass: number, position: number, locale = 'fr') => `${base(locale)}/${batchId}/pass/${pass}/${position}`;
  /** Keys one ballot through the form (fetching it first, as a browser would). */
  const key = (client: TestClient, batchId: number, pass: number, position: number, codes: string[], state = 'marked') =>
    client.submit(entryUrl(batchId, pass, position), entryUrl(batchId, pass, position), {
      state,
      ...Object.fromEntries(codes.map((c) => [`project_${project(c)}`, '1'])),
    });

  test('citizens and visitors do not reach the pages', async () => {
    const visitor = new TestClient(app, host);
    const anonymous = await visitor.get(base());
    assert.notEqual(anonymous.statusCode, 200);
    const person = await signedInClient(app, citizen, host);
    assert.equal((await person.get(base())).statusCode, 403);
  });

  test('a batch is opened from the list; mistakes keep what was typed, a bad CSRF token changes nothing', async () => {
    const page = await keyer1.get(base('ar'));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="batchNumber"/);
    assert.match(page.body, /lang="ar"/);

    const wrong = await keyer1.post(base(), { batchNumber: 'B-07', station: 'Guichet de la mairie', sheet: district(), declaredCount: 'trois' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /value="B-07"/);
    assert.match(wrong.body, /value="Guichet de la mairie"/);
    assert.match(textOf(wrong.body), /Nombre de bulletins dans l’enveloppe/);
    assert.match(wrong.body, new RegExp(`<option value="${district()}" selected`));

    const forged = await keyer1.post(base(), { _csrf: 'forged', batchNumber: 'B-07', station: 'Guichet', sheet: district(), declaredCount: '3' });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, /value="B-07"/);
    assert.deepEqual(await batches(), []);

    const created = await keyer1.post(base(), { batchNumber: 'b-07', station: 'Guichet de la mairie', sheet: district(), declaredCount: '٣' });
    assert.equal(created.statusCode, 303);
    const [batch] = await batches();
    assert.equal(batch!.batch_number, 'B-07');
    assert.equal(batch!.declared_count, 3);
    assert.equal(created.headers.location, `${base()}/${batch!.id}`);

    const again = await keyer1.submit(base(), base(), { batchNumber: 'B-07', station: '', sheet: district(), declaredCount: '2' });
    assert.equal(again.statusCode, 400);
    assert.match(textOf(again.body), /Un lot porte déjà ce numéro dans ce cycle/);
    assert.equal((await batches()).length, 1);
  });

  test('double entry through the pages: blind passes, differences side by side, correction, acceptance by the team', async () => {
    const batchId = (await batches())[0]!.id;
    const form = await keyer1.get(entryUrl(batchId, 1, 1));
    assert.equal(form.statusCode, 200);
    assert.match(form.body, new RegExp(`name="project_${project('A1')}"`), 'the district’s projects are on the sheet');
    assert.match(textOf(form.body), /Lot B-07, saisie 1 : bulletin 1 sur 3/);

    // A slip: a project ticked on a ballot said to be blank. The tick stays, nothing is saved.
    const slip = await keyer1.post(entryUrl(batchId, 1, 1), { state: 'blank', [`project_${project('C1')}`]: '1' });
    assert.equal(slip.statusCode, 400);
    assert.match(slip.body, new RegExp(`name="project_${project('C1')}" value="1" checked`));
    assert.match(textOf(slip.body), /Un bulletin blanc ne porte aucun projet/);
    assert.deepEqual(await entries(batchId), []);
    const forged = await keyer1.post(entryUrl(batchId, 1, 1), { _csrf: 'nope', state: 'marked', [`project_${project('C2')}`]: '1' });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, new RegExp(`name="project_${project('C2')}" value="1" checked`));
    assert.deepEqual(await entries(batchId), []);

    const saved = await key(keyer1, batchId, 1, 1, ['C1', 'A1']);
    assert.equal(saved.statusCode, 303);
    assert.equal(saved.headers.location, entryUrl(batchId, 1, 2));
    await key(keyer1, batchId, 1, 2, ['C2']);
    const last = await key(keyer1, batchId, 1, 3, [], 'spoilt');
    assert.equal(last.headers.location, `${base()}/${batchId}`);

    // The same person cannot go on to pass 2.
    const refused = await keyer1.get(entryUrl(batchId, 2, 1));
    assert.equal(refused.statusCode, 409);
    assert.match(textOf(refused.body), /Vous avez saisi dans la saisie 1 de ce lot/);

    // Pass 2 sees the progress of pass 1, never its content.
    const batchPage = await keyer2.get(`${base()}/${batchId}`);
    assert.match(textOf(batchPage.body), /Saisie 1 3 sur 3 saisis/);
    assert.match(textOf(batchPage.body), /Amira Keyer/);
    assert.doesNotMatch(batchPage.body, /paper-entry/);
    assert.equal((await keyer2.get(entryUrl(batchId, 1, 2))).statusCode, 409);
    await key(keyer2, batchId, 2, 1, ['C1', 'A1']);
    await key(keyer2, batchId, 2, 2, ['C3']);
    await key(keyer2, batchId, 2, 3, [], 'spoilt');

    const compared = await team.get(`${base()}/${batchId}`);
    const text = textOf(compared.body);
    assert.match(text, /1 écart sur 3 bulletins/);
    assert.match(text, /2 C2 C3/, 'ballot 2 side by side');
    assert.match(text, /Acceptation impossible : les deux saisies ne concordent pas/);
    assert.doesNotMatch(compared.body, /\/accept"/);

    // Keyer 1 re-reads the paper and corrects ballot 2 of their pass.
    const correction = await keyer1.get(entryUrl(batchId, 1, 2));
    assert.match(correction.body, new RegExp(`name="project_${project('C2')}" value="1" checked`));
    assert.match(textOf(correction.body), /L’autre saisie a lu : C3/);
    const corrected = await key(keyer1, batchId, 1, 2, ['C3']);
    assert.equal(corrected.headers.location, `${base()}/${batchId}`);

    const agreed = await team.get(`${base()}/${batchId}`);
    assert.match(textOf(agreed.body), /Les deux saisies concordent sur tous les bulletins \(3\)/);
    assert.match(textOf(agreed.body), /l’urne contiendra 3 bulletins papier ; 3 votants sont inscrits/);

    // An agent may key, not accept.
    const byAgent = await keyer2.submit(`${base()}/${batchId}`, `${base()}/${batchId}/accept`, { version: String((await batches())[0]!.version) });
    assert.equal(byAgent.statusCode, 403);
    // A stale page: refused with the page shown again.
    const stale = await team.submit(`${base()}/${batchId}`, `${base()}/${batchId}/accept`, { version: '1' });
    assert.equal(stale.statusCode, 409);
    assert.match(textOf(stale.body), /Le lot a changé depuis l’ouverture de la page/);
    const accepted = await team.submit(`${base()}/${batchId}`, `${base()}/${batchId}/accept`, { version: String((await batches())[0]!.version) });
    assert.equal(accepted.statusCode, 303);
    const shown = await team.get(`${base()}/${batchId}`);
    assert.match(textOf(shown.body), /Lot accepté : ses bulletins sont dans l’urne/);
    assert.match(textOf(shown.body), /accepté/);
    const box = await suite.db().selectFrom('pb_ballots').selectAll().where('cycle_id', '=', tc.cycle.id).execute();
    assert.equal(box.length, 3);
    assert.ok(box.every((b) => b.channel === 'paper' && b.paper_batch_id === batchId));
    const list = await team.get(base('ar'));
    assert.match(textOf(list.body), /مقبولة/);
    assert.match(textOf(list.body), /Amira Keyer[\s\S]*Bilel Keyer/, 'the list says who keyed each pass');
  });

  test('a batch above the paper voters cannot be accepted: both numbers are said; a rejection needs a reason', async () => {
    const created = await keyer1.submit(base(), base(), { batchNumber: '8', station: '', sheet: 'city', declaredCount: '1' });
    assert.equal(created.statusCode, 303);
    const batch = (await batches()).find((b) => b.batch_number === '8')!;
    await key(keyer1, batch.id, 1, 1, ['C4']);
    await key(keyer2, batch.id, 2, 1, ['C4']);
    const page = await team.get(`${base()}/${batch.id}`);
    assert.match(textOf(page.body), /l’urne compterait 4 bulletins papier pour seulement 3 votants inscrits/);
    const forced = await team.post(`${base()}/${batch.id}/accept`, { version: String((await batches()).find((b) => b.id === batch.id)!.version) });
    assert.equal(forced.statusCode, 409);
    assert.match(textOf(forced.body), /l’urne compterait 4 bulletins papier pour seulement 3 votants inscrits/);
    assert.equal((await suite.db().selectFrom('pb_ballots').select('id').where('paper_batch_id', '=', batch.id).execute()).length, 0);

    const version = String((await batches()).find((b) => b.id === batch.id)!.version);
    const empty = await team.submit(`${base()}/${batch.id}`, `${base()}/${batch.id}/reject`, { version, reason: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(textOf(empty.body), /Indiquez le motif du rejet/);
    const rejected = await team.submit(`${base()}/${batch.id}`, `${base()}/${batch.id}/reject`, { version, reason: 'Pas de signature correspondante' });
    assert.equal(rejected.statusCode, 303);
    const row = (await batches()).find((b) => b.id === batch.id)!;
    assert.equal(row.status, 'rejected');
    assert.equal(row.rejected_reason, 'Pas de signature correspondante');
    assert.match(textOf((await team.get(`${base()}/${batch.id}`)).body), /Pas de signature correspondante/);
  });

  test('points are typed (Arabic digits too); a number that is not one comes back with what was typed', async () => {
    const points = await createTestCycle(suite.db(), municipalityId, { ballotType: 'cumulative', totalPoints: 10 });
    const list = `/ar/admin/budget/${points.cycle.id}/paper`;
    const created = await keyer1.submit(list, list, { batchNumber: '1', station: '', sheet: 'city', declaredCount: '1' });
    assert.equal(created.statusCode, 303);
    const batch = await suite.db().selectFrom('pb_paper_batches').selectAll().where('cycle_id', '=', points.cycle.id).executeTakeFirstOrThrow();
    const url = `${list}/${batch.id}/pass/1/1`;
    const c1 = points.projects.find((p) => p.code === 'C1')!.id;
    const c2 = points.projects.find((p) => p.code === 'C2')!.id;
    const form = await keyer1.get(url);
    assert.match(form.body, new RegExp(`name="project_${c1}" value="" inputmode="numeric"|inputmode="numeric"[^>]*name="project_${c1}"|name="project_${c1}"[^>]*inputmode="numeric"`));
    const wrong = await keyer1.post(url, { state: 'marked', [`project_${c1}`]: '3x', [`project_${c2}`]: '٢' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /value="3x"/);
    assert.match(wrong.body, /value="٢"/);
    assert.match(textOf(wrong.body), /اكتب عدد النقاط بالأرقام/);
    assert.deepEqual(await entries(batch.id), []);
    const saved = await keyer1.post(url, { state: 'marked', [`project_${c1}`]: '٣', [`project_${c2}`]: '2' });
    assert.equal(saved.statusCode, 303);
    const [entry] = await entries(batch.id);
    assert.deepEqual(JSON.parse(entry!.choices_json), { projects: { C1: 3, C2: 2 } });
  });

  test('once the results are published the pages only show: no form, and a post changes nothing', async () => {
    const done = await createTestCycle(suite.db(), municipalityId, { phase: 'results' });
    const list = `/fr/admin/budget/${done.cycle.id}/paper`;
    const page = await team.get(list);
    assert.equal(page.statusCode, 200);
    assert.match(textOf(page.body), /Les résultats sont publiés : plus aucun bulletin ne peut être saisi ni accepté/);
    assert.doesNotMatch(page.body, /name="batchNumber"/);
    const posted = await team.post(list, { batchNumber: '1', station: '', sheet: 'city', declaredCount: '1' });
    assert.equal(posted.statusCode, 409);
    assert.match(textOf(posted.body), /Les résultats sont publiés/);
    assert.equal((await suite.db().selectFrom('pb_paper_batches').select('id').where('cycle_id', '=', done.cycle.id).execute()).length, 0);
  });

  test('ids of another cycle or nonsense in the URL are not found', async () => {
    const batchId = (await batches())[0]!.id;
    const other = await createTestCycle(suite.db(), municipalityId);
    assert.equal((await team.get(`/fr/admin/budget/${other.cycle.id}/paper/${batchId}`)).statusCode, 404);
    assert.equal((await team.get(`${base()}/${batchId}/pass/3/1`)).statusCode, 404);
    assert.equal((await team.get(`${base()}/${batchId}/pass/1/0`)).statusCode, 404);
    assert.equal((await team.get(`/fr/admin/budget/abc/paper`)).statusCode, 404);
  });
});
