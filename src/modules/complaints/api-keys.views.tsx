// The API keys page of the back office: the keys with their state and last use, the form that
// creates one, and the page that shows a new key once.
import type { FormState } from '../../http/forms.ts';
import { ErrorSummary, Form, SubmitButton, TextField } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { AdminFrame } from '../admin/admin-http.ts';
import { AdminPage, DateTime, Typed } from '../admin/admin.views.tsx';
import { API_KEY_NAME_MAX_LENGTH, type ApiKeySummary } from './api-keys.service.ts';

export type ApiKeysPageModel = {
  keys: ApiKeySummary[];
  /** The Open311 endpoint's address, for the page's explanation. */
  endpoint: string;
};

function KeyState(props: { ctx: ViewContext; apiKey: ApiKeySummary }) {
  const { ctx, apiKey } = props;
  if (apiKey.revokedAt) {
    return (
      <span class="badge">
        {ctx.t('api_keys.state.revoked')} <DateTime ctx={ctx} iso={apiKey.revokedAt} />
      </span>
    );
  }
  return <span class="badge">{ctx.t('api_keys.state.active')}</span>;
}

export function ApiKeysPage(props: { frame: AdminFrame; model: ApiKeysPageModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { keys } = props.model;
  const active = keys.filter((k) => !k.revokedAt).length;
  return (
    <AdminPage frame={props.frame} title={t('api_keys.title')}>
      <p class="lead">{t('api_keys.intro')}</p>
      <p>
        {t('api_keys.endpoint')} <bdi dir="ltr" class="mono">{props.model.endpoint}</bdi>
      </p>
      <ErrorSummary ctx={ctx} errors={props.state.errors} labels={{ name: t('api_keys.name') }} />
      <p role="status">{t('api_keys.count', { count: active })}</p>
      {keys.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('api_keys.name')}</th>
                <th scope="col">{t('api_keys.prefix')}</th>
                <th scope="col">{t('api_keys.created')}</th>
                <th scope="col">{t('api_keys.last_used')}</th>
                <th scope="col">{t('api_keys.state')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('api_keys.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((apiKey) => (
                <tr>
                  <td>
                    <Typed ctx={ctx} value={apiKey.name} />
                  </td>
                  <td>
                    <bdi dir="ltr" class="mono">
                      {apiKey.prefix}…
                    </bdi>
                  </td>
                  <td>
                    <DateTime ctx={ctx} iso={apiKey.createdAt} />
                  </td>
                  <td>
                    {apiKey.lastUsedAt ? <DateTime ctx={ctx} iso={apiKey.lastUsedAt} /> : <span class="muted">{t('api_keys.never_used')}</span>}
                  </td>
                  <td>
                    <KeyState ctx={ctx} apiKey={apiKey} />
                  </td>
                  <td>
                    {!apiKey.revokedAt && (
                      <Form ctx={ctx} action={href(ctx, `/admin/api-keys/${apiKey.id}/revoke`)} class="inline-form">
                        <button type="submit" class="button button--secondary">
                          {t('api_keys.revoke')}
                          <span class="visually-hidden"> {apiKey.name}</span>
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <section aria-labelledby="create-title" class="panel">
        <h2 id="create-title">{t('api_keys.create_title')}</h2>
        <Form ctx={ctx} action={href(ctx, '/admin/api-keys')}>
          <TextField
            ctx={ctx}
            state={props.state}
            name="name"
            label={t('api_keys.name')}
            hint={t('api_keys.name_hint')}
            maxLength={API_KEY_NAME_MAX_LENGTH}
            required
          />
          <SubmitButton>{t('api_keys.create')}</SubmitButton>
        </Form>
      </section>
    </AdminPage>
  );
}

/** Shown once, right after the key was made: the key is not stored and cannot be shown again. */
// The key travels as `secret`: `key` is a reserved prop that preact would swallow.
export function ApiKeyCreatedPage(props: { frame: AdminFrame; apiKey: ApiKeySummary; secret: string }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  return (
    <AdminPage frame={props.frame} title={t('api_keys.created_title')} back={{ path: '/admin/api-keys', label: t('api_keys.back') }}>
      <div class="panel" role="status">
        <p>{t('api_keys.created_for', { name: props.apiKey.name })}</p>
        <p>
          <label for="new-api-key" class="field__label">
            {t('api_keys.the_key')}
          </label>
          <input id="new-api-key" class="field__input mono" dir="ltr" readOnly value={props.secret} size={48} />
        </p>
        <p>
          <strong>{t('api_keys.shown_once')}</strong>
        </p>
      </div>
      <p>
        <a href={href(ctx, '/admin/api-keys')}>{t('api_keys.back')}</a>
      </p>
    </AdminPage>
  );
}
