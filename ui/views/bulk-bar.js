// The bar that appears over the organisations list while rows are picked: how many, and what
// can be done to all of them at once (activate, deactivate, export, delete), picking every
// matching row (rows not on screen too), and clearing the pick.
//
// Ids: #org-bulk-bar, #org-picked (the count), #bulk-select-all, #bulk-activate,
// #bulk-deactivate, #bulk-export, #bulk-delete, #bulk-clear.

import { h } from '../dom.js';

/**
 * onAction(action): 'activate' | 'deactivate' | 'delete' | 'export'; onSelectAll(); onClear().
 */
export function bulkBar({ onAction, onSelectAll, onClear }) {
  const picked = h('span', { id: 'org-picked', class: 'bulk-count', role: 'status', 'aria-live': 'polite' });
  const selectAll = h('button', { id: 'bulk-select-all', type: 'button', class: 'link-button', hidden: true });
  const button = (id, label, action, kind = 'secondary') => {
    const b = h('button', { id, type: 'button', class: `button ${kind} small-button` }, label);
    b.addEventListener('click', () => onAction(action));
    return b;
  };
  const clear = h('button', { id: 'bulk-clear', type: 'button', class: 'link-button' }, 'Clear selection');
  const el = h('div', { id: 'org-bulk-bar', class: 'bulk-bar', role: 'toolbar', 'aria-label': 'Selected organisations', hidden: true },
    picked, selectAll, clear,
    h('span', { class: 'bulk-actions' },
      button('bulk-activate', 'Activate', 'activate'),
      button('bulk-deactivate', 'Deactivate', 'deactivate'),
      button('bulk-export', 'Export…', 'export'),
      button('bulk-delete', 'Delete…', 'delete', 'danger')));
  selectAll.addEventListener('click', onSelectAll);
  clear.addEventListener('click', onClear);
  let shown = 0;

  return {
    el,
    /**
     * count: rows picked; words: the core's text for it; matchingText: "Select all 10,000
     * matching" when more rows match than are picked (null: all are).
     */
    show(count, words, matchingText) {
      const seq = ++shown;
      el.hidden = count === 0;
      if (count === 0) return;
      Promise.resolve(words).then((w) => {
        if (seq === shown) picked.textContent = w.picked;
      });
      selectAll.hidden = !matchingText;
      selectAll.textContent = matchingText ?? '';
    },
    setBusy(busy) {
      for (const b of el.querySelectorAll('button')) b.disabled = busy;
    },
  };
}
