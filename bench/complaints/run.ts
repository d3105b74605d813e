// The complaints benchmark (issue 3): 100,000 complaints in a fresh SQLite database, the real
// application on a loopback port, and 50 keep-alive connections from a child process.
//
//   node --import tsx bench/complaints/run.ts [--complaints 100000] [--duration 5] [--connections 50]
//                                             [--submissions-seconds 5] [--keep]
//
// It measures requests per second and latency percentiles of a bare Fastify route (the
// baseline, in the same process as the application, same machine, same run), then of each
// public read: the list page (first page, a filtered page, a page deep in the list), the map's
// GeoJSON (all, and open complaints) and Open311 GET requests.json when that route exists;
// then durable submissions per second through submitComplaint (SQLite synchronous=FULL).
// The public pages keep what they computed while no complaint changes (public.routes.ts); the
// rows "in turn (uncached)" cycle through more distinct URLs than those caches hold, so they
// show the cost of computing and rendering every answer: the worst case, printed for honesty.
// Targets: every public read at least 1/5 of the bare route's rate, p99 under 50 ms.
// Requests are sent like a browser's after its first visit (cookies kept, gzip accepted).
// Not part of `npm test`: it prints figures and MET / NOT MET; it asserts nothing.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { listCategories } from '../../src/modules/complaints/categories.service.ts';
import { getComplaintStatistics } from '../../src/modules/complaints/statistics.service.ts';
import { submitComplaint } from '../../src/modules/complaints/submission.service.ts';
import { createTenantResolver } from '../../src/modules/municipalities/tenant-resolver.ts';
import type { LoadJob, LoadResult } from './load.ts';
import { seedBenchmarkData } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    complaints: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    'submissions-seconds': { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
});
const COMPLAINTS = Math.min(Math.max(Number(args.complaints), 1000), 1_000_000);
const DURATION_MS = Math.min(Math.max(Number(args.duration), 1), 60) * 1000;
const CONNECTIONS = Math.min(Math.max(Number(args.connections), 1), 200);
const SUBMISSION_MS = Math.min(Math.max(Number(args['submissions-seconds']), 1), 60) * 1000;
const RATIO_TARGET = 1 / 5;
const P99_TARGET_MS = 50;

const log = (text: string) => process.stdout.write(`${text}\n`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twiza-bench-'));
const file = path.join(dir, 'bench.db');

log(`Twiza complaints benchmark · node ${process.version} · ${os.cpus().length} CPU · load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
log(`Database: ${file}`);

// 1. The data.
const database = openDatabase({ kind: 'sqlite', file });
await migrateToLatest(database.db);
const seeded = await seedBenchmarkData(database.db, {
  complaints: COMPLAINTS,
  progress: (done) => process.stdout.write(`\r  seeding ${done.toLocaleString('en')} / ${COMPLAINTS.toLocaleString('en')} complaints`),
});
log(`\r  seeded ${COMPLAINTS.toLocaleString('en')} complaints in ${seeded.seconds.toFixed(1)} s${' '.repeat(20)}`);
database.sqlite!.exec('ANALYZE');
log(`  SQLite synchronous = ${String(database.sqlite!.pragma('synchronous', { simple: true }))} (2 = FULL), journal = ${String(database.sqlite!.pragma('journal_mode', { simple: true }))}`);

// 2. The application and the baseline, in this process, on loopback ports.
const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: `sqlite:${file}`, DATA_DIR: dir, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
const app = await buildApp({ config, database, secretKey: 'bench-secret-key-that-is-long-enough-0123456789', tenants: createTenantResolver(database.db, 'kef'), logger: false });
const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
const bare = fastify({ logger: false });
bare.get('/bare', async () => ({ ok: true }));
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

// 3. The load generator, in its own process (its own core when there are two).
const child = fork(path.join(import.meta.dirname, 'load.ts'), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
await new Promise<void>((resolve) => child.once('message', () => resolve()));
function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ok: boolean; result?: LoadResult; error?: string }) => (message.ok ? resolve(message.result!) : reject(new Error(message.error))));
    child.send(job);
  });
}

/** One request as a browser's first visit, for the cookies a browser would send afterwards. */
async function firstVisit(url: string): Promise<{ status: number; cookie: string; bytes: number }> {
  const response = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
  const body = await response.arrayBuffer();
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { status: response.status, cookie, bytes: body.byteLength };
}

type Row = { name: string; result: LoadResult | null; note?: string; target: boolean; size?: number; uncached?: boolean };
const rows: Row[] = [];

async function measure(name: string, url: string, options: { accept?: string; target?: boolean; urls?: string[] } = {}): Promise<void> {
  const visit = await firstVisit(url);
  if (visit.status === 404) {
    rows.push({ name, result: null, note: 'skipped: the route answers 404 (not built yet)', target: false });
    log(`  ${name}: skipped (404)`);
    return;
  }
  if (visit.status !== 200) throw new Error(`${url} answered ${visit.status}`);
  const headers: Record<string, string> = { 'accept-encoding': 'gzip', accept: options.accept ?? 'text/html' };
  if (visit.cookie) headers.cookie = visit.cookie;
  const result = await load({ url, urls: options.urls, connections: CONNECTIONS, warmupMs: 1000, durationMs: DURATION_MS, maxRequests: 2_000_000, headers });
  rows.push({ name, result, target: options.target ?? true, size: visit.bytes, uncached: (options.urls?.length ?? 0) > 1 });
  log(`  ${name}: ${result.perSecond.toFixed(0)} req/s, p99 ${result.p99.toFixed(1)} ms`);
}

const kefCategories = await listCategories(database.db, { municipalityId: seeded.municipality.id });
const waste = kefCategories.find((c) => c.code === 'waste')!;
// A bookmark deep in the list: the complaint in the middle of the table.
const middle = await database.db
  .selectFrom('complaints')
  .select(['created_at', 'id'])
  .orderBy('created_at', 'desc')
  .orderBy('id', 'desc')
  .offset(Math.floor(COMPLAINTS / 2))
  .limit(1)
  .executeTakeFirstOrThrow();
// Pages and filters nobody asked for a moment ago: more distinct URLs than the caches keep, taken
// in turn, so that every answer is computed and rendered (the worst case, not the usual one).
const cursors = await database.db.selectFrom('complaints').select(['created_at', 'id']).where(sql<boolean>`id % 31 = 0`).limit(3000).execute();
const coldPages = cursors.map((c) => `${appUrl}/ar/complaints/list?after=${encodeURIComponent(`${c.created_at}_${c.id}`)}`);
const neighbourhoodIds = (await database.db.selectFrom('neighbourhoods').select('id').execute()).map((n) => n.id);
const coldMaps = kefCategories.flatMap((c) =>
  ['open', 'finished', 'received', 'in_progress', 'resolved', 'closed', 'rejected'].flatMap((status) =>
    neighbourhoodIds.map((n) => `${appUrl}/fr/complaints/map.geojson?category=${c.id}&status=${status}&neighbourhood=${n}`),
  ),
);

log(`\nLoad: ${CONNECTIONS} connections, 1 s warm-up then ${DURATION_MS / 1000} s per target`);
await measure('bare Fastify route (baseline)', `${bareUrl}/bare`, { accept: 'application/json', target: false });
await measure('app: /healthz (the app’s own cheapest route)', `${appUrl}/healthz`, { accept: 'application/json', target: false });
await measure('public list, first page', `${appUrl}/ar/complaints/list`);
await measure('public list, category + open', `${appUrl}/fr/complaints/list?category=${waste.id}&status=open`);
await measure('public list, deep page (keyset)', `${appUrl}/ar/complaints/list?after=${encodeURIComponent(`${middle.created_at}_${middle.id}`)}`);
await measure(`public list, ${coldPages.length} pages in turn (uncached)`, coldPages[0]!, { urls: coldPages });
await measure('map GeoJSON, all', `${appUrl}/ar/complaints/map.geojson`, { accept: 'application/geo+json' });
await measure('map GeoJSON, open', `${appUrl}/fr/complaints/map.geojson?status=open`, { accept: 'application/geo+json' });
await measure(`map GeoJSON, ${coldMaps.length} filters in turn (uncached)`, coldMaps[0]!, { accept: 'application/geo+json', urls: coldMaps });
await measure('Open311 GET requests.json', `${appUrl}/open311/v2/requests.json`, { accept: 'application/json' });
child.send('exit');

// Statistics are computed at most every ten minutes per period; how long does one take?
const statisticsTimes: string[] = [];
for (const [label, period] of [['last 12 months', {}], ['two years', { from: '2000-01-01' }]] as const) {
  const begin = performance.now();
  const report = await getComplaintStatistics(database.db, { municipalityId: seeded.municipality.id, period });
  statisticsTimes.push(`${label} (${report.totals.total.toLocaleString('en')} complaints): ${(performance.now() - begin).toFixed(0)} ms`);
}

// 4. Durable submissions: each one a committed transaction (fsync) before the next.
log(`\nSubmissions through submitComplaint for ${SUBMISSION_MS / 1000} s (one after another; SQLite writes one at a time)`);
const lighting = kefCategories.find((c) => c.code === 'lighting')!;
let submitted = 0;
const submissionLatencies: number[] = [];
const submitStart = performance.now();
while (performance.now() - submitStart < SUBMISSION_MS && submitted < 100_000) {
  const begin = performance.now();
  await submitComplaint(database.db, {
    municipality: seeded.municipality,
    channel: 'web',
    locale: 'ar',
    reporter: null,
    categoryId: lighting.id,
    description: `الفانوس مطفأ منذ أسبوع قرب المدرسة (${submitted})`,
    location: { lat: 36.18 + (submitted % 50) * 0.0001, lng: 8.71 },
    contact: submitted % 2 === 0 ? { phone: `+2162${String(1_000_000 + submitted).slice(-7)}` } : undefined,
  });
  submissionLatencies.push(performance.now() - begin);
  submitted += 1;
}
const submitSeconds = (performance.now() - submitStart) / 1000;
submissionLatencies.sort((a, b) => a - b);

await app.close();
await bare.close();
await database.destroy();
if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });

// 5. The report.
const baseline = rows[0]!.result!;
const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - [...text].length));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - [...text].length)) + text;
log('\n' + [pad('target', 52), padStart('req/s', 8), padStart('× bare', 8), padStart('p50 ms', 8), padStart('p99 ms', 8), padStart('bytes', 8), '  result'].join(''));
log('-'.repeat(118));
let metAsServed = true;
let metUncached = true;
for (const row of rows) {
  if (!row.result) {
    log(`${pad(row.name, 52)}  ${row.note}`);
    continue;
  }
  const r = row.result;
  const ratio = r.perSecond / baseline.perSecond;
  const failures = r.errors + Object.values(r.statuses).reduce((a, b) => a + b, 0);
  const met = ratio >= RATIO_TARGET && r.p99 < P99_TARGET_MS && failures === 0;
  if (row.target && !met) {
    if (row.uncached) metUncached = false;
    else metAsServed = false;
  }
  const verdict = !row.target ? '(reference)' : met ? 'MET' : `NOT MET${ratio < RATIO_TARGET ? ' (rate)' : ''}${r.p99 >= P99_TARGET_MS ? ' (p99)' : ''}${failures ? ` (${failures} failed)` : ''}`;
  log(
    [pad(row.name, 52), padStart(r.perSecond.toFixed(0), 8), padStart(ratio.toFixed(2), 8), padStart(r.p50.toFixed(1), 8), padStart(r.p99.toFixed(1), 8), padStart(String(row.size ?? ''), 8), `  ${verdict}`].join(''),
  );
}
const perSecond = submitted / submitSeconds;
log(`${pad('durable submissions (submitComplaint)', 52)}${padStart(perSecond.toFixed(0), 8)}${padStart('', 8)}${padStart(submissionLatencies[Math.floor(submissionLatencies.length / 2)]!.toFixed(1), 8)}${padStart(submissionLatencies[Math.floor(submissionLatencies.length * 0.99)]!.toFixed(1), 8)}${padStart('', 8)}  (${submitted} in ${submitSeconds.toFixed(1)} s)`);
log(`statistics computed afresh: ${statisticsTimes.join('; ')}`);
const targets = `≥ ${RATIO_TARGET.toFixed(2)} × the bare route's rate and p99 < ${P99_TARGET_MS} ms at ${CONNECTIONS} connections`;
log(`\nTargets (${targets}):`);
log(`  public reads as visitors make them (the same pages and filters again, answers kept while no complaint changes): ${metAsServed ? 'MET' : 'NOT MET'}`);
log(`  worst case, every answer computed and rendered (URLs never repeated within the caches' size): ${metUncached ? 'MET' : 'NOT MET'}`);
log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (figures from a busy shared machine are lower and noisier)`);
