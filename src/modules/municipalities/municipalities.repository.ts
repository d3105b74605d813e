// Queries for municipalities and their reference data (arrondissements, neighbourhoods,
// departments). Every query that reads reference data is scoped by municipality_id.
import type { Updateable } from 'kysely';
import { dialectOf, type Db } from '../../db/database.ts';
import type { ArrondissementRow, DepartmentRow, MunicipalitiesTable, MunicipalityRow, NeighbourhoodRow } from '../../db/schema.ts';

export async function findMunicipalityBySlug(db: Db, slug: string): Promise<MunicipalityRow | undefined> {
  return db.selectFrom('municipalities').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function findMunicipalityById(db: Db, id: number): Promise<MunicipalityRow | undefined> {
  return db.selectFrom('municipalities').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listMunicipalities(db: Db): Promise<MunicipalityRow[]> {
  return db.selectFrom('municipalities').selectAll().orderBy('id').execute();
}

export async function listMunicipalityHosts(db: Db): Promise<{ hostname: string; municipality_id: number }[]> {
  return db.selectFrom('municipality_hosts').selectAll().execute();
}

export async function listArrondissements(db: Db, municipalityId: number): Promise<ArrondissementRow[]> {
  return db.selectFrom('arrondissements').selectAll().where('municipality_id', '=', municipalityId).orderBy('id').execute();
}

export async function listNeighbourhoods(db: Db, municipalityId: number): Promise<NeighbourhoodRow[]> {
  return db.selectFrom('neighbourhoods').selectAll().where('municipality_id', '=', municipalityId).orderBy('id').execute();
}

export async function listDepartments(db: Db, municipalityId: number): Promise<DepartmentRow[]> {
  return db.selectFrom('departments').selectAll().where('municipality_id', '=', municipalityId).orderBy('id').execute();
}

/**
 * Serialises changes to one municipality's staff and settings for the rest of the transaction:
 * checks such as "at least one administrator remains" read then write, and two administrators
 * acting at once must not both pass. PostgreSQL takes a row lock; SQLite runs one write
 * transaction at a time already.
 */
export async function lockMunicipality(trx: Db, municipalityId: number): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await trx.selectFrom('municipalities').select('id').where('id', '=', municipalityId).forUpdate().execute();
}

export async function updateMunicipalityAtVersion(
  db: Db,
  key: { municipalityId: number; version: string },
  values: Updateable<MunicipalitiesTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('municipalities')
    .set(values)
    .where('id', '=', key.municipalityId)
    .where('updated_at', '=', key.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listHostnamesOf(db: Db, municipalityId: number): Promise<string[]> {
  const rows = await db.selectFrom('municipality_hosts').select('hostname').where('municipality_id', '=', municipalityId).orderBy('hostname').execute();
  return rows.map((r) => r.hostname);
}

/** Which of `hostnames` already point to another municipality. */
export async function findHostnamesTakenElsewhere(db: Db, municipalityId: number, hostnames: string[]): Promise<string[]> {
  if (hostnames.length === 0) return [];
  const rows = await db
    .selectFrom('municipality_hosts')
    .select('hostname')
    .where('hostname', 'in', hostnames)
    .where('municipality_id', '!=', municipalityId)
    .execute();
  return rows.map((r) => r.hostname);
}

export async function replaceHostnames(db: Db, municipalityId: number, hostnames: string[]): Promise<void> {
  await db.deleteFrom('municipality_hosts').where('municipality_id', '=', municipalityId).execute();
  if (hostnames.length === 0) return;
  await db
    .insertInto('municipality_hosts')
    .values(hostnames.map((hostname) => ({ hostname, municipality_id: municipalityId })))
    .execute();
}
