// The Usage tab: a date range (presets or custom days), a view and a split; the summary figures
// (the server's, or computed from the usage rows and saying so); a stacked bar chart over time
// with one series per split value; the rows as a table; Export CSV of exactly those rows.
// Reads the cache first, then fetches the range when it is missing or stale.
//
// Ids: #usage-panel (data-state loading|ready|empty|waiting|local|error; data-from, data-to
// (exclusive), data-view, data-split, data-key: the query shown), #usage-as-of,
// #usage-live (offline / problem note), #usage-range (radiogroup) with buttons
// #usage-range-<preset> (last_12_months, this_month, last_month, last_90_days, this_year,
// custom; aria-checked), #usage-custom with #usage-from, #usage-to, #usage-apply and
// #usage-range-error; #usage-view and #usage-split (selects); #usage-export; #usage-range-text;
// #usage-summary with .figure[data-figure=hours|units|sessions|finished|error_rate]
// (.figure-value), #usage-summary-note (data-source server|computed); #usage-chart (see
// charts.js); #usage-table (th[data-key], tbody tr > td[data-value]); #usage-state.

import { h } from '../../dom.js';
import * as api from '../../api.js';
import { toast } from '../dialog.js';
import { stackedBarChart } from '../charts.js';
import { asOfText, problemText } from './read-state.js';

// The presets, views and the splits each view takes come from the core (api.usageOptions):
// one list and one rule, shared with the checks the core makes on a request.

// The last choice, kept while the app runs, so coming back to the tab shows the same query.
let remembered = { preset: 'last_12_months', from: '', to: '', view: 'month', split: '' };

// The figures arrive display-ready from the core (summary.display: "54.6 h", "196,489 s",
// "1.9%" in the system's locale); the units figure's label names its unit.
const FIGURES = [
  { key: 'hours', label: 'Hours processed', value: (d) => d.hours },
  { key: 'units', label: 'Units', value: (d) => d.units },
  { key: 'sessions', label: 'Sessions', value: (d) => d.sessions },
  { key: 'finished', label: 'Finished', value: (d) => d.finished },
  { key: 'error_rate', label: 'Error rate', value: (d) => d.errorRate },
];

export function usagePanel({ customerId }) {
  let choice = { ...remembered };
  let seq = 0;
  let destroyed = false;
  let current = null;

  /** {presets: [{key, label, from, lastDay}], views: [{key, label, splits: [{key, label}]}]}. */
  let options = { presets: [], views: [] };

  // ---- controls ----
  let rangeButtons = [];
  const rangeGroup = h('div', { id: 'usage-range', class: 'segmented', role: 'radiogroup', 'aria-label': 'Date range' });
  const fromInput = h('input', { id: 'usage-from', type: 'date', 'aria-label': 'First day' });
  const toInput = h('input', { id: 'usage-to', type: 'date', 'aria-label': 'Last day' });
  const applyButton = h('button', { id: 'usage-apply', type: 'submit', class: 'button small-button secondary' }, 'Apply');
  const rangeError = h('p', { id: 'usage-range-error', class: 'field-error', role: 'alert', hidden: true });
  const custom = h('form', { id: 'usage-custom', class: 'usage-custom', hidden: true },
    h('label', { class: 'inline-field' }, h('span', {}, 'From'), fromInput),
    h('label', { class: 'inline-field' }, h('span', {}, 'To'), toInput),
    applyButton, rangeError);
  const viewSelect = h('select', { id: 'usage-view', 'aria-label': 'View' });
  const splitSelect = h('select', { id: 'usage-split', 'aria-label': 'Split by' });
  const exportButton = h('button', { id: 'usage-export', type: 'button', class: 'button small-button secondary', disabled: true, title: 'Save the rows below as a CSV file' }, 'Export CSV');

  // ---- output ----
  const asOfLine = h('p', { id: 'usage-as-of', class: 'as-of muted small', 'aria-live': 'polite' });
  const liveNote = h('p', { id: 'usage-live', class: 'read-note small', hidden: true });
  const rangeText = h('p', { id: 'usage-range-text', class: 'muted small' });
  const figureEls = FIGURES.map((f) => h('div', { class: 'figure', dataset: { figure: f.key } },
    h('span', { class: 'figure-value' }, '-'),
    h('span', { class: 'figure-label muted small' }, f.label)));
  const summaryNote = h('p', { id: 'usage-summary-note', class: 'muted small', hidden: true });
  const summary = h('div', { id: 'usage-summary', class: 'figures' }, figureEls);
  const chartSlot = h('div', { class: 'chart-slot' });
  const table = h('table', { id: 'usage-table', class: 'data-table' });
  const tableWrap = h('div', { class: 'table-wrap' }, table);
  const stateMsg = h('div', { id: 'usage-state', class: 'empty tab-state', hidden: true });
  const results = h('div', { class: 'usage-results' }, summary, summaryNote, chartSlot, tableWrap);

  const el = h('section', { id: 'usage-panel', class: 'read-tab usage-tab', dataset: { state: 'loading' } },
    h('div', { class: 'tab-head' },
      h('div', {}, h('h2', { class: 'tab-title' }, 'Usage'), asOfLine),
      h('div', { class: 'tab-head-actions' }, exportButton)),
    liveNote,
    h('div', { class: 'usage-controls' },
      rangeGroup,
      h('label', { class: 'inline-field' }, h('span', {}, 'View'), viewSelect),
      h('label', { class: 'inline-field' }, h('span', {}, 'Split by'), splitSelect)),
    custom,
    rangeText,
    stateMsg,
    results);

  // ---- state <-> controls ----

  /** Builds the range buttons and the view list from the core's options. */
  function buildControls() {
    rangeButtons = options.presets.map((p) => h('button', {
      id: `usage-range-${p.key}`, type: 'button', role: 'radio', class: 'segment',
      dataset: { preset: p.key }, 'aria-checked': 'false',
      title: p.rangeText ?? '',
    }, p.label));
    rangeGroup.replaceChildren(...rangeButtons);
    viewSelect.replaceChildren(...options.views.map((v) => h('option', { value: v.key }, v.label)));
  }

  function syncControls() {
    for (const b of rangeButtons) b.setAttribute('aria-checked', String(b.dataset.preset === choice.preset));
    custom.hidden = choice.preset !== 'custom';
    fromInput.value = choice.from;
    toInput.value = choice.to;
    viewSelect.value = choice.view;
    const splits = (options.views.find((v) => v.key === choice.view)?.splits ?? [])
      .map((o) => ({ key: o.key ?? '', label: o.label }));
    if (!splits.some((o) => o.key === choice.split)) choice.split = '';
    splitSelect.replaceChildren(...splits.map((o) => h('option', { value: o.key }, o.label)));
    splitSelect.value = choice.split;
  }

  function request() {
    const range = { preset: choice.preset };
    if (choice.preset === 'custom') {
      range.from = choice.from || null;
      range.to = choice.to || null;
    }
    return { customerId, range, view: choice.view, splitBy: choice.split || null };
  }

  // ---- rendering ----

  function setState(state, title = '', text = '') {
    el.dataset.state = state;
    const show = ['empty', 'waiting', 'local', 'error', 'loading'].includes(state) && title;
    stateMsg.hidden = !show;
    stateMsg.replaceChildren(...[h('p', { class: 'empty-title' }, title), text ? h('p', { class: 'muted' }, text) : null].filter(Boolean));
  }

  function renderSummary(s, pending) {
    FIGURES.forEach((f, i) => {
      const v = s ? f.value(s.display) : null;
      figureEls[i].querySelector('.figure-value').textContent = v ?? '-';
      if (f.key === 'units') figureEls[i].querySelector('.figure-label').textContent = s?.display.unitsLabel || f.label;
      figureEls[i].title = v == null && s?.source === 'computed' ? 'Not in the usage rows; needs the usage summary from Scriptix' : '';
    });
    summaryNote.hidden = !s || s.source !== 'computed';
    summaryNote.dataset.source = s?.source ?? '';
    // Pending: the background sync fetched the rows only; the tab asks for the summary itself.
    summaryNote.textContent = s?.source !== 'computed'
      ? ''
      : pending
        ? 'Computed from usage rows until Scriptix\'s summary of this range arrives; figures the rows do not hold are shown as "-".'
        : 'Computed from usage rows: Scriptix does not offer a usage summary for this account, so figures the rows do not hold are shown as "-".';
  }

  function renderTable(t) {
    const head = h('thead', {}, h('tr', {}, t.columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : '', dataset: { key: c.key } }, c.label))));
    // data-value: the plain value (as exported); the text: the core's display cell.
    const body = h('tbody', {}, t.rows.map((cells, r) => h('tr', {}, cells.map((v, i) => {
      const c = t.columns[i];
      return h('td', { class: c.numeric ? 'num' : '', dataset: { value: v } }, t.displayRows[r]?.[i] ?? v);
    }))));
    table.replaceChildren(head, body);
  }

  function render(tab, { refreshing }) {
    current = tab;
    const q = tab.query;
    // For tests and tools: the query shown (dates ISO, `to` exclusive).
    Object.assign(el.dataset, { from: q.from, to: q.to, view: q.view, split: q.splitBy ?? '', key: q.key });
    rangeText.textContent = tab.rangeText;
    asOfLine.textContent = asOfText(tab.asOf, { refreshing, offline: tab.live.offline });
    const problem = problemText(tab.live);
    liveNote.hidden = !problem && !tab.live.offline;
    liveNote.dataset.kind = problem ? 'problem' : 'offline';
    liveNote.textContent = problem || (tab.live.offline ? 'Offline: this is the usage saved on this computer. It refreshes when the connection returns.' : '');
    const hasData = Boolean(tab.asOf.fetchedAt);
    const rows = tab.table.rows.length;
    exportButton.disabled = rows === 0;
    results.hidden = !hasData || rows === 0;
    if (tab.localOnly) {
      setState('local', 'Usage appears once this organisation has reached Scriptix.', 'It was created on this computer and has not been sent yet.');
    } else if (!hasData && tab.live.offline) {
      setState('waiting', 'This range is not saved on this computer.', 'It loads when the connection returns; ranges you have looked at before work offline.');
    } else if (!hasData && tab.live.problem) {
      setState('error', 'Usage could not be loaded.', tab.live.problem.message);
    } else if (!hasData) {
      setState('loading', 'Loading usage…');
    } else if (rows === 0) {
      setState('empty', 'No usage in this range.', 'Choose another range, or check back once this organisation has transcribed something.');
    } else {
      setState('ready');
    }
    if (!hasData || rows === 0) return;
    renderSummary(tab.summary, tab.summaryPending);
    const view = q.view;
    const texts = new Map(tab.chart.texts.map((t) => [t.value, t.text]));
    chartSlot.replaceChildren(stackedBarChart({
      id: 'usage-chart',
      // Period names come display-ready from the core (label, title).
      periods: tab.chart.periods.map((p) => ({ label: p.label, title: p.title })),
      series: tab.chart.series,
      // Every number the chart writes comes display-ready (chart.texts); another is a bug.
      format: (n) => texts.get(n) ?? String(n),
      caption: `${tab.table.columns.find((c) => c.key === 'units')?.label ?? 'Units'} per ${view === 'invoice' ? 'invoice period' : view}${q.splitBy ? `, by ${q.splitBy}` : ''}`,
    }));
    renderTable(tab.table);
  }

  // ---- loading ----

  async function load({ refresh = true } = {}) {
    const mine = ++seq;
    const req = request();
    rangeError.hidden = true;
    let tab;
    try {
      tab = await api.usageView(req);
    } catch (err) {
      if (mine === seq) showRequestError(err);
      return;
    }
    if (mine !== seq) return;
    const needsFetch = refresh && !tab.localOnly && (tab.asOf.state !== 'fresh' || tab.summaryPending);
    render(tab, { refreshing: needsFetch });
    if (!needsFetch) return;
    try {
      tab = await api.refreshUsage(req);
    } catch (err) {
      if (mine === seq) showRequestError(err);
      return;
    }
    if (mine === seq) render(tab, { refreshing: false });
  }

  function showRequestError(err) {
    if (err.code === 'invalid_input') {
      rangeError.textContent = err.message;
      rangeError.hidden = false;
      return;
    }
    if (current) {
      liveNote.hidden = false;
      liveNote.dataset.kind = 'problem';
      liveNote.textContent = err.message;
    } else {
      results.hidden = true;
      setState('error', 'Usage could not be loaded.', err.message);
    }
  }

  function choose(changes) {
    choice = { ...choice, ...changes };
    remembered = { ...choice };
    syncControls();
    if (choice.preset === 'custom' && !(choice.from && choice.to)) {
      fromInput.focus();
      return;
    }
    load();
  }

  rangeGroup.addEventListener('click', (event) => {
    const b = event.target.closest('.segment');
    if (b) choose({ preset: b.dataset.preset });
  });
  rangeGroup.addEventListener('keydown', (event) => {
    const presets = options.presets;
    const k = presets.findIndex((p) => p.key === choice.preset);
    const to = { ArrowRight: k + 1, ArrowDown: k + 1, ArrowLeft: k - 1, ArrowUp: k - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = presets[(to + presets.length) % presets.length].key;
    choose({ preset: next });
    rangeButtons.find((b) => b.dataset.preset === next)?.focus();
  });
  custom.addEventListener('submit', (event) => {
    event.preventDefault();
    choose({ from: fromInput.value, to: toInput.value });
  });
  viewSelect.addEventListener('change', () => choose({ view: viewSelect.value }));
  splitSelect.addEventListener('change', () => choose({ split: splitSelect.value }));
  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      const done = await api.exportUsageCsv(request());
      if (done) toast(`Saved ${done.rowsText} to ${done.path}`);
    } catch (err) {
      toast(`Could not export: ${err.message}`, { kind: 'error', ms: 6000 });
    } finally {
      exportButton.disabled = !current?.table.rows.length;
    }
  });

  async function start() {
    try {
      options = await api.usageOptions();
    } catch (err) {
      setState('error', 'Usage could not be loaded.', err.message);
      return;
    }
    if (destroyed) return;
    buildControls();
    syncControls();
    load();
  }

  start();

  return {
    el,
    refresh() { load({ refresh: false }); },
    destroy() { destroyed = true; seq++; },
  };
}
