// The public list, map and GeoJSON: filters, keyset pagination, no personal data in any
// answer, approximate points for sensitive categories, cache invalidation. Routes through
// app.inject(), on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestUser } from '../../../test/support/fixtures.ts';
import { buildTestApp, signIn, TestClient, testConfig } from '../../../test/support/http.ts';
import { nowIso } from '../../lib/time.ts';
import { insertNeighbourhood } from '../municipalities/reference-data.repository.ts';
import { type ComplaintStatus } from './complaints.ts';
import { type ComplaintsFixture, createComplaintsFixture, fileComplaint, nextPhone } from './complaints.test-support.ts';
import { approximatePoint } from './location.ts';
import { decodeCursor, encodeCursor, listPublicComplaints, MAP_FEATURE_LIMIT, type PublicFeatureCollection } from './public-list.service.ts';
import { readFilters } from './public.routes.ts';

const SECRET = { name: 'Zeineb Secretname', phone: '22 123 456', phoneE164: '+21622123456', email: 'zeineb.secret@example.org' };

test('filters from the query string: nonsense is dropped, reversed dates put in order', () => {
  assert.deepEqual(readFilters({ category: '12', status: 'open', neighbourhood: 'none', from: '2026-02-01', to: '2026-01-01' }), {
    category: 12,
    status: 'open',
    neighbourhood: 'none',
    from: '2026-01-01',
    to: '2026-02-01',
  });
  assert.deepEqual(readFilters({ category: '0', status: 'lost', neighbourhood: '1e3', from: '2026-02-30', to: ['2026-01-01'] }), {});
  assert.deepEqual(readFilters({ category: "1' OR 1=1", neighbourhood: '7' }), { neighbourhood: 7 });
});

test('list cursors are read back as written and refuse anything else', () => {
  const cursor = { createdAt: '2026-03-01T09:30:00.000Z', id: 1234 };
  assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
  assert.equal(decodeCursor('2026-03-01_12'), null);
  assert.equal(decodeCursor("2026-03-01T09:30:00.000Z_1 OR 1"), null);
});

describeEachDatabase('public list, map and GeoJSON', ({ db, handle }) => {
  let fixture: ComplaintsFixture;
  let app: FastifyInstance;
  let client: TestClient;
  let zitouna: number;
  let medina: number;
  const tracking: Record<string, string> = {};

  async function setComplaint(number: string, values: { status?: ComplaintStatus; created_at?: string }) {
    await db().updateTable('complaints').set(values).where('tracking_number', '=', number).execute();
  }

  before(async () => {
    fixture = await createComplaintsFixture(db(), 'pub');
    const now = nowIso();
    const base = { municipality_id: fixture.municipality.id, arrondissement_id: null, outline_geojson: null, created_at: now, updated_at: now };
    zitouna = (await insertNeighbourhood(db(), { ...base, name_ar: 'الزيتونة', name_fr: 'Zitouna', name_en: 'Zitouna' })).id;
    medina = (await insertNeighbourhood(db(), { ...base, name_ar: 'المدينة العتيقة', name_fr: 'Médina', name_en: 'Medina' })).id;
    const c = fixture.categories;
    // A signed-in reporter whose account details must not leak either.
    const reporter = await createTestUser(db(), { municipalityId: fixture.municipality.id, phone: nextPhone(), email: 'amal.private@example.org', displayName: 'Amal Privatename' });
    const specs: [string, Parameters<typeof fileComplaint>[2]][] = [
      ['lamp', { categoryId: c.lighting!.id, location: { lat: 36.181, lng: 8.712, neighbourhoodId: zitouna }, contact: { name: SECRET.name, phone: SECRET.phone, email: SECRET.email } }],
      ['waste', { categoryId: c.waste!.id, location: { lat: 36.1822, lng: 8.7133, neighbourhoodId: medina }, reporter: { userId: reporter.id, municipalityId: fixture.municipality.id, roles: [] } }],
      ['building', { categoryId: c.unauthorised_building!.id, location: { lat: 36.17731, lng: 8.70417, neighbourhoodId: zitouna, address: 'Rue secrète 12' }, contact: { email: SECRET.email } }],
      ['noplace', { categoryId: c.roads!.id, location: { address: 'Route de Tunis, près du pont' } }],
      ['road', { categoryId: c.roads!.id, location: { lat: 36.179, lng: 8.709, neighbourhoodId: medina } }],
    ];
    for (const [key, overrides] of specs) tracking[key] = (await fileComplaint(db(), fixture, overrides)).trackingNumber;
    // Known dates, oldest first, and two complaints filed in the same millisecond (ties broken by id).
    await setComplaint(tracking.lamp!, { created_at: '2025-01-10T08:00:00.000Z', status: 'resolved' });
    await setComplaint(tracking.waste!, { created_at: '2025-06-15T08:00:00.000Z', status: 'in_progress' });
    await setComplaint(tracking.building!, { created_at: '2025-06-15T08:00:00.000Z', status: 'received' });
    await setComplaint(tracking.noplace!, { created_at: '2025-12-31T23:30:00.000Z', status: 'forwarded' });
    await setComplaint(tracking.road!, { created_at: '2026-02-01T10:00:00.000Z', status: 'rejected' });
    app = await buildTestApp(handle(), { defaultMunicipality: 'pub' });
    client = new TestClient(app);
  });

  after(async () => {
    await app?.close();
  });

  const listed = (html: string) => [...html.matchAll(/class="public-complaint__number[^"]*"[^>]*>([^<]+)</g)].map((m) => m[1]);

  test('the list shows every complaint newest first, with category, neighbourhood, status, date and link', async () => {
    const response = await client.get('/fr/complaints/list');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(listed(response.body), [tracking.road, tracking.noplace, tracking.building, tracking.waste, tracking.lamp]);
    assert.match(response.body, new RegExp(`href="/fr/complaints/${tracking.lamp}"`));
    assert.match(response.body, /Éclairage public|Éclairage/);
    assert.match(response.body, /Zitouna/);
    assert.match(response.body, /Quartier non indiqué/);
    assert.match(response.body, /Transmise|transmise/i);
    assert.match(response.body, /<time datetime="2025-01-10T08:00:00.000Z">/);
  });

  test('filters by category, status group, single status, neighbourhood, none, and period (in Tunis days)', async () => {
    const c = fixture.categories;
    const get = async (query: string) => listed((await client.get(`/ar/complaints/list?${query}`)).body);
    assert.deepEqual(await get(`category=${c.roads!.id}`), [tracking.road, tracking.noplace]);
    assert.deepEqual(await get('status=open'), [tracking.building, tracking.waste]);
    assert.deepEqual(await get('status=finished'), [tracking.road, tracking.noplace, tracking.lamp]);
    assert.deepEqual(await get('status=resolved'), [tracking.lamp]);
    assert.deepEqual(await get(`neighbourhood=${zitouna}`), [tracking.building, tracking.lamp]);
    assert.deepEqual(await get('neighbourhood=none'), [tracking.noplace]);
    assert.deepEqual(await get(`neighbourhood=${medina}&status=rejected`), [tracking.road]);
    // 23:30 UTC on 31 December is 00:30 on 1 January in El Kef.
    assert.deepEqual(await get('from=2026-01-01'), [tracking.road, tracking.noplace]);
    assert.deepEqual(await get('to=2025-12-31'), [tracking.building, tracking.waste, tracking.lamp]);
    assert.deepEqual(await get('from=2025-06-15&to=2025-06-15'), [tracking.building, tracking.waste]);
    assert.deepEqual(await get('category=999999'), []);
    const empty = await client.get('/en/complaints/list?category=999999');
    assert.match(empty.body, /No complaint matches these filters/);
  });

  test('keyset pages walk forward and back without losing or repeating a complaint, ties included', async () => {
    const all: string[] = [];
    let page = await listPublicComplaints(db(), { municipalityId: fixture.municipality.id, filters: {}, pageSize: 2 });
    const pages = [page.items.map((i) => i.trackingNumber)];
    assert.equal(page.newerCursor, null);
    while (page.olderCursor) {
      page = await listPublicComplaints(db(), { municipalityId: fixture.municipality.id, filters: {}, pageSize: 2, after: decodeCursor(page.olderCursor) });
      pages.push(page.items.map((i) => i.trackingNumber));
    }
    for (const p of pages) all.push(...p);
    assert.deepEqual(all, [tracking.road, tracking.noplace, tracking.building, tracking.waste, tracking.lamp]);
    assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
    // And back from the last page.
    const back = await listPublicComplaints(db(), { municipalityId: fixture.municipality.id, filters: {}, pageSize: 2, before: decodeCursor(page.newerCursor) });
    assert.deepEqual(back.items.map((i) => i.trackingNumber), pages[1]);
    assert.ok(back.newerCursor && back.olderCursor);
    const top = await listPublicComplaints(db(), { municipalityId: fixture.municipality.id, filters: {}, pageSize: 2, before: decodeCursor(back.newerCursor) });
    assert.deepEqual(top.items.map((i) => i.trackingNumber), pages[0]);
    assert.equal(top.newerCursor, null);
  });

  test('the older and newer links of the page keep the filters', async () => {
    const first = await listPublicComplaints(db(), { municipalityId: fixture.municipality.id, filters: {}, pageSize: 2 });
    assert.ok(first.olderCursor);
    const response = await client.get(`/fr/complaints/list?status=finished&after=${encodeURIComponent(encodeCursor({ createdAt: '2026-01-15T00:00:00.000Z', id: 1 }))}`);
    assert.deepEqual(listed(response.body), [tracking.noplace, tracking.lamp]);
    assert.match(response.body, /href="\/fr\/complaints\/list\?status=finished&amp;before=2025-12-31T23%3A30%3A00.000Z_\d+"/);
    assert.match(response.body, /Revenir aux plus récentes/);
  });

  test('the map without JavaScript lists complaints by neighbourhood, with counts and links', async () => {
    const response = await client.get('/fr/complaints/map');
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /5 réclamations correspondent/);
    const headings = [...response.body.matchAll(/<h2 id="neighbourhood-[^"]+"><bdi>([^<]+)<\/bdi>/g)].map((m) => m[1]);
    assert.deepEqual(headings, ['Zitouna', 'Médina', 'Quartier non indiqué']);
    // No tiles configured: no map script, the list is the map.
    assert.doesNotMatch(response.body, /complaints-map\.js/);
    const filtered = await client.get(`/fr/complaints/map?neighbourhood=${medina}`);
    assert.deepEqual(listed(filtered.body), [tracking.road, tracking.waste]);
  });

  test('the GeoJSON has public properties only, approximate points for sensitive categories, none without a point', async () => {
    const response = await client.get('/fr/complaints/map.geojson');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /application\/geo\+json/);
    assert.match(String(response.headers['cache-control']), /max-age=30/);
    const collection = JSON.parse(response.body) as PublicFeatureCollection;
    assert.equal(collection.type, 'FeatureCollection');
    assert.equal(collection.truncated, false);
    const byTracking = new Map(collection.features.map((f) => [f.properties.tracking, f]));
    assert.deepEqual([...byTracking.keys()], [tracking.road, tracking.building, tracking.waste, tracking.lamp]);
    const building = byTracking.get(tracking.building!)!;
    const approx = approximatePoint({ lat: 36.17731, lng: 8.70417 });
    assert.deepEqual(building.geometry.coordinates, [approx.lng, approx.lat]);
    assert.notDeepEqual(building.geometry.coordinates, [8.70417, 36.17731]);
    assert.equal(building.properties.approximate, true);
    const lamp = byTracking.get(tracking.lamp!)!;
    assert.deepEqual(lamp.geometry.coordinates, [8.712, 36.181]);
    assert.equal(lamp.properties.approximate, false);
    assert.deepEqual(Object.keys(lamp.properties).sort(), ['approximate', 'category', 'categoryCode', 'createdAt', 'followers', 'neighbourhood', 'status', 'statusLabel', 'tracking', 'url']);
    assert.equal(lamp.properties.url, `/fr/complaints/${tracking.lamp}`);
    assert.equal(lamp.properties.neighbourhood, 'Zitouna');
    // A first visit sets the browser's cookies: that answer is for this browser only.
    const firstVisit = await app.inject({ method: 'GET', url: '/fr/complaints/map.geojson' });
    assert.ok(firstVisit.headers['set-cookie']);
    assert.equal(firstVisit.headers['cache-control'], 'private, max-age=30');
    assert.equal(response.headers['cache-control'], 'public, max-age=30');
    // The filters apply.
    const open = JSON.parse((await client.get('/fr/complaints/map.geojson?status=open')).body) as PublicFeatureCollection;
    assert.deepEqual(open.features.map((f) => f.properties.tracking), [tracking.building, tracking.waste]);
  });

  test('the GeoJSON is compressed once, answers 304 to its ETag, and is fresh after a new complaint', async () => {
    const zipped = await client.get('/en/complaints/map.geojson', { 'accept-encoding': 'gzip' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    const collection = JSON.parse(zlib.gunzipSync(zipped.rawPayload).toString()) as PublicFeatureCollection;
    const etag = String(zipped.headers.etag);
    const again = await client.get('/en/complaints/map.geojson', { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    const filed = await fileComplaint(db(), fixture, { location: { lat: 36.183, lng: 8.715 } });
    const fresh = await client.get('/en/complaints/map.geojson', { 'if-none-match': etag });
    assert.equal(fresh.statusCode, 200);
    const features = (JSON.parse(fresh.body) as PublicFeatureCollection).features;
    assert.equal(features.length, collection.features.length + 1);
    assert.equal(features[0]!.properties.tracking, filed.trackingNumber);
    await db().deleteFrom('complaint_events').where('complaint_id', '=', filed.complaint.id).execute();
    await db().deleteFrom('complaint_followers').where('complaint_id', '=', filed.complaint.id).execute();
    await db().deleteFrom('complaints').where('id', '=', filed.complaint.id).execute();
  });

  test('no name, phone, e-mail, address or description in the list, map, GeoJSON, statistics or any CSV', async () => {
    const stored = await db().selectFrom('complaints').select(['contact_name', 'contact_phone', 'contact_email', 'description']).where('tracking_number', '=', tracking.lamp!).executeTakeFirstOrThrow();
    assert.equal(stored.contact_name, SECRET.name);
    assert.equal(stored.contact_phone, SECRET.phoneE164);
    const secrets = [SECRET.name, SECRET.phoneE164, SECRET.phone, '22123456', SECRET.email, 'amal.private@example.org', 'Amal Privatename', 'Rue secrète', stored.description];
    const urls = ['/ar/complaints/list', '/fr/complaints/list', '/en/complaints/map', '/fr/complaints/map.geojson', '/ar/complaints/map.geojson?status=open', '/fr/complaints/statistics?from=2024-01-01'];
    for (const table of ['summary', 'status', 'categories', 'neighbourhoods', 'months', 'channels', 'satisfaction', 'gender', 'age']) {
      urls.push(`/fr/complaints/statistics/${table}.csv?from=2024-01-01`);
    }
    for (const url of urls) {
      const response = await client.get(url);
      assert.equal(response.statusCode, 200, url);
      for (const secret of secrets) assert.ok(!response.body.includes(secret), `${url} shows ${secret}`);
    }
  });

  test('at most MAP_FEATURE_LIMIT points, the newest, and the collection says it was cut', async () => {
    const other = await createComplaintsFixture(db(), 'pubmany');
    const now = nowIso();
    const rows = Array.from({ length: MAP_FEATURE_LIMIT + 3 }, (_, i) => ({
      municipality_id: other.municipality.id,
      tracking_number: `PUB-2025-${String(i + 1).padStart(6, '0')}`,
      category_id: other.categories.waste!.id,
      status: 'received' as const,
      priority: 'normal' as const,
      channel: 'web' as const,
      description: 'x',
      answers_json: '{}',
      follower_count: 0,
      version: 1,
      latitude: 36.18,
      longitude: 8.71,
      locale: 'ar',
      search_text: '',
      ack_due_at: now,
      resolve_due_at: now,
      created_at: new Date(Date.parse('2025-01-01T00:00:00Z') + i * 60_000).toISOString(),
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 100) await db().insertInto('complaints').values(rows.slice(i, i + 100)).execute();
    const otherApp = await buildTestApp(handle(), { defaultMunicipality: 'pubmany' });
    try {
      const response = await otherApp.inject({ method: 'GET', url: '/en/complaints/map.geojson' });
      const collection = JSON.parse(response.body) as PublicFeatureCollection;
      assert.equal(collection.features.length, MAP_FEATURE_LIMIT);
      assert.equal(collection.truncated, true);
      assert.equal(collection.features[0]!.properties.tracking, `PUB-2025-${String(MAP_FEATURE_LIMIT + 3).padStart(6, '0')}`);
    } finally {
      await otherApp.close();
    }
  });

  test('another municipality sees none of these complaints', async () => {
    const other = await buildTestApp(handle(), { defaultMunicipality: 'pubmany' });
    try {
      const response = await other.inject({ method: 'GET', url: '/fr/complaints/list' });
      for (const number of Object.values(tracking)) assert.ok(!response.body.includes(number));
    } finally {
      await other.close();
    }
  });

  test('kept pages are anonymous visitors\' only: a signed-in page is never served to anyone else, nor the reverse', async () => {
    const anonymous = new TestClient(app);
    const first = await anonymous.get('/fr/complaints/list?status=open');
    assert.doesNotMatch(first.body, /\/fr\/logout/);
    const signedIn = new TestClient(app);
    await signIn(signedIn, fixture.citizen.user);
    const own = await signedIn.get('/fr/complaints/list?status=open');
    assert.match(own.body, /action="\/fr\/logout"/);
    const again = await new TestClient(app).get('/fr/complaints/list?status=open');
    assert.doesNotMatch(again.body, /\/fr\/logout/);
    assert.equal(again.body, first.body);
  });

  test('with map tiles configured, the map page carries the map, its script, Leaflet and the GeoJSON address', async () => {
    const withTiles = await buildTestApp(handle(), {
      defaultMunicipality: 'pub',
      config: testConfig({ MAP_TILE_URL: 'https://tiles.example.test/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: '© OpenStreetMap' }),
    });
    try {
      const response = await withTiles.inject({ method: 'GET', url: `/ar/complaints/map?status=open&neighbourhood=${zitouna}` });
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /<div id="complaints-map" class="complaints-map" hidden data-geojson=/);
      assert.match(response.body, new RegExp(`data-geojson="/ar/complaints/map.geojson\\?status=open&amp;neighbourhood=${zitouna}"`));
      assert.match(response.body, /data-tiles="https:\/\/tiles.example.test\/\{z\}\/\{x\}\/\{y\}.png"/);
      assert.match(response.body, /data-leaflet-js="\/static\/leaflet\/leaflet.js\?v=[0-9a-f]{12}"/);
      assert.match(response.body, /<script src="\/static\/complaints-map.js\?v=[0-9a-f]{12}" defer><\/script>/);
      const script = await withTiles.inject({ method: 'GET', url: '/static/complaints-map.js' });
      assert.equal(script.statusCode, 200);
      // The grouped list is still there for phones without JavaScript.
      assert.match(response.body, /<h2 id="neighbourhood-\d+"><bdi>الزيتونة<\/bdi>/);
    } finally {
      await withTiles.close();
    }
  });

  test('an unknown statistics table or language is not found', async () => {
    assert.equal((await client.get('/fr/complaints/statistics/secrets.csv')).statusCode, 404);
    assert.equal((await client.get('/fr/complaints/statistics/status.json')).statusCode, 404);
    assert.equal((await client.get('/de/complaints/list')).statusCode, 404);
  });
});
