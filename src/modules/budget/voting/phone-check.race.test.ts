// The one-minute pause between two codes to a phone, and the hourly limits, must hold for
// requests that arrive together (from many addresses): otherwise a burst floods the phone with
// codes and runs up the SMS bill.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeEachDatabase } from '../../../../test/support/databases.ts';
import { createTestMunicipality } from '../../../../test/support/fixtures.ts';
import type { MunicipalityRow } from '../../../db/schema.ts';
import { AppError } from '../../../lib/errors.ts';
import { createTestCycle, type TestCycle } from '../budget.test-support.ts';
import { startPhoneCheck } from './phone-check.service.ts';
import { TEST_SECRET } from './voting.test-support.ts';

describeEachDatabase('SMS codes asked for one phone at the same moment', ({ db }) => {
  let municipality: MunicipalityRow;
  let c: TestCycle;

  before(async () => {
    municipality = await createTestMunicipality(db(), 'smsrace');
    c = await createTestCycle(db(), municipality.id);
  });

  test('one code is sent; the others are told to wait', async () => {
    for (let round = 0; round < 5; round += 1) {
      const local = `2${String(4_000_000 + round).padStart(7, '0')}`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          startPhoneCheck(db(), { secretKey: TEST_SECRET, municipality, cycleId: c.cycle.id, phone: local, ip: `198.51.100.${round * 10 + i}`, locale: 'fr' }),
        ),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, `round ${round}: one check started`);
      for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof AppError && o.reason.code === 'rate_limited', String(o.reason));
      const sms = await db().selectFrom('outbox_messages').select('id').where('recipient', '=', `+216${local}`).execute();
      assert.equal(sms.length, 1, `round ${round}: one SMS`);
    }
  });
});
