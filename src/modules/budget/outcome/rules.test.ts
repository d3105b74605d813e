import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildUtilityTable, prepareElection, type Election } from './election.ts';
import { prepareMes, runMes, runMesAdd1 } from './mes.ts';
import { compareCodePoints, compareNatural, lotTicket, tieBreakComparator, type TieBreaking } from './ordering.ts';
import {
  plainGreedy,
  plainMes,
  plainMesAdd1,
  randomInstance,
  smallElection,
  smallInstance,
} from './outcome.test-support.ts';
import { add, compare, parseDecimal, parseRational, rational, type Rational, ZERO } from './rational.ts';
import {
  RULE_IDS,
  ruleAppliesTo,
  tallyElection,
  type MesExplanation,
  type RuleId,
  type TallyResult,
} from './rules.ts';

const exact = (text: string): Rational => (text.includes('/') ? parseRational(text) : parseDecimal(text, true)!);

function mesOf(result: TallyResult): MesExplanation {
  const e = result.explanation;
  if (e.kind === 'mes') return e;
  if (e.kind === 'mes_add1') return e.mes!;
  if (e.kind === 'mes_add1u') return e.add1.mes!;
  throw new Error('not an MES result');
}

function tieOrder(election: Election, tieBreaking: TieBreaking) {
  return tieBreakComparator(
    tieBreaking,
    election.projectIds.map((id, p) => ({ id, cost: election.costs[p]!, votes: election.votes[p]! })),
  );
}

// Eight voters with 10 each (budget 80); v8 casts an empty ballot, which still counts.
//   v1: A B E     v2: B Z     v3: B     v4–v7: E     v8: —
// A costs 6, B 21, E 39; Z is free and liked by v2; U is free and liked by nobody; N costs
// 5 and is liked by nobody.
const EIGHT_VOTERS = smallElection({
  budget: '80',
  projects: [
    { id: 'A', cost: '6' },
    { id: 'B', cost: '21' },
    { id: 'E', cost: '39' },
    { id: 'N', cost: '5' },
    { id: 'U', cost: '0' },
    { id: 'Z', cost: '0' },
  ],
  ballots: [
    { projects: ['A', 'B', 'E'] },
    { projects: ['B', 'Z'] },
    { projects: ['B'] },
    { projects: ['E'], voters: 4 },
    { projects: [] },
  ],
});

describe('Method of Equal Shares on small elections computed by hand', () => {
  test('cardinality: shares, a voter who pays all they have, then one with nothing left', () => {
    // Round 1: ρ(A) = 6 (v1 alone), ρ(B) = 7, ρ(E) = 39/5 = 7.8 → A; v1 keeps 4.
    // Round 2: B: v1 can only give 4, v2 and v3 share 17 → ρ = 8.5; E: v1 gives 4, four others
    //          share 35 → ρ = 8.75 → B; v1 has nothing left.
    // Round 3: E: v1 has nothing, v4–v7 pay 39/4 = 9.75 each → E. Z is free: funded at once.
    const result = tallyElection(EIGHT_VOTERS, 'mes_cardinality_sat');
    assert.deepEqual(result.selectionOrder, ['Z', 'A', 'B', 'E']);
    assert.deepEqual(result.winners, ['A', 'B', 'E', 'Z']);
    assert.equal(result.totalCost.n, 66n);
    const mes = mesOf(result);
    assert.equal(mes.perVoterBudget, '10');
    assert.deepEqual(mes.freeProjects, ['Z']);
    assert.deepEqual(
      mes.rounds.map((r) => [r.round, r.projectId, r.rho]),
      [
        [1, 'A', '6'],
        [2, 'B', '8.5'],
        [3, 'E', '9.75'],
      ],
    );
    assert.deepEqual(mes.rounds[1]!.payments, [
      { kind: 'full_share', voters: 2, utility: '1', paidEach: '8.5', paidEachDecimal: '8.5' },
      { kind: 'whole_remaining_budget', voters: 1, paidTotal: '4', paidTotalDecimal: '4' },
    ]);
    assert.deepEqual(mes.rounds[2]!.payments, [
      { kind: 'full_share', voters: 4, utility: '1', paidEach: '9.75', paidEachDecimal: '9.75' },
      { kind: 'nothing_left', voters: 1 },
    ]);
  });

  test('cost utility orders by price per unit of cost instead', () => {
    // ρ = share ÷ cost: A 6/6 = 1, B 7/21 = 1/3, E 7.8/39 = 1/5 → E first; v1 keeps 2.2.
    // Then A (6) is out of v1's reach; B: v1 gives 2.2, v2 and v3 pay 9.4 → ρ = 9.4/21.
    const result = tallyElection(EIGHT_VOTERS, 'mes_cost_sat');
    assert.deepEqual(result.selectionOrder, ['Z', 'E', 'B']);
    const rounds = mesOf(result).rounds;
    assert.deepEqual(rounds.map((r) => r.rho), ['0.2', '47/105']);
    assert.deepEqual(rounds[1]!.payments, [
      { kind: 'full_share', voters: 2, utility: '21', paidEach: '9.4', paidEachDecimal: '9.4' },
      { kind: 'whole_remaining_budget', voters: 1, paidTotal: '2.2', paidTotalDecimal: '2.2' },
    ]);
  });

  test('greedy funds the free project with support first and unsupported ones last, if they fit', () => {
    const result = tallyElection(EIGHT_VOTERS, 'greedy_cardinality_sat');
    assert.deepEqual(result.selectionOrder, ['Z', 'A', 'B', 'E', 'N', 'U']);
    const explanation = result.explanation;
    assert.equal(explanation.kind, 'greedy');
    if (explanation.kind !== 'greedy') return;
    assert.deepEqual(
      explanation.steps.map((s) => [s.projectId, s.density, s.selected, s.budgetLeftBefore, s.budgetLeftAfter]),
      [
        ['Z', 'infinite', true, '80', '80'],
        ['A', '1/6', true, '80', '74'],
        ['B', '1/7', true, '74', '53'],
        ['E', '5/39', true, '53', '14'],
        ['N', '0', true, '14', '9'],
        ['U', '0', true, '9', '9'],
      ],
    );
  });

  test('a tie in ρ goes to the id first as a plain string, or with equalshares to the cheaper project', () => {
    // v1, v2: C and A; v3: B. Each has 10. Cost utility: ρ(A) = 10/20 = 1/2, ρ(C) = 6/12 = 1/2:
    // a tie. By id, A wins, v1 and v2 spend everything and C is out of reach. By equalshares,
    // C (12) is cheaper than A (20): C wins, and then A is out of reach. B follows either way.
    const election = smallElection({
      budget: '30',
      projects: [
        { id: 'A', cost: '20' },
        { id: 'B', cost: '10' },
        { id: 'C', cost: '12' },
      ],
      ballots: [{ projects: ['A', 'C'], voters: 2 }, { projects: ['B'] }],
    });
    assert.deepEqual(tallyElection(election, 'mes_cost_sat').selectionOrder, ['A', 'B']);
    const equalshares = tallyElection(election, 'mes_cost_sat', { tieBreaking: { kind: 'equalshares', lotSeed: 'x' } });
    assert.deepEqual(equalshares.selectionOrder, ['C', 'B']);
    // Cardinality sees no tie: ρ(C) = 6 < ρ(A) = 10 = ρ(B).
    assert.deepEqual(tallyElection(election, 'mes_cardinality_sat').selectionOrder, ['C', 'B']);
  });

  test('ids compare as plain strings for ties ("10" before "9") but winners are listed naturally', () => {
    const election = smallElection({
      budget: '10',
      projects: [
        { id: '9', cost: '10' },
        { id: '10', cost: '10' },
      ],
      ballots: [{ projects: ['9', '10'], voters: 2 }],
    });
    assert.deepEqual(tallyElection(election, 'mes_cardinality_sat').selectionOrder, ['10']);
    assert.deepEqual(tallyElection(election, 'greedy_cost_sat').selectionOrder, ['10']);
    const two = smallElection({
      budget: '20',
      projects: [
        { id: '9', cost: '10' },
        { id: '10', cost: '10' },
      ],
      ballots: [{ projects: ['9', '10'], voters: 2 }],
    });
    const result = tallyElection(two, 'greedy_cost_sat');
    assert.deepEqual(result.selectionOrder, ['10', '9']);
    assert.deepEqual(result.winners, ['9', '10']);
  });

  test('the equalshares tie-breaking goes cost, then votes, then the published lot', () => {
    const election = smallElection({
      budget: '10',
      projects: [
        { id: 'x', cost: '10' },
        { id: 'y', cost: '10' },
        { id: 'z', cost: '10' },
      ],
      ballots: [{ projects: ['x', 'y', 'z'], voters: 3 }, { projects: ['z'] }],
    });
    // Greedy by votes: z has 4 votes, x and y 3 — z wins without a tie.
    assert.deepEqual(tallyElection(election, 'greedy_cost_sat').selectionOrder, ['z']);
    // Equal costs and votes between x and y: the lot decides, and anyone can redo it.
    const tied = smallElection({
      budget: '10',
      projects: [
        { id: 'x', cost: '10' },
        { id: 'y', cost: '10' },
      ],
      ballots: [{ projects: ['x', 'y'], voters: 3 }],
    });
    for (const seed of ['2026-05-01', 'kef', '42']) {
      const ticket = (id: string) => createHash('sha256').update(`${seed}\0${id}`).digest('hex');
      assert.equal(lotTicket(seed, 'x'), ticket('x'));
      const expected = ticket('x') < ticket('y') ? 'x' : 'y';
      for (const rule of ['greedy_cost_sat', 'mes_cost_sat', 'mes_cardinality_sat'] as RuleId[]) {
        const result = tallyElection(tied, rule, { tieBreaking: { kind: 'equalshares', lotSeed: seed } });
        assert.deepEqual(result.selectionOrder, [expected], `${rule}, seed ${seed}`);
      }
    }
  });

  test('a free project nobody likes is not funded by MES; a supported free one is, before round 1', () => {
    const result = tallyElection(EIGHT_VOTERS, 'mes_cost_sat_add1');
    assert.ok(result.selectionOrder.includes('Z'));
    assert.ok(!result.selectionOrder.includes('U'));
    assert.ok(!result.selectionOrder.includes('N'), 'nobody supports N');
    // add1u completes with the greedy rule, which funds what still fits, liked or not.
    const completed = tallyElection(EIGHT_VOTERS, 'mes_cost_sat_add1u');
    assert.ok(completed.selectionOrder.includes('U'));
  });

  test('greedy skips a project that does not fit and goes on (it does not stop)', () => {
    const election = smallElection({
      budget: '10',
      projects: [
        { id: 'big', cost: '8' },
        { id: 'mid', cost: '5' },
        { id: 'small', cost: '2' },
      ],
      ballots: [{ projects: ['big', 'mid', 'small'] }, { projects: ['big', 'mid'] }, { projects: ['big'] }],
    });
    const result = tallyElection(election, 'greedy_cost_sat');
    assert.deepEqual(result.selectionOrder, ['big', 'small']);
    assert.equal(result.totalCost.n, 10n);
  });

  test('points: cumulative ballots weigh projects by the points given', () => {
    // Two voters with 5 each. P (cost 6) gets 3 + 1 points, Q (cost 4) 0 + 3.
    // ρ(P) = 6/4 = 1.5 per point: v1 would pay 4.5 and v2 1.5; ρ(Q) = 4/3: v2 pays 4.
    const election = smallElection({
      voteType: 'cumulative',
      budget: '10',
      projects: [
        { id: 'P', cost: '6' },
        { id: 'Q', cost: '4' },
      ],
      ballots: [
        { projects: ['P', 'Q'], points: [3, 0] },
        { projects: ['P', 'Q'], points: [1, 3] },
      ],
    });
    const result = tallyElection(election, 'mes_additive_cardinal_sat');
    // Round 1: Q (4/3); v2 keeps 1. Round 2: P: v2 can give 1 (needs 1·ρ), v1 gives 3ρ → ρ = 5/3
    // would need v2 to pay 5/3 > 1, so v2 pays 1 and v1 pays 5 = 3ρ → ρ = 5/3.
    assert.deepEqual(result.selectionOrder, ['Q', 'P']);
    assert.deepEqual(mesOf(result).rounds.map((r) => r.rho), ['4/3', '5/3']);
    // Greedy by points per cost: Q 3/4 before P 4/6; both fit.
    assert.deepEqual(tallyElection(election, 'greedy_additive_cardinal_sat').selectionOrder, ['Q', 'P']);
    // Listing Q with 0 points is still listing it: cardinality counts v1 as a supporter of Q.
    assert.equal(election.votes[1], 2);
  });

  test('scoring: an unlisted project gets default_score from every voter', () => {
    // default_score 1: everybody "scores" R with 1 except v1, who gives it 3. Budget 8, 2 voters.
    const election = smallElection({
      voteType: 'scoring',
      defaultScore: '1',
      budget: '8',
      projects: [
        { id: 'R', cost: '4' },
        { id: 'S', cost: '6' },
      ],
      ballots: [{ projects: ['R'], points: [3] }, { projects: ['S'], points: [2] }],
    });
    // ρ(R): 3ρ + ρ = 4 → ρ = 1 (v1 pays 3, v2 pays 1). ρ(S): v1 scores it 1 (default), v2 2:
    // 3ρ = 6 → ρ = 2. R first; then S: v1 has 1 left, v2 3: 1 + 3 = 4 < 6, out.
    const result = tallyElection(election, 'mes_additive_cardinal_sat');
    assert.deepEqual(result.selectionOrder, ['R']);
    assert.deepEqual(mesOf(result).rounds[0]!.payments, [
      { kind: 'full_share', voters: 1, utility: '3', paidEach: '3', paidEachDecimal: '3' },
      { kind: 'full_share', voters: 1, utility: '1', paidEach: '1', paidEachDecimal: '1' },
    ]);
    // Cardinality only counts listed projects: R and S have one vote each.
    assert.deepEqual(election.votes, [1, 1]);
  });

  test('points rules do not apply to approval ballots', () => {
    assert.equal(ruleAppliesTo('mes_additive_cardinal_sat', 'approval'), false);
    assert.equal(ruleAppliesTo('greedy_additive_cardinal_sat', 'cumulative'), true);
    assert.throws(() => tallyElection(EIGHT_VOTERS, 'mes_additive_cardinal_sat'), /points/);
  });

  test('an election nobody voted in funds only what is free and wanted — nothing', () => {
    const election = prepareElection(smallInstance({ budget: '10', projects: [{ id: 'a', cost: '1' }], ballots: [] }));
    for (const rule of ['mes_cost_sat', 'mes_cost_sat_add1', 'mes_cardinality_sat'] as RuleId[]) {
      assert.deepEqual(tallyElection(election, rule).winners, [], rule);
    }
    assert.deepEqual(tallyElection(election, 'greedy_cost_sat').winners, ['a'], 'greedy still funds what fits');
  });
});

describe('add1 completion', () => {
  test('raises the per-voter budget one unit at a time and returns the last outcome within budget', () => {
    // Three voters, 10 each. X (cost 12) is liked by v1 and v2 only; Y (15) by v3 only.
    // At 10 each: X (6 each). Y needs 15 from v3: only when v3 has 15, i.e. after five raises,
    // but then X + Y = 27 ≤ 30 and nothing else is left: exhaustive.
    const election = smallElection({
      budget: '30',
      projects: [
        { id: 'X', cost: '12' },
        { id: 'Y', cost: '15' },
      ],
      ballots: [{ projects: ['X'], voters: 2 }, { projects: ['Y'] }],
    });
    const result = tallyElection(election, 'mes_cost_sat_add1');
    assert.deepEqual(result.winners, ['X', 'Y']);
    const explanation = result.explanation;
    assert.equal(explanation.kind, 'mes_add1');
    if (explanation.kind !== 'mes_add1') return;
    assert.equal(explanation.perVoterBudget, '15');
    assert.equal(explanation.raisesApplied, 5);
    assert.equal(explanation.budgetsTried, 6);
    assert.equal(explanation.stoppedBecause, 'exhaustive');
  });

  test('stops with the previous outcome when a raise would overspend', () => {
    // Two voters, 5 each (budget 10). P costs 6 (v1), Q costs 6 (v2): at 6 each both are
    // funded (12 > 10), so add1 returns the outcome at 5 each: nothing.
    const election = smallElection({
      budget: '10',
      projects: [
        { id: 'P', cost: '6' },
        { id: 'Q', cost: '6' },
      ],
      ballots: [{ projects: ['P'] }, { projects: ['Q'] }],
    });
    const result = tallyElection(election, 'mes_cost_sat_add1');
    assert.deepEqual(result.winners, []);
    const explanation = result.explanation;
    assert.ok(explanation.kind === 'mes_add1');
    assert.equal(explanation.stoppedBecause, 'over_budget');
    assert.equal(explanation.perVoterBudget, '5');
    // add1u then spends what is left greedily: P and Q tie on votes; "P" < "Q".
    assert.deepEqual(tallyElection(election, 'mes_cost_sat_add1u').selectionOrder, ['P']);
  });

  test('skipping raises that change nothing gives the same answer as trying every one', () => {
    // Many raises: a budget of 1000 for 3 voters, and a project only one of them likes.
    const election = smallElection({
      budget: '1000',
      projects: [
        { id: 'a', cost: '100' },
        { id: 'b', cost: '200' },
        { id: 'c', cost: '640' },
      ],
      ballots: [{ projects: ['a', 'b'] }, { projects: ['a', 'b'] }, { projects: ['c'] }],
    });
    const setup = prepareMes(election, buildUtilityTable(election, 'cost'), tieOrder(election, { kind: 'project_id' }));
    const fast = runMesAdd1(setup);
    const plain = plainMesAdd1(election, tieOrder(election, { kind: 'project_id' }));
    assert.deepEqual(fast.selected, plain.selected);
    assert.equal(fast.budgetsTried, plain.budgetsTried);
    assert.ok(fast.mesRuns < fast.budgetsTried / 4, `${fast.mesRuns} runs for ${fast.budgetsTried} budgets`);
  });
});

describe('near-ties that doubles cannot see are decided exactly', () => {
  test('ρ differing in the 20th digit', () => {
    // ρ(A) = cost/3 and ρ(B) = cost'/7 differ by 10^-20: identical as doubles.
    const x = '100.00000000000000000000';
    const y = '100.00000000000000000001';
    const build = (costA: string, costB: string) =>
      smallElection({
        budget: '10000',
        projects: [
          { id: 'A', cost: costA },
          { id: 'B', cost: costB },
          { id: 'C', cost: '1' },
        ],
        ballots: [{ projects: ['A', 'C'], voters: 3 }, { projects: ['B', 'C'], voters: 7 }],
      });
    const times = (decimal: string, k: bigint) => {
      const value = parseDecimal(decimal)!;
      const product = rational(value.n * k, value.d);
      return product;
    };
    const asText = (r: Rational) => {
      const digits = 22;
      const scaled = (r.n * 10n ** BigInt(digits)) / r.d;
      const s = scaled.toString().padStart(digits + 1, '0');
      return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
    };
    // A: 3 voters, B: 7 voters. B's ρ is smaller by 1e-20 when its cost is 7·x and A's is 3·y.
    const election = build(asText(times(y, 3n)), asText(times(x, 7n)));
    const cheaperB = tallyElection(election, 'mes_cardinality_sat');
    assert.deepEqual(cheaperB.selectionOrder.slice(0, 2), ['C', 'B']);
    const election2 = build(asText(times(x, 3n)), asText(times(y, 7n)));
    assert.deepEqual(tallyElection(election2, 'mes_cardinality_sat').selectionOrder.slice(0, 2), ['C', 'A']);
    // Exactly equal: the tie-breaking decides ("A" < "B").
    const election3 = build(asText(times(x, 3n)), asText(times(x, 7n)));
    assert.deepEqual(tallyElection(election3, 'mes_cardinality_sat').selectionOrder.slice(0, 2), ['C', 'A']);
    const setup = prepareMes(election, buildUtilityTable(election, 'cardinality'), tieOrder(election, { kind: 'project_id' }));
    const run = runMes(setup, rational(10000n, 10n));
    assert.ok(run.exactFallbacks() > 0, 'the exact path decided');
  });
});

describe('on random elections, the fast rules agree with a plain exact implementation', () => {
  // The plain implementation (outcome.test-support.ts) follows RULES.md line by line, with
  // rationals for every voter group and no shortcut. The random elections are built to hit
  // ties, free and unsupported projects, decimal costs and empty ballots.
  const seeds = Array.from({ length: 120 }, (_, i) => i + 1);
  const breaks: TieBreaking[] = [{ kind: 'project_id' }, { kind: 'equalshares', lotSeed: 'seed' }];
  let exactDecisions = 0;

  for (const voteType of ['approval', 'cumulative', 'scoring'] as const) {
    test(`${voteType} ballots, all rules, both tie-breakings`, () => {
      for (const seed of seeds) {
        const election = prepareElection(randomInstance(seed, voteType));
        for (const tieBreaking of breaks) {
          const order = tieOrder(election, tieBreaking);
          for (const rule of RULE_IDS) {
            if (!ruleAppliesTo(rule, election.voteType)) continue;
            const result = tallyElection(election, rule, { tieBreaking });
            const utility = rule.includes('cost') ? 'cost' : rule.includes('additive') ? 'points' : 'cardinality';
            const perVoter = election.voterCount === 0 ? ZERO : rational(election.budget.n, election.budget.d * BigInt(election.voterCount));
            let expected: number[];
            if (rule.startsWith('greedy')) expected = plainGreedy(election, utility, order);
            else if (rule === 'mes_cost_sat_add1') expected = plainMesAdd1(election, order).selected;
            else if (rule === 'mes_cost_sat_add1u') {
              const add1 = plainMesAdd1(election, order).selected;
              expected = [...add1, ...plainGreedy(election, 'cost', order, add1)];
            } else expected = plainMes(election, utility, perVoter, order).selected;
            const context = `seed ${seed}, ${rule}, ${tieBreaking.kind}`;
            assert.deepEqual(result.selectionOrder, expected.map((p) => election.projectIds[p]!), context);
            assert.deepEqual(result.winners, [...result.selectionOrder].sort(compareNatural), context);
            const total = result.selectionOrder.reduce((s, id) => add(s, election.costs[election.projectIds.indexOf(id)]!), ZERO);
            assert.equal(compare(total, result.totalCost), 0, context);
            assert.ok(compare(result.totalCost, election.budget) <= 0, `${context}: within budget`);

            if (rule === 'mes_cost_sat' || rule === 'mes_cardinality_sat' || rule === 'mes_additive_cardinal_sat') {
              // The explanation: the same ρ as the plain implementation, and payments that add
              // up to each project's cost exactly.
              const plain = plainMes(election, utility, perVoter, order);
              const rounds = mesOf(result).rounds;
              assert.deepEqual(rounds.map((r) => exact(r.rho)), plain.rho, context);
              for (const round of rounds) {
                let paid = ZERO;
                for (const payment of round.payments) {
                  if (payment.kind === 'full_share') paid = add(paid, rational(exact(payment.paidEach).n * BigInt(payment.voters), exact(payment.paidEach).d));
                  if (payment.kind === 'whole_remaining_budget') paid = add(paid, exact(payment.paidTotal));
                }
                assert.equal(compare(paid, exact(round.cost)), 0, `${context}: payments for ${round.projectId}`);
              }
              const setup = prepareMes(election, buildUtilityTable(election, utility), order);
              if (election.voterCount > 0) exactDecisions += runMes(setup, perVoter).exactFallbacks();
            }
          }
        }
      }
    });
  }

  test('and those elections did make the exact fallback work (ties, budgets exactly used up)', () => {
    assert.ok(exactDecisions > 50, `${exactDecisions} exact decisions`);
  });
});

describe('orders on project ids', () => {
  test('plain string order is by code point, as in Python', () => {
    assert.ok(compareCodePoints('10', '9') < 0);
    assert.ok(compareCodePoints('Z', 'a') < 0);
    assert.ok(compareCodePoints('\uFFFF', '\u{1F600}') < 0, 'beyond U+FFFF comes after U+FFFF');
    assert.equal(compareCodePoints('a', 'a'), 0);
  });

  test('natural order reads digit runs as numbers', () => {
    const ids = ['c10', 'c2', 'c1', '10', '9', 'M/02/X', 'M/10/X', 'M/3/X', '2386', '307', 'a', ''];
    assert.deepEqual([...ids].sort(compareNatural), ['', '9', '10', '307', '2386', 'M/02/X', 'M/3/X', 'M/10/X', 'a', 'c1', 'c2', 'c10']);
    assert.ok(compareNatural('02', '2') !== 0, 'equal numbers still order deterministically');
  });
});
