import type { FormState } from '../../http/forms.ts';
import { ErrorSummary, Form, SubmitButton, TextField } from '../../ui/forms.tsx';
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import { CODE_TTL_MINUTES } from './accounts.ts';
import { CodeField, HiddenNext, IdentifierField } from './account-ui.tsx';
import { PASSWORD_MAX_LENGTH } from './passwords.ts';

/** A link that keeps the page the person wanted to reach after logging in. */
function withNext(ctx: ViewContext, path: string, next: string | undefined): string {
  return href(ctx, next ? `${path}?next=${encodeURIComponent(next)}` : path);
}

export function LoginPage(props: { ctx: ViewContext; state: FormState; next: string | undefined }) {
  const { ctx, state, next } = props;
  const { t } = ctx;
  const labels = { identifier: t('accounts.field.identifier'), password: t('accounts.field.password') };
  return (
    <Layout ctx={ctx} title={t('accounts.login.title')}>
      <h1>{t('accounts.login.title')}</h1>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, '/login')}>
        <HiddenNext next={next} />
        <IdentifierField ctx={ctx} state={state} />
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
          <SubmitButton>{t('accounts.login.submit')}</SubmitButton>
          <a href={href(ctx, '/password/forgot')}>{t('accounts.login.forgot')}</a>
        </div>
      </Form>
      <section class="panel" aria-labelledby="code-title">
        <h2 id="code-title">{t('accounts.login.code_title')}</h2>
        <p>{t('accounts.login.code_text')}</p>
        <p>
          <a class="button button--secondary" href={withNext(ctx, '/login/code', next)}>
            {t('accounts.login.code_link')}
          </a>
        </p>
      </section>
      <p>
        {t('accounts.login.no_account')} <a href={href(ctx, '/signup')}>{t('layout.signup')}</a>
      </p>
    </Layout>
  );
}

export function LoginCodeRequestPage(props: { ctx: ViewContext; state: FormState; next: string | undefined }) {
  const { ctx, state, next } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('accounts.login_code.title')}>
      <h1>{t('accounts.login_code.title')}</h1>
      <p class="lead">{t('accounts.login_code.intro')}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={{ identifier: t('accounts.field.identifier') }} />
      <Form ctx={ctx} action={href(ctx, '/login/code')}>
        <HiddenNext next={next} />
        <IdentifierField ctx={ctx} state={state} />
        <div class="actions">
          <SubmitButton>{t('accounts.login_code.send')}</SubmitButton>
        </div>
      </Form>
      <p>
        <a href={withNext(ctx, '/login', next)}>{t('accounts.login_code.with_password')}</a>
      </p>
    </Layout>
  );
}

export function LoginCodeVerifyPage(props: { ctx: ViewContext; state: FormState; next: string | undefined; identifier: string | undefined }) {
  const { ctx, state, next } = props;
  const { t } = ctx;
  const labels = { identifier: t('accounts.field.identifier'), code: t('accounts.field.code') };
  return (
    <Layout ctx={ctx} title={t('accounts.login_code.verify_title')}>
      <h1>{t('accounts.login_code.verify_title')}</h1>
      <p class="lead">{t('accounts.login_code.sent', { minutes: CODE_TTL_MINUTES })}</p>
      <ErrorSummary ctx={ctx} errors={state.errors} labels={labels} />
      <Form ctx={ctx} action={href(ctx, '/login/code/verify')}>
        <HiddenNext next={next} />
        <IdentifierField ctx={ctx} state={state} value={state.values.identifier === undefined ? props.identifier : undefined} />
        <CodeField ctx={ctx} state={state} />
        <div class="actions">
          <SubmitButton>{t('accounts.login.submit')}</SubmitButton>
        </div>
      </Form>
      <p>
        <a href={withNext(ctx, '/login/code', next)}>{t('accounts.login_code.again')}</a>
      </p>
    </Layout>
  );
}
