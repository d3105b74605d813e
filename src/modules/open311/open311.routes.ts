// Open311 GeoReport v2 at /open311/v2/: discovery, services, service definitions, requests
// (GET and POST), one request, tokens; each in .json and .xml. A plugin of its own, so that
// every answer here (errors and unknown paths included) is the specification's error list in
// the asked format, never the site's HTML error page. Clients authenticate with an API key, not
// cookies, so the routes are exempt from the CSRF check.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { translate } from '../../i18n/i18n.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { isAppError } from '../../lib/errors.ts';
import { fetchMedia, type MediaFetchOptions } from './media.ts';
import { CONTENT_TYPES, type Open311Format, type Open311Value, serialize } from './open311.format.ts';
import { type CachedDocument, createResponseCache } from './response-cache.ts';
import {
  catalogueChangeset,
  createJurisdictionDirectory,
  getRequest,
  getServiceDefinition,
  getToken,
  jurisdictionParam,
  listRequests,
  listServices,
  open311Locale,
  Open311Error,
  type Open311Params,
  type Open311Problem,
  type Open311Status,
  SPECIFICATION_URL,
  submitRequest,
} from './open311.service.ts';

export const OPEN311_PREFIX = '/open311/v2';

/** POSTs per API key (or per address without one) and minute: a client filing in a loop stops here. */
export const POST_RATE_LIMIT = { max: 30, timeWindowMs: 60_000 };
const POST_BODY_LIMIT = 100 * 1024;
/** How long a GET requests answer is served again to the same query (response-cache.ts). */
export const LIST_CACHE_SECONDS = 10;
const LIST_CACHE_BYTES = 32 * 1024 * 1024;

const mediaOptionsByApp = new WeakMap<FastifyInstance, MediaFetchOptions>();

/**
 * How this application fetches media_url (tests name a resolver for their own hosts). The
 * defaults (system resolver, limits of media.ts) need no call.
 */
export function setOpen311MediaOptions(app: FastifyInstance, options: MediaFetchOptions): void {
  mediaOptionsByApp.set(app, options);
}

function formatOfUrl(url: string): Open311Format {
  // XML is the specification's required format, so it answers whatever else was asked.
  return /\.json$/i.test(url.split('?')[0]!) ? 'json' : 'xml';
}

function send(reply: FastifyReply, format: Open311Format, root: string, value: Open311Value, status = 200): FastifyReply {
  return reply.status(status).header('content-type', CONTENT_TYPES[format]).header('cache-control', 'no-store').send(serialize(format, root, value));
}

/** "KEF-2026-000123.json" → the id and the format; undefined for another extension. */
function splitFile(file: string): { id: string; format: Open311Format } | undefined {
  const dot = file.lastIndexOf('.');
  const extension = file.slice(dot + 1).toLowerCase();
  if (dot <= 0 || (extension !== 'json' && extension !== 'xml')) return undefined;
  return { id: file.slice(0, dot), format: extension };
}

function problemsOfError(error: unknown): { status: Open311Status; problems: Open311Problem[]; unexpected: boolean } {
  if (error instanceof Open311Error) return { status: error.status, problems: error.problems, unexpected: false };
  if (isAppError(error)) {
    if (error.code === 'rate_limited') return { status: 429, problems: [{ status: 429, key: 'open311.error.rate_limited' }], unexpected: false };
    if (error.code === 'payload_too_large') return { status: 413, problems: [{ status: 413, key: 'open311.error.too_large' }], unexpected: false };
    if (error.code === 'not_found') return { status: 404, problems: [{ status: 404, key: 'open311.error.not_found' }], unexpected: false };
  }
  const statusCode = (error as { statusCode?: number } | null)?.statusCode;
  if (statusCode === 413) return { status: 413, problems: [{ status: 413, key: 'open311.error.too_large' }], unexpected: false };
  if (statusCode === 429) return { status: 429, problems: [{ status: 429, key: 'open311.error.rate_limited' }], unexpected: false };
  if (statusCode === 415) return { status: 400, problems: [{ status: 400, key: 'open311.error.content_type' }], unexpected: false };
  if (statusCode === 404) return { status: 404, problems: [{ status: 404, key: 'open311.error.not_found' }], unexpected: false };
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return { status: 400, problems: [{ status: 400, key: 'open311.error.unreadable' }], unexpected: false };
  }
  // The specification's "general service error" is a 400 with an explanation; we log the cause.
  return { status: 400, problems: [{ status: 400, key: 'open311.error.general' }], unexpected: true };
}

/** Whether the client takes gzip (and did not refuse it with q=0). */
function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...parameters] = part.split(';').map((p) => p.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = parameters.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function sendCached(request: FastifyRequest, reply: FastifyReply, format: Open311Format, document: CachedDocument): FastifyReply {
  reply
    .header('content-type', CONTENT_TYPES[format])
    // Revalidated (ETag) rather than public: the site's hooks may set cookies on any answer.
    .header('cache-control', 'no-cache')
    .header('etag', document.etag)
    .header('vary', 'accept-encoding, accept-language');
  if (request.headers['if-none-match'] === document.etag) return reply.status(304).send();
  // Already compressed once for everyone: the compression plugin leaves it as it is.
  if (acceptsGzip(request.headers['accept-encoding'])) return reply.header('content-encoding', 'gzip').send(document.gzip);
  return reply.send(document.body);
}

/** The query as a cache key: the same parameters in any order are the same query. */
function canonicalQuery(params: Open311Params): string {
  return JSON.stringify(
    Object.keys(params)
      .sort()
      .map((k) => [k, params[k]]),
  );
}

function paramsOf(request: FastifyRequest): Open311Params {
  return (request.query && typeof request.query === 'object' ? request.query : {}) as Open311Params;
}

export function registerOpen311Routes(app: FastifyInstance): void {
  app.register(
    async (api) => {
      const { config, database } = app.deps;
      const db = database.db;
      const directory = createJurisdictionDirectory(db);
      const listCache = createResponseCache({ ttlMs: LIST_CACHE_SECONDS * 1000, maxBytes: LIST_CACHE_BYTES });

      const localeOf = (request: FastifyRequest, params: Open311Params) => open311Locale(params, request.headers['accept-language'], config.defaultLocale);
      const baseUrlOf = (request: FastifyRequest) => config.publicUrl ?? `${request.protocol}://${request.host}`;

      api.setErrorHandler((error, request, reply) => {
        const format = formatOfUrl(request.url);
        const { status, problems, unexpected } = problemsOfError(error);
        if (unexpected) request.log.error({ err: error }, 'Open311 request failed');
        let locale = request.locale;
        try {
          const body = request.body && typeof request.body === 'object' ? (request.body as Open311Params) : {};
          locale = localeOf(request, { ...paramsOf(request), ...body });
        } catch {
          // An unreadable `locale` is one of the problems being reported; answer in the default.
        }
        const errors = problems.map((p) => {
          const text = translate(locale, p.key, p.values);
          return { code: p.status, description: p.param ? `${p.param}: ${text}` : text };
        });
        return send(reply, format, 'errors', errors, status);
      });

      api.setNotFoundHandler((request, reply) => {
        const locale = request.locale;
        return send(reply, formatOfUrl(request.url), 'errors', [{ code: 404, description: translate(locale, 'open311.error.not_found') }], 404);
      });

      const routeConfig = { config: { csrfExempt: true } };

      for (const format of ['json', 'xml'] as const) {
        api.get(`/discovery.${format}`, routeConfig, async (request, reply) => {
          const params = paramsOf(request);
          const locale = localeOf(request, params);
          // Discovery describes the endpoint; jurisdiction_id only chooses whose contact to show.
          const id = jurisdictionParam(params);
          const municipality = id ? await directory.resolve(id) : request.municipality;
          const changeset = await catalogueChangeset(db, municipality.id);
          const contact = [municipality.contact_email, municipality.contact_phone].filter(Boolean).join(' ');
          return send(reply, format, 'discovery', {
            changeset,
            contact: translate(locale, 'open311.discovery.contact', { municipality: municipality[`name_${locale}`], contact: contact || baseUrlOf(request) }),
            key_service: translate(locale, 'open311.discovery.key_service'),
            endpoints: [
              {
                specification: SPECIFICATION_URL,
                url: `${baseUrlOf(request)}${OPEN311_PREFIX}`,
                changeset,
                type: config.env === 'production' ? 'production' : 'test',
                formats: ['text/xml', 'application/json'],
              },
            ],
          });
        });

        api.get(`/services.${format}`, routeConfig, async (request, reply) => {
          const params = paramsOf(request);
          const locale = localeOf(request, params);
          const municipality = await directory.resolve(jurisdictionParam(params));
          return send(reply, format, 'services', await listServices(db, { municipality, locale }));
        });

        api.get(`/requests.${format}`, routeConfig, async (request, reply) => {
          const params = paramsOf(request);
          const locale = localeOf(request, params);
          const municipality = await directory.resolve(jurisdictionParam(params));
          const baseUrl = baseUrlOf(request);
          const key = JSON.stringify([municipality.id, format, locale, baseUrl, canonicalQuery(params)]);
          const document = await listCache.get(key, async () =>
            serialize(format, 'service_requests', await listRequests(db, { municipality, locale, params, baseUrl })),
          );
          return sendCached(request, reply, format, document);
        });
      }

      // One route for both formats, so that the limit counts a key's requests whichever it asks for.
      api.post(
        '/requests.:format',
        {
          bodyLimit: POST_BODY_LIMIT,
          config: {
            csrfExempt: true,
            rateLimit: {
              max: POST_RATE_LIMIT.max,
              timeWindow: POST_RATE_LIMIT.timeWindowMs,
              // After the body is read, to count per key; the store sees only the key's hash.
              hook: 'preHandler',
              keyGenerator: (request: FastifyRequest) => {
                const key = (request.body as Record<string, unknown> | undefined)?.api_key;
                return typeof key === 'string' && key !== '' ? `open311:key:${sha256Hex(key)}` : `open311:ip:${request.ip}`;
              },
            },
          },
        },
        async (request, reply) => {
          const format = (request.params as { format: string }).format;
          if (format !== 'json' && format !== 'xml') throw new Open311Error([{ status: 404, key: 'open311.error.format' }]);
          if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '')) {
            throw new Open311Error([{ status: 400, key: 'open311.error.content_type' }]);
          }
          const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Open311Params;
          // Parameters may come in the query string too (some clients put jurisdiction_id there).
          const params: Open311Params = { ...paramsOf(request), ...body };
          const locale = localeOf(request, params);
          const municipality = await directory.resolve(jurisdictionParam(params));
          const mediaOptions = mediaOptionsByApp.get(app) ?? {};
          const value = await submitRequest(db, {
            municipality,
            locale,
            params,
            dataDir: config.dataDir,
            publicUrl: config.publicUrl ?? baseUrlOf(request),
            countryCode: config.sms.countryCode,
            fetchMedia: (url) => fetchMedia(url, mediaOptions),
          });
          return send(reply, format, 'service_requests', value);
        },
      );

      api.get('/services/:file', routeConfig, async (request, reply) => {
        const file = splitFile((request.params as { file: string }).file);
        if (!file) throw new Open311Error([{ status: 404, key: 'open311.error.format' }]);
        const params = paramsOf(request);
        const locale = localeOf(request, params);
        const municipality = await directory.resolve(jurisdictionParam(params));
        return send(reply, file.format, 'service_definition', await getServiceDefinition(db, { municipality, locale, serviceCode: file.id }));
      });

      api.get('/requests/:file', routeConfig, async (request, reply) => {
        const file = splitFile((request.params as { file: string }).file);
        if (!file) throw new Open311Error([{ status: 404, key: 'open311.error.format' }]);
        const params = paramsOf(request);
        const locale = localeOf(request, params);
        const municipality = await directory.resolve(jurisdictionParam(params));
        const value = await getRequest(db, { municipality, locale, serviceRequestId: file.id, baseUrl: baseUrlOf(request) });
        return send(reply, file.format, 'service_requests', value);
      });

      api.get('/tokens/:file', routeConfig, async (request, reply) => {
        const file = splitFile((request.params as { file: string }).file);
        if (!file) throw new Open311Error([{ status: 404, key: 'open311.error.format' }]);
        const municipality = await directory.resolve(jurisdictionParam(paramsOf(request)));
        return send(reply, file.format, 'service_requests', await getToken(db, { municipality, token: file.id }));
      });
    },
    { prefix: OPEN311_PREFIX },
  );
}
