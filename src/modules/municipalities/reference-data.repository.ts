// Queries for the reference data administrators edit: arrondissements, neighbourhoods and
// departments. Every query names the municipality, so an id guessed from another municipality
// finds nothing. Updates and deletes also name the version (updated_at) the editor saw: when it
// no longer matches, nothing is written and the service reports a stale edit.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { deleteAtVersion, updateAtVersion, type VersionedKey } from '../../db/versioned.ts';
import type {
  ArrondissementRow,
  ArrondissementsTable,
  DepartmentRow,
  DepartmentsTable,
  NeighbourhoodRow,
  NeighbourhoodsTable,
} from '../../db/schema.ts';

export type { VersionedKey };

async function countWhere(
  db: Db,
  table: 'neighbourhoods' | 'users' | 'user_roles',
  column: 'arrondissement_id' | 'neighbourhood_id' | 'department_id',
  municipalityId: number,
  id: number,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(sql<number>`count(*)`.as('n'))
    .where('municipality_id', '=', municipalityId)
    .where(sql.ref(column), '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// Arrondissements

export async function findArrondissement(db: Db, municipalityId: number, id: number): Promise<ArrondissementRow | undefined> {
  return db.selectFrom('arrondissements').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}

export async function insertArrondissement(db: Db, values: Insertable<ArrondissementsTable>): Promise<ArrondissementRow> {
  return db.insertInto('arrondissements').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateArrondissementAtVersion(db: Db, key: VersionedKey, values: Updateable<ArrondissementsTable>): Promise<boolean> {
  return updateAtVersion(db, 'arrondissements', key, values);
}

export function deleteArrondissementAtVersion(db: Db, key: VersionedKey): Promise<boolean> {
  return deleteAtVersion(db, 'arrondissements', key);
}

export function countNeighbourhoodsInArrondissement(db: Db, municipalityId: number, arrondissementId: number): Promise<number> {
  return countWhere(db, 'neighbourhoods', 'arrondissement_id', municipalityId, arrondissementId);
}

// Neighbourhoods

export async function findNeighbourhood(db: Db, municipalityId: number, id: number): Promise<NeighbourhoodRow | undefined> {
  return db.selectFrom('neighbourhoods').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}

export async function insertNeighbourhood(db: Db, values: Insertable<NeighbourhoodsTable>): Promise<NeighbourhoodRow> {
  return db.insertInto('neighbourhoods').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateNeighbourhoodAtVersion(db: Db, key: VersionedKey, values: Updateable<NeighbourhoodsTable>): Promise<boolean> {
  return updateAtVersion(db, 'neighbourhoods', key, values);
}

export function deleteNeighbourhoodAtVersion(db: Db, key: VersionedKey): Promise<boolean> {
  return deleteAtVersion(db, 'neighbourhoods', key);
}

export function countUsersInNeighbourhood(db: Db, municipalityId: number, neighbourhoodId: number): Promise<number> {
  return countWhere(db, 'users', 'neighbourhood_id', municipalityId, neighbourhoodId);
}

// Departments

export async function findDepartment(db: Db, municipalityId: number, id: number): Promise<DepartmentRow | undefined> {
  return db.selectFrom('departments').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}

export async function findDepartmentByCode(db: Db, municipalityId: number, code: string): Promise<DepartmentRow | undefined> {
  return db.selectFrom('departments').selectAll().where('municipality_id', '=', municipalityId).where('code', '=', code).executeTakeFirst();
}

export async function insertDepartment(db: Db, values: Insertable<DepartmentsTable>): Promise<DepartmentRow> {
  return db.insertInto('departments').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateDepartmentAtVersion(db: Db, key: VersionedKey, values: Updateable<DepartmentsTable>): Promise<boolean> {
  return updateAtVersion(db, 'departments', key, values);
}

export function deleteDepartmentAtVersion(db: Db, key: VersionedKey): Promise<boolean> {
  return deleteAtVersion(db, 'departments', key);
}

export function countRoleGrantsInDepartment(db: Db, municipalityId: number, departmentId: number): Promise<number> {
  return countWhere(db, 'user_roles', 'department_id', municipalityId, departmentId);
}
