import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test } from 'node:test';
import { describeEachDatabase, openSecondHandle } from '../../../test/support/databases.ts';
import { normalizeSearchText } from '../../db/search.ts';
import { createTestMunicipality } from '../../../test/support/fixtures.ts';
import { updateArrondissement, updateNeighbourhood } from '../municipalities/reference-data.service.ts';
import { listArrondissements, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { seedComplaintCatalogue } from './demo-catalogue.ts';
import { listCategories } from './categories.service.ts';
import { appError, type ComplaintsFixture, createComplaintsFixture, fileComplaint, nextPhone, outboxTo } from './complaints.test-support.ts';
import { submitComplaint } from './submission.service.ts';

const DAY = 86_400_000;

describeEachDatabase('complaints: submission', (suite) => {
  let kef: ComplaintsFixture;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'subm');
  });

  test('an anonymous complaint with a phone number gets a tracking number, deadlines, a public timeline and an SMS', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const { complaint, trackingNumber, followPath } = await fileComplaint(db, kef, {
      contact: { phone: phone.replace('+216', ''), name: 'Amal' },
      answers: { pole_number: 'P-17', lamps_out: '٣' },
      location: { lat: 36.181, lng: 8.712, address: 'قرب مدرسة الزيتونة' },
    });
    assert.match(trackingNumber, /^SUB-\d{4}-\d{6}$/);
    assert.equal(followPath, `/ar/complaints/${trackingNumber}`);
    assert.equal(complaint.status, 'received');
    assert.equal(complaint.version, 1);
    assert.equal(complaint.contact_phone, phone, 'stored in E.164');
    assert.equal(complaint.department_id, kef.technical.id, 'routed to the category’s department');
    assert.deepEqual(JSON.parse(complaint.answers_json), { pole_number: 'P-17', lamps_out: 3 });
    assert.equal(Date.parse(complaint.ack_due_at) - Date.parse(complaint.created_at), 2 * DAY);
    assert.equal(Date.parse(complaint.resolve_due_at) - Date.parse(complaint.created_at), 21 * DAY);
    assert.ok(complaint.search_text.includes(normalizeSearchText('مدرسة الزيتونة')));
    assert.ok(complaint.search_text.includes(normalizeSearchText(trackingNumber)));
    assert.ok(complaint.search_text.includes('p 17'));
    assert.equal(complaint.follower_count, 0, 'the reporter is not a "me too"');

    const events = await db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaint.id).execute();
    assert.deepEqual(events.map((e) => [e.kind, e.visibility, e.to_status]), [['status', 'public', 'received']]);
    const followers = await db.selectFrom('complaint_followers').selectAll().where('complaint_id', '=', complaint.id).execute();
    assert.deepEqual(followers.map((f) => [f.user_id, f.contact]), [[null, phone]]);

    const [sms] = await outboxTo(db, phone);
    assert.equal(sms?.channel, 'sms');
    assert.equal(sms?.purpose, 'complaint_received');
    assert.ok(sms!.body.includes(trackingNumber));
    assert.ok(sms!.body.includes(`https://kef.example/ar/complaints/${trackingNumber}`));
    const job = await db.selectFrom('jobs').select('kind').where('kind', '=', 'send-message').executeTakeFirst();
    assert.ok(job, 'the delivery job is queued with the message');
  });

  test('an e-mail contact gets an e-mail in the form’s language; HTML is kept as plain text', async () => {
    const db = suite.db();
    const { complaint, trackingNumber } = await fileComplaint(db, kef, {
      locale: 'fr',
      contact: { email: ' Salma@Example.TN ' },
      description: '<script>alert(1)</script> lampadaire',
    });
    assert.equal(complaint.description, '<script>alert(1)</script> lampadaire');
    assert.equal(complaint.contact_email, 'salma@example.tn');
    const [mail] = await outboxTo(db, 'salma@example.tn');
    assert.equal(mail?.channel, 'email');
    assert.ok(mail!.subject!.includes(trackingNumber));
    assert.ok(mail!.body.includes('Éclairage public'));
    assert.ok(mail!.body.includes(`/fr/complaints/${trackingNumber}`));
  });

  test('a signed-in citizen follows their complaint and is told on their account’s phone', async () => {
    const db = suite.db();
    const { complaint, trackingNumber } = await fileComplaint(db, kef, { reporter: kef.citizen.actor });
    assert.equal(complaint.reporter_user_id, kef.citizen.user.id);
    const followers = await db.selectFrom('complaint_followers').selectAll().where('complaint_id', '=', complaint.id).execute();
    assert.deepEqual(followers.map((f) => [f.user_id, f.contact]), [[kef.citizen.user.id, null]]);
    const messages = await outboxTo(db, kef.citizen.user.phone!);
    assert.ok(messages.some((m) => m.body.includes(trackingNumber)));
  });

  test('an anonymous complaint without any contact is accepted, and nothing is sent', async () => {
    const db = suite.db();
    const before = await db.selectFrom('outbox_messages').select('id').execute();
    const { complaint } = await fileComplaint(db, kef, { location: { neighbourhoodId: null, address: 'Place de la Kasbah' } });
    assert.equal(complaint.latitude, null);
    assert.equal(complaint.address_text, 'Place de la Kasbah');
    const after = await db.selectFrom('outbox_messages').select('id').execute();
    assert.equal(after.length, before.length);
  });

  test('every field error is reported at once, and nothing is written', async () => {
    const db = suite.db();
    const count = async () => (await db.selectFrom('complaints').select('id').execute()).length;
    const before = await count();
    await assert.rejects(
      fileComplaint(db, kef, {
        description: '   ',
        contact: { phone: '12', email: 'not-an-address' },
        answers: { lamps_out: 'many' },
        location: {},
      }),
      appError('validation', {
        description: 'validation.required',
        'contact.phone': 'validation.invalid_phone',
        'contact.email': 'validation.invalid_email',
        'answers.lamps_out': 'validation.invalid_number',
        location: 'complaints.location.required',
      }),
    );
    await assert.rejects(fileComplaint(db, kef, { description: 'x'.repeat(5001) }), appError('validation', { description: 'validation.too_long' }));
    await assert.rejects(
      fileComplaint(db, kef, { categoryId: kef.categories.waste!.id, answers: { waste_type: 'gold' } }),
      appError('validation', { 'answers.waste_type': 'validation.invalid_choice' }),
    );
    await assert.rejects(fileComplaint(db, kef, { categoryId: 999_999 }), appError('validation', { categoryId: 'complaints.category.unknown' }));
    await assert.rejects(
      fileComplaint(db, kef, { location: { lat: 36.18, lng: null } }),
      appError('validation', { location: 'complaints.location.invalid' }),
    );
    await assert.rejects(
      fileComplaint(db, kef, { location: { neighbourhoodId: 999_999 } }),
      appError('validation', { 'location.neighbourhoodId': 'validation.invalid_choice' }),
    );
    assert.equal(await count(), before);
  });

  test('a point outside the municipality is refused: beyond the radius, or outside the arrondissements’ outlines', async () => {
    const db = suite.db();
    // Tunis, 170 km away.
    await assert.rejects(fileComplaint(db, kef, { location: { lat: 36.8, lng: 10.18 } }), appError('validation', { location: 'complaints.location.outside' }));

    const town = await createTestMunicipality(db, 'outlined');
    await seedComplaintCatalogue(db, town.id);
    const [lighting] = (await listCategories(db, { municipalityId: town.id })).filter((c) => c.code === 'lighting');
    const [arrondissement] = await listArrondissements(db, town.id);
    const [neighbourhood] = await listNeighbourhoods(db, town.id);
    const adminActor = { userId: 0, municipalityId: town.id, roles: [{ role: 'admin' as const, departmentId: null }] };
    const square = (w: number, s: number, e: number, n: number) =>
      JSON.stringify({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
    await updateArrondissement(db, {
      actor: adminActor,
      municipalityId: town.id,
      id: arrondissement!.id,
      version: arrondissement!.updated_at,
      input: { name: { ar: arrondissement!.name_ar, fr: arrondissement!.name_fr, en: arrondissement!.name_en }, outline: square(8.7, 36.17, 8.72, 36.19) },
    });
    await updateNeighbourhood(db, {
      actor: adminActor,
      municipalityId: town.id,
      id: neighbourhood!.id,
      version: neighbourhood!.updated_at,
      input: {
        name: { ar: neighbourhood!.name_ar, fr: neighbourhood!.name_fr, en: neighbourhood!.name_en },
        outline: square(8.705, 36.175, 8.71, 36.18),
        arrondissementId: neighbourhood!.arrondissement_id,
      },
    });
    const submit = (lat: number, lng: number) =>
      submitComplaint(db, {
        municipality: town,
        channel: 'web',
        locale: 'ar',
        reporter: null,
        categoryId: lighting!.id,
        description: 'lampe',
        location: { lat, lng },
      });
    // 3 km from the centre: inside the radius, but outside the drawn territory.
    await assert.rejects(submit(36.205, 8.71), appError('validation', { location: 'complaints.location.outside' }));
    const inside = await submit(36.178, 8.707);
    assert.equal(inside.complaint.neighbourhood_id, neighbourhood!.id, 'the neighbourhood is found from the point');
    const elsewhere = await submit(36.185, 8.715);
    assert.equal(elsewhere.complaint.neighbourhood_id, null);
  });

  test('at the counter, a member of staff files for the citizen; it is recorded without the citizen’s contact in the audit log', async () => {
    const db = suite.db();
    const phone = nextPhone();
    await assert.rejects(fileComplaint(db, kef, { channel: 'counter', contact: { phone } }), appError('validation', { _form: 'complaints.filed_by.required' }));
    await assert.rejects(fileComplaint(db, kef, { channel: 'counter', filedBy: kef.citizen.actor }), appError('forbidden'));
    await assert.rejects(fileComplaint(db, kef, { channel: 'counter', filedBy: kef.moderator.actor }), appError('forbidden'));
    const { complaint } = await fileComplaint(db, kef, { channel: 'counter', filedBy: kef.cleanlinessAgent.actor, contact: { phone } });
    assert.equal(complaint.filed_by_user_id, kef.cleanlinessAgent.user.id);
    assert.equal(complaint.channel, 'counter');
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'complaint.filed_on_behalf').where('entity_id', '=', String(complaint.id)).execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_user_id, kef.cleanlinessAgent.user.id);
    assert.ok(!audit[0]!.after_json!.includes(phone.slice(4)), 'no phone number in the permanent log');
  });

  test('one address gets at most 5 confirmations an hour, so the form cannot flood a phone; complaints are saved all the same', async () => {
    const db = suite.db();
    const phone = nextPhone();
    const filed = [];
    for (let i = 0; i < 7; i += 1) filed.push(await fileComplaint(db, kef, { contact: { phone } }));
    assert.equal(new Set(filed.map((f) => f.trackingNumber)).size, 7);
    assert.equal((await outboxTo(db, phone)).filter((m) => m.purpose === 'complaint_received').length, 5);
  });

  test('a reporter of another municipality is refused', async () => {
    const db = suite.db();
    const other = await createComplaintsFixture(db, 'subm-other');
    await assert.rejects(fileComplaint(db, kef, { reporter: other.citizen.actor }), appError('forbidden'));
  });

  test('20 parallel submissions get 20 different consecutive tracking numbers', async () => {
    const db = suite.db();
    const town = await createComplaintsFixture(db, 'parallel');
    // On PostgreSQL, two pools as two app processes would have. (Two SQLite connections in one
    // process would block each other's event loop; SQLite runs one writer at a time anyway.)
    const second = suite.kind === 'postgres' ? openSecondHandle(suite.handle()) : undefined;
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => fileComplaint(i % 2 === 0 || !second ? db : second.db, town, { description: `complaint ${i}` })),
      );
      const numbers = results.map((r) => r.trackingNumber);
      assert.equal(new Set(numbers).size, 20);
      const sequences = numbers.map((n) => Number(n.split('-')[2])).sort((a, b) => a - b);
      assert.deepEqual(sequences, Array.from({ length: 20 }, (_, i) => i + 1));
      const stored = await db.selectFrom('complaint_sequences').select('last_value').where('municipality_id', '=', town.municipality.id).execute();
      assert.deepEqual(stored.map((s) => s.last_value), [20]);
    } finally {
      await second?.destroy();
    }
  });

  test('three processes filing at once on the same SQLite file get distinct consecutive numbers', { skip: suite.kind !== 'sqlite' }, async () => {
    const db = suite.db();
    const town = await createComplaintsFixture(db, 'processes');
    const file = suite.handle().sqliteFile!;
    // Each child opens the file as another app process (or the CLI) would, and files 10 complaints.
    const child = `
      const { openDatabase } = await import(${JSON.stringify(new URL('../../db/database.ts', import.meta.url).pathname)});
      const { submitComplaint } = await import(${JSON.stringify(new URL('./submission.service.ts', import.meta.url).pathname)});
      const handle = openDatabase({ kind: 'sqlite', file: process.argv[1] });
      const municipality = await handle.db.selectFrom('municipalities').selectAll().where('id', '=', ${town.municipality.id}).executeTakeFirstOrThrow();
      for (let i = 0; i < 10; i += 1) {
        await submitComplaint(handle.db, { municipality, channel: 'web', locale: 'ar', reporter: null, categoryId: ${town.categories.lighting!.id},
          description: 'from a child process', location: { address: 'x' } });
      }
      await handle.destroy();`;
    const run = () =>
      new Promise<void>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child, file], (error, _out, stderr) => (error ? reject(new Error(stderr)) : resolve()));
      });
    await Promise.all([run(), run(), (async () => { for (let i = 0; i < 10; i += 1) await fileComplaint(db, town, { description: 'from the test process' }); })()]);
    const rows = await db.selectFrom('complaints').select('tracking_number').where('municipality_id', '=', town.municipality.id).execute();
    const sequences = rows.map((r) => Number(r.tracking_number.split('-')[2])).sort((a, b) => a - b);
    assert.deepEqual(sequences, Array.from({ length: 30 }, (_, i) => i + 1));
  });

  test('each municipality has its own sequence', async () => {
    const db = suite.db();
    const one = await createComplaintsFixture(db, 'seqone');
    const two = await createComplaintsFixture(db, 'seqtwo');
    const a = await fileComplaint(db, one);
    const b = await fileComplaint(db, two);
    assert.match(a.trackingNumber, /^SEQ-\d{4}-000001$/);
    assert.match(b.trackingNumber, /^SEQ-\d{4}-000001$/);
  });
});
