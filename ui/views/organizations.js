// The organisations list: search, status filter, sortable columns, and a virtualised grid that
// only builds the rows in view, so ten thousand organisations open and scroll at once.
//
// Ids and classes:
// #org-list-view (the view), #org-search (Ctrl/Cmd+K), #org-status (radio group) with
// #org-status-all, #org-status-active, #org-status-inactive; #org-count; #new-org;
// #org-list (the grid and its scroll area; focusable: arrows, Page Up/Down, Home/End, Enter
// opens, Delete deletes); column headers .org-sort[data-sort] with #sort-id, #sort-name,
// #sort-email, #sort-phone, #sort-status, #sort-registered (aria-sort on their column header);
// rows .org-row[data-id][data-index][data-state] (aria-selected on the selected one, id
// org-row-<id>), cells .cell-id, .cell-name (.org-name, the text; a .sync-badge[data-state]
// for pending/failed/conflict), .cell-email, .cell-phone, .cell-status (.pill), .cell-registered;
// .org-row.placeholder while a row loads; #org-empty (nothing matches), #org-list-error.
// Picking rows for a bulk action: .cell-pick with span.pick[role=checkbox][aria-checked] on
// each row (.org-row.picked), #org-pick-all in the header; Space picks the row under the
// cursor, Shift+click or Shift+arrows pick a run, Ctrl/Cmd+click one more, Ctrl/Cmd+A every
// matching row (also those not on screen), Escape clears. The bar (bulk-bar.js) acts on them.
// #org-import and #org-export (the list as shown) sit in the page head; #org-batches
// (batches.js) shows bulk changes and imports on their way.

import { h, debounce, isTyping, markOnce } from '../dom.js';
import * as api from '../api.js';
import { ask, quoted, toast } from './dialog.js';
import { bulkBar } from './bulk-bar.js';
import { batchesPanel } from './batches.js';

/** Every row is this tall (px); .org-row's height in styles.css must say the same. */
export const ROW_HEIGHT = 40;
/** Rows fetched per request, aligned on multiples of PAGE. */
const PAGE = 100;
/** Names a delete confirmation lists before "and N more". */
const NAMED = 3;
/** Rows built above and below the visible ones. */
const OVERSCAN = 8;
/**
 * How long typing pauses before the list follows the search box. None: a search costs a few
 * milliseconds (the core's in-memory index), so the list follows every keystroke; the zero-delay
 * timer only folds events of one task (a paste), and requery() drops answers overtaken by a
 * newer search. (50 ms here was a quarter of the measured keystroke-to-rows time.)
 */
const SEARCH_DEBOUNCE_MS = 0;

const COLUMNS = [
  { key: 'id', label: 'ID', id: 'sort-id', cell: 'cell-id' },
  { key: 'name', label: 'Name', id: 'sort-name', cell: 'cell-name' },
  { key: 'email', label: 'Email', id: 'sort-email', cell: 'cell-email' },
  { key: 'phone', label: 'Phone', id: 'sort-phone', cell: 'cell-phone' },
  { key: 'status', label: 'Status', id: 'sort-status', cell: 'cell-status' },
  { key: 'registration_date', label: 'Registered', id: 'sort-registered', cell: 'cell-registered' },
];

const STATUS_CHOICES = [
  { key: 'all', label: 'All', value: null },
  { key: 'active', label: 'Active', value: true },
  { key: 'inactive', label: 'Inactive', value: false },
];

const BADGES = {
  pending: { label: 'Pending', title: 'Saved on this computer; not yet sent to Scriptix' },
  failed: { label: 'Not saved', title: 'Scriptix refused this change: open the organisation to see why' },
  conflict: { label: 'Conflict', title: 'Changed here and on Scriptix: choose what to keep' },
};

/** The badge for a row's sync state, or null when it is in step with Scriptix. */
export function syncBadge(state, props = {}) {
  const badge = BADGES[state];
  if (!badge) return null;
  return h('span', { ...props, class: `badge sync-badge badge-${state}`, title: badge.title, dataset: { state } }, badge.label);
}

export function statusPill(isActive, props = {}) {
  return h('span', { ...props, class: `pill ${isActive ? 'pill-active' : 'pill-inactive'}` },
    isActive ? 'Active' : 'Inactive');
}

/**
 * Asks (naming the organisation) and deletes; resolves to true when deleted. The row leaves the
 * list at once; Scriptix hears of it right away (or when the connection returns).
 */
export async function confirmAndDelete(row) {
  const yes = await ask({
    title: 'Delete this organisation?',
    message: ['Delete ', quoted(row.name), '?'],
    detail: 'It leaves your list now and is deleted on Scriptix right away (when offline, as soon as the connection returns).',
    actions: [{ id: 'confirm-ok', label: 'Delete', kind: 'danger' }],
  });
  if (!yes) return false;
  try {
    await api.deleteCustomer(row.id);
    toast(['Deleted ', quoted(row.name), '.']);
    return true;
  } catch (err) {
    toast(`Could not delete: ${err.message}`, { kind: 'error', ms: 6000 });
    return false;
  }
}

/** onOpen(row): show the organisation's page. */
export function organizationsView({ onOpen, status = null }) {
  let sync = status;
  const query = { search: '', status: null, sort: 'name', direction: 'asc' };
  let total = 0;
  let exact = true;
  let loaded = false;
  /** page number -> {rows, gen}: the windows fetched for the current query. */
  const pages = new Map();
  const inflight = new Set();
  /** Bumped when the query changes: answers for an older query are dropped. */
  let queryGen = 0;
  /** Bumped when the cache changed: pages of an older generation are shown but re-fetched. */
  let dataGen = 0;
  /** A new query's first page is on its way: the old rows stay until it lands. */
  let swapping = false;
  /** index -> row element currently in the DOM. */
  let rendered = new Map();
  let selectedIndex = -1;
  let selectedId = null;
  let frame = 0;
  let savedScroll = 0;
  let totalText = '';
  /**
   * Rows picked for a bulk action: with `all`, every row the query matches less `except`;
   * otherwise `ids` (id -> name, for the confirmation). A new search or filter clears them.
   */
  const picks = { all: false, ids: new Map(), except: new Set() };
  /** Where a Shift+click run starts. */
  let pickAnchor = -1;
  /** Settled when the first query's answer (or its error) has landed; see `prepare`. */
  let answered = null;
  let settleAnswered = () => {};
  /** Not shown yet: the rows `prepare` read are laid out with the window's first layout. */
  let neverShown = true;

  // ---- toolbar ----

  // maxlength: the core searches the first 200 characters (MAX_SEARCH_CHARS); a paste is cut here too.
  const search = h('input', {
    id: 'org-search', type: 'search', class: 'search-input', placeholder: 'Search name, email or phone',
    'aria-label': 'Search organisations', autocomplete: 'off', spellcheck: 'false', maxlength: '200',
    'aria-keyshortcuts': 'Control+K Meta+K', 'aria-controls': 'org-list',
  });
  const searchBox = h('div', { class: 'search-box' },
    h('span', { class: 'search-icon', 'aria-hidden': 'true' }),
    search,
    h('kbd', { class: 'shortcut', 'aria-hidden': 'true' }, navigator.platform.startsWith('Mac') ? '⌘K' : 'Ctrl K'));

  const statusButtons = STATUS_CHOICES.map((c) => h('button', {
    id: `org-status-${c.key}`, type: 'button', role: 'radio', class: 'segment',
    'aria-checked': String(c.value === null), tabindex: c.value === null ? '0' : '-1',
    dataset: { status: c.key },
  }, c.label));
  const statusGroup = h('div', { id: 'org-status', class: 'segmented', role: 'radiogroup', 'aria-label': 'Status' }, statusButtons);

  const count = h('span', { id: 'org-count', class: 'org-count', role: 'status', 'aria-live': 'polite' });
  const newOrg = h('button', { id: 'new-org', type: 'button', class: 'button primary', 'aria-keyshortcuts': 'Control+N Meta+N' },
    h('span', { class: 'plus', 'aria-hidden': 'true' }, '+'), 'New organisation');
  const importButton = h('button', { id: 'org-import', type: 'button', class: 'button secondary' }, 'Import…');
  const exportButton = h('button', { id: 'org-export', type: 'button', class: 'button secondary', title: 'Export the list as shown (search, filter and sort) to a CSV file' }, 'Export…');

  // ---- grid ----

  const sortButtons = new Map();
  const headCells = COLUMNS.map((col) => {
    const button = h('button', { id: col.id, type: 'button', class: 'org-sort', dataset: { sort: col.key } },
      h('span', {}, col.label), h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }));
    sortButtons.set(col.key, button);
    return h('div', { class: `cell ${col.cell}`, role: 'columnheader' }, button);
  });
  const pickAllBox = h('input', { id: 'org-pick-all', type: 'checkbox', class: 'pick-all', 'aria-label': 'Select every matching organisation' });
  const head = h('div', { class: 'grid-row grid-head', role: 'row', 'aria-rowindex': '1' },
    h('div', { class: 'cell cell-pick', role: 'columnheader', 'aria-label': 'Selected' }, pickAllBox), headCells);
  const spacer = h('div', { class: 'grid-spacer', role: 'rowgroup' });
  const body = h('div', {
    id: 'org-list', class: 'grid', role: 'grid', tabindex: '0', 'aria-label': 'Organisations',
    'aria-multiselectable': 'false',
  }, h('div', { role: 'rowgroup', class: 'grid-head-group' }, head), spacer);

  const emptyText = h('p', { class: 'empty-title' });
  const emptyHint = h('p', { class: 'muted' });
  const clearSearch = h('button', { id: 'org-clear-search', type: 'button', class: 'button secondary' }, 'Clear search');
  const empty = h('div', { id: 'org-empty', class: 'empty', hidden: true }, emptyText, emptyHint, clearSearch);
  const listError = h('div', { id: 'org-list-error', class: 'banner banner-error', role: 'alert', hidden: true });

  const bar = bulkBar({
    onAction: (action) => (action === 'export' ? exportPicked() : bulkAction(action)),
    onSelectAll: pickAll,
    onClear: clearPicks,
  });
  const batches = batchesPanel({ onUndone: () => invalidate() });

  const el = h('section', { id: 'org-list-view', class: 'view list-view', 'aria-labelledby': 'org-list-title' },
    h('header', { class: 'page-head' },
      h('div', { class: 'page-title' }, h('h1', { id: 'org-list-title' }, 'Organisations'), count),
      h('div', { class: 'page-actions' }, importButton, exportButton, newOrg)),
    h('div', { class: 'toolbar' }, searchBox, statusGroup),
    batches.el,
    bar.el,
    listError,
    h('div', { class: 'grid-frame' }, body, empty));

  // ---- data ----

  const request = (offset, limit) => ({ ...query, offset, limit });
  const rowAt = (i) => pages.get(Math.floor(i / PAGE))?.rows[i % PAGE] ?? null;

  function indexOfId(id) {
    for (const [p, page] of pages) {
      const k = page.rows.findIndex((r) => r.id === id);
      if (k >= 0) return p * PAGE + k;
    }
    return -1;
  }

  /** The list's size from an answer; its count line comes display-ready (`totalText`). */
  function setTotal({ total: t, exact: ex, totalText: text }) {
    const changed = t !== total || ex !== exact || !loaded;
    totalText = text;
    total = t;
    exact = ex;
    loaded = true;
    if (!changed) return;
    spacer.style.height = `${total * ROW_HEIGHT}px`;
    body.setAttribute('aria-rowcount', String(total + 1));
    count.textContent = totalText;
    if (selectedIndex >= total) selectedIndex = total - 1;
    renderEmpty();
    if (picks.all) renderPicks();
  }

  function renderEmpty() {
    const filtered = query.search.trim() !== '' || query.status !== null;
    empty.hidden = !loaded || total > 0;
    if (!empty.hidden) {
      if (query.search.trim()) {
        emptyText.replaceChildren('No organisations match ', quoted(query.search.trim()), '.');
      } else if (query.status !== null) {
        emptyText.textContent = `No ${query.status ? 'active' : 'inactive'} organisations.`;
      } else if (!sync?.lastSynced && sync?.connectivity !== 'offline') {
        // Never synced: the list is empty because it has not been read yet, not because there
        // are no organisations.
        emptyText.textContent = 'Loading your organisations…';
      } else if (!sync?.lastSynced) {
        emptyText.textContent = 'No organisations on this computer yet.';
      } else {
        emptyText.textContent = 'No organisations yet.';
      }
      emptyHint.textContent = filtered
        ? 'Try fewer letters, or another status.'
        : !sync?.lastSynced
          ? (sync?.connectivity === 'offline'
            ? 'They load from Scriptix when the connection returns.'
            : 'The first sync is bringing them in from Scriptix.')
          : 'Add one with New organisation.';
      clearSearch.hidden = !filtered;
    }
  }

  function showListError(err) {
    listError.hidden = !err;
    listError.textContent = err ? `Could not read the list: ${err.message}` : '';
  }

  /** Adopts the selected id's new index, or the row now at the selected index. */
  function resolveSelection() {
    if (selectedId != null) {
      const i = indexOfId(selectedId);
      if (i >= 0) {
        selectedIndex = i;
        return;
      }
    }
    if (selectedIndex >= total) selectedIndex = total - 1;
    if (selectedIndex >= 0) {
      const row = rowAt(selectedIndex);
      if (row) selectedId = row.id;
    }
  }

  function fetchPage(p) {
    const qg = queryGen;
    const dg = dataGen;
    const key = `${qg}:${dg}:${p}`;
    if (inflight.has(key)) return;
    inflight.add(key);
    api.listCustomers(request(p * PAGE, PAGE)).then((res) => {
      inflight.delete(key);
      if (qg !== queryGen) return;
      const have = pages.get(p);
      if (have && have.gen > dg) return;
      pages.set(p, { rows: res.rows, gen: dg });
      showListError(null);
      setTotal(res);
      resolveSelection();
      renderNow(); // the count and the rows change in the same frame
    }, (err) => {
      inflight.delete(key);
      if (qg === queryGen) showListError(err);
    });
  }

  function ensurePages(first, last) {
    if (swapping || last < first) return;
    for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) {
      const page = pages.get(p);
      if (!page || page.gen !== dataGen) fetchPage(p);
    }
  }

  /** The query changed: fetch its first window, then swap it in (no blank list meanwhile). */
  function requery() {
    // Picks belong to the search and filter they were made under.
    if (pickedCount() > 0 && pickedUnder !== queryKey()) clearPicks();
    const qg = ++queryGen;
    const dg = ++dataGen;
    swapping = true;
    markOnce('list: first query');
    api.listCustomers(request(0, PAGE)).then((res) => {
      markOnce('list: first answer');
      settleAnswered();
      if (qg !== queryGen) return;
      swapping = false;
      pages.clear();
      pages.set(0, { rows: res.rows, gen: dg });
      for (const row of rendered.values()) row.remove();
      rendered = new Map();
      body.scrollTop = 0;
      const kept = selectedId != null ? res.rows.findIndex((r) => r.id === selectedId) : -1;
      selectedIndex = kept >= 0 ? kept : res.rows.length ? 0 : -1;
      selectedId = selectedIndex >= 0 ? res.rows[selectedIndex].id : null;
      showListError(null);
      loaded = false;
      setTotal(res);
      // What the rows on screen answer (for tests and for the curious).
      Object.assign(el.dataset, {
        search: query.search, status: String(query.status), sort: query.sort, direction: query.direction,
      });
      render();
    }, (err) => {
      settleAnswered();
      if (qg !== queryGen) return;
      swapping = false;
      showListError(err);
    });
  }

  /** The cache changed: what is shown stays until its fresh copy arrives. */
  function invalidate() {
    dataGen++;
    const [first, last] = visibleRange();
    for (const p of [...pages.keys()]) {
      if (p < Math.floor(first / PAGE) || p > Math.floor(last / PAGE)) pages.delete(p);
    }
    if (pages.size === 0) ensurePages(0, PAGE - 1);
    schedule();
  }

  // ---- rendering ----

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function renderNow() {
    if (frame) cancelAnimationFrame(frame);
    render();
  }

  function visibleRange() {
    const viewport = Math.max(0, body.clientHeight - head.offsetHeight);
    const top = body.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total - 1, Math.ceil((top + viewport) / ROW_HEIGHT) + OVERSCAN);
    return [first, last];
  }

  function buildRow(i, row, selected, picked) {
    const props = {
      class: `org-row grid-row${row ? '' : ' placeholder'}${selected ? ' selected' : ''}${picked ? ' picked' : ''}`,
      role: 'row',
      'aria-rowindex': String(i + 2),
      'aria-selected': selected ? 'true' : 'false',
      dataset: { index: String(i) },
    };
    let el;
    if (!row) {
      el = h('div', props, h('div', { class: 'cell cell-pick', role: 'gridcell' }),
        COLUMNS.map((c) => h('div', { class: `cell ${c.cell}`, role: 'gridcell' }, h('span', { class: 'skeleton' }))));
    } else {
      props.id = `org-row-${row.id}`;
      props.dataset.id = String(row.id);
      props.dataset.state = row.syncState;
      // Text sits in a span inside each clipped box (WebKit's WebDriver counts a clipped box
      // holding bare text as not displayed).
      el = h('div', props,
        h('div', { class: 'cell cell-pick', role: 'gridcell' },
          h('span', { class: 'pick', role: 'checkbox', 'aria-checked': String(picked), 'aria-label': `Select ${row.name}` })),
        h('div', { class: 'cell cell-id', role: 'gridcell' },
          row.id > 0 ? h('span', {}, String(row.id)) : h('span', { class: 'muted', title: 'Not on Scriptix yet' }, 'new')),
        h('div', { class: 'cell cell-name', role: 'gridcell' },
          h('span', { class: 'org-name', title: row.name }, h('span', {}, row.name)), syncBadge(row.syncState)),
        h('div', { class: 'cell cell-email', role: 'gridcell', title: row.email }, h('span', {}, row.email)),
        h('div', { class: 'cell cell-phone', role: 'gridcell' }, h('span', {}, row.phoneDisplay ?? '')),
        h('div', { class: 'cell cell-status', role: 'gridcell' }, statusPill(row.isActive)),
        h('div', { class: 'cell cell-registered', role: 'gridcell', title: row.registrationDateTitle },
          h('span', {}, row.registrationDateText)));
    }
    el.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
    el._row = row;
    el._selected = selected;
    el._picked = picked;
    return el;
  }

  function render() {
    frame = 0;
    if (!body.isConnected || body.clientHeight === 0) return;
    const [first, last] = visibleRange();
    const next = new Map();
    for (let i = first; i <= last; i++) {
      const row = rowAt(i);
      const selected = i === selectedIndex;
      const picked = row ? isPicked(row.id) : false;
      const current = rendered.get(i);
      rendered.delete(i);
      if (current && current._row === row && current._selected === selected && current._picked === picked) {
        next.set(i, current);
        continue;
      }
      const fresh = buildRow(i, row, selected, picked);
      if (current) current.replaceWith(fresh);
      else spacer.append(fresh);
      next.set(i, fresh);
    }
    for (const old of rendered.values()) old.remove();
    rendered = next;
    // The start's last milestone, read by the desktop benchmark against the process's start.
    if (rowAt(first)) markOnce('first-rows');
    const selectedRow = selectedIndex >= 0 ? rowAt(selectedIndex) : null;
    if (selectedRow) body.setAttribute('aria-activedescendant', `org-row-${selectedRow.id}`);
    else body.removeAttribute('aria-activedescendant');
    ensurePages(first, last);
  }

  function renderSortState() {
    for (const col of COLUMNS) {
      const active = col.key === query.sort;
      const button = sortButtons.get(col.key);
      const cell = button.parentElement;
      cell.setAttribute('aria-sort', active ? (query.direction === 'asc' ? 'ascending' : 'descending') : 'none');
      button.classList.toggle('sorted', active);
      button.dataset.direction = active ? query.direction : '';
      button.querySelector('.sort-arrow').textContent = active ? (query.direction === 'asc' ? '▲' : '▼') : '';
      button.title = active
        ? `Sorted by ${col.label.toLowerCase()}, ${query.direction === 'asc' ? 'ascending' : 'descending'}: click to reverse`
        : `Sort by ${col.label.toLowerCase()}`;
    }
  }

  // ---- selection and keys ----

  function pageRows() {
    return Math.max(1, Math.floor((body.clientHeight - head.offsetHeight) / ROW_HEIGHT) - 1);
  }

  function scrollToIndex(i) {
    const viewport = body.clientHeight - head.offsetHeight;
    const top = i * ROW_HEIGHT;
    if (top < body.scrollTop) body.scrollTop = top;
    else if (top + ROW_HEIGHT > body.scrollTop + viewport) body.scrollTop = top + ROW_HEIGHT - viewport;
  }

  function select(i, { scroll = true } = {}) {
    if (total === 0) return;
    selectedIndex = Math.min(Math.max(0, i), total - 1);
    selectedId = rowAt(selectedIndex)?.id ?? null;
    if (scroll) scrollToIndex(selectedIndex);
    schedule();
  }

  const selectedRow = () => (selectedIndex >= 0 ? rowAt(selectedIndex) : null);

  // ---- picking rows for a bulk action ----

  /** The search and filter the picks were made under (a new one clears them). */
  let pickedUnder = '';
  const queryKey = () => `${query.search.trim()}\u0000${query.status}`;
  const isPicked = (id) => (picks.all ? !picks.except.has(id) : picks.ids.has(id));
  const pickedCount = () => (picks.all ? Math.max(0, total - picks.except.size) : picks.ids.size);

  /** What the core resolves into rows: the ids picked, or every matching row less the unpicked. */
  function selection() {
    return picks.all
      ? { matching: { search: query.search, status: query.status }, except: [...picks.except] }
      : { ids: [...picks.ids.keys()] };
  }

  function setPicked(row, on) {
    if (!row) return;
    if (!picks.all && picks.ids.size === 0) pickedUnder = queryKey();
    if (picks.all) {
      if (on) picks.except.delete(row.id);
      else picks.except.add(row.id);
    } else if (on) picks.ids.set(row.id, row.name);
    else picks.ids.delete(row.id);
  }

  function renderPicks() {
    const n = pickedCount();
    pickAllBox.checked = n > 0 && n >= total;
    pickAllBox.indeterminate = n > 0 && n < total;
    const more = n < total && exact ? `Select all ${totalText}` : null;
    bar.show(n, n > 0 ? api.selectionWords(n, picks.all, 0) : null, more);
    schedule();
  }

  function clearPicks() {
    picks.all = false;
    picks.ids.clear();
    picks.except.clear();
    pickAnchor = -1;
    renderPicks();
  }

  function pickAll() {
    picks.all = true;
    picks.ids.clear();
    picks.except.clear();
    pickedUnder = queryKey();
    renderPicks();
  }

  function togglePick(i) {
    const row = rowAt(i);
    if (!row) return;
    setPicked(row, !isPicked(row.id));
    pickAnchor = i;
    renderPicks();
  }

  /** Picks rows `a` to `b` (list positions), fetching those not loaded. */
  async function pickRun(a, b) {
    const [first, last] = a <= b ? [a, b] : [b, a];
    const qg = queryGen;
    for (let offset = first; offset <= last; offset += 500) {
      const limit = Math.min(500, last - offset + 1);
      let rows = [];
      for (let i = offset; i < offset + limit; i++) rows.push(rowAt(i));
      if (rows.some((r) => !r)) {
        try {
          rows = (await api.listCustomers(request(offset, limit))).rows;
        } catch (err) {
          toast(`Could not pick these rows: ${err.message}`, { kind: 'error', ms: 6000 });
          return;
        }
        if (qg !== queryGen) return;
      }
      for (const row of rows) setPicked(row, true);
    }
    renderPicks();
  }

  /** The names a confirmation lists: the first few picked rows it knows. */
  function someNames() {
    if (!picks.all) return [...picks.ids.values()].slice(0, NAMED);
    const names = [];
    for (const page of [...pages.keys()].sort((x, y) => x - y).map((p) => pages.get(p))) {
      for (const r of page.rows) {
        if (names.length < NAMED && !picks.except.has(r.id)) names.push(r.name);
      }
    }
    return names;
  }

  async function bulkAction(action) {
    const n = pickedCount();
    if (n === 0) return;
    if (action === 'delete') {
      const names = someNames();
      const words = await api.selectionWords(n, picks.all, names.length);
      const listed = [];
      names.forEach((name, k) => {
        if (k > 0) listed.push(k === names.length - 1 && !words.more ? ' and ' : ', ');
        listed.push(quoted(name));
      });
      if (words.more) listed.push(` ${words.more}`);
      const yes = await ask({
        title: words.deleteQuestion,
        message: ['This deletes ', ...listed, '.'],
        detail: 'They leave your list now and are deleted on Scriptix in the background (when offline, as soon as the connection returns). Until each is sent you can undo it.',
        actions: [{ id: 'confirm-ok', label: words.deleteQuestion.replace(/\?$/, ''), kind: 'danger' }],
      });
      if (!yes) return;
    }
    bar.setBusy(true);
    try {
      const report = await api.bulkCustomers(action, selection());
      toast(report.message);
      clearPicks();
      invalidate();
      batches.refresh();
    } catch (err) {
      toast(`Could not do this: ${err.message}`, { kind: 'error', ms: 8000 });
    } finally {
      bar.setBusy(false);
    }
  }

  async function exportRows(sel, button) {
    if (button) button.disabled = true;
    try {
      const done = await api.exportCustomersCsv(sel, query.sort, query.direction);
      if (done) toast(`Exported ${done.rowsText} to ${done.path}`);
    } catch (err) {
      toast(`The export failed: ${err.message}`, { kind: 'error', ms: 8000 });
    } finally {
      if (button) button.disabled = false;
    }
  }

  const exportPicked = () => exportRows(selection(), null);
  exportButton.addEventListener('click', () => exportRows({ matching: { search: query.search, status: query.status }, except: [] }, exportButton));
  importButton.addEventListener('click', async () => {
    const { importOrganizations } = await import('./import-dialog.js');
    const report = await importOrganizations();
    if (report?.created) {
      invalidate();
      batches.refresh();
    }
  });
  pickAllBox.addEventListener('click', () => {
    if (pickedCount() > 0) clearPicks();
    else pickAll();
  });

  function openSelected() {
    const row = selectedRow();
    if (row) onOpen(row);
  }

  async function deleteSelected() {
    const row = selectedRow();
    if (!row) return;
    if (await confirmAndDelete(row)) {
      selectedId = null; // the next row takes its place at the same index
      invalidate();
    }
    body.focus();
  }

  body.addEventListener('keydown', (event) => {
    if (event.target !== body || event.altKey) return;
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      pickAll();
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    if (event.shiftKey && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      // Extends the pick by the row the cursor moves onto.
      event.preventDefault();
      const from = Math.max(0, selectedIndex);
      const to = event.key === 'ArrowDown' ? Math.min(total - 1, from + 1) : Math.max(0, from - 1);
      setPicked(rowAt(from), true);
      select(to);
      setPicked(rowAt(to), true);
      renderPicks();
      return;
    }
    switch (event.key) {
      case ' ': if (selectedIndex >= 0) togglePick(selectedIndex); break;
      case 'Escape':
        if (pickedCount() === 0) return;
        clearPicks();
        break;
      case 'ArrowDown': select(selectedIndex < 0 ? 0 : selectedIndex + 1); break;
      case 'ArrowUp': select(selectedIndex <= 0 ? 0 : selectedIndex - 1); break;
      case 'PageDown': select(Math.max(0, selectedIndex) + pageRows()); break;
      case 'PageUp': select(Math.max(0, selectedIndex) - pageRows()); break;
      case 'Home': select(0); break;
      case 'End': select(total - 1); break;
      case 'Enter': openSelected(); break;
      case 'Delete':
      case 'Backspace': deleteSelected(); break;
      default:
        // Typing on the list starts a search.
        if (event.key.length === 1 && event.key.trim() && !isTyping(event)) {
          search.focus();
          return; // the key lands in the search box
        }
        return;
    }
    event.preventDefault();
  });

  body.addEventListener('focus', () => {
    if (selectedIndex < 0 && total > 0) select(0, { scroll: false });
  });

  spacer.addEventListener('click', (event) => {
    const rowEl = event.target.closest('.org-row');
    if (!rowEl) return;
    const i = Number(rowEl.dataset.index);
    if (event.shiftKey) {
      // A run from the last picked row (or the cursor) to this one.
      pickRun(pickAnchor >= 0 ? pickAnchor : Math.max(0, selectedIndex), i);
      pickAnchor = i;
    } else if (event.target.closest('.pick') || event.ctrlKey || event.metaKey) {
      togglePick(i);
    }
    select(i, { scroll: false });
    body.focus({ preventScroll: true });
    const plain = !event.shiftKey && !event.ctrlKey && !event.metaKey;
    if (plain && event.target.closest('.org-name') && rowEl._row) onOpen(rowEl._row);
  });
  spacer.addEventListener('dblclick', (event) => {
    const rowEl = event.target.closest('.org-row');
    if (rowEl?._row) onOpen(rowEl._row);
  });

  body.addEventListener('scroll', schedule, { passive: true });
  new ResizeObserver(schedule).observe(body);

  head.addEventListener('click', (event) => {
    const button = event.target.closest('.org-sort');
    if (!button) return;
    const key = button.dataset.sort;
    if (query.sort === key) query.direction = query.direction === 'asc' ? 'desc' : 'asc';
    else {
      query.sort = key;
      query.direction = 'asc';
    }
    renderSortState();
    requery();
  });

  // ---- search and filter ----

  const followSearch = debounce(() => {
    if (query.search === search.value) return;
    query.search = search.value;
    requery();
  }, SEARCH_DEBOUNCE_MS);
  search.addEventListener('input', followSearch);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || (event.key === 'Enter' && !event.isComposing)) {
      event.preventDefault();
      followSearch.cancel();
      const upToDate = query.search === search.value && !swapping;
      if (!upToDate && query.search !== search.value) {
        query.search = search.value;
        requery();
      }
      body.focus();
      // Enter opens the first match once the list shows what was typed.
      if (event.key === 'Enter' && upToDate) openSelected();
    } else if (event.key === 'Escape' && search.value) {
      event.preventDefault();
      search.value = '';
      followSearch();
    }
  });
  clearSearch.addEventListener('click', () => {
    search.value = '';
    query.search = '';
    setStatus(null);
    requery();
    search.focus();
  });

  function setStatus(value) {
    query.status = value;
    for (const [k, button] of statusButtons.entries()) {
      const on = STATUS_CHOICES[k].value === value;
      button.setAttribute('aria-checked', String(on));
      button.tabIndex = on ? 0 : -1;
    }
  }

  statusGroup.addEventListener('click', (event) => {
    const button = event.target.closest('.segment');
    if (!button) return;
    const choice = STATUS_CHOICES.find((c) => c.key === button.dataset.status);
    if (choice.value === query.status) return;
    setStatus(choice.value);
    requery();
  });
  statusGroup.addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const k = STATUS_CHOICES.findIndex((c) => c.value === query.status);
    const next = (k + step + STATUS_CHOICES.length) % STATUS_CHOICES.length;
    setStatus(STATUS_CHOICES[next].value);
    statusButtons[next].focus();
    requery();
  });

  // ---- new organisation ----

  async function createNew() {
    // The form's module is loaded with the other screens after the start (app.js), or now.
    const { newOrganizationDialog } = await import('./customer-form.js');
    const row = await newOrganizationDialog();
    if (!row) return;
    toast(['Added ', quoted(row.name), '. It is on its way to Scriptix; it shows as pending until Scriptix has it.']);
    await reveal(row.id);
  }

  /** The row reveal() looks for; a remap (local id -> server id) moves it along. */
  let revealing = null;
  /** Local ids that got their server id, as the cache said (a row may be revealed late). */
  const remaps = new Map();

  /** Selects the row with `id` and scrolls to it, finding its place in the current order. */
  async function reveal(id) {
    revealing = remaps.get(id) ?? id;
    selectedId = revealing;
    const qg = queryGen;
    const dg = ++dataGen;
    const step = 500;
    for (let offset = 0; offset < 20_000; offset += step) {
      let res;
      try {
        res = await api.listCustomers(request(offset, step));
      } catch (err) {
        showListError(err);
        break;
      }
      if (qg !== queryGen) return;
      for (let k = 0; k < res.rows.length; k += PAGE) {
        const p = (offset + k) / PAGE;
        if (!(pages.get(p)?.gen > dg)) pages.set(p, { rows: res.rows.slice(k, k + PAGE), gen: dg });
      }
      setTotal(res);
      const k = res.rows.findIndex((r) => r.id === revealing);
      if (k >= 0) {
        selectedId = revealing;
        selectedIndex = offset + k;
        scrollToIndex(selectedIndex);
        break;
      }
      if (res.rows.length < step) break;
    }
    revealing = null;
    schedule();
    body.focus({ preventScroll: true });
  }

  newOrg.addEventListener('click', createNew);

  renderSortState();

  return {
    name: 'organizations',
    title: 'Organisations',
    el,
    /** The sync status: whether the list was ever synced decides what an empty list means. */
    onStatus(status) {
      // A change sent (or refused) moves a batch's progress on.
      if (status?.activity || status?.pending !== sync?.pending || status?.failed !== sync?.failed) {
        batches.refresh();
      }
      sync = status;
      renderEmpty();
    },
    /**
     * Before the list is first put in the window: its first window of rows is asked for, and
     * the promise settles when the answer has landed. The start waits for it (briefly) so the
     * window's first layout and paint already hold the rows, instead of laying the page out
     * empty while the answer waits behind that layout, then again with the rows.
     */
    prepare() {
      if (!answered) {
        answered = new Promise((resolve) => { settleAnswered = resolve; });
        if (!loaded && !swapping) requery();
      }
      return answered;
    },
    /** Shown (again): the scroll position, search and sort are as the user left them. */
    shown({ focus = true } = {}) {
      // Re-read what shows: local writes made elsewhere (the page, a dialog) changed it. Asked
      // before anything below makes WebKit lay the page out (the first layout of the window
      // is the start's longest step), so the query runs meanwhile.
      const firstRead = !loaded && !swapping;
      if (firstRead) requery();
      // The first show of rows `prepare` just read needs no second read.
      const prepared = neverShown && loaded;
      neverShown = false;
      body.scrollTop = savedScroll;
      markOnce('list: laid out');
      // Pages outside the restored scroll position are dropped, so after it.
      if (!firstRead && !prepared) invalidate();
      render();
      if (focus) body.focus({ preventScroll: true });
      batches.refresh();
    },
    hidden() {
      savedScroll = body.scrollTop;
    },
    onCacheChanged(change) {
      for (const [local, server] of change.remapped) {
        remaps.set(local, server);
        if (selectedId === local) selectedId = server;
        if (revealing === local) revealing = server;
      }
      // Hidden, it re-reads when shown again.
      if (!body.isConnected || body.clientHeight === 0) return;
      const shown = new Set();
      for (const page of pages.values()) for (const r of page.rows) shown.add(r.id);
      const touches = change.listChanged || change.ids.some((id) => shown.has(id))
        || change.remapped.some(([local]) => shown.has(local));
      if (touches) invalidate();
    },
    focusSearch() {
      search.focus();
      search.select();
    },
    newOrganization: createNew,
  };
}
