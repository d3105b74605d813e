// The privacy notice: what the platform collects, why, for how long, who sees it, and the rights
// Organic Law 2004-63 gives. Its texts are versioned with the consents that point to them.
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import { CODE_TTL_MINUTES, CONSENT_VERSIONS } from './accounts.ts';

export type PrivacyPageModel = { sessionDays: number; contactEmail: string | null };

function Paragraphs(props: { ctx: ViewContext; keys: string[]; values?: Record<string, string | number> }) {
  return (
    <>
      {props.keys.map((key) => (
        <p>{props.ctx.t(key, props.values)}</p>
      ))}
    </>
  );
}

function List(props: { ctx: ViewContext; keys: string[]; values?: Record<string, string | number> }) {
  return (
    <ul>
      {props.keys.map((key) => (
        <li>{props.ctx.t(key, props.values)}</li>
      ))}
    </ul>
  );
}

export function PrivacyPage(props: { ctx: ViewContext; model: PrivacyPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const municipality = ctx.municipality.name;
  return (
    <Layout ctx={ctx} title={t('accounts.privacy.title')}>
      <h1>{t('accounts.privacy.title')}</h1>
      <p class="lead">{t('accounts.privacy.intro', { municipality })}</p>

      <h2>{t('accounts.privacy.controller_title')}</h2>
      <Paragraphs ctx={ctx} keys={['accounts.privacy.controller_text', 'accounts.privacy.declaration_text']} values={{ municipality }} />

      <h2>{t('accounts.privacy.collected_title')}</h2>
      <List
        ctx={ctx}
        keys={[
          'accounts.privacy.collected_account',
          'accounts.privacy.collected_statistics',
          'accounts.privacy.collected_disability',
          'accounts.privacy.collected_technical',
          'accounts.privacy.collected_messages',
        ]}
      />

      <h2>{t('accounts.privacy.purposes_title')}</h2>
      <List
        ctx={ctx}
        keys={[
          'accounts.privacy.purpose_account',
          'accounts.privacy.purpose_messages',
          'accounts.privacy.purpose_statistics',
          'accounts.privacy.purpose_security',
        ]}
      />
      <p>{t('accounts.privacy.purposes_never')}</p>

      <h2>{t('accounts.privacy.minors_title')}</h2>
      <p>{t('accounts.privacy.minors_text')}</p>

      <h2>{t('accounts.privacy.recipients_title')}</h2>
      <Paragraphs ctx={ctx} keys={['accounts.privacy.recipients_staff', 'accounts.privacy.recipients_disability', 'accounts.privacy.recipients_carriers']} />

      <h2>{t('accounts.privacy.retention_title')}</h2>
      <List
        ctx={ctx}
        keys={['accounts.privacy.retention_account', 'accounts.privacy.retention_sessions', 'accounts.privacy.retention_codes', 'accounts.privacy.retention_public']}
        values={{ days: model.sessionDays, minutes: CODE_TTL_MINUTES }}
      />

      <h2>{t('accounts.privacy.rights_title')}</h2>
      <ul>
        <li>{t('accounts.privacy.right_access')}</li>
        <li>{t('accounts.privacy.right_correct')}</li>
        <li>{t('accounts.privacy.right_withdraw')}</li>
        <li>{t('accounts.privacy.right_erase')}</li>
        <li>{t('accounts.privacy.right_complain')}</li>
      </ul>
      <p>
        <a href={href(ctx, '/account')}>{t('accounts.privacy.rights_link')}</a>
      </p>
      {model.contactEmail && (
        <p>
          {t('accounts.privacy.contact')}{' '}
          <a href={`mailto:${model.contactEmail}`} dir="ltr">
            {model.contactEmail}
          </a>
        </p>
      )}

      <h2>{t('accounts.privacy.versions_title')}</h2>
      <dl>
        <dt>{t('accounts.consents.purpose.personal_data')}</dt>
        <dd>
          <bdi dir="ltr">{CONSENT_VERSIONS.personal_data}</bdi>
        </dd>
        <dt>{t('accounts.consents.purpose.disability_data')}</dt>
        <dd>
          <bdi dir="ltr">{CONSENT_VERSIONS.disability_data}</bdi>
        </dd>
      </dl>
      <p class="muted">{t('accounts.privacy.versions_text')}</p>
    </Layout>
  );
}
