import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Actor } from '../../auth/policies.ts';
import { describeEachDatabase, openSecondHandle } from '../../../test/support/databases.ts';
import { verifyAuditChain } from '../audit/audit.service.ts';
import { canReopen, canTransition, COMPLAINT_STATUSES, type ComplaintStatus, isOpen } from './complaints.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { appError, type ComplaintsFixture, createComplaintsFixture, fileComplaint, nextPhone, outboxTo } from './complaints.test-support.ts';
import { followComplaint } from './following.service.ts';
import { getComplaintForStaff, getPublicComplaint } from './reading.service.ts';
import { listResponseTemplates } from './categories.service.ts';
import {
  acknowledgeComplaint,
  addInternalNote,
  applyBulkAction,
  assignComplaint,
  closeComplaint,
  forwardComplaint,
  markComplaintDuplicate,
  maskComplaintDescription,
  rejectComplaint,
  reopenComplaint,
  replyToComplaint,
  resolveComplaint,
  startComplaint,
  triageComplaint,
  type WorkflowScope,
} from './workflow.service.ts';

describeEachDatabase('complaints: workflow', (suite) => {
  let kef: ComplaintsFixture;
  let other: ComplaintsFixture;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'flow');
    other = await createComplaintsFixture(suite.db(), 'flowother');
  });

  const scope = (complaint: ComplaintRow, actor: Actor = kef.officer.actor): WorkflowScope => ({
    actor,
    municipalityId: kef.municipality.id,
    complaintId: complaint.id,
    version: complaint.version,
    publicUrl: 'https://kef.example',
  });
  const reload = async (complaint: ComplaintRow) =>
    suite.db().selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();
  const auditCount = async () => (await suite.db().selectFrom('audit_log').select('id').where('municipality_id', '=', kef.municipality.id).execute()).length;
  /** Puts a complaint in a status directly, as set-up for the transition matrix. */
  const forceStatus = async (complaint: ComplaintRow, status: ComplaintStatus, extra: Partial<ComplaintRow> = {}) => {
    await suite.db().updateTable('complaints').set({ status, ...extra }).where('id', '=', complaint.id).execute();
    return reload(complaint);
  };

  test('from received to resolved: each step public, audited, and told to the reporter', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const { complaint } = await fileComplaint(db, kef, { contact: { phone } });
    const acknowledged = await acknowledgeComplaint(db, scope(complaint));
    assert.equal(acknowledged.status, 'acknowledged');
    assert.equal(acknowledged.version, 2);
    assert.ok(acknowledged.acknowledged_at);
    const triaged = await triageComplaint(db, { ...scope(acknowledged), priority: 'high' });
    assert.equal(triaged.priority, 'high');
    const assigned = await assignComplaint(db, { ...scope(triaged), departmentId: kef.technical.id, assigneeUserId: kef.technicalAgent.user.id });
    assert.equal(assigned.status, 'assigned');
    assert.equal(assigned.assignee_user_id, kef.technicalAgent.user.id);
    const started = await startComplaint(db, scope(assigned, kef.technicalAgent.actor));
    assert.equal(started.status, 'in_progress');
    const resolved = await resolveComplaint(db, { ...scope(started, kef.technicalAgent.actor), reply: 'تمّ تعويض الفانوس' });
    assert.equal(resolved.status, 'resolved');
    assert.ok(resolved.resolved_at);
    assert.equal(resolved.first_response_at, resolved.resolved_at, 'the resolution was the first public answer');

    const view = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: complaint.tracking_number });
    assert.deepEqual(
      view.timeline.map((e) => [e.kind, e.toStatus]),
      [['status', 'received'], ['status', 'acknowledged'], ['status', 'assigned'], ['status', 'in_progress'], ['status', 'resolved']],
    );
    assert.equal(view.timeline.at(-1)!.body, 'تمّ تعويض الفانوس');
    const staffView = await getComplaintForStaff(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: complaint.id });
    assert.ok(staffView.timeline.some((e) => e.kind === 'triage' && e.visibility === 'internal'));

    const sms = (await outboxTo(db, phone)).filter((m) => m.purpose === 'complaint_status');
    assert.equal(sms.length, 4, 'acknowledged, assigned, in progress, resolved; triage is internal');
    assert.ok(sms.every((m) => m.body.includes(complaint.tracking_number) && m.body.includes(`https://kef.example/ar/complaints/${complaint.tracking_number}`)));
    assert.ok(sms[3]!.body.includes('تمّت معالجتها'), 'the status in the complaint’s language');

    const audit = await db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'complaint').where('entity_id', '=', String(complaint.id)).orderBy('seq').execute();
    assert.deepEqual(audit.map((a) => a.action), ['complaint.acknowledged', 'complaint.triaged', 'complaint.assigned', 'complaint.in_progress', 'complaint.resolved']);
    assert.deepEqual(JSON.parse(audit[0]!.before_json!).status, 'received');
    assert.deepEqual(JSON.parse(audit[0]!.after_json!).status, 'acknowledged');
    assert.deepEqual([JSON.parse(audit[1]!.before_json!).priority, JSON.parse(audit[1]!.after_json!).priority], ['normal', 'high']);
    assert.equal(audit[3]!.actor_user_id, kef.technicalAgent.user.id);
    assert.ok((await verifyAuditChain(db, kef.municipality.id)).ok);
  });

  const ACTIONS: Record<string, { run: (c: ComplaintRow) => Promise<ComplaintRow>; allowed: (s: ComplaintStatus) => boolean; to: (s: ComplaintStatus) => ComplaintStatus }> = {
    acknowledge: { run: (c) => acknowledgeComplaint(suite.db(), scope(c)), allowed: (s) => canTransition(s, 'acknowledged'), to: () => 'acknowledged' },
    assign: {
      run: (c) => assignComplaint(suite.db(), { ...scope(c), departmentId: kef.technical.id, assigneeUserId: kef.technicalAgent2.user.id }),
      allowed: isOpen,
      to: (s) => (s === 'received' || s === 'acknowledged' ? 'assigned' : s),
    },
    start: { run: (c) => startComplaint(suite.db(), scope(c)), allowed: (s) => canTransition(s, 'in_progress'), to: () => 'in_progress' },
    resolve: { run: (c) => resolveComplaint(suite.db(), { ...scope(c), reply: 'done' }), allowed: (s) => canTransition(s, 'resolved'), to: () => 'resolved' },
    reject: { run: (c) => rejectComplaint(suite.db(), { ...scope(c), reason: 'not ours' }), allowed: (s) => canTransition(s, 'rejected'), to: () => 'rejected' },
    forward: {
      run: (c) => forwardComplaint(suite.db(), { ...scope(c), utility: 'steg', reason: 'STEG line' }),
      allowed: (s) => canTransition(s, 'forwarded'),
      to: () => 'forwarded',
    },
    close: { run: (c) => closeComplaint(suite.db(), scope(c)), allowed: (s) => canTransition(s, 'closed'), to: () => 'closed' },
    reopen: { run: (c) => reopenComplaint(suite.db(), scope(c)), allowed: canReopen, to: () => 'in_progress' },
  };

  test('every action in every status: allowed where the workflow allows it, refused elsewhere with nothing changed', async () => {
    const db = suite.db();
    const { complaint: original } = await fileComplaint(db, kef, { description: 'the original' });
    for (const status of COMPLAINT_STATUSES) {
      for (const [name, action] of Object.entries(ACTIONS)) {
        const { complaint: fresh } = await fileComplaint(db, kef);
        // An assignee, so that reopening goes back to "in progress".
        const complaint = await forceStatus(fresh, status, { assignee_user_id: kef.technicalAgent.user.id, department_id: kef.technical.id });
        const label = `${name} on ${status}`;
        if (action.allowed(status)) {
          const after = await action.run(complaint);
          assert.equal(after.status, action.to(status), label);
          assert.equal(after.version, complaint.version + 1, label);
        } else {
          const audits = await auditCount();
          await assert.rejects(action.run(complaint), appError('conflict', { _form: 'complaints.workflow.not_allowed' }), label);
          const unchanged = await reload(complaint);
          assert.equal(unchanged.status, status, label);
          assert.equal(unchanged.version, complaint.version, label);
          assert.equal(await auditCount(), audits, label);
        }
      }
      const { complaint: fresh } = await fileComplaint(db, kef);
      const complaint = await forceStatus(fresh, status);
      const duplicate = () => markComplaintDuplicate(db, { ...scope(complaint), originalId: original.id });
      if (canTransition(status, 'duplicate')) assert.equal((await duplicate()).status, 'duplicate', `duplicate on ${status}`);
      else await assert.rejects(duplicate(), appError('conflict'), `duplicate on ${status}`);
    }
  });

  test('a change made on an older version is refused as stale, even when two arrive at once', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef);
    await acknowledgeComplaint(db, scope(complaint));
    await assert.rejects(startComplaint(db, scope(complaint)), appError('stale'));
    await assert.rejects(addInternalNote(db, { ...scope(complaint), body: 'late note' }), appError('stale'));

    const { complaint: raced } = await fileComplaint(db, kef);
    const second = suite.kind === 'postgres' ? openSecondHandle(suite.handle()) : undefined;
    try {
      const results = await Promise.allSettled([
        startComplaint(db, scope(raced)),
        rejectComplaint(second?.db ?? db, { ...scope(raced), reason: 'spam' }),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(appError('stale')(failure.reason));
      assert.equal((await reload(raced)).version, 2);
    } finally {
      await second?.destroy();
    }
  });

  test('who may act: the department’s staff and the cell; never another department’s agent, nor another municipality', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef);
    assert.equal(complaint.department_id, kef.technical.id);
    const audits = await auditCount();
    await assert.rejects(startComplaint(db, scope(complaint, kef.cleanlinessAgent.actor)), appError('forbidden'));
    await assert.rejects(assignComplaint(db, { ...scope(complaint, kef.cleanlinessHead.actor), departmentId: kef.cleanliness.id }), appError('forbidden'));
    await assert.rejects(assignComplaint(db, { ...scope(complaint, kef.technicalAgent.actor), departmentId: kef.technical.id }), appError('forbidden'), 'agents do not assign');
    await assert.rejects(startComplaint(db, scope(complaint, kef.moderator.actor)), appError('forbidden'));
    await assert.rejects(startComplaint(db, scope(complaint, kef.citizen.actor)), appError('forbidden'));
    await assert.rejects(startComplaint(db, scope(complaint, null)), appError('unauthenticated'));
    // Staff of another municipality: refused before anything is read, and their own scope never finds our id.
    await assert.rejects(startComplaint(db, scope(complaint, other.officer.actor)), appError('forbidden'));
    await assert.rejects(startComplaint(db, { ...scope(complaint, other.officer.actor), municipalityId: other.municipality.id }), appError('not_found'));
    await assert.rejects(
      getComplaintForStaff(db, { actor: other.admin.actor, municipalityId: other.municipality.id, complaintId: complaint.id }),
      appError('not_found'),
    );
    // A head of department hands work out within their department only.
    await assert.rejects(
      assignComplaint(db, { ...scope(complaint, kef.technicalHead.actor), departmentId: kef.cleanliness.id }),
      appError('forbidden'),
    );
    await assert.rejects(
      assignComplaint(db, { ...scope(complaint, kef.technicalHead.actor), departmentId: kef.technical.id, assigneeUserId: kef.cleanlinessAgent.user.id }),
      appError('validation', { assigneeUserId: 'complaints.assign.not_staff' }),
    );
    await assert.rejects(
      assignComplaint(db, { ...scope(complaint), departmentId: kef.technical.id, assigneeUserId: other.technicalAgent.user.id }),
      appError('validation', { assigneeUserId: 'complaints.assign.not_staff' }),
      'an agent of another municipality',
    );
    assert.equal(await auditCount(), audits, 'no refused attempt changed anything');
    assert.equal((await reload(complaint)).version, complaint.version);

    const started = await startComplaint(db, scope(complaint, kef.technicalAgent.actor));
    const assigned = await assignComplaint(db, { ...scope(started, kef.technicalHead.actor), departmentId: kef.technical.id, assigneeUserId: kef.technicalAgent2.user.id });
    assert.equal(assigned.status, 'in_progress', 'reassigning keeps the status');
    // Moving it to cleanliness (triage) drops the technical agent, who then cannot act on it.
    const moved = await triageComplaint(db, { ...scope(assigned), departmentId: kef.cleanliness.id });
    assert.equal(moved.department_id, kef.cleanliness.id);
    assert.equal(moved.assignee_user_id, null);
    await assert.rejects(resolveComplaint(db, { ...scope(moved, kef.technicalAgent2.actor), reply: 'x' }), appError('forbidden'));
    const done = await resolveComplaint(db, { ...scope(moved, kef.cleanlinessAgent.actor), reply: 'cleaned' });
    assert.equal(done.status, 'resolved');
  });

  test('triage with a new category moves the department and recomputes the deadlines from the day received', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef);
    await db.updateTable('complaint_categories').set({ ack_days: 1, resolve_days: 7 }).where('id', '=', kef.categories.waste!.id).execute();
    const triaged = await triageComplaint(db, { ...scope(complaint), categoryId: kef.categories.waste!.id });
    assert.equal(triaged.category_id, kef.categories.waste!.id);
    assert.equal(triaged.department_id, kef.cleanliness.id);
    assert.equal(Date.parse(triaged.ack_due_at) - Date.parse(complaint.created_at), 86_400_000);
    assert.equal(Date.parse(triaged.resolve_due_at) - Date.parse(complaint.created_at), 7 * 86_400_000);
    await db.updateTable('complaint_categories').set({ ack_days: 2, resolve_days: 21 }).where('id', '=', kef.categories.waste!.id).execute();
    const same = await triageComplaint(db, { ...scope(triaged), categoryId: kef.categories.waste!.id });
    assert.equal(same.version, triaged.version, 'nothing to change, nothing written');
    await assert.rejects(triageComplaint(db, { ...scope(triaged), categoryId: other.categories.waste!.id }), appError('validation', { categoryId: 'complaints.category.unknown' }));
  });

  test('triage can place a complaint filed without a position, inside the municipality only', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef, { location: { address: 'near the stadium' } });
    await assert.rejects(triageComplaint(db, { ...scope(complaint), location: { lat: 36.8, lng: 10.18 } }), appError('validation', { location: 'complaints.location.outside' }));
    await assert.rejects(triageComplaint(db, { ...scope(complaint), location: { neighbourhoodId: 999_999 } }), appError('validation', { 'location.neighbourhoodId': 'validation.invalid_choice' }));
    const placed = await triageComplaint(db, { ...scope(complaint), location: { lat: 36.1795, lng: 8.7071, address: 'Stade municipal, porte nord' } });
    assert.deepEqual([placed.latitude, placed.longitude, placed.address_text], [36.1795, 8.7071, 'Stade municipal, porte nord']);
    assert.ok(placed.search_text.includes('stade municipal'));
    assert.ok(!placed.search_text.includes('stadium'));
  });

  test('answers need text: a reply or a template, a reason to reject or forward, a known utility', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef, { locale: 'fr' });
    await assert.rejects(resolveComplaint(db, { ...scope(complaint), reply: '  ' }), appError('validation', { reply: 'validation.required' }));
    await assert.rejects(rejectComplaint(db, { ...scope(complaint), reason: '' }), appError('validation', { reason: 'validation.required' }));
    await assert.rejects(forwardComplaint(db, { ...scope(complaint), utility: 'water' as never, reason: 'x' }), appError('validation', { utility: 'validation.invalid_choice' }));
    await assert.rejects(replyToComplaint(db, { ...scope(complaint), templateId: 999_999 }), appError('validation', { templateId: 'complaints.template.unknown' }));
    const [template] = await listResponseTemplates(db, { municipalityId: kef.municipality.id });
    const replied = await replyToComplaint(db, { ...scope(complaint), templateId: template!.id });
    assert.ok(replied.first_response_at);
    const again = await replyToComplaint(db, { ...scope(replied), reply: 'Deuxième réponse' });
    assert.equal(again.first_response_at, replied.first_response_at, 'the first response is kept');
    const view = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: complaint.tracking_number });
    assert.deepEqual(view.timeline.filter((e) => e.kind === 'reply').map((e) => e.body), [template!.body.fr, 'Deuxième réponse']);

    const forwarded = await forwardComplaint(db, { ...scope(again), utility: 'sonede', reason: 'Fuite sur le réseau SONEDE' });
    assert.equal(forwarded.forwarded_to, 'sonede');
    const publicForwarded = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: complaint.tracking_number });
    assert.equal(publicForwarded.statusReason, 'Fuite sur le réseau SONEDE');
    assert.equal(publicForwarded.timeline.at(-1)!.utility, 'sonede');
  });

  test('reopening goes back to work with a fresh deadline; a rejection reopens to acknowledged', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef);
    const assigned = await assignComplaint(db, { ...scope(complaint), departmentId: kef.technical.id, assigneeUserId: kef.technicalAgent.user.id });
    const resolved = await resolveComplaint(db, { ...scope(assigned), reply: 'fixed' });
    const reopened = await reopenComplaint(db, { ...scope(resolved), reason: 'Still dark' });
    assert.equal(reopened.status, 'in_progress');
    assert.equal(reopened.resolved_at, null);
    assert.equal(Date.parse(reopened.resolve_due_at) - Date.parse(reopened.updated_at), 21 * 86_400_000);

    const { complaint: second } = await fileComplaint(db, kef);
    const rejected = await rejectComplaint(db, { ...scope(second), reason: 'Private land' });
    const back = await reopenComplaint(db, scope(rejected));
    assert.equal(back.status, 'acknowledged');
    assert.equal(back.status_reason, null);
  });

  test('duplicates: not itself, not a loop, not another municipality’s; followers merged into the original once', async () => {
    const db = suite.db();
    const p1 = nextPhone();
    const p2 = nextPhone();
    const { complaint: original } = await fileComplaint(db, kef, { description: 'original' });
    await followComplaint(db, { municipalityId: kef.municipality.id, complaint: { id: original.id }, contact: p2, locale: 'ar' });
    const { complaint: copy } = await fileComplaint(db, kef, { contact: { phone: p1 } });
    await followComplaint(db, { municipalityId: kef.municipality.id, complaint: { id: copy.id }, contact: p2, locale: 'ar' });
    await followComplaint(db, { municipalityId: kef.municipality.id, complaint: { id: copy.id }, actor: kef.citizen.actor, locale: 'fr' });
    const { complaint: foreign } = await fileComplaint(db, other);

    await assert.rejects(markComplaintDuplicate(db, { ...scope(copy), originalId: copy.id }), appError('validation', { original: 'complaints.duplicate.self' }));
    await assert.rejects(markComplaintDuplicate(db, { ...scope(copy), originalId: foreign.id }), appError('validation', { original: 'complaints.duplicate.unknown' }));
    const before = (await reload(original)).follower_count;
    assert.equal(before, 1);

    const marked = await markComplaintDuplicate(db, { ...scope(copy), originalTrackingNumber: original.tracking_number.toLowerCase() });
    assert.equal(marked.status, 'duplicate');
    assert.equal(marked.duplicate_of_id, original.id);
    const merged = await reload(original);
    assert.equal(merged.follower_count, 3, 'p2 already followed; p1 and the citizen join');
    const followers = await db.selectFrom('complaint_followers').select(['user_id', 'contact']).where('complaint_id', '=', original.id).execute();
    assert.equal(followers.length, 3);
    assert.equal(new Set(followers.map((f) => f.contact ?? `user:${f.user_id}`)).size, 3);

    // The loop: the original cannot become a duplicate of its own duplicate.
    await assert.rejects(markComplaintDuplicate(db, { ...scope(merged), originalId: copy.id }), appError('validation', { original: 'complaints.duplicate.loop' }));
    // A duplicate of the duplicate points to the first original.
    const { complaint: third } = await fileComplaint(db, kef);
    const chained = await markComplaintDuplicate(db, { ...scope(third), originalId: copy.id });
    assert.equal(chained.duplicate_of_id, original.id);

    // The copy's reporter is told, with a link to the original.
    const [sms] = (await outboxTo(db, p1)).filter((m) => m.purpose === 'complaint_status');
    assert.ok(sms!.body.includes(`/ar/complaints/${original.tracking_number}`));
    const publicCopy = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: copy.tracking_number });
    assert.equal(publicCopy.duplicateOf, original.tracking_number);
  });

  test('internal notes stay inside; public replies reach followers in their language', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const { complaint } = await fileComplaint(db, kef, { contact: { phone }, locale: 'fr' });
    await followComplaint(db, { municipalityId: kef.municipality.id, complaint: { id: complaint.id }, contact: 'voisin@example.tn', locale: 'en' });
    const noted = await addInternalNote(db, { ...scope(complaint, kef.technicalAgent.actor), body: 'Le voisin du 12 est au courant' });
    assert.equal(noted.version, complaint.version, 'a note does not change the complaint');
    assert.equal((await outboxTo(db, phone)).filter((m) => m.purpose !== 'complaint_received').length, 0);
    const view = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: complaint.tracking_number });
    assert.ok(!JSON.stringify(view).includes('voisin du 12'));

    await replyToComplaint(db, { ...scope(noted), reply: 'Une équipe passera mardi.' });
    const [sms] = (await outboxTo(db, phone)).filter((m) => m.purpose === 'complaint_reply');
    assert.ok(sms!.body.startsWith('Commune de flow'), sms!.body);
    const [mail] = (await outboxTo(db, 'voisin@example.tn')).filter((m) => m.purpose === 'complaint_reply');
    assert.ok(mail!.subject!.includes('reply to your complaint'));
    assert.ok(mail!.body.includes('Une équipe passera mardi.'), 'the e-mail carries the reply');
  });

  test('masking: the public sees the moderator’s text, staff allowed to see personal data see the original', async () => {
    const db = suite.db();
    const { complaint } = await fileComplaint(db, kef, { description: 'Mon voisin Karim Ben Salah (22 333 444) a cassé le lampadaire' });
    await assert.rejects(
      maskComplaintDescription(db, { ...scope(complaint, kef.technicalAgent.actor), publicDescription: 'x' }),
      appError('forbidden'),
    );
    const masked = await maskComplaintDescription(db, { ...scope(complaint, kef.moderator.actor), publicDescription: 'Un voisin a cassé le lampadaire' });
    assert.equal(masked.description, complaint.description, 'the original is kept');
    assert.ok(!masked.search_text.includes('karim'), 'the hidden words cannot be found by searching');
    const view = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: complaint.tracking_number });
    assert.equal(view.description, 'Un voisin a cassé le lampadaire');
    assert.ok(!JSON.stringify(view).includes('Karim'));
    const forOfficer = await getComplaintForStaff(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: complaint.id });
    assert.equal(forOfficer.originalDescription, complaint.description);
    const forModerator = await getComplaintForStaff(db, { actor: kef.moderator.actor, municipalityId: kef.municipality.id, complaintId: complaint.id });
    assert.equal(forModerator.originalDescription, complaint.description, 'the moderator reads what they mask');
    assert.equal(forModerator.reporter, null, 'but not the reporter’s contact');
    const forAgent = await getComplaintForStaff(db, { actor: kef.technicalAgent.actor, municipalityId: kef.municipality.id, complaintId: complaint.id });
    assert.equal(forAgent.originalDescription, null);
    assert.equal(forAgent.publicDescription, 'Un voisin a cassé le lampadaire');
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'complaint.masked').where('entity_id', '=', String(complaint.id)).executeTakeFirstOrThrow();
    assert.ok(!`${audit.before_json}${audit.after_json}`.includes('Karim'), 'the permanent log keeps neither text');
  });

  test('bulk: each complaint in its own transaction, with its own outcome', async () => {
    const db = suite.db();
    const { complaint: a } = await fileComplaint(db, kef);
    const { complaint: b } = await fileComplaint(db, kef);
    const { complaint: c } = await fileComplaint(db, kef, { categoryId: kef.categories.waste!.id });
    const outcomes = await applyBulkAction(db, {
      actor: kef.technicalHead.actor,
      municipalityId: kef.municipality.id,
      action: { kind: 'acknowledge' },
      items: [
        { complaintId: a.id, version: a.version },
        { complaintId: b.id, version: b.version + 5 },
        { complaintId: c.id, version: c.version },
        { complaintId: 999_999, version: 1 },
      ],
    });
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? ['ok', o.status] : ['refused', o.error])),
      [['ok', 'acknowledged'], ['refused', 'stale'], ['refused', 'forbidden'], ['refused', 'not_found']],
    );
    assert.equal((await reload(a)).status, 'acknowledged');
    assert.equal((await reload(b)).status, 'received');
  });
});
