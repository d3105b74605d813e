// The catalogue: what people can complain about, in the administration's words, with the
// department each category goes to, its deadlines, and extra questions ("pole number", "how
// many lamps are out"). Categories are never deleted once used (complaints and statistics refer
// to them): they are deactivated instead. Answers to the extra questions are checked here, for
// the web form, the counter and Open311 alike.
import { type Actor, authorize } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { AppError, type FieldErrors, isUniqueViolation } from '../../lib/errors.ts';
import { toLatinDigits } from '../../lib/phone.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { findDepartment } from '../municipalities/reference-data.repository.ts';
import { changedFields, nextVersion, staffAuditActor } from '../municipalities/staff-changes.ts';
import {
  findCategoryRow,
  findResponseTemplateRow,
  insertCategoryRow,
  insertResponseTemplateRow,
  listCategoryRows,
  listQuestionRows,
  listResponseTemplateRows,
  replaceQuestionRows,
  updateCategoryRowAtVersion,
  updateResponseTemplateRowAtVersion,
} from './categories.repository.ts';
import { DEFAULT_DEADLINES, TEXT_ANSWER_MAX_LENGTH } from './complaints.ts';
import type { ComplaintCategoryRow, ComplaintQuestionRow, QuestionKind, ResponseTemplateRow } from './complaints.table.ts';

export const QUESTION_KINDS: readonly QuestionKind[] = ['text', 'number', 'date', 'single', 'multiple'];

export type ChoiceOption = { value: string; label: TrilingualName };

export type CategoryQuestion = {
  id: number;
  code: string;
  kind: QuestionKind;
  label: TrilingualName;
  required: boolean;
  /** For single and multiple choice; empty otherwise. */
  options: ChoiceOption[];
};

export type Category = {
  id: number;
  municipalityId: number;
  code: string;
  name: TrilingualName;
  description: TrilingualName | null;
  /** Groups the form's list (cleanliness, technical, police…); names are `complaints.group.<code>` messages. */
  groupCode: string | null;
  departmentId: number | null;
  /** Never shows the exact point publicly (a neighbour's unauthorised building). */
  sensitive: boolean;
  ackDays: number;
  resolveDays: number;
  active: boolean;
  sortOrder: number;
  questions: CategoryQuestion[];
  /** Pass back when saving: an edit made on an older version is refused as stale. */
  version: string;
};

/** One answer as stored: text, a number, an ISO date (YYYY-MM-DD), one choice, or several. */
export type AnswerValue = string | number | string[];
export type Answers = Record<string, AnswerValue>;
/** Answers as forms and APIs send them: strings (numbers typed with any digits) or lists of strings. */
export type RawAnswers = Record<string, unknown>;

function parseOptions(json: string | null): ChoiceOption[] {
  if (!json) return [];
  const raw = JSON.parse(json) as { value: string; label_ar: string; label_fr: string; label_en: string }[];
  return raw.map((o) => ({ value: o.value, label: { ar: o.label_ar, fr: o.label_fr, en: o.label_en } }));
}

function toQuestion(row: ComplaintQuestionRow): CategoryQuestion {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    label: { ar: row.label_ar, fr: row.label_fr, en: row.label_en },
    required: row.required === 1,
    options: parseOptions(row.options_json),
  };
}

export function toCategory(row: ComplaintCategoryRow, questions: ComplaintQuestionRow[]): Category {
  const hasDescription = row.description_ar !== null || row.description_fr !== null || row.description_en !== null;
  return {
    id: row.id,
    municipalityId: row.municipality_id,
    code: row.code,
    name: { ar: row.name_ar, fr: row.name_fr, en: row.name_en },
    description: hasDescription ? { ar: row.description_ar ?? '', fr: row.description_fr ?? '', en: row.description_en ?? '' } : null,
    groupCode: row.group_code,
    departmentId: row.department_id,
    sensitive: row.sensitive === 1,
    ackDays: row.ack_days,
    resolveDays: row.resolve_days,
    active: row.active === 1,
    sortOrder: row.sort_order,
    questions: questions.filter((q) => q.category_id === row.id).map(toQuestion),
    version: row.updated_at,
  };
}

export type ListCategoriesOptions = { municipalityId: number; includeInactive?: boolean };

/** The catalogue in display order, with questions. Public: the complaint form and Open311's services list. */
export async function listCategories(db: Db, options: ListCategoriesOptions): Promise<Category[]> {
  const rows = await listCategoryRows(db, options.municipalityId, { activeOnly: !options.includeInactive });
  const questions = await listQuestionRows(db, options.municipalityId, rows.map((r) => r.id));
  return rows.map((row) => toCategory(row, questions));
}

export type GetCategoryOptions = { municipalityId: number; categoryId: number };

/** One category of this municipality, active or not; undefined for another municipality's id. */
export async function getCategory(db: Db, options: GetCategoryOptions): Promise<Category | undefined> {
  const row = await findCategoryRow(db, options.municipalityId, options.categoryId);
  if (!row) return undefined;
  return toCategory(row, await listQuestionRows(db, options.municipalityId, [row.id]));
}

// ---------------------------------------------------------------------------------------------
// Answers

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function asStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => typeof v === 'string' || typeof v === 'number').map((v) => String(v).trim()).filter((v) => v !== '');
}

/**
 * Checks answers against a category's questions and returns them in stored form. Unknown
 * question codes are dropped (an old form, a curious client). Errors are reported per field as
 * `answers.CODE`, so the form shows each next to its question.
 */
export function validateAnswers(questions: CategoryQuestion[], raw: RawAnswers | undefined): Answers {
  const answers: Answers = {};
  const fields: FieldErrors = {};
  for (const question of questions) {
    const field = `answers.${question.code}`;
    const values = asStrings(raw?.[question.code]);
    if (values.length === 0) {
      if (question.required) fields[field] = 'validation.required';
      continue;
    }
    const allowed = new Set(question.options.map((o) => o.value));
    switch (question.kind) {
      case 'text': {
        const text = values.join(' ');
        if (text.length > TEXT_ANSWER_MAX_LENGTH) fields[field] = { key: 'validation.too_long', values: { max: TEXT_ANSWER_MAX_LENGTH } };
        else answers[question.code] = text;
        break;
      }
      case 'number': {
        // People type "3", "٣" or "2,5"; nothing else reads as a number.
        const text = toLatinDigits(values[0]!).replace(',', '.');
        const number = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
        if (values.length > 1 || !Number.isFinite(number) || Math.abs(number) > 1e9) fields[field] = 'validation.invalid_number';
        else answers[question.code] = number;
        break;
      }
      case 'date': {
        const text = toLatinDigits(values[0]!);
        if (values.length > 1 || !isRealDate(text)) fields[field] = 'complaints.answers.invalid_date';
        else answers[question.code] = text;
        break;
      }
      case 'single': {
        if (values.length > 1 || !allowed.has(values[0]!)) fields[field] = 'validation.invalid_choice';
        else answers[question.code] = values[0]!;
        break;
      }
      case 'multiple': {
        if (values.some((v) => !allowed.has(v))) fields[field] = 'validation.invalid_choice';
        // Stored in the catalogue's order, once each, whatever order the browser sent.
        else answers[question.code] = question.options.map((o) => o.value).filter((v) => values.includes(v));
        break;
      }
    }
  }
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
  return answers;
}

/** The answers as words for search and exports: choice labels rather than their codes. */
export function answersText(questions: CategoryQuestion[], answers: Answers): string {
  const parts: string[] = [];
  for (const question of questions) {
    const value = answers[question.code];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const option = question.options.find((o) => o.value === v);
      parts.push(option ? `${option.label.ar} ${option.label.fr} ${option.label.en}` : String(v));
    }
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Editing the catalogue

export type QuestionInput = {
  code: string;
  kind: QuestionKind;
  label: TrilingualName;
  required: boolean;
  options?: ChoiceOption[];
};

export type CategoryInput = {
  code: string;
  name: TrilingualName;
  description: TrilingualName | null;
  groupCode: string | null;
  departmentId: number | null;
  sensitive: boolean;
  ackDays: number;
  resolveDays: number;
  active: boolean;
  sortOrder: number;
  /** The whole list: saving replaces the category's questions (answers are kept by code). */
  questions: QuestionInput[];
};

export type CatalogueScope = { actor: Actor; municipalityId: number };
export type CreateCategoryOptions = CatalogueScope & { input: CategoryInput };
export type UpdateCategoryOptions = CatalogueScope & { categoryId: number; version: string; input: CategoryInput };

const CODE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const NAME_MAX = 120;
const DESCRIPTION_MAX = 1000;

function checkTrilingual(fields: FieldErrors, prefix: string, value: TrilingualName, max: number, required: boolean): void {
  for (const locale of ['ar', 'fr', 'en'] as const) {
    const text = value[locale]?.trim() ?? '';
    if (required && text === '') fields[`${prefix}.${locale}`] = 'validation.required';
    else if (text.length > max) fields[`${prefix}.${locale}`] = { key: 'validation.too_long', values: { max } };
  }
}

const trimmed = (name: TrilingualName): TrilingualName => ({ ar: name.ar.trim(), fr: name.fr.trim(), en: name.en.trim() });

async function checkCategoryInput(db: Db, municipalityId: number, input: CategoryInput): Promise<void> {
  const fields: FieldErrors = {};
  if (!CODE_PATTERN.test(input.code)) fields.code = 'complaints.category.code_invalid';
  checkTrilingual(fields, 'name', input.name, NAME_MAX, true);
  if (input.description) checkTrilingual(fields, 'description', input.description, DESCRIPTION_MAX, false);
  if (input.groupCode !== null && !CODE_PATTERN.test(input.groupCode)) fields.groupCode = 'complaints.category.code_invalid';
  if (!Number.isInteger(input.ackDays) || input.ackDays < 1 || input.ackDays > 60) fields.ackDays = 'complaints.category.days_invalid';
  if (!Number.isInteger(input.resolveDays) || input.resolveDays < 1 || input.resolveDays > 365) fields.resolveDays = 'complaints.category.days_invalid';
  else if (input.resolveDays < input.ackDays) fields.resolveDays = 'complaints.category.resolve_before_ack';
  if (!Number.isInteger(input.sortOrder)) fields.sortOrder = 'validation.invalid_number';
  if (input.departmentId !== null && !(await findDepartment(db, municipalityId, input.departmentId))) fields.departmentId = 'validation.invalid_choice';
  const codes = new Set<string>();
  input.questions.forEach((question, index) => {
    const prefix = `questions.${index}`;
    if (!CODE_PATTERN.test(question.code)) fields[`${prefix}.code`] = 'complaints.category.code_invalid';
    else if (codes.has(question.code)) fields[`${prefix}.code`] = 'complaints.category.question_code_taken';
    codes.add(question.code);
    if (!QUESTION_KINDS.includes(question.kind)) fields[`${prefix}.kind`] = 'validation.invalid_choice';
    checkTrilingual(fields, `${prefix}.label`, question.label, NAME_MAX, true);
    const options = question.options ?? [];
    if (question.kind === 'single' || question.kind === 'multiple') {
      const values = options.map((o) => o.value);
      if (options.length < 2) fields[`${prefix}.options`] = 'complaints.category.options_needed';
      else if (new Set(values).size !== values.length || values.some((v) => !CODE_PATTERN.test(v))) {
        fields[`${prefix}.options`] = 'complaints.category.options_invalid';
      }
      options.forEach((option, o) => checkTrilingual(fields, `${prefix}.options.${o}.label`, option.label, NAME_MAX, true));
    } else if (options.length > 0) {
      fields[`${prefix}.options`] = 'complaints.category.options_not_allowed';
    }
  });
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
}

function categoryValues(input: CategoryInput) {
  const description = input.description ? trimmed(input.description) : null;
  return {
    code: input.code,
    name_ar: input.name.ar.trim(),
    name_fr: input.name.fr.trim(),
    name_en: input.name.en.trim(),
    description_ar: description?.ar || null,
    description_fr: description?.fr || null,
    description_en: description?.en || null,
    group_code: input.groupCode,
    department_id: input.departmentId,
    sensitive: input.sensitive ? 1 : 0,
    ack_days: input.ackDays,
    resolve_days: input.resolveDays,
    active: input.active ? 1 : 0,
    sort_order: input.sortOrder,
  };
}

function questionRows(input: CategoryInput) {
  return input.questions.map((question, index) => ({
    code: question.code,
    kind: question.kind,
    label_ar: question.label.ar.trim(),
    label_fr: question.label.fr.trim(),
    label_en: question.label.en.trim(),
    required: question.required ? 1 : 0,
    options_json:
      question.kind === 'single' || question.kind === 'multiple'
        ? JSON.stringify((question.options ?? []).map((o) => ({ value: o.value, label_ar: o.label.ar.trim(), label_fr: o.label.fr.trim(), label_en: o.label.en.trim() })))
        : null,
    sort_order: index,
  }));
}

function codeTaken(error: unknown): never {
  if (isUniqueViolation(error)) throw new AppError('conflict', { fields: { code: 'complaints.category.code_taken' } });
  throw error;
}

/**
 * Adds a category to the catalogue without audit or authorization: for the demo seed and
 * tests, which act as the system. Staff use createCategory.
 */
export async function insertCategory(db: Db, municipalityId: number, input: CategoryInput): Promise<Category> {
  await checkCategoryInput(db, municipalityId, input);
  const now = nowIso();
  const row = await insertCategoryRow(db, { municipality_id: municipalityId, ...categoryValues(input), created_at: now, updated_at: now });
  await replaceQuestionRows(db, municipalityId, row.id, questionRows(input));
  return toCategory(row, await listQuestionRows(db, municipalityId, [row.id]));
}

export async function createCategory(db: Db, options: CreateCategoryOptions): Promise<Category> {
  authorize(options.actor, 'categories.manage', { municipalityId: options.municipalityId });
  const actor = options.actor;
  try {
    return await db.transaction().execute(async (trx) => {
      const category = await insertCategory(trx, options.municipalityId, options.input);
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'complaint_category.created',
        entityType: 'complaint_category',
        entityId: category.id,
        after: { ...categoryValues(options.input), questions: questionRows(options.input) },
      });
      return category;
    });
  } catch (error) {
    return codeTaken(error);
  }
}

export async function updateCategory(db: Db, options: UpdateCategoryOptions): Promise<Category> {
  authorize(options.actor, 'categories.manage', { municipalityId: options.municipalityId });
  const actor = options.actor;
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await findCategoryRow(trx, options.municipalityId, options.categoryId);
      if (!row) throw new AppError('not_found');
      await checkCategoryInput(trx, options.municipalityId, options.input);
      const beforeQuestions = await listQuestionRows(trx, options.municipalityId, [row.id]);
      const values = categoryValues(options.input);
      const updated = await updateCategoryRowAtVersion(
        trx,
        { municipalityId: options.municipalityId, id: row.id, version: options.version },
        { ...values, updated_at: nextVersion(row.updated_at) },
      );
      if (!updated) throw new AppError('stale');
      await replaceQuestionRows(trx, options.municipalityId, row.id, questionRows(options.input));
      const { id: _id, municipality_id: _m, created_at: _c, updated_at: _u, ...old } = row;
      const diff = changedFields(
        { ...old, questions: beforeQuestions.map(({ id: _q, municipality_id: _qm, category_id: _qc, ...q }) => q) },
        { ...values, questions: questionRows(options.input) },
      );
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'complaint_category.updated',
        entityType: 'complaint_category',
        entityId: row.id,
        before: diff.before,
        after: diff.after,
      });
      return (await getCategory(trx, { municipalityId: options.municipalityId, categoryId: row.id }))!;
    });
  } catch (error) {
    return codeTaken(error);
  }
}

/** A blank category with the usual deadlines (2 days to acknowledge, 21 to resolve), for forms. */
export function emptyCategoryInput(): CategoryInput {
  return {
    code: '',
    name: { ar: '', fr: '', en: '' },
    description: null,
    groupCode: null,
    departmentId: null,
    sensitive: false,
    ackDays: DEFAULT_DEADLINES.acknowledgeDays,
    resolveDays: DEFAULT_DEADLINES.resolveDays,
    active: true,
    sortOrder: 0,
    questions: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Reply templates: texts the cell reuses ("the lamp was replaced", "forwarded to STEG").

export type ResponseTemplate = { id: number; code: string; title: TrilingualName; body: TrilingualName; version: string };
export type ResponseTemplateInput = { code: string; title: TrilingualName; body: TrilingualName };
export type CreateResponseTemplateOptions = CatalogueScope & { input: ResponseTemplateInput };
export type UpdateResponseTemplateOptions = CatalogueScope & { templateId: number; version: string; input: ResponseTemplateInput };

export function toResponseTemplate(row: ResponseTemplateRow): ResponseTemplate {
  return {
    id: row.id,
    code: row.code,
    title: { ar: row.title_ar, fr: row.title_fr, en: row.title_en },
    body: { ar: row.body_ar, fr: row.body_fr, en: row.body_en },
    version: row.updated_at,
  };
}

export async function listResponseTemplates(db: Db, options: { municipalityId: number }): Promise<ResponseTemplate[]> {
  return (await listResponseTemplateRows(db, options.municipalityId)).map(toResponseTemplate);
}

export async function getResponseTemplate(db: Db, options: { municipalityId: number; templateId: number }): Promise<ResponseTemplate | undefined> {
  const row = await findResponseTemplateRow(db, options.municipalityId, options.templateId);
  return row ? toResponseTemplate(row) : undefined;
}

function checkTemplateInput(input: ResponseTemplateInput): void {
  const fields: FieldErrors = {};
  if (!CODE_PATTERN.test(input.code)) fields.code = 'complaints.category.code_invalid';
  checkTrilingual(fields, 'title', input.title, NAME_MAX, true);
  checkTrilingual(fields, 'body', input.body, 2000, true);
  if (Object.keys(fields).length > 0) throw new AppError('validation', { fields });
}

function templateValues(input: ResponseTemplateInput) {
  return {
    code: input.code,
    title_ar: input.title.ar.trim(),
    title_fr: input.title.fr.trim(),
    title_en: input.title.en.trim(),
    body_ar: input.body.ar.trim(),
    body_fr: input.body.fr.trim(),
    body_en: input.body.en.trim(),
  };
}

export async function createResponseTemplate(db: Db, options: CreateResponseTemplateOptions): Promise<ResponseTemplate> {
  authorize(options.actor, 'categories.manage', { municipalityId: options.municipalityId });
  const actor = options.actor;
  checkTemplateInput(options.input);
  try {
    return await db.transaction().execute(async (trx) => {
      const now = nowIso();
      const row = await insertResponseTemplateRow(trx, { municipality_id: options.municipalityId, ...templateValues(options.input), created_at: now, updated_at: now });
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'response_template.created',
        entityType: 'response_template',
        entityId: row.id,
        after: templateValues(options.input),
      });
      return toResponseTemplate(row);
    });
  } catch (error) {
    return codeTaken(error);
  }
}

export async function updateResponseTemplate(db: Db, options: UpdateResponseTemplateOptions): Promise<ResponseTemplate> {
  authorize(options.actor, 'categories.manage', { municipalityId: options.municipalityId });
  const actor = options.actor;
  checkTemplateInput(options.input);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await findResponseTemplateRow(trx, options.municipalityId, options.templateId);
      if (!row) throw new AppError('not_found');
      const values = templateValues(options.input);
      const ok = await updateResponseTemplateRowAtVersion(
        trx,
        { municipalityId: options.municipalityId, id: row.id, version: options.version },
        { ...values, updated_at: nextVersion(row.updated_at) },
      );
      if (!ok) throw new AppError('stale');
      const { id: _id, municipality_id: _m, created_at: _c, updated_at: _u, ...old } = row;
      const diff = changedFields(old, values);
      await recordAudit(trx, {
        municipalityId: options.municipalityId,
        actor: staffAuditActor(actor),
        action: 'response_template.updated',
        entityType: 'response_template',
        entityId: row.id,
        before: diff.before,
        after: diff.after,
      });
      return toResponseTemplate((await findResponseTemplateRow(trx, options.municipalityId, row.id))!);
    });
  } catch (error) {
    return codeTaken(error);
  }
}
