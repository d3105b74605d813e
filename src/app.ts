// Builds the HTTP application: plugins, request hooks (municipality, language, session, CSRF),
// error pages, and every module's routes, registered explicitly here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastify, { type FastifyInstance } from 'fastify';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { Redis } from 'ioredis';
import { LOCALES, type Config, type Locale } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { sha256Hex } from './lib/crypto.ts';
import { AppError, isAppError } from './lib/errors.ts';
import { translate } from './i18n/i18n.ts';
import type { Actor } from './auth/policies.ts';
import { CSRF_COOKIE, CSRF_FIELD, isValidCsrfToken, newCsrfSecret } from './http/csrf.ts';
import { sendPage, takeFlash, viewContext } from './http/render.ts';
import { ErrorPage } from './ui/error-page.tsx';
import type { TenantResolver } from './modules/municipalities/tenant-resolver.ts';
import type { MunicipalityRow } from './db/schema.ts';
import { type CurrentUser, resolveSession } from './modules/accounts/sessions.service.ts';
import { SESSION_COOKIE } from './modules/accounts/session-cookie.ts';
import { registerHomeRoutes } from './modules/home/home.routes.ts';
import { registerAccountRoutes } from './modules/accounts/accounts.routes.ts';
import { registerAdminRoutes } from './modules/admin/admin.routes.ts';
import { registerHealthRoutes } from './http/health.routes.ts';
import { registerComplaintPortalRoutes } from './modules/complaints/portal.routes.ts';
import { registerComplaintPublicRoutes } from './modules/complaints/public.routes.ts';
import { registerSmsIntakeRoutes } from './modules/complaints/sms-intake.routes.ts';
import { registerOpen311Routes } from './modules/open311/open311.routes.ts';
import { registerBudgetCycleRoutes } from './modules/budget/cycles.routes.ts';
import { registerBudgetProposalRoutes } from './modules/budget/proposals.routes.ts';
import { registerBudgetVotingRoutes } from './modules/budget/voting/voting.routes.ts';
import { registerBudgetPaperRoutes } from './modules/budget/paper.routes.ts';
import { registerBudgetResultsRoutes } from './modules/budget/results.routes.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLIC_DIR = path.join(projectRoot, 'public');

export type AppDeps = {
  config: Config;
  database: DatabaseHandle;
  secretKey: string;
  tenants: TenantResolver;
  /** Logger settings; tests pass false. */
  logger?: boolean | object;
};

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    secretKey: string;
    assets: { css: string };
    /** Set when shutdown begins, so /readyz tells the proxy to stop sending traffic. */
    shuttingDown: boolean;
  }
  interface FastifyRequest {
    municipality: MunicipalityRow;
    locale: Locale;
    currentUser: CurrentUser | null;
    actor: Actor;
    csrfSecret: string;
    csrfOk: boolean;
    flash: string | null;
  }
  interface FastifyContextConfig {
    /** The route re-renders its form itself when the CSRF token is wrong (see postForm). */
    csrfHandledByForm?: boolean;
    /** Machine endpoints authenticated otherwise (API keys, webhook secrets). */
    csrfExempt?: boolean;
  }
}

function assetHref(file: string): string {
  const content = fs.readFileSync(path.join(PUBLIC_DIR, file));
  return `/static/${file}?v=${sha256Hex(content.toString('latin1')).slice(0, 12)}`;
}

function localeFromRequest(cookie: string | undefined, acceptLanguage: string | undefined, fallback: Locale): Locale {
  if (cookie && (LOCALES as readonly string[]).includes(cookie)) return cookie as Locale;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]?.trim().slice(0, 2).toLowerCase();
    if (tag && (LOCALES as readonly string[]).includes(tag)) return tag as Locale;
  }
  return fallback;
}

const LOCALE_COOKIE = 'twiza_locale';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 413) return new AppError('payload_too_large');
  if (status === 429) return new AppError('rate_limited');
  if (status === 404) return new AppError('not_found');
  if (status === 400 || status === 415) return new AppError('validation');
  return new AppError('internal', { cause: error });
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = fastify({
    logger: deps.logger ?? { level: config.logLevel },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Let in-flight requests finish on shutdown, but do not wait for idle keep-alive sockets.
    forceCloseConnections: 'idle',
  });
  app.decorate('deps', deps);
  app.decorate('secretKey', deps.secretKey);
  app.decorate('assets', { css: assetHref('styles.css') });
  app.decorate('shuttingDown', false);
  app.decorateRequest('municipality', null as unknown as MunicipalityRow);
  app.decorateRequest('locale', config.defaultLocale);
  app.decorateRequest('currentUser', null);
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfSecret', '');
  app.decorateRequest('csrfOk', false);
  app.decorateRequest('flash', null);

  await app.register(fastifyCookie, { secret: deps.secretKey });
  await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });
  await app.register(fastifyCompress, { global: true, threshold: 1024 });
  const tileOrigin = (() => {
    try {
      return config.map.tileUrl ? new URL(config.map.tileUrl.replace(/\{[a-z]\}/g, 'a')).origin : undefined;
    } catch {
      return undefined;
    }
  })();
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', ...(tileOrigin ? [tileOrigin] : [])],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31536000 } : false,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyRateLimit, {
    global: false,
    ...(config.redisUrl ? { redis: new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) } : {}),
    errorResponseBuilder: () => new AppError('rate_limited'),
  });
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/static/',
    // Asset URLs carry a content hash, so browsers may keep them for a year.
    maxAge: '365d',
    immutable: true,
  });

  app.addHook('onRequest', async (request, reply) => {
    const url = request.url;
    if (url.startsWith('/static/') || url === '/healthz' || url === '/readyz') return;
    const municipality = await deps.tenants.resolve(request.hostname);
    if (!municipality) throw new Error('No municipality is configured: run `twiza seed-demo` or create one.');
    request.municipality = municipality;
    const segment = url.split(/[/?]/)[1] ?? '';
    if ((LOCALES as readonly string[]).includes(segment)) {
      request.locale = segment as Locale;
      if (request.cookies[LOCALE_COOKIE] !== segment) {
        reply.setCookie(LOCALE_COOKIE, segment, { path: '/', sameSite: 'lax', maxAge: 365 * 86400, secure: config.secureCookies });
      }
    } else {
      request.locale = localeFromRequest(request.cookies[LOCALE_COOKIE], request.headers['accept-language'], config.defaultLocale);
    }
    // Machine endpoints (Open311 clients, SMS gateways) have no browser session: no cookies for them.
    if (url.startsWith('/open311/') || url.startsWith('/sms/')) return;
    let csrfSecret = request.cookies[CSRF_COOKIE];
    if (!csrfSecret || csrfSecret.length > 64) {
      csrfSecret = newCsrfSecret();
      reply.setCookie(CSRF_COOKIE, csrfSecret, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies });
    }
    request.csrfSecret = csrfSecret;
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      request.currentUser = await resolveSession(deps.database.db, {
        token,
        municipalityId: municipality.id,
        days: config.sessionDays,
      });
      request.actor = request.currentUser?.actor ?? null;
    }
    request.flash = takeFlash(request, reply);
  });

  app.addHook('preHandler', async (request) => {
    const params = request.params as { locale?: string } | undefined;
    if (params?.locale !== undefined && !(LOCALES as readonly string[]).includes(params.locale)) {
      throw new AppError('not_found');
    }
    if (!UNSAFE_METHODS.has(request.method)) return;
    const config = request.routeOptions.config;
    if (config.csrfExempt) return;
    const body = request.body as Record<string, unknown> | undefined;
    request.csrfOk = isValidCsrfToken(deps.secretKey, request.cookies[CSRF_COOKIE], body?.[CSRF_FIELD]);
    if (!request.csrfOk && !config.csrfHandledByForm) throw new AppError('csrf_invalid');
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    const wantsJson =
      request.url.startsWith('/api/') ||
      (request.headers.accept?.includes('application/json') && !request.headers.accept.includes('text/html'));
    if (wantsJson || !request.municipality) {
      return reply.status(appError.status).send({
        error: { code: appError.code, message: translate(request.locale, `errors.${appError.code}`) },
      });
    }
    return sendPage(reply, ErrorPage, { ctx: viewContext(request), code: appError.code }, appError.status);
  });

  app.setNotFoundHandler((request, reply) => {
    if (!request.municipality) return reply.status(404).send({ error: { code: 'not_found' } });
    return sendPage(reply, ErrorPage, { ctx: viewContext(request), code: 'not_found' }, 404);
  });

  app.get('/', async (request, reply) => reply.redirect(`/${request.locale}/`, 302));

  registerHealthRoutes(app);
  registerHomeRoutes(app);
  registerAccountRoutes(app);
  registerAdminRoutes(app);
  registerComplaintPortalRoutes(app);
  registerComplaintPublicRoutes(app);
  registerSmsIntakeRoutes(app);
  registerOpen311Routes(app);
  registerBudgetCycleRoutes(app);
  registerBudgetProposalRoutes(app);
  registerBudgetVotingRoutes(app);
  registerBudgetPaperRoutes(app);
  registerBudgetResultsRoutes(app);
  return app;
}
