// Table types of the participatory budgeting module (see src/db/migrations/0007-budget.ts);
// merged into the Database interface in src/db/schema.ts.
import type { Generated, Selectable } from 'kysely';

export type BallotType = 'approval' | 'knapsack' | 'cumulative' | 'ranking';
export type EnvelopeScope = 'city' | 'arrondissement' | 'neighbourhood';
export type ProposalStatus = 'submitted' | 'merged' | 'withdrawn' | 'feasible' | 'not_feasible' | 'on_ballot';
export type Visibility = 'visible' | 'hidden';
export type VotingChannel = 'online' | 'counter' | 'paper';
export type ImplementationStatus = 'not_started' | 'study' | 'procurement' | 'works' | 'completed' | 'cancelled';
export type PaperBatchStatus = 'open' | 'accepted' | 'rejected';

export interface PbCyclesTable {
  id: Generated<number>;
  municipality_id: number;
  year: number;
  slug: string;
  title_ar: string;
  title_fr: string;
  title_en: string;
  description_ar: string | null;
  description_fr: string | null;
  description_en: string | null;
  information_starts_at: string;
  proposals_open_at: string;
  proposals_close_at: string;
  review_close_at: string;
  support_open_at: string | null;
  support_close_at: string | null;
  voting_open_at: string;
  voting_close_at: string;
  results_published_at: string | null;
  ballot_type: BallotType;
  min_choices: Generated<number>;
  max_choices: number | null;
  total_points: number | null;
  max_points_per_project: number | null;
  /** A RuleId of ./outcome/rules.ts. */
  rule: string;
  /** 'project_id' | 'equalshares' (then lot_seed is set). */
  tie_breaking: Generated<string>;
  lot_seed: string | null;
  min_age: Generated<number>;
  residence_required: Generated<number>;
  max_voters_per_phone: Generated<number>;
  online_voting: Generated<number>;
  counter_voting: Generated<number>;
  paper_voting: Generated<number>;
  seal_salt: string | null;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface PbEnvelopesTable {
  id: Generated<number>;
  municipality_id: number;
  cycle_id: number;
  scope: EnvelopeScope;
  arrondissement_id: number | null;
  neighbourhood_id: number | null;
  name_ar: string;
  name_fr: string;
  name_en: string;
  budget_millimes: number;
  sort_order: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface PbProposalsTable {
  id: Generated<number>;
  municipality_id: number;
  cycle_id: number;
  number: number;
  author_user_id: number | null;
  author_kind: 'citizen' | 'association';
  association_name: string | null;
  title: string;
  description: string;
  category: string;
  envelope_id: number | null;
  neighbourhood_id: number | null;
  lat: number | null;
  lng: number | null;
  location_text: string | null;
  estimated_cost_millimes: number | null;
  status: ProposalStatus;
  visibility: Generated<Visibility>;
  hidden_reason: string | null;
  merged_into_id: number | null;
  support_count: Generated<number>;
  comment_count: Generated<number>;
  search_text: Generated<string>;
  locale: string;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface PbSupportsTable {
  municipality_id: number;
  proposal_id: number;
  user_id: number;
  created_at: string;
}

export interface PbReviewsTable {
  id: Generated<number>;
  municipality_id: number;
  proposal_id: number;
  department_id: number | null;
  reviewer_user_id: number | null;
  feasible: number | null;
  public_reason: string | null;
  cost_estimate_millimes: number | null;
  cost_explanation: string | null;
  internal_notes: string | null;
  decided_at: string | null;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface PbProjectsTable {
  id: Generated<number>;
  municipality_id: number;
  cycle_id: number;
  envelope_id: number;
  proposal_id: number | null;
  code: string;
  title: string;
  description: string;
  category: string | null;
  cost_millimes: number;
  neighbourhood_id: number | null;
  lat: number | null;
  lng: number | null;
  sort_order: Generated<number>;
  selected: Generated<number>;
  implementation_status: Generated<ImplementationStatus>;
  progress_percent: Generated<number>;
  version: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface PbProjectUpdatesTable {
  id: Generated<number>;
  municipality_id: number;
  project_id: number;
  status: ImplementationStatus;
  progress_percent: number;
  body: string | null;
  author_user_id: number | null;
  created_at: string;
}

export interface PbPhotosTable {
  id: Generated<number>;
  municipality_id: number;
  proposal_id: number | null;
  update_id: number | null;
  storage_key: string;
  width: number;
  height: number;
  bytes: number;
  created_at: string;
}

export interface PbCommentsTable {
  id: Generated<number>;
  municipality_id: number;
  proposal_id: number | null;
  project_id: number | null;
  author_user_id: number | null;
  body: string;
  visibility: Generated<Visibility>;
  hidden_reason: string | null;
  created_at: string;
}

export interface PbPhoneChecksTable {
  id: Generated<number>;
  municipality_id: number;
  cycle_id: number;
  phone_hash: string;
  code_hash: string;
  attempts: Generated<number>;
  expires_at: string;
  verified_at: string | null;
  token_hash: string | null;
  ip_hash: string | null;
  created_at: string;
}

export interface PbAnnulmentsTable {
  id: Generated<number>;
  municipality_id: number;
  cycle_id: number;
  reason: string;
  participation_count: number;
  ballots_voided: Generated<number>;
  paper_participations: Generated<number>;
  decided_by: number | null;
  created_at: string;
}

export interface PbParticipationsTable {
  id: Generated<number>;
  municipality_id: number;
  cycle_id: number;
  voter_key: string;
  channel: VotingChannel;
  phone_hash: string | null;
  phone_slot: number | null;
  ip_hash: string | null;
  arrondissement_id: number | null;
  neighbourhood_id: number | null;
  gender: string | null;
  age_group: string | null;
  voted_hour: string;
  verified_by: number | null;
  ballot_seal: string | null;
  annulment_id: number | null;
}

export interface PbPaperBatchesTable {
  id: Generated<number>;
  municipality_id: number;
  cycle_id: number;
  batch_number: string;
  station: string | null;
  declared_count: number;
  status: PaperBatchStatus;
  created_by: number | null;
  accepted_by: number | null;
  accepted_at: string | null;
  version: Generated<number>;
  created_at: string;
}

export interface PbPaperEntriesTable {
  id: Generated<number>;
  municipality_id: number;
  batch_id: number;
  pass: number;
  position: number;
  choices_json: string;
  entered_by: number | null;
  created_at: string;
}

export interface PbBallotsTable {
  id: string;
  municipality_id: number;
  cycle_id: number;
  channel: VotingChannel;
  paper_batch_id: number | null;
  invalid: Generated<number>;
}

export interface PbBallotChoicesTable {
  ballot_id: string;
  project_id: number;
  envelope_id: number;
  value: number;
}

export interface PbResultsTable {
  envelope_id: number;
  municipality_id: number;
  cycle_id: number;
  rule: string;
  tie_breaking: string;
  ballot_count: number;
  pb_sha256: string;
  result_json: string;
  computed_at: string;
}

export interface BudgetTables {
  pb_cycles: PbCyclesTable;
  pb_envelopes: PbEnvelopesTable;
  pb_proposals: PbProposalsTable;
  pb_supports: PbSupportsTable;
  pb_reviews: PbReviewsTable;
  pb_projects: PbProjectsTable;
  pb_project_updates: PbProjectUpdatesTable;
  pb_photos: PbPhotosTable;
  pb_comments: PbCommentsTable;
  pb_phone_checks: PbPhoneChecksTable;
  pb_annulments: PbAnnulmentsTable;
  pb_participations: PbParticipationsTable;
  pb_paper_batches: PbPaperBatchesTable;
  pb_paper_entries: PbPaperEntriesTable;
  pb_ballots: PbBallotsTable;
  pb_ballot_choices: PbBallotChoicesTable;
  pb_results: PbResultsTable;
}

export type PbCycleRow = Selectable<PbCyclesTable>;
export type PbEnvelopeRow = Selectable<PbEnvelopesTable>;
export type PbProposalRow = Selectable<PbProposalsTable>;
export type PbReviewRow = Selectable<PbReviewsTable>;
export type PbProjectRow = Selectable<PbProjectsTable>;
export type PbParticipationRow = Selectable<PbParticipationsTable>;
export type PbPaperBatchRow = Selectable<PbPaperBatchesTable>;
export type PbBallotRow = Selectable<PbBallotsTable>;

// Migration 0008-budget-voting (declaration merging adds the column to the interface above).
export interface PbPhoneChecksTable {
  /** When the ballot token of this check carried a ballot; a token works once. */
  token_used_at: string | null;
}

// Migration 0009-budget-paper (declaration merging adds the columns to the interfaces above).
export interface PbPaperBatchesTable {
  /** The district envelope printed on the batch's sheets; null: city-wide envelopes only. */
  sheet_envelope_id: number | null;
  rejected_reason: string | null;
  rejected_by: number | null;
  rejected_at: string | null;
}
export interface PbPaperEntriesTable {
  /** When the entry was last corrected; null while it is as first keyed. */
  updated_at: string | null;
}
