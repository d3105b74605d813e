// Translation: ICU MessageFormat messages (Arabic needs all six plural forms), formats for
// numbers and dates. Arabic uses `ar-TN` with Latin digits, as Tunisian administration does.
import { IntlMessageFormat } from 'intl-messageformat';
import type { Locale } from '../config.ts';
import { catalog } from './catalog.ts';

export type MessageValues = Record<string, string | number | Date | null | undefined>;
export type Translate = (key: string, values?: MessageValues) => string;

export type Translator = {
  locale: Locale;
  dir: 'rtl' | 'ltr';
  t: Translate;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
  formatDate(iso: string | Date): string;
  formatDateTime(iso: string | Date): string;
};

export const TIME_ZONE = 'Africa/Tunis';

const intlLocale: Record<Locale, string> = {
  ar: 'ar-TN-u-nu-latn',
  fr: 'fr-TN',
  en: 'en-GB',
};

const compiled = new Map<string, IntlMessageFormat>();

function compile(locale: Locale, key: string): IntlMessageFormat | undefined {
  const cacheKey = `${locale}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (!format) {
    const source = catalog[locale][key];
    if (source === undefined) return undefined;
    format = new IntlMessageFormat(source, intlLocale[locale]);
    compiled.set(cacheKey, format);
  }
  return format;
}

export function translate(locale: Locale, key: string, values?: MessageValues): string {
  const format = compile(locale, key) ?? compile('en', key);
  // A missing key shows itself rather than an empty string; tests check every key exists.
  if (!format) return key;
  return String(format.format(values as Record<string, string | number | Date>));
}

const translators = new Map<Locale, Translator>();

export function translator(locale: Locale): Translator {
  let found = translators.get(locale);
  if (found) return found;
  const numberFormat = new Intl.NumberFormat(intlLocale[locale]);
  const dateFormat = new Intl.DateTimeFormat(intlLocale[locale], { dateStyle: 'medium', timeZone: TIME_ZONE });
  const dateTimeFormat = new Intl.DateTimeFormat(intlLocale[locale], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  });
  found = {
    locale,
    dir: locale === 'ar' ? 'rtl' : 'ltr',
    t: (key, values) => translate(locale, key, values),
    formatNumber: (value, options) => (options ? new Intl.NumberFormat(intlLocale[locale], options) : numberFormat).format(value),
    formatDate: (iso) => dateFormat.format(typeof iso === 'string' ? new Date(iso) : iso),
    formatDateTime: (iso) => dateTimeFormat.format(typeof iso === 'string' ? new Date(iso) : iso),
  };
  translators.set(locale, found);
  return found;
}

/** Picks the name in the reader's language from a row with name_ar / name_fr / name_en. */
export function localName(row: { name_ar: string; name_fr: string; name_en: string }, locale: Locale): string {
  return row[`name_${locale}`] || row.name_fr || row.name_ar;
}
