// The account page (one page, one form per section, each posting to its own address), and the
// pages for confirming a new phone or e-mail and for erasing the account.
import type { FormState, FormValues } from '../../http/forms.ts';
import { errorText, ErrorSummary, Form, RadioGroup, SelectField, SubmitButton, TextField, type Option } from '../../ui/forms.tsx';
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import { LOCALES } from '../../config.ts';
import {
  AGE_GROUPS,
  CONSENT_VERSIONS,
  type Contact,
  DISABILITY_ANSWERS,
  DISPLAY_NAME_MAX_LENGTH,
  GENDERS,
} from './accounts.ts';
import { CodeField, ContactText, IdentifierField, richText } from './account-ui.tsx';
import { NewPasswordFields } from './password.views.tsx';
import { PASSWORD_MAX_LENGTH } from './passwords.ts';

export const ACCOUNT_FORMS = ['contact', 'profile', 'disability', 'password', 'sessions', 'consents'] as const;
export type AccountForm = (typeof ACCOUNT_FORMS)[number];

export type AccountSessionView = {
  id: string;
  browser: string | null;
  system: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
};

export type AccountConsentView = { purpose: string; version: string; grantedAt: string; withdrawnAt: string | null };

export type AccountPageModel = {
  displayName: string | null;
  email: string | null;
  emailVerified: boolean;
  phone: string | null;
  phoneVerified: boolean;
  hasPassword: boolean;
  /** The saved profile and disability answers, as the forms show them. */
  saved: { profile: FormValues; disability: FormValues };
  disabilityConsented: boolean;
  neighbourhoods: Option[];
  sessions: AccountSessionView[];
  consents: AccountConsentView[];
  /** The form just submitted with errors, shown with what the person typed. */
  active: { form: AccountForm; state: FormState } | null;
};

const LANGUAGE_NAMES: Record<(typeof LOCALES)[number], string> = { ar: 'العربية', fr: 'Français', en: 'English' };

function stateFor(model: AccountPageModel, form: AccountForm, saved: FormValues = {}): FormState {
  return model.active?.form === form ? model.active.state : { values: saved, errors: {} };
}

function ContactSection(props: { ctx: ViewContext; model: AccountPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const state = stateFor(model, 'contact');
  const rows: { label: string; contact: Contact | null; verified: boolean }[] = [
    { label: t('accounts.contact.phone'), contact: model.phone ? { channel: 'sms', target: model.phone } : null, verified: model.phoneVerified },
    { label: t('accounts.contact.email'), contact: model.email ? { channel: 'email', target: model.email } : null, verified: model.emailVerified },
  ];
  return (
    <section class="panel" aria-labelledby="contact-title">
      <h2 id="contact-title">{t('accounts.contact.title')}</h2>
      <dl class="details">
        {rows.map((row) => (
          <>
            <dt>{row.label}</dt>
            <dd>
              {row.contact ? <ContactText contact={row.contact} /> : <span class="muted">{t('accounts.contact.none')}</span>}
              {row.contact && row.verified && <span class="badge">{t('accounts.contact.verified')}</span>}
            </dd>
          </>
        ))}
      </dl>
      <h3>{t('accounts.contact.change_title')}</h3>
      <p class="muted">{t('accounts.contact.change_text')}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ identifier: t('accounts.field.identifier') }} />
      <Form ctx={ctx} action={href(ctx, '/account/contact')}>
        <IdentifierField ctx={ctx} state={state} />
        <div class="actions">
          <SubmitButton secondary>{t('accounts.contact.send_code')}</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function ProfileSection(props: { ctx: ViewContext; model: AccountPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const state = stateFor(model, 'profile', model.saved.profile);
  const labels = {
    display_name: t('accounts.field.display_name'),
    locale: t('accounts.field.locale'),
    gender: t('accounts.field.gender'),
    age_group: t('accounts.field.age_group'),
    neighbourhood: t('accounts.field.neighbourhood'),
  };
  return (
    <section class="panel" aria-labelledby="profile-title">
      <h2 id="profile-title">{t('accounts.profile.title')}</h2>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, '/account/profile')}>
        <TextField
          ctx={ctx}
          state={state}
          name="display_name"
          label={labels.display_name}
          hint={t('accounts.field.display_name_hint')}
          autocomplete="nickname"
          dir="auto"
          maxLength={DISPLAY_NAME_MAX_LENGTH}
        />
        <SelectField
          ctx={ctx}
          state={state}
          name="locale"
          label={labels.locale}
          hint={t('accounts.field.locale_hint')}
          options={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
          required
        />
        <h3>{t('accounts.profile.statistics_title')}</h3>
        <p class="muted">{t('accounts.profile.statistics_text')}</p>
        <RadioGroup
          ctx={ctx}
          state={state}
          name="gender"
          label={labels.gender}
          options={GENDERS.map((g) => ({ value: g, label: t(`accounts.gender.${g}`) }))}
        />
        <SelectField
          ctx={ctx}
          state={state}
          name="age_group"
          label={labels.age_group}
          options={AGE_GROUPS.map((a) => ({ value: a, label: t(`accounts.age_group.${a.replace('+', '_plus').replace('-', '_')}`) }))}
        />
        <SelectField ctx={ctx} state={state} name="neighbourhood" label={labels.neighbourhood} options={model.neighbourhoods} />
        <div class="actions">
          <SubmitButton>{t('form.save')}</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function isChecked(state: FormState, name: string, value: string): boolean {
  const current = state.values[name];
  return Array.isArray(current) ? current.includes(value) : current === value;
}

function DisabilitySection(props: { ctx: ViewContext; model: AccountPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const state = stateFor(model, 'disability', model.saved.disability);
  const labels = { disability: t('accounts.disability.question'), disability_consent: t('accounts.disability.consent_short') };
  const answerError = errorText(ctx, state.errors.disability);
  const consentError = errorText(ctx, state.errors.disability_consent);
  return (
    <section class="panel" aria-labelledby="disability-title">
      <h2 id="disability-title">{t('accounts.disability.title')}</h2>
      <p>{t('accounts.disability.text')}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, '/account/disability')}>
        <fieldset class={answerError ? 'field fieldset field--error' : 'field fieldset'} aria-describedby={answerError ? 'error-disability' : undefined}>
          <legend class="field__label">{labels.disability}</legend>
          {answerError && (
            <p class="field__error" id="error-disability">
              {answerError}
            </p>
          )}
          {DISABILITY_ANSWERS.map((answer, i) => (
            <div class="choice">
              <input
                type="checkbox"
                id={i === 0 ? 'field-disability' : `field-disability-${answer}`}
                name="disability"
                value={answer}
                checked={isChecked(state, 'disability', answer)}
              />
              <label for={i === 0 ? 'field-disability' : `field-disability-${answer}`}>{t(`accounts.disability.answer.${answer}`)}</label>
            </div>
          ))}
        </fieldset>
        <div class={consentError ? 'field field--error choice' : 'field choice'}>
          {consentError && (
            <p class="field__error" id="error-disability_consent">
              {consentError}
            </p>
          )}
          <input
            type="checkbox"
            id="field-disability_consent"
            name="disability_consent"
            value="yes"
            checked={isChecked(state, 'disability_consent', 'yes')}
            aria-invalid={consentError ? 'true' : undefined}
            aria-describedby={consentError ? 'error-disability_consent' : undefined}
          />
          <label for="field-disability_consent">{t('accounts.disability.consent', { version: CONSENT_VERSIONS.disability_data })}</label>
        </div>
        <div class="actions">
          <SubmitButton>{t('accounts.disability.save')}</SubmitButton>
        </div>
      </Form>
      {model.disabilityConsented && (
        <Form ctx={ctx} action={href(ctx, '/account/consents/withdraw')} class="inline-form">
          <input type="hidden" name="purpose" value="disability_data" />
          <SubmitButton secondary>{t('accounts.disability.remove')}</SubmitButton>
        </Form>
      )}
    </section>
  );
}

function PasswordSection(props: { ctx: ViewContext; model: AccountPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const state = stateFor(model, 'password');
  const labels = {
    current_password: t('accounts.field.current_password'),
    new_password: t('accounts.field.new_password'),
    password_confirm: t('accounts.field.password_confirm'),
  };
  return (
    <section class="panel" aria-labelledby="password-title">
      <h2 id="password-title">{t('accounts.password.title')}</h2>
      {!model.hasPassword && <p>{t('accounts.password.none')}</p>}
      <p class="muted">{t('accounts.password.others_logged_out')}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, '/account/password')}>
        {model.hasPassword && (
          <TextField
            ctx={ctx}
            state={state}
            name="current_password"
            type="password"
            label={labels.current_password}
            autocomplete="current-password"
            dir="ltr"
            maxLength={PASSWORD_MAX_LENGTH}
            required
          />
        )}
        <NewPasswordFields ctx={ctx} state={state} />
        <div class="actions">
          <SubmitButton>{t(model.hasPassword ? 'accounts.password.change' : 'accounts.password.set')}</SubmitButton>
        </div>
      </Form>
    </section>
  );
}

function deviceName(ctx: ViewContext, session: AccountSessionView): string {
  if (session.browser && session.system) return ctx.t('accounts.sessions.device', { browser: session.browser, system: session.system });
  return session.browser ?? session.system ?? ctx.t('accounts.sessions.unknown_device');
}

function SessionsSection(props: { ctx: ViewContext; model: AccountPageModel }) {
  const { ctx, model } = props;
  const { t, format } = ctx;
  const state = stateFor(model, 'sessions');
  const others = model.sessions.filter((s) => !s.current).length;
  return (
    <section class="panel" aria-labelledby="sessions-title">
      <h2 id="sessions-title">{t('accounts.sessions.title')}</h2>
      <p>{t('accounts.sessions.count', { count: model.sessions.length })}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{}} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('accounts.sessions.device_column')}</th>
              <th scope="col">{t('accounts.sessions.created_column')}</th>
              <th scope="col">{t('accounts.sessions.last_seen_column')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('accounts.sessions.action_column')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {model.sessions.map((session) => (
              <tr>
                <td>
                  <bdi>{deviceName(ctx, session)}</bdi>
                  {session.current && <span class="badge">{t('accounts.sessions.current')}</span>}
                </td>
                <td>{format.formatDateTime(session.createdAt)}</td>
                <td>{format.formatDateTime(session.lastSeenAt)}</td>
                <td>
                  {!session.current && (
                    <Form ctx={ctx} action={href(ctx, '/account/sessions/revoke')} class="inline-form">
                      <input type="hidden" name="session" value={session.id} />
                      <SubmitButton secondary>{t('accounts.sessions.revoke')}</SubmitButton>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {others > 0 && (
        <Form ctx={ctx} action={href(ctx, '/account/sessions/end-others')}>
          <div class="actions">
            <SubmitButton secondary>{t('accounts.sessions.end_others')}</SubmitButton>
          </div>
        </Form>
      )}
    </section>
  );
}

function ConsentsSection(props: { ctx: ViewContext; model: AccountPageModel }) {
  const { ctx, model } = props;
  const { t, format } = ctx;
  const state = stateFor(model, 'consents');
  return (
    <section class="panel" aria-labelledby="consents-title">
      <h2 id="consents-title">{t('accounts.consents.title')}</h2>
      <p>{t('accounts.consents.text')}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{}} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('accounts.consents.purpose_column')}</th>
              <th scope="col">{t('accounts.consents.version_column')}</th>
              <th scope="col">{t('accounts.consents.granted_column')}</th>
              <th scope="col">{t('accounts.consents.status_column')}</th>
            </tr>
          </thead>
          <tbody>
            {model.consents.map((consent) => (
              <tr>
                <td>{t(`accounts.consents.purpose.${consent.purpose}`)}</td>
                <td>
                  <bdi dir="ltr">{consent.version}</bdi>
                </td>
                <td>{format.formatDateTime(consent.grantedAt)}</td>
                <td>
                  {consent.withdrawnAt ? (
                    t('accounts.consents.withdrawn_on', { date: format.formatDateTime(consent.withdrawnAt) })
                  ) : consent.purpose === 'personal_data' ? (
                    <>
                      {t('accounts.consents.active')} <span class="muted">{t('accounts.consents.personal_data_needs_erasure')}</span>
                    </>
                  ) : (
                    <Form ctx={ctx} action={href(ctx, '/account/consents/withdraw')} class="inline-form">
                      <input type="hidden" name="purpose" value={consent.purpose} />
                      {t('accounts.consents.active')} <SubmitButton secondary>{t('accounts.consents.withdraw')}</SubmitButton>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function AccountPage(props: { ctx: ViewContext; model: AccountPageModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('accounts.account.title')} wide>
      <h1>{t('accounts.account.title')}</h1>
      {model.displayName && <p class="lead">{richText(ctx, 'accounts.account.greeting', {}, { name: <bdi>{model.displayName}</bdi> })}</p>}
      <p>
        <a href={href(ctx, '/account/complaints')}>{t('complaints.portal.mine.link')}</a>
      </p>
      <ContactSection ctx={ctx} model={model} />
      <ProfileSection ctx={ctx} model={model} />
      <DisabilitySection ctx={ctx} model={model} />
      <PasswordSection ctx={ctx} model={model} />
      <SessionsSection ctx={ctx} model={model} />
      <ConsentsSection ctx={ctx} model={model} />
      <section class="panel" aria-labelledby="data-title">
        <h2 id="data-title">{t('accounts.data.title')}</h2>
        <p>{t('accounts.data.text')}</p>
        <p class="actions">
          <a class="button button--secondary" href={href(ctx, '/account/export')} download>
            {t('accounts.data.download')}
          </a>
          <a href={href(ctx, '/privacy')}>{t('accounts.privacy.link')}</a>
        </p>
      </section>
      <section class="panel" aria-labelledby="erase-title">
        <h2 id="erase-title">{t('accounts.erase.title')}</h2>
        <p>{t('accounts.erase.summary')}</p>
        <p>
          <a class="button button--danger" href={href(ctx, '/account/erase')}>
            {t('accounts.erase.link')}
          </a>
        </p>
      </section>
    </Layout>
  );
}

export function ContactVerifyPage(props: { ctx: ViewContext; state: FormState; contact: Contact }) {
  const { ctx, state } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('accounts.contact.verify_title')}>
      <h1>{t('accounts.contact.verify_title')}</h1>
      <p class="lead">{richText(ctx, 'accounts.contact.sent', {}, { contact: <ContactText contact={props.contact} /> })}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ code: t('accounts.field.code') }} />
      <Form ctx={ctx} action={href(ctx, '/account/contact/verify')}>
        <CodeField ctx={ctx} state={state} />
        <div class="actions">
          <SubmitButton>{t('accounts.contact.confirm')}</SubmitButton>
          <a href={href(ctx, '/account')}>{t('form.cancel')}</a>
        </div>
      </Form>
    </Layout>
  );
}

export type ErasePageModel = { hasPassword: boolean; holdsStaffRoles: boolean };

export function ErasePage(props: { ctx: ViewContext; state: FormState; model: ErasePageModel }) {
  const { ctx, state, model } = props;
  const { t } = ctx;
  const labels = { password: t('accounts.erase.password'), code: t('accounts.field.code') };
  return (
    <Layout ctx={ctx} title={t('accounts.erase.title')}>
      <h1>{t('accounts.erase.title')}</h1>
      <h2>{t('accounts.erase.what_title')}</h2>
      <ul>
        <li>{t('accounts.erase.effect_personal')}</li>
        <li>{t('accounts.erase.effect_sessions')}</li>
        <li>{t('accounts.erase.effect_public')}</li>
        <li>{t('accounts.erase.effect_consents')}</li>
        <li>{t('accounts.erase.effect_final')}</li>
      </ul>
      <p>
        {t('accounts.erase.export_first')} <a href={href(ctx, '/account/export')}>{t('accounts.data.download')}</a>
      </p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      {model.holdsStaffRoles ? (
        <p class="panel">{t('accounts.erase.staff')}</p>
      ) : model.hasPassword ? (
        <Form ctx={ctx} action={href(ctx, '/account/erase')}>
          <TextField
            ctx={ctx}
            state={state}
            name="password"
            type="password"
            label={labels.password}
            autocomplete="current-password"
            dir="ltr"
            maxLength={PASSWORD_MAX_LENGTH}
            required
          />
          <div class="actions">
            <button type="submit" class="button button--danger">
              {t('accounts.erase.submit')}
            </button>
            <a href={href(ctx, '/account')}>{t('form.cancel')}</a>
          </div>
        </Form>
      ) : (
        <>
          <p>{t('accounts.erase.code_intro')}</p>
          <Form ctx={ctx} action={href(ctx, '/account/erase/code')}>
            <SubmitButton secondary>{t('accounts.erase.send_code')}</SubmitButton>
          </Form>
          <Form ctx={ctx} action={href(ctx, '/account/erase')}>
            <CodeField ctx={ctx} state={state} />
            <div class="actions">
              <button type="submit" class="button button--danger">
                {t('accounts.erase.submit')}
              </button>
              <a href={href(ctx, '/account')}>{t('form.cancel')}</a>
            </div>
          </Form>
        </>
      )}
    </Layout>
  );
}
