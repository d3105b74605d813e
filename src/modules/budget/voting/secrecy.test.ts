// The secret of the ballot, as a property of the schema and of the data: the ballot box has no
// column that could name a person or a moment, its ids are random text (no sequence to match
// against the register's order), SQLite stores it in id order (WITHOUT ROWID), no ballot row
// holds anything of a participation row, and once the results are sealed no participation
// keeps a seal and the cycle no salt — nothing links a ballot to anyone any more.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { Db } from '../../../db/database.ts';
import { createTestCycle } from '../budget.test-support.ts';
import { ballotSeal, sealCycleBallots } from './sealing.ts';
import { castCounterBallot, castOnlineBallot, registerPaperVoter } from './voting.service.ts';
import { createBudgetOfficer, createVerifiedToken, firstNeighbourhood, nextIdNumber, TEST_SECRET } from './voting.test-support.ts';

const BOX_TABLES = ['pb_ballots', 'pb_ballot_choices'];
// Words of a column name (split at underscores) that would say who or when.
const FORBIDDEN_WORDS = new Set(['user', 'person', 'voter', 'phone', 'ip', 'time', 'timestamp', 'created', 'updated', 'at', 'hour', 'date', 'day', 'seq', 'participation', 'seal', 'key', 'token', 'verified', 'by']);

type Column = { name: string; type: string };

async function columnsOf(db: Db, kind: string, table: string): Promise<Column[]> {
  if (kind === 'sqlite') {
    const rows = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${table})`.execute(db);
    return rows.rows.map((r) => ({ name: r.name, type: r.type.toLowerCase() }));
  }
  const rows = await sql<{ column_name: string; data_type: string }>`
    select column_name, data_type from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}`.execute(db);
  return rows.rows.map((r) => ({ name: r.column_name, type: r.data_type.toLowerCase() }));
}

/** The tables a table's foreign keys point to. */
async function referencedTables(db: Db, kind: string, table: string): Promise<string[]> {
  if (kind === 'sqlite') {
    const rows = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${table})`.execute(db);
    return [...new Set(rows.rows.map((r) => r.table))].sort();
  }
  const rows = await sql<{ target: string }>`
    select distinct confrelid::regclass::text as target from pg_constraint
    where contype = 'f' and conrelid = to_regclass(${table})`.execute(db);
  return rows.rows.map((r) => r.target).sort();
}

describeEachDatabase('secrecy of the ballot', ({ db, kind }) => {
  let municipalityId: number;

  before(async () => {
    municipalityId = (await createTestMunicipality(db(), 'secret')).id;
  });

  test('the ballot box has no column about a person or a moment', async () => {
    for (const table of BOX_TABLES) {
      const columns = await columnsOf(db(), kind, table);
      assert.ok(columns.length > 0, `${table} exists`);
      for (const column of columns) {
        const words = column.name.toLowerCase().split('_');
        assert.deepEqual(words.filter((w) => FORBIDDEN_WORDS.has(w)), [], `${table}.${column.name}`);
      }
    }
    // The columns are exactly these: a new one must come through this test and its review.
    // No annulment_id: an annulment deletes the ballots it voids rather than marking them, or the
    // mark would tie each annulled voter to their ballot for ever.
    assert.deepEqual((await columnsOf(db(), kind, 'pb_ballots')).map((c) => c.name).sort(), ['channel', 'cycle_id', 'id', 'invalid', 'municipality_id', 'paper_batch_id']);
    assert.deepEqual((await columnsOf(db(), kind, 'pb_ballot_choices')).map((c) => c.name).sort(), ['ballot_id', 'envelope_id', 'project_id', 'value']);
  });

  test('no column of the box references the register or an annulment', async () => {
    const targets = { pb_ballots: await referencedTables(db(), kind, 'pb_ballots'), pb_ballot_choices: await referencedTables(db(), kind, 'pb_ballot_choices') };
    // What they do reference, so that the query is known to see foreign keys at all.
    assert.deepEqual(targets, {
      pb_ballots: ['municipalities', 'pb_cycles', 'pb_paper_batches'],
      pb_ballot_choices: ['pb_ballots', 'pb_envelopes', 'pb_projects'],
    });
    for (const [table, refs] of Object.entries(targets)) {
      for (const forbidden of ['pb_annulments', 'pb_participations', 'users']) assert.ok(!refs.includes(forbidden), `${table} references ${forbidden}`);
    }
  });

  test('ballot ids are random text, not a sequence; SQLite stores the box without rowid', async () => {
    const id = (await columnsOf(db(), kind, 'pb_ballots')).find((c) => c.name === 'id')!;
    assert.equal(id.type, 'text');
    if (kind === 'sqlite') {
      for (const table of BOX_TABLES) {
        const row = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(db());
        assert.match(row.rows[0]!.sql, /without rowid\s*$/i, table);
        // A rowid table answers `select rowid`; a WITHOUT ROWID table has none to give.
        await assert.rejects(sql`select rowid from ${sql.table(table)}`.execute(db()), /no such column: rowid/);
      }
      const pk = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info('pb_ballots') where pk > 0`.execute(db());
      assert.deepEqual(pk.rows.map((r) => r.name), ['id']);
      const autoIndex = await sql<{ origin: string }>`select origin from pragma_index_list('pb_ballots')`.execute(db());
      assert.ok(autoIndex.rows.some((r) => r.origin === 'pk'), 'the primary key is the table itself');
    } else {
      const defaults = await sql<{ column_default: string | null }>`
        select column_default from information_schema.columns
        where table_schema = current_schema() and table_name = 'pb_ballots' and column_name = 'id'`.execute(db());
      assert.equal(defaults.rows[0]!.column_default, null, 'no sequence behind the ballot id');
      const sequences = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.columns
        where table_schema = current_schema() and table_name in ('pb_ballots', 'pb_ballot_choices') and column_default like 'nextval%'`.execute(db());
      assert.equal(sequences.rows[0]!.n, 0);
    }
  });

  test('no ballot row holds anything of a participation row; sealing erases every link', async () => {
    const officer = await createBudgetOfficer(db(), municipalityId);
    const neighbourhoodId = (await firstNeighbourhood(db(), municipalityId)).id;
    const c = await createTestCycle(db(), municipalityId);
    const projectId = c.projects[0]!.id;
    const receipts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { token } = await createVerifiedToken(db(), { municipalityId, cycleId: c.cycle.id, phone: `+2162000000${i}` });
      const online = await castOnlineBallot(db(), {
        secretKey: TEST_SECRET,
        municipalityId,
        cycleId: c.cycle.id,
        token,
        idNumber: nextIdNumber(),
        residence: { neighbourhoodId },
        ageGroup: '25-34',
        gender: 'female',
        declaredEligible: true,
        choices: [{ projectId, value: 1 }],
        ip: `192.0.2.${i}`,
      });
      receipts.push(online.receipt);
      const counter = await castCounterBallot(db(), {
        secretKey: TEST_SECRET,
        actor: officer,
        municipalityId,
        cycleId: c.cycle.id,
        idNumber: nextIdNumber(),
        residence: { neighbourhoodId },
        ageGroup: '60+',
        gender: 'male',
        choices: [{ projectId, value: 1 }],
      });
      receipts.push(counter.receipt);
    }
    await registerPaperVoter(db(), {
      secretKey: TEST_SECRET,
      actor: officer,
      municipalityId,
      cycleId: c.cycle.id,
      idNumber: nextIdNumber(),
      residence: { neighbourhoodId },
      ageGroup: '18-24',
      gender: null,
    });

    const participations = await db().selectFrom('pb_participations').selectAll().where('cycle_id', '=', c.cycle.id).execute();
    const ballots = await db().selectFrom('pb_ballots').selectAll().where('cycle_id', '=', c.cycle.id).execute();
    const choices = await db().selectFrom('pb_ballot_choices').selectAll().where('ballot_id', 'in', receipts).execute();
    assert.equal(participations.length, 9);
    assert.equal(ballots.length, 8);
    // Values that say who or when: every participation column but the shared context (cycle,
    // municipality, channel, residence and demographic fields, which are the same for many).
    const shared = new Set(['municipality_id', 'cycle_id', 'channel', 'arrondissement_id', 'neighbourhood_id', 'gender', 'age_group', 'annulment_id', 'phone_slot']);
    const personal = participations.flatMap((p) =>
      Object.entries(p)
        .filter(([k, v]) => !shared.has(k) && v !== null)
        .map(([, v]) => String(v)),
    );
    const boxValues = [...ballots, ...choices].flatMap((row) => Object.values(row).filter((v) => v !== null).map(String));
    assert.ok(personal.length > 0 && boxValues.length > 0);
    for (const value of boxValues) {
      for (const secret of personal) {
        // Small ids and 0/1 flags coincide by nature (participation 3, project 3); the values
        // that could link — keys, hashes, seals, the hour, ballot ids — are long: compared as
        // substrings both ways (a hash inside an id, an id inside a hash).
        if (secret.length < 6 || value.length < 6) continue;
        assert.ok(!value.includes(secret) && !secret.includes(value), `ballot value ${value} / participation value ${secret}`);
      }
    }
    // No participation id is a ballot id.
    const participationIds = new Set(participations.map((p) => String(p.id)));
    for (const b of ballots) assert.ok(!participationIds.has(b.id));

    // While open, each online or counter participation's seal is one ballot's; paper has none.
    const salt = (await db().selectFrom('pb_cycles').select('seal_salt').where('id', '=', c.cycle.id).executeTakeFirstOrThrow()).seal_salt!;
    const seals = new Set(ballots.map((b) => ballotSeal(TEST_SECRET, salt, b.id)));
    for (const p of participations) {
      if (p.channel === 'paper') assert.equal(p.ballot_seal, null);
      else assert.ok(seals.has(p.ballot_seal!));
    }

    assert.ok((await db().selectFrom('pb_phone_checks').select('id').where('cycle_id', '=', c.cycle.id).execute()).length > 0);
    await db().transaction().execute((trx) => sealCycleBallots(trx, { municipalityId, cycleId: c.cycle.id }));
    const after = await db().selectFrom('pb_participations').select('ballot_seal').where('cycle_id', '=', c.cycle.id).execute();
    assert.ok(after.every((p) => p.ballot_seal === null));
    assert.equal((await db().selectFrom('pb_cycles').select('seal_salt').where('id', '=', c.cycle.id).executeTakeFirstOrThrow()).seal_salt, null);
    // The SMS checks (exact times beside phone hashes) are gone too.
    assert.deepEqual(await db().selectFrom('pb_phone_checks').select('id').where('cycle_id', '=', c.cycle.id).execute(), []);
    // The box itself is untouched.
    assert.equal((await db().selectFrom('pb_ballots').select('id').where('cycle_id', '=', c.cycle.id).execute()).length, 8);
  });
});
