// The complaints management cell (خلية التصرف في الشكايات): what the back office reads to work.
// The inbox with its filters and search, one complaint with everything the actor may act on,
// the lists a form offers (categories, departments, their staff, reply templates), filing at
// the counter or on the phone, bulk actions, and the CSV export.
//
// What staff may see comes from the policies (src/auth/policies.ts), never from a second set of
// rules here: the inbox asks `can(actor, 'complaints.view', …)` for the whole municipality, for
// each of the actor's departments and for complaints assigned to them, and filters to that.
// Changes go through workflow.service.ts and submission.service.ts, which authorize each step.
import type { Locale } from '../../config.ts';
import { type Actor, authorize, can } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { searchTerms } from '../../db/search.ts';
import { TIME_ZONE } from '../../i18n/i18n.ts';
import { AppError } from '../../lib/errors.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { listDepartments, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import { type Category, getResponseTemplate, listCategories, listResponseTemplates, type ResponseTemplate } from './categories.service.ts';
import {
  countInboxRows,
  type ExportRow,
  type InboxQuery,
  type InboxRow,
  type InboxSort,
  type InboxVisibility,
  listExportRows,
  listInboxRows,
  listPeopleNames,
  listStaffGrantRows,
} from './cell.repository.ts';
import { type Channel, type ComplaintStatus, currentDeadline, daysUntil, type Priority } from './complaints.ts';
import { findComplaintRow, findComplaintRowsByIds } from './complaints.repository.ts';
import { asLocale } from './notifications.ts';
import { getComplaintForStaff, type StaffComplaintView } from './reading.service.ts';
import { submitComplaint, type SubmitComplaintOptions } from './submission.service.ts';
import { applyBulkAction, type BulkAction, type BulkOutcome, complaintResource } from './workflow.service.ts';

export type CellScope = { actor: Actor; municipalityId: number };

const names = (row: { name_ar: string; name_fr: string; name_en: string }): TrilingualName => ({ ar: row.name_ar, fr: row.name_fr, en: row.name_en });
const namesOrNull = (ar: string | null, fr: string | null, en: string | null): TrilingualName | null =>
  ar === null || fr === null || en === null ? null : { ar, fr, en };

function departmentIdsOf(actor: NonNullable<Actor>): number[] {
  return [...new Set(actor.roles.map((g) => g.departmentId).filter((id): id is number => id !== null))];
}

/**
 * Which complaints the actor may see, asked of the policies: all of them, or those of some
 * departments and those assigned to them. Null when they may see none.
 */
export function inboxVisibility(actor: Actor, municipalityId: number): InboxVisibility | null {
  if (!actor || actor.municipalityId !== municipalityId) return null;
  if (can(actor, 'complaints.view', { municipalityId })) return { all: true };
  const departmentIds = departmentIdsOf(actor).filter((departmentId) => can(actor, 'complaints.view', { municipalityId, departmentId }));
  const assigneeUserId = can(actor, 'complaints.view', { municipalityId, assigneeUserId: actor.userId }) ? actor.userId : null;
  if (departmentIds.length === 0 && assigneeUserId === null) return null;
  return { all: false, departmentIds, assigneeUserId };
}

function requireVisibility(scope: CellScope): { actor: NonNullable<Actor>; visibility: InboxVisibility } {
  const { actor, municipalityId } = scope;
  if (!actor) throw new AppError('unauthenticated');
  if (actor.municipalityId !== municipalityId) throw new AppError('forbidden');
  const visibility = inboxVisibility(actor, municipalityId);
  if (visibility) return { actor, visibility };
  // Someone who only files at the counter has an inbox with nothing in it.
  if (can(actor, 'complaints.file_on_behalf', { municipalityId })) return { actor, visibility: { all: false, departmentIds: [], assigneeUserId: null } };
  throw new AppError('forbidden');
}

// ---------------------------------------------------------------------------------------------
// The inbox

export const STATUS_FILTERS = ['open', 'finished', 'received', 'acknowledged', 'assigned', 'in_progress', 'resolved', 'closed', 'rejected', 'duplicate', 'forwarded'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** The inbox's filters as the page's query string gives them (ids, "me", "mine", "none"). */
export type InboxFilters = {
  status?: StatusFilter;
  categoryId?: number;
  /** A department, the actor's own ("mine"), or none. */
  department?: number | 'mine' | 'none';
  /** A staff member, the actor ("me"), or nobody. */
  assignee?: number | 'me' | 'none';
  neighbourhoodId?: number;
  channel?: Channel;
  priority?: Priority;
  /** Filed from this day, to this day included (YYYY-MM-DD, in Tunisia's time). */
  from?: string;
  to?: string;
  overdue?: boolean;
  q?: string;
};

export type InboxItem = {
  id: number;
  trackingNumber: string;
  version: number;
  status: ComplaintStatus;
  priority: Priority;
  channel: Channel;
  category: TrilingualName;
  department: TrilingualName | null;
  neighbourhood: TrilingualName | null;
  assignee: { id: number; name: string | null } | null;
  followerCount: number;
  createdAt: string;
  /** The current deadline with whole days left (negative: days late); null once finished. */
  deadline: { kind: 'acknowledge' | 'resolve'; dueAt: string; days: number } | null;
};

export type Inbox = { items: InboxItem[]; total: number; page: number; pageCount: number };

export type ListInboxOptions = CellScope & { filters: InboxFilters; sort: InboxSort; page: number; pageSize: number; now?: string };

/** The instant a day starts in Tunisia (the offset read from the time-zone database, not assumed). */
export function startOfDayIn(day: string, timeZone = TIME_ZONE): string {
  const noonUtc = new Date(`${day}T12:00:00Z`);
  const offsetName = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(noonUtc)
    .find((p) => p.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(offsetName ?? '');
  const offsetMinutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0)) : 0;
  return new Date(Date.parse(`${day}T00:00:00Z`) - offsetMinutes * 60_000).toISOString();
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function inboxQuery(actor: NonNullable<Actor>, scope: CellScope, visibility: InboxVisibility, filters: InboxFilters, now: string): InboxQuery {
  const department = filters.department;
  const terms = filters.q ? searchTerms(filters.q) : [];
  return {
    municipalityId: scope.municipalityId,
    visibility,
    status: filters.status,
    categoryId: filters.categoryId,
    departmentIds: department === undefined ? undefined : department === 'none' ? 'none' : department === 'mine' ? departmentIdsOf(actor) : [department],
    assignee: filters.assignee === 'me' ? actor.userId : filters.assignee,
    neighbourhoodId: filters.neighbourhoodId,
    channel: filters.channel,
    priority: filters.priority,
    from: filters.from ? startOfDayIn(filters.from) : undefined,
    before: filters.to ? startOfDayIn(nextDay(filters.to)) : undefined,
    overdue: filters.overdue,
    now,
    terms: terms.length > 0 ? terms : undefined,
  };
}

function toInboxItem(row: InboxRow, now: string): InboxItem {
  const deadline = currentDeadline(row);
  return {
    id: row.id,
    trackingNumber: row.tracking_number,
    version: row.version,
    status: row.status,
    priority: row.priority,
    channel: row.channel,
    category: { ar: row.category_name_ar, fr: row.category_name_fr, en: row.category_name_en },
    department: namesOrNull(row.department_name_ar, row.department_name_fr, row.department_name_en),
    neighbourhood: namesOrNull(row.neighbourhood_name_ar, row.neighbourhood_name_fr, row.neighbourhood_name_en),
    assignee: row.assignee_user_id === null ? null : { id: row.assignee_user_id, name: row.assignee_name },
    followerCount: row.follower_count,
    createdAt: row.created_at,
    deadline: deadline ? { ...deadline, days: daysUntil(deadline.dueAt, now) } : null,
  };
}

/** One page of the inbox, limited to what the actor may see. */
export async function listInbox(db: Db, options: ListInboxOptions): Promise<Inbox> {
  const { actor, visibility } = requireVisibility(options);
  const now = options.now ?? nowIso();
  const query = inboxQuery(actor, options, visibility, options.filters, now);
  const total = await countInboxRows(db, query);
  const pageCount = Math.max(1, Math.ceil(total / options.pageSize));
  const page = Math.min(Math.max(1, options.page), pageCount);
  const rows = await listInboxRows(db, { ...query, sort: options.sort, limit: options.pageSize, offset: (page - 1) * options.pageSize });
  return { items: rows.map((row) => toInboxItem(row, now)), total, page, pageCount };
}

export type StaffMember = { id: number; name: string | null; departmentIds: number[] };
export type NamedChoice = { id: number; name: TrilingualName; active: boolean };

export type InboxChoices = {
  categories: { id: number; name: TrilingualName; groupCode: string | null; active: boolean }[];
  departments: NamedChoice[];
  neighbourhoods: { id: number; name: TrilingualName }[];
  staff: StaffMember[];
  /** The actor's own departments, for the "my department" view. */
  myDepartmentIds: number[];
  may: { export: boolean; fileOnBehalf: boolean };
};

async function staffMembers(db: Db, municipalityId: number): Promise<StaffMember[]> {
  const byUser = new Map<number, StaffMember>();
  for (const row of await listStaffGrantRows(db, municipalityId)) {
    const member = byUser.get(row.user_id) ?? { id: row.user_id, name: row.display_name, departmentIds: [] };
    if ((row.role === 'staff_agent' || row.role === 'department_head') && row.department_id !== null && !member.departmentIds.includes(row.department_id)) {
      member.departmentIds.push(row.department_id);
    }
    byUser.set(row.user_id, member);
  }
  return [...byUser.values()];
}

/** What the inbox's filters and bulk form offer. */
export async function loadInboxChoices(db: Db, scope: CellScope): Promise<InboxChoices> {
  const { actor } = requireVisibility(scope);
  const { municipalityId } = scope;
  const categories = await listCategories(db, { municipalityId, includeInactive: true });
  return {
    categories: categories.map((c) => ({ id: c.id, name: c.name, groupCode: c.groupCode, active: c.active })),
    departments: (await listDepartments(db, municipalityId)).map((d) => ({ id: d.id, name: names(d), active: d.active === 1 })),
    neighbourhoods: (await listNeighbourhoods(db, municipalityId)).map((n) => ({ id: n.id, name: names(n) })),
    staff: await staffMembers(db, municipalityId),
    myDepartmentIds: departmentIdsOf(actor),
    may: {
      export: can(actor, 'complaints.export', { municipalityId }),
      fileOnBehalf: can(actor, 'complaints.file_on_behalf', { municipalityId }),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One complaint

export type TemplateChoice = { id: number; title: TrilingualName };

export type ComplaintPageModel = {
  complaint: StaffComplaintView;
  /** Names of the staff and citizens on the timeline, the assignee and whoever filed it. */
  people: Record<number, string | null>;
  categories: { id: number; name: TrilingualName; groupCode: string | null }[];
  departments: NamedChoice[];
  /** Staff of the department shown in the assign form. */
  assignDepartmentId: number | null;
  assignableStaff: StaffMember[];
  templates: TemplateChoice[];
  /** Which actions' forms to show, from the status and the actor's rights. */
  actions: ComplaintActions;
  /** The current deadline with whole days left (negative: days late) when the page was drawn. */
  deadline: { kind: 'acknowledge' | 'resolve'; dueAt: string; days: number } | null;
};

export const ACTION_KEYS = [
  'acknowledge',
  'triage',
  'assign',
  'start',
  'resolve',
  'reject',
  'duplicate',
  'forward',
  'close',
  'reopen',
  'reply',
  'note',
  'mask',
] as const;
export type ActionKey = (typeof ACTION_KEYS)[number];
export type ComplaintActions = Record<ActionKey, boolean>;

export function complaintActions(view: Pick<StaffComplaintView, 'can' | 'allowedNextStatuses' | 'status'>): ComplaintActions {
  const next = (status: ComplaintStatus) => view.can.changeStatus && view.allowedNextStatuses.includes(status);
  return {
    acknowledge: next('acknowledged'),
    triage: view.can.triage,
    assign: view.can.assign,
    start: next('in_progress'),
    resolve: next('resolved'),
    reject: next('rejected'),
    duplicate: next('duplicate'),
    forward: next('forwarded'),
    close: next('closed'),
    reopen: view.can.changeStatus && ['resolved', 'closed', 'rejected', 'duplicate', 'forwarded'].includes(view.status),
    reply: view.can.reply,
    note: view.can.note,
    mask: view.can.mask,
  };
}

export type LoadComplaintPageOptions = CellScope & {
  complaintId: number;
  /** The department whose staff the assign form lists (after "show its staff"); else the complaint's. */
  assignDepartmentId?: number | null;
  now?: string;
};

/** Everything the complaint's page shows. Throws not_found for another municipality's id, forbidden for someone else's work. */
export async function loadComplaintPage(db: Db, options: LoadComplaintPageOptions): Promise<ComplaintPageModel> {
  const complaint = await getComplaintForStaff(db, options);
  const { municipalityId } = options;
  const personIds = [
    ...complaint.timeline.map((e) => e.actorUserId),
    complaint.assigneeUserId,
    complaint.filedByUserId,
  ].filter((id): id is number => id !== null);
  const people = Object.fromEntries(await listPeopleNames(db, municipalityId, personIds));
  const categories = (await listCategories(db, { municipalityId, includeInactive: true }))
    // Inactive categories are offered only to keep the one a complaint already has.
    .filter((c) => c.active || c.id === complaint.category.id)
    .map((c) => ({ id: c.id, name: c.name, groupCode: c.groupCode }));
  const departments = (await listDepartments(db, municipalityId)).map((d) => ({ id: d.id, name: names(d), active: d.active === 1 }));
  const staff = await staffMembers(db, municipalityId);
  const assignDepartmentId =
    options.assignDepartmentId !== undefined && options.assignDepartmentId !== null && departments.some((d) => d.id === options.assignDepartmentId)
      ? options.assignDepartmentId
      : (complaint.department?.id ?? null);
  const templates = (await listResponseTemplates(db, { municipalityId })).map((t) => ({ id: t.id, title: t.title }));
  return {
    complaint,
    people,
    categories,
    departments,
    assignDepartmentId,
    assignableStaff: assignDepartmentId === null ? [] : staff.filter((s) => s.departmentIds.includes(assignDepartmentId)),
    templates,
    actions: complaintActions(complaint),
    deadline: complaint.deadline ? { ...complaint.deadline, days: daysUntil(complaint.deadline.dueAt, options.now ?? nowIso()) } : null,
  };
}

export type TemplateTextOptions = CellScope & { complaintId: number; templateId: number };

/**
 * A reply template's text in the complaint's language (the citizen reads it), for the reply
 * form to show before sending. Throws a field error when the template does not exist.
 */
export async function templateTextFor(db: Db, options: TemplateTextOptions): Promise<string> {
  const complaint = await getComplaintForStaff(db, options);
  const template: ResponseTemplate | undefined = await getResponseTemplate(db, { municipalityId: options.municipalityId, templateId: options.templateId });
  if (!template) throw new AppError('validation', { fields: { templateId: 'complaints.template.unknown' } });
  return template.body[asLocale(complaint.locale)];
}

// ---------------------------------------------------------------------------------------------
// Bulk actions

export type BulkResult = { complaintId: number; trackingNumber: string | null; outcome: BulkOutcome };

export type RunBulkActionOptions = CellScope & { items: { complaintId: number; version: number }[]; action: BulkAction; publicUrl?: string };

/** Applies one action to each selected complaint, each on its own; says what happened to each. */
export async function runBulkAction(db: Db, options: RunBulkActionOptions): Promise<BulkResult[]> {
  const { actor } = requireVisibility(options);
  const outcomes = await applyBulkAction(db, options);
  const rows = await findComplaintRowsByIds(db, options.municipalityId, outcomes.map((o) => o.complaintId));
  // A tracking number is shown only for complaints the actor may see.
  const numbers = new Map(rows.filter((r) => can(actor, 'complaints.view', complaintResource(r))).map((r) => [r.id, r.tracking_number]));
  return outcomes.map((outcome) => ({ complaintId: outcome.complaintId, trackingNumber: numbers.get(outcome.complaintId) ?? null, outcome }));
}

// ---------------------------------------------------------------------------------------------
// Counter and phone

export type FileOnBehalfOptions = Omit<SubmitComplaintOptions, 'reporter' | 'filedBy' | 'channel' | 'municipality'> & {
  actor: Actor;
  municipality: MunicipalityRow;
  channel: 'counter' | 'phone';
};

/**
 * A complaint typed in by staff for a citizen who came to the counter or called. The citizen
 * has no account here (reporter null); their name and phone are optional, and when given, they
 * receive the tracking number by SMS or e-mail like anyone filing online.
 */
export async function fileComplaintOnBehalf(db: Db, options: FileOnBehalfOptions): Promise<{ complaintId: number; trackingNumber: string }> {
  const { actor, ...rest } = options;
  if (!actor) throw new AppError('unauthenticated');
  authorize(actor, 'complaints.file_on_behalf', { municipalityId: options.municipality.id });
  if (options.channel !== 'counter' && options.channel !== 'phone') throw new AppError('validation', { fields: { channel: 'validation.invalid_choice' } });
  const submitted = await submitComplaint(db, { ...rest, reporter: null, filedBy: actor });
  return { complaintId: submitted.complaint.id, trackingNumber: submitted.trackingNumber };
}

export type FilingReceipt = {
  complaintId: number;
  trackingNumber: string;
  channel: Channel;
  category: TrilingualName;
  createdAt: string;
  locale: Locale;
  /** Whether the actor may open the complaint in the back office (it may go to another department). */
  mayOpen: boolean;
};

/** The receipt of a complaint the actor typed in: for them only (or whoever may see the complaint). */
export async function getFilingReceipt(db: Db, options: CellScope & { complaintId: number }): Promise<FilingReceipt> {
  const { actor } = options;
  if (!actor) throw new AppError('unauthenticated');
  const row = await findComplaintRow(db, options.municipalityId, options.complaintId);
  if (!row || actor.municipalityId !== options.municipalityId) throw new AppError('not_found');
  const mayOpen = can(actor, 'complaints.view', complaintResource(row));
  if (row.filed_by_user_id !== actor.userId && !mayOpen) throw new AppError('not_found');
  const categories: Category[] = await listCategories(db, { municipalityId: options.municipalityId, includeInactive: true });
  const category = categories.find((c) => c.id === row.category_id);
  return {
    complaintId: row.id,
    trackingNumber: row.tracking_number,
    channel: row.channel,
    category: category?.name ?? { ar: '', fr: '', en: '' },
    createdAt: row.created_at,
    locale: asLocale(row.locale),
    mayOpen,
  };
}

export type IntakeChoices = {
  categories: Category[];
  neighbourhoods: { id: number; name: TrilingualName }[];
};

/** The counter form's lists: the same active categories (with their questions) as the public form. */
export async function loadIntakeChoices(db: Db, scope: CellScope): Promise<IntakeChoices> {
  authorize(scope.actor, 'complaints.file_on_behalf', { municipalityId: scope.municipalityId });
  return {
    categories: await listCategories(db, { municipalityId: scope.municipalityId }),
    neighbourhoods: (await listNeighbourhoods(db, scope.municipalityId)).map((n) => ({ id: n.id, name: names(n) })),
  };
}

// ---------------------------------------------------------------------------------------------
// CSV export

export type ExportOptions = CellScope & { filters: InboxFilters; now?: string; batchSize?: number };

export type ExportPlan = {
  /** Whether the file carries names, phones, e-mails and the unmasked text. */
  personalData: boolean;
  /** The moment "days left" is counted from. */
  now: string;
  rows: AsyncGenerator<ExportRow & { personal: boolean }>;
};

/**
 * Starts an export of the filtered list. Exports carry many people's data at once: the actor
 * needs complaints.export, personal columns need complaints.view_personal_data, and the export
 * itself is written to the audit log (who exported what, not the data) before any row is read.
 */
export async function exportInbox(db: Db, options: ExportOptions): Promise<ExportPlan> {
  const { actor, visibility } = requireVisibility(options);
  authorize(actor, 'complaints.export', { municipalityId: options.municipalityId });
  const personalData = can(actor, 'complaints.view_personal_data', { municipalityId: options.municipalityId });
  const now = options.now ?? nowIso();
  const query = inboxQuery(actor, options, visibility, options.filters, now);
  await db.transaction().execute(async (trx) => {
    await recordAudit(trx, {
      municipalityId: options.municipalityId,
      actor: staffAuditActor(actor),
      action: 'complaints.exported',
      entityType: 'complaint',
      entityId: null,
      after: { filters: options.filters, personalData },
    });
  });
  const batchSize = options.batchSize ?? 500;
  async function* rows(): AsyncGenerator<ExportRow & { personal: boolean }> {
    let afterId = 0;
    for (;;) {
      const batch = await listExportRows(db, { ...query, afterId, limit: batchSize });
      for (const row of batch) {
        // Each row asks the policy too: the column may be there for some rows and not others.
        const personal = personalData && can(actor, 'complaints.view_personal_data', complaintResource({ ...row, municipality_id: options.municipalityId }));
        yield { ...row, personal };
      }
      if (batch.length < batchSize) return;
      afterId = batch[batch.length - 1]!.id;
    }
  }
  return { personalData, now, rows: rows() };
}

// ---------------------------------------------------------------------------------------------
// Catalogue pages

/** Groups that have names in the messages (`complaints.group.<code>`); others show their code. */
export const KNOWN_GROUP_CODES = ['cleanliness', 'technical', 'police', 'civil_status', 'administrative'] as const;

export type CatalogueModel = {
  categories: Category[];
  templates: ResponseTemplate[];
  departments: NamedChoice[];
};

/** The catalogue as its editors see it: every category (inactive too) and every reply template. */
export async function loadCatalogue(db: Db, scope: CellScope): Promise<CatalogueModel> {
  authorize(scope.actor, 'categories.manage', { municipalityId: scope.municipalityId });
  return {
    categories: await listCategories(db, { municipalityId: scope.municipalityId, includeInactive: true }),
    templates: await listResponseTemplates(db, { municipalityId: scope.municipalityId }),
    departments: (await listDepartments(db, scope.municipalityId)).map((d) => ({ id: d.id, name: names(d), active: d.active === 1 })),
  };
}

export type CategoryEditorModel = {
  /** Null for a new category. */
  category: Category | null;
  departments: NamedChoice[];
  groupCodes: string[];
};

/** A category's edit page (or a new one's). Throws not_found for another municipality's id. */
export async function loadCategoryEditor(db: Db, options: CellScope & { categoryId: number | null }): Promise<CategoryEditorModel> {
  const catalogue = await loadCatalogue(db, options);
  const category = options.categoryId === null ? null : (catalogue.categories.find((c) => c.id === options.categoryId) ?? null);
  if (options.categoryId !== null && !category) throw new AppError('not_found');
  const groupCodes = [...new Set([...KNOWN_GROUP_CODES, ...catalogue.categories.map((c) => c.groupCode).filter((g): g is string => g !== null)])];
  return { category, departments: catalogue.departments, groupCodes };
}

/** A reply template's edit page. Throws not_found for another municipality's id. */
export async function loadTemplateEditor(db: Db, options: CellScope & { templateId: number }): Promise<ResponseTemplate> {
  authorize(options.actor, 'categories.manage', { municipalityId: options.municipalityId });
  const template = await getResponseTemplate(db, { municipalityId: options.municipalityId, templateId: options.templateId });
  if (!template) throw new AppError('not_found');
  return template;
}
