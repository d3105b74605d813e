// One ballot per person under a race: 50 identical ballots for the same person sent at once,
// many times over, on SQLite and PostgreSQL. Exactly one is counted each time, the 49 others are
// told `already_voted` (the register's unique constraint fired: there is no check before the
// write that could let two through), and no counted ballot exceeds its envelope. Then 50
// different people on one phone at once, with at most 3 voters per phone: exactly 3 get in.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { Actor } from '../../../auth/policies.ts';
import { AppError } from '../../../lib/errors.ts';
import { listBallots } from '../ballot-box.repository.ts';
import { createTestCycle, type TestCycle } from '../budget.test-support.ts';
import { ballotWriteGauge } from './ballot-writes.ts';
import { castCounterBallot, castOnlineBallot } from './voting.service.ts';
import { createBudgetOfficer, createVerifiedToken, firstNeighbourhood, nextIdNumber, TEST_SECRET } from './voting.test-support.ts';

const ROUNDS = 20;
const PARALLEL = 50;

function errorKey(reason: unknown): string {
  if (!(reason instanceof AppError)) throw reason;
  const [field] = Object.values(reason.fields);
  return typeof field === 'string' ? field : (field?.key ?? reason.code);
}

describeEachDatabase('one ballot per person under concurrency', ({ db, kind }) => {
  let municipalityId: number;
  let officer: NonNullable<Actor>;
  let neighbourhoodId: number;
  let c: TestCycle;

  before(async () => {
    municipalityId = (await createTestMunicipality(db(), 'race')).id;
    officer = await createBudgetOfficer(db(), municipalityId);
    neighbourhoodId = (await firstNeighbourhood(db(), municipalityId)).id;
    // Knapsack: the envelope (1,000 TND) must never be exceeded by any counted ballot.
    c = await createTestCycle(db(), municipalityId, { ballotType: 'knapsack', cycle: { max_voters_per_phone: 3 } });
  });

  const project = (code: string) => c.projects.find((p) => p.code === code)!.id;

  async function assertBoxHolds(expectedBallots: number): Promise<void> {
    const ballots = await listBallots(db(), municipalityId, c.cycle.id);
    assert.equal(ballots.length, expectedBallots);
    const participations = await db().selectFrom('pb_participations').select('voter_key').where('cycle_id', '=', c.cycle.id).execute();
    assert.equal(participations.length, expectedBallots);
    assert.equal(new Set(participations.map((p) => p.voter_key)).size, expectedBallots);
    const cost = new Map(c.projects.map((p) => [p.id, p.cost_millimes]));
    const budget = new Map(c.envelopes.map((e) => [e.id, e.budget_millimes]));
    for (const ballot of ballots) {
      const spent = new Map<number, number>();
      for (const choice of ballot.choices) spent.set(choice.envelopeId, (spent.get(choice.envelopeId) ?? 0) + cost.get(choice.projectId)!);
      for (const [envelopeId, total] of spent) assert.ok(total <= budget.get(envelopeId)!, `ballot ${ballot.id} spends ${total} of ${budget.get(envelopeId)}`);
    }
  }

  test(`${ROUNDS} rounds of ${PARALLEL} identical ballots for one person: exactly one counted each time`, async () => {
    let counted = 0;
    let maxInFlight = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const idNumber = nextIdNumber();
      // Even rounds online with one token (the same person pressing "vote" fifty times),
      // odd rounds at the counter (several counters entering the same card at once).
      const online = round % 2 === 0;
      const { token } = await createVerifiedToken(db(), { municipalityId, cycleId: c.cycle.id, phone: `+216220${String(round).padStart(5, '0')}` });
      const choices = [
        { projectId: project('C1'), value: 1 },
        { projectId: project('C2'), value: 1 },
        { projectId: project('C4'), value: 1 },
      ];
      const common = { secretKey: TEST_SECRET, municipalityId, cycleId: c.cycle.id, idNumber, residence: { neighbourhoodId }, ageGroup: '25-34', gender: 'female', choices };
      ballotWriteGauge.maxInFlight = 0;
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () =>
          online
            ? castOnlineBallot(db(), { ...common, token, declaredEligible: true, ip: '203.0.113.9' })
            : castCounterBallot(db(), { ...common, actor: officer }),
        ),
      );
      maxInFlight = Math.max(maxInFlight, ballotWriteGauge.maxInFlight);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => errorKey(r.reason));
      assert.equal(won.length, 1, `round ${round}: ${won.length} ballots counted`);
      // Online, a request that reads the token after the winner used it is told so (a used token
      // is refused before the card is looked at: see voting.probing.test.ts).
      const allowed = online ? ['budget.vote.error.already_voted', 'budget.vote.error.token_used'] : ['budget.vote.error.already_voted'];
      assert.ok(lost.every((key) => allowed.includes(key)), `round ${round}: ${[...new Set(lost)].join(', ')}`);
      assert.equal(lost.length, PARALLEL - 1);
      counted += 1;
      await assertBoxHolds(counted);
    }
    // The writes really overlapped: concurrent transactions on PostgreSQL's pool, queued
    // together for one commit on SQLite.
    assert.ok(maxInFlight > 1, `at most ${maxInFlight} ballot write(s) in flight on ${kind}`);
  });

  test(`${PARALLEL} identical online ballots for one person on a phone allowed one voter: one counted, the others already voted`, async () => {
    const single = await createTestCycle(db(), municipalityId, { ballotType: 'knapsack', cycle: { max_voters_per_phone: 1 } });
    for (let round = 0; round < 5; round++) {
      const { token } = await createVerifiedToken(db(), { municipalityId, cycleId: single.cycle.id, phone: `+216231000${round}0` });
      const idNumber = nextIdNumber();
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () =>
          castOnlineBallot(db(), {
            secretKey: TEST_SECRET,
            municipalityId,
            cycleId: single.cycle.id,
            token,
            idNumber,
            residence: { neighbourhoodId },
            ageGroup: '18-24',
            gender: null,
            declaredEligible: true,
            choices: [{ projectId: single.projects[0]!.id, value: 1 }],
            ip: '203.0.113.11',
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => errorKey(r.reason));
      assert.ok(lost.every((key) => key === 'budget.vote.error.already_voted' || key === 'budget.vote.error.token_used'), `round ${round}: ${[...new Set(lost)].join(', ')}`);
    }
    const count = await db().selectFrom('pb_ballots').select('id').where('cycle_id', '=', single.cycle.id).execute();
    assert.equal(count.length, 5);
  });

  test(`${PARALLEL} different people on one phone at once, at most 3 per phone: exactly 3 get in`, async () => {
    const before = (await listBallots(db(), municipalityId, c.cycle.id)).length;
    const phone = '+21629999999';
    const tokens = [];
    for (let i = 0; i < PARALLEL; i++) tokens.push((await createVerifiedToken(db(), { municipalityId, cycleId: c.cycle.id, phone })).token);
    const results = await Promise.allSettled(
      tokens.map((token) =>
        castOnlineBallot(db(), {
          secretKey: TEST_SECRET,
          municipalityId,
          cycleId: c.cycle.id,
          token,
          idNumber: nextIdNumber(),
          residence: { neighbourhoodId },
          ageGroup: '45-59',
          gender: 'male',
          declaredEligible: true,
          choices: [{ projectId: project('C3'), value: 1 }],
          ip: '203.0.113.10',
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => errorKey(r.reason));
    assert.equal(won, 3);
    assert.deepEqual(new Set(lost), new Set(['budget.vote.error.phone_full']));
    const slots = await db()
      .selectFrom('pb_participations')
      .select('phone_slot')
      .where('cycle_id', '=', c.cycle.id)
      .where('age_group', '=', '45-59')
      .orderBy('phone_slot')
      .execute();
    assert.deepEqual(slots.map((s) => s.phone_slot), [1, 2, 3]);
    await assertBoxHolds(before + 3);
  });
});
