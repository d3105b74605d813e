// A realistic complaints database for the benchmark (and for looking at the public pages with
// plenty of data): the El Kef demo municipality and catalogue, a pool of signed-in citizens with
// optional gender and age group, and N complaints over the last two years.
//
// Distributions, roughly what a town of 55,000 would see: household waste and street lighting
// most often, unauthorised building rarely (and it is sensitive); 7 neighbourhoods of unequal
// size plus 1 complaint in 10 with only an address; 6 in 10 by the web form, the rest by SMS,
// counter, phone and Open311; a slow rise over the two years. The older a complaint, the more
// likely it is finished: resolved or closed mostly, some refused, duplicates, and forwarded to a
// national utility. Delays are log-normal (first response ~2 days, resolution ~12, some well past
// the 21-day deadline). A fixed seed makes every run the same database.
//
// Rows go straight into the tables, several hundred per statement and BATCH per transaction (the
// search index trigger runs as for any insert): the checks and messages of submitComplaint are
// measured separately by the benchmark, and 100,000 of them one by one would take long minutes.
import type { Insertable } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { normalizeSearchText } from '../../src/db/search.ts';
import { nowIso } from '../../src/lib/time.ts';
import { AGE_GROUPS } from '../../src/modules/accounts/accounts.ts';
import { listCategories } from '../../src/modules/complaints/categories.service.ts';
import { type Channel, type ComplaintStatus, formatTrackingNumber, trackingYear } from '../../src/modules/complaints/complaints.ts';
import type { ComplaintEventsTable, ComplaintFeedbackTable, ComplaintsTable } from '../../src/modules/complaints/complaints.table.ts';
import { seedComplaintCatalogue } from '../../src/modules/complaints/demo-catalogue.ts';
import { listNeighbourhoods } from '../../src/modules/municipalities/municipalities.repository.ts';
import { createMunicipality } from '../../src/modules/municipalities/municipalities.service.ts';
import { KEF_DEMO } from '../../src/modules/municipalities/demo-data.ts';
import type { MunicipalityRow } from '../../src/db/schema.ts';

const DAY = 86_400_000;
const BATCH = 2000;

/** mulberry32: a small, fast, seeded generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weighted: [T, number][]): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r <= 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** Standard normal (Box–Muller). */
function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const logNormalDays = (rand: () => number, medianDays: number, spread: number) => medianDays * Math.exp(spread * gauss(rand));

const CATEGORY_WEIGHTS: Record<string, number> = {
  waste: 20, lighting: 15, roads: 12, sweeping: 8, drainage: 7, insects: 5, landfill: 5, sidewalks: 5, green_spaces: 4,
  unauthorised_building: 3, hygiene: 3, public_space: 3, noise: 3, markets: 2, other: 2, building_permits: 1, civil_status: 1, administrative: 1,
};

const DESCRIPTIONS = [
  'الفضلات لم تُرفع منذ أيام أمام المنزل',
  'الفانوس مطفأ منذ أسبوع قرب المدرسة',
  'حفرة كبيرة في الطريق خطيرة على السيارات',
  'Le conteneur déborde depuis trois jours',
  'Éclairage public en panne dans toute la rue',
  'مياه راكدة وناموس كثير في الحي',
  'Nid-de-poule dangereux devant la pharmacie',
  'رصيف مكسور أمام المستوصف',
];

export type SeedOptions = { complaints: number; users?: number; seed?: number; now?: Date; progress?: (done: number) => void };
export type SeedResult = { municipality: MunicipalityRow; complaints: number; seconds: number };

/** Loads the demo municipality and `complaints` complaints into an empty, migrated database. */
export async function seedBenchmarkData(db: Db, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const rand = random(options.seed ?? 20_26);
  const now = (options.now ?? new Date()).getTime();
  const municipality = await createMunicipality(db, KEF_DEMO);
  await seedComplaintCatalogue(db, municipality.id);
  const categories = (await listCategories(db, { municipalityId: municipality.id })).filter((c) => CATEGORY_WEIGHTS[c.code] !== undefined);
  const categoryWeights = categories.map((c): [typeof c, number] => [c, CATEGORY_WEIGHTS[c.code]!]);
  const neighbourhoods = await listNeighbourhoods(db, municipality.id);
  // Each neighbourhood gets a centre on a ring around the town centre, within 2 km.
  const centres = neighbourhoods.map((n, i) => {
    const angle = (2 * Math.PI * i) / neighbourhoods.length;
    const distance = i === 0 ? 0 : 0.006 + 0.012 * rand();
    return { id: n.id, lat: municipality.map_lat + distance * Math.sin(angle), lng: municipality.map_lng + distance * Math.cos(angle) * 1.24, weight: 1 + rand() * 3 };
  });

  // Citizens with an account; some give their gender and age group, as the profile allows.
  const userIds: number[] = [];
  const stamp = nowIso();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < (options.users ?? 2000); i += 1) {
      const gender = pick<string | null>(rand, [['female', 40], ['male', 40], ['unspecified', 5], [null, 15]]);
      const age = rand() < 0.8 ? AGE_GROUPS[Math.floor(rand() * AGE_GROUPS.length)]! : null;
      const row = await trx
        .insertInto('users')
        .values({
          municipality_id: municipality.id, display_name: `Citizen ${i}`, email: `citizen${i}@bench.example`, email_verified_at: stamp, phone: null, phone_verified_at: null,
          password_hash: null, status: 'active', locale: 'ar', gender, age_group: age, neighbourhood_id: null, disability: null,
          created_at: stamp, updated_at: stamp, last_login_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      userIds.push(row.id);
    }
  });

  // Creation times, oldest first (tracking numbers follow them), over two years with a slow rise.
  const times = Array.from({ length: options.complaints }, () => now - 730 * DAY * (1 - Math.sqrt(rand()) ** 1.2)).sort((a, b) => a - b);
  const sequences = new Map<number, number>();
  for (let start = 0; start < times.length; start += BATCH) {
    const complaints: Insertable<ComplaintsTable>[] = [];
    const events = new Map<string, Omit<Insertable<ComplaintEventsTable>, 'complaint_id'>[]>();
    const feedback = new Map<string, Omit<Insertable<ComplaintFeedbackTable>, 'complaint_id'>>();
    for (const created of times.slice(start, start + BATCH)) {
      const createdAt = new Date(created).toISOString();
      const year = trackingYear(createdAt);
      const sequence = (sequences.get(year) ?? 0) + 1;
      sequences.set(year, sequence);
      const category = pick(rand, categoryWeights);
      const placed = rand() < 0.9 ? pick(rand, centres.map((c): [typeof c, number] => [c, c.weight])) : null;
      const point = placed && rand() < 0.85 ? { lat: placed.lat + gauss(rand) * 0.0025, lng: placed.lng + gauss(rand) * 0.003 } : null;
      const channel = pick<Channel>(rand, [['web', 60], ['sms', 15], ['counter', 12], ['phone', 8], ['open311', 5]]);
      const ageDays = (now - created) / DAY;
      const status = chooseStatus(rand, ageDays, category.code);
      const firstResponse = status === 'received' ? null : Math.min(ageDays, logNormalDays(rand, 2, 0.9));
      const finished = ['resolved', 'closed', 'rejected', 'duplicate', 'forwarded'].includes(status);
      const resolvedDays = status === 'resolved' || status === 'closed' ? Math.min(ageDays, Math.max(firstResponse ?? 0, logNormalDays(rand, 12, 0.7))) : null;
      const at = (days: number | null) => (days === null ? null : new Date(created + days * DAY).toISOString());
      const description = DESCRIPTIONS[Math.floor(rand() * DESCRIPTIONS.length)]!;
      const trackingNumber = formatTrackingNumber(municipality.tracking_prefix, year, sequence);
      const reporter = channel === 'web' && rand() < 0.5 ? userIds[Math.floor(rand() * userIds.length)]! : null;
      complaints.push({
        municipality_id: municipality.id,
        tracking_number: trackingNumber,
        category_id: category.id,
        status,
        priority: 'normal',
        channel,
        department_id: category.departmentId,
        assignee_user_id: null,
        description,
        description_public: null,
        answers_json: '{}',
        latitude: point?.lat ?? null,
        longitude: point?.lng ?? null,
        neighbourhood_id: placed?.id ?? null,
        address_text: placed ? null : 'Route de Tunis',
        reporter_user_id: reporter,
        contact_name: reporter === null && rand() < 0.5 ? 'Bench Person' : null,
        contact_phone: null,
        contact_email: null,
        filed_by_user_id: null,
        locale: 'ar',
        duplicate_of_id: null,
        forwarded_to: status === 'forwarded' ? 'sonede' : null,
        status_reason: status === 'rejected' || status === 'forwarded' ? 'Hors compétence' : null,
        follower_count: rand() < 0.2 ? Math.floor(rand() * 8) + 1 : 0,
        search_text: normalizeSearchText(`${trackingNumber} ${description}`),
        ack_due_at: at(category.ackDays)!,
        resolve_due_at: at(category.resolveDays)!,
        acknowledged_at: at(firstResponse),
        first_response_at: at(firstResponse),
        resolved_at: at(resolvedDays),
        closed_at: status === 'closed' ? at(Math.min(ageDays, (resolvedDays ?? 0) + 5)) : null,
        created_at: createdAt,
        updated_at: at(finished ? Math.min(ageDays, (resolvedDays ?? firstResponse ?? 0) + 1) : (firstResponse ?? 0))!,
        version: 1,
      });
      const timeline: Omit<Insertable<ComplaintEventsTable>, 'complaint_id'>[] = [
        { municipality_id: municipality.id, kind: 'status', visibility: 'public', from_status: null, to_status: 'received', body: null, data_json: JSON.stringify({ channel }), actor_user_id: reporter, created_at: createdAt },
      ];
      if (status === 'rejected') {
        timeline.push({ municipality_id: municipality.id, kind: 'status', visibility: 'public', from_status: 'acknowledged', to_status: 'rejected', body: 'Hors compétence', data_json: null, actor_user_id: null, created_at: at(firstResponse)! });
      }
      events.set(trackingNumber, timeline);
      if ((status === 'resolved' || status === 'closed') && rand() < 0.4) {
        const solved = rand() < 0.75;
        feedback.set(trackingNumber, {
          municipality_id: municipality.id,
          resolved: solved ? 1 : 0,
          satisfaction: rand() < 0.9 ? Math.min(5, Math.max(1, Math.round((solved ? 4 : 2) + gauss(rand)))) : null,
          comment: null,
          created_at: at(Math.min(ageDays, (resolvedDays ?? 0) + 2))!,
        });
      }
    }
    await db.transaction().execute(async (trx) => {
      const ids = new Map<string, number>();
      // Several rows per statement (SQLite allows 32,766 parameters; a complaint has 36).
      for (let i = 0; i < complaints.length; i += 500) {
        const inserted = await trx.insertInto('complaints').values(complaints.slice(i, i + 500)).returning(['id', 'tracking_number']).execute();
        for (const row of inserted) ids.set(row.tracking_number, row.id);
      }
      const eventRows = [...events].flatMap(([tracking, list]) => list.map((e) => ({ ...e, complaint_id: ids.get(tracking)! })));
      for (let i = 0; i < eventRows.length; i += 2000) await trx.insertInto('complaint_events').values(eventRows.slice(i, i + 2000)).execute();
      const feedbackRows = [...feedback].map(([tracking, f]) => ({ ...f, complaint_id: ids.get(tracking)! }));
      for (let i = 0; i < feedbackRows.length; i += 2000) await trx.insertInto('complaint_feedback').values(feedbackRows.slice(i, i + 2000)).execute();
    });
    options.progress?.(Math.min(start + BATCH, times.length));
  }
  for (const [year, last] of sequences) {
    await db.insertInto('complaint_sequences').values({ municipality_id: municipality.id, year, last_value: last }).execute();
  }
  return { municipality, complaints: options.complaints, seconds: (performance.now() - started) / 1000 };
}

function chooseStatus(rand: () => number, ageDays: number, categoryCode: string): ComplaintStatus {
  // Lighting and drainage complaints are sometimes the utilities' (STEG, ONAS) and forwarded.
  const forwarded = categoryCode === 'lighting' || categoryCode === 'drainage' ? 10 : 2;
  if (ageDays < 3) return pick<ComplaintStatus>(rand, [['received', 70], ['acknowledged', 20], ['assigned', 10]]);
  if (ageDays < 30) {
    return pick<ComplaintStatus>(rand, [['received', 8], ['acknowledged', 10], ['assigned', 12], ['in_progress', 20], ['resolved', 35], ['rejected', 5], ['duplicate', 4], ['forwarded', forwarded]]);
  }
  return pick<ComplaintStatus>(rand, [['in_progress', 4], ['received', 1], ['resolved', 20], ['closed', 55], ['rejected', 8], ['duplicate', 4], ['forwarded', forwarded]]);
}

// Run directly, it fills a new SQLite file, for looking at the pages with plenty of data:
//   node --import tsx bench/complaints/seed.ts /tmp/kef.db 20000
//   DATABASE_URL=sqlite:/tmp/kef.db DATA_DIR=/tmp/kef-data MAP_TILE_URL=… node bin/twiza.js serve
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  const [file, count] = process.argv.slice(2);
  if (!file) throw new Error('usage: seed.ts FILE [COMPLAINTS]');
  const { openDatabase } = await import('../../src/db/database.ts');
  const { migrateToLatest } = await import('../../src/db/migrate.ts');
  const database = openDatabase({ kind: 'sqlite', file });
  try {
    await migrateToLatest(database.db);
    const result = await seedBenchmarkData(database.db, { complaints: Number(count ?? 20_000) });
    console.log(`${file}: ${result.complaints} complaints in ${result.seconds.toFixed(1)} s`);
  } finally {
    await database.destroy();
  }
}
