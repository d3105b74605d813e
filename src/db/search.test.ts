import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeSearchText, searchTerms } from './search.ts';

test('Arabic: diacritics, alef and taa marbuta forms, tatweel and the article do not matter', () => {
  const forms = ['المدرسة', 'مدرسه', 'مَدْرَسَةٌ', 'المـدرسة', 'والمدرسة', 'بالمدرسة'];
  for (const form of forms) assert.equal(normalizeSearchText(form), 'مدرسه', form);
  assert.equal(normalizeSearchText('إنارة'), normalizeSearchText('انارة'));
  assert.equal(normalizeSearchText('مستشفى'), normalizeSearchText('مستشفي'));
  assert.equal(normalizeSearchText('التنوير العمومي'), 'تنوير عمومي');
});

test('the article is not stripped from short words where it is part of the word', () => {
  assert.equal(normalizeSearchText('الا'), 'الا');
});

test('French: accents, ligatures and case do not matter', () => {
  assert.equal(normalizeSearchText('Éclairage PUBLIC à la Médina'), 'eclairage public a la medina');
  assert.equal(normalizeSearchText('Cœur'), 'coeur');
});

test('digits become Latin and punctuation separates words', () => {
  assert.equal(normalizeSearchText('حي ٧ نوفمبر, rue n°12'), 'حي 7 نوفمبر rue n 12');
});

test('search terms are unique, normalised, longest first', () => {
  assert.deepEqual(searchTerms('  الطريق  طريق ḥfra  '), ['طريق', 'hfra']);
});
