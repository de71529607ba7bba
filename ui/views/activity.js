// Activity: every change made from this app on this account, newest first, with who made it,
// the fields before and after and how Scriptix answered; searched, filtered, exported to CSV,
// kept as long as the retention says. Everything it shows comes from the core as text.
//
// Ids and classes: #activity-view, #activity-search, #activity-area, #activity-outcome,
// #activity-from, #activity-to, #activity-export, #activity-retention, #activity-summary,
// #activity-list with .activity-entry[data-id][data-outcome] (.activity-what, .activity-org
// (a button opening the organisation), .activity-area, .activity-who, .activity-made,
// .activity-changes li, .activity-outcome, .activity-answered), #activity-more, #activity-empty.

import { h, debounce } from '../dom.js';
import * as api from '../api.js';
import { toast } from './dialog.js';

const PAGE = 200;
const AREAS = [['', 'All areas'], ['organisation', 'Organisation'], ['subscription', 'Subscription'],
  ['tokens', 'Tokens'], ['users', 'Users'], ['branding', 'Branding']];
const OUTCOMES = [['', 'All outcomes'], ['waiting', 'Waiting to be sent'], ['sending', 'Sent, no answer yet'],
  ['sent', 'Accepted'], ['refused', 'Refused'], ['conflict', 'Conflict'], ['discarded', 'Discarded']];
const RETENTION = [['30', 'Keep 30 days'], ['90', 'Keep 90 days'], ['365', 'Keep 1 year'],
  ['1095', 'Keep 3 years'], ['', 'Keep forever']];
/** The organisation page's tab an area's change was made on. */
const TAB_OF = { subscription: 'subscription', tokens: 'tokens', users: 'users' };

const select = (id, label, options) => h('select', { id, 'aria-label': label },
  ...options.map(([value, text]) => h('option', { value }, text)));

/**
 * onOpen({id, name}, tab): show the organisation's page on `tab` (null: the last one);
 * initial: {outcome} the list starts filtered by.
 */
export function activityView({ onOpen, initial = {} }) {
  const search = h('input', {
    id: 'activity-search', type: 'search', placeholder: 'Search changes, organisations, people, values',
    'aria-label': 'Search the activity', autocomplete: 'off', spellcheck: 'false',
  });
  const area = select('activity-area', 'Area', AREAS);
  const outcome = select('activity-outcome', 'Outcome', OUTCOMES);
  const from = h('input', { id: 'activity-from', type: 'date', 'aria-label': 'Made on or after' });
  const to = h('input', { id: 'activity-to', type: 'date', 'aria-label': 'Made on or before' });
  const exportButton = h('button', { id: 'activity-export', type: 'button', class: 'button secondary' }, 'Export CSV…');
  const retention = select('activity-retention', 'How long the activity is kept', RETENTION);
  const summary = h('p', { id: 'activity-summary', class: 'muted', role: 'status' });
  const list = h('ol', { id: 'activity-list', class: 'activity-list' });
  const more = h('button', { id: 'activity-more', type: 'button', class: 'button secondary', hidden: true }, 'Show more');
  const empty = h('div', { id: 'activity-empty', class: 'empty', hidden: true },
    h('p', { class: 'empty-title' }, 'No changes yet.'),
    h('p', { class: 'muted' }, 'What you change here (organisations, their tabs, the branding) is listed with how Scriptix answered.'));

  const el = h('section', { id: 'activity-view', class: 'view page-view', 'aria-labelledby': 'activity-title' },
    h('header', { class: 'page-head' }, h('h1', { id: 'activity-title' }, 'Activity'),
      h('div', { class: 'page-actions' }, retention, exportButton)),
    h('p', { class: 'lede muted' },
      'Every change made from this app on this account: who made it, what it changed, and how Scriptix answered. Kept on this computer only.'),
    h('div', { class: 'toolbar activity-filters' }, search, area, outcome,
      h('label', { class: 'date-label' }, 'From', from), h('label', { class: 'date-label' }, 'To', to)),
    summary, list, more, empty);

  if (initial.outcome) outcome.value = initial.outcome;
  let limit = PAGE;
  let seq = 0;

  function query() {
    return {
      search: search.value,
      areas: area.value ? [area.value] : [],
      outcomes: outcome.value ? [outcome.value] : [],
      from: from.value || null,
      to: to.value || null,
      limit,
    };
  }

  function entryEl(e) {
    const org = e.organisation && (e.customerId > 0
      ? h('button', {
        type: 'button', class: 'link activity-org', title: 'Open this organisation',
        onclick: () => onOpen({ id: e.customerId, name: e.organisation }, TAB_OF[e.area] ?? null),
      }, e.organisation)
      : h('span', { class: 'activity-org' }, e.organisation));
    return h('li', { class: 'activity-entry card', dataset: { id: String(e.activityId), outcome: e.outcome } },
      h('div', { class: 'activity-head' },
        h('span', { class: 'activity-what' }, e.what),
        h('span', { class: 'badge activity-area' }, e.areaLabel),
        org),
      e.changes.length > 0 && h('ul', { class: 'activity-changes' }, ...e.changes.map((c) => h('li', {},
        h('span', { class: 'activity-field' }, c.field), ' ',
        c.before != null && h('span', { class: 'activity-before' }, c.before),
        c.before != null && c.after != null && h('span', { class: 'activity-arrow', 'aria-label': 'became' }, ' → '),
        c.after != null && h('span', { class: 'activity-after' }, c.after),
        c.after == null && h('span', { class: 'activity-after muted' }, ' (removed)')))),
      h('div', { class: 'activity-foot small' },
        h('span', { class: 'activity-outcome', dataset: { outcome: e.outcome } }, e.outcomeText),
        e.answeredText && h('span', { class: 'muted' }, 'Answered ',
          h('time', { class: 'activity-answered', datetime: e.answeredAt }, e.answeredText))),
      h('div', { class: 'activity-foot small muted' },
        h('span', {}, 'Made ', h('time', { class: 'activity-made', datetime: e.madeAt }, e.madeText)),
        h('span', {}, 'by ', h('span', { class: 'activity-who' }, e.who))));
  }

  async function refresh() {
    const mine = ++seq;
    let page;
    try {
      page = await api.activityPage(query());
    } catch (err) {
      if (mine === seq) toast(`Could not read the activity: ${err.message}`, { kind: 'error' });
      return;
    }
    if (mine !== seq) return;
    list.replaceChildren(...page.entries.map(entryEl));
    const filtered = query();
    const anyFilter = filtered.search || filtered.areas.length || filtered.outcomes.length || filtered.from || filtered.to;
    empty.hidden = page.total > 0 || anyFilter;
    summary.hidden = page.total === 0 && !anyFilter;
    summary.textContent = page.summary;
    more.hidden = page.entries.length >= page.total;
    retention.value = page.retentionDays == null ? '' : String(page.retentionDays);
  }

  // An empty date shows no greyed date (it would look applied).
  const markEmpty = () => { for (const d of [from, to]) d.classList.toggle('empty', !d.value); };
  markEmpty();
  const again = () => { limit = PAGE; markEmpty(); refresh(); };
  const typed = debounce(again, 150);
  search.addEventListener('input', typed);
  for (const control of [area, outcome, from, to]) control.addEventListener('change', again);
  more.addEventListener('click', () => { limit += PAGE; refresh(); });

  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      const done = await api.exportActivityCsv({ ...query(), limit: 0 });
      if (done) toast(`Exported ${done.rowsText} to ${done.path}`);
    } catch (err) {
      toast(`The export failed: ${err.message}`, { kind: 'error', ms: 8000 });
    } finally {
      exportButton.disabled = false;
    }
  });

  retention.addEventListener('change', async () => {
    const days = retention.value === '' ? null : Number(retention.value);
    try {
      const removed = await api.setActivityRetention(days);
      if (removed > 0) toast(`Removed ${removed} older ${removed === 1 ? 'entry' : 'entries'}.`);
    } catch (err) {
      toast(`Could not change how long the activity is kept: ${err.message}`, { kind: 'error' });
    }
    refresh();
  });

  return {
    name: 'activity',
    title: 'Activity',
    el,
    shown: refresh,
    onCacheChanged: () => refresh(),
    onStatus: () => refresh(),
  };
}
