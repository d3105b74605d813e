// Every outcome in shared/pabulib/reference-outcomes.json (pabutools 1.2.3, exact arithmetic,
// default tie-breaking) must come out exactly: the same winners, listed in the same order, and
// the same total cost.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { prepareElection, type Election } from './election.ts';
import { compareNatural } from './ordering.ts';
import { parsePabulib } from './pabulib.ts';
import { toExactDecimal } from './rational.ts';
import { isRuleId, tallyElection } from './rules.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const dataDir = path.resolve(repoRoot, '../shared/pabulib');

type ReferenceOutcome = {
  file: string;
  vote_type: string;
  num_voters: number;
  num_projects: number;
  budget: number;
  rule: string;
  winners: string[];
  total_cost: number;
};

const references: ReferenceOutcome[] = JSON.parse(readFileSync(path.join(dataDir, 'reference-outcomes.json'), 'utf8'));
const elections = new Map<string, Election>();
function electionOf(file: string): Election {
  let election = elections.get(file);
  if (!election) {
    election = prepareElection(parsePabulib(readFileSync(path.join(dataDir, file), 'utf8')));
    elections.set(file, election);
  }
  return election;
}

test('the reference file has the 64 outcomes over 10 instances it announces', () => {
  assert.equal(references.length, 64);
  assert.equal(new Set(references.map((r) => r.file)).size, 10);
});

for (const reference of references) {
  test(`${reference.file} — ${reference.rule}`, () => {
    assert.ok(isRuleId(reference.rule), reference.rule);
    const election = electionOf(reference.file);
    assert.equal(election.voterCount, reference.num_voters);
    assert.equal(election.projectIds.length, reference.num_projects);
    assert.equal(election.voteType, reference.vote_type);
    const result = tallyElection(election, reference.rule);
    assert.deepEqual(new Set(result.winners), new Set(reference.winners), 'the same winners');
    assert.deepEqual(result.winners, reference.winners, 'listed in the same (natural) order');
    assert.deepEqual([...reference.winners].sort(compareNatural), reference.winners, 'the reference lists them naturally');
    assert.equal(toExactDecimal(result.totalCost), String(reference.total_cost));
  });
}
