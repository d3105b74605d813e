import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translator } from '../../i18n/i18n.ts';
import { formatTnd, formatTndValue, tndTemplate } from './money.ts';

const ar = translator('ar');
const fr = translator('fr');
const en = translator('en');

/** The figure alone: no isolates, no currency. */
function figure(text: string): string {
  return text.replace(/[\u2066\u2069]/g, '').replace(/\s*(د\.ت|DT|TND)\s*/g, '');
}

test('Arabic: 120 000 dinars is never written "120.000" (which Tunisians read as 120 dinars)', () => {
  const text = formatTnd(ar, 120_000_000);
  assert.ok(!text.includes('120.000'), text);
  // ar-TN's own number format would have put a point there: the test would catch a return to it.
  assert.equal(ar.formatNumber(120_000), '120.000');
  assert.equal(figure(text), '120\u202f000');
  assert.equal(figure(text).replace(/\u202f/g, ''), '120000');
  assert.equal(text, '\u2066120\u202f000\u2069 د.ت');
  // With millimes, after a comma, three digits as on an invoice.
  assert.equal(figure(formatTnd(ar, 120_000_500)), '120\u202f000,500');
  assert.equal(figure(formatTnd(ar, 120_500)), '120,500');
});

test('French and English: grouped thousands, millimes with three digits', () => {
  assert.equal(formatTnd(fr, 120_000_000), '120\u202f000 DT');
  assert.equal(formatTnd(fr, 150_000_500), '150\u202f000,500 DT');
  assert.equal(formatTnd(en, 150_000_500), '150,000.500 TND');
  assert.equal(formatTnd(en, 999_000), '999 TND');
  assert.equal(formatTnd(en, 1_000_000_000_000), '1,000,000,000 TND');
  assert.equal(formatTnd(fr, -2_500), '-2,500 DT');
  assert.equal(formatTnd(ar, -2_500), '\u2066-2,500\u2069 د.ت');
  assert.equal(formatTnd(fr, 0), '0 DT');
});

test('amounts in dinars (exact values of the rules) are rounded to the millime and written the same way', () => {
  assert.equal(formatTndValue(fr, 12.5), '12,500 DT');
  assert.equal(formatTndValue(en, 40_000), '40,000 TND');
  assert.equal(formatTndValue(en, 1 / 3), '0.333 TND');
  assert.equal(figure(formatTndValue(ar, 120_000)), '120\u202f000');
});

test('the ballot meter template puts the amount where formatTnd does, isolated in Arabic', () => {
  assert.equal(tndTemplate(ar), '\u2066{amount}\u2069 د.ت');
  assert.equal(tndTemplate(fr), '{amount} DT');
  assert.equal(tndTemplate(ar).replace('{amount}', '120\u202f000'), formatTnd(ar, 120_000_000));
});
