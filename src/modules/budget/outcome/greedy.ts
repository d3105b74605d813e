// Greedy rules ("by vote count", the usual city rule): order the projects by total utility per
// unit of cost, best first; walk the list and fund each project that still fits in what is
// left of the budget — skip, don't stop.
import type { Election, UtilityTable } from './election.ts';
import { compare, fromBigInt, rational, sub, type Rational, ZERO } from './rational.ts';

export type GreedyStep = {
  project: number;
  /** Total utility ÷ cost, exact; null stands for "infinite" (a free project with support). */
  density: Rational | null;
  selected: boolean;
  /** Budget left when the walk reached this project, and after deciding on it. */
  budgetLeftBefore: Rational;
  budgetLeftAfter: Rational;
};

export type GreedyRun = {
  selected: number[];
  steps: GreedyStep[];
  budgetLeft: Rational;
};

type Density = { rank: 0 | 1 | 2; value: Rational };

// rank 2: supported and free — comes first, as RULES.md says ("a zero-cost project with votes
// comes first"); rank 1: supported, positive cost, ordered by value; rank 0: nobody supports
// it — last, still funded if it fits.
function densityOf(election: Election, table: UtilityTable, p: number): Density {
  if (!table.supported[p]) return { rank: 0, value: ZERO };
  const cost = election.costs[p]!;
  if (cost.n === 0n) return { rank: 2, value: ZERO };
  if (table.kind === 'cost') {
    // Cost utility: total = votes × cost, so the density is the vote count (and needs no
    // division by a cost that a decimal comma made fractional).
    return { rank: 1, value: fromBigInt(BigInt(election.votes[p]!)) };
  }
  // totalUtility is scaled by table.scale; the common factor does not change the order.
  return { rank: 1, value: rational(table.totalUtility[p]! * cost.d, cost.n * table.scale) };
}

/**
 * The greedy walk. `initial` projects are already funded (the add1u completion starts from the
 * Method of Equal Shares' outcome); they are skipped and their cost is spent.
 */
export function runGreedy(
  election: Election,
  table: UtilityTable,
  tieOrder: (a: number, b: number) => number,
  initial: readonly number[] = [],
): GreedyRun {
  const already = new Set(initial);
  let left = election.budget;
  for (const p of initial) left = sub(left, election.costs[p]!);

  const candidates = election.projectIds.map((_, p) => p).filter((p) => !already.has(p));
  const densities = new Map(candidates.map((p) => [p, densityOf(election, table, p)]));
  candidates.sort((a, b) => {
    const x = densities.get(a)!;
    const y = densities.get(b)!;
    if (x.rank !== y.rank) return y.rank - x.rank;
    const byValue = compare(y.value, x.value);
    return byValue !== 0 ? byValue : tieOrder(a, b);
  });

  const selected: number[] = [];
  const steps: GreedyStep[] = [];
  for (const p of candidates) {
    const cost = election.costs[p]!;
    const before = left;
    const fits = compare(cost, left) <= 0;
    if (fits) {
      selected.push(p);
      left = sub(left, cost);
    }
    const d = densities.get(p)!;
    steps.push({
      project: p,
      density: d.rank === 2 ? null : d.rank === 0 ? ZERO : d.value,
      selected: fits,
      budgetLeftBefore: before,
      budgetLeftAfter: left,
    });
  }
  return { selected, steps, budgetLeft: left };
}
