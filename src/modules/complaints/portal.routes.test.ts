// The complaint form over HTTP: category then details, photos (re-encoded, without EXIF),
// every bad input (a translated error, the typed values kept, nothing stored: no row, no file),
// the CSRF check of the multipart form, and the receipt.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { signIn } from '../../../test/support/http.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { type ComplaintsFixture, createComplaintsFixture, nextPhone, outboxTo } from './complaints.test-support.ts';
import {
  buildPortalApp,
  complaintByTracking,
  complaintCount,
  type FilePart,
  jpegWithExif,
  type PortalApp,
  PortalClient,
  photoFilesOnDisk,
  photoRowsOf,
  smallPng,
  trackingFrom,
} from './portal.test-support.ts';

describeEachDatabase('complaints portal: filing', (suite) => {
  let kef: ComplaintsFixture;
  let portal: PortalApp;
  let neighbourhoodId: number;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'kef');
    portal = await buildPortalApp(suite.handle(), 'kef');
    neighbourhoodId = (await listNeighbourhoods(suite.db(), kef.municipality.id))[0]!.id;
  });
  after(async () => {
    await portal.app.close();
    fs.rmSync(portal.dataDir, { recursive: true, force: true });
  });

  const lighting = () => String(kef.categories.lighting!.id);

  /** Opens the details page (for its CSRF token), then sends the form. */
  async function file(client: PortalClient, locale: string, category: string, fields: Record<string, string | string[]>, files: FilePart[] = []) {
    const page = await client.get(`/${locale}/complaints/new?category=${category}`);
    assert.equal(page.statusCode, 200);
    return client.postMultipart(`/${locale}/complaints/new`, { category, ...fields }, files);
  }

  test('step 1 lists the catalogue grouped, in Arabic and right-to-left; an unknown category is refused', async () => {
    const client = new PortalClient(portal.app);
    const page = await client.get('/ar/complaints/new');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<html lang="ar" dir="rtl">/);
    assert.match(page.body, /<form method="get" action="\/ar\/complaints\/new"/);
    assert.match(page.body, /<optgroup label="النظافة والبيئة">/);
    assert.match(page.body, /<option value="\d+">التنوير العمومي<\/option>/);

    const unknown = await client.get('/fr/complaints/new?category=999999');
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /Choisissez l’objet de la réclamation dans la liste\./);
    assert.match(unknown.body, /href="#field-category"/);
  });

  test('step 2 shows the category’s questions, a multipart form, and left-to-right contact fields; no map without tiles', async () => {
    const client = new PortalClient(portal.app);
    const page = await client.get(`/en/complaints/new?category=${lighting()}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /enctype="multipart\/form-data"/);
    assert.match(page.body, /<label for="field-q_pole_number" class="field__label">Pole number \(if there is one\)/);
    assert.match(page.body, /name="q_lamps_out"/);
    assert.match(page.body, /<input[^>]*name="phone"[^>]*dir="ltr"/);
    assert.match(page.body, /<input[^>]*name="email"[^>]*dir="ltr"/);
    assert.match(page.body, /<select[^>]*name="neighbourhood"/);
    assert.match(page.body, /<input[^>]*type="file"[^>]*accept="image\/jpeg,image\/png,image\/webp/);
    assert.doesNotMatch(page.body, /complaint-map/);
    assert.doesNotMatch(page.body, /<script/);
  });

  test('filing with a neighbourhood, an address, an answer, a photo and a phone number: saved, re-encoded, receipt', async () => {
    const db = suite.db();
    const client = new PortalClient(portal.app);
    const phone = nextPhone();
    const national = phone.replace('+216', '');
    const original = await jpegWithExif();
    const before = photoFilesOnDisk(portal.dataDir, kef.municipality.id).length;
    const response = await file(
      client,
      'ar',
      lighting(),
      {
        description: 'الفانوس مطفأ منذ أسبوع <script>alert(1)</script>',
        neighbourhood: String(neighbourhoodId),
        address: 'قبالة المدرسة',
        q_lamps_out: '٣',
        phone: `${national.slice(0, 2)} ${national.slice(2, 5)} ${national.slice(5)}`,
        lat: '',
        lng: '',
      },
      [{ filename: 'IMG_0001.JPG', type: 'image/jpeg', data: original }],
    );
    assert.equal(response.statusCode, 303, response.body.slice(0, 2000));
    const tracking = trackingFrom(response.headers.location);
    assert.match(tracking, /^KEF-\d{4}-\d{6}$/);

    const row = await complaintByTracking(db, tracking);
    assert.equal(row.municipality_id, kef.municipality.id);
    assert.equal(row.category_id, kef.categories.lighting!.id);
    assert.equal(row.description, 'الفانوس مطفأ منذ أسبوع <script>alert(1)</script>');
    assert.equal(row.neighbourhood_id, neighbourhoodId);
    assert.equal(row.address_text, 'قبالة المدرسة');
    assert.deepEqual(JSON.parse(row.answers_json), { lamps_out: 3 });
    assert.equal(row.contact_phone, phone);
    assert.equal(row.channel, 'web');
    assert.equal(row.locale, 'ar');
    assert.equal(row.latitude, null);

    const [photo, ...others] = await photoRowsOf(db, row.id);
    assert.ok(photo);
    assert.equal(others.length, 0);
    assert.equal(photo.public, 1);
    const stored = fs.readFileSync(path.join(portal.dataDir, 'uploads', photo.storage_key));
    const metadata = await sharp(stored).metadata();
    assert.equal(metadata.format, 'jpeg');
    assert.equal(metadata.exif, undefined, 'no EXIF kept');
    assert.ok(!stored.toString('latin1').includes('TwizaTestPhone'));
    assert.ok(!stored.toString('latin1').includes('Amal Ben Salah'));
    assert.equal(photoFilesOnDisk(portal.dataDir, kef.municipality.id).length, before + 2, 'the photo and its thumbnail');

    const [sms] = await outboxTo(db, phone);
    assert.match(sms?.body ?? '', new RegExp(tracking));

    const receipt = await client.get(String(response.headers.location));
    assert.equal(receipt.statusCode, 200);
    assert.match(receipt.body, new RegExp(`<bdi dir="ltr" class="tracking-number tracking-number--large">${tracking}</bdi>`));
    assert.match(receipt.body, /أرسلنا هذا الرقم بإرسالية قصيرة إلى <bdi dir="ltr" class="mono">\+216/);

    // Someone else opening the receipt's address sees no contact.
    const stranger = await new PortalClient(portal.app).get(String(response.headers.location));
    assert.equal(stranger.statusCode, 200);
    assert.doesNotMatch(stranger.body, /\+216/);
  });

  test('each bad input comes back translated, with what was typed, and stores nothing', async () => {
    const db = suite.db();
    const png = await smallPng();
    const valid = { description: 'Lampe éteinte rue de Tunis', address: 'Rue de Tunis' };
    const cases: { name: string; fields: Record<string, string>; files?: FilePart[]; status: number; error: RegExp; field?: string }[] = [
      { name: 'missing description', fields: { ...valid, description: '  ' }, status: 400, error: /Ce champ est obligatoire\./, field: 'description' },
      { name: 'description too long', fields: { ...valid, description: 'a'.repeat(5001) }, status: 400, error: /5[\s\u202f\u00a0]?000 caractères au plus\./, field: 'description' },
      { name: 'bad answer', fields: { ...valid, q_lamps_out: 'beaucoup' }, status: 400, error: /Saisissez un nombre\./, field: 'q_lamps_out' },
      { name: 'no place at all', fields: { description: 'Lampe éteinte' }, status: 400, error: /Indiquez le lieu/, field: 'location' },
      { name: 'point outside the municipality', fields: { ...valid, lat: '36.8065', lng: '10.1815' }, status: 400, error: /hors du territoire de la commune/, field: 'location' },
      { name: 'broken coordinates', fields: { ...valid, lat: '36.18', lng: 'east' }, status: 400, error: /coordonnées du lieu ne sont pas valides/, field: 'location' },
      { name: 'bad phone number', fields: { ...valid, phone: '12' }, status: 400, error: /Saisissez un numéro de mobile valide/, field: 'phone' },
      { name: 'bad e-mail', fields: { ...valid, email: 'amal@' }, status: 400, error: /Saisissez une adresse e-mail valide/, field: 'email' },
      { name: 'unknown neighbourhood', fields: { ...valid, neighbourhood: '999999' }, status: 400, error: /Choisissez une des valeurs proposées\./, field: 'neighbourhood' },
      {
        name: 'fake image',
        fields: valid,
        files: [{ filename: 'photo.jpg', type: 'image/jpeg', data: Buffer.from('<html>this is not a photo</html>') }],
        status: 400,
        error: /Seules les photos JPEG, PNG, WebP ou AVIF sont acceptées\./,
        field: 'photos',
      },
      {
        name: 'a JPEG header on something else',
        fields: valid,
        files: [{ filename: 'photo.jpg', type: 'image/jpeg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]) }],
        status: 400,
        error: /illisible/,
        field: 'photos',
      },
      {
        name: 'too many photos',
        fields: valid,
        files: Array.from({ length: 6 }, (_, i) => ({ filename: `p${i}.png`, type: 'image/png', data: png })),
        status: 400,
        error: /5 photos au plus\./,
        field: 'photos',
      },
      {
        name: 'oversized photo',
        fields: valid,
        files: [{ filename: 'huge.jpg', type: 'image/jpeg', data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(8 * 1024 * 1024, 1)]) }],
        status: 400,
        error: /Photo trop lourde : 8 Mo au plus\./,
        field: 'photos',
      },
      { name: 'wrong CSRF token', fields: { ...valid, _csrf: 'forged.token' }, files: [{ filename: 'p.png', type: 'image/png', data: png }], status: 403, error: /Le formulaire a expiré/ },
    ];
    for (const c of cases) {
      const client = new PortalClient(portal.app);
      const rowsBefore = await complaintCount(db, kef.municipality.id);
      const filesBefore = photoFilesOnDisk(portal.dataDir, kef.municipality.id);
      const response = await file(client, 'fr', lighting(), c.fields, c.files);
      assert.equal(response.statusCode, c.status, `${c.name}: ${response.statusCode}`);
      assert.match(response.body, c.error, c.name);
      assert.match(response.body, /class="error-summary"/, c.name);
      if (c.field) assert.match(response.body, new RegExp(`href="#field-${c.field}"`), `${c.name}: the summary links to the field`);
      // What was typed is still there (the description is the first field).
      if (c.fields.description?.trim() && c.fields.description.length < 100) assert.match(response.body, new RegExp(`>${c.fields.description}</textarea>`), c.name);
      if (c.files?.length) assert.match(response.body, /choisissez-les à nouveau/, `${c.name}: says the photos must be chosen again`);
      assert.equal(await complaintCount(db, kef.municipality.id), rowsBefore, `${c.name}: no complaint`);
      assert.deepEqual(photoFilesOnDisk(portal.dataDir, kef.municipality.id), filesBefore, `${c.name}: no file left`);
    }
  });

  test('a form without its category goes back to step 1', async () => {
    const client = new PortalClient(portal.app);
    const rows = await complaintCount(suite.db(), kef.municipality.id);
    const files = photoFilesOnDisk(portal.dataDir, kef.municipality.id);
    await client.get('/en/complaints/new');
    const response = await client.postMultipart('/en/complaints/new', { description: 'x', address: 'y' }, [{ filename: 'p.png', type: 'image/png', data: await smallPng() }]);
    assert.equal(response.statusCode, 400);
    assert.equal(await complaintCount(suite.db(), kef.municipality.id), rows);
    assert.deepEqual(photoFilesOnDisk(portal.dataDir, kef.municipality.id), files);
    assert.match(response.body, /Choose what the complaint is about from the list\./);
    assert.match(response.body, /<select[^>]*id="field-category"/);
  });

  test('a signed-in citizen files without typing a contact: their account is told, and the complaint is theirs', async () => {
    const db = suite.db();
    const client = new PortalClient(portal.app);
    await signIn(client, kef.citizen.user);
    const page = await client.get(`/en/complaints/new?category=${kef.categories.roads!.id}`);
    assert.match(page.body, /We will write to you at <bdi dir="ltr" class="mono">\+216/);
    const response = await client.postMultipart('/en/complaints/new', {
      category: String(kef.categories.roads!.id),
      description: 'A deep pothole',
      address: 'Rue Ali Belhouane',
    });
    assert.equal(response.statusCode, 303, response.body.slice(0, 1000));
    const row = await complaintByTracking(db, trackingFrom(response.headers.location));
    assert.equal(row.reporter_user_id, kef.citizen.user.id);
    assert.equal(row.contact_phone, null);
    const receipt = await client.get(String(response.headers.location));
    assert.match(receipt.body, /We sent this number by SMS to/);

    const mine = await client.get('/en/account/complaints');
    assert.equal(mine.statusCode, 200);
    assert.match(mine.body, new RegExp(`href="/en/complaints/${row.tracking_number}"`));
    assert.match(mine.body, /A deep pothole/);
  });

  test('"my complaints" asks an anonymous visitor to log in first', async () => {
    const response = await new PortalClient(portal.app).get('/fr/account/complaints');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/fr/login?next=${encodeURIComponent('/fr/account/complaints')}`);
  });

  test('the form page weighs well under 50 KB with its stylesheet', async () => {
    const client = new PortalClient(portal.app);
    const page = await client.get(`/ar/complaints/new?category=${lighting()}`);
    const css = await client.get(/href="(\/static\/styles\.css\?v=[^"]+)"/.exec(page.body)![1]!);
    const bytes = Buffer.byteLength(page.body) + Buffer.byteLength(css.body);
    assert.ok(bytes < 50 * 1024, `${bytes} bytes before compression`);
  });
});
