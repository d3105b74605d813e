import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOCALES } from '../../config.ts';
import { catalog } from '../../i18n/catalog.ts';
import {
  AGE_GROUPS,
  CONSENT_PURPOSES,
  decodeDisability,
  DISABILITY_ANSWERS,
  encodeDisability,
  GENDERS,
  normalizeCode,
  parseContact,
  safeNextPath,
} from './accounts.ts';
import { ACCOUNT_MESSAGE_KINDS } from './account-messages.ts';

test('an identifier is an e-mail address (lower-cased) or a phone number (E.164)', () => {
  assert.deepEqual(parseContact('  Amal.Ben@Example.TN '), { channel: 'email', target: 'amal.ben@example.tn' });
  assert.deepEqual(parseContact('22 123 456'), { channel: 'sms', target: '+21622123456' });
  assert.deepEqual(parseContact('٢٢١٢٣٤٥٦'), { channel: 'sms', target: '+21622123456' });
  for (const bad of ['', 'amal@', '@example.tn', 'amal@example', 'a b@example.tn', '123', `${'a'.repeat(250)}@example.tn`]) {
    assert.equal(parseContact(bad), null, bad);
  }
});

test('only same-site paths in one of the languages are followed after login', () => {
  assert.equal(safeNextPath('/fr/complaints/12', 'fr'), '/fr/complaints/12');
  assert.equal(safeNextPath('/ar/account?tab=1', 'ar'), '/ar/account?tab=1');
  assert.equal(safeNextPath('/en', 'en'), '/en');
  for (const bad of [
    'https://evil.example/ar/',
    '//evil.example/ar',
    '/ar//evil.example',
    '/\\evil.example',
    '/ar/\\evil',
    '/de/page',
    '/arabic',
    'javascript:alert(1)',
    '/ar/x\nSet-Cookie: a=b',
    undefined,
    42,
    `/ar/${'x'.repeat(600)}`,
  ]) {
    assert.equal(safeNextPath(bad, 'fr'), '/fr/account', String(bad));
  }
});

test('disability answers are stored as a sorted list, and "none" stands alone', () => {
  assert.equal(encodeDisability(['walking', 'seeing', 'walking']), 'seeing,walking');
  assert.equal(encodeDisability(['none']), 'none');
  assert.equal(encodeDisability(['none', 'seeing']), null);
  assert.equal(encodeDisability([]), null);
  assert.deepEqual(decodeDisability('seeing,walking'), ['seeing', 'walking']);
  assert.deepEqual(decodeDisability('seeing,unknown'), ['seeing']);
  assert.deepEqual(decodeDisability(null), []);
});

test('codes may be typed with Arabic-Indic digits and spaces', () => {
  assert.equal(normalizeCode('١٢٣ ٤٥٦'), '123456');
  assert.equal(normalizeCode(' 123456 '), '123456');
});

test('every choice and every message the module builds from a name has its text in three languages', () => {
  const keys = [
    ...GENDERS.map((g) => `accounts.gender.${g}`),
    ...AGE_GROUPS.map((a) => `accounts.age_group.${a.replace('+', '_plus').replace('-', '_')}`),
    ...DISABILITY_ANSWERS.map((d) => `accounts.disability.answer.${d}`),
    ...CONSENT_PURPOSES.map((p) => `accounts.consents.purpose.${p}`),
    ...ACCOUNT_MESSAGE_KINDS.flatMap((kind) => ['sms', 'subject', 'email'].map((part) => `accounts.message.${kind}.${part}`)),
  ];
  const missing = LOCALES.flatMap((locale) => keys.filter((key) => !(key in catalog[locale])).map((key) => `${locale}: ${key}`));
  assert.deepEqual(missing, []);
});
