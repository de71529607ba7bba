// The sync status bar along the bottom of the window: always visible.
//
// Ids: #sync-status (the bar; data-connectivity = unknown|online|offline), #sync-connectivity,
// #sync-last (last synced, relative; the status is asked again every 30 s so it ages),
// #sync-activity (what runs now, with counts), #sync-pending, #sync-failed, #sync-conflicts (a button: opens the conflicts view),
// #sync-error (the last round's error while online), #sync-now.

// Every count and time comes display-ready from the core (status.text, in the app's locale).

import { h } from '../dom.js';
import * as api from '../api.js';

const OFFLINE_TEXT = 'Offline — changes are kept and sent when the connection returns';

/** onSyncNow(): a promise; onConflicts(): opens the conflicts view. */
export function syncBar({ onSyncNow, onConflicts }) {
  const connectivity = h('span', { id: 'sync-connectivity', class: 'sync-connectivity' },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), h('span', { class: 'label' }));
  const last = h('span', { id: 'sync-last', class: 'sync-last' });
  // Background work shows how far it has got, standing still between steps: no endless
  // spinner (the prefetch runs for minutes at the API's rate, and an animation repainting the
  // window sixty times a second took the CPU the user's keystrokes needed).
  const meterFill = h('span', { class: 'meter-fill' });
  const activity = h('span', { id: 'sync-activity', class: 'sync-activity', hidden: true },
    h('span', { class: 'meter', 'aria-hidden': 'true' }, meterFill), h('span', { class: 'label' }));
  const pending = h('span', { id: 'sync-pending', class: 'sync-count count-pending', hidden: true });
  const failed = h('span', { id: 'sync-failed', class: 'sync-count count-failed', hidden: true });
  const conflicts = h('button', {
    id: 'sync-conflicts', type: 'button', class: 'sync-count count-conflicts link-button', hidden: true,
    onclick: () => onConflicts(),
  });
  const error = h('span', { id: 'sync-error', class: 'sync-error', hidden: true });
  const syncNow = h('button', { id: 'sync-now', type: 'button', class: 'button small-button secondary' }, 'Sync now');

  const el = h('footer', { id: 'sync-status', class: 'status-bar', 'aria-label': 'Sync status' },
    h('div', { class: 'status-left', role: 'status', 'aria-live': 'polite' },
      connectivity, last, activity),
    h('div', { class: 'status-right' }, pending, failed, conflicts, error, syncNow));

  let status = null;

  /** Text in a span inside the clipped box (see organizations.js). Unchanged text is left as
   * it is: the status changes many times a second while syncing, and a node replaced between
   * the press and the release of a click swallows the click (and a screen reader re-reads it). */
  const setText = (node, text) => {
    if (node.textContent === (text || '')) return;
    node.replaceChildren(text ? h('span', {}, text) : '');
  };

  syncNow.addEventListener('click', async () => {
    syncNow.disabled = true;
    try {
      await onSyncNow();
    } catch {
      // The status that follows says what happened.
    } finally {
      // Short enough to allow another try; long enough not to stack clicks.
      setTimeout(() => { syncNow.disabled = false; }, 400);
    }
  });

  function renderLast() {
    if (!status) return;
    setText(last, status.text.lastSynced);
    if (status.text.lastSyncedTitle) last.title = status.text.lastSyncedTitle;
    else last.removeAttribute('title');
  }

  function count(node, n, text) {
    node.hidden = !n;
    setText(node, text ?? '');
    node.dataset.count = String(n ?? 0);
  }

  function update(next) {
    status = next;
    el.dataset.connectivity = next.connectivity;
    const label = connectivity.querySelector('.label');
    if (next.connectivity === 'offline') {
      label.textContent = OFFLINE_TEXT;
      connectivity.title = next.offlineReason ?? '';
    } else if (next.connectivity === 'online') {
      label.textContent = 'Online';
      connectivity.title = '';
    } else {
      label.textContent = 'Connecting…';
      connectivity.title = '';
    }
    renderLast();

    // Nothing runs while nothing can reach the server: no spinner next to "offline".
    const running = next.activity && next.connectivity !== 'offline' ? next.activity : null;
    activity.hidden = !running;
    if (running) {
      const progress = next.text.progress ? ` ${next.text.progress}` : '';
      activity.querySelector('.label').textContent = `${running.label}${progress}`;
      // Without a total the bar stays empty: it never pretends to know how far.
      const share = running.total ? Math.min(1, running.done / running.total) : 0;
      meterFill.style.transform = `scaleX(${share})`;
    }
    el.classList.toggle('busy', Boolean(running));

    count(pending, next.pending, next.text.pending);
    count(failed, next.failed, next.text.failed);
    count(conflicts, next.conflicts, next.text.conflicts);
    conflicts.title = next.conflicts ? 'Changed here and on Scriptix: choose what to keep' : '';

    // Offline is a state, not an error: only a failure while online is shown as one.
    const showError = next.lastError && next.connectivity !== 'offline';
    error.hidden = !showError;
    setText(error, showError ? `Last sync failed: ${next.lastError.message}` : '');
    if (showError) error.dataset.code = next.lastError.code;
  }

  // "Synced 3 min ago" ages: the core says it again (the event brings every other change).
  const timer = setInterval(async () => {
    try {
      update(await api.syncStatus());
    } catch {
      // Signed out meanwhile: the bar is about to go.
    }
  }, 30_000);

  return {
    el,
    update,
    get status() { return status; },
    destroy: () => clearInterval(timer),
  };
}
