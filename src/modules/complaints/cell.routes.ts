// The complaints management cell under /:locale/admin/complaints (registered inside the back
// office's staff-only scope): the inbox, bulk actions, the CSV export, filing at the counter or
// on the phone, and one complaint's page with a form for each step of the workflow.
//
// Each step's form posts to /admin/complaints/:id/<step> with the version the staff member saw.
// When the service refuses (bad input, a step not allowed now, or someone else changed the
// complaint in between), the page is drawn again with the complaint as it is now, the refused
// form open with what was typed, and the reason in the reader's language.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Locale } from '../../config.ts';
import { emptyForm, type FormState, postForm } from '../../http/forms.ts';
import { redirectTo, sendPage, setFlash } from '../../http/render.ts';
import { translator } from '../../i18n/i18n.ts';
import { AppError, type FieldErrors, isAppError } from '../../lib/errors.ts';
import { adminFrame, dbOf, idParam, PAGE_SIZE, paginationLinks, parseQuery, queryString, scopeOf } from '../admin/admin-http.ts';
import { registerCatalogueAdminRoutes } from './catalogue.admin-routes.ts';
import { csvLines, exportColumns } from './cell.csv.ts';
import {
  answersFrom,
  assignForm,
  bulkForm,
  duplicateForm,
  forwardForm,
  inboxQuerySchema,
  type InboxQueryInput,
  intakeForm,
  maskForm,
  noteForm,
  rejectForm,
  reopenForm,
  replyForm,
  resolveForm,
  triageForm,
  versionOnlyForm,
} from './cell.schemas.ts';
import {
  type ActionKey,
  exportInbox,
  fileComplaintOnBehalf,
  getFilingReceipt,
  type InboxFilters,
  listInbox,
  loadComplaintPage,
  loadInboxChoices,
  loadIntakeChoices,
  runBulkAction,
  templateTextFor,
} from './cell.service.ts';
import { BulkOutcomePage, ComplaintPage, InboxPage, IntakePage, ReceiptPage } from './cell.views.tsx';
import { complaintFollowPath } from './complaints.ts';
import { photoFilePath, thumbnailKeyOf } from './photos.ts';
import { getComplaintForStaff } from './reading.service.ts';
import {
  acknowledgeComplaint,
  addInternalNote,
  assignComplaint,
  type BulkAction,
  closeComplaint,
  forwardComplaint,
  maskComplaintDescription,
  markComplaintDuplicate,
  rejectComplaint,
  reopenComplaint,
  replyToComplaint,
  resolveComplaint,
  startComplaint,
  triageComplaint,
  type WorkflowScope,
} from './workflow.service.ts';

const BASE = '/admin/complaints';

function filtersOf(query: InboxQueryInput): InboxFilters {
  return {
    status: query.status,
    categoryId: query.category,
    department: query.department,
    assignee: query.assignee,
    neighbourhoodId: query.neighbourhood,
    channel: query.channel,
    priority: query.priority,
    from: query.from,
    to: query.to,
    overdue: query.overdue === '1',
    q: query.q,
  };
}

/** The filters that are set, as strings, in a stable order (for links and the filter form). */
function filterValues(query: InboxQueryInput): Record<string, string | undefined> {
  const text = (v: string | number | undefined) => (v === undefined ? undefined : String(v));
  return {
    q: query.q,
    status: query.status,
    category: text(query.category),
    department: text(query.department),
    assignee: text(query.assignee),
    neighbourhood: text(query.neighbourhood),
    channel: query.channel,
    priority: query.priority,
    from: query.from,
    to: query.to,
    overdue: query.overdue,
    sort: query.sort,
  };
}

/** The site's address for links in citizens' messages. */
function publicUrlOf(request: FastifyRequest): string {
  return request.server.deps.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

async function renderInbox(request: FastifyRequest, reply: FastifyReply, rawQuery: unknown, bulk: FormState, status = 200) {
  const query = parseQuery(inboxQuerySchema, rawQuery);
  const db = dbOf(request);
  const scope = scopeOf(request);
  const sort = query.sort ?? 'newest';
  const inbox = await listInbox(db, { ...scope, filters: filtersOf(query), sort, page: query.page ?? 1, pageSize: PAGE_SIZE });
  const choices = await loadInboxChoices(db, scope);
  const filters = filterValues(query);
  return sendPage(
    reply,
    InboxPage,
    {
      frame: adminFrame(request),
      model: {
        inbox,
        choices,
        filters,
        sort,
        pagination: paginationLinks(request, BASE, filters, inbox.page, inbox.pageCount),
        queryString: queryString({ ...filters, page: inbox.page > 1 ? inbox.page : undefined }),
        bulk,
      },
    },
    status,
  );
}

/** "?a=b" into an object, for drawing the inbox again after a refused bulk action. */
function queryOf(back: string | undefined): Record<string, string> {
  return Object.fromEntries(new URLSearchParams((back ?? '').replace(/^\?/, '')));
}

// ---------------------------------------------------------------------------------------------
// One complaint

/** How each form's fields are called by the services; their errors are shown next to the form's own. */
const FIELD_NAMES: Partial<Record<ActionKey, Record<string, string>>> = {
  triage: { categoryId: 'triage_category', priority: 'triage_priority', departmentId: 'triage_department' },
  assign: { departmentId: 'assign_department', assigneeUserId: 'assign_agent' },
  resolve: { reply: 'resolve_reply', templateId: 'resolve_template' },
  reply: { reply: 'reply_text', templateId: 'reply_template' },
  reject: { reason: 'reject_reason' },
  duplicate: { original: 'duplicate_of' },
  forward: { utility: 'forward_utility', reason: 'forward_reason' },
  reopen: { reason: 'reopen_reason' },
  note: { body: 'note_body' },
  mask: { publicDescription: 'mask_text' },
};

function formErrors(action: ActionKey, errors: FieldErrors): FieldErrors {
  const names = FIELD_NAMES[action] ?? {};
  const mapped: FieldErrors = {};
  for (const [field, error] of Object.entries(errors)) {
    // A version that went missing is treated as a stale page: show the complaint as it is now.
    if (field === 'version' || error === 'errors.stale') mapped._form = 'complaints.cell.stale';
    else mapped[names[field] ?? field] = error;
  }
  return mapped;
}

function backPathOf(request: FastifyRequest): string {
  // Coming from a filtered inbox, "back" returns to it; the referrer is only read for its query.
  const referer = request.headers.referer;
  if (referer) {
    try {
      const url = new URL(referer);
      if (url.pathname === `/${request.locale}${BASE}` && url.host === request.host) return `${BASE}${url.search}`;
    } catch {
      // Not a URL: the plain inbox.
    }
  }
  return BASE;
}

type PageOptions = { failed?: { action: ActionKey; state: FormState }; assignDepartmentId?: number | null; status?: number };

async function renderComplaint(request: FastifyRequest, reply: FastifyReply, options: PageOptions = {}) {
  const complaintId = idParam(request, 'complaintId');
  const model = await loadComplaintPage(dbOf(request), { ...scopeOf(request), complaintId, assignDepartmentId: options.assignDepartmentId });
  return sendPage(
    reply,
    ComplaintPage,
    { frame: adminFrame(request), model, failed: options.failed, backPath: backPathOf(request) },
    options.status ?? 200,
  );
}

type StepSpec<S extends z.ZodType> = {
  action: ActionKey;
  schema: S;
  flash: string;
  /**
   * Does the step; returns a FormState to draw the page again without acting (a template's text
   * put in the box, another department's staff listed), or nothing once done.
   */
  run(request: FastifyRequest, scope: WorkflowScope, input: z.output<S>): Promise<{ redraw: FormState; assignDepartmentId?: number } | void>;
};

function step<S extends z.ZodType>(app: FastifyInstance, spec: StepSpec<S>): void {
  postForm(app, `/:locale${BASE}/:complaintId/${spec.action}`, {
    schema: spec.schema,
    render: (request, reply, state, status) =>
      renderComplaint(request, reply, { failed: { action: spec.action, state: { values: state.values, errors: formErrors(spec.action, state.errors) } }, status }),
    async handle(request, reply, input) {
      const complaintId = idParam(request, 'complaintId');
      const scope: WorkflowScope = { ...scopeOf(request), complaintId, version: (input as { version: number }).version, publicUrl: publicUrlOf(request) };
      let outcome: Awaited<ReturnType<typeof spec.run>>;
      try {
        outcome = await spec.run(request, scope, input);
      } catch (error) {
        if (isAppError(error) && Object.keys(error.fields).length > 0) {
          throw new AppError(error.code, { fields: formErrors(spec.action, error.fields), cause: error });
        }
        throw error;
      }
      if (outcome) {
        return renderComplaint(request, reply, { failed: { action: spec.action, state: outcome.redraw }, assignDepartmentId: outcome.assignDepartmentId });
      }
      setFlash(reply, spec.flash);
      return redirectTo(request, reply, `${BASE}/${complaintId}`);
    },
  });
}

/** Draws the reply box again with the template's text in the complaint's language. */
async function withTemplateText(request: FastifyRequest, scope: WorkflowScope, values: FormState['values'], templateField: string, textField: string, templateId: number | null) {
  if (templateId === null) {
    return { redraw: { values, errors: { [templateField]: 'complaints.cell.template.choose' } } };
  }
  const text = await templateTextFor(dbOf(request), { actor: scope.actor, municipalityId: scope.municipalityId, complaintId: scope.complaintId, templateId });
  return { redraw: { values: { ...values, [textField]: text }, errors: {} } };
}

function registerSteps(app: FastifyInstance): void {
  const db = (request: FastifyRequest) => dbOf(request);
  const valuesOf = (request: FastifyRequest) => {
    const values: FormState['values'] = {};
    for (const [k, v] of Object.entries((request.body ?? {}) as Record<string, unknown>)) if (k !== '_csrf' && typeof v === 'string') values[k] = v;
    return values;
  };

  step(app, { action: 'acknowledge', schema: versionOnlyForm, flash: 'complaints.cell.flash.acknowledged', run: async (r, s) => void (await acknowledgeComplaint(db(r), s)) });
  step(app, { action: 'start', schema: versionOnlyForm, flash: 'complaints.cell.flash.started', run: async (r, s) => void (await startComplaint(db(r), s)) });
  step(app, { action: 'close', schema: versionOnlyForm, flash: 'complaints.cell.flash.closed', run: async (r, s) => void (await closeComplaint(db(r), s)) });

  step(app, {
    action: 'triage',
    schema: triageForm,
    flash: 'complaints.cell.flash.triaged',
    run: async (r, s, input) =>
      void (await triageComplaint(db(r), {
        ...s,
        categoryId: input.triage_category,
        priority: input.triage_priority,
        // "Automatic" leaves the department to follow the category.
        departmentId: input.triage_department ?? undefined,
      })),
  });

  step(app, {
    action: 'assign',
    schema: assignForm,
    flash: 'complaints.cell.flash.assigned',
    run: async (r, s, input) => {
      if (input.intent === 'refresh') {
        const values = valuesOf(r);
        // The agent chosen belonged to the other department's list.
        delete values.assign_agent;
        return { redraw: { values, errors: {} }, assignDepartmentId: input.assign_department };
      }
      await assignComplaint(db(r), { ...s, departmentId: input.assign_department, assigneeUserId: input.assign_agent });
    },
  });

  step(app, {
    action: 'resolve',
    schema: resolveForm,
    flash: 'complaints.cell.flash.resolved',
    run: async (r, s, input) => {
      if (input.intent === 'use_template') return withTemplateText(r, s, valuesOf(r), 'resolve_template', 'resolve_reply', input.resolve_template);
      await resolveComplaint(db(r), { ...s, reply: input.resolve_reply, templateId: input.resolve_template });
    },
  });

  step(app, {
    action: 'reply',
    schema: replyForm,
    flash: 'complaints.cell.flash.replied',
    run: async (r, s, input) => {
      if (input.intent === 'use_template') return withTemplateText(r, s, valuesOf(r), 'reply_template', 'reply_text', input.reply_template);
      await replyToComplaint(db(r), { ...s, reply: input.reply_text, templateId: input.reply_template });
    },
  });

  step(app, {
    action: 'reject',
    schema: rejectForm,
    flash: 'complaints.cell.flash.rejected',
    run: async (r, s, input) => void (await rejectComplaint(db(r), { ...s, reason: input.reject_reason })),
  });

  step(app, {
    action: 'duplicate',
    schema: duplicateForm,
    flash: 'complaints.cell.flash.duplicate',
    run: async (r, s, input) => void (await markComplaintDuplicate(db(r), { ...s, originalTrackingNumber: input.duplicate_of })),
  });

  step(app, {
    action: 'forward',
    schema: forwardForm,
    flash: 'complaints.cell.flash.forwarded',
    run: async (r, s, input) => void (await forwardComplaint(db(r), { ...s, utility: input.forward_utility, reason: input.forward_reason })),
  });

  step(app, {
    action: 'reopen',
    schema: reopenForm,
    flash: 'complaints.cell.flash.reopened',
    run: async (r, s, input) => void (await reopenComplaint(db(r), { ...s, reason: input.reopen_reason })),
  });

  step(app, {
    action: 'note',
    schema: noteForm,
    flash: 'complaints.cell.flash.noted',
    run: async (r, s, input) => void (await addInternalNote(db(r), { ...s, body: input.note_body })),
  });

  step(app, {
    action: 'mask',
    schema: maskForm,
    flash: 'complaints.cell.flash.masked',
    run: async (r, s, input) => {
      const body = (r.body ?? {}) as Record<string, unknown>;
      const before = new Set(([] as unknown[]).concat(body.mask_public_before ?? []).map(Number));
      const shown = new Set(input.mask_photo);
      await maskComplaintDescription(db(r), {
        ...s,
        publicDescription: input.intent === 'unmask' ? null : (input.mask_text ?? ''),
        hidePhotoIds: [...before].filter((id) => !shown.has(id)),
        showPhotoIds: [...shown].filter((id) => !before.has(id)),
      });
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Counter and phone

async function renderIntake(request: FastifyRequest, reply: FastifyReply, categoryId: number | null, state: FormState, status = 200) {
  const db = dbOf(request);
  const scope = scopeOf(request);
  const choices = await loadIntakeChoices(db, scope);
  const category = categoryId === null ? null : (choices.categories.find((c) => c.id === categoryId) ?? null);
  const errors = categoryId !== null && category === null ? { ...state.errors, category_id: 'complaints.category.unknown' } : state.errors;
  return sendPage(reply, IntakePage, { frame: adminFrame(request), model: { choices, category }, state: { values: state.values, errors } }, status);
}

function registerIntake(app: FastifyInstance): void {
  app.get(`/:locale${BASE}/new`, async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).category;
    const categoryId = typeof raw === 'string' && /^[1-9]\d{0,11}$/.test(raw) ? Number(raw) : null;
    const invalid = typeof raw === 'string' && categoryId === null;
    return renderIntake(request, reply, categoryId, { values: {}, errors: invalid ? { category_id: 'validation.invalid_choice' } : {} });
  });

  postForm(app, `/:locale${BASE}/new`, {
    schema: intakeForm,
    render: (request, reply, state, status) => {
      const raw = state.values.category_id;
      const categoryId = typeof raw === 'string' && /^[1-9]\d{0,11}$/.test(raw) ? Number(raw) : null;
      const errors = { ...state.errors };
      if ('categoryId' in errors) {
        errors.category_id = errors.categoryId!;
        delete errors.categoryId;
      }
      return renderIntake(request, reply, categoryId, { values: state.values, errors }, status);
    },
    async handle(request, reply, input) {
      const { complaintId } = await fileComplaintOnBehalf(dbOf(request), {
        actor: request.actor,
        municipality: request.municipality,
        channel: input.channel,
        locale: input.locale as Locale,
        categoryId: input.category_id,
        description: input.description,
        answers: answersFrom(request.body),
        location: { neighbourhoodId: input['location.neighbourhoodId'], address: input['location.address'] },
        contact: { name: input['contact.name'], phone: input['contact.phone'], email: input['contact.email'] },
        publicUrl: publicUrlOf(request),
        countryCode: request.server.deps.config.sms.countryCode,
      });
      return redirectTo(request, reply, `${BASE}/filed/${complaintId}`);
    },
  });

  app.get(`/:locale${BASE}/filed/:complaintId`, async (request, reply) => {
    const receipt = await getFilingReceipt(dbOf(request), { ...scopeOf(request), complaintId: idParam(request, 'complaintId') });
    const followUrl = `${publicUrlOf(request)}${complaintFollowPath(receipt.locale, receipt.trackingNumber)}`;
    return sendPage(reply, ReceiptPage, { frame: adminFrame(request), model: { receipt, followUrl } });
  });
}

// ---------------------------------------------------------------------------------------------

export function registerComplaintCellRoutes(app: FastifyInstance): void {
  app.get(`/:locale${BASE}`, (request, reply) => renderInbox(request, reply, request.query, emptyForm));

  app.get(`/:locale${BASE}/export.csv`, async (request, reply) => {
    const query = parseQuery(inboxQuerySchema, request.query);
    const plan = await exportInbox(dbOf(request), { ...scopeOf(request), filters: filtersOf(query) });
    const { t } = translator(request.locale);
    const columns = exportColumns(t, request.locale, { personalData: plan.personalData, now: plan.now });
    const day = plan.now.slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="complaints-${request.municipality.slug}-${day}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(csvLines(columns, plan.rows)));
  });

  postForm(app, `/:locale${BASE}/bulk`, {
    schema: bulkForm,
    render: (request, reply, state, status) => {
      const back = typeof state.values.back === 'string' ? state.values.back : '';
      return renderInbox(request, reply, queryOf(back), state, status);
    },
    async handle(request, reply, input) {
      const action: BulkAction = (() => {
        switch (input.bulk_action) {
          case 'assign':
            return { kind: 'assign', departmentId: input.bulk_department! };
          case 'priority':
            return { kind: 'triage', priority: input.bulk_priority! };
          case 'reject':
            return { kind: 'reject', reason: input.bulk_reason! };
          case 'forward':
            return { kind: 'forward', utility: input.bulk_utility!, reason: input.bulk_reason! };
          default:
            return { kind: input.bulk_action };
        }
      })();
      const results = await runBulkAction(dbOf(request), { ...scopeOf(request), items: input.item, action, publicUrl: publicUrlOf(request) });
      return sendPage(reply, BulkOutcomePage, {
        frame: adminFrame(request),
        model: { results, action: input.bulk_action, backPath: `${BASE}${input.back ?? ''}` },
      });
    },
  });

  registerIntake(app);

  app.get(`/:locale${BASE}/:complaintId`, (request, reply) => renderComplaint(request, reply));

  // Photos as staff see them: hidden ones too, for whoever may see the complaint.
  const sendPhoto = async (request: FastifyRequest, reply: FastifyReply, thumbnail: boolean) => {
    const view = await getComplaintForStaff(dbOf(request), { ...scopeOf(request), complaintId: idParam(request, 'complaintId') });
    const photo = view.photos.find((p) => p.id === idParam(request, 'photoId'));
    if (!photo) throw new AppError('not_found');
    const file = photoFilePath(request.server.deps.config.dataDir, thumbnail ? thumbnailKeyOf(photo.storageKey) : photo.storageKey);
    const stream = fs.createReadStream(file);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', () => reject(new AppError('not_found')));
    });
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(stream);
  };
  app.get(`/:locale${BASE}/:complaintId/photos/:photoId`, (request, reply) => sendPhoto(request, reply, false));
  app.get(`/:locale${BASE}/:complaintId/photos/:photoId/thumb`, (request, reply) => sendPhoto(request, reply, true));

  registerSteps(app);
  registerCatalogueAdminRoutes(app);
}
