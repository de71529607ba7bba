// Importing organisations from a CSV file: the native open dialog, then a preview that marks
// each row valid, invalid (with the field's message) or a duplicate, and imports the valid rows
// as queued creates when the user says so.
//
// Ids and classes: #import-dialog, #import-title, #import-summary, #import-ignored,
// #import-shown, #import-rows (a table: tr.import-row[data-line][data-outcome] with
// .import-outcome), #import-confirm, #import-cancel.

import { h } from '../dom.js';
import * as api from '../api.js';
import { openModal, toast } from './dialog.js';

const OUTCOMES = {
  valid: 'Valid',
  invalid: 'Invalid',
  duplicate: 'Duplicate',
};

/**
 * Asks for a file, shows its preview and imports on confirmation. Resolves to the import's
 * report, or null (cancelled, or the file could not be read: the user was told why).
 */
export async function importOrganizations() {
  let preview;
  try {
    preview = await api.previewCustomerImport();
  } catch (err) {
    toast(`Could not import this file: ${err.message}`, { kind: 'error', ms: 10000 });
    return null;
  }
  if (!preview) return null;
  return showPreview(preview);
}

function showPreview(p) {
  return new Promise((resolve) => {
    let report = null;
    const rows = p.rows.map((r) => h('tr', { class: 'import-row', dataset: { line: String(r.line), outcome: r.outcome } },
      h('td', { class: 'num' }, String(r.line)),
      h('td', {}, r.name),
      h('td', {}, r.email),
      h('td', {}, r.phone),
      h('td', {}, r.status),
      h('td', { class: 'import-outcome' },
        h('span', { class: `badge import-badge import-${r.outcome}` }, OUTCOMES[r.outcome]),
        r.message && h('span', { class: 'import-message small' }, ` ${r.message}`))));
    const confirm = h('button', {
      id: 'import-confirm', type: 'button', class: 'button primary', disabled: p.valid === 0,
    }, p.importText);
    const cancel = h('button', { id: 'import-cancel', type: 'button', class: 'button secondary' }, 'Cancel');
    const dialog = h('dialog', { id: 'import-dialog', class: 'dialog dialog-wide', 'aria-labelledby': 'import-title', 'aria-describedby': 'import-summary' },
      h('h2', { id: 'import-title', class: 'dialog-title' }, 'Import organisations from ', h('span', { class: 'quoted' }, p.fileName)),
      h('p', { id: 'import-summary', class: 'dialog-message' }, p.summaryText,
        '. Valid rows are added as new organisations and sent to Scriptix; the others are left out.'),
      p.ignoredColumns.length > 0 && h('p', { id: 'import-ignored', class: 'muted small' },
        `Columns not imported: ${p.ignoredColumns.join(', ')}.`),
      p.shownText && h('p', { id: 'import-shown', class: 'muted small' }, p.shownText),
      h('div', { class: 'import-table-frame', tabindex: '0', role: 'region', 'aria-label': 'Rows of the file' },
        h('table', { id: 'import-rows', class: 'data-table' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col', class: 'num' }, 'Line'), h('th', { scope: 'col' }, 'Name'),
            h('th', { scope: 'col' }, 'Email'), h('th', { scope: 'col' }, 'Phone'),
            h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Result'))),
          h('tbody', {}, rows))),
      h('div', { class: 'dialog-actions' }, cancel, confirm));
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        report = await api.importCustomers(p.draftId);
        toast(report.message);
        dialog.close();
      } catch (err) {
        toast(`The import failed: ${err.message}`, { kind: 'error', ms: 8000 });
        dialog.close();
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(report);
    });
    openModal(dialog, p.valid > 0 ? confirm : cancel);
  });
}
