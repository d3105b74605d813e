import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml, open311DateTime, parseOpen311DateTime, toJson, toXml } from './open311.format.ts';
import { jsonAsText, parseXml, xmlToPlain } from './open311.test-support.ts';

test('XML escapes markup, quotes and ampersands, and reads back as the same text', () => {
  const hostile = `<script>alert("x")</script> & 'quotes' — حي النور > ]]>`;
  const xml = toXml('services', [{ service_code: 'a&b', service_name: hostile, metadata: false, order: 3, group: null }]);
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<services><service>'));
  assert.doesNotMatch(xml, /<script>/);
  assert.match(xml, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &apos;quotes&apos;/);
  const plain = xmlToPlain(parseXml(xml));
  assert.deepEqual(plain, [{ service_code: 'a&b', service_name: hostile, metadata: 'false', order: '3', group: '' }]);
});

test('characters XML cannot carry become U+FFFD instead of breaking the document', () => {
  const text = `bell\u0007 nul\u0000 lone\uD800 fffe\uFFFE emoji😀 tab\t`;
  const escaped = escapeXml(text);
  assert.equal(escaped, 'bell\uFFFD nul\uFFFD lone\uFFFD fffe\uFFFD emoji😀 tab\t');
  assert.doesNotThrow(() => parseXml(toXml('errors', [{ code: 400, description: text }])));
});

test('lists follow the Spark convention in both formats; undefined fields are left out of both', () => {
  const value = { service_code: 'lighting', attributes: [{ code: 'n', values: [{ key: 'a', name: 'A' }] }], skipped: undefined };
  assert.equal(
    toXml('service_definition', value),
    '<?xml version="1.0" encoding="UTF-8"?>\n<service_definition><service_code>lighting</service_code><attributes><attribute><code>n</code><values><value><key>a</key><name>A</name></value></values></attribute></attributes></service_definition>\n',
  );
  assert.equal(toJson(value), '{"service_code":"lighting","attributes":[{"code":"n","values":[{"key":"a","name":"A"}]}]}');
  assert.deepEqual(xmlToPlain(parseXml(toXml('service_definition', value))), jsonAsText(JSON.parse(toJson(value))));
  assert.equal(toXml('errors', []), '<?xml version="1.0" encoding="UTF-8"?>\n<errors/>\n');
  assert.throws(() => toXml('unknown_list', [1]), /No item element name/);
  assert.throws(() => toXml('bad name', 'x'), /Not an XML element name/);
});

test('dates carry the Africa/Tunis offset', () => {
  assert.equal(open311DateTime('2026-03-01T13:05:09.123Z'), '2026-03-01T14:05:09+01:00');
  assert.equal(open311DateTime('2025-12-31T23:30:00.000Z'), '2026-01-01T00:30:00+01:00');
});

test('W3C dates are read with their zone; a plain day is El Kef’s midnight; anything else is refused', () => {
  assert.equal(parseOpen311DateTime('2010-01-01T00:00:00Z'), Date.parse('2010-01-01T00:00:00Z'));
  assert.equal(parseOpen311DateTime('2026-03-01T10:00:00+01:00'), Date.parse('2026-03-01T09:00:00Z'));
  assert.equal(parseOpen311DateTime('2026-03-01T10:00+01:00'), Date.parse('2026-03-01T09:00:00Z'));
  assert.equal(parseOpen311DateTime('2026-03-01'), Date.parse('2026-02-28T23:00:00Z'));
  for (const bad of ['2026-03-01T10:00:00', '2026-02-30T00:00:00Z', '2026-13-01', 'yesterday', '1700000000', '2026-03-01T25:00:00Z', '2026-03-01T10:00:00+25:00', '']) {
    assert.equal(parseOpen311DateTime(bad), null, bad);
  }
});
