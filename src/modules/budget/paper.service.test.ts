import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Actor, StaffRole } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { isAppError } from '../../lib/errors.ts';
import { randomToken } from '../../lib/crypto.ts';
import { addDays, nowIso } from '../../lib/time.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { auditedBy } from '../admin/admin.test-support.ts';
import { createTestCycle, type TestCycle, type TestCycleOptions } from './budget.test-support.ts';
import {
  acceptPaperBatch,
  createPaperBatch,
  entryFromInput,
  entryFromJson,
  entryToJson,
  keyPaperEntry,
  loadPaperBatch,
  loadPaperBatches,
  loadPaperEntryForm,
  normaliseBatchNumber,
  type PaperEntryInput,
  type PaperSheet,
  rejectPaperBatch,
  sameEntry,
} from './paper.service.ts';

/** Expects an AppError with this code whose form error (or `field` error) is this message key. */
async function rejects(promise: Promise<unknown>, code: string, key?: string, field = '_form'): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (key) {
      const found = error.fields[field];
      assert.ok(found, `expected an error on ${field}, got ${JSON.stringify(error.fields)}`);
      assert.equal(typeof found === 'string' ? found : found.key, key);
      return typeof found === 'string' ? {} : found.values;
    }
    return {};
  }
  assert.fail(`expected ${code}${key ? ` ${key}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// Pure parts

const sheet = {
  district: null,
  envelopes: [],
  projects: [
    { id: 11, code: 'C1' },
    { id: 12, code: 'C2' },
    { id: 13, code: 'C3' },
  ],
} as unknown as PaperSheet;

test('the keying form reads ticks, points and ranks, with Arabic digits; zero is nothing', () => {
  assert.deepEqual(entryFromInput(sheet, 'approval', { state: 'marked', values: { 11: '1', 13: '1' } }), { kind: 'marks', marks: { C1: 1, C3: 1 } });
  assert.deepEqual(entryFromInput(sheet, 'cumulative', { state: 'marked', values: { 11: '٣', 12: '0', 13: ' 7 ' } }), { kind: 'marks', marks: { C1: 3, C3: 7 } });
  assert.deepEqual(entryFromInput(sheet, 'ranking', { state: 'marked', values: { 12: '2', 13: '1' } }), { kind: 'marks', marks: { C2: 2, C3: 1 } });
  assert.deepEqual(entryFromInput(sheet, 'knapsack', { state: 'blank', values: {} }), { kind: 'marks', marks: {} });
  assert.deepEqual(entryFromInput(sheet, 'knapsack', { state: 'spoilt', values: { 11: '' } }), { kind: 'spoilt' });
});

test('the keying form refuses slips: nothing marked, marks on a blank or spoilt ballot, a number that is not one', () => {
  const error = (input: PaperEntryInput, type: 'approval' | 'cumulative' | 'ranking' = 'approval') => {
    try {
      entryFromInput(sheet, type, input);
    } catch (e) {
      assert.ok(isAppError(e, 'validation'));
      return e.fields;
    }
    return assert.fail('expected a validation error');
  };
  assert.deepEqual(error({ state: 'marked', values: {} }), { state: 'budget.paper.error.nothing_marked' });
  assert.deepEqual(error({ state: 'blank', values: { 11: '1' } }), { state: 'budget.paper.error.marks_on_blank' });
  assert.deepEqual(error({ state: 'spoilt', values: { 12: '1' } }), { state: 'budget.paper.error.marks_on_spoilt' });
  assert.deepEqual(error({ state: 'marked', values: { 11: 'on' } }), { project_11: 'budget.paper.error.invalid_mark' });
  assert.deepEqual(error({ state: 'marked', values: { 11: '2x' } }, 'cumulative'), { project_11: 'budget.paper.error.invalid_points' });
  assert.deepEqual(error({ state: 'marked', values: { 12: '-1' } }, 'ranking'), { project_12: 'budget.paper.error.invalid_rank' });
});

test('entries are stored canonically and compared by content', () => {
  const a = entryFromJson(entryToJson({ kind: 'marks', marks: { C3: 1, C1: 2 } }));
  assert.equal(entryToJson(a), '{"projects":{"C1":2,"C3":1}}');
  assert.equal(entryToJson({ kind: 'spoilt' }), '{"invalid":true}');
  assert.ok(sameEntry(a, { kind: 'marks', marks: { C1: 2, C3: 1 } }));
  assert.ok(!sameEntry(a, { kind: 'marks', marks: { C1: 1, C3: 1 } }));
  assert.ok(!sameEntry(a, { kind: 'marks', marks: { C1: 2 } }));
  assert.ok(!sameEntry({ kind: 'marks', marks: {} }, { kind: 'spoilt' }));
  assert.equal(normaliseBatchNumber('  b-٠٧ '), 'B-07');
});

// ---------------------------------------------------------------------------------------------
// With a database

describeEachDatabase('paper ballots', (suite) => {
  const db = (): Db => suite.db();
  let municipalityId: number;
  let otherMunicipalityId: number;
  let agent1: NonNullable<Actor>;
  let agent2: NonNullable<Actor>;
  let officer: NonNullable<Actor>;
  let citizen: NonNullable<Actor>;
  let foreignOfficer: NonNullable<Actor>;

  const staff = async (municipality: number, role: StaffRole | null): Promise<NonNullable<Actor>> => {
    const user = await createTestUser(db(), {
      municipalityId: municipality,
      email: `${role ?? 'citizen'}-${randomToken(4)}@example.tn`,
      roles: role ? [{ role }] : [],
    });
    return { userId: user.id, municipalityId: municipality, roles: role ? [{ role, departmentId: null }] : [] };
  };

  before(async () => {
    municipalityId = (await createTestMunicipality(db(), `paper${suite.kind}`)).id;
    otherMunicipalityId = (await createTestMunicipality(db(), `paperx${suite.kind}`)).id;
    agent1 = await staff(municipalityId, 'staff_agent');
    agent2 = await staff(municipalityId, 'staff_agent');
    officer = await staff(municipalityId, 'budget_officer');
    citizen = await staff(municipalityId, null);
    foreignOfficer = await staff(otherMunicipalityId, 'budget_officer');
  });

  /** People the register says received a paper ballot (as registerPaperVoter writes them). */
  const registerPaperVoters = async (cycleId: number, count: number, options: { annulled?: boolean } = {}) => {
    let annulmentId: number | null = null;
    if (options.annulled) {
      annulmentId = (
        await db()
          .insertInto('pb_annulments')
          .values({ municipality_id: municipalityId, cycle_id: cycleId, reason: 'test', participation_count: count, paper_participations: count, decided_by: null, created_at: nowIso() })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    }
    for (let i = 0; i < count; i += 1) {
      await db()
        .insertInto('pb_participations')
        .values({
          municipality_id: municipalityId,
          cycle_id: cycleId,
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
          verified_by: officer.userId,
          ballot_seal: null,
          annulment_id: annulmentId,
        })
        .execute();
    }
  };

  const cycleWith = (options: TestCycleOptions = {}) => createTestCycle(db(), municipalityId, options);
  const projectId = (tc: TestCycle, code: string) => tc.projects.find((p) => p.code === code)!.id;
  /** The district envelope of the default test cycle (arrondissement A1/A2), or null. */
  const district = (tc: TestCycle) => tc.envelopes.find((e) => e.scope !== 'city')?.id ?? null;

  const newBatch = async (tc: TestCycle, declaredCount: number, batchNumber = `B${randomToken(3)}`) =>
    (
      await createPaperBatch(db(), {
        actor: agent1,
        municipalityId,
        cycleId: tc.cycle.id,
        batchNumber,
        station: 'Town hall counter',
        sheetEnvelopeId: district(tc),
        declaredCount,
      })
    ).batchId;

  /** Keys `codes` (or 'blank' / 'spoilt') at a position; approval ticks, or "code:value" for points and ranks. */
  const key = (actor: Actor, tc: TestCycle, batchId: number, pass: number, position: number, ballot: string[] | 'blank' | 'spoilt') => {
    const values: Record<number, string> = {};
    if (Array.isArray(ballot)) {
      for (const mark of ballot) {
        const [code, value] = mark.split(':');
        values[projectId(tc, code!)] = value ?? '1';
      }
    }
    const state = Array.isArray(ballot) ? 'marked' : ballot;
    return keyPaperEntry(db(), { actor, municipalityId, cycleId: tc.cycle.id, batchId, pass, position, input: { state, values } });
  };

  const keyAll = async (actor: Actor, tc: TestCycle, batchId: number, pass: number, ballots: (string[] | 'blank' | 'spoilt')[]) => {
    for (const [i, ballot] of ballots.entries()) await key(actor, tc, batchId, pass, i + 1, ballot);
  };

  const batchModel = (actor: Actor, tc: TestCycle, batchId: number) => loadPaperBatch(db(), { actor, municipalityId, cycleId: tc.cycle.id, batchId });
  const accept = async (actor: Actor, tc: TestCycle, batchId: number, version?: number) =>
    acceptPaperBatch(db(), { actor, municipalityId, cycleId: tc.cycle.id, batchId, version: version ?? (await batchModel(officer, tc, batchId)).batch.version });
  const paperBallots = (tc: TestCycle) =>
    db().selectFrom('pb_ballots').selectAll().where('cycle_id', '=', tc.cycle.id).where('channel', '=', 'paper').execute();

  test('two passes by two people, compared; differences corrected; accepted into the box with channel and batch', async () => {
    const tc = await cycleWith();
    await registerPaperVoters(tc.cycle.id, 3);
    const batchId = await newBatch(tc, 3);

    await keyAll(agent1, tc, batchId, 1, [['C1', 'A1'], ['C2'], 'spoilt']);
    // Pass 1 complete, pass 2 not started: nothing to compare, and pass 2 sees nothing of pass 1.
    let model = await batchModel(agent2, tc, batchId);
    assert.equal(model.comparison, null);
    assert.equal(model.myPass, null);
    assert.deepEqual(model.myEntries, []);
    assert.deepEqual(model.batch.passCounts, [3, 0]);
    assert.deepEqual(model.nextPosition, [null, 1]);
    assert.equal(model.acceptance.problem, 'incomplete');
    await rejects(loadPaperEntryForm(db(), { actor: agent2, municipalityId, cycleId: tc.cycle.id, batchId, pass: 1, position: 2 }), 'conflict', 'budget.paper.error.keyed_by_other');
    await rejects(accept(officer, tc, batchId), 'conflict', 'budget.paper.error.passes_incomplete');

    // Pass 2 reads ballot 2 differently.
    await keyAll(agent2, tc, batchId, 2, [['C1', 'A1'], ['C3'], 'spoilt']);
    model = await batchModel(officer, tc, batchId);
    assert.equal(model.acceptance.problem, 'differences');
    assert.deepEqual(
      model.comparison?.differences.map((d) => [d.position, d.first.marks.map((m) => m.code), d.second.marks.map((m) => m.code)]),
      [[2, ['C2'], ['C3']]],
    );
    assert.equal(model.comparison?.rows.length, 3);
    const refused = await rejects(accept(officer, tc, batchId), 'conflict', 'budget.paper.error.passes_differ');
    assert.deepEqual(refused, { count: 1 });
    assert.equal((await paperBallots(tc)).length, 0);

    // Once both are complete, the correction form shows the other pass; pass 1 re-reads the paper.
    const form = await loadPaperEntryForm(db(), { actor: agent1, municipalityId, cycleId: tc.cycle.id, batchId, pass: 1, position: 2 });
    assert.deepEqual(form.existing, { kind: 'marks', marks: { C2: 1 } });
    assert.deepEqual(form.other?.marks, [{ code: 'C3', value: 1 }]);
    const versionBefore = (await batchModel(officer, tc, batchId)).batch.version;
    const audit = await auditedBy(db(), municipalityId, () => key(agent1, tc, batchId, 1, 2, ['C3']));
    assert.deepEqual(
      audit.map((a) => [a.action, JSON.parse(a.before_json!), JSON.parse(a.after_json!)]),
      [['budget.paper_entry_corrected', { pass: 1, position: 2, entry: { projects: { C2: 1 } } }, { pass: 1, position: 2, entry: { projects: { C3: 1 } } }]],
    );
    model = await batchModel(officer, tc, batchId);
    assert.equal(model.acceptance.problem, null);
    assert.deepEqual(model.comparison?.differences, []);
    // An accepter who loaded the page before the correction is told the batch changed.
    await rejects(accept(officer, tc, batchId, versionBefore), 'conflict', 'budget.paper.error.stale');

    const accepted = await auditedBy(db(), municipalityId, async () => {
      const result = await accept(officer, tc, batchId);
      assert.deepEqual(result, { ballots: 3, invalid: 1, problems: { spoilt: 1 } });
    });
    assert.deepEqual(
      accepted.map((a) => a.action),
      ['budget.paper_batch_accepted'],
    );
    const ballots = await paperBallots(tc);
    assert.equal(ballots.length, 3);
    assert.ok(ballots.every((b) => b.channel === 'paper' && b.paper_batch_id === batchId));
    assert.equal(ballots.filter((b) => b.invalid === 1).length, 1);
    const choices = await db()
      .selectFrom('pb_ballot_choices')
      .innerJoin('pb_ballots', 'pb_ballots.id', 'pb_ballot_choices.ballot_id')
      .select(['pb_ballots.id', 'pb_ballots.invalid', 'pb_ballot_choices.project_id', 'pb_ballot_choices.envelope_id', 'pb_ballot_choices.value'])
      .where('pb_ballots.cycle_id', '=', tc.cycle.id)
      .execute();
    const byBallot = new Map<string, number[]>();
    for (const c of choices) {
      assert.equal(c.invalid, 0, 'an invalid ballot has no choices');
      assert.equal(c.envelope_id, tc.projects.find((p) => p.id === c.project_id)!.envelope_id);
      byBallot.set(c.id, [...(byBallot.get(c.id) ?? []), c.project_id].sort((a, b) => a - b));
    }
    assert.deepEqual(
      [...byBallot.values()].sort((a, b) => a.length - b.length),
      [[projectId(tc, 'C3')], [projectId(tc, 'C1'), projectId(tc, 'A1')].sort((a, b) => a - b)],
    );
    // No link from the box to the register: paper participations keep no seal, and a ballot row
    // has no column naming a person, a time or a participation.
    const participations = await db().selectFrom('pb_participations').select(['ballot_seal']).where('cycle_id', '=', tc.cycle.id).execute();
    assert.ok(participations.every((p) => p.ballot_seal === null));
    assert.deepEqual(Object.keys(ballots[0]!).sort(), ['channel', 'cycle_id', 'id', 'invalid', 'municipality_id', 'paper_batch_id']);

    model = await batchModel(officer, tc, batchId);
    assert.equal(model.batch.status, 'accepted');
    assert.equal(model.keyingOpen, false);
    assert.equal(model.acceptance.paperBallots, 3);
    await rejects(accept(officer, tc, batchId), 'conflict', 'budget.paper.error.batch_accepted');
    await rejects(key(agent1, tc, batchId, 1, 1, ['C2']), 'conflict', 'budget.paper.error.batch_accepted');
  });

  test('one person never keys both passes of a batch, even one ballot of each', async () => {
    const tc = await cycleWith();
    const batchId = await newBatch(tc, 2);
    await key(agent1, tc, batchId, 1, 1, ['C1']);
    await rejects(key(agent1, tc, batchId, 2, 1, ['C1']), 'conflict', 'budget.paper.error.other_pass_keyer');
    await rejects(key(agent1, tc, batchId, 2, 2, ['C1']), 'conflict', 'budget.paper.error.other_pass_keyer');
    await rejects(loadPaperEntryForm(db(), { actor: agent1, municipalityId, cycleId: tc.cycle.id, batchId, pass: 2, position: 1 }), 'conflict', 'budget.paper.error.other_pass_keyer');
    await key(agent2, tc, batchId, 2, 1, ['C1']);
    await rejects(key(agent2, tc, batchId, 1, 2, ['C1']), 'conflict', 'budget.paper.error.other_pass_keyer');
    // A second person may join pass 1 by keying a ballot not keyed yet; before joining they may
    // neither read nor overwrite what the pass keyed (they could still key pass 2 with it in mind).
    await rejects(key(officer, tc, batchId, 1, 1, ['C2']), 'conflict', 'budget.paper.error.keyed_by_other');
    await key(officer, tc, batchId, 1, 2, ['C2']);
    const model = await batchModel(officer, tc, batchId);
    assert.equal(model.myPass, 1);
    assert.deepEqual(model.myEntries.map((e) => e.position), [1, 2]);
    assert.equal(model.batch.keyers[0].length, 2);
    assert.equal(model.batch.keyers[1].length, 1);
    const entries = await db().selectFrom('pb_paper_entries').select(['pass', 'entered_by']).where('batch_id', '=', batchId).execute();
    assert.equal(entries.length, 3);
  });

  test('invalid ballots are kept and counted: spoilt, blank, over the envelope, too many points; never trimmed', async () => {
    const tc = await cycleWith({
      ballotType: 'knapsack',
      envelopes: [
        {
          scope: 'city',
          budgetMillimes: 600_000,
          projects: [
            { code: 'K1', costMillimes: 300_000 },
            { code: 'K2', costMillimes: 400_000 },
            { code: 'K3', costMillimes: 200_000 },
          ],
        },
      ],
    });
    await registerPaperVoters(tc.cycle.id, 5);
    const batchId = await newBatch(tc, 5);
    const ballots: (string[] | 'blank' | 'spoilt')[] = [['K1', 'K3'], ['K1', 'K2'], 'blank', 'spoilt', ['K2']];
    await keyAll(agent1, tc, batchId, 1, ballots);
    await keyAll(agent2, tc, batchId, 2, ballots);
    const result = await accept(officer, tc, batchId);
    assert.deepEqual(result, { ballots: 5, invalid: 3, problems: { over_budget: 1, empty: 1, spoilt: 1 } });
    const stored = await paperBallots(tc);
    assert.equal(stored.length, 5);
    assert.equal(stored.filter((b) => b.invalid === 1).length, 3);
    const choices = await db()
      .selectFrom('pb_ballot_choices')
      .innerJoin('pb_ballots', 'pb_ballots.id', 'pb_ballot_choices.ballot_id')
      .select(['pb_ballots.invalid', 'pb_ballot_choices.project_id'])
      .where('pb_ballots.cycle_id', '=', tc.cycle.id)
      .execute();
    // K1+K3 and K2: three choices, none of them on an invalid ballot (the over-budget one is not cut down to fit).
    assert.equal(choices.length, 3);
    assert.ok(choices.every((c) => c.invalid === 0));
  });

  test('cumulative points over the total make the ballot invalid; ranks are stored as keyed', async () => {
    const cumulative = await cycleWith({ ballotType: 'cumulative', totalPoints: 5 });
    await registerPaperVoters(cumulative.cycle.id, 2);
    const batchId = await newBatch(cumulative, 2);
    const ballots = [['C1:3', 'C2:2'], ['C1:4', 'C2:2']];
    await keyAll(agent1, cumulative, batchId, 1, ballots);
    await keyAll(agent2, cumulative, batchId, 2, ballots);
    assert.deepEqual(await accept(officer, cumulative, batchId), { ballots: 2, invalid: 1, problems: { too_many_points: 1 } });
    const values = await db()
      .selectFrom('pb_ballot_choices')
      .innerJoin('pb_ballots', 'pb_ballots.id', 'pb_ballot_choices.ballot_id')
      .select(['pb_ballot_choices.project_id', 'pb_ballot_choices.value'])
      .where('pb_ballots.cycle_id', '=', cumulative.cycle.id)
      .orderBy('pb_ballot_choices.value')
      .execute();
    assert.deepEqual(values.map((v) => v.value), [2, 3]);
  });

  test('acceptance is refused when paper ballots would outnumber the paper voters in the register; annulled voters do not count', async () => {
    const tc = await cycleWith();
    await registerPaperVoters(tc.cycle.id, 2);
    await registerPaperVoters(tc.cycle.id, 3, { annulled: true });
    const batchId = await newBatch(tc, 3);
    const ballots = [['C1'], ['C2'], ['C3']];
    await keyAll(agent1, tc, batchId, 1, ballots);
    await keyAll(agent2, tc, batchId, 2, ballots);
    assert.equal((await batchModel(officer, tc, batchId)).acceptance.problem, 'too_many');
    const values = await rejects(accept(officer, tc, batchId), 'conflict', 'budget.paper.error.too_many_ballots');
    assert.deepEqual(values, { ballots: 3, voters: 2 });
    assert.equal((await paperBallots(tc)).length, 0);
    // One more signature found on the list: the batch now fits.
    await registerPaperVoters(tc.cycle.id, 1);
    assert.equal((await accept(officer, tc, batchId)).ballots, 3);

    // Counted over the cycle: a second batch cannot use the same signatures again.
    const second = await newBatch(tc, 1);
    await key(agent1, tc, second, 1, 1, ['C1']);
    await key(agent2, tc, second, 2, 1, ['C1']);
    assert.deepEqual(await rejects(accept(officer, tc, second), 'conflict', 'budget.paper.error.too_many_ballots'), { ballots: 4, voters: 3 });
  });

  test('who may do what: citizens nothing, agents key but do not accept, budget officers accept, other municipalities nothing', async () => {
    const tc = await cycleWith();
    await registerPaperVoters(tc.cycle.id, 1);
    const cycleId = tc.cycle.id;
    await rejects(loadPaperBatches(db(), { actor: citizen, municipalityId, cycleId }), 'forbidden');
    await rejects(loadPaperBatches(db(), { actor: null, municipalityId, cycleId }), 'unauthenticated');
    await rejects(
      createPaperBatch(db(), { actor: citizen, municipalityId, cycleId, batchNumber: '1', station: null, sheetEnvelopeId: district(tc), declaredCount: 1 }),
      'forbidden',
    );
    const batchId = await newBatch(tc, 1);
    await rejects(key(citizen, tc, batchId, 1, 1, ['C1']), 'forbidden');
    await rejects(batchModel(citizen, tc, batchId), 'forbidden');
    await key(agent1, tc, batchId, 1, 1, ['C1']);
    await key(agent2, tc, batchId, 2, 1, ['C1']);
    const list = await loadPaperBatches(db(), { actor: agent1, municipalityId, cycleId });
    assert.equal(list.mayKey, true);
    assert.equal(list.mayAccept, false);
    assert.deepEqual(list.batches.map((b) => b.id), [batchId]);
    await rejects(accept(agent1, tc, batchId), 'forbidden');
    await rejects(rejectPaperBatch(db(), { actor: agent2, municipalityId, cycleId, batchId, version: 3, reason: 'no' }), 'forbidden');
    // Another municipality's officer: their own municipality has no such cycle, and ours is not theirs.
    await rejects(acceptPaperBatch(db(), { actor: foreignOfficer, municipalityId, cycleId, batchId, version: 3 }), 'forbidden');
    await rejects(
      acceptPaperBatch(db(), { actor: foreignOfficer, municipalityId: otherMunicipalityId, cycleId, batchId, version: 3 }),
      'not_found',
    );
    assert.equal((await accept(officer, tc, batchId)).ballots, 1);
  });

  test('a batch is rejected with a reason, audited; it is then closed to keying', async () => {
    const tc = await cycleWith();
    const batchId = await newBatch(tc, 2);
    await key(agent1, tc, batchId, 1, 1, ['C1']);
    const version = (await batchModel(officer, tc, batchId)).batch.version;
    await rejects(rejectPaperBatch(db(), { actor: officer, municipalityId, cycleId: tc.cycle.id, batchId, version, reason: '   ' }), 'validation', 'budget.paper.error.reason_required', 'reason');
    await rejects(rejectPaperBatch(db(), { actor: officer, municipalityId, cycleId: tc.cycle.id, batchId, version: version - 1, reason: 'x' }), 'conflict', 'budget.paper.error.stale');
    const audit = await auditedBy(db(), municipalityId, () =>
      rejectPaperBatch(db(), { actor: officer, municipalityId, cycleId: tc.cycle.id, batchId, version, reason: 'A ballot of another district in the envelope' }),
    );
    assert.deepEqual(audit.map((a) => [a.action, a.entity_id, JSON.parse(a.after_json!)]), [
      ['budget.paper_batch_rejected', String(batchId), { status: 'rejected', reason: 'A ballot of another district in the envelope' }],
    ]);
    const model = await batchModel(officer, tc, batchId);
    assert.equal(model.batch.status, 'rejected');
    assert.equal(model.batch.rejectedReason, 'A ballot of another district in the envelope');
    await rejects(key(agent1, tc, batchId, 1, 2, ['C1']), 'conflict', 'budget.paper.error.batch_rejected');
    await rejects(accept(officer, tc, batchId), 'conflict', 'budget.paper.error.batch_rejected');
  });

  test('batch numbers are unique in a cycle; the sheet must be one of the cycle’s; the count is bounded', async () => {
    const tc = await cycleWith();
    await newBatch(tc, 1, 'K-12');
    const base = { actor: agent1, municipalityId, cycleId: tc.cycle.id, station: null, sheetEnvelopeId: district(tc), declaredCount: 1 };
    await rejects(createPaperBatch(db(), { ...base, batchNumber: ' k-12 ' }), 'validation', 'budget.paper.error.batch_number_taken', 'batchNumber');
    await rejects(createPaperBatch(db(), { ...base, batchNumber: '<script>' }), 'validation', 'budget.paper.error.invalid_batch_number', 'batchNumber');
    await rejects(createPaperBatch(db(), { ...base, batchNumber: '13', declaredCount: 0 }), 'validation', 'budget.paper.error.invalid_count', 'declaredCount');
    const other = await cycleWith();
    await rejects(createPaperBatch(db(), { ...base, batchNumber: '13', sheetEnvelopeId: district(other) }), 'validation', 'budget.paper.error.sheet_required', 'sheet');
    const city = tc.envelopes.find((e) => e.scope === 'city')!.id;
    await rejects(createPaperBatch(db(), { ...base, batchNumber: '13', sheetEnvelopeId: city }), 'validation', 'budget.paper.error.sheet_required', 'sheet');
    // The same number in another cycle is another batch.
    await newBatch(other, 1, 'K-12');
    // A city-wide sheet shows only the city projects.
    const { batchId } = await createPaperBatch(db(), { ...base, batchNumber: '14', sheetEnvelopeId: null });
    const form = await loadPaperEntryForm(db(), { actor: agent1, municipalityId, cycleId: tc.cycle.id, batchId, pass: 1, position: 1 });
    assert.deepEqual(form.sheet.projects.map((p) => p.code), ['C1', 'C2', 'C3', 'C4']);
    const districtForm = await loadPaperEntryForm(db(), { actor: agent1, municipalityId, cycleId: tc.cycle.id, batchId: await newBatch(tc, 1), pass: 1, position: 1 });
    assert.deepEqual(districtForm.sheet.projects.map((p) => p.code), ['C1', 'C2', 'C3', 'C4', 'A1', 'A2']);
    await rejects(loadPaperEntryForm(db(), { actor: agent1, municipalityId, cycleId: tc.cycle.id, batchId, pass: 1, position: 2 }), 'not_found');
    await rejects(loadPaperEntryForm(db(), { actor: agent1, municipalityId, cycleId: tc.cycle.id, batchId, pass: 3, position: 1 }), 'not_found');
  });

  test('keying is open while voting and counting; before, and once the results are published, nothing changes', async () => {
    const counting = await cycleWith({ phase: 'counting' });
    await registerPaperVoters(counting.cycle.id, 1);
    const batchId = await newBatch(counting, 1);
    await key(agent1, counting, batchId, 1, 1, ['C1']);
    await key(agent2, counting, batchId, 2, 1, ['C1']);
    const open = await newBatch(counting, 1);
    await key(agent1, counting, open, 1, 1, ['C2']);
    const version = (await batchModel(officer, counting, open)).batch.version;

    // The results are published (as the results service does it).
    const published = nowIso();
    await db().updateTable('pb_cycles').set({ results_published_at: published, seal_salt: null }).where('id', '=', counting.cycle.id).execute();
    const later = addDays(published, 1);
    const entriesBefore = await db().selectFrom('pb_paper_entries').selectAll().where('batch_id', 'in', [batchId, open]).execute();
    await rejects(accept(officer, counting, batchId), 'conflict', 'budget.paper.error.results_published');
    await rejects(rejectPaperBatch(db(), { actor: officer, municipalityId, cycleId: counting.cycle.id, batchId: open, version, reason: 'late', now: later }), 'conflict', 'budget.paper.error.results_published');
    await rejects(key(agent1, counting, open, 1, 1, ['C3']), 'conflict', 'budget.paper.error.results_published');
    await rejects(
      createPaperBatch(db(), { actor: agent1, municipalityId, cycleId: counting.cycle.id, batchNumber: 'late', station: null, sheetEnvelopeId: district(counting), declaredCount: 1 }),
      'conflict',
      'budget.paper.error.results_published',
    );
    assert.deepEqual(await db().selectFrom('pb_paper_entries').selectAll().where('batch_id', 'in', [batchId, open]).execute(), entriesBefore);
    assert.equal((await paperBallots(counting)).length, 0);
    const list = await loadPaperBatches(db(), { actor: officer, municipalityId, cycleId: counting.cycle.id });
    assert.equal(list.keyingOpen, false);
    assert.deepEqual(list.batches.map((b) => b.status), ['open', 'open']);

    const review = await cycleWith({ phase: 'review' });
    await rejects(
      createPaperBatch(db(), { actor: agent1, municipalityId, cycleId: review.cycle.id, batchNumber: '1', station: null, sheetEnvelopeId: district(review), declaredCount: 1 }),
      'conflict',
      'budget.paper.error.not_open',
    );
    const noPaper = await cycleWith({ cycle: { paper_voting: 0 } });
    await rejects(
      createPaperBatch(db(), { actor: agent1, municipalityId, cycleId: noPaper.cycle.id, batchNumber: '1', station: null, sheetEnvelopeId: district(noPaper), declaredCount: 1 }),
      'conflict',
      'budget.paper.error.no_paper_voting',
    );
  });
});
