// The first administrator of a municipality, created at first start or by `twiza create-admin`,
// always with a random password that is shown once: nothing in Twiza has a default password.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { randomToken } from '../../lib/crypto.ts';
import { nowIso } from '../../lib/time.ts';
import { AppError } from '../../lib/errors.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.service.ts';
import { hashPassword } from './passwords.ts';

export type CreatedAdministrator = { userId: number; email: string; password: string };

export async function countAdministrators(db: Db, municipalityId: number): Promise<number> {
  const row = await db
    .selectFrom('user_roles')
    .select(sql<number>`count(*)`.as('n'))
    .where('municipality_id', '=', municipalityId)
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Creates an active administrator account with a fresh random password. */
export async function createAdministrator(
  db: Db,
  options: { municipality: MunicipalityRow; email: string; displayName?: string },
): Promise<CreatedAdministrator> {
  const email = options.email.trim().toLowerCase();
  const password = randomToken(12);
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('users')
      .select('id')
      .where('municipality_id', '=', options.municipality.id)
      .where('email', '=', email)
      .executeTakeFirst();
    if (existing) throw new AppError('conflict', { message: `An account with ${email} already exists.` });
    const now = nowIso();
    const user = await trx
      .insertInto('users')
      .values({
        municipality_id: options.municipality.id,
        display_name: options.displayName ?? 'Administrator',
        email,
        email_verified_at: now,
        phone: null,
        phone_verified_at: null,
        password_hash: passwordHash,
        status: 'active',
        locale: 'ar',
        gender: null,
        age_group: null,
        neighbourhood_id: null,
        disability: null,
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('user_roles')
      .values({ municipality_id: options.municipality.id, user_id: user.id, role: 'admin', department_id: null, granted_by: null, created_at: now })
      .execute();
    await recordAudit(trx, {
      municipalityId: options.municipality.id,
      actor: SYSTEM_ACTOR,
      action: 'user.admin_created',
      entityType: 'user',
      entityId: user.id,
      after: { email, roles: ['admin'] },
    });
    return { userId: user.id, email, password };
  });
}
