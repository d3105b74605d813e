// Small charts drawn on the server as SVG: no script, no library, nothing to download. Each
// chart is a picture of a data table printed next to it (the table is what screen readers and
// spreadsheets use), so the SVG is one image with a title, not a second copy of the numbers.
//
// Sizes are in percentages across and pixels down: the bars stretch with the phone or the
// screen while the text keeps its size. Horizontal bars mirror for right-to-left pages (the
// labels start on the right); time always runs left to right, as in Tunisian official
// statistics, in Arabic as in French.
import type { ComponentChildren } from 'preact';

export type BarItem = {
  label: string;
  /** null: nothing to draw (hidden or not applicable); `display` says why. */
  value: number | null;
  /** The value as the page writes it: "1 234", "85 %", "*". */
  display: string;
};

const pct = (value: number) => `${Math.max(0, Math.min(100, value)).toFixed(2)}%`;

/** 1, 2 or 5 times a power of ten, at least `value`: round numbers for the top of a scale. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function Frame(props: { title: string; height: number; dir: 'ltr' | 'rtl'; class: string; children: ComponentChildren }) {
  return (
    <svg
      class={`chart ${props.class}`}
      role="img"
      aria-label={props.title}
      width="100%"
      height={props.height}
      direction={props.dir}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{props.title}</title>
      {props.children}
    </svg>
  );
}

const ROW = 46;

/**
 * One bar per item, the label above its bar and the value at the line's far end. `max` fixes
 * the scale (1 for shares); by default the largest value fills the width.
 */
export function BarChart(props: { title: string; items: BarItem[]; dir: 'ltr' | 'rtl'; max?: number }) {
  const values = props.items.map((i) => i.value ?? 0);
  const max = props.max ?? Math.max(1, ...values);
  const rtl = props.dir === 'rtl';
  return (
    <Frame title={props.title} height={props.items.length * ROW + 4} dir={props.dir} class="chart--bars">
      {props.items.map((item, i) => {
        const top = i * ROW;
        const width = item.value !== null ? (item.value / max) * 100 : 0;
        return (
          <g>
            <text class="chart__label" x={rtl ? '100%' : '0'} y={top + 17} text-anchor="start">
              {item.label}
            </text>
            <text class="chart__value" x={rtl ? '0' : '100%'} y={top + 17} text-anchor="end">
              {item.display}
            </text>
            <rect class="chart__track" x="0" y={top + 24} width="100%" height="14" rx="2" />
            {width > 0 && <rect class="chart__bar" x={rtl ? pct(100 - width) : '0'} y={top + 24} width={pct(width)} height="14" rx="2" />}
          </g>
        );
      })}
    </Frame>
  );
}

export type ColumnItem = {
  /** Under the column: short ("03"); `group` marks where a new year starts. */
  label: string;
  group?: string;
  value: number;
};

const COLUMN_CHART_HEIGHT = 190;
const PLOT_TOP = 14;
const PLOT_BOTTOM = 150;

/** Columns over time (months), left to right, with three round scale lines. */
export function ColumnChart(props: { title: string; items: ColumnItem[]; formatNumber: (n: number) => string }) {
  const max = niceMax(Math.max(0, ...props.items.map((i) => i.value)));
  const count = Math.max(props.items.length, 1);
  const slot = 100 / count;
  // A label per column up to 12 columns; beyond that every second or third, so they never touch.
  const every = Math.ceil(count / 12);
  const y = (value: number) => PLOT_BOTTOM - (value / max) * (PLOT_BOTTOM - PLOT_TOP);
  return (
    <Frame title={props.title} height={COLUMN_CHART_HEIGHT} dir="ltr" class="chart--columns">
      {[0, 0.5, 1].map((fraction) => (
        <g>
          <line class="chart__grid" x1="0" x2="100%" y1={y(max * fraction)} y2={y(max * fraction)} />
          {fraction > 0 && (
            <text class="chart__scale" x="0" y={y(max * fraction) - 3} text-anchor="start">
              {props.formatNumber(max * fraction)}
            </text>
          )}
        </g>
      ))}
      {props.items.map((item, i) => {
        const height = PLOT_BOTTOM - y(item.value);
        return (
          <g>
            {height > 0 && <rect class="chart__bar" x={pct(i * slot + slot * 0.15)} y={y(item.value)} width={pct(slot * 0.7)} height={height} />}
            {i % every === 0 && (
              <text class="chart__tick" x={pct(i * slot + slot / 2)} y={PLOT_BOTTOM + 16} text-anchor="middle">
                {item.label}
              </text>
            )}
            {item.group && (
              <text class="chart__tick chart__tick--group" x={pct(i * slot + slot / 2)} y={PLOT_BOTTOM + 34} text-anchor="middle">
                {item.group}
              </text>
            )}
          </g>
        );
      })}
    </Frame>
  );
}
