// The public pages of complaints: the list, the map (a list by neighbourhood without
// JavaScript or map tiles) and the statistics. Views take plain view-models and never query.
// Nothing here can show personal data: the view-models carry none (public-list.service.ts).
import type { ComponentChildren } from 'preact';
import type { Locale } from '../../config.ts';
import { localName } from '../../i18n/i18n.ts';
import { Layout } from '../../ui/layout.tsx';
import { href, type ViewContext } from '../../ui/view-context.ts';
import type { TrilingualName } from '../municipalities/municipalities.service.ts';
import { BarChart, type BarItem, ColumnChart } from './charts.tsx';
import { complaintFollowPath, type ComplaintStatus } from './complaints.ts';
import { type NeighbourhoodGroup, type PublicComplaintSummary, type PublicListFilters, type PublicReference, STATUS_FILTERS } from './public-list.service.ts';
import {
  cellKind,
  type ColumnKind,
  type GroupStatistics,
  type StatisticsReport,
  type StatisticsTable,
  type StatisticsTableName,
  SUPPRESSED,
  type TableCell,
} from './statistics.service.ts';

const INTL_LOCALE: Record<Locale, string> = { ar: 'ar-TN-u-nu-latn', fr: 'fr-TN', en: 'en-GB' };

const nameIn = (ctx: ViewContext, name: TrilingualName) => localName({ name_ar: name.ar, name_fr: name.fr, name_en: name.en }, ctx.locale);

/** "?category=3&status=open" from the filters that are set, plus `extra`. */
export function filterQuery(filters: PublicListFilters, extra: Record<string, string | null | undefined> = {}): string {
  const search = new URLSearchParams();
  const values: Record<string, string | number | undefined | null> = {
    category: filters.category,
    status: filters.status,
    neighbourhood: filters.neighbourhood,
    from: filters.from,
    to: filters.to,
    ...extra,
  };
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

// ---------------------------------------------------------------------------------------------
// Pieces shared by the three pages

type Section = 'list' | 'map' | 'statistics';

function PublicNav(props: { ctx: ViewContext; current: Section; filters?: PublicListFilters }) {
  const { ctx } = props;
  const query = props.filters ? filterQuery(props.filters) : '';
  const links: { section: Section; path: string }[] = [
    { section: 'list', path: `/complaints/list${query}` },
    { section: 'map', path: `/complaints/map${query}` },
    { section: 'statistics', path: '/complaints/statistics' },
  ];
  return (
    <nav class="public-nav" aria-label={ctx.t('complaints.public.nav.label')}>
      <ul>
        {links.map((link) => (
          <li>
            <a href={href(ctx, link.path)} aria-current={link.section === props.current ? 'page' : undefined}>
              {ctx.t(`complaints.public.nav.${link.section}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Select(props: { name: string; label: string; value: string | undefined; anyLabel: string; options: { value: string; label: string }[] }) {
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

function DateInput(props: { name: string; label: string; value: string | undefined }) {
  return (
    <div class="field">
      <label for={`filter-${props.name}`} class="field__label">
        {props.label}
      </label>
      <input class="field__input" type="date" id={`filter-${props.name}`} name={props.name} value={props.value ?? ''} dir="ltr" />
    </div>
  );
}

/** Whether any filter is set (the filters then show opened). */
function isFiltered(filters: PublicListFilters): boolean {
  return Object.values(filters).some((v) => v !== undefined);
}

function PeriodInputs(props: { ctx: ViewContext; from: string | undefined; to: string | undefined }) {
  const { t } = props.ctx;
  return (
    <div class="public-filters__period">
      <DateInput name="from" label={t('complaints.public.filter.from')} value={props.from} />
      <DateInput name="to" label={t('complaints.public.filter.to')} value={props.to} />
    </div>
  );
}

/**
 * The filters as a plain GET form: works without JavaScript, and the URL can be shared. Folded
 * (a <details>, no script needed) until a filter is set, so that on a phone the complaints come
 * first.
 */
function FilterForm(props: { ctx: ViewContext; action: string; filters: PublicListFilters; reference: PublicReference }) {
  const { ctx, filters, reference } = props;
  const { t } = ctx;
  return (
    <details class="public-filters" open={isFiltered(filters)}>
      <summary class="public-filters__summary">{t('complaints.public.filter.label')}</summary>
      <form method="get" action={href(ctx, props.action)} class="filters" aria-label={t('complaints.public.filter.label')}>
        <Select
          name="category"
          label={t('complaints.public.filter.category')}
          anyLabel={t('complaints.public.filter.any_category')}
          value={filters.category !== undefined ? String(filters.category) : undefined}
          options={reference.categories.map((c) => ({ value: String(c.id), label: nameIn(ctx, c.name) }))}
        />
        <Select
          name="status"
          label={t('complaints.public.filter.status')}
          anyLabel={t('complaints.public.filter.any_status')}
          value={filters.status}
          options={STATUS_FILTERS.map((s) => ({
            value: s,
            label: s === 'open' || s === 'finished' ? t(`complaints.public.filter.status_${s}`) : t(`complaints.status.${s}`),
          }))}
        />
        <Select
          name="neighbourhood"
          label={t('complaints.public.filter.neighbourhood')}
          anyLabel={t('complaints.public.filter.any_neighbourhood')}
          value={filters.neighbourhood !== undefined ? String(filters.neighbourhood) : undefined}
          options={[
            ...reference.neighbourhoods.map((n) => ({ value: String(n.id), label: nameIn(ctx, n.name) })),
            { value: 'none', label: t('complaints.public.no_neighbourhood') },
          ]}
        />
        <PeriodInputs ctx={ctx} from={filters.from} to={filters.to} />
        <div class="field public-filters__actions">
          <button type="submit" class="button">
            {t('complaints.public.filter.apply')}
          </button>
          <a href={href(ctx, props.action)}>{t('complaints.public.filter.clear')}</a>
        </div>
      </form>
    </details>
  );
}

function StatusBadge(props: { ctx: ViewContext; status: ComplaintStatus }) {
  return <span class={`status-badge status-badge--${props.status}`}>{props.ctx.t(`complaints.status.${props.status}`)}</span>;
}

function ComplaintItem(props: { ctx: ViewContext; item: PublicComplaintSummary; hideNeighbourhood?: boolean }) {
  const { ctx, item } = props;
  const { t } = ctx;
  return (
    <li class="public-complaint">
      <p class="public-complaint__head">
        <a class="public-complaint__number tracking-number" href={complaintFollowPath(ctx.locale, item.trackingNumber)} dir="ltr">
          {item.trackingNumber}
        </a>
        <StatusBadge ctx={ctx} status={item.status} />
      </p>
      <p class="public-complaint__category">{item.category ? <bdi>{nameIn(ctx, item.category.name)}</bdi> : t('complaints.public.unknown_category')}</p>
      <p class="public-complaint__meta">
        {!props.hideNeighbourhood && <span>{item.neighbourhood ? <bdi>{nameIn(ctx, item.neighbourhood.name)}</bdi> : t('complaints.public.no_neighbourhood')}</span>}
        <span>
          <time datetime={item.createdAt}>{ctx.format.formatDate(item.createdAt)}</time>
        </span>
        <span>{t('complaints.public.followers', { count: item.followerCount })}</span>
      </p>
    </li>
  );
}

// ---------------------------------------------------------------------------------------------
// The list

export type PublicListModel = {
  filters: PublicListFilters;
  reference: PublicReference;
  items: PublicComplaintSummary[];
  olderHref: string | null;
  newerHref: string | null;
  /** True when the page was reached through an "older" or "newer" link. */
  paged: boolean;
};

export function PublicListPage(props: { ctx: ViewContext; model: PublicListModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const filtered = isFiltered(model.filters);
  return (
    <Layout ctx={ctx} title={t('complaints.public.list.title')} wide>
      <h1>{t('complaints.public.list.title')}</h1>
      <PublicNav ctx={ctx} current="list" filters={model.filters} />
      <p class="lead">{t('complaints.public.list.intro')}</p>
      <FilterForm ctx={ctx} action="/complaints/list" filters={model.filters} reference={model.reference} />
      {model.items.length === 0 ? (
        <p class="panel" role="status">
          {filtered ? t('complaints.public.list.none_filtered') : t('complaints.public.list.none')}
        </p>
      ) : (
        <ol class="public-complaints" aria-label={t('complaints.public.list.results')}>
          {model.items.map((item) => (
            <ComplaintItem ctx={ctx} item={item} />
          ))}
        </ol>
      )}
      {(model.newerHref || model.olderHref) && (
        <nav class="pager" aria-label={t('complaints.public.list.pages')}>
          {model.newerHref ? (
            <a href={model.newerHref} rel="prev">
              {t('complaints.public.list.newer')}
            </a>
          ) : (
            <span />
          )}
          {model.olderHref && (
            <a href={model.olderHref} rel="next">
              {t('complaints.public.list.older')}
            </a>
          )}
        </nav>
      )}
      {model.paged && (
        <p>
          <a href={href(ctx, `/complaints/list${filterQuery(model.filters)}`)}>{t('complaints.public.list.first_page')}</a>
        </p>
      )}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// The map

export type PublicMapModel = {
  filters: PublicListFilters;
  reference: PublicReference;
  groups: NeighbourhoodGroup[];
  total: number;
  /** Set when map tiles are configured: the script draws the map from `geojsonUrl`. */
  map: { tileUrl: string; attribution: string; lat: number; lng: number; zoom: number; geojsonUrl: string; script: string; leafletJs: string; leafletCss: string } | null;
};

export function PublicMapPage(props: { ctx: ViewContext; model: PublicMapModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('complaints.public.map.title')} wide>
      <h1>{t('complaints.public.map.title')}</h1>
      <PublicNav ctx={ctx} current="map" filters={model.filters} />
      <p class="lead">{t('complaints.public.map.intro')}</p>
      <FilterForm ctx={ctx} action="/complaints/map" filters={model.filters} reference={model.reference} />
      {model.map && (
        <>
          <div
            id="complaints-map"
            class="complaints-map"
            hidden
            data-geojson={model.map.geojsonUrl}
            data-tiles={model.map.tileUrl}
            data-attribution={model.map.attribution}
            data-lat={String(model.map.lat)}
            data-lng={String(model.map.lng)}
            data-zoom={String(model.map.zoom)}
            data-leaflet-js={model.map.leafletJs}
            data-leaflet-css={model.map.leafletCss}
            data-label={t('complaints.public.map.label')}
            data-approximate={t('complaints.public.map.approximate')}
            data-truncated={t('complaints.public.map.truncated')}
          />
          {/* Shown by the script with the map; without it there is no map to explain. */}
          <p class="muted" id="complaints-map-note" hidden>
            {t('complaints.public.map.sensitive_note')}
          </p>
          <script src={model.map.script} defer />
        </>
      )}
      <p role="status">{t('complaints.public.map.total', { count: model.total })}</p>
      {model.groups.map((group) => {
        const name = group.neighbourhood ? nameIn(ctx, group.neighbourhood.name) : t('complaints.public.no_neighbourhood');
        const headingId = `neighbourhood-${group.neighbourhood?.id ?? 'none'}`;
        const listHref = href(ctx, `/complaints/list${filterQuery({ ...model.filters, neighbourhood: group.neighbourhood?.id ?? 'none' })}`);
        return (
          <section class="neighbourhood-group" aria-labelledby={headingId}>
            <h2 id={headingId}>
              <bdi>{name}</bdi> <span class="neighbourhood-group__count">({ctx.format.formatNumber(group.count)})</span>
            </h2>
            <ul class="public-complaints">
              {group.items.map((item) => (
                <ComplaintItem ctx={ctx} item={item} hideNeighbourhood />
              ))}
            </ul>
            {group.count > group.items.length && (
              <p>
                <a href={listHref}>{t('complaints.public.map.see_all', { count: group.count, name })}</a>
              </p>
            )}
          </section>
        );
      })}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------------
// Statistics

export type PublicStatisticsModel = {
  report: StatisticsReport;
  tables: Record<StatisticsTableName, StatisticsTable>;
  /** The period form's values as asked (empty: the default). */
  asked: { from?: string; to?: string };
};

function numberFormats(ctx: ViewContext) {
  const intl = INTL_LOCALE[ctx.locale];
  const month = new Intl.DateTimeFormat(intl, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return {
    count: (n: number) => ctx.format.formatNumber(n),
    percent: (n: number) => ctx.format.formatNumber(n, { style: 'percent', maximumFractionDigits: 0 }),
    days: (n: number) => ctx.t('complaints.public.stats.days', { days: Math.round(n * 10) / 10 }),
    rating: (n: number) => ctx.format.formatNumber(n, { maximumFractionDigits: 1, minimumFractionDigits: 1 }),
    month: (key: string) => month.format(new Date(`${key}-01T00:00:00Z`)),
  };
}

function formatCell(ctx: ViewContext, value: TableCell, kind: ColumnKind): string {
  if (value === SUPPRESSED) return '*';
  if (value === null) return '—';
  const f = numberFormats(ctx);
  if (typeof value === 'string') return kind === 'month' ? f.month(value) : value;
  switch (kind) {
    case 'percent':
      return f.percent(value);
    case 'days':
      return f.days(value);
    case 'rating':
      return f.rating(value);
    default:
      return f.count(value);
  }
}

function DataTable(props: { ctx: ViewContext; table: StatisticsTable; caption: string }) {
  const { ctx, table } = props;
  return (
    // Wide tables scroll sideways on a phone: the region takes keyboard focus so it can be scrolled without a mouse.
    <div class="table-wrap" role="region" aria-label={props.caption} tabIndex={0}>
      <table class="stats-table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th scope="col">{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr>
              {row.map((value, c) =>
                c === 0 ? (
                  <th scope="row">
                    <bdi>{formatCell(ctx, value, cellKind(table, r, c))}</bdi>
                  </th>
                ) : (
                  <td class="num">
                    {value === SUPPRESSED ? (
                      <abbr title={ctx.t('complaints.public.stats.suppressed_title')}>*</abbr>
                    ) : (
                      formatCell(ctx, value, cellKind(table, r, c))
                    )}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function csvHref(ctx: ViewContext, name: StatisticsTableName, asked: PublicStatisticsModel['asked']): string {
  return href(ctx, `/complaints/statistics/${name}.csv${filterQuery({ from: asked.from, to: asked.to })}`);
}

/** A figure: heading, chart, its table, and the CSV download. */
function Figure(props: { ctx: ViewContext; id: StatisticsTableName; title: string; chart: ComponentChildren; table: StatisticsTable; asked: PublicStatisticsModel['asked']; note?: string }) {
  const { ctx } = props;
  return (
    <section class="stats-figure" aria-labelledby={`figure-${props.id}`}>
      <h2 id={`figure-${props.id}`}>{props.title}</h2>
      {props.note && <p class="muted">{props.note}</p>}
      <figure class="stats-figure__chart">{props.chart}</figure>
      <DataTable ctx={ctx} table={props.table} caption={props.title} />
      <p class="stats-figure__download">
        <a href={csvHref(ctx, props.id, props.asked)} download={`complaints-${props.id}.csv`}>
          {ctx.t('complaints.public.stats.download_csv', { table: props.title })}
        </a>
      </p>
    </section>
  );
}

function KeyFigure(props: { label: string; value: string; detail?: string }) {
  return (
    <li class="key-figure">
      <span class="key-figure__value">{props.value}</span>
      <span class="key-figure__label">{props.label}</span>
      {props.detail && <span class="key-figure__detail">{props.detail}</span>}
    </li>
  );
}

function barItems(ctx: ViewContext, table: StatisticsTable, column = 1): BarItem[] {
  return table.rows.map((row, r) => {
    const value = row[column] ?? null;
    return {
      label: formatCell(ctx, row[0] ?? null, table.columns[0]!.kind),
      value: typeof value === 'number' ? value : null,
      display: formatCell(ctx, value, cellKind(table, r, column)),
    };
  });
}

function groupNote(ctx: ViewContext, groups: GroupStatistics[]): string | undefined {
  return groups.some((g) => g.complaints === SUPPRESSED) ? ctx.t('complaints.public.stats.some_hidden') : undefined;
}

export function PublicStatisticsPage(props: { ctx: ViewContext; model: PublicStatisticsModel }) {
  const { ctx, model } = props;
  const { t } = ctx;
  const { report, tables, asked } = model;
  const f = numberFormats(ctx);
  const total = report.totals;
  const within = total.due > 0 ? total.within / total.due : null;
  const satisfaction = total.rated > 0 ? total.rating_sum / total.rated : null;
  const stat = (key: string) => t(`complaints.public.stats.${key}`);
  // The year under January, and under the first month unless a January comes right after.
  const firstJanuary = report.byMonth.findIndex((m) => m.month.endsWith('-01'));
  const monthItems = report.byMonth.map((m, i) => ({
    label: m.month.slice(5, 7),
    group: m.month.endsWith('-01') || (i === 0 && (firstJanuary === -1 || firstJanuary > 2)) ? m.month.slice(0, 4) : undefined,
    value: m.counts.total,
  }));
  return (
    <Layout ctx={ctx} title={stat('title')} wide>
      <h1>{stat('title')}</h1>
      <PublicNav ctx={ctx} current="statistics" />
      <p class="lead">
        {t('complaints.public.stats.period', { from: ctx.format.formatDate(`${report.period.from}T12:00:00Z`), to: ctx.format.formatDate(`${report.period.to}T12:00:00Z`) })}
      </p>
      <form method="get" action={href(ctx, '/complaints/statistics')} class="filters public-filters" aria-label={stat('period_label')}>
        <PeriodInputs ctx={ctx} from={asked.from ?? report.period.from} to={asked.to ?? report.period.to} />
        <div class="field public-filters__actions">
          <button type="submit" class="button">
            {t('complaints.public.filter.apply')}
          </button>
          <a href={href(ctx, '/complaints/statistics')}>{stat('default_period')}</a>
        </div>
      </form>

      <section aria-labelledby="key-figures">
        <h2 id="key-figures">{stat('key_figures')}</h2>
        <ul class="key-figures">
          <KeyFigure label={stat('summary.received')} value={f.count(total.total)} detail={t('complaints.public.stats.forwarded_detail', { count: total.forwarded })} />
          <KeyFigure label={stat('summary.within_deadline')} value={within !== null ? f.percent(within) : '—'} detail={t('complaints.public.stats.within_detail', { count: total.due })} />
          <KeyFigure label={stat('summary.median_first_response')} value={report.firstResponse ? f.days(report.firstResponse.median) : '—'} detail={report.firstResponse ? t('complaints.public.stats.mean_detail', { days: Math.round(report.firstResponse.mean * 10) / 10 }) : undefined} />
          <KeyFigure label={stat('summary.median_final_answer')} value={report.finalAnswer ? f.days(report.finalAnswer.median) : '—'} detail={report.finalAnswer ? t('complaints.public.stats.mean_detail', { days: Math.round(report.finalAnswer.mean * 10) / 10 }) : undefined} />
          <KeyFigure label={stat('summary.satisfaction_mean')} value={satisfaction !== null ? f.rating(satisfaction) : '—'} detail={t('complaints.public.stats.answers_detail', { count: total.rated })} />
        </ul>
        <DataTable ctx={ctx} table={tables.summary} caption={stat('key_figures')} />
        <p class="stats-figure__download">
          <a href={csvHref(ctx, 'summary', asked)} download="complaints-summary.csv">
            {t('complaints.public.stats.download_csv', { table: stat('key_figures') })}
          </a>
        </p>
      </section>

      <Figure ctx={ctx} id="months" title={stat('figure.months')} table={tables.months} asked={asked} chart={<ColumnChart title={stat('figure.months')} items={monthItems} formatNumber={f.count} />} />
      <Figure ctx={ctx} id="status" title={stat('figure.status')} table={tables.status} asked={asked} chart={<BarChart title={stat('figure.status')} dir={ctx.dir} items={barItems(ctx, tables.status)} />} />
      <Figure ctx={ctx} id="categories" title={stat('figure.categories')} table={tables.categories} asked={asked} chart={<BarChart title={stat('figure.categories')} dir={ctx.dir} items={barItems(ctx, tables.categories)} />} />
      <Figure ctx={ctx} id="neighbourhoods" title={stat('figure.neighbourhoods')} table={tables.neighbourhoods} asked={asked} chart={<BarChart title={stat('figure.neighbourhoods')} dir={ctx.dir} items={barItems(ctx, tables.neighbourhoods)} />} />
      <Figure ctx={ctx} id="channels" title={stat('figure.channels')} table={tables.channels} asked={asked} chart={<BarChart title={stat('figure.channels')} dir={ctx.dir} items={barItems(ctx, tables.channels)} />} />
      <Figure
        ctx={ctx}
        id="satisfaction"
        title={stat('figure.satisfaction')}
        note={t('complaints.public.stats.satisfaction_note', { count: total.feedback, resolved: total.feedback_resolved })}
        table={tables.satisfaction}
        asked={asked}
        chart={<BarChart title={stat('figure.satisfaction')} dir={ctx.dir} items={barItems(ctx, tables.satisfaction)} />}
      />
      <p class="panel">{t('complaints.public.stats.groups_intro', { threshold: report.threshold })}</p>
      <Figure ctx={ctx} id="gender" title={stat('figure.gender')} note={groupNote(ctx, report.byGender)} table={tables.gender} asked={asked} chart={<BarChart title={stat('figure.gender')} dir={ctx.dir} items={barItems(ctx, tables.gender)} />} />
      <Figure ctx={ctx} id="age" title={stat('figure.age')} note={groupNote(ctx, report.byAgeGroup)} table={tables.age} asked={asked} chart={<BarChart title={stat('figure.age')} dir={ctx.dir} items={barItems(ctx, tables.age)} />} />

      <section aria-labelledby="stats-notes" class="stats-notes">
        <h2 id="stats-notes">{stat('notes.title')}</h2>
        <ul class="plain-list">
          <li>{stat('notes.forwarded')}</li>
          <li>{stat('notes.first_response')}</li>
          <li>{stat('notes.final_answer')}</li>
          <li>{stat('notes.within_deadline')}</li>
          <li>{stat('notes.satisfaction')}</li>
          <li>{t('complaints.public.stats.notes.suppression', { threshold: report.threshold })}</li>
          <li>{t('complaints.public.stats.notes.generated', { at: ctx.format.formatDateTime(report.generatedAt) })}</li>
        </ul>
      </section>
    </Layout>
  );
}
