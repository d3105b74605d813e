// Small, explicit test data. Each helper takes a unique slug or e-mail so suites can create
// several municipalities and people in one database.
import type { Db } from '../../src/db/database.ts';
import type { MunicipalityRow, UserRow } from '../../src/db/schema.ts';
import type { StaffRole } from '../../src/auth/policies.ts';
import { nowIso } from '../../src/lib/time.ts';
import { createMunicipality } from '../../src/modules/municipalities/municipalities.service.ts';
import { hashPassword } from '../../src/modules/accounts/passwords.ts';

export async function createTestMunicipality(db: Db, slug: string, hostnames: string[] = []): Promise<MunicipalityRow> {
  return createMunicipality(db, {
    slug,
    name: { ar: `بلدية ${slug}`, fr: `Commune de ${slug}`, en: `Municipality of ${slug}` },
    trackingPrefix: slug.slice(0, 3).toUpperCase(),
    councilBody: 'elected_council',
    map: { lat: 36.18, lng: 8.71, zoom: 14 },
    hostnames,
    arrondissements: [{ name: { ar: 'الدائرة الأولى', fr: 'Arrondissement 1', en: 'District 1' }, neighbourhoods: [{ ar: 'حي أ', fr: 'Quartier A', en: 'Area A' }] }],
    departments: [
      { code: 'technical', name: { ar: 'المصلحة الفنية', fr: 'Service technique', en: 'Technical service' } },
      { code: 'cleanliness', name: { ar: 'النظافة', fr: 'Propreté', en: 'Cleanliness' } },
    ],
  });
}

export const TEST_PASSWORD = 'correct horse battery';

let passwordHash: Promise<string> | undefined;

export type TestUserOptions = {
  municipalityId: number;
  email?: string;
  phone?: string;
  displayName?: string;
  roles?: { role: StaffRole; departmentId?: number | null }[];
};

/** An active account with TEST_PASSWORD and the given staff roles. */
export async function createTestUser(db: Db, options: TestUserOptions): Promise<UserRow> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const now = nowIso();
  const user = await db
    .insertInto('users')
    .values({
      municipality_id: options.municipalityId,
      display_name: options.displayName ?? 'Test person',
      email: options.email ?? null,
      email_verified_at: options.email ? now : null,
      phone: options.phone ?? null,
      phone_verified_at: options.phone ? now : null,
      password_hash: await passwordHash,
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
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const grant of options.roles ?? []) {
    await db
      .insertInto('user_roles')
      .values({
        municipality_id: options.municipalityId,
        user_id: user.id,
        role: grant.role,
        department_id: grant.departmentId ?? null,
        granted_by: null,
        created_at: now,
      })
      .execute();
  }
  return user;
}
