import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp, testConfig } from '../../../test/support/http.ts';
import { addDays, nowIso } from '../../lib/time.ts';
import { createApiKeyFromCli, revokeApiKeyFromCli } from '../complaints/api-keys.service.ts';
import { insertCategory } from '../complaints/categories.service.ts';
import { type ComplaintsFixture, createComplaintsFixture, fileComplaint, outboxTo } from '../complaints/complaints.test-support.ts';
import { processPhoto, storePhoto } from '../complaints/photos.ts';
import { getPublicComplaint } from '../complaints/reading.service.ts';
import { addInternalNote, maskComplaintDescription, replyToComplaint, resolveComplaint } from '../complaints/workflow.service.ts';
import { listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { POST_RATE_LIMIT, setOpen311MediaOptions } from './open311.routes.ts';
import { jsonAsText, parseXml, xmlToPlain } from './open311.test-support.ts';

type Answer = { status: number; body: string; data: any; contentType: string };

const SECRET_NAME = 'Fatma Secretname';
const SECRET_PHONE = '+21622987654';
const SECRET_EMAIL = 'fatma.secret@example.tn';

describeEachDatabase('Open311 GeoReport v2 (one municipality)', (suite) => {
  let app: FastifyInstance;
  let kef: ComplaintsFixture;
  let dataDir: string;
  let key: string;
  let mediaServer: http.Server;
  let mediaPort: number;
  let photoJpeg: Buffer;
  const seeded: Record<string, string> = {};

  before(async () => {
    const db = suite.db();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-open311-'));
    kef = await createComplaintsFixture(db, 'kef');
    // A category with required questions, to check attribute rules.
    await insertCategory(db, kef.municipality.id, {
      code: 'pothole',
      name: { ar: 'حفرة', fr: 'Nid-de-poule', en: 'Pothole' },
      description: null,
      groupCode: 'technical',
      departmentId: kef.technical.id,
      sensitive: false,
      ackDays: 3,
      resolveDays: 14,
      active: true,
      sortOrder: 999,
      questions: [
        { code: 'depth_cm', kind: 'number', label: { ar: 'العمق', fr: 'Profondeur', en: 'Depth' }, required: true },
        { code: 'seen_on', kind: 'date', label: { ar: 'تاريخ', fr: 'Vu le', en: 'Seen on' }, required: false },
        {
          code: 'surface',
          kind: 'multiple',
          label: { ar: 'السطح', fr: 'Surface', en: 'Surface' },
          required: false,
          options: [
            { value: 'asphalt', label: { ar: 'إسفلت', fr: 'Bitume', en: 'Asphalt' } },
            { value: 'pavement', label: { ar: 'رصيف', fr: 'Trottoir', en: 'Pavement' } },
          ],
        },
      ],
    });
    app = await buildTestApp(suite.handle(), { config: testConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://kef.example' }) });
    key = (await createApiKeyFromCli(db, { municipalityId: kef.municipality.id, name: 'Test client' })).key;

    photoJpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c04020' } }).jpeg().toBuffer();
    mediaServer = http.createServer((request, response) => {
      if (request.url === '/photo.jpg') {
        response.writeHead(200, { 'content-type': 'image/jpeg' });
        response.end(photoJpeg);
      } else if (request.url === '/not-a-photo.jpg') {
        response.writeHead(200, { 'content-type': 'image/jpeg' });
        response.end('<html>not a photo</html>');
      } else if (request.url === '/to-loopback') {
        response.writeHead(302, { location: `http://127.0.0.1:${mediaPort}/photo.jpg` });
        response.end();
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => mediaServer.listen(0, '127.0.0.1', resolve));
    mediaPort = (mediaServer.address() as AddressInfo).port;
    // Only photos.example.org stands for a public host; everything else resolves for real.
    setOpen311MediaOptions(app, {
      resolve: async (host) => (host === 'photos.example.org' ? ['93.184.216.34'] : host === 'intranet.test' ? ['10.1.2.3'] : []),
      dial: (address) => (address === '93.184.216.34' ? '127.0.0.1' : address),
      timeoutMs: 3000,
    });

    // A street lamp with a contact, a photo, a public reply and an internal note.
    const stored = await storePhoto({ dataDir, municipalityId: kef.municipality.id, photo: await processPhoto(photoJpeg) });
    const lamp = await fileComplaint(db, kef, {
      description: 'Lamp <script>alert("x")</script> & "quotes" \'here\' near the school',
      contact: { name: SECRET_NAME, phone: SECRET_PHONE, email: SECRET_EMAIL },
      location: { lat: 36.181, lng: 8.712, address: 'Rue de la République 5' },
      photos: [stored],
      answers: { pole_number: 'P-12', lamps_out: '2' },
    });
    seeded.lamp = lamp.trackingNumber;
    const scope = (c: { id: number; version: number }) => ({ actor: kef.officer.actor, municipalityId: kef.municipality.id, complaintId: c.id, version: c.version });
    const replied = await replyToComplaint(db, { ...scope(lamp.complaint), reply: 'The team comes on Tuesday & brings <b>lamps</b>.' });
    await addInternalNote(db, { ...scope(replied), body: 'INTERNAL: the contractor is late again' });

    // A neighbour's building: sensitive, so never the exact point, the address or a photo.
    const building = await fileComplaint(db, kef, {
      categoryId: kef.categories.unauthorised_building!.id,
      description: 'A third floor without a permit',
      location: { lat: 36.1833, lng: 8.7144, address: 'Impasse Secrète 12' },
    });
    seeded.building = building.trackingNumber;

    // A resolved waste complaint, its text masked by a moderator.
    const waste = await fileComplaint(db, kef, {
      categoryId: kef.categories.waste!.id,
      description: 'My neighbour Mr Secretname leaves bags out',
      location: { lat: 36.18, lng: 8.71 },
    });
    const masked = await maskComplaintDescription(db, {
      actor: kef.moderator.actor,
      municipalityId: kef.municipality.id,
      complaintId: waste.complaint.id,
      version: waste.complaint.version,
      publicDescription: 'Bags left out in the street',
    });
    await resolveComplaint(db, { ...scope(masked), reply: 'Collected.' });
    seeded.waste = waste.trackingNumber;

    // Filed 100 days ago: outside the default 90 days.
    const old = await fileComplaint(db, kef, { description: 'An old lamp' });
    const longAgo = addDays(nowIso(), -100);
    await db.updateTable('complaints').set({ created_at: longAgo, updated_at: longAgo }).where('id', '=', old.complaint.id).execute();
    seeded.old = old.trackingNumber;
  });

  after(async () => {
    await app.close();
    mediaServer.closeAllConnections();
    mediaServer.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(method: 'GET' | 'POST', url: string, options: { form?: Record<string, string | string[]>; headers?: Record<string, string>; payload?: string } = {}): Promise<Answer> {
    let payload = options.payload;
    const headers: Record<string, string> = { host: 'localhost', ...options.headers };
    if (options.form) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(options.form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
      payload = body.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const response = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
    const contentType = String(response.headers['content-type'] ?? '');
    const data = contentType.startsWith('application/json') ? JSON.parse(response.body) : contentType.startsWith('text/xml') ? xmlToPlain(parseXml(response.body)) : undefined;
    return { status: response.statusCode, body: response.body, data, contentType };
  }

  /** GETs `base` as .json and .xml; both must agree (status and content); returns the JSON answer. */
  async function both(base: string, query = '', headers: Record<string, string> = {}): Promise<Answer> {
    const json = await call('GET', `/open311/v2/${base}.json${query}`, { headers });
    const xml = await call('GET', `/open311/v2/${base}.xml${query}`, { headers });
    assert.equal(json.contentType, 'application/json; charset=utf-8');
    assert.equal(xml.contentType, 'text/xml; charset=utf-8');
    assert.equal(xml.status, json.status, `${base}${query}: the same status in both formats`);
    assert.deepEqual(xml.data, jsonAsText(json.data), `${base}${query}: the same content in both formats`);
    return json;
  }

  const countComplaints = async () => Number((await suite.db().selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const countPhotoFiles = () => {
    const dir = path.join(dataDir, 'uploads', 'complaints', String(kef.municipality.id));
    return fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
  };
  const errorsOf = (answer: Answer) => answer.data as { code: number; description: string }[];

  test('discovery names the endpoint, its formats and how to get a key', async () => {
    const { status, data } = await both('discovery', '?locale=en');
    assert.equal(status, 200);
    assert.match(data.changeset, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+01:00$/);
    assert.match(data.key_service, /api_key/);
    assert.deepEqual(data.endpoints, [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: 'https://kef.example/open311/v2',
        changeset: data.changeset,
        type: 'test',
        formats: ['text/xml', 'application/json'],
      },
    ]);
  });

  test('services: the catalogue in the asked language, default Arabic', async () => {
    const fr = await both('services', '?locale=fr');
    assert.equal(fr.status, 200);
    const lighting = fr.data.find((s: any) => s.service_code === 'lighting');
    assert.deepEqual(lighting, {
      service_code: 'lighting',
      service_name: 'Éclairage public',
      description: 'Lampadaire en panne ou allumé le jour. Une coupure d’électricité à domicile relève de la STEG.',
      metadata: true,
      type: 'realtime',
      keywords: 'التنوير العمومي, Street lighting',
      group: 'Travaux et infrastructures',
    });
    assert.equal(fr.data.find((s: any) => s.service_code === 'sweeping').metadata, false);
    const ar = await both('services');
    assert.equal(ar.data.find((s: any) => s.service_code === 'lighting').service_name, 'التنوير العمومي');
    const en = await both('services', '', { 'accept-language': 'en-GB,en;q=0.9' });
    assert.equal(en.data.find((s: any) => s.service_code === 'lighting').service_name, 'Street lighting');
    assert.ok(fr.data.some((s: any) => s.service_code === 'other'), 'the catch-all category is a service too');
  });

  test('service definitions: extra questions as attributes, with their types, order and values', async () => {
    const pothole = await both('services/pothole', '?locale=en');
    assert.equal(pothole.status, 200);
    assert.deepEqual(pothole.data, {
      service_code: 'pothole',
      attributes: [
        { variable: true, code: 'depth_cm', datatype: 'number', required: true, datatype_description: 'A number.', order: 1, description: 'Depth' },
        { variable: true, code: 'seen_on', datatype: 'datetime', required: false, datatype_description: 'A date, such as 2026-03-01.', order: 2, description: 'Seen on' },
        {
          variable: true,
          code: 'surface',
          datatype: 'multivaluelist',
          required: false,
          datatype_description: 'One or more values from the list.',
          order: 3,
          description: 'Surface',
          values: [
            { key: 'asphalt', name: 'Asphalt' },
            { key: 'pavement', name: 'Pavement' },
          ],
        },
      ],
    });
    const waste = await both('services/waste', '?locale=fr');
    assert.equal(waste.data.attributes[0].datatype, 'singlevaluelist');
    assert.equal(waste.data.attributes[0].values[0].name, 'Déchets ménagers');
    const lighting = await both('services/lighting', '?locale=en');
    assert.equal(lighting.data.attributes[0].datatype, 'string');
    const sweeping = await both('services/sweeping');
    assert.deepEqual(sweeping.data.attributes, []);
  });

  test('an unknown service, resource or format is a 404 error list in the asked format', async () => {
    const unknown = await both('services/teleportation', '?locale=en');
    assert.equal(unknown.status, 404);
    assert.deepEqual(errorsOf(unknown), [{ code: 404, description: 'service_code: No service has the code “teleportation” in this municipality.' }]);
    const nowhere = await call('GET', '/open311/v2/nothing.json');
    assert.equal(nowhere.status, 404);
    assert.equal(errorsOf(nowhere)[0]!.code, 404);
    const csv = await call('GET', '/open311/v2/services/lighting.csv');
    assert.equal(csv.status, 404);
    assert.equal(csv.contentType, 'text/xml; charset=utf-8', 'XML, the required format, answers unknown formats');
    const wrongMethod = await call('GET', '/open311/v2/requests/');
    assert.equal(wrongMethod.status, 404);
    assert.doesNotMatch(nowhere.body + csv.body, /<html|<!doctype/i);
  });

  test('GET requests: the last 90 days, newest first, with every field; no personal data', async () => {
    const list = await both('requests', '?locale=en');
    assert.equal(list.status, 200);
    const ids = list.data.map((r: any) => r.service_request_id);
    assert.deepEqual(ids, [seeded.waste, seeded.building, seeded.lamp], 'newest first; the 100-day-old one is left out');
    const lamp = list.data.find((r: any) => r.service_request_id === seeded.lamp);
    const neighbourhoods = await listNeighbourhoods(suite.db(), kef.municipality.id);
    assert.equal(lamp.status, 'open');
    assert.equal(lamp.status_notes, 'The team comes on Tuesday & brings <b>lamps</b>.');
    assert.equal(lamp.service_code, 'lighting');
    assert.equal(lamp.service_name, 'Street lighting');
    assert.equal(lamp.description, 'Lamp <script>alert("x")</script> & "quotes" \'here\' near the school');
    assert.equal(lamp.agency_responsible, 'Technical service');
    assert.equal(lamp.lat, 36.181);
    assert.equal(lamp.long, 8.712);
    assert.match(lamp.address, /^Rue de la République 5/);
    assert.match(lamp.requested_datetime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+01:00$/);
    assert.match(lamp.updated_datetime, /\+01:00$/);
    const stored = await suite.db().selectFrom('complaints').selectAll().where('tracking_number', '=', seeded.lamp!).executeTakeFirstOrThrow();
    assert.equal(Date.parse(lamp.expected_datetime), Date.parse(stored.resolve_due_at.replace(/\.\d+Z$/, 'Z')));
    const photo = await suite.db().selectFrom('complaint_photos').select('storage_key').where('complaint_id', '=', stored.id).executeTakeFirstOrThrow();
    assert.equal(lamp.media_url, `https://kef.example/media/complaints/${seeded.lamp}/${photo.storage_key.split('/').pop()}`);
    assert.equal(neighbourhoods.length > 0, true);

    // The XML carries the same text, escaped.
    const xml = await call('GET', `/open311/v2/requests.xml?service_request_id=${seeded.lamp}`);
    assert.match(xml.body, /<description>Lamp &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &quot;quotes&quot; &apos;here&apos; near the school<\/description>/);
    assert.doesNotMatch(xml.body, /<script>|<b>/);

    // Closed, and the moderator's text rather than the citizen's.
    const waste = list.data.find((r: any) => r.service_request_id === seeded.waste);
    assert.equal(waste.status, 'closed');
    assert.equal(waste.description, 'Bags left out in the street');
    assert.equal(waste.status_notes, 'Collected.');
    assert.equal(waste.media_url, null);

    // Nothing personal anywhere, in any answer.
    const answers = [list.body, xml.body];
    for (const id of [seeded.lamp, seeded.building, seeded.waste]) {
      answers.push((await call('GET', `/open311/v2/requests/${id}.json`)).body, (await call('GET', `/open311/v2/requests/${id}.xml`)).body);
    }
    answers.push((await call('GET', '/open311/v2/requests.xml?status=closed')).body);
    for (const body of answers) {
      for (const secret of ['Fatma', 'Secretname', '22987654', '22 987 654', 'fatma.secret', 'INTERNAL', 'contractor', 'Impasse Secrète', 'contact_', 'reporter']) {
        assert.ok(!body.includes(secret), `an answer contains "${secret}"`);
      }
    }
  });

  test('lists are compressed once for every client and revalidated by their ETag', async () => {
    const url = '/open311/v2/requests.json?status=open&locale=en';
    const plain = await app.inject({ method: 'GET', url });
    assert.equal(plain.headers['content-encoding'], undefined);
    const zipped = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br;q=1, gzip;q=0.8' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(gunzipSync(zipped.rawPayload).toString()), JSON.parse(plain.body));
    const etag = String(zipped.headers.etag);
    assert.equal(plain.headers.etag, etag);
    const revalidated = await app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    assert.equal(revalidated.statusCode, 304);
    assert.equal(revalidated.body, '');
    const refused = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.equal(refused.body, plain.body);
    const otherOrder = await app.inject({ method: 'GET', url: '/open311/v2/requests.json?locale=en&status=open' });
    assert.equal(otherOrder.headers.etag, etag, 'the same query in another order is the same answer');
  });

  test('a sensitive category shows the same approximate point as the public page, no address and no photo', async () => {
    const answer = await both(`requests/${seeded.building}`, '?locale=fr');
    assert.equal(answer.status, 200);
    assert.equal(answer.data.length, 1);
    const building = answer.data[0];
    const view = await getPublicComplaint(suite.db(), { municipalityId: kef.municipality.id, trackingNumber: seeded.building! });
    assert.equal(view.location.approximate, true);
    assert.deepEqual({ lat: building.lat, lng: building.long }, view.location.point);
    assert.notEqual(building.lat, 36.1833);
    assert.ok(!JSON.stringify(answer.data).includes('Impasse'));
    assert.equal(building.media_url, null);
    assert.equal(building.service_code, 'unauthorised_building');
  });

  test('GET requests filters: status, service_code, dates, ids (which override the rest)', async () => {
    const open = await both('requests', '?status=open');
    assert.deepEqual(open.data.map((r: any) => r.service_request_id), [seeded.building, seeded.lamp]);
    const closed = await both('requests', '?status=closed');
    assert.deepEqual(closed.data.map((r: any) => r.service_request_id), [seeded.waste]);
    const bothStatuses = await both('requests', '?status=open,closed');
    assert.equal(bothStatuses.data.length, 3);
    const codes = await both('requests', '?service_code=waste,unauthorised_building');
    assert.deepEqual(codes.data.map((r: any) => r.service_request_id), [seeded.waste, seeded.building]);
    const old = await both('requests', `?start_date=${encodeURIComponent(addDays(nowIso(), -110))}&end_date=${encodeURIComponent(addDays(nowIso(), -95))}`);
    assert.deepEqual(old.data.map((r: any) => r.service_request_id), [seeded.old]);
    const fromDay = await both('requests', `?start_date=${addDays(nowIso(), -101).slice(0, 10)}`);
    assert.ok(fromDay.data.some((r: any) => r.service_request_id === seeded.old), 'start_date alone: 90 days from it');
    // Ids typed loosely, unknown ones simply absent, other filters ignored.
    const loose = seeded.lamp!.toLowerCase().replace(/-/g, ' ');
    const ids = await both('requests', `?service_request_id=${encodeURIComponent(`${loose},${seeded.old},KEF-1999-999999`)}&status=closed&start_date=nonsense`);
    assert.deepEqual(ids.data.map((r: any) => r.service_request_id), [seeded.lamp, seeded.old]);
    const token = await both(`tokens/${seeded.lamp}`);
    assert.deepEqual(token.data, [{ service_request_id: seeded.lamp, token: seeded.lamp }]);
  });

  test('GET errors: bad dates, reversed or too long ranges, bad status, language, ids, unknown codes and requests', async () => {
    const cases: [string, number, RegExp][] = [
      ['requests?start_date=yesterday', 400, /^start_date: Not a date/],
      ['requests?end_date=2026-02-30T00:00:00Z', 400, /^end_date: Not a date/],
      ['requests?start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z', 400, /^end_date: end_date is before start_date/],
      ['requests?start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z', 400, /at most 90 days apart/],
      ['requests?status=pending', 400, /^status: status is open, closed/],
      ['requests?service_code=teleportation', 404, /^service_code: No service has the code “teleportation”/],
      ['requests?service_request_id=12345', 400, /is not a complaint number/],
      ['requests?locale=de', 400, /^locale: /],
      ['requests/KEF-2020-000001', 404, /No complaint has the number/],
      ['requests/banana', 404, /No complaint has the number “banana”/],
      ['tokens/abc123', 404, /No complaint matches the token/],
      ['services?jurisdiction_id=tunis', 404, /^jurisdiction_id: No municipality has the identifier “tunis”/],
    ];
    for (const [resource, status, description] of cases) {
      const [base, query] = resource.split('?');
      const answer = await both(base!, `?${query ? `${query}&` : ''}${/locale=/.test(query ?? '') ? '' : 'locale=en'}`);
      assert.equal(answer.status, status, resource);
      assert.match(errorsOf(answer)[0]!.description, description, resource);
      assert.equal(errorsOf(answer)[0]!.code, status);
    }
    // Several problems at once, each reported.
    const many = await both('requests', '?start_date=x&status=maybe&locale=en');
    assert.equal(many.status, 400);
    assert.deepEqual(errorsOf(many).map((e) => e.description.split(':')[0]), ['start_date', 'status']);
    // The jurisdiction may be named when it is the only one, and must then be right.
    assert.equal((await both('services', '?jurisdiction_id=kef')).status, 200);
  });

  const validFormWith = (extra: Record<string, string | string[]> = {}) => ({
    api_key: key,
    service_code: 'pothole',
    lat: '36.1801',
    long: '8.7101',
    'attribute[depth_cm]': '12',
    'attribute[seen_on]': '2026-03-01T18:30:00+01:00',
    'attribute[surface][]': ['pavement', 'asphalt'],
    description: 'حفرة عميقة أمام المدرسة',
    first_name: 'Amel',
    last_name: 'Ben Salah',
    phone: '22 111 333',
    email: 'amel@example.tn',
    device_id: 'device-1',
    account_id: 'acct-9',
    ...extra,
  });
  const validForm = validFormWith;

  test('POST requests files a complaint (channel open311) and answers with its tracking number, in both formats', async () => {
    const json = await call('POST', '/open311/v2/requests.json?locale=fr', { form: validForm() });
    assert.equal(json.status, 200, json.body);
    assert.equal(json.data.length, 1);
    const [answer] = json.data;
    assert.match(answer.service_request_id, /^KEF-\d{4}-\d{6}$/);
    assert.equal(answer.service_notice, 'La commune accuse réception de ce type de réclamation sous 3 jours et vise à la traiter sous 14 jours.');
    assert.equal(answer.account_id, null);
    const row = await suite.db().selectFrom('complaints').selectAll().where('tracking_number', '=', answer.service_request_id).executeTakeFirstOrThrow();
    assert.equal(row.channel, 'open311');
    assert.equal(row.locale, 'fr');
    assert.equal(row.description, 'حفرة عميقة أمام المدرسة');
    assert.deepEqual(JSON.parse(row.answers_json), { depth_cm: 12, seen_on: '2026-03-01', surface: ['asphalt', 'pavement'] });
    assert.equal(row.contact_name, 'Amel Ben Salah');
    assert.equal(row.contact_phone, '+21622111333');
    assert.equal(row.contact_email, 'amel@example.tn');
    assert.equal(row.latitude, 36.1801);
    assert.equal((await outboxTo(suite.db(), '+21622111333')).length, 1, 'the reporter is told, as from the web form');
    const used = await suite.db().selectFrom('api_keys').select('last_used_at').where('key_prefix', '=', key.slice(0, 12)).executeTakeFirstOrThrow();
    assert.ok(used.last_used_at, 'the key’s use is recorded');
    const audit = await suite.db().selectFrom('audit_log').selectAll().where('action', '=', 'complaint.filed_by_api').where('entity_id', '=', String(row.id)).execute();
    assert.equal(audit.length, 1, 'which key filed it is in the audit log');
    assert.match(audit[0]!.actor_label, /^api_key:\d+$/);
    assert.deepEqual(JSON.parse(audit[0]!.after_json!), { trackingNumber: answer.service_request_id, apiKeyId: Number(audit[0]!.actor_label.split(':')[1]), apiKeyPrefix: key.slice(0, 12) });

    const xml = await call('POST', '/open311/v2/requests.xml', { form: validForm({ phone: '', email: '', first_name: '', last_name: '', description: '' }) });
    assert.equal(xml.status, 200, xml.body);
    assert.match(xml.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<service_requests><request><service_request_id>KEF-\d{4}-\d{6}<\/service_request_id><service_notice>.+<\/service_notice><account_id\/><\/request><\/service_requests>\n$/);
    const [xmlAnswer] = xml.data;
    const anonymous = await suite.db().selectFrom('complaints').selectAll().where('tracking_number', '=', xmlAnswer.service_request_id).executeTakeFirstOrThrow();
    assert.equal(anonymous.contact_phone, null);
    assert.equal(anonymous.description, 'حفرة', 'without a description, the service’s name says what it is');

    // Found again by GET, as anyone would see it.
    const found = await both(`requests/${answer.service_request_id}`);
    assert.equal(found.data[0].service_code, 'pothole');
    assert.ok(!found.body.includes('Amel'));
  });

  test('POST by address, or by neighbourhood (address_id)', async () => {
    const byAddress = await call('POST', '/open311/v2/requests.json', { form: validForm({ lat: '', long: '', address_string: 'Avenue Habib Bourguiba, près de la poste' }) });
    assert.equal(byAddress.status, 200, byAddress.body);
    const [neighbourhood] = await listNeighbourhoods(suite.db(), kef.municipality.id);
    const byNeighbourhood = await call('POST', '/open311/v2/requests.json', { form: validForm({ lat: '', long: '', address_id: String(neighbourhood!.id) }) });
    assert.equal(byNeighbourhood.status, 200, byNeighbourhood.body);
    const row = await suite.db().selectFrom('complaints').selectAll().where('tracking_number', '=', byNeighbourhood.data[0].service_request_id).executeTakeFirstOrThrow();
    assert.equal(row.neighbourhood_id, neighbourhood!.id);
  });

  test('POST refusals: key, service, location, attributes, sizes, types; nothing stored', async () => {
    const revoked = await createApiKeyFromCli(suite.db(), { municipalityId: kef.municipality.id, name: 'Old client' });
    await revokeApiKeyFromCli(suite.db(), { apiKeyId: revoked.apiKey.id });
    const before = await countComplaints();
    const cases: [string, Record<string, string | string[]>, number, RegExp[]][] = [
      ['no key', validForm({ api_key: '' }), 403, [/^api_key: api_key is required/]],
      ['wrong key', validForm({ api_key: 'twz_notakey' }), 403, [/^api_key: This api_key is not valid/]],
      ['revoked key', validForm({ api_key: revoked.key }), 403, [/^api_key: This api_key was revoked/]],
      ['no service', validForm({ service_code: '' }), 400, [/^service_code: service_code is required/]],
      ['unknown service', validForm({ service_code: 'teleportation' }), 404, [/^service_code: No service has the code/]],
      ['no location', validForm({ lat: '', long: '' }), 400, [/^lat: Say where/]],
      ['lat alone', validForm({ long: '' }), 400, [/^long: lat and long go together/]],
      ['bad lat/long', validForm({ lat: 'north', long: '500' }), 400, [/^lat: Latitude is a number/, /^long: Longitude is a number/]],
      ['outside', validForm({ lat: '36.8065', long: '10.1815' }), 400, [/^lat: This place is outside the municipality/]],
      ['bad address_id', validForm({ lat: '', long: '', address_id: 'rue' }), 400, [/^address_id: address_id is the number/]],
      ['unknown neighbourhood', validForm({ lat: '', long: '', address_id: '999999' }), 400, [/^address_id: /]],
      ['missing required attribute', validForm({ 'attribute[depth_cm]': '' }), 400, [/^attribute\[depth_cm\]: This field is required/]],
      ['bad number', validForm({ 'attribute[depth_cm]': 'deep' }), 400, [/^attribute\[depth_cm\]: /]],
      ['bad choice', validForm({ 'attribute[surface][]': ['lava'] }), 400, [/^attribute\[surface\]: /]],
      ['bad date', validForm({ 'attribute[seen_on]': 'last week' }), 400, [/^attribute\[seen_on\]: /]],
      ['unknown attribute', validForm({ 'attribute[colour]': 'red' }), 400, [/^attribute\[colour\]: Not an attribute/]],
      ['bad email', validForm({ email: 'not-an-email' }), 400, [/^email: /]],
      ['bad phone', validForm({ phone: '12' }), 400, [/^phone: /]],
      ['long description', validForm({ description: 'x'.repeat(5001) }), 400, [/^description: /]],
      ['repeated service', validForm({ service_code: ['pothole', 'waste'] }), 400, [/^service_code: This parameter was sent more than once/]],
    ];
    for (const [label, form, status, descriptions] of cases) {
      // A key of its own per case: the per-key limit is not what is tested here.
      const caseKey = (await createApiKeyFromCli(suite.db(), { municipalityId: kef.municipality.id, name: label })).key;
      for (const format of ['json', 'xml'] as const) {
        const withKey = form.api_key === key ? { ...form, api_key: caseKey } : form;
        const answer = await call('POST', `/open311/v2/requests.${format}?locale=en`, { form: withKey });
        assert.equal(answer.status, status, `${label} (${format}): ${answer.body}`);
        const errors = errorsOf(answer);
        assert.equal(errors.length, descriptions.length, `${label}: ${answer.body}`);
        descriptions.forEach((d, i) => assert.match(errors[i]!.description, d, label));
        assert.equal(String(errors[0]!.code), String(status));
      }
    }
    assert.equal(await countComplaints(), before, 'nothing was filed');

    const huge = await call('POST', '/open311/v2/requests.json', { form: validForm({ description: 'x'.repeat(300_000) }) });
    assert.equal(huge.status, 413);
    assert.equal(errorsOf(huge)[0]!.code, 413);
    const hugeXml = await call('POST', '/open311/v2/requests.xml', { form: validForm({ description: 'x'.repeat(300_000) }) });
    assert.equal(hugeXml.status, 413);
    assert.equal(hugeXml.contentType, 'text/xml; charset=utf-8');
    const asJson = await call('POST', '/open311/v2/requests.json', { payload: JSON.stringify(validForm()), headers: { 'content-type': 'application/json' } });
    assert.equal(asJson.status, 400);
    assert.match(errorsOf(asJson)[0]!.description, /x-www-form-urlencoded/);
    const multipart = await call('POST', '/open311/v2/requests.json', { payload: '--x\r\n\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' } });
    assert.equal(multipart.status, 400);
    const plain = await call('POST', '/open311/v2/requests.json?locale=en', { payload: new URLSearchParams({ api_key: key }).toString(), headers: { 'content-type': 'text/plain' } });
    assert.equal(plain.status, 400);
    assert.deepEqual(errorsOf(plain), [{ code: 400, description: 'Send the request as application/x-www-form-urlencoded.' }]);
    const badFormat = await call('POST', '/open311/v2/requests.csv', { form: validForm() });
    assert.equal(badFormat.status, 404);
    assert.equal(badFormat.contentType, 'text/xml; charset=utf-8');
    const garbage = await call('POST', '/open311/v2/requests.xml', { payload: '%E0%A4%A=broken&&=', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(garbage.status, 403, 'read as a form without a key');
    assert.equal(garbage.contentType, 'text/xml; charset=utf-8');
    assert.equal(await countComplaints(), before, 'nothing was filed');
  });

  test('media_url: a public photo is fetched, re-encoded and attached; private addresses are refused with nothing stored', async () => {
    const mediaKey = (await createApiKeyFromCli(suite.db(), { municipalityId: kef.municipality.id, name: 'Media client' })).key;
    const validForm = (extra: Record<string, string>) => validFormWith({ ...extra, api_key: mediaKey });
    const filesBefore = countPhotoFiles();
    const ok = await call('POST', '/open311/v2/requests.json', { form: validForm({ media_url: `http://photos.example.org:${mediaPort}/photo.jpg` }) });
    assert.equal(ok.status, 200, ok.body);
    const id = ok.data[0].service_request_id;
    const row = await suite.db().selectFrom('complaints').select('id').where('tracking_number', '=', id).executeTakeFirstOrThrow();
    const photos = await suite.db().selectFrom('complaint_photos').selectAll().where('complaint_id', '=', row.id).execute();
    assert.equal(photos.length, 1);
    assert.equal(countPhotoFiles(), filesBefore + 2, 'the photo and its thumbnail');
    const shown = await both(`requests/${id}`);
    assert.match(shown.data[0].media_url, new RegExp(`^https://kef\\.example/media/complaints/${id}/[a-z0-9]+\\.jpg$`));

    const complaintsBefore = await countComplaints();
    const refused: [string, RegExp][] = [
      [`http://127.0.0.1:${mediaPort}/photo.jpg`, /not public/],
      ['http://10.0.0.1/photo.jpg', /not public/],
      [`http://[::1]:${mediaPort}/photo.jpg`, /not public/],
      ['http://intranet.test/photo.jpg', /not public/],
      [`http://photos.example.org:${mediaPort}/to-loopback`, /not public/],
      ['file:///etc/passwd', /Only http and https/],
      ['javascript:alert(1)', /Only http and https/],
      [`http://photos.example.org:${mediaPort}/not-a-photo.jpg`, /JPEG, PNG, WebP/],
      [`http://photos.example.org:${mediaPort}/missing.jpg`, /did not return the image/],
    ];
    for (const [mediaUrl, description] of refused) {
      const answer = await call('POST', '/open311/v2/requests.json?locale=en', { form: validForm({ media_url: mediaUrl }) });
      assert.equal(answer.status, 400, `${mediaUrl}: ${answer.body}`);
      assert.match(errorsOf(answer)[0]!.description, /^media_url: /);
      assert.match(errorsOf(answer)[0]!.description, description, mediaUrl);
    }
    assert.equal(await countComplaints(), complaintsBefore, 'no complaint was filed');
    assert.equal(countPhotoFiles(), filesBefore + 2, 'no file was kept');
  });

  test('POST is limited per key', async () => {
    const limited = await createApiKeyFromCli(suite.db(), { municipalityId: kef.municipality.id, name: 'Busy client' });
    for (let i = 0; i < POST_RATE_LIMIT.max; i += 1) {
      const answer = await call('POST', '/open311/v2/requests.json', { form: { api_key: limited.key, service_code: '' } });
      assert.equal(answer.status, 400);
    }
    const stopped = await call('POST', '/open311/v2/requests.xml?locale=en', { form: { api_key: limited.key, service_code: '' } });
    assert.equal(stopped.status, 429);
    assert.deepEqual(errorsOf(stopped), [{ code: '429', description: 'Too many requests with this key. Wait a minute and try again.' }]);
    // Another key is not held up by this one.
    const other = await call('POST', '/open311/v2/requests.json', { form: { api_key: key, service_code: '' } });
    assert.equal(other.status, 400);
  });
});
