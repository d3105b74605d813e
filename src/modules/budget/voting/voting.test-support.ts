// Test fixtures of the vote: a place to live in (an extra arrondissement with a neighbourhood),
// a budget officer, and verified phone checks with their ballot tokens (as confirmPhoneCheck
// would give them), written directly so a test can make many at once.
import type { Db } from '../../../db/database.ts';
import type { Actor } from '../../../auth/policies.ts';
import { randomToken } from '../../../lib/crypto.ts';
import { addMinutes, nowIso } from '../../../lib/time.ts';
import { createTestUser } from '../../../../test/support/fixtures.ts';
import { insertPhoneCheck } from './voting.repository.ts';
import { tokenHash } from './phone-check.service.ts';
import { phoneKey } from './voters.ts';

export const TEST_SECRET = 'test-secret-key-for-the-vote';

/** A new arrondissement with one neighbourhood; returns both ids. */
export async function createTestDistrict(db: Db, municipalityId: number, name: string): Promise<{ arrondissementId: number; neighbourhoodId: number }> {
  const now = nowIso();
  const arrondissement = await db
    .insertInto('arrondissements')
    .values({ municipality_id: municipalityId, name_ar: name, name_fr: name, name_en: name, outline_geojson: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const neighbourhood = await db
    .insertInto('neighbourhoods')
    .values({
      municipality_id: municipalityId,
      arrondissement_id: arrondissement.id,
      name_ar: `${name} حي`,
      name_fr: `${name} quartier`,
      name_en: `${name} area`,
      outline_geojson: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { arrondissementId: arrondissement.id, neighbourhoodId: neighbourhood.id };
}

/** The first neighbourhood of the municipality and its arrondissement. */
export async function firstNeighbourhood(db: Db, municipalityId: number): Promise<{ id: number; arrondissementId: number | null }> {
  const row = await db
    .selectFrom('neighbourhoods')
    .select(['id', 'arrondissement_id'])
    .where('municipality_id', '=', municipalityId)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, arrondissementId: row.arrondissement_id };
}

let officers = 0;

/** A budget officer as the policies see them. */
export async function createBudgetOfficer(db: Db, municipalityId: number): Promise<NonNullable<Actor>> {
  officers += 1;
  const user = await createTestUser(db, {
    municipalityId,
    email: `officer-${officers}-${randomToken(4)}@example.tn`,
    roles: [{ role: 'budget_officer' }],
  });
  return { userId: user.id, municipalityId, roles: [{ role: 'budget_officer', departmentId: null }] };
}

/** A verified SMS check of `phone` (E.164) and its ballot token. */
export async function createVerifiedToken(
  db: Db,
  options: { municipalityId: number; cycleId: number; phone: string; ip?: string; now?: string },
): Promise<{ token: string; checkId: number }> {
  const now = options.now ?? nowIso();
  const token = randomToken();
  const checkId = await insertPhoneCheck(db, {
    municipality_id: options.municipalityId,
    cycle_id: options.cycleId,
    phone_hash: phoneKey(TEST_SECRET, options.municipalityId, options.phone),
    code_hash: 'unused',
    attempts: 1,
    expires_at: addMinutes(now, 10),
    verified_at: now,
    token_hash: tokenHash(TEST_SECRET, token),
    token_used_at: null,
    ip_hash: null,
    created_at: now,
  });
  return { token, checkId };
}

let idNumbers = 10_000_000;

/** A fresh 8-digit ID card number. */
export function nextIdNumber(): string {
  idNumbers += 1;
  return String(idNumbers);
}
