import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffAuditValues } from './audit-diff.ts';

test('an update reads as one row per field, with before and after', () => {
  const rows = diffAuditValues(JSON.stringify({ name_fr: 'Zitouna', active: 1 }), JSON.stringify({ name_fr: 'Zitouna II', active: 1 }));
  assert.deepEqual(rows, [
    { field: 'name_fr', before: 'Zitouna', after: 'Zitouna II', kind: 'changed' },
    { field: 'active', before: '1', after: '1', kind: 'unchanged' },
  ]);
});

test('a creation has only "after" values, a deletion only "before" values', () => {
  assert.deepEqual(diffAuditValues(null, JSON.stringify({ code: 'technical' })), [{ field: 'code', before: null, after: 'technical', kind: 'added' }]);
  assert.deepEqual(diffAuditValues(JSON.stringify({ code: 'technical' }), null), [{ field: 'code', before: 'technical', after: null, kind: 'removed' }]);
});

test('nested values are shown as JSON, and an entry without values has no rows', () => {
  assert.deepEqual(diffAuditValues(null, JSON.stringify({ name: { ar: 'أ', fr: 'A' } })), [
    { field: 'name', before: null, after: '{"ar":"أ","fr":"A"}', kind: 'added' },
  ]);
  assert.deepEqual(diffAuditValues(null, null), []);
});

test('values that are not objects are shown as one row', () => {
  assert.deepEqual(diffAuditValues(JSON.stringify([1, 2]), JSON.stringify([1, 2, 3])), [{ field: '', before: '[1,2]', after: '[1,2,3]', kind: 'changed' }]);
});

test('an emptied field reads as empty, not as the word "null"', () => {
  assert.deepEqual(diffAuditValues(JSON.stringify({ email: 'a@b.tn' }), JSON.stringify({ email: null })), [
    { field: 'email', before: 'a@b.tn', after: null, kind: 'changed' },
  ]);
});
