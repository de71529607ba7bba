// The Transcriptions tab: session id, filename, status badge, language, started, last update
// and duration (h:mm:ss); filters (status, filename contains, language, dates), sortable
// columns and paging. Online the server answers each query; offline the copy on this
// computer does (only the most recent transcriptions), and the tab says so.
//
// Ids: #tr-panel (data-state loading|ready|empty|local|error, data-source server|cache),
// #tr-as-of, #tr-source-note, #tr-filters with #tr-status, #tr-filename, #tr-language,
// #tr-from, #tr-to, #tr-clear, #tr-filter-error; #tr-table with sort buttons
// .tr-sort[data-sort] (#tr-sort-<column>; aria-sort on their th) and rows
// tr.tr-row[data-session][data-status] (cells .cell-session, .cell-filename, .cell-status >
// .status-badge[data-kind], .cell-language, .cell-started, .cell-updated, .cell-duration);
// #tr-pager with #tr-prev, #tr-page-info, #tr-next, #tr-page-size; #tr-state.

import { h, debounce } from '../../dom.js';
import * as api from '../../api.js';
import { asOfText, problemText } from './read-state.js';

const COLUMNS = [
  { key: 'session_id', label: 'Session', cell: 'cell-session' },
  { key: 'filename', label: 'Filename', cell: 'cell-filename' },
  { key: 'status', label: 'Status', cell: 'cell-status' },
  { key: 'language', label: 'Language', cell: 'cell-language' },
  { key: 'started', label: 'Started', cell: 'cell-started' },
  { key: 'last_update', label: 'Last update', cell: 'cell-updated' },
  { key: 'duration', label: 'Duration', cell: 'cell-duration' },
];

const PAGE_SIZES = [25, 50, 100];
const TYPING_MS = 250;

export function transcriptionsPanel({ customerId }) {
  let sort = { column: 'started', direction: 'desc' };
  let page = { offset: 0, limit: 25 };
  let seq = 0;
  let shownLive = false;
  let current = null;

  // ---- filters ----
  const statusSelect = h('select', { id: 'tr-status', 'aria-label': 'Status' }, h('option', { value: '' }, 'Any status'));
  // maxlength: the core cuts filters at 200 characters (MAX_SEARCH_CHARS) before they reach the server.
  const filenameInput = h('input', { id: 'tr-filename', type: 'search', placeholder: 'Filename contains…', 'aria-label': 'Filename contains', autocomplete: 'off', maxlength: '200' });
  const languageInput = h('input', { id: 'tr-language', type: 'text', placeholder: 'Language, e.g. nl-nl', 'aria-label': 'Language', autocomplete: 'off', size: '12', maxlength: '200' });
  // An empty date input draws a greyed date that reads as a filter in force: while empty (and
  // not being typed in) it is drawn blank (.empty, styles.css), its label saying what it takes.
  const fromInput = h('input', { id: 'tr-from', type: 'date', class: 'empty', 'aria-label': 'Started from' });
  const toInput = h('input', { id: 'tr-to', type: 'date', class: 'empty', 'aria-label': 'Started until' });
  const markEmpty = () => {
    for (const input of [fromInput, toInput]) input.classList.toggle('empty', !input.value);
  };
  const clearButton = h('button', { id: 'tr-clear', type: 'button', class: 'button small-button secondary' }, 'Clear filters');
  const filterError = h('p', { id: 'tr-filter-error', class: 'field-error', role: 'alert', hidden: true });
  const filters = h('form', { id: 'tr-filters', class: 'tr-filters', role: 'search' },
    statusSelect, filenameInput, languageInput,
    h('label', { class: 'inline-field' }, h('span', {}, 'From'), fromInput),
    h('label', { class: 'inline-field' }, h('span', {}, 'To'), toInput),
    clearButton, filterError);

  // ---- table ----
  const sortButtons = COLUMNS.map((c) => h('button', { id: `tr-sort-${c.key}`, type: 'button', class: 'tr-sort', dataset: { sort: c.key } },
    c.label, h('span', { class: 'sort-arrow', 'aria-hidden': 'true' })));
  const headCells = COLUMNS.map((c, i) => h('th', { scope: 'col', class: c.key === 'duration' ? 'num' : '' }, sortButtons[i]));
  const tbody = h('tbody');
  const table = h('table', { id: 'tr-table', class: 'data-table' }, h('thead', {}, h('tr', {}, headCells)), tbody);
  const prev = h('button', { id: 'tr-prev', type: 'button', class: 'button small-button secondary' }, '‹ Previous');
  const next = h('button', { id: 'tr-next', type: 'button', class: 'button small-button secondary' }, 'Next ›');
  const pageInfo = h('span', { id: 'tr-page-info', class: 'muted small' });
  const pageSize = h('select', { id: 'tr-page-size', 'aria-label': 'Rows per page' }, PAGE_SIZES.map((n) => h('option', { value: String(n) }, `${n} per page`)));
  const pager = h('nav', { id: 'tr-pager', class: 'pager', 'aria-label': 'Pages' }, prev, pageInfo, next, pageSize);

  const asOfLine = h('p', { id: 'tr-as-of', class: 'as-of muted small', 'aria-live': 'polite' });
  const sourceNote = h('p', { id: 'tr-source-note', class: 'read-note small', hidden: true });
  const stateMsg = h('div', { id: 'tr-state', class: 'empty tab-state', hidden: true });
  const results = h('div', { class: 'tr-results' }, h('div', { class: 'table-wrap' }, table), pager);

  const el = h('section', { id: 'tr-panel', class: 'read-tab transcriptions-tab', dataset: { state: 'loading' } },
    h('div', { class: 'tab-head' }, h('div', {}, h('h2', { class: 'tab-title' }, 'Transcriptions'), asOfLine)),
    sourceNote, filters, stateMsg, results);

  function request() {
    return {
      customerId,
      filters: {
        status: statusSelect.value === '' ? null : Number(statusSelect.value),
        filename: filenameInput.value || null,
        language: languageInput.value || null,
        dateFrom: fromInput.value || null,
        dateTo: toInput.value || null,
      },
      sort,
      page,
    };
  }

  const filtered = () => Boolean(statusSelect.value || filenameInput.value.trim() || languageInput.value.trim() || fromInput.value || toInput.value);

  function setState(state, title = '', text = '') {
    el.dataset.state = state;
    stateMsg.hidden = !title;
    stateMsg.replaceChildren(...[h('p', { class: 'empty-title' }, title), text ? h('p', { class: 'muted' }, text) : null].filter(Boolean));
  }

  function renderStatuses(statuses) {
    if (statusSelect.options.length > 1) return;
    statusSelect.append(...statuses.map((s) => h('option', { value: String(s.code) }, s.label)));
  }

  function row(t) {
    const badge = h('span', { class: `badge status-badge status-${t.statusKind}`, dataset: { kind: t.statusKind } }, t.statusLabel);
    return h('tr', { class: 'tr-row', dataset: { session: t.sessionId, status: String(t.status) } },
      h('td', { class: 'cell-session mono', title: t.sessionId }, t.sessionId),
      h('td', { class: 'cell-filename', title: t.filename }, t.filename),
      h('td', { class: 'cell-status' }, badge,
        t.isDeleted ? h('span', { class: 'badge deleted-badge', title: 'Deleted on Scriptix' }, 'Deleted') : null),
      h('td', { class: 'cell-language' }, t.language ?? '-'),
      h('td', { class: 'cell-started', dataset: { value: t.started } }, t.startedText),
      h('td', { class: 'cell-updated', dataset: { value: t.lastUpdate ?? '' } }, t.lastUpdateText),
      h('td', { class: 'cell-duration num', dataset: { value: t.durationSeconds ?? '' } }, t.duration));
  }

  function render(p, { loadingLive }) {
    current = p;
    el.dataset.source = p.source;
    renderStatuses(p.statuses);
    asOfLine.textContent = p.source === 'server'
      ? 'Live from Scriptix'
      : asOfText(p.asOf, { refreshing: loadingLive, offline: p.live.offline });
    const problem = problemText(p.live);
    const cacheOnly = p.source === 'cache' && (p.live.offline || p.live.problem);
    sourceNote.hidden = !cacheOnly;
    sourceNote.dataset.kind = problem ? 'problem' : 'offline';
    sourceNote.textContent = cacheOnly
      ? `${problem || 'Offline.'} Showing the ${p.cachedText} most recent transcriptions saved on this computer; filters, sorting and pages cover those only.`
      : '';
    for (const [i, c] of COLUMNS.entries()) {
      const on = c.key === sort.column;
      headCells[i].setAttribute('aria-sort', on ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none');
      sortButtons[i].classList.toggle('sorted', on);
      sortButtons[i].querySelector('.sort-arrow').textContent = on ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : '';
    }
    tbody.replaceChildren(...p.rows.map(row));
    const last = p.offset + p.rows.length;
    pageInfo.textContent = p.pageText;
    prev.disabled = p.offset === 0;
    next.disabled = last >= p.total;
    results.hidden = p.rows.length === 0;
    if (p.localOnly) {
      setState('local', 'Transcriptions appear once this organisation has reached Scriptix.');
    } else if (p.rows.length > 0) {
      setState('ready');
    } else if (p.source === 'cache' && !p.asOf.fetchedAt && loadingLive) {
      setState('loading', 'Loading transcriptions…');
    } else if (p.source === 'cache' && !p.asOf.fetchedAt && p.live.offline) {
      setState('empty', 'No transcriptions saved on this computer yet.', 'They load when the connection returns.');
    } else if (filtered()) {
      setState('empty', 'No transcriptions match these filters.', 'Change or clear the filters.');
    } else {
      setState('empty', 'No transcriptions yet.', 'Files this organisation transcribes appear here.');
    }
  }

  async function load({ cacheFirst = !shownLive } = {}) {
    const mine = ++seq;
    const req = request();
    filterError.hidden = true;
    table.setAttribute('aria-busy', 'true');
    try {
      if (cacheFirst) {
        const cached = await api.listTranscriptions(req, { live: false });
        if (mine !== seq) return;
        render(cached, { loadingLive: true });
      }
      const live = await api.listTranscriptions(req, { live: true });
      if (mine !== seq) return;
      shownLive = live.source === 'server';
      render(live, { loadingLive: false });
    } catch (err) {
      if (mine !== seq) return;
      if (err.code === 'invalid_input') {
        filterError.textContent = err.message;
        filterError.hidden = false;
      } else if (!current) {
        results.hidden = true;
        setState('error', 'Transcriptions could not be loaded.', err.message);
      } else {
        sourceNote.hidden = false;
        sourceNote.dataset.kind = 'problem';
        sourceNote.textContent = err.message;
      }
    } finally {
      if (mine === seq) table.removeAttribute('aria-busy');
    }
  }

  const refilter = () => {
    page = { ...page, offset: 0 };
    load();
  };
  const typed = debounce(refilter, TYPING_MS);

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    typed.cancel();
    refilter();
  });
  filenameInput.addEventListener('input', typed);
  languageInput.addEventListener('input', typed);
  for (const input of [statusSelect, fromInput, toInput]) input.addEventListener('change', refilter);
  for (const input of [fromInput, toInput]) {
    input.addEventListener('input', markEmpty);
    input.addEventListener('change', markEmpty);
  }
  clearButton.addEventListener('click', () => {
    statusSelect.value = '';
    filenameInput.value = '';
    languageInput.value = '';
    fromInput.value = '';
    toInput.value = '';
    markEmpty();
    typed.cancel();
    refilter();
  });
  table.querySelector('thead').addEventListener('click', (event) => {
    const b = event.target.closest('.tr-sort');
    if (!b) return;
    const column = b.dataset.sort;
    sort = column === sort.column
      ? { column, direction: sort.direction === 'asc' ? 'desc' : 'asc' }
      // Times and durations read best newest / longest first; text from A.
      : { column, direction: ['started', 'last_update', 'duration'].includes(column) ? 'desc' : 'asc' };
    page = { ...page, offset: 0 };
    load();
  });
  prev.addEventListener('click', () => {
    page = { ...page, offset: Math.max(0, page.offset - page.limit) };
    load();
  });
  next.addEventListener('click', () => {
    page = { ...page, offset: page.offset + page.limit };
    load();
  });
  pageSize.addEventListener('change', () => {
    page = { offset: 0, limit: Number(pageSize.value) };
    load();
  });

  load({ cacheFirst: true });

  return {
    el,
    // The sync refreshed the cached copy: a live view needs nothing; a cached one re-reads.
    refresh() { if (!shownLive) load({ cacheFirst: true }); },
    destroy() { seq++; typed.cancel(); },
  };
}
