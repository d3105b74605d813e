// What citizens do besides filing: "me too", feedback on a resolution, reading their complaints,
// and what the public view-model shows (no personal data).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { addDays } from '../../lib/time.ts';
import { appError, type ComplaintsFixture, createComplaintsFixture, fileComplaint, nextPhone, outboxTo } from './complaints.test-support.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { recordFeedback } from './feedback.service.ts';
import { findNearbyOpenComplaints, followComplaint, unfollowComplaint } from './following.service.ts';
import { forgetComplaintReporter } from './personal-data.service.ts';
import { distanceMeters } from './location.ts';
import { getComplaintForStaff, getPublicComplaint, listComplaintsForReporter } from './reading.service.ts';
import { closeComplaint, resolveComplaint } from './workflow.service.ts';

describeEachDatabase('complaints: citizens', (suite) => {
  let kef: ComplaintsFixture;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'citz');
  });

  const staff = (complaint: ComplaintRow) => ({
    actor: kef.officer.actor,
    municipalityId: kef.municipality.id,
    complaintId: complaint.id,
    version: complaint.version,
  });
  const reload = (complaint: ComplaintRow) => suite.db().selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();
  const resolved = async (overrides: Parameters<typeof fileComplaint>[2] = {}) => {
    const { complaint } = await fileComplaint(suite.db(), kef, overrides);
    return resolveComplaint(suite.db(), { ...staff(complaint), reply: 'fixed' });
  };

  test('"me too": open complaints of the same category within the radius, nearest first', async () => {
    const db = suite.db();
    const centre = { lat: 36.1901, lng: 8.7003 };
    // About 50 m and 120 m north, 400 m east; one of another category; one resolved.
    const near = await fileComplaint(db, kef, { location: { lat: centre.lat + 0.00045, lng: centre.lng } });
    const farther = await fileComplaint(db, kef, { location: { lat: centre.lat + 0.0011, lng: centre.lng } });
    await fileComplaint(db, kef, { location: { lat: centre.lat, lng: centre.lng + 0.0045 } });
    await fileComplaint(db, kef, { categoryId: kef.categories.roads!.id, location: { lat: centre.lat, lng: centre.lng } });
    await resolved({ location: { lat: centre.lat + 0.0001, lng: centre.lng } });
    const found = await findNearbyOpenComplaints(db, { municipalityId: kef.municipality.id, categoryId: kef.categories.lighting!.id, ...centre, radiusMeters: 150 });
    assert.deepEqual(found.map((f) => f.trackingNumber), [near.trackingNumber, farther.trackingNumber]);
    assert.ok(Math.abs(found[0]!.distanceMeters - 50) <= 10, String(found[0]!.distanceMeters));
    assert.ok(!JSON.stringify(found).includes('contact'), 'public data only');
    const other = await findNearbyOpenComplaints(db, { municipalityId: kef.municipality.id + 1000, categoryId: kef.categories.lighting!.id, ...centre });
    assert.deepEqual(other, []);
  });

  test('a sensitive category shows only an approximate point, in the nearby list and the public view', async () => {
    const db = suite.db();
    const point = { lat: 36.17234, lng: 8.70456 };
    const { complaint } = await fileComplaint(db, kef, {
      categoryId: kef.categories.unauthorised_building!.id,
      location: { ...point, address: '12 rue de la République' },
    });
    const view = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: complaint.tracking_number });
    assert.equal(view.location.approximate, true);
    assert.equal(view.location.address, null);
    assert.notDeepEqual(view.location.point, point);
    const offset = distanceMeters(view.location.point!, point);
    assert.ok(offset > 0 && offset < 400, `moved ${offset} m, within its ~500 m square`);
    assert.ok(!JSON.stringify(view).includes('République'));
    const [nearby] = await findNearbyOpenComplaints(db, { municipalityId: kef.municipality.id, categoryId: kef.categories.unauthorised_building!.id, ...point });
    assert.deepEqual(nearby!.point, view.location.point);
    const forStaff = await getComplaintForStaff(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: complaint.id });
    assert.deepEqual(forStaff.location.point, point, 'staff see the exact point');
  });

  test('following: once per person, counted in the same transaction, the reporter not counted', async () => {
    const db = suite.db();
    const reporterPhone = nextPhone();
    const { complaint } = await fileComplaint(db, kef, { contact: { phone: reporterPhone } });
    const by = (extra: object) => followComplaint(db, { municipalityId: kef.municipality.id, complaint: { trackingNumber: complaint.tracking_number }, locale: 'ar', ...extra });
    assert.equal((await by({ contact: reporterPhone })).followed, false, 'the reporter already follows');
    const phone = nextPhone();
    assert.deepEqual(await by({ contact: phone.replace('+216', '') }), { followed: true, followerCount: 1, trackingNumber: complaint.tracking_number });
    assert.equal((await by({ contact: phone })).followed, false, 'the same number again');
    assert.equal((await by({ actor: kef.citizen.actor })).followed, true);
    assert.equal((await by({ actor: kef.citizen.actor })).followed, false);
    await Promise.all([by({ contact: 'a@example.tn' }), by({ contact: 'a@example.tn' }), by({ contact: 'A@example.tn' })]);
    assert.equal((await reload(complaint)).follower_count, 3);
    await assert.rejects(by({ contact: 'nonsense' }), appError('validation', { contact: 'validation.invalid_phone' }));
    await assert.rejects(by({}), appError('validation', { contact: 'validation.required' }));
    await assert.rejects(
      followComplaint(db, { municipalityId: kef.municipality.id, complaint: { trackingNumber: 'CIT-1999-000001' }, locale: 'ar', contact: phone }),
      appError('not_found'),
    );
    assert.deepEqual(await unfollowComplaint(db, { municipalityId: kef.municipality.id, complaint: { id: complaint.id }, contact: phone }), { unfollowed: true });
    assert.equal((await reload(complaint)).follower_count, 2);
    // The reporter can stop the messages too; the "me too" count does not change.
    await unfollowComplaint(db, { municipalityId: kef.municipality.id, complaint: { id: complaint.id }, contact: reporterPhone });
    assert.equal((await reload(complaint)).follower_count, 2);
    await closeComplaint(db, staff(await resolveComplaint(db, { ...staff(complaint), reply: 'ok' })));
    assert.equal((await outboxTo(db, reporterPhone)).filter((m) => m.purpose === 'complaint_status').length, 0, 'no message after unfollowing');
    assert.ok((await outboxTo(db, 'a@example.tn')).some((m) => m.purpose === 'complaint_status'));
  });

  test('feedback "not resolved" within 30 days reopens; once per complaint; reporter or follower only', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const complaint = await resolved({ contact: { phone } });
    const feedback = (extra: object) =>
      recordFeedback(db, { municipalityId: kef.municipality.id, complaint: { trackingNumber: complaint.tracking_number }, resolved: false, ...extra });
    await assert.rejects(feedback({ contact: nextPhone() }), appError('forbidden'));
    await assert.rejects(feedback({ actor: kef.citizen.actor }), appError('forbidden'));
    await assert.rejects(feedback({ contact: phone, satisfaction: 6 }), appError('validation', { satisfaction: 'complaints.feedback.satisfaction_invalid' }));
    const outcome = await feedback({ contact: phone.replace('+216', '٠٠٢١٦'), satisfaction: 1, comment: 'Toujours dans le noir' });
    assert.deepEqual(outcome, { status: 'acknowledged', reopened: true, closed: false });
    const row = await reload(complaint);
    assert.equal(row.resolved_at, null);
    assert.equal(row.version, complaint.version + 1);
    await assert.rejects(feedback({ contact: phone }), appError('conflict'));
    const view = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: complaint.tracking_number });
    assert.deepEqual(view.feedback, { resolved: false, satisfaction: 1 });
    assert.ok(!JSON.stringify(view).includes('Toujours dans le noir'), 'the comment is for staff');
    const forStaff = await getComplaintForStaff(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: complaint.id });
    assert.equal(forStaff.feedbackComment, 'Toujours dans le noir');
    const audit = await db.selectFrom('audit_log').select('action').where('entity_id', '=', String(complaint.id)).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    assert.equal(audit.action, 'complaint.reopened_by_citizen');
  });

  test('feedback "resolved" closes; a follower may answer; only resolved complaints; late "no" does not reopen', async () => {
    const db = suite.db();
    const complaint = await resolved({ reporter: kef.citizen.actor });
    const { complaint: open } = await fileComplaint(db, kef, { reporter: kef.citizen.actor });
    await assert.rejects(
      recordFeedback(db, { municipalityId: kef.municipality.id, complaint: { id: open.id }, actor: kef.citizen.actor, resolved: true }),
      appError('conflict', { _form: 'complaints.feedback.not_resolved' }),
    );
    const closed = await recordFeedback(db, { municipalityId: kef.municipality.id, complaint: { id: complaint.id }, actor: kef.citizen.actor, resolved: true, satisfaction: 5 });
    assert.deepEqual(closed, { status: 'closed', reopened: false, closed: true });
    assert.ok((await reload(complaint)).closed_at);

    const old = await resolved();
    const follower = nextPhone();
    await followComplaint(db, { municipalityId: kef.municipality.id, complaint: { id: old.id }, contact: follower, locale: 'fr' });
    await db.updateTable('complaints').set({ resolved_at: addDays(old.resolved_at!, -31) }).where('id', '=', old.id).execute();
    const late = await recordFeedback(db, { municipalityId: kef.municipality.id, complaint: { id: old.id }, contact: follower, resolved: false });
    assert.deepEqual(late, { status: 'resolved', reopened: false, closed: false });
  });

  test('the public view-model carries no personal data', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const { complaint } = await fileComplaint(db, kef, {
      reporter: kef.citizen.actor,
      contact: { name: 'Zeineb Trabelsi', phone, email: 'zeineb.trabelsi@example.tn' },
      channel: 'counter',
      filedBy: kef.technicalAgent.actor,
      answers: { pole_number: 'K-5' },
    });
    const view = await getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: ` ${complaint.tracking_number.toLowerCase()} ` });
    const json = JSON.stringify(view);
    for (const secret of ['Zeineb', 'Trabelsi', phone, phone.slice(4), 'zeineb.trabelsi@example.tn', 'reporter', 'contact', 'filed', 'actor', 'userId', 'assignee', 'search_text', 'version']) {
      assert.ok(!json.includes(secret), `public view contains ${secret}`);
    }
    assert.equal(view.trackingNumber, complaint.tracking_number);
    assert.deepEqual(view.answers.map((a) => [a.code, a.value]), [['pole_number', 'K-5']]);
    await assert.rejects(getPublicComplaint(db, { municipalityId: kef.municipality.id + 1000, trackingNumber: complaint.tracking_number }), appError('not_found'));
    await assert.rejects(getPublicComplaint(db, { municipalityId: kef.municipality.id, trackingNumber: 'hello' }), appError('not_found'));

    // Staff: the contact only with complaints.view_personal_data.
    const officer = await getComplaintForStaff(db, { actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: complaint.id });
    assert.deepEqual(officer.reporter, { userId: kef.citizen.user.id, name: 'Zeineb Trabelsi', phone, email: 'zeineb.trabelsi@example.tn' });
    const agent = await getComplaintForStaff(db, { actor: kef.technicalAgent2.actor, municipalityId: kef.municipality.id, complaintId: complaint.id });
    assert.equal(agent.reporter, null);
    assert.ok(!JSON.stringify(agent).includes('Zeineb'));
    await assert.rejects(
      getComplaintForStaff(db, { actor: kef.cleanlinessAgent.actor, municipalityId: kef.municipality.id, complaintId: complaint.id }),
      appError('forbidden'),
    );
    await assert.rejects(getComplaintForStaff(db, { actor: kef.citizen.actor, municipalityId: kef.municipality.id, complaintId: complaint.id }), appError('forbidden'));
  });

  test('a citizen’s list: what they filed and what they follow, nobody else’s', async () => {
    const db = suite.db();
    const person = await createComplaintsFixture(db, 'citzlist');
    const mine = await fileComplaint(db, person, { reporter: person.citizen.actor });
    const followed = await fileComplaint(db, person);
    await fileComplaint(db, person);
    await followComplaint(db, { municipalityId: person.municipality.id, complaint: { id: followed.complaint.id }, actor: person.citizen.actor, locale: 'ar' });
    const list = await listComplaintsForReporter(db, { actor: person.citizen.actor, municipalityId: person.municipality.id });
    assert.deepEqual(
      list.map((c) => [c.trackingNumber, c.reportedByMe]).sort(),
      [[mine.trackingNumber, true], [followed.trackingNumber, false]].sort(),
    );
    await assert.rejects(listComplaintsForReporter(db, { actor: null, municipalityId: person.municipality.id }), appError('unauthenticated'));
  });
});

describeEachDatabase('complaints: erasure of a reporter', (suite) => {
  test('an erased person’s contact leaves their complaints and follows; the complaints and counts stay', async () => {
    const db = suite.db();
    const kef = await createComplaintsFixture(db, 'forget');
    const phone = kef.citizen.user.phone!;
    const signedIn = await fileComplaint(db, kef, { reporter: kef.citizen.actor, contact: { name: 'Hédi', email: 'hedi@example.tn' } });
    const anonymous = await fileComplaint(db, kef, { contact: { phone } });
    const followed = await fileComplaint(db, kef);
    await followComplaint(db, { municipalityId: kef.municipality.id, complaint: { id: followed.complaint.id }, actor: kef.citizen.actor, locale: 'ar' });
    const someoneElse = await fileComplaint(db, kef, { contact: { phone: nextPhone() } });

    const result = await db.transaction().execute((trx) =>
      forgetComplaintReporter(trx, { municipalityId: kef.municipality.id, userId: kef.citizen.user.id, addresses: [phone, 'hedi@example.tn'] }),
    );
    assert.deepEqual(result, { complaints: 2, follows: 3 });
    const rows = await db.selectFrom('complaints').selectAll().where('municipality_id', '=', kef.municipality.id).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const { complaint } of [signedIn, anonymous]) {
      const row = byId.get(complaint.id)!;
      assert.deepEqual([row.contact_name, row.contact_phone, row.contact_email], [null, null, null]);
    }
    assert.equal(byId.get(followed.complaint.id)!.follower_count, 1, 'the "me too" stays counted');
    assert.notEqual(byId.get(someoneElse.complaint.id)!.contact_phone, null, 'nobody else is touched');
  });
});
