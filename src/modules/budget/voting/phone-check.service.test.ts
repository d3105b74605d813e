import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { MunicipalityRow } from '../../../db/schema.ts';
import { AppError } from '../../../lib/errors.ts';
import { addMinutes, nowIso } from '../../../lib/time.ts';
import { createTestCycle, type TestCycle } from '../budget.test-support.ts';
import { CHECKS_PER_IP_PER_HOUR, confirmPhoneCheck, startPhoneCheck } from './phone-check.service.ts';
import { castOnlineBallot } from './voting.service.ts';
import { firstNeighbourhood, nextIdNumber, TEST_SECRET } from './voting.test-support.ts';

function keys(error: unknown): Record<string, string> {
  assert.ok(error instanceof AppError, String(error));
  return Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, typeof v === 'string' ? v : v.key]));
}

describeEachDatabase('SMS checks before an online ballot', ({ db }) => {
  let municipality: MunicipalityRow;
  let c: TestCycle;
  let neighbourhoodId: number;
  let phones = 0;

  before(async () => {
    municipality = await createTestMunicipality(db(), 'sms');
    c = await createTestCycle(db(), municipality.id, { cycle: { max_voters_per_phone: 2 } });
    neighbourhoodId = (await firstNeighbourhood(db(), municipality.id)).id;
  });

  const newPhone = () => `2${String(3_000_000 + ++phones).padStart(7, '0')}`;

  function start(phone: string, extra: { ip?: string; now?: string; cycleId?: number } = {}) {
    return startPhoneCheck(db(), {
      secretKey: TEST_SECRET,
      municipality,
      cycleId: extra.cycleId ?? c.cycle.id,
      phone,
      ip: extra.ip ?? '192.0.2.50',
      locale: 'ar',
      ...(extra.now ? { now: extra.now } : {}),
    });
  }

  async function lastSms(recipient: string): Promise<string> {
    const row = await db().selectFrom('outbox_messages').select(['body', 'channel', 'purpose']).where('recipient', '=', recipient).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(row.channel, 'sms');
    assert.equal(row.purpose, 'budget_vote_code');
    return row.body;
  }

  function vote(token: string) {
    return castOnlineBallot(db(), {
      secretKey: TEST_SECRET,
      municipalityId: municipality.id,
      cycleId: c.cycle.id,
      token,
      idNumber: nextIdNumber(),
      residence: { neighbourhoodId },
      ageGroup: '25-34',
      gender: null,
      declaredEligible: true,
      choices: [{ projectId: c.projects[0]!.id, value: 1 }],
      ip: '192.0.2.50',
    });
  }

  test('a code by SMS in Arabic, typed back (Arabic-Indic digits too), gives a token that votes once', async () => {
    const phone = newPhone();
    const { checkId } = await start(` ${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5)} `);
    const body = await lastSms(`+216${phone}`);
    assert.match(body, /^رمز التصويت في الميزانية التشاركية: \d{6}\./);
    const code = /(\d{6})/.exec(body)![1]!;
    const stored = await db().selectFrom('pb_phone_checks').selectAll().where('id', '=', checkId).executeTakeFirstOrThrow();
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(`${code}|${phone}`));
    const arabic = code.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));
    const { token } = await confirmPhoneCheck(db(), { secretKey: TEST_SECRET, municipalityId: municipality.id, cycleId: c.cycle.id, checkId, code: arabic });
    assert.ok((await vote(token)).receipt);
    assert.deepEqual(keys(await vote(token).catch((e) => e)), { _form: 'budget.vote.error.token_used' });
    // A confirmed check cannot be confirmed again.
    await assert.rejects(confirmPhoneCheck(db(), { secretKey: TEST_SECRET, municipalityId: municipality.id, cycleId: c.cycle.id, checkId, code }), (e) => keys(e).code === 'budget.vote.error.invalid_code');
  });

  test('five wrong guesses end a check; an expired code does not work', async () => {
    const phone = newPhone();
    const { checkId } = await start(phone);
    const code = /(\d{6})/.exec(await lastSms(`+216${phone}`))![1]!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      await assert.rejects(confirmPhoneCheck(db(), { secretKey: TEST_SECRET, municipalityId: municipality.id, cycleId: c.cycle.id, checkId, code: wrong }), (e) => keys(e).code === 'budget.vote.error.invalid_code');
    }
    await assert.rejects(confirmPhoneCheck(db(), { secretKey: TEST_SECRET, municipalityId: municipality.id, cycleId: c.cycle.id, checkId, code }), (e) => keys(e).code === 'budget.vote.error.invalid_code');

    const late = newPhone();
    const second = await start(late);
    const lateCode = /(\d{6})/.exec(await lastSms(`+216${late}`))![1]!;
    await assert.rejects(
      confirmPhoneCheck(db(), { secretKey: TEST_SECRET, municipalityId: municipality.id, cycleId: c.cycle.id, checkId: second.checkId, code: lateCode, now: addMinutes(nowIso(), 11) }),
      (e) => keys(e).code === 'budget.vote.error.invalid_code',
    );
    // A check of another cycle is not found through this one.
    const other = await createTestCycle(db(), municipality.id);
    await assert.rejects(
      confirmPhoneCheck(db(), { secretKey: TEST_SECRET, municipalityId: municipality.id, cycleId: other.cycle.id, checkId: second.checkId, code: lateCode }),
      (e) => keys(e).code === 'budget.vote.error.invalid_code',
    );
  });

  test('limits: a minute between codes, five an hour per phone, twenty an hour per address', async () => {
    const phone = newPhone();
    const t0 = nowIso();
    await start(phone, { now: t0 });
    await assert.rejects(start(phone, { now: addMinutes(t0, 0.5) }), (e) => e instanceof AppError && e.code === 'rate_limited' && keys(e).phone === 'budget.vote.error.resend_pause');
    for (let i = 1; i < 5; i++) await start(phone, { now: addMinutes(t0, i * 2) });
    await assert.rejects(start(phone, { now: addMinutes(t0, 12) }), (e) => keys(e).phone === 'budget.vote.error.too_many_checks');
    await start(phone, { now: addMinutes(t0, 61) });

    const ip = '198.51.100.99';
    for (let i = 0; i < CHECKS_PER_IP_PER_HOUR; i++) await start(newPhone(), { ip });
    await assert.rejects(start(newPhone(), { ip }), (e) => keys(e)._form === 'budget.vote.error.too_many_checks_ip');
    await start(newPhone(), { ip: '198.51.100.100' });
  });

  test('refused: a phone with its voters, a number that is not one, a cycle not voting online', async () => {
    const phone = newPhone();
    for (let i = 0; i < 2; i++) {
      const { checkId } = await start(phone, { now: addMinutes(nowIso(), -4 + i * 2) });
      const code = /(\d{6})/.exec(await lastSms(`+216${phone}`))![1]!;
      const { token } = await confirmPhoneCheck(db(), { secretKey: TEST_SECRET, municipalityId: municipality.id, cycleId: c.cycle.id, checkId, code });
      await vote(token);
    }
    await assert.rejects(start(phone), (e) => keys(e).phone === 'budget.vote.error.phone_full');
    await assert.rejects(start('12'), (e) => keys(e).phone === 'budget.vote.error.invalid_phone');
    const closed = await createTestCycle(db(), municipality.id, { phase: 'counting' });
    await assert.rejects(start(newPhone(), { cycleId: closed.cycle.id }), (e) => keys(e)._form === 'budget.vote.error.not_open');
    const noOnline = await createTestCycle(db(), municipality.id, { cycle: { online_voting: 0 } });
    await assert.rejects(start(newPhone(), { cycleId: noOnline.cycle.id }), (e) => keys(e)._form === 'budget.vote.error.channel_closed');
  });
});
