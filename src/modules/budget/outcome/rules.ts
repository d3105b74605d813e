// The outcome rules of a participatory budget, by the ids used in shared/pabulib/RULES.md and
// reference-outcomes.json. Pure functions: a parsed instance (or a prepared election) in, the
// winners and an exact account of how they were chosen out.
//
// Each result explains itself for a results page: greedy rules list every project in the order
// the walk reached it, funded or not, with the budget left at that moment; the Method of Equal
// Shares lists the round each winner was funded in, its price per unit of utility (ρ) and what
// its supporters paid; add1 says the per-voter budget it ended with. All numbers are exact;
// they are given as strings (exact decimals where they exist, else "n/d"), with a rounded
// decimal beside each fraction for display.
import { buildUtilityTable, prepareElection, utilityKindApplies, type Election, type UtilityKind } from './election.ts';
import { runGreedy, type GreedyRun } from './greedy.ts';
import { explainMesRun, prepareMes, runMes, runMesAdd1, type MesPayment } from './mes.ts';
import { compareNatural, DEFAULT_TIE_BREAKING, tieBreakComparator, type TieBreaking } from './ordering.ts';
import type { PbInstance, VoteType } from './pabulib.ts';
import { add, rational, toDecimalString, toExactDecimal, toFractionString, type Rational, ZERO } from './rational.ts';

export const RULE_IDS = [
  'greedy_cost_sat',
  'greedy_cardinality_sat',
  'greedy_additive_cardinal_sat',
  'mes_cost_sat',
  'mes_cardinality_sat',
  'mes_additive_cardinal_sat',
  'mes_cost_sat_add1',
  'mes_cost_sat_add1u',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

type RuleShape = { method: 'greedy' | 'mes' | 'add1' | 'add1u'; utility: UtilityKind };

const RULE_SHAPES: Record<RuleId, RuleShape> = {
  greedy_cost_sat: { method: 'greedy', utility: 'cost' },
  greedy_cardinality_sat: { method: 'greedy', utility: 'cardinality' },
  greedy_additive_cardinal_sat: { method: 'greedy', utility: 'points' },
  mes_cost_sat: { method: 'mes', utility: 'cost' },
  mes_cardinality_sat: { method: 'mes', utility: 'cardinality' },
  mes_additive_cardinal_sat: { method: 'mes', utility: 'points' },
  mes_cost_sat_add1: { method: 'add1', utility: 'cost' },
  mes_cost_sat_add1u: { method: 'add1u', utility: 'cost' },
};

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}

/** Points utilities need ballots with points (cumulative or scoring); the others apply to all. */
export function ruleAppliesTo(rule: RuleId, voteType: VoteType): boolean {
  return utilityKindApplies(RULE_SHAPES[rule].utility, voteType);
}

export type TallyOptions = { tieBreaking?: TieBreaking };

/** An exact value as text: a decimal when it has a finite one, else "n/d". */
export type ExactText = string;

export type GreedyStepExplanation = {
  projectId: string;
  cost: ExactText;
  /** Total utility per unit of cost (cost utility: the number of votes); "infinite" for a free project with support. */
  density: ExactText | 'infinite';
  selected: boolean;
  budgetLeftBefore: ExactText;
  budgetLeftAfter: ExactText;
};

export type GreedyExplanation = {
  kind: 'greedy';
  utility: UtilityKind;
  budget: ExactText;
  /** Projects already funded when the walk started (the add1u completion), else empty. */
  startedFrom: string[];
  steps: GreedyStepExplanation[];
};

export type MesPaymentExplanation =
  | { kind: 'full_share'; voters: number; utility: ExactText; paidEach: ExactText; paidEachDecimal: string }
  | { kind: 'whole_remaining_budget'; voters: number; paidTotal: ExactText; paidTotalDecimal: string }
  | { kind: 'nothing_left'; voters: number };

export type MesRoundExplanationText = {
  round: number;
  projectId: string;
  cost: ExactText;
  /** Price per unit of utility: a supporter with utility u pays ρ·u, or all they have left if less. */
  rho: ExactText;
  rhoDecimal: string;
  payments: MesPaymentExplanation[];
};

export type MesExplanation = {
  kind: 'mes';
  utility: UtilityKind;
  perVoterBudget: ExactText;
  perVoterBudgetDecimal: string;
  /** Free projects with support, funded before the first round. */
  freeProjects: string[];
  rounds: MesRoundExplanationText[];
};

export type Add1Explanation = {
  kind: 'mes_add1';
  /** What each raise gives every voter, in currency units. */
  increment: ExactText;
  /** Per-voter budgets the add1 loop ran MES with (B/n, B/n + 1, …), the last one included. */
  budgetsTried: number;
  /** Raises behind the per-voter budget of the outcome returned. */
  raisesApplied: number;
  /** MES computations actually made (runs and certified replays that skip unchanged raises). */
  mesRuns: number;
  stoppedBecause: 'exhaustive' | 'over_budget';
  /** The per-voter budget of the outcome returned. */
  perVoterBudget: ExactText;
  perVoterBudgetDecimal: string;
  mes: MesExplanation | null;
};

export type Add1uExplanation = { kind: 'mes_add1u'; add1: Add1Explanation; completion: GreedyExplanation };

export type Explanation = GreedyExplanation | MesExplanation | Add1Explanation | Add1uExplanation;

export type TallyResult = {
  rule: RuleId;
  tieBreaking: TieBreaking;
  /** Winning project ids in natural order ("c2" before "c10"), as the reference lists them. */
  winners: string[];
  /** The same projects in the order the rule funded them. */
  selectionOrder: string[];
  totalCost: Rational;
  explanation: Explanation;
};

function exactText(value: Rational): ExactText {
  return toExactDecimal(value) ?? toFractionString(value);
}

function tieOrderFor(election: Election, tieBreaking: TieBreaking) {
  return tieBreakComparator(
    tieBreaking,
    election.projectIds.map((id, p) => ({ id, cost: election.costs[p]!, votes: election.votes[p]! })),
  );
}

function explainGreedy(election: Election, utility: UtilityKind, run: GreedyRun, initial: number[]): GreedyExplanation {
  return {
    kind: 'greedy',
    utility,
    budget: exactText(election.budget),
    startedFrom: initial.map((p) => election.projectIds[p]!),
    steps: run.steps.map((step) => ({
      projectId: election.projectIds[step.project]!,
      cost: exactText(election.costs[step.project]!),
      density: step.density === null ? 'infinite' : exactText(step.density),
      selected: step.selected,
      budgetLeftBefore: exactText(step.budgetLeftBefore),
      budgetLeftAfter: exactText(step.budgetLeftAfter),
    })),
  };
}

function paymentText(payment: MesPayment): MesPaymentExplanation {
  switch (payment.kind) {
    case 'full_share':
      return {
        kind: 'full_share',
        voters: payment.voters,
        utility: exactText(payment.utility),
        paidEach: exactText(payment.paidEach),
        paidEachDecimal: toDecimalString(payment.paidEach, 6),
      };
    case 'whole_remaining_budget':
      return {
        kind: 'whole_remaining_budget',
        voters: payment.voters,
        paidTotal: exactText(payment.paidTotal),
        paidTotalDecimal: toDecimalString(payment.paidTotal, 6),
      };
    case 'nothing_left':
      return payment;
  }
}

function finish(
  election: Election,
  rule: RuleId,
  tieBreaking: TieBreaking,
  selected: number[],
  explanation: Explanation,
): TallyResult {
  const ids = selected.map((p) => election.projectIds[p]!);
  return {
    rule,
    tieBreaking,
    winners: [...ids].sort(compareNatural),
    selectionOrder: ids,
    totalCost: selected.reduce((total, p) => add(total, election.costs[p]!), ZERO),
    explanation,
  };
}

/** Runs one rule on an election prepared with `prepareElection` (reuse it across rules). */
export function tallyElection(election: Election, rule: RuleId, options: TallyOptions = {}): TallyResult {
  const tieBreaking = options.tieBreaking ?? DEFAULT_TIE_BREAKING;
  const shape = RULE_SHAPES[rule];
  if (!ruleAppliesTo(rule, election.voteType)) {
    throw new Error(`${rule} needs ballots with points (cumulative or scoring), not ${election.voteType}`);
  }
  const table = buildUtilityTable(election, shape.utility);
  const tieOrder = tieOrderFor(election, tieBreaking);

  if (shape.method === 'greedy') {
    const run = runGreedy(election, table, tieOrder);
    return finish(election, rule, tieBreaking, run.selected, explainGreedy(election, shape.utility, run, []));
  }

  const setup = prepareMes(election, table, tieOrder);
  const explainMes = (run: ReturnType<typeof runMes> | null, perVoterBudget: Rational): MesExplanation => ({
    kind: 'mes',
    utility: shape.utility,
    perVoterBudget: exactText(perVoterBudget),
    perVoterBudgetDecimal: toDecimalString(perVoterBudget, 6),
    freeProjects: setup.free.map((p) => election.projectIds[p]!),
    rounds: run === null
      ? []
      : explainMesRun(setup, run).map((round) => ({
          round: round.round,
          projectId: election.projectIds[round.project]!,
          cost: exactText(election.costs[round.project]!),
          rho: exactText(round.rho),
          rhoDecimal: toDecimalString(round.rho, 12),
          payments: round.payments.map(paymentText),
        })),
  });

  if (shape.method === 'mes') {
    // Nobody voted: nobody supports anything, and B/0 is not a budget.
    const perVoterBudget = election.voterCount === 0 ? ZERO : rational(election.budget.n, election.budget.d * BigInt(election.voterCount));
    const run = election.voterCount === 0 ? null : runMes(setup, perVoterBudget);
    const selected = run === null ? [...setup.free] : run.selected;
    return finish(election, rule, tieBreaking, selected, explainMes(run, perVoterBudget));
  }

  const outcome = runMesAdd1(setup);
  const add1: Add1Explanation = {
    kind: 'mes_add1',
    increment: '1',
    budgetsTried: outcome.budgetsTried,
    raisesApplied: outcome.raisesApplied,
    mesRuns: outcome.mesRuns,
    stoppedBecause: outcome.stoppedBecause,
    perVoterBudget: exactText(outcome.perVoterBudget),
    perVoterBudgetDecimal: toDecimalString(outcome.perVoterBudget, 6),
    mes: explainMes(outcome.run, outcome.perVoterBudget),
  };
  if (shape.method === 'add1') return finish(election, rule, tieBreaking, outcome.selected, add1);

  // add1u: what add1 left unspent goes to the greedy rule ("by vote count"), starting from it.
  const completion = runGreedy(election, table, tieOrder, outcome.selected);
  return finish(election, rule, tieBreaking, [...outcome.selected, ...completion.selected], {
    kind: 'mes_add1u',
    add1,
    completion: explainGreedy(election, 'cost', completion, outcome.selected),
  });
}

/** Parses nothing, prepares the ballots and runs one rule. */
export function tally(instance: PbInstance, rule: RuleId, options: TallyOptions = {}): TallyResult {
  return tallyElection(prepareElection(instance), rule, options);
}

// One function per rule, for callers who prefer names to ids.
export const greedyCostSat = (instance: PbInstance, options?: TallyOptions) => tally(instance, 'greedy_cost_sat', options);
export const greedyCardinalitySat = (instance: PbInstance, options?: TallyOptions) => tally(instance, 'greedy_cardinality_sat', options);
export const greedyAdditiveCardinalSat = (instance: PbInstance, options?: TallyOptions) =>
  tally(instance, 'greedy_additive_cardinal_sat', options);
export const mesCostSat = (instance: PbInstance, options?: TallyOptions) => tally(instance, 'mes_cost_sat', options);
export const mesCardinalitySat = (instance: PbInstance, options?: TallyOptions) => tally(instance, 'mes_cardinality_sat', options);
export const mesAdditiveCardinalSat = (instance: PbInstance, options?: TallyOptions) =>
  tally(instance, 'mes_additive_cardinal_sat', options);
export const mesCostSatAdd1 = (instance: PbInstance, options?: TallyOptions) => tally(instance, 'mes_cost_sat_add1', options);
export const mesCostSatAdd1u = (instance: PbInstance, options?: TallyOptions) => tally(instance, 'mes_cost_sat_add1u', options);
