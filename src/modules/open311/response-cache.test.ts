import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { createResponseCache } from './response-cache.ts';

test('one build per key while fresh, shared by concurrent callers; gzip and ETag of the body', async () => {
  let clock = 0;
  let builds = 0;
  const cache = createResponseCache({ ttlMs: 1000, maxBytes: 1_000_000, now: () => clock });
  const build = async () => {
    builds += 1;
    return `{"n":${builds}}`;
  };
  const [a, b] = await Promise.all([cache.get('k', build), cache.get('k', build)]);
  assert.equal(builds, 1);
  assert.equal(a, b);
  assert.equal(a.body, '{"n":1}');
  assert.equal(gunzipSync(a.gzip).toString(), a.body);
  assert.match(a.etag, /^"[A-Za-z0-9_-]+"$/);
  assert.equal((await cache.get('other', build)).body, '{"n":2}');
  clock = 999;
  assert.equal((await cache.get('k', build)).body, '{"n":1}');
  clock = 1000;
  assert.equal((await cache.get('k', build)).body, '{"n":3}', 'rebuilt once expired');
});

test('errors are not kept; the size limit evicts the oldest entries', async () => {
  const cache = createResponseCache({ ttlMs: 60_000, maxBytes: 200, now: () => 0 });
  await assert.rejects(cache.get('bad', async () => Promise.reject(new Error('no'))), /no/);
  assert.equal((await cache.get('bad', async () => 'fine')).body, 'fine', 'the failure was not cached');
  let builds = 0;
  const build = async () => `${'x'.repeat(60)}${++builds}`;
  await cache.get('one', build);
  await cache.get('two', build);
  await cache.get('three', build);
  await cache.get('one', build);
  assert.equal(builds, 4, 'the oldest entry was evicted to stay under the size limit');
});
