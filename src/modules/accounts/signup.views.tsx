import type { FormState } from '../../http/forms.ts';
import { CheckboxField, ErrorSummary, Form, SubmitButton, TextField } from '../../ui/forms.tsx';
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import { CODE_TTL_MINUTES, CONSENT_VERSIONS, type Contact, DISPLAY_NAME_MAX_LENGTH } from './accounts.ts';
import { CodeField, ContactText, IdentifierField, richText } from './account-ui.tsx';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';

export function SignupPage(props: { ctx: ViewContext; state: FormState }) {
  const { ctx, state } = props;
  const { t } = ctx;
  const labels = {
    identifier: t('accounts.field.identifier'),
    display_name: t('accounts.field.display_name'),
    password: t('accounts.field.password'),
    adult: t('accounts.signup.adult'),
    consent: t('accounts.signup.consent_short'),
  };
  return (
    <Layout ctx={ctx} title={t('accounts.signup.title')}>
      <h1>{t('accounts.signup.title')}</h1>
      <p class="lead">{t('accounts.signup.intro')}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, '/signup')}>
        <IdentifierField ctx={ctx} state={state} />
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
        <TextField
          ctx={ctx}
          state={state}
          name="password"
          type="password"
          label={labels.password}
          hint={t('accounts.signup.password_hint', { min: PASSWORD_MIN_LENGTH })}
          autocomplete="new-password"
          dir="ltr"
          maxLength={PASSWORD_MAX_LENGTH}
        />
        <CheckboxField ctx={ctx} state={state} name="adult" label={labels.adult} hint={t('accounts.signup.adult_hint')} required />
        <CheckboxField
          ctx={ctx}
          state={state}
          name="consent"
          label={t('accounts.signup.consent', { version: CONSENT_VERSIONS.personal_data })}
          required
        />
        <p class="field__hint">
          {richText(ctx, 'accounts.signup.consent_hint', {}, { link: <a href={href(ctx, '/privacy')}>{t('accounts.privacy.link')}</a> })}
        </p>
        <div class="actions">
          <SubmitButton>{t('accounts.signup.submit')}</SubmitButton>
        </div>
      </Form>
      <p>
        {t('accounts.signup.have_account')} <a href={href(ctx, '/login')}>{t('layout.login')}</a>
      </p>
    </Layout>
  );
}

export type SignupVerifyModel = { contact: Contact };

export function SignupVerifyPage(props: { ctx: ViewContext; state: FormState; model: SignupVerifyModel }) {
  const { ctx, state, model } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('accounts.verify.title')}>
      <h1>{t('accounts.verify.title')}</h1>
      <p class="lead">
        {richText(ctx, 'accounts.verify.sent', { minutes: CODE_TTL_MINUTES }, { contact: <ContactText contact={model.contact} /> })}
      </p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ code: t('accounts.field.code') }} />
      <Form ctx={ctx} action={href(ctx, '/signup/verify')}>
        <CodeField ctx={ctx} state={state} />
        <div class="actions">
          <SubmitButton>{t('accounts.verify.submit')}</SubmitButton>
        </div>
      </Form>
      <section class="panel" aria-labelledby="resend-title">
        <h2 id="resend-title">{t('accounts.verify.resend_title')}</h2>
        <p>{t('accounts.verify.resend_text')}</p>
        <Form ctx={ctx} action={href(ctx, '/signup/resend')}>
          <SubmitButton secondary>{t('accounts.verify.resend')}</SubmitButton>
        </Form>
        <p>
          <a href={href(ctx, '/signup')}>{t('accounts.verify.wrong_address')}</a>
        </p>
      </section>
    </Layout>
  );
}
