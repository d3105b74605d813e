// The receipt code is the ballot's id, published with its choices in the .pb and CSV files. A
// request log line that holds it beside the visitor's address and the exact time would tie a
// ballot to a person: the receipt check must not be logged with its query string.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../app.ts';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import { TEST_SECRET, TestClient, testConfig } from '../../../../test/support/http.ts';
import { createTenantResolver } from '../../municipalities/tenant-resolver.ts';
import { insertBallot } from '../ballot-box.repository.ts';
import { createTestCycle, type TestCycle } from '../budget.test-support.ts';

describeEachDatabase('budget receipt check and the request log', (suite) => {
  let app: FastifyInstance;
  let cycle: TestCycle;
  const lines: string[] = [];

  before(async () => {
    const kef = await createTestMunicipality(suite.db(), 'receiptlog');
    cycle = await createTestCycle(suite.db(), kef.id, { slug: 'rlog' });
    const config = testConfig({ LOG_LEVEL: 'info' });
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    app = await buildApp({
      config,
      database: suite.handle(),
      secretKey: TEST_SECRET,
      tenants: createTenantResolver(suite.db(), 'receiptlog'),
      logger: { level: 'info', stream },
    });
    await app.ready();
  });
  after(() => app.close());

  test('checking a receipt leaves no trace of the code in the log', async () => {
    const choice = cycle.projects[0]!;
    const receipt = await insertBallot(suite.db(), {
      municipalityId: cycle.cycle.municipality_id,
      cycleId: cycle.cycle.id,
      channel: 'online',
      choices: [{ projectId: choice.id, envelopeId: choice.envelope_id, value: 1 }],
    });
    const before = lines.length;
    const response = await app.inject({ method: 'GET', url: `/fr/budget/rlog/receipt?code=${receipt}`, headers: { host: 'localhost' } });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, new RegExp(receipt.slice(0, 4)));
    // The logger does write (so the test can fail): the vote page's request is logged.
    await app.inject({ method: 'GET', url: '/fr/budget/rlog/vote', headers: { host: 'localhost' } });
    assert.ok(lines.slice(before).some((l) => l.includes('/fr/budget/rlog/vote')), 'requests are logged');
    const logged = lines.join('');
    assert.ok(!logged.includes(receipt), 'the receipt code is not in the log');
  });

  test('the check form posts the code (no URL holds it); a forged post looks nothing up', async () => {
    const choice = cycle.projects[1]!;
    const receipt = await insertBallot(suite.db(), {
      municipalityId: cycle.cycle.municipality_id,
      cycleId: cycle.cycle.id,
      channel: 'counter',
      choices: [{ projectId: choice.id, envelopeId: choice.envelope_id, value: 1 }],
    });
    const visitor = new TestClient(app);
    const page = await visitor.get('/fr/budget/rlog/receipt');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form method="post" action="\/fr\/budget\/rlog\/receipt"/);
    const forged = await visitor.post('/fr/budget/rlog/receipt', { code: receipt, _csrf: 'forged' });
    assert.equal(forged.statusCode, 403);
    assert.doesNotMatch(forged.body, /pb-check-result/);
    const checked = await visitor.post('/fr/budget/rlog/receipt', { code: receipt.toLowerCase() });
    assert.equal(checked.statusCode, 200);
    assert.match(checked.body, /pb-check-result/);
    assert.match(checked.body, new RegExp(`${receipt.slice(0, 4)}-${receipt.slice(4, 8)}`));
    const missing = await visitor.post('/fr/budget/rlog/receipt', { code: ['a', 'b'] });
    assert.ok(missing.statusCode < 500);
    assert.ok(!lines.join('').includes(receipt), 'the receipt code is not in the log');
  });
});
