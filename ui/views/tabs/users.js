// The Users tab: the organisation's users (first and last name, email, status, roles, last
// login); adding (email required, names optional, at least one role), editing, deactivating and
// reactivating (which sends the reactivation link), deleting with a confirmation. Every change
// is queued and sent right away through the outbox; rows with a waiting or refused change carry a badge.
//
// Ids: #users-panel (data-state), #users-as-of, #users-state, #users-refused, #users-table with
// .user-row (data-id, data-email, data-active) holding .edit-user, .deactivate-user or
// .reactivate-user, .delete-user; #add-user. The form dialog: #user-dialog, #user-email,
// #user-first-name, #user-last-name, role checkboxes #user-role-<ROLE> (.user-role), errors
// #user-email-error, #user-first-name-error, #user-last-name-error, #user-roles-error;
// #user-error, #user-submit, #user-cancel. Confirmations: #confirm-deactivate, #confirm-delete-user.

import { h } from '../../dom.js';
import * as api from '../../api.js';
import { ask, openModal, quoted, toast } from '../dialog.js';
import { managedPanel, notOnServerYet, rowBadge } from './manage-common.js';
import { statusPill } from '../organizations.js';

const ROLES = [
  { key: 'ORGADMIN', label: 'Admin', about: 'manages the organisation and its users' },
  { key: 'CONTRIBUTOR', label: 'Contributor', about: 'uploads and edits transcriptions' },
  { key: 'CUSTOMER', label: 'Customer', about: 'uses the transcription service' },
  { key: 'DEVELOPER', label: 'Developer', about: 'manages API tokens and integrations' },
  { key: 'RESELLEE', label: 'Resellee', about: 'a reseller\u2019s own customer account' },
];
const roleLabel = (r) => ROLES.find((x) => x.key === r)?.label ?? r;
const fullName = (u) => [u.firstName, u.lastName].filter(Boolean).join(' ');
const FIELD_IDS = { email: 'email', firstName: 'first-name', lastName: 'last-name', roles: 'roles' };

export function usersPanel({ customerId, online }) {
  const add = h('button', { id: 'add-user', type: 'button', class: 'button primary' }, 'Add user…');
  const panel = managedPanel({
    prefix: 'users',
    customerId,
    online,
    title: 'Users',
    toolbar: [add],
    what: 'the users of customer organisations',
    empty: ['No users yet', 'Add the people of this organisation who use Scriptix.'],
    read: api.usersTab,
    render: renderTable,
  });
  const sentLater = online ? 'Sending it to Scriptix…' : 'It goes to Scriptix when the connection returns.';

  async function act(fn, done) {
    try {
      await fn();
      toast(`${done} ${sentLater}`);
    } catch (err) {
      toast(err.message, { kind: 'error', ms: 6000 });
    }
    panel.reload();
  }

  function renderTable(data) {
    // The last two columns (a waiting change, the actions) are named for screen readers only.
    const head = h('tr', {}, ['First name', 'Last name', 'Email', 'Status', 'Roles', 'Last login']
      .map((t) => h('th', { scope: 'col' }, t)),
      ['Change', 'Actions'].map((t) => h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t))));
    const rows = data.rows.map((u) => {
      const deleting = u.mark?.kind === 'delete' && u.mark.state === 'pending';
      const edit = h('button', { type: 'button', class: 'button small-button secondary edit-user', disabled: deleting, 'aria-label': `Edit ${u.email}` }, 'Edit…');
      const toggle = u.isActive
        ? h('button', { type: 'button', class: 'button small-button secondary deactivate-user', disabled: deleting || u.local, 'aria-label': `Deactivate ${u.email}` }, 'Deactivate…')
        : h('button', { type: 'button', class: 'button small-button secondary reactivate-user', disabled: deleting, 'aria-label': `Reactivate ${u.email}`, title: 'Active again, and a reactivation link is emailed to them' }, 'Reactivate');
      const del = h('button', { type: 'button', class: 'button small-button danger-outline delete-user', disabled: deleting, 'aria-label': `Delete ${u.email}` }, 'Delete…');
      edit.addEventListener('click', async () => {
        if (await userDialog({ customerId, user: u, online })) panel.reload();
      });
      toggle.addEventListener('click', async () => {
        if (u.isActive) {
          const ok = await ask({
            title: 'Deactivate this user?',
            message: [quoted(u.email), ' can no longer sign in until reactivated.'],
            actions: [{ id: 'confirm-deactivate', label: 'Deactivate', kind: 'danger' }],
          });
          if (ok) act(() => api.setUserActive(customerId, u.id, false), 'Deactivated.');
        } else {
          act(() => api.setUserActive(customerId, u.id, true), 'Reactivated; a reactivation link will be emailed.');
        }
      });
      del.addEventListener('click', async () => {
        const ok = await ask({
          title: 'Delete this user?',
          message: [quoted(u.email), ' is removed from this organisation for good. This cannot be undone.'],
          actions: [{ id: 'confirm-delete-user', label: 'Delete user', kind: 'danger' }],
        });
        if (ok) act(() => api.deleteUser(customerId, u.id), 'Deleted.');
      });
      return h('tr', {
        class: `user-row${deleting ? ' row-leaving' : ''}`,
        dataset: { id: String(u.id), email: u.email, active: String(u.isActive) },
      },
      h('td', {}, u.firstName ?? ''),
      h('td', {}, u.lastName ?? ''),
      h('td', {}, u.email),
      h('td', {}, statusPill(u.isActive), u.reactivationSentText && !u.local
        ? h('div', { class: 'muted small', title: u.reactivationSentTitle }, `Link sent ${u.reactivationSentText}`)
        : null),
      h('td', {}, h('span', { class: 'role-list' }, u.roles.map((r) => h('span', { class: 'role-chip' }, roleLabel(r))))),
      h('td', { title: u.lastLoginTitle }, u.lastLoginText),
      h('td', {}, rowBadge(u.mark)),
      h('td', {}, h('div', { class: 'row-actions' }, edit, toggle, del)));
    });
    return h('div', { class: 'table-frame' },
      h('table', { id: 'users-table', class: 'data-table' }, h('thead', {}, head), h('tbody', {}, rows)));
  }

  add.addEventListener('click', async () => {
    if (customerId <= 0) {
      toast(notOnServerYet);
      return;
    }
    if (await userDialog({ customerId, user: null, online })) panel.reload();
  });

  panel.reload();
  return { el: panel.el, refresh: panel.reload };
}

/** Add (user null) or edit; resolves to true when the change was queued. */
function userDialog({ customerId, user, online }) {
  document.getElementById('user-dialog')?.close();
  return new Promise((resolve) => {
    let saved = false;
    // maxlength: the core's limits (EMAIL_MAX_CHARS, USER_NAME_MAX_CHARS).
    const input = (key, type, autocomplete, maxlength) => h('input', {
      id: `user-${FIELD_IDS[key]}`, type, autocomplete, spellcheck: 'false', maxlength,
      'aria-describedby': `user-${FIELD_IDS[key]}-error`,
    });
    const inputs = {
      email: input('email', 'email', 'off', '320'),
      firstName: input('firstName', 'text', 'off', '100'),
      lastName: input('lastName', 'text', 'off', '100'),
    };
    inputs.email.value = user?.email ?? '';
    inputs.firstName.value = user?.firstName ?? '';
    inputs.lastName.value = user?.lastName ?? '';
    const roleBoxes = ROLES.map((r) => {
      const box = h('input', { id: `user-role-${r.key}`, class: 'user-role', type: 'checkbox', value: r.key });
      box.checked = Boolean(user?.roles.includes(r.key));
      return h('label', { class: 'choice role-choice', for: `user-role-${r.key}` }, box,
        h('span', { class: 'choice-label' }, h('strong', {}, r.label), h('span', { class: 'muted small' }, ` ${r.about}`)));
    });
    const errors = Object.fromEntries(Object.entries(FIELD_IDS).map(([k, id]) =>
      [k, h('p', { id: `user-${id}-error`, class: 'field-error', role: 'alert', hidden: true })]));
    const banner = h('div', { id: 'user-error', class: 'banner banner-error', role: 'alert', hidden: true });
    const submit = h('button', { id: 'user-submit', type: 'submit', class: 'button primary' }, user ? 'Save' : 'Add user');
    const cancel = h('button', { id: 'user-cancel', type: 'button', class: 'button secondary' }, 'Cancel');
    const field = (key, label, required) => h('div', { class: `field field-${FIELD_IDS[key]}` },
      h('label', { for: `user-${FIELD_IDS[key]}` }, label, required && h('span', { class: 'required', 'aria-hidden': 'true' }, ' *')),
      inputs[key], errors[key]);
    const form = h('form', { class: 'dialog-form', novalidate: true },
      h('h2', { id: 'user-dialog-title', class: 'dialog-title' }, user ? 'Edit user' : 'Add user'),
      h('p', { class: 'muted small' }, online ? 'Saved here now and sent to Scriptix right away; it shows as pending until Scriptix has it.' : 'You are offline: saved here now and sent to Scriptix when the connection returns.'),
      field('email', 'Email', true),
      h('div', { class: 'field-pair' }, field('firstName', 'First name', false), field('lastName', 'Last name', false)),
      h('fieldset', { class: 'field roles-field', 'aria-describedby': 'user-roles-error' },
        h('legend', {}, 'Roles', h('span', { class: 'required', 'aria-hidden': 'true' }, ' *'), h('span', { class: 'muted small' }, ' (at least one)')),
        h('div', { class: 'choices' }, roleBoxes), errors.roles),
      banner,
      h('div', { class: 'dialog-actions' }, cancel, submit));
    const dialog = h('dialog', { id: 'user-dialog', class: 'dialog dialog-wide', 'aria-labelledby': 'user-dialog-title' }, form);

    const read = () => ({
      email: inputs.email.value,
      firstName: inputs.firstName.value,
      lastName: inputs.lastName.value,
      roles: [...form.querySelectorAll('.user-role')].filter((b) => b.checked).map((b) => b.value),
    });
    const clear = () => { for (const e of Object.values(errors)) e.hidden = true; };
    function show(list) {
      clear();
      for (const e of list) {
        const slot = errors[e.field];
        if (!slot) continue;
        if (slot.hidden) slot.textContent = e.message;
        slot.hidden = false;
      }
      const first = list.find((e) => errors[e.field]);
      if (first) (inputs[first.field] ?? form.querySelector('.user-role'))?.focus();
      return Boolean(first);
    }
    for (const [k, el] of Object.entries(inputs)) el.addEventListener('input', () => { errors[k].hidden = true; });
    form.addEventListener('change', (e) => { if (e.target.classList?.contains('user-role')) errors.roles.hidden = true; });

    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(saved);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      banner.hidden = true;
      submit.disabled = true;
      try {
        const values = read();
        const problems = await api.validateUser(values);
        if (show(problems)) return;
        if (user) await api.updateUser(customerId, user.id, values);
        else await api.addUser(customerId, values);
        saved = true;
        toast(`${user ? 'Saved' : 'User added'}. ${online ? 'Sending it to Scriptix…' : 'It goes to Scriptix when the connection returns.'}`);
        dialog.close();
      } catch (err) {
        if (!(err.field && show([{ field: err.field, message: err.message }]))) {
          banner.textContent = err.message;
          banner.dataset.code = err.code;
          banner.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    });
    openModal(dialog, inputs.email);
  });
}

