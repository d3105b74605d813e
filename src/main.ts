// Starting Twiza: open and migrate the database, load the demo municipality into an empty
// database, make sure an administrator exists, then serve HTTP and run jobs until a signal
// asks us to stop. Shutdown lets in-flight requests finish and hands back claimed jobs.
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { resolveSecretKey } from './lib/secret.ts';
import { createTenantResolver } from './modules/municipalities/tenant-resolver.ts';
import { createMunicipality } from './modules/municipalities/municipalities.service.ts';
import { findMunicipalityBySlug, listMunicipalities } from './modules/municipalities/municipalities.repository.ts';
import { KEF_DEMO } from './modules/municipalities/demo-data.ts';
import { seedComplaintCatalogue } from './modules/complaints/demo-catalogue.ts';
import { countAdministrators, createAdministrator } from './modules/accounts/administrators.service.ts';
import { startWorker } from './jobs/worker.ts';
import { buildJobHandlers } from './jobs/handlers.ts';
import { startSchedules } from './jobs/schedules.ts';

export type Output = { info(line: string): void };

export async function prepareDatabase(config: Config, out: Output): Promise<DatabaseHandle> {
  const database = openDatabase(config.database);
  const { applied } = await migrateToLatest(database.db);
  if (applied.length) out.info(`Applied migrations: ${applied.join(', ')}`);
  let municipalities = await listMunicipalities(database.db);
  if (municipalities.length === 0) {
    if (!config.demoData) {
      throw new Error('The database has no municipality. Run `twiza seed-demo`, or start once with DEMO_DATA=true.');
    }
    const kef = await createMunicipality(database.db, KEF_DEMO);
    await seedComplaintCatalogue(database.db, kef.id);
    out.info('Loaded the demo municipality: El Kef (slug "kef").');
    municipalities = await listMunicipalities(database.db);
  }
  const home =
    (config.defaultMunicipality && (await findMunicipalityBySlug(database.db, config.defaultMunicipality))) || municipalities[0]!;
  if ((await countAdministrators(database.db, home.id)) === 0) {
    const admin = await createAdministrator(database.db, { municipality: home, email: `admin@${home.slug}.twiza.local` });
    out.info(
      [
        '',
        '================ First administrator ================',
        `  e-mail:   ${admin.email}`,
        `  password: ${admin.password}`,
        '  Shown once only. Log in and change it from "My account".',
        '=====================================================',
        '',
      ].join('\n'),
    );
  }
  return database;
}

export async function serve(config: Config): Promise<void> {
  const out: Output = { info: (line) => process.stdout.write(`${line}\n`) };
  const database = await prepareDatabase(config, out);
  const secretKey = resolveSecretKey(config.secretKey, config.dataDir);
  const tenants = createTenantResolver(database.db, config.defaultMunicipality);
  const app = await buildApp({ config, database, secretKey, tenants });
  const worker = config.runJobs
    ? startWorker({ db: database.db, handlers: buildJobHandlers({ db: database.db, config }), logger: app.log })
    : undefined;
  const schedules = config.runJobs ? startSchedules({ db: database.db, logger: app.log }) : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    app.shuttingDown = true;
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    try {
      schedules?.stop();
      await app.close();
      await worker?.stop();
      await database.destroy();
    } finally {
      clearTimeout(force);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  const shown = config.publicUrl ?? `http://localhost:${(app.server.address() as { port: number }).port}`;
  out.info(`Twiza is running at ${shown}`);
}
