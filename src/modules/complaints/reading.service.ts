// Reading complaints: what the public may see (anyone with the tracking number, the public map
// and list, Open311), what staff may see, and what a citizen sees of their own complaints.
//
// The public view-model is built from an explicit list of fields, never by removing fields from
// the row: a column added later stays private until someone decides to publish it. It carries
// no name, phone, e-mail, account or staff id; the masked text when a moderator set one; for
// sensitive categories no exact point, no address, no answers and no photos.
import { type Actor, authorize, can } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../lib/errors.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { findDepartment, findNeighbourhood } from '../municipalities/reference-data.repository.ts';
import { findCategoryRow, listQuestionRows } from './categories.repository.ts';
import { type Answers, type Category, toCategory } from './categories.service.ts';
import {
  allowedNextStatuses,
  type Channel,
  type ComplaintStatus,
  currentDeadline,
  normalizeTrackingNumber,
  type Priority,
} from './complaints.ts';
import {
  findComplaintRow,
  findComplaintRowByTracking,
  findComplaintRowsByIds,
  findFeedbackRow,
  listComplaintRowsOfReporter,
  listEventRows,
  listPhotoRows,
} from './complaints.repository.ts';
import type { ComplaintEventRow, ComplaintPhotoRow, ComplaintRow } from './complaints.table.ts';
import { approximatePoint, type Point } from './location.ts';
import { allowedActions, complaintResource } from './workflow.service.ts';

export type PublicCategory = { id: number; code: string; name: TrilingualName; groupCode: string | null; sensitive: boolean };
export type PublicAnswer = { code: string; label: TrilingualName; kind: string; value: string | number | string[]; choices: TrilingualName[] };
export type PublicPhoto = { id: number; storageKey: string; thumbnailKey: string; width: number; height: number };
export type PublicTimelineEntry = {
  kind: string;
  fromStatus: ComplaintStatus | null;
  toStatus: ComplaintStatus | null;
  body: string | null;
  /** Only published facts: the utility forwarded to, the original's tracking number, feedback given. */
  utility: string | null;
  duplicateOf: string | null;
  reopened: boolean;
  feedback: { resolved: boolean; satisfaction: number | null } | null;
  createdAt: string;
};

export type PublicComplaintView = {
  id: number;
  trackingNumber: string;
  status: ComplaintStatus;
  channel: Channel;
  category: PublicCategory;
  department: { id: number; name: TrilingualName } | null;
  description: string;
  location: {
    point: Point | null;
    /** True when the point was moved to the centre of a ~500 m square (sensitive categories). */
    approximate: boolean;
    neighbourhood: { id: number; name: TrilingualName } | null;
    address: string | null;
  };
  answers: PublicAnswer[];
  photos: PublicPhoto[];
  /** People who said "me too" (the reporter not counted). */
  followerCount: number;
  createdAt: string;
  acknowledgedAt: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  ackDueAt: string;
  resolveDueAt: string;
  /** The current deadline and whether it has passed, for "late" badges. */
  deadline: { kind: 'acknowledge' | 'resolve'; dueAt: string } | null;
  /** The public reason of a rejection or forwarding. */
  statusReason: string | null;
  forwardedTo: string | null;
  duplicateOf: string | null;
  feedback: { resolved: boolean; satisfaction: number | null } | null;
  timeline: PublicTimelineEntry[];
};

const names = (row: { name_ar: string; name_fr: string; name_en: string }): TrilingualName => ({ ar: row.name_ar, fr: row.name_fr, en: row.name_en });

function publicCategory(category: Category): PublicCategory {
  return { id: category.id, code: category.code, name: category.name, groupCode: category.groupCode, sensitive: category.sensitive };
}

function answersFor(category: Category, answersJson: string): PublicAnswer[] {
  const answers = JSON.parse(answersJson) as Answers;
  return category.questions.flatMap((question) => {
    const value = answers[question.code];
    if (value === undefined) return [];
    const values = Array.isArray(value) ? value : [value];
    const choices = question.options.filter((o) => values.includes(o.value)).map((o) => o.label);
    return [{ code: question.code, label: question.label, kind: question.kind, value, choices }];
  });
}

function readData(event: ComplaintEventRow): Record<string, unknown> {
  try {
    return event.data_json ? (JSON.parse(event.data_json) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function publicTimeline(events: ComplaintEventRow[]): PublicTimelineEntry[] {
  return events
    .filter((e) => e.visibility === 'public')
    .map((e) => {
      const data = readData(e);
      return {
        kind: e.kind,
        fromStatus: e.from_status as ComplaintStatus | null,
        toStatus: e.to_status as ComplaintStatus | null,
        body: e.body,
        utility: typeof data.utility === 'string' ? data.utility : null,
        duplicateOf: typeof data.duplicateOf === 'string' ? data.duplicateOf : null,
        reopened: data.reopened === true,
        feedback: e.kind === 'feedback' ? { resolved: data.resolved === true, satisfaction: typeof data.satisfaction === 'number' ? data.satisfaction : null } : null,
        createdAt: e.created_at,
      };
    });
}

function photoView(photo: ComplaintPhotoRow): PublicPhoto {
  return { id: photo.id, storageKey: photo.storage_key, thumbnailKey: photo.storage_key.replace(/\.jpg$/, '.thumb.jpg'), width: photo.width, height: photo.height };
}

async function loadCategory(db: Db, complaint: ComplaintRow): Promise<Category> {
  const row = await findCategoryRow(db, complaint.municipality_id, complaint.category_id);
  if (!row) throw new AppError('not_found');
  return toCategory(row, await listQuestionRows(db, complaint.municipality_id, [row.id]));
}

async function buildPublicView(db: Db, complaint: ComplaintRow): Promise<PublicComplaintView> {
  const category = await loadCategory(db, complaint);
  const department = complaint.department_id !== null ? await findDepartment(db, complaint.municipality_id, complaint.department_id) : undefined;
  const neighbourhood = complaint.neighbourhood_id !== null ? await findNeighbourhood(db, complaint.municipality_id, complaint.neighbourhood_id) : undefined;
  const duplicateOf = complaint.duplicate_of_id !== null ? await findComplaintRow(db, complaint.municipality_id, complaint.duplicate_of_id) : undefined;
  const feedback = await findFeedbackRow(db, complaint.municipality_id, complaint.id);
  const point = complaint.latitude !== null && complaint.longitude !== null ? { lat: complaint.latitude, lng: complaint.longitude } : null;
  const sensitive = category.sensitive;
  return {
    id: complaint.id,
    trackingNumber: complaint.tracking_number,
    status: complaint.status,
    channel: complaint.channel,
    category: publicCategory(category),
    department: department ? { id: department.id, name: names(department) } : null,
    description: complaint.description_public ?? complaint.description,
    location: {
      point: point && sensitive ? approximatePoint(point) : point,
      approximate: point !== null && sensitive,
      neighbourhood: neighbourhood ? { id: neighbourhood.id, name: names(neighbourhood) } : null,
      address: sensitive ? null : complaint.address_text,
    },
    answers: sensitive ? [] : answersFor(category, complaint.answers_json),
    photos: sensitive ? [] : (await listPhotoRows(db, complaint.municipality_id, complaint.id, { publicOnly: true })).map(photoView),
    followerCount: complaint.follower_count,
    createdAt: complaint.created_at,
    acknowledgedAt: complaint.acknowledged_at,
    firstResponseAt: complaint.first_response_at,
    resolvedAt: complaint.resolved_at,
    closedAt: complaint.closed_at,
    ackDueAt: complaint.ack_due_at,
    resolveDueAt: complaint.resolve_due_at,
    deadline: currentDeadline(complaint),
    statusReason: complaint.status_reason,
    forwardedTo: complaint.forwarded_to,
    duplicateOf: duplicateOf?.tracking_number ?? null,
    feedback: feedback ? { resolved: feedback.resolved === 1, satisfaction: feedback.satisfaction } : null,
    timeline: publicTimeline(await listEventRows(db, complaint.municipality_id, complaint.id, { publicOnly: true })),
  };
}

export type GetPublicComplaintOptions = { municipalityId: number; trackingNumber: string };

/** A complaint as anyone may see it, by its tracking number as typed. Throws not_found. */
export async function getPublicComplaint(db: Db, options: GetPublicComplaintOptions): Promise<PublicComplaintView> {
  const trackingNumber = normalizeTrackingNumber(options.trackingNumber);
  if (!trackingNumber) throw new AppError('not_found');
  const complaint = await findComplaintRowByTracking(db, options.municipalityId, trackingNumber);
  if (!complaint) throw new AppError('not_found');
  return buildPublicView(db, complaint);
}

/** The same public view by id (the public map and list link by tracking number; Open311 may use ids). */
export async function getPublicComplaintById(db: Db, options: { municipalityId: number; complaintId: number }): Promise<PublicComplaintView> {
  const complaint = await findComplaintRow(db, options.municipalityId, options.complaintId);
  if (!complaint) throw new AppError('not_found');
  return buildPublicView(db, complaint);
}

// ---------------------------------------------------------------------------------------------
// Staff

export type StaffTimelineEntry = {
  id: number;
  kind: string;
  visibility: 'public' | 'internal';
  fromStatus: ComplaintStatus | null;
  toStatus: ComplaintStatus | null;
  body: string | null;
  data: Record<string, unknown>;
  actorUserId: number | null;
  createdAt: string;
};

export type StaffComplaintView = Omit<PublicComplaintView, 'timeline' | 'photos' | 'answers' | 'location' | 'description'> & {
  /** Pass back with every action: a change made on an older version is refused as stale. */
  version: number;
  priority: Priority;
  assigneeUserId: number | null;
  filedByUserId: number | null;
  locale: string;
  /** What the public sees. */
  publicDescription: string;
  /** The text as the citizen typed it: only with complaints.view_personal_data or complaints.mask. */
  originalDescription: string | null;
  masked: boolean;
  location: { point: Point | null; neighbourhood: { id: number; name: TrilingualName } | null; address: string | null };
  answers: PublicAnswer[];
  photos: (PublicPhoto & { public: boolean })[];
  /** Only with complaints.view_personal_data; null otherwise (not "no contact"). */
  reporter: { userId: number | null; name: string | null; phone: string | null; email: string | null } | null;
  feedbackComment: string | null;
  timeline: StaffTimelineEntry[];
  categoryDetails: Category;
  allowedNextStatuses: readonly ComplaintStatus[];
  can: ReturnType<typeof allowedActions>;
};

export type GetComplaintForStaffOptions = { actor: Actor; municipalityId: number; complaintId: number };

/** Everything the actor may see of one complaint. Throws not_found for another municipality's id. */
export async function getComplaintForStaff(db: Db, options: GetComplaintForStaffOptions): Promise<StaffComplaintView> {
  const { actor } = options;
  if (!actor) throw new AppError('unauthenticated');
  if (actor.municipalityId !== options.municipalityId) throw new AppError('forbidden');
  const complaint = await findComplaintRow(db, options.municipalityId, options.complaintId);
  if (!complaint) throw new AppError('not_found');
  const resource = complaintResource(complaint);
  authorize(actor, 'complaints.view', resource);
  const personal = can(actor, 'complaints.view_personal_data', resource);
  const original = personal || can(actor, 'complaints.mask', resource);
  const base = await buildPublicView(db, complaint);
  const category = await loadCategory(db, complaint);
  const feedback = await findFeedbackRow(db, complaint.municipality_id, complaint.id);
  const events = await listEventRows(db, complaint.municipality_id, complaint.id, { publicOnly: false });
  const photos = await listPhotoRows(db, complaint.municipality_id, complaint.id, { publicOnly: false });
  const { timeline: _t, photos: _p, answers: _a, location, description, ...rest } = base;
  return {
    ...rest,
    version: complaint.version,
    priority: complaint.priority,
    assigneeUserId: complaint.assignee_user_id,
    filedByUserId: complaint.filed_by_user_id,
    locale: complaint.locale,
    publicDescription: description,
    originalDescription: original ? complaint.description : null,
    masked: complaint.description_public !== null,
    location: {
      point: complaint.latitude !== null && complaint.longitude !== null ? { lat: complaint.latitude, lng: complaint.longitude } : null,
      neighbourhood: location.neighbourhood,
      address: complaint.address_text,
    },
    answers: answersFor(category, complaint.answers_json),
    photos: photos.map((p) => ({ ...photoView(p), public: p.public === 1 })),
    reporter: personal
      ? { userId: complaint.reporter_user_id, name: complaint.contact_name, phone: complaint.contact_phone, email: complaint.contact_email }
      : null,
    feedbackComment: feedback?.comment ?? null,
    timeline: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      visibility: e.visibility,
      fromStatus: e.from_status as ComplaintStatus | null,
      toStatus: e.to_status as ComplaintStatus | null,
      body: e.body,
      data: readData(e),
      actorUserId: e.actor_user_id,
      createdAt: e.created_at,
    })),
    categoryDetails: category,
    allowedNextStatuses: allowedNextStatuses(complaint.status),
    can: allowedActions(actor, complaint),
  };
}

// ---------------------------------------------------------------------------------------------
// A citizen's own complaints

export type ReporterComplaintSummary = {
  id: number;
  trackingNumber: string;
  status: ComplaintStatus;
  category: PublicCategory;
  description: string;
  createdAt: string;
  updatedAt: string;
  /** True for their own complaints, false for those they follow ("me too"). */
  reportedByMe: boolean;
};

export type ListComplaintsForReporterOptions = { actor: Actor; municipalityId: number; limit?: number };

/** The complaints a signed-in person filed or follows, newest first. */
export async function listComplaintsForReporter(db: Db, options: ListComplaintsForReporterOptions): Promise<ReporterComplaintSummary[]> {
  const { actor } = options;
  if (!actor) throw new AppError('unauthenticated');
  if (actor.municipalityId !== options.municipalityId) throw new AppError('forbidden');
  const rows = await listComplaintRowsOfReporter(db, options.municipalityId, actor.userId, Math.min(options.limit ?? 100, 500));
  const categories = new Map<number, Category>();
  const summaries: ReporterComplaintSummary[] = [];
  for (const row of rows) {
    let category = categories.get(row.category_id);
    if (!category) {
      category = await loadCategory(db, row);
      categories.set(row.category_id, category);
    }
    summaries.push({
      id: row.id,
      trackingNumber: row.tracking_number,
      status: row.status,
      category: publicCategory(category),
      // Their own words for their own complaints; the public text for others'.
      description: row.reporter_user_id === actor.userId ? row.description : (row.description_public ?? row.description),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      reportedByMe: row.reporter_user_id === actor.userId,
    });
  }
  return summaries;
}

/** Public views of several complaints by id (for lists built from other queries). */
export async function getPublicComplaints(db: Db, options: { municipalityId: number; complaintIds: number[] }): Promise<PublicComplaintView[]> {
  const rows = await findComplaintRowsByIds(db, options.municipalityId, options.complaintIds);
  return Promise.all(rows.map((row) => buildPublicView(db, row)));
}
