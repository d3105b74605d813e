import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { Actor } from '../../../auth/policies.ts';
import { AppError } from '../../../lib/errors.ts';
import { addMinutes, nowIso } from '../../../lib/time.ts';
import { formatReceiptCode } from '../ballot-box.repository.ts';
import { createTestCycle, type TestCycle, type TestCycleOptions } from '../budget.test-support.ts';
import { ballotSeal } from './sealing.ts';
import { normaliseIdNumber, voterKey } from './voters.ts';
import {
  castCounterBallot,
  castOnlineBallot,
  findReceipt,
  loadBallotForm,
  registerPaperVoter,
} from './voting.service.ts';
import {
  createBudgetOfficer,
  createTestDistrict,
  createVerifiedToken,
  firstNeighbourhood,
  nextIdNumber,
  TEST_SECRET,
} from './voting.test-support.ts';

/** The field errors of a validation error thrown by `work`, as message keys. */
async function fieldErrors(work: Promise<unknown>): Promise<Record<string, string>> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    return Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, typeof v === 'string' ? v : v.key]));
  }
  assert.fail('expected an error');
}

test('ID card numbers are normalised to their 8 digits', () => {
  assert.equal(normaliseIdNumber('08123456'), '08123456');
  assert.equal(normaliseIdNumber(' 08 123-456 '), '08123456');
  assert.equal(normaliseIdNumber('٠٨١٢٣٤٥٦'), '08123456');
  assert.equal(normaliseIdNumber('8123456'), null);
  assert.equal(normaliseIdNumber('081234567'), null);
  assert.equal(normaliseIdNumber('0812345a'), null);
  assert.equal(normaliseIdNumber(''), null);
});

test('one card gives one voter key in a municipality, another in another', () => {
  assert.equal(voterKey('k', 1, '08123456'), voterKey('k', 1, '08123456'));
  assert.notEqual(voterKey('k', 1, '08123456'), voterKey('k', 2, '08123456'));
  assert.notEqual(voterKey('k', 1, '08123456'), voterKey('other', 1, '08123456'));
  assert.doesNotMatch(voterKey('k', 1, '08123456'), /08123456/);
});

describeEachDatabase('casting ballots', ({ db }) => {
  let municipalityId: number;
  let officer: NonNullable<Actor>;
  let home: { id: number; arrondissementId: number | null };
  let elsewhere: { arrondissementId: number; neighbourhoodId: number };

  before(async () => {
    const municipality = await createTestMunicipality(db(), 'vote');
    municipalityId = municipality.id;
    officer = await createBudgetOfficer(db(), municipalityId);
    home = await firstNeighbourhood(db(), municipalityId);
    elsewhere = await createTestDistrict(db(), municipalityId, 'Nord');
  });

  async function cycleWith(options: TestCycleOptions = {}): Promise<TestCycle> {
    return createTestCycle(db(), municipalityId, options);
  }

  function project(c: TestCycle, code: string): number {
    return c.projects.find((p) => p.code === code)!.id;
  }

  function counter(c: TestCycle, extra: Partial<Parameters<typeof castCounterBallot>[1]> = {}) {
    return castCounterBallot(db(), {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId,
      cycleId: c.cycle.id,
      idNumber: nextIdNumber(),
      residence: { neighbourhoodId: home.id },
      ageGroup: '25-34',
      gender: 'female',
      choices: [{ projectId: project(c, 'C1'), value: 1 }],
      ...extra,
    });
  }

  async function online(c: TestCycle, extra: Partial<Parameters<typeof castOnlineBallot>[1]> = {}) {
    const { token } = await createVerifiedToken(db(), { municipalityId, cycleId: c.cycle.id, phone: '+21622123456' });
    return castOnlineBallot(db(), {
      secretKey: TEST_SECRET,
      municipalityId,
      cycleId: c.cycle.id,
      token,
      idNumber: nextIdNumber(),
      residence: { neighbourhoodId: home.id },
      ageGroup: '35-44',
      gender: 'male',
      declaredEligible: true,
      choices: [{ projectId: project(c, 'C1'), value: 1 }],
      ip: '192.0.2.1',
      ...extra,
    });
  }

  async function counts(cycleId: number) {
    const participations = await db().selectFrom('pb_participations').select((eb) => eb.fn.countAll<number>().as('n')).where('cycle_id', '=', cycleId).executeTakeFirstOrThrow();
    const ballots = await db().selectFrom('pb_ballots').select((eb) => eb.fn.countAll<number>().as('n')).where('cycle_id', '=', cycleId).executeTakeFirstOrThrow();
    return { participations: Number(participations.n), ballots: Number(ballots.n) };
  }

  test('a counter ballot writes the participation, the ballot and its seal in one go', async () => {
    const c = await cycleWith();
    const idNumber = '08 123 456';
    const { receipt } = await counter(c, { idNumber, choices: [{ projectId: project(c, 'C1'), value: 1 }, { projectId: project(c, 'A1'), value: 1 }] });
    const participation = await db().selectFrom('pb_participations').selectAll().where('cycle_id', '=', c.cycle.id).executeTakeFirstOrThrow();
    assert.equal(participation.voter_key, voterKey(TEST_SECRET, municipalityId, '08123456'));
    assert.equal(participation.channel, 'counter');
    assert.equal(participation.verified_by, officer.userId);
    assert.equal(participation.neighbourhood_id, home.id);
    assert.equal(participation.arrondissement_id, home.arrondissementId);
    assert.equal(participation.age_group, '25-34');
    assert.equal(participation.gender, 'female');
    assert.match(participation.voted_hour, /^\d{4}-\d{2}-\d{2}T\d{2}$/);
    assert.equal(participation.phone_hash, null);
    const salt = (await db().selectFrom('pb_cycles').select('seal_salt').where('id', '=', c.cycle.id).executeTakeFirstOrThrow()).seal_salt;
    assert.ok(salt);
    assert.equal(participation.ballot_seal, ballotSeal(TEST_SECRET, salt, receipt));
    const found = await findReceipt(db(), { municipalityId, cycleId: c.cycle.id, receipt: formatReceiptCode(receipt).toLowerCase() });
    assert.ok(found);
    assert.equal(found.channel, 'counter');
    assert.deepEqual(
      found.choices.map((x) => x.code).sort(),
      ['A1', 'C1'],
    );
    const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'budget.counter_ballot_cast').execute();
    assert.equal(audit.length, 1);
    assert.doesNotMatch(JSON.stringify(audit[0]), new RegExp(receipt));
  });

  test('a cycle without a seal salt gets one at its first ballot', async () => {
    const c = await cycleWith({ cycle: { seal_salt: null } });
    const { receipt } = await counter(c);
    const salt = (await db().selectFrom('pb_cycles').select('seal_salt').where('id', '=', c.cycle.id).executeTakeFirstOrThrow()).seal_salt;
    assert.ok(salt);
    const participation = await db().selectFrom('pb_participations').select('ballot_seal').where('cycle_id', '=', c.cycle.id).executeTakeFirstOrThrow();
    assert.equal(participation.ballot_seal, ballotSeal(TEST_SECRET, salt, receipt));
  });

  test('an online ballot takes a phone slot, keeps the hashes and uses its token once', async () => {
    const c = await cycleWith();
    const { token, checkId } = await createVerifiedToken(db(), { municipalityId, cycleId: c.cycle.id, phone: '+21622000001' });
    const base = {
      secretKey: TEST_SECRET,
      municipalityId,
      cycleId: c.cycle.id,
      token,
      residence: { neighbourhoodId: home.id },
      ageGroup: '18-24',
      gender: null,
      declaredEligible: true,
      choices: [{ projectId: project(c, 'C2'), value: 1 }],
      ip: '198.51.100.7',
    };
    const { receipt } = await castOnlineBallot(db(), { ...base, idNumber: nextIdNumber() });
    const participation = await db().selectFrom('pb_participations').selectAll().where('cycle_id', '=', c.cycle.id).executeTakeFirstOrThrow();
    assert.equal(participation.channel, 'online');
    assert.equal(participation.phone_slot, 1);
    assert.ok(participation.phone_hash && participation.ip_hash);
    assert.doesNotMatch(JSON.stringify(participation), /22000001|198\.51/);
    const check = await db().selectFrom('pb_phone_checks').select('token_used_at').where('id', '=', checkId).executeTakeFirstOrThrow();
    assert.ok(check.token_used_at);
    assert.equal((await findReceipt(db(), { municipalityId, cycleId: c.cycle.id, receipt }))?.channel, 'online');
    // Another person with the same token: refused, and nothing is written.
    assert.deepEqual(await fieldErrors(castOnlineBallot(db(), { ...base, idNumber: nextIdNumber() })), { _form: 'budget.vote.error.token_used' });
    assert.deepEqual(await counts(c.cycle.id), { participations: 1, ballots: 1 });
  });

  test('an expired or unknown token is refused', async () => {
    const c = await cycleWith();
    const old = await createVerifiedToken(db(), { municipalityId, cycleId: c.cycle.id, phone: '+21622000002', now: addMinutes(nowIso(), -31) });
    assert.deepEqual(await fieldErrors(online(c, { token: old.token })), { _form: 'budget.vote.error.token_invalid' });
    assert.deepEqual(await fieldErrors(online(c, { token: 'forged' })), { _form: 'budget.vote.error.token_invalid' });
    // A token of another cycle does not work in this one.
    const other = await cycleWith();
    const foreign = await createVerifiedToken(db(), { municipalityId, cycleId: other.cycle.id, phone: '+21622000003' });
    assert.deepEqual(await fieldErrors(online(c, { token: foreign.token })), { _form: 'budget.vote.error.token_invalid' });
    assert.deepEqual(await counts(c.cycle.id), { participations: 0, ballots: 0 });
  });

  test('one card votes once across channels', async () => {
    const c = await cycleWith();
    const idNumber = nextIdNumber();
    await counter(c, { idNumber });
    assert.deepEqual(await fieldErrors(online(c, { idNumber })), { idNumber: 'budget.vote.error.already_voted' });
    assert.deepEqual(await fieldErrors(counter(c, { idNumber: ` ${idNumber.slice(0, 2)}-${idNumber.slice(2)} ` })), {
      idNumber: 'budget.vote.error.already_voted',
    });
    const paper = nextIdNumber();
    const { participationId } = await registerPaperVoter(db(), {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId,
      cycleId: c.cycle.id,
      idNumber: paper,
      residence: { neighbourhoodId: home.id },
      ageGroup: '60+',
      gender: 'male',
    });
    const row = await db().selectFrom('pb_participations').selectAll().where('id', '=', participationId).executeTakeFirstOrThrow();
    assert.equal(row.channel, 'paper');
    assert.equal(row.ballot_seal, null);
    assert.deepEqual(await fieldErrors(counter(c, { idNumber: paper })), { idNumber: 'budget.vote.error.already_voted' });
    // The same card votes again in another cycle.
    const next = await cycleWith();
    await counter(next, { idNumber });
    assert.deepEqual(await counts(c.cycle.id), { participations: 2, ballots: 1 });
  });

  test('counter and paper need a staff member who may verify voters', async () => {
    const c = await cycleWith();
    const citizen: Actor = { userId: officer.userId, municipalityId, roles: [] };
    await assert.rejects(counter(c, { actor: citizen }), (e) => e instanceof AppError && e.code === 'forbidden');
    await assert.rejects(counter(c, { actor: null }), (e) => e instanceof AppError && e.code === 'unauthenticated');
    const foreign: Actor = { ...officer, municipalityId: municipalityId + 1000 };
    await assert.rejects(counter(c, { actor: foreign }), (e) => e instanceof AppError && e.code === 'forbidden');
    assert.deepEqual(await counts(c.cycle.id), { participations: 0, ballots: 0 });
  });

  test('the ballot form has the envelopes of the residence', async () => {
    const c = await cycleWith({
      envelopes: [
        { scope: 'city', budgetMillimes: 1_000_000, projects: [{ code: 'C1', costMillimes: 100_000 }] },
        { scope: 'arrondissement', arrondissementId: home.arrondissementId, budgetMillimes: 500_000, projects: [{ code: 'A1', costMillimes: 100_000 }] },
        { scope: 'arrondissement', arrondissementId: elsewhere.arrondissementId, budgetMillimes: 500_000, projects: [{ code: 'N1', costMillimes: 100_000 }] },
        { scope: 'neighbourhood', neighbourhoodId: elsewhere.neighbourhoodId, budgetMillimes: 200_000, projects: [{ code: 'Q1', costMillimes: 100_000 }] },
      ],
    });
    const codes = (form: Awaited<ReturnType<typeof loadBallotForm>>) => form.envelopes.map((e) => e.projects.map((p) => p.code).join(','));
    assert.deepEqual(codes(await loadBallotForm(db(), { municipalityId, cycleId: c.cycle.id, neighbourhoodId: home.id })), ['C1', 'A1']);
    assert.deepEqual(codes(await loadBallotForm(db(), { municipalityId, cycleId: c.cycle.id, neighbourhoodId: elsewhere.neighbourhoodId })), ['C1', 'N1', 'Q1']);
    const cityOnly = await loadBallotForm(db(), { municipalityId, cycleId: c.cycle.id, neighbourhoodId: null });
    assert.deepEqual(codes(cityOnly), ['C1']);
    assert.equal(cityOnly.rules.ballot_type, 'approval');
    assert.deepEqual(await fieldErrors(loadBallotForm(db(), { municipalityId, cycleId: c.cycle.id, neighbourhoodId: 987654 })), {
      neighbourhoodId: 'budget.vote.error.unknown_neighbourhood',
    });
    // A project of another district is not on this voter's ballot.
    assert.deepEqual(await fieldErrors(counter(c, { choices: [{ projectId: project(c, 'N1'), value: 1 }] })), { choices: 'budget.vote.error.unknown_project' });
    await counter(c, { residence: { neighbourhoodId: elsewhere.neighbourhoodId }, choices: [{ projectId: project(c, 'N1'), value: 1 }, { projectId: project(c, 'Q1'), value: 1 }] });
  });

  test('a receipt that names no ballot of the cycle finds nothing', async () => {
    const c = await cycleWith();
    const { receipt } = await counter(c);
    const other = await cycleWith();
    assert.equal(await findReceipt(db(), { municipalityId, cycleId: other.cycle.id, receipt }), null);
    assert.equal(await findReceipt(db(), { municipalityId, cycleId: c.cycle.id, receipt: 'nonsense' }), null);
    assert.equal(await findReceipt(db(), { municipalityId, cycleId: c.cycle.id, receipt: '0000-0000-0000' }), null);
  });

  test('invalid ballots and voters are refused, and nothing is written', async () => {
    const approval = await cycleWith({ maxChoices: 2 });
    const p = (code: string) => ({ projectId: project(approval, code), value: 1 });
    const cases: [string, () => Promise<unknown>, Record<string, string>][] = [
      ['duplicate projects', () => counter(approval, { choices: [p('C1'), p('C1')] }), { [`project_${project(approval, 'C1')}`]: 'budget.vote.error.duplicate_project' }],
      ['too many choices', () => counter(approval, { choices: [p('C1'), p('C2'), p('C3')] }), { [`envelope_${approval.envelopes[0]!.id}`]: 'budget.vote.error.too_many_choices' }],
      ['forged project id', () => counter(approval, { choices: [{ projectId: 99_999_999, value: 1 }] }), { choices: 'budget.vote.error.unknown_project' }],
      ['empty ballot', () => counter(approval, { choices: [] }), { choices: 'budget.vote.error.empty' }],
      ['a value other than 1 on an approval ballot', () => counter(approval, { choices: [{ projectId: project(approval, 'C1'), value: 2 }] }), { [`project_${project(approval, 'C1')}`]: 'budget.vote.error.bad_points' }],
      ['under-18 age group', () => counter(approval, { ageGroup: '15-17' }), { ageGroup: 'budget.vote.error.not_eligible' }],
      ['unknown neighbourhood', () => counter(approval, { residence: { neighbourhoodId: 987654 } }), { neighbourhoodId: 'budget.vote.error.unknown_neighbourhood' }],
      ['no residence where it is required', () => counter(approval, { residence: { neighbourhoodId: null } }), { neighbourhoodId: 'budget.vote.error.residence_required' }],
      ['bad ID number', () => counter(approval, { idNumber: '1234' }), { idNumber: 'budget.vote.error.invalid_id_number' }],
      ['bad gender', () => counter(approval, { gender: 'x' }), { gender: 'budget.vote.error.invalid_gender' }],
      ['not declared eligible online', () => online(approval, { declaredEligible: false }), { declaredEligible: 'budget.vote.error.must_declare_eligible' }],
    ];
    for (const [what, work, expected] of cases) assert.deepEqual(await fieldErrors(work()), expected, what);
    assert.deepEqual(await counts(approval.cycle.id), { participations: 0, ballots: 0 });

    const knapsack = await cycleWith({ ballotType: 'knapsack' });
    const k = (code: string) => ({ projectId: project(knapsack, code), value: 1 });
    const over = await fieldErrors(counter(knapsack, { choices: [k('C1'), k('C2'), k('C3')] }));
    assert.deepEqual(over, { [`envelope_${knapsack.envelopes[0]!.id}`]: 'budget.vote.error.over_budget' });
    await counter(knapsack, { choices: [k('C1'), k('C2'), k('C4')] }); // 900 TND of 1,000

    const cumulative = await cycleWith({ ballotType: 'cumulative', totalPoints: 5, maxPointsPerProject: 3 });
    const pts = (code: string, value: number) => ({ projectId: project(cumulative, code), value });
    assert.deepEqual(await fieldErrors(counter(cumulative, { choices: [pts('C1', 3), pts('C2', 3)] })), {
      [`envelope_${cumulative.envelopes[0]!.id}`]: 'budget.vote.error.too_many_points',
    });
    assert.deepEqual(await fieldErrors(counter(cumulative, { choices: [pts('C1', 4)] })), { [`project_${project(cumulative, 'C1')}`]: 'budget.vote.error.bad_points' });
    await counter(cumulative, { choices: [pts('C1', 3), pts('C2', 2)] });

    const ranking = await cycleWith({ ballotType: 'ranking', maxChoices: 3 });
    const rank = (code: string, value: number) => ({ projectId: project(ranking, code), value });
    for (const bad of [[rank('C1', 1), rank('C2', 3)], [rank('C1', 2), rank('C2', 2)], [rank('C1', 2)]]) {
      assert.deepEqual(await fieldErrors(counter(ranking, { choices: bad })), { [`envelope_${ranking.envelopes[0]!.id}`]: 'budget.vote.error.bad_ranks' });
    }
    await counter(ranking, { choices: [rank('C2', 1), rank('C1', 2)] });
    for (const c of [knapsack, cumulative, ranking]) assert.deepEqual(await counts(c.cycle.id), { participations: 1, ballots: 1 });
  });

  test('ballots are refused outside the voting phase and on a channel the cycle does not offer', async () => {
    for (const phase of ['review', 'support', 'counting', 'results'] as const) {
      const c = await cycleWith({ phase });
      assert.deepEqual(await fieldErrors(counter(c)), { _form: 'budget.vote.error.not_open' }, phase);
      assert.deepEqual(await fieldErrors(online(c)), { _form: 'budget.vote.error.not_open' }, phase);
      assert.deepEqual(await counts(c.cycle.id), { participations: 0, ballots: 0 });
    }
    // The moment voting closes, it is closed.
    const c = await cycleWith();
    assert.deepEqual(await fieldErrors(counter(c, { now: c.cycle.voting_close_at })), { _form: 'budget.vote.error.not_open' });
    await counter(c, { now: c.cycle.voting_open_at });
    const noOnline = await cycleWith({ cycle: { online_voting: 0 } });
    assert.deepEqual(await fieldErrors(online(noOnline)), { _form: 'budget.vote.error.channel_closed' });
    await counter(noOnline);
    const noCounter = await cycleWith({ cycle: { counter_voting: 0 } });
    assert.deepEqual(await fieldErrors(counter(noCounter)), { _form: 'budget.vote.error.channel_closed' });
    const noPaper = await cycleWith({ cycle: { paper_voting: 0 } });
    assert.deepEqual(
      await fieldErrors(
        registerPaperVoter(db(), {
          secretKey: TEST_SECRET,
          actor: officer,
          municipalityId,
          cycleId: noPaper.cycle.id,
          idNumber: nextIdNumber(),
          residence: { neighbourhoodId: home.id },
          ageGroup: '25-34',
          gender: null,
        }),
      ),
      { _form: 'budget.vote.error.channel_closed' },
    );
  });

  test('a cycle for older voters refuses younger age groups; one without residence rule takes city-wide ballots', async () => {
    const c = await cycleWith({ cycle: { min_age: 25, residence_required: 0 } });
    assert.deepEqual(await fieldErrors(counter(c, { ageGroup: '18-24' })), { ageGroup: 'budget.vote.error.not_eligible' });
    await counter(c, { ageGroup: '25-34', residence: { neighbourhoodId: null } });
    assert.deepEqual(await fieldErrors(counter(c, { residence: { neighbourhoodId: null }, choices: [{ projectId: project(c, 'A1'), value: 1 }] })), {
      choices: 'budget.vote.error.unknown_project',
    });
  });

  test('a cycle of another municipality is not found', async () => {
    const other = await createTestMunicipality(db(), 'vote-other');
    const c = await createTestCycle(db(), other.id);
    await assert.rejects(counter(c), (e) => e instanceof AppError && e.code === 'not_found');
  });
});
