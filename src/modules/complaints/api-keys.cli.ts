// `twiza api-key`: the server's operator creates, lists and revokes Open311 API keys without an
// account (administrators use the back office). A new key is printed as the last line of the
// output, alone, so a script can take it with `tail -n 1`.
import { parseArgs } from 'node:util';
import type { Command, Io } from '../../cli.ts';
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../db/database.ts';
import type { Db } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { isAppError } from '../../lib/errors.ts';
import { findMunicipalityBySlug, listMunicipalities } from '../municipalities/municipalities.repository.ts';
import { createApiKeyFromCli, listApiKeysFromCli, revokeApiKeyFromCli } from './api-keys.service.ts';

export const API_KEY_USAGE = `Usage: twiza api-key create --municipality SLUG --name NAME
       twiza api-key list [--municipality SLUG]
       twiza api-key revoke --id N`;

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

async function create(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { municipality: { type: 'string' }, name: { type: 'string' } } });
  if (!values.name?.trim()) {
    io.err('api-key create needs --name NAME (the application or organisation using the key).');
    return 2;
  }
  return withDatabase(io, async (db) => {
    const all = await listMunicipalities(db);
    // A key works for one municipality: with several, say which.
    const municipality = values.municipality ? await findMunicipalityBySlug(db, values.municipality) : all.length === 1 ? all[0] : undefined;
    if (!municipality) {
      io.err(values.municipality ? `No municipality "${values.municipality}".` : 'api-key create needs --municipality SLUG.');
      return 2;
    }
    const created = await createApiKeyFromCli(db, { municipalityId: municipality.id, name: values.name! });
    io.out(`API key ${created.apiKey.id} "${created.apiKey.name}" created for ${municipality.slug} (it starts with ${created.apiKey.prefix}).`);
    io.out('The key, shown once (only its hash is kept):');
    io.out(created.key);
    return 0;
  });
}

async function list(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { municipality: { type: 'string' } } });
  return withDatabase(io, async (db) => {
    const all = await listMunicipalities(db);
    const targets = values.municipality ? all.filter((m) => m.slug === values.municipality) : all;
    if (values.municipality && targets.length === 0) {
      io.err(`No municipality "${values.municipality}".`);
      return 2;
    }
    let count = 0;
    for (const municipality of targets) {
      for (const key of await listApiKeysFromCli(db, { municipalityId: municipality.id })) {
        const state = key.revokedAt ? `revoked ${key.revokedAt}` : 'active';
        io.out(`${key.id}\t${municipality.slug}\t${key.prefix}…\t${state}\tlast used ${key.lastUsedAt ?? 'never'}\t${key.name}`);
        count += 1;
      }
    }
    if (count === 0) io.err('No API keys.');
    return 0;
  });
}

async function revoke(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { id: { type: 'string' } } });
  if (!values.id || !/^[1-9]\d{0,11}$/.test(values.id)) {
    io.err('api-key revoke needs --id N (see twiza api-key list).');
    return 2;
  }
  return withDatabase(io, async (db) => {
    try {
      const revoked = await revokeApiKeyFromCli(db, { apiKeyId: Number(values.id) });
      io.out(`API key ${revoked.id} "${revoked.name}" revoked: it is no longer accepted.`);
      return 0;
    } catch (error) {
      if (isAppError(error, 'not_found') || isAppError(error, 'conflict')) {
        io.err(error.message);
        return 1;
      }
      throw error;
    }
  });
}

export const apiKeyCommand: Command = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === 'create') return create(rest, io);
  if (sub === 'list') return list(rest, io);
  if (sub === 'revoke') return revoke(rest, io);
  io.err(API_KEY_USAGE);
  return 2;
};
