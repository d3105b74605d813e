// `twiza pb export` and `twiza pb import`: a cycle's anonymised ballots as one Pabulib file per
// envelope, and a Pabulib file as a new cycle (for demonstrations and research).
//
// After publication the export writes the published files, byte for byte what the results
// page offers (same SHA-256). Before, it computes them from the ballot box as it is, and says
// so: such a file is for staff checks, not for publishing.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Io } from '../../cli.ts';
import { loadConfig } from '../../config.ts';
import { openDatabase, type Db } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { isAppError } from '../../lib/errors.ts';
import { findMunicipalityBySlug, listMunicipalities } from '../municipalities/municipalities.repository.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { findCycleByRef, importPabulib, loadCycleElections, pbFileName } from './cycle-pabulib.ts';
import { writePabulib } from './outcome/pabulib.ts';
import { listResults } from './results.repository.ts';
import type { StoredOutcome } from './results.service.ts';

export const PB_EXPORT_USAGE = `Usage: twiza pb export CYCLE [--municipality SLUG] [--out DIR]
  CYCLE is the cycle's slug (e.g. 2026) or number; writes <slug>-<envelope>.pb per envelope into DIR (default .)`;
export const PB_IMPORT_USAGE = `Usage: twiza pb import FILE.pb --slug SLUG [--municipality SLUG] [--year YEAR] [--rule RULE]
  creates a cycle (vote closed, results not published) with the file's projects and ballots`;

export type ExportedFile = { envelopeId: number; fileName: string; text: string; sha256: string; ballots: number };

/**
 * The .pb text of every envelope of a cycle: the published files when the results are out,
 * else computed now (`published: false`).
 */
export async function exportCycleFiles(db: Db, options: { municipalityId: number; cycleRef: string }): Promise<{ published: boolean; files: ExportedFile[] } | null> {
  const cycle = await findCycleByRef(db, options.municipalityId, options.cycleRef);
  if (!cycle) return null;
  if (cycle.results_published_at !== null) {
    const stored = await listResults(db, options.municipalityId, cycle.id);
    return {
      published: true,
      files: stored.map((r) => {
        const outcome = JSON.parse(r.resultJson) as StoredOutcome;
        return { envelopeId: r.envelopeId, fileName: pbFileName(cycle, r.envelopeId), text: outcome.pb, sha256: r.pbSha256, ballots: r.ballotCount };
      }),
    };
  }
  const elections = await loadCycleElections(db, { municipalityId: options.municipalityId, cycle });
  return {
    published: false,
    files: elections.envelopes.map((e) => {
      const text = writePabulib(e.instance);
      return { envelopeId: e.envelope.id, fileName: pbFileName(cycle, e.envelope.id), text, sha256: sha256Hex(text), ballots: e.instance.votes.length };
    }),
  };
}

async function withDatabase(io: Io, work: (db: Db) => Promise<number>): Promise<number> {
  const config = loadConfig(io.env ?? process.env);
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    return await work(database.db);
  } finally {
    await database.destroy();
  }
}

async function municipalityFor(db: Db, slug: string | undefined, io: Io, command: string): Promise<MunicipalityRow | null> {
  const all = await listMunicipalities(db);
  const municipality = slug ? await findMunicipalityBySlug(db, slug) : all.length === 1 ? all[0] : undefined;
  if (!municipality) {
    io.err(slug ? `twiza pb ${command}: no municipality "${slug}".` : `twiza pb ${command}: several municipalities; say which with --municipality SLUG.`);
    return null;
  }
  return municipality;
}

type Parsed = { values: { [name: string]: string | undefined } & { help?: boolean }; positionals: string[] };

function parse(args: string[], options: Record<string, { type: 'string' }>, io: Io, usage: string): Parsed | null {
  try {
    return parseArgs({ args, allowPositionals: true, options: { ...options, help: { type: 'boolean' } } }) as Parsed;
  } catch (error) {
    io.err((error as Error).message);
    io.err(usage);
    return null;
  }
}

/** `twiza pb export CYCLE [--municipality SLUG] [--out DIR]`; returns the exit code. */
export async function pbExport(args: string[], io: Io): Promise<number> {
  const parsed = parse(args, { municipality: { type: 'string' }, out: { type: 'string' } }, io, PB_EXPORT_USAGE);
  if (!parsed) return 2;
  if (parsed.values.help) {
    io.out(PB_EXPORT_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    io.err('twiza pb export: which cycle? (its slug or number)');
    io.err(PB_EXPORT_USAGE);
    return 2;
  }
  const ref = parsed.positionals[0]!;
  const outDir = path.resolve(parsed.values.out ?? '.');
  return withDatabase(io, async (db) => {
    const municipality = await municipalityFor(db, parsed.values.municipality, io, 'export');
    if (!municipality) return 2;
    const exported = await exportCycleFiles(db, { municipalityId: municipality.id, cycleRef: ref });
    if (!exported) {
      io.err(`twiza pb export: no cycle "${ref}" in ${municipality.slug}.`);
      return 2;
    }
    if (!exported.published) {
      io.err('Warning: the results of this cycle are not published. These files are the ballots counted so far, for staff checks; do not publish them.');
    }
    await mkdir(outDir, { recursive: true });
    for (const file of exported.files) {
      const target = path.join(outDir, file.fileName);
      await writeFile(target, file.text, 'utf8');
      io.out(`${target}\t${file.ballots} ballots\tsha256 ${file.sha256}`);
    }
    if (exported.files.length === 0) io.err('twiza pb export: the cycle has no envelope.');
    return 0;
  });
}

/** `twiza pb import FILE.pb --slug SLUG [--municipality SLUG] [--year YEAR] [--rule RULE]`. */
export async function pbImport(args: string[], io: Io): Promise<number> {
  const parsed = parse(args, { municipality: { type: 'string' }, slug: { type: 'string' }, year: { type: 'string' }, rule: { type: 'string' } }, io, PB_IMPORT_USAGE);
  if (!parsed) return 2;
  if (parsed.values.help) {
    io.out(PB_IMPORT_USAGE);
    return 0;
  }
  const usage = (problem: string) => {
    io.err(`twiza pb import: ${problem}`);
    io.err(PB_IMPORT_USAGE);
    return 2;
  };
  if (parsed.positionals.length !== 1) return usage('which .pb file?');
  if (!parsed.values.slug) return usage('--slug is required (the new cycle\'s address, e.g. warszawa-2019)');
  const year = parsed.values.year;
  if (year !== undefined && !/^\d{4}$/.test(year)) return usage('--year must be a year such as 2019');
  const file = parsed.positionals[0]!;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    io.err(`twiza pb import: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return 2;
  }
  return withDatabase(io, async (db) => {
    const municipality = await municipalityFor(db, parsed.values.municipality, io, 'import');
    if (!municipality) return 2;
    try {
      const imported = await importPabulib(db, {
        municipalityId: municipality.id,
        actor: null,
        text,
        slug: parsed.values.slug!,
        year: year === undefined ? undefined : Number(year),
        rule: parsed.values.rule,
      });
      io.out(`Cycle "${imported.cycle.slug}" (number ${imported.cycle.id}) created in ${municipality.slug}: ${imported.projects} projects, ${imported.ballots} ballots, rule ${imported.cycle.rule}.`);
      io.out('Its vote is closed; publish its results from the back office (Budget > the cycle > Results).');
      return 0;
    } catch (error) {
      if (isAppError(error, 'validation')) {
        io.err(`twiza pb import: ${file}: ${error.message}`);
        return 2;
      }
      throw error;
    }
  });
}
