// Turns a request into the ViewContext pages need, and a view into an HTML response.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ComponentType, h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { localName, translator } from '../i18n/i18n.ts';
import type { ViewContext } from '../ui/view-context.ts';
import { csrfTokenFor } from './csrf.ts';
import { formatPhone } from '../lib/phone.ts';

/** The path of this request without its /ar, /fr or /en prefix, query included. */
export function pathWithoutLocale(url: string): string {
  const stripped = url.replace(/^\/(ar|fr|en)(?=\/|\?|$)/, '');
  if (stripped === '' || stripped.startsWith('?')) return `/${stripped}`;
  return stripped;
}

export function viewContext(request: FastifyRequest): ViewContext {
  const format = translator(request.locale);
  const user = request.currentUser;
  return {
    locale: request.locale,
    dir: format.dir,
    t: format.t,
    format,
    municipality: { slug: request.municipality.slug, name: localName(request.municipality, request.locale) },
    user: user
      ? {
          id: user.user.id,
          displayName: user.user.display_name ?? (user.user.phone ? formatPhone(user.user.phone) : (user.user.email ?? '')),
          isStaff: user.actor.roles.length > 0,
        }
      : null,
    csrfToken: csrfTokenFor(request.server.secretKey, request.csrfSecret),
    path: pathWithoutLocale(request.url),
    flash: request.flash,
    assets: request.server.assets,
  };
}

export function sendPage<P>(
  reply: FastifyReply,
  component: ComponentType<P>,
  props: P,
  status = 200,
): FastifyReply {
  const html = `<!doctype html>${renderToString(h(component as ComponentType<any>, props as any))}`;
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

const FLASH_COOKIE = 'twiza_flash';

/** A one-time message key shown on the next page (after a POST-redirect-GET). */
export function setFlash(reply: FastifyReply, messageKey: string): void {
  reply.setCookie(FLASH_COOKIE, messageKey, { path: '/', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 60 });
}

export function takeFlash(request: FastifyRequest, reply: FastifyReply): string | null {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const unsigned = request.unsignCookie(raw);
  // Only message keys are ever set; anything else is ignored rather than shown.
  return unsigned.valid && unsigned.value && /^[a-z_]+(\.[a-z_]+)+$/.test(unsigned.value) ? unsigned.value : null;
}

/** 303 See Other to a path in the reader's language. */
export function redirectTo(request: FastifyRequest, reply: FastifyReply, path: string): FastifyReply {
  return reply.redirect(`/${request.locale}${path}`, 303);
}
