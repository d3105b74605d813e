// Shared set-up for the back office's tests: two municipalities with staff, and ways to read
// what the audit log recorded. Test code only (imported by *.test.ts files).
import type { FastifyInstance } from 'fastify';
import type { Actor, StaffRole } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { AuditLogRow, DepartmentRow, MunicipalityRow, UserRow } from '../../db/schema.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { signIn, TestClient } from '../../../test/support/http.ts';
import { verifyAuditChain } from '../audit/audit.service.ts';
import { listDepartments } from '../municipalities/municipalities.repository.ts';

export type TenantFixture = {
  municipality: MunicipalityRow;
  admin: UserRow;
  /** A staff member without the admin role (a department agent). */
  agent: UserRow;
  citizen: UserRow;
  departments: DepartmentRow[];
};

/** A municipality with an administrator, a department agent and a citizen. */
export async function createTenant(db: Db, slug: string, hostnames: string[] = [`${slug}.example`]): Promise<TenantFixture> {
  const municipality = await createTestMunicipality(db, slug, hostnames);
  const departments = await listDepartments(db, municipality.id);
  const admin = await createTestUser(db, {
    municipalityId: municipality.id,
    email: `admin@${slug}.example`,
    displayName: `Admin ${slug}`,
    roles: [{ role: 'admin' }],
  });
  const agent = await createTestUser(db, {
    municipalityId: municipality.id,
    email: `agent@${slug}.example`,
    displayName: `Agent ${slug}`,
    roles: [{ role: 'staff_agent', departmentId: departments[0]!.id }],
  });
  const citizen = await createTestUser(db, {
    municipalityId: municipality.id,
    phone: `+2162${String(municipality.id).padStart(7, '0')}`,
    displayName: `Citizen ${slug}`,
  });
  return { municipality, admin, agent, citizen, departments };
}

/** The policies' view of a fixture user, as the session would build it. */
export function actorFor(user: UserRow, roles: { role: StaffRole; departmentId?: number | null }[]): NonNullable<Actor> {
  return { userId: user.id, municipalityId: user.municipality_id, roles: roles.map((r) => ({ role: r.role, departmentId: r.departmentId ?? null })) };
}

export async function auditEntries(db: Db, municipalityId: number): Promise<AuditLogRow[]> {
  return db.selectFrom('audit_log').selectAll().where('municipality_id', '=', municipalityId).orderBy('seq').execute();
}

/** Entries appended after `previousCount` entries, checking that the chain still verifies. */
export async function newAuditEntries(db: Db, municipalityId: number, previousCount: number): Promise<AuditLogRow[]> {
  const verification = await verifyAuditChain(db, municipalityId);
  if (!verification.ok) throw new Error(`audit chain broken: ${JSON.stringify(verification)}`);
  return (await auditEntries(db, municipalityId)).slice(previousCount);
}

/** Runs `change` and returns the audit entries it appended (the chain must still verify). */
export async function auditedBy(db: Db, municipalityId: number, change: () => Promise<unknown>): Promise<AuditLogRow[]> {
  const before = (await auditEntries(db, municipalityId)).length;
  await change();
  return newAuditEntries(db, municipalityId, before);
}

export function parsed(json: string | null): unknown {
  return json === null ? null : JSON.parse(json);
}

/** A browser signed in as `user`, on the municipality's host name. */
export async function signedInClient(app: FastifyInstance, user: UserRow, host: string): Promise<TestClient> {
  const client = new TestClient(app, host);
  await signIn(client, user);
  return client;
}

/** The hidden version field of the (first) form on a page. */
export function versionOn(html: string): string {
  const match = /name="version" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no version field on the page');
  return match[1]!;
}

/** The text of a page without tags, entities decoded, for matching messages. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');
}
