// Complaints: the domain's words and pure rules — statuses and the transitions the service
// enforces, tracking numbers, deadlines. No database, no HTTP.

export const COMPLAINT_STATUSES = [
  'received',
  'acknowledged',
  'assigned',
  'in_progress',
  'resolved',
  'closed',
  'rejected',
  'duplicate',
  'forwarded',
] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

/** Still the municipality's work to do; counted as "open" in Open311 and statistics. */
export const OPEN_STATUSES: readonly ComplaintStatus[] = ['received', 'acknowledged', 'assigned', 'in_progress'];
/** Final from the municipality's side; the citizen or staff may still reopen some. */
export const FINISHED_STATUSES: readonly ComplaintStatus[] = ['resolved', 'closed', 'rejected', 'duplicate', 'forwarded'];

export function isOpen(status: ComplaintStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export const CHANNELS = ['web', 'sms', 'counter', 'phone', 'open311'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** National utilities: complaints about them are forwarded out, not handled (CONTEXT.md). */
export const UTILITIES = ['sonede', 'steg', 'onas'] as const;
export type Utility = (typeof UTILITIES)[number];

/**
 * Which status may follow which, by staff action. Reopening (from resolved, closed, rejected,
 * duplicate or forwarded) goes back to work: `in_progress` when someone is assigned, else
 * `acknowledged`; see `reopenTarget`.
 */
const TRANSITIONS: Record<ComplaintStatus, readonly ComplaintStatus[]> = {
  received: ['acknowledged', 'assigned', 'in_progress', 'resolved', 'rejected', 'duplicate', 'forwarded'],
  acknowledged: ['assigned', 'in_progress', 'resolved', 'rejected', 'duplicate', 'forwarded'],
  assigned: ['in_progress', 'resolved', 'rejected', 'duplicate', 'forwarded'],
  in_progress: ['resolved', 'rejected', 'duplicate', 'forwarded'],
  resolved: ['closed'],
  closed: [],
  rejected: [],
  duplicate: [],
  forwarded: [],
};

export function canTransition(from: ComplaintStatus, to: ComplaintStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedNextStatuses(from: ComplaintStatus): readonly ComplaintStatus[] {
  return TRANSITIONS[from];
}

export function canReopen(status: ComplaintStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

export function reopenTarget(hasAssignee: boolean): ComplaintStatus {
  return hasAssignee ? 'in_progress' : 'acknowledged';
}

/** Days a resolved complaint waits for the citizen before closing by itself, and during which "not resolved" reopens it. */
export const CONFIRMATION_DAYS = 30;

// Tracking numbers: PREFIX-YEAR-NNNNNN, e.g. KEF-2026-000123. Short enough to read over the
// phone or type on a feature phone; the year keeps numbers small.
const TRACKING_PATTERN = /^([A-Z]{2,6})-(\d{4})-(\d{6,})$/;

export function formatTrackingNumber(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

/** Accepts what people type: lower case, spaces, dashes missing or doubled, Arabic-Indic digits. */
export function normalizeTrackingNumber(input: string): string | null {
  const western = input.replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660)).replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
  const compact = western.toUpperCase().replace(/[\s_.\-–—/]+/g, '');
  const match = /^([A-Z]{2,6})(\d{4})(\d{1,})$/.exec(compact);
  if (!match) return null;
  const [, prefix, year, sequence] = match;
  const candidate = formatTrackingNumber(prefix!, Number(year), Number(sequence));
  return TRACKING_PATTERN.test(candidate) ? candidate : null;
}

export type Deadlines = { acknowledgeDays: number; resolveDays: number };
export const DEFAULT_DEADLINES: Deadlines = { acknowledgeDays: 2, resolveDays: 21 };

/** Whole days from `now` until `due`: positive = days left, negative = days late. */
export function daysUntil(dueIso: string, nowIso: string): number {
  const ms = Date.parse(dueIso) - Date.parse(nowIso);
  return ms >= 0 ? Math.ceil(ms / 86_400_000) : -Math.ceil(-ms / 86_400_000);
}

/** The deadline that matters now: acknowledgement first, then resolution; none once finished. */
export function currentDeadline(complaint: {
  status: ComplaintStatus;
  acknowledged_at: string | null;
  ack_due_at: string;
  resolve_due_at: string;
}): { kind: 'acknowledge' | 'resolve'; dueAt: string } | null {
  if (!isOpen(complaint.status)) return null;
  if (complaint.status === 'received' && !complaint.acknowledged_at) return { kind: 'acknowledge', dueAt: complaint.ack_due_at };
  return { kind: 'resolve', dueAt: complaint.resolve_due_at };
}

/** Statuses a citizen was told about: every status change is public on the complaint's timeline. */
export type StatusChange = { from: ComplaintStatus | null; to: ComplaintStatus };

/** What a timeline entry is about. Status changes are public; notes, reminders and escalations are internal. */
export const EVENT_KINDS = [
  'status',
  'reply',
  'note',
  'assignment',
  'triage',
  'merged',
  'feedback',
  'masked',
  'reminder',
  'escalation',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const DESCRIPTION_MAX_LENGTH = 5000;
export const ADDRESS_MAX_LENGTH = 300;
export const CONTACT_NAME_MAX_LENGTH = 80;
export const REPLY_MAX_LENGTH = 5000;
export const REASON_MAX_LENGTH = 2000;
export const FEEDBACK_COMMENT_MAX_LENGTH = 2000;
export const TEXT_ANSWER_MAX_LENGTH = 500;
export const MAX_PHOTOS = 5;
/**
 * Complaints may be filed anonymously with any phone number: at most this many confirmations
 * go to one address an hour, so the form cannot be used to flood someone's phone. The
 * complaint is saved all the same, and its page shows the tracking number.
 */
export const CONFIRMATIONS_PER_ADDRESS_PER_HOUR = 5;

/**
 * Without outlines, a point counts as inside the municipality within this distance of the map
 * centre. El Kef's built-up area spans about 5 km; 10 km leaves room for the outskirts.
 */
export const DEFAULT_BOUNDARY_RADIUS_METERS = 10_000;

/** "Me too": open complaints of the same category within this distance are suggested. */
export const DEFAULT_NEARBY_RADIUS_METERS = 150;

/** The page where anyone follows a complaint by its tracking number (the citizen pages serve it). */
export function complaintFollowPath(locale: string, trackingNumber: string): string {
  return `/${locale}/complaints/${encodeURIComponent(trackingNumber)}`;
}

/** The year in Tunisia at `iso`: a complaint filed at 00:30 on 1 January in El Kef belongs to the new year. */
export function trackingYear(iso: string, timeZone = 'Africa/Tunis'): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric' }).format(new Date(iso)));
}


/** The complaint's page in the back office (the back-office pages serve it), for staff alerts. */
export function complaintAdminPath(locale: string, complaintId: number): string {
  return `/${locale}/admin/complaints/${complaintId}`;
}
