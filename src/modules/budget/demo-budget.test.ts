import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../test/support/fixtures.ts';
import { createMunicipality } from '../municipalities/municipalities.service.ts';
import { KEF_DEMO } from '../municipalities/demo-data.ts';
import { listBallots } from './ballot-box.repository.ts';
import { PHASES, phaseAt, validateBallot } from './budget.ts';
import { createTestCycle } from './budget.test-support.ts';
import { listCycles, listEnvelopes, listProjects } from './cycles.repository.ts';
import { seedBudgetDemo } from './demo-budget.ts';

const NOW = '2027-03-10T10:00:00.000Z';

describeEachDatabase('budget demo data', ({ db }) => {
  test('two cycles: 2027 in voting, 2026 counting with 300 valid ballots and as many participations', async () => {
    const kef = await createMunicipality(db(), { ...KEF_DEMO, slug: 'kef-demo-budget', hostnames: [] });
    const first = await seedBudgetDemo(db(), kef.id, NOW);
    assert.deepEqual(first, { cycles: 2, ballots: 300 });
    const cycles = await listCycles(db(), kef.id);
    assert.deepEqual(
      cycles.map((c) => [c.slug, phaseAt(c, NOW)]),
      [
        ['2027', 'voting'],
        ['2026', 'counting'],
      ],
    );
    const [c2027, c2026] = cycles;
    assert.equal(c2027!.ballot_type, 'knapsack');
    assert.equal(c2027!.rule, 'greedy_cost_sat');
    const envelopes2027 = await listEnvelopes(db(), kef.id, c2027!.id);
    assert.equal(envelopes2027[0]!.scope, 'city');
    assert.equal(envelopes2027[0]!.budget_millimes, 800_000_000);
    assert.equal(envelopes2027.length, 1 + 7);
    const projects2027 = await listProjects(db(), kef.id, c2027!.id);
    assert.ok(projects2027.every((p) => p.proposal_id !== null));
    assert.equal(new Set(projects2027.map((p) => p.code)).size, projects2027.length);

    assert.equal(c2026!.ballot_type, 'approval');
    assert.equal(c2026!.max_choices, 3);
    const envelopes = await listEnvelopes(db(), kef.id, c2026!.id);
    const projects = await listProjects(db(), kef.id, c2026!.id);
    const ballots = await listBallots(db(), kef.id, c2026!.id);
    assert.equal(ballots.length, 300);
    const participations = await db().selectFrom('pb_participations').select(['channel']).where('cycle_id', '=', c2026!.id).execute();
    assert.equal(participations.length, 300);
    for (const channel of ['online', 'counter', 'paper'] as const) {
      const registered = participations.filter((p) => p.channel === channel).length;
      assert.ok(registered > 0, channel);
      assert.equal(ballots.filter((b) => b.channel === channel).length, registered, channel);
    }
    const areas = envelopes.map((e) => ({ id: e.id, scope: e.scope, arrondissementId: e.arrondissement_id, neighbourhoodId: e.neighbourhood_id, budgetMillimes: e.budget_millimes }));
    const ballotProjects = projects.map((p) => ({ id: p.id, envelopeId: p.envelope_id, costMillimes: p.cost_millimes }));
    for (const ballot of ballots) {
      assert.deepEqual(validateBallot(c2026!, ballotProjects, areas, ballot.choices), [], ballot.id);
    }
    // Phones are shared by at most max_voters_per_phone voters.
    const phones = await db()
      .selectFrom('pb_participations')
      .select(['phone_hash', (eb) => eb.fn.countAll().as('n')])
      .where('cycle_id', '=', c2026!.id)
      .where('phone_hash', 'is not', null)
      .groupBy('phone_hash')
      .execute();
    assert.ok(phones.every((p) => Number(p.n) <= c2026!.max_voters_per_phone));

    // Again: nothing added.
    assert.deepEqual(await seedBudgetDemo(db(), kef.id, NOW), { cycles: 0, ballots: 0 });
    assert.equal((await listCycles(db(), kef.id)).length, 2);
  });

  test('the same ballots on every install (seeded)', async () => {
    const a = await createMunicipality(db(), { ...KEF_DEMO, slug: 'kef-a', hostnames: [] });
    const b = await createMunicipality(db(), { ...KEF_DEMO, slug: 'kef-b', hostnames: [] });
    await seedBudgetDemo(db(), a.id, NOW);
    await seedBudgetDemo(db(), b.id, NOW);
    const signature = async (municipalityId: number) => {
      const cycle = (await listCycles(db(), municipalityId)).find((c) => c.slug === '2026')!;
      const projects = await listProjects(db(), municipalityId, cycle.id);
      const code = new Map(projects.map((p) => [p.id, p.code]));
      return (await listBallots(db(), municipalityId, cycle.id)).map((x) => `${x.channel}:${x.choices.map((c) => code.get(c.projectId)).join(',')}`).sort();
    };
    assert.deepEqual(await signature(a.id), await signature(b.id));
  });

  test('createTestCycle puts a cycle in each phase', async () => {
    const m = await createTestMunicipality(db(), 'pb-fixture');
    for (const phase of PHASES) {
      const { cycle, envelopes, projects } = await createTestCycle(db(), m.id, { phase, now: NOW });
      assert.equal(phaseAt(cycle, NOW), phase);
      assert.equal(envelopes.length, 2);
      assert.equal(projects.length, 6);
    }
  });
});
