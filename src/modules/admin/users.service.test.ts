import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Actor } from '../../auth/policies.ts';
import { isAppError } from '../../lib/errors.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestUser } from '../../../test/support/fixtures.ts';
import { startSession } from '../accounts/sessions.service.ts';
import { actorFor, auditEntries, auditedBy, createTenant, parsed, type TenantFixture } from './admin.test-support.ts';
import { findUserInMunicipality, listRoleGrantsOf } from './users.repository.ts';
import { getUserDetail, grantRole, listUsers, revokeRole, setAccountStatus } from './users.service.ts';

const is = (code: string, field?: string) => (error: unknown) =>
  isAppError(error) && error.code === code && (field === undefined || field in error.fields);

describeEachDatabase('users and roles', (suite) => {
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let admin: NonNullable<Actor>;
  const scope = () => ({ actor: admin, municipalityId: alpha.municipality.id });

  before(async () => {
    alpha = await createTenant(suite.db(), 'alpha');
    beta = await createTenant(suite.db(), 'beta');
    admin = actorFor(alpha.admin, [{ role: 'admin' }]);
  });

  const rolesOf = async (userId: number) =>
    (await listRoleGrantsOf(suite.db(), alpha.municipality.id, [userId])).map((g) => [g.role, g.department_id]);

  test('search finds people by name, e-mail and phone, within the municipality only', async () => {
    const db = suite.db();
    const byName = await listUsers(db, { ...scope(), text: 'citizen', page: 1, pageSize: 25 });
    assert.deepEqual(byName.items.map((u) => u.id), [alpha.citizen.id]);
    const byPhone = await listUsers(db, { ...scope(), text: alpha.citizen.phone!.slice(-6), page: 1, pageSize: 25 });
    assert.deepEqual(byPhone.items.map((u) => u.id), [alpha.citizen.id]);
    const byEmail = await listUsers(db, { ...scope(), text: 'AGENT@alpha', page: 1, pageSize: 25 });
    assert.deepEqual(byEmail.items.map((u) => u.id), [alpha.agent.id]);
    const staff = await listUsers(db, { ...scope(), role: 'staff', page: 1, pageSize: 25 });
    assert.deepEqual(staff.items.map((u) => u.id).sort(), [alpha.admin.id, alpha.agent.id].sort());
    // "%" is taken literally, not as a wildcard matching everyone.
    assert.equal((await listUsers(db, { ...scope(), text: '%', page: 1, pageSize: 25 })).total, 0);
    const everyone = await listUsers(db, { ...scope(), page: 1, pageSize: 2 });
    assert.equal(everyone.pageCount, Math.ceil(everyone.total / 2));
    assert.ok(everyone.items.every((u) => ![beta.admin.id, beta.agent.id, beta.citizen.id].includes(u.id)));
  });

  test('e-mail and phone are shown and searched only for roles that may view accounts', async () => {
    const db = suite.db();
    const list = await listUsers(db, { ...scope(), page: 1, pageSize: 25 });
    assert.equal(list.showContact, true);
    assert.ok(list.items.some((u) => u.phone === alpha.citizen.phone));
    const agent = actorFor(alpha.agent, [{ role: 'staff_agent', departmentId: alpha.departments[0]!.id }]);
    await assert.rejects(listUsers(db, { actor: agent, municipalityId: alpha.municipality.id, page: 1, pageSize: 25 }), is('forbidden'));
    await assert.rejects(getUserDetail(db, { actor: agent, municipalityId: alpha.municipality.id, userId: alpha.citizen.id }), is('forbidden'));
  });

  test('granting a department role needs one of the municipality’s active departments', async () => {
    const db = suite.db();
    const person = await createTestUser(db, { municipalityId: alpha.municipality.id, email: 'grant@alpha.example' });
    const count = (await auditEntries(db, alpha.municipality.id)).length;
    await assert.rejects(grantRole(db, { ...scope(), userId: person.id, role: 'staff_agent', departmentId: null }), is('validation', 'department_id'));
    await assert.rejects(
      grantRole(db, { ...scope(), userId: person.id, role: 'staff_agent', departmentId: beta.departments[0]!.id }),
      is('validation', 'department_id'),
    );
    await assert.rejects(
      grantRole(db, { ...scope(), userId: person.id, role: 'complaints_officer', departmentId: alpha.departments[0]!.id }),
      is('validation', 'department_id'),
    );
    assert.equal((await auditEntries(db, alpha.municipality.id)).length, count);

    const department = alpha.departments[1]!;
    const entries = await auditedBy(db, alpha.municipality.id, () =>
      grantRole(db, { ...scope(), userId: person.id, role: 'department_head', departmentId: department.id }),
    );
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.action, 'user.role_granted');
    assert.equal(entries[0]!.entity_id, String(person.id));
    assert.deepEqual(parsed(entries[0]!.after_json), {
      grant_id: (await listRoleGrantsOf(db, alpha.municipality.id, [person.id]))[0]!.id,
      role: 'department_head',
      department_id: department.id,
    });
    await grantRole(db, { ...scope(), userId: person.id, role: 'moderator', departmentId: null });
    assert.deepEqual(await rolesOf(person.id), [
      ['department_head', department.id],
      ['moderator', null],
    ]);
    await assert.rejects(grantRole(db, { ...scope(), userId: person.id, role: 'moderator', departmentId: null }), is('conflict', 'role'));
  });

  test('revoking a role records what was held', async () => {
    const db = suite.db();
    const person = await createTestUser(db, { municipalityId: alpha.municipality.id, email: 'revoke@alpha.example', roles: [{ role: 'moderator' }] });
    const [grant] = await listRoleGrantsOf(db, alpha.municipality.id, [person.id]);
    const entries = await auditedBy(db, alpha.municipality.id, () => revokeRole(db, { ...scope(), userId: person.id, grantId: grant!.id }));
    assert.deepEqual(entries.map((e) => e.action), ['user.role_revoked']);
    assert.deepEqual(parsed(entries[0]!.before_json), { grant_id: grant!.id, role: 'moderator', department_id: null });
    assert.deepEqual(await rolesOf(person.id), []);
  });

  test('the last active administrator cannot give up the role or be disabled', async () => {
    const db = suite.db();
    const lone = await createTenant(db, 'lone');
    const loneAdmin = actorFor(lone.admin, [{ role: 'admin' }]);
    const loneScope = { actor: loneAdmin, municipalityId: lone.municipality.id };
    const [adminGrant] = await listRoleGrantsOf(db, lone.municipality.id, [lone.admin.id]);
    const count = (await auditEntries(db, lone.municipality.id)).length;
    await assert.rejects(revokeRole(db, { ...loneScope, userId: lone.admin.id, grantId: adminGrant!.id }), (error) =>
      isAppError(error, 'conflict') && error.fields._form === 'admin.users.last_admin',
    );
    await assert.rejects(
      setAccountStatus(db, { ...loneScope, userId: lone.admin.id, version: lone.admin.updated_at, status: 'disabled' }),
      (error) => isAppError(error, 'conflict') && error.fields._form === 'admin.users.cannot_disable_self',
    );
    assert.equal((await auditEntries(db, lone.municipality.id)).length, count);

    // A disabled second administrator does not count: the municipality would still be locked out.
    const second = await createTestUser(db, { municipalityId: lone.municipality.id, email: 'second@lone.example', roles: [{ role: 'admin' }] });
    await db.updateTable('users').set({ status: 'disabled' }).where('id', '=', second.id).execute();
    await assert.rejects(revokeRole(db, { ...loneScope, userId: lone.admin.id, grantId: adminGrant!.id }), is('conflict'));

    // Once another administrator is active, the first may step down.
    await db.updateTable('users').set({ status: 'active' }).where('id', '=', second.id).execute();
    await revokeRole(db, { ...loneScope, userId: lone.admin.id, grantId: adminGrant!.id });
    assert.deepEqual(await listRoleGrantsOf(db, lone.municipality.id, [lone.admin.id]), []);
    // …and now the second one is the last one.
    const secondActor = actorFor(second, [{ role: 'admin' }]);
    const [secondGrant] = await listRoleGrantsOf(db, lone.municipality.id, [second.id]);
    await assert.rejects(
      revokeRole(db, { actor: secondActor, municipalityId: lone.municipality.id, userId: second.id, grantId: secondGrant!.id }),
      is('conflict'),
    );
  });

  test('disabling ends the account’s sessions; enabling restores it; a stale switch is refused', async () => {
    const db = suite.db();
    const person = await createTestUser(db, { municipalityId: alpha.municipality.id, email: 'status@alpha.example' });
    await startSession(db, { userId: person.id, municipalityId: alpha.municipality.id, days: 1 });
    await startSession(db, { userId: person.id, municipalityId: alpha.municipality.id, days: 1 });
    const entries = await auditedBy(db, alpha.municipality.id, () =>
      setAccountStatus(db, { ...scope(), userId: person.id, version: person.updated_at, status: 'disabled' }),
    );
    assert.deepEqual(entries.map((e) => e.action), ['user.disabled']);
    assert.deepEqual(parsed(entries[0]!.before_json), { status: 'active' });
    assert.deepEqual(parsed(entries[0]!.after_json), { status: 'disabled', sessions_ended: 2 });
    assert.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', person.id).execute()).length, 0);

    // The page the second administrator had open still shows the old version.
    await assert.rejects(setAccountStatus(db, { ...scope(), userId: person.id, version: person.updated_at, status: 'disabled' }), is('stale'));

    const disabled = (await findUserInMunicipality(db, alpha.municipality.id, person.id))!;
    assert.equal(disabled.status, 'disabled');
    await setAccountStatus(db, { ...scope(), userId: person.id, version: disabled.updated_at, status: 'active' });
    assert.equal((await findUserInMunicipality(db, alpha.municipality.id, person.id))?.status, 'active');
  });

  test('another municipality’s accounts are not found, and nothing in them changes', async () => {
    const db = suite.db();
    const betaCount = (await auditEntries(db, beta.municipality.id)).length;
    const [betaAgentGrant] = await listRoleGrantsOf(db, beta.municipality.id, [beta.agent.id]);
    await assert.rejects(getUserDetail(db, { ...scope(), userId: beta.citizen.id }), is('not_found'));
    await assert.rejects(grantRole(db, { ...scope(), userId: beta.citizen.id, role: 'admin', departmentId: null }), is('not_found'));
    await assert.rejects(revokeRole(db, { ...scope(), userId: beta.agent.id, grantId: betaAgentGrant!.id }), is('not_found'));
    // Even with alpha's own user id in the URL, a grant id from beta is not found.
    await assert.rejects(revokeRole(db, { ...scope(), userId: alpha.agent.id, grantId: betaAgentGrant!.id }), is('not_found'));
    await assert.rejects(setAccountStatus(db, { ...scope(), userId: beta.admin.id, version: beta.admin.updated_at, status: 'disabled' }), is('not_found'));
    await assert.rejects(listUsers(db, { actor: admin, municipalityId: beta.municipality.id, page: 1, pageSize: 25 }), is('forbidden'));

    assert.equal((await findUserInMunicipality(db, beta.municipality.id, beta.admin.id))?.status, 'active');
    assert.equal((await listRoleGrantsOf(db, beta.municipality.id, [beta.agent.id])).length, 1);
    assert.deepEqual(await listRoleGrantsOf(db, beta.municipality.id, [beta.citizen.id]), []);
    assert.equal((await auditEntries(db, beta.municipality.id)).length, betaCount);
  });
});
