// The `twiza` command line. Each command is a plain function taking its arguments and an `io`
// (output, error, progress, environment), so tests run them in-process; long ones show
// progress on stderr.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { prepareDatabase, serve } from './main.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { isAppError } from './lib/errors.ts';
import { createMunicipality } from './modules/municipalities/municipalities.service.ts';
import { findMunicipalityBySlug, listMunicipalities } from './modules/municipalities/municipalities.repository.ts';
import { KEF_DEMO } from './modules/municipalities/demo-data.ts';
import { seedComplaintCatalogue } from './modules/complaints/demo-catalogue.ts';
import { seedBudgetDemo } from './modules/budget/demo-budget.ts';
import { apiKeyCommand } from './modules/complaints/api-keys.cli.ts';
import { PB_TALLY_USAGE, pbTally } from './modules/budget/outcome/tally-command.ts';
import { PB_EXPORT_USAGE, PB_IMPORT_USAGE, pbExport, pbImport } from './modules/budget/pb-commands.ts';
import { createAdministrator } from './modules/accounts/administrators.service.ts';
import { verifyAuditChain } from './modules/audit/audit.service.ts';
import { createBackup } from './ops/backup.ts';
import { formatBytes } from './ops/files.ts';
import { BackupError } from './ops/manifest.ts';
import { PgToolError } from './ops/postgres-tools.ts';
import { planRestore, restoreBackup } from './ops/restore.ts';

const HELP = `Usage: twiza <command> [options]

  serve                              start the web site and the job worker (npm start)
  migrate                            apply database migrations
  seed-demo                          load the El Kef demo municipality if it is missing
  create-admin --email E [--municipality SLUG] [--name NAME]
                                     create an administrator; prints a one-time password
  audit verify [--municipality SLUG] check the audit log's hash chain
  api-key create --municipality SLUG --name NAME
                                     create an Open311 API key; prints it once, last
  api-key list [--municipality SLUG] | api-key revoke --id N
  backup [--out DIR]                 copy the database and uploads while the site runs,
                                     into a new folder in DIR (default DATA_DIR/backups)
  restore DIR [--yes]                restore a backup folder (stop the site first)
  pb tally FILE.pb --rule RULE [--tie-breaking RULE] [--json]
                                     the winners of a participatory budget from a Pabulib file
  pb export CYCLE [--municipality SLUG] [--out DIR]
                                     a cycle's anonymised ballots, one .pb file per envelope
  pb import FILE.pb --slug SLUG [--municipality SLUG] [--year YEAR] [--rule RULE]
                                     a Pabulib file as a new cycle (vote closed, results to publish)

Configuration is read from environment variables; see README.md.`;

export type Io = {
  out(line: string): void;
  err(line: string): void;
  /** A progress line on stderr, overwritten by the next one on a terminal. */
  progress?(text: string): void;
  /** Where configuration is read from; process.env by default. */
  env?: Record<string, string | undefined>;
};

function terminalIo(): Io {
  const tty = process.stderr.isTTY;
  let progressShown = false;
  const endProgress = () => {
    if (progressShown) process.stderr.write('\n');
    progressShown = false;
  };
  return {
    out(line) {
      endProgress();
      process.stdout.write(`${line}\n`);
    },
    err(line) {
      endProgress();
      process.stderr.write(`${line}\n`);
    },
    progress(text) {
      if (tty) {
        process.stderr.write(`\r\x1b[K${text}`);
        progressShown = true;
      } else {
        process.stderr.write(`${text}\n`);
      }
    },
  };
}

export type Command = (args: string[], io: Io) => Promise<number>;

function configOf(io: Io): Config {
  return loadConfig(io.env ?? process.env);
}

const commands: Record<string, Command> = {
  async serve(_args, io) {
    await serve(configOf(io));
    return 0;
  },

  async migrate(_args, io) {
    const config = configOf(io);
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
    const config = configOf(io);
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
      await seedBudgetDemo(database.db, kef.id, new Date().toISOString());
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
    const config = configOf(io);
    // Only the administrator asked for: no automatic first administrator besides it.
    const database = await prepareDatabase(config, { info: io.out }, { createFirstAdministrator: false });
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
    const config = configOf(io);
    const database = openDatabase(config.database);
    try {
      await migrateToLatest(database.db);
      const all = await listMunicipalities(database.db);
      const targets = values.municipality ? all.filter((m) => m.slug === values.municipality) : all;
      if (targets.length === 0) {
        io.err(`No municipality "${values.municipality ?? ''}".`);
        return 2;
      }
      let failures = 0;
      for (const municipality of targets) {
        const result = await verifyAuditChain(database.db, municipality.id, (n) => io.progress?.(`${municipality.slug}: ${n} entries checked`));
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

  'api-key': apiKeyCommand,

  async pb(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'tally') return pbTally(rest, io);
    if (sub === 'export') return pbExport(rest, io);
    if (sub === 'import') return pbImport(rest, io);
    io.err([PB_TALLY_USAGE, PB_EXPORT_USAGE, PB_IMPORT_USAGE].join('\n'));
    return 2;
  },

  async backup(args, io) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
    const config = configOf(io);
    const { dir, manifest } = await createBackup({ config, parentDir: values.out, progress: io.progress, env: io.env });
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    io.err(`Backed up the ${manifest.database.kind} database and ${manifest.files.length - 1} other files (${formatBytes(bytes)}).`);
    if (manifest.secret_key === 'environment') io.err('SECRET_KEY comes from the environment: keep it with the backup, in a safe place.');
    // The folder is the last line, for scripts.
    io.out(dir);
    return 0;
  },

  async restore(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { yes: { type: 'boolean', default: false } } });
    if (positionals.length !== 1) {
      io.err('Usage: twiza restore DIR [--yes]');
      return 2;
    }
    const dir = path.resolve(positionals[0]!);
    const config = configOf(io);
    const plan = await planRestore(config, dir, io.progress);
    if (plan.refusals.length) {
      io.err(`Cannot restore ${dir}:`);
      for (const refusal of plan.refusals) io.err(`- ${refusal}`);
      io.err('Nothing was changed.');
      return 1;
    }
    io.out(`The backup of ${plan.manifest.created_at} is whole (${plan.manifest.files.length} files checked).`);
    io.out('Restoring replaces:');
    for (const line of plan.replaces) io.out(`  - ${line}`);
    if (!values.yes) {
      io.err('Nothing was changed. Run again with --yes to restore.');
      return 2;
    }
    const report = await restoreBackup(config, dir, plan, { progress: io.progress, env: io.env });
    for (const aside of report.keptAside) io.out(`Kept the replaced copy at ${aside} (remove it when satisfied).`);
    for (const warning of report.warnings) io.err(warning);
    io.out('Restored. Start Twiza, then check the audit log: twiza audit verify');
    return 0;
  },
};

export async function runCli(argv: string[], io: Io = terminalIo(), extra: Record<string, Command> = {}): Promise<number> {
  const [name, ...args] = argv;
  const all = { ...commands, ...extra };
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(HELP);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(all, name) ? all[name] : undefined;
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
    // Errors meant for the operator are shown as they are; anything else with its stack.
    if (error instanceof BackupError || error instanceof PgToolError || isAppError(error)) {
      io.err(error.message);
      return 1;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\n\n${HELP}`);
      return 2;
    }
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}
