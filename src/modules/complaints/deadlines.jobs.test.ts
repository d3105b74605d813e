import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase, openSecondHandle } from '../../../test/support/databases.ts';
import { addDays } from '../../lib/time.ts';
import { type ComplaintsFixture, createComplaintsFixture, fileComplaint, nextPhone, outboxTo } from './complaints.test-support.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { autoCloseResolvedComplaints, runDeadlineAlerts } from './deadlines.jobs.ts';
import { assignComplaint, resolveComplaint } from './workflow.service.ts';

const hours = (iso: string, h: number) => new Date(Date.parse(iso) + h * 3600_000).toISOString();

describeEachDatabase('complaints: deadline reminders, escalations and automatic closing', (suite) => {
  let kef: ComplaintsFixture;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'dead');
  });

  const staff = (complaint: ComplaintRow) => ({ actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: complaint.id, version: complaint.version });
  const alertsOf = (complaint: ComplaintRow) =>
    suite.db().selectFrom('complaint_deadline_alerts').select(['kind', 'deadline']).where('complaint_id', '=', complaint.id).orderBy('id').execute();
  const purposesTo = async (address: string, purpose: string) => (await outboxTo(suite.db(), address)).filter((m) => m.purpose === purpose);

  test('an unacknowledged complaint: a reminder to the cell the day before, an escalation once late, each only once', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef);
    const officer = kef.officer.user.email!;
    const head = kef.technicalHead.user.email!;

    const early = await runDeadlineAlerts(db, { now: hours(complaint.ack_due_at, -30), publicUrl: 'https://kef.example' });
    assert.deepEqual(await alertsOf(complaint), [], 'nothing 30 hours before');
    assert.equal(early.reminders, 0);

    const dayBefore = hours(complaint.ack_due_at, -12);
    await runDeadlineAlerts(db, { now: dayBefore, publicUrl: 'https://kef.example' });
    await runDeadlineAlerts(db, { now: dayBefore });
    await runDeadlineAlerts(db, { now: hours(complaint.ack_due_at, -1) });
    assert.deepEqual(await alertsOf(complaint), [{ kind: 'reminder', deadline: 'acknowledge' }]);
    const [reminder] = await purposesTo(officer, 'complaint_deadline_reminder');
    assert.ok(reminder!.subject!.includes(complaint.tracking_number));
    assert.ok(reminder!.body.includes(`https://kef.example/ar/admin/complaints/${complaint.id}`));
    assert.equal((await purposesTo(officer, 'complaint_deadline_reminder')).length, 1);

    const late = hours(complaint.ack_due_at, 30);
    const first = await runDeadlineAlerts(db, { now: late });
    const second = await runDeadlineAlerts(db, { now: late });
    assert.ok(first.escalations >= 1);
    assert.equal(second.escalations, 0, 'a rerun sends nothing');
    assert.deepEqual(await alertsOf(complaint), [{ kind: 'reminder', deadline: 'acknowledge' }, { kind: 'escalation', deadline: 'acknowledge' }]);
    const escalations = await purposesTo(head, 'complaint_escalation');
    assert.equal(escalations.length, 1, 'the head of the department is told once');
    assert.ok(escalations[0]!.body.includes('منذ يومين'), escalations[0]!.body);
    const events = await db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaint.id).where('kind', '=', 'escalation').execute();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.visibility, 'internal');
  });

  test('an assigned complaint: the agent is reminded of the resolution deadline; the head hears when it passes', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef);
    const assigned = await assignComplaint(db, { ...staff(complaint), departmentId: kef.technical.id, assigneeUserId: kef.technicalAgent.user.id });
    const agent = kef.technicalAgent.user.email!;
    await runDeadlineAlerts(db, { now: hours(assigned.resolve_due_at, -2) });
    await runDeadlineAlerts(db, { now: hours(assigned.resolve_due_at, -1) });
    assert.equal((await purposesTo(agent, 'complaint_deadline_reminder')).length, 1);
    await runDeadlineAlerts(db, { now: addDays(assigned.resolve_due_at, 3) });
    await runDeadlineAlerts(db, { now: addDays(assigned.resolve_due_at, 4) });
    assert.deepEqual(await alertsOf(assigned), [{ kind: 'reminder', deadline: 'resolve' }, { kind: 'escalation', deadline: 'resolve' }]);
    const escalations = (await purposesTo(kef.technicalHead.user.email!, 'complaint_escalation')).filter((m) => m.body.includes(complaint.tracking_number));
    assert.equal(escalations.length, 1);
    assert.ok(escalations[0]!.body.includes('منذ 3 أيام'), escalations[0]!.body);
  });

  test('two runs at once (two servers) still alert once', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef);
    const second = suite.kind === 'postgres' ? openSecondHandle(suite.handle()) : undefined;
    try {
      const now = hours(complaint.ack_due_at, 5);
      await Promise.all([runDeadlineAlerts(db, { now }), runDeadlineAlerts(second?.db ?? db, { now }), runDeadlineAlerts(db, { now })]);
    } finally {
      await second?.destroy();
    }
    assert.deepEqual(await alertsOf(complaint), [{ kind: 'escalation', deadline: 'acknowledge' }]);
    const events = await db.selectFrom('complaint_events').select('id').where('complaint_id', '=', complaint.id).where('kind', '=', 'escalation').execute();
    assert.equal(events.length, 1);
  });

  test('finished complaints get no alert', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef);
    const done = await resolveComplaint(db, { ...staff(complaint), reply: 'done' });
    await runDeadlineAlerts(db, { now: addDays(done.resolve_due_at, 1) });
    assert.deepEqual(await alertsOf(done), []);
  });

  test('resolved complaints close by themselves 30 days later, once, and the reporter is told', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const { complaint } = await fileComplaint(db, kef, { contact: { phone } });
    const resolved = await resolveComplaint(db, { ...staff(complaint), reply: 'done' });
    const { complaint: recent } = await fileComplaint(db, kef);
    const recentResolved = await resolveComplaint(db, { ...staff(recent), reply: 'done' });

    const now = addDays(resolved.resolved_at!, 31);
    await db.updateTable('complaints').set({ resolved_at: addDays(now, -10) }).where('id', '=', recentResolved.id).execute();
    const first = await autoCloseResolvedComplaints(db, { now });
    assert.ok(first.closed >= 1);
    assert.equal((await autoCloseResolvedComplaints(db, { now })).closed, 0);
    const closed = await db.selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();
    assert.equal(closed.status, 'closed');
    assert.equal(closed.closed_at, now);
    assert.equal(closed.version, resolved.version + 1);
    const stillResolved = await db.selectFrom('complaints').select('status').where('id', '=', recent.id).executeTakeFirstOrThrow();
    assert.equal(stillResolved.status, 'resolved');
    assert.equal((await purposesTo(phone, 'complaint_status')).filter((m) => m.body.includes('مغلقة')).length, 1);
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'complaint.closed_automatically').where('entity_id', '=', String(complaint.id)).execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_label, 'system');
  });
});
