// Shared set-up for the complaints tests: a municipality with the demo catalogue, staff in every
// role, a citizen, and short ways to file complaints and read what was sent. Test code only.
import type { Actor, StaffRole } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { DepartmentRow, MunicipalityRow, UserRow } from '../../db/schema.ts';
import { AppError } from '../../lib/errors.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { listDepartments } from '../municipalities/municipalities.repository.ts';
import { type Category, listCategories } from './categories.service.ts';
import { seedComplaintCatalogue } from './demo-catalogue.ts';
import { submitComplaint, type SubmitComplaintOptions, type SubmittedComplaint } from './submission.service.ts';

export type StaffFixture = { user: UserRow; actor: NonNullable<Actor> };

export type ComplaintsFixture = {
  municipality: MunicipalityRow;
  technical: DepartmentRow;
  cleanliness: DepartmentRow;
  categories: Record<string, Category>;
  officer: StaffFixture;
  admin: StaffFixture;
  moderator: StaffFixture;
  technicalHead: StaffFixture;
  technicalAgent: StaffFixture;
  /** A second agent of the technical service. */
  technicalAgent2: StaffFixture;
  cleanlinessAgent: StaffFixture;
  cleanlinessHead: StaffFixture;
  citizen: StaffFixture;
};

let phoneCounter = 0;
/** A fresh Tunisian mobile number in E.164. */
export function nextPhone(): string {
  phoneCounter += 1;
  return `+2165${String(process.pid % 100).padStart(2, '0')}${String(phoneCounter).padStart(5, '0')}`;
}

async function staff(db: Db, municipality: MunicipalityRow, name: string, roles: { role: StaffRole; departmentId?: number | null }[]): Promise<StaffFixture> {
  const user = await createTestUser(db, {
    municipalityId: municipality.id,
    email: `${name}@${municipality.slug}.example`,
    displayName: name,
    roles,
  });
  return {
    user,
    actor: { userId: user.id, municipalityId: municipality.id, roles: roles.map((r) => ({ role: r.role, departmentId: r.departmentId ?? null })) },
  };
}

export async function createComplaintsFixture(db: Db, slug: string): Promise<ComplaintsFixture> {
  const municipality = await createTestMunicipality(db, slug);
  await seedComplaintCatalogue(db, municipality.id);
  const departments = await listDepartments(db, municipality.id);
  const technical = departments.find((d) => d.code === 'technical')!;
  const cleanliness = departments.find((d) => d.code === 'cleanliness')!;
  const categories = Object.fromEntries((await listCategories(db, { municipalityId: municipality.id })).map((c) => [c.code, c]));
  const citizenUser = await createTestUser(db, { municipalityId: municipality.id, phone: nextPhone(), displayName: 'Citizen' });
  return {
    municipality,
    technical,
    cleanliness,
    categories,
    officer: await staff(db, municipality, 'officer', [{ role: 'complaints_officer' }]),
    admin: await staff(db, municipality, 'admin', [{ role: 'admin' }]),
    moderator: await staff(db, municipality, 'moderator', [{ role: 'moderator' }]),
    technicalHead: await staff(db, municipality, 'technical-head', [{ role: 'department_head', departmentId: technical.id }]),
    technicalAgent: await staff(db, municipality, 'technical-agent', [{ role: 'staff_agent', departmentId: technical.id }]),
    technicalAgent2: await staff(db, municipality, 'technical-agent-2', [{ role: 'staff_agent', departmentId: technical.id }]),
    cleanlinessAgent: await staff(db, municipality, 'cleanliness-agent', [{ role: 'staff_agent', departmentId: cleanliness.id }]),
    cleanlinessHead: await staff(db, municipality, 'cleanliness-head', [{ role: 'department_head', departmentId: cleanliness.id }]),
    citizen: { user: citizenUser, actor: { userId: citizenUser.id, municipalityId: municipality.id, roles: [] } },
  };
}

/** A complaint about a street lamp in the middle of the municipality, with overridable options. */
export function fileComplaint(db: Db, fixture: ComplaintsFixture, overrides: Partial<SubmitComplaintOptions> = {}): Promise<SubmittedComplaint> {
  return submitComplaint(db, {
    municipality: fixture.municipality,
    channel: 'web',
    locale: 'ar',
    reporter: null,
    categoryId: fixture.categories.lighting!.id,
    description: 'الفانوس مطفأ منذ أسبوع قرب المدرسة',
    location: { lat: 36.181, lng: 8.712 },
    publicUrl: 'https://kef.example',
    ...overrides,
  });
}

export type SentMessage = { recipient: string; channel: string; subject: string | null; body: string; purpose: string };

export async function outboxTo(db: Db, recipient: string): Promise<SentMessage[]> {
  return db
    .selectFrom('outbox_messages')
    .select(['recipient', 'channel', 'subject', 'body', 'purpose'])
    .where('recipient', '=', recipient)
    .orderBy('id')
    .execute();
}

export async function outboxCount(db: Db): Promise<number> {
  const row = await db.selectFrom('outbox_messages').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** An assertion helper: the promise rejects with AppError `code` (and these field keys, if given). */
export function appError(code: string, fields?: Record<string, string>) {
  return (error: unknown) => {
    if (!(error instanceof AppError)) throw error;
    if (error.code !== code) throw new Error(`expected ${code}, got ${error.code} ${JSON.stringify(error.fields)}`);
    for (const [field, key] of Object.entries(fields ?? {})) {
      const actual = error.fields[field];
      const actualKey = typeof actual === 'string' ? actual : actual?.key;
      if (actualKey !== key) throw new Error(`expected ${field}: ${key}, got ${JSON.stringify(error.fields)}`);
    }
    return true;
  };
}
