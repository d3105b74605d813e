// The real server as an operator starts it (`node bin/twiza.js serve`), stopped with SIGTERM
// while a job is in flight: it answers /readyz with 503 while draining, lets the running job
// finish, hands the claimed ones back, removes its running record and exits 0.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli.ts';
import { queueMessage } from './modules/messaging/messaging.service.ts';
import { databaseKinds } from '../test/support/databases.ts';
import { captureIo, createScratchSite, type ScratchSite } from '../test/support/sites.ts';
import { startTestSmsGateway, type TestSmsGateway } from '../test/support/sms-gateway.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'twiza.js');

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]);
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

for (const kind of databaseKinds()) {
  describe(`graceful shutdown of the real server [${kind}]`, () => {
    let site: ScratchSite;
    let gateway: TestSmsGateway;
    let child: ChildProcess | undefined;
    const stderr: string[] = [];
    before(async () => {
      site = await createScratchSite(kind);
      gateway = await startTestSmsGateway();
    });
    after(async () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await gateway.close();
      await site.cleanup();
    });

    test('SIGTERM: 503 on /readyz, the running job finishes, claimed jobs are released, exit 0', { timeout: 90_000 }, async () => {
      assert.equal(await runCli(['seed-demo'], captureIo(site.env).io), 0);
      const handle = site.open();
      const messageIds: number[] = [];
      try {
        const kef = await handle.db.selectFrom('municipalities').select('id').where('slug', '=', 'kef').executeTakeFirstOrThrow();
        for (const n of [1, 2, 3]) {
          messageIds.push(await queueMessage(handle.db, { municipalityId: kef.id, channel: 'sms', recipient: `+2169800000${n}`, body: `message ${n}`, purpose: 'test' }));
        }
      } finally {
        await handle.destroy();
      }
      const held = gateway.hold();

      child = spawn(process.execPath, [BIN, 'serve'], {
        env: { ...site.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SMS_GATEWAY_URL: gateway.url, SHUTDOWN_DELAY_SECONDS: '2' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
      const lines = createInterface({ input: child.stdout! });
      const url = await within(
        30_000,
        'the "running at" line',
        new Promise<string>((resolve, reject) => {
          lines.on('line', (line) => {
            const match = /^Twiza is running at (http:\/\/\S+)$/.exec(line);
            if (match) resolve(match[1]!);
          });
          child!.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${stderr.join('')}`)));
        }),
      );
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);

      // The first message's job is now running, held by the gateway; the batch is claimed.
      await within(30_000, 'the first SMS to reach the gateway', held.arrived);
      const home = await fetch(`${url}/fr/`);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /Commune du Kef/);
      const ready = await fetch(`${url}/readyz`);
      assert.deepEqual([ready.status, await ready.json()], [200, { status: 'ready' }]);
      const runningRecord = path.join(site.dataDir, 'run', `${child.pid}.json`);
      assert.ok(fs.existsSync(runningRecord), 'serve records that it is running');

      child.kill('SIGTERM');
      const answers: (number | 'closed')[] = [];
      for (let polls = 0; polls < 400 && !answers.includes(503) && !answers.includes('closed'); polls += 1) {
        try {
          const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
          answers.push(response.status);
          await response.body?.cancel();
        } catch {
          answers.push('closed');
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      held.release();
      const { code, signal } = await within(60_000, 'the server to exit', exitOf(child));
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr.join(''));
      assert.ok(answers.includes(503), `/readyz answered 503 while draining (answers: ${answers.join(', ')})`);
      assert.ok(!fs.existsSync(runningRecord), 'the running record is removed');

      const after = site.open();
      try {
        const jobs = await after.db.selectFrom('jobs').select(['payload_json', 'status', 'attempts', 'locked_by']).where('kind', '=', 'send-message').execute();
        const byMessage = new Map(jobs.map((j) => [(JSON.parse(j.payload_json) as { messageId: number }).messageId, j]));
        assert.deepEqual(
          messageIds.map((id) => [byMessage.get(id)?.status, byMessage.get(id)?.attempts, byMessage.get(id)?.locked_by]),
          [
            ['done', 1, null],
            ['pending', 0, null],
            ['pending', 0, null],
          ],
        );
        const running = await after.db.selectFrom('jobs').select('id').where('status', '=', 'running').execute();
        assert.deepEqual(running, [], 'no job is left running');
        const messages = await after.db.selectFrom('outbox_messages').select(['id', 'status']).orderBy('id').execute();
        assert.deepEqual(
          messages.filter((m) => messageIds.includes(m.id)).map((m) => m.status),
          ['sent', 'queued', 'queued'],
        );
      } finally {
        await after.destroy();
      }
      assert.equal(gateway.requests.length, 1, 'nothing new was sent after SIGTERM');
    });
  });
}
