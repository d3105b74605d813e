// The first start of an empty install, and what a second start leaves alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from './config.ts';
import { prepareDatabase } from './main.ts';
import { verifyPassword } from './modules/accounts/passwords.ts';
import { databaseKinds } from '../test/support/databases.ts';
import { createScratchSite, type ScratchSite } from '../test/support/sites.ts';

for (const kind of databaseKinds()) {
  describe(`first start [${kind}]`, () => {
    let site: ScratchSite;
    before(async () => {
      site = await createScratchSite(kind);
    });
    after(() => site.cleanup());

    test('without demo data, an empty database is refused with what to do', async () => {
      const lines: string[] = [];
      await assert.rejects(prepareDatabase(loadConfig({ ...site.env, DEMO_DATA: 'false' }), { info: (l) => lines.push(l) }), /has no municipality\. Run `twiza seed-demo`/);
    });

    test('an empty database gets the demo municipality and one administrator whose password is printed once', async () => {
      const lines: string[] = [];
      const database = await prepareDatabase(loadConfig(site.env), { info: (l) => lines.push(l) });
      try {
        const text = lines.join('\n');
        assert.match(text, /Loaded the demo municipality: El Kef \(slug "kef"\)\./);
        assert.match(text, /First administrator/);
        assert.match(text, /e-mail: {3}admin@kef\.twiza\.local/);
        const password = /password: (\S+)/.exec(text)?.[1];
        assert.ok(password && password.length >= 16);
        const admins = await database.db
          .selectFrom('users')
          .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
          .select(['users.email', 'users.password_hash', 'users.status'])
          .where('user_roles.role', '=', 'admin')
          .execute();
        assert.equal(admins.length, 1);
        assert.equal(admins[0]!.email, 'admin@kef.twiza.local');
        assert.equal(admins[0]!.status, 'active');
        assert.equal(await verifyPassword(admins[0]!.password_hash!, password), true, 'the printed password logs in');
        const municipalities = await database.db.selectFrom('municipalities').select(['slug', 'name_ar']).execute();
        assert.deepEqual(municipalities, [{ slug: 'kef', name_ar: 'بلدية الكاف' }]);
      } finally {
        await database.destroy();
      }
    });

    test('a second start creates no other administrator and prints no password', async () => {
      const lines: string[] = [];
      const database = await prepareDatabase(loadConfig(site.env), { info: (l) => lines.push(l) });
      try {
        assert.deepEqual(lines, [], 'nothing to apply, load or create');
        const admins = await database.db.selectFrom('user_roles').select('user_id').where('role', '=', 'admin').execute();
        assert.equal(admins.length, 1);
        assert.equal((await database.db.selectFrom('municipalities').select('id').execute()).length, 1);
      } finally {
        await database.destroy();
      }
    });

    test('an administrator for the home municipality is created when it has none, even on a later start', async () => {
      const database = await prepareDatabase(loadConfig(site.env), { info: () => {} });
      try {
        await database.db.deleteFrom('user_roles').where('role', '=', 'admin').execute();
        await database.db.deleteFrom('users').execute();
      } finally {
        await database.destroy();
      }
      const lines: string[] = [];
      const again = await prepareDatabase(loadConfig(site.env), { info: (l) => lines.push(l) });
      await again.destroy();
      assert.match(lines.join('\n'), /First administrator/);
      const quiet: string[] = [];
      const noAdmin = await prepareDatabase(loadConfig(site.env), { info: (l) => quiet.push(l) }, { createFirstAdministrator: false });
      await noAdmin.destroy();
      assert.deepEqual(quiet, []);
    });
  });
}
