// A confirm button pressed twice (or two officers annulling the same signal at once) must not
// annul the same participations twice: the public results would count them twice.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { Actor } from '../../../auth/policies.ts';
import { AppError } from '../../../lib/errors.ts';
import { createTestCycle } from '../budget.test-support.ts';
import { annulParticipations, listAnnulments } from './annulments.service.ts';
import { castCounterBallot } from './voting.service.ts';
import { createBudgetOfficer, firstNeighbourhood, nextIdNumber, TEST_SECRET } from './voting.test-support.ts';

describeEachDatabase('annulling the same participations twice at once', ({ db }) => {
  let municipalityId: number;
  let officer: NonNullable<Actor>;
  let neighbourhoodId: number;

  before(async () => {
    municipalityId = (await createTestMunicipality(db(), 'annulrace')).id;
    officer = await createBudgetOfficer(db(), municipalityId);
    neighbourhoodId = (await firstNeighbourhood(db(), municipalityId)).id;
  });

  test('exactly one annulment takes them; the other is told there is nothing left to annul', async () => {
    for (let round = 0; round < 5; round += 1) {
      const c = await createTestCycle(db(), municipalityId);
      const ids: number[] = [];
      for (const code of ['C1', 'C2', 'C3']) {
        await castCounterBallot(db(), {
          secretKey: TEST_SECRET,
          actor: officer,
          municipalityId,
          cycleId: c.cycle.id,
          idNumber: nextIdNumber(),
          residence: { neighbourhoodId },
          ageGroup: '25-34',
          gender: null,
          choices: [{ projectId: c.projects.find((p) => p.code === code)!.id, value: 1 }],
        });
        const row = await db().selectFrom('pb_participations').select('id').where('cycle_id', '=', c.cycle.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
        ids.push(row.id);
      }
      const annul = () =>
        annulParticipations(db(), { secretKey: TEST_SECRET, actor: officer, municipalityId, cycleId: c.cycle.id, participationIds: ids, reason: 'Burst from one address' });
      const outcomes = await Promise.allSettled(Array.from({ length: 4 }, annul));
      const done = outcomes.filter((o) => o.status === 'fulfilled');
      assert.equal(done.length, 1, `round ${round}: one annulment`);
      for (const o of outcomes) {
        if (o.status === 'rejected') {
          assert.ok(o.reason instanceof AppError, String(o.reason));
          assert.equal(o.reason.code, 'validation');
        }
      }
      const published = await listAnnulments(db(), { municipalityId, cycleId: c.cycle.id });
      assert.equal(published.reduce((n, a) => n + a.participationCount, 0), 3);
      assert.equal(published.reduce((n, a) => n + a.ballotsVoided, 0), 3);
    }
  });
});
