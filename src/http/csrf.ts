// CSRF protection for forms: a random secret per browser in an HttpOnly cookie, and in each form
// a token that is an HMAC of that secret. An attacker's page can make the browser send the
// cookie but cannot read it, so it cannot forge the token. Checked by the `csrf` hook in
// app-hooks.ts; form routes re-render their form with the user's input when it fails, so a
// stale page loses nothing.
import { hmacHex, randomToken, safeEqual } from '../lib/crypto.ts';

export const CSRF_COOKIE = 'twiza_csrf';
export { CSRF_FIELD } from '../ui/forms.tsx';

export function newCsrfSecret(): string {
  return randomToken(20);
}

export function csrfTokenFor(secretKey: string, browserSecret: string): string {
  const salt = randomToken(8);
  return `${salt}.${hmacHex(secretKey, `${browserSecret}.${salt}`)}`;
}

export function isValidCsrfToken(secretKey: string, browserSecret: string | undefined, token: unknown): boolean {
  if (!browserSecret || typeof token !== 'string') return false;
  const [salt, mac] = token.split('.');
  if (!salt || !mac) return false;
  return safeEqual(mac, hmacHex(secretKey, `${browserSecret}.${salt}`));
}
