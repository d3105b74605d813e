import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { databaseKinds, describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../test/support/fixtures.ts';
import { buildTestApp, type TestClient } from '../../../test/support/http.ts';
import { captureIo, createScratchSite, type ScratchSite } from '../../../test/support/sites.ts';
import { runCli } from '../../cli.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { actorFor, auditedBy, auditEntries, createTenant, parsed, signedInClient, textOf, type TenantFixture } from '../admin/admin.test-support.ts';
import { verifyAuditChain } from '../audit/audit.service.ts';
import { checkApiKey, createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.ts';

describeEachDatabase('API keys', (suite) => {
  let app: FastifyInstance;
  let alpha: TenantFixture;
  let beta: TenantFixture;
  let admin: TestClient;

  before(async () => {
    alpha = await createTenant(suite.db(), 'alpha');
    beta = await createTenant(suite.db(), 'beta');
    app = await buildTestApp(suite.handle());
    admin = await signedInClient(app, alpha.admin, 'alpha.example');
  });
  after(() => app.close());

  const alphaAdmin = () => actorFor(alpha.admin, [{ role: 'admin' }]);
  const keyRows = (municipalityId: number) => suite.db().selectFrom('api_keys').selectAll().where('municipality_id', '=', municipalityId).orderBy('id').execute();

  test('a key is random, shown once, stored as its SHA-256 with a short prefix, and audited', async () => {
    let created!: Awaited<ReturnType<typeof createApiKey>>;
    const entries = await auditedBy(suite.db(), alpha.municipality.id, async () => {
      created = await createApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: alpha.municipality.id, name: '  Twiza app  ' });
    });
    assert.match(created.key, /^twz_[a-z2-7]{32}$/);
    const [row] = (await keyRows(alpha.municipality.id)).filter((r) => r.id === created.apiKey.id);
    assert.equal(row!.key_hash, sha256Hex(created.key));
    assert.equal(row!.key_prefix, created.key.slice(0, 12));
    assert.equal(row!.name, 'Twiza app');
    assert.equal(row!.created_by, alpha.admin.id);
    const everything = JSON.stringify(await suite.db().selectFrom('api_keys').selectAll().execute()) + JSON.stringify(await auditEntries(suite.db(), alpha.municipality.id));
    assert.ok(!everything.includes(created.key), 'the key itself is stored nowhere');
    assert.deepEqual(entries.map((e) => [e.action, e.entity_id, parsed(e.after_json)]), [['api_key.created', String(created.apiKey.id), { name: 'Twiza app', prefix: created.apiKey.prefix }]]);
    const other = await createApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: alpha.municipality.id, name: 'Second' });
    assert.notEqual(other.key, created.key);
  });

  test('checking a key: valid for its own municipality only, never after revocation; use recorded', async () => {
    const { key, apiKey } = await createApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: alpha.municipality.id, name: 'Checked' });
    assert.deepEqual(await checkApiKey(suite.db(), { municipalityId: alpha.municipality.id, key: undefined }), { ok: false, reason: 'missing' });
    assert.deepEqual(await checkApiKey(suite.db(), { municipalityId: alpha.municipality.id, key: 'twz_wrong' }), { ok: false, reason: 'invalid' });
    assert.deepEqual(await checkApiKey(suite.db(), { municipalityId: beta.municipality.id, key }), { ok: false, reason: 'invalid' });
    assert.deepEqual(await checkApiKey(suite.db(), { municipalityId: alpha.municipality.id, key: 'x'.repeat(10_000) }), { ok: false, reason: 'invalid' });
    const ok = await checkApiKey(suite.db(), { municipalityId: alpha.municipality.id, key: ` ${key} ` });
    assert.equal(ok.ok, true);
    const used = (await keyRows(alpha.municipality.id)).find((r) => r.id === apiKey.id)!;
    assert.ok(used.last_used_at);

    const entries = await auditedBy(suite.db(), alpha.municipality.id, () =>
      revokeApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: alpha.municipality.id, apiKeyId: apiKey.id }),
    );
    assert.deepEqual(entries.map((e) => [e.action, parsed(e.before_json), Object.keys(parsed(e.after_json) as object)]), [
      ['api_key.revoked', { name: 'Checked', prefix: apiKey.prefix, revoked_at: null }, ['revoked_at']],
    ]);
    assert.deepEqual(await checkApiKey(suite.db(), { municipalityId: alpha.municipality.id, key }), { ok: false, reason: 'revoked' });
    await assert.rejects(revokeApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: alpha.municipality.id, apiKeyId: apiKey.id }), /already revoked/);
  });

  test('only administrators of the municipality manage keys; another municipality’s key is not found', async () => {
    const agent = actorFor(alpha.agent, [{ role: 'staff_agent', departmentId: alpha.departments[0]!.id }]);
    await assert.rejects(createApiKey(suite.db(), { actor: agent, municipalityId: alpha.municipality.id, name: 'x' }), { code: 'forbidden' });
    await assert.rejects(listApiKeys(suite.db(), { actor: null, municipalityId: alpha.municipality.id }), { code: 'unauthenticated' });
    await assert.rejects(createApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: beta.municipality.id, name: 'x' }), { code: 'forbidden' });
    const betaAdmin = actorFor(beta.admin, [{ role: 'admin' }]);
    const betaKey = await createApiKey(suite.db(), { actor: betaAdmin, municipalityId: beta.municipality.id, name: 'Beta app' });
    await assert.rejects(revokeApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: alpha.municipality.id, apiKeyId: betaKey.apiKey.id }), { code: 'not_found' });
    await assert.rejects(createApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: alpha.municipality.id, name: '   ' }), { code: 'validation' });
    await assert.rejects(createApiKey(suite.db(), { actor: alphaAdmin(), municipalityId: alpha.municipality.id, name: 'x'.repeat(81) }), { code: 'validation' });
  });

  test('the back office page: create (shown once), list, revoke; bad input and CSRF refused with nothing changed', async () => {
    const page = await admin.get('/en/admin/api-keys');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /href="\/en\/admin\/api-keys" aria-current="page"/);
    assert.match(textOf(page.body), /API keys \(Open311\)/);

    const before = (await keyRows(alpha.municipality.id)).length;
    const auditBefore = (await auditEntries(suite.db(), alpha.municipality.id)).length;
    const empty = await admin.submit('/fr/admin/api-keys', '/fr/admin/api-keys', { name: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(textOf(empty.body), /Nom : Ce champ est obligatoire\./);
    const long = await admin.submit('/en/admin/api-keys', '/en/admin/api-keys', { name: 'n'.repeat(81) });
    assert.equal(long.statusCode, 400);
    assert.match(textOf(long.body), /At most 80 characters/);
    assert.match(long.body, new RegExp(`value="${'n'.repeat(81)}"`), 'what was typed is kept');
    await admin.get('/en/admin/api-keys');
    const forged = await admin.post('/en/admin/api-keys', { _csrf: 'forged.token', name: 'Forged' });
    assert.equal(forged.statusCode, 403);
    assert.equal((await keyRows(alpha.municipality.id)).length, before);
    assert.equal((await auditEntries(suite.db(), alpha.municipality.id)).length, auditBefore);

    const created = await admin.submit('/ar/admin/api-keys', '/ar/admin/api-keys', { name: 'تطبيق الجمعية <b>' });
    assert.equal(created.statusCode, 201);
    const shown = /id="new-api-key"[^>]*value="(twz_[a-z2-7]{32})"/.exec(created.body)?.[1];
    assert.ok(shown, 'the new key is on the page');
    assert.equal(created.headers['cache-control'], 'no-store');
    assert.doesNotMatch(created.body, /<b>/);
    const row = (await keyRows(alpha.municipality.id)).at(-1)!;
    assert.equal(row.key_hash, sha256Hex(shown!));
    assert.equal(row.name, 'تطبيق الجمعية <b>');
    const list = await admin.get('/ar/admin/api-keys');
    assert.ok(!list.body.includes(shown!), 'the key is never shown again');
    assert.ok(list.body.includes(`${shown!.slice(0, 12)}…`));

    const revoked = await admin.submit('/en/admin/api-keys', `/en/admin/api-keys/${row.id}/revoke`, {});
    assert.equal(revoked.statusCode, 303);
    assert.equal(revoked.headers.location, '/en/admin/api-keys');
    const after = await admin.get('/en/admin/api-keys');
    assert.match(textOf(after.body), /Key revoked: it is no longer accepted\./);
    assert.ok((await keyRows(alpha.municipality.id)).at(-1)!.revoked_at);
    const twice = await admin.submit('/en/admin/api-keys', `/en/admin/api-keys/${row.id}/revoke`, {});
    assert.equal(twice.statusCode, 409);
    assert.match(textOf(twice.body), /This key is already revoked\./);
  });

  test('staff without the right, and other municipalities’ keys, are refused', async () => {
    const agent = await signedInClient(app, alpha.agent, 'alpha.example');
    const page = await agent.get('/en/admin/api-keys');
    assert.equal(page.statusCode, 403);
    const dashboard = await agent.get('/en/admin');
    assert.doesNotMatch(dashboard.body, /admin\/api-keys/, 'no link to a page they cannot open');
    const betaKey = (await keyRows(beta.municipality.id))[0]!;
    const foreign = await admin.submit('/en/admin/api-keys', `/en/admin/api-keys/${betaKey.id}/revoke`, {});
    assert.equal(foreign.statusCode, 404);
    assert.equal((await keyRows(beta.municipality.id))[0]!.revoked_at, null);
    assert.equal((await verifyAuditChain(suite.db(), alpha.municipality.id)).ok, true);
  });
});

for (const kind of databaseKinds()) {
  describe(`twiza api-key [${kind}]`, () => {
    let site: ScratchSite;
    before(async () => {
      site = await createScratchSite(kind);
      const handle = site.open();
      try {
        const { migrateToLatest } = await import('../../db/migrate.ts');
        await migrateToLatest(handle.db);
        await createTestMunicipality(handle.db, 'kef');
        await createTestMunicipality(handle.db, 'tunis');
      } finally {
        await handle.destroy();
      }
    });
    after(() => site.cleanup());

    test('create prints the key as the last line; list and revoke; every change audited as the CLI', async () => {
      const created = captureIo(site.env);
      assert.equal(await runCli(['api-key', 'create', '--municipality', 'kef', '--name', 'Civic map'], created.io), 0);
      const key = created.out.at(-1)!;
      assert.match(key, /^twz_[a-z2-7]{32}$/);
      assert.match(created.out[0]!, /^API key (\d+) "Civic map" created for kef \(it starts with twz_[a-z2-7]{8}\)\.$/);
      const id = /^API key (\d+)/.exec(created.out[0]!)![1]!;

      const handle = site.open();
      try {
        const row = await handle.db.selectFrom('api_keys').selectAll().where('id', '=', Number(id)).executeTakeFirstOrThrow();
        assert.equal(row.key_hash, sha256Hex(key));
        assert.equal(row.created_by, null);
        const entries = await handle.db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'api_key').execute();
        assert.deepEqual(entries.map((e) => [e.action, e.actor_label]), [['api_key.created', 'cli']]);
      } finally {
        await handle.destroy();
      }

      const listed = captureIo(site.env);
      assert.equal(await runCli(['api-key', 'list'], listed.io), 0);
      assert.equal(listed.out.length, 1);
      assert.match(listed.out[0]!, new RegExp(`^${id}\\tkef\\t${key.slice(0, 12)}…\\tactive\\tlast used never\\tCivic map$`));
      assert.ok(!listed.out.join('\n').includes(key));

      const revoked = captureIo(site.env);
      assert.equal(await runCli(['api-key', 'revoke', '--id', id], revoked.io), 0);
      assert.deepEqual(revoked.out, [`API key ${id} "Civic map" revoked: it is no longer accepted.`]);
      const again = captureIo(site.env);
      assert.equal(await runCli(['api-key', 'revoke', '--id', id], again.io), 1);
      assert.match(again.err.join('\n'), /already revoked/);
      const afterList = captureIo(site.env);
      await runCli(['api-key', 'list', '--municipality', 'kef'], afterList.io);
      assert.match(afterList.out[0]!, /\trevoked \d{4}-/);
    });

    test('usage errors: no name, no or unknown municipality among several, bad id', async () => {
      const cases: [string[], number, RegExp][] = [
        [['api-key'], 2, /Usage: twiza api-key create/],
        [['api-key', 'create', '--municipality', 'kef'], 2, /needs --name/],
        [['api-key', 'create', '--name', 'x'], 2, /needs --municipality/],
        [['api-key', 'create', '--municipality', 'sfax', '--name', 'x'], 2, /No municipality "sfax"/],
        [['api-key', 'revoke'], 2, /needs --id N/],
        [['api-key', 'revoke', '--id', 'abc'], 2, /needs --id N/],
        [['api-key', 'revoke', '--id', '99999'], 1, /No API key 99999/],
        [['api-key', 'list', '--municipality', 'sfax'], 2, /No municipality "sfax"/],
      ];
      for (const [args, code, message] of cases) {
        const io = captureIo(site.env);
        assert.equal(await runCli(args, io.io), code, args.join(' '));
        assert.match(io.err.join('\n'), message, args.join(' '));
        assert.deepEqual(io.out, [], 'no key printed');
      }
    });
  });
}
