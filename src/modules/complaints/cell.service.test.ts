import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Actor } from '../../auth/policies.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestUser } from '../../../test/support/fixtures.ts';
import { addDays, nowIso } from '../../lib/time.ts';
import { verifyAuditChain } from '../audit/audit.service.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import type { InboxSort } from './cell.repository.ts';
import {
  exportInbox,
  fileComplaintOnBehalf,
  getFilingReceipt,
  type InboxFilters,
  inboxVisibility,
  listInbox,
  loadComplaintPage,
  runBulkAction,
  startOfDayIn,
  templateTextFor,
} from './cell.service.ts';
import { listResponseTemplates } from './categories.service.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { appError, type ComplaintsFixture, createComplaintsFixture, fileComplaint, nextPhone } from './complaints.test-support.ts';
import { acknowledgeComplaint, assignComplaint, followComplaintForTest } from './cell.test-support.ts';

describeEachDatabase('complaints cell: inbox, search, bulk, export, counter', (suite) => {
  let kef: ComplaintsFixture;
  let other: ComplaintsFixture;
  /** Complaints of the suite, by a short name. */
  const c: Record<string, ComplaintRow> = {};

  before(async () => {
    const db = suite.db();
    kef = await createComplaintsFixture(db, 'cell');
    other = await createComplaintsFixture(db, 'othercell');
    const neighbourhood = (await listNeighbourhoods(db, kef.municipality.id))[0]!;
    c.school = (await fileComplaint(db, kef, { description: 'الفانوس مطفأ منذ أسبوع قرب المدرسة الابتدائية' })).complaint;
    c.medina = (await fileComplaint(db, kef, { description: 'Lampadaire éteint dans la Médina, rue du Souk', locale: 'fr', location: { neighbourhoodId: neighbourhood.id } })).complaint;
    c.waste = (
      await fileComplaint(db, kef, { categoryId: kef.categories.waste!.id, description: 'Ordures non ramassées près du marché', channel: 'counter', filedBy: kef.officer.actor })
    ).complaint;
    c.tv = (await fileComplaint(db, kef, { description: 'Poteau TV 12 tombé' })).complaint;
    // Someone else's municipality, with the same words.
    c.foreign = (await fileComplaint(db, other, { description: 'الفانوس مطفأ قرب المدرسة في Médina' })).complaint;

    // The school lamp: assigned to the technical agent, urgent, followed by two people.
    const ack = await acknowledgeComplaint(db, kef, c.school);
    c.school = await assignComplaint(db, kef, ack, kef.technical.id, kef.technicalAgent.user.id);
    await db.updateTable('complaints').set({ priority: 'urgent' }).where('id', '=', c.school.id).execute();
    await followComplaintForTest(db, kef, c.school, 2);
    // The Médina lamp was filed long ago and is overdue.
    await db
      .updateTable('complaints')
      .set({ created_at: '2025-01-10T10:00:00.000Z', ack_due_at: '2025-01-12T10:00:00.000Z', resolve_due_at: '2025-01-31T10:00:00.000Z' })
      .where('id', '=', c.medina.id)
      .execute();
    for (const key of Object.keys(c)) c[key] = await db.selectFrom('complaints').selectAll().where('id', '=', c[key]!.id).executeTakeFirstOrThrow();
  });

  const list = async (filters: InboxFilters, actor: Actor = kef.officer.actor, sort: InboxSort = 'newest') =>
    listInbox(suite.db(), { actor, municipalityId: kef.municipality.id, filters, sort, page: 1, pageSize: 50 });
  const numbers = async (filters: InboxFilters, actor?: Actor, sort?: InboxSort) => (await list(filters, actor, sort)).items.map((i) => i.trackingNumber);
  const sorted = (keys: string[]) => keys.map((k) => c[k]!.tracking_number).sort();
  const set = async (filters: InboxFilters, actor?: Actor) => (await numbers(filters, actor)).sort();

  test('the officer sees every complaint of the municipality, none of another', async () => {
    assert.deepEqual(await set({}), sorted(['school', 'medina', 'waste', 'tv']));
  });

  test('each filter narrows the list', async () => {
    assert.deepEqual(await set({ status: 'assigned' }), sorted(['school']));
    assert.deepEqual(await set({ status: 'received' }), sorted(['medina', 'waste', 'tv']));
    assert.deepEqual(await set({ status: 'open' }), sorted(['school', 'medina', 'waste', 'tv']));
    assert.deepEqual(await set({ status: 'finished' }), []);
    assert.deepEqual(await set({ categoryId: kef.categories.waste!.id }), sorted(['waste']));
    assert.deepEqual(await set({ department: kef.cleanliness.id }), sorted(['waste']));
    assert.deepEqual(await set({ department: 'none' }), []);
    assert.deepEqual(await set({ assignee: kef.technicalAgent.user.id }), sorted(['school']));
    assert.deepEqual(await set({ assignee: 'none' }), sorted(['medina', 'waste', 'tv']));
    assert.deepEqual(await set({ neighbourhoodId: c.medina!.neighbourhood_id! }), sorted(['medina']));
    assert.deepEqual(await set({ channel: 'counter' }), sorted(['waste']));
    assert.deepEqual(await set({ priority: 'urgent' }), sorted(['school']));
    assert.deepEqual(await set({ from: '2025-01-01', to: '2025-01-10' }), sorted(['medina']));
    assert.deepEqual(await set({ to: '2025-01-09' }), []);
    assert.deepEqual(await set({ overdue: true }), sorted(['medina']));
    assert.deepEqual(await set({ status: 'received', channel: 'web' }), sorted(['medina', 'tv']));
  });

  test('the saved views: new, mine, overdue, my department', async () => {
    assert.deepEqual(await set({ status: 'received' }), sorted(['medina', 'waste', 'tv']), 'new');
    assert.deepEqual(await set({ assignee: 'me' }, kef.technicalAgent.actor), sorted(['school']), 'mine');
    assert.deepEqual(await set({ assignee: 'me' }), [], 'the officer has nothing assigned');
    assert.deepEqual(await set({ overdue: true }), sorted(['medina']), 'overdue');
    assert.deepEqual(await set({ department: 'mine' }, kef.cleanlinessHead.actor), sorted(['waste']), 'my department');
    assert.deepEqual(await set({ department: 'mine' }, kef.technicalAgent.actor), sorted(['school', 'medina', 'tv']));
    assert.deepEqual(await set({ department: 'mine' }), [], 'the officer has no department');
  });

  test('overdue counts from the moment given: everything open is late a year from now', async () => {
    const later = await listInbox(suite.db(), {
      actor: kef.officer.actor,
      municipalityId: kef.municipality.id,
      filters: { overdue: true },
      sort: 'newest',
      page: 1,
      pageSize: 50,
      now: addDays(nowIso(), 365),
    });
    assert.deepEqual(later.items.map((i) => i.trackingNumber).sort(), sorted(['school', 'medina', 'waste', 'tv']));
    assert.ok(later.items.every((i) => i.deadline !== null && i.deadline.days < 0));
  });

  test('rows carry the deadline in days, the assignee and the followers', async () => {
    const items = (await list({})).items;
    const school = items.find((i) => i.id === c.school!.id)!;
    assert.equal(school.deadline?.kind, 'resolve');
    assert.ok(school.deadline!.days > 0 && school.deadline!.days <= 21);
    assert.deepEqual(school.assignee, { id: kef.technicalAgent.user.id, name: 'technical-agent' });
    assert.equal(school.followerCount, 2);
    assert.equal(school.department?.fr, 'Service technique');
    const medina = items.find((i) => i.id === c.medina!.id)!;
    assert.equal(medina.deadline?.kind, 'acknowledge');
    assert.ok(medina.deadline!.days < -300, 'late by more than 300 days');
  });

  test('sorting: newest, oldest, due soonest, most followed', async () => {
    const newest = await numbers({}, undefined, 'newest');
    assert.equal(newest.at(-1), c.medina!.tracking_number, 'filed in 2025');
    assert.equal(newest[0], c.tv!.tracking_number);
    const oldest = await numbers({}, undefined, 'oldest');
    assert.deepEqual(oldest, [...newest].reverse());
    const due = await numbers({}, undefined, 'due');
    assert.equal(due[0], c.medina!.tracking_number, 'the overdue one first');
    assert.equal(due.at(-1), c.school!.tracking_number, 'acknowledged: its 21-day deadline comes last');
    const followed = await numbers({}, undefined, 'followed');
    assert.equal(followed[0], c.school!.tracking_number);
  });

  test('search: Arabic with or without diacritics and the article, French with or without accents', async () => {
    for (const query of ['المدرسة', 'مدرسه', 'مَدْرَسَة', 'المدرسه', 'الفانوس']) {
      assert.deepEqual(await set({ q: query }), sorted(['school']), query);
    }
    for (const query of ['Médina', 'medina', 'MEDINA', 'médina souk']) {
      assert.deepEqual(await set({ q: query }), sorted(['medina']), query);
    }
    assert.deepEqual(await set({ q: 'lampadaire eteint' }), sorted(['medina']));
    assert.deepEqual(await set({ q: 'tv' }), sorted(['tv']), 'a two-letter word');
    assert.deepEqual(await set({ q: 'tv 12' }), sorted(['tv']), 'short words together');
    assert.deepEqual(await set({ q: c.waste!.tracking_number }), sorted(['waste']), 'a tracking number');
    assert.deepEqual(await set({ q: 'مدرسه', status: 'received' }), [], 'search and filters combine');
    assert.deepEqual(await set({ q: 'introuvable' }), []);
    assert.deepEqual(await set({ q: '100%_' }), [], 'LIKE wildcards are plain characters');
  });

  test('staff see what their role allows: department, assigned work, never another municipality', async () => {
    assert.deepEqual(await set({}, kef.technicalAgent.actor), sorted(['school', 'medina', 'tv']));
    assert.deepEqual(await set({}, kef.technicalHead.actor), sorted(['school', 'medina', 'tv']));
    assert.deepEqual(await set({}, kef.cleanlinessAgent.actor), sorted(['waste']));
    assert.deepEqual(await set({ q: 'مدرسه' }, kef.cleanlinessAgent.actor), [], 'search does not reach past the scope');
    assert.deepEqual(await set({}, kef.moderator.actor), sorted(['school', 'medina', 'waste', 'tv']));
    assert.deepEqual(await set({}, kef.admin.actor), sorted(['school', 'medina', 'waste', 'tv']));
    // An agent assigned a complaint of another department (moved after assignment) still sees it.
    await suite.db().updateTable('complaints').set({ department_id: kef.cleanliness.id }).where('id', '=', c.tv!.id).execute();
    const agentOfTech = { ...kef.technicalAgent2.actor };
    await suite.db().updateTable('complaints').set({ assignee_user_id: kef.technicalAgent2.user.id }).where('id', '=', c.tv!.id).execute();
    assert.ok((await set({}, agentOfTech)).includes(c.tv!.tracking_number));
    await suite.db().updateTable('complaints').set({ department_id: kef.technical.id, assignee_user_id: null }).where('id', '=', c.tv!.id).execute();

    await assert.rejects(list({}, other.officer.actor), appError('forbidden'), 'an officer of another municipality');
    await assert.rejects(list({}, kef.citizen.actor), appError('forbidden'));
    await assert.rejects(list({}, null), appError('unauthenticated'));
    const accessOfficer = await createTestUser(suite.db(), { municipalityId: kef.municipality.id, email: 'access@cell.example', roles: [{ role: 'access_officer' }] });
    await assert.rejects(list({}, { userId: accessOfficer.id, municipalityId: kef.municipality.id, roles: [{ role: 'access_officer', departmentId: null }] }), appError('forbidden'));
    assert.equal(inboxVisibility(kef.cleanlinessAgent.actor, other.municipality.id), null);
  });

  test('a complaint page: not found in another municipality, refused to another department', async () => {
    const db = suite.db();
    const page = await loadComplaintPage(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: c.school!.id });
    assert.equal(page.complaint.trackingNumber, c.school!.tracking_number);
    assert.equal(page.people[kef.technicalAgent.user.id], 'technical-agent');
    assert.deepEqual(page.assignableStaff.map((s) => s.name).sort(), ['technical-agent', 'technical-agent-2', 'technical-head']);
    assert.equal(page.actions.resolve, true);
    assert.equal(page.actions.acknowledge, false, 'already acknowledged');
    const forCleanliness = await loadComplaintPage(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: c.school!.id, assignDepartmentId: kef.cleanliness.id });
    assert.deepEqual(forCleanliness.assignableStaff.map((s) => s.name).sort(), ['cleanliness-agent', 'cleanliness-head']);

    await assert.rejects(loadComplaintPage(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: c.foreign!.id }), appError('not_found'));
    await assert.rejects(loadComplaintPage(db, { actor: kef.cleanlinessAgent.actor, municipalityId: kef.municipality.id, complaintId: c.school!.id }), appError('forbidden'));
    const agentPage = await loadComplaintPage(db, { actor: kef.technicalAgent2.actor, municipalityId: kef.municipality.id, complaintId: c.school!.id });
    assert.equal(agentPage.complaint.reporter, null, 'an agent not assigned does not see the contact details');
    assert.equal(agentPage.actions.assign, false, 'agents do not hand work around');
    assert.equal(agentPage.actions.resolve, true);
  });

  test('a template is given in the complaint’s language', async () => {
    const db = suite.db();
    const template = (await listResponseTemplates(db, { municipalityId: kef.municipality.id }))[0]!;
    const scope = { actor: kef.officer.actor, municipalityId: kef.municipality.id, templateId: template.id };
    assert.equal(await templateTextFor(db, { ...scope, complaintId: c.medina!.id }), template.body.fr);
    assert.equal(await templateTextFor(db, { ...scope, complaintId: c.school!.id }), template.body.ar);
    const foreign = (await listResponseTemplates(db, { municipalityId: other.municipality.id }))[0]!;
    await assert.rejects(templateTextFor(db, { ...scope, complaintId: c.school!.id, templateId: foreign.id }), appError('validation', { templateId: 'complaints.template.unknown' }));
  });

  test('bulk: each complaint on its own, with its outcome', async () => {
    const db = suite.db();
    const a = (await fileComplaint(db, kef, { description: 'bulk one' })).complaint;
    const b = (await fileComplaint(db, kef, { description: 'bulk two' })).complaint;
    const resolved = (await fileComplaint(db, kef, { description: 'bulk three' })).complaint;
    await db.updateTable('complaints').set({ status: 'resolved' }).where('id', '=', resolved.id).execute();
    const results = await runBulkAction(db, {
      actor: kef.officer.actor,
      municipalityId: kef.municipality.id,
      items: [
        { complaintId: a.id, version: a.version },
        { complaintId: b.id, version: b.version + 5 },
        { complaintId: resolved.id, version: resolved.version },
        { complaintId: c.foreign!.id, version: 1 },
      ],
      action: { kind: 'acknowledge' },
    });
    assert.deepEqual(
      results.map((r) => [r.trackingNumber, r.outcome.ok, r.outcome.ok ? r.outcome.status : r.outcome.error]),
      [
        [a.tracking_number, true, 'acknowledged'],
        [b.tracking_number, false, 'stale'],
        [resolved.tracking_number, false, 'conflict'],
        [null, false, 'not_found'],
      ],
    );
    const statuses = await db.selectFrom('complaints').select(['id', 'status']).where('id', 'in', [a.id, b.id]).orderBy('id').execute();
    assert.deepEqual(statuses.map((s) => s.status), ['acknowledged', 'received']);

    const byAgent = await runBulkAction(db, {
      actor: kef.cleanlinessAgent.actor,
      municipalityId: kef.municipality.id,
      items: [{ complaintId: b.id, version: b.version }],
      action: { kind: 'triage', priority: 'high' },
    });
    assert.equal(byAgent[0]!.trackingNumber, null, 'no tracking number for a complaint the agent may not see');
    assert.equal(byAgent[0]!.outcome.ok ? '' : byAgent[0]!.outcome.error, 'forbidden');
  });

  test('export: officers only, personal columns by role, audited, every matching row once', async () => {
    const db = suite.db();
    await assert.rejects(exportInbox(db, { actor: kef.technicalHead.actor, municipalityId: kef.municipality.id, filters: {} }), appError('forbidden'));
    await assert.rejects(exportInbox(db, { actor: kef.moderator.actor, municipalityId: kef.municipality.id, filters: {} }), appError('forbidden'));
    const before = (await db.selectFrom('audit_log').select('id').where('municipality_id', '=', kef.municipality.id).execute()).length;
    const plan = await exportInbox(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, filters: { status: 'open' }, batchSize: 2 });
    assert.equal(plan.personalData, true);
    const rows = [];
    for await (const row of plan.rows) rows.push(row);
    const expected = await set({ status: 'open' });
    assert.deepEqual(rows.map((r) => r.tracking_number).sort(), expected, 'batches of two, nothing skipped or repeated');
    assert.ok(rows.every((r) => r.personal));
    const entries = await db.selectFrom('audit_log').selectAll().where('municipality_id', '=', kef.municipality.id).orderBy('seq').execute();
    assert.equal(entries.length, before + 1);
    assert.equal(entries.at(-1)!.action, 'complaints.exported');
    assert.equal(JSON.parse(entries.at(-1)!.after_json!).personalData, true);
    assert.ok((await verifyAuditChain(db, kef.municipality.id)).ok);
  });

  test('counter and phone: filed on behalf, audited, a receipt for whoever filed it', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const filed = await fileComplaintOnBehalf(db, {
      actor: kef.cleanlinessAgent.actor,
      municipality: kef.municipality,
      channel: 'phone',
      locale: 'fr',
      categoryId: kef.categories.lighting!.id,
      description: 'Appel : lampadaire éteint',
      answers: { lamps_out: '٣' },
      location: { address: 'Devant l’école Zitouna' },
      contact: { name: 'Salah', phone: '22 555 111' },
      publicUrl: 'https://kef.example',
    });
    const row = await db.selectFrom('complaints').selectAll().where('id', '=', filed.complaintId).executeTakeFirstOrThrow();
    assert.equal(row.channel, 'phone');
    assert.equal(row.filed_by_user_id, kef.cleanlinessAgent.user.id);
    assert.equal(row.reporter_user_id, null);
    assert.equal(row.contact_phone, '+21622555111');
    assert.equal(JSON.parse(row.answers_json).lamps_out, 3);
    const audit = await db.selectFrom('audit_log').selectAll().where('entity_id', '=', String(row.id)).where('action', '=', 'complaint.filed_on_behalf').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_user_id, kef.cleanlinessAgent.user.id);

    // The cleanliness agent filed a lighting complaint: a receipt, but no way into the technical service's work.
    const receipt = await getFilingReceipt(db, { actor: kef.cleanlinessAgent.actor, municipalityId: kef.municipality.id, complaintId: row.id });
    assert.equal(receipt.trackingNumber, row.tracking_number);
    assert.equal(receipt.mayOpen, false);
    await assert.rejects(getFilingReceipt(db, { actor: kef.cleanlinessHead.actor, municipalityId: kef.municipality.id, complaintId: row.id }), appError('not_found'));
    await assert.rejects(getFilingReceipt(db, { actor: other.officer.actor, municipalityId: kef.municipality.id, complaintId: row.id }), appError('not_found'));

    for (const channel of ['web', 'sms'] as const) {
      await assert.rejects(
        fileComplaintOnBehalf(db, { actor: kef.officer.actor, municipality: kef.municipality, channel: channel as 'counter', locale: 'ar', categoryId: kef.categories.lighting!.id, description: 'x', location: { address: 'y' } }),
        appError('validation'),
      );
    }
    await assert.rejects(
      fileComplaintOnBehalf(db, { actor: kef.moderator.actor, municipality: kef.municipality, channel: 'counter', locale: 'ar', categoryId: kef.categories.lighting!.id, description: 'x', location: { address: 'y' } }),
      appError('forbidden'),
    );
    await assert.rejects(
      fileComplaintOnBehalf(db, { actor: kef.officer.actor, municipality: kef.municipality, channel: 'counter', locale: 'ar', categoryId: kef.categories.lighting!.id, description: '', location: {}, contact: { phone: '12' } }),
      appError('validation', { description: 'validation.required', location: 'complaints.location.required', 'contact.phone': 'validation.invalid_phone' }),
    );
  });

  test('days start at midnight in Tunisia', () => {
    assert.equal(startOfDayIn('2026-03-01'), '2026-02-28T23:00:00.000Z');
    assert.equal(startOfDayIn('2026-07-15', 'UTC'), '2026-07-15T00:00:00.000Z');
  });
});
