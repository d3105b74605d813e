import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { buildTestApp } from '../../../test/support/http.ts';
import { addMinutes } from '../../lib/time.ts';
import { createApiKeyFromCli } from '../complaints/api-keys.service.ts';
import { type ComplaintsFixture, createComplaintsFixture, fileComplaint } from '../complaints/complaints.test-support.ts';
import { MAX_RESULTS } from './open311.service.ts';

describeEachDatabase('Open311 with several municipalities', (suite) => {
  let app: FastifyInstance;
  let kef: ComplaintsFixture;
  let sers: ComplaintsFixture;
  let kefKey: string;
  let kefComplaint: string;
  let sersComplaint: string;

  before(async () => {
    kef = await createComplaintsFixture(suite.db(), 'kef');
    sers = await createComplaintsFixture(suite.db(), 'sers');
    kefKey = (await createApiKeyFromCli(suite.db(), { municipalityId: kef.municipality.id, name: 'Kef app' })).key;
    kefComplaint = (await fileComplaint(suite.db(), kef, { description: 'Kef lamp' })).trackingNumber;
    sersComplaint = (await fileComplaint(suite.db(), sers, { description: 'Sers lamp' })).trackingNumber;
    app = await buildTestApp(suite.handle());
  });
  after(() => app.close());

  async function get(url: string) {
    const response = await app.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } });
    return { status: response.statusCode, data: JSON.parse(response.body) };
  }
  async function post(url: string, form: Record<string, string>) {
    const response = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
      payload: new URLSearchParams(form).toString(),
    });
    return { status: response.statusCode, data: JSON.parse(response.body) };
  }

  test('jurisdiction_id is required when the server hosts several municipalities, and must exist', async () => {
    for (const resource of ['services.json', 'services/lighting.json', 'requests.json', `requests/${kefComplaint}.json`, `tokens/${kefComplaint}.json`]) {
      const missing = await get(`/open311/v2/${resource}`);
      assert.equal(missing.status, 400, resource);
      assert.match(missing.data[0].description, /^jurisdiction_id: This endpoint serves several municipalities/);
      const unknown = await get(`/open311/v2/${resource}${resource.includes('?') ? '&' : '?'}jurisdiction_id=sfax`);
      assert.equal(unknown.status, 404, resource);
      assert.equal((await get(`/open311/v2/${resource}?jurisdiction_id=kef`)).status, 200, resource);
    }
    const xml = await app.inject({ method: 'GET', url: '/open311/v2/services.xml' });
    assert.equal(xml.statusCode, 400);
    assert.match(xml.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<errors><error><code>400<\/code><description>jurisdiction_id: /);
    // Discovery describes the endpoint itself.
    assert.equal((await get('/open311/v2/discovery.json')).status, 200);
  });

  test('each jurisdiction sees its own requests only', async () => {
    const kefList = await get('/open311/v2/requests.json?jurisdiction_id=kef');
    assert.deepEqual(kefList.data.map((r: { service_request_id: string }) => r.service_request_id), [kefComplaint]);
    const sersList = await get(`/open311/v2/requests.json?jurisdiction_id=sers&service_request_id=${kefComplaint},${sersComplaint}`);
    assert.deepEqual(sersList.data.map((r: { service_request_id: string }) => r.service_request_id), [sersComplaint]);
    assert.equal((await get(`/open311/v2/requests/${kefComplaint}.json?jurisdiction_id=sers`)).status, 404);
    assert.equal((await get(`/open311/v2/tokens/${kefComplaint}.json?jurisdiction_id=sers`)).status, 404);
  });

  test('a key files only for its own municipality', async () => {
    const form = { api_key: kefKey, service_code: 'lighting', lat: '36.181', long: '8.712', description: 'Lamp out' };
    const wrongPlace = await post('/open311/v2/requests.json', { ...form, jurisdiction_id: 'sers' });
    assert.equal(wrongPlace.status, 403);
    assert.deepEqual(wrongPlace.data, [{ code: 403, description: 'api_key: This api_key is not valid for this municipality.' }]);
    const noJurisdiction = await post('/open311/v2/requests.json', form);
    assert.equal(noJurisdiction.status, 400);
    const inQuery = await post('/open311/v2/requests.json?jurisdiction_id=kef', form);
    assert.equal(inQuery.status, 200);
    assert.match(inQuery.data[0].service_request_id, /^KEF-/);
  });

  test('at most 1000 requests, newest first', async () => {
    const template = await suite.db().selectFrom('complaints').selectAll().where('tracking_number', '=', sersComplaint).executeTakeFirstOrThrow();
    const { id: _id, ...row } = template;
    const rows = Array.from({ length: MAX_RESULTS + 5 }, (_, i) => ({
      ...row,
      tracking_number: `SER-2000-${String(i + 1).padStart(6, '0')}`,
      created_at: addMinutes(template.created_at, -(i + 1)),
    }));
    for (let i = 0; i < rows.length; i += 100) await suite.db().insertInto('complaints').values(rows.slice(i, i + 100)).execute();
    const list = await get('/open311/v2/requests.json?jurisdiction_id=sers');
    assert.equal(list.status, 200);
    assert.equal(list.data.length, MAX_RESULTS);
    assert.equal(list.data[0].service_request_id, sersComplaint);
    assert.equal(list.data[1].service_request_id, 'SER-2000-000001');
    assert.equal(list.data.at(-1).service_request_id, `SER-2000-${String(MAX_RESULTS - 1).padStart(6, '0')}`);
    const times = list.data.map((r: { requested_datetime: string }) => Date.parse(r.requested_datetime));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });
});
