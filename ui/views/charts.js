// Charts drawn as SVG, without a library: a stacked bar chart over time with its legend. Every
// text (axis labels, titles, legend) goes in as a text node, so a token name from a server can
// never become markup. Colours come from classes (series-1..series-8 in styles.css), not
// inline styles, which the strict CSP refuses.

import { h } from '../dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = 8;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v != null) el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A round number at or above `max` for the axis, and its step (1, 2 or 5 times a power of 10). */
export function niceScale(max, ticks = 4) {
  if (!(max > 0)) return { top: 1, step: 1 };
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((st) => st >= raw);
  return { top: Math.ceil(max / step) * step, step };
}

/**
 * A stacked bar chart. periods: [{label, title}] in time order; series: [{label, values}]
 * (values per period; the first series sits at the bottom); format(n): a value as text;
 * caption: what the chart shows (for screen readers). Returns a <figure>: .chart-svg with one
 * g.chart-series[data-series] per series (a rect per non-zero value, with a <title>), and the
 * legend ul.chart-legend with li[data-series].
 */
export function stackedBarChart({ id, periods, series, format = String, caption = '' }) {
  const width = 760;
  const height = 260;
  const m = { top: 12, right: 12, bottom: 40, left: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const n = Math.max(periods.length, 1);
  const stacks = periods.map((_, i) => series.reduce((sum, se) => sum + (se.values[i] || 0), 0));
  const { top, step } = niceScale(Math.max(0, ...stacks));
  const y = (v) => m.top + plotH - (v / top) * plotH;
  const band = plotW / n;
  const barW = Math.max(1, Math.min(48, band * 0.72));

  const svg = s('svg', {
    class: 'chart-svg', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': caption, preserveAspectRatio: 'xMidYMid meet',
    'data-series-count': series.length, 'data-period-count': periods.length,
  });
  const grid = s('g', { class: 'chart-grid' });
  for (let v = 0; v <= top + step / 2; v += step) {
    grid.append(
      s('line', { x1: m.left, x2: width - m.right, y1: y(v), y2: y(v) }),
      s('text', { x: m.left - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'chart-tick' }, format(v)));
  }
  svg.append(grid);

  // Label every k-th period so labels never overlap (about 70 px each).
  const every = Math.max(1, Math.ceil(periods.length / Math.max(1, Math.floor(plotW / 70))));
  const axis = s('g', { class: 'chart-axis' });
  periods.forEach((p, i) => {
    if (i % every !== 0) return;
    axis.append(s('text', {
      x: m.left + band * i + band / 2, y: height - m.bottom + 18, 'text-anchor': 'middle', class: 'chart-tick',
    }, p.label));
  });
  svg.append(axis, s('line', { class: 'chart-baseline', x1: m.left, x2: width - m.right, y1: y(0), y2: y(0) }));

  const base = periods.map(() => 0);
  series.forEach((se, k) => {
    const g = s('g', { class: `chart-series series-${(k % COLOURS) + 1}`, 'data-series': se.label });
    se.values.forEach((v, i) => {
      if (!v) return;
      const y0 = y(base[i]);
      const y1 = y(base[i] + v);
      base[i] += v;
      g.append(s('rect', {
        x: m.left + band * i + (band - barW) / 2, y: y1, width: barW, height: Math.max(0.5, y0 - y1),
      }, s('title', {}, `${periods[i].title}: ${se.label} ${format(v)}`)));
    });
    svg.append(g);
  });

  const legend = h('ul', { class: 'chart-legend' }, series.map((se, k) => h('li', { dataset: { series: se.label } },
    h('span', { class: `chart-swatch series-${(k % COLOURS) + 1}`, 'aria-hidden': 'true' }),
    h('span', { class: 'chart-legend-label' }, se.label),
    h('span', { class: 'chart-legend-value muted' }, format(se.total ?? se.values.reduce((a, b) => a + b, 0))))));

  return h('figure', { id, class: 'chart' }, svg, legend);
}
