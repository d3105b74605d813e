import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canReopen,
  canTransition,
  COMPLAINT_STATUSES,
  currentDeadline,
  daysUntil,
  formatTrackingNumber,
  normalizeTrackingNumber,
  reopenTarget,
} from './complaints.ts';

test('tracking numbers read like KEF-2026-000123', () => {
  assert.equal(formatTrackingNumber('KEF', 2026, 123), 'KEF-2026-000123');
  assert.equal(formatTrackingNumber('KEF', 2026, 1234567), 'KEF-2026-1234567');
});

test('tracking numbers typed loosely are understood', () => {
  for (const typed of ['kef-2026-000123', 'KEF 2026 000123', 'kef2026000123', ' KEF–2026–123 ', 'KEF-٢٠٢٦-٠٠٠١٢٣']) {
    assert.equal(normalizeTrackingNumber(typed), 'KEF-2026-000123', typed);
  }
  for (const bad of ['', '123', 'KEF-20-1', 'hello world', 'K-2026-1']) assert.equal(normalizeTrackingNumber(bad), null, bad);
});

test('the workflow: forward moves only, finished complaints only reopen', () => {
  assert.ok(canTransition('received', 'acknowledged'));
  assert.ok(canTransition('assigned', 'in_progress'));
  assert.ok(canTransition('in_progress', 'resolved'));
  assert.ok(canTransition('resolved', 'closed'));
  assert.ok(!canTransition('in_progress', 'received'));
  assert.ok(!canTransition('closed', 'resolved'));
  assert.ok(!canTransition('received', 'closed'), 'closing needs a resolution first');
  for (const status of COMPLAINT_STATUSES) assert.ok(!canTransition(status, status), `${status} → itself`);
  assert.deepEqual(
    COMPLAINT_STATUSES.filter(canReopen),
    ['resolved', 'closed', 'rejected', 'duplicate', 'forwarded'],
  );
  assert.equal(reopenTarget(true), 'in_progress');
  assert.equal(reopenTarget(false), 'acknowledged');
});

test('days until a deadline: positive ahead, negative late, rounded away from zero', () => {
  const now = '2026-11-27T12:00:00.000Z';
  assert.equal(daysUntil('2026-11-29T12:00:00.000Z', now), 2);
  assert.equal(daysUntil('2026-11-27T13:00:00.000Z', now), 1);
  assert.equal(daysUntil('2026-11-26T12:00:00.000Z', now), -1);
  assert.equal(daysUntil('2026-11-20T11:00:00.000Z', now), -8);
});

test('the deadline that matters: acknowledgement, then resolution, none when finished', () => {
  const base = { acknowledged_at: null, ack_due_at: 'A', resolve_due_at: 'R' };
  assert.deepEqual(currentDeadline({ ...base, status: 'received' }), { kind: 'acknowledge', dueAt: 'A' });
  assert.deepEqual(currentDeadline({ ...base, status: 'assigned', acknowledged_at: 'x' }), { kind: 'resolve', dueAt: 'R' });
  assert.equal(currentDeadline({ ...base, status: 'resolved' }), null);
});
