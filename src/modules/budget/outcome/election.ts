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

const byNumber = (a: number, b: number) => a - b;

export function prepareElection(instance: PbInstance): Election {
  const projectIds = instance.projects.map((p) => p.id);
  const indexOf = new Map(projectIds.map((id, i) => [id, i]));
  const usesPoints = instance.voteType === 'cumulative' || instance.voteType === 'scoring';
  const groupsByKey = new Map<string, BallotGroup>();
  const votes = new Array<number>(projectIds.length).fill(0);
  const shortKeys = projectIds.length < 0xd800; // below the surrogates: one code unit each

  for (const vote of instance.votes) {
    let projects: number[];
    let points: Rational[] | null = null;
    let key: string;
    if (usesPoints) {
      const byProject = new Map<number, Rational>();
      vote.projects.forEach((id, i) => {
        const index = indexOf.get(id)!;
        byProject.set(index, add(byProject.get(index) ?? ZERO, vote.points![i]!));
      });
      projects = [...byProject.keys()].sort((a, b) => a - b);
      points = projects.map((p) => byProject.get(p)!);
      key = projects.map((p, i) => `${p}:${points![i]!.n}/${points![i]!.d}`).join(',');
    } else {
      // Hot path (approval-like ballots, up to ~100,000 of them): a fresh small array, no Set,
      // and a short key of one UTF-16 unit per project.
      const listed = vote.projects;
      let indices: number[] = [];
      for (let i = 0; i < listed.length; i++) indices.push(indexOf.get(listed[i]!)!);
      if (indices.length > 1) {
        indices.sort(byNumber);
        for (let i = 1; i < indices.length; i++) {
          if (indices[i] === indices[i - 1]) {
            indices = indices.filter((p, j) => j === 0 || p !== indices[j - 1]);
            break;
          }
        }
      }
      key = shortKeys ? String.fromCharCode(...indices) : indices.join(',');
      projects = indices;
    }
    const group = groupsByKey.get(key);
    if (group) {
      group.multiplicity++;
      for (const p of group.projects) votes[p]!++;
    } else {
      const created = { multiplicity: 1, projects, points };
      groupsByKey.set(key, created);
      for (const p of created.projects) votes[p]!++;
    }
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

  // Per project: (group, utility) pairs with utility > 0, in two passes (count, then fill)
  // straight into typed arrays: Warsaw has ~190,000 such pairs.
  const groupUtilities = (g: BallotGroup, visit: (p: number, u: number) => void) => {
    if (kind === 'points') {
      if (defaultScore > 0) {
        const listed = new Map<number, number>();
        g.projects.forEach((p, i) => listed.set(p, scaledInteger(g.points![i]!, scale, 'a point value')));
        for (let p = 0; p < projectCount; p++) {
          const u = listed.get(p) ?? defaultScore;
          if (u > 0) visit(p, u);
        }
      } else {
        g.projects.forEach((p, i) => {
          const u = scaledInteger(g.points![i]!, scale, 'a point value');
          if (u > 0) visit(p, u);
        });
      }
    } else {
      for (const p of g.projects) {
        // A zero-cost project has zero cost-utility; it is still "supported" (see below).
        const u = kind === 'cardinality' ? 1 : costUnits[p]!;
        if (u > 0) visit(p, u);
      }
    }
  };
  const start = new Int32Array(projectCount + 1);
  for (const g of election.groups) groupUtilities(g, (p) => start[p + 1]!++);
  for (let p = 0; p < projectCount; p++) start[p + 1]! += start[p]!;
  const group = new Int32Array(start[projectCount]!);
  const util = new Float64Array(start[projectCount]!);
  const fill = start.slice(0, projectCount);
  election.groups.forEach((g, groupIndex) =>
    groupUtilities(g, (p, u) => {
      const at = fill[p]!++;
      group[at] = groupIndex;
      util[at] = u;
    }),
  );
  const uniform = new Float64Array(projectCount).fill(-1);
  const totalUtility: bigint[] = [];
  const supported: boolean[] = [];
  for (let p = 0; p < projectCount; p++) {
    let total = 0n;
    let same = start[p + 1]! > start[p]!;
    let sumSmall = 0;
    for (let i = start[p]!; i < start[p + 1]!; i++) {
      const product = election.groups[group[i]!]!.multiplicity * util[i]!;
      // Sum in doubles while that is exact, in BigInt beyond.
      if (Number.isSafeInteger(product) && Number.isSafeInteger(sumSmall + product)) sumSmall += product;
      else total += BigInt(election.groups[group[i]!]!.multiplicity) * BigInt(util[i]!);
      if (util[i] !== util[start[p]!]) same = false;
    }
    total += BigInt(sumSmall);
    if (same) uniform[p] = util[start[p]!]!;
    totalUtility.push(total);
    supported.push(kind === 'points' ? total > 0n : election.votes[p]! > 0);
  }
  return { kind, scale, start, group, util, uniform, totalUtility, supported };
}
