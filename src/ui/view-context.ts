// What every page needs to render, built once per request by src/http/render.ts. Views take it
// as a prop and never query anything themselves.
import type { Locale } from '../config.ts';
import type { Translate, Translator } from '../i18n/i18n.ts';

export type ViewContext = {
  locale: Locale;
  dir: 'rtl' | 'ltr';
  t: Translate;
  format: Translator;
  municipality: { slug: string; name: string };
  user: { id: number; displayName: string; isStaff: boolean } | null;
  csrfToken: string;
  /** The current path without its locale prefix, with its query: "/login?next=…". */
  path: string;
  flash: string | null;
  assets: { css: string };
};

/** A link inside the site, in the reader's language. */
export function href(ctx: Pick<ViewContext, 'locale'>, path: string): string {
  return `/${ctx.locale}${path.startsWith('/') ? path : `/${path}`}`;
}
