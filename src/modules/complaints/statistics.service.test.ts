// Public statistics on a small dataset whose every figure is worked out by hand below: counts,
// medians (odd and even counts) and means, the share within the deadline, satisfaction,
// forwarded and duplicate complaints kept out of delays, months in El Kef's time, the gender and
// age breakdowns with small groups hidden, and the CSV files. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase } from '../../../test/support/databases.ts';
import { createTestUser } from '../../../test/support/fixtures.ts';
import { buildTestApp, TestClient } from '../../../test/support/http.ts';
import type { Db } from '../../db/database.ts';
import { insertNeighbourhood } from '../municipalities/reference-data.repository.ts';
import type { Channel, ComplaintStatus } from './complaints.ts';
import { type ComplaintsFixture, createComplaintsFixture, nextPhone } from './complaints.test-support.ts';
import {
  csvRowsOf,
  getComplaintStatistics,
  type GroupStatistics,
  monthsBetween,
  resolveStatisticsPeriod,
  type StatisticsReport,
  statisticsTables,
  SUPPRESSED,
  suppressSmallGroups,
} from './statistics.service.ts';

const DAY = 86_400_000;
const at = (iso: string, days = 0) => new Date(Date.parse(iso) + days * DAY).toISOString();
const close = (actual: number | undefined, expected: number) => assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-6, `${actual} ≠ ${expected}`);

test('months between two days, across a year', () => {
  assert.deepEqual(monthsBetween('2025-11-20', '2026-02-03'), ['2025-11', '2025-12', '2026-01', '2026-02']);
  assert.deepEqual(monthsBetween('2025-03-01', '2025-03-31'), ['2025-03']);
});

test('the default period is this month and the eleven before it, in El Kef', () => {
  // 23:30 UTC on 31 March is already 1 April in El Kef.
  assert.deepEqual(resolveStatisticsPeriod({}, new Date('2026-03-31T23:30:00Z')), { from: '2025-05-01', to: '2026-04-01' });
  assert.deepEqual(resolveStatisticsPeriod({ from: '2026-02-01', to: '2026-01-01' }, new Date('2026-03-01T10:00:00Z')), { from: '2026-01-01', to: '2026-02-01' });
  assert.deepEqual(resolveStatisticsPeriod({ from: 'soon' }, new Date('2026-03-15T10:00:00Z')), { from: '2025-04-01', to: '2026-03-15' });
});

function group(name: string, complaints: number, extra: Partial<GroupStatistics> = {}): GroupStatistics {
  return { group: name, complaints, withinDeadline: null, firstResponse: null, finalAnswer: null, feedbackResolved: null, satisfaction: null, ...extra };
}

test('small groups are hidden, and a second one when a single hidden group could be recovered by subtraction', () => {
  const one = suppressSmallGroups([group('female', 12), group('male', 3), group('not_stated', 40), group('other', 7)]);
  assert.deepEqual(
    one.map((g) => g.complaints),
    [12, SUPPRESSED, 40, SUPPRESSED],
  );
  const two = suppressSmallGroups([group('a', 2), group('b', 4), group('c', 30)]);
  assert.deepEqual(two.map((g) => g.complaints), [SUPPRESSED, SUPPRESSED, 30]);
  const none = suppressSmallGroups([group('a', 0), group('b', 5), group('c', 30)]);
  assert.deepEqual(none.map((g) => g.complaints), [0, 5, 30]);
  // A shown group keeps its count but hides rates and delays computed on too few.
  const [shown] = suppressSmallGroups([
    group('a', 9, {
      withinDeadline: { part: 2, whole: 4 },
      firstResponse: { n: 5, median: 2, mean: 3 },
      finalAnswer: { n: 4, median: 9, mean: 9 },
      feedbackResolved: { part: 1, whole: 1 },
      satisfaction: { n: 6, mean: 4 },
    }),
    group('b', 30),
  ]);
  assert.equal(shown!.withinDeadline, SUPPRESSED);
  assert.deepEqual(shown!.firstResponse, { n: 5, median: 2, mean: 3 });
  assert.equal(shown!.finalAnswer, SUPPRESSED);
  assert.equal(shown!.feedbackResolved, SUPPRESSED);
  assert.deepEqual(shown!.satisfaction, { n: 6, mean: 4 });
});

type Spec = {
  category: string;
  neighbourhood: 'a' | 'b' | null;
  channel: Channel;
  reporter: string | null;
  status: ComplaintStatus;
  created: string;
  firstResponseDays?: number;
  resolvedDays?: number;
  rejectedDays?: number;
  feedback?: { resolved: boolean; satisfaction: number | null };
};

// Worked out by hand: see each expectation below.
const SPECS: Spec[] = [
  /* 1 */ { category: 'lighting', neighbourhood: 'a', channel: 'web', reporter: 'f1', status: 'resolved', created: '2025-03-01T10:00:00.000Z', firstResponseDays: 1, resolvedDays: 5, feedback: { resolved: true, satisfaction: 5 } },
  /* 2 */ { category: 'lighting', neighbourhood: 'a', channel: 'web', reporter: 'f2', status: 'closed', created: '2025-03-10T10:00:00.000Z', firstResponseDays: 2, resolvedDays: 30, feedback: { resolved: true, satisfaction: 4 } },
  /* 3 */ { category: 'waste', neighbourhood: 'b', channel: 'sms', reporter: 'f3', status: 'rejected', created: '2025-04-01T10:00:00.000Z', firstResponseDays: 3, rejectedDays: 4 },
  /* 4 */ { category: 'waste', neighbourhood: 'b', channel: 'counter', reporter: 'f4', status: 'in_progress', created: '2025-04-02T10:00:00.000Z', firstResponseDays: 1.5 },
  /* 5 */ { category: 'waste', neighbourhood: null, channel: 'phone', reporter: 'f5', status: 'received', created: '2025-05-01T10:00:00.000Z' },
  /* 6 */ { category: 'roads', neighbourhood: 'a', channel: 'web', reporter: 'f6', status: 'received', created: '2025-12-31T10:00:00.000Z' },
  /* 7 */ { category: 'roads', neighbourhood: 'a', channel: 'open311', reporter: 'm1', status: 'forwarded', created: '2025-06-01T10:00:00.000Z', firstResponseDays: 1 },
  /* 8 */ { category: 'roads', neighbourhood: 'b', channel: 'web', reporter: 'm2', status: 'duplicate', created: '2025-06-02T10:00:00.000Z' },
  /* 9 */ { category: 'lighting', neighbourhood: 'a', channel: 'web', reporter: null, status: 'resolved', created: '2025-07-01T10:00:00.000Z', firstResponseDays: 4, resolvedDays: 10, feedback: { resolved: false, satisfaction: 2 } },
  /* 10: 1 March 00:30 in El Kef */ { category: 'lighting', neighbourhood: 'b', channel: 'web', reporter: 'u1', status: 'resolved', created: '2025-02-28T23:30:00.000Z', firstResponseDays: 8, resolvedDays: 8, feedback: { resolved: true, satisfaction: null } },
  /* outside: 31 December 2024 23:30 in El Kef */ { category: 'lighting', neighbourhood: 'a', channel: 'web', reporter: null, status: 'received', created: '2024-12-31T22:30:00.000Z' },
  /* outside: 1 January 2026 00:30 in El Kef */ { category: 'lighting', neighbourhood: 'a', channel: 'web', reporter: null, status: 'received', created: '2025-12-31T23:30:00.000Z' },
];

const PEOPLE: Record<string, { gender: string | null; age: string | null }> = {
  f1: { gender: 'female', age: '25-34' },
  f2: { gender: 'female', age: '25-34' },
  f3: { gender: 'female', age: '25-34' },
  f4: { gender: 'female', age: '25-34' },
  f5: { gender: 'female', age: '60+' },
  f6: { gender: 'female', age: '60+' },
  m1: { gender: 'male', age: '18-24' },
  m2: { gender: 'male', age: '18-24' },
  u1: { gender: 'unspecified', age: null },
};

async function seed(db: Db, fixture: ComplaintsFixture): Promise<void> {
  const now = '2026-01-15T12:00:00.000Z';
  const base = { municipality_id: fixture.municipality.id, arrondissement_id: null, outline_geojson: null, created_at: now, updated_at: now };
  const neighbourhoods = {
    a: (await insertNeighbourhood(db, { ...base, name_ar: 'حي أ', name_fr: 'Quartier A2', name_en: 'Area A2' })).id,
    b: (await insertNeighbourhood(db, { ...base, name_ar: 'حي ب', name_fr: 'Quartier B', name_en: 'Area B' })).id,
  };
  const users: Record<string, number> = {};
  for (const [key, person] of Object.entries(PEOPLE)) {
    const user = await createTestUser(db, { municipalityId: fixture.municipality.id, phone: nextPhone(), displayName: key });
    await db.updateTable('users').set({ gender: person.gender, age_group: person.age }).where('id', '=', user.id).execute();
    users[key] = user.id;
  }
  let sequence = 0;
  for (const spec of SPECS) {
    sequence += 1;
    const row = await db
      .insertInto('complaints')
      .values({
        municipality_id: fixture.municipality.id,
        tracking_number: `STA-2025-${String(sequence).padStart(6, '0')}`,
        category_id: fixture.categories[spec.category]!.id,
        status: spec.status,
        priority: 'normal',
        channel: spec.channel,
        description: 'Texte',
        answers_json: '{}',
        neighbourhood_id: spec.neighbourhood ? neighbourhoods[spec.neighbourhood] : null,
        reporter_user_id: spec.reporter ? users[spec.reporter]! : null,
        locale: 'fr',
        follower_count: 0,
        search_text: '',
        ack_due_at: at(spec.created, 2),
        resolve_due_at: at(spec.created, 21),
        first_response_at: spec.firstResponseDays !== undefined ? at(spec.created, spec.firstResponseDays) : null,
        resolved_at: spec.resolvedDays !== undefined ? at(spec.created, spec.resolvedDays) : null,
        created_at: spec.created,
        // Later changes (a moderator masking text) must not move the date of a refusal.
        updated_at: at(spec.created, 60),
        version: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (spec.rejectedDays !== undefined) {
      await db
        .insertInto('complaint_events')
        .values({ municipality_id: fixture.municipality.id, complaint_id: row.id, kind: 'status', visibility: 'public', from_status: 'acknowledged', to_status: 'rejected', body: 'Hors compétence', created_at: at(spec.created, spec.rejectedDays) })
        .execute();
    }
    if (spec.feedback) {
      await db
        .insertInto('complaint_feedback')
        .values({ complaint_id: row.id, municipality_id: fixture.municipality.id, resolved: spec.feedback.resolved ? 1 : 0, satisfaction: spec.feedback.satisfaction, comment: 'Ali Private comment', created_at: at(spec.created, 40) })
        .execute();
    }
  }
}

describeEachDatabase('public statistics', ({ db, handle }) => {
  let fixture: ComplaintsFixture;
  let report: StatisticsReport;
  let app: FastifyInstance;

  before(async () => {
    fixture = await createComplaintsFixture(db(), 'sta');
    await seed(db(), fixture);
    // A category name a spreadsheet would run as a formula (for the CSV test).
    await db()
      .updateTable('complaint_categories')
      .set({ name_fr: '=HYPERLINK("http://evil.example","clic"), vite' })
      .where('id', '=', fixture.categories.waste!.id)
      .execute();
    report = await getComplaintStatistics(db(), { municipalityId: fixture.municipality.id, period: { from: '2025-01-01', to: '2025-12-31' }, now: new Date('2026-01-15T12:00:00.000Z') });
    app = await buildTestApp(handle(), { defaultMunicipality: 'sta' });
  });

  after(async () => {
    await app?.close();
  });

  test('totals: forwarded and duplicates apart, open, final answers, within the deadline, satisfaction', () => {
    const t = report.totals;
    assert.deepEqual(
      { total: t.total, forwarded: t.forwarded, duplicate: t.duplicate, open: t.open, handled: t.handled, resolved: t.resolved, due: t.due, within: t.within },
      // Due: 5 with a final answer + 2 open past their deadline (#4, #5); #6 is not due yet.
      // Within: #1 (5 days), #3 (refused after 4), #9 (10), #10 (8); #2 took 30.
      { total: 10, forwarded: 1, duplicate: 1, open: 3, handled: 5, resolved: 4, due: 7, within: 4 },
    );
    assert.deepEqual({ feedback: t.feedback, yes: t.feedback_resolved, rated: t.rated, sum: t.rating_sum }, { feedback: 4, yes: 3, rated: 3, sum: 11 });
  });

  test('medians and means of the delays, forwarded complaints left out', () => {
    // First response: 1, 1.5, 2, 3, 4, 8 (the forwarded #7 left out): median (2 + 3) / 2, mean 19.5 / 6.
    assert.equal(report.firstResponse?.n, 6);
    close(report.firstResponse?.median, 2.5);
    close(report.firstResponse?.mean, 3.25);
    // Final answer: 4 (refusal, from the timeline), 5, 8, 10, 30: median 8, mean 57 / 5.
    assert.equal(report.finalAnswer?.n, 5);
    close(report.finalAnswer?.median, 8);
    close(report.finalAnswer?.mean, 11.4);
    // Street lighting: 5, 8, 10, 30: median (8 + 10) / 2.
    const lighting = report.byCategory.find((c) => c.category?.code === 'lighting')!;
    close(lighting.finalAnswer?.median, 9);
    assert.equal(lighting.counts.total, 4);
    const roads = report.byCategory.find((c) => c.category?.code === 'roads')!;
    assert.deepEqual([roads.counts.total, roads.counts.forwarded, roads.counts.duplicate], [3, 1, 1]);
    assert.equal(roads.finalAnswer, null);
  });

  test('counts by status, channel, neighbourhood and month (El Kef time), score', () => {
    const status = Object.fromEntries(report.byStatus.map((s) => [s.status, s.count]));
    assert.deepEqual(status, { received: 2, acknowledged: 0, assigned: 0, in_progress: 1, resolved: 3, closed: 1, rejected: 1, duplicate: 1, forwarded: 1 });
    assert.deepEqual(Object.fromEntries(report.byChannel.map((c) => [c.channel, c.count])), { web: 6, sms: 1, counter: 1, phone: 1, open311: 1 });
    const hoods = report.byNeighbourhood.map((n) => [n.neighbourhood?.name.fr ?? null, n.counts.total]);
    assert.deepEqual(hoods, [['Quartier A', 0], ['Quartier A2', 5], ['Quartier B', 4], [null, 1]]);
    const months = Object.fromEntries(report.byMonth.map((m) => [m.month, m.counts.total]));
    assert.deepEqual(months, {
      '2025-01': 0, '2025-02': 0, '2025-03': 3, '2025-04': 2, '2025-05': 1, '2025-06': 2,
      '2025-07': 1, '2025-08': 0, '2025-09': 0, '2025-10': 0, '2025-11': 0, '2025-12': 1,
    });
    assert.deepEqual(report.satisfaction.map((s) => s.count), [0, 1, 0, 1, 1]);
  });

  test('by gender and age group: anonymous reporters and "unspecified" are not stated, small groups hidden', () => {
    const gender = Object.fromEntries(report.byGender.map((g) => [g.group, g]));
    assert.deepEqual(Object.keys(gender), ['female', 'male', 'not_stated']);
    assert.equal(gender.female!.complaints, 6);
    // Due among women: #1, #2, #3 (answered), #4, #5 (overdue); within: #1 and #3.
    assert.deepEqual(gender.female!.withinDeadline, { part: 2, whole: 5 });
    // Four first responses and three final answers among women: too few to publish.
    assert.equal(gender.female!.firstResponse, SUPPRESSED);
    assert.equal(gender.female!.finalAnswer, SUPPRESSED);
    assert.equal(gender.female!.satisfaction, SUPPRESSED);
    assert.equal(gender.male!.complaints, SUPPRESSED);
    assert.equal(gender.male!.withinDeadline, SUPPRESSED);
    assert.equal(gender.not_stated!.complaints, SUPPRESSED);
    const age = Object.fromEntries(report.byAgeGroup.map((g) => [g.group, g.complaints]));
    assert.deepEqual(age, { '18-24': SUPPRESSED, '25-34': SUPPRESSED, '35-44': 0, '45-59': 0, '60+': SUPPRESSED, not_stated: SUPPRESSED });
  });

  test('tables and CSV: hidden figures as *, percentages and days rounded, headers in the language', () => {
    const tables = statisticsTables(report, 'fr');
    const gender = csvRowsOf(tables.gender);
    assert.deepEqual(gender.header, ['Genre', 'Réclamations', 'Dans les délais (%)', 'Délai médian de première réponse (jours)', 'Délai médian de réponse finale (jours)', 'Disent le problème réglé (%)', 'Satisfaction moyenne']);
    assert.deepEqual(gender.rows, [
      ['Femmes', 6, 40, '*', '*', '*', '*'],
      ['Hommes', '*', '*', '*', '*', '*', '*'],
      ['Non indiqué', '*', '*', '*', '*', '*', '*'],
    ]);
    const summary = csvRowsOf(tables.summary);
    assert.deepEqual(summary.rows.slice(0, 7), [
      ['Réclamations reçues', 10],
      ['Relevant de la commune (hors transmises et doublons)', 8],
      ['Transmises à des organismes nationaux', 1],
      ['Doublons', 1],
      ['Encore en cours', 3],
      ['Avec une réponse finale', 5],
      ['Traitées dans les délais (%)', 57.1],
    ]);
    assert.deepEqual(summary.rows[7], ['Délai médian de première réponse', 2.5]);
    assert.deepEqual(summary.rows[12], ['Satisfaction moyenne (de 1 à 5)', 3.7]);
  });

  test('the page shows every figure with its chart, table and CSV link, and the note on hidden groups', async () => {
    const client = new TestClient(app);
    const response = await client.get('/fr/complaints/statistics?from=2025-01-01&to=2025-12-31');
    assert.equal(response.statusCode, 200);
    const body = response.body;
    for (const table of ['summary', 'months', 'status', 'categories', 'neighbourhoods', 'channels', 'satisfaction', 'gender', 'age']) {
      assert.match(body, new RegExp(`href="/fr/complaints/statistics/${table}\\.csv\\?from=2025-01-01&amp;to=2025-12-31"`), table);
    }
    assert.equal((body.match(/<svg class="chart/g) ?? []).length, 8);
    assert.equal((body.match(/<table class="stats-table"/g) ?? []).length, 9);
    assert.match(body, /moins de 5 réclamations est masqué/);
    assert.match(body, /<abbr title="Masqué pour protéger les personnes \(petit groupe\)">\*<\/abbr>/);
    // The page counts deadlines passed by now: #6 (due 21 January 2026) too, once that day is past.
    const current = await getComplaintStatistics(db(), { municipalityId: fixture.municipality.id, period: { from: '2025-01-01', to: '2025-12-31' } });
    const percent = new Intl.NumberFormat('fr-TN', { style: 'percent', maximumFractionDigits: 0 }).format(current.totals.within / current.totals.due);
    assert.ok(body.includes(`<span class="key-figure__value">${percent}</span>`), percent);
    assert.match(body, /2,5 jours/);
    assert.match(body, /mars 2025/);
    const arabic = await client.get('/ar/complaints/statistics?from=2025-01-01&to=2025-12-31');
    assert.doesNotMatch(arabic.body, /[٠-٩]/);
    assert.match(arabic.body, /2,5 يوم/);
  });

  test('CSV download: BOM, CRLF, attachment, formulas neutralised and commas quoted', async () => {
    const client = new TestClient(app);
    const response = await client.get('/fr/complaints/statistics/categories.csv?from=2025-01-01&to=2025-12-31');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(response.headers['content-disposition']), /^attachment; filename="complaints-categories-2025-01-01-2025-12-31\.csv"$/);
    assert.ok(response.body.startsWith('\uFEFF'));
    const lines = response.body.slice(1).split('\r\n');
    assert.equal(lines[0], 'Catégorie,Réclamations,Transmises,Réponse finale,Dans les délais (%),Délai médian de réponse finale (jours)');
    assert.ok(lines.includes(`"'=HYPERLINK(""http://evil.example"",""clic""), vite",3,0,1,33.3,4`), lines.join('\n'));
    assert.equal(lines.at(-1), '');
  });

  test('another municipality counts none of these complaints', async () => {
    const other = await createComplaintsFixture(db(), 'sta2');
    const empty = await getComplaintStatistics(db(), { municipalityId: other.municipality.id, period: { from: '2025-01-01', to: '2025-12-31' } });
    assert.equal(empty.totals.total, 0);
    assert.equal(empty.firstResponse, null);
    assert.ok(empty.byGender.every((g) => g.complaints === 0));
  });
});
