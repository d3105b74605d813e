// `twiza pb import` and `twiza pb export` as the command line runs them, on a SQLite file.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { createTestMunicipality } from '../../../test/support/fixtures.ts';
import { pbTally } from './outcome/tally-command.ts';
import { pbExport, pbImport } from './pb-commands.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const original = path.resolve(repoRoot, '../shared/pabulib/Poland_Warszawa_2019_Marysin_Wawerski_Polnocny.pb');
const workDir = mkdtempSync(path.join(tmpdir(), 'twiza-pb-cli-'));
const env = {
  NODE_ENV: 'test',
  DATABASE_URL: `sqlite:${path.join(workDir, 'twiza.db')}`,
  DATA_DIR: workDir,
  SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
  LOG_LEVEL: 'silent',
};

async function run(command: typeof pbExport, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out, err };
}

async function winners(file: string, rule: string): Promise<string> {
  const out: string[] = [];
  assert.equal(await pbTally([file, '--rule', rule, '--json'], { out: (l) => out.push(l), err: () => {} }), 0);
  return out[0]!;
}

before(async () => {
  const handle = openDatabase({ kind: 'sqlite', file: path.join(workDir, 'twiza.db') });
  await migrateToLatest(handle.db);
  await createTestMunicipality(handle.db, 'clitown');
  await handle.destroy();
});
after(() => rmSync(workDir, { recursive: true, force: true }));

test('pb import then pb export: the exported file gives the original file\'s winners', async () => {
  const imported = await run(pbImport, original, '--slug', 'marysin');
  assert.equal(imported.code, 0, imported.err.join('\n'));
  assert.match(imported.out[0]!, /Cycle "marysin" \(number \d+\) created in clitown: 13 projects, 421 ballots, rule greedy_cost_sat/);

  const outDir = path.join(workDir, 'out');
  const exported = await run(pbExport, 'marysin', '--out', outDir);
  assert.equal(exported.code, 0, exported.err.join('\n'));
  assert.match(exported.err[0]!, /not published/);
  const files = readdirSync(outDir);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^marysin-\d+\.pb$/);
  const file = path.join(outDir, files[0]!);
  assert.match(exported.out[0]!, new RegExp(`${files[0]!.replace('.', '\\.')}\\t421 ballots\\tsha256 [0-9a-f]{64}`));
  for (const rule of ['greedy_cost_sat', 'mes_cost_sat', 'mes_cost_sat_add1u']) {
    assert.equal(await winners(file, rule), await winners(original, rule), rule);
  }
  assert.match(readFileSync(file, 'utf8'), /^voter_id;vote;channel$/m);
});

test('pb import and export refuse what they cannot do, with a message and exit code 2', async () => {
  const noSlug = await run(pbImport, original);
  assert.equal(noSlug.code, 2);
  assert.match(noSlug.err[0]!, /--slug is required/);
  const broken = path.join(workDir, 'broken.pb');
  writeFileSync(broken, 'META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;5\nVOTES\nvoter_id;vote\n1;b\n');
  const bad = await run(pbImport, broken, '--slug', 'broken');
  assert.equal(bad.code, 2);
  assert.match(bad.err[0]!, /line 10: vote of voter "1" lists unknown project id "b"/);
  const again = await run(pbImport, original, '--slug', 'marysin');
  assert.equal(again.code, 2);
  assert.match(again.err[0]!, /already exists/);
  const missing = await run(pbExport, 'no-such-cycle');
  assert.equal(missing.code, 2);
  assert.match(missing.err[0]!, /no cycle "no-such-cycle" in clitown/);
  const wrongTown = await run(pbExport, 'marysin', '--municipality', 'atlantis');
  assert.equal(wrongTown.code, 2);
  assert.match(wrongTown.err[0]!, /no municipality "atlantis"/);
});
