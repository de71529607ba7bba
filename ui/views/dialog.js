// Modal questions and passing notes; `openModal`, which every dialog of the app opens through
// (the focus stays inside while it is open and goes back to its opener when it closes).
//
// Ids: #confirm-dialog (the open question), #confirm-title, #confirm-message, #confirm-cancel,
// one button per action with the id it is given (#confirm-ok by default); #toasts holds .toast
// notes.

import { h } from '../dom.js';

/**
 * Asks a question in a modal dialog and resolves to the chosen action's `value`, or null when
 * cancelled (Cancel, Escape). `message` and `detail` are strings or nodes (text stays text).
 * actions: [{id, label, value, kind: 'primary'|'danger'|'secondary'}]; `focus`: the id of the
 * button that starts focused (default: Cancel, so Enter never destroys anything by accident).
 */
export function ask({ title, message, detail = null, actions, cancelLabel = 'Cancel', focus = 'confirm-cancel' }) {
  document.getElementById('confirm-dialog')?.close();
  return new Promise((resolve) => {
    let answer = null;
    const cancel = h('button', { id: 'confirm-cancel', type: 'button', class: 'button secondary' }, cancelLabel);
    const buttons = actions.map((a) => h('button', {
      id: a.id ?? 'confirm-ok',
      type: 'button',
      class: `button ${a.kind ?? 'primary'}`,
      onclick: () => {
        answer = a.value ?? true;
        dialog.close();
      },
    }, a.label));
    const dialog = h('dialog', {
      id: 'confirm-dialog', class: 'dialog', 'aria-labelledby': 'confirm-title',
      'aria-describedby': 'confirm-message',
    },
    h('h2', { id: 'confirm-title', class: 'dialog-title' }, title),
    h('p', { id: 'confirm-message', class: 'dialog-message' }, message),
    detail && h('p', { id: 'confirm-detail', class: 'dialog-detail muted' }, detail),
    h('div', { class: 'dialog-actions' }, cancel, buttons));
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    openModal(dialog, dialog.querySelector(`#${focus}`) ?? cancel);
  });
}

/** The element that last took the focus (disabling a focused button moves it to nothing). */
let lastFocused = null;
document.addEventListener('focusin', (event) => {
  if (event.target instanceof HTMLElement && !event.target.closest('dialog')) lastFocused = event.target;
});

/** What Tab can stop on inside a dialog. */
const TABBABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

function tabStops(dialog) {
  return [...dialog.querySelectorAll(TABBABLE)].filter((el) => !el.disabled
    && el.tabIndex >= 0 && !el.closest('[hidden], [inert]') && el.getClientRects().length > 0
    // Of a group of radio buttons only the checked one (or the first) is a stop.
    && !(el.type === 'radio' && !el.checked && dialog.querySelector(`input[type=radio][name="${el.name}"]:checked`)));
}

/**
 * Shows `dialog` (appended to the page) as a modal and focuses `first`. While it is open, Tab
 * and Shift+Tab cycle through its controls only (the webview would otherwise let the focus
 * leave for the window itself); when it closes, the focus goes back to what had it before
 * (the button that opened it), or to the nearest still-present stand-in.
 */
export function openModal(dialog, first = null) {
  const active = document.activeElement instanceof HTMLElement && document.activeElement !== document.body
    ? document.activeElement : null;
  // A button disabled by its own click (Sign out) has already lost the focus: the last element
  // that had it opened the dialog.
  const opener = active ?? (lastFocused?.isConnected ? lastFocused : null);
  // A rebuilt row or list drops the opener: its id or its place names the stand-in.
  const openerId = opener?.id;
  const openerHome = opener?.closest('[id]');
  dialog.addEventListener('keydown', (event) => {
    // Escape closes from any control: a search field would otherwise keep the key for itself.
    if (event.key === 'Escape' && !event.defaultPrevented) {
      event.preventDefault();
      dialog.close();
      return;
    }
    if (event.key !== 'Tab' || event.altKey || event.ctrlKey || event.metaKey) return;
    const stops = tabStops(dialog);
    if (!stops.length) {
      event.preventDefault();
      return;
    }
    const at = stops.indexOf(document.activeElement);
    let next = null;
    if (event.shiftKey && at <= 0) next = stops[stops.length - 1];
    else if (!event.shiftKey && (at === -1 || at === stops.length - 1)) next = stops[0];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
  dialog.addEventListener('close', () => {
    const back = opener?.isConnected ? opener
      : (openerId && document.getElementById(openerId)) || (openerHome?.isConnected ? openerHome : null);
    if (!back || document.querySelector('dialog[open]')) return;
    back.focus();
    // A button kept disabled while its question is open (Sign out) takes the focus once the
    // code that asked has enabled it again (for up to a second; unless the focus went elsewhere).
    let tries = 40;
    const retry = () => {
      const idle = !document.activeElement || document.activeElement === document.body;
      if (!idle || !back.isConnected || document.querySelector('dialog[open]')) return;
      if (!back.disabled) back.focus();
      else if (tries-- > 0) setTimeout(retry, 25);
    };
    if (back.disabled) setTimeout(retry);
  });
  if (!dialog.isConnected) document.body.append(dialog);
  dialog.showModal();
  (first ?? tabStops(dialog)[0])?.focus();
}

/** "“Acme BV”" as nodes: the name stays text, in quotes that read well. */
export const quoted = (name) => h('span', { class: 'quoted' }, '“', h('strong', {}, name), '”');

/** A short note at the bottom of the window that goes away by itself. */
export function toast(message, { kind = 'info', ms = 4000 } = {}) {
  let region = document.getElementById('toasts');
  if (!region) {
    region = h('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  const note = h('div', { class: `toast toast-${kind}` }, message);
  region.append(note);
  setTimeout(() => {
    note.classList.add('leaving');
    setTimeout(() => note.remove(), 200);
  }, ms);
}
