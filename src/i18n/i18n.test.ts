import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntlMessageFormat } from 'intl-messageformat';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { LOCALES } from '../config.ts';
import { catalog } from './catalog.ts';
import { translate, translator } from './i18n.ts';

function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.argument || element.type === TYPE.number || element.type === TYPE.date) into.add(element.value);
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      into.add(element.value);
      for (const option of Object.values(element.options)) argumentsOf(option.value, into);
    }
    if (element.type === TYPE.tag) argumentsOf(element.children, into);
  }
  return into;
}

test('every message exists in Arabic, French and English', () => {
  const keys = new Set(LOCALES.flatMap((l) => Object.keys(catalog[l])));
  const missing: string[] = [];
  for (const key of keys) for (const locale of LOCALES) if (!(key in catalog[locale])) missing.push(`${locale}: ${key}`);
  assert.deepEqual(missing, []);
});

test('every message compiles and uses the same arguments in every language', () => {
  const problems: string[] = [];
  for (const key of Object.keys(catalog.en)) {
    const args = LOCALES.map((locale) => {
      try {
        new IntlMessageFormat(catalog[locale][key]!, locale);
        return [...argumentsOf(parse(catalog[locale][key]!))].sort().join(',');
      } catch (error) {
        problems.push(`${locale} ${key}: ${(error as Error).message}`);
        return '';
      }
    });
    if (new Set(args).size > 1) problems.push(`${key}: arguments differ (${args.join(' | ')})`);
  }
  assert.deepEqual(problems, []);
});

test('Arabic plural messages give all six forms', () => {
  const forms = [0, 1, 2, 3, 11, 100].map((count) => translate('ar', 'form.error_summary_title', { count }));
  assert.deepEqual(forms, ['لا توجد أخطاء', 'يوجد خطأ واحد', 'يوجد خطآن', 'توجد 3 أخطاء', 'يوجد 11 خطأً', 'يوجد 100 خطأ']);
  const pluralMessages = Object.entries(catalog.ar).filter(([, m]) => /,\s*plural\s*,/.test(m));
  for (const [key, message] of pluralMessages) {
    for (const form of ['one', 'two', 'few', 'many', 'other']) {
      assert.match(message, new RegExp(`\\b${form}\\s*\\{`), `${key} lacks the Arabic "${form}" form`);
    }
  }
});

test('Arabic numbers and dates use Latin digits, as the Tunisian administration writes them', () => {
  const ar = translator('ar');
  assert.equal(ar.formatNumber(1234567), '1.234.567');
  assert.match(ar.formatDate('2026-11-27T10:00:00Z'), /2026/);
  assert.doesNotMatch(ar.formatDate('2026-11-27T10:00:00Z'), /[٠-٩]/);
  assert.equal(ar.dir, 'rtl');
  assert.equal(translator('fr').dir, 'ltr');
});

test('a missing key shows itself instead of an empty string', () => {
  assert.equal(translate('fr', 'no.such.key'), 'no.such.key');
});
