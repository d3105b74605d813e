// What staff do with a complaint, step by step. Every function here:
// - authorizes in the service (src/auth/policies.ts), on the complaint's department and assignee;
// - takes the version the staff member saw and refuses with AppError('stale') when someone else
//   changed the complaint in between (two agents answering at once must not overwrite each other);
// - writes a timeline entry, public or internal, and the audit entry, in the same transaction;
// - tells the reporter and followers (SMS or e-mail) when the citizen-visible state changes.
//
// Decisions worth knowing:
// - Any step past "received" (assigning, starting, answering) counts as acknowledgement.
// - The first public text (a reply, the resolution, a rejection or forwarding reason) sets
//   first_response_at, the "days to first response" that elBaladiya reports.
// - Changing the category recomputes both deadlines from the day the complaint was received
//   with the new category's days: the citizen's clock started then, whatever the office decided
//   later. Reopening gives a fresh resolution deadline from the day of reopening.
// - Public replies notify followers too: an answer the citizen never hears of is no answer.
import { type Action, type Actor, authorize, can, type Resource } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { normalizeSearchText } from '../../db/search.ts';
import { AppError, type AppErrorCode, type FieldErrors, isAppError } from '../../lib/errors.ts';
import { addDays, nowIso } from '../../lib/time.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { findMunicipalityById } from '../municipalities/municipalities.repository.ts';
import { findDepartment, findNeighbourhood } from '../municipalities/reference-data.repository.ts';
import { staffAuditActor } from '../municipalities/staff-changes.ts';
import { findCategoryRow, findResponseTemplateRow, listQuestionRows } from './categories.repository.ts';
import { answersText, type Answers, toCategory } from './categories.service.ts';
import {
  ADDRESS_MAX_LENGTH,
  canReopen,
  canTransition,
  type ComplaintStatus,
  DESCRIPTION_MAX_LENGTH,
  type EventKind,
  isOpen,
  type Priority,
  PRIORITIES,
  REASON_MAX_LENGTH,
  reopenTarget,
  REPLY_MAX_LENGTH,
  type Utility,
  UTILITIES,
} from './complaints.ts';
import {
  addToFollowerCount,
  findComplaintRow,
  findComplaintRowByTracking,
  insertEventRow,
  insertFollowerRow,
  listActiveStaffGrants,
  listFollowerRows,
  listPhotoRows,
  repointDuplicates,
  setPhotosPublic,
  updateComplaintAtVersion,
} from './complaints.repository.ts';
import type { ComplaintRow, ComplaintsTable, EventVisibility } from './complaints.table.ts';
import { isValidPoint } from './location.ts';
import { asLocale, notifyFollowers, type NotifyFollowersOptions } from './notifications.ts';
import { type ComplaintLocationInput, isInsideArea, loadMunicipalityArea, neighbourhoodAt } from './submission.service.ts';

/** Who acts, on which complaint, at which version (the one shown on their screen). */
export type WorkflowScope = {
  actor: Actor;
  municipalityId: number;
  complaintId: number;
  version: number;
  /** The site's address for links in citizens' messages ("https://kef.twiza.tn"); a path without it. */
  publicUrl?: string;
};

export type AcknowledgeComplaintOptions = WorkflowScope;
export type TriageComplaintOptions = WorkflowScope & {
  categoryId?: number;
  priority?: Priority;
  /** Defaults to the new category's department when the category changes. */
  departmentId?: number | null;
  /**
   * Where it is, as the cell found out (an SMS carries no position, a caller describes the
   * place): the given parts replace the stored ones; a point must lie inside the municipality.
   */
  location?: ComplaintLocationInput;
};
export type AssignComplaintOptions = WorkflowScope & { departmentId: number; assigneeUserId?: number | null };
export type StartComplaintOptions = WorkflowScope;
/** The public answer: typed, or a reply template in the complaint's language. */
export type ReplyText = { reply?: string | null; templateId?: number | null };
export type ResolveComplaintOptions = WorkflowScope & ReplyText;
export type RejectComplaintOptions = WorkflowScope & { reason: string };
export type MarkDuplicateOptions = WorkflowScope & ({ originalId: number } | { originalTrackingNumber: string });
export type ForwardComplaintOptions = WorkflowScope & { utility: Utility; reason: string };
export type CloseComplaintOptions = WorkflowScope;
export type ReopenComplaintOptions = WorkflowScope & { reason?: string | null };
export type ReplyToComplaintOptions = WorkflowScope & ReplyText;
export type AddInternalNoteOptions = WorkflowScope & { body: string };
export type MaskComplaintOptions = WorkflowScope & {
  /** What the public sees instead of the description; null shows the original again. */
  publicDescription: string | null;
  /** Photos to withdraw from (or give back to) the public page. */
  hidePhotoIds?: number[];
  showPhotoIds?: number[];
};

export function complaintResource(complaint: Pick<ComplaintRow, 'municipality_id' | 'department_id' | 'assignee_user_id' | 'reporter_user_id'>): Resource {
  return {
    municipalityId: complaint.municipality_id,
    departmentId: complaint.department_id,
    assigneeUserId: complaint.assignee_user_id,
    ownerUserId: complaint.reporter_user_id,
  };
}

// ---------------------------------------------------------------------------------------------
// The one path every change takes

type ComplaintValues = Omit<Partial<ComplaintsTable>, 'id' | 'version' | 'municipality_id'>;

type EventInput = {
  kind: EventKind;
  visibility: EventVisibility;
  from?: ComplaintStatus | null;
  to?: ComplaintStatus | null;
  body?: string | null;
  data?: Record<string, unknown> | null;
};

type Change = {
  values: ComplaintValues;
  events: EventInput[];
  audit: { action: string; before?: unknown; after?: unknown };
  notify?: Omit<NotifyFollowersOptions, 'municipality' | 'complaint' | 'publicUrl'>;
  /** A note does not change the complaint: its version stays, so two notes at once both land. */
  keepVersion?: boolean;
};

type Context = {
  trx: Db;
  actor: NonNullable<Actor>;
  complaint: ComplaintRow;
  municipality: MunicipalityRow;
  now: string;
};

function refuse(): AppError {
  return new AppError('conflict', { fields: { _form: 'complaints.workflow.not_allowed' } });
}

function fieldError(field: string, key: string | { key: string; values: Record<string, number> }): AppError {
  return new AppError('validation', { fields: { [field]: key } as FieldErrors });
}

function requiredText(field: string, value: string | null | undefined, max: number): string {
  const text = value?.trim() ?? '';
  if (text === '') throw fieldError(field, 'validation.required');
  if (text.length > max) throw fieldError(field, { key: 'validation.too_long', values: { max } });
  return text;
}

function pick(row: ComplaintRow, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, row[k as keyof ComplaintRow]]));
}

async function changeComplaint(
  db: Db,
  scope: WorkflowScope,
  action: Action,
  plan: (context: Context) => Promise<Change | null>,
): Promise<ComplaintRow> {
  const { actor } = scope;
  // Refused before anything is read: visitors, and staff of another municipality.
  if (!actor) throw new AppError('unauthenticated');
  if (actor.municipalityId !== scope.municipalityId) throw new AppError('forbidden');
  return db.transaction().execute(async (trx) => {
    const complaint = await findComplaintRow(trx, scope.municipalityId, scope.complaintId);
    if (!complaint) throw new AppError('not_found');
    authorize(actor, action, complaintResource(complaint));
    if (complaint.version !== scope.version) throw new AppError('stale');
    const municipality = await findMunicipalityById(trx, scope.municipalityId);
    if (!municipality) throw new AppError('not_found');
    const now = nowIso();
    const change = await plan({ trx, actor, complaint, municipality, now });
    if (!change) return complaint;
    let updated: ComplaintRow | undefined = complaint;
    if (!change.keepVersion) {
      updated = await updateComplaintAtVersion(
        trx,
        { municipalityId: scope.municipalityId, id: complaint.id, version: scope.version },
        { ...change.values, updated_at: now },
      );
      // Another transaction changed it after we read it (PostgreSQL re-checks the version).
      if (!updated) throw new AppError('stale');
    }
    for (const event of change.events) {
      await insertEventRow(trx, {
        municipality_id: complaint.municipality_id,
        complaint_id: complaint.id,
        kind: event.kind,
        visibility: event.visibility,
        from_status: event.from ?? null,
        to_status: event.to ?? null,
        body: event.body ?? null,
        data_json: event.data ? JSON.stringify(event.data) : null,
        actor_user_id: actor.userId,
        created_at: now,
      });
    }
    const keys = Object.keys(change.values);
    await recordAudit(trx, {
      municipalityId: complaint.municipality_id,
      actor: staffAuditActor(actor),
      action: change.audit.action,
      entityType: 'complaint',
      entityId: complaint.id,
      before: change.audit.before ?? pick(complaint, keys),
      after: change.audit.after ?? pick(updated, keys),
    });
    if (change.notify) await notifyFollowers(trx, { ...change.notify, municipality, complaint: updated, publicUrl: scope.publicUrl });
    return updated;
  });
}

/** A status change with its public timeline entry and the citizens' message. */
function statusChange(
  complaint: ComplaintRow,
  to: ComplaintStatus,
  now: string,
  extra: { values?: ComplaintValues; body?: string | null; data?: Record<string, unknown>; linkTrackingNumber?: string } = {},
): Change {
  if (!canTransition(complaint.status, to)) throw refuse();
  const values: ComplaintValues = { status: to, ...extra.values };
  // Any step past "received" means someone in the office has read it.
  if (complaint.acknowledged_at === null) values.acknowledged_at = now;
  if (extra.body && complaint.first_response_at === null) values.first_response_at = now;
  return {
    values,
    events: [{ kind: 'status', visibility: 'public', from: complaint.status, to, body: extra.body ?? null, data: extra.data ?? null }],
    audit: { action: `complaint.${to}` },
    notify: { change: { kind: 'status', status: to }, detail: extra.body ?? null, linkTrackingNumber: extra.linkTrackingNumber },
  };
}

async function replyText(context: Context, input: ReplyText, field: string): Promise<{ text: string; templateId: number | null }> {
  if (input.reply?.trim()) return { text: requiredText(field, input.reply, REPLY_MAX_LENGTH), templateId: input.templateId ?? null };
  if (input.templateId !== undefined && input.templateId !== null) {
    const template = await findResponseTemplateRow(context.trx, context.complaint.municipality_id, input.templateId);
    if (!template) throw fieldError('templateId', 'complaints.template.unknown');
    return { text: template[`body_${asLocale(context.complaint.locale)}`], templateId: template.id };
  }
  throw fieldError(field, 'validation.required');
}

/** Whether `userId` is active staff of `departmentId` (agent or head), in this municipality. */
async function isStaffOfDepartment(trx: Db, municipalityId: number, userId: number, departmentId: number): Promise<boolean> {
  const grants = await listActiveStaffGrants(trx, municipalityId, userId);
  return grants.some((g) => (g.role === 'staff_agent' || g.role === 'department_head') && g.department_id === departmentId);
}

/** The words public search finds a complaint by: never the masked original. */
async function searchTextOf(trx: Db, complaint: ComplaintRow): Promise<string> {
  const category = await findCategoryRow(trx, complaint.municipality_id, complaint.category_id);
  const questions = category ? await listQuestionRows(trx, complaint.municipality_id, [category.id]) : [];
  const answers = JSON.parse(complaint.answers_json) as Answers;
  return normalizeSearchText(
    [
      complaint.tracking_number,
      complaint.description_public ?? complaint.description,
      complaint.address_text ?? '',
      category ? answersText(toCategory(category, questions).questions, answers) : '',
    ].join(' '),
  );
}

/** The location columns a triage sets, checked as at submission. */
async function triagedLocation(trx: Db, complaint: ComplaintRow, input: ComplaintLocationInput): Promise<ComplaintValues> {
  const values: ComplaintValues = {};
  const hasLat = input.lat !== undefined && input.lat !== null;
  const hasLng = input.lng !== undefined && input.lng !== null;
  const municipality = await findMunicipalityById(trx, complaint.municipality_id);
  if (!municipality) throw new AppError('not_found');
  if (hasLat || hasLng) {
    const point = { lat: Number(input.lat), lng: Number(input.lng) };
    if (!hasLat || !hasLng || !isValidPoint(point)) throw fieldError('location', 'complaints.location.invalid');
    const area = await loadMunicipalityArea(trx, municipality);
    if (!isInsideArea(area, point)) throw fieldError('location', 'complaints.location.outside');
    values.latitude = point.lat;
    values.longitude = point.lng;
    if (input.neighbourhoodId === undefined || input.neighbourhoodId === null) {
      const found = neighbourhoodAt(area, point);
      if (found !== null) values.neighbourhood_id = found;
    }
  }
  if (input.neighbourhoodId !== undefined && input.neighbourhoodId !== null) {
    if (!(await findNeighbourhood(trx, complaint.municipality_id, input.neighbourhoodId))) throw fieldError('location.neighbourhoodId', 'validation.invalid_choice');
    values.neighbourhood_id = input.neighbourhoodId;
  }
  const address = input.address?.trim();
  if (address) {
    if (address.length > ADDRESS_MAX_LENGTH) throw fieldError('location.address', { key: 'validation.too_long', values: { max: ADDRESS_MAX_LENGTH } });
    values.address_text = address;
  }
  // Only what changes.
  for (const key of Object.keys(values) as (keyof ComplaintValues)[]) {
    if (values[key] === complaint[key as keyof ComplaintRow]) delete values[key];
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Steps

/** "We have read it." */
export async function acknowledgeComplaint(db: Db, options: AcknowledgeComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.change_status', async ({ complaint, now }) => statusChange(complaint, 'acknowledged', now));
}

/** Confirms or changes the category, the priority and the department. Internal: the public sees the result. */
export async function triageComplaint(db: Db, options: TriageComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.triage', async ({ trx, complaint }) => {
    if (!isOpen(complaint.status)) throw refuse();
    const values: ComplaintValues = {};
    if (options.priority !== undefined && options.priority !== complaint.priority) {
      if (!PRIORITIES.includes(options.priority)) throw fieldError('priority', 'validation.invalid_choice');
      values.priority = options.priority;
    }
    let departmentId = options.departmentId;
    if (options.categoryId !== undefined && options.categoryId !== complaint.category_id) {
      const category = await findCategoryRow(trx, complaint.municipality_id, options.categoryId);
      if (!category) throw fieldError('categoryId', 'complaints.category.unknown');
      values.category_id = category.id;
      values.ack_due_at = addDays(complaint.created_at, category.ack_days);
      values.resolve_due_at = addDays(complaint.created_at, category.resolve_days);
      if (departmentId === undefined) departmentId = category.department_id;
    }
    if (options.location) Object.assign(values, await triagedLocation(trx, complaint, options.location));
    if (departmentId !== undefined && departmentId !== complaint.department_id) {
      if (departmentId !== null) {
        const department = await findDepartment(trx, complaint.municipality_id, departmentId);
        if (!department || !department.active) throw fieldError('departmentId', 'complaints.department.unknown');
      }
      values.department_id = departmentId;
      // The agent stays only if they work in the new department too.
      if (complaint.assignee_user_id !== null && (departmentId === null || !(await isStaffOfDepartment(trx, complaint.municipality_id, complaint.assignee_user_id, departmentId)))) {
        values.assignee_user_id = null;
      }
    }
    if (Object.keys(values).length === 0) return null;
    if (values.category_id !== undefined || values.address_text !== undefined) {
      values.search_text = await searchTextOf(trx, { ...complaint, ...values } as ComplaintRow);
    }
    return {
      values,
      events: [{ kind: 'triage', visibility: 'internal', data: { before: pick(complaint, Object.keys(values).filter((k) => k !== 'search_text')), after: Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'search_text')) } }],
      audit: {
        action: 'complaint.triaged',
        before: pick(complaint, Object.keys(values).filter((k) => k !== 'search_text')),
        after: Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'search_text')),
      },
    };
  });
}

/**
 * Sends the complaint to a department, and to one of its agents if given. The first assignment
 * is a public step ("sent to the department in charge"); reassigning is internal.
 */
export async function assignComplaint(db: Db, options: AssignComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.assign', async ({ trx, actor, complaint, now }) => {
    if (!isOpen(complaint.status)) throw refuse();
    // A head of department hands work out within their own department only.
    authorize(actor, 'complaints.assign', { ...complaintResource(complaint), departmentId: options.departmentId });
    const department = await findDepartment(trx, complaint.municipality_id, options.departmentId);
    if (!department || !department.active) throw fieldError('departmentId', 'complaints.department.unknown');
    const assigneeUserId = options.assigneeUserId ?? null;
    if (assigneeUserId !== null && !(await isStaffOfDepartment(trx, complaint.municipality_id, assigneeUserId, department.id))) {
      throw fieldError('assigneeUserId', 'complaints.assign.not_staff');
    }
    if (department.id === complaint.department_id && assigneeUserId === complaint.assignee_user_id && complaint.status !== 'received' && complaint.status !== 'acknowledged') {
      return null;
    }
    const values: ComplaintValues = { department_id: department.id, assignee_user_id: assigneeUserId };
    if (complaint.status === 'received' || complaint.status === 'acknowledged') {
      const change = statusChange(complaint, 'assigned', now, { values, data: { departmentId: department.id } });
      change.events.push({ kind: 'assignment', visibility: 'internal', data: { departmentId: department.id, assigneeUserId } });
      return change;
    }
    return {
      values,
      events: [{ kind: 'assignment', visibility: 'internal', data: { departmentId: department.id, assigneeUserId } }],
      audit: { action: 'complaint.reassigned' },
    };
  });
}

/** Work has started on the ground. */
export async function startComplaint(db: Db, options: StartComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.change_status', async ({ complaint, now }) => statusChange(complaint, 'in_progress', now));
}

/** Resolved, with the public answer saying what was done. */
export async function resolveComplaint(db: Db, options: ResolveComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.change_status', async (context) => {
    if (!canTransition(context.complaint.status, 'resolved')) throw refuse();
    const { text, templateId } = await replyText(context, options, 'reply');
    return statusChange(context.complaint, 'resolved', context.now, {
      values: { resolved_at: context.now, status_reason: null },
      body: text,
      data: templateId ? { templateId } : undefined,
    });
  });
}

/** Refused, with the reason shown publicly (the citizen is owed an explanation). */
export async function rejectComplaint(db: Db, options: RejectComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.change_status', async ({ complaint, now }) => {
    if (!canTransition(complaint.status, 'rejected')) throw refuse();
    const reason = requiredText('reason', options.reason, REASON_MAX_LENGTH);
    return statusChange(complaint, 'rejected', now, { values: { status_reason: reason }, body: reason });
  });
}

/**
 * The same problem was reported before: this complaint points to the original, and its
 * followers (its reporter included) follow the original from now on, each person once. A
 * duplicate of a duplicate points to the first original, so chains stay one step long.
 */
export async function markComplaintDuplicate(db: Db, options: MarkDuplicateOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.change_status', async ({ trx, complaint, now }) => {
    if (!canTransition(complaint.status, 'duplicate')) throw refuse();
    const target =
      'originalId' in options
        ? await findComplaintRow(trx, complaint.municipality_id, options.originalId)
        : await findComplaintRowByTracking(trx, complaint.municipality_id, options.originalTrackingNumber.trim().toUpperCase());
    if (!target) throw fieldError('original', 'complaints.duplicate.unknown');
    if (target.id === complaint.id) throw fieldError('original', 'complaints.duplicate.self');
    let root = target;
    for (let step = 0; root.duplicate_of_id !== null && step < 20; step += 1) {
      if (root.duplicate_of_id === complaint.id) throw fieldError('original', 'complaints.duplicate.loop');
      const next = await findComplaintRow(trx, complaint.municipality_id, root.duplicate_of_id);
      if (!next) break;
      root = next;
    }
    if (root.id === complaint.id) throw fieldError('original', 'complaints.duplicate.loop');

    let added = 0;
    for (const follower of await listFollowerRows(trx, complaint.municipality_id, complaint.id)) {
      const inserted = await insertFollowerRow(trx, {
        municipality_id: root.municipality_id,
        complaint_id: root.id,
        user_id: follower.user_id,
        contact: follower.contact,
        locale: follower.locale,
        created_at: now,
      });
      if (inserted) added += 1;
    }
    await addToFollowerCount(trx, root.municipality_id, root.id, added);
    await repointDuplicates(trx, complaint.municipality_id, complaint.id, root.id);
    await insertEventRow(trx, {
      municipality_id: root.municipality_id,
      complaint_id: root.id,
      kind: 'merged',
      visibility: 'internal',
      from_status: null,
      to_status: null,
      body: null,
      data_json: JSON.stringify({ duplicateId: complaint.id, duplicateTrackingNumber: complaint.tracking_number, followersAdded: added }),
      actor_user_id: options.actor?.userId ?? null,
      created_at: now,
    });
    return statusChange(complaint, 'duplicate', now, {
      values: { duplicate_of_id: root.id },
      data: { duplicateOf: root.tracking_number },
      linkTrackingNumber: root.tracking_number,
    });
  });
}

/** For SONEDE, STEG or ONAS: forwarded out, and counted apart in municipal statistics. */
export async function forwardComplaint(db: Db, options: ForwardComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.change_status', async ({ complaint, now }) => {
    if (!canTransition(complaint.status, 'forwarded')) throw refuse();
    if (!UTILITIES.includes(options.utility)) throw fieldError('utility', 'validation.invalid_choice');
    const reason = requiredText('reason', options.reason, REASON_MAX_LENGTH);
    return statusChange(complaint, 'forwarded', now, {
      values: { forwarded_to: options.utility, status_reason: reason },
      body: reason,
      data: { utility: options.utility },
    });
  });
}

/** Closes a resolved complaint (the citizen confirmed, by phone or at the counter). */
export async function closeComplaint(db: Db, options: CloseComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.change_status', async ({ complaint, now }) =>
    statusChange(complaint, 'closed', now, { values: { closed_at: now } }),
  );
}

/** The values that send a finished complaint back to work, with a fresh resolution deadline. */
export async function reopenValues(trx: Db, complaint: ComplaintRow, now: string): Promise<ComplaintValues> {
  const category = await findCategoryRow(trx, complaint.municipality_id, complaint.category_id);
  return {
    status: reopenTarget(complaint.assignee_user_id !== null),
    resolved_at: null,
    closed_at: null,
    status_reason: null,
    duplicate_of_id: null,
    forwarded_to: null,
    resolve_due_at: addDays(now, category?.resolve_days ?? 21),
  };
}

/** Back to work: a resolution that did not hold, a rejection or forwarding that was wrong. */
export async function reopenComplaint(db: Db, options: ReopenComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.change_status', async ({ trx, complaint, now }) => {
    if (!canReopen(complaint.status)) throw refuse();
    const reason = options.reason?.trim() ? requiredText('reason', options.reason, REASON_MAX_LENGTH) : null;
    const values = await reopenValues(trx, complaint, now);
    const to = values.status as ComplaintStatus;
    return {
      values,
      events: [{ kind: 'status', visibility: 'public', from: complaint.status, to, body: reason, data: { reopened: true } }],
      audit: { action: 'complaint.reopened' },
      notify: { change: { kind: 'status', status: to }, detail: reason },
    };
  });
}

/** A public answer without a status change ("the team will come on Tuesday"). */
export async function replyToComplaint(db: Db, options: ReplyToComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.reply', async (context) => {
    const { text, templateId } = await replyText(context, options, 'reply');
    const values: ComplaintValues = {};
    if (context.complaint.first_response_at === null) values.first_response_at = context.now;
    return {
      values,
      events: [{ kind: 'reply', visibility: 'public', body: text, data: templateId ? { templateId } : null }],
      audit: { action: 'complaint.replied', after: { ...values, templateId } },
      notify: { change: { kind: 'reply' }, detail: text },
    };
  });
}

/** A note for colleagues; never shown to the public nor sent to anyone. */
export async function addInternalNote(db: Db, options: AddInternalNoteOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.note', async () => {
    const body = requiredText('body', options.body, REPLY_MAX_LENGTH);
    return {
      values: {},
      events: [{ kind: 'note', visibility: 'internal', body }],
      // The note's text stays on the timeline; the permanent log records that one was written.
      audit: { action: 'complaint.note_added', before: null, after: { note: true } },
      keepVersion: true,
    };
  });
}

/**
 * Hides personal data from the public page: the public sees `publicDescription` instead of the
 * description (kept unchanged for staff allowed to see it), and chosen photos are withdrawn.
 * Public search then uses the masked text, so the hidden words cannot be found by searching.
 */
export async function maskComplaintDescription(db: Db, options: MaskComplaintOptions): Promise<ComplaintRow> {
  return changeComplaint(db, options, 'complaints.mask', async ({ trx, complaint }) => {
    const publicDescription = options.publicDescription === null ? null : requiredText('publicDescription', options.publicDescription, DESCRIPTION_MAX_LENGTH);
    const photos = await listPhotoRows(trx, complaint.municipality_id, complaint.id, { publicOnly: false });
    const photoIds = new Set(photos.map((p) => p.id));
    const hide = (options.hidePhotoIds ?? []).filter((id) => photoIds.has(id));
    const show = (options.showPhotoIds ?? []).filter((id) => photoIds.has(id) && !hide.includes(id));
    await setPhotosPublic(trx, complaint.municipality_id, complaint.id, hide, false);
    await setPhotosPublic(trx, complaint.municipality_id, complaint.id, show, true);
    const searchText = await searchTextOf(trx, { ...complaint, description_public: publicDescription });
    return {
      values: { description_public: publicDescription, search_text: searchText },
      events: [{ kind: 'masked', visibility: 'internal', data: { masked: publicDescription !== null, hiddenPhotoIds: hide, shownPhotoIds: show } }],
      // Neither text goes into the permanent log: the original is the personal data being hidden.
      audit: {
        action: 'complaint.masked',
        before: { masked: complaint.description_public !== null },
        after: { masked: publicDescription !== null, hiddenPhotoIds: hide, shownPhotoIds: show },
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Several complaints at once

export type BulkAction =
  | { kind: 'acknowledge' }
  | { kind: 'triage'; categoryId?: number; priority?: Priority; departmentId?: number | null }
  | { kind: 'assign'; departmentId: number; assigneeUserId?: number | null }
  | { kind: 'start' }
  | ({ kind: 'resolve' } & ReplyText)
  | { kind: 'reject'; reason: string }
  | { kind: 'forward'; utility: Utility; reason: string }
  | { kind: 'close' }
  | ({ kind: 'reply' } & ReplyText);

export type BulkItem = { complaintId: number; version: number };

export type ApplyBulkActionOptions = {
  actor: Actor;
  municipalityId: number;
  items: BulkItem[];
  action: BulkAction;
  publicUrl?: string;
};

export type BulkOutcome =
  | { complaintId: number; ok: true; version: number; status: ComplaintStatus }
  | { complaintId: number; ok: false; error: AppErrorCode; fields: FieldErrors };

export const BULK_MAX_ITEMS = 200;

/**
 * Applies one action to several complaints, each in its own transaction: one stale or refused
 * complaint does not undo the others. Returns what happened to each, in the order given.
 */
export async function applyBulkAction(db: Db, options: ApplyBulkActionOptions): Promise<BulkOutcome[]> {
  if (options.items.length > BULK_MAX_ITEMS) throw fieldError('items', { key: 'validation.too_long', values: { max: BULK_MAX_ITEMS } });
  const outcomes: BulkOutcome[] = [];
  for (const item of options.items) {
    const scope: WorkflowScope = { actor: options.actor, municipalityId: options.municipalityId, complaintId: item.complaintId, version: item.version, publicUrl: options.publicUrl };
    try {
      const { action } = options;
      let row: ComplaintRow;
      switch (action.kind) {
        case 'acknowledge':
          row = await acknowledgeComplaint(db, scope);
          break;
        case 'triage':
          row = await triageComplaint(db, { ...scope, categoryId: action.categoryId, priority: action.priority, departmentId: action.departmentId });
          break;
        case 'assign':
          row = await assignComplaint(db, { ...scope, departmentId: action.departmentId, assigneeUserId: action.assigneeUserId });
          break;
        case 'start':
          row = await startComplaint(db, scope);
          break;
        case 'resolve':
          row = await resolveComplaint(db, { ...scope, reply: action.reply, templateId: action.templateId });
          break;
        case 'reject':
          row = await rejectComplaint(db, { ...scope, reason: action.reason });
          break;
        case 'forward':
          row = await forwardComplaint(db, { ...scope, utility: action.utility, reason: action.reason });
          break;
        case 'close':
          row = await closeComplaint(db, scope);
          break;
        case 'reply':
          row = await replyToComplaint(db, { ...scope, reply: action.reply, templateId: action.templateId });
          break;
      }
      outcomes.push({ complaintId: item.complaintId, ok: true, version: row.version, status: row.status });
    } catch (error) {
      if (!isAppError(error)) throw error;
      outcomes.push({ complaintId: item.complaintId, ok: false, error: error.code, fields: error.fields });
    }
  }
  return outcomes;
}

/** What the actor may do with this complaint now, for the back office to show the right buttons. */
export function allowedActions(actor: Actor, complaint: ComplaintRow): Record<'triage' | 'assign' | 'changeStatus' | 'reply' | 'note' | 'mask' | 'viewPersonalData', boolean> {
  const resource = complaintResource(complaint);
  return {
    triage: can(actor, 'complaints.triage', resource) && isOpen(complaint.status),
    assign: can(actor, 'complaints.assign', resource) && isOpen(complaint.status),
    changeStatus: can(actor, 'complaints.change_status', resource),
    reply: can(actor, 'complaints.reply', resource),
    note: can(actor, 'complaints.note', resource),
    mask: can(actor, 'complaints.mask', resource),
    viewPersonalData: can(actor, 'complaints.view_personal_data', resource),
  };
}
