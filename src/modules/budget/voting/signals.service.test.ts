import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { Actor } from '../../../auth/policies.ts';
import { randomToken } from '../../../lib/crypto.ts';
import { AppError } from '../../../lib/errors.ts';
import { createTestCycle } from '../budget.test-support.ts';
import { fraudSignals, localHourOf } from './signals.service.ts';
import { createBudgetOfficer } from './voting.test-support.ts';

test('hours are read in Tunis time', () => {
  assert.equal(localHourOf('2027-03-10T22'), '2027-03-10T23');
  assert.equal(localHourOf('2027-03-10T23'), '2027-03-11T00');
});

describeEachDatabase('fraud signals', ({ db }) => {
  let municipalityId: number;
  let officer: NonNullable<Actor>;
  let cycleId: number;
  const ids: Record<string, number[]> = {};

  async function participate(group: string, hour: string, extra: { ip?: string; phone?: string; slot?: number; annulled?: boolean } = {}): Promise<void> {
    let annulmentId: number | null = null;
    if (extra.annulled) {
      annulmentId = (
        await db()
          .insertInto('pb_annulments')
          .values({ municipality_id: municipalityId, cycle_id: cycleId, reason: 'test', participation_count: 1, decided_by: null, created_at: '2027-03-12T00:00:00Z' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    }
    const row = await db()
      .insertInto('pb_participations')
      .values({
        municipality_id: municipalityId,
        cycle_id: cycleId,
        voter_key: randomToken(),
        channel: 'online',
        phone_hash: extra.phone ?? `phone-${randomToken(4)}`,
        phone_slot: extra.slot ?? 1,
        ip_hash: extra.ip ?? `ip-${randomToken(4)}`,
        arrondissement_id: null,
        neighbourhood_id: null,
        gender: null,
        age_group: '25-34',
        voted_hour: hour,
        verified_by: null,
        ballot_seal: null,
        annulment_id: annulmentId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    (ids[group] ??= []).push(row.id);
  }

  async function check(ip: string, outcome: 'failed' | 'verified'): Promise<void> {
    await db()
      .insertInto('pb_phone_checks')
      .values({
        municipality_id: municipalityId,
        cycle_id: cycleId,
        phone_hash: `phone-${randomToken(4)}`,
        code_hash: 'x',
        attempts: outcome === 'failed' ? 5 : 1,
        expires_at: '2027-03-10T10:10:00.000Z',
        verified_at: outcome === 'verified' ? '2027-03-10T10:01:00.000Z' : null,
        token_hash: null,
        token_used_at: null,
        ip_hash: ip,
        created_at: '2027-03-10T10:00:00.000Z',
      })
      .execute();
  }

  before(async () => {
    municipalityId = (await createTestMunicipality(db(), 'signals')).id;
    officer = await createBudgetOfficer(db(), municipalityId);
    cycleId = (await createTestCycle(db(), municipalityId)).cycle.id;
    // A steady day: 5 an hour from 08:00 to 17:00 UTC.
    for (let h = 8; h <= 17; h++) for (let i = 0; i < 5; i++) await participate('day', `2027-03-10T${String(h).padStart(2, '0')}`);
    // A burst at 22:00 UTC (23:00 in Tunis): 40, of which 15 from one address.
    for (let i = 0; i < 15; i++) await participate('burst-ip', '2027-03-10T22', { ip: 'ip-AAAAAAAAAAAA' });
    for (let i = 0; i < 25; i++) await participate('burst', '2027-03-10T22');
    // After midnight in Tunis: 4 at 23:00 UTC, 6 at 01:00 UTC.
    for (let i = 0; i < 4; i++) await participate('night', '2027-03-10T23');
    for (let i = 0; i < 6; i++) await participate('night', '2027-03-11T01');
    // One phone with three voters, one with two (at different hours, so no burst by them).
    for (const [slot, hour] of [[1, '2027-03-10T09'], [2, '2027-03-10T12'], [3, '2027-03-10T15']] as const) await participate('phone-x', hour, { phone: 'phone-XXXXXXXX', slot });
    for (const [slot, hour] of [[1, '2027-03-10T10'], [2, '2027-03-10T11']] as const) await participate('phone-y', hour, { phone: 'phone-YYYYYYYY', slot });
    // An annulled participation is left out of everything.
    await participate('annulled', '2027-03-10T22', { ip: 'ip-AAAAAAAAAAAA', phone: 'phone-XXXXXXXX', slot: 4, annulled: true });
    for (let i = 0; i < 6; i++) await check('ip-BBBBBBBBBBBB', 'failed');
    await check('ip-BBBBBBBBBBBB', 'verified');
    await check('ip-CCCCCCCCCCCC', 'failed');
    await check('ip-DDDDDDDDDDDD', 'verified');
  });

  test('reports bursts, shared phones, night voting and failed checks with the participations behind them', async () => {
    const s = await fraudSignals(db(), { actor: officer, municipalityId, cycleId, now: '2027-03-12T00:00:00.000Z' });
    assert.equal(s.participations, 50 + 40 + 10 + 5);
    // Every hour from the first to the last, empty hours included.
    assert.equal(s.hourly.length, 18);
    assert.equal(s.hourly[0]!.hour, '2027-03-10T08');
    assert.equal(s.hourly.at(-1)!.hour, '2027-03-11T01');
    assert.equal(s.hourly.find((h) => h.hour === '2027-03-10T19')!.count, 0);
    assert.equal(s.hourly.reduce((sum, h) => sum + h.count, 0), s.participations);
    // Hours 08–17 have 5 each, plus one shared-phone voter at 09, 10, 11, 12 and 15.
    assert.equal(s.medianHourly, 6);

    assert.equal(s.burstHours.length, 1);
    assert.equal(s.burstHours[0]!.hour, '2027-03-10T22');
    assert.equal(s.burstHours[0]!.localHour, '2027-03-10T23');
    assert.equal(s.burstHours[0]!.count, 40);
    assert.deepEqual([...s.burstHours[0]!.participationIds].sort((a, b) => a - b), [...ids['burst-ip']!, ...ids.burst!].sort((a, b) => a - b));

    assert.equal(s.ipBursts.length, 1);
    assert.equal(s.ipBursts[0]!.count, 15);
    assert.equal(s.ipBursts[0]!.ip, 'ip-AAAAAAA');
    assert.deepEqual(s.ipBursts[0]!.participationIds, ids['burst-ip']);

    assert.deepEqual(
      s.sharedPhones.map((p) => ({ phone: p.phone, count: p.count, flagged: p.flagged, ids: p.participationIds })),
      [
        { phone: 'phone-XXXX', count: 3, flagged: true, ids: ids['phone-x'] },
        { phone: 'phone-YYYY', count: 2, flagged: false, ids: ids['phone-y'] },
      ],
    );

    assert.deepEqual(
      s.nightByDay.map((d) => ({ day: d.day, total: d.total, night: d.night, share: d.share })),
      [
        { day: '2027-03-10', total: 95, night: 0, share: 0 },
        { day: '2027-03-11', total: 10, night: 10, share: 1 },
      ],
    );
    assert.deepEqual(s.nightByDay[1]!.participationIds, ids.night);

    assert.deepEqual(s.failedChecksByIp, [
      { ip: 'ip-BBBBBBB', failed: 6, checks: 7, flagged: true },
      { ip: 'ip-CCCCCCC', failed: 1, checks: 1, flagged: false },
    ]);
  });

  test('thresholds can be tuned; the report needs the right role', async () => {
    const s = await fraudSignals(db(), { actor: officer, municipalityId, cycleId, thresholds: { ipPerHour: 20, phoneVoters: 2, burstMinimum: 50 } });
    assert.deepEqual(s.ipBursts, []);
    assert.deepEqual(s.burstHours, []);
    assert.ok(s.sharedPhones.every((p) => p.flagged));
    const agent: Actor = { userId: officer.userId, municipalityId, roles: [{ role: 'staff_agent', departmentId: 1 }] };
    await assert.rejects(fraudSignals(db(), { actor: agent, municipalityId, cycleId }), (e) => e instanceof AppError && e.code === 'forbidden');
    await assert.rejects(fraudSignals(db(), { actor: officer, municipalityId, cycleId: 987654 }), (e) => e instanceof AppError && e.code === 'not_found');
  });
});
