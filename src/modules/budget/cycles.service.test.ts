import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Actor } from '../../auth/policies.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { addDays } from '../../lib/time.ts';
import { isAppError } from '../../lib/errors.ts';
import { createTestCycle } from './budget.test-support.ts';
import { findCycleById, listEnvelopes } from './cycles.repository.ts';
import {
  type CycleInput,
  createCycle,
  createEnvelope,
  deleteEnvelope,
  getCycleHub,
  isoToLocalInput,
  localInputToIso,
  millimesToInput,
  parseTnd,
  rulesFor,
  updateCycle,
  updateEnvelope,
} from './cycles.service.ts';

describe('parseTnd', () => {
  test('reads dinars as people type them, exactly, in millimes', () => {
    assert.equal(parseTnd('150000'), 150_000_000);
    assert.equal(parseTnd('150 000,500'), 150_000_500);
    assert.equal(parseTnd('150000.5'), 150_000_500);
    assert.equal(parseTnd('150\u202f000,05'), 150_000_050);
    assert.equal(parseTnd('١٥٠٠٠٠'), 150_000_000);
    assert.equal(parseTnd('1.500,250'), 1_500_250);
    assert.equal(parseTnd('1,500.25'), 1_500_250);
    assert.equal(parseTnd('1.500.000'), 1_500_000_000);
    assert.equal(parseTnd('0,001'), 1);
    assert.equal(parseTnd('2 500 DT'), 2_500_000);
  });
  test('refuses what is not an amount or cannot be stored', () => {
    for (const bad of ['', 'abc', '0', '-5', '1,2345', '12a', '1..2', '1000000000001']) assert.equal(parseTnd(bad), null, bad);
    // A large city's envelope (3 million dinars) fits: money columns are 64-bit.
    assert.equal(parseTnd('3000000'), 3_000_000_000);
  });
  test('shows millimes back as they can be typed again', () => {
    assert.equal(millimesToInput(150_000_500, 'fr'), '150000,5');
    assert.equal(millimesToInput(150_000_000, 'ar'), '150000');
    assert.equal(parseTnd(millimesToInput(1_234_567, 'en')), 1_234_567);
  });
});

describe('local times', () => {
  test('a datetime-local value is El Kef time (UTC+1) and comes back the same', () => {
    assert.equal(localInputToIso('2027-03-01T08:30'), '2027-03-01T07:30:00.000Z');
    assert.equal(isoToLocalInput('2027-03-01T07:30:00.000Z'), '2027-03-01T08:30');
    assert.equal(localInputToIso('2027-02-30T08:30'), null);
    assert.equal(localInputToIso('soon'), null);
  });
  test('rules offered per ballot type', () => {
    assert.ok(rulesFor('cumulative').includes('mes_additive_cardinal_sat'));
    assert.ok(!rulesFor('approval').includes('mes_additive_cardinal_sat'));
    assert.ok(rulesFor('knapsack').includes('greedy_cost_sat'));
  });
});

const NOW = '2027-01-10T09:00:00.000Z';

function inputFor(overrides: Partial<CycleInput> = {}): CycleInput {
  return {
    year: 2027,
    slug: 'pb-2027',
    title: { ar: 'الميزانية التشاركية 2027', fr: 'Budget participatif 2027', en: '' },
    description: { ar: '', fr: '', en: '' },
    informationStartsAt: addDays(NOW, 1),
    proposalsOpenAt: addDays(NOW, 5),
    proposalsCloseAt: addDays(NOW, 20),
    reviewCloseAt: addDays(NOW, 40),
    supportOpenAt: null,
    supportCloseAt: null,
    votingOpenAt: addDays(NOW, 45),
    votingCloseAt: addDays(NOW, 60),
    ballotType: 'approval',
    minChoices: 1,
    maxChoices: 3,
    totalPoints: null,
    maxPointsPerProject: null,
    rule: 'mes_cost_sat_add1u',
    tieBreaking: 'project_id',
    lotSeed: null,
    minAge: 18,
    residenceRequired: true,
    maxVotersPerPhone: 3,
    onlineVoting: true,
    counterVoting: true,
    paperVoting: true,
    ...overrides,
  };
}

async function rejects(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(isAppError(error, code as never), `expected ${code}, got ${String(error)}`);
    if (field) assert.ok(field in error.fields, `expected an error on ${field}: ${JSON.stringify(error.fields)}`);
    return true;
  });
}

describeEachDatabase('cycle administration', ({ db }) => {
  let municipalityId: number;
  let officer: Actor;
  let admin: Actor;
  let agent: Actor;
  let citizen: Actor;
  let foreignOfficer: Actor;

  test('setup', async () => {
    const m = await createTestMunicipality(db(), 'pb-cycles');
    const other = await createTestMunicipality(db(), 'pb-cycles-other');
    municipalityId = m.id;
    const department = await db().selectFrom('departments').select('id').where('municipality_id', '=', m.id).executeTakeFirstOrThrow();
    const asActor = (userId: number, roles: Actor extends null ? never : NonNullable<Actor>['roles'], mid = m.id): Actor => ({ userId, municipalityId: mid, roles });
    officer = asActor((await createTestUser(db(), { municipalityId: m.id, roles: [{ role: 'budget_officer' }] })).id, [{ role: 'budget_officer', departmentId: null }]);
    admin = asActor((await createTestUser(db(), { municipalityId: m.id, roles: [{ role: 'admin' }] })).id, [{ role: 'admin', departmentId: null }]);
    agent = asActor((await createTestUser(db(), { municipalityId: m.id, roles: [{ role: 'staff_agent', departmentId: department.id }] })).id, [
      { role: 'staff_agent', departmentId: department.id },
    ]);
    citizen = asActor((await createTestUser(db(), { municipalityId: m.id })).id, []);
    foreignOfficer = asActor((await createTestUser(db(), { municipalityId: other.id, roles: [{ role: 'budget_officer' }] })).id, [{ role: 'budget_officer', departmentId: null }], other.id);
  });

  test('an officer or an administrator creates a cycle (random seal salt, audited); others may not', async () => {
    const cycle = await createCycle(db(), { actor: officer, municipalityId, input: inputFor(), now: NOW });
    assert.equal(cycle.slug, 'pb-2027');
    assert.equal(cycle.title_en, 'Budget participatif 2027', 'English falls back to French');
    assert.ok(cycle.seal_salt && cycle.seal_salt.length >= 20);
    const audit = await db().selectFrom('audit_log').select(['action', 'entity_id']).where('municipality_id', '=', municipalityId).execute();
    assert.ok(audit.some((a) => a.action === 'budget.cycle_created' && a.entity_id === String(cycle.id)));
    const second = await createCycle(db(), { actor: admin, municipalityId, input: inputFor({ slug: 'pb-2028', year: 2028 }), now: NOW });
    assert.notEqual(second.seal_salt, cycle.seal_salt);
    await rejects(createCycle(db(), { actor: agent, municipalityId, input: inputFor({ slug: 'x1' }), now: NOW }), 'forbidden');
    await rejects(createCycle(db(), { actor: citizen, municipalityId, input: inputFor({ slug: 'x2' }), now: NOW }), 'forbidden');
    await rejects(createCycle(db(), { actor: null, municipalityId, input: inputFor({ slug: 'x3' }), now: NOW }), 'unauthenticated');
    await rejects(createCycle(db(), { actor: foreignOfficer, municipalityId, input: inputFor({ slug: 'x4' }), now: NOW }), 'forbidden');
    await rejects(createCycle(db(), { actor: officer, municipalityId, input: inputFor(), now: NOW }), 'validation', 'slug');
  });

  test('dates must follow the phases; rule must fit the ballot type; eligibility at least 18', async () => {
    await rejects(
      createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'd1', votingOpenAt: addDays(NOW, 10) }), now: NOW }),
      'validation',
      'votingOpenAt',
    );
    await rejects(
      createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'd2', supportOpenAt: addDays(NOW, 41), supportCloseAt: null }), now: NOW }),
      'validation',
      'supportCloseAt',
    );
    await rejects(
      createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'd3', rule: 'mes_additive_cardinal_sat' }), now: NOW }),
      'validation',
      'rule',
    );
    await rejects(createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'd4', minAge: 16 }), now: NOW }), 'validation', 'minAge');
    await rejects(
      createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'd5', onlineVoting: false, counterVoting: false, paperVoting: false }), now: NOW }),
      'validation',
      'onlineVoting',
    );
    await rejects(createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'd6', maxChoices: null }), now: NOW }), 'validation', 'maxChoices');
    await rejects(
      createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'd7', tieBreaking: 'equalshares', lotSeed: null }), now: NOW }),
      'validation',
      'lotSeed',
    );
    const cumulative = await createCycle(db(), {
      actor: officer,
      municipalityId,
      input: inputFor({ slug: 'd8', ballotType: 'cumulative', totalPoints: 10, maxPointsPerProject: 5, maxChoices: 7, rule: 'mes_additive_cardinal_sat' }),
      now: NOW,
    });
    assert.equal(cumulative.max_choices, null, 'a limit of another ballot type is not stored');
    assert.equal(cumulative.total_points, 10);
  });

  test('an edit made on an old version is refused as stale', async () => {
    const cycle = await createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'v1' }), now: NOW });
    const updated = await updateCycle(db(), { actor: officer, municipalityId, cycleId: cycle.id, version: cycle.version, input: inputFor({ slug: 'v1', maxChoices: 4 }), now: NOW });
    assert.equal(updated.max_choices, 4);
    assert.equal(updated.version, cycle.version + 1);
    await rejects(updateCycle(db(), { actor: officer, municipalityId, cycleId: cycle.id, version: cycle.version, input: inputFor({ slug: 'v1', maxChoices: 5 }), now: NOW }), 'stale');
    assert.equal((await findCycleById(db(), municipalityId, cycle.id))!.max_choices, 4);
    await rejects(updateCycle(db(), { actor: agent, municipalityId, cycleId: cycle.id, version: updated.version, input: inputFor({ slug: 'v1' }), now: NOW }), 'forbidden');
  });

  test('once voting opens the ballot rules are frozen; later dates and descriptions may change', async () => {
    const cycle = await createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'f1' }), now: NOW });
    const during = addDays(NOW, 50);
    await rejects(
      updateCycle(db(), { actor: officer, municipalityId, cycleId: cycle.id, version: cycle.version, input: inputFor({ slug: 'f1', maxChoices: 5 }), now: during }),
      'validation',
      'maxChoices',
    );
    await rejects(
      updateCycle(db(), { actor: admin, municipalityId, cycleId: cycle.id, version: cycle.version, input: inputFor({ slug: 'f1', ballotType: 'knapsack', rule: 'greedy_cost_sat' }), now: during }),
      'validation',
      'ballotType',
    );
    await rejects(
      updateCycle(db(), { actor: officer, municipalityId, cycleId: cycle.id, version: cycle.version, input: inputFor({ slug: 'f1', rule: 'mes_cost_sat' }), now: during }),
      'validation',
      'rule',
    );
    await rejects(
      updateCycle(db(), { actor: officer, municipalityId, cycleId: cycle.id, version: cycle.version, input: inputFor({ slug: 'f1', votingOpenAt: addDays(NOW, 44) }), now: during }),
      'validation',
      'votingOpenAt',
    );
    const unchanged = await findCycleById(db(), municipalityId, cycle.id);
    assert.equal(unchanged!.max_choices, 3);
    assert.equal(unchanged!.rule, 'mes_cost_sat_add1u');
    const later = await updateCycle(db(), {
      actor: officer,
      municipalityId,
      cycleId: cycle.id,
      version: cycle.version,
      input: inputFor({ slug: 'f1', votingCloseAt: addDays(NOW, 65), description: { ar: 'تمديد', fr: 'Prolongation', en: '' } }),
      now: during,
    });
    assert.equal(later.voting_close_at, addDays(NOW, 65));
    assert.equal(later.description_fr, 'Prolongation');
    // After the close, the vote is not reopened.
    await rejects(
      updateCycle(db(), { actor: officer, municipalityId, cycleId: cycle.id, version: later.version, input: inputFor({ slug: 'f1', votingCloseAt: addDays(NOW, 90) }), now: addDays(NOW, 70) }),
      'validation',
      'votingCloseAt',
    );
  });

  test('envelopes: created, edited, deleted before voting; refused once voting opened', async () => {
    const cycle = await createCycle(db(), { actor: officer, municipalityId, input: inputFor({ slug: 'e1' }), now: NOW });
    const arrondissement = await db().selectFrom('arrondissements').select('id').where('municipality_id', '=', municipalityId).executeTakeFirstOrThrow();
    const city = await createEnvelope(db(), {
      actor: officer,
      municipalityId,
      cycleId: cycle.id,
      input: { scope: 'city', areaId: null, name: { ar: 'المدينة', fr: 'Ville', en: '' }, budgetMillimes: parseTnd('800 000')!, sortOrder: 0 },
      now: NOW,
    });
    assert.equal(city.budget_millimes, 800_000_000);
    const district = await createEnvelope(db(), {
      actor: officer,
      municipalityId,
      cycleId: cycle.id,
      input: { scope: 'arrondissement', areaId: arrondissement.id, name: { ar: 'الدائرة', fr: 'Arrondissement', en: 'District' }, budgetMillimes: 150_000_000, sortOrder: 1 },
      now: NOW,
    });
    await rejects(
      createEnvelope(db(), {
        actor: officer,
        municipalityId,
        cycleId: cycle.id,
        input: { scope: 'arrondissement', areaId: arrondissement.id, name: { ar: 'مكرر', fr: 'Doublon', en: '' }, budgetMillimes: 1000, sortOrder: 2 },
        now: NOW,
      }),
      'validation',
      'areaId',
    );
    await rejects(
      createEnvelope(db(), {
        actor: officer,
        municipalityId,
        cycleId: cycle.id,
        input: { scope: 'neighbourhood', areaId: 999_999, name: { ar: 'حي', fr: 'Quartier', en: '' }, budgetMillimes: 1000, sortOrder: 2 },
        now: NOW,
      }),
      'validation',
      'areaId',
    );
    await rejects(
      createEnvelope(db(), { actor: agent, municipalityId, cycleId: cycle.id, input: { scope: 'city', areaId: null, name: { ar: 'أ', fr: 'A', en: '' }, budgetMillimes: 1000, sortOrder: 3 }, now: NOW }),
      'forbidden',
    );
    const edited = await updateEnvelope(db(), {
      actor: officer,
      municipalityId,
      cycleId: cycle.id,
      envelopeId: district.id,
      version: district.updated_at,
      input: { scope: 'arrondissement', areaId: arrondissement.id, name: { ar: 'الدائرة', fr: 'Arrondissement', en: 'District' }, budgetMillimes: 160_000_000, sortOrder: 1 },
      now: NOW,
    });
    assert.equal(edited.budget_millimes, 160_000_000);
    await rejects(
      updateEnvelope(db(), {
        actor: officer,
        municipalityId,
        cycleId: cycle.id,
        envelopeId: district.id,
        version: district.updated_at,
        input: { scope: 'arrondissement', areaId: arrondissement.id, name: { ar: 'الدائرة', fr: 'Arrondissement', en: 'District' }, budgetMillimes: 170_000_000, sortOrder: 1 },
        now: NOW,
      }),
      'stale',
    );
    const during = addDays(NOW, 50);
    await rejects(
      updateEnvelope(db(), {
        actor: officer,
        municipalityId,
        cycleId: cycle.id,
        envelopeId: city.id,
        version: city.updated_at,
        input: { scope: 'city', areaId: null, name: { ar: 'المدينة', fr: 'Ville', en: '' }, budgetMillimes: 900_000_000, sortOrder: 0 },
        now: during,
      }),
      'conflict',
    );
    await rejects(deleteEnvelope(db(), { actor: officer, municipalityId, cycleId: cycle.id, envelopeId: city.id, version: city.updated_at, now: during }), 'conflict');
    await rejects(
      createEnvelope(db(), { actor: officer, municipalityId, cycleId: cycle.id, input: { scope: 'city', areaId: null, name: { ar: 'ب', fr: 'B', en: '' }, budgetMillimes: 1000, sortOrder: 3 }, now: during }),
      'conflict',
    );
    assert.deepEqual((await listEnvelopes(db(), municipalityId, cycle.id)).map((e) => e.budget_millimes), [800_000_000, 160_000_000]);
    await deleteEnvelope(db(), { actor: officer, municipalityId, cycleId: cycle.id, envelopeId: district.id, version: edited.updated_at, now: NOW });
    assert.equal((await listEnvelopes(db(), municipalityId, cycle.id)).length, 1);
  });

  test('an envelope with projects cannot be deleted', async () => {
    const { cycle, envelopes } = await createTestCycle(db(), municipalityId, { phase: 'review', now: NOW });
    await rejects(deleteEnvelope(db(), { actor: officer, municipalityId, cycleId: cycle.id, envelopeId: envelopes[0]!.id, version: envelopes[0]!.updated_at, now: NOW }), 'conflict');
  });

  test('the hub: any staff member reads it, only the team manages; citizens and other municipalities are refused', async () => {
    const { cycle } = await createTestCycle(db(), municipalityId, { phase: 'voting', now: NOW });
    const hub = await getCycleHub(db(), { actor: agent, municipalityId, cycleId: cycle.id, now: NOW });
    assert.equal(hub.phase, 'voting');
    assert.equal(hub.frozen, true);
    assert.equal(hub.canManage, false);
    assert.equal(hub.counts.projects, 6);
    assert.equal((await getCycleHub(db(), { actor: officer, municipalityId, cycleId: cycle.id, now: NOW })).canManage, true);
    await rejects(getCycleHub(db(), { actor: citizen, municipalityId, cycleId: cycle.id, now: NOW }), 'forbidden');
    await rejects(getCycleHub(db(), { actor: foreignOfficer, municipalityId, cycleId: cycle.id, now: NOW }), 'forbidden');
  });
});
