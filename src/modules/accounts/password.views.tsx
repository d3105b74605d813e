import type { FormState } from '../../http/forms.ts';
import { ErrorSummary, Form, SubmitButton, TextField } from '../../ui/forms.tsx';
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import { CODE_TTL_MINUTES } from './accounts.ts';
import { CodeField, IdentifierField } from './account-ui.tsx';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.ts';

export function ForgotPasswordPage(props: { ctx: ViewContext; state: FormState }) {
  const { ctx, state } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('accounts.forgot.title')}>
      <h1>{t('accounts.forgot.title')}</h1>
      <p class="lead">{t('accounts.forgot.intro')}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ identifier: t('accounts.field.identifier') }} />
      <Form ctx={ctx} action={href(ctx, '/password/forgot')}>
        <IdentifierField ctx={ctx} state={state} />
        <div class="actions">
          <SubmitButton>{t('accounts.forgot.submit')}</SubmitButton>
        </div>
      </Form>
    </Layout>
  );
}

/** The new password and its confirmation, shared by the reset page and the account page. */
export function NewPasswordFields(props: { ctx: ViewContext; state: FormState }) {
  const { ctx, state } = props;
  const { t } = ctx;
  return (
    <>
      <TextField
        ctx={ctx}
        state={state}
        name="new_password"
        type="password"
        label={t('accounts.field.new_password')}
        hint={t('accounts.field.new_password_hint', { min: PASSWORD_MIN_LENGTH })}
        autocomplete="new-password"
        dir="ltr"
        maxLength={PASSWORD_MAX_LENGTH}
        required
      />
      <TextField
        ctx={ctx}
        state={state}
        name="password_confirm"
        type="password"
        label={t('accounts.field.password_confirm')}
        autocomplete="new-password"
        dir="ltr"
        maxLength={PASSWORD_MAX_LENGTH}
        required
      />
    </>
  );
}

export function ResetPasswordPage(props: { ctx: ViewContext; state: FormState; identifier: string | undefined }) {
  const { ctx, state } = props;
  const { t } = ctx;
  const labels = {
    identifier: t('accounts.field.identifier'),
    code: t('accounts.field.code'),
    new_password: t('accounts.field.new_password'),
    password_confirm: t('accounts.field.password_confirm'),
  };
  return (
    <Layout ctx={ctx} title={t('accounts.reset.title')}>
      <h1>{t('accounts.reset.title')}</h1>
      <p class="lead">{t('accounts.reset.intro', { minutes: CODE_TTL_MINUTES })}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, '/password/reset')}>
        <IdentifierField ctx={ctx} state={state} value={state.values.identifier === undefined ? props.identifier : undefined} />
        <CodeField ctx={ctx} state={state} />
        <NewPasswordFields ctx={ctx} state={state} />
        <div class="actions">
          <SubmitButton>{t('accounts.reset.submit')}</SubmitButton>
        </div>
      </Form>
      <p>
        <a href={href(ctx, '/password/forgot')}>{t('accounts.reset.again')}</a>
      </p>
    </Layout>
  );
}
