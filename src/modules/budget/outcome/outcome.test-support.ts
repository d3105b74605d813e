// Test support: small elections built in code, and a plain exact implementation of the rules
// written straight from RULES.md — per voter group, rationals everywhere, no cleverness — to
// check the fast implementation against on many random elections.
import type { Election } from './election.ts';
import { prepareElection } from './election.ts';
import type { PbInstance, PbVote, VoteType } from './pabulib.ts';
import { add, compare, div, fromBigInt, min, mul, mulInt, parseDecimal, rational, sub, type Rational, ZERO } from './rational.ts';

export type SmallProject = { id: string; cost: string };
export type SmallBallot = { projects: string[]; points?: number[]; voters?: number };

/** An instance from a few lines of data (costs and budget as decimal strings). */
export function smallInstance(options: {
  budget: string;
  projects: SmallProject[];
  ballots: SmallBallot[];
  voteType?: VoteType;
  maxSumPoints?: string;
  defaultScore?: string;
}): PbInstance {
  const voteType = options.voteType ?? 'approval';
  const usesPoints = voteType === 'cumulative' || voteType === 'scoring';
  const votes: PbVote[] = [];
  for (const ballot of options.ballots) {
    for (let copy = 0; copy < (ballot.voters ?? 1); copy++) {
      votes.push({
        voterId: String(votes.length + 1),
        projects: [...ballot.projects],
        points: usesPoints ? (ballot.points ?? ballot.projects.map(() => 1)).map((p) => rational(p)) : null,
        fields: {},
      });
    }
  }
  const meta = [
    { key: 'description', value: 'test' },
    { key: 'num_projects', value: String(options.projects.length) },
    { key: 'num_votes', value: String(votes.length) },
    { key: 'budget', value: options.budget },
    { key: 'vote_type', value: voteType },
  ];
  if (voteType === 'cumulative') meta.push({ key: 'max_sum_points', value: options.maxSumPoints ?? '1000' });
  if (options.defaultScore !== undefined) meta.push({ key: 'default_score', value: options.defaultScore });
  return {
    meta,
    budget: parseDecimal(options.budget)!,
    voteType,
    projectColumns: ['project_id', 'cost'],
    projects: options.projects.map((p) => ({ id: p.id, cost: parseDecimal(p.cost)!, fields: {} })),
    voteColumns: usesPoints ? ['voter_id', 'vote', 'points'] : ['voter_id', 'vote'],
    votes,
  };
}

export function smallElection(options: Parameters<typeof smallInstance>[0]): Election {
  return prepareElection(smallInstance(options));
}

// A tiny deterministic generator (mulberry32), so a failing random case can be replayed.
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random small election designed to hit the corners: equal costs and identical supporters
 * (true ties), free projects, projects nobody supports, decimal costs, empty ballots.
 */
export function randomInstance(seed: number, voteType: VoteType = 'approval'): PbInstance {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const projectCount = 2 + pick(7);
  const costChoices = ['0', '1', '2', '3', '5', '7.5', '10', '12', '20', '33.3'];
  // Ids that sort differently as plain strings and as numbers ("10" < "9" < "p2").
  const ids = ['10', '9', 'p2', '11', '1', 'p20', '3', 'p100', '5'];
  const projects: SmallProject[] = [];
  for (let i = 0; i < projectCount; i++) {
    const twin = i > 0 && random() < 0.25;
    projects.push({ id: ids[i]!, cost: twin ? projects[i - 1]!.cost : costChoices[pick(costChoices.length)]! });
  }
  const ballots: SmallBallot[] = [];
  const ballotCount = 1 + pick(12);
  for (let b = 0; b < ballotCount; b++) {
    const listed = projects.filter(() => random() < 0.45).map((p) => p.id);
    const ballot: SmallBallot = { projects: listed, voters: 1 + pick(4) };
    if (voteType === 'cumulative' || voteType === 'scoring') ballot.points = listed.map(() => pick(4));
    ballots.push(ballot);
  }
  // Twins get the same supporters, so their ρ ties exactly.
  for (let i = 1; i < projectCount; i++) {
    if (projects[i]!.cost === projects[i - 1]!.cost && random() < 0.7) {
      for (const ballot of ballots) {
        const hasPrevious = ballot.projects.includes(projects[i - 1]!.id);
        const at = ballot.projects.indexOf(projects[i]!.id);
        if (at >= 0) {
          ballot.projects.splice(at, 1);
          ballot.points?.splice(at, 1);
        }
        if (hasPrevious) {
          ballot.projects.push(projects[i]!.id);
          ballot.points?.push(ballot.points[ballot.projects.indexOf(projects[i - 1]!.id)] ?? 1);
        }
      }
    }
  }
  const totalCost = projects.reduce((s, p) => s + Number(p.cost), 0);
  const budget = String(Math.max(1, Math.round(totalCost * (0.2 + random() * 0.7))));
  // Scoring ballots: an unlisted project scores default_score, sometimes 1.
  const defaultScore = voteType === 'scoring' ? String(pick(2)) : undefined;
  return smallInstance({ budget, projects, ballots, voteType, maxSumPoints: '1000', defaultScore });
}

// ---------------------------------------------------------------------------------------------
// The plain exact rules.

type Utility = 'cost' | 'cardinality' | 'points';

function utilities(election: Election, kind: Utility): { multiplicity: number; u: Map<number, Rational> }[] {
  return election.groups.map((g) => {
    const u = new Map<number, Rational>();
    g.projects.forEach((p, i) => {
      if (kind === 'cardinality') u.set(p, rational(1));
      else if (kind === 'cost') u.set(p, election.costs[p]!);
      else u.set(p, g.points![i]!);
    });
    if (kind === 'points' && election.voteType === 'scoring' && election.defaultScore.n > 0n) {
      election.projectIds.forEach((_, p) => {
        if (!u.has(p)) u.set(p, election.defaultScore);
      });
    }
    for (const [p, value] of u) if (value.n === 0n) u.delete(p);
    return { multiplicity: g.multiplicity, u };
  });
}

export type PlainMesResult = { selected: number[]; rho: Rational[] };

/** MES as RULES.md states it, one group at a time. */
export function plainMes(
  election: Election,
  kind: Utility,
  perVoterBudget: Rational,
  tieOrder: (a: number, b: number) => number,
): PlainMesResult {
  const groups = utilities(election, kind);
  const budgets = groups.map(() => perVoterBudget);
  const listed = (p: number) => election.votes[p]! > 0;
  const supported = (p: number) => (kind === 'points' ? groups.some((g) => g.u.has(p)) : listed(p));
  const selected: number[] = [];
  const rhos: Rational[] = [];
  const free = election.projectIds.map((_, p) => p).filter((p) => election.costs[p]!.n === 0n && supported(p));
  selected.push(...free.sort(tieOrder));
  let remaining = election.projectIds
    .map((_, p) => p)
    .filter((p) => election.costs[p]!.n > 0n && groups.some((g) => g.u.has(p)));
  for (;;) {
    let best: { p: number; rho: Rational } | null = null;
    const stillIn: number[] = [];
    for (const p of remaining) {
      const cost = election.costs[p]!;
      const supporters = groups.map((g, i) => ({ i, g })).filter((x) => x.g.u.has(p));
      let money = ZERO;
      for (const s of supporters) money = add(money, mulInt(budgets[s.i]!, BigInt(s.g.multiplicity)));
      if (compare(money, cost) < 0) continue; // dropped for good
      stillIn.push(p);
      supporters.sort((x, y) => compare(div(budgets[x.i]!, x.g.u.get(p)!), div(budgets[y.i]!, y.g.u.get(p)!)));
      let paid = ZERO;
      let weight = ZERO;
      for (const s of supporters) weight = add(weight, mulInt(s.g.u.get(p)!, BigInt(s.g.multiplicity)));
      let rho: Rational | null = null;
      for (const s of supporters) {
        const u = s.g.u.get(p)!;
        const candidate = div(sub(cost, paid), weight);
        if (compare(mul(candidate, u), budgets[s.i]!) <= 0) {
          rho = candidate;
          break;
        }
        paid = add(paid, mulInt(budgets[s.i]!, BigInt(s.g.multiplicity)));
        weight = sub(weight, mulInt(u, BigInt(s.g.multiplicity)));
      }
      if (rho === null) throw new Error('plainMes: no ρ for an affordable project');
      const order = best === null ? -1 : compare(rho, best.rho);
      if (order < 0 || (order === 0 && tieOrder(p, best!.p) < 0)) best = { p, rho };
    }
    remaining = stillIn;
    if (best === null) break;
    selected.push(best.p);
    rhos.push(best.rho);
    remaining = remaining.filter((p) => p !== best!.p);
    groups.forEach((g, i) => {
      const u = g.u.get(best!.p);
      if (u) budgets[i] = sub(budgets[i]!, min(budgets[i]!, mul(best!.rho, u)));
    });
  }
  return { selected, rho: rhos };
}

export function plainMesAdd1(election: Election, tieOrder: (a: number, b: number) => number): { selected: number[]; budgetsTried: number } {
  const base = rational(election.budget.n, election.budget.d * BigInt(election.voterCount));
  const groups = utilities(election, 'cost');
  const eligible = election.projectIds.map((_, p) => p).filter((p) => election.costs[p]!.n > 0n && groups.some((g) => g.u.has(p)));
  let previous: number[] | null = null;
  for (let k = 0n; ; k++) {
    const { selected } = plainMes(election, 'cost', add(base, fromBigInt(k)), tieOrder);
    const spent = selected.reduce((s, p) => add(s, election.costs[p]!), ZERO);
    if (compare(spent, election.budget) > 0) {
      const free = election.projectIds.map((_, p) => p).filter((p) => election.costs[p]!.n === 0n && election.votes[p]! > 0);
      return { selected: previous ?? free, budgetsTried: Number(k) + 1 };
    }
    const left = sub(election.budget, spent);
    if (eligible.every((p) => selected.includes(p) || compare(election.costs[p]!, left) > 0)) return { selected, budgetsTried: Number(k) + 1 };
    previous = selected;
  }
}

/** Greedy as RULES.md states it. */
export function plainGreedy(
  election: Election,
  kind: Utility,
  tieOrder: (a: number, b: number) => number,
  initial: number[] = [],
): number[] {
  const groups = utilities(election, kind);
  const key = (p: number): [number, Rational] => {
    const supported = kind === 'points' ? groups.some((g) => g.u.has(p)) : election.votes[p]! > 0;
    if (!supported) return [0, ZERO];
    if (election.costs[p]!.n === 0n) return [2, ZERO];
    let total = ZERO;
    for (const g of groups) {
      const u = g.u.get(p);
      if (u) total = add(total, mulInt(u, BigInt(g.multiplicity)));
    }
    return [1, div(total, election.costs[p]!)];
  };
  const order = election.projectIds
    .map((_, p) => p)
    .filter((p) => !initial.includes(p))
    .sort((a, b) => {
      const [ra, va] = key(a);
      const [rb, vb] = key(b);
      if (ra !== rb) return rb - ra;
      return compare(vb, va) || tieOrder(a, b);
    });
  let left = initial.reduce((s, p) => sub(s, election.costs[p]!), election.budget);
  const chosen: number[] = [];
  for (const p of order) {
    if (compare(election.costs[p]!, left) <= 0) {
      chosen.push(p);
      left = sub(left, election.costs[p]!);
    }
  }
  return chosen;
}
