// What the accounts routes share: rate limits, signing in after a proven identity, and reading
// the signed-in person from the request.
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { setFlash } from '../../http/render.ts';
import { AppError } from '../../lib/errors.ts';
import type { CurrentUser } from './sessions.service.ts';
import { endSession, startSession } from './sessions.service.ts';
import { SESSION_COOKIE, setSessionCookie } from './session-cookie.ts';
import type { AccountTarget } from './profile.service.ts';

/**
 * Forms that check a secret (password, code) or send a message: 10 tries a minute per address
 * of the visitor, on top of the per-code attempt limit and the per-recipient message limit.
 */
export const RATE_LIMITED: RouteShorthandOptions = { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } };

/** Starts a session for someone who just proved who they are, and sends them on. */
export async function signInAndRedirect(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { userId: number; to: string; flash: string },
): Promise<FastifyReply> {
  const { config, database } = request.server.deps;
  // A session this browser already had (perhaps someone else's, on a shared phone) ends here.
  const previous = request.cookies[SESSION_COOKIE];
  if (previous) await endSession(database.db, previous);
  const { token } = await startSession(database.db, {
    userId: options.userId,
    municipalityId: request.municipality.id,
    days: config.sessionDays,
    userAgent: request.headers['user-agent'],
  });
  setSessionCookie(reply, token, config.sessionDays);
  setFlash(reply, options.flash);
  return reply.redirect(options.to, 303);
}

export function requireUser(request: FastifyRequest): CurrentUser {
  if (!request.currentUser) throw new AppError('unauthenticated');
  return request.currentUser;
}

/** The signed-in person acting on their own account, as the services expect it. */
export function ownAccountTarget(request: FastifyRequest): AccountTarget {
  const current = requireUser(request);
  return { actor: request.actor, municipalityId: request.municipality.id, userId: current.user.id };
}

/** 303 to the login page, coming back here afterwards. */
export function redirectToLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const back = request.url.split('?')[0] ?? `/${request.locale}/account`;
  return reply.redirect(`/${request.locale}/login?next=${encodeURIComponent(back)}`, 303);
}
