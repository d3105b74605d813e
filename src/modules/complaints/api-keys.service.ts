// API keys for Open311 clients (a newspaper's app, a civic-tech map, the national portal). A key
// is a random token shown once, when it is created; the database keeps its SHA-256 and a short
// visible prefix, so a copy of the database lets no one file complaints in the municipality's
// name, and an administrator can still tell the keys apart. Keys are revoked, never deleted:
// the audit log and the complaints filed with a key keep pointing at a row that explains them.
//
// Administrators manage keys in the back office; the operator of the server does it with
// `twiza api-key` (no account needed there: whoever runs the command owns the server).
import { type Actor, authorize } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { randomToken, sha256Hex } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { addMinutes, nowIso } from '../../lib/time.ts';
import { type AuditActor, recordAudit } from '../audit/audit.service.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import {
  findApiKeyRow,
  findApiKeyRowByHash,
  insertApiKeyRow,
  listApiKeyRows,
  revokeApiKeyRow,
  touchApiKeyRow,
} from './api-keys.repository.ts';
import type { ApiKeyRow } from './complaints.table.ts';

/** Every key starts with it, so a key pasted in the wrong place (a log, a chat) is recognisable. */
export const API_KEY_MARKER = 'twz_';
/** The marker and 8 characters: enough to tell keys apart, far too little to guess the rest (152 bits). */
const VISIBLE_PREFIX_LENGTH = API_KEY_MARKER.length + 8;
export const API_KEY_NAME_MAX_LENGTH = 80;
/** A key's last use is written at most this often: a busy client should not write on every request. */
const LAST_USED_PRECISION_MINUTES = 1;

/** Who acts in the audit log when the server's operator runs `twiza api-key`. */
export const CLI_AUDIT_ACTOR: AuditActor = { userId: null, label: 'cli' };

export type ApiKeySummary = {
  id: number;
  municipalityId: number;
  name: string;
  /** The first characters of the key, e.g. "twz_k3v9x2ma", to recognise it. */
  prefix: string;
  createdAt: string;
  createdBy: number | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

export type CreatedApiKey = {
  /** The whole key: shown once, never stored. */
  key: string;
  apiKey: ApiKeySummary;
};

function toSummary(row: ApiKeyRow): ApiKeySummary {
  return {
    id: row.id,
    municipalityId: row.municipality_id,
    name: row.name,
    prefix: row.key_prefix,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/** The hash a key is stored and found by. */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new AppError('validation', { fields: { name: 'validation.required' } });
  if (trimmed.length > API_KEY_NAME_MAX_LENGTH) {
    throw new AppError('validation', { fields: { name: { key: 'validation.too_long', values: { max: API_KEY_NAME_MAX_LENGTH } } } });
  }
  return trimmed;
}

type KeyChange = { municipalityId: number; auditActor: AuditActor; createdBy: number | null };

async function addApiKey(db: Db, change: KeyChange, name: string): Promise<CreatedApiKey> {
  const cleanName = checkName(name);
  const key = `${API_KEY_MARKER}${randomToken(20)}`;
  const prefix = key.slice(0, VISIBLE_PREFIX_LENGTH);
  return db.transaction().execute(async (trx) => {
    const row = await insertApiKeyRow(trx, {
      municipality_id: change.municipalityId,
      name: cleanName,
      key_hash: hashApiKey(key),
      key_prefix: prefix,
      created_by: change.createdBy,
      created_at: nowIso(),
      revoked_at: null,
      last_used_at: null,
    });
    // The prefix, never the key: the audit log is kept for ever and read by many.
    await recordAudit(trx, {
      municipalityId: change.municipalityId,
      actor: change.auditActor,
      action: 'api_key.created',
      entityType: 'api_key',
      entityId: row.id,
      after: { name: cleanName, prefix },
    });
    return { key, apiKey: toSummary(row) };
  });
}

async function removeApiKey(db: Db, change: KeyChange, apiKeyId: number): Promise<ApiKeySummary> {
  return db.transaction().execute(async (trx) => {
    const row = await findApiKeyRow(trx, change.municipalityId, apiKeyId);
    if (!row) throw new AppError('not_found');
    const now = nowIso();
    if (!(await revokeApiKeyRow(trx, change.municipalityId, apiKeyId, now))) {
      throw new AppError('conflict', { fields: { _form: 'api_keys.already_revoked' }, message: `API key ${apiKeyId} is already revoked.` });
    }
    await recordAudit(trx, {
      municipalityId: change.municipalityId,
      actor: change.auditActor,
      action: 'api_key.revoked',
      entityType: 'api_key',
      entityId: row.id,
      before: { name: row.name, prefix: row.key_prefix, revoked_at: null },
      after: { revoked_at: now },
    });
    return toSummary({ ...row, revoked_at: now });
  });
}

// ---------------------------------------------------------------------------------------------
// Staff (the back office): administrators only (api_keys.manage).

export type ApiKeyScope = { actor: Actor; municipalityId: number };

export async function listApiKeys(db: Db, options: ApiKeyScope): Promise<ApiKeySummary[]> {
  authorize(options.actor, 'api_keys.manage', { municipalityId: options.municipalityId });
  return (await listApiKeyRows(db, options.municipalityId)).map(toSummary);
}

export async function createApiKey(db: Db, options: ApiKeyScope & { name: string }): Promise<CreatedApiKey> {
  authorize(options.actor, 'api_keys.manage', { municipalityId: options.municipalityId });
  const actor = options.actor;
  return addApiKey(db, { municipalityId: options.municipalityId, auditActor: staffAuditActor(actor), createdBy: actor.userId }, options.name);
}

export async function revokeApiKey(db: Db, options: ApiKeyScope & { apiKeyId: number }): Promise<ApiKeySummary> {
  authorize(options.actor, 'api_keys.manage', { municipalityId: options.municipalityId });
  const actor = options.actor;
  return removeApiKey(db, { municipalityId: options.municipalityId, auditActor: staffAuditActor(actor), createdBy: actor.userId }, options.apiKeyId);
}

// ---------------------------------------------------------------------------------------------
// The server's operator (`twiza api-key`): no account, recorded as "cli" in the audit log.

export async function createApiKeyFromCli(db: Db, options: { municipalityId: number; name: string }): Promise<CreatedApiKey> {
  return addApiKey(db, { municipalityId: options.municipalityId, auditActor: CLI_AUDIT_ACTOR, createdBy: null }, options.name);
}

export async function revokeApiKeyFromCli(db: Db, options: { apiKeyId: number }): Promise<ApiKeySummary> {
  // The operator names a key by its number alone; its municipality comes from the key.
  const row = await db.selectFrom('api_keys').select('municipality_id').where('id', '=', options.apiKeyId).executeTakeFirst();
  if (!row) throw new AppError('not_found', { message: `No API key ${options.apiKeyId}.` });
  return removeApiKey(db, { municipalityId: row.municipality_id, auditActor: CLI_AUDIT_ACTOR, createdBy: null }, options.apiKeyId);
}

export async function listApiKeysFromCli(db: Db, options: { municipalityId: number }): Promise<ApiKeySummary[]> {
  return (await listApiKeyRows(db, options.municipalityId)).map(toSummary);
}

// ---------------------------------------------------------------------------------------------
// Clients

export type ApiKeyCheck =
  | { ok: true; apiKey: ApiKeySummary }
  | { ok: false; reason: 'missing' | 'invalid' | 'revoked' };

/**
 * Whether `key` may act for the municipality, recording its use. A key of another municipality
 * is "invalid" here, exactly like a key that does not exist: nothing tells a client which
 * municipalities a key would work for.
 */
export async function checkApiKey(db: Db, options: { municipalityId: number; key: string | undefined }): Promise<ApiKeyCheck> {
  const key = options.key?.trim() ?? '';
  if (key === '') return { ok: false, reason: 'missing' };
  // Anything far longer than our keys is not one; do not hash megabytes.
  if (key.length > 200) return { ok: false, reason: 'invalid' };
  const row = await findApiKeyRowByHash(db, hashApiKey(key));
  if (!row || row.municipality_id !== options.municipalityId) return { ok: false, reason: 'invalid' };
  if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
  const now = nowIso();
  await touchApiKeyRow(db, row.id, now, addMinutes(now, -LAST_USED_PRECISION_MINUTES));
  return { ok: true, apiKey: toSummary(row) };
}
