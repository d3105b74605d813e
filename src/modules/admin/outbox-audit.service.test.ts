import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Actor } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { isAppError } from '../../lib/errors.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { queueMessage } from '../messaging/messaging.service.ts';
import { createArrondissement } from '../municipalities/reference-data.service.ts';
import { actorFor, auditEntries, auditedBy, createTenant, type TenantFixture } from './admin.test-support.ts';
import { browseAuditLog, verifyMunicipalityAuditChain } from './audit-log.service.ts';
import { loadDashboard } from './dashboard.service.ts';
import { listOutbox, readOutboxMessage } from './outbox.service.ts';

const is = (code: string) => (error: unknown) => isAppError(error, code as never);

async function sendCode(db: Db, municipalityId: number, recipient: string, channel: 'sms' | 'email' = 'sms'): Promise<number> {
  return db.transaction().execute((trx) =>
    queueMessage(trx, { municipalityId, channel, recipient, body: `Code 4821 for ${recipient}`, purpose: 'login_code', subject: channel === 'email' ? 'Your code' : undefined }),
  );
}

describeEachDatabase('outbox, audit log and dashboard in the back office', (suite) => {
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let admin: NonNullable<Actor>;
  let agent: NonNullable<Actor>;
  let betaMessage: number;
  const scope = () => ({ actor: admin, municipalityId: alpha.municipality.id });

  before(async () => {
    const db = suite.db();
    alpha = await createTenant(db, 'alpha');
    beta = await createTenant(db, 'beta');
    admin = actorFor(alpha.admin, [{ role: 'admin' }]);
    agent = actorFor(alpha.agent, [{ role: 'staff_agent', departmentId: alpha.departments[0]!.id }]);
    await sendCode(db, alpha.municipality.id, '+21622000001');
    await sendCode(db, alpha.municipality.id, '+21622000002');
    await sendCode(db, alpha.municipality.id, 'someone@alpha.example', 'email');
    await db.updateTable('outbox_messages').set({ status: 'kept' }).where('recipient', '=', '+21622000002').execute();
    betaMessage = await sendCode(db, beta.municipality.id, '+21699000001');
  });

  test('the outbox lists this municipality’s messages, filtered by channel and status, newest first', async () => {
    const db = suite.db();
    const all = await listOutbox(db, { ...scope(), page: 1, pageSize: 25 });
    assert.deepEqual(all.items.map((m) => m.recipient), ['someone@alpha.example', '+21622000002', '+21622000001']);
    assert.ok(all.items.every((m) => !('body' in m)), 'the list never carries bodies (codes)');
    const keptSms = await listOutbox(db, { ...scope(), channel: 'sms', status: 'kept', page: 1, pageSize: 25 });
    assert.deepEqual(keptSms.items.map((m) => m.recipient), ['+21622000002']);
    const paged = await listOutbox(db, { ...scope(), page: 2, pageSize: 2 });
    assert.deepEqual([paged.page, paged.pageCount, paged.items.length], [2, 2, 1]);
  });

  test('reading a message shows its body and is recorded; another municipality’s message is not found', async () => {
    const db = suite.db();
    const [first] = (await listOutbox(db, { ...scope(), page: 1, pageSize: 1 })).items;
    const entries = await auditedBy(db, alpha.municipality.id, async () => {
      const message = await readOutboxMessage(db, { ...scope(), messageId: first!.id });
      assert.match(message.body, /Code 4821/);
    });
    assert.deepEqual(entries.map((e) => [e.action, e.entity_type, e.entity_id]), [['outbox.message_read', 'outbox_message', String(first!.id)]]);

    const betaCount = (await auditEntries(db, beta.municipality.id)).length;
    await assert.rejects(readOutboxMessage(db, { ...scope(), messageId: betaMessage }), is('not_found'));
    await assert.rejects(listOutbox(db, { actor: admin, municipalityId: beta.municipality.id, page: 1, pageSize: 25 }), is('forbidden'));
    await assert.rejects(readOutboxMessage(db, { actor: agent, municipalityId: alpha.municipality.id, messageId: first!.id }), is('forbidden'));
    assert.equal((await auditEntries(db, beta.municipality.id)).length, betaCount);
  });

  test('the audit log is browsed newest first, filtered, in pages, with readable changes', async () => {
    const db = suite.db();
    for (const name of ['One', 'Two', 'Three']) {
      await createArrondissement(db, { ...scope(), input: { name: { ar: name, fr: name, en: name }, outline: null } });
    }
    const filter = { actorUserId: alpha.admin.id, action: 'arrondissement.created' };
    const first = await browseAuditLog(db, { ...scope(), filter, pageSize: 2 });
    assert.deepEqual(first.entries.map((e) => e.changes.find((c) => c.field === 'name_fr')?.after), ['Three', 'Two']);
    assert.equal(first.entries[0]!.actorName, 'Admin alpha');
    assert.ok(first.olderThanSeq !== null);
    const second = await browseAuditLog(db, { ...scope(), filter, beforeSeq: first.olderThanSeq!, pageSize: 2 });
    assert.deepEqual(second.entries.map((e) => e.changes.find((c) => c.field === 'name_fr')?.after), ['One']);
    assert.equal(second.olderThanSeq, null);
    assert.ok(first.actions.includes('arrondissement.created'));
    assert.ok(first.entityTypes.includes('municipality'));

    const byEntity = await browseAuditLog(db, { ...scope(), filter: { entityType: 'municipality', entityId: String(alpha.municipality.id) }, pageSize: 10 });
    assert.deepEqual(byEntity.entries.map((e) => e.action), ['municipality.created']);
    // Dates are Tunisian calendar days; nothing was recorded in 2001.
    const none = await browseAuditLog(db, { ...scope(), filter: { fromDate: '2001-01-01', toDate: '2001-12-31' }, pageSize: 10 });
    assert.deepEqual(none.entries, []);
    const fromThen = await browseAuditLog(db, { ...scope(), filter: { fromDate: '2001-01-01' }, pageSize: 100 });
    assert.equal(fromThen.entries.length, (await auditEntries(db, alpha.municipality.id)).length);
  });

  test('only this municipality’s entries are shown, and its chain verifies', async () => {
    const db = suite.db();
    const page = await browseAuditLog(db, { ...scope(), filter: {}, pageSize: 500 });
    const alphaSeqs = (await auditEntries(db, alpha.municipality.id)).map((e) => e.seq).reverse();
    assert.deepEqual(page.entries.map((e) => e.seq), alphaSeqs);
    const betaEntity = await browseAuditLog(db, { ...scope(), filter: { entityType: 'municipality', entityId: String(beta.municipality.id) }, pageSize: 10 });
    assert.deepEqual(betaEntity.entries, []);
    await assert.rejects(browseAuditLog(db, { actor: admin, municipalityId: beta.municipality.id, filter: {}, pageSize: 10 }), is('forbidden'));
    await assert.rejects(browseAuditLog(db, { actor: agent, municipalityId: alpha.municipality.id, filter: {}, pageSize: 10 }), is('forbidden'));

    const result = await verifyMunicipalityAuditChain(db, scope());
    assert.deepEqual(result, { ok: true, municipalityId: alpha.municipality.id, checked: alphaSeqs.length });
  });

  test('a tampered entry is reported by the verification', async () => {
    const db = suite.db();
    const tampered = await createTenant(db, 'tampered');
    const tamperedAdmin = actorFor(tampered.admin, [{ role: 'admin' }]);
    await createArrondissement(db, { actor: tamperedAdmin, municipalityId: tampered.municipality.id, input: { name: { ar: 'أ', fr: 'A', en: 'A' }, outline: null } });
    await db.updateTable('audit_log').set({ after_json: '{"name_fr":"B"}' }).where('municipality_id', '=', tampered.municipality.id).where('seq', '=', 2).execute();
    const result = await verifyMunicipalityAuditChain(db, { actor: tamperedAdmin, municipalityId: tampered.municipality.id });
    assert.deepEqual(result, { ok: false, municipalityId: tampered.municipality.id, checked: 1, brokenAtSeq: 2, reason: 'content does not match its hash' });
  });

  test('the dashboard counts only what the actor may open', async () => {
    const db = suite.db();
    const full = await loadDashboard(db, scope());
    assert.deepEqual(full.people, { users: 3, staff: 2 });
    assert.deepEqual(full.outbox, { queued: 2, sent: 0, kept: 1, failed: 0 });
    assert.equal(full.audit?.entries, (await auditEntries(db, alpha.municipality.id)).length);
    assert.deepEqual(await loadDashboard(db, { actor: agent, municipalityId: alpha.municipality.id }), { people: null, outbox: null, audit: null });
    const citizen = actorFor(alpha.citizen, []);
    await assert.rejects(loadDashboard(db, { actor: citizen, municipalityId: alpha.municipality.id }), is('forbidden'));
  });
});
