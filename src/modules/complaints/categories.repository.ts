// Queries for the catalogue of complaint categories and their extra questions. Always scoped
// by municipality; rules (what a valid category is, who may change it) live in the service.
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { updateAtVersion, type VersionedKey } from '../../db/versioned.ts';
import type {
  ComplaintCategoriesTable,
  ComplaintCategoryQuestionsTable,
  ComplaintCategoryRow,
  ComplaintQuestionRow,
  ResponseTemplateRow,
  ResponseTemplatesTable,
} from './complaints.table.ts';

export async function listCategoryRows(db: Db, municipalityId: number, options: { activeOnly: boolean }): Promise<ComplaintCategoryRow[]> {
  return db
    .selectFrom('complaint_categories')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .$if(options.activeOnly, (qb) => qb.where('active', '=', 1))
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

export async function findCategoryRow(db: Db, municipalityId: number, categoryId: number): Promise<ComplaintCategoryRow | undefined> {
  return db
    .selectFrom('complaint_categories')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('id', '=', categoryId)
    .executeTakeFirst();
}

export async function findCategoryRowByCode(db: Db, municipalityId: number, code: string): Promise<ComplaintCategoryRow | undefined> {
  return db
    .selectFrom('complaint_categories')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('code', '=', code)
    .executeTakeFirst();
}

export async function listQuestionRows(db: Db, municipalityId: number, categoryIds: number[]): Promise<ComplaintQuestionRow[]> {
  if (categoryIds.length === 0) return [];
  return db
    .selectFrom('complaint_category_questions')
    .selectAll()
    .where('municipality_id', '=', municipalityId)
    .where('category_id', 'in', categoryIds)
    .orderBy('category_id')
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

export async function insertCategoryRow(db: Db, values: Insertable<ComplaintCategoriesTable>): Promise<ComplaintCategoryRow> {
  return db.insertInto('complaint_categories').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateCategoryRowAtVersion(db: Db, key: VersionedKey, values: Updateable<ComplaintCategoriesTable>): Promise<boolean> {
  return updateAtVersion(db, 'complaint_categories', key, values);
}

export async function replaceQuestionRows(
  db: Db,
  municipalityId: number,
  categoryId: number,
  rows: Omit<Insertable<ComplaintCategoryQuestionsTable>, 'municipality_id' | 'category_id'>[],
): Promise<void> {
  await db.deleteFrom('complaint_category_questions').where('municipality_id', '=', municipalityId).where('category_id', '=', categoryId).execute();
  if (rows.length === 0) return;
  await db
    .insertInto('complaint_category_questions')
    .values(rows.map((row) => ({ ...row, municipality_id: municipalityId, category_id: categoryId })))
    .execute();
}

export async function listResponseTemplateRows(db: Db, municipalityId: number): Promise<ResponseTemplateRow[]> {
  return db.selectFrom('response_templates').selectAll().where('municipality_id', '=', municipalityId).orderBy('code').execute();
}

export async function findResponseTemplateRow(db: Db, municipalityId: number, id: number): Promise<ResponseTemplateRow | undefined> {
  return db.selectFrom('response_templates').selectAll().where('municipality_id', '=', municipalityId).where('id', '=', id).executeTakeFirst();
}

export async function insertResponseTemplateRow(db: Db, values: Insertable<ResponseTemplatesTable>): Promise<ResponseTemplateRow> {
  return db.insertInto('response_templates').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateResponseTemplateRowAtVersion(db: Db, key: VersionedKey, values: Updateable<ResponseTemplatesTable>): Promise<boolean> {
  return updateAtVersion(db, 'response_templates', key, values);
}
