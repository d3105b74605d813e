// Forged and malformed requests to the voting and paper pages: arrays where one value is
// expected, ids that are not numbers, and another municipality's cycle or batch. None may give a
// 500; another municipality's records are never reachable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality, createTestUser } from '../../../../test/support/fixtures.ts';
import { buildTestApp, testConfig, TestClient } from '../../../../test/support/http.ts';
import { randomToken } from '../../../lib/crypto.ts';
import { nowIso } from '../../../lib/time.ts';
import { signedInClient } from '../../admin/admin.test-support.ts';
import { createTestCycle, type TestCycle } from '../budget.test-support.ts';

describeEachDatabase('voting and paper pages against malformed input', (suite) => {
  let app: FastifyInstance;
  let team: TestClient;
  let tc: TestCycle;
  let other: TestCycle;
  let otherBatchId: number;
  const slug = `badinput${suite.kind}`;
  const host = `${slug}.example`;

  before(async () => {
    const municipality = await createTestMunicipality(suite.db(), slug, [host]);
    const elsewhere = await createTestMunicipality(suite.db(), `${slug}x`, [`${slug}x.example`]);
    const officer = await createTestUser(suite.db(), { municipalityId: municipality.id, email: `o-${randomToken(3)}@example.tn`, roles: [{ role: 'budget_officer' }] });
    app = await buildTestApp(suite.handle(), { config: testConfig({ DEFAULT_MUNICIPALITY: slug }), defaultMunicipality: slug });
    team = await signedInClient(app, officer, host);
    tc = await createTestCycle(suite.db(), municipality.id, { slug: 'bad' });
    other = await createTestCycle(suite.db(), elsewhere.id, { slug: 'bad' });
    const batch = await suite
      .db()
      .insertInto('pb_paper_batches')
      .values({
        municipality_id: elsewhere.id,
        cycle_id: other.cycle.id,
        batch_number: 'X1',
        station: null,
        sheet_envelope_id: null,
        declared_count: 1,
        status: 'open',
        created_by: null,
        accepted_by: null,
        accepted_at: null,
        rejected_reason: null,
        rejected_by: null,
        rejected_at: null,
        created_at: nowIso(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    otherBatchId = batch.id;
  });
  after(() => app.close());

  test('no 500 on forged forms and ids', async () => {
    const base = `/fr/admin/budget/${tc.cycle.id}`;
    const failures: string[] = [];
    const expectBelow500 = async (label: string, run: () => Promise<{ statusCode: number; body: string }>) => {
      const response = await run();
      if (response.statusCode >= 500) failures.push(`${label}: ${response.statusCode} ${response.body.slice(0, 200)}`);
    };
    await team.get(`${base}/counter`);
    await expectBelow500('counter arrays', () => team.post(`${base}/counter`, { neighbourhood: ['1', '2'], idNumber: ['1', '2'], intent: ['paper', 'x'], choice: ['a', '1'] }));
    await team.get(`${base}/paper`);
    await expectBelow500('batch arrays', () => team.post(`${base}/paper`, { batchNumber: ['1', '2'], sheet: ['city', 'city'], declaredCount: ['3', '4'], station: ['a', 'b'] }));
    await expectBelow500('annul arrays', () => team.post(`${base}/annulments`, { participations: ['1', '2'], confirm: ['yes', 'yes'], reason: ['a', 'b'] }));
    await expectBelow500('by-card array', () => team.post(`${base}/annulments/by-card`, { idNumber: ['12345678', '1'] }));
    await team.get(`${base}/annulments`);
    await expectBelow500('annul huge ids', () => team.post(`${base}/annulments`, { participations: '999999999999 1', confirm: 'yes', reason: 'Burst' }));
    for (const path of ['/fr/admin/budget/999999999999/counter', '/fr/admin/budget/999999999999/paper', `${base}/paper/999999999999`, '/fr/admin/budget/999999999999/signals', '/fr/admin/budget/999999999999/annulments']) {
      await expectBelow500(path, () => team.get(path));
    }
    for (const path of ['/fr/admin/budget/abc/counter', '/fr/admin/budget/99999999999999999999/paper', `${base}/paper/abc`, `${base}/paper/1/pass/3/1`, `${base}/paper/1/pass/1/0`]) {
      await expectBelow500(path, () => team.get(path));
    }
    const voter = new TestClient(app, host);
    await voter.get('/fr/budget/bad/vote');
    await expectBelow500('phone array', () => voter.post('/fr/budget/bad/vote/phone', { phone: ['22 000 001', '22 000 002'] }));
    await expectBelow500('code array', () => voter.post('/fr/budget/bad/vote/code', { code: ['1', '2'] }));
    await expectBelow500('receipt array', () => voter.get('/fr/budget/bad/receipt?code=A&code=B'));
    await expectBelow500('ballot arrays', () => voter.post('/fr/budget/bad/vote/ballot', { neighbourhood: ['1', '2'], 'points.1': ['1', '2'] }));
    assert.deepEqual(failures, []);
  });

  test("another municipality's cycle and batch are not found", async () => {
    for (const path of [`/fr/admin/budget/${other.cycle.id}/paper`, `/fr/admin/budget/${other.cycle.id}/paper/${otherBatchId}`, `/fr/admin/budget/${other.cycle.id}/counter`, `/fr/admin/budget/${other.cycle.id}/signals`, `/fr/admin/budget/${other.cycle.id}/annulments`]) {
      const response = await team.get(path);
      assert.equal(response.statusCode, 404, path);
    }
    const batchPage = await team.get(`/fr/admin/budget/${tc.cycle.id}/paper/${otherBatchId}`);
    assert.equal(batchPage.statusCode, 404);
    await team.get(`/fr/admin/budget/${tc.cycle.id}/paper`);
    const accept = await team.post(`/fr/admin/budget/${tc.cycle.id}/paper/${otherBatchId}/accept`, { version: '0' });
    assert.ok(accept.statusCode === 404, `accept another municipality's batch: ${accept.statusCode}`);
  });
});
