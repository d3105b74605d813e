// Turnout charts of the results pages: horizontal bars drawn on the server as SVG, each followed
// by its data table (the table is what screen readers and spreadsheets use; the SVG is one
// image with a title). Bars start from the reading side: the right in Arabic, the left in
// French and English; text anchors follow the SVG's `direction`, so "start" is the reading side. Widths are percentages, so the chart stretches with the screen.
import type { ViewContext } from '../../ui/view-context.ts';

export type TurnoutBar = { label: string; count: number };

const ROW = 44;

const pct = (value: number) => `${Math.max(0, Math.min(100, value)).toFixed(2)}%`;

export function TurnoutChart(props: { ctx: ViewContext; id: string; title: string; bars: TurnoutBar[] }) {
  const { ctx, bars } = props;
  const rtl = ctx.dir === 'rtl';
  const max = Math.max(1, ...bars.map((b) => b.count));
  return (
    <svg class="chart chart--bars" role="img" aria-labelledby={`${props.id}-title`} width="100%" height={bars.length * ROW + 4} direction={ctx.dir} xmlns="http://www.w3.org/2000/svg">
      <title id={`${props.id}-title`}>{props.title}</title>
      {bars.map((bar, i) => {
        const top = i * ROW;
        const width = (bar.count / max) * 100;
        return (
          <g>
            <text class="chart__label" x={rtl ? '100%' : '0'} y={top + 16} text-anchor="start">
              {bar.label}
            </text>
            <text class="chart__value" x={rtl ? '0' : '100%'} y={top + 16} text-anchor="end">
              {ctx.format.formatNumber(bar.count)}
            </text>
            <rect class="chart__track" x="0" y={top + 22} width="100%" height="14" rx="2" />
            {width > 0 && <rect class="chart__bar" x={rtl ? pct(100 - width) : '0'} y={top + 22} width={pct(width)} height="14" rx="2" />}
          </g>
        );
      })}
    </svg>
  );
}

/** A turnout figure: heading, chart, and its table with counts and shares. */
export function TurnoutFigure(props: { ctx: ViewContext; id: string; title: string; bars: TurnoutBar[]; total: number }) {
  const { ctx, bars, total } = props;
  const { t } = ctx;
  return (
    <section class="stats-figure" aria-labelledby={props.id}>
      <h3 id={props.id}>{props.title}</h3>
      <figure class="stats-figure__chart">
        <TurnoutChart ctx={ctx} id={`${props.id}-chart`} title={props.title} bars={bars} />
      </figure>
      <div class="table-wrap" role="region" aria-label={props.title} tabIndex={0}>
        <table class="stats-table">
          <caption class="visually-hidden">{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('budget.results.col.group')}</th>
              <th scope="col">{t('budget.results.col.voters')}</th>
              <th scope="col">{t('budget.results.col.share')}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar) => (
              <tr>
                <th scope="row">
                  <bdi>{bar.label}</bdi>
                </th>
                <td class="num">{ctx.format.formatNumber(bar.count)}</td>
                <td class="num">{total > 0 ? ctx.format.formatNumber(bar.count / total, { style: 'percent', maximumFractionDigits: 1 }) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
