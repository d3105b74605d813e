import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pbTally } from './tally-command.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const dataDir = path.resolve(repoRoot, '../shared/pabulib');
const workDir = mkdtempSync(path.join(tmpdir(), 'twiza-pb-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await pbTally(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

function writeFile(name: string, text: string): string {
  const file = path.join(workDir, name);
  writeFileSync(file, text);
  return file;
}

const SMALL = writeFile(
  'small.pb',
  [
    'META',
    'key;value',
    'budget;30',
    'vote_type;approval',
    'PROJECTS',
    'project_id;cost;name',
    '10;20;Park',
    '9;12;Library',
    'c2;10;Bus stop',
    'VOTES',
    'voter_id;vote',
    '1;10,9',
    '2;10,9',
    '3;c2',
  ].join('\n'),
);

test('--json prints exactly the winners in natural order and the total cost', async () => {
  const result = await run(SMALL, '--rule', 'mes_cost_sat', '--json');
  assert.equal(result.code, 0);
  assert.deepEqual(result.err, []);
  // ρ(10) = ρ(9) = 1/2: a tie, which "10" wins as the first id in plain string order.
  assert.deepEqual(result.out, ['{"winners": ["10", "c2"], "total_cost": 30}']);
  const equalshares = await run(SMALL, '--rule', 'mes_cost_sat', '--tie-breaking', 'equalshares', '--json');
  assert.deepEqual(equalshares.out, ['{"winners": ["9", "c2"], "total_cost": 22}']);
});

test('a total cost with cents is printed as an exact JSON number', async () => {
  const file = writeFile(
    'cents.pb',
    ['META', 'key;value', 'budget;20,75', 'vote_type;approval', 'PROJECTS', 'project_id;cost', 'a;12,5', 'b;8,25', 'VOTES', 'voter_id;vote', '1;a,b'].join('\n'),
  );
  const result = await run(file, '--rule', 'greedy_cost_sat', '--json');
  assert.deepEqual(result.out, ['{"winners": ["a", "b"], "total_cost": 20.75}']);
});

test('a leading "tally" word is accepted', async () => {
  const result = await run('tally', SMALL, '--rule', 'greedy_cost_sat', '--json');
  assert.equal(result.code, 0);
  assert.deepEqual(JSON.parse(result.out[0]!), { winners: ['10', 'c2'], total_cost: 30 });
});

test('the JSON output matches a reference outcome character for character', async () => {
  const references = JSON.parse(readFileSync(path.join(dataDir, 'reference-outcomes.json'), 'utf8')) as {
    file: string;
    rule: string;
    winners: string[];
    total_cost: number;
  }[];
  const reference = references.find((r) => r.file === 'Poland_Swiecie_2023.pb' && r.rule === 'mes_cost_sat_add1u')!;
  const result = await run(path.join(dataDir, reference.file), '--rule', reference.rule, '--json');
  assert.equal(result.code, 0);
  // Python's json.dumps layout: ", " and ": ".
  assert.deepEqual(result.out, [JSON.stringify({ winners: reference.winners, total_cost: reference.total_cost }).replaceAll(',', ', ').replaceAll(':', ': ')]);
});

test('without --json, a readable table with the rounds of MES', async () => {
  const result = await run(SMALL, '--rule', 'mes_cardinality_sat');
  assert.equal(result.code, 0);
  const text = result.out.join('\n');
  assert.match(text, /Rule: mes_cardinality_sat {3}tie-breaking: project_id/);
  assert.match(text, /Budget: 30 {3}spent: 22 {3}left: 8/);
  assert.match(text, /Budget per voter: 10/);
  assert.match(text, /Winners \(2\):/);
  assert.match(text, /9 +12 +round 1, ρ ≈ 6 +Library/);
  assert.match(text, /c2 +10 +round 2, ρ ≈ 10 +Bus stop/);
  const add1 = await run(SMALL, '--rule', 'mes_cost_sat_add1u', '--tie-breaking', 'equalshares', '--lot-seed', 'public seed');
  assert.equal(add1.code, 0);
  assert.match(add1.out.join('\n'), /lot seed "public seed"/);
  assert.match(add1.out.join('\n'), /Budget per voter: .* after \d+ raise\(s\) of 1/);
});

test('an unknown rule, a bad tie-breaking or a missing file argument exits 2 with a message', async () => {
  for (const args of [
    [SMALL, '--rule', 'phragmen'],
    [SMALL],
    [SMALL, '--rule', 'mes_cost_sat', '--tie-breaking', 'random'],
    [SMALL, '--rule', 'mes_cost_sat', '--lot-seed', 'x'],
    ['--rule', 'mes_cost_sat'],
    [SMALL, SMALL, '--rule', 'mes_cost_sat'],
    [SMALL, '--rule', 'mes_cost_sat', '--frobnicate'],
  ]) {
    const result = await run(...args);
    assert.equal(result.code, 2, args.join(' '));
    assert.deepEqual(result.out, []);
    assert.match(result.err[0]!, /^twiza pb tally: /);
  }
  const unknown = await run(SMALL, '--rule', 'phragmen');
  assert.match(unknown.err[0]!, /unknown rule "phragmen"/);
});

test('a bad file exits 2 and says where the problem is', async () => {
  const broken = writeFile('broken.pb', ['META', 'key;value', 'budget;10', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;ten'].join('\n'));
  const result = await run(broken, '--rule', 'greedy_cost_sat', '--json');
  assert.equal(result.code, 2);
  assert.deepEqual(result.out, []);
  assert.match(result.err[0]!, /broken\.pb: line 7: cost of project "1" "ten" is not a number/);
  const missing = await run(path.join(workDir, 'nowhere.pb'), '--rule', 'greedy_cost_sat');
  assert.equal(missing.code, 2);
  assert.match(missing.err[0]!, /cannot read .*nowhere\.pb: ENOENT/);
  const pointsOnApproval = await run(SMALL, '--rule', 'mes_additive_cardinal_sat');
  assert.equal(pointsOnApproval.code, 2);
  assert.match(pointsOnApproval.err[0]!, /needs ballots with points/);
});

test('--help prints the usage and exits 0', async () => {
  const result = await run('--help');
  assert.equal(result.code, 0);
  assert.match(result.out[0]!, /^Usage: twiza pb tally FILE\.pb --rule RULE/);
});
