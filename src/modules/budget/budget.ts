// The pure rules of a participatory budgeting cycle: its phase at a moment, which envelopes a
// voter may vote in, and whether a ballot is valid. No database, no HTTP: services, pages, the
// paper-ballot keying and the tests all share these.
import type { BallotType, EnvelopeScope, PbCycleRow } from './budget.table.ts';

export const BALLOT_TYPES: readonly BallotType[] = ['approval', 'knapsack', 'cumulative', 'ranking'];

export const PHASES = ['draft', 'information', 'proposals', 'review', 'support', 'voting', 'counting', 'results'] as const;
export type Phase = (typeof PHASES)[number];

/** Categories of proposals (labels in budget.messages.ts). */
export const PROPOSAL_CATEGORIES = [
  'roads',
  'lighting',
  'green_spaces',
  'sports',
  'culture',
  'youth',
  'accessibility',
  'cleanliness',
  'water_drainage',
  'other',
] as const;
export type ProposalCategory = (typeof PROPOSAL_CATEGORIES)[number];

/** Age groups collected from voters (no date of birth: Organic Law 2004-63, see CONTEXT.md). */
export const VOTER_AGE_GROUPS = ['18-24', '25-34', '35-44', '45-59', '60+'] as const;
export const VOTER_GENDERS = ['female', 'male'] as const;

type PhaseDates = Pick<
  PbCycleRow,
  | 'information_starts_at'
  | 'proposals_open_at'
  | 'proposals_close_at'
  | 'review_close_at'
  | 'support_open_at'
  | 'support_close_at'
  | 'voting_open_at'
  | 'voting_close_at'
  | 'results_published_at'
>;

/**
 * The phase of a cycle at `now` (ISO timestamp). Phases follow each other by their dates; gaps
 * between two phases belong to the earlier one (e.g. the review runs until voting opens when
 * there is no pre-selection). After voting closes the cycle is 'counting' until the results are
 * published.
 */
export function phaseAt(cycle: PhaseDates, now: string): Phase {
  if (cycle.results_published_at && now >= cycle.results_published_at) return 'results';
  if (now >= cycle.voting_close_at) return 'counting';
  if (now >= cycle.voting_open_at) return 'voting';
  if (cycle.support_open_at && cycle.support_close_at && now >= cycle.support_open_at) return 'support';
  if (now >= cycle.proposals_close_at) return 'review';
  if (now >= cycle.proposals_open_at) return 'proposals';
  if (now >= cycle.information_starts_at) return 'information';
  return 'draft';
}

/** Ballot rules, envelopes and projects may not change once voting has opened. */
export function ballotRulesFrozen(cycle: Pick<PbCycleRow, 'voting_open_at'>, now: string): boolean {
  return now >= cycle.voting_open_at;
}

/** The order the dates must follow; returns the names of the fields out of order. */
export function checkPhaseDates(cycle: PhaseDates): string[] {
  const chain: (keyof PhaseDates)[] = ['information_starts_at', 'proposals_open_at', 'proposals_close_at', 'review_close_at'];
  if (cycle.support_open_at || cycle.support_close_at) chain.push('support_open_at', 'support_close_at');
  chain.push('voting_open_at', 'voting_close_at');
  const wrong: string[] = [];
  for (let i = 1; i < chain.length; i++) {
    const before = cycle[chain[i - 1]!];
    const after = cycle[chain[i]!];
    if (!after) wrong.push(chain[i]!);
    else if (before && after < before) wrong.push(chain[i]!);
  }
  return wrong;
}

export type EnvelopeArea = {
  id: number;
  scope: EnvelopeScope;
  arrondissementId: number | null;
  neighbourhoodId: number | null;
  budgetMillimes: number;
};

/**
 * The envelopes a voter living in `residence` votes in: the city-wide ones, and the one of their
 * arrondissement or neighbourhood. Without a known residence, only the city-wide ones.
 */
export function envelopesForResidence(
  envelopes: EnvelopeArea[],
  residence: { arrondissementId: number | null; neighbourhoodId: number | null },
): EnvelopeArea[] {
  return envelopes.filter(
    (e) =>
      e.scope === 'city' ||
      (e.scope === 'arrondissement' && e.arrondissementId !== null && e.arrondissementId === residence.arrondissementId) ||
      (e.scope === 'neighbourhood' && e.neighbourhoodId !== null && e.neighbourhoodId === residence.neighbourhoodId),
  );
}

export type BallotRules = Pick<PbCycleRow, 'ballot_type' | 'min_choices' | 'max_choices' | 'total_points' | 'max_points_per_project'>;

export type BallotProject = { id: number; envelopeId: number; costMillimes: number };

/** One line of a ballot as submitted: a project id and its value (1, points, or rank). */
export type BallotChoice = { projectId: number; value: number };

export type BallotProblem =
  | { code: 'empty' }
  | { code: 'duplicate_project'; projectId: number }
  | { code: 'unknown_project'; projectId: number }
  | { code: 'too_few_choices'; envelopeId: number; min: number }
  | { code: 'too_many_choices'; envelopeId: number; max: number }
  | { code: 'over_budget'; envelopeId: number; totalMillimes: number; budgetMillimes: number }
  | { code: 'bad_points'; projectId: number }
  | { code: 'too_many_points'; envelopeId: number; total: number; max: number }
  | { code: 'bad_ranks'; envelopeId: number };

/**
 * Checks a ballot against the cycle's rules. `projects` are the projects this voter may vote
 * for (those of their envelopes, see envelopesForResidence); anything else — a forged id, a
 * project of another district — is `unknown_project`. Limits hold per envelope: each envelope
 * is a separate election, tallied separately. A ballot must choose something somewhere; an
 * envelope left empty is allowed (the voter abstains there), unless min_choices says otherwise
 * for envelopes they did vote in.
 */
export function validateBallot(
  rules: BallotRules,
  projects: BallotProject[],
  envelopes: EnvelopeArea[],
  choices: BallotChoice[],
): BallotProblem[] {
  const problems: BallotProblem[] = [];
  if (choices.length === 0) return [{ code: 'empty' }];
  const projectById = new Map(projects.map((p) => [p.id, p]));
  const seen = new Set<number>();
  const byEnvelope = new Map<number, { project: BallotProject; value: number }[]>();
  for (const choice of choices) {
    if (seen.has(choice.projectId)) {
      problems.push({ code: 'duplicate_project', projectId: choice.projectId });
      continue;
    }
    seen.add(choice.projectId);
    const project = projectById.get(choice.projectId);
    if (!project) {
      problems.push({ code: 'unknown_project', projectId: choice.projectId });
      continue;
    }
    if (!Number.isSafeInteger(choice.value) || choice.value < 1) {
      problems.push({ code: 'bad_points', projectId: choice.projectId });
      continue;
    }
    if (rules.ballot_type === 'cumulative' && rules.max_points_per_project !== null && choice.value > rules.max_points_per_project) {
      problems.push({ code: 'bad_points', projectId: choice.projectId });
      continue;
    }
    if ((rules.ballot_type === 'approval' || rules.ballot_type === 'knapsack') && choice.value !== 1) {
      problems.push({ code: 'bad_points', projectId: choice.projectId });
      continue;
    }
    const list = byEnvelope.get(project.envelopeId) ?? [];
    list.push({ project, value: choice.value });
    byEnvelope.set(project.envelopeId, list);
  }
  for (const envelope of envelopes) {
    const list = byEnvelope.get(envelope.id);
    if (!list || list.length === 0) continue;
    if (list.length < rules.min_choices) problems.push({ code: 'too_few_choices', envelopeId: envelope.id, min: rules.min_choices });
    if ((rules.ballot_type === 'approval' || rules.ballot_type === 'ranking') && rules.max_choices !== null && list.length > rules.max_choices) {
      problems.push({ code: 'too_many_choices', envelopeId: envelope.id, max: rules.max_choices });
    }
    if (rules.ballot_type === 'knapsack') {
      const total = list.reduce((sum, c) => sum + c.project.costMillimes, 0);
      if (total > envelope.budgetMillimes) {
        problems.push({ code: 'over_budget', envelopeId: envelope.id, totalMillimes: total, budgetMillimes: envelope.budgetMillimes });
      }
    }
    if (rules.ballot_type === 'cumulative' && rules.total_points !== null) {
      const total = list.reduce((sum, c) => sum + c.value, 0);
      if (total > rules.total_points) problems.push({ code: 'too_many_points', envelopeId: envelope.id, total, max: rules.total_points });
    }
    if (rules.ballot_type === 'ranking') {
      const ranks = list.map((c) => c.value).sort((a, b) => a - b);
      if (ranks.some((r, i) => r !== i + 1)) problems.push({ code: 'bad_ranks', envelopeId: envelope.id });
    }
  }
  return problems;
}

/** The Pabulib vote type a ballot type is exported as. */
export function pabulibVoteType(type: BallotType): 'approval' | 'cumulative' | 'ordinal' {
  if (type === 'cumulative') return 'cumulative';
  if (type === 'ranking') return 'ordinal';
  return 'approval';
}

/** The default outcome rule for a ballot type (a RuleId of ./outcome/rules.ts). */
export function defaultRule(type: BallotType): string {
  if (type === 'cumulative') return 'mes_additive_cardinal_sat';
  if (type === 'knapsack') return 'greedy_cost_sat';
  return 'mes_cost_sat_add1u';
}
