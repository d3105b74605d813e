import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp, type TestClient } from '../../../test/support/http.ts';
import { queueMessage } from '../messaging/messaging.service.ts';
import { auditEntries, createTenant, signedInClient, textOf, type TenantFixture, versionOn } from './admin.test-support.ts';

describeEachDatabase('back office: outbox and audit log', (suite) => {
  let app: FastifyInstance;
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let client: TestClient;
  let alphaCode: number;
  let betaCode: number;

  before(async () => {
    const db = suite.db();
    alpha = await createTenant(db, 'alpha');
    beta = await createTenant(db, 'beta');
    const queue = (municipalityId: number, channel: 'sms' | 'email', recipient: string, body: string) =>
      db.transaction().execute((trx) => queueMessage(trx, { municipalityId, channel, recipient, body, purpose: 'login_code' }));
    alphaCode = await queue(alpha.municipality.id, 'sms', '+21622111222', 'رمز الدخول: 604213\nLe code : 604213');
    await queue(alpha.municipality.id, 'email', 'someone@alpha.example', 'Votre code : 118822');
    await db.updateTable('outbox_messages').set({ status: 'kept' }).where('id', '=', alphaCode).execute();
    betaCode = await queue(beta.municipality.id, 'sms', '+21699888777', 'Beta code 777000');
    app = await buildTestApp(suite.handle());
    client = await signedInClient(app, alpha.admin, 'alpha.example');
  });
  after(() => app.close());

  test('the outbox lists messages with filters, and shows a kept code to the administrator', async () => {
    const list = await client.get('/fr/admin/outbox');
    assert.equal(list.statusCode, 200);
    const text = textOf(list.body);
    assert.match(text, /2 messages/);
    assert.match(text, /Conservé \(non envoyé\)/);
    assert.doesNotMatch(list.body, /604213/, 'the list does not show bodies');
    assert.doesNotMatch(list.body, /\+21699888777/);

    const kept = await client.get('/fr/admin/outbox?channel=sms&status=kept');
    assert.match(textOf(kept.body), /1 message/);
    assert.match(kept.body, /\+21622111222/);
    const none = await client.get('/fr/admin/outbox?channel=email&status=failed');
    assert.match(textOf(none.body), /Aucun message/);

    const count = (await auditEntries(suite.db(), alpha.municipality.id)).length;
    const message = await client.get(`/ar/admin/outbox/${alphaCode}`);
    assert.equal(message.statusCode, 200);
    assert.match(message.body, /رمز الدخول: 604213<br\/>Le code : 604213/);
    const entries = (await auditEntries(suite.db(), alpha.municipality.id)).slice(count);
    assert.deepEqual(entries.map((e) => [e.action, e.entity_id, e.actor_user_id]), [['outbox.message_read', String(alphaCode), alpha.admin.id]]);
  });

  test('another municipality’s message is not found; staff without the admin role cannot read codes', async () => {
    const foreign = await client.get(`/en/admin/outbox/${betaCode}`);
    assert.equal(foreign.statusCode, 404);
    assert.doesNotMatch(foreign.body, /777000/);
    const agent = await signedInClient(app, alpha.agent, 'alpha.example');
    const refused = await agent.get(`/en/admin/outbox/${alphaCode}`);
    assert.equal(refused.statusCode, 403);
    assert.doesNotMatch(refused.body, /604213/);
    assert.equal((await client.get('/en/admin/outbox/not-a-number')).statusCode, 404);
  });

  test('the audit log shows changes as before/after, filters them, and ignores other municipalities', async () => {
    // A change to look at: rename a department through its form.
    const [department] = alpha.departments;
    const edit = await client.get(`/en/admin/departments/${department!.id}`);
    await client.post(`/en/admin/departments/${department!.id}`, {
      code: department!.code,
      name_ar: department!.name_ar,
      name_fr: department!.name_fr,
      name_en: 'Technical department',
      active: 'yes',
      version: versionOn(edit.body),
    });
    const page = await client.get('/en/admin/audit?action=department.updated');
    assert.equal(page.statusCode, 200);
    const row = /<tr id="entry-\d+">.*?<\/tr><\/tbody><\/table><\/td><\/tr>/s.exec(page.body)![0];
    assert.match(row, /<a href="\/en\/admin\/users\/\d+"><bdi>Admin alpha<\/bdi><\/a>/);
    assert.match(row, /department #\d+/);
    assert.match(textOf(row), /name_en Technical service Technical department/);

    // Beta's entries are not reachable with any filter.
    const foreign = await client.get(`/en/admin/audit?type=municipality&entity=${beta.municipality.id}`);
    assert.match(textOf(foreign.body), /No entries match these filters\./);
    const all = await client.get('/en/admin/audit');
    assert.doesNotMatch(all.body, /Admin beta/);
    const entityTypes = /<select[^>]*name="type".*?<\/select>/s.exec(all.body)![0];
    assert.match(entityTypes, /value="department"/);

    // Dates filter by Tunisian calendar day; a malformed date is ignored.
    assert.match(textOf((await client.get('/en/admin/audit?to=2001-01-01')).body), /No entries match/);
    assert.equal((await client.get('/en/admin/audit?from=2001-02-30')).statusCode, 200);
  });

  test('verifying the chain reports an intact log, then a tampered one', async () => {
    const ok = await client.get('/fr/admin/audit/verify');
    assert.equal(ok.statusCode, 200);
    const entries = (await auditEntries(suite.db(), alpha.municipality.id)).length;
    assert.match(textOf(ok.body), new RegExp(`Le journal est intact\\. ${entries} entrées vérifiées\\.`));

    await suite.db().updateTable('audit_log').set({ actor_label: 'someone else' }).where('municipality_id', '=', alpha.municipality.id).where('seq', '=', 2).execute();
    const broken = await client.get('/en/admin/audit/verify');
    const text = textOf(broken.body);
    assert.match(text, /The chain is broken at entry 2\./);
    assert.match(text, /was altered afterwards/);
    // Beta's chain is its own and still intact.
    const betaClient = await signedInClient(app, beta.admin, 'beta.example');
    assert.match(textOf((await betaClient.get('/en/admin/audit/verify')).body), /The log is intact\./);
  });
});
