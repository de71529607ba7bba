// About: the app's version and webview, where its log files are, and "Copy diagnostics": the
// report a support ticket needs (made by the core: no token, no customer data), shown in the
// dialog so the user sees what they hand over.
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
  const close = h('button', { id: 'about-close', type: 'button', class: 'button secondary' }, 'Close');
  const dialog = h('dialog', { id: 'about-dialog', class: 'dialog about-dialog', 'aria-labelledby': 'about-title' },
    h('h2', { id: 'about-title', class: 'dialog-title' }, 'Scriptix Reseller Desktop'),
    h('p', {}, 'Version ', h('span', { id: 'about-version' }, about.version)),
    h('p', { class: 'small muted' }, 'Webview ', h('span', { id: 'about-webview' }, about.webview ?? 'unknown')),
    about.logDir && h('p', { class: 'small muted' }, 'Log files: ', h('span', { id: 'about-log-dir', class: 'mono' }, about.logDir)),
    h('p', { class: 'small' }, 'For a support ticket, copy the diagnostics below: the version, your system, how the sync stands and recent errors. They hold no API token and no customer data.'),
    text,
    status,
    h('div', { class: 'dialog-actions' }, close, copy));
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  openModal(dialog, copy);
}
