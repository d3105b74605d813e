import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ballotRulesFrozen,
  type BallotRules,
  checkPhaseDates,
  type EnvelopeArea,
  envelopesForResidence,
  phaseAt,
  validateBallot,
} from './budget.ts';
import { formatReceiptCode, newReceiptCode, normaliseReceiptCode, RECEIPT_LENGTH } from './ballot-box.repository.ts';

const dates = {
  information_starts_at: '2027-01-01T00:00:00.000Z',
  proposals_open_at: '2027-02-01T00:00:00.000Z',
  proposals_close_at: '2027-03-01T00:00:00.000Z',
  review_close_at: '2027-04-01T00:00:00.000Z',
  support_open_at: null as string | null,
  support_close_at: null as string | null,
  voting_open_at: '2027-05-01T00:00:00.000Z',
  voting_close_at: '2027-05-31T00:00:00.000Z',
  results_published_at: null as string | null,
};

describe('the phase of a cycle', () => {
  test('follows the dates, the gaps belonging to the earlier phase', () => {
    assert.equal(phaseAt(dates, '2026-12-31T23:59:59.999Z'), 'draft');
    assert.equal(phaseAt(dates, '2027-01-01T00:00:00.000Z'), 'information');
    assert.equal(phaseAt(dates, '2027-02-15T00:00:00.000Z'), 'proposals');
    assert.equal(phaseAt(dates, '2027-03-01T00:00:00.000Z'), 'review');
    // Between the end of the review and voting, still the review.
    assert.equal(phaseAt(dates, '2027-04-15T00:00:00.000Z'), 'review');
    assert.equal(phaseAt(dates, '2027-05-01T00:00:00.000Z'), 'voting');
    assert.equal(phaseAt(dates, '2027-05-31T00:00:00.000Z'), 'counting');
    assert.equal(phaseAt({ ...dates, results_published_at: '2027-06-02T00:00:00.000Z' }, '2027-06-01T00:00:00.000Z'), 'counting');
    assert.equal(phaseAt({ ...dates, results_published_at: '2027-06-02T00:00:00.000Z' }, '2027-06-02T00:00:00.000Z'), 'results');
  });

  test('includes the pre-selection only when the cycle has one', () => {
    const withSupport = { ...dates, support_open_at: '2027-04-01T00:00:00.000Z', support_close_at: '2027-04-20T00:00:00.000Z' };
    assert.equal(phaseAt(withSupport, '2027-04-10T00:00:00.000Z'), 'support');
    assert.equal(phaseAt(dates, '2027-04-10T00:00:00.000Z'), 'review');
  });

  test('freezes the ballot rules from the opening of the vote', () => {
    assert.equal(ballotRulesFrozen(dates, '2027-04-30T23:59:59.999Z'), false);
    assert.equal(ballotRulesFrozen(dates, '2027-05-01T00:00:00.000Z'), true);
  });

  test('names the dates out of order', () => {
    assert.deepEqual(checkPhaseDates(dates), []);
    assert.deepEqual(checkPhaseDates({ ...dates, voting_close_at: '2027-04-01T00:00:00.000Z' }), ['voting_close_at']);
    assert.deepEqual(checkPhaseDates({ ...dates, support_open_at: '2027-04-02T00:00:00.000Z' }), ['support_close_at']);
  });
});

const city: EnvelopeArea = { id: 1, scope: 'city', arrondissementId: null, neighbourhoodId: null, budgetMillimes: 1_000_000 };
const north: EnvelopeArea = { id: 2, scope: 'arrondissement', arrondissementId: 10, neighbourhoodId: null, budgetMillimes: 500_000 };
const south: EnvelopeArea = { id: 3, scope: 'arrondissement', arrondissementId: 11, neighbourhoodId: null, budgetMillimes: 500_000 };
const envelopes = [city, north, south];
const projects = [
  { id: 100, envelopeId: 1, costMillimes: 600_000 },
  { id: 101, envelopeId: 1, costMillimes: 400_000 },
  { id: 102, envelopeId: 1, costMillimes: 300_000 },
  { id: 200, envelopeId: 2, costMillimes: 200_000 },
  { id: 300, envelopeId: 3, costMillimes: 200_000 },
];

test('a voter votes in the city-wide envelopes and in their own district only', () => {
  assert.deepEqual(envelopesForResidence(envelopes, { arrondissementId: 10, neighbourhoodId: 5 }).map((e) => e.id), [1, 2]);
  assert.deepEqual(envelopesForResidence(envelopes, { arrondissementId: null, neighbourhoodId: null }).map((e) => e.id), [1]);
});

describe('ballot validation', () => {
  const approval: BallotRules = { ballot_type: 'approval', min_choices: 1, max_choices: 2, total_points: null, max_points_per_project: null };
  const mine = envelopesForResidence(envelopes, { arrondissementId: 10, neighbourhoodId: null });
  const myProjects = projects.filter((p) => mine.some((e) => e.id === p.envelopeId));

  test('accepts a valid ballot', () => {
    assert.deepEqual(validateBallot(approval, myProjects, mine, [{ projectId: 100, value: 1 }, { projectId: 200, value: 1 }]), []);
  });

  test('refuses an empty ballot, duplicates, forged ids and projects of another district', () => {
    assert.deepEqual(validateBallot(approval, myProjects, mine, []), [{ code: 'empty' }]);
    assert.deepEqual(validateBallot(approval, myProjects, mine, [{ projectId: 100, value: 1 }, { projectId: 100, value: 1 }]), [
      { code: 'duplicate_project', projectId: 100 },
    ]);
    assert.deepEqual(validateBallot(approval, myProjects, mine, [{ projectId: 999, value: 1 }]), [{ code: 'unknown_project', projectId: 999 }]);
    assert.deepEqual(validateBallot(approval, myProjects, mine, [{ projectId: 300, value: 1 }]), [{ code: 'unknown_project', projectId: 300 }]);
  });

  test('counts the limit per envelope', () => {
    const three = [100, 101, 102].map((projectId) => ({ projectId, value: 1 }));
    assert.deepEqual(validateBallot(approval, myProjects, mine, three), [{ code: 'too_many_choices', envelopeId: 1, max: 2 }]);
    // Two in the city and one in the district is within the limit of two per envelope.
    assert.deepEqual(validateBallot(approval, myProjects, mine, [...three.slice(0, 2), { projectId: 200, value: 1 }]), []);
    const atLeastTwo = { ...approval, min_choices: 2 };
    assert.deepEqual(validateBallot(atLeastTwo, myProjects, mine, [{ projectId: 100, value: 1 }]), [{ code: 'too_few_choices', envelopeId: 1, min: 2 }]);
  });

  test('knapsack: the total cost stays within the envelope, to the millime', () => {
    const knapsack: BallotRules = { ...approval, ballot_type: 'knapsack', max_choices: null };
    assert.deepEqual(validateBallot(knapsack, myProjects, mine, [{ projectId: 100, value: 1 }, { projectId: 101, value: 1 }]), []);
    assert.deepEqual(validateBallot(knapsack, myProjects, mine, [100, 101, 102].map((projectId) => ({ projectId, value: 1 }))), [
      { code: 'over_budget', envelopeId: 1, totalMillimes: 1_300_000, budgetMillimes: 1_000_000 },
    ]);
    assert.deepEqual(validateBallot(knapsack, myProjects, mine, [{ projectId: 100, value: 2 }]), [{ code: 'bad_points', projectId: 100 }]);
  });

  test('cumulative: points per project and in all', () => {
    const cumulative: BallotRules = { ballot_type: 'cumulative', min_choices: 1, max_choices: null, total_points: 10, max_points_per_project: 6 };
    assert.deepEqual(validateBallot(cumulative, myProjects, mine, [{ projectId: 100, value: 6 }, { projectId: 101, value: 4 }]), []);
    assert.deepEqual(validateBallot(cumulative, myProjects, mine, [{ projectId: 100, value: 7 }]), [{ code: 'bad_points', projectId: 100 }]);
    assert.deepEqual(validateBallot(cumulative, myProjects, mine, [{ projectId: 100, value: 0 }]), [{ code: 'bad_points', projectId: 100 }]);
    assert.deepEqual(validateBallot(cumulative, myProjects, mine, [{ projectId: 100, value: 1.5 }]), [{ code: 'bad_points', projectId: 100 }]);
    assert.deepEqual(validateBallot(cumulative, myProjects, mine, [100, 101, 102].map((projectId) => ({ projectId, value: 4 }))), [
      { code: 'too_many_points', envelopeId: 1, total: 12, max: 10 },
    ]);
  });

  test('ranking: ranks 1..n without gaps or repeats', () => {
    const ranking: BallotRules = { ballot_type: 'ranking', min_choices: 1, max_choices: 3, total_points: null, max_points_per_project: null };
    assert.deepEqual(validateBallot(ranking, myProjects, mine, [{ projectId: 101, value: 2 }, { projectId: 100, value: 1 }]), []);
    assert.deepEqual(validateBallot(ranking, myProjects, mine, [{ projectId: 101, value: 1 }, { projectId: 100, value: 1 }]), [
      { code: 'bad_ranks', envelopeId: 1 },
    ]);
    assert.deepEqual(validateBallot(ranking, myProjects, mine, [{ projectId: 101, value: 3 }, { projectId: 100, value: 1 }]), [
      { code: 'bad_ranks', envelopeId: 1 },
    ]);
  });
});

describe('receipt codes', () => {
  test('are 12 unambiguous characters, shown in groups of four', () => {
    const code = newReceiptCode();
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{12}$/);
    assert.equal(code.length, RECEIPT_LENGTH);
    assert.equal(formatReceiptCode('7KQ2M9XD43FA'), '7KQ2-M9XD-43FA');
    assert.notEqual(newReceiptCode(), newReceiptCode());
  });

  test('are read back however they were typed', () => {
    assert.equal(normaliseReceiptCode(' 7kq2-m9xd-43fa '), '7KQ2M9XD43FA');
    assert.equal(normaliseReceiptCode('7KQ2 M9XD 43FA'), '7KQ2M9XD43FA');
    // O read as zero, I and L as one.
    assert.equal(normaliseReceiptCode('OKQ2-M9XD-43FI'), '0KQ2M9XD43F1');
    assert.equal(normaliseReceiptCode('7KQ2-M9XD-43F'), null);
    assert.equal(normaliseReceiptCode('7KQ2-M9XD-43FU'), null);
  });
});
