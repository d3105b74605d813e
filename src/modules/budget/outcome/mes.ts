// The Method of Equal Shares (MES), exact, and fast enough for a city-wide vote.
//
// The rule (RULES.md): each of the n voters gets budget B/n. Each round, for every remaining
// project p with supporters N_p, find the least ρ with Σ_{i∈N_p} min(b_i, ρ·u_i(p)) = cost(p)
// — the price per unit of utility at which p's supporters can pay for it, each paying their
// share or, if they cannot, everything they have left. Fund the project with the least ρ; its
// supporters pay. Drop for good any project whose supporters together hold less than its cost.
//
// How it is made fast and still exact:
//
// 1. Budget classes. A voter's budget is B/n minus what they paid, and they pay the same for a
//    project as every other supporter with the same utility and budget. So voters who have paid
//    for the same projects with the same utilities share one exact budget. We keep these
//    "classes" (a tree: a class plus one payment gives a child class) instead of per-voter
//    numbers, and each project sees its supporters as a few hundred (class, utility) "atoms"
//    rather than tens of thousands of voters.
//
// 2. Floating point with certificates. The search runs on doubles. Each class carries, besides
//    its double budget, a rigorous bound on that double's error; every decision is taken from
//    doubles only when the bounds prove it is the decision exact arithmetic would take:
//    - ρ of a project is certified to lie in [lo, hi] by evaluating F(t) = Σ min(b, t·u) at
//      t = lo and t = hi with an error bound: F(lo) < cost and F(hi) ≥ cost (F only grows, so
//      the least root is in between);
//    - the winner is certified when its hi is below every other project's lo (for projects not
//      recomputed this round, an earlier lo is still a lower bound: budgets only shrink, so ρ
//      only grows — which also lets us recompute only the few projects that might win, as
//      pabutools does);
//    - who pays everything (b ≤ ρ·u) versus a share is certified the same way.
//    When a bound cannot decide — a true tie, a near-tie, a voter left with almost exactly the
//    share — that one question is answered in exact rational arithmetic. The exact budgets are
//    not maintained as we go (their denominators grow every round); they are recomputed on
//    demand from the exact ρ of earlier rounds, themselves recomputed from what each round
//    recorded. On real data this happens rarely; ties in small hand-made elections are common
//    and cheap.
//
// The explanation of a run (exact ρ of every winner, who paid what) is computed afterwards
// from the same records, in exact arithmetic.
import type { Election, UtilityTable } from './election.ts';
import { add, compare, fromBigInt, gcd, mul, mulInt, rational, sub, toNumber, type Rational, ZERO } from './rational.ts';

// Twice the unit roundoff of a double: every rounding error bound below uses it, with room.
const EPS = 2 ** -52;
// Error bounds are summed in floating point themselves; inflating them by 1% covers that.
const SLACK = 1.01;

const EXHAUSTED = 0;
const ROOT = 1;

function lcmBig(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

export type MesSetup = {
  election: Election;
  table: UtilityTable;
  tieOrder: (a: number, b: number) => number;
  /** Positive cost and at least one supporter: what MES chooses among. */
  eligible: number[];
  /** Zero cost and supported: funded at once, before the first round. */
  free: number[];
  costLo: Float64Array;
  costHi: Float64Array;
  /** Voters of each supporter entry of `table` (the group's multiplicity), read in order. */
  supporterVoters: Float64Array;
  /**
   * Each project's supporters while nobody has paid anything yet, as (utility, voters) levels:
   * every voter then has the same budget, so a project none of whose supporters has paid needs
   * no scan of its supporters. levelStart[p] .. levelStart[p+1] index levelUtil/levelVoters.
   */
  levelStart: Int32Array;
  levelUtil: Float64Array;
  levelVoters: Float64Array;
  /** overlaps[p * P + q] = 1 when some voter supports both p and q. */
  overlaps: Uint8Array;
  /** Least common multiple of the costs' denominators. */
  costDenominator: bigint;
  maxSupporters: number;
};

export function prepareMes(election: Election, table: UtilityTable, tieOrder: (a: number, b: number) => number): MesSetup {
  const projectCount = election.costs.length;
  const eligible: number[] = [];
  const free: number[] = [];
  const costLo = new Float64Array(projectCount);
  const costHi = new Float64Array(projectCount);
  let maxSupporters = 0;
  election.costs.forEach((cost, p) => {
    const supporters = table.start[p + 1]! - table.start[p]!;
    maxSupporters = Math.max(maxSupporters, supporters);
    const approx = toNumber(cost);
    costLo[p] = approx * (1 - 4 * EPS);
    costHi[p] = approx * (1 + 4 * EPS);
    if (cost.n === 0n) {
      if (table.supported[p]) free.push(p);
    } else if (supporters > 0) {
      eligible.push(p);
    }
  });
  free.sort(tieOrder);

  const supporterVoters = new Float64Array(table.group.length);
  for (let i = 0; i < table.group.length; i++) supporterVoters[i] = election.groups[table.group[i]!]!.multiplicity;

  const levelStart = new Int32Array(projectCount + 1);
  const levels: [number, number][][] = [];
  for (let p = 0; p < projectCount; p++) {
    const byUtil = new Map<number, number>();
    if (table.uniform[p]! >= 0) {
      let voters = 0;
      for (let i = table.start[p]!; i < table.start[p + 1]!; i++) voters += supporterVoters[i]!;
      byUtil.set(table.uniform[p]!, voters);
    } else {
      for (let i = table.start[p]!; i < table.start[p + 1]!; i++) {
        byUtil.set(table.util[i]!, (byUtil.get(table.util[i]!) ?? 0) + supporterVoters[i]!);
      }
    }
    levels.push([...byUtil.entries()]);
    levelStart[p + 1] = levelStart[p]! + byUtil.size;
  }
  const levelUtil = new Float64Array(levelStart[projectCount]!);
  const levelVoters = new Float64Array(levelStart[projectCount]!);
  levels.forEach((entries, p) =>
    entries.forEach(([u, m], i) => {
      levelUtil[levelStart[p]! + i] = u;
      levelVoters[levelStart[p]! + i] = m;
    }),
  );

  // Which projects share a supporter: paying for p changes nobody's budget among q's supporters
  // unless they overlap. A superset is safe (it only costs a scan): listed projects cover every
  // supporter, except with a default score, where anybody may support anything.
  const overlaps = new Uint8Array(projectCount * projectCount);
  if (table.kind === 'points' && election.defaultScore.n > 0n) {
    overlaps.fill(1);
  } else {
    for (const g of election.groups) {
      const listed = g.projects;
      for (let i = 0; i < listed.length; i++) {
        const row = listed[i]! * projectCount;
        for (let j = 0; j < listed.length; j++) overlaps[row + listed[j]!] = 1;
      }
    }
  }

  let costDenominator = 1n;
  for (const cost of election.costs) costDenominator = lcmBig(costDenominator, cost.d);

  return {
    election,
    table,
    tieOrder,
    costDenominator,
    eligible,
    free,
    costLo,
    costHi,
    supporterVoters,
    levelStart,
    levelUtil,
    levelVoters,
    overlaps,
    maxSupporters,
  };
}

/** What a round recorded: enough to recompute its ρ exactly and explain it. */
export type MesRoundRecord = {
  project: number;
  /** The project's supporters as (class, utility, voters) atoms, before paying. */
  atomClass: Int32Array;
  atomUtil: Float64Array;
  atomVoters: Float64Array;
  /** Supporters who had nothing left when the project was funded. */
  exhaustedVoters: number;
  /** 1 where the atom paid everything it had left (b ≤ ρ·u), 0 where it paid a full share. */
  atomPaidAll: Uint8Array;
  /** ρ (in scaled units) is certified to lie in [lo, hi]; null when only the exact value is known. */
  interval: { lo: number; hi: number } | null;
  exactRho: Rational | null;
};

export type MesRun = {
  perVoterBudget: Rational;
  /** Funded projects in the order MES funded them; free ones first. */
  selected: number[];
  rounds: MesRoundRecord[];
  /** Exact ρ of round r (scaled units), recomputed on demand. */
  exactRhoOfRound(round: number): Rational;
  /** How often a bound could not decide and exact arithmetic did. */
  exactFallbacks(): number;
  /** How many times a project's ρ was computed. */
  evaluations: number;
};

type Interval = { lo: number; hi: number };
type Evaluation = { affordable: false } | { affordable: true; lo: number; hi: number; exact: Rational | null; certified: boolean };
type Contender = { p: number; lo: number; hi: number; exact: Rational | null; certified: boolean };

function growInt(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(capacity);
  bigger.set(array);
  return bigger;
}

function growFloat(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(capacity);
  bigger.set(array);
  return bigger;
}

/**
 * Runs MES with the given budget per voter. On Warsaw's 83 projects and 51,202 ballot groups a
 * run takes a few milliseconds: it is repeated for every raise of the add1 completion.
 */
export function runMes(setup: MesSetup, perVoterBudget: Rational): MesRun {
  return mesEngine(setup, perVoterBudget, null)!;
}

/**
 * MES at a higher per-voter budget β_b, certified to fund the same projects in the same order
 * as `base` (a run at β_a < β_b) — and therefore at every budget in between — or null.
 *
 * Why this holds. Replay base's winners at any β: by induction over the rounds, every voter's
 * budget is a non-decreasing function of β (a voter pays min(b, ρ·u); more budget for
 * everyone means every project's least ρ is lower or equal, so what is left, max(0, b − ρ·u),
 * is higher or equal), hence every project's ρ in every round is non-increasing in β. So if,
 * in every round, every other project q still in play has ρ_q(β_b) > ρ_winner(β_a), then for
 * all β in [β_a, β_b]: ρ_q(β) ≥ ρ_q(β_b) > ρ_winner(β_a) ≥ ρ_winner(β), and MES at β picks the
 * same winner. An exact equality ρ_q(β_b) = ρ_winner(β_a) is enough when the tie-breaking
 * prefers the winner. Projects unaffordable after the last round at β_b are unaffordable at
 * every smaller β too (supporters' money is non-decreasing in β). The add1 completion uses
 * this to skip, soundly, the many raises after which nothing changes (Budapest 2024 needs
 * 22,002 raises of one forint).
 */
export function replayMes(setup: MesSetup, perVoterBudget: Rational, base: MesRun): MesRun | null {
  const upperRho = base.rounds.map((record) => {
    if (record.exactRho !== null) return toNumber(record.exactRho) * (1 + 4 * EPS);
    return record.interval!.hi;
  });
  return mesEngine(setup, perVoterBudget, { base, sequence: base.rounds.map((r) => r.project), upperRho });
}

type Forced = { base: MesRun; sequence: number[]; upperRho: number[] };

// Working memory of a run, reused by the next run on the same setup (add1 makes hundreds):
// nothing in it outlives the run — what the exact recomputations need afterwards lives in
// the run's own class arrays and round records.
type Scratch = {
  groupClass: Int32Array;
  touched: Uint8Array;
  atomClass: Int32Array;
  atomUtil: Float64Array;
  atomVoters: Float64Array;
  atomNext: Int32Array;
  atomRatio: Float64Array;
  atomWeight: Float64Array;
  atomMass: Float64Array;
  order: Int32Array;
  bestClass: Int32Array;
  bestUtil: Float64Array;
  bestVoters: Float64Array;
};

const scratchBySetup = new WeakMap<MesSetup, Scratch>();

function scratchOf(setup: MesSetup): Scratch {
  let scratch = scratchBySetup.get(setup);
  if (!scratch) {
    const capacity = Math.max(1, setup.maxSupporters);
    scratch = {
      groupClass: new Int32Array(setup.election.groups.length),
      touched: new Uint8Array(setup.election.costs.length),
      atomClass: new Int32Array(capacity),
      atomUtil: new Float64Array(capacity),
      atomVoters: new Float64Array(capacity),
      atomNext: new Int32Array(capacity),
      atomRatio: new Float64Array(capacity),
      atomWeight: new Float64Array(capacity),
      atomMass: new Float64Array(capacity),
      order: new Int32Array(capacity),
      bestClass: new Int32Array(capacity),
      bestUtil: new Float64Array(capacity),
      bestVoters: new Float64Array(capacity),
    };
    scratchBySetup.set(setup, scratch);
  }
  return scratch;
}

function mesEngine(setup: MesSetup, perVoterBudget: Rational, forced: Forced | null): MesRun | null {
  const { election, table, tieOrder, costLo, costHi, supporterVoters, levelStart, levelUtil, levelVoters, overlaps } = setup;
  const supporterStart = table.start;
  const supporterGroup = table.group;
  const supporterUtil = table.util;
  const uniformUtil = table.uniform;
  const costs = election.costs;
  const projectCount = costs.length;

  // --- classes: a tree of exact budgets, each with its double and the double's error bound ---
  let classCapacity = 1024;
  let classParent = new Int32Array(classCapacity);
  let classRound = new Int32Array(classCapacity);
  let classUtil = new Float64Array(classCapacity);
  let classBudget = new Float64Array(classCapacity);
  let classError = new Float64Array(classCapacity);
  let classHead = new Int32Array(classCapacity);
  let classStamp = new Int32Array(classCapacity);
  let classCount = 0;
  let stamp = 0;

  function addClass(parent: number, round: number, util: number, budget: number, error: number): number {
    if (classCount === classCapacity) {
      classCapacity *= 2;
      classParent = growInt(classParent, classCapacity);
      classRound = growInt(classRound, classCapacity);
      classUtil = growFloat(classUtil, classCapacity);
      classBudget = growFloat(classBudget, classCapacity);
      classError = growFloat(classError, classCapacity);
      classHead = growInt(classHead, classCapacity);
      classStamp = growInt(classStamp, classCapacity);
    }
    const c = classCount++;
    classParent[c] = parent;
    classRound[c] = round;
    classUtil[c] = util;
    classBudget[c] = budget;
    classError[c] = error;
    return c;
  }
  const betaApprox = toNumber(perVoterBudget);
  addClass(-1, -1, 0, 0, 0); // EXHAUSTED: exactly nothing left
  addClass(-1, -1, 0, betaApprox, 4 * EPS * betaApprox); // ROOT: the initial budget, toNumber within 2 ulps
  const scratch = scratchOf(setup);
  const groupClass = scratch.groupClass.fill(ROOT);
  // touched[q] = 1 once someone among q's supporters has paid for something.
  const touched = scratch.touched.fill(0);

  // --- the atoms of the project being looked at ---------------------------------------------
  const { atomClass, atomUtil, atomVoters, atomNext, atomRatio, atomWeight, atomMass, order } = scratch;
  // The atoms of the best project of the round so far, kept so that paying for it needs no
  // second pass over its supporters.
  const { bestClass, bestUtil, bestVoters } = scratch;
  let bestProject = -1;
  let bestCount = 0;
  let bestExhausted = 0;
  function keepAtomsOf(p: number): void {
    bestProject = p;
    bestCount = atomCount;
    bestExhausted = exhaustedVoters;
    bestClass.set(atomClass.subarray(0, atomCount));
    bestUtil.set(atomUtil.subarray(0, atomCount));
    bestVoters.set(atomVoters.subarray(0, atomCount));
  }
  let atomCount = 0;
  let exhaustedVoters = 0;
  let sumMass = 0;
  let sumWeight = 0;
  let sumMassError = 0;

  // Gathers p's supporters into atoms. This loop is where a run spends its time: it reads
  // locals only.
  function buildAtoms(p: number): void {
    let count = 0;
    let exhausted = 0;
    const first = supporterStart[p]!;
    const last = supporterStart[p + 1]!;
    if (!touched[p]) {
      // Nobody among p's supporters has paid yet: one atom per utility level, in ROOT.
      for (let l = levelStart[p]!; l < levelStart[p + 1]!; l++) {
        atomClass[count] = ROOT;
        atomUtil[count] = levelUtil[l]!;
        atomVoters[count] = levelVoters[l]!;
        count++;
      }
    } else {
      const currentStamp = ++stamp;
      const head = classHead;
      const stamps = classStamp;
      const classes = groupClass;
      const groups = supporterGroup;
      const utils = supporterUtil;
      const voters = supporterVoters;
      const atomClasses = atomClass;
      const atomUtils = atomUtil;
      const atomCounts = atomVoters;
      const next = atomNext;
      const uniform = uniformUtil[p]! >= 0;
      for (let i = first; i < last; i++) {
        const c = classes[groups[i]!]!;
        const m = voters[i]!;
        if (c === EXHAUSTED) {
          exhausted += m;
        } else if (stamps[c] !== currentStamp) {
          stamps[c] = currentStamp;
          atomClasses[count] = c;
          atomUtils[count] = utils[i]!;
          atomCounts[count] = m;
          next[count] = -1;
          head[c] = count++;
        } else if (uniform) {
          atomCounts[head[c]!]! += m;
        } else {
          const u = utils[i]!;
          let a = head[c]!;
          while (a >= 0 && atomUtils[a] !== u) a = next[a]!;
          if (a >= 0) {
            atomCounts[a]! += m;
          } else {
            atomClasses[count] = c;
            atomUtils[count] = u;
            atomCounts[count] = m;
            next[count] = head[c]!;
            head[c] = count++;
          }
        }
      }
    }
    atomCount = count;
    exhaustedVoters = exhausted;
    let massTotal = 0;
    let weightTotal = 0;
    let massError = 0;
    for (let a = 0; a < count; a++) {
      const c = atomClass[a]!;
      const b = classBudget[c]!;
      const u = atomUtil[a]!;
      const m = atomVoters[a]!;
      const mass = m * b;
      const weight = m * u;
      atomRatio[a] = b / u;
      atomWeight[a] = weight;
      atomMass[a] = mass;
      massTotal += mass;
      weightTotal += weight;
      massError += m * classError[c]!;
    }
    sumMass = massTotal;
    sumWeight = weightTotal;
    sumMassError = massError;
  }

  // F(t) = Σ min(m·b, t·m·u) over the atoms, in doubles, and a bound on its error: each term is
  // off by at most m·(error of b) plus a rounding of m·b and of t·m·u; the sum adds one rounding
  // of the running total per term.
  function evaluateF(t: number): number {
    let total = 0;
    for (let a = 0; a < atomCount; a++) {
      const paid = t * atomWeight[a]!;
      const mass = atomMass[a]!;
      total += paid < mass ? paid : mass;
    }
    return total;
  }
  function errorOfF(t: number): number {
    return SLACK * (sumMassError + EPS * (sumMass + 2 * t * sumWeight) + (atomCount + 2) * EPS * (sumMass + t * sumWeight));
  }

  // Least t with F̃(t) = cost, by quickselect on the ratios b/u (no full sort). Also returns the
  // weight of the atoms still paying a share at the root: the slope of F there, which says how
  // sharply the root is defined.
  function waterLevel(cost: number): { rho: number; richWeight: number } {
    for (let i = 0; i < atomCount; i++) order[i] = i;
    let low = 0;
    let high = atomCount;
    let poorMass = 0;
    let richWeight = 0;
    let maxRatio = 0;
    for (let i = 0; i < atomCount; i++) if (atomRatio[i]! > maxRatio) maxRatio = atomRatio[i]!;
    while (low < high) {
      const pivot = atomRatio[order[(low + high) >> 1]!]!;
      // Three-way partition of order[low, high): below | equal | above the pivot.
      let lt = low;
      let i = low;
      let gt = high;
      let massBelow = 0;
      let massEqual = 0;
      let weightEqualAbove = 0;
      while (i < gt) {
        const a = order[i]!;
        const r = atomRatio[a]!;
        if (r < pivot) {
          massBelow += atomMass[a]!;
          order[i] = order[lt]!;
          order[lt] = a;
          lt++;
          i++;
        } else if (r > pivot) {
          weightEqualAbove += atomWeight[a]!;
          gt--;
          order[i] = order[gt]!;
          order[gt] = a;
        } else {
          massEqual += atomMass[a]!;
          weightEqualAbove += atomWeight[a]!;
          i++;
        }
      }
      if (poorMass + massBelow + pivot * (weightEqualAbove + richWeight) >= cost) {
        // The root is at or below the pivot: whoever is at or above it pays a share.
        richWeight += weightEqualAbove;
        high = lt;
      } else {
        // The root is above the pivot: whoever is at or below it pays everything.
        poorMass += massBelow + massEqual;
        low = gt;
      }
    }
    if (richWeight <= 0) return { rho: maxRatio, richWeight: 0 };
    return { rho: (cost - poorMass) / richWeight, richWeight };
  }

  // --- exact arithmetic, on demand ----------------------------------------------------------
  // All exact values of a run are integers over one common denominator Δ: the per-voter budget,
  // every cost and every ρ fixed so far have denominators dividing Δ, so a class budget —
  // β − Σ ρ(round)·u along the class's path — is an integer over Δ as well, and comparing or
  // adding budgets needs integer operations only, no fraction reduction. When a new round's ρ
  // needs a larger Δ, the few numerators kept (β and one per round) are rescaled.
  const rounds: MesRoundRecord[] = [];
  let delta = lcmBig(perVoterBudget.d, setup.costDenominator);
  let betaNum = perVoterBudget.n * (delta / perVoterBudget.d);
  const rhoNum: bigint[] = []; // ρ of round r (scaled units) = rhoNum[r] / Δ
  let exactFallbacks = 0;
  let evaluations = 0;

  function costNum(cost: Rational): bigint {
    return cost.n * (delta / cost.d);
  }

  // Exact budget of one voter of class c, times Δ. Needs the ρ of every round on c's path.
  function budgetNum(c: number): bigint {
    if (c === EXHAUSTED) return 0n;
    let value = betaNum;
    for (let x = c; x !== ROOT; x = classParent[x]!) value -= BigInt(classUtil[x]!) * rhoNum[classRound[x]!]!;
    return value;
  }

  // Σ voters × budget over some atoms, times Δ: (Σ voters)·β − Σ_round ρ(round)·(Σ voters·u).
  function massNum(classes: ArrayLike<number>, voters: ArrayLike<number>, indices: Iterable<number>): bigint {
    let totalVoters = 0n;
    const weightByRound = new Map<number, bigint>();
    for (const a of indices) {
      const m = BigInt(voters[a]!);
      totalVoters += m;
      for (let c = classes[a]!; c !== ROOT; c = classParent[c]!) {
        const r = classRound[c]!;
        weightByRound.set(r, (weightByRound.get(r) ?? 0n) + m * BigInt(classUtil[c]!));
      }
    }
    let total = totalVoters * betaNum;
    for (const [r, weight] of weightByRound) total -= weight * rhoNum[r]!;
    return total;
  }

  // Exact least root of Σ min(m·b, ρ·m·u) = cost over the given atoms — pabutools' walk: sort
  // by b/u, and take the first supporter who can pay (cost − paid by the poorer) / (utility of
  // the rest). With a certified interval [lo, hi] ∋ ρ, atoms clearly below it (they pay all)
  // or above it (they pay a share) are settled by their doubles; the walk only needs the few
  // near the root, because starting it after atoms that all lie below the root changes
  // nothing in where it stops. `knownRounds`: the rounds the atoms' budgets depend on.
  function exactRootOf(
    cost: Rational,
    classes: ArrayLike<number>,
    utils: ArrayLike<number>,
    voters: ArrayLike<number>,
    count: number,
    interval: Interval | null,
    knownRounds: number,
  ): Rational {
    exactFallbacks++;
    fixRoundsBefore(knownRounds);
    const poor: number[] = [];
    const near: number[] = [];
    let weight = 0n;
    for (let a = 0; a < count; a++) {
      const c = classes[a]!;
      const u = utils[a]!;
      if (interval) {
        const b = classBudget[c]!;
        const e = classError[c]!;
        if (b + e < interval.lo * u * (1 - 2 * EPS)) {
          poor.push(a);
          continue;
        }
        if (b - e > interval.hi * u * (1 + 2 * EPS)) {
          weight += BigInt(voters[a]!) * BigInt(u);
          continue;
        }
      }
      near.push(a);
    }
    let poorMass = massNum(classes, voters, poor);
    const budgets = new Map(near.map((a) => [a, budgetNum(classes[a]!)]));
    // b_x/u_x < b_y/u_y ⇔ b_x·u_y < b_y·u_x
    near.sort((x, y) => {
      const left = budgets.get(x)! * BigInt(utils[y]!);
      const right = budgets.get(y)! * BigInt(utils[x]!);
      return left < right ? -1 : left > right ? 1 : 0;
    });
    for (const a of near) weight += BigInt(voters[a]!) * BigInt(utils[a]!);
    const total = costNum(cost);
    for (const a of near) {
      // ρ = (cost − poorMass)/(Δ·weight) works for this atom when ρ·u ≤ b, i.e.
      // (cost − poorMass)·u ≤ b·weight, everything times Δ.
      const u = BigInt(utils[a]!);
      const b = budgets.get(a)!;
      if ((total - poorMass) * u <= b * weight) break;
      const m = BigInt(voters[a]!);
      poorMass += m * b;
      weight -= m * u;
    }
    if (weight === 0n) throw new Error('MES: asked for the price of a project its supporters cannot afford');
    return rational(total - poorMass, delta * weight);
  }

  function fixRoundsBefore(end: number): void {
    while (rhoNum.length < end) {
      const r = rhoNum.length;
      const record = rounds[r]!;
      const rho = record.exactRho ?? exactRootOf(
        costs[record.project]!,
        record.atomClass,
        record.atomUtil,
        record.atomVoters,
        record.atomClass.length,
        record.interval,
        r,
      );
      record.exactRho = rho;
      const factor = rho.d / gcd(delta, rho.d);
      if (factor !== 1n) {
        delta *= factor;
        betaNum *= factor;
        for (let i = 0; i < rhoNum.length; i++) rhoNum[i]! *= factor;
      }
      rhoNum.push(rho.n * (delta / rho.d));
    }
  }

  function exactRhoOfRound(r: number): Rational {
    fixRoundsBefore(r + 1);
    return rounds[r]!.exactRho!;
  }

  function intervalAround(exact: Rational): Interval {
    const approx = toNumber(exact);
    return { lo: approx * (1 - 4 * EPS), hi: approx * (1 + 4 * EPS) };
  }

  // --- one project's ρ, certified -------------------------------------------------------------
  function evaluate(p: number): Evaluation {
    evaluations++;
    buildAtoms(p);
    const cost = costs[p]!;
    const affordError = SLACK * (sumMassError + (atomCount + 2) * EPS * sumMass);
    if (sumMass + affordError < costLo[p]!) return { affordable: false };
    if (!(sumMass - affordError >= costHi[p]!)) {
      exactFallbacks++;
      fixRoundsBefore(rounds.length);
      if (massNum(atomClass, atomVoters, Array.from({ length: atomCount }, (_, a) => a)) < costNum(cost)) {
        return { affordable: false };
      }
    }
    const costApprox = (costLo[p]! + costHi[p]!) / 2;
    const { rho, richWeight } = waterLevel(costApprox);
    const width = richWeight > 0 ? (2 * errorOfF(rho)) / richWeight + 4 * EPS * rho : 1e-9 * rho;
    for (const factor of [1, 64, 4096]) {
      const lo = Math.max(0, rho - width * factor);
      const hi = rho + width * factor;
      if (evaluateF(lo) + errorOfF(lo) < costLo[p]! && evaluateF(hi) - errorOfF(hi) >= costHi[p]!) {
        return { affordable: true, lo, hi, exact: null, certified: true };
      }
    }
    const exact = exactRootOf(cost, atomClass, atomUtil, atomVoters, atomCount, null, rounds.length);
    return { affordable: true, ...intervalAround(exact), exact, certified: false };
  }

  // --- paying for the winner --------------------------------------------------------------------
  function pay(winner: Contender): void {
    const p = winner.p;
    if (bestProject !== p) {
      buildAtoms(p);
      keepAtomsOf(p);
    }
    const count = bestCount;
    const round = rounds.length;
    const paidAll = new Uint8Array(count);
    rounds.push({
      project: p,
      atomClass: bestClass.slice(0, count),
      atomUtil: bestUtil.slice(0, count),
      atomVoters: bestVoters.slice(0, count),
      exhaustedVoters: bestExhausted,
      atomPaidAll: paidAll,
      interval: winner.certified ? { lo: winner.lo, hi: winner.hi } : null,
      exactRho: winner.exact,
    });
    const { lo, hi } = winner.exact ? intervalAround(winner.exact) : winner;
    const middle = (lo + hi) / 2;
    const halfWidth = (hi - lo) / 2;
    const target = new Int32Array(count);
    for (let a = 0; a < count; a++) {
      const c = bestClass[a]!;
      const u = bestUtil[a]!;
      const b = classBudget[c]!;
      const e = classError[c]!;
      let paysEverything: boolean;
      if (b + e < lo * u * (1 - 2 * EPS)) paysEverything = true;
      else if (b - e > hi * u * (1 + 2 * EPS)) paysEverything = false;
      else {
        exactFallbacks++;
        fixRoundsBefore(round + 1);
        paysEverything = budgetNum(c) <= rhoNum[round]! * BigInt(u);
      }
      if (paysEverything) {
        paidAll[a] = 1;
        target[a] = EXHAUSTED;
      } else {
        // b − ρ·u with ρ known to ±halfWidth: the new error adds u·halfWidth and two roundings.
        const share = middle * u;
        target[a] = addClass(c, round, u, Math.max(0, b - share), SLACK * (e + u * halfWidth + EPS * (share + b)));
      }
    }
    // Move each supporter to its atom's new class: find the atom by (class, utility).
    const currentStamp = ++stamp;
    const head = classHead;
    const stamps = classStamp;
    for (let a = 0; a < count; a++) {
      const c = bestClass[a]!;
      atomNext[a] = stamps[c] === currentStamp ? head[c]! : -1;
      stamps[c] = currentStamp;
      head[c] = a;
    }
    const uniform = uniformUtil[p]! >= 0;
    const classes = groupClass;
    for (let i = supporterStart[p]!, last = supporterStart[p + 1]!; i < last; i++) {
      const g = supporterGroup[i]!;
      const c = classes[g]!;
      if (c === EXHAUSTED) continue;
      let a = head[c]!;
      if (!uniform) {
        const u = supporterUtil[i]!;
        while (bestUtil[a] !== u) a = atomNext[a]!;
      }
      classes[g] = target[a]!;
    }
    for (let q = 0; q < projectCount; q++) if (overlaps[p * projectCount + q]) touched[q] = 1;
    bestProject = -1;
  }

  // In a replay: may q, whose ρ here is not certified above the winner's ρ in the base run,
  // still be proven no better? Only through an exact tie that the tie-breaking gives to the
  // winner: ρ_q(β_b) ≥ ρ_w(β_a) exactly, and w before q. (Identical projects tie for ever.)
  function winsTie(plan: Forced, round: number, w: number, q: number, evaluation: { hi: number; exact: Rational | null; certified: boolean; lo: number }): boolean {
    if (tieOrder(w, q) >= 0) return false;
    const base = plan.base;
    const record = base.rounds[round]!;
    const baseLo = record.exactRho !== null ? toNumber(record.exactRho) * (1 - 4 * EPS) : record.interval!.lo;
    if (evaluation.hi < baseLo) return false; // certainly cheaper than the winner was
    const rhoHere = evaluation.exact
      ?? exactRootOf(costs[q]!, atomClass, atomUtil, atomVoters, atomCount, evaluation.certified ? evaluation : null, rounds.length);
    return compare(rhoHere, base.exactRhoOfRound(round)) >= 0;
  }

  // --- the rounds -------------------------------------------------------------------------------
  const selected = [...setup.free];
  const alive = new Set(setup.eligible);
  const lowerBound = new Float64Array(projectCount); // certified: ρ(p) ≥ lowerBound[p]
  for (;;) {
    const byBound = [...alive].sort((a, b) => lowerBound[a]! - lowerBound[b]!);
    if (forced) {
      // Replaying another run's winners (see replayMes): no choice to make, only a certificate
      // to check — every other project is dearer here than the winner was there.
      const round = rounds.length;
      if (round === forced.sequence.length) {
        for (const p of byBound) if (evaluate(p).affordable) return null;
        break;
      }
      const w = forced.sequence[round]!;
      const threshold = forced.upperRho[round]!;
      for (const p of byBound) {
        if (p === w) continue;
        if (lowerBound[p]! > threshold) break;
        const evaluation = evaluate(p);
        if (!evaluation.affordable) {
          alive.delete(p);
          continue;
        }
        lowerBound[p] = evaluation.lo;
        if (evaluation.lo <= threshold && !winsTie(forced, round, w, p, evaluation)) return null;
      }
      const evaluation = evaluate(w);
      if (!evaluation.affordable) return null;
      keepAtomsOf(w);
      pay({ p: w, lo: evaluation.lo, hi: evaluation.hi, exact: evaluation.exact, certified: evaluation.certified });
      alive.delete(w);
      selected.push(w);
      continue;
    }
    let bestHi = Infinity;
    const looked: Contender[] = [];
    for (const p of byBound) {
      // Every project from here on has ρ ≥ its lower bound > bestHi ≥ the best ρ: none can win.
      if (lowerBound[p]! > bestHi) break;
      const evaluation = evaluate(p);
      if (!evaluation.affordable) {
        alive.delete(p); // budgets only shrink: unaffordable now, unaffordable for good
        continue;
      }
      lowerBound[p] = evaluation.lo;
      if (evaluation.hi < bestHi) {
        bestHi = evaluation.hi;
        keepAtomsOf(p);
      }
      looked.push({ p, lo: evaluation.lo, hi: evaluation.hi, exact: evaluation.exact, certified: evaluation.certified });
    }
    if (looked.length === 0) break;
    const contenders = looked.filter((e) => e.lo <= bestHi);
    let winner = contenders[0]!;
    if (contenders.length > 1) {
      // Too close to call in doubles: compare exactly (a true tie goes to the tie-breaking).
      let winnerRho: Rational | null = null;
      for (const contender of contenders) {
        if (contender.exact === null) {
          buildAtoms(contender.p);
          contender.exact = exactRootOf(
            costs[contender.p]!,
            atomClass,
            atomUtil,
            atomVoters,
            atomCount,
            contender.certified ? { lo: contender.lo, hi: contender.hi } : null,
            rounds.length,
          );
        }
        const byRho = winnerRho === null ? -1 : compare(contender.exact, winnerRho);
        if (byRho < 0 || (byRho === 0 && tieOrder(contender.p, winner.p) < 0)) {
          winner = contender;
          winnerRho = contender.exact;
        }
      }
    }
    pay(winner);
    alive.delete(winner.p);
    selected.push(winner.p);
  }

  return {
    perVoterBudget,
    selected,
    rounds,
    exactRhoOfRound,
    exactFallbacks: () => exactFallbacks,
    evaluations,
  };
}

export type MesPayment =
  | { kind: 'full_share'; voters: number; utility: Rational; paidEach: Rational }
  | { kind: 'whole_remaining_budget'; voters: number; paidTotal: Rational }
  | { kind: 'nothing_left'; voters: number };

export type MesRoundExplanation = {
  round: number;
  project: number;
  /** Price per unit of utility (true units, exact). */
  rho: Rational;
  payments: MesPayment[];
};

/**
 * Exact account of each funded project: its ρ and what its supporters paid — a full share
 * (ρ × their utility), everything they had left (less than a share), or nothing (nothing left).
 * Those who paid everything paid together the cost minus the full shares, so no individual
 * budget needs to be recomputed; the tests check the whole account against a plain exact MES.
 */
export function explainMesRun(setup: MesSetup, run: MesRun): MesRoundExplanation[] {
  const scale = fromBigInt(setup.table.scale);
  return run.rounds.map((record, round) => {
    const rho = run.exactRhoOfRound(round);
    const shares = new Map<number, number>();
    let poorVoters = 0;
    for (let a = 0; a < record.atomClass.length; a++) {
      if (record.atomPaidAll[a]) poorVoters += record.atomVoters[a]!;
      else shares.set(record.atomUtil[a]!, (shares.get(record.atomUtil[a]!) ?? 0) + record.atomVoters[a]!);
    }
    let sharesTotal = ZERO;
    const payments: MesPayment[] = [...shares.entries()]
      .sort((x, y) => y[0] - x[0])
      .map(([u, voters]) => {
        const paidEach = mulInt(rho, BigInt(u));
        sharesTotal = add(sharesTotal, mulInt(paidEach, BigInt(voters)));
        return { kind: 'full_share' as const, voters, utility: rational(BigInt(u), setup.table.scale), paidEach };
      });
    if (poorVoters > 0) {
      payments.push({
        kind: 'whole_remaining_budget',
        voters: poorVoters,
        paidTotal: sub(setup.election.costs[record.project]!, sharesTotal),
      });
    }
    if (record.exhaustedVoters > 0) payments.push({ kind: 'nothing_left', voters: record.exhaustedVoters });
    return { round: round + 1, project: record.project, rho: mul(rho, scale), payments };
  });
}

export type Add1Outcome = {
  run: MesRun | null;
  /** The returned outcome's projects (MES with the raised budget, or only the free ones). */
  selected: number[];
  perVoterBudget: Rational;
  /** Per-voter budgets the plain loop runs MES with before it stops (B/n, B/n + 1, …). */
  budgetsTried: number;
  /** Raises behind the returned outcome's per-voter budget. */
  raisesApplied: number;
  /** MES computations actually made: runs plus certified replays (see replayMes). */
  mesRuns: number;
  stoppedBecause: 'exhaustive' | 'over_budget';
};

/**
 * "add1" completion, as equalshares.net tells cities: run MES with B/n per voter; while the
 * outcome is not exhaustive (some eligible project still fits in what is left of B), give every
 * voter one more currency unit and run again. Stop at the first exhaustive outcome, or return
 * the previous one when the new one costs more than B.
 *
 * Same result as that loop, faster: after each run, replayMes tries to certify that the next
 * `step` raises change nothing (then they are all non-exhaustive and within budget, like this
 * one, and the loop may jump over them). The step doubles while that works and halves when it
 * does not, down to a plain run of the next raise.
 */
export function runMesAdd1(setup: MesSetup, increment: Rational = fromBigInt(1n)): Add1Outcome {
  const { election } = setup;
  if (election.voterCount === 0) {
    return { run: null, selected: [...setup.free], perVoterBudget: ZERO, budgetsTried: 0, raisesApplied: 0, mesRuns: 0, stoppedBecause: 'exhaustive' };
  }
  const base = rational(election.budget.n, election.budget.d * BigInt(election.voterCount));
  const budgetAt = (k: bigint) => add(base, mulInt(increment, k));
  const costOf = (projects: number[]) => projects.reduce((total, p) => add(total, election.costs[p]!), ZERO);
  let previous: MesRun | null = null;
  let mesRuns = 0;
  let step = 8n;
  let credit = 2;
  const sequenceOf = (run: MesRun) => run.selected.join(',');
  for (let k = 0n; ; k++) {
    const run = runMes(setup, budgetAt(k));
    mesRuns++;
    const spent = costOf(run.selected);
    if (compare(spent, election.budget) > 0) {
      const budgetsTried = Number(k) + 1;
      return previous === null
        ? { run: null, selected: [...setup.free], perVoterBudget: base, budgetsTried, raisesApplied: 0, mesRuns, stoppedBecause: 'over_budget' }
        : {
            run: previous,
            selected: previous.selected,
            perVoterBudget: previous.perVoterBudget,
            budgetsTried,
            raisesApplied: Number(k) - 1,
            mesRuns,
            stoppedBecause: 'over_budget',
          };
    }
    const left = sub(election.budget, spent);
    const chosen = new Set(run.selected);
    if (setup.eligible.every((p) => chosen.has(p) || compare(election.costs[p]!, left) > 0)) {
      return { run, selected: run.selected, perVoterBudget: budgetAt(k), budgetsTried: Number(k) + 1, raisesApplied: Number(k), mesRuns, stoppedBecause: 'exhaustive' };
    }
    // A replay costs about a run. It pays when raises change nothing for a while (Budapest:
    // stretches of tens to hundreds), not when nearly every raise reorders the winners
    // (Warsaw). So replays draw on a credit: a failure costs one, a success earns the raises it
    // skipped, a plain run adds a tenth.
    const steady = previous !== null && sequenceOf(previous) === sequenceOf(run);
    previous = run;
    credit = Math.min(credit + 0.1, 8);
    while (steady && credit >= 1 && step >= 2n) {
      const replay = replayMes(setup, budgetAt(k + step), previous);
      mesRuns++;
      if (replay === null) {
        credit -= 1;
        step /= 2n; // try a shorter jump before paying for a plain run
        continue;
      }
      credit = Math.min(credit + Number(step), 8);
      k += step;
      previous = replay;
      step *= 2n;
    }
    if (step < 2n) step = 2n;
  }
}
