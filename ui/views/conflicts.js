// Conflicts: fields changed both here and on Scriptix since the last sync, each with mine and
// theirs and a choice. Used as a view of its own and on the organisation page.
//
// Ids and classes: #conflicts-view, #conflicts-list, #conflicts-empty; per customer
// .conflict-group[data-customer-id] with .conflict-open (opens the organisation); per field
// .conflict[data-op-id][data-field] with .conflict-mine .value, .conflict-theirs .value, and
// the buttons .keep-mine and .take-theirs.

import { h } from '../dom.js';
import * as api from '../api.js';
import { toast } from './dialog.js';

/** One conflicting field with its two buttons; onSettled(row) after a choice was stored. */
export function conflictItem(c, { onSettled }) {
  const keep = h('button', { type: 'button', class: 'button small-button primary keep-mine' }, 'Keep mine');
  const take = h('button', { type: 'button', class: 'button small-button secondary take-theirs' }, 'Take theirs');
  const item = h('li', {
    class: 'conflict',
    dataset: { opId: String(c.opId), field: c.field, customerId: String(c.customerId) },
  },
  h('div', { class: 'conflict-field' }, c.fieldLabel),
  h('div', { class: 'conflict-value conflict-mine' },
    h('span', { class: 'conflict-side' }, 'Yours'), h('span', { class: 'value' }, c.mineDisplay)),
  h('div', { class: 'conflict-value conflict-theirs' },
    h('span', { class: 'conflict-side' }, 'On Scriptix'), h('span', { class: 'value' }, c.theirsDisplay)),
  h('div', { class: 'conflict-actions' }, keep, take));

  async function settle(resolution) {
    keep.disabled = true;
    take.disabled = true;
    try {
      const row = await api.settleConflict({ opId: c.opId, field: c.field, resolution });
      item.classList.add('settled');
      onSettled(row);
    } catch (err) {
      keep.disabled = false;
      take.disabled = false;
      toast(`Could not settle it: ${err.message}`, { kind: 'error', ms: 6000 });
    }
  }
  keep.addEventListener('click', () => settle('keep_mine'));
  take.addEventListener('click', () => settle('take_theirs'));
  return item;
}

/** onOpen({id, name}): show the organisation's page. */
export function conflictsView({ onOpen }) {
  const list = h('div', { id: 'conflicts-list', class: 'conflict-groups' });
  const empty = h('div', { id: 'conflicts-empty', class: 'empty', hidden: true },
    h('p', { class: 'empty-title' }, 'No conflicts.'),
    h('p', { class: 'muted' }, 'Everything you changed here agrees with Scriptix.'));
  const el = h('section', { id: 'conflicts-view', class: 'view page-view', 'aria-labelledby': 'conflicts-title' },
    h('header', { class: 'page-head' }, h('h1', { id: 'conflicts-title' }, 'Conflicts')),
    h('p', { class: 'lede muted' },
      'These fields were changed on this computer and on Scriptix since the last sync. Choose which value to keep; the other is dropped.'),
    list, empty);

  let seq = 0;

  async function refresh() {
    const mine = ++seq;
    let conflicts;
    try {
      conflicts = await api.listConflicts();
    } catch (err) {
      if (mine === seq) toast(`Could not read the conflicts: ${err.message}`, { kind: 'error' });
      return;
    }
    if (mine !== seq) return;
    const groups = new Map();
    for (const c of conflicts) {
      if (!groups.has(c.customerId)) groups.set(c.customerId, []);
      groups.get(c.customerId).push(c);
    }
    // Where the keyboard is, to put it back after the list is rebuilt (a sync's re-read must
    // not drop the focus to the page).
    const active = document.activeElement;
    const openOf = active?.closest?.('.conflict-open') ? active.closest('.conflict-group')?.dataset.customerId : null;
    const focusedKey = active?.closest?.('.conflict')?.dataset;
    const focusedButton = active?.classList?.contains('take-theirs') ? '.take-theirs' : '.keep-mine';
    list.replaceChildren(...[...groups].map(([customerId, items]) => h('section', {
      class: 'card conflict-group', dataset: { customerId: String(customerId) },
    },
    h('h2', { class: 'conflict-title' },
      h('button', {
        type: 'button', class: 'link-button conflict-open',
        onclick: () => onOpen({ id: customerId, name: items[0].customerName }),
      }, items[0].customerName || `Organisation ${customerId}`)),
    h('ul', { class: 'conflict-list' }, items.map((c) => conflictItem(c, { onSettled: refresh }))))));
    empty.hidden = conflicts.length > 0;
    // Keep the keyboard where it was: the same button when it is still there, else the next
    // conflict's first button (the one it was on was settled).
    if (openOf != null) {
      list.querySelector(`.conflict-group[data-customer-id="${openOf}"] .conflict-open`)?.focus();
    } else if (focusedKey) {
      const same = list.querySelector(
        `.conflict[data-op-id="${focusedKey.opId}"][data-field="${focusedKey.field}"] ${focusedButton}:not(:disabled)`,
      );
      (same ?? list.querySelector('.keep-mine:not(:disabled)'))?.focus();
    }
  }

  return {
    name: 'conflicts',
    title: 'Conflicts',
    el,
    shown() {
      refresh();
    },
    hidden() {},
    onCacheChanged: refresh,
    onStatus: refresh,
    refresh,
  };
}
