import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { buildTestApp, TestClient, testConfig } from '../../../test/support/http.ts';
import { signedInClient } from '../admin/admin.test-support.ts';
import { multipartBody } from '../complaints/portal.test-support.ts';
import { createTestCycle } from './budget.test-support.ts';
import { findProjectById } from './cycles.repository.ts';

async function postMultipart(client: TestClient, url: string, fields: Record<string, string>, files: { filename: string; type: string; data: Buffer }[] = []) {
  const all = '_csrf' in fields ? fields : { _csrf: client.lastCsrf!, ...fields };
  const { body, contentType } = multipartBody(all, files);
  return client.app.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { host: client.host, cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': contentType },
  });
}

describeEachDatabase('implementation follow-up pages', (suite) => {
  let app: FastifyInstance;
  let dataDir: string;
  let municipalityId: number;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-follow-routes-'));
    const m = await createTestMunicipality(suite.db(), 'pbfollow');
    municipalityId = m.id;
    app = await buildTestApp(suite.handle(), { config: testConfig({ DATA_DIR: dataDir }), defaultMunicipality: 'pbfollow' });
  });
  after(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('an officer posts an update with a photo; the project page shows it and serves the photo; bad input and a bad token change nothing', async () => {
    const { cycle, projects } = await createTestCycle(suite.db(), municipalityId, {
      phase: 'results',
      slug: 'built',
      envelopes: [{ scope: 'city', budgetMillimes: 1_000_000, projects: [{ code: 'B1', costMillimes: 500_000, selected: true, title: 'Jardin' }] }],
    });
    const project = projects[0]!;
    const url = `/fr/admin/budget/${cycle.id}/projects/${project.id}/follow-up`;
    const officer = await signedInClient(app, await createTestUser(suite.db(), { municipalityId, roles: [{ role: 'budget_officer' }] }), 'localhost');
    const form = await officer.get(url);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /enctype="multipart\/form-data"/);

    const forged = await postMultipart(officer, url, { _csrf: 'forged', status: 'works', progress: '30', body: 'Début des travaux' });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, /Début des travaux/);
    const tooMuch = await postMultipart(officer, url, { status: 'works', progress: '130', body: 'Début des travaux' });
    assert.equal(tooMuch.statusCode, 400);
    assert.equal((await findProjectById(suite.db(), municipalityId, cycle.id, project.id))!.implementation_status, 'not_started');

    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#8e44ad' } }).jpeg().toBuffer();
    const posted = await postMultipart(officer, url, { status: 'works', progress: '30', body: 'Début des travaux' }, [{ filename: 'chantier.jpg', type: 'image/jpeg', data: photo }]);
    assert.equal(posted.statusCode, 303);
    const saved = await findProjectById(suite.db(), municipalityId, cycle.id, project.id);
    assert.equal(saved!.implementation_status, 'works');
    assert.equal(saved!.progress_percent, 30);

    const visitor = new TestClient(app);
    const page = await visitor.get('/fr/budget/built/projects/B1');
    assert.match(page.body, /Début des travaux/);
    assert.match(page.body, /Travaux en cours/);
    const photoId = /\/fr\/budget\/photos\/(\d+)\/thumb/.exec(page.body)?.[1];
    assert.ok(photoId, 'the update shows its photo');
    const image = await visitor.get(`/fr/budget/photos/${photoId}`);
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/jpeg');
    assert.equal((await visitor.get(`/fr/budget/photos/${photoId}/thumb`)).statusCode, 200);
    assert.equal((await visitor.get('/fr/budget/photos/999999')).statusCode, 404);

    const citizen = await signedInClient(app, await createTestUser(suite.db(), { municipalityId }), 'localhost');
    assert.equal((await citizen.get(url)).statusCode, 403);
    // A citizen's or a visitor's upload is refused before any photo is decoded or written.
    const filesBefore = fs.readdirSync(dataDir, { recursive: true }).length;
    const refused = await postMultipart(citizen, url, { status: 'completed', progress: '100', body: 'x' }, [{ filename: 'a.jpg', type: 'image/jpeg', data: photo }]);
    assert.equal(refused.statusCode, 403);
    await visitor.get('/fr/budget/built/projects/B1');
    const anonymous = await postMultipart(visitor, url, { status: 'completed', progress: '100', body: 'x' }, [{ filename: 'a.jpg', type: 'image/jpeg', data: photo }]);
    assert.equal(anonymous.statusCode, 401);
    assert.equal(fs.readdirSync(dataDir, { recursive: true }).length, filesBefore);
    assert.equal((await findProjectById(suite.db(), municipalityId, cycle.id, project.id))!.implementation_status, 'works');
  });
});
