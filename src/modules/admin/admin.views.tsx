// The back office's frame (sub-navigation, title), shared pieces (pagination, definition lists,
// the error summary of a page with several forms) and the dashboard.
import type { ComponentChildren } from 'preact';
import type { OutboxStatus } from '../../db/schema.ts';
import type { FieldErrors } from '../../lib/errors.ts';
import { Layout } from '../../ui/layout.tsx';
import { ErrorSummary } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import { currentSection, type AdminNavLink } from './admin-nav.ts';
import type { AdminFrame, PaginationLinks } from './admin-http.ts';

export function AdminPage(props: {
  frame: AdminFrame;
  title: string;
  /** Links above the title, back to the list a page belongs to. */
  back?: { path: string; label: string };
  children: ComponentChildren;
}) {
  const { ctx, nav } = props.frame;
  return (
    <Layout ctx={ctx} title={props.title} wide>
      <AdminNav ctx={ctx} nav={nav} />
      {props.back && (
        <p>
          <a href={href(ctx, props.back.path)}>{props.back.label}</a>
        </p>
      )}
      <h1>{props.title}</h1>
      {props.children}
    </Layout>
  );
}

function AdminNav(props: { ctx: ViewContext; nav: AdminNavLink[] }) {
  const { ctx, nav } = props;
  const current = currentSection(nav, ctx.path);
  return (
    <nav class="admin-nav" aria-label={ctx.t('admin.nav.label')}>
      <ul>
        {nav.map((link) => (
          <li>
            <a href={href(ctx, link.path)} aria-current={link.key === current ? 'page' : undefined}>
              {ctx.t(`admin.nav.${link.key}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** "Previous / page 2 of 7 / Next" under a list; links keep the list's filters. */
export function Pagination(props: { ctx: ViewContext; links: PaginationLinks }) {
  const { ctx } = props;
  const { page, pageCount, previousHref, nextHref } = props.links;
  if (pageCount <= 1) return null;
  return (
    <nav class="actions" aria-label={ctx.t('admin.pagination.label')}>
      {previousHref && (
        <a href={previousHref} rel="prev">
          {ctx.t('form.previous')}
        </a>
      )}
      <span class="muted">{ctx.t('admin.pagination.page_of', { page, count: pageCount })}</span>
      {nextHref && (
        <a href={nextHref} rel="next">
          {ctx.t('form.next')}
        </a>
      )}
    </nav>
  );
}

/** Errors of a page whose forms are not tied to fields (buttons such as revoke or disable). */
export function PageErrors(props: { ctx: ViewContext; errors: FieldErrors; labels?: Record<string, string> }) {
  return <ErrorSummary ctx={props.ctx} errors={props.errors} labels={props.labels ?? {}} />;
}

/**
 * Inputs of a list's filter form (a GET form). Unlike form fields, filters are all optional by
 * nature, so they neither carry `required` nor say "(optional)".
 */
export function FilterInput(props: {
  name: string;
  label: string;
  value: string | undefined;
  type?: 'text' | 'search' | 'date';
  dir?: 'ltr' | 'rtl';
  maxLength?: number;
  inputMode?: 'numeric' | 'text';
}) {
  return (
    <div class="field">
      <label for={`filter-${props.name}`} class="field__label">
        {props.label}
      </label>
      <input
        class="field__input"
        id={`filter-${props.name}`}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        dir={props.dir}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
      />
    </div>
  );
}

export function FilterSelect(props: { name: string; label: string; value: string | undefined; anyLabel: string; options: { value: string; label: string }[] }) {
  return (
    <div class="field">
      <label for={`filter-${props.name}`} class="field__label">
        {props.label}
      </label>
      <select class="field__input" id={`filter-${props.name}`} name={props.name}>
        <option value="">{props.anyLabel}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A date and time in the reader's language, or a dash. */
export function DateTime(props: { ctx: ViewContext; iso: string | null }) {
  if (!props.iso) return <span class="muted">{props.ctx.t('form.none')}</span>;
  return <time datetime={props.iso}>{props.ctx.format.formatDateTime(props.iso)}</time>;
}

/** Text typed by someone (names, addresses, messages): isolated for mixed-direction display. */
export function Typed(props: { value: string | null | undefined; ctx: ViewContext; ltr?: boolean }) {
  if (props.value === null || props.value === undefined || props.value === '') return <span class="muted">{props.ctx.t('form.none')}</span>;
  return <bdi dir={props.ltr ? 'ltr' : undefined}>{props.value}</bdi>;
}

export type DashboardModel = {
  people: { users: number; staff: number } | null;
  outbox: Record<OutboxStatus, number> | null;
  audit: { entries: number } | null;
};

export function DashboardPage(props: { frame: AdminFrame; model: DashboardModel }) {
  const { ctx, nav } = props.frame;
  const { t } = ctx;
  const { model } = props;
  const may = (key: string) => nav.some((link) => link.key === key);
  const count = (n: number) => ctx.format.formatNumber(n);
  return (
    <AdminPage frame={props.frame} title={t('admin.dashboard.title')}>
      <p class="lead">{t('admin.dashboard.intro')}</p>
      {nav.length <= 1 && <p class="panel">{t('admin.dashboard.nothing_yet')}</p>}
      <ul class="cards">
        {model.people && (
          <li class="card">
            <h2 class="card__title">
              <a href={href(ctx, '/admin/users')}>{t('admin.nav.users')}</a>
            </h2>
            <p>{t('admin.dashboard.users_count', { count: model.people.users })}</p>
            <p>
              <a href={href(ctx, '/admin/users?role=staff')}>{t('admin.dashboard.staff_count', { count: model.people.staff })}</a>
            </p>
          </li>
        )}
        {model.outbox && (
          <li class="card">
            <h2 class="card__title">
              <a href={href(ctx, '/admin/outbox')}>{t('admin.nav.outbox')}</a>
            </h2>
            <dl class="details">
              {(['queued', 'kept', 'failed'] as const).map((status) => (
                <>
                  <dt>
                    <a href={href(ctx, `/admin/outbox?status=${status}`)}>{t(`admin.outbox.status.${status}`)}</a>
                  </dt>
                  <dd>{count(model.outbox![status])}</dd>
                </>
              ))}
            </dl>
            {model.outbox.kept > 0 && <p class="muted">{t('admin.dashboard.kept_hint')}</p>}
          </li>
        )}
        {model.audit && (
          <li class="card">
            <h2 class="card__title">
              <a href={href(ctx, '/admin/audit')}>{t('admin.nav.audit')}</a>
            </h2>
            <p>{t('admin.dashboard.audit_count', { count: model.audit.entries })}</p>
            <p>
              <a href={href(ctx, '/admin/audit/verify')}>{t('admin.audit.verify_button')}</a>
            </p>
          </li>
        )}
        {may('areas') && (
          <li class="card">
            <h2 class="card__title">
              <a href={href(ctx, '/admin/areas')}>{t('admin.nav.areas')}</a>
            </h2>
            <p>{t('admin.dashboard.areas_text')}</p>
          </li>
        )}
        {may('departments') && (
          <li class="card">
            <h2 class="card__title">
              <a href={href(ctx, '/admin/departments')}>{t('admin.nav.departments')}</a>
            </h2>
            <p>{t('admin.dashboard.departments_text')}</p>
          </li>
        )}
        {may('settings') && (
          <li class="card">
            <h2 class="card__title">
              <a href={href(ctx, '/admin/settings')}>{t('admin.nav.settings')}</a>
            </h2>
            <p>{t('admin.dashboard.settings_text')}</p>
          </li>
        )}
      </ul>
    </AdminPage>
  );
}
