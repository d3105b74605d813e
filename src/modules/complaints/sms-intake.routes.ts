// POST /sms/inbound: the SMS gateway delivers each message a citizen sent to the municipality's
// number. Form-encoded or JSON: `from`, `text`, optionally `message_id` (the same on the
// gateway's retries), and the shared secret SMS_INBOUND_SECRET in the X-Twiza-Secret header or
// a `secret` parameter. The answer is plain text: the reply for the sender (gateways that answer
// by themselves send it; it is queued as an SMS too), or what was wrong with the delivery.
// Without a configured secret the endpoint does not exist.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { translate } from '../../i18n/i18n.ts';
import { safeEqual, sha256Hex } from '../../lib/crypto.ts';
import { isAppError } from '../../lib/errors.ts';
import { receiveSms, SmsIntakeUnavailable } from './sms-intake.service.ts';

export const SMS_INBOUND_PATH = '/sms/inbound';
export const SMS_SECRET_HEADER = 'x-twiza-secret';
/** A message of 1600 characters, form-encoded in Arabic, is about 30 KB. */
const BODY_LIMIT = 64 * 1024;

function text(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${body}\n`);
}

function field(source: unknown, name: string): string | undefined {
  const value = source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Compares hashes, so neither the length nor the content of the secret leaks through timing. */
function secretMatches(expected: string, given: string | undefined): boolean {
  return given !== undefined && safeEqual(sha256Hex(expected), sha256Hex(given));
}

export function registerSmsIntakeRoutes(app: FastifyInstance): void {
  app.register(async (scope) => {
    const { config, database } = app.deps;

    // Gateways read status codes and plain text, not the site's HTML error pages.
    scope.setErrorHandler((error, request, reply) => {
      const t = (key: string, values?: Record<string, string | number>) => translate(request.locale, key, values);
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 413) return text(reply, 413, t('complaints.sms.error.too_large'));
      if (status !== undefined && status >= 400 && status < 500) return text(reply, 400, t('complaints.sms.error.unreadable'));
      request.log.error({ err: error }, 'SMS intake failed');
      return text(reply, 500, t('complaints.sms.error.internal'));
    });

    scope.post(SMS_INBOUND_PATH, { bodyLimit: BODY_LIMIT, config: { csrfExempt: true } }, async (request: FastifyRequest, reply) => {
      const t = (key: string, values?: Record<string, string | number>) => translate(request.locale, key, values);
      const secret = config.sms.inboundSecret;
      if (!secret) return text(reply, 404, t('complaints.sms.error.off'));
      const header = request.headers[SMS_SECRET_HEADER];
      const given = (typeof header === 'string' && header !== '' ? header : undefined) ?? field(request.body, 'secret') ?? field(request.query, 'secret');
      if (!secretMatches(secret, given)) return text(reply, 403, t('complaints.sms.error.secret'));
      try {
        const answer = await receiveSms(database.db, {
          municipality: request.municipality,
          from: field(request.body, 'from') ?? '',
          text: field(request.body, 'text') ?? '',
          messageId: field(request.body, 'message_id') ?? null,
          categoryCode: config.sms.intakeCategory,
          countryCode: config.sms.countryCode,
          publicUrl: config.publicUrl,
          defaultLocale: config.defaultLocale,
        });
        return text(reply, 200, answer.reply);
      } catch (error) {
        if (isAppError(error, 'validation')) {
          const problems = Object.entries(error.fields).map(([name, problem]) => {
            const message = typeof problem === 'string' ? t(problem) : t(problem.key, problem.values);
            return `${name}: ${message}`;
          });
          return text(reply, 400, problems.join('\n'));
        }
        if (error instanceof SmsIntakeUnavailable) {
          request.log.error({ category: error.categoryCode }, error.message);
          return text(reply, 503, t('complaints.sms.error.unavailable'));
        }
        throw error;
      }
    });
  });
}
