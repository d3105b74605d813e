import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from './cli.ts';
import { verifyPassword } from './modules/accounts/passwords.ts';
import { databaseKinds } from '../test/support/databases.ts';
import { captureIo, createScratchSite, type ScratchSite } from '../test/support/sites.ts';

test('an unknown command exits 2 and shows the usage', async () => {
  const { io, err } = captureIo({});
  assert.equal(await runCli(['frobnicate'], io), 2);
  assert.match(err.join('\n'), /Unknown command "frobnicate"/);
  assert.match(err.join('\n'), /Usage: twiza <command>/);
});

test('no command exits 2; help exits 0', async () => {
  const none = captureIo({});
  assert.equal(await runCli([], none.io), 2);
  const help = captureIo({});
  assert.equal(await runCli(['help'], help.io), 0);
  assert.match(help.out.join('\n'), /backup \[--out DIR\]/);
  assert.equal(await runCli(['toString'], captureIo({}).io), 2, 'object properties are not commands');
});

test('pb tally recomputes a participatory budget from a Pabulib file', async () => {
  const file = new URL('../../shared/pabulib/France_Toulouse_2022_7_-_Sept_Deniers_Ginestous-Sesquieres_Lalande.pb', import.meta.url).pathname;
  const { io, out } = captureIo({});
  assert.equal(await runCli(['pb', 'tally', file, '--rule', 'greedy_cost_sat', '--json'], io), 0);
  // The reference outcome in shared/pabulib/reference-outcomes.json for this file and rule.
  assert.deepEqual(JSON.parse(out.join('\n')), { winners: ['81', '83', '84', '86', '87', '89'], total_cost: 397300 });
  const bad = captureIo({});
  assert.equal(await runCli(['pb', 'count'], bad.io), 2);
  assert.match(bad.err.join('\n'), /Usage: twiza pb tally/);
});

test('a bad configuration exits 78 naming the variable', async () => {
  const { io, err } = captureIo({ DATABASE_URL: 'mysql://localhost/twiza' });
  assert.equal(await runCli(['migrate'], io), 78);
  assert.match(err.join('\n'), /DATABASE_URL: must be sqlite:PATH or postgres/);
});

test('an unknown option is a usage error', async () => {
  const { io, err } = captureIo({});
  assert.equal(await runCli(['backup', '--frobnicate'], io), 2);
  assert.match(err.join('\n'), /frobnicate/);
});

for (const kind of databaseKinds()) {
  describe(`twiza commands [${kind}]`, () => {
    let site: ScratchSite;
    before(async () => {
      site = await createScratchSite(kind);
    });
    after(() => site.cleanup());

    test('migrate applies the migrations once', async () => {
      const first = captureIo(site.env);
      assert.equal(await runCli(['migrate'], first.io), 0);
      assert.match(first.out.join('\n'), /^Applied: 0001-foundation/);
      const second = captureIo(site.env);
      assert.equal(await runCli(['migrate'], second.io), 0);
      assert.deepEqual(second.out, ['The database is up to date.']);
    });

    test('seed-demo loads El Kef once', async () => {
      const first = captureIo(site.env);
      assert.equal(await runCli(['seed-demo'], first.io), 0);
      assert.deepEqual(first.out, ['Loaded the demo municipality: El Kef (slug "kef").']);
      const second = captureIo(site.env);
      assert.equal(await runCli(['seed-demo'], second.io), 0);
      assert.deepEqual(second.out, ['The demo municipality "kef" is already there.']);
      const handle = site.open();
      try {
        const rows = await handle.db.selectFrom('municipalities').select(['slug', 'name_fr']).execute();
        assert.deepEqual(rows, [{ slug: 'kef', name_fr: 'Commune du Kef' }]);
      } finally {
        await handle.destroy();
      }
    });

    test('create-admin prints a password, last, that logs in; no other administrator is made', async () => {
      const { io, out } = captureIo(site.env);
      assert.equal(await runCli(['create-admin', '--email', 'Secretaire@Kef.tn', '--name', 'الكاتب العام'], io), 0);
      assert.match(out.join('\n'), /Administrator secretaire@kef\.tn created for kef\./);
      const password = out.at(-1)!;
      assert.match(password, /^[a-z0-9]{16,}$/);
      const handle = site.open();
      try {
        const admins = await handle.db
          .selectFrom('users')
          .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
          .select(['users.email', 'users.password_hash', 'users.display_name', 'users.status'])
          .where('user_roles.role', '=', 'admin')
          .execute();
        assert.deepEqual(
          admins.map((a) => [a.email, a.display_name, a.status]),
          [['secretaire@kef.tn', 'الكاتب العام', 'active']],
        );
        assert.equal(await verifyPassword(admins[0]!.password_hash!, password), true);
        assert.equal(await verifyPassword(admins[0]!.password_hash!, `${password}x`), false);
      } finally {
        await handle.destroy();
      }
    });

    test('create-admin refuses a taken e-mail, a missing e-mail and an unknown municipality', async () => {
      const taken = captureIo(site.env);
      assert.equal(await runCli(['create-admin', '--email', 'secretaire@kef.tn'], taken.io), 1);
      assert.match(taken.err.join('\n'), /already exists/);
      assert.doesNotMatch(taken.err.join('\n'), /\n\s+at /, 'no stack trace for an expected refusal');
      assert.equal(await runCli(['create-admin'], captureIo(site.env).io), 2);
      const elsewhere = captureIo(site.env);
      assert.equal(await runCli(['create-admin', '--email', 'a@b.tn', '--municipality', 'nowhere'], elsewhere.io), 2);
      assert.match(elsewhere.err.join('\n'), /No municipality "nowhere"/);
    });

    test('audit verify: 0 when intact, 1 naming the first broken entry, 2 for an unknown municipality', async () => {
      const intact = captureIo(site.env);
      assert.equal(await runCli(['audit', 'verify'], intact.io), 0);
      assert.match(intact.out.join('\n'), /^kef: OK, 2 entries, chain intact\.$/);
      assert.ok(intact.progress.some((p) => /kef: 2 entries checked/.test(p)), 'progress goes to the progress stream');

      const handle = site.open();
      try {
        await handle.db.updateTable('audit_log').set({ actor_label: 'someone else' }).where('seq', '=', 2).execute();
      } finally {
        await handle.destroy();
      }
      const broken = captureIo(site.env);
      assert.equal(await runCli(['audit', 'verify', '--municipality', 'kef'], broken.io), 1);
      assert.deepEqual(broken.out, ['kef: BROKEN at entry 2: content does not match its hash (1 entries valid before it).']);

      const unknown = captureIo(site.env);
      assert.equal(await runCli(['audit', 'verify', '--municipality', 'nowhere'], unknown.io), 2);
      assert.equal(await runCli(['audit'], captureIo(site.env).io), 2);
    });
  });
}
