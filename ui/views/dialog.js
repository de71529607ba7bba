// Modal questions and passing notes.
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
      const opener = restoreTo;
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(answer);
    });
    const restoreTo = document.activeElement;
    document.body.append(dialog);
    dialog.showModal();
    (dialog.querySelector(`#${focus}`) ?? cancel).focus();
  });
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
