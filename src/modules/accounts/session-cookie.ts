// The session cookie: HttpOnly (scripts cannot read it), SameSite=Lax (not sent on cross-site
// POSTs), Secure when the site is served over HTTPS.
import type { FastifyReply } from 'fastify';

export const SESSION_COOKIE = 'twiza_session';

export function setSessionCookie(reply: FastifyReply, token: string, days: number): void {
  const secure = reply.server.deps.config.secureCookies;
  reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: days * 86400 });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
