// The outbox: a filterable list of messages, and one message with its body.
import type { OutboxMessageRow } from '../../db/schema.ts';
import { SubmitButton } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { AdminFrame, PaginationLinks } from './admin-http.ts';
import { AdminPage, DateTime, FilterSelect, Pagination, Typed } from './admin.views.tsx';
import { OUTBOX_CHANNELS, OUTBOX_STATUSES, type OutboxList } from './outbox.service.ts';

export type OutboxListModel = {
  list: OutboxList;
  filters: { channel?: string; status?: string };
  pagination: PaginationLinks;
};

function StatusBadge(props: { ctx: ViewContext; status: string }) {
  return <span class="badge">{props.ctx.t(`admin.outbox.status.${props.status}`)}</span>;
}

export function OutboxPage(props: { frame: AdminFrame; model: OutboxListModel }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { list, filters } = props.model;
  return (
    <AdminPage frame={props.frame} title={t('admin.outbox.title')}>
      <p class="lead">{t('admin.outbox.intro')}</p>
      <form method="get" action={href(ctx, '/admin/outbox')} class="filters">
        <FilterSelect
          name="channel"
          label={t('admin.outbox.channel')}
          anyLabel={t('admin.outbox.any')}
          value={filters.channel}
          options={OUTBOX_CHANNELS.map((c) => ({ value: c, label: t(`admin.outbox.channel.${c}`) }))}
        />
        <FilterSelect
          name="status"
          label={t('admin.outbox.status')}
          anyLabel={t('admin.outbox.any')}
          value={filters.status}
          options={OUTBOX_STATUSES.map((s) => ({ value: s, label: t(`admin.outbox.status.${s}`) }))}
        />
        <div class="field">
          <SubmitButton>{t('form.filter')}</SubmitButton>
        </div>
      </form>
      <p role="status">{t('admin.outbox.count', { count: list.total })}</p>
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('admin.outbox.number')}</th>
                <th scope="col">{t('admin.outbox.channel')}</th>
                <th scope="col">{t('admin.outbox.recipient')}</th>
                <th scope="col">{t('admin.outbox.subject')}</th>
                <th scope="col">{t('admin.outbox.purpose')}</th>
                <th scope="col">{t('admin.outbox.status')}</th>
                <th scope="col">{t('admin.outbox.created')}</th>
                <th scope="col">{t('admin.outbox.sent')}</th>
                <th scope="col">{t('admin.outbox.last_error')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((m) => (
                <tr>
                  <td>
                    <a href={href(ctx, `/admin/outbox/${m.id}`)}>{t('admin.outbox.open', { id: m.id })}</a>
                  </td>
                  <td>{t(`admin.outbox.channel.${m.channel}`)}</td>
                  <td>
                    <bdi dir="ltr">{m.recipient}</bdi>
                  </td>
                  <td>
                    <Typed ctx={ctx} value={m.subject} />
                  </td>
                  <td class="mono">{m.purpose}</td>
                  <td>
                    <StatusBadge ctx={ctx} status={m.status} />
                  </td>
                  <td>
                    <DateTime ctx={ctx} iso={m.created_at} />
                  </td>
                  <td>
                    <DateTime ctx={ctx} iso={m.sent_at} />
                  </td>
                  <td>
                    <Typed ctx={ctx} value={m.last_error} ltr />
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

export function OutboxMessagePage(props: { frame: AdminFrame; message: OutboxMessageRow }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const m = props.message;
  return (
    <AdminPage frame={props.frame} title={t('admin.outbox.message_title', { id: m.id })} back={{ path: '/admin/outbox', label: t('admin.outbox.back') }}>
      <p class="muted">{t('admin.outbox.read_recorded')}</p>
      <dl class="details">
        <dt>{t('admin.outbox.channel')}</dt>
        <dd>{t(`admin.outbox.channel.${m.channel}`)}</dd>
        <dt>{t('admin.outbox.recipient')}</dt>
        <dd>
          <bdi dir="ltr">{m.recipient}</bdi>
        </dd>
        <dt>{t('admin.outbox.subject')}</dt>
        <dd>
          <Typed ctx={ctx} value={m.subject} />
        </dd>
        <dt>{t('admin.outbox.purpose')}</dt>
        <dd class="mono">{m.purpose}</dd>
        <dt>{t('admin.outbox.status')}</dt>
        <dd>
          <StatusBadge ctx={ctx} status={m.status} />
        </dd>
        <dt>{t('admin.outbox.attempts')}</dt>
        <dd>{ctx.format.formatNumber(m.attempts)}</dd>
        <dt>{t('admin.outbox.created')}</dt>
        <dd>
          <DateTime ctx={ctx} iso={m.created_at} />
        </dd>
        <dt>{t('admin.outbox.sent')}</dt>
        <dd>
          <DateTime ctx={ctx} iso={m.sent_at} />
        </dd>
        <dt>{t('admin.outbox.last_error')}</dt>
        <dd>
          <Typed ctx={ctx} value={m.last_error} ltr />
        </dd>
      </dl>
      <h2>{t('admin.outbox.body')}</h2>
      {/* Lines kept as written, and long ones (links) wrapped: a <pre> would run off a phone's screen. */}
      <div class="panel mono" dir="auto">
        {m.body.split(/\r?\n/).map((line, i) => (
          <>
            {i > 0 && <br />}
            {line}
          </>
        ))}
      </div>
    </AdminPage>
  );
}
