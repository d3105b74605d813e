import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestUser } from '../../../test/support/fixtures.ts';
import { buildTestApp, type TestClient } from '../../../test/support/http.ts';
import { auditEntries, createTenant, newAuditEntries, parsed, signedInClient, textOf, type TenantFixture } from './admin.test-support.ts';
import { findUserInMunicipality, listRoleGrantsOf } from './users.repository.ts';

describeEachDatabase('back office: users and roles', (suite) => {
  let app: FastifyInstance;
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let client: TestClient;

  before(async () => {
    alpha = await createTenant(suite.db(), 'alpha');
    beta = await createTenant(suite.db(), 'beta');
    for (let i = 1; i <= 30; i += 1) {
      await createTestUser(suite.db(), { municipalityId: alpha.municipality.id, displayName: `Resident ${String(i).padStart(2, '0')}`, phone: `+2165000${String(i).padStart(4, '0')}` });
    }
    app = await buildTestApp(suite.handle());
    client = await signedInClient(app, alpha.admin, 'alpha.example');
  });
  after(() => app.close());

  const grantsOf = async (userId: number) => (await listRoleGrantsOf(suite.db(), alpha.municipality.id, [userId])).map((g) => [g.role, g.department_id]);

  test('the list pages through accounts and searches names, e-mails and phones', async () => {
    const first = await client.get('/en/admin/users');
    assert.equal(first.statusCode, 200);
    assert.match(textOf(first.body), /33 accounts/);
    assert.match(textOf(first.body), /Page 1 of 2/);
    assert.match(first.body, /href="\/en\/admin\/users\?page=2" rel="next"/);
    // Personal data is shown to administrators (users.view).
    assert.match(first.body, /<bdi dir="ltr">\+21650000030<\/bdi>/);

    const byPhone = await client.get('/en/admin/users?q=50000%20007');
    assert.match(textOf(byPhone.body), /1 account/);
    assert.match(byPhone.body, /Resident 07/);
    const staff = await client.get('/fr/admin/users?role=staff&q=alpha');
    assert.match(textOf(staff.body), /2 comptes/);
    assert.match(staff.body, /Agent de service \(Service technique\)/);
    // Nonsense in the query string is ignored rather than an error page.
    const odd = await client.get('/en/admin/users?page=banana&role=emperor');
    assert.equal(odd.statusCode, 200);
    assert.match(textOf(odd.body), /33 accounts/);
  });

  test('granting a role: department required for agents, wrong values and CSRF refused with translated messages', async () => {
    const person = await createTestUser(suite.db(), { municipalityId: alpha.municipality.id, email: 'new.agent@alpha.example', displayName: 'Nouvel agent' });
    const page = `/fr/admin/users/${person.id}`;
    const count = (await auditEntries(suite.db(), alpha.municipality.id)).length;

    const noDepartment = await client.submit(page, `${page}/roles`, { role: 'staff_agent', department_id: '' });
    assert.equal(noDepartment.statusCode, 400);
    assert.match(textOf(noDepartment.body), /Service : Choisissez le service : ce rôle s’exerce dans un service\./);
    const wrongRole = await client.submit(page, `${page}/roles`, { role: 'emperor', department_id: '' });
    assert.equal(wrongRole.statusCode, 400);
    assert.match(textOf(wrongRole.body), /Rôle : Choisissez une des valeurs proposées\./);
    const missing = await client.submit(page, `${page}/roles`, {});
    assert.match(textOf(missing.body), /Rôle : Ce champ est obligatoire\./);
    const foreignDepartment = await client.submit(page, `${page}/roles`, { role: 'staff_agent', department_id: String(beta.departments[0]!.id) });
    assert.equal(foreignDepartment.statusCode, 400);
    await client.get(page);
    const forged = await client.post(`${page}/roles`, { _csrf: 'forged.token', role: 'admin' });
    assert.equal(forged.statusCode, 403);
    assert.match(textOf(forged.body), /Le formulaire a expiré/);
    assert.deepEqual(await grantsOf(person.id), []);
    assert.equal((await auditEntries(suite.db(), alpha.municipality.id)).length, count);

    const granted = await client.submit(page, `${page}/roles`, { role: 'staff_agent', department_id: String(alpha.departments[1]!.id) });
    assert.equal(granted.statusCode, 303);
    assert.equal(granted.headers.location, page);
    const shown = await client.get(page);
    assert.match(textOf(shown.body), /Rôle attribué\./);
    assert.deepEqual(await grantsOf(person.id), [['staff_agent', alpha.departments[1]!.id]]);
    const entries = await newAuditEntries(suite.db(), alpha.municipality.id, count);
    assert.deepEqual(entries.map((e) => [e.action, e.entity_id]), [['user.role_granted', String(person.id)]]);

    const [grant] = await listRoleGrantsOf(suite.db(), alpha.municipality.id, [person.id]);
    const revoked = await client.submit(page, `${page}/roles/${grant!.id}/revoke`, {});
    assert.equal(revoked.statusCode, 303);
    assert.deepEqual(await grantsOf(person.id), []);
    assert.deepEqual((await newAuditEntries(suite.db(), alpha.municipality.id, count + 1)).map((e) => e.action), ['user.role_revoked']);
  });

  test('an administrator cannot remove the municipality’s last administrator role', async () => {
    const [grant] = await listRoleGrantsOf(suite.db(), alpha.municipality.id, [alpha.admin.id]);
    const page = `/en/admin/users/${alpha.admin.id}`;
    const count = (await auditEntries(suite.db(), alpha.municipality.id)).length;
    const response = await client.submit(page, `${page}/roles/${grant!.id}/revoke`, {});
    assert.equal(response.statusCode, 409);
    assert.match(textOf(response.body), /the municipality must keep at least one active administrator/);
    assert.deepEqual(await grantsOf(alpha.admin.id), [['admin', null]]);
    assert.equal((await auditEntries(suite.db(), alpha.municipality.id)).length, count);
    // Their own page offers no button to disable themselves.
    assert.doesNotMatch((await client.get(page)).body, /name="status"/);
  });

  test('disabling an account ends its sessions at once; a stale switch is refused', async () => {
    const agentClient = await signedInClient(app, alpha.agent, 'alpha.example');
    assert.equal((await agentClient.get('/en/admin')).statusCode, 200);

    const page = `/en/admin/users/${alpha.agent.id}`;
    const view = await client.get(page);
    const version = /name="version" value="([^"]+)"/.exec(view.body)![1]!;
    const disabled = await client.post(`${page}/status`, { status: 'disabled', version });
    assert.equal(disabled.statusCode, 303);
    assert.equal((await findUserInMunicipality(suite.db(), alpha.municipality.id, alpha.agent.id))?.status, 'disabled');
    const [entry] = (await auditEntries(suite.db(), alpha.municipality.id)).slice(-1);
    assert.deepEqual([entry!.action, parsed(entry!.after_json)], ['user.disabled', { status: 'disabled', sessions_ended: 1 }]);
    // The agent's open browser is signed out.
    assert.equal((await agentClient.get('/en/admin')).statusCode, 303);

    await client.get(page);
    const stale = await client.post(`${page}/status`, { status: 'active', version });
    assert.equal(stale.statusCode, 409);
    assert.match(textOf(stale.body), /Someone else changed this in the meantime/);
    assert.equal((await findUserInMunicipality(suite.db(), alpha.municipality.id, alpha.agent.id))?.status, 'disabled');

    const fresh = await client.get(page);
    const enabled = await client.post(`${page}/status`, { status: 'active', version: /name="version" value="([^"]+)"/.exec(fresh.body)![1]! });
    assert.equal(enabled.statusCode, 303);
    assert.equal((await findUserInMunicipality(suite.db(), alpha.municipality.id, alpha.agent.id))?.status, 'active');
  });

  test('another municipality’s people cannot be seen or changed by guessing ids', async () => {
    const betaCount = (await auditEntries(suite.db(), beta.municipality.id)).length;
    const [betaGrant] = await listRoleGrantsOf(suite.db(), beta.municipality.id, [beta.agent.id]);
    const seen = await client.get(`/en/admin/users/${beta.citizen.id}`);
    assert.equal(seen.statusCode, 404);
    assert.doesNotMatch(seen.body, /Citizen beta/);
    const list = await client.get('/en/admin/users?q=beta');
    assert.match(textOf(list.body), /No accounts/);

    await client.get('/en/admin/users');
    const attempts = await Promise.all([
      client.post(`/en/admin/users/${beta.citizen.id}/roles`, { role: 'admin' }),
      client.post(`/en/admin/users/${beta.agent.id}/roles/${betaGrant!.id}/revoke`, {}),
      client.post(`/en/admin/users/${beta.admin.id}/status`, { status: 'disabled', version: beta.admin.updated_at }),
    ]);
    assert.deepEqual(attempts.map((r) => r.statusCode), [404, 404, 404]);
    assert.deepEqual((await listRoleGrantsOf(suite.db(), beta.municipality.id, [beta.citizen.id, beta.agent.id])).map((g) => g.role), ['staff_agent']);
    assert.equal((await findUserInMunicipality(suite.db(), beta.municipality.id, beta.admin.id))?.status, 'active');
    assert.equal((await auditEntries(suite.db(), beta.municipality.id)).length, betaCount);
  });
});
