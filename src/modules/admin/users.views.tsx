// People pages of the back office: the searchable list of accounts and one account's page with
// its roles, the form granting a role, and the disable / enable switch.
import { DEPARTMENT_SCOPED_ROLES, STAFF_ROLES, type StaffRole } from '../../auth/policies.ts';
import type { FormState } from '../../http/forms.ts';
import { localName } from '../../i18n/i18n.ts';
import { ErrorSummary, Form, SelectField, SubmitButton } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { AdminFrame, PaginationLinks } from './admin-http.ts';
import { AdminPage, DateTime, FilterInput, FilterSelect, Pagination, Typed } from './admin.views.tsx';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import type { RoleGrantView, UserDetail, UserList, UserSummary } from './users.service.ts';

export type UsersListModel = {
  list: UserList;
  filters: { q?: string; role?: StaffRole | 'staff' };
  pagination: PaginationLinks;
};

/** A name in the reader's language from its three versions. */
function nameIn(ctx: ViewContext, name: TrilingualName): string {
  return localName({ name_ar: name.ar, name_fr: name.fr, name_en: name.en }, ctx.locale);
}

const listSeparator = (ctx: ViewContext) => (ctx.locale === 'ar' ? '، ' : ', ');

function roleLabel(ctx: ViewContext, grant: RoleGrantView): string {
  const role = ctx.t(`admin.roles.${grant.role}`);
  return grant.department ? ctx.t('admin.users.role_in_department', { role, department: nameIn(ctx, grant.department.name) }) : role;
}

function StatusBadge(props: { ctx: ViewContext; status: UserSummary['status'] }) {
  return <span class="badge">{props.ctx.t(`admin.user_status.${props.status}`)}</span>;
}

function personName(ctx: ViewContext, user: { id: number; displayName: string | null }) {
  return user.displayName ? <bdi>{user.displayName}</bdi> : <span class="muted">{ctx.t('admin.users.unnamed', { id: user.id })}</span>;
}

export function UsersListPage(props: { frame: AdminFrame; model: UsersListModel }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { list, filters } = props.model;
  return (
    <AdminPage frame={props.frame} title={t('admin.users.title')}>
      <form method="get" action={href(ctx, '/admin/users')} class="filters" role="search">
        <FilterInput
          name="q"
          type="search"
          label={list.showContact ? t('admin.users.search_label') : t('admin.users.search_name_label')}
          value={filters.q}
          maxLength={100}
        />
        <FilterSelect
          name="role"
          label={t('admin.users.role_filter')}
          anyLabel={t('admin.users.role_filter_any')}
          value={filters.role}
          options={[{ value: 'staff', label: t('admin.users.role_filter_staff') }, ...STAFF_ROLES.map((r) => ({ value: r, label: t(`admin.roles.${r}`) }))]}
        />
        <div class="field">
          <SubmitButton>{t('form.search')}</SubmitButton>
        </div>
      </form>
      <p role="status">{t('admin.users.count', { count: list.total })}</p>
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                {list.showContact && <th scope="col">{t('admin.users.contact')}</th>}
                <th scope="col">{t('admin.users.status')}</th>
                <th scope="col">{t('admin.users.roles')}</th>
                <th scope="col">{t('admin.users.created')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((user) => (
                <tr>
                  <td>
                    <a href={href(ctx, `/admin/users/${user.id}`)}>{personName(ctx, user)}</a>
                  </td>
                  {list.showContact && (
                    <td>
                      {user.email && (
                        <div>
                          <bdi dir="ltr">{user.email}</bdi>
                        </div>
                      )}
                      {user.phone && (
                        <div>
                          <bdi dir="ltr">{user.phone}</bdi>
                        </div>
                      )}
                    </td>
                  )}
                  <td>
                    <StatusBadge ctx={ctx} status={user.status} />
                  </td>
                  <td>{user.roles.length ? <bdi>{user.roles.map((g) => roleLabel(ctx, g)).join(listSeparator(ctx))}</bdi> : <span class="muted">{t('form.none')}</span>}</td>
                  <td>
                    <DateTime ctx={ctx} iso={user.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination ctx={ctx} links={props.model.pagination} />
    </AdminPage>
  );
}

export type UserPageModel = {
  detail: UserDetail;
  mayReadAudit: boolean;
  /** Which form the errors belong to, when the page is shown again after a refused change. */
  failedForm?: 'grant' | 'revoke' | 'status';
};

export function UserPage(props: { frame: AdminFrame; model: UserPageModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { detail } = props.model;
  const { user } = detail;
  const grantState: FormState = props.model.failedForm === 'grant' ? props.state : { values: {}, errors: {} };
  const base = `/admin/users/${user.id}`;
  const name = user.displayName ?? t('admin.users.unnamed', { id: user.id });
  return (
    <AdminPage frame={props.frame} title={name} back={{ path: '/admin/users', label: t('admin.users.back') }}>
      <ErrorSummary
        ctx={ctx}
        errors={props.state.errors}
        labels={{ role: t('admin.users.role'), department_id: t('admin.users.department') }}
      />
      <dl class="details">
        <dt>{t('admin.users.number')}</dt>
        <dd class="mono">{user.id}</dd>
        {detail.showContact && (
          <>
            <dt>{t('admin.users.email')}</dt>
            <dd>
              <Typed ctx={ctx} value={user.email} ltr />
            </dd>
            <dt>{t('admin.users.phone')}</dt>
            <dd>
              <Typed ctx={ctx} value={user.phone} ltr />
            </dd>
          </>
        )}
        <dt>{t('admin.users.status')}</dt>
        <dd>
          <StatusBadge ctx={ctx} status={user.status} />
        </dd>
        <dt>{t('admin.users.created')}</dt>
        <dd>
          <DateTime ctx={ctx} iso={user.createdAt} />
        </dd>
        <dt>{t('admin.users.last_login')}</dt>
        <dd>
          <DateTime ctx={ctx} iso={user.lastLoginAt} />
        </dd>
      </dl>
      {props.model.mayReadAudit && (
        <p class="actions">
          <a href={href(ctx, `/admin/audit?type=user&entity=${user.id}`)}>{t('admin.users.audit_about')}</a>
          <a href={href(ctx, `/admin/audit?actor=${user.id}`)}>{t('admin.users.audit_by')}</a>
        </p>
      )}

      <section aria-labelledby="roles-title">
        <h2 id="roles-title">{t('admin.users.roles')}</h2>
        {user.roles.length === 0 ? (
          <p class="muted">{t('admin.users.no_roles')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('admin.users.role')}</th>
                  <th scope="col">{t('admin.users.department')}</th>
                  {detail.canManageRoles && (
                    <th scope="col">
                      <span class="visually-hidden">{t('admin.users.actions')}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {user.roles.map((grant) => (
                  <tr>
                    <td>{t(`admin.roles.${grant.role}`)}</td>
                    <td>
                      {grant.department ? (
                        <bdi>{nameIn(ctx, grant.department.name)}</bdi>
                      ) : (
                        <span class="muted">{t('form.none')}</span>
                      )}
                    </td>
                    {detail.canManageRoles && (
                      <td>
                        <Form ctx={ctx} action={href(ctx, `${base}/roles/${grant.id}/revoke`)} class="inline-form">
                          <button type="submit" class="button button--secondary">
                            {t('admin.users.revoke')}
                            <span class="visually-hidden"> {t(`admin.roles.${grant.role}`)}</span>
                          </button>
                        </Form>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {detail.canManageRoles && user.status !== 'erased' && (
        <section aria-labelledby="grant-title" class="panel">
          <h2 id="grant-title">{t('admin.users.grant_title')}</h2>
          <Form ctx={ctx} action={href(ctx, `${base}/roles`)}>
            <SelectField
              ctx={ctx}
              state={grantState}
              name="role"
              label={t('admin.users.role')}
              options={STAFF_ROLES.map((r) => ({ value: r, label: t(`admin.roles.${r}`) }))}
              required
            />
            <SelectField
              ctx={ctx}
              state={grantState}
              name="department_id"
              label={t('admin.users.department')}
              hint={t('admin.users.department_hint', {
                roles: DEPARTMENT_SCOPED_ROLES.map((r) => t(`admin.roles.${r}`)).join(listSeparator(ctx)),
              })}
              emptyLabel={t('admin.users.no_department')}
              options={detail.departmentChoices.map((d) => ({ value: String(d.id), label: nameIn(ctx, d.name) }))}
            />
            <SubmitButton>{t('admin.users.grant')}</SubmitButton>
          </Form>
        </section>
      )}

      {/* Nobody disables their own account from here (they would be cut off mid-session). */}
      {detail.canManageRoles && user.id !== ctx.user?.id && (user.status === 'active' || user.status === 'pending' || user.status === 'disabled') && (
        <section aria-labelledby="status-title">
          <h2 id="status-title">{t('admin.users.account_title')}</h2>
          <Form ctx={ctx} action={href(ctx, `${base}/status`)} class="form">
            <input type="hidden" name="version" value={user.version} />
            {user.status === 'disabled' ? (
              <>
                <p>{t('admin.users.enable_text')}</p>
                <button type="submit" class="button" name="status" value="active">
                  {t('admin.users.enable')}
                </button>
              </>
            ) : (
              <>
                <p>{t('admin.users.disable_text')}</p>
                <button type="submit" class="button button--danger" name="status" value="disabled">
                  {t('admin.users.disable')}
                </button>
              </>
            )}
          </Form>
        </section>
      )}
    </AdminPage>
  );
}
