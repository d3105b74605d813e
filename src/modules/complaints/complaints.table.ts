// Table types of the complaints module (see src/db/migrations/0003-complaints.ts); merged into
// the Database interface in src/db/schema.ts.
import type { Generated, Selectable } from 'kysely';
import type { Channel, ComplaintStatus, Priority } from './complaints.ts';

export interface ComplaintCategoriesTable {
  id: Generated<number>;
  municipality_id: number;
  code: string;
  name_ar: string;
  name_fr: string;
  name_en: string;
  description_ar: string | null;
  description_fr: string | null;
  description_en: string | null;
  group_code: string | null;
  department_id: number | null;
  sensitive: number;
  ack_days: number;
  resolve_days: number;
  active: number;
  sort_order: number;
  created_at: string;
  updated_at: string;
}

export type QuestionKind = 'text' | 'number' | 'date' | 'single' | 'multiple';

export interface ComplaintCategoryQuestionsTable {
  id: Generated<number>;
  municipality_id: number;
  category_id: number;
  code: string;
  kind: QuestionKind;
  label_ar: string;
  label_fr: string;
  label_en: string;
  required: number;
  /** [{ value, label_ar, label_fr, label_en }] for single and multiple choice. */
  options_json: string | null;
  sort_order: number;
}

export interface ComplaintSequencesTable {
  municipality_id: number;
  year: number;
  last_value: number;
}

export interface ComplaintsTable {
  id: Generated<number>;
  municipality_id: number;
  tracking_number: string;
  category_id: number;
  status: ComplaintStatus;
  priority: Priority;
  channel: Channel;
  department_id: number | null;
  assignee_user_id: number | null;
  description: string;
  description_public: string | null;
  answers_json: string;
  latitude: number | null;
  longitude: number | null;
  neighbourhood_id: number | null;
  address_text: string | null;
  reporter_user_id: number | null;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  /** The staff member who typed it in at the counter or on the phone (migration 0004). */
  filed_by_user_id: number | null;
  locale: string;
  duplicate_of_id: number | null;
  forwarded_to: string | null;
  status_reason: string | null;
  follower_count: number;
  search_text: string;
  ack_due_at: string;
  resolve_due_at: string;
  acknowledged_at: string | null;
  first_response_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface ComplaintPhotosTable {
  id: Generated<number>;
  municipality_id: number;
  complaint_id: number;
  storage_key: string;
  width: number;
  height: number;
  bytes: number;
  public: number;
  created_at: string;
}

export type EventVisibility = 'public' | 'internal';

export interface ComplaintEventsTable {
  id: Generated<number>;
  municipality_id: number;
  complaint_id: number;
  /** status, reply, note, assignment, category, priority, duplicate, forward, reopen, feedback, follow, masked */
  kind: string;
  visibility: EventVisibility;
  from_status: string | null;
  to_status: string | null;
  body: string | null;
  data_json: string | null;
  actor_user_id: number | null;
  created_at: string;
}

export interface ComplaintFollowersTable {
  id: Generated<number>;
  municipality_id: number;
  complaint_id: number;
  user_id: number | null;
  contact: string | null;
  /** The language of a contact follower's messages (migration 0004); users have their own. */
  locale: string | null;
  created_at: string;
}

export interface ComplaintFeedbackTable {
  complaint_id: number;
  municipality_id: number;
  resolved: number;
  satisfaction: number | null;
  comment: string | null;
  created_at: string;
}

export interface ResponseTemplatesTable {
  id: Generated<number>;
  municipality_id: number;
  code: string;
  title_ar: string;
  title_fr: string;
  title_en: string;
  body_ar: string;
  body_fr: string;
  body_en: string;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: Generated<number>;
  municipality_id: number;
  name: string;
  key_hash: string;
  key_prefix: string;
  created_by: number | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/**
 * One row per deadline alert sent (migration 0004), so that the deadline job can run again and
 * again without sending the same reminder twice. A deadline that moves (new category, reopening)
 * has a new due_at, hence room for a new alert.
 */
export interface ComplaintDeadlineAlertsTable {
  id: Generated<number>;
  municipality_id: number;
  complaint_id: number;
  /** reminder: the day before, to whoever must act; escalation: once late, to the head of department. */
  kind: 'reminder' | 'escalation';
  deadline: 'acknowledge' | 'resolve';
  due_at: string;
  created_at: string;
}

/**
 * A message an SMS gateway delivered (migration 0005), by the gateway's message id, so that a
 * retried delivery finds the first one instead of filing the complaint twice.
 */
export interface SmsInboundMessagesTable {
  id: Generated<number>;
  municipality_id: number;
  message_id: string;
  kind: 'complaint' | 'status';
  complaint_id: number | null;
  /** The answer given the first time, given again to a retry. */
  reply: string;
  created_at: string;
}

export interface ComplaintTables {
  complaint_categories: ComplaintCategoriesTable;
  complaint_category_questions: ComplaintCategoryQuestionsTable;
  complaint_sequences: ComplaintSequencesTable;
  complaints: ComplaintsTable;
  complaint_photos: ComplaintPhotosTable;
  complaint_events: ComplaintEventsTable;
  complaint_followers: ComplaintFollowersTable;
  complaint_feedback: ComplaintFeedbackTable;
  response_templates: ResponseTemplatesTable;
  api_keys: ApiKeysTable;
  complaint_deadline_alerts: ComplaintDeadlineAlertsTable;
  sms_inbound_messages: SmsInboundMessagesTable;
}

export type ComplaintCategoryRow = Selectable<ComplaintCategoriesTable>;
export type ComplaintQuestionRow = Selectable<ComplaintCategoryQuestionsTable>;
export type ComplaintRow = Selectable<ComplaintsTable>;
export type ComplaintPhotoRow = Selectable<ComplaintPhotosTable>;
export type ComplaintEventRow = Selectable<ComplaintEventsTable>;
export type ComplaintFollowerRow = Selectable<ComplaintFollowersTable>;
export type ComplaintDeadlineAlertRow = Selectable<ComplaintDeadlineAlertsTable>;
export type ComplaintFeedbackRow = Selectable<ComplaintFeedbackTable>;
export type ResponseTemplateRow = Selectable<ResponseTemplatesTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type SmsInboundMessageRow = Selectable<SmsInboundMessagesTable>;
