// One money format for every participatory budgeting page: amounts are stored in millimes
// (1 TND = 1000 millimes) and shown in dinars, the same way on the cycle, proposal, ballot,
// paper and results pages. Pure: it needs only the reader's locale and the translator
// (a ViewContext or an i18n Translator will do).
import type { Locale } from '../../config.ts';
import type { Translate } from '../../i18n/i18n.ts';

export type MoneyContext = { locale: Locale; t: Translate };

/**
 * The thousands separator of amounts, per locale. Arabic and French: a narrow no-break space,
 * never a point — ar-TN groups thousands with a point, and in Tunisia "120.000 د.ت" reads as
 * 120 dinars (the point before the millimes), not 120 000. English: a comma.
 */
export const TND_GROUP: Record<Locale, string> = { ar: '\u202f', fr: '\u202f', en: ',' };

/** The decimal mark before the millimes. */
export const TND_DECIMAL: Record<Locale, string> = { ar: ',', fr: ',', en: '.' };

// After Arabic words, browsers reorder the groups of a spaced number ("(000 800 د.ت)"); a
// left-to-right isolate keeps the number whole wherever the amount is placed.
const LRI = '\u2066';
const PDI = '\u2069';

/**
 * An amount of millimes in dinars: "800 000 د.ت", "150 000,500 DT", "150,000.500 TND". Millimes, when there are any, are written with their three digits, as on an
 * invoice. Digits are Latin in every locale, as the Tunisian administration writes them.
 */
export function formatTnd(ctx: MoneyContext, millimes: number): string {
  const value = Math.round(millimes);
  const sign = value < 0 ? '-' : '';
  const whole = Math.floor(Math.abs(value) / 1000);
  const rest = Math.abs(value) % 1000;
  let amount = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, TND_GROUP[ctx.locale]);
  if (rest) amount += TND_DECIMAL[ctx.locale] + String(rest).padStart(3, '0');
  amount = sign + amount;
  if (ctx.locale === 'ar') amount = LRI + amount + PDI;
  return ctx.t('budget.money.tnd', { amount });
}

/**
 * An amount in dinars given as a number (exact values of the outcome rules, e.g. a price per
 * supporter), rounded to the millime and written as formatTnd writes it.
 */
export function formatTndValue(ctx: MoneyContext, dinars: number): string {
  return formatTnd(ctx, Math.round(dinars * 1000));
}

/**
 * The amount template for the ballot's live meter, which formats in the browser: "{amount} DT",
 * with the isolates around {amount} in Arabic, as formatTnd puts them.
 */
export function tndTemplate(ctx: MoneyContext): string {
  return ctx.t('budget.money.tnd', { amount: ctx.locale === 'ar' ? `${LRI}{amount}${PDI}` : '{amount}' });
}
