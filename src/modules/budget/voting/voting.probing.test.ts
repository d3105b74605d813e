// "Already voted" tells whether a card number has voted. With one ballot token, a person could
// otherwise try card number after card number (the token survived every refusal) and learn who
// voted: one refusal uses the token up, so each try costs an SMS code.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { Actor } from '../../../auth/policies.ts';
import { AppError } from '../../../lib/errors.ts';
import { createTestCycle } from '../budget.test-support.ts';
import { castCounterBallot, castOnlineBallot } from './voting.service.ts';
import { createBudgetOfficer, createVerifiedToken, firstNeighbourhood, nextIdNumber, TEST_SECRET } from './voting.test-support.ts';

function fieldKeys(error: unknown): Record<string, string> {
  assert.ok(error instanceof AppError, String(error));
  return Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, typeof v === 'string' ? v : v.key]));
}

describeEachDatabase('probing card numbers with one ballot token', ({ db }) => {
  let municipalityId: number;
  let officer: NonNullable<Actor>;
  let neighbourhoodId: number;

  before(async () => {
    municipalityId = (await createTestMunicipality(db(), 'probe')).id;
    officer = await createBudgetOfficer(db(), municipalityId);
    neighbourhoodId = (await firstNeighbourhood(db(), municipalityId)).id;
  });

  test('a token refused for a card that voted is used up', async () => {
    const c = await createTestCycle(db(), municipalityId);
    const choices = [{ projectId: c.projects.find((p) => p.code === 'C1')!.id, value: 1 }];
    const voted = nextIdNumber();
    await castCounterBallot(db(), { secretKey: TEST_SECRET, actor: officer, municipalityId, cycleId: c.cycle.id, idNumber: voted, residence: { neighbourhoodId }, ageGroup: '25-34', gender: null, choices });
    const { token } = await createVerifiedToken(db(), { municipalityId, cycleId: c.cycle.id, phone: '+21622777001' });
    const online = (idNumber: string) =>
      castOnlineBallot(db(), {
        secretKey: TEST_SECRET,
        municipalityId,
        cycleId: c.cycle.id,
        token,
        idNumber,
        residence: { neighbourhoodId },
        ageGroup: '25-34',
        gender: null,
        declaredEligible: true,
        choices,
        ip: '192.0.2.9',
      });
    assert.deepEqual(fieldKeys(await online(voted).catch((e) => e)), { idNumber: 'budget.vote.error.already_voted' });
    assert.deepEqual(fieldKeys(await online(voted).catch((e) => e)), { _form: 'budget.vote.error.token_used' });
    assert.deepEqual(fieldKeys(await online(nextIdNumber()).catch((e) => e)), { _form: 'budget.vote.error.token_used' });
  });
});
