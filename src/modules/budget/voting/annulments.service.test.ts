import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { Actor } from '../../../auth/policies.ts';
import { AppError } from '../../../lib/errors.ts';
import { addDays } from '../../../lib/time.ts';
import { listBallots } from '../ballot-box.repository.ts';
import { createTestCycle, type TestCycle } from '../budget.test-support.ts';
import { annulParticipations, findParticipationByCard, listAnnulments } from './annulments.service.ts';
import { sealCycleBallots } from './sealing.ts';
import { castCounterBallot, registerPaperVoter } from './voting.service.ts';
import { createBudgetOfficer, firstNeighbourhood, nextIdNumber, TEST_SECRET } from './voting.test-support.ts';

function fieldKeys(error: unknown): Record<string, string> {
  assert.ok(error instanceof AppError);
  return Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, typeof v === 'string' ? v : v.key]));
}

describeEachDatabase('annulling participations', ({ db }) => {
  let municipalityId: number;
  let officer: NonNullable<Actor>;
  let neighbourhoodId: number;

  before(async () => {
    municipalityId = (await createTestMunicipality(db(), 'annul')).id;
    officer = await createBudgetOfficer(db(), municipalityId);
    neighbourhoodId = (await firstNeighbourhood(db(), municipalityId)).id;
  });

  async function vote(c: TestCycle, code: string): Promise<{ receipt: string; participationId: number }> {
    const { receipt } = await castCounterBallot(db(), {
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
    return { receipt, participationId: row.id };
  }

  test('deletes exactly the ballots of the annulled participations from the box, records the reason, the counts and the audit entry', async () => {
    const c = await createTestCycle(db(), municipalityId);
    const votes = [];
    for (const code of ['C1', 'C2', 'C3', 'C4', 'C1']) votes.push(await vote(c, code));
    const paper = await registerPaperVoter(db(), {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId,
      cycleId: c.cycle.id,
      idNumber: nextIdNumber(),
      residence: { neighbourhoodId },
      ageGroup: '60+',
      gender: 'female',
    });
    const before = await listBallots(db(), municipalityId, c.cycle.id);
    assert.equal(before.length, 5);
    const outcome = await annulParticipations(db(), {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId,
      cycleId: c.cycle.id,
      participationIds: [votes[1]!.participationId, votes[3]!.participationId, paper.participationId, votes[1]!.participationId],
      reason: '  Numbers taken from a public list  ',
    });
    assert.deepEqual({ ...outcome, annulmentId: 0 }, { annulmentId: 0, participations: 3, ballotsVoided: 2, paperParticipations: 1 });
    // The two voided ballots are gone from the box, choices included; the others are untouched.
    const ballots = await listBallots(db(), municipalityId, c.cycle.id);
    const voided = [votes[1]!.receipt, votes[3]!.receipt];
    assert.deepEqual(ballots.map((b) => b.id).sort(), before.map((b) => b.id).filter((id) => !voided.includes(id)).sort());
    assert.deepEqual(ballots.map((b) => b.choices), before.filter((b) => !voided.includes(b.id)).map((b) => b.choices));
    assert.deepEqual(await db().selectFrom('pb_ballot_choices').select('ballot_id').where('ballot_id', 'in', voided).execute(), []);
    // The counts live on the annulment.
    const stored = await db().selectFrom('pb_annulments').select(['ballots_voided', 'paper_participations']).where('id', '=', outcome.annulmentId).executeTakeFirstOrThrow();
    assert.deepEqual({ voided: Number(stored.ballots_voided), paper: Number(stored.paper_participations) }, { voided: 2, paper: 1 });
    const marked = await db().selectFrom('pb_participations').select('id').where('annulment_id', '=', outcome.annulmentId).orderBy('id').execute();
    assert.deepEqual(marked.map((m) => m.id), [votes[1]!.participationId, votes[3]!.participationId, paper.participationId].sort((a, b) => a - b));

    const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'budget.participations_annulled').execute();
    assert.equal(audit.length, 1);
    for (const b of before) assert.ok(!JSON.stringify(audit[0]).includes(b.id), 'no ballot id in the audit log');

    const list = await listAnnulments(db(), { municipalityId, cycleId: c.cycle.id });
    assert.equal(list.length, 1);
    assert.deepEqual({ ...list[0]!, createdAt: '' }, {
      id: outcome.annulmentId,
      reason: 'Numbers taken from a public list',
      participationCount: 3,
      ballotsVoided: 2,
      paperParticipations: 1,
      createdAt: '',
    });

    // Annulling them again finds nothing left to annul.
    await assert.rejects(
      annulParticipations(db(), { secretKey: TEST_SECRET, actor: officer, municipalityId, cycleId: c.cycle.id, participationIds: [votes[1]!.participationId], reason: 'again' }),
      (e) => fieldKeys(e).participationIds === 'budget.vote.error.nothing_to_annul',
    );
  });

  test('needs a reason, the right role and a cycle that has not published its results', async () => {
    const c = await createTestCycle(db(), municipalityId);
    const v = await vote(c, 'C1');
    const base = { secretKey: TEST_SECRET, actor: officer, municipalityId, cycleId: c.cycle.id, participationIds: [v.participationId], reason: 'fraud' };
    await assert.rejects(annulParticipations(db(), { ...base, reason: '   ' }), (e) => fieldKeys(e).reason === 'budget.vote.error.reason_required');
    const agent: Actor = { userId: officer.userId, municipalityId, roles: [{ role: 'staff_agent', departmentId: 1 }] };
    await assert.rejects(annulParticipations(db(), { ...base, actor: agent }), (e) => e instanceof AppError && e.code === 'forbidden');
    await assert.rejects(annulParticipations(db(), { ...base, participationIds: [] }), (e) => fieldKeys(e).participationIds === 'budget.vote.error.nothing_to_annul');
    // A participation of another cycle is not found through this one.
    const other = await createTestCycle(db(), municipalityId);
    await assert.rejects(annulParticipations(db(), { ...base, cycleId: other.cycle.id }), (e) => fieldKeys(e).participationIds === 'budget.vote.error.nothing_to_annul');
    // While counting: still possible.
    const counting = await annulParticipations(db(), { ...base, now: addDays(c.cycle.voting_close_at, 1) });
    assert.equal(counting.ballotsVoided, 1);
    // After publication (seals erased): refused.
    const published = await createTestCycle(db(), municipalityId);
    const w = await vote(published, 'C2');
    await db().transaction().execute((trx) => sealCycleBallots(trx, { municipalityId, cycleId: published.cycle.id }));
    await db().updateTable('pb_cycles').set({ voting_close_at: addDays(published.cycle.voting_open_at, 2), results_published_at: addDays(published.cycle.voting_open_at, 3) }).where('id', '=', published.cycle.id).execute();
    await assert.rejects(
      annulParticipations(db(), { ...base, cycleId: published.cycle.id, participationIds: [w.participationId], now: addDays(published.cycle.voting_open_at, 4) }),
      (e) => fieldKeys(e)._form === 'budget.vote.error.annul_closed',
    );
    assert.deepEqual((await listBallots(db(), municipalityId, published.cycle.id)).map((b) => b.id), [w.receipt]);
    assert.deepEqual(await listAnnulments(db(), { municipalityId, cycleId: published.cycle.id }), []);
  });
  test('releases the card: a person whose card number someone else used votes after the annulment', async () => {
    const c = await createTestCycle(db(), municipalityId);
    const card = nextIdNumber();
    const counterBallot = (code: string) =>
      castCounterBallot(db(), {
        secretKey: TEST_SECRET,
        actor: officer,
        municipalityId,
        cycleId: c.cycle.id,
        idNumber: card,
        residence: { neighbourhoodId },
        ageGroup: '35-44',
        gender: null,
        choices: [{ projectId: c.projects.find((p) => p.code === code)!.id, value: 1 }],
      });
    // Someone voted with this card number; the holder comes to the counter and is refused.
    const stolen = await counterBallot('C1');
    await assert.rejects(counterBallot('C2'), (error) => fieldKeys(error).idNumber === 'budget.vote.error.already_voted');
    const lookup = { secretKey: TEST_SECRET, actor: officer, municipalityId, cycleId: c.cycle.id, idNumber: `${card.slice(0, 4)} ${card.slice(4)}` };
    const found = await findParticipationByCard(db(), lookup);
    assert.ok(found);
    assert.equal(found.channel, 'counter');
    // Staff who may not annul cannot look a card up either.
    const agent: NonNullable<Actor> = { userId: officer.userId, municipalityId, roles: [{ role: 'staff_agent', departmentId: null }] };
    await assert.rejects(findParticipationByCard(db(), { ...lookup, actor: agent }), (error) => error instanceof AppError && error.code === 'forbidden');
    await annulParticipations(db(), {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId,
      cycleId: c.cycle.id,
      participationIds: [found.id],
      reason: 'Card used by someone else; the holder voted at the counter',
    });
    assert.equal(await findParticipationByCard(db(), lookup), null);
    // Each lookup is audited, without the card number.
    const lookups = await db().selectFrom('audit_log').select(['after_json']).where('action', '=', 'budget.card_looked_up').where('entity_id', '=', String(c.cycle.id)).orderBy('seq').execute();
    assert.deepEqual(lookups.map((l) => JSON.parse(l.after_json!)), [{ participationId: found.id }, { participationId: null }]);
    assert.ok(lookups.every((l) => !l.after_json!.includes(card)));
    // The holder's own ballot now goes in; the stolen one is gone from the box.
    const own = await counterBallot('C2');
    const ids = (await listBallots(db(), municipalityId, c.cycle.id)).map((b) => b.id);
    assert.ok(ids.includes(own.receipt));
    assert.ok(!ids.includes(stolen.receipt));
    // Still once only.
    await assert.rejects(counterBallot('C3'), (error) => fieldKeys(error).idNumber === 'budget.vote.error.already_voted');
  });
});
