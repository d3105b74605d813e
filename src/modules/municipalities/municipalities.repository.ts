// Queries for municipalities and their reference data (arrondissements, neighbourhoods,
// departments). Every query that reads reference data is scoped by municipality_id.
import type { Db } from '../../db/database.ts';
import type { ArrondissementRow, DepartmentRow, MunicipalityRow, NeighbourhoodRow } from '../../db/schema.ts';

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
