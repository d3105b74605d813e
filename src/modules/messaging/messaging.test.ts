// The send-message job over real protocols: an SMTP server and an HTTP SMS gateway on
// 127.0.0.1, each on a random port.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { buildJobHandlers } from '../../jobs/handlers.ts';
import { startWorker, type Worker } from '../../jobs/worker.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../test/support/fixtures.ts';
import { testConfig } from '../../../test/support/http.ts';
import { recordingLogger } from '../../../test/support/logger.ts';
import { parseMail, startTestSmtpServer, type TestSmtpServer } from '../../../test/support/mail.ts';
import { startTestSmsGateway, type TestSmsGateway } from '../../../test/support/sms-gateway.ts';
import { listOutboxMessages } from './messaging.repository.ts';
import { queueMessage } from './messaging.service.ts';

const ARABIC_SUBJECT = 'رمز التحقق الخاص بك';
const ARABIC_BODY = 'مرحبا،\nرمز التحقق هو 048213. صالح لمدة 15 دقيقة.\n— بلدية الكاف';

async function messageRow(db: Db, id: number) {
  return db.selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function jobFor(db: Db, messageId: number) {
  const jobs = await db.selectFrom('jobs').selectAll().where('kind', '=', 'send-message').execute();
  return jobs.find((j) => (JSON.parse(j.payload_json) as { messageId: number }).messageId === messageId)!;
}

describeEachDatabase('messaging', (suite) => {
  let municipality: MunicipalityRow;
  let smtp: TestSmtpServer;
  let gateway: TestSmsGateway;
  let worker: Worker;
  let keepingWorker: Worker;

  before(async () => {
    municipality = await createTestMunicipality(suite.db(), 'msg');
    smtp = await startTestSmtpServer();
    gateway = await startTestSmsGateway();
    const config = testConfig({
      MAIL_URL: smtp.url,
      MAIL_FROM: 'Commune du Kef <no-reply@kef.example>',
      SMS_GATEWAY_URL: gateway.url,
      SMS_GATEWAY_TOKEN: 'gateway-token-123',
    });
    worker = startWorker({ db: suite.db(), logger: recordingLogger(), handlers: buildJobHandlers({ db: suite.db(), config }) }, { autoStart: false });
    // A second install with nothing configured: messages stay in the outbox.
    keepingWorker = startWorker({ db: suite.db(), logger: recordingLogger(), handlers: buildJobHandlers({ db: suite.db(), config: testConfig() }) }, { autoStart: false });
  });
  after(async () => {
    await worker.stop();
    await keepingWorker.stop();
    await smtp.close();
    await gateway.close();
  });
  beforeEach(async () => {
    await suite.db().deleteFrom('jobs').execute();
    smtp.received.length = 0;
    gateway.requests.length = 0;
    gateway.respondWith(200);
  });

  test('an e-mail is delivered over SMTP as plain UTF-8 text, Arabic intact', async () => {
    const db = suite.db();
    const id = await db.transaction().execute((trx) =>
      queueMessage(trx, { municipalityId: municipality.id, channel: 'email', recipient: 'citoyen@example.tn', subject: ARABIC_SUBJECT, body: ARABIC_BODY, purpose: 'signup_code' }),
    );
    assert.equal((await messageRow(db, id)).status, 'queued');
    assert.equal(await worker.runOnce(), 1);

    assert.equal(smtp.received.length, 1);
    const [mail] = smtp.received;
    assert.deepEqual(mail!.envelopeTo, ['citoyen@example.tn']);
    assert.equal(mail!.envelopeFrom, 'no-reply@kef.example');
    const parsed = parseMail(mail!.raw);
    assert.equal(parsed.headers.get('to'), 'citoyen@example.tn');
    assert.match(parsed.headers.get('from') ?? '', /Commune du Kef <no-reply@kef\.example>/);
    assert.match(parsed.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8$/i);
    assert.match(parsed.headers.get('mime-version') ?? '', /^1\.0$/);
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
    assert.ok(parsed.headers.has('message-id') && parsed.headers.has('date'));
    assert.equal(parsed.subject, ARABIC_SUBJECT);
    assert.equal(parsed.text, ARABIC_BODY);
    // Raw headers stay 7-bit: non-ASCII is encoded, never sent as bare bytes.
    const rawHead = mail!.raw.slice(0, mail!.raw.indexOf('\r\n\r\n'));
    assert.doesNotMatch(rawHead, /[^\x00-\x7f]/);

    const row = await messageRow(db, id);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
    assert.notEqual(row.sent_at, null);
    assert.equal((await jobFor(db, id)).status, 'done');
  });

  test('an SMS is posted to the gateway as JSON with the bearer token', async () => {
    const db = suite.db();
    const id = await queueMessage(db, { municipalityId: municipality.id, channel: 'sms', recipient: '+21698123456', body: 'رمزك: 048213', purpose: 'login' });
    await worker.runOnce();
    assert.equal(gateway.requests.length, 1);
    const [request] = gateway.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.path, '/send');
    assert.equal(request!.headers.authorization, 'Bearer gateway-token-123');
    assert.match(request!.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(request!.body), { to: '+21698123456', text: 'رمزك: 048213' });
    assert.equal((await messageRow(db, id)).status, 'sent');
  });

  test('a gateway error is retried: queued in between, failed after the last attempt', async () => {
    const db = suite.db();
    gateway.respondWith(500);
    const id = await queueMessage(db, { municipalityId: municipality.id, channel: 'sms', recipient: '+21698000000', body: 'code 1', purpose: 'login' });
    const maxAttempts = (await jobFor(db, id)).max_attempts;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      assert.equal(await worker.runOnce(), 1, `attempt ${attempt} runs`);
      const message = await messageRow(db, id);
      const job = await jobFor(db, id);
      assert.equal(message.attempts, attempt);
      assert.match(message.last_error ?? '', /SMS gateway answered 500/);
      if (attempt < maxAttempts) {
        assert.equal(message.status, 'queued');
        assert.equal(job.status, 'pending');
        // Skip the backoff instead of waiting for it.
        await db.updateTable('jobs').set({ run_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', job.id).execute();
      } else {
        assert.equal(message.status, 'failed');
        assert.equal(job.status, 'failed');
      }
    }
    assert.equal(gateway.requests.length, maxAttempts);
  });

  test('a gateway that recovers delivers on the next attempt', async () => {
    const db = suite.db();
    gateway.respondWith(503);
    const id = await queueMessage(db, { municipalityId: municipality.id, channel: 'sms', recipient: '+21698000001', body: 'code 2', purpose: 'login' });
    await worker.runOnce();
    assert.equal((await messageRow(db, id)).status, 'queued');
    gateway.respondWith(200);
    await db.updateTable('jobs').set({ run_at: '2000-01-01T00:00:00.000Z' }).execute();
    await worker.runOnce();
    const message = await messageRow(db, id);
    assert.deepEqual([message.status, message.attempts, message.last_error], ['sent', 2, null]);
  });

  test('without a transport the message is kept in the outbox for administrators', async () => {
    const db = suite.db();
    const email = await queueMessage(db, { municipalityId: municipality.id, channel: 'email', recipient: 'a@example.tn', subject: 'Code', body: '111111', purpose: 'signup_code' });
    const sms = await queueMessage(db, { municipalityId: municipality.id, channel: 'sms', recipient: '+21698111111', body: '222222', purpose: 'login' });
    assert.equal(await keepingWorker.runOnce(), 2);
    assert.equal((await messageRow(db, email)).status, 'kept');
    assert.equal((await messageRow(db, sms)).status, 'kept');
    assert.equal(smtp.received.length + gateway.requests.length, 0);
    assert.equal((await jobFor(db, email)).status, 'done');
    const kept = await listOutboxMessages(db, { municipalityId: municipality.id, status: 'kept', limit: 10 });
    assert.deepEqual(
      kept.map((m) => [m.id, m.body]),
      [
        [sms, '222222'],
        [email, '111111'],
      ],
    );
  });

  test('a message queued in a rolled-back transaction is neither stored nor sent', async () => {
    const db = suite.db();
    const before = (await listOutboxMessages(db, { municipalityId: municipality.id, limit: 1000 })).length;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await queueMessage(trx, { municipalityId: municipality.id, channel: 'email', recipient: 'x@example.tn', body: 'never', purpose: 'test' });
        throw new Error('account creation failed');
      }),
    );
    assert.equal(await worker.runOnce(), 0);
    assert.equal((await listOutboxMessages(db, { municipalityId: municipality.id, limit: 1000 })).length, before);
    assert.equal(smtp.received.length, 0);
  });

  test('a message already sent is not sent again when its job runs twice', async () => {
    const db = suite.db();
    const id = await queueMessage(db, { municipalityId: municipality.id, channel: 'sms', recipient: '+21698222222', body: 'once', purpose: 'login' });
    await worker.runOnce();
    // A worker died after sending but before recording the job as done: the job runs again.
    await db.updateTable('jobs').set({ status: 'pending' }).execute();
    await worker.runOnce();
    assert.equal(gateway.requests.length, 1);
    assert.equal((await messageRow(db, id)).attempts, 1);
  });
});
