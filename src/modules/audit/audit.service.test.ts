import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import { describeEachDatabase, openSecondHandle } from '../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../test/support/fixtures.ts';
import { hashAuditRow, recordAudit, verifyAuditChain, type AuditEntry } from './audit.service.ts';

function entry(municipalityId: number, n: number): AuditEntry {
  return {
    municipalityId,
    actor: { userId: null, label: `agent ${n}` },
    action: 'department.updated',
    entityType: 'department',
    entityId: n,
    before: { name: `قديم ${n}` },
    after: { name: `جديد ${n}` },
  };
}

async function appendEntries(db: Db, municipalityId: number, count: number): Promise<void> {
  for (let n = 1; n <= count; n += 1) await db.transaction().execute((trx) => recordAudit(trx, entry(municipalityId, n)));
}

async function rowAt(db: Db, municipalityId: number, seq: number) {
  return db.selectFrom('audit_log').selectAll().where('municipality_id', '=', municipalityId).where('seq', '=', seq).executeTakeFirstOrThrow();
}

describeEachDatabase('audit chain', (suite) => {
  let slugs = 0;
  /** Each test gets its own municipality, hence its own chain. */
  async function freshChain(count: number): Promise<MunicipalityRow> {
    slugs += 1;
    const municipality = await createTestMunicipality(suite.db(), `audit-${slugs}`);
    await appendEntries(suite.db(), municipality.id, count);
    return municipality;
  }

  test('a chain written by recordAudit verifies, with progress', async () => {
    const m = await freshChain(5);
    const progress: number[] = [];
    // createMunicipality wrote the first entry; ours follow.
    const result = await verifyAuditChain(suite.db(), m.id, (n) => progress.push(n));
    assert.deepEqual(result, { ok: true, municipalityId: m.id, checked: 6 });
    assert.deepEqual(progress, [6]);
    const rows = await suite.db().selectFrom('audit_log').selectAll().where('municipality_id', '=', m.id).orderBy('seq').execute();
    assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3, 4, 5, 6]);
    for (let i = 1; i < rows.length; i += 1) assert.equal(rows[i]!.prev_hash, rows[i - 1]!.hash);
    assert.deepEqual(JSON.parse(rows[5]!.after_json!), { name: 'جديد 5' });
  });

  test('chains longer than a page verify across page boundaries', async () => {
    const m = await freshChain(9);
    const progress: number[] = [];
    assert.deepEqual(await verifyAuditChain(suite.db(), m.id, (n) => progress.push(n), { pageSize: 4 }), { ok: true, municipalityId: m.id, checked: 10 });
    assert.deepEqual(progress, [4, 8, 10]);
    await suite.db().deleteFrom('audit_log').where('municipality_id', '=', m.id).where('seq', '=', 5).execute();
    const result = await verifyAuditChain(suite.db(), m.id, undefined, { pageSize: 4 });
    assert.deepEqual(result, { ok: false, municipalityId: m.id, checked: 4, brokenAtSeq: 5, reason: 'missing entry' });
  });

  test('changing any field of an entry breaks the chain at that entry', async () => {
    const m = await freshChain(6);
    const db = suite.db();
    const edits: [string, Record<string, unknown>][] = [
      ['after_json', { after_json: JSON.stringify({ name: 'مزوّر' }) }],
      ['actor_label', { actor_label: 'someone else' }],
      ['created_at', { created_at: '2020-01-01T00:00:00.000Z' }],
      ['entity_id', { entity_id: '999' }],
    ];
    for (const [field, change] of edits) {
      const original = await rowAt(db, m.id, 4);
      await db.updateTable('audit_log').set(change).where('id', '=', original.id).execute();
      const result = await verifyAuditChain(db, m.id);
      assert.equal(result.ok, false, field);
      assert.equal(!result.ok && result.brokenAtSeq, 4, field);
      assert.equal(!result.ok && result.reason, 'content does not match its hash', field);
      assert.equal(result.checked, 3);
      const { id, ...restore } = original;
      await db.updateTable('audit_log').set(restore).where('id', '=', id).execute();
      assert.equal((await verifyAuditChain(db, m.id)).ok, true, `restoring ${field} repairs it`);
    }
  });

  test('an entry rewritten with a recomputed hash is caught by the next link', async () => {
    const m = await freshChain(4);
    const db = suite.db();
    const row = await rowAt(db, m.id, 2);
    const { id, hash: _hash, ...fields } = row;
    const forged = { ...fields, after_json: JSON.stringify({ name: 'forged' }) };
    await db.updateTable('audit_log').set({ after_json: forged.after_json, hash: hashAuditRow(forged) }).where('id', '=', id).execute();
    const result = await verifyAuditChain(db, m.id);
    assert.deepEqual(result, { ok: false, municipalityId: m.id, checked: 2, brokenAtSeq: 3, reason: 'previous hash does not match' });
  });

  test('deleting an entry in the middle is found at its number', async () => {
    const m = await freshChain(5);
    await suite.db().deleteFrom('audit_log').where('municipality_id', '=', m.id).where('seq', '=', 3).execute();
    assert.deepEqual(await verifyAuditChain(suite.db(), m.id), { ok: false, municipalityId: m.id, checked: 2, brokenAtSeq: 3, reason: 'missing entry' });
  });

  test('deleting the last entries is found through the recorded end of the chain', async () => {
    const m = await freshChain(5);
    await suite.db().deleteFrom('audit_log').where('municipality_id', '=', m.id).where('seq', '=', 6).execute();
    assert.deepEqual(await verifyAuditChain(suite.db(), m.id), {
      ok: false,
      municipalityId: m.id,
      checked: 5,
      brokenAtSeq: 6,
      reason: 'entries after the last one found are missing',
    });
    await suite.db().deleteFrom('audit_log').where('municipality_id', '=', m.id).execute();
    const emptied = await verifyAuditChain(suite.db(), m.id);
    assert.equal(!emptied.ok && emptied.brokenAtSeq, 1, 'an emptied log is not an intact one');
  });

  test('an entry appended behind the head’s back is found', async () => {
    const m = await freshChain(2);
    const db = suite.db();
    const last = await rowAt(db, m.id, 3);
    const { id: _id, hash: _hash, ...fields } = last;
    const extra = { ...fields, seq: 4, prev_hash: last.hash, action: 'user.invented' };
    await db.insertInto('audit_log').values({ ...extra, hash: hashAuditRow(extra) }).execute();
    const result = await verifyAuditChain(db, m.id);
    assert.equal(!result.ok && result.brokenAtSeq, 4);
  });

  test('the chains of two municipalities are independent', async () => {
    const a = await freshChain(3);
    const b = await freshChain(2);
    const db = suite.db();
    assert.equal((await rowAt(db, b.id, 1)).prev_hash, '0'.repeat(64), 'each chain starts from the genesis hash');
    await db.updateTable('audit_log').set({ actor_label: 'tampered' }).where('municipality_id', '=', a.id).where('seq', '=', 2).execute();
    assert.equal((await verifyAuditChain(db, a.id)).ok, false);
    assert.deepEqual(await verifyAuditChain(db, b.id), { ok: true, municipalityId: b.id, checked: 3 });
    await db.transaction().execute((trx) => recordAudit(trx, entry(b.id, 99)));
    assert.equal((await rowAt(db, b.id, 4)).entity_id, '99');
  });

  test('an entry recorded in a transaction that rolls back leaves no trace', async () => {
    const m = await freshChain(1);
    await assert.rejects(
      suite.db().transaction().execute(async (trx) => {
        await recordAudit(trx, entry(m.id, 7));
        throw new Error('the change failed');
      }),
    );
    await suite.db().transaction().execute((trx) => recordAudit(trx, entry(m.id, 8)));
    const rows = await suite.db().selectFrom('audit_log').select(['seq', 'entity_id']).where('municipality_id', '=', m.id).orderBy('seq').execute();
    assert.deepEqual(rows.map((r) => [r.seq, r.entity_id]).slice(1), [
      [2, '1'],
      [3, '8'],
    ]);
    assert.equal((await verifyAuditChain(suite.db(), m.id)).ok, true);
  });

  test('20 concurrent transactions append 20 entries without gaps', async () => {
    slugs += 1;
    const m = await createTestMunicipality(suite.db(), `audit-${slugs}`);
    // On PostgreSQL from two connection pools, as two app processes. SQLite in one process
    // queues transactions on its one connection (a second connection in the same thread would
    // wait on a lock its own thread holds).
    const other = suite.kind === 'postgres' ? openSecondHandle(suite.handle()) : undefined;
    try {
      const pools = other ? [suite.db(), other.db] : [suite.db()];
      await Promise.all(
        Array.from({ length: 20 }, (_, n) => pools[n % pools.length]!.transaction().execute((trx) => recordAudit(trx, entry(m.id, n + 100)))),
      );
    } finally {
      await other?.destroy();
    }
    const rows = await suite.db().selectFrom('audit_log').select(['seq', 'entity_id']).where('municipality_id', '=', m.id).orderBy('seq').execute();
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 21 }, (_, i) => i + 1));
    assert.equal(new Set(rows.map((r) => r.entity_id)).size, 21, 'every append is there once');
    assert.deepEqual(await verifyAuditChain(suite.db(), m.id), { ok: true, municipalityId: m.id, checked: 21 });
  });

  test('concurrent first entries of a new chain do not collide', async () => {
    slugs += 1;
    const m = await createTestMunicipality(suite.db(), `audit-${slugs}`);
    // Start from an empty chain, as after a fresh install with no head row yet.
    await suite.db().deleteFrom('audit_log').where('municipality_id', '=', m.id).execute();
    await suite.db().deleteFrom('audit_chain_heads').where('municipality_id', '=', m.id).execute();
    await Promise.all(Array.from({ length: 10 }, (_, n) => suite.db().transaction().execute((trx) => recordAudit(trx, entry(m.id, n)))));
    assert.deepEqual(await verifyAuditChain(suite.db(), m.id), { ok: true, municipalityId: m.id, checked: 10 });
  });
});
