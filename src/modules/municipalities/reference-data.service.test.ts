import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Actor } from '../../auth/policies.ts';
import { type AppError, isAppError } from '../../lib/errors.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { actorFor, auditEntries, auditedBy, createTenant, parsed, type TenantFixture } from '../admin/admin.test-support.ts';
import { findArrondissement, findDepartment, findNeighbourhood } from './reference-data.repository.ts';
import {
  createArrondissement,
  createDepartment,
  createNeighbourhood,
  deleteArrondissement,
  deleteDepartment,
  deleteNeighbourhood,
  getNeighbourhood,
  listReferenceData,
  updateArrondissement,
  updateDepartment,
  updateNeighbourhood,
} from './reference-data.service.ts';

const rejectsWith = (code: string, field?: string) => (error: unknown) => {
  assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
  assert.equal(error.code, code);
  if (field) assert.ok(field in (error as AppError).fields, `expected an error on ${field}: ${JSON.stringify((error as AppError).fields)}`);
  return true;
};

const names = (fr: string) => ({ ar: `حي ${fr}`, fr, en: fr });
const square = [
  [8.7, 36.17],
  [8.72, 36.17],
  [8.72, 36.19],
  [8.7, 36.19],
  [8.7, 36.17],
];

describeEachDatabase('reference data: arrondissements, neighbourhoods, departments', (suite) => {
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let admin: NonNullable<Actor>;
  let agent: NonNullable<Actor>;
  const scope = () => ({ actor: admin, municipalityId: alpha.municipality.id });

  before(async () => {
    alpha = await createTenant(suite.db(), 'alpha');
    beta = await createTenant(suite.db(), 'beta');
    admin = actorFor(alpha.admin, [{ role: 'admin' }]);
    agent = actorFor(alpha.agent, [{ role: 'staff_agent', departmentId: alpha.departments[0]!.id }]);
  });

  test('creating an arrondissement writes it and exactly one audit entry with its values', async () => {
    const db = suite.db();
    let id = 0;
    const entries = await auditedBy(db, alpha.municipality.id, async () => {
      id = (await createArrondissement(db, { ...scope(), input: { name: names('Kef Nord'), outline: null } })).id;
    });
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.action, 'arrondissement.created');
    assert.equal(entries[0]!.actor_user_id, alpha.admin.id);
    assert.equal(entries[0]!.entity_id, String(id));
    assert.equal(entries[0]!.before_json, null);
    assert.deepEqual(parsed(entries[0]!.after_json), { name_ar: 'حي Kef Nord', name_fr: 'Kef Nord', name_en: 'Kef Nord', outline_geojson: null });
    assert.equal((await findArrondissement(db, alpha.municipality.id, id))?.name_fr, 'Kef Nord');
  });

  test('an edit records only the fields it changed, and a save without changes records nothing', async () => {
    const db = suite.db();
    const created = await createArrondissement(db, { ...scope(), input: { name: names('Kef Sud'), outline: null } });
    const entries = await auditedBy(db, alpha.municipality.id, () =>
      updateArrondissement(db, { ...scope(), id: created.id, version: created.updated_at, input: { name: { ...names('Kef Sud'), en: 'Kef South' }, outline: null } }),
    );
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.action, 'arrondissement.updated');
    assert.deepEqual(parsed(entries[0]!.before_json), { name_en: 'Kef Sud' });
    assert.deepEqual(parsed(entries[0]!.after_json), { name_en: 'Kef South' });

    const current = (await findArrondissement(db, alpha.municipality.id, created.id))!;
    assert.notEqual(current.updated_at, created.updated_at);
    const none = await auditedBy(db, alpha.municipality.id, () =>
      updateArrondissement(db, { ...scope(), id: created.id, version: current.updated_at, input: { name: { ...names('Kef Sud'), en: 'Kef South' }, outline: null } }),
    );
    assert.equal(none.length, 0);
  });

  test('a stale edit is refused and keeps the other administrator’s change', async () => {
    const db = suite.db();
    const created = await createArrondissement(db, { ...scope(), input: { name: names('Medina'), outline: null } });
    // Two administrators opened the edit page at the same version; the first one saves.
    await updateArrondissement(db, { ...scope(), id: created.id, version: created.updated_at, input: { name: names('Médina'), outline: null } });
    const count = (await auditEntries(db, alpha.municipality.id)).length;
    await assert.rejects(
      updateArrondissement(db, { ...scope(), id: created.id, version: created.updated_at, input: { name: names('Medina old'), outline: null } }),
      rejectsWith('stale'),
    );
    await assert.rejects(deleteArrondissement(db, { ...scope(), id: created.id, version: created.updated_at }), rejectsWith('stale'));
    assert.equal((await findArrondissement(db, alpha.municipality.id, created.id))?.name_fr, 'Médina');
    assert.equal((await auditEntries(db, alpha.municipality.id)).length, count);
  });

  test('an outline is validated against the municipality and stored as its geometry', async () => {
    const db = suite.db();
    const count = (await auditEntries(db, alpha.municipality.id)).length;
    await assert.rejects(
      createNeighbourhood(db, { ...scope(), input: { name: names('Bad'), outline: '{"type":"Point","coordinates":[8.7,36.1]}', arrondissementId: null } }),
      rejectsWith('validation', 'outline'),
    );
    await assert.rejects(
      createNeighbourhood(db, { ...scope(), input: { name: names('Bad'), outline: 'not json', arrondissementId: null } }),
      (error) => isAppError(error, 'validation') && error.fields.outline === 'validation.invalid_json',
    );
    assert.equal((await auditEntries(db, alpha.municipality.id)).length, count);

    const feature = JSON.stringify({ type: 'Feature', properties: { name: 'x' }, geometry: { type: 'Polygon', coordinates: [square] } });
    const row = await createNeighbourhood(db, { ...scope(), input: { name: names('Zitouna'), outline: feature, arrondissementId: null } });
    assert.deepEqual(JSON.parse(row.outline_geojson!), { type: 'Polygon', coordinates: [square] });
  });

  test('a neighbourhood cannot be placed in another municipality’s arrondissement', async () => {
    const db = suite.db();
    const [betaArrondissement] = (await listReferenceData(db, { actor: actorFor(beta.admin, [{ role: 'admin' }]), municipalityId: beta.municipality.id })).arrondissements;
    await assert.rejects(
      createNeighbourhood(db, { ...scope(), input: { name: names('Intrus'), outline: null, arrondissementId: betaArrondissement!.id } }),
      rejectsWith('validation', 'arrondissement_id'),
    );
  });

  test('an arrondissement with neighbourhoods cannot be deleted until they are moved', async () => {
    const db = suite.db();
    const arrondissement = await createArrondissement(db, { ...scope(), input: { name: names('Ouest'), outline: null } });
    const neighbourhood = await createNeighbourhood(db, { ...scope(), input: { name: names('Skhira'), outline: null, arrondissementId: arrondissement.id } });
    const count = (await auditEntries(db, alpha.municipality.id)).length;
    await assert.rejects(deleteArrondissement(db, { ...scope(), id: arrondissement.id, version: arrondissement.updated_at }), (error) => {
      assert.ok(isAppError(error, 'conflict'));
      assert.deepEqual(error.fields._form, { key: 'admin.areas.arrondissement_in_use', values: { count: 1 } });
      return true;
    });
    assert.equal((await auditEntries(db, alpha.municipality.id)).length, count);

    await updateNeighbourhood(db, { ...scope(), id: neighbourhood.id, version: neighbourhood.updated_at, input: { name: names('Skhira'), outline: null, arrondissementId: null } });
    const entries = await auditedBy(db, alpha.municipality.id, () =>
      deleteArrondissement(db, { ...scope(), id: arrondissement.id, version: arrondissement.updated_at }),
    );
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.action, 'arrondissement.deleted');
    assert.equal((parsed(entries[0]!.before_json) as { name_fr: string }).name_fr, 'Ouest');
    assert.equal(entries[0]!.after_json, null);
    assert.equal(await findArrondissement(db, alpha.municipality.id, arrondissement.id), undefined);
  });

  test('a neighbourhood chosen by a resident cannot be deleted; an unused one can', async () => {
    const db = suite.db();
    const chosen = await createNeighbourhood(db, { ...scope(), input: { name: names('Bouriou'), outline: null, arrondissementId: null } });
    await db.updateTable('users').set({ neighbourhood_id: chosen.id }).where('id', '=', alpha.citizen.id).execute();
    await assert.rejects(deleteNeighbourhood(db, { ...scope(), id: chosen.id, version: chosen.updated_at }), rejectsWith('conflict', '_form'));
    assert.ok(await findNeighbourhood(db, alpha.municipality.id, chosen.id));

    const unused = await createNeighbourhood(db, { ...scope(), input: { name: names('Eddir'), outline: null, arrondissementId: null } });
    const entries = await auditedBy(db, alpha.municipality.id, () => deleteNeighbourhood(db, { ...scope(), id: unused.id, version: unused.updated_at }));
    assert.deepEqual(entries.map((e) => e.action), ['neighbourhood.deleted']);
  });

  test('department codes are unique within a municipality only', async () => {
    const db = suite.db();
    const input = { code: 'parks', name: names('Espaces verts'), email: 'parks@alpha.example', active: true };
    const parks = await createDepartment(db, { ...scope(), input });
    await assert.rejects(createDepartment(db, { ...scope(), input }), rejectsWith('conflict', 'code'));
    await assert.rejects(
      updateDepartment(db, { ...scope(), id: parks.id, version: parks.updated_at, input: { ...input, code: 'technical' } }),
      rejectsWith('conflict', 'code'),
    );
    const betaParks = await createDepartment(db, { actor: actorFor(beta.admin, [{ role: 'admin' }]), municipalityId: beta.municipality.id, input });
    assert.equal(betaParks.code, 'parks');
  });

  test('a department holding staff roles cannot be deleted, but can be made inactive', async () => {
    const db = suite.db();
    const department = alpha.departments[0]!; // the agent holds a role in it
    await assert.rejects(deleteDepartment(db, { ...scope(), id: department.id, version: department.updated_at }), (error) => {
      assert.ok(isAppError(error, 'conflict'));
      assert.deepEqual(error.fields._form, { key: 'admin.departments.in_use', values: { count: 1 } });
      return true;
    });
    const entries = await auditedBy(db, alpha.municipality.id, () =>
      updateDepartment(db, {
        ...scope(),
        id: department.id,
        version: department.updated_at,
        input: { code: department.code, name: { ar: department.name_ar, fr: department.name_fr, en: department.name_en }, email: null, active: false },
      }),
    );
    assert.deepEqual(parsed(entries[0]!.before_json), { active: 1 });
    assert.deepEqual(parsed(entries[0]!.after_json), { active: 0 });
    assert.equal((await findDepartment(db, alpha.municipality.id, department.id))?.active, 0);
  });

  test('another municipality’s rows are not found, and its data cannot be reached at all', async () => {
    const db = suite.db();
    const betaData = await listReferenceData(db, { actor: actorFor(beta.admin, [{ role: 'admin' }]), municipalityId: beta.municipality.id });
    const betaNeighbourhood = betaData.neighbourhoods[0]!;
    const betaDepartment = betaData.departments[0]!;
    const betaCount = (await auditEntries(db, beta.municipality.id)).length;

    // Alpha's administrator, acting in alpha, with ids guessed from beta.
    await assert.rejects(getNeighbourhood(db, { ...scope(), id: betaNeighbourhood.id }), rejectsWith('not_found'));
    await assert.rejects(
      updateNeighbourhood(db, { ...scope(), id: betaNeighbourhood.id, version: betaNeighbourhood.updated_at, input: { name: names('Pris'), outline: null, arrondissementId: null } }),
      rejectsWith('not_found'),
    );
    await assert.rejects(deleteDepartment(db, { ...scope(), id: betaDepartment.id, version: betaDepartment.updated_at }), rejectsWith('not_found'));
    // Alpha's administrator naming beta as the municipality.
    await assert.rejects(
      createDepartment(db, { actor: admin, municipalityId: beta.municipality.id, input: { code: 'x', name: names('X'), email: null, active: true } }),
      rejectsWith('forbidden'),
    );

    assert.equal((await findNeighbourhood(db, beta.municipality.id, betaNeighbourhood.id))?.name_fr, betaNeighbourhood.name_fr);
    assert.ok(await findDepartment(db, beta.municipality.id, betaDepartment.id));
    assert.equal((await auditEntries(db, beta.municipality.id)).length, betaCount);
  });

  test('staff without the admin role cannot change reference data', async () => {
    const db = suite.db();
    const count = (await auditEntries(db, alpha.municipality.id)).length;
    await assert.rejects(createArrondissement(db, { actor: agent, municipalityId: alpha.municipality.id, input: { name: names('Non'), outline: null } }), rejectsWith('forbidden'));
    await assert.rejects(listReferenceData(db, { actor: agent, municipalityId: alpha.municipality.id }), rejectsWith('forbidden'));
    await assert.rejects(listReferenceData(db, { actor: null, municipalityId: alpha.municipality.id }), rejectsWith('unauthenticated'));
    assert.equal((await auditEntries(db, alpha.municipality.id)).length, count);
  });
});
