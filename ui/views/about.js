// About: the app's version and webview, where its log files are, and "Copy diagnostics": the
// report a support ticket needs (made by the core: no token, no customer data), shown in the
// dialog so the user sees what they hand over.
//
// Updates: #update-section (data-state), #update-headline (a live status line), #update-notes
// (the release notes, as text), #update-progress (while downloading with a known size) and
// #update-action (Check for updates / Download and install / Restart now), all worded by the
// core; the section follows the `update-status` event while the dialog is open.
//
// Ids: #about-dialog, #about-version, #about-webview, #about-log-dir, #diagnostics-text,
// #copy-diagnostics, #copy-status (says whether the copy worked), #about-close.

import { h } from '../dom.js';
import * as api from '../api.js';
import { openModal } from './dialog.js';

export async function showAbout() {
  document.getElementById('about-dialog')?.close();
  let about;
  let report;
  try {
    [about, report] = await Promise.all([api.about(), api.diagnosticsReport()]);
  } catch (err) {
    about = about ?? { version: '?', webview: null, logDir: null };
    report = `The report could not be made: ${err.message}`;
  }
  const text = h('textarea', {
    id: 'diagnostics-text', class: 'diagnostics-text mono', readonly: true, rows: '10',
    'aria-label': 'Diagnostics', spellcheck: 'false',
  });
  text.value = report;
  const status = h('p', { id: 'copy-status', class: 'small muted', role: 'status' });
  const copy = h('button', { id: 'copy-diagnostics', type: 'button', class: 'button primary' }, 'Copy diagnostics');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text.value);
      status.textContent = 'Copied. Paste it into your message to support.';
    } catch {
      // Some systems refuse the webview the clipboard: the text is selected for Ctrl+C instead.
      text.focus();
      text.select();
      status.textContent = 'The app could not copy it. The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.';
    }
  });
  const updates = updateSection();
  const close = h('button', { id: 'about-close', type: 'button', class: 'button secondary' }, 'Close');
  const dialog = h('dialog', { id: 'about-dialog', class: 'dialog about-dialog', 'aria-labelledby': 'about-title' },
    h('h2', { id: 'about-title', class: 'dialog-title' }, 'Scriptix Reseller Desktop'),
    h('p', {}, 'Version ', h('span', { id: 'about-version' }, about.version)),
    h('p', { class: 'small muted' }, 'Webview ', h('span', { id: 'about-webview' }, about.webview ?? 'unknown')),
    about.logDir && h('p', { class: 'small muted' }, 'Log files: ', h('span', { id: 'about-log-dir', class: 'mono' }, about.logDir)),
    updates.el,
    h('p', { class: 'small' }, 'For a support ticket, copy the diagnostics below: the version, your system, how the sync stands and recent errors. They hold no API token and no customer data.'),
    text,
    status,
    h('div', { class: 'dialog-actions' }, close, copy));
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    updates.stop();
    dialog.remove();
  });
  openModal(dialog, copy);
}

const ACTION_LABELS = {
  check: 'Check for updates',
  install: 'Download and install',
  restart: 'Restart now',
};

/** The update section: the core's view of the app's updates, kept current by its event. */
function updateSection() {
  const headline = h('p', { id: 'update-headline', role: 'status' });
  const notes = h('p', { id: 'update-notes', class: 'update-notes small', hidden: true });
  const progress = h('progress', { id: 'update-progress', max: '1', hidden: true, 'aria-label': 'Download progress' });
  const action = h('button', { id: 'update-action', type: 'button', class: 'button secondary', hidden: true });
  const el = h('section', { id: 'update-section', class: 'update-section', 'aria-label': 'Updates' },
    headline, progress, notes, action);
  let view = null;

  function show(next) {
    view = next;
    el.dataset.state = view.state;
    if (view.errorCode) el.dataset.error = view.errorCode;
    else delete el.dataset.error;
    headline.textContent = view.headline;
    notes.textContent = view.detail ?? '';
    notes.hidden = !view.detail;
    progress.hidden = view.progress == null;
    if (view.progress != null) progress.value = view.progress;
    action.hidden = !view.action;
    if (view.action) action.textContent = ACTION_LABELS[view.action];
  }

  action.addEventListener('click', async () => {
    const what = view?.action;
    action.disabled = true;
    try {
      if (what === 'check') show(await api.checkForUpdate());
      else if (what === 'install') show(await api.installUpdate());
      else if (what === 'restart') await api.restartToUpdate();
    } catch (err) {
      headline.textContent = err.message;
    } finally {
      action.disabled = false;
    }
  });

  const stop = api.followUpdates(show, (err) => { headline.textContent = err.message; });
  return { el, stop };
}
