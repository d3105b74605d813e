// The page frame: language and direction, skip link, header with navigation and language
// switch, footer. One stylesheet serves Arabic and Latin scripts (logical CSS properties only).
import type { ComponentChildren } from 'preact';
import { LOCALES, type Locale } from '../config.ts';
import { CSRF_FIELD } from './forms.tsx';
import { href, type ViewContext } from './view-context.ts';

const LANGUAGE_NAMES: Record<Locale, string> = { ar: 'العربية', fr: 'Français', en: 'English' };

export function Layout(props: { ctx: ViewContext; title: string; children: ComponentChildren; wide?: boolean }) {
  const { ctx, title } = props;
  const { t } = ctx;
  return (
    <html lang={ctx.locale} dir={ctx.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${ctx.municipality.name}`}</title>
        <link rel="stylesheet" href={ctx.assets.css} />
        {LOCALES.filter((l) => l !== ctx.locale).map((l) => (
          <link rel="alternate" hreflang={l} href={`/${l}${ctx.path}`} />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t('layout.skip_to_content')}
        </a>
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href={href(ctx, '/')}>
              <svg class="brand__mark" aria-hidden="true" viewBox="0 0 24 24" width="40" height="40">
                <circle cx="12" cy="12" r="12" fill="#fff" />
                <path d="M12 4.5 5 8.5v1.5h14V8.5zM6.5 11h2v6h-2zm4.5 0h2v6h-2zm4.5 0h2v6h-2zM5 18h14v1.5H5z" fill="currentColor" />
              </svg>
              <span class="brand__text">
                <span class="brand__name">{ctx.municipality.name}</span>
                <span class="brand__tagline">{t('layout.tagline')}</span>
              </span>
            </a>
            <nav class="lang-switch" aria-label={t('layout.language')}>
              <ul>
                {LOCALES.map((l) => (
                  <li>
                    <a
                      href={`/${l}${ctx.path}`}
                      lang={l}
                      hreflang={l}
                      aria-current={l === ctx.locale ? 'true' : undefined}
                    >
                      {LANGUAGE_NAMES[l]}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
          <nav class="main-nav" aria-label={t('layout.menu')}>
            <ul>
              <li>
                <a href={href(ctx, '/')}>{t('layout.home')}</a>
              </li>
              {ctx.user ? (
                <>
                  <li>
                    <a href={href(ctx, '/account')}>{t('layout.account')}</a>
                  </li>
                  {ctx.user.isStaff && (
                    <li>
                      <a href={href(ctx, '/admin')}>{t('layout.admin')}</a>
                    </li>
                  )}
                  <li>
                    <form method="post" action={href(ctx, '/logout')} class="inline-form">
                      <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
                      <button type="submit" class="link-button">
                        {t('layout.logout')}
                      </button>
                    </form>
                  </li>
                </>
              ) : (
                <>
                  <li>
                    <a href={href(ctx, '/login')}>{t('layout.login')}</a>
                  </li>
                  <li>
                    <a href={href(ctx, '/signup')}>{t('layout.signup')}</a>
                  </li>
                </>
              )}
            </ul>
          </nav>
        </header>
        <main id="main" tabIndex={-1} class={props.wide ? 'page page--wide' : 'page'}>
          {ctx.flash && (
            <p class="flash" role="status">
              {t(ctx.flash)}
            </p>
          )}
          {props.children}
        </main>
        <footer class="site-footer">
          <p>{t('layout.footer_about')}</p>
          <p>
            <a href={href(ctx, '/privacy')}>{t('layout.footer_privacy')}</a>
          </p>
        </footer>
      </body>
    </html>
  );
}

/** Text typed by people, isolated so that Arabic and Latin runs do not reorder their neighbours. */
export function UserText(props: { children: ComponentChildren }) {
  return <bdi>{props.children}</bdi>;
}
