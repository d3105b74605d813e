// Table types, one interface a table, named *Table; the rows they select are *Row.
// Conventions that hold on both SQLite and PostgreSQL:
// - timestamps are ISO-8601 UTC text ("2026-11-27T03:00:00.000Z"): they sort as text and read
//   the same from both drivers;
// - booleans are integers 0/1 (SQLite has no boolean type);
// - JSON is text, parsed in repositories;
// - money is an integer number of millimes (1 TND = 1000 millimes), never a float.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ComplaintTables } from '../modules/complaints/complaints.table.ts';
import type { BudgetTables } from '../modules/budget/budget.table.ts';

export type CouncilBody = 'elected_council' | 'special_delegation' | 'acting_administrator';

export interface MunicipalitiesTable {
  id: Generated<number>;
  slug: string;
  name_ar: string;
  name_fr: string;
  name_en: string;
  tracking_prefix: string;
  council_body: CouncilBody;
  contact_email: string | null;
  contact_phone: string | null;
  address_ar: string | null;
  address_fr: string | null;
  address_en: string | null;
  map_lat: number;
  map_lng: number;
  map_zoom: number;
  created_at: string;
  updated_at: string;
}

export interface MunicipalityHostsTable {
  hostname: string;
  municipality_id: number;
}

export interface ArrondissementsTable {
  id: Generated<number>;
  municipality_id: number;
  name_ar: string;
  name_fr: string;
  name_en: string;
  outline_geojson: string | null;
  created_at: string;
  updated_at: string;
}

export interface NeighbourhoodsTable {
  id: Generated<number>;
  municipality_id: number;
  arrondissement_id: number | null;
  name_ar: string;
  name_fr: string;
  name_en: string;
  outline_geojson: string | null;
  created_at: string;
  updated_at: string;
}

export interface DepartmentsTable {
  id: Generated<number>;
  municipality_id: number;
  code: string;
  name_ar: string;
  name_fr: string;
  name_en: string;
  email: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export type UserStatus = 'pending' | 'active' | 'disabled' | 'erased';

export interface UsersTable {
  id: Generated<number>;
  municipality_id: number;
  display_name: string | null;
  email: string | null;
  email_verified_at: string | null;
  phone: string | null;
  phone_verified_at: string | null;
  password_hash: string | null;
  status: UserStatus;
  locale: string;
  gender: string | null;
  age_group: string | null;
  neighbourhood_id: number | null;
  disability: string | null;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface UserRolesTable {
  id: Generated<number>;
  municipality_id: number;
  user_id: number;
  role: string;
  department_id: number | null;
  granted_by: number | null;
  created_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token, hex: a stolen database does not yield usable cookies. */
  id: string;
  municipality_id: number;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  user_agent: string | null;
}

export type CodePurpose = 'verify_contact' | 'login' | 'password_reset';

export interface VerificationCodesTable {
  id: Generated<number>;
  municipality_id: number;
  purpose: CodePurpose;
  channel: 'sms' | 'email';
  target: string;
  user_id: number | null;
  code_hash: string;
  attempts: number;
  expires_at: string;
  consumed_at: string | null;
  created_at: string;
}

export interface ConsentsTable {
  id: Generated<number>;
  municipality_id: number;
  user_id: number;
  purpose: string;
  text_version: string;
  granted_at: string;
  withdrawn_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  municipality_id: number;
  /** Position in the municipality's chain, from 1, without gaps. */
  seq: number;
  actor_user_id: number | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before_json: string | null;
  after_json: string | null;
  created_at: string;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadsTable {
  municipality_id: number;
  seq: number;
  hash: string;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: Generated<number>;
  municipality_id: number | null;
  kind: string;
  payload_json: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_by: string | null;
  locked_at: string | null;
  last_error: string | null;
  /** Set for jobs that must exist once only, such as one run of a schedule. */
  unique_key: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export type OutboxStatus = 'queued' | 'sent' | 'kept' | 'failed';

export interface OutboxMessagesTable {
  id: Generated<number>;
  municipality_id: number;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string | null;
  body: string;
  purpose: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface Database extends ComplaintTables, BudgetTables {
  municipalities: MunicipalitiesTable;
  municipality_hosts: MunicipalityHostsTable;
  arrondissements: ArrondissementsTable;
  neighbourhoods: NeighbourhoodsTable;
  departments: DepartmentsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  verification_codes: VerificationCodesTable;
  consents: ConsentsTable;
  audit_log: AuditLogTable;
  audit_chain_heads: AuditChainHeadsTable;
  jobs: JobsTable;
  outbox_messages: OutboxMessagesTable;
}

export type MunicipalityRow = Selectable<MunicipalitiesTable>;
export type ArrondissementRow = Selectable<ArrondissementsTable>;
export type NeighbourhoodRow = Selectable<NeighbourhoodsTable>;
export type DepartmentRow = Selectable<DepartmentsTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type UserRoleRow = Selectable<UserRolesTable>;
export type SessionRow = Selectable<SessionsTable>;
export type VerificationCodeRow = Selectable<VerificationCodesTable>;
export type ConsentRow = Selectable<ConsentsTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type JobRow = Selectable<JobsTable>;
export type OutboxMessageRow = Selectable<OutboxMessagesTable>;
