// Scheduled work on complaints, for every municipality:
// - deadlines: the day before a deadline, a reminder to whoever must act; once it has passed,
//   an escalation to the head of department (a message and an internal timeline entry). Each
//   alert is recorded (complaint_deadline_alerts, unique per complaint, kind, deadline and due
//   time) in the same transaction as its messages, so the job can run every hour, or twice, or
//   on two servers, and still alert once;
// - auto-close: a resolved complaint the citizen did not answer closes 30 days after resolution;
// - orphan photos: files no complaint refers to are removed after a day.
import type { Locale } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { localName } from '../../i18n/i18n.ts';
import { addDays, nowIso } from '../../lib/time.ts';
import type { JobHandler } from '../../jobs/worker.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.service.ts';
import { findMunicipalityById } from '../municipalities/municipalities.repository.ts';
import { findCategoryRow } from './categories.repository.ts';
import { CONFIRMATION_DAYS, complaintAdminPath, currentDeadline } from './complaints.ts';
import {
  findComplaintRow,
  insertDeadlineAlert,
  insertEventRow,
  listDeadlineAlertKeys,
  listOpenComplaintsDueBefore,
  listReachableUsers,
  listResolvedBefore,
  listStaffWithRole,
  type Reachable,
  updateComplaintAtVersion,
} from './complaints.repository.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { notifyFollowers, queueStaffAlerts } from './notifications.ts';
import { removeOrphanPhotos } from './photos.ts';

export const COMPLAINT_DEADLINES_JOB = 'complaints-deadlines';
export const COMPLAINT_AUTO_CLOSE_JOB = 'complaints-auto-close';
export const COMPLAINT_PHOTO_ORPHANS_JOB = 'complaints-photo-orphans';

/** How long before a deadline the reminder goes out. */
export const REMINDER_HOURS_BEFORE = 24;
const PAGE = 200;

export type DeadlineAlertOptions = {
  /** The time to judge deadlines by; now by default (tests pass a fixed time). */
  now?: string;
  publicUrl?: string;
};

export type DeadlineAlertReport = { reminders: number; escalations: number; messages: number };

/** Who is reminded: the agent assigned; else the cell for acknowledgement, the head of department for resolution. */
async function reminderRecipients(trx: Db, complaint: ComplaintRow, deadline: 'acknowledge' | 'resolve'): Promise<Reachable[]> {
  if (complaint.assignee_user_id !== null) {
    const assignee = await listReachableUsers(trx, complaint.municipality_id, [complaint.assignee_user_id]);
    if (assignee.some((u) => u.status === 'active')) return assignee;
  }
  if (deadline === 'resolve' && complaint.department_id !== null) {
    const heads = await listStaffWithRole(trx, complaint.municipality_id, ['department_head'], complaint.department_id);
    if (heads.length > 0) return heads;
  }
  return listStaffWithRole(trx, complaint.municipality_id, ['complaints_officer'], null);
}

/** Who hears of a missed deadline: the head of the department, or the cell when there is none. */
async function escalationRecipients(trx: Db, complaint: ComplaintRow): Promise<Reachable[]> {
  if (complaint.department_id !== null) {
    const heads = await listStaffWithRole(trx, complaint.municipality_id, ['department_head'], complaint.department_id);
    if (heads.length > 0) return heads;
  }
  return listStaffWithRole(trx, complaint.municipality_id, ['complaints_officer'], null);
}

async function alertOnce(db: Db, complaintId: number, municipalityId: number, now: string, publicUrl: string | undefined): Promise<{ kind: 'reminder' | 'escalation'; messages: number } | null> {
  return db.transaction().execute(async (trx) => {
    // Read again inside the transaction: it may have been answered since the list was made.
    const complaint = await findComplaintRow(trx, municipalityId, complaintId);
    if (!complaint) return null;
    const deadline = currentDeadline(complaint);
    if (!deadline) return null;
    const overdue = deadline.dueAt < now;
    if (!overdue && Date.parse(deadline.dueAt) - Date.parse(now) > REMINDER_HOURS_BEFORE * 3600_000) return null;
    const kind = overdue ? 'escalation' : 'reminder';
    const first = await insertDeadlineAlert(trx, {
      municipality_id: municipalityId,
      complaint_id: complaint.id,
      kind,
      deadline: deadline.kind,
      due_at: deadline.dueAt,
      created_at: now,
    });
    if (!first) return null;
    const category = await findCategoryRow(trx, municipalityId, complaint.category_id);
    const users = kind === 'reminder' ? await reminderRecipients(trx, complaint, deadline.kind) : await escalationRecipients(trx, complaint);
    const daysLate = Math.max(1, Math.ceil((Date.parse(now) - Date.parse(deadline.dueAt)) / 86_400_000));
    const messages = await queueStaffAlerts(trx, {
      complaint,
      users,
      kind: kind === 'reminder' ? 'deadline_reminder' : 'escalation',
      deadline: deadline.kind,
      dueAt: deadline.dueAt,
      daysLate: overdue ? daysLate : 0,
      categoryName: (locale: Locale) => (category ? localName(category, locale) : ''),
      staffUrl: (locale: Locale) => `${publicUrl ?? ''}${complaintAdminPath(locale, complaint.id)}`,
    });
    if (kind === 'escalation') {
      await insertEventRow(trx, {
        municipality_id: municipalityId,
        complaint_id: complaint.id,
        kind: 'escalation',
        visibility: 'internal',
        from_status: null,
        to_status: null,
        body: null,
        data_json: JSON.stringify({ deadline: deadline.kind, dueAt: deadline.dueAt, notifiedUserIds: users.map((u) => u.id) }),
        actor_user_id: null,
        created_at: now,
      });
    }
    return { kind, messages };
  });
}

/** Sends due reminders and escalations; each at most once per complaint, deadline and due time. */
export async function runDeadlineAlerts(db: Db, options: DeadlineAlertOptions = {}): Promise<DeadlineAlertReport> {
  const now = options.now ?? nowIso();
  const horizon = new Date(Date.parse(now) + REMINDER_HOURS_BEFORE * 3600_000).toISOString();
  const report: DeadlineAlertReport = { reminders: 0, escalations: 0, messages: 0 };
  let afterId = 0;
  for (;;) {
    const page = await listOpenComplaintsDueBefore(db, horizon, PAGE, afterId);
    // Complaints long overdue come back every run: those already alerted for their current
    // deadline are skipped here, without a transaction each (alertOnce re-checks anyway).
    const sent = await listDeadlineAlertKeys(db, page.map((c) => c.id));
    for (const complaint of page) {
      const deadline = currentDeadline(complaint);
      if (!deadline) continue;
      const kind = deadline.dueAt < now ? 'escalation' : 'reminder';
      if (sent.has(`${complaint.id}:${kind}:${deadline.kind}:${deadline.dueAt}`)) continue;
      const outcome = await alertOnce(db, complaint.id, complaint.municipality_id, now, options.publicUrl);
      if (outcome?.kind === 'reminder') report.reminders += 1;
      if (outcome?.kind === 'escalation') report.escalations += 1;
      report.messages += outcome?.messages ?? 0;
    }
    if (page.length < PAGE) break;
    afterId = page[page.length - 1]!.id;
  }
  return report;
}

export type AutoCloseOptions = { now?: string; publicUrl?: string };

/** Closes complaints resolved more than 30 days ago that the citizen did not answer. */
export async function autoCloseResolvedComplaints(db: Db, options: AutoCloseOptions = {}): Promise<{ closed: number }> {
  const now = options.now ?? nowIso();
  const cutoff = addDays(now, -CONFIRMATION_DAYS);
  let closed = 0;
  for (;;) {
    const page = await listResolvedBefore(db, cutoff, PAGE);
    let closedInPage = 0;
    for (const candidate of page) {
      const done = await db.transaction().execute(async (trx) => {
        const complaint = await findComplaintRow(trx, candidate.municipality_id, candidate.id);
        if (!complaint || complaint.status !== 'resolved' || complaint.resolved_at === null || complaint.resolved_at >= cutoff) return false;
        const updated = await updateComplaintAtVersion(
          trx,
          { municipalityId: complaint.municipality_id, id: complaint.id, version: complaint.version },
          { status: 'closed', closed_at: now, updated_at: now },
        );
        if (!updated) return false;
        await insertEventRow(trx, {
          municipality_id: complaint.municipality_id,
          complaint_id: complaint.id,
          kind: 'status',
          visibility: 'public',
          from_status: 'resolved',
          to_status: 'closed',
          body: null,
          data_json: JSON.stringify({ automatic: true }),
          actor_user_id: null,
          created_at: now,
        });
        await recordAudit(trx, {
          municipalityId: complaint.municipality_id,
          actor: SYSTEM_ACTOR,
          action: 'complaint.closed_automatically',
          entityType: 'complaint',
          entityId: complaint.id,
          before: { status: 'resolved' },
          after: { status: 'closed' },
        });
        const municipality = await findMunicipalityById(trx, complaint.municipality_id);
        if (municipality) await notifyFollowers(trx, { municipality, complaint: updated, change: { kind: 'status', status: 'closed' }, publicUrl: options.publicUrl });
        return true;
      });
      if (done) closedInPage += 1;
    }
    closed += closedInPage;
    // Rows that could not be closed stay "resolved" and would come back: stop when a page made no progress.
    if (page.length < PAGE || closedInPage === 0) break;
  }
  return { closed };
}

export function complaintDeadlinesHandler(db: Db, options: { publicUrl?: string }): JobHandler {
  return async () => {
    await runDeadlineAlerts(db, { publicUrl: options.publicUrl });
  };
}

export function complaintAutoCloseHandler(db: Db, options: { publicUrl?: string }): JobHandler {
  return async () => {
    await autoCloseResolvedComplaints(db, { publicUrl: options.publicUrl });
  };
}

export function complaintPhotoOrphansHandler(db: Db, options: { dataDir: string }): JobHandler {
  return async () => {
    await removeOrphanPhotos(db, { dataDir: options.dataDir });
  };
}
