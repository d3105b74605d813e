import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type KyselyPlugin, sql } from 'kysely';
import type { Actor } from '../../auth/policies.ts';
import { isAppError } from '../../lib/errors.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { actorOf } from '../accounts/sessions.service.ts';
import { listArrondissements, listNeighbourhoods } from '../municipalities/municipalities.repository.ts';
import { buildEnvelopeInstance, importPabulib, loadCycleElections, parsePabulibDate } from './cycle-pabulib.ts';
import { findCycleById, findCycleBySlug } from './cycles.repository.ts';
import { parsePabulib, writePabulib } from './outcome/pabulib.ts';
import { pbTally } from './outcome/tally-command.ts';
import { RULE_IDS, tally } from './outcome/rules.ts';
import { exportCycleFiles } from './pb-commands.ts';
import { ballotsCsv, computeResults, getPublicEnvelopeResults, getPublicResults, getPublishedPbFile, publishResults, type StoredOutcome } from './results.service.ts';
import { annul, castTestBallot, insertCycle, insertEnvelope, insertProject, T_AFTER, T_DURING } from './results.test-support.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const sharedDir = path.resolve(repoRoot, '../shared/pabulib');
const workDir = mkdtempSync(path.join(tmpdir(), 'twiza-results-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

async function tallyFile(text: string, rule: string, extra: string[] = []): Promise<string[]> {
  const file = path.join(workDir, `t-${Math.random().toString(36).slice(2)}.pb`);
  writeFileSync(file, text);
  const out: string[] = [];
  const err: string[] = [];
  const code = await pbTally([file, '--rule', rule, '--json', ...extra], { out: (l) => out.push(l), err: (l) => err.push(l) });
  assert.equal(code, 0, err.join('\n'));
  return (JSON.parse(out[0]!) as { winners: string[] }).winners;
}

test('Pabulib dates: day, ISO day, month and year, as a start or an end', () => {
  assert.equal(parsePabulibDate('15.06.2018', false), '2018-06-15T00:00:00.000Z');
  assert.equal(parsePabulibDate('2018-06-15', true), '2018-06-15T23:59:00.000Z');
  assert.equal(parsePabulibDate('2020', true), '2020-12-31T23:59:00.000Z');
  assert.equal(parsePabulibDate('02.2020', true), '2020-02-29T23:59:00.000Z');
  assert.equal(parsePabulibDate('31.02.2020', false), null);
  assert.equal(parsePabulibDate('soon', false), null);
});

describeEachDatabase('budget results', (suite) => {
  let municipalityId: number;
  let officer: NonNullable<Actor>;
  let clerk: NonNullable<Actor>;
  let arrondissementId: number;
  let neighbourhoodId: number;

  before(async () => {
    const db = suite.db();
    const m = await createTestMunicipality(db, 'resultsville');
    municipalityId = m.id;
    officer = await actorOf(db, await createTestUser(db, { municipalityId, email: 'officer@example.tn', roles: [{ role: 'budget_officer' }] }));
    clerk = await actorOf(db, await createTestUser(db, { municipalityId, email: 'clerk@example.tn', roles: [{ role: 'staff_agent', departmentId: null }] }));
    arrondissementId = (await listArrondissements(db, municipalityId))[0]!.id;
    neighbourhoodId = (await listNeighbourhoods(db, municipalityId))[0]!.id;
  });

  /** A city envelope and two district envelopes, three projects each, and a few ballots. */
  async function buildCycle(slug: string, extra: { rule?: string } = {}) {
    const db = suite.db();
    const cycle = await insertCycle(db, { municipalityId, slug, rule: extra.rule ?? 'greedy_cost_sat', maxChoices: 3 });
    const city = await insertEnvelope(db, { municipalityId, cycleId: cycle.id, name: 'ville', budgetMillimes: 100_000_000, sortOrder: 0 });
    const north = await insertEnvelope(db, { municipalityId, cycleId: cycle.id, scope: 'arrondissement', arrondissementId, name: 'nord', budgetMillimes: 30_000_000, sortOrder: 1 });
    const south = await insertEnvelope(db, { municipalityId, cycleId: cycle.id, scope: 'neighbourhood', neighbourhoodId, name: 'sud', budgetMillimes: 30_500_500, sortOrder: 2 });
    const p = async (envelopeId: number, code: string, costMillimes: number, sortOrder: number) =>
      insertProject(db, { municipalityId, cycleId: cycle.id, envelopeId, code, costMillimes, sortOrder });
    const ids = {
      C1: await p(city, 'C1', 60_000_000, 0),
      C2: await p(city, 'C2', 50_000_000, 1),
      C3: await p(city, 'C3', 30_000_000, 2),
      N1: await p(north, 'N1', 20_000_000, 0),
      N2: await p(north, 'N2', 15_000_000, 1),
      N3: await p(north, 'N3', 10_000_000, 2),
      S1: await p(south, 'S1', 25_000_500, 0),
      S2: await p(south, 'S2', 6_000_000, 1),
      S3: await p(south, 'S3', 5_000_000, 2),
    };
    const envelopeOf = (code: keyof typeof ids) => (code.startsWith('C') ? city : code.startsWith('N') ? north : south);
    const cast = (codes: (keyof typeof ids)[], more: Partial<Parameters<typeof castTestBallot>[1]> = {}) =>
      castTestBallot(db, { municipalityId, cycleId: cycle.id, choices: codes.map((c) => ({ projectId: ids[c], envelopeId: envelopeOf(c) })), ...more });
    return { cycle, city, north, south, ids, cast };
  }

  test('each envelope is its own election: district ballots never count in another district', async () => {
    const db = suite.db();
    const { cycle, city, north, south, cast } = await buildCycle('districts');
    await cast(['C1', 'N1', 'N2'], { arrondissementId, gender: 'female', ageGroup: '25-34' });
    await cast(['C1', 'N1'], { arrondissementId, gender: 'male', ageGroup: '18-24' });
    await cast(['C2', 'N3'], { arrondissementId, channel: 'counter' });
    await cast(['C2', 'C3', 'S1'], { neighbourhoodId });
    await cast(['S2', 'S3'], { neighbourhoodId });
    await cast(['S1'], { neighbourhoodId, channel: 'counter' });
    const results = await computeResults(db, { municipalityId, cycleId: cycle.id });
    const byEnvelope = new Map(results.envelopes.map((e) => [e.envelope.id, e]));
    assert.equal(byEnvelope.get(city)!.outcome.ballotCount, 4);
    assert.equal(byEnvelope.get(north)!.outcome.ballotCount, 3);
    assert.equal(byEnvelope.get(south)!.outcome.ballotCount, 3);
    // City: C1 (2 votes) then C2 (2 votes, 50 000 does not fit in the 40 000 left) then C3.
    assert.deepEqual(byEnvelope.get(city)!.outcome.winners, ['C1', 'C3']);
    // N2 and N3 tie on one vote each: N2 comes first by id, does not fit in the 10 000 left; N3 does.
    assert.deepEqual(byEnvelope.get(north)!.outcome.winners, ['N1', 'N3']);
    assert.deepEqual(byEnvelope.get(south)!.outcome.winners, ['S1', 'S3']);
    // The district files name only their own projects and voters.
    const elections = await loadCycleElections(db, { municipalityId, cycle: results.cycle });
    const north3 = elections.envelopes.find((e) => e.envelope.id === north)!.instance;
    assert.deepEqual(north3.projects.map((p) => p.id), ['N1', 'N2', 'N3']);
    assert.ok(north3.votes.every((v) => v.projects.every((code) => code.startsWith('N'))));
    const south3 = elections.envelopes.find((e) => e.envelope.id === south)!.instance;
    assert.equal(south3.budget.n * 1000n / south3.budget.d, 30_500_500n);
    // Explanations: C2 was reached with 40 000 DT left and did not fit.
    const c2 = byEnvelope.get(city)!.projects.find((p) => p.code === 'C2')!;
    assert.deepEqual(c2.reason, { kind: 'greedy', completion: false, position: 2, selected: false, leftBefore: '40000', leftAfter: '40000' });
  });

  test('a cycle exported as .pb and tallied by `pb tally` gives the winners computed here, for every rule', async () => {
    const db = suite.db();
    const { cycle, cast } = await buildCycle('every-rule');
    const pattern: (('C1' | 'C2' | 'C3' | 'N1' | 'N2' | 'N3'))[][] = [['C1'], ['C1', 'C2'], ['C2', 'C3'], ['C3'], ['C2'], ['C1', 'C3', 'N1'], ['N2', 'N3'], ['C2', 'N3']];
    for (const codes of pattern) await cast(codes);
    for (const rule of RULE_IDS.filter((r) => !r.includes('additive'))) {
      await db.updateTable('pb_cycles').set({ rule }).where('id', '=', cycle.id).execute();
      const results = await computeResults(db, { municipalityId, cycleId: cycle.id });
      const files = (await exportCycleFiles(db, { municipalityId, cycleRef: cycle.slug }))!;
      assert.equal(files.published, false);
      for (const envelope of results.envelopes) {
        const file = files.files.find((f) => f.envelopeId === envelope.envelope.id)!;
        assert.deepEqual(await tallyFile(file.text, rule), envelope.outcome.winners, `${rule} on envelope ${envelope.envelope.id}`);
        assert.equal(file.sha256, envelope.pbSha256);
      }
    }
  });

  test('an envelope instance survives writing and reading back, ranking and points included', async () => {
    const db = suite.db();
    for (const [ballotType, values] of [['ranking', [2, 1]], ['cumulative', [3, 4]]] as const) {
      const cycle = await insertCycle(db, { municipalityId, slug: `roundtrip-${ballotType}`, ballotType, rule: ballotType === 'cumulative' ? 'mes_additive_cardinal_sat' : 'mes_cost_sat', totalPoints: ballotType === 'cumulative' ? 10 : null });
      const envelope = await insertEnvelope(db, { municipalityId, cycleId: cycle.id, name: 'x', budgetMillimes: 10_000_250 });
      const a = await insertProject(db, { municipalityId, cycleId: cycle.id, envelopeId: envelope, code: 'A', title: 'Éclairage; rue "Bourguiba"', costMillimes: 4_000_125, sortOrder: 0 });
      const b = await insertProject(db, { municipalityId, cycleId: cycle.id, envelopeId: envelope, code: 'B', title: 'حديقة الحي', costMillimes: 7_000_000, sortOrder: 1 });
      const { ballotId } = await castTestBallot(db, { municipalityId, cycleId: cycle.id, channel: 'paper', choices: [{ projectId: a, envelopeId: envelope, value: values[0] }, { projectId: b, envelopeId: envelope, value: values[1] }] });
      const elections = await loadCycleElections(db, { municipalityId, cycle });
      const instance = elections.envelopes[0]!.instance;
      const text = writePabulib(instance);
      assert.deepEqual(parsePabulib(text), instance);
      const vote = instance.votes[0]!;
      assert.equal(vote.voterId, ballotId);
      assert.equal(vote.fields.channel, 'paper');
      if (ballotType === 'ranking') {
        assert.equal(instance.voteType, 'ordinal');
        assert.deepEqual(vote.projects, ['B', 'A'], 'most preferred first');
      } else {
        assert.deepEqual(vote.projects, ['A', 'B']);
        assert.deepEqual(vote.points!.map((p) => Number(p.n)), [3, 4]);
        assert.match(text, /^max_sum_points;10$/m);
      }
      assert.match(text, /^budget;10000\.25$/m);
      assert.match(text, /^A;4000\.125;/m);
      assert.match(text, /^country;Tunisia$/m);
      // Nothing about the voter beyond the ballot id and channel.
      assert.deepEqual(instance.voteColumns, ['voter_id', 'vote', ...(ballotType === 'cumulative' ? ['points'] : []), 'channel']);
      assert.doesNotMatch(text, /2026-03-10|voted_hour|female|age_group/);
    }
  });

  test('annulled ballots, invalid paper ballots and ballots of open paper batches are not counted', async () => {
    const db = suite.db();
    const { cycle, city, cast } = await buildCycle('annulled');
    await cast(['C2']);
    await cast(['C2']);
    const fraud1 = await cast(['C1']);
    const fraud2 = await cast(['C1']);
    const fraud3 = await cast(['C1']);
    await cast(['C1']);
    await castTestBallot(db, { municipalityId, cycleId: cycle.id, channel: 'paper', invalid: true, choices: [], register: false });
    const batch = await db
      .insertInto('pb_paper_batches')
      .values({ municipality_id: municipalityId, cycle_id: cycle.id, batch_number: 'B-7', station: null, declared_count: 1, status: 'rejected', created_by: null, accepted_by: null, accepted_at: null, created_at: T_DURING })
      .returning('id')
      .executeTakeFirstOrThrow();
    await cast(['C1'], { channel: 'paper', paperBatchId: batch.id, register: false });
    let results = await computeResults(db, { municipalityId, cycleId: cycle.id });
    assert.equal(results.envelopes.find((e) => e.envelope.id === city)!.outcome.ballotCount, 6);
    assert.deepEqual(results.envelopes.find((e) => e.envelope.id === city)!.outcome.winners, ['C1', 'C3']);
    await annul(db, { municipalityId, cycleId: cycle.id, reason: 'Numéros pris sur une liste publique', participationIds: [fraud1, fraud2, fraud3].map((f) => f.participationId!), ballotIds: [fraud1, fraud2, fraud3].map((f) => f.ballotId) });
    results = await computeResults(db, { municipalityId, cycleId: cycle.id });
    const envelope = results.envelopes.find((e) => e.envelope.id === city)!;
    assert.equal(envelope.outcome.ballotCount, 3);
    assert.deepEqual(envelope.outcome.winners, ['C2', 'C3']);
    const text = envelope.outcome.pb;
    for (const f of [fraud1, fraud2, fraud3]) assert.ok(!text.includes(f.ballotId));

    await db.updateTable('pb_paper_batches').set({ status: 'open' }).where('id', '=', batch.id).execute();
    await db.insertInto('pb_paper_entries').values({ municipality_id: municipalityId, batch_id: batch.id, pass: 1, position: 1, choices_json: '{}', entered_by: null, created_at: T_DURING }).execute();
    await assert.rejects(publishResults(db, { actor: officer, municipalityId, cycleId: cycle.id, now: T_AFTER }), (error) => {
      assert.ok(isAppError(error, 'conflict'));
      assert.deepEqual(error.fields._form, { key: 'budget.results.error.open_batches', values: { batches: 'B-7', count: 1 } });
      return true;
    });
    await db.updateTable('pb_paper_batches').set({ status: 'rejected' }).where('id', '=', batch.id).execute();
    await publishResults(db, { actor: officer, municipalityId, cycleId: cycle.id, now: T_AFTER });
    const summary = await getPublicResults(db, { municipalityId, slug: cycle.slug, now: T_AFTER });
    assert.ok(summary.published);
    assert.deepEqual(summary.annulments.map((a) => [a.reason, a.count]), [['Numéros pris sur une liste publique', 3]]);
    assert.deepEqual(summary.uncounted, { invalid: 1, annulled: 3 });
    // Turnout counts the register without the annulled participations.
    assert.equal(summary.turnout.total, 3);
  });

  test('publishing on PostgreSQL rewrites the box in ballot-id order, so the heap no longer keeps the order of arrival', { skip: suite.kind !== 'postgres' }, async () => {
    const db = suite.db();
    const { cycle, cast } = await buildCycle('cluster');
    const codes: ('C1' | 'C2' | 'C3')[][] = [['C1'], ['C2'], ['C3'], ['C1', 'C3'], ['C2', 'C3']];
    for (let i = 0; i < 40; i++) await cast(codes[i % codes.length]!, { channel: i % 3 === 0 ? 'counter' : 'online' });
    // Physical order (ctid) against the primary key's order, over the whole tables.
    const physical = async () => ({
      ballots: (await sql<{ id: string }>`select id from pb_ballots order by ctid`.execute(db)).rows.map((r) => r.id),
      sortedBallots: (await sql<{ id: string }>`select id from pb_ballots order by id`.execute(db)).rows.map((r) => r.id),
      choices: (await sql<{ k: string }>`select ballot_id || ':' || project_id as k from pb_ballot_choices order by ctid`.execute(db)).rows.map((r) => r.k),
      sortedChoices: (await sql<{ k: string }>`select ballot_id || ':' || project_id as k from pb_ballot_choices order by ballot_id, project_id`.execute(db)).rows.map((r) => r.k),
    });
    const beforePublishing = await physical();
    assert.ok(beforePublishing.ballots.length >= 40);
    // Before: the heap is in arrival order, which random ids do not follow (40 random ids in
    // sorted order by chance: 1 in 40!).
    assert.notDeepEqual(beforePublishing.ballots, beforePublishing.sortedBallots);
    await publishResults(db, { actor: officer, municipalityId, cycleId: cycle.id, now: T_AFTER });
    const afterPublishing = await physical();
    assert.deepEqual(afterPublishing.ballots, afterPublishing.sortedBallots);
    assert.deepEqual(afterPublishing.choices, afterPublishing.sortedChoices);
    assert.deepEqual([...afterPublishing.ballots].sort(), [...beforePublishing.ballots].sort(), 'the same ballots, only reordered');
    assert.equal((await findCycleById(db, municipalityId, cycle.id))!.results_published_at, T_AFTER);
  });

  test('publishing: only after the vote, by budget staff, once; it seals every ballot and keeps the file it counted', async () => {
    const db = suite.db();
    const { cycle, city, cast } = await buildCycle('publish', { rule: 'mes_cost_sat_add1u' });
    await cast(['C1', 'C3', 'N1'], { arrondissementId, gender: 'female', ageGroup: '35-44' });
    await cast(['C2', 'C3'], { gender: 'male', ageGroup: '60+', channel: 'counter' });
    await cast(['C1'], { channel: 'paper' });
    await assert.rejects(publishResults(db, { actor: officer, municipalityId, cycleId: cycle.id, now: T_DURING }), (e) => isAppError(e, 'conflict') && e.fields._form === 'budget.results.error.not_closed');
    await assert.rejects(publishResults(db, { actor: clerk, municipalityId, cycleId: cycle.id, now: T_AFTER }), (e) => isAppError(e, 'forbidden'));
    const before = await getPublicResults(db, { municipalityId, slug: cycle.slug, now: T_AFTER });
    assert.equal(before.published, false);
    await assert.rejects(getPublishedPbFile(db, { municipalityId, slug: cycle.slug, envelopeId: city }), (e) => isAppError(e, 'not_found'));
    const sealedBefore = await db.selectFrom('pb_participations').select('id').where('cycle_id', '=', cycle.id).where('ballot_seal', 'is not', null).execute();
    assert.equal(sealedBefore.length, 2);

    const preview = await computeResults(db, { municipalityId, cycleId: cycle.id });
    const published = await publishResults(db, { actor: officer, municipalityId, cycleId: cycle.id, now: T_AFTER });
    assert.equal(published.envelopes, 3);
    await assert.rejects(publishResults(db, { actor: officer, municipalityId, cycleId: cycle.id, now: T_AFTER }), (e) => isAppError(e, 'conflict') && e.fields._form === 'budget.results.error.already_published');

    const after = (await findCycleById(db, municipalityId, cycle.id))!;
    assert.equal(after.results_published_at, T_AFTER);
    assert.equal(after.seal_salt, null);
    const sealedAfter = await db.selectFrom('pb_participations').select('id').where('cycle_id', '=', cycle.id).where('ballot_seal', 'is not', null).execute();
    assert.equal(sealedAfter.length, 0);
    const selected = await db.selectFrom('pb_projects').select('code').where('cycle_id', '=', cycle.id).where('selected', '=', 1).orderBy('code').execute();
    assert.deepEqual(selected.map((s) => s.code), preview.envelopes.flatMap((e) => e.outcome.winners).sort());
    const audit = await db.selectFrom('audit_log').select(['action', 'actor_user_id']).where('municipality_id', '=', municipalityId).where('action', '=', 'budget.results_published').execute();
    assert.ok(audit.some((a) => a.actor_user_id === officer.userId));

    // The download is the file the result was computed from, with the winners marked.
    const file = await getPublishedPbFile(db, { municipalityId, slug: cycle.slug, envelopeId: city });
    const stored = await db.selectFrom('pb_results').select(['pb_sha256', 'result_json', 'ballot_count']).where('envelope_id', '=', city).executeTakeFirstOrThrow();
    assert.equal(file.sha256, stored.pb_sha256);
    const { createHash } = await import('node:crypto');
    assert.equal(createHash('sha256').update(file.text, 'utf8').digest('hex'), stored.pb_sha256);
    const instance = parsePabulib(file.text);
    assert.deepEqual(instance.projects.filter((p) => p.fields.selected === '1').map((p) => p.id), (JSON.parse(stored.result_json) as StoredOutcome).winners);
    assert.deepEqual(await tallyFile(file.text, 'mes_cost_sat_add1u'), (JSON.parse(stored.result_json) as StoredOutcome).winners);
    // The box as it now is gives the same bytes.
    const again = await loadCycleElections(db, { municipalityId, cycle: after });
    assert.equal(writePabulib(again.envelopes.find((e) => e.envelope.id === city)!.instance), file.text);
    // The export after publication is the same bytes.
    const exported = (await exportCycleFiles(db, { municipalityId, cycleRef: String(cycle.id) }))!;
    assert.equal(exported.published, true);
    assert.equal(exported.files.find((f) => f.envelopeId === city)!.text, file.text);
    // CSV: the same ballots.
    const csv = ballotsCsv(instance);
    assert.ok(csv.startsWith('\uFEFFballot_id,channel,vote\r\n'));
    assert.equal(csv.trim().split('\r\n').length, 1 + instance.votes.length);

    const page = await getPublicEnvelopeResults(db, { municipalityId, slug: cycle.slug, envelopeId: city, now: T_AFTER });
    assert.ok(page.published);
    assert.equal(page.turnout.total, 3);
    assert.deepEqual(page.turnout.channel.map((c) => [c.key, c.count]), [['online', 1], ['counter', 1], ['paper', 1]]);
    assert.deepEqual(page.turnout.gender.map((c) => [c.key, c.count]), [['female', 1], ['male', 1], ['unknown', 1]]);
    assert.ok(page.result.projects.every((p) => p.reason !== null), 'every project is explained');
  });

  test('a Pabulib file imported as a cycle and exported again gives the winners of `pb tally` on the original', async () => {
    const db = suite.db();
    const original = readFileSync(path.join(sharedDir, 'Poland_Warszawa_2019_Marysin_Wawerski_Polnocny.pb'), 'utf8');
    const imported = await importPabulib(db, { municipalityId, actor: null, text: original, slug: 'marysin-2019', now: T_AFTER });
    assert.equal(imported.ballots, 421);
    assert.equal(imported.projects, 13);
    assert.equal(imported.cycle.voting_close_at, '2018-06-30T23:59:00.000Z');
    assert.equal(imported.cycle.year, 2018);
    assert.match(imported.cycle.description_fr ?? '', /import/i);
    const participations = await db.selectFrom('pb_participations').select('id').where('cycle_id', '=', imported.cycle.id).execute();
    assert.equal(participations.length, 0);
    const exported = (await exportCycleFiles(db, { municipalityId, cycleRef: 'marysin-2019' }))!;
    assert.equal(exported.files.length, 1);
    for (const rule of ['greedy_cost_sat', 'greedy_cardinality_sat', 'mes_cost_sat', 'mes_cardinality_sat', 'mes_cost_sat_add1', 'mes_cost_sat_add1u']) {
      assert.deepEqual(await tallyFile(exported.files[0]!.text, rule), await tallyFile(original, rule), rule);
    }
    // Its results can be published like any cycle's; nobody is in its register.
    await publishResults(db, { actor: officer, municipalityId, cycleId: imported.cycle.id, now: T_AFTER });
    const summary = await getPublicResults(db, { municipalityId, slug: 'marysin-2019', now: T_AFTER });
    assert.ok(summary.published && summary.registerless);

    await assert.rejects(importPabulib(db, { municipalityId, actor: null, text: original, slug: 'marysin-2019', now: T_AFTER }), (e) => isAppError(e, 'validation') && /already exists/.test(e.message));
    const scoring = ['META', 'key;value', 'budget;10', 'vote_type;scoring', 'PROJECTS', 'project_id;cost', 'a;5', 'VOTES', 'voter_id;vote;points', '1;a;3'].join('\n');
    await assert.rejects(importPabulib(db, { municipalityId, actor: null, text: scoring, slug: 'scoring', now: T_AFTER }), (e) => isAppError(e, 'validation') && /not supported/.test(e.message));
    await assert.rejects(importPabulib(db, { municipalityId, actor: null, text: 'META\nkey;value\n', slug: 'broken', now: T_AFTER }), (e) => isAppError(e, 'validation') && /line \d+/.test(e.message));
    await assert.rejects(importPabulib(db, { municipalityId, actor: clerk, text: original, slug: 'by-clerk', now: T_AFTER }), (e) => isAppError(e, 'forbidden'));
  });

  test('Amsterdam 304 (approval, 624 voters) through import and export keeps its greedy and MES winners', async () => {
    const db = suite.db();
    const original = readFileSync(path.join(sharedDir, 'Netherlands_Amsterdam_304.pb'), 'utf8');
    await importPabulib(db, { municipalityId, actor: null, text: original, slug: 'amsterdam-304', now: T_AFTER });
    const exported = (await exportCycleFiles(db, { municipalityId, cycleRef: 'amsterdam-304' }))!;
    for (const rule of ['greedy_cost_sat', 'mes_cost_sat']) {
      assert.deepEqual(await tallyFile(exported.files[0]!.text, rule), await tallyFile(original, rule), rule);
    }
  });

  test('cumulative (Częstochowa) and ranked (Seattle) files keep their winners through import and export', async () => {
    const db = suite.db();
    const cases = [
      ['Poland_Czestochowa_2020_Zawodzie_-_Dabie.pb', 'czestochowa', 'cumulative', ['greedy_additive_cardinal_sat', 'mes_additive_cardinal_sat', 'mes_cost_sat']],
      ['US_Stanford_Dataset_Your_Voice_Your_Choice_Parks_and_Streets-_Seattle_2019_District_5_vote_rankings.pb', 'seattle', 'ranking', ['greedy_cost_sat', 'mes_cost_sat_add1u']],
    ] as const;
    for (const [file, slug, ballotType, rules] of cases) {
      const text = readFileSync(path.join(sharedDir, file), 'utf8');
      const imported = await importPabulib(db, { municipalityId, actor: null, text, slug, now: T_AFTER });
      assert.equal(imported.cycle.ballot_type, ballotType);
      const exported = (await exportCycleFiles(db, { municipalityId, cycleRef: slug }))!.files[0]!.text;
      for (const rule of rules) assert.deepEqual(tally(parsePabulib(exported), rule).winners, tally(parsePabulib(text), rule).winners, `${slug} ${rule}`);
    }
  });

  test('publishing on PostgreSQL counts and files one reading of the box: a ballot voided meanwhile is in neither or both', { skip: suite.kind !== 'postgres' }, async () => {
    const db = suite.db();
    const { cycle, city, cast } = await buildCycle('one-reading');
    await cast(['C1']);
    await cast(['C1', 'C2']);
    await cast(['C2', 'C3']);
    // Another connection voids a ballot (as an annulment does) right after the publication first reads the box.
    let voided = false;
    const plugin: KyselyPlugin = {
      transformQuery: (args) => args.node,
      async transformResult(args) {
        const rows = args.result.rows as Record<string, unknown>[];
        if (!voided && rows.length > 0 && 'envelope_id' in rows[0]! && 'channel' in rows[0]!) {
          voided = true;
          const victim = String(rows[0]!.id);
          await db.deleteFrom('pb_ballot_choices').where('ballot_id', '=', victim).execute();
          await db.deleteFrom('pb_ballots').where('id', '=', victim).execute();
        }
        return args.result;
      },
    };
    await publishResults(db.withPlugin(plugin), { actor: officer, municipalityId, cycleId: cycle.id, now: T_AFTER });
    assert.ok(voided);
    const stored = await db.selectFrom('pb_results').select(['result_json', 'ballot_count']).where('envelope_id', '=', city).executeTakeFirstOrThrow();
    const outcome = JSON.parse(stored.result_json) as StoredOutcome;
    const file = parsePabulib(outcome.pb);
    assert.equal(file.votes.length, stored.ballot_count, 'the file holds the ballots the result counted');
    assert.deepEqual(tally(file, 'greedy_cost_sat').winners, outcome.winners);
  });

  test('importing a file with a NUL character is refused with a clear error, and creates nothing', async () => {
    const db = suite.db();
    const text = ['META', 'key;value', 'budget;10', 'vote_type;approval', 'PROJECTS', 'project_id;cost;name', 'a;5;Parc\u0000', 'VOTES', 'voter_id;vote', '1;a'].join('\n');
    await assert.rejects(importPabulib(db, { municipalityId, actor: null, text, slug: 'nul-byte', now: T_AFTER }), (e) => isAppError(e, 'validation') && /line 7/.test(e.message));
    assert.equal(await findCycleBySlug(db, municipalityId, 'nul-byte'), undefined);
  });

  test('a draft cycle does not exist for the public: its results pages are not found', async () => {
    const db = suite.db();
    const { cycle, city } = await buildCycle('draft-results');
    const beforeInformation = '2025-12-01T00:00:00.000Z';
    await assert.rejects(getPublicResults(db, { municipalityId, slug: cycle.slug, now: beforeInformation }), (e) => isAppError(e, 'not_found'));
    await assert.rejects(getPublicEnvelopeResults(db, { municipalityId, slug: cycle.slug, envelopeId: city, now: beforeInformation }), (e) => isAppError(e, 'not_found'));
    // Once it is public, the page says the results are not out yet.
    assert.equal((await getPublicResults(db, { municipalityId, slug: cycle.slug, now: T_DURING })).published, false);
  });

  test('buildEnvelopeInstance leaves out ballots with no choice in the envelope', () => {
    const cycle = { id: 1, year: 2026, slug: 's', rule: 'greedy_cost_sat', tie_breaking: 'project_id', lot_seed: null, ballot_type: 'approval', min_choices: 1, max_choices: 2, total_points: null, max_points_per_project: null, voting_open_at: '2026-03-01T08:00:00Z', voting_close_at: '2026-03-15T20:00:00Z' } as never;
    const envelope = { id: 5, name_fr: 'Ville', name_ar: 'المدينة', budget_millimes: 1000 } as never;
    const projects = [{ id: 1, envelope_id: 5, code: 'A', title: 'A', category: null, cost_millimes: 500, selected: 0 }, { id: 2, envelope_id: 6, code: 'B', title: 'B', category: null, cost_millimes: 500, selected: 0 }] as never;
    const instance = buildEnvelopeInstance({
      municipalityName: 'Le Kef',
      cycle,
      envelope,
      district: null,
      subunit: null,
      projects,
      ballots: [
        { id: 'AAA', channel: 'online', choices: [{ projectId: 1, envelopeId: 5, value: 1 }] },
        { id: 'BBB', channel: 'online', choices: [{ projectId: 2, envelopeId: 6, value: 1 }] },
      ],
      withSelected: false,
    });
    assert.deepEqual(instance.votes.map((v) => v.voterId), ['AAA']);
    assert.deepEqual(instance.projects.map((p) => p.id), ['A']);
    assert.equal(instance.meta.find((m) => m.key === 'date_end')?.value, '15.03.2026');
  });
});
