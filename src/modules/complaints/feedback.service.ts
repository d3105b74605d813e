// The citizen's word on a resolved complaint: was it really resolved, how satisfied are they.
// Once per complaint (the table's primary key). "Not resolved" within 30 days of the
// resolution reopens it, so a fix that did not hold goes back to work without a new complaint;
// "resolved" closes it. Who may answer: the reporter or a follower, signed in, or proving it
// with the phone number or e-mail address the messages went to.
import type { Actor } from '../../auth/policies.ts';
import type { Db } from '../../db/database.ts';
import { AppError } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { nowIso } from '../../lib/time.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/audit.service.ts';
import { findMunicipalityById } from '../municipalities/municipalities.repository.ts';
import { CONFIRMATION_DAYS, type ComplaintStatus, FEEDBACK_COMMENT_MAX_LENGTH, normalizeTrackingNumber } from './complaints.ts';
import {
  findComplaintRow,
  findComplaintRowByTracking,
  insertEventRow,
  insertFeedbackRow,
  isFollowing,
  updateComplaintAtVersion,
} from './complaints.repository.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { notifyFollowers } from './notifications.ts';
import { reopenValues } from './workflow.service.ts';

export type RecordFeedbackOptions = {
  municipalityId: number;
  complaint: { id: number } | { trackingNumber: string };
  /** The signed-in reporter or follower… */
  actor?: Actor;
  /** …or the phone number or e-mail address they gave, as typed. */
  contact?: string | null;
  resolved: boolean;
  /** 1 (not at all) to 5 (very). */
  satisfaction?: number | null;
  comment?: string | null;
  countryCode?: string;
  publicUrl?: string;
};

export type FeedbackOutcome = { status: ComplaintStatus; reopened: boolean; closed: boolean };

async function isReporterOrFollower(db: Db, complaint: ComplaintRow, actor: Actor, contactText: string | null | undefined, countryCode?: string): Promise<boolean> {
  if (actor) {
    if (actor.municipalityId !== complaint.municipality_id) return false;
    if (complaint.reporter_user_id === actor.userId) return true;
    return isFollowing(db, complaint.id, { userId: actor.userId });
  }
  const text = contactText?.trim();
  if (!text) return false;
  const contact = text.includes('@') ? text.toLowerCase() : normalizePhone(text, countryCode);
  if (!contact) return false;
  if (contact === complaint.contact_phone || contact === complaint.contact_email) return true;
  return isFollowing(db, complaint.id, { contact });
}

export async function recordFeedback(db: Db, options: RecordFeedbackOptions): Promise<FeedbackOutcome> {
  const satisfaction = options.satisfaction ?? null;
  if (satisfaction !== null && (!Number.isInteger(satisfaction) || satisfaction < 1 || satisfaction > 5)) {
    throw new AppError('validation', { fields: { satisfaction: 'complaints.feedback.satisfaction_invalid' } });
  }
  const comment = options.comment?.trim() || null;
  if (comment && comment.length > FEEDBACK_COMMENT_MAX_LENGTH) {
    throw new AppError('validation', { fields: { comment: { key: 'validation.too_long', values: { max: FEEDBACK_COMMENT_MAX_LENGTH } } } });
  }
  return db.transaction().execute(async (trx) => {
    let complaint: ComplaintRow | undefined;
    if ('id' in options.complaint) complaint = await findComplaintRow(trx, options.municipalityId, options.complaint.id);
    else {
      const tracking = normalizeTrackingNumber(options.complaint.trackingNumber);
      complaint = tracking ? await findComplaintRowByTracking(trx, options.municipalityId, tracking) : undefined;
    }
    if (!complaint) throw new AppError('not_found');
    if (!(await isReporterOrFollower(trx, complaint, options.actor ?? null, options.contact, options.countryCode))) {
      throw new AppError('forbidden', { fields: { _form: 'complaints.feedback.not_yours' } });
    }
    if (complaint.status !== 'resolved') throw new AppError('conflict', { fields: { _form: 'complaints.feedback.not_resolved' } });
    const now = nowIso();
    const recorded = await insertFeedbackRow(trx, {
      complaint_id: complaint.id,
      municipality_id: complaint.municipality_id,
      resolved: options.resolved ? 1 : 0,
      satisfaction,
      comment,
      created_at: now,
    });
    if (!recorded) throw new AppError('conflict', { fields: { _form: 'complaints.feedback.already_given' } });
    const actorUserId = options.actor?.userId ?? null;
    // The comment stays with the feedback (staff read it); the public timeline shows the verdict only.
    await insertEventRow(trx, {
      municipality_id: complaint.municipality_id,
      complaint_id: complaint.id,
      kind: 'feedback',
      visibility: 'public',
      from_status: null,
      to_status: null,
      body: null,
      data_json: JSON.stringify({ resolved: options.resolved, satisfaction }),
      actor_user_id: actorUserId,
      created_at: now,
    });
    const withinConfirmation = complaint.resolved_at !== null && Date.parse(now) - Date.parse(complaint.resolved_at) <= CONFIRMATION_DAYS * 86_400_000;
    let target: ComplaintStatus | null = null;
    let values: Parameters<typeof updateComplaintAtVersion>[2] = {};
    if (options.resolved) {
      target = 'closed';
      values = { status: 'closed', closed_at: now };
    } else if (withinConfirmation) {
      values = await reopenValues(trx, complaint, now);
      target = values.status as ComplaintStatus;
    }
    if (!target) return { status: complaint.status, reopened: false, closed: false };
    // The citizen's answer wins over a staff screen opened earlier: their version moves on.
    const updated = await updateComplaintAtVersion(trx, { municipalityId: complaint.municipality_id, id: complaint.id, version: complaint.version }, { ...values, updated_at: now });
    if (!updated) throw new AppError('stale');
    await insertEventRow(trx, {
      municipality_id: complaint.municipality_id,
      complaint_id: complaint.id,
      kind: 'status',
      visibility: 'public',
      from_status: complaint.status,
      to_status: target,
      body: null,
      data_json: JSON.stringify({ byCitizen: true, reopened: !options.resolved }),
      actor_user_id: actorUserId,
      created_at: now,
    });
    await recordAudit(trx, {
      municipalityId: complaint.municipality_id,
      actor: actorUserId !== null ? { userId: actorUserId, label: `user:${actorUserId}` } : { ...SYSTEM_ACTOR, label: 'citizen' },
      action: options.resolved ? 'complaint.closed_by_citizen' : 'complaint.reopened_by_citizen',
      entityType: 'complaint',
      entityId: complaint.id,
      before: { status: complaint.status },
      after: { status: target },
    });
    const municipality = await findMunicipalityById(trx, complaint.municipality_id);
    if (municipality) await notifyFollowers(trx, { municipality, complaint: updated, change: { kind: 'status', status: target }, publicUrl: options.publicUrl });
    return { status: target, reopened: !options.resolved, closed: options.resolved };
  });
}
