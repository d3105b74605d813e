import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PabulibError, parsePabulib, writePabulib, type PbWarning } from './pabulib.ts';
import { rational } from './rational.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const dataDir = path.resolve(repoRoot, '../shared/pabulib');

const lines = (...rows: string[]) => rows.join('\n');

const GOOD = lines(
  'META',
  'key;value',
  'description;Test',
  'num_projects;3',
  'num_votes;3',
  'budget;100,5',
  'vote_type;approval',
  'PROJECTS',
  'project_id;cost;name',
  '1;50;Park',
  '2;20,25;"Library; books"',
  '10;none;x',
  'VOTES',
  'voter_id;vote',
  'a;1,2',
  'b;10',
  'c;',
);

test('a well-formed file is read exactly: decimal commas, quoted cells, none, empty ballots', () => {
  const instance = parsePabulib(GOOD.replace('10;none;x', '10;0;none'));
  assert.equal(instance.voteType, 'approval');
  assert.deepEqual(instance.budget, rational(201n, 2n));
  assert.deepEqual(instance.projects.map((p) => p.id), ['1', '2', '10']);
  assert.deepEqual(instance.projects[1]!.cost, rational(81n, 4n));
  assert.equal(instance.projects[1]!.fields.name, 'Library; books');
  assert.equal(instance.projects[2]!.fields.name, null, '"none" is a missing value');
  assert.deepEqual(instance.votes.map((v) => v.projects), [['1', '2'], ['10'], []]);
  assert.deepEqual(instance.meta.map((e) => e.key), ['description', 'num_projects', 'num_votes', 'budget', 'vote_type']);
});

test('BOM, CRLF, blank lines, case-insensitive titles, padded cells and quotes are all accepted', () => {
  const text =
    '\uFEFF  Meta \r\nkey;value\r\n\r\nbudget; 10 \r\nvote_type;approval\r\n' +
    'projects\r\nproject_id;cost;name\r\n 1 ; 4 ;"He said ""hi"""\r\n\r\n' +
    '2;6;"two\r\nlines"\r\n' +
    'VOTES\r\nvoter_id;vote;age\r\nx; 1 , 2 ,;NONE\r\n';
  const instance = parsePabulib(text);
  assert.deepEqual(instance.budget, rational(10n));
  assert.equal(instance.projects[0]!.fields.name, 'He said "hi"');
  assert.equal(instance.projects[1]!.fields.name, 'two\r\nlines');
  assert.deepEqual(instance.votes[0]!.projects, ['1', '2']);
  assert.equal(instance.votes[0]!.fields.age, null);
});

test('every vote type is read: ordinal keeps the order, cumulative and scoring keep points', () => {
  const head = (type: string, extra = '') =>
    lines('META', 'key;value', 'budget;10', `vote_type;${type}`, ...(extra ? [extra] : []), 'PROJECTS', 'project_id;cost', 'a;1', 'b;2', 'c;3');
  const ordinal = parsePabulib(lines(head('ordinal'), 'VOTES', 'voter_id;vote', '1;c,a,b'));
  assert.deepEqual(ordinal.votes[0]!.projects, ['c', 'a', 'b']);
  const chooseOne = parsePabulib(lines(head('choose-1'), 'VOTES', 'voter_id;vote', '1;b'));
  assert.deepEqual(chooseOne.votes[0]!.projects, ['b']);
  const cumulative = parsePabulib(lines(head('cumulative', 'max_sum_points;10'), 'VOTES', 'voter_id;vote;points', '1;a,c;7,3'));
  assert.deepEqual(cumulative.votes[0]!.points, [rational(7n), rational(3n)]);
  const scoring = parsePabulib(lines(head('scoring', 'default_score;1'), 'VOTES', 'voter_id;vote;points', '1;b;2.5'));
  assert.deepEqual(scoring.votes[0]!.points, [rational(5n, 2n)]);
});

test('a project listed twice in a ballot is read, with a warning naming the line', () => {
  const warnings: PbWarning[] = [];
  const text = lines('META', 'key;value', 'budget;10', 'vote_type;approval', 'PROJECTS', 'project_id;cost', 'a;1', 'VOTES', 'voter_id;vote', '1;a', '2;a,a');
  parsePabulib(text, { warnings });
  assert.deepEqual(warnings, [{ line: 11, message: 'voter "2" lists the same project more than once (counted once)' }]);
});

// Each malformed file must stop the reader with a PabulibError on the right line.
const MALFORMED: { name: string; text: string; line: number; message: RegExp }[] = [
  { name: 'empty file', text: '', line: 1, message: /no META section/ },
  { name: 'no section title', text: lines('key;value', 'budget;1'), line: 1, message: /expected the section title META/ },
  {
    name: 'missing META',
    text: lines('PROJECTS', 'project_id;cost', '1;1', 'VOTES', 'voter_id;vote'),
    line: 1,
    message: /section META is missing before PROJECTS/,
  },
  {
    name: 'missing PROJECTS',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'VOTES', 'voter_id;vote', '1;'),
    line: 5,
    message: /section PROJECTS is missing before VOTES/,
  },
  {
    name: 'missing VOTES',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;1'),
    line: 8,
    message: /ends before the VOTES section/,
  },
  {
    name: 'section twice',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', 'META'),
    line: 7,
    message: /META appears twice or out of order/,
  },
  { name: 'section without header', text: lines('META', 'PROJECTS'), line: 2, message: /META has no header line/ },
  { name: 'META header', text: lines('META', 'name;value'), line: 2, message: /META header must be "key;value"/ },
  {
    name: 'missing budget',
    text: lines('META', 'key;value', 'vote_type;approval', 'PROJECTS', 'project_id;cost', 'VOTES', 'voter_id;vote'),
    line: 1,
    message: /META lacks the required key "budget"/,
  },
  {
    name: 'unknown vote type',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;plurality', 'PROJECTS', 'project_id;cost', 'VOTES', 'voter_id;vote'),
    line: 4,
    message: /vote_type "plurality" is not one of/,
  },
  {
    name: 'budget not a number',
    text: lines('META', 'key;value', 'budget;1 000', 'vote_type;approval', 'PROJECTS', 'project_id;cost'),
    line: 3,
    message: /budget "1 000" is not a number/,
  },
  {
    name: 'META key twice',
    text: lines('META', 'key;value', 'budget;1', 'budget;2'),
    line: 4,
    message: /META key "budget" appears twice \(first on line 3\)/,
  },
  {
    name: 'missing cost column',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;name', '1;x'),
    line: 6,
    message: /PROJECTS header lacks the required column "cost"/,
  },
  {
    name: 'column twice',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost;cost'),
    line: 6,
    message: /repeats the column "cost"/,
  },
  {
    name: 'non-numeric cost',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;5', '2;five'),
    line: 8,
    message: /cost of project "2" "five" is not a number/,
  },
  {
    name: 'negative cost',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;-5'),
    line: 7,
    message: /cost of project "1" -5 is negative/,
  },
  {
    name: 'missing cost',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;none'),
    line: 7,
    message: /cost of project "1" is missing/,
  },
  {
    name: 'duplicate project id',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;5', '2;5', '1;6'),
    line: 9,
    message: /project id "1" appears twice \(first on line 7\)/,
  },
  {
    name: 'extra cells',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;5;oops'),
    line: 7,
    message: /more cells than its header/,
  },
  {
    name: 'unknown project in a vote',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;5', 'VOTES', 'voter_id;vote', 'v1;1', 'v2;1,7'),
    line: 11,
    message: /vote of voter "v2" lists unknown project id "7"/,
  },
  {
    name: 'duplicate voter',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;5', 'VOTES', 'voter_id;vote', 'v1;1', 'v1;1'),
    line: 11,
    message: /voter_id "v1" appears twice \(first on line 10\)/,
  },
  {
    name: 'points count differs from vote count',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;cumulative', 'max_sum_points;5', 'PROJECTS', 'project_id;cost', '1;5', '2;5', 'VOTES', 'voter_id;vote;points', 'v1;1,2;3'),
    line: 12,
    message: /lists 2 project\(s\) but 1 point value\(s\)/,
  },
  {
    name: 'points not a number',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;cumulative', 'max_sum_points;5', 'PROJECTS', 'project_id;cost', '1;5', 'VOTES', 'voter_id;vote;points', 'v1;1;x'),
    line: 11,
    message: /point value "x" of voter "v1" is not a number/,
  },
  {
    name: 'too many points',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;cumulative', 'max_sum_points;5', 'PROJECTS', 'project_id;cost', '1;5', '2;5', 'VOTES', 'voter_id;vote;points', 'v1;1,2;3,3'),
    line: 12,
    message: /more points than max_sum_points/,
  },
  {
    name: 'cumulative without max_sum_points',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;cumulative', 'PROJECTS', 'project_id;cost'),
    line: 1,
    message: /lacks max_sum_points/,
  },
  {
    name: 'points column missing',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;scoring', 'PROJECTS', 'project_id;cost', '1;5', 'VOTES', 'voter_id;vote'),
    line: 9,
    message: /VOTES header lacks the required column "points"/,
  },
  {
    name: 'two choices in choose-1',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;choose-1', 'PROJECTS', 'project_id;cost', '1;5', '2;5', 'VOTES', 'voter_id;vote', 'v1;1,2'),
    line: 11,
    message: /chose 2 projects in a choose-1 vote/,
  },
  {
    name: 'a project scored twice',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;scoring', 'PROJECTS', 'project_id;cost', '1;5', 'VOTES', 'voter_id;vote;points', 'v1;1,1;2,3'),
    line: 10,
    message: /scores the same project twice/,
  },
  {
    name: 'num_votes disagrees',
    text: lines('META', 'key;value', 'budget;1', 'num_votes;3', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;5', 'VOTES', 'voter_id;vote', 'v1;1'),
    line: 4,
    message: /num_votes says 3 but the file has 1 votes/,
  },
  {
    name: 'unterminated quote',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost;name', '1;5;"Park', '2;5;x'),
    line: 7,
    message: /quoted cell is never closed/,
  },
  {
    name: 'text after a closing quote',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost;name', '1;5;"Park"s'),
    line: 7,
    message: /unexpected text after a closing quote/,
  },
  {
    name: 'error after a cell spanning lines is on the right line',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost;name', '1;5;"two', 'lines"', '2;bad;x'),
    line: 9,
    message: /cost of project "2" "bad" is not a number/,
  },
  {
    name: 'a vote line cut off before its vote',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '1;5', 'VOTES', 'voter_id;vote;age', 'v1;1;30', 'v2'),
    line: 11,
    message: /vote row has 1 cell\(s\) where its header has 3: the line looks cut off/,
  },
  {
    name: 'a project line cut off before its cost',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost;name', '1'),
    line: 7,
    message: /project row has 1 cell\(s\) where its header has 3/,
  },
  {
    name: 'project id with a comma',
    text: lines('META', 'key;value', 'budget;1', 'vote_type;approval', 'PROJECTS', 'project_id;cost', '"1,2";5'),
    line: 7,
    message: /contains a comma/,
  },
];

for (const { name, text, line, message } of MALFORMED) {
  test(`malformed: ${name} → an error on line ${line}`, () => {
    assert.throws(
      () => parsePabulib(text),
      (error: unknown) => {
        assert.ok(error instanceof PabulibError, `not a PabulibError: ${String(error)}`);
        assert.equal(error.line, line, error.message);
        assert.match(error.message, message);
        assert.match(error.message, new RegExp(`^line ${line}: `));
        return true;
      },
    );
  });
}

test('writing then reading gives back the same instance (hand-made, with awkward values)', () => {
  const instance = parsePabulib(
    lines(
      'META',
      'key;value',
      'description;"Semi; colon and ""quotes"""',
      'budget;2572946,76',
      'vote_type;cumulative',
      'max_sum_points;10',
      'comment;none',
      'PROJECTS',
      'project_id;cost;name;category',
      'A 1;0.5;"multi',
      'line";culture,sport',
      'b;1000000000.25;;',
      'VOTES',
      'voter_id;vote;points;sex',
      'v1;A 1,b;3,7;F',
      'v2;;;',
      'v3;b,A 1;0.5,1.25;M',
    ),
  );
  const text = writePabulib(instance);
  assert.deepEqual(parsePabulib(text), instance);
  assert.equal(writePabulib(parsePabulib(text)), text, 'the written form is stable');
});

test('the writer refuses values the reader would change', () => {
  const instance = parsePabulib(GOOD.replace('10;none;x', '10;3;x'));
  instance.projects[0]!.fields.name = ' padded ';
  assert.throws(() => writePabulib(instance), /cannot be written/);
  instance.projects[0]!.fields.name = 'None';
  assert.throws(() => writePabulib(instance), /cannot be written/);
  instance.projects[0]!.fields.name = 'ok';
  instance.projects[0]!.cost = rational(1n, 3n);
  assert.throws(() => writePabulib(instance), /no exact decimal form/);
  instance.projects[0]!.cost = rational(1n);
  instance.budget = rational(7n);
  assert.throws(() => writePabulib(instance), /budget/);
});

test('the Pabulib files in shared/ survive writing and reading back', () => {
  // The files up to 600 KB: every vote type, quotes, CRLF and decimal costs are among them.
  // (The large ones are read by the reference tests; comparing them deeply here would only
  // make the suite slower.)
  const files = readdirSync(dataDir).filter((f) => f.endsWith('.pb'));
  assert.ok(files.length >= 27, `found ${files.length} files in ${dataDir}`);
  const small = files.filter((f) => statSync(path.join(dataDir, f)).size < 600_000);
  assert.ok(small.length >= 15);
  for (const file of small) {
    const instance = parsePabulib(readFileSync(path.join(dataDir, file), 'utf8'));
    assert.deepEqual(parsePabulib(writePabulib(instance)), instance, file);
  }
});
