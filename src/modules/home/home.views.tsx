import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';

export type HomeService = { key: string; path: string | null };

export type HomeViewModel = {
  services: HomeService[];
  contact: { email: string | null; phone: string | null; address: string | null };
  arrondissements: string[];
  neighbourhoods: string[];
};

export function HomePage(props: { ctx: ViewContext; model: HomeViewModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('layout.home')}>
      <section class="hero">
        <h1>{t('home.title', { municipality: ctx.municipality.name })}</h1>
        <p class="lead">{t('home.intro')}</p>
      </section>
      <section aria-labelledby="services-title">
        <h2 id="services-title">{t('home.services_title')}</h2>
        <ul class="cards">
          {model.services.map((service) => (
            <li class="card">
              <h3 class="card__title">
                {service.path ? <a href={href(ctx, service.path)}>{t(`home.service.${service.key}`)}</a> : t(`home.service.${service.key}`)}
              </h3>
              <p>{t(`home.service.${service.key}_text`)}</p>
              {!service.path && <p class="badge">{t('home.coming_soon')}</p>}
            </li>
          ))}
        </ul>
      </section>
      {!ctx.user && (
        <section class="panel" aria-labelledby="account-title">
          <h2 id="account-title">{t('home.account_title')}</h2>
          <p>{t('home.account_text')}</p>
          <p class="actions">
            <a class="button" href={href(ctx, '/signup')}>
              {t('layout.signup')}
            </a>
            <a class="button button--secondary" href={href(ctx, '/login')}>
              {t('layout.login')}
            </a>
          </p>
        </section>
      )}
      <div class="columns">
        {model.arrondissements.length + model.neighbourhoods.length > 0 && (
          <section aria-labelledby="areas-title">
            <h2 id="areas-title">{t('home.areas_title')}</h2>
            <ul class="plain-list">
              {model.arrondissements.map((name) => (
                <li>
                  <bdi>{name}</bdi>
                </li>
              ))}
            </ul>
            <p>{t('home.neighbourhood_count', { count: model.neighbourhoods.length })}</p>
            <ul class="tag-list">
              {model.neighbourhoods.map((name) => (
                <li>
                  <bdi>{name}</bdi>
                </li>
              ))}
            </ul>
          </section>
        )}
        {(model.contact.email || model.contact.phone || model.contact.address) && (
          <section aria-labelledby="contact-title">
            <h2 id="contact-title">{t('home.contact_title')}</h2>
            <address>
              {model.contact.address && <p>{model.contact.address}</p>}
              {model.contact.phone && (
                <p>
                  <a href={`tel:${model.contact.phone.replace(/\s/g, '')}`} dir="ltr">
                    {model.contact.phone}
                  </a>
                </p>
              )}
              {model.contact.email && (
                <p>
                  <a href={`mailto:${model.contact.email}`} dir="ltr">
                    {model.contact.email}
                  </a>
                </p>
              )}
            </address>
          </section>
        )}
      </div>
    </Layout>
  );
}
