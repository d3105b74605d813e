// The `twiza` command line. Each command is a plain function; long ones print progress.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { prepareDatabase, serve } from './main.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createMunicipality } from './modules/municipalities/municipalities.service.ts';
import { findMunicipalityBySlug, listMunicipalities } from './modules/municipalities/municipalities.repository.ts';
import { KEF_DEMO } from './modules/municipalities/demo-data.ts';
import { seedComplaintCatalogue } from './modules/complaints/demo-catalogue.ts';
import { createAdministrator } from './modules/accounts/administrators.service.ts';
import { verifyAuditChain } from './modules/audit/audit.service.ts';

const HELP = `Usage: twiza <command> [options]

  serve                              start the web site and the job worker (npm start)
  migrate                            apply database migrations
  seed-demo                          load the El Kef demo municipality if it is missing
  create-admin --email E [--municipality SLUG]
                                     create an administrator; prints a one-time password
  audit verify [--municipality SLUG] check the audit log's hash chain
  backup [--out DIR]                 copy the database and uploads while the site runs
  restore DIR [--yes]                restore a backup (stop the site first)

Configuration is read from environment variables; see README.md.`;

type Io = { out(line: string): void; err(line: string): void };
const stdio: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

export type Command = (args: string[], io: Io) => Promise<number>;

const commands: Record<string, Command> = {
  async serve() {
    await serve(loadConfig());
    return 0;
  },
  async migrate(_args, io) {
    const config = loadConfig();
    const database = openDatabase(config.database);
    try {
      const { applied } = await migrateToLatest(database.db);
      io.out(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
      return 0;
    } finally {
      await database.destroy();
    }
  },
  async 'seed-demo'(_args, io) {
    const config = loadConfig();
    const database = openDatabase(config.database);
    try {
      await migrateToLatest(database.db);
      let kef = await findMunicipalityBySlug(database.db, KEF_DEMO.slug);
      if (kef) {
        io.out('The demo municipality "kef" is already there.');
      } else {
        kef = await createMunicipality(database.db, KEF_DEMO);
        io.out('Loaded the demo municipality: El Kef (slug "kef").');
      }
      // Adds the complaint categories an older install lacks; those already there stay as edited.
      await seedComplaintCatalogue(database.db, kef.id);
      return 0;
    } finally {
      await database.destroy();
    }
  },
  async 'create-admin'(args, io) {
    const { values } = parseArgs({ args, options: { email: { type: 'string' }, municipality: { type: 'string' }, name: { type: 'string' } } });
    if (!values.email || !/^[^\s@]+@[^\s@]+$/.test(values.email)) {
      io.err('create-admin needs --email ADDRESS');
      return 2;
    }
    const config = loadConfig();
    const database = await prepareDatabase(config, { info: io.out });
    try {
      const slug = values.municipality ?? config.defaultMunicipality;
      const municipality = slug ? await findMunicipalityBySlug(database.db, slug) : (await listMunicipalities(database.db))[0];
      if (!municipality) {
        io.err(`No municipality "${slug}".`);
        return 2;
      }
      const admin = await createAdministrator(database.db, { municipality, email: values.email, displayName: values.name });
      io.out(`Administrator ${admin.email} created for ${municipality.slug}.`);
      io.out('Password (shown once):');
      io.out(admin.password);
      return 0;
    } finally {
      await database.destroy();
    }
  },
  async audit(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'verify') {
      io.err('Usage: twiza audit verify [--municipality SLUG]');
      return 2;
    }
    const { values } = parseArgs({ args: rest, options: { municipality: { type: 'string' } } });
    const config = loadConfig();
    const database = openDatabase(config.database);
    try {
      await migrateToLatest(database.db);
      const all = await listMunicipalities(database.db);
      const targets = values.municipality ? all.filter((m) => m.slug === values.municipality) : all;
      if (targets.length === 0) {
        io.err(`No municipality "${values.municipality}".`);
        return 2;
      }
      let failures = 0;
      for (const municipality of targets) {
        const result = await verifyAuditChain(database.db, municipality.id, (n) => process.stderr.write(`\r${municipality.slug}: ${n} entries checked`));
        process.stderr.write('\n');
        if (result.ok) io.out(`${municipality.slug}: OK, ${result.checked} entries, chain intact.`);
        else {
          failures += 1;
          io.out(`${municipality.slug}: BROKEN at entry ${result.brokenAtSeq}: ${result.reason} (${result.checked} entries valid before it).`);
        }
      }
      return failures === 0 ? 0 : 1;
    } finally {
      await database.destroy();
    }
  },
};

export async function runCli(argv: string[], io: Io = stdio, extra: Record<string, Command> = {}): Promise<number> {
  const [name, ...args] = argv;
  const all = { ...commands, ...extra };
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(HELP);
    return name ? 0 : 2;
  }
  const command = all[name];
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${HELP}`);
    return 2;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 78; // EX_CONFIG
    }
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}
