// The reseller dashboard: totals for a date range, usage per organisation (sortable, paged so
// 10 000 rows stay fast, exported as CSV exactly as sorted), the top-10 chart, recent
// transcriptions across organisations and allowance alerts with their threshold. Reads the
// cache (`dashboard_view`), which also starts a background refresh; re-reads on
// `cache-changed`. Without the server's dashboard endpoint the numbers are computed here and
// the screen says from how many organisations.
//
// Ids: #dashboard (data-source server|computed|pending; data-from, data-to: the range shown,
// end exclusive), #dash-range (select: this_month,
// last_month, last_90_days, this_year, custom) with #dash-custom (#dash-from, #dash-to,
// #dash-apply, #dash-range-error), #dash-as-of, #dash-source-note (computed/pending note),
// #dash-problem; totals #dash-total-orgs, #dash-total-active, #dash-total-users,
// #dash-total-hours, #dash-total-sessions, #dash-total-error-rate (each with data-value, the
// raw number; hours: seconds; data-pending: what the user's changes not yet confirmed add, the
// card .pending) and #dash-pending (the note saying so); the table #dash-table with
// header buttons .dash-sort (data-sort, #dash-sort-<key>, aria-sort on the header cell) and rows
// .dash-row (data-id), #dash-table-empty, paging #dash-prev, #dash-next, #dash-page, and
// #dash-export; the chart #dash-top (an svg #dash-top-chart with .top-bar data-id);
// #dash-recent (.recent-row) and #dash-recent-empty; #dash-threshold (number input, percent),
// #dash-threshold-error, #dash-threshold-hint (names the period compared), #dash-alerts-note
// (what the alerts lack), #dash-alerts (.alert-row data-id, .alert-pct: "over by 32.1 h" or
// the percentage) and #dash-alerts-empty.

import { h, debounce } from '../dom.js';
import * as api from '../api.js';
import { toast } from './dialog.js';
import { topChart } from './top-chart.js';

const PAGE = 100;

const COLUMNS = [
  { key: 'name', label: 'Organisation', cell: 'dash-c-name' },
  { key: 'hours', label: 'Hours', cell: 'dash-c-num' },
  { key: 'sessions', label: 'Sessions', cell: 'dash-c-num' },
  { key: 'error_rate', label: 'Error rate', cell: 'dash-c-num' },
  { key: 'available', label: 'Available', cell: 'dash-c-num' },
  { key: 'used_percent', label: 'Used', cell: 'dash-c-num' },
];

// Figures arrive display-ready from the core (`display` on the totals and rows, `*Text`
// fields elsewhere): hours, percentages and counts in the system's locale.

function asOfText(view, { refreshing, offline }) {
  const at = view.asOf.fetchedAt;
  if (!at) {
    if (offline) return 'Not loaded yet: it loads when the connection returns.';
    return refreshing ? 'Loading from Scriptix…' : 'Not loaded yet.';
  }
  const when = `As of ${view.asOf.fetchedAtText} (${view.asOf.fetchedAgoText})`;
  if (offline) return `${when} · offline, showing the copy on this computer`;
  if (refreshing) return `${when} · refreshing…`;
  return when;
}

function sourceNote(view) {
  const c = view.coverage;
  const n = view.coverageText ?? '';
  const progress = view.refresh.running && view.refresh.total
    ? ` · fetching usage ${view.refresh.progressText}, within the rate limit`
    : '';
  if (view.source === 'computed') {
    const sofar = c && c.covered < c.total ? ' so far' : '';
    const sessions = view.sessionsUnavailable ? ' The server reports no session counts either, so sessions and error rates are not shown.' : '';
    return `This server has no dashboard endpoint: computed on this computer from cached data (${n}${sofar})${progress}.${sessions}`;
  }
  if (view.source === 'server' && c) {
    return `Totals from Scriptix; the per-organisation table is computed from ${n}${progress}.`;
  }
  if (view.source === 'pending') return view.refresh.running ? 'Asking Scriptix for the dashboard…' : '';
  return '';
}

/** onOpen({id, name}): opens an organisation. isOnline(): false while offline. */
export function dashboardView({ onOpen, isOnline = () => true }) {
  const state = {
    range: { preset: 'this_month' },
    sort: 'hours',
    direction: 'desc',
    page: 0,
    view: null,
    loading: false,
    again: false,
  };

  // ---- range ----
  // The presets come from the core (api.dashboardOptions): the same rules as the usage tab's.
  const rangeSelect = h('select', { id: 'dash-range', class: 'dash-select', 'aria-label': 'Date range' });
  api.dashboardOptions().then(({ presets }) => {
    rangeSelect.replaceChildren(...presets.map((p) => h('option', { value: p.key }, p.label)));
    rangeSelect.value = state.range.preset;
  }, (err) => showRangeError(err.message));
  const from = h('input', { id: 'dash-from', type: 'date', 'aria-label': 'From' });
  const to = h('input', { id: 'dash-to', type: 'date', 'aria-label': 'To (inclusive)' });
  const apply = h('button', { id: 'dash-apply', type: 'button', class: 'button secondary' }, 'Show');
  const rangeError = h('p', { id: 'dash-range-error', class: 'field-error', role: 'alert', hidden: true });
  const custom = h('div', { id: 'dash-custom', class: 'dash-custom', hidden: true },
    h('label', {}, 'From ', from), h('label', {}, 'to ', to), apply);

  rangeSelect.addEventListener('change', () => {
    const preset = rangeSelect.value;
    custom.hidden = preset !== 'custom';
    rangeError.hidden = true;
    if (preset === 'custom') {
      if (!from.value || !to.value) {
        const r = state.view?.range;
        if (r) {
          from.value = r.from;
          to.value = r.lastDay;
        }
      }
      from.focus();
      return;
    }
    setRange({ preset });
  });
  const applyCustom = () => {
    if (!from.value || !to.value) {
      showRangeError('Pick both a start and an end date.');
      return;
    }
    setRange({ preset: 'custom', from: from.value, to: to.value });
  };
  apply.addEventListener('click', applyCustom);
  for (const input of [from, to]) {
    input.addEventListener('keydown', (e) => { if (e.key === 'Enter') applyCustom(); });
  }

  function showRangeError(message) {
    rangeError.textContent = message;
    rangeError.hidden = false;
  }

  function setRange(range) {
    state.range = range;
    state.page = 0;
    load();
  }

  // ---- header lines ----
  const asOf = h('p', { id: 'dash-as-of', class: 'as-of muted small', 'aria-live': 'polite' });
  const note = h('div', { id: 'dash-source-note', class: 'banner banner-info small', role: 'status', hidden: true });
  const problem = h('div', { id: 'dash-problem', class: 'banner banner-error small', role: 'alert', hidden: true });

  // ---- totals ----
  const card = (id, label) => {
    const value = h('span', { id, class: 'dash-card-value' }, '—');
    return { value, el: h('div', { class: 'dash-card' }, h('span', { class: 'dash-card-label muted small' }, label), value) };
  };
  const cards = {
    orgs: card('dash-total-orgs', 'Organisations'),
    active: card('dash-total-active', 'Active'),
    users: card('dash-total-users', 'Users'),
    hours: card('dash-total-hours', 'Hours processed'),
    sessions: card('dash-total-sessions', 'Sessions'),
    errors: card('dash-total-error-rate', 'Error rate'),
  };
  const totals = h('div', { class: 'dash-cards', role: 'group', 'aria-label': 'Totals' }, Object.values(cards).map((c) => c.el));
  const pendingNote = h('p', { id: 'dash-pending', class: 'muted small', role: 'status', hidden: true });

  // ---- table ----
  const sortButtons = COLUMNS.map((col) => {
    const b = h('button', { id: `dash-sort-${col.key}`, type: 'button', class: 'dash-sort', dataset: { sort: col.key } },
      h('span', {}, col.label), h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }));
    b.addEventListener('click', () => {
      if (state.sort === col.key) state.direction = state.direction === 'asc' ? 'desc' : 'asc';
      else {
        state.sort = col.key;
        state.direction = col.key === 'name' ? 'asc' : 'desc';
      }
      state.page = 0;
      load();
    });
    return h('th', { scope: 'col', class: col.cell }, b);
  });
  const tbody = h('tbody', {});
  const table = h('table', { id: 'dash-table', class: 'dash-table' },
    h('thead', {}, h('tr', {}, sortButtons)), tbody);
  const tableEmpty = h('p', { id: 'dash-table-empty', class: 'muted', hidden: true });
  const prev = h('button', { id: 'dash-prev', type: 'button', class: 'button secondary small-button' }, 'Previous');
  const next = h('button', { id: 'dash-next', type: 'button', class: 'button secondary small-button' }, 'Next');
  const pageText = h('span', { id: 'dash-page', class: 'muted small' });
  prev.addEventListener('click', () => { state.page -= 1; load(); });
  next.addEventListener('click', () => { state.page += 1; load(); });
  const exportButton = h('button', { id: 'dash-export', type: 'button', class: 'button secondary' }, 'Export CSV');
  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      const done = await api.exportDashboardCsv(request());
      if (done) toast(`Exported ${done.rowsText} to ${done.path}`);
    } catch (e) {
      toast(`The export failed: ${e.message}`, { kind: 'error', ms: 8000 });
    } finally {
      exportButton.disabled = false;
    }
  });

  // ---- chart, recent, alerts ----
  const chartBox = h('div', { id: 'dash-top', class: 'dash-chart' });
  // It scrolls: a Tab stop with a name, so the keyboard can scroll it too.
  const recentList = h('ul', { id: 'dash-recent', class: 'dash-list', tabindex: '0', 'aria-label': 'Recent transcriptions' });
  const recentEmpty = h('p', { id: 'dash-recent-empty', class: 'muted small', hidden: true });
  const threshold = h('input', {
    id: 'dash-threshold', type: 'number', min: '1', max: '1000', step: '1', class: 'dash-threshold',
    'aria-describedby': 'dash-threshold-hint',
  });
  const thresholdError = h('p', { id: 'dash-threshold-error', class: 'field-error', role: 'alert', hidden: true });
  const saveThreshold = debounce(async () => {
    const value = Number(threshold.value);
    thresholdError.hidden = true;
    try {
      await api.setAlertThreshold(value);
      load();
    } catch (e) {
      thresholdError.textContent = e.message;
      thresholdError.hidden = false;
    }
  }, 400);
  threshold.addEventListener('input', saveThreshold);
  const alertsList = h('ul', { id: 'dash-alerts', class: 'dash-list' });
  const alertsEmpty = h('p', { id: 'dash-alerts-empty', class: 'muted small', hidden: true });
  const alertsHint = h('p', { id: 'dash-threshold-hint', class: 'hint' }, 'Usage in the subscriptions\' current period against the speech-to-text units of the subscriptions current today.');
  const alertsNote = h('p', { id: 'dash-alerts-note', class: 'muted small', hidden: true });

  const section = (title, ...children) => h('section', { class: 'dash-section card' }, h('h2', { class: 'dash-h2' }, title), children);

  const el = h('section', { id: 'dashboard', class: 'view dashboard-view', 'aria-labelledby': 'dash-title' },
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', { id: 'dash-title' }, 'Dashboard'), asOf),
      h('div', { class: 'dash-range' }, rangeSelect)),
    custom, rangeError, note, problem, totals, pendingNote,
    h('div', { class: 'dash-columns' },
      section('Top 10 by hours processed', chartBox),
      section('Alerts',
        h('div', { class: 'dash-threshold-row' },
          h('label', { for: 'dash-threshold' }, 'Alert at'), threshold, h('span', {}, '% of the period\'s allowance')),
        alertsHint, alertsNote,
        thresholdError, alertsList, alertsEmpty)),
    section('Usage per organisation',
      h('div', { class: 'dash-table-tools' }, pageText, h('span', { class: 'dash-spacer' }), prev, next, exportButton),
      h('div', { class: 'dash-table-frame' }, table), tableEmpty),
    section('Recent transcriptions', recentList, recentEmpty));

  /** The export takes the same request: it writes every page of the table, in this order. */
  const request = () => ({
    range: state.range, sort: state.sort, direction: state.direction, offset: state.page * PAGE, limit: PAGE,
  });

  // ---- rendering ----
  function renderTotals(v) {
    const t = v.totals;
    const known = v.source !== 'pending' || v.customerCount > 0;
    // The raw number rides along in data-value (for tests and copy tools); the text is the locale's.
    const show = (c, raw, text) => {
      c.value.textContent = known ? text : '—';
      c.value.dataset.value = known && raw != null ? String(raw) : '';
    };
    const d = t.display;
    show(cards.orgs, t.organizations, d.organizations);
    show(cards.active, t.activeOrganizations, d.activeOrganizations);
    show(cards.users, t.totalUsers, d.totalUsers);
    show(cards.hours, t.secondsUsed, d.hours);
    show(cards.sessions, t.sessions, d.sessions);
    show(cards.errors, t.errorRate, d.errorRate);
    cards.errors.el.classList.toggle('high', known && t.errorRate > v.highErrorRate);
    // The user's own changes are in the counts already, marked until Scriptix has them.
    const p = t.pending;
    for (const [c, moved] of [[cards.orgs, p?.organizations], [cards.active, p?.active], [cards.users, p?.users]]) {
      c.el.classList.toggle('pending', Boolean(moved));
      c.value.dataset.pending = moved ? String(moved) : '';
      c.el.title = moved ? d.pending : '';
    }
    pendingNote.hidden = !d.pending;
    pendingNote.textContent = d.pending ?? '';
  }

  function renderTable() {
    const v = state.view;
    // The core sends one page (`offset`, `limit`) and counts the whole table.
    const shown = v?.customers ?? [];
    const count = v?.customerCount ?? 0;
    const pages = Math.max(1, Math.ceil(count / PAGE));
    const start = v?.offset ?? 0;
    if (count > 0 && shown.length === 0 && state.page > 0) {
      // The table shrank under this page (another range, fewer rows): go to its last page.
      state.page = pages - 1;
      load();
      return;
    }
    tbody.replaceChildren(...shown.map((r) => {
      const tr = h('tr', { class: 'dash-row', dataset: { id: String(r.customerId) }, tabindex: '0', title: `Open ${r.name}` },
        h('td', { class: 'dash-c-name' }, h('span', { class: 'dash-name' }, r.name), r.isActive ? null : h('span', { class: 'muted small' }, ' (inactive)')),
        h('td', { class: 'dash-c-num' }, r.display.hours),
        h('td', { class: 'dash-c-num' }, r.display.sessions),
        h('td', { class: `dash-c-num${r.errorRate > v.highErrorRate ? ' high' : ''}` }, r.display.errorRate),
        h('td', { class: 'dash-c-num' }, r.display.available),
        h('td', { class: 'dash-c-num' }, r.display.used));
      const open = () => onOpen({ id: r.customerId, name: r.name });
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') open();
        else if (e.key === 'ArrowDown') tr.nextElementSibling?.focus();
        else if (e.key === 'ArrowUp') tr.previousElementSibling?.focus();
      });
      return tr;
    }));
    for (const th of sortButtons) {
      const key = th.firstChild.dataset.sort;
      const on = key === state.sort;
      th.setAttribute('aria-sort', on ? (state.direction === 'asc' ? 'ascending' : 'descending') : 'none');
      th.firstChild.querySelector('.sort-arrow').textContent = on ? (state.direction === 'asc' ? '▲' : '▼') : '';
    }
    pageText.textContent = v?.pageText ?? '';
    prev.disabled = start === 0;
    next.disabled = start + shown.length >= count;
    exportButton.disabled = count === 0;
    tableEmpty.hidden = count > 0;
    tableEmpty.textContent = v?.source === 'pending' || v?.refresh.running
      ? 'Loading usage per organisation…'
      : 'No usage per organisation for this range yet.';
  }

  function renderSide(v) {
    // The chart takes a formatter: each bar's hours come display-ready with it.
    const hoursOf = new Map(v.top.map((t) => [t.hoursProcessed, t.hoursText]));
    const chart = topChart(v.top, { formatHours: (n) => hoursOf.get(n) ?? '', onOpen });
    chartBox.replaceChildren(chart ?? h('p', { class: 'muted small' }, 'No audio processed in this range.'));

    recentList.replaceChildren(...v.recent.map((r) => h('li', { class: 'recent-row', dataset: { id: String(r.customerId) } },
      h('span', { class: `status-dot status-${r.status}`, 'aria-hidden': 'true' }),
      h('span', { class: 'recent-main' },
        h('span', { class: 'recent-file' }, r.filename),
        h('span', { class: 'muted small' }, `${r.customerName} · ${r.statusLabel}${r.durationText ? ` · ${r.durationText}` : ''}`)),
      h('span', { class: 'muted small' }, r.startedText))));
    recentEmpty.hidden = v.recent.length > 0;
    recentEmpty.textContent = v.source === 'server'
      ? 'No transcriptions in this range.'
      : 'No cached transcriptions in this range (they are cached as organisations are opened and synced).';

    if (document.activeElement !== threshold) threshold.value = String(v.threshold);
    const info = v.alertsInfo;
    alertsHint.textContent = `Usage in the subscriptions' current period, ${info.periodText}, against the speech-to-text units of the subscriptions current today, whatever range is chosen above.`;
    alertsNote.hidden = !info.note;
    alertsNote.textContent = info.note ?? '';
    alertsList.replaceChildren(...v.alerts.map((a) => {
      const li = h('li', { class: `alert-row${a.over ? ' over' : ''}`, dataset: { id: String(a.customerId) }, tabindex: '0' },
        h('span', { class: 'alert-name' }, a.name),
        h('span', { class: 'small' }, `${a.usageText} in ${a.periodText}${a.percentText ? ` (${a.percentText})` : ''}`),
        h('strong', { class: 'alert-pct' }, a.figureText));
      const open = () => onOpen({ id: a.customerId, name: a.name });
      li.addEventListener('click', open);
      li.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
      return li;
    }));
    alertsEmpty.hidden = v.alerts.length > 0;
    alertsEmpty.textContent = `No organisation is at or above ${v.thresholdText} % of its allowance in ${info.periodText}.`;
  }

  function render() {
    const v = state.view;
    if (!v) return;
    const offline = !isOnline();
    el.dataset.source = v.source;
    el.dataset.from = v.range.from;
    el.dataset.to = v.range.to;
    asOf.textContent = asOfText(v, { refreshing: v.refresh.running, offline });
    const text = sourceNote(v);
    note.textContent = text;
    note.hidden = !text;
    const err = v.refresh.error;
    problem.hidden = !err || err.code === 'offline' || offline;
    problem.textContent = err ? `Could not refresh from Scriptix: ${err.message}` : '';
    renderTotals(v);
    renderTable();
    renderSide(v);
  }

  async function load() {
    if (state.loading) {
      state.again = true;
      return;
    }
    state.loading = true;
    try {
      state.view = await api.dashboardView(request());
      rangeError.hidden = true;
      render();
      followRefresh();
    } catch (e) {
      if (e.field === 'from' || e.field === 'to') showRangeError(e.message);
      else {
        problem.textContent = e.message;
        problem.hidden = false;
      }
    } finally {
      state.loading = false;
      if (state.again) {
        state.again = false;
        load();
      }
    }
  }

  const reload = debounce(load, 250);
  // While a refresh runs, read again now and then: its end is not always an event (a refresh
  // that found everything fresh changes nothing in the cache).
  let poll = null;
  function followRefresh() {
    clearTimeout(poll);
    poll = state.view?.refresh.running && el.isConnected ? setTimeout(load, 1500) : null;
  }

  return {
    name: 'dashboard',
    title: 'Dashboard',
    el,
    shown: () => load(),
    onCacheChanged: (change) => {
      if (change.detailsChanged || change.listChanged) reload();
    },
    onStatus: () => render(),
    hidden: () => {
      reload.cancel();
      clearTimeout(poll);
      // "Sync now" refreshes the dashboard only while it is on screen.
      api.dashboardHidden().catch(() => {});
    },
  };
}
