// Queries on accounts. Every lookup is scoped by municipality: the same phone number may hold one
// account in El Kef and another in a second municipality of the same install.
import type { Db } from '../../db/database.ts';
import type { NewUserRow, UserRow, UserUpdate } from '../../db/schema.ts';
import type { Contact } from './accounts.ts';

export async function findUserByContact(db: Db, municipalityId: number, contact: Contact): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where(contact.channel === 'email' ? 'email' : 'phone', '=', contact.target)
    .executeTakeFirst();
}

export async function findUserById(db: Db, municipalityId: number, userId: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', userId).executeTakeFirst();
}

export async function insertUser(db: Db, row: NewUserRow): Promise<number> {
  const inserted = await db.insertInto('users').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

export async function updateUser(db: Db, userId: number, changes: UserUpdate): Promise<void> {
  await db.updateTable('users').set(changes).where('id', '=', userId).execute();
}

export async function deleteUser(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', userId).execute();
}

export async function countRoleGrantsOf(db: Db, userId: number): Promise<number> {
  const rows = await db.selectFrom('user_roles').select('id').where('user_id', '=', userId).execute();
  return rows.length;
}

export async function findNeighbourhood(
  db: Db,
  municipalityId: number,
  neighbourhoodId: number,
): Promise<{ id: number; name_ar: string; name_fr: string; name_en: string } | undefined> {
  return db
    .selectFrom('neighbourhoods')
    .select(['id', 'name_ar', 'name_fr', 'name_en'])
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', neighbourhoodId)
    .executeTakeFirst();
}
