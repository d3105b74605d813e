// An annulment and the publication of the results must not overlap: the publication reads the
// box once and erases the seals. An annulment decided while the publication is being written
// must wait for it, then be refused (the results are out), never delete ballots the published
// files already count.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { Actor } from '../../../auth/policies.ts';
import { AppError } from '../../../lib/errors.ts';
import { nowIso } from '../../../lib/time.ts';
import { createTestCycle } from '../budget.test-support.ts';
import { annulParticipations } from './annulments.service.ts';
import { castCounterBallot } from './voting.service.ts';
import { createBudgetOfficer, firstNeighbourhood, nextIdNumber, TEST_SECRET } from './voting.test-support.ts';

describeEachDatabase('annulment during the publication of the results', (suite) => {
  let municipalityId: number;
  let officer: NonNullable<Actor>;
  let neighbourhoodId: number;

  before(async () => {
    municipalityId = (await createTestMunicipality(suite.db(), 'annulpub')).id;
    officer = await createBudgetOfficer(suite.db(), municipalityId);
    neighbourhoodId = (await firstNeighbourhood(suite.db(), municipalityId)).id;
  });

  test('waits for the publication and is refused; the box keeps the ballot', async (t) => {
    // SQLite has one writer: the two cannot overlap there.
    if (suite.kind !== 'postgres') return t.skip('PostgreSQL only');
    const db = suite.db();
    const c = await createTestCycle(db, municipalityId);
    await castCounterBallot(db, {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId,
      cycleId: c.cycle.id,
      idNumber: nextIdNumber(),
      residence: { neighbourhoodId },
      ageGroup: '25-34',
      gender: null,
      choices: [{ projectId: c.projects[0]!.id, value: 1 }],
    });
    const participation = await db.selectFrom('pb_participations').select('id').where('cycle_id', '=', c.cycle.id).executeTakeFirstOrThrow();
    // Voting closed; the publication's transaction has marked the cycle (its first write, as
    // results.service does) and not committed yet.
    await db.updateTable('pb_cycles').set({ voting_close_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', c.cycle.id).execute();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let marked!: () => void;
    const markedPromise = new Promise<void>((resolve) => (marked = resolve));
    const publication = db.transaction().execute(async (trx) => {
      await trx.updateTable('pb_cycles').set({ results_published_at: nowIso(), seal_salt: null }).where('id', '=', c.cycle.id).execute();
      await trx.updateTable('pb_participations').set({ ballot_seal: null }).where('cycle_id', '=', c.cycle.id).execute();
      marked();
      await held;
    });
    await markedPromise;
    const annulment = annulParticipations(db, {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId,
      cycleId: c.cycle.id,
      participationIds: [participation.id],
      reason: 'Decided too late',
    }).then(
      () => 'annulled',
      (error: unknown) => (error instanceof AppError ? error.fields._form : String(error)),
    );
    // Let the annulment run as far as it can while the publication is open.
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    await publication;
    assert.equal(await annulment, 'budget.vote.error.annul_closed');
    const ballots = await db.selectFrom('pb_ballots').select('id').where('cycle_id', '=', c.cycle.id).execute();
    assert.equal(ballots.length, 1);
    const annulled = await db.selectFrom('pb_annulments').select('id').where('cycle_id', '=', c.cycle.id).execute();
    assert.equal(annulled.length, 0);
  });
});
