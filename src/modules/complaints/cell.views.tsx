// Pages of the complaints management cell: the inbox (filters, saved views, search, bulk
// actions), one complaint with its timeline and a form for each step the actor may take, the
// outcome of a bulk action, and filing at the counter or on the phone with its receipt.
// Every form works without JavaScript; every form that changes a complaint carries the version
// the staff member saw. Text people typed is inside <bdi>; tracking numbers and phones are LTR.
import type { ComponentChildren } from 'preact';
import { LOCALES, type Locale } from '../../config.ts';
import type { FormState, FormValues } from '../../http/forms.ts';
import type { FieldErrors } from '../../lib/errors.ts';
import { ErrorSummary, errorText, Form, RadioGroup, SelectField, SubmitButton, TextArea, TextField, type Option } from '../../ui/forms.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { AdminFrame, PaginationLinks } from '../admin/admin-http.ts';
import { AdminPage, DateTime, FilterInput, FilterSelect, Pagination, Typed } from '../admin/admin.views.tsx';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import type { Category, CategoryQuestion } from './categories.service.ts';
import type { InboxSort } from './cell.repository.ts';
import { INBOX_SORTS } from './cell.repository.ts';
import { BULK_ACTIONS } from './cell.schemas.ts';
import {
  type ActionKey,
  type BulkResult,
  type ComplaintPageModel,
  type FilingReceipt,
  type Inbox,
  type InboxChoices,
  type InboxItem,
  type IntakeChoices,
  STATUS_FILTERS,
  type StaffMember,
} from './cell.service.ts';
import { CHANNELS, type ComplaintStatus, PRIORITIES, UTILITIES } from './complaints.ts';
import type { StaffTimelineEntry } from './reading.service.ts';

const LANGUAGE_NAMES: Record<Locale, string> = { ar: 'العربية', fr: 'Français', en: 'English' };

/** A name in the reader's language from its three versions. */
export function nameIn(ctx: ViewContext, name: TrilingualName | null | undefined): string {
  if (!name) return '';
  return name[ctx.locale] || name.fr || name.ar;
}

/** A tracking number: always left to right, even in an Arabic sentence. */
export function Tracking(props: { value: string }) {
  return (
    <bdi dir="ltr" class="cell-tracking">
      {props.value}
    </bdi>
  );
}

function StatusBadge(props: { ctx: ViewContext; status: ComplaintStatus }) {
  return <span class={`badge cell-status cell-status--${props.status}`}>{props.ctx.t(`complaints.status.${props.status}`)}</span>;
}

function PriorityLabel(props: { ctx: ViewContext; priority: string }) {
  return <span class={`cell-priority cell-priority--${props.priority}`}>{props.ctx.t(`complaints.priority.${props.priority}`)}</span>;
}

/** "Resolve: due in 3 days" / "Acknowledge: 2 days late"; nothing once finished. */
export function DeadlineText(props: { ctx: ViewContext; deadline: { kind: 'acknowledge' | 'resolve'; days: number; dueAt: string } | null }) {
  const { ctx, deadline } = props;
  if (!deadline) return <span class="muted">{ctx.t('form.none')}</span>;
  const late = deadline.days < 0;
  return (
    <span class={late ? 'cell-deadline cell-deadline--late' : 'cell-deadline'}>
      <span class="cell-deadline__kind">{ctx.t(`complaints.cell.deadline.${deadline.kind}`)}</span>{' '}
      <time datetime={deadline.dueAt} title={ctx.format.formatDateTime(deadline.dueAt)}>
        {late ? ctx.t('complaints.cell.deadline.late', { days: -deadline.days }) : ctx.t('complaints.cell.deadline.due_in', { days: deadline.days })}
      </time>
    </span>
  );
}

function personName(ctx: ViewContext, id: number | null, people: Record<number, string | null>): ComponentChildren {
  if (id === null) return <span class="muted">{ctx.t('form.none')}</span>;
  const name = people[id];
  return name ? <bdi>{name}</bdi> : <span>{ctx.t('complaints.cell.person_number', { id })}</span>;
}

function staffOptions(ctx: ViewContext, staff: StaffMember[]): Option[] {
  return staff.map((s) => ({ value: String(s.id), label: s.name ?? ctx.t('complaints.cell.person_number', { id: s.id }) }));
}

// ---------------------------------------------------------------------------------------------
// Inbox

export type InboxFilterValues = Record<string, string | undefined>;

export type InboxModel = {
  inbox: Inbox;
  choices: InboxChoices;
  /** The query string's values, as typed (for the filter form and links). */
  filters: InboxFilterValues;
  sort: InboxSort;
  pagination: PaginationLinks;
  /** "?status=open&…" of this list (for the CSV link and coming back after a bulk action). */
  queryString: string;
  bulk: FormState;
};

const SAVED_VIEWS: { key: string; query: Record<string, string> }[] = [
  { key: 'all_open', query: { status: 'open' } },
  { key: 'new', query: { status: 'received' } },
  { key: 'mine', query: { assignee: 'me', status: 'open' } },
  { key: 'overdue', query: { overdue: '1' } },
  { key: 'my_department', query: { department: 'mine', status: 'open' } },
];

function isCurrentView(filters: InboxFilterValues, query: Record<string, string>): boolean {
  const set = Object.entries(filters).filter(([k, v]) => v !== undefined && v !== '' && k !== 'page' && k !== 'sort');
  return set.length === Object.keys(query).length && set.every(([k, v]) => query[k] === v);
}

const bulkLabels = (ctx: ViewContext): Record<string, string> => ({
  item: ctx.t('complaints.cell.bulk.selection'),
  bulk_action: ctx.t('complaints.cell.bulk.action'),
  bulk_department: ctx.t('complaints.cell.field.department'),
  bulk_priority: ctx.t('complaints.cell.field.priority'),
  bulk_utility: ctx.t('complaints.cell.field.utility'),
  bulk_reason: ctx.t('complaints.cell.field.reason'),
});

export function InboxPage(props: { frame: AdminFrame; model: InboxModel }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { inbox, choices, filters, sort, bulk } = props.model;
  const views = SAVED_VIEWS.filter((v) => v.key !== 'my_department' || choices.myDepartmentIds.length > 0);
  const option = (value: string, label: string) => ({ value, label });
  const departmentOptions = choices.departments.map((d) => option(String(d.id), nameIn(ctx, d.name)));
  const qs = (query: Record<string, string>) => `?${new URLSearchParams(query).toString()}`;
  return (
    <AdminPage frame={props.frame} title={t('complaints.cell.inbox.title')}>
      {(choices.may.fileOnBehalf || choices.may.export) && (
        <p class="actions">
          {choices.may.fileOnBehalf && (
            <a class="button" href={href(ctx, '/admin/complaints/new')}>
              {t('complaints.cell.intake.link')}
            </a>
          )}
          {choices.may.export && (
            <a class="button button--secondary" href={href(ctx, `/admin/complaints/export.csv${props.model.queryString}`)} download>
              {t('complaints.cell.inbox.export')}
            </a>
          )}
        </p>
      )}

      <nav class="cell-views" aria-label={t('complaints.cell.views.label')}>
        <ul>
          {views.map((view) => (
            <li>
              <a href={href(ctx, `/admin/complaints${qs(view.query)}`)} aria-current={isCurrentView(filters, view.query) ? 'page' : undefined}>
                {t(`complaints.cell.views.${view.key}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>

      <details class="cell-filter-box" open={Object.entries(filters).some(([k, v]) => v && k !== 'page' && k !== 'q' && k !== 'sort') || undefined}>
        <summary>{t('complaints.cell.filters.title')}</summary>
        <form method="get" action={href(ctx, '/admin/complaints')} class="filters" role="search" aria-label={t('complaints.cell.filters.title')}>
          <FilterInput name="q" type="search" label={t('complaints.cell.filters.search')} value={filters.q} maxLength={200} />
          <FilterSelect
            name="status"
            label={t('complaints.cell.field.status')}
            anyLabel={t('complaints.cell.filters.any')}
            value={filters.status}
            options={STATUS_FILTERS.map((s) =>
              option(s, s === 'open' || s === 'finished' ? t(`complaints.cell.filters.status_${s}`) : t(`complaints.status.${s}`)),
            )}
          />
          <FilterSelect
            name="category"
            label={t('complaints.cell.field.category')}
            anyLabel={t('complaints.cell.filters.any')}
            value={filters.category}
            options={choices.categories.map((c) => option(String(c.id), nameIn(ctx, c.name)))}
          />
          <FilterSelect
            name="department"
            label={t('complaints.cell.field.department')}
            anyLabel={t('complaints.cell.filters.any')}
            value={filters.department}
            options={[
              ...(choices.myDepartmentIds.length > 0 ? [option('mine', t('complaints.cell.filters.my_department'))] : []),
              option('none', t('complaints.cell.filters.no_department')),
              ...departmentOptions,
            ]}
          />
          <FilterSelect
            name="assignee"
            label={t('complaints.cell.field.assignee')}
            anyLabel={t('complaints.cell.filters.any')}
            value={filters.assignee}
            options={[option('me', t('complaints.cell.filters.me')), option('none', t('complaints.cell.filters.nobody')), ...staffOptions(ctx, choices.staff)]}
          />
          <FilterSelect
            name="neighbourhood"
            label={t('complaints.cell.field.neighbourhood')}
            anyLabel={t('complaints.cell.filters.any')}
            value={filters.neighbourhood}
            options={choices.neighbourhoods.map((n) => option(String(n.id), nameIn(ctx, n.name)))}
          />
          <FilterSelect
            name="channel"
            label={t('complaints.cell.field.channel')}
            anyLabel={t('complaints.cell.filters.any')}
            value={filters.channel}
            options={CHANNELS.map((c) => option(c, t(`complaints.channel.${c}`)))}
          />
          <FilterSelect
            name="priority"
            label={t('complaints.cell.field.priority')}
            anyLabel={t('complaints.cell.filters.any')}
            value={filters.priority}
            options={PRIORITIES.map((p) => option(p, t(`complaints.priority.${p}`)))}
          />
          <FilterInput name="from" type="date" label={t('complaints.cell.filters.from')} value={filters.from} dir="ltr" />
          <FilterInput name="to" type="date" label={t('complaints.cell.filters.to')} value={filters.to} dir="ltr" />
          <div class="field choice">
            <input type="checkbox" id="filter-overdue" name="overdue" value="1" checked={filters.overdue === '1'} />
            <label for="filter-overdue">{t('complaints.cell.filters.overdue')}</label>
          </div>
          <FilterSelect
            name="sort"
            label={t('complaints.cell.filters.sort')}
            anyLabel={t('complaints.cell.sort.newest')}
            value={sort === 'newest' ? undefined : sort}
            options={INBOX_SORTS.filter((s) => s !== 'newest').map((s) => option(s, t(`complaints.cell.sort.${s}`)))}
          />
          <div class="field cell-filter-buttons">
            <SubmitButton>{t('form.filter')}</SubmitButton>
            <a href={href(ctx, '/admin/complaints')}>{t('complaints.cell.filters.clear')}</a>
          </div>
        </form>
      </details>

      <p role="status" class="cell-count">
        {t('complaints.cell.inbox.count', { count: inbox.total })}
      </p>

      {inbox.items.length === 0 ? (
        <p class="panel">{t('complaints.cell.inbox.empty')}</p>
      ) : (
        <Form ctx={ctx} action={href(ctx, '/admin/complaints/bulk')} class="cell-bulk-form">
          <input type="hidden" name="back" value={props.model.queryString} />
          <ErrorSummary ctx={ctx} errors={bulk.errors} labels={bulkLabels(ctx)} />
          <div class="table-wrap">
            <table class="cell-inbox">
              <caption class="visually-hidden">{t('complaints.cell.inbox.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span class="visually-hidden">{t('complaints.cell.bulk.select_column')}</span>
                  </th>
                  <th scope="col">{t('complaints.cell.field.tracking_number')}</th>
                  <th scope="col">{t('complaints.cell.field.category')}</th>
                  <th scope="col">{t('complaints.cell.field.status')}</th>
                  <th scope="col">{t('complaints.cell.field.deadline')}</th>
                  <th scope="col">{t('complaints.cell.field.assignee')}</th>
                  <th scope="col">{t('complaints.cell.field.followers')}</th>
                  <th scope="col">{t('complaints.cell.field.filed')}</th>
                </tr>
              </thead>
              <tbody>
                {inbox.items.map((item) => (
                  <InboxRowView ctx={ctx} item={item} checked={selected(bulk.values).has(`${item.id}:${item.version}`)} />
                ))}
              </tbody>
            </table>
          </div>
          <Pagination ctx={ctx} links={props.model.pagination} />
          <fieldset class="cell-bulk-box" id="field-item">
            <legend>{t('complaints.cell.bulk.title')}</legend>
            <p class="field__hint">{t('complaints.cell.bulk.hint')}</p>
            <div class="filters">
              <SelectField
                ctx={ctx}
                state={bulk}
                name="bulk_action"
                label={t('complaints.cell.bulk.action')}
                options={BULK_ACTIONS.map((a) => option(a, t(`complaints.cell.bulk.actions.${a}`)))}
                required
              />
              <SelectField
                ctx={ctx}
                state={bulk}
                name="bulk_department"
                label={t('complaints.cell.field.department')}
                hint={t('complaints.cell.bulk.for_assign')}
                options={choices.departments.filter((d) => d.active).map((d) => option(String(d.id), nameIn(ctx, d.name)))}
              />
              <SelectField
                ctx={ctx}
                state={bulk}
                name="bulk_priority"
                label={t('complaints.cell.field.priority')}
                hint={t('complaints.cell.bulk.for_priority')}
                options={PRIORITIES.map((p) => option(p, t(`complaints.priority.${p}`)))}
              />
              <SelectField
                ctx={ctx}
                state={bulk}
                name="bulk_utility"
                label={t('complaints.cell.field.utility')}
                hint={t('complaints.cell.bulk.for_forward')}
                options={UTILITIES.map((u) => option(u, t(`complaints.utility.${u}`)))}
              />
            </div>
            <TextArea
              ctx={ctx}
              state={bulk}
              name="bulk_reason"
              label={t('complaints.cell.field.reason')}
              hint={t('complaints.cell.bulk.for_reason')}
              rows={2}
              maxLength={2000}
            />
            <SubmitButton>{t('complaints.cell.bulk.apply')}</SubmitButton>
          </fieldset>
        </Form>
      )}
      {inbox.items.length === 0 && <Pagination ctx={ctx} links={props.model.pagination} />}
    </AdminPage>
  );
}

function selected(values: FormValues): Set<string> {
  const item = values.item;
  return new Set(Array.isArray(item) ? item : item ? [item] : []);
}

function InboxRowView(props: { ctx: ViewContext; item: InboxItem; checked: boolean }) {
  const { ctx, item } = props;
  const { t } = ctx;
  const checkboxId = `select-${item.id}`;
  return (
    <tr class={item.deadline && item.deadline.days < 0 ? 'cell-is-late' : undefined}>
      <td class="cell-inbox__select">
        <input type="checkbox" id={checkboxId} name="item" value={`${item.id}:${item.version}`} checked={props.checked} />
        <label for={checkboxId} class="visually-hidden">
          {t('complaints.cell.bulk.select_one', { tracking: item.trackingNumber })}
        </label>
      </td>
      <td data-label={t('complaints.cell.field.tracking_number')}>
        <a href={href(ctx, `/admin/complaints/${item.id}`)}>
          <Tracking value={item.trackingNumber} />
        </a>
        {item.priority !== 'normal' && (
          <>
            {' '}
            <PriorityLabel ctx={ctx} priority={item.priority} />
          </>
        )}
      </td>
      <td data-label={t('complaints.cell.field.category')}>
        <bdi>{nameIn(ctx, item.category)}</bdi>
        {item.neighbourhood && (
          <div class="muted">
            <bdi>{nameIn(ctx, item.neighbourhood)}</bdi>
          </div>
        )}
      </td>
      <td data-label={t('complaints.cell.field.status')}>
        <StatusBadge ctx={ctx} status={item.status} />
      </td>
      <td data-label={t('complaints.cell.field.deadline')}>
        <DeadlineText ctx={ctx} deadline={item.deadline} />
      </td>
      <td data-label={t('complaints.cell.field.assignee')}>
        {item.assignee ? (
          item.assignee.name ? (
            <bdi>{item.assignee.name}</bdi>
          ) : (
            t('complaints.cell.person_number', { id: item.assignee.id })
          )
        ) : (
          <span class="muted">{t('complaints.cell.nobody')}</span>
        )}
        {item.department && (
          <div class="muted">
            <bdi>{nameIn(ctx, item.department)}</bdi>
          </div>
        )}
      </td>
      <td data-label={t('complaints.cell.field.followers')}>{ctx.format.formatNumber(item.followerCount)}</td>
      <td data-label={t('complaints.cell.field.filed')}>
        <time datetime={item.createdAt}>{ctx.format.formatDate(item.createdAt)}</time>
        <div class="muted">{t(`complaints.channel.${item.channel}`)}</div>
      </td>
    </tr>
  );
}

// ---------------------------------------------------------------------------------------------
// Bulk outcome

export function BulkOutcomePage(props: { frame: AdminFrame; model: { results: BulkResult[]; action: string; backPath: string } }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { results } = props.model;
  const done = results.filter((r) => r.outcome.ok).length;
  return (
    <AdminPage frame={props.frame} title={t('complaints.cell.bulk.outcome_title')} back={{ path: props.model.backPath, label: t('complaints.cell.back_to_inbox') }}>
      <p role="status" class="lead">
        {t('complaints.cell.bulk.outcome_summary', { done, count: results.length, action: t(`complaints.cell.bulk.actions.${props.model.action}`) })}
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('complaints.cell.field.tracking_number')}</th>
              <th scope="col">{t('complaints.cell.bulk.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {results.map((result) => (
              <tr class={result.outcome.ok ? 'cell-outcome cell-outcome--ok' : 'cell-outcome cell-outcome--failed'}>
                <td>
                  {result.trackingNumber ? (
                    <a href={href(ctx, `/admin/complaints/${result.complaintId}`)}>
                      <Tracking value={result.trackingNumber} />
                    </a>
                  ) : (
                    t('complaints.cell.complaint_number', { id: result.complaintId })
                  )}
                </td>
                <td>
                  {result.outcome.ok ? (
                    <>
                      <span class="cell-outcome__mark" aria-hidden="true">
                        ✓{' '}
                      </span>
                      {t('complaints.cell.bulk.done')} <StatusBadge ctx={ctx} status={result.outcome.status} />
                    </>
                  ) : (
                    <>
                      <span class="cell-outcome__mark" aria-hidden="true">
                        ✗{' '}
                      </span>
                      {bulkFailure(ctx, result.outcome.error, result.outcome.fields)}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminPage>
  );
}

function bulkFailure(ctx: ViewContext, code: string, fields: FieldErrors): string {
  if (code === 'stale') return ctx.t('complaints.cell.bulk.stale');
  if (code === 'forbidden' || code === 'unauthenticated') return ctx.t('complaints.cell.bulk.forbidden');
  if (code === 'not_found') return ctx.t('complaints.cell.bulk.not_found');
  const messages = Object.values(fields).map((error) => errorText(ctx, error) ?? '');
  return messages.length > 0 ? messages.join(' ') : ctx.t(`errors.${code}`);
}

// ---------------------------------------------------------------------------------------------
// One complaint

export type ComplaintPageProps = {
  frame: AdminFrame;
  model: ComplaintPageModel;
  /** The form that failed (or was redrawn), with what was typed and its errors. */
  failed?: { action: ActionKey; state: FormState };
  /** The inbox list to go back to. */
  backPath: string;
};

const fieldLabels = (ctx: ViewContext): Record<string, string> => ({
  triage_category: ctx.t('complaints.cell.field.category'),
  triage_priority: ctx.t('complaints.cell.field.priority'),
  triage_department: ctx.t('complaints.cell.field.department'),
  assign_department: ctx.t('complaints.cell.field.department'),
  assign_agent: ctx.t('complaints.cell.field.agent'),
  resolve_reply: ctx.t('complaints.cell.field.public_reply'),
  resolve_template: ctx.t('complaints.cell.field.template'),
  reject_reason: ctx.t('complaints.cell.field.reject_reason'),
  duplicate_of: ctx.t('complaints.cell.field.duplicate_of'),
  forward_utility: ctx.t('complaints.cell.field.utility'),
  forward_reason: ctx.t('complaints.cell.field.forward_reason'),
  reopen_reason: ctx.t('complaints.cell.field.reopen_reason'),
  reply_text: ctx.t('complaints.cell.field.public_reply'),
  reply_template: ctx.t('complaints.cell.field.template'),
  note_body: ctx.t('complaints.cell.field.note'),
  mask_text: ctx.t('complaints.cell.field.public_text'),
});

export function ComplaintPage(props: ComplaintPageProps) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { model, failed } = props;
  const c = model.complaint;
  const stateFor = (action: ActionKey): FormState => (failed?.action === action ? failed.state : { values: {}, errors: {} });
  const isOpenForm = (action: ActionKey) => failed?.action === action;
  const deadline = model.deadline;
  return (
    <AdminPage
      frame={props.frame}
      // The tracking number alone: staff read it out on the phone, and "Complaint" before it
      // made the number wrap at a dash on a phone.
      title={c.trackingNumber}
      back={{ path: props.backPath, label: t('complaints.cell.back_to_inbox') }}
    >
      {failed && <ErrorSummary ctx={ctx} errors={failed.state.errors} labels={fieldLabels(ctx)} />}

      <dl class="cell-facts">
        <div>
          <dt>{t('complaints.cell.field.status')}</dt>
          <dd>
            <StatusBadge ctx={ctx} status={c.status} />
          </dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.deadline')}</dt>
          <dd>
            <DeadlineText ctx={ctx} deadline={deadline} />
          </dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.priority')}</dt>
          <dd>
            <PriorityLabel ctx={ctx} priority={c.priority} />
          </dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.category')}</dt>
          <dd>
            <bdi>{nameIn(ctx, c.category.name)}</bdi>
            {c.category.sensitive && <span class="badge cell-badge--warning">{t('complaints.cell.sensitive')}</span>}
          </dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.department')}</dt>
          <dd>{c.department ? <bdi>{nameIn(ctx, c.department.name)}</bdi> : <span class="muted">{t('complaints.cell.no_department')}</span>}</dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.assignee')}</dt>
          <dd>{c.assigneeUserId === null ? <span class="muted">{t('complaints.cell.nobody')}</span> : personName(ctx, c.assigneeUserId, model.people)}</dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.channel')}</dt>
          <dd>
            {t(`complaints.channel.${c.channel}`)}
            {c.filedByUserId !== null && (
              <div class="muted">
                {t('complaints.cell.filed_by')} {personName(ctx, c.filedByUserId, model.people)}
              </div>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.filed')}</dt>
          <dd>
            <DateTime ctx={ctx} iso={c.createdAt} />
          </dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.followers')}</dt>
          <dd>{ctx.format.formatNumber(c.followerCount)}</dd>
        </div>
        <div>
          <dt>{t('complaints.cell.field.language')}</dt>
          <dd lang={c.locale}>{LANGUAGE_NAMES[(LOCALES as readonly string[]).includes(c.locale) ? (c.locale as Locale) : 'ar']}</dd>
        </div>
        {c.duplicateOf && (
          <div>
            <dt>{t('complaints.cell.field.duplicate_of')}</dt>
            <dd>
              <Tracking value={c.duplicateOf} />
            </dd>
          </div>
        )}
        {c.forwardedTo && (
          <div>
            <dt>{t('complaints.cell.field.forwarded_to')}</dt>
            <dd>{t(`complaints.utility.${c.forwardedTo}`)}</dd>
          </div>
        )}
      </dl>

      <div class="cell-layout">
        <div class="cell-layout__summary">
          <section aria-labelledby="description-title">
            <h2 id="description-title">{t('complaints.cell.complaint.description')}</h2>
            {c.masked && <p class="badge cell-badge--warning">{t('complaints.cell.complaint.masked')}</p>}
            <p class="cell-text">
              <bdi>{c.publicDescription}</bdi>
            </p>
            {c.masked && c.originalDescription !== null && (
              <details>
                <summary>{t('complaints.cell.complaint.original')}</summary>
                <p class="cell-text">
                  <bdi>{c.originalDescription}</bdi>
                </p>
              </details>
            )}
            {c.statusReason && (
              <p>
                <strong>{t('complaints.cell.complaint.reason')}</strong> <bdi>{c.statusReason}</bdi>
              </p>
            )}
          </section>

          {c.answers.length > 0 && (
            <section aria-labelledby="answers-title">
              <h2 id="answers-title">{t('complaints.cell.complaint.answers')}</h2>
              <dl>
                {c.answers.map((answer) => (
                  <>
                    <dt>
                      <bdi>{nameIn(ctx, answer.label)}</bdi>
                    </dt>
                    <dd>
                      <bdi>{answer.choices.length > 0 ? answer.choices.map((choice) => nameIn(ctx, choice)).join(ctx.locale === 'ar' ? '، ' : ', ') : String(answer.value)}</bdi>
                    </dd>
                  </>
                ))}
              </dl>
            </section>
          )}

        </div>

        <div class="cell-layout__actions">
          <h2>{t('complaints.cell.actions.title')}</h2>
          <ActionForms ctx={ctx} model={model} stateFor={stateFor} isOpenForm={isOpenForm} />
        </div>

        <div class="cell-layout__details">
          <section aria-labelledby="place-title">
            <h2 id="place-title">{t('complaints.cell.complaint.place')}</h2>
            <dl>
              <dt>{t('complaints.cell.field.neighbourhood')}</dt>
              <dd>{c.location.neighbourhood ? <bdi>{nameIn(ctx, c.location.neighbourhood.name)}</bdi> : <span class="muted">{t('form.none')}</span>}</dd>
              <dt>{t('complaints.cell.field.address')}</dt>
              <dd>
                <Typed ctx={ctx} value={c.location.address} />
              </dd>
              {c.location.point && (
                <>
                  <dt>{t('complaints.cell.field.coordinates')}</dt>
                  <dd>
                    <bdi dir="ltr" class="mono">
                      {c.location.point.lat.toFixed(5)}, {c.location.point.lng.toFixed(5)}
                    </bdi>
                  </dd>
                </>
              )}
            </dl>
          </section>

          {c.photos.length > 0 && (
            <section aria-labelledby="photos-title">
              <h2 id="photos-title">{t('complaints.cell.complaint.photos')}</h2>
              <ul class="cell-photos">
                {c.photos.map((photo, index) => (
                  <li>
                    <a href={href(ctx, `/admin/complaints/${c.id}/photos/${photo.id}`)}>
                      <img
                        src={href(ctx, `/admin/complaints/${c.id}/photos/${photo.id}/thumb`)}
                        alt={t('complaints.cell.complaint.photo_alt', { number: index + 1 })}
                        loading="lazy"
                        width={Math.min(200, photo.width)}
                        height={Math.round((Math.min(200, photo.width) * photo.height) / Math.max(1, photo.width))}
                      />
                    </a>
                    {!photo.public && <span class="badge cell-badge--warning">{t('complaints.cell.complaint.photo_hidden')}</span>}
                  </li>
                ))}
              </ul>
            </section>
          )}

          <section aria-labelledby="reporter-title">
            <h2 id="reporter-title">{t('complaints.cell.complaint.reporter')}</h2>
            {c.reporter === null ? (
              <p class="muted">{t('complaints.cell.complaint.reporter_hidden')}</p>
            ) : (
              <dl>
                <dt>{t('complaints.cell.field.contact_name')}</dt>
                <dd>
                  <Typed ctx={ctx} value={c.reporter.name} />
                </dd>
                <dt>{t('complaints.cell.field.contact_phone')}</dt>
                <dd>
                  {c.reporter.phone ? (
                    <a href={`tel:${c.reporter.phone}`}>
                      <bdi dir="ltr">{c.reporter.phone}</bdi>
                    </a>
                  ) : (
                    <span class="muted">{t('form.none')}</span>
                  )}
                </dd>
                <dt>{t('complaints.cell.field.contact_email')}</dt>
                <dd>
                  <Typed ctx={ctx} value={c.reporter.email} ltr />
                </dd>
                {c.reporter.userId !== null && (
                  <>
                    <dt>{t('complaints.cell.complaint.account')}</dt>
                    <dd>{t('complaints.cell.person_number', { id: c.reporter.userId })}</dd>
                  </>
                )}
              </dl>
            )}
            {c.feedback && (
              <p>
                {t(c.feedback.resolved ? 'complaints.cell.complaint.feedback_resolved' : 'complaints.cell.complaint.feedback_not_resolved')}
                {c.feedback.satisfaction !== null && <> {t('complaints.cell.complaint.satisfaction', { rating: c.feedback.satisfaction })}</>}
                {c.feedbackComment && (
                  <>
                    {' '}
                    <bdi>{c.feedbackComment}</bdi>
                  </>
                )}
              </p>
            )}
          </section>

          <section aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t('complaints.cell.timeline.title')}</h2>
            <ol class="cell-timeline">
              {[...c.timeline].reverse().map((entry) => (
                <TimelineEntry ctx={ctx} entry={entry} model={model} />
              ))}
            </ol>
          </section>
        </div>
      </div>
    </AdminPage>
  );
}

function TimelineEntry(props: { ctx: ViewContext; entry: StaffTimelineEntry; model: ComplaintPageModel }) {
  const { ctx, entry, model } = props;
  const { t } = ctx;
  const data = entry.data;
  const department = (id: unknown) => nameIn(ctx, model.departments.find((d) => d.id === id)?.name) || t('form.none');
  const category = (id: unknown) => nameIn(ctx, model.categories.find((c) => c.id === id)?.name) || t('complaints.cell.complaint_number', { id: String(id) });
  const person = (id: unknown) => (typeof id === 'number' ? (model.people[id] ?? t('complaints.cell.person_number', { id })) : t('complaints.cell.nobody'));
  let what: ComponentChildren;
  switch (entry.kind) {
    case 'status':
      what = (
        <>
          {data.reopened === true ? t('complaints.cell.timeline.reopened') : t('complaints.cell.timeline.status')}{' '}
          {entry.toStatus && <StatusBadge ctx={ctx} status={entry.toStatus} />}
          {typeof data.utility === 'string' && <> {t(`complaints.utility.${data.utility}`)}</>}
          {typeof data.duplicateOf === 'string' && (
            <>
              {' '}
              <Tracking value={data.duplicateOf} />
            </>
          )}
          {typeof data.channel === 'string' && <> · {t(`complaints.channel.${data.channel}`)}</>}
        </>
      );
      break;
    case 'reply':
      what = t('complaints.cell.timeline.reply');
      break;
    case 'note':
      what = t('complaints.cell.timeline.note');
      break;
    case 'assignment':
      what = t('complaints.cell.timeline.assignment', { department: department(data.departmentId), person: person(data.assigneeUserId) });
      break;
    case 'triage': {
      const before = (data.before ?? {}) as Record<string, unknown>;
      const after = (data.after ?? {}) as Record<string, unknown>;
      const changes: string[] = [];
      if ('priority' in after) changes.push(t('complaints.cell.timeline.priority_changed', { from: t(`complaints.priority.${String(before.priority)}`), to: t(`complaints.priority.${String(after.priority)}`) }));
      if ('category_id' in after) changes.push(t('complaints.cell.timeline.category_changed', { from: category(before.category_id), to: category(after.category_id) }));
      if ('department_id' in after) changes.push(t('complaints.cell.timeline.department_changed', { from: department(before.department_id), to: department(after.department_id) }));
      if ('assignee_user_id' in after) changes.push(t('complaints.cell.timeline.assignee_cleared'));
      what = (
        <>
          {t('complaints.cell.timeline.triage')} <bdi>{changes.join(' · ')}</bdi>
        </>
      );
      break;
    }
    case 'merged':
      what = (
        <>
          {t('complaints.cell.timeline.merged', { count: typeof data.followersAdded === 'number' ? data.followersAdded : 0 })}{' '}
          {typeof data.duplicateTrackingNumber === 'string' && <Tracking value={data.duplicateTrackingNumber} />}
        </>
      );
      break;
    case 'masked':
      what = data.masked === false ? t('complaints.cell.timeline.unmasked') : t('complaints.cell.timeline.masked');
      break;
    case 'feedback':
      what = t(data.resolved === true ? 'complaints.cell.complaint.feedback_resolved' : 'complaints.cell.complaint.feedback_not_resolved');
      break;
    case 'reminder':
      what = t('complaints.cell.timeline.reminder');
      break;
    case 'escalation':
      what = t('complaints.cell.timeline.escalation');
      break;
    default:
      what = entry.kind;
  }
  return (
    <li class={`cell-timeline__entry cell-timeline__entry--${entry.visibility}`}>
      <p class="cell-timeline__head">
        <span class={entry.visibility === 'public' ? 'badge' : 'badge cell-badge--internal'}>{t(`complaints.cell.timeline.${entry.visibility}`)}</span>{' '}
        <DateTime ctx={ctx} iso={entry.createdAt} />
        {entry.actorUserId !== null && (
          <>
            {' · '}
            {personName(ctx, entry.actorUserId, model.people)}
          </>
        )}
      </p>
      <p class="cell-timeline__what">{what}</p>
      {entry.body && (
        <p class="cell-text">
          <bdi>{entry.body}</bdi>
        </p>
      )}
    </li>
  );
}

type ActionFormsProps = {
  ctx: ViewContext;
  model: ComplaintPageModel;
  stateFor(action: ActionKey): FormState;
  isOpenForm(action: ActionKey): boolean;
};

/** One action in a <details> box, open when its form was just refused or redrawn. */
function ActionBox(props: { ctx: ViewContext; action: ActionKey; open: boolean; children: ComponentChildren }) {
  return (
    <details class="cell-action" id={`action-${props.action}`} open={props.open || undefined}>
      <summary>{props.ctx.t(`complaints.cell.actions.${props.action}`)}</summary>
      <div class="cell-action__body">{props.children}</div>
    </details>
  );
}

function FormError(props: { ctx: ViewContext; state: FormState }) {
  const message = errorText(props.ctx, props.state.errors._form);
  if (!message) return null;
  return (
    <p class="field__error" role="alert">
      {message}
    </p>
  );
}

function ActionForms(props: ActionFormsProps) {
  const { ctx, model, stateFor, isOpenForm } = props;
  const { t } = ctx;
  const c = model.complaint;
  const a = model.actions;
  const action = (key: ActionKey) => href(ctx, `/admin/complaints/${c.id}/${key}`);
  const Version = () => <input type="hidden" name="version" value={String(c.version)} />;
  const activeDepartments = model.departments.filter((d) => d.active || d.id === c.department?.id);
  const departmentOptions = activeDepartments.map((d) => ({ value: String(d.id), label: nameIn(ctx, d.name) }));
  const templateOptions = model.templates.map((tpl) => ({ value: String(tpl.id), label: nameIn(ctx, tpl.title) }));
  const language = LANGUAGE_NAMES[(LOCALES as readonly string[]).includes(c.locale) ? (c.locale as Locale) : 'ar'];
  const quick = (['acknowledge', 'start', 'close'] as const).filter((key) => a[key]);
  const nothing = !Object.values(a).some(Boolean);
  const replyHint = t('complaints.cell.reply_hint', { language });

  return (
    <>
      {nothing && <p class="muted">{t('complaints.cell.actions.none')}</p>}
      {quick.length > 0 && (
        <div class="cell-quick-actions">
          {quick.map((key) => (
            <Form ctx={ctx} action={action(key)} class="inline-form">
              <Version />
              <FormError ctx={ctx} state={stateFor(key)} />
              <button type="submit" class={key === 'close' ? 'button button--secondary' : 'button'}>
                {t(`complaints.cell.actions.${key}`)}
              </button>
            </Form>
          ))}
        </div>
      )}

      {a.triage && (
        <ActionBox ctx={ctx} action="triage" open={isOpenForm('triage')}>
          <Form ctx={ctx} action={action('triage')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('triage')} />
            <SelectField
              ctx={ctx}
              state={stateFor('triage')}
              name="triage_category"
              label={t('complaints.cell.field.category')}
              value={isOpenForm('triage') ? undefined : String(c.category.id)}
              options={model.categories.map((cat) => ({ value: String(cat.id), label: nameIn(ctx, cat.name) }))}
              required
            />
            <SelectField
              ctx={ctx}
              state={stateFor('triage')}
              name="triage_priority"
              label={t('complaints.cell.field.priority')}
              value={isOpenForm('triage') ? undefined : c.priority}
              options={PRIORITIES.map((p) => ({ value: p, label: t(`complaints.priority.${p}`) }))}
              required
            />
            <SelectField
              ctx={ctx}
              state={stateFor('triage')}
              name="triage_department"
              label={t('complaints.cell.field.department')}
              hint={t('complaints.cell.triage.department_hint')}
              emptyLabel={t('complaints.cell.triage.department_automatic')}
              options={departmentOptions}
            />
            <SubmitButton>{t('complaints.cell.triage.submit')}</SubmitButton>
          </Form>
        </ActionBox>
      )}

      {a.assign && (
        <ActionBox ctx={ctx} action="assign" open={isOpenForm('assign')}>
          <Form ctx={ctx} action={action('assign')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('assign')} />
            <SelectField
              ctx={ctx}
              state={stateFor('assign')}
              name="assign_department"
              label={t('complaints.cell.field.department')}
              value={isOpenForm('assign') ? undefined : model.assignDepartmentId === null ? '' : String(model.assignDepartmentId)}
              options={departmentOptions}
              required
            />
            <p>
              <SubmitButton secondary name="intent" value="refresh">
                {t('complaints.cell.assign.show_staff')}
              </SubmitButton>
            </p>
            <SelectField
              ctx={ctx}
              state={stateFor('assign')}
              name="assign_agent"
              label={t('complaints.cell.field.agent')}
              hint={
                model.assignDepartmentId === null
                  ? t('complaints.cell.assign.choose_department_first')
                  : t('complaints.cell.assign.staff_of', { department: nameIn(ctx, model.departments.find((d) => d.id === model.assignDepartmentId)?.name) })
              }
              value={isOpenForm('assign') ? undefined : c.assigneeUserId === null ? '' : String(c.assigneeUserId)}
              emptyLabel={t('complaints.cell.assign.department_only')}
              options={staffOptions(ctx, model.assignableStaff)}
            />
            <SubmitButton name="intent" value="send">
              {t('complaints.cell.assign.submit')}
            </SubmitButton>
          </Form>
        </ActionBox>
      )}

      {a.resolve && (
        <ActionBox ctx={ctx} action="resolve" open={isOpenForm('resolve')}>
          <Form ctx={ctx} action={action('resolve')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('resolve')} />
            <TemplatePicker ctx={ctx} state={stateFor('resolve')} name="resolve_template" options={templateOptions} />
            <TextArea ctx={ctx} state={stateFor('resolve')} name="resolve_reply" label={t('complaints.cell.field.public_reply')} hint={replyHint} maxLength={5000} required />
            <SubmitButton name="intent" value="send">
              {t('complaints.cell.resolve.submit')}
            </SubmitButton>
          </Form>
        </ActionBox>
      )}

      {a.reply && (
        <ActionBox ctx={ctx} action="reply" open={isOpenForm('reply')}>
          <Form ctx={ctx} action={action('reply')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('reply')} />
            <TemplatePicker ctx={ctx} state={stateFor('reply')} name="reply_template" options={templateOptions} />
            <TextArea ctx={ctx} state={stateFor('reply')} name="reply_text" label={t('complaints.cell.field.public_reply')} hint={replyHint} maxLength={5000} required />
            <SubmitButton name="intent" value="send">
              {t('complaints.cell.reply.submit')}
            </SubmitButton>
          </Form>
        </ActionBox>
      )}

      {a.note && (
        <ActionBox ctx={ctx} action="note" open={isOpenForm('note')}>
          <Form ctx={ctx} action={action('note')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('note')} />
            <TextArea ctx={ctx} state={stateFor('note')} name="note_body" label={t('complaints.cell.field.note')} hint={t('complaints.cell.note.hint')} maxLength={5000} required />
            <SubmitButton>{t('complaints.cell.note.submit')}</SubmitButton>
          </Form>
        </ActionBox>
      )}

      {a.reject && (
        <ActionBox ctx={ctx} action="reject" open={isOpenForm('reject')}>
          <Form ctx={ctx} action={action('reject')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('reject')} />
            <TextArea ctx={ctx} state={stateFor('reject')} name="reject_reason" label={t('complaints.cell.field.reject_reason')} hint={t('complaints.cell.reject.hint')} maxLength={2000} rows={3} required />
            <button type="submit" class="button button--danger">
              {t('complaints.cell.reject.submit')}
            </button>
          </Form>
        </ActionBox>
      )}

      {a.duplicate && (
        <ActionBox ctx={ctx} action="duplicate" open={isOpenForm('duplicate')}>
          <Form ctx={ctx} action={action('duplicate')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('duplicate')} />
            <TextField
              ctx={ctx}
              state={stateFor('duplicate')}
              name="duplicate_of"
              label={t('complaints.cell.field.duplicate_of')}
              hint={t('complaints.cell.duplicate.hint')}
              dir="ltr"
              maxLength={40}
              autocomplete="off"
              required
            />
            <SubmitButton>{t('complaints.cell.duplicate.submit')}</SubmitButton>
          </Form>
        </ActionBox>
      )}

      {a.forward && (
        <ActionBox ctx={ctx} action="forward" open={isOpenForm('forward')}>
          <Form ctx={ctx} action={action('forward')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('forward')} />
            <RadioGroup
              ctx={ctx}
              state={stateFor('forward')}
              name="forward_utility"
              label={t('complaints.cell.field.utility')}
              options={UTILITIES.map((u) => ({ value: u, label: t(`complaints.utility.${u}`) }))}
              required
            />
            <TextArea ctx={ctx} state={stateFor('forward')} name="forward_reason" label={t('complaints.cell.field.forward_reason')} hint={t('complaints.cell.forward.hint')} maxLength={2000} rows={3} required />
            <SubmitButton>{t('complaints.cell.forward.submit')}</SubmitButton>
          </Form>
        </ActionBox>
      )}

      {a.reopen && (
        <ActionBox ctx={ctx} action="reopen" open={isOpenForm('reopen')}>
          <Form ctx={ctx} action={action('reopen')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('reopen')} />
            <TextArea ctx={ctx} state={stateFor('reopen')} name="reopen_reason" label={t('complaints.cell.field.reopen_reason')} hint={t('complaints.cell.reopen.hint')} maxLength={2000} rows={3} />
            <SubmitButton>{t('complaints.cell.reopen.submit')}</SubmitButton>
          </Form>
        </ActionBox>
      )}

      {a.mask && (
        <ActionBox ctx={ctx} action="mask" open={isOpenForm('mask')}>
          <Form ctx={ctx} action={action('mask')}>
            <Version />
            <FormError ctx={ctx} state={stateFor('mask')} />
            <TextArea
              ctx={ctx}
              state={stateFor('mask')}
              name="mask_text"
              label={t('complaints.cell.field.public_text')}
              hint={t('complaints.cell.mask.hint')}
              value={isOpenForm('mask') ? undefined : c.masked ? c.publicDescription : (c.originalDescription ?? c.publicDescription)}
              maxLength={5000}
              required
            />
            {c.photos.length > 0 && (
              <fieldset class="field fieldset">
                <legend class="field__label">{t('complaints.cell.mask.photos')}</legend>
                {c.photos.map((photo, index) => {
                  const values = stateFor('mask').values.mask_photo;
                  const checked = isOpenForm('mask') ? (Array.isArray(values) ? values : values ? [values] : []).includes(String(photo.id)) : photo.public;
                  return (
                    <div class="choice">
                      {photo.public && <input type="hidden" name="mask_public_before" value={String(photo.id)} />}
                      <input type="checkbox" id={`field-mask_photo-${photo.id}`} name="mask_photo" value={String(photo.id)} checked={checked} />
                      <label for={`field-mask_photo-${photo.id}`}>{t('complaints.cell.mask.photo_public', { number: index + 1 })}</label>
                    </div>
                  );
                })}
              </fieldset>
            )}
            <p class="actions">
              <SubmitButton name="intent" value="send">
                {t('complaints.cell.mask.submit')}
              </SubmitButton>
              {c.masked && (
                <SubmitButton secondary name="intent" value="unmask">
                  {t('complaints.cell.mask.unmask')}
                </SubmitButton>
              )}
            </p>
          </Form>
        </ActionBox>
      )}
    </>
  );
}

/** A reply template list with "use this template": without JavaScript, the server puts its text in the box below. */
function TemplatePicker(props: { ctx: ViewContext; state: FormState; name: string; options: Option[] }) {
  const { ctx } = props;
  if (props.options.length === 0) return null;
  return (
    <div class="cell-template-picker">
      <SelectField
        ctx={ctx}
        state={props.state}
        name={props.name}
        label={ctx.t('complaints.cell.field.template')}
        emptyLabel={ctx.t('complaints.cell.template.none')}
        options={props.options}
      />
      <SubmitButton secondary name="intent" value="use_template">
        {ctx.t('complaints.cell.template.use')}
      </SubmitButton>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Counter and phone

export type IntakeModel = {
  choices: IntakeChoices;
  /** The category chosen in the first step; null shows the first step. */
  category: Category | null;
};

const intakeLabels = (ctx: ViewContext, category: Category | null): Record<string, string> => ({
  channel: ctx.t('complaints.cell.intake.channel'),
  locale: ctx.t('complaints.cell.intake.locale'),
  category_id: ctx.t('complaints.cell.field.category'),
  description: ctx.t('complaints.cell.complaint.description'),
  location: ctx.t('complaints.cell.complaint.place'),
  'location.neighbourhoodId': ctx.t('complaints.cell.field.neighbourhood'),
  'location.address': ctx.t('complaints.cell.field.address'),
  'contact.name': ctx.t('complaints.cell.field.contact_name'),
  'contact.phone': ctx.t('complaints.cell.field.contact_phone'),
  'contact.email': ctx.t('complaints.cell.field.contact_email'),
  ...Object.fromEntries((category?.questions ?? []).map((q) => [`answers.${q.code}`, nameIn(ctx, q.label)])),
});

export function IntakePage(props: { frame: AdminFrame; model: IntakeModel; state: FormState }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { choices, category } = props.model;
  const state = props.state;
  const groups = new Map<string, Category[]>();
  for (const cat of choices.categories) {
    const key = cat.groupCode ?? '';
    groups.set(key, [...(groups.get(key) ?? []), cat]);
  }
  return (
    <AdminPage frame={props.frame} title={t('complaints.cell.intake.title')} back={{ path: '/admin/complaints', label: t('complaints.cell.back_to_inbox') }}>
      <p class="lead">{t('complaints.cell.intake.intro')}</p>
      {category === null ? (
        <form method="get" action={href(ctx, '/admin/complaints/new')} class="form">
          <ErrorSummary ctx={ctx} errors={state.errors} labels={intakeLabels(ctx, null)} />
          <fieldset class={state.errors.category_id ? 'field fieldset field--error' : 'field fieldset'} id="field-category_id">
            <legend class="field__label">{t('complaints.cell.intake.step_category')}</legend>
            {state.errors.category_id && <p class="field__error">{errorText(ctx, state.errors.category_id)}</p>}
            {[...groups.entries()].map(([group, categories]) => (
              <div class="cell-category-group">
                {group && <p class="cell-category-group__title">{t(`complaints.group.${group}`)}</p>}
                {categories.map((cat) => (
                  <div class="choice">
                    <input type="radio" id={`category-${cat.id}`} name="category" value={String(cat.id)} required />
                    <label for={`category-${cat.id}`}>
                      <bdi>{nameIn(ctx, cat.name)}</bdi>
                    </label>
                  </div>
                ))}
              </div>
            ))}
          </fieldset>
          <SubmitButton>{t('complaints.cell.intake.next')}</SubmitButton>
        </form>
      ) : (
        <Form ctx={ctx} action={href(ctx, '/admin/complaints/new')}>
          <ErrorSummary ctx={ctx} errors={state.errors} labels={intakeLabels(ctx, category)} />
          <input type="hidden" name="category_id" value={String(category.id)} />
          <p class="panel">
            {t('complaints.cell.field.category')}: <strong><bdi>{nameIn(ctx, category.name)}</bdi></strong>{' '}
            <a href={href(ctx, '/admin/complaints/new')}>{t('complaints.cell.intake.change_category')}</a>
          </p>
          <RadioGroup
            ctx={ctx}
            state={state}
            name="channel"
            label={t('complaints.cell.intake.channel')}
            options={(['counter', 'phone'] as const).map((c) => ({ value: c, label: t(`complaints.channel.${c}`) }))}
            value={state.values.channel === undefined ? 'counter' : undefined}
            required
          />
          <SelectField
            ctx={ctx}
            state={state}
            name="locale"
            label={t('complaints.cell.intake.locale')}
            hint={t('complaints.cell.intake.locale_hint')}
            options={LOCALES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
            value={state.values.locale === undefined ? ctx.locale : undefined}
            required
          />
          <TextArea ctx={ctx} state={state} name="description" label={t('complaints.cell.complaint.description')} hint={t('complaints.cell.intake.description_hint')} maxLength={5000} required />
          {category.questions.map((question) => (
            <QuestionField ctx={ctx} state={state} question={question} />
          ))}
          <fieldset class={state.errors.location ? 'field fieldset field--error' : 'field fieldset'} id="field-location">
            <legend class="field__label">{t('complaints.cell.complaint.place')}</legend>
            <p class="field__hint">{t('complaints.cell.intake.place_hint')}</p>
            {state.errors.location && <p class="field__error">{errorText(ctx, state.errors.location)}</p>}
            <SelectField
              ctx={ctx}
              state={state}
              name="location.neighbourhoodId"
              label={t('complaints.cell.field.neighbourhood')}
              options={choices.neighbourhoods.map((n) => ({ value: String(n.id), label: nameIn(ctx, n.name) }))}
            />
            <TextField ctx={ctx} state={state} name="location.address" label={t('complaints.cell.field.address')} maxLength={300} />
          </fieldset>
          <fieldset class="field fieldset">
            <legend class="field__label">{t('complaints.cell.intake.contact')}</legend>
            <p class="field__hint">{t('complaints.cell.intake.contact_hint')}</p>
            <TextField ctx={ctx} state={state} name="contact.name" label={t('complaints.cell.field.contact_name')} maxLength={80} autocomplete="off" />
            <TextField ctx={ctx} state={state} name="contact.phone" label={t('complaints.cell.field.contact_phone')} type="tel" inputMode="tel" dir="ltr" maxLength={30} autocomplete="off" />
            <TextField ctx={ctx} state={state} name="contact.email" label={t('complaints.cell.field.contact_email')} type="email" inputMode="email" dir="ltr" maxLength={254} autocomplete="off" />
          </fieldset>
          <SubmitButton>{t('complaints.cell.intake.submit')}</SubmitButton>
        </Form>
      )}
    </AdminPage>
  );
}

function QuestionField(props: { ctx: ViewContext; state: FormState; question: CategoryQuestion }) {
  const { ctx, state, question } = props;
  const name = `answers.${question.code}`;
  const label = nameIn(ctx, question.label);
  const options = question.options.map((o) => ({ value: o.value, label: nameIn(ctx, o.label) }));
  switch (question.kind) {
    case 'single':
      return <RadioGroup ctx={ctx} state={state} name={name} label={label} options={options} required={question.required} />;
    case 'multiple': {
      const error = errorText(ctx, state.errors[name]);
      const raw = state.values[name];
      const chosen = Array.isArray(raw) ? raw : raw ? [raw] : [];
      return (
        <fieldset class={error ? 'field fieldset field--error' : 'field fieldset'} id={`field-${name}`}>
          <legend class="field__label">
            {label}
            {!question.required && <span class="field__optional"> {ctx.t('form.optional')}</span>}
          </legend>
          {error && <p class="field__error">{error}</p>}
          {options.map((o) => (
            <div class="choice">
              <input type="checkbox" id={`field-${name}-${o.value}`} name={name} value={o.value} checked={chosen.includes(o.value)} />
              <label for={`field-${name}-${o.value}`}>{o.label}</label>
            </div>
          ))}
        </fieldset>
      );
    }
    case 'number':
      return <TextField ctx={ctx} state={state} name={name} label={label} inputMode="numeric" dir="ltr" maxLength={20} required={question.required} />;
    case 'date':
      return <TextField ctx={ctx} state={state} name={name} label={label} type="date" dir="ltr" required={question.required} />;
    default:
      return <TextField ctx={ctx} state={state} name={name} label={label} maxLength={500} required={question.required} />;
  }
}

export function ReceiptPage(props: { frame: AdminFrame; model: { receipt: FilingReceipt; followUrl: string } }) {
  const { ctx } = props.frame;
  const { t } = ctx;
  const { receipt } = props.model;
  return (
    <AdminPage frame={props.frame} title={t('complaints.cell.receipt.title')} back={{ path: '/admin/complaints', label: t('complaints.cell.back_to_inbox') }}>
      <div class="cell-receipt">
        <p>{t('complaints.cell.receipt.give_number')}</p>
        <p class="cell-receipt__number">
          <Tracking value={receipt.trackingNumber} />
        </p>
        <dl>
          <dt>{t('complaints.cell.field.category')}</dt>
          <dd>
            <bdi>{nameIn(ctx, receipt.category)}</bdi>
          </dd>
          <dt>{t('complaints.cell.field.channel')}</dt>
          <dd>{t(`complaints.channel.${receipt.channel}`)}</dd>
          <dt>{t('complaints.cell.field.filed')}</dt>
          <dd>
            <DateTime ctx={ctx} iso={receipt.createdAt} />
          </dd>
          <dt>{t('complaints.cell.receipt.follow')}</dt>
          <dd>
            <bdi dir="ltr" class="mono">
              {props.model.followUrl}
            </bdi>
          </dd>
        </dl>
      </div>
      <p class="actions">
        <a class="button" href={href(ctx, '/admin/complaints/new')}>
          {t('complaints.cell.receipt.another')}
        </a>
        {receipt.mayOpen && <a href={href(ctx, `/admin/complaints/${receipt.complaintId}`)}>{t('complaints.cell.receipt.open')}</a>}
      </p>
    </AdminPage>
  );
}
