// The audit log: filters, entries newest first with each change as a before/after table, and
// the result of checking the hash chain.
import { SubmitButton } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { ChainVerification } from '../audit/audit.service.ts';
import type { AdminFrame } from './admin-http.ts';
import { AdminPage, DateTime, FilterInput, FilterSelect } from './admin.views.tsx';
import type { AuditEntryView, AuditLogPage } from './audit-log.service.ts';
import type { FieldChange } from './audit-diff.ts';

/** Values longer than this (outlines) are cut in the table; the full value stays in the log. */
const SHOWN_CHARS = 200;

export type AuditFilters = { actor?: number; type?: string; entity?: string; action?: string; from?: string; to?: string };

export type AuditPageModel = {
  page: AuditLogPage;
  filters: AuditFilters;
  /** Link to the next (older) page, keeping the filters; null on the last page. */
  olderHref: string | null;
  /** Link back to the newest entries when browsing older pages. */
  newestHref: string | null;
};

function Value(props: { ctx: ViewContext; value: string | null }) {
  const { ctx, value } = props;
  if (value === null) return <span class="muted">{ctx.t('form.none')}</span>;
  if (value.length <= SHOWN_CHARS) return <bdi>{value}</bdi>;
  return (
    <>
      <bdi>{`${value.slice(0, SHOWN_CHARS)}…`}</bdi> <span class="muted">{ctx.t('admin.audit.characters', { count: value.length })}</span>
    </>
  );
}

function Changes(props: { ctx: ViewContext; changes: FieldChange[] }) {
  const { ctx, changes } = props;
  if (changes.length === 0) return <span class="muted">{ctx.t('form.none')}</span>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{ctx.t('admin.audit.field')}</th>
          <th scope="col">{ctx.t('admin.audit.before')}</th>
          <th scope="col">{ctx.t('admin.audit.after')}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((change) => (
          <tr>
            <th scope="row" class="mono">
              {change.field || ctx.t('admin.audit.value')}
            </th>
            <td>
              {change.kind === 'added' ? <span class="muted">{ctx.t('admin.audit.absent')}</span> : <Value ctx={ctx} value={change.before} />}
            </td>
            <td>
              {change.kind === 'removed' ? <span class="muted">{ctx.t('admin.audit.absent')}</span> : <Value ctx={ctx} value={change.after} />}
              {change.kind === 'unchanged' && <span class="muted"> {ctx.t('admin.audit.unchanged')}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Actor(props: { ctx: ViewContext; entry: AuditEntryView }) {
  const { ctx, entry } = props;
  if (entry.actorUserId === null) return <span>{ctx.t('admin.audit.system')}</span>;
  return (
    <a href={href(ctx, `/admin/users/${entry.actorUserId}`)}>
      {entry.actorName ? <bdi>{entry.actorName}</bdi> : ctx.t('admin.users.unnamed', { id: entry.actorUserId })}
    </a>
  );
}

export function AuditLogPageView(props: { frame: AdminFrame; model: AuditPageModel }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { page, filters } = props.model;
  return (
    <AdminPage frame={props.frame} title={t('admin.audit.title')}>
      <p class="lead">{t('admin.audit.intro')}</p>
      <form method="get" action={href(ctx, '/admin/audit/verify')} class="actions">
        <button type="submit" class="button button--secondary">
          {t('admin.audit.verify_button')}
        </button>
      </form>
      <form method="get" action={href(ctx, '/admin/audit')} class="filters">
        <FilterInput name="actor" label={t('admin.audit.actor_filter')} value={filters.actor?.toString()} inputMode="numeric" dir="ltr" maxLength={12} />
        <FilterSelect
          name="type"
          label={t('admin.audit.entity_type')}
          anyLabel={t('admin.audit.any')}
          value={filters.type}
          options={page.entityTypes.map((v) => ({ value: v, label: v }))}
        />
        <FilterInput name="entity" label={t('admin.audit.entity_id')} value={filters.entity} dir="ltr" maxLength={60} />
        <FilterSelect
          name="action"
          label={t('admin.audit.action')}
          anyLabel={t('admin.audit.any')}
          value={filters.action}
          options={page.actions.map((v) => ({ value: v, label: v }))}
        />
        <FilterInput name="from" type="date" label={t('admin.audit.from')} value={filters.from} dir="ltr" />
        <FilterInput name="to" type="date" label={t('admin.audit.to')} value={filters.to} dir="ltr" />
        <div class="field">
          <SubmitButton>{t('form.filter')}</SubmitButton>
        </div>
      </form>
      {page.entries.length === 0 ? (
        <p role="status">{t('admin.audit.none')}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.seq')}</th>
                <th scope="col">{t('admin.audit.when')}</th>
                <th scope="col">{t('admin.audit.who')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.entity')}</th>
                <th scope="col">{t('admin.audit.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((entry) => (
                <tr id={`entry-${entry.seq}`}>
                  <td class="mono">{entry.seq}</td>
                  <td>
                    <DateTime ctx={ctx} iso={entry.createdAt} />
                  </td>
                  <td>
                    <Actor ctx={ctx} entry={entry} />
                  </td>
                  <td class="mono">{entry.action}</td>
                  <td class="mono">
                    <a href={href(ctx, `/admin/audit?type=${encodeURIComponent(entry.entityType)}${entry.entityId ? `&entity=${encodeURIComponent(entry.entityId)}` : ''}`)}>
                      {entry.entityType}
                      {entry.entityId ? ` #${entry.entityId}` : ''}
                    </a>
                  </td>
                  <td>
                    <Changes ctx={ctx} changes={entry.changes} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(props.model.olderHref || props.model.newestHref) && (
        <nav class="actions" aria-label={t('admin.pagination.label')}>
          {props.model.newestHref && <a href={props.model.newestHref}>{t('admin.audit.newest')}</a>}
          {props.model.olderHref && (
            <a href={props.model.olderHref} rel="next">
              {t('admin.audit.older')}
            </a>
          )}
        </nav>
      )}
    </AdminPage>
  );
}

const REASON_KEYS: Record<string, string> = {
  'missing entry': 'admin.audit.reason.missing_entry',
  'previous hash does not match': 'admin.audit.reason.previous_hash',
  'content does not match its hash': 'admin.audit.reason.content_hash',
  'entries after the last one found are missing': 'admin.audit.reason.missing_tail',
};

export function AuditVerifyPage(props: { frame: AdminFrame; result: ChainVerification }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { result } = props;
  return (
    <AdminPage frame={props.frame} title={t('admin.audit.verify_title')} back={{ path: '/admin/audit', label: t('admin.audit.back') }}>
      <p class="lead">{t('admin.audit.verify_intro')}</p>
      <div class="panel" role="status">
        {result.ok ? (
          <p>
            <strong>{t('admin.audit.chain_ok')}</strong> {t('admin.audit.checked', { count: result.checked })}
          </p>
        ) : (
          <>
            <p>
              <strong>{t('admin.audit.chain_broken', { seq: result.brokenAtSeq })}</strong>
            </p>
            <p>{REASON_KEYS[result.reason] ? t(REASON_KEYS[result.reason]!) : <bdi>{result.reason}</bdi>}</p>
            <p>{t('admin.audit.checked', { count: result.checked })}</p>
            <p>{t('admin.audit.broken_advice')}</p>
          </>
        )}
      </div>
    </AdminPage>
  );
}
