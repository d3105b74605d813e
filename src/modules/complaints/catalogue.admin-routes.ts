// The complaints catalogue in the back office (/:locale/admin/catalogue): categories with their
// trilingual names, group, department, deadlines and extra questions, and the reply templates.
// Saving goes through categories.service.ts (authorized, audited, refused when stale).
//
// Questions are edited in rows without JavaScript: each row has a code, a kind, a label in three
// languages, "required", and for choices one option a line ("value | العربية | français |
// English"); a blank row is ignored, "remove" drops a row, and "more rows" adds empty ones.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type FormState, type FormValues, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../http/render.ts';
import { AppError, type FieldErrors, isAppError } from '../../lib/errors.ts';
import { adminFrame, dbOf, idParam, scopeOf } from '../admin/admin-http.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import {
  type Category,
  type CategoryInput,
  createCategory,
  createResponseTemplate,
  emptyCategoryInput,
  type QuestionInput,
  type ResponseTemplate,
  updateCategory,
  updateResponseTemplate,
} from './categories.service.ts';
import { CatalogueListPage, CategoryFormPage, TemplateFormPage } from './catalogue.views.tsx';
import { loadCatalogue, loadCategoryEditor, loadTemplateEditor } from './cell.service.ts';
import type { QuestionKind } from './complaints.table.ts';

const BASE = '/admin/catalogue';
const LANGS = ['ar', 'fr', 'en'] as const;
/** Empty question rows shown under the existing ones, and added by "more rows". */
const BLANK_ROWS = 1;
const MAX_ROWS = 30;

const text = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v ?? '').trim());
const wholeNumber = z
  .string()
  .trim()
  .min(1, 'validation.required')
  .regex(/^-?\d{1,6}$/, 'validation.invalid_number')
  .transform(Number);
const checkbox = z
  .literal('yes')
  .optional()
  .transform((v) => v === 'yes');
const optionalId = z
  .string()
  .trim()
  .regex(/^(\d{1,12})?$/, 'validation.invalid_choice')
  .optional()
  .transform((v) => (v ? Number(v) : null));
const intent = z.enum(['save', 'more']).optional().default('save');

const categoryForm = z.object({
  code: z.string().trim().toLowerCase().min(1, 'validation.required').max(40),
  'name.ar': text(200),
  'name.fr': text(200),
  'name.en': text(200),
  'description.ar': text(2000),
  'description.fr': text(2000),
  'description.en': text(2000),
  groupCode: z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((v) => (v ? v : null)),
  departmentId: optionalId,
  sensitive: checkbox,
  active: checkbox,
  ackDays: wholeNumber,
  resolveDays: wholeNumber,
  sortOrder: wholeNumber,
  question_rows: z
    .string()
    .regex(/^\d{1,2}$/)
    .optional()
    .transform((v) => Math.min(MAX_ROWS, Number(v ?? 0))),
  version: z.string().max(40).optional(),
  intent,
});

const templateForm = z.object({
  code: z.string().trim().toLowerCase().min(1, 'validation.required').max(40),
  'title.ar': text(200),
  'title.fr': text(200),
  'title.en': text(200),
  'body.ar': text(4000),
  'body.fr': text(4000),
  'body.en': text(4000),
  version: z.string().max(40).optional(),
});

const trilingual = (input: Record<string, unknown>, prefix: string): TrilingualName => ({
  ar: String(input[`${prefix}.ar`] ?? ''),
  fr: String(input[`${prefix}.fr`] ?? ''),
  en: String(input[`${prefix}.en`] ?? ''),
});

type ParsedQuestions = { questions: QuestionInput[]; rowOf: number[]; errors: FieldErrors };

/** The question rows of a posted form, without blank and removed rows; `rowOf` maps each back to its row. */
export function questionsFrom(body: Record<string, unknown>, rowCount: number): ParsedQuestions {
  const value = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  const questions: QuestionInput[] = [];
  const rowOf: number[] = [];
  const errors: FieldErrors = {};
  for (let row = 0; row < rowCount; row += 1) {
    const p = `questions.${row}`;
    if (value(`${p}.remove`) === 'yes') continue;
    const code = value(`${p}.code`).trim().toLowerCase();
    const label = { ar: value(`${p}.label.ar`), fr: value(`${p}.label.fr`), en: value(`${p}.label.en`) };
    const optionsText = value(`${p}.options`).trim();
    if (code === '' && !label.ar.trim() && !label.fr.trim() && !label.en.trim() && optionsText === '') continue;
    const options = [];
    for (const line of optionsText.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
      const parts = line.split('|').map((part) => part.trim());
      if (parts.length !== 4 || parts.some((part) => part === '')) {
        errors[`${p}.options`] = 'complaints.cell.catalogue.options_format';
        break;
      }
      options.push({ value: parts[0]!.toLowerCase(), label: { ar: parts[1]!, fr: parts[2]!, en: parts[3]! } });
    }
    rowOf.push(row);
    questions.push({ code, kind: value(`${p}.kind`) as QuestionKind, label, required: value(`${p}.required`) === 'yes', options });
  }
  return { questions, rowOf, errors };
}

/** Service errors name questions by their place in the saved list; the form by its row. */
function questionErrorsToRows(errors: FieldErrors, rowOf: number[]): FieldErrors {
  const mapped: FieldErrors = {};
  for (const [field, error] of Object.entries(errors)) {
    const match = /^questions\.(\d+)\.(.+)$/.exec(field);
    if (!match) {
      mapped[field] = error;
      continue;
    }
    const row = rowOf[Number(match[1])] ?? Number(match[1]);
    // A choice's label belongs to the options box of its question.
    const rest = match[2]!.startsWith('options.') ? 'options' : match[2]!;
    const key = `questions.${row}.${rest}`;
    if (!(key in mapped)) mapped[key] = error;
  }
  return mapped;
}

/**
 * Someone else saved in between: what this person typed stays on the form, now carrying the
 * current version, with a message saying that saving again replaces the other change.
 */
function keepTyping(state: FormState, currentVersion: string | undefined): FormState {
  if (state.errors._form !== 'errors.stale' || currentVersion === undefined) return state;
  return { values: { ...state.values, version: currentVersion }, errors: { ...state.errors, _form: 'complaints.cell.catalogue.stale' } };
}

function categoryValues(category: Category): FormValues {
  const values: FormValues = {
    code: category.code,
    groupCode: category.groupCode ?? '',
    departmentId: category.departmentId === null ? '' : String(category.departmentId),
    ackDays: String(category.ackDays),
    resolveDays: String(category.resolveDays),
    sortOrder: String(category.sortOrder),
    version: category.version,
    question_rows: String(category.questions.length + BLANK_ROWS),
  };
  if (category.sensitive) values.sensitive = 'yes';
  if (category.active) values.active = 'yes';
  for (const lang of LANGS) {
    values[`name.${lang}`] = category.name[lang];
    values[`description.${lang}`] = category.description?.[lang] ?? '';
  }
  category.questions.forEach((question, row) => {
    const p = `questions.${row}`;
    values[`${p}.code`] = question.code;
    values[`${p}.kind`] = question.kind;
    for (const lang of LANGS) values[`${p}.label.${lang}`] = question.label[lang];
    if (question.required) values[`${p}.required`] = 'yes';
    values[`${p}.options`] = question.options.map((o) => `${o.value} | ${o.label.ar} | ${o.label.fr} | ${o.label.en}`).join('\n');
  });
  return values;
}

function newCategoryValues(): FormValues {
  const blank = emptyCategoryInput();
  return {
    ackDays: String(blank.ackDays),
    resolveDays: String(blank.resolveDays),
    sortOrder: String(blank.sortOrder),
    active: 'yes',
    question_rows: String(BLANK_ROWS + 1),
  };
}

async function renderCategoryForm(request: FastifyRequest, reply: FastifyReply, state: FormState | null, status = 200) {
  const categoryId = (request.params as { categoryId?: string }).categoryId === undefined ? null : idParam(request, 'categoryId');
  const model = await loadCategoryEditor(dbOf(request), { ...scopeOf(request), categoryId });
  const formState: FormState = state ? keepTyping(state, model.category?.version) : { values: model.category ? categoryValues(model.category) : newCategoryValues(), errors: {} };
  return sendPage(reply, CategoryFormPage, { frame: adminFrame(request), model, state: formState }, status);
}

function templateValues(template: ResponseTemplate): FormValues {
  const values: FormValues = { code: template.code, version: template.version };
  for (const lang of LANGS) {
    values[`title.${lang}`] = template.title[lang];
    values[`body.${lang}`] = template.body[lang];
  }
  return values;
}

async function renderTemplateForm(request: FastifyRequest, reply: FastifyReply, state: FormState | null, status = 200) {
  const templateId = (request.params as { templateId?: string }).templateId === undefined ? null : idParam(request, 'templateId');
  const template = templateId === null ? null : await loadTemplateEditor(dbOf(request), { ...scopeOf(request), templateId });
  if (templateId === null) await loadCatalogue(dbOf(request), scopeOf(request)); // authorizes
  const formState: FormState = state ? keepTyping(state, template?.version) : { values: template ? templateValues(template) : {}, errors: {} };
  return sendPage(reply, TemplateFormPage, { frame: adminFrame(request), model: { template }, state: formState }, status);
}

export function registerCatalogueAdminRoutes(app: FastifyInstance): void {
  app.get(`/:locale${BASE}`, async (request, reply) => {
    const model = await loadCatalogue(dbOf(request), scopeOf(request));
    return sendPage(reply, CatalogueListPage, { frame: adminFrame(request), model });
  });

  // Categories
  app.get(`/:locale${BASE}/categories/new`, (request, reply) => renderCategoryForm(request, reply, null));
  app.get(`/:locale${BASE}/categories/:categoryId`, (request, reply) => renderCategoryForm(request, reply, null));

  for (const path of [`/:locale${BASE}/categories/new`, `/:locale${BASE}/categories/:categoryId`]) {
    postForm(app, path, {
      schema: categoryForm,
      render: (request, reply, state, status) => renderCategoryForm(request, reply, state, status),
      async handle(request, reply, form) {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const editing = (request.params as { categoryId?: string }).categoryId !== undefined;
        if (form.intent === 'more') {
          const values: FormValues = {};
          for (const [k, v] of Object.entries(body)) if (k !== '_csrf' && typeof v === 'string') values[k] = v;
          values.question_rows = String(Math.min(MAX_ROWS, form.question_rows + 2));
          return renderCategoryForm(request, reply, { values, errors: {} });
        }
        const parsed = questionsFrom(body, form.question_rows);
        if (Object.keys(parsed.errors).length > 0) throw new AppError('validation', { fields: parsed.errors });
        const description = trilingual(form, 'description');
        const input: CategoryInput = {
          code: form.code,
          name: trilingual(form, 'name'),
          description: description.ar || description.fr || description.en ? description : null,
          groupCode: form.groupCode,
          departmentId: form.departmentId,
          sensitive: form.sensitive,
          ackDays: form.ackDays,
          resolveDays: form.resolveDays,
          active: form.active,
          sortOrder: form.sortOrder,
          questions: parsed.questions,
        };
        try {
          if (editing) {
            await updateCategory(dbOf(request), { ...scopeOf(request), categoryId: idParam(request, 'categoryId'), version: form.version ?? '', input });
          } else {
            await createCategory(dbOf(request), { ...scopeOf(request), input });
          }
        } catch (error) {
          if (isAppError(error) && Object.keys(error.fields).length > 0) {
            throw new AppError(error.code, { fields: questionErrorsToRows(error.fields, parsed.rowOf), cause: error });
          }
          throw error;
        }
        setFlash(reply, editing ? 'complaints.cell.catalogue.category_saved' : 'complaints.cell.catalogue.category_created');
        return redirectTo(request, reply, BASE);
      },
    });
  }

  // Reply templates
  app.get(`/:locale${BASE}/templates/new`, (request, reply) => renderTemplateForm(request, reply, null));
  app.get(`/:locale${BASE}/templates/:templateId`, (request, reply) => renderTemplateForm(request, reply, null));

  for (const path of [`/:locale${BASE}/templates/new`, `/:locale${BASE}/templates/:templateId`]) {
    postForm(app, path, {
      schema: templateForm,
      render: (request, reply, state, status) => renderTemplateForm(request, reply, state, status),
      async handle(request, reply, form) {
        const editing = (request.params as { templateId?: string }).templateId !== undefined;
        const input = { code: form.code, title: trilingual(form, 'title'), body: trilingual(form, 'body') };
        if (editing) {
          await updateResponseTemplate(dbOf(request), { ...scopeOf(request), templateId: idParam(request, 'templateId'), version: form.version ?? '', input });
        } else {
          await createResponseTemplate(dbOf(request), { ...scopeOf(request), input });
        }
        setFlash(reply, editing ? 'complaints.cell.catalogue.template_saved' : 'complaints.cell.catalogue.template_created');
        return redirectTo(request, reply, BASE);
      },
    });
  }
}
