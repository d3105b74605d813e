// Short-lived signed cookies that carry a code flow from one page to the next without putting a
// phone number or e-mail address in a URL (URLs end up in logs and browser history).
import type { FastifyReply, FastifyRequest } from 'fastify';

const SIGNUP_COOKIE = 'twiza_signup';
const IDENTIFIER_COOKIE = 'twiza_identifier';
const ONE_HOUR = 3600;

function setSigned(reply: FastifyReply, name: string, value: string): void {
  const secure = reply.server.deps.config.secureCookies;
  reply.setCookie(name, value, { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: ONE_HOUR });
}

function readSigned(request: FastifyRequest, name: string): string | null {
  const raw = request.cookies[name];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : null;
}

/** Binds the sign-up code page to the code this browser's sign-up created. */
export function setSignupCookie(reply: FastifyReply, codeId: number): void {
  setSigned(reply, SIGNUP_COOKIE, String(codeId));
}

export function readSignupCookie(request: FastifyRequest): number | null {
  const value = readSigned(request, SIGNUP_COOKIE);
  return value && /^[0-9]{1,12}$/.test(value) ? Number(value) : null;
}

export function clearSignupCookie(reply: FastifyReply): void {
  reply.clearCookie(SIGNUP_COOKIE, { path: '/' });
}

/** Remembers the address a code was asked for, to fill in the code form. */
export function rememberIdentifier(reply: FastifyReply, identifier: string): void {
  setSigned(reply, IDENTIFIER_COOKIE, identifier);
}

export function rememberedIdentifier(request: FastifyRequest): string | null {
  return readSigned(request, IDENTIFIER_COOKIE);
}

export function forgetIdentifier(reply: FastifyReply): void {
  reply.clearCookie(IDENTIFIER_COOKIE, { path: '/' });
}
