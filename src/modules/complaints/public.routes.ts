// The public pages of complaints: list, map (with its GeoJSON) and statistics (with CSV
// downloads). Anyone may read them, signed in or not; nothing here changes data.
//
// Query strings come from links and bookmarks: a filter that makes no sense is dropped (the
// page shows unfiltered) rather than answered with an error page.
//
// Speed (bench/complaints): the pages anonymous visitors see and the map's points are kept in
// the process, compressed once, keyed by municipality, language and filters, while no complaint
// of the municipality has changed (a one-row indexed query tells, on every request) and for a
// minute at most (names of categories and neighbourhoods, kept 30 seconds, may have changed).
// A signed-in visitor's page is never kept: its header is theirs. Statistics are kept ten
// minutes per period. Browsers may keep the GeoJSON briefly too (Cache-Control).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ComponentType, h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Db } from '../../db/database.ts';
import { viewContext } from '../../http/render.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { AppError } from '../../lib/errors.ts';
import { CSV_BOM, csvLine } from './cell.csv.ts';
import {
  decodeCursor,
  encodeCursor,
  getPublicChangeStamp,
  getPublicComplaintFeatures,
  getPublicMapGroups,
  listPublicComplaints,
  loadPublicReference,
  parseDay,
  type PublicReference,
  type PublicListFilters,
  STATUS_FILTERS,
  type StatusFilter,
} from './public-list.service.ts';
import { filterQuery, PublicListPage, PublicMapPage, PublicStatisticsPage } from './public.views.tsx';
import { csvRowsOf, getComplaintStatistics, STATISTICS_TABLES, type StatisticsReport, type StatisticsTableName, statisticsTables } from './statistics.service.ts';

type Query = Record<string, unknown>;

function text(query: Query, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' && value.length <= 100 ? value : undefined;
}

function positiveId(value: string | undefined): number | undefined {
  return value !== undefined && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : undefined;
}

/** The filters of the list and the map, each dropped when it does not make sense. */
export function readFilters(query: unknown): PublicListFilters {
  const q = (query && typeof query === 'object' ? query : {}) as Query;
  const status = text(q, 'status');
  const neighbourhood = text(q, 'neighbourhood');
  const filters: PublicListFilters = {};
  const category = positiveId(text(q, 'category'));
  if (category !== undefined) filters.category = category;
  if (status && (STATUS_FILTERS as readonly string[]).includes(status)) filters.status = status as StatusFilter;
  if (neighbourhood === 'none') filters.neighbourhood = 'none';
  else if (positiveId(neighbourhood) !== undefined) filters.neighbourhood = positiveId(neighbourhood);
  const from = parseDay(text(q, 'from'));
  const to = parseDay(text(q, 'to'));
  if (from && to && from > to) [filters.from, filters.to] = [to, from];
  else {
    if (from) filters.from = from;
    if (to) filters.to = to;
  }
  return filters;
}

/** A cache of answers that stay valid while the municipality's complaints do not change, for `ttlMs` at most. */
function stampedCache<T>(ttlMs: number, maxEntries: number) {
  const entries = new Map<string, { stamp: string; expires: number; value: T }>();
  return {
    get(key: string, stamp: string): T | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.stamp !== stamp || entry.expires < Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key: string, stamp: string, value: T): void {
      // Oldest first: a Map iterates in insertion order.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { stamp, expires: Date.now() + ttlMs, value });
    },
  };
}

const dbOf = (request: FastifyRequest): Db => request.server.deps.database.db;

// public/ (not imported from app.ts, which imports this file).
const PUBLIC_DIR = path.resolve(import.meta.dirname, '../../../public');

/** An answer as sent: plain, and gzip-compressed once for every browser that accepts it. */
type CachedBody = { plain: Buffer; gzip: Buffer; etag?: string };

function cachedBody(text: string, options: { etag?: boolean } = {}): CachedBody {
  const plain = Buffer.from(text);
  const gzip = zlib.gzipSync(plain, { level: 6 });
  return options.etag ? { plain, gzip, etag: `"${sha256Hex(plain.toString('latin1')).slice(0, 20)}"` } : { plain, gzip };
}

function renderHtml<P>(component: ComponentType<P>, props: P): string {
  // As sendPage (src/http/render.ts) does, but returned, so that it can be kept.
  return `<!doctype html>${renderToString(h(component as ComponentType<any>, props as any))}`;
}

function acceptsGzip(request: FastifyRequest): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
}

const LEAFLET_DIR = path.dirname(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.js'));

function contentHash(file: string): string {
  return sha256Hex(fs.readFileSync(file).toString('latin1')).slice(0, 12);
}

/**
 * The map script and Leaflet, with content hashes in their URLs (served as immutable); null
 * when the script was not built. Leaflet is served under /static/leaflet/ by the portal routes.
 */
function mapAssets(): { script: string; leafletJs: string; leafletCss: string } | null {
  try {
    return {
      script: `/static/complaints-map.js?v=${contentHash(path.join(PUBLIC_DIR, 'complaints-map.js'))}`,
      leafletJs: `/static/leaflet/leaflet.js?v=${contentHash(path.join(LEAFLET_DIR, 'leaflet.js'))}`,
      leafletCss: `/static/leaflet/leaflet.css?v=${contentHash(path.join(LEAFLET_DIR, 'leaflet.css'))}`,
    };
  } catch {
    return null;
  }
}

export function registerComplaintPublicRoutes(app: FastifyInstance): void {
  const geojsonCache = stampedCache<CachedBody>(60_000, 200);
  const pageCache = stampedCache<CachedBody>(60_000, 500);
  // Statistics are recomputed at most every ten minutes per period (the page says when), not at
  // every new complaint: a year of figures does not need to be up to the second.
  const statisticsCache = stampedCache<StatisticsReport>(10 * 60_000, 100);
  const referenceCache = new Map<number, { expires: number; value: Promise<PublicReference> }>();
  const assets = mapAssets();

  /** Category and neighbourhood names, loaded at most every 30 seconds per municipality. */
  function referenceFor(request: FastifyRequest): Promise<PublicReference> {
    const id = request.municipality.id;
    const cached = referenceCache.get(id);
    if (cached && cached.expires > Date.now()) return cached.value;
    const value = loadPublicReference(dbOf(request), id);
    referenceCache.set(id, { expires: Date.now() + 30_000, value });
    value.catch(() => referenceCache.delete(id));
    return value;
  }

  /** Sends a page; an anonymous visitor's page is kept while the complaints do not change. */
  async function sendPublicPage(request: FastifyRequest, reply: FastifyReply, what: string, render: () => Promise<string>): Promise<FastifyReply> {
    const keepable = request.currentUser === null && request.flash === null;
    let body: CachedBody | undefined;
    let stamp = '';
    // Keyed by what the page shows, not the raw URL: extra query parameters neither miss nor fill the cache.
    const key = `${request.municipality.id}/${request.locale}/${what}`;
    if (keepable) {
      stamp = await getPublicChangeStamp(dbOf(request), request.municipality.id);
      body = pageCache.get(key, stamp);
    }
    if (!body) {
      body = cachedBody(await render());
      if (keepable) pageCache.set(key, stamp, body);
    }
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('vary', 'accept-encoding');
    if (acceptsGzip(request)) return reply.header('content-encoding', 'gzip').send(body.gzip);
    return reply.send(body.plain);
  }

  // Compressed by sendPublicPage, once per kept page, not by the compress plugin every time.
  app.get('/:locale/complaints/list', { compress: false }, async (request, reply) => {
    const query = (request.query ?? {}) as Query;
    const filters = readFilters(query);
    const after = decodeCursor(text(query, 'after'));
    const before = decodeCursor(text(query, 'before'));
    const what = `list${filterQuery(filters, { after: after && encodeCursor(after), before: before && encodeCursor(before) })}`;
    return sendPublicPage(request, reply, what, async () => {
      const page = await listPublicComplaints(dbOf(request), {
        municipalityId: request.municipality.id,
        filters,
        after,
        before,
        reference: await referenceFor(request),
      });
      const ctx = viewContext(request);
      const link = (extra: Record<string, string>) => `/${ctx.locale}/complaints/list${filterQuery(filters, extra)}`;
      return renderHtml(PublicListPage, {
        ctx,
        model: {
          filters,
          reference: page.reference,
          items: page.items,
          olderHref: page.olderCursor ? link({ after: page.olderCursor }) : null,
          newerHref: page.newerCursor ? link({ before: page.newerCursor }) : null,
          paged: after !== null || before !== null,
        },
      });
    });
  });

  app.get('/:locale/complaints/map', { compress: false }, async (request, reply) => {
    const filters = readFilters(request.query);
    return sendPublicPage(request, reply, `map${filterQuery(filters)}`, async () => {
      const municipality = request.municipality;
      const result = await getPublicMapGroups(dbOf(request), { municipalityId: municipality.id, filters, reference: await referenceFor(request) });
      const ctx = viewContext(request);
      const { tileUrl, attribution } = app.deps.config.map;
      return renderHtml(PublicMapPage, {
        ctx,
        model: {
          filters,
          reference: result.reference,
          groups: result.groups,
          total: result.total,
          map:
            tileUrl && assets
              ? {
                  tileUrl,
                  attribution,
                  lat: municipality.map_lat,
                  lng: municipality.map_lng,
                  zoom: municipality.map_zoom,
                  geojsonUrl: `/${ctx.locale}/complaints/map.geojson${filterQuery(filters)}`,
                  ...assets,
                }
              : null,
        },
      });
    });
  });

  app.get(
    '/:locale/complaints/map.geojson',
    {
      // Compressed once per cached answer below, not once per request.
      compress: false,
      // Shared caches must never keep an answer that sets a cookie (the first visit sets the
      // browser's CSRF and language cookies): such an answer is private.
      onSend: async (_request, reply, payload) => {
        if (reply.getHeader('set-cookie') !== undefined && reply.statusCode === 200) reply.header('cache-control', 'private, max-age=30');
        return payload;
      },
    },
    async (request, reply) => {
      const filters = readFilters(request.query);
      const municipalityId = request.municipality.id;
      const db = dbOf(request);
      const stamp = await getPublicChangeStamp(db, municipalityId);
      const key = `${municipalityId}/${request.locale}${filterQuery(filters)}`;
      let body = geojsonCache.get(key, stamp);
      if (!body) {
        const collection = await getPublicComplaintFeatures(db, { municipalityId, filters, locale: request.locale, reference: await referenceFor(request) });
        body = cachedBody(JSON.stringify(collection), { etag: true });
        geojsonCache.set(key, stamp, body);
      }
      reply
        .header('cache-control', 'public, max-age=30')
        .header('etag', body.etag!)
        .header('vary', 'accept-encoding')
        .type('application/geo+json; charset=utf-8');
      if (request.headers['if-none-match'] === body.etag) return reply.status(304).send();
      if (acceptsGzip(request)) return reply.header('content-encoding', 'gzip').send(body.gzip);
      return reply.send(body.plain);
    },
  );

  async function statisticsFor(request: FastifyRequest): Promise<{ report: StatisticsReport; asked: { from?: string; to?: string } }> {
    const query = (request.query ?? {}) as Query;
    const asked = { from: parseDay(text(query, 'from')) ?? undefined, to: parseDay(text(query, 'to')) ?? undefined };
    const municipalityId = request.municipality.id;
    const key = `${municipalityId}/${asked.from ?? ''}/${asked.to ?? ''}`;
    let report = statisticsCache.get(key, 'ttl');
    if (!report) {
      report = await getComplaintStatistics(dbOf(request), { municipalityId, period: asked, reference: await referenceFor(request) });
      statisticsCache.set(key, 'ttl', report);
    }
    return { report, asked };
  }

  // Each new period is computed afresh: a visitor cannot make the server do that without limit.
  const statisticsLimit = { rateLimit: { max: 60, timeWindow: '1 minute' } };

  app.get('/:locale/complaints/statistics', { compress: false, config: statisticsLimit }, async (request, reply) => {
    const query = (request.query ?? {}) as Query;
    const what = `statistics${filterQuery({ from: parseDay(text(query, 'from')) ?? undefined, to: parseDay(text(query, 'to')) ?? undefined })}`;
    return sendPublicPage(request, reply, what, async () => {
      const { report, asked } = await statisticsFor(request);
      return renderHtml(PublicStatisticsPage, { ctx: viewContext(request), model: { report, tables: statisticsTables(report, request.locale), asked } });
    });
  });

  app.get('/:locale/complaints/statistics/:file', { config: statisticsLimit }, async (request: FastifyRequest, reply: FastifyReply) => {
    const file = (request.params as { file: string }).file;
    const name = /^([a-z]+)\.csv$/.exec(file)?.[1];
    if (!name || !(STATISTICS_TABLES as readonly string[]).includes(name)) throw new AppError('not_found');
    const { report } = await statisticsFor(request);
    const table = statisticsTables(report, request.locale)[name as StatisticsTableName];
    const { header, rows } = csvRowsOf(table);
    const csv = CSV_BOM + csvLine(header) + rows.map(csvLine).join('');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="complaints-${name}-${report.period.from}-${report.period.to}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });
}
