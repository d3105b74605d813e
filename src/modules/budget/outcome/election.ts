// From a parsed .pb instance to what the rules compute on: identical ballots grouped (count,
// ballot), and per-project supporter lists with integer utilities.
//
// Grouping first changes nothing in any result — two voters with the same ballot are treated
// identically by every rule here — and a great deal in speed: 61,668 Warsaw ballots are
// ~51,000 distinct ones, Katowice's 39,828 only 1,806.
import type { PbInstance, VoteType } from './pabulib.ts';
import { metaValue } from './pabulib.ts';
import { add, gcd, parseDecimal, type Rational, ZERO } from './rational.ts';

/** How much a voter gets from a selected project (see RULES.md, "Utilities"). */
export type UtilityKind = 'cardinality' | 'cost' | 'points';

export type BallotGroup = {
  /** How many voters cast exactly this ballot. */
  multiplicity: number;
  /** Distinct project indices listed, ascending. */
  projects: number[];
  /** Points for `projects`, same order (cumulative, scoring); a repeated listing adds up. */
  points: Rational[] | null;
};

export type Election = {
  voteType: VoteType;
  projectIds: string[];
  costs: Rational[];
  budget: Rational;
  /** Everybody who cast a ballot, empty ballots included: each gets budget / voterCount in MES. */
  voterCount: number;
  groups: BallotGroup[];
  /** Voters whose ballot lists each project ("votes"). */
  votes: number[];
  /** Scoring ballots: the score of an unlisted project (META default_score, else 0). */
  defaultScore: Rational;
};

export function prepareElection(instance: PbInstance): Election {
  const projectIds = instance.projects.map((p) => p.id);
  const indexOf = new Map(projectIds.map((id, i) => [id, i]));
  const usesPoints = instance.voteType === 'cumulative' || instance.voteType === 'scoring';
  const groupsByKey = new Map<string, BallotGroup>();
  const votes = new Array<number>(projectIds.length).fill(0);

  for (const vote of instance.votes) {
    let projects: number[];
    let points: Rational[] | null = null;
    if (usesPoints) {
      const byProject = new Map<number, Rational>();
      vote.projects.forEach((id, i) => {
        const index = indexOf.get(id)!;
        byProject.set(index, add(byProject.get(index) ?? ZERO, vote.points![i]!));
      });
      projects = [...byProject.keys()].sort((a, b) => a - b);
      points = projects.map((p) => byProject.get(p)!);
    } else {
      projects = [...new Set(vote.projects.map((id) => indexOf.get(id)!))].sort((a, b) => a - b);
    }
    for (const p of projects) votes[p]!++;
    const key = points === null
      ? projects.join(',')
      : projects.map((p, i) => `${p}:${points![i]!.n}/${points![i]!.d}`).join(',');
    const group = groupsByKey.get(key);
    if (group) group.multiplicity++;
    else groupsByKey.set(key, { multiplicity: 1, projects, points });
  }

  const defaultScoreText = instance.voteType === 'scoring' ? metaValue(instance, 'default_score') : null;
  return {
    voteType: instance.voteType,
    projectIds,
    costs: instance.projects.map((p) => p.cost),
    budget: instance.budget,
    voterCount: instance.votes.length,
    groups: [...groupsByKey.values()],
    votes,
    defaultScore: defaultScoreText === null ? ZERO : parseDecimal(defaultScoreText, true)!,
  };
}

/**
 * Supporters of each project under one utility, in compressed rows: the supporters of project
 * p are groups[group[start[p] .. start[p+1])] with utilities util[...]. Utilities are integers:
 * the true utilities times `scale` (the common denominator of the costs or points). Scaling
 * every utility by the same number divides every price per unit of utility by it and changes
 * no payment and no decision.
 */
export type UtilityTable = {
  kind: UtilityKind;
  scale: bigint;
  start: Int32Array;
  group: Int32Array;
  util: Float64Array;
  /** Project p's utilities are all equal (approval-like ballots): util[start[p]], else -1. */
  uniform: Float64Array;
  /** Σ multiplicity × scaled utility, exactly. */
  totalUtility: bigint[];
  /** Does anybody support p? cost/cardinality: someone lists it; points: someone gives points. */
  supported: boolean[];
};

export function utilityKindApplies(kind: UtilityKind, voteType: VoteType): boolean {
  return kind !== 'points' || voteType === 'cumulative' || voteType === 'scoring';
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

function scaledInteger(value: Rational, scale: bigint, what: string): number {
  const scaled = (value.n * scale) / value.d;
  if (scaled > 9007199254740991n) {
    throw new RangeError(`${what} is too large to compute with (${scaled} in the smallest unit)`);
  }
  return Number(scaled);
}

export function buildUtilityTable(election: Election, kind: UtilityKind): UtilityTable {
  if (!utilityKindApplies(kind, election.voteType)) {
    throw new Error(`points utilities need cumulative or scoring ballots, not ${election.voteType}`);
  }
  const projectCount = election.projectIds.length;
  let scale = 1n;
  if (kind === 'cost') {
    for (const c of election.costs) scale = lcm(scale, c.d);
  } else if (kind === 'points') {
    scale = election.defaultScore.d;
    for (const g of election.groups) for (const p of g.points!) scale = lcm(scale, p.d);
  }
  const costUnits = election.costs.map((c) => scaledInteger(c, scale, 'a project cost'));
  const defaultScore = kind === 'points' && election.voteType === 'scoring'
    ? scaledInteger(election.defaultScore, scale, 'default_score')
    : 0;

  // Per project: (group, utility) pairs with utility > 0.
  const rows: { group: number; util: number }[][] = Array.from({ length: projectCount }, () => []);
  election.groups.forEach((g, groupIndex) => {
    if (kind === 'points') {
      const listed = new Map<number, number>();
      g.projects.forEach((p, i) => listed.set(p, scaledInteger(g.points![i]!, scale, 'a point value')));
      if (defaultScore > 0) {
        for (let p = 0; p < projectCount; p++) {
          const u = listed.get(p) ?? defaultScore;
          if (u > 0) rows[p]!.push({ group: groupIndex, util: u });
        }
      } else {
        for (const [p, u] of listed) if (u > 0) rows[p]!.push({ group: groupIndex, util: u });
      }
    } else {
      for (const p of g.projects) {
        const u = kind === 'cardinality' ? 1 : costUnits[p]!;
        // A zero-cost project has zero cost-utility; it is still "supported" (see below).
        if (u > 0) rows[p]!.push({ group: groupIndex, util: u });
      }
    }
  });

  const start = new Int32Array(projectCount + 1);
  for (let p = 0; p < projectCount; p++) start[p + 1] = start[p]! + rows[p]!.length;
  const group = new Int32Array(start[projectCount]!);
  const util = new Float64Array(start[projectCount]!);
  const uniform = new Float64Array(projectCount).fill(-1);
  const totalUtility: bigint[] = [];
  const supported: boolean[] = [];
  for (let p = 0; p < projectCount; p++) {
    const row = rows[p]!;
    let total = 0n;
    let same = row.length > 0;
    row.forEach((entry, i) => {
      group[start[p]! + i] = entry.group;
      util[start[p]! + i] = entry.util;
      total += BigInt(election.groups[entry.group]!.multiplicity) * BigInt(entry.util);
      if (entry.util !== row[0]!.util) same = false;
    });
    if (same) uniform[p] = row[0]!.util;
    totalUtility.push(total);
    supported.push(kind === 'points' ? total > 0n : election.votes[p]! > 0);
  }
  return { kind, scale, start, group, util, uniform, totalUtility, supported };
}
