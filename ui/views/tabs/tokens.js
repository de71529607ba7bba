// The Tokens tab: the organisation's API tokens (name, type, created, expires; never a secret),
// creating one (name, batch or realtime, expiry 1, 2 or 5 years) and revoking one with a
// confirmation. Creating needs the network: the secret is in Scriptix's answer only, shown once
// in a dialog with a Copy button, and kept nowhere (not in the cache, not in this page's state
// once the dialog closes). Revoking is queued like every other change.
//
// Ids: #tokens-panel (data-state), #tokens-as-of, #tokens-state, #tokens-refused, #tokens-table
// with .token-row (data-id) and .revoke-token; #new-token. Create dialog: #token-dialog,
// #token-name, #token-type, #token-years, #token-name-error, #token-offline, #token-error,
// #token-submit, #token-cancel. Secret dialog: #secret-dialog, #token-secret (read-only, selected
// on focus), #copy-secret, #secret-copy-status, #secret-close. Revoke confirmation: #confirm-revoke.

import { h } from '../../dom.js';
import * as api from '../../api.js';
import { ask, openModal, quoted, toast } from '../dialog.js';
import { managedPanel, notOnServerYet, rowBadge } from './manage-common.js';

export function tokensPanel({ customerId, online }) {
  const create = h('button', { id: 'new-token', type: 'button', class: 'button primary' }, 'New token…');
  const panel = managedPanel({
    prefix: 'tokens',
    customerId,
    online,
    title: 'API tokens',
    toolbar: [create],
    what: 'API tokens for customers',
    empty: ['No tokens yet', 'Create one for this organisation\u2019s software to use.'],
    read: api.tokensTab,
    render: renderTable,
  });

  function renderTable(data, reload) {
    // The last two columns (a waiting change, the actions) are named for screen readers only.
    const head = h('tr', {}, ['Name', 'Type', 'Created', 'Expires'].map((t) => h('th', { scope: 'col' }, t)),
      ['Change', 'Actions'].map((t) => h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t))));
    const rows = data.rows.map((t) => {
      const revoking = t.mark?.kind === 'revoke';
      const revoke = h('button', {
        type: 'button', class: 'button small-button danger-outline revoke-token',
        disabled: revoking && t.mark.state === 'pending',
        'aria-label': `Revoke ${t.name}`,
      }, 'Revoke…');
      revoke.addEventListener('click', async () => {
        const ok = await ask({
          title: 'Revoke this token?',
          message: ['Software using ', quoted(t.name), ' stops working at once when Scriptix revokes it. This cannot be undone.'],
          actions: [{ id: 'confirm-revoke', label: 'Revoke token', kind: 'danger' }],
        });
        if (!ok) return;
        try {
          await api.revokeToken(customerId, t.id);
          toast(online ? 'Revoking the token…' : 'The token is revoked when the connection returns.');
        } catch (err) {
          toast(err.message, { kind: 'error', ms: 6000 });
        }
        reload();
      });
      return h('tr', { class: `token-row${revoking ? ' row-leaving' : ''}`, dataset: { id: String(t.id) } },
        h('td', {}, t.name),
        h('td', {}, t.tokenTypeLabel),
        h('td', { title: t.createdTitle }, t.createdText),
        h('td', { title: t.expiresTitle }, t.expiresText),
        h('td', {}, rowBadge(t.mark)),
        h('td', {}, h('div', { class: 'row-actions' }, revoke)));
    });
    return h('div', { class: 'table-frame' },
      h('table', { id: 'tokens-table', class: 'data-table' }, h('thead', {}, head), h('tbody', {}, rows)));
  }

  create.addEventListener('click', async () => {
    if (customerId <= 0) {
      toast(notOnServerYet);
      return;
    }
    const made = await newTokenDialog({ customerId, online });
    if (made) {
      panel.reload();
      await showSecretOnce(made);
    }
  });

  panel.reload();
  return { el: panel.el, refresh: panel.reload };
}

/** Resolves to {token, secret} when created, null when cancelled. */
function newTokenDialog({ customerId, online }) {
  document.getElementById('token-dialog')?.close();
  return new Promise((resolve) => {
    let made = null;
    const name = h('input', { id: 'token-name', type: 'text', maxlength: '100', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'token-name-error' });
    const type = h('select', { id: 'token-type' },
      h('option', { value: 'batch' }, 'Batch (files)'),
      h('option', { value: 'realtime' }, 'Realtime (live audio)'));
    const years = h('select', { id: 'token-years' },
      h('option', { value: '1' }, '1 year'),
      h('option', { value: '2' }, '2 years'),
      h('option', { value: '5' }, '5 years'));
    const nameError = h('p', { id: 'token-name-error', class: 'field-error', hidden: true });
    const offline = h('p', { id: 'token-offline', class: 'banner banner-info', hidden: online },
      'You are offline. Creating a token needs a connection to Scriptix: its secret is shown only once, when it is made.');
    const banner = h('div', { id: 'token-error', class: 'banner banner-error', role: 'alert', hidden: true });
    const submit = h('button', { id: 'token-submit', type: 'submit', class: 'button primary' }, 'Create token');
    const cancel = h('button', { id: 'token-cancel', type: 'button', class: 'button secondary' }, 'Cancel');
    const field = (id, text, input, ...extra) => h('div', { class: 'field' },
      h('label', { for: id }, text), input, ...extra);
    const form = h('form', { class: 'dialog-form', novalidate: true },
      h('h2', { id: 'token-dialog-title', class: 'dialog-title' }, 'New API token'),
      offline,
      field('token-name', 'Name', name, nameError),
      field('token-type', 'Type', type),
      field('token-years', 'Expires after', years),
      banner,
      h('div', { class: 'dialog-actions' }, cancel, submit));
    const dialog = h('dialog', { id: 'token-dialog', class: 'dialog', 'aria-labelledby': 'token-dialog-title' }, form);
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(made);
    });
    name.addEventListener('input', () => { nameError.hidden = true; });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      banner.hidden = true;
      if (!name.value.trim()) {
        nameError.textContent = 'Give the token a name.';
        nameError.hidden = false;
        name.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Creating…';
      try {
        made = await api.createToken(customerId, { name: name.value, tokenType: type.value, expiresInYears: years.value });
        dialog.close();
      } catch (err) {
        if (err.field === 'name') {
          nameError.textContent = err.message;
          nameError.hidden = false;
        } else {
          banner.textContent = err.message;
          banner.dataset.code = err.code;
          banner.hidden = false;
        }
      } finally {
        submit.disabled = false;
        submit.textContent = 'Create token';
      }
    });
    openModal(dialog, name);
  });
}

/** The secret, once: copy it now; it is dropped when the dialog closes. */
function showSecretOnce(made) {
  return new Promise((resolve) => {
    const secret = h('input', {
      id: 'token-secret', class: 'secret mono', type: 'text', readonly: true, spellcheck: 'false',
      autocomplete: 'off', 'aria-label': 'The new token\u2019s secret',
    });
    secret.value = made.secret;
    const status = h('p', { id: 'secret-copy-status', class: 'muted small', role: 'status', 'aria-live': 'polite' });
    const copy = h('button', { id: 'copy-secret', type: 'button', class: 'button primary' }, 'Copy');
    const close = h('button', { id: 'secret-close', type: 'button', class: 'button secondary' }, 'I have copied it');
    const dialog = h('dialog', { id: 'secret-dialog', class: 'dialog dialog-wide', 'aria-labelledby': 'secret-title', 'aria-describedby': 'secret-warning' },
      h('h2', { id: 'secret-title', class: 'dialog-title' }, ['Token ', quoted(made.token.name), ' created']),
      h('p', { id: 'secret-warning', class: 'banner banner-warning' },
        'Copy the secret now. It will not be shown again: Scriptix does not keep it readable and this app does not store it.'),
      h('div', { class: 'secret-line' }, secret, copy),
      status,
      h('div', { class: 'dialog-actions' }, close));
    const selectAll = () => {
      secret.focus();
      secret.select();
    };
    secret.addEventListener('focus', () => secret.select());
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(secret.value);
        status.textContent = 'Copied to the clipboard.';
        status.dataset.result = 'copied';
      } catch {
        // The webview may refuse clipboard access: the text is selected for the keyboard.
        selectAll();
        status.textContent = 'Copying was refused here: the secret is selected, press Ctrl+C to copy it.';
        status.dataset.result = 'select';
      }
    });
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      secret.value = '';
      made.secret = '';
      dialog.remove();
      resolve();
    });
    openModal(dialog, secret);
    selectAll();
  });
}
