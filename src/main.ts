// Starting Twiza: open and migrate the database, load the demo municipality into an empty
// database, make sure an administrator exists, then serve HTTP and run jobs until a signal
// asks us to stop. Shutdown tells the load balancer first (/readyz answers 503), lets in-flight
// requests and the running job finish, and hands back claimed jobs.
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { buildApp } from './app.ts';
import { isAppError, isUniqueViolation } from './lib/errors.ts';
import { resolveSecretKey } from './lib/secret.ts';
import { createTenantResolver } from './modules/municipalities/tenant-resolver.ts';
import { createMunicipality } from './modules/municipalities/municipalities.service.ts';
import { findMunicipalityBySlug, listMunicipalities } from './modules/municipalities/municipalities.repository.ts';
import { KEF_DEMO } from './modules/municipalities/demo-data.ts';
import { seedComplaintCatalogue } from './modules/complaints/demo-catalogue.ts';
import { seedBudgetDemo } from './modules/budget/demo-budget.ts';
import { countAdministrators, createAdministrator } from './modules/accounts/administrators.service.ts';
import { startWorker } from './jobs/worker.ts';
import { buildJobHandlers } from './jobs/handlers.ts';
import { startSchedules } from './jobs/schedules.ts';
import { markRunning } from './ops/running.ts';

export type Output = { info(line: string): void };

export type PrepareOptions = {
  /** Create and print an administrator when the home municipality has none (first start). */
  createFirstAdministrator?: boolean;
};

/** Another process starting at the same moment did it first: fine, it is done. */
function isRaceLost(error: unknown): boolean {
  return isUniqueViolation(error) || isAppError(error, 'conflict');
}

export async function prepareDatabase(config: Config, out: Output, options: PrepareOptions = {}): Promise<DatabaseHandle> {
  const database = openDatabase(config.database);
  try {
    const { applied } = await migrateToLatest(database.db, database.schema);
    if (applied.length) out.info(`Applied migrations: ${applied.join(', ')}`);
    let municipalities = await listMunicipalities(database.db);
    if (municipalities.length === 0) {
      if (!config.demoData) {
        throw new Error('The database has no municipality. Run `twiza seed-demo`, or start once with DEMO_DATA=true.');
      }
      try {
        const kef = await createMunicipality(database.db, KEF_DEMO);
        await seedComplaintCatalogue(database.db, kef.id);
        await seedBudgetDemo(database.db, kef.id, new Date().toISOString());
        out.info('Loaded the demo municipality: El Kef (slug "kef").');
      } catch (error) {
        if (!isRaceLost(error)) throw error;
      }
      municipalities = await listMunicipalities(database.db);
    }
    const home =
      (config.defaultMunicipality && (await findMunicipalityBySlug(database.db, config.defaultMunicipality))) || municipalities[0]!;
    if ((options.createFirstAdministrator ?? true) && (await countAdministrators(database.db, home.id)) === 0) {
      try {
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
      } catch (error) {
        if (!isRaceLost(error)) throw error;
      }
    }
    return database;
  } catch (error) {
    await database.destroy();
    throw error;
  }
}

export type RunningSite = {
  /** The address it listens on, such as http://localhost:3000. */
  url: string;
  /** Stops serving and working; resolves when everything is closed. Safe to call twice. */
  shutdown(reason: string): Promise<void>;
};

function displayUrl(config: Config, address: { address: string; port: number; family: string }): string {
  if (config.publicUrl) return config.publicUrl;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startSite(config: Config, out: Output): Promise<RunningSite> {
  const database = await prepareDatabase(config, out);
  const secretKey = resolveSecretKey(config.secretKey, config.dataDir);
  const tenants = createTenantResolver(database.db, config.defaultMunicipality);
  const app = await buildApp({ config, database, secretKey, tenants });
  const worker = config.runJobs
    ? startWorker({ db: database.db, handlers: buildJobHandlers({ db: database.db, config }), logger: app.log })
    : undefined;
  const schedules = config.runJobs ? startSchedules({ db: database.db, logger: app.log }) : undefined;

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address() as { address: string; port: number; family: string };
  const url = displayUrl(config, address);
  const running = markRunning(config.dataDir, {
    startedAt: new Date().toISOString(),
    url: `http://${config.host}:${address.port}`,
    database: config.database.kind === 'sqlite' ? config.database.file : 'postgres',
  });

  let stopped: Promise<void> | undefined;
  async function stop(reason: string): Promise<void> {
    app.log.info({ reason }, 'shutting down');
    app.shuttingDown = true;
    schedules?.stop();
    // The worker starts nothing new from now on; HTTP keeps serving (with /readyz at 503) for
    // the configured delay so a load balancer moves traffic away before connections close.
    const drainHttp = (async () => {
      if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
      await app.close();
    })();
    const results = await Promise.allSettled([drainHttp, worker?.stop()]);
    running.release();
    await database.destroy();
    const failure = results.find((r) => r.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
  }
  return {
    url,
    shutdown(reason) {
      stopped ??= stop(reason);
      return stopped;
    },
  };
}

/** `twiza serve`: runs until SIGTERM or SIGINT, then shuts down gracefully and exits. */
export async function serve(config: Config): Promise<void> {
  const out: Output = { info: (line) => process.stdout.write(`${line}\n`) };
  const site = await startSite(config, out);
  const onSignal = (signal: NodeJS.Signals) => {
    const force = setTimeout(() => {
      process.stderr.write('Shutdown took too long; exiting.\n');
      process.exit(1);
    }, config.shutdownDelayMs + 25_000);
    force.unref();
    site.shutdown(signal).then(
      // Exit explicitly: a client library's idle timer must not keep a stopped server alive.
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  out.info(`Twiza is running at ${site.url}`);
}
