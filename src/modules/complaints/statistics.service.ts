// Public statistics of complaints for a period (by default the last 12 months): counts by
// status, category, neighbourhood, month and channel; the delays elBaladiya reports (days to
// first response and to final answer, as medians and means); the share handled within the
// deadline; the citizens' own verdict (complaint_feedback); and the same broken down by the
// gender and age group that signed-in reporters chose to give in their profile.
//
// Re-identification: a breakdown by gender or age group is about people, so any group with
// fewer than SUPPRESSION_THRESHOLD complaints is hidden, a rate or delay computed on fewer than
// that is hidden, and when a single group would be hidden its smallest neighbour is hidden too,
// so that it cannot be worked out by subtraction from the total. Anonymous reporters count as
// "not stated". The page says all this to its readers.
//
// Forwarded complaints (national utilities) and duplicates are counted apart and left out of
// delays and deadlines (see statistics.repository.ts for the exact definitions).
import type { Locale } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { localName, translate } from '../../i18n/i18n.ts';
import { AGE_GROUPS, GENDERS } from '../accounts/accounts.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { CHANNELS, type Channel, COMPLAINT_STATUSES, type ComplaintStatus, OPEN_STATUSES } from './complaints.ts';
import { addDaysToDay, dayStartIso, localDay, loadPublicReference, monthsAgoStart, normalizePeriod, type PublicReference, zoneOffsetMinutes } from './public-list.service.ts';
import { listStatisticsFacts, type StatisticsFact } from './statistics.repository.ts';

/** Gender and age group as published: the profile's answer, or "not_stated" (anonymous reporters included). */
export const STATED_GENDERS = GENDERS.filter((g) => g !== 'unspecified');
export const NOT_STATED = 'not_stated';

export const STATISTICS_DIMENSIONS = ['status', 'category', 'neighbourhood', 'month', 'channel', 'gender', 'age', 'satisfaction'] as const;
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];

/** Counts for one value of one dimension. */
export type DimensionCountsRow = {
  dim: StatisticsDimension;
  /** The status, category id, neighbourhood id (null: none), YYYY-MM, channel, group or score. */
  k: string | null;
  total: number;
  forwarded: number;
  duplicate: number;
  open: number;
  /** Got a final answer (resolved, closed or refused). */
  handled: number;
  resolved: number;
  /** Final answer given, or deadline passed without one: the denominator of "within the deadline". */
  due: number;
  within: number;
  feedback: number;
  feedback_resolved: number;
  rated: number;
  rating_sum: number;
};

export const DELAY_MEASURES = ['first_response', 'final_answer'] as const;
export type DelayMeasure = (typeof DELAY_MEASURES)[number];
export type DelayDimension = 'all' | 'category' | 'gender' | 'age';
export type DelayRow = { measure: DelayMeasure; dim: DelayDimension; k: string; n: number; median: number; mean: number };

const DAY_MS = 86_400_000;
const OPEN = new Set<string>(OPEN_STATUSES);
const STATED_GENDER_SET = new Set<string>(STATED_GENDERS);
const AGE_GROUP_SET = new Set<string>(AGE_GROUPS);

/** The middle value of a sorted list; the mean of the two middle ones when the count is even. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  const upper = sorted[Math.floor(n / 2)]!;
  return n % 2 === 1 ? upper : (sorted[n / 2 - 1]! + upper) / 2;
}

/**
 * Every count and delay of the report from the facts of the period (see
 * statistics.repository.ts). Definitions (the page says the same to its readers):
 * - forwarded complaints (sent to a national utility) and duplicates are counted, and shown
 *   apart, but left out of every delay and deadline: the municipality did not handle them;
 * - "final answer": resolved, or refused with a reason;
 * - "within the deadline": a final answer on or before the resolution deadline, out of the
 *   complaints that got a final answer or whose deadline passed (before `now`) without one;
 * - delays are in days, fractions included, from the moment the complaint was filed;
 * - months are El Kef's (created_at moved by `offsetMinutes`).
 */
export function aggregateFacts(facts: StatisticsFact[], options: { now: Date; offsetMinutes: number }): { counts: DimensionCountsRow[]; delays: DelayRow[] } {
  // 100,000 complaints go through here: one Map per dimension keyed by the raw value, no key
  // strings built per complaint, months found among precomputed boundaries.
  const now = options.now.getTime();
  const offset = options.offsetMinutes * 60_000;
  const byDimension = new Map<StatisticsDimension, Map<string | number | null, DimensionCountsRow>>(STATISTICS_DIMENSIONS.map((d) => [d, new Map()]));
  const add = (dim: StatisticsDimension, k: string | number | null, f: Flags) => {
    const map = byDimension.get(dim)!;
    let row = map.get(k);
    if (!row) {
      row = { dim, k: k === null ? null : String(k), total: 0, forwarded: 0, duplicate: 0, open: 0, handled: 0, resolved: 0, due: 0, within: 0, feedback: 0, feedback_resolved: 0, rated: 0, rating_sum: 0 };
      map.set(k, row);
    }
    row.total += 1;
    row.forwarded += f.forwarded;
    row.duplicate += f.duplicate;
    row.open += f.open;
    row.handled += f.handled;
    row.resolved += f.resolved;
    row.due += f.due;
    row.within += f.within;
    row.feedback += f.feedback;
    row.feedback_resolved += f.feedbackResolved;
    row.rated += f.rated;
    row.rating_sum += f.rating;
  };
  type Values = { all: number[]; category: Map<number, number[]>; gender: Map<string, number[]>; age: Map<string, number[]> };
  const values: Record<DelayMeasure, Values> = {
    first_response: { all: [], category: new Map(), gender: new Map(), age: new Map() },
    final_answer: { all: [], category: new Map(), gender: new Map(), age: new Map() },
  };
  const push = <K>(map: Map<K, number[]>, k: K, v: number) => {
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  };
  const record = (measure: DelayMeasure, categoryId: number, gender: string, age: string, days: number) => {
    const v = values[measure];
    v.all.push(days);
    push(v.category, categoryId, days);
    push(v.gender, gender, days);
    push(v.age, age, days);
  };
  const month = monthFinder(offset);
  for (const [status, categoryId, neighbourhoodId, channel, createdAt, firstResponseAt, resolveDueAt, finalAt, gender, ageGroup, feedbackResolved, satisfaction] of facts) {
    const created = Date.parse(createdAt);
    const final = finalAt === null ? null : Date.parse(finalAt);
    const counted = status !== 'forwarded' && status !== 'duplicate';
    const open = OPEN.has(status);
    const due = Date.parse(resolveDueAt);
    const flags: Flags = {
      forwarded: status === 'forwarded' ? 1 : 0,
      duplicate: status === 'duplicate' ? 1 : 0,
      open: open ? 1 : 0,
      handled: final !== null ? 1 : 0,
      resolved: status === 'resolved' || status === 'closed' ? 1 : 0,
      due: counted && (final !== null || (open && due < now)) ? 1 : 0,
      within: counted && final !== null && final <= due ? 1 : 0,
      feedback: feedbackResolved !== null ? 1 : 0,
      feedbackResolved: feedbackResolved === 1 ? 1 : 0,
      rated: satisfaction !== null ? 1 : 0,
      rating: satisfaction ?? 0,
    };
    const genderKey = gender !== null && STATED_GENDER_SET.has(gender) ? gender : NOT_STATED;
    const ageKey = ageGroup !== null && AGE_GROUP_SET.has(ageGroup) ? ageGroup : NOT_STATED;
    add('status', status, flags);
    add('category', categoryId, flags);
    add('neighbourhood', neighbourhoodId, flags);
    add('month', month(created), flags);
    add('channel', channel, flags);
    add('gender', genderKey, flags);
    add('age', ageKey, flags);
    if (satisfaction !== null) add('satisfaction', satisfaction, flags);
    if (!counted) continue;
    if (firstResponseAt !== null) record('first_response', categoryId, genderKey, ageKey, (Date.parse(firstResponseAt) - created) / DAY_MS);
    if (final !== null) record('final_answer', categoryId, genderKey, ageKey, (final - created) / DAY_MS);
  }
  const delays: DelayRow[] = [];
  const summarize = (measure: DelayMeasure, dim: DelayDimension, k: string, list: number[]) => {
    const sorted = Float64Array.from(list).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    delays.push({ measure, dim, k, n: sorted.length, median: medianOfSorted(sorted), mean: sum / sorted.length });
  };
  for (const measure of DELAY_MEASURES) {
    const v = values[measure];
    if (v.all.length > 0) summarize(measure, 'all', 'all', v.all);
    for (const [k, list] of v.category) summarize(measure, 'category', String(k), list);
    for (const [k, list] of v.gender) summarize(measure, 'gender', k, list);
    for (const [k, list] of v.age) summarize(measure, 'age', k, list);
  }
  return { counts: [...byDimension.values()].flatMap((map) => [...map.values()]), delays };
}

/** YYYY-MM in local time of an instant, cached per local hour (a month starts at a local hour). */
function monthFinder(offsetMs: number): (instant: number) => string {
  const byHour = new Map<number, string>();
  return (instant) => {
    const hour = Math.floor((instant + offsetMs) / 3_600_000);
    let month = byHour.get(hour);
    if (month === undefined) {
      month = new Date(hour * 3_600_000).toISOString().slice(0, 7);
      byHour.set(hour, month);
    }
    return month;
  };
}

type Flags = {
  forwarded: number;
  duplicate: number;
  open: number;
  handled: number;
  resolved: number;
  due: number;
  within: number;
  feedback: number;
  feedbackResolved: number;
  rated: number;
  rating: number;
};

/** Groups smaller than this are hidden in the gender and age breakdowns. */
export const SUPPRESSION_THRESHOLD = 5;
/** The default period: this month and the 11 before it. */
export const DEFAULT_PERIOD_MONTHS = 12;

export type Share = { part: number; whole: number };
export type Delay = { n: number; median: number; mean: number };
/** A figure hidden to protect people (see the top of this file). */
export const SUPPRESSED = Symbol('suppressed');
export type Hideable<T> = T | null | typeof SUPPRESSED;

export type Counts = Omit<DimensionCountsRow, 'dim' | 'k'>;

export type GroupStatistics = {
  /** female, male, not_stated / 18-24 … 60+, not_stated. */
  group: string;
  complaints: Hideable<number>;
  withinDeadline: Hideable<Share>;
  firstResponse: Hideable<Delay>;
  finalAnswer: Hideable<Delay>;
  feedbackResolved: Hideable<Share>;
  satisfaction: Hideable<{ n: number; mean: number }>;
};

export type StatisticsReport = {
  period: { from: string; to: string };
  generatedAt: string;
  threshold: number;
  totals: Counts;
  firstResponse: Delay | null;
  finalAnswer: Delay | null;
  byStatus: { status: ComplaintStatus; count: number }[];
  byCategory: { category: { id: number; code: string; name: TrilingualName } | null; counts: Counts; finalAnswer: Delay | null }[];
  byNeighbourhood: { neighbourhood: { id: number; name: TrilingualName } | null; counts: Counts }[];
  byMonth: { month: string; counts: Counts }[];
  byChannel: { channel: Channel; count: number }[];
  satisfaction: { score: number; count: number }[];
  byGender: GroupStatistics[];
  byAgeGroup: GroupStatistics[];
};

const EMPTY: Counts = {
  total: 0,
  forwarded: 0,
  duplicate: 0,
  open: 0,
  handled: 0,
  resolved: 0,
  due: 0,
  within: 0,
  feedback: 0,
  feedback_resolved: 0,
  rated: 0,
  rating_sum: 0,
};

function countsOf(row: DimensionCountsRow | undefined): Counts {
  if (!row) return { ...EMPTY };
  const { dim: _d, k: _k, ...counts } = row;
  return counts;
}

/** The months of a period, YYYY-MM, first to last. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const endKey = to.slice(0, 7);
  for (let i = 0; i < 1200; i += 1) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    if (key > endKey) break;
    months.push(key);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return months;
}

/**
 * Hides small groups in place (see the top of the file). Exported for tests.
 * `complaints` of each group must be a number on entry.
 */
export function suppressSmallGroups(groups: GroupStatistics[], threshold = SUPPRESSION_THRESHOLD): GroupStatistics[] {
  const small = (n: number) => n > 0 && n < threshold;
  const hidden = new Set(groups.filter((g) => typeof g.complaints === 'number' && small(g.complaints)).map((g) => g.group));
  if (hidden.size === 1) {
    // One hidden cell could be recovered as total minus the others: hide the next smallest too.
    const next = groups
      .filter((g) => !hidden.has(g.group) && typeof g.complaints === 'number')
      .sort((a, b) => (a.complaints as number) - (b.complaints as number))[0];
    if (next) hidden.add(next.group);
  }
  return groups.map((g) => {
    if (hidden.has(g.group)) {
      return { ...g, complaints: SUPPRESSED, withinDeadline: SUPPRESSED, firstResponse: SUPPRESSED, finalAnswer: SUPPRESSED, feedbackResolved: SUPPRESSED, satisfaction: SUPPRESSED };
    }
    const share = (s: Hideable<Share>) => (s && s !== SUPPRESSED && small(s.whole) ? SUPPRESSED : s);
    const delay = (d: Hideable<Delay>) => (d && d !== SUPPRESSED && small(d.n) ? SUPPRESSED : d);
    const rating = g.satisfaction && g.satisfaction !== SUPPRESSED && small(g.satisfaction.n) ? SUPPRESSED : g.satisfaction;
    return {
      ...g,
      withinDeadline: share(g.withinDeadline),
      firstResponse: delay(g.firstResponse),
      finalAnswer: delay(g.finalAnswer),
      feedbackResolved: share(g.feedbackResolved),
      satisfaction: rating,
    };
  });
}

function delayOf(rows: DelayRow[], measure: DelayMeasure, dim: DelayRow['dim'], k: string): Delay | null {
  const row = rows.find((r) => r.measure === measure && r.dim === dim && r.k === k);
  return row ? { n: row.n, median: row.median, mean: row.mean } : null;
}

function groupStatistics(group: string, counts: Counts, firstResponse: Delay | null, finalAnswer: Delay | null): GroupStatistics {
  return {
    group,
    complaints: counts.total,
    withinDeadline: counts.due > 0 ? { part: counts.within, whole: counts.due } : null,
    firstResponse,
    finalAnswer,
    feedbackResolved: counts.feedback > 0 ? { part: counts.feedback_resolved, whole: counts.feedback } : null,
    satisfaction: counts.rated > 0 ? { n: counts.rated, mean: counts.rating_sum / counts.rated } : null,
  };
}

export type StatisticsPeriodInput = { from?: string | null; to?: string | null };

/** The period asked for, completed with the defaults: the last 12 months up to today. */
export function resolveStatisticsPeriod(input: StatisticsPeriodInput, now = new Date()): { from: string; to: string } {
  const period = normalizePeriod(input.from, input.to);
  const to = period.to ?? localDay(now);
  let from = period.from ?? monthsAgoStart(DEFAULT_PERIOD_MONTHS, new Date(dayStartIso(to)));
  if (from > to) from = to;
  return { from, to };
}

export type GetStatisticsOptions = { municipalityId: number; period: StatisticsPeriodInput; now?: Date; reference?: PublicReference };

export async function getComplaintStatistics(db: Db, options: GetStatisticsOptions): Promise<StatisticsReport> {
  const now = options.now ?? new Date();
  const period = resolveStatisticsPeriod(options.period, now);
  const [facts, reference] = await Promise.all([
    listStatisticsFacts(db, {
      municipalityId: options.municipalityId,
      createdFrom: dayStartIso(period.from),
      createdBefore: dayStartIso(addDaysToDay(period.to, 1)),
    }),
    options.reference ?? loadPublicReference(db, options.municipalityId),
  ]);
  const { counts, delays } = aggregateFacts(facts, { now, offsetMinutes: zoneOffsetMinutes(now) });
  return buildReport(period, now, counts, delays, reference);
}

function buildReport(period: { from: string; to: string }, now: Date, counts: DimensionCountsRow[], delays: DelayRow[], reference: PublicReference): StatisticsReport {
  const of = (dim: DimensionCountsRow['dim']) => counts.filter((r) => r.dim === dim);
  const byStatusRows = of('status');
  const totals = byStatusRows.reduce<Counts>((sum, row) => {
    const next = { ...sum };
    for (const key of Object.keys(EMPTY) as (keyof Counts)[]) next[key] += row[key];
    return next;
  }, { ...EMPTY });

  const categoryRows = new Map(of('category').map((r) => [r.k, r]));
  const knownCategories = reference.categories.filter((c) => c.active || categoryRows.has(String(c.id)));
  const byCategory = knownCategories.map((c) => ({
    category: { id: c.id, code: c.code, name: c.name },
    counts: countsOf(categoryRows.get(String(c.id))),
    finalAnswer: delayOf(delays, 'final_answer', 'category', String(c.id)),
  }));
  const neighbourhoodRows = new Map(of('neighbourhood').map((r) => [r.k, r]));
  const knownNeighbourhoods = new Set(reference.neighbourhoods.map((n) => String(n.id)));
  // Complaints whose neighbourhood no longer exists are shown with those placed in none.
  const unplaced = [...neighbourhoodRows.entries()].filter(([k]) => k === null || !knownNeighbourhoods.has(k)).map(([, r]) => countsOf(r));
  const byNeighbourhood = [
    ...reference.neighbourhoods.map((n) => ({ neighbourhood: n, counts: countsOf(neighbourhoodRows.get(String(n.id))) })),
    { neighbourhood: null, counts: unplaced.reduce<Counts>((sum, c) => addCounts(sum, c), { ...EMPTY }) },
  ];
  const monthRows = new Map(of('month').map((r) => [r.k, r]));
  const statusRows = new Map(byStatusRows.map((r) => [r.k, r]));
  const channelRows = new Map(of('channel').map((r) => [r.k, r]));
  const scoreRows = new Map(of('satisfaction').map((r) => [r.k, r]));
  const genderRows = new Map(of('gender').map((r) => [r.k, r]));
  const ageRows = new Map(of('age').map((r) => [r.k, r]));
  const breakdown = (dim: 'gender' | 'age', groups: readonly string[], rows: Map<string | null, DimensionCountsRow>) =>
    suppressSmallGroups(
      groups.map((group) =>
        groupStatistics(group, countsOf(rows.get(group)), delayOf(delays, 'first_response', dim, group), delayOf(delays, 'final_answer', dim, group)),
      ),
    );
  return {
    period,
    generatedAt: now.toISOString(),
    threshold: SUPPRESSION_THRESHOLD,
    totals,
    firstResponse: delayOf(delays, 'first_response', 'all', 'all'),
    finalAnswer: delayOf(delays, 'final_answer', 'all', 'all'),
    byStatus: COMPLAINT_STATUSES.map((status) => ({ status, count: statusRows.get(status)?.total ?? 0 })),
    byCategory,
    byNeighbourhood,
    byMonth: monthsBetween(period.from, period.to).map((month) => ({ month, counts: countsOf(monthRows.get(month)) })),
    byChannel: CHANNELS.map((channel) => ({ channel, count: channelRows.get(channel)?.total ?? 0 })),
    satisfaction: [1, 2, 3, 4, 5].map((score) => ({ score, count: scoreRows.get(String(score))?.total ?? 0 })),
    byGender: breakdown('gender', [...STATED_GENDERS, NOT_STATED], genderRows),
    byAgeGroup: breakdown('age', [...AGE_GROUPS, NOT_STATED], ageRows),
  };
}

function addCounts(a: Counts, b: Counts): Counts {
  const sum = { ...a };
  for (const key of Object.keys(EMPTY) as (keyof Counts)[]) sum[key] += b[key];
  return sum;
}

/** Municipal complaints: all but the forwarded and the duplicates. */
export function municipalCount(counts: Counts): number {
  return counts.total - counts.forwarded - counts.duplicate;
}

// ---------------------------------------------------------------------------------------------
// Tables: the same rows feed the page's data tables and the CSV downloads, so they always agree.

export const STATISTICS_TABLES = ['summary', 'status', 'categories', 'neighbourhoods', 'months', 'channels', 'satisfaction', 'gender', 'age'] as const;
export type StatisticsTableName = (typeof STATISTICS_TABLES)[number];

export type ColumnKind = 'text' | 'count' | 'percent' | 'days' | 'rating' | 'month';
/** A cell: text, a number (ratios 0–1 for percent), null when there is nothing to show, or hidden. */
export type TableCell = string | number | null | typeof SUPPRESSED;
export type StatisticsTable = {
  name: StatisticsTableName;
  columns: { label: string; kind: ColumnKind }[];
  rows: TableCell[][];
  /** When one column mixes kinds (the summary's values): the kind of each row's numbers. */
  rowKinds?: ColumnKind[];
};

/** How the number in row `r`, column `c` reads. */
export function cellKind(table: StatisticsTable, r: number, c: number): ColumnKind {
  return c > 0 && table.rowKinds?.[r] ? table.rowKinds[r]! : table.columns[c]!.kind;
}

const ratio = (share: Hideable<Share>): TableCell => (share === SUPPRESSED ? SUPPRESSED : share && share.whole > 0 ? share.part / share.whole : null);
const median = (delay: Hideable<Delay>): TableCell => (delay === SUPPRESSED ? SUPPRESSED : delay ? delay.median : null);
const mean = (delay: Hideable<Delay>): TableCell => (delay === SUPPRESSED ? SUPPRESSED : delay ? delay.mean : null);

function shareOf(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** Every table of the report, with headers in the reader's language. */
export function statisticsTables(report: StatisticsReport, locale: Locale): Record<StatisticsTableName, StatisticsTable> {
  const t = (key: string) => translate(locale, `complaints.public.stats.${key}`);
  const name = (n: TrilingualName) => localName({ name_ar: n.ar, name_fr: n.fr, name_en: n.en }, locale);
  const total = report.totals;
  const groupRows = (groups: GroupStatistics[], labelPrefix: string) =>
    groups.map((g): TableCell[] => [
      t(`${labelPrefix}.${g.group}`),
      g.complaints,
      ratio(g.withinDeadline),
      median(g.firstResponse),
      median(g.finalAnswer),
      ratio(g.feedbackResolved),
      g.satisfaction === SUPPRESSED ? SUPPRESSED : g.satisfaction ? g.satisfaction.mean : null,
    ]);
  const groupColumns = (first: string) => [
    { label: t(first), kind: 'text' as const },
    { label: t('col.complaints'), kind: 'count' as const },
    { label: t('col.within_deadline'), kind: 'percent' as const },
    { label: t('col.median_first_response'), kind: 'days' as const },
    { label: t('col.median_final_answer'), kind: 'days' as const },
    { label: t('col.feedback_resolved'), kind: 'percent' as const },
    { label: t('col.satisfaction_mean'), kind: 'rating' as const },
  ];
  return {
    summary: {
      name: 'summary',
      columns: [
        { label: t('col.measure'), kind: 'text' },
        { label: t('col.value'), kind: 'text' },
      ],
      rows: [
        [t('summary.received'), total.total],
        [t('summary.municipal'), municipalCount(total)],
        [t('summary.forwarded'), total.forwarded],
        [t('summary.duplicate'), total.duplicate],
        [t('summary.open'), total.open],
        [t('summary.handled'), total.handled],
        [t('summary.within_deadline'), shareOf(total.within, total.due)],
        [t('summary.median_first_response'), report.firstResponse?.median ?? null],
        [t('summary.mean_first_response'), report.firstResponse?.mean ?? null],
        [t('summary.median_final_answer'), report.finalAnswer?.median ?? null],
        [t('summary.mean_final_answer'), report.finalAnswer?.mean ?? null],
        [t('summary.feedback_resolved'), shareOf(total.feedback_resolved, total.feedback)],
        [t('summary.satisfaction_mean'), total.rated > 0 ? total.rating_sum / total.rated : null],
      ],
      rowKinds: ['count', 'count', 'count', 'count', 'count', 'count', 'percent', 'days', 'days', 'days', 'days', 'percent', 'rating'],
    },
    status: {
      name: 'status',
      columns: [
        { label: t('col.status'), kind: 'text' },
        { label: t('col.complaints'), kind: 'count' },
      ],
      rows: report.byStatus.map((s) => [translate(locale, `complaints.status.${s.status}`), s.count]),
    },
    categories: {
      name: 'categories',
      columns: [
        { label: t('col.category'), kind: 'text' },
        { label: t('col.complaints'), kind: 'count' },
        { label: t('col.forwarded'), kind: 'count' },
        { label: t('col.handled'), kind: 'count' },
        { label: t('col.within_deadline'), kind: 'percent' },
        { label: t('col.median_final_answer'), kind: 'days' },
      ],
      rows: report.byCategory.map((c) => [
        c.category ? name(c.category.name) : t('none'),
        c.counts.total,
        c.counts.forwarded,
        c.counts.handled,
        shareOf(c.counts.within, c.counts.due),
        c.finalAnswer?.median ?? null,
      ]),
    },
    neighbourhoods: {
      name: 'neighbourhoods',
      columns: [
        { label: t('col.neighbourhood'), kind: 'text' },
        { label: t('col.complaints'), kind: 'count' },
        { label: t('col.open'), kind: 'count' },
        { label: t('col.handled'), kind: 'count' },
        { label: t('col.within_deadline'), kind: 'percent' },
      ],
      rows: report.byNeighbourhood.map((n) => [
        n.neighbourhood ? name(n.neighbourhood.name) : t('no_neighbourhood'),
        n.counts.total,
        n.counts.open,
        n.counts.handled,
        shareOf(n.counts.within, n.counts.due),
      ]),
    },
    months: {
      name: 'months',
      columns: [
        { label: t('col.month'), kind: 'month' },
        { label: t('col.complaints'), kind: 'count' },
        { label: t('col.forwarded'), kind: 'count' },
        { label: t('col.handled'), kind: 'count' },
        { label: t('col.within_deadline'), kind: 'percent' },
      ],
      rows: report.byMonth.map((m) => [m.month, m.counts.total, m.counts.forwarded, m.counts.handled, shareOf(m.counts.within, m.counts.due)]),
    },
    channels: {
      name: 'channels',
      columns: [
        { label: t('col.channel'), kind: 'text' },
        { label: t('col.complaints'), kind: 'count' },
      ],
      rows: report.byChannel.map((c) => [translate(locale, `complaints.channel.${c.channel}`), c.count]),
    },
    satisfaction: {
      name: 'satisfaction',
      columns: [
        { label: t('col.score'), kind: 'text' },
        { label: t('col.answers'), kind: 'count' },
      ],
      rows: report.satisfaction.map((s) => [String(s.score), s.count]),
    },
    gender: { name: 'gender', columns: groupColumns('col.gender'), rows: groupRows(report.byGender, 'gender') },
    age: { name: 'age', columns: groupColumns('col.age_group'), rows: groupRows(report.byAgeGroup, 'age') },
  };
}

/** A table as CSV cells: plain machine numbers (dot decimals, ratios as percentages), "*" for hidden figures. */
export function csvRowsOf(table: StatisticsTable): { header: string[]; rows: (string | number)[][] } {
  const cell = (value: TableCell, kind: ColumnKind): string | number => {
    if (value === SUPPRESSED) return '*';
    if (value === null) return '';
    if (typeof value === 'string') return value;
    if (kind === 'percent') return Math.round(value * 1000) / 10;
    if (kind === 'days' || kind === 'rating') return Math.round(value * 10) / 10;
    return value;
  };
  return {
    header: table.columns.map((c) => (c.kind === 'percent' ? `${c.label} (%)` : c.label)),
    rows: table.rows.map((row, r) =>
      row.map((value, c) => {
        // The summary's percentages say so in their label, their column being mixed.
        if (c === 0 && table.rowKinds?.[r] === 'percent' && typeof value === 'string') return `${value} (%)`;
        return cell(value, cellKind(table, r, c));
      }),
    ),
  };
}
