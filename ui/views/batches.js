// Bulk changes and imports on their way to Scriptix: one line each with its progress ("38 of 120
// sent"), the time the rest takes at the rate limit, what was refused or taken back, Undo while
// anything is unsent, and a close button once nothing is left to send.
//
// Ids and classes: #org-batches (the region), .batch[data-id][data-finished] with .batch-label,
// progress.batch-bar, .batch-progress, .batch-time, .batch-detail, button.batch-undo,
// button.batch-dismiss.

import { h } from '../dom.js';
import * as api from '../api.js';
import { toast } from './dialog.js';

/** onUndone(): rows changed back; the list re-reads. */
export function batchesPanel({ onUndone }) {
  const el = h('section', { id: 'org-batches', class: 'batches', 'aria-label': 'Bulk changes on their way', hidden: true });
  let reading = false;
  let again = false;

  function line(b) {
    const bar = h('progress', {
      class: 'batch-bar', max: String(Math.max(1, b.total)), value: String(b.sent),
      'aria-label': `${b.label}: ${b.progressText}`,
    });
    const undo = b.undoable > 0 && h('button', { type: 'button', class: 'button secondary small-button batch-undo', dataset: { role: 'undo' } },
      b.finished ? 'Undo refused' : 'Undo');
    const dismiss = b.finished && h('button', {
      type: 'button', class: 'icon-button batch-dismiss', 'aria-label': `Close ${b.label}`, title: 'Close', dataset: { role: 'dismiss' },
    }, '×');
    if (undo) {
      undo.addEventListener('click', async () => {
        undo.disabled = true;
        try {
          const done = await api.undoBatch(b.id);
          toast(done.message);
          onUndone();
        } catch (err) {
          toast(`Could not undo: ${err.message}`, { kind: 'error', ms: 6000 });
        }
        refresh();
      });
    }
    if (dismiss) {
      dismiss.addEventListener('click', async () => {
        try {
          await api.dismissBatch(b.id);
        } catch (err) {
          toast(err.message, { kind: 'error', ms: 6000 });
        }
        refresh();
      });
    }
    return h('div', { class: 'batch', dataset: { id: String(b.id), finished: String(b.finished) } },
      h('div', { class: 'batch-text' },
        h('span', { class: 'batch-label' }, b.label),
        h('span', { class: 'batch-progress' }, b.progressText),
        b.timeLeftText && h('span', { class: 'batch-time muted' }, b.timeLeftText),
        b.detailText && h('span', { class: `batch-detail${b.refused > 0 ? ' danger-text' : ' muted'}` }, b.detailText)),
      bar, undo, dismiss);
  }

  /** Reads the batches again (one read at a time; a call meanwhile reads once more after). */
  async function refresh() {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      const batches = await api.listBatches();
      // A button under the pointer or the focus survives a refresh that changes nothing.
      const focused = el.contains(document.activeElement) ? document.activeElement : null;
      const focusedId = focused?.closest('.batch')?.dataset.id;
      el.replaceChildren(...batches.map(line));
      el.hidden = batches.length === 0;
      if (focusedId) {
        el.querySelector(`.batch[data-id="${focusedId}"] [data-role="${focused.dataset.role}"]`)?.focus();
      }
    } catch {
      // Signed out meanwhile: nothing to show.
    } finally {
      reading = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  return { el, refresh };
}
