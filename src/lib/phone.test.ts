import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPhone, normalizePhone, toLatinDigits } from './phone.ts';

test('Tunisian numbers in every usual spelling become the same E.164 number', () => {
  for (const typed of [
    '22 123 456',
    '22123456',
    '+216 22 123 456',
    '+21622123456',
    '0021622123456',
    '00 216 22 123 456',
    '21622123456',
    '22-123-456',
    '22.123.456',
    '(+216) 22 123 456',
    ' 22\u00A0123\u202F456 ',
    '٢٢١٢٣٤٥٦',
    '+٢١٦ ٢٢ ١٢٣ ٤٥٦',
    '۲۲۱۲۳۴۵۶',
    '\u200E+216 22 123 456\u200E',
  ]) {
    assert.equal(normalizePhone(typed), '+21622123456', typed);
  }
});

test('a Tunisian number must have exactly 8 national digits', () => {
  for (const typed of ['2212345', '221234567', '+216 2212345', '+216 221234567', '02 212 345', '216221234567']) {
    assert.equal(normalizePhone(typed), null, typed);
  }
});

test('numbers of other countries are accepted in international form with 8 to 15 digits', () => {
  assert.equal(normalizePhone('+33 6 12 34 56 78'), '+33612345678');
  assert.equal(normalizePhone('0033612345678'), '+33612345678');
  assert.equal(normalizePhone('+213 551 23 45 67'), '+213551234567');
  assert.equal(normalizePhone('+1234567'), null, 'seven digits');
  assert.equal(normalizePhone('+1234567890123456'), null, 'sixteen digits');
  assert.equal(normalizePhone('+0123456789'), null, 'no country code starts with 0');
});

test('another default country reads national numbers, dropping a trunk 0', () => {
  assert.equal(normalizePhone('06 12 34 56 78', '33'), '+33612345678');
  assert.equal(normalizePhone('+216 22 123 456', '33'), '+21622123456');
});

test('anything that is not a phone number is refused', () => {
  for (const typed of ['', '   ', 'abc', '22 123 45a', 'name@example.tn', '+', '++21622123456', '22+123456', '+216 22 123 456 ext 3']) {
    assert.equal(normalizePhone(typed), null, typed);
  }
});

test('digits from Arabic keyboards read as Latin digits', () => {
  assert.equal(toLatinDigits('٠١٢٣٤٥٦٧٨٩'), '0123456789');
  assert.equal(toLatinDigits('۰۱۲۳۴۵۶۷۸۹'), '0123456789');
  assert.equal(toLatinDigits('code ١٢٣'), 'code 123');
});

test('Tunisian numbers are shown in groups', () => {
  assert.equal(formatPhone('+21622123456'), '+216 22 123 456');
  assert.equal(formatPhone('+33612345678'), '+33612345678');
});
