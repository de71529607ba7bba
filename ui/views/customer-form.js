// The customer fields (name, email, phone, active) with live validation, shared by the New
// organisation dialog and the organisation page; and the New organisation dialog itself.
//
// Ids, with the prefix given (`org-form` in the dialog, `org` on the page):
// #<p>-name, #<p>-email, #<p>-phone, #<p>-active (checkbox switch), and under each field
// #<p>-name-error, #<p>-email-error, #<p>-phone-error; #<p>-phone-hint shows the phone as it
// will be saved. Dialog: #new-org-dialog, #org-form (the form), #org-form-submit,
// #org-form-cancel, #org-form-error (a refusal that names no field).

import { h, debounce } from '../dom.js';
import * as api from '../api.js';
import { openModal } from './dialog.js';

const FIELDS = ['name', 'email', 'phone'];
const PHONE_HINT = 'International format, starting with + and the country code.';

/**
 * prefix: id prefix; values: {name, email, phone, isActive}; onChange(): any edit.
 * Validation shows a field's message once the field was left once (or after `validateAll`), and
 * then follows the typing.
 */
export function customerFields({ prefix, values, onChange = () => {}, labels = {} }) {
  // maxlength: the core's limits (validation.rs: NAME_MAX_CHARS, EMAIL_MAX_CHARS, PHONE_MAX_CHARS),
  // so a paste cannot send megabytes to be checked; the core still checks and says what is wrong.
  const inputs = {
    name: h('input', {
      id: `${prefix}-name`, name: 'name', type: 'text', autocomplete: 'organization', required: true,
      spellcheck: 'false', maxlength: '200', 'aria-describedby': `${prefix}-name-error`,
    }),
    email: h('input', {
      id: `${prefix}-email`, name: 'email', type: 'email', autocomplete: 'email', required: true,
      spellcheck: 'false', autocapitalize: 'off', maxlength: '320', 'aria-describedby': `${prefix}-email-error`,
    }),
    phone: h('input', {
      id: `${prefix}-phone`, name: 'phone', type: 'tel', autocomplete: 'tel', spellcheck: 'false',
      maxlength: '64', placeholder: '+31 20 123 4567', 'aria-describedby': `${prefix}-phone-hint ${prefix}-phone-error`,
    }),
  };
  const active = h('input', { id: `${prefix}-active`, name: 'isActive', type: 'checkbox', role: 'switch' });
  const activeText = h('span', { class: 'switch-text' });
  const errors = Object.fromEntries(FIELDS.map((f) => [f,
    h('p', { id: `${prefix}-${f}-error`, class: 'field-error', hidden: true })]));
  const phoneHint = h('p', { id: `${prefix}-phone-hint`, class: 'hint' }, PHONE_HINT);

  const field = (key, label, required, ...extra) => h('div', { class: `field field-${key}` },
    h('label', { for: `${prefix}-${key}` }, label, required && h('span', { class: 'required', 'aria-hidden': 'true' }, ' *')),
    inputs[key], ...extra, errors[key]);

  const el = h('div', { class: 'customer-fields' },
    field('name', labels.name ?? 'Name', true),
    field('email', labels.email ?? 'Email', true),
    field('phone', labels.phone ?? 'Phone', false, phoneHint),
    h('div', { class: 'field field-active' },
      h('span', { class: 'field-label', id: `${prefix}-active-label` }, 'Status'),
      h('label', { class: 'switch', for: `${prefix}-active` }, active, h('span', { class: 'switch-track', 'aria-hidden': 'true' }), activeText)));

  const touched = new Set();
  let lastCheck = { errors: [], phoneInternational: null };
  let seq = 0;

  function read() {
    return {
      name: inputs.name.value,
      email: inputs.email.value,
      phone: inputs.phone.value,
      isActive: active.checked,
    };
  }

  function write(v) {
    inputs.name.value = v.name ?? '';
    inputs.email.value = v.email ?? '';
    inputs.phone.value = v.phone ?? '';
    active.checked = v.isActive ?? true;
    syncActiveText();
  }

  function syncActiveText() {
    activeText.textContent = active.checked ? 'Active' : 'Inactive';
  }

  /** Shows `list` ([{field, message}]) on the touched fields; clears the others. */
  function show(list) {
    for (const f of FIELDS) {
      const problem = touched.has(f) ? list.find((e) => e.field === f) : null;
      errors[f].textContent = problem ? problem.message : '';
      errors[f].hidden = !problem;
      if (problem) inputs[f].setAttribute('aria-invalid', 'true');
      else inputs[f].removeAttribute('aria-invalid');
    }
  }

  function showPhoneHint(check) {
    const typed = inputs.phone.value.trim();
    phoneHint.textContent = typed && check.phoneInternational
      ? `Saved as ${check.phoneInternational}`
      : PHONE_HINT;
  }

  /** Asks the Rust side; the newest answer wins (an older one arriving late is dropped). */
  async function check() {
    const mine = ++seq;
    const result = await api.validateCustomer(read());
    if (mine === seq) {
      lastCheck = result;
      show(result.errors);
      showPhoneHint(result);
    }
    return result;
  }

  const checkSoon = debounce(() => check().catch(() => {}), 60);

  for (const f of FIELDS) {
    inputs[f].addEventListener('input', () => {
      onChange();
      if (touched.has(f) || f === 'phone') checkSoon();
    });
    inputs[f].addEventListener('blur', () => {
      // Leaving an untouched empty field says nothing yet; leaving one with text checks it.
      if (!touched.has(f) && inputs[f].value.trim() === '' && !inputs[f].dataset.edited) return;
      touched.add(f);
      checkSoon();
    });
    inputs[f].addEventListener('change', () => { inputs[f].dataset.edited = '1'; });
  }
  active.addEventListener('change', () => {
    syncActiveText();
    onChange();
  });

  write(values);

  return {
    el,
    inputs: { ...inputs, active },
    read,
    /** Replaces the values; `keepEdited` keeps fields whose value differs from `previous`. */
    write(v, { previous = null } = {}) {
      if (!previous) return write(v);
      const now = read();
      write({
        name: now.name === previous.name ? v.name : now.name,
        email: now.email === previous.email ? v.email : now.email,
        phone: now.phone === previous.phone ? v.phone : now.phone,
        isActive: now.isActive === previous.isActive ? v.isActive : now.isActive,
      });
    },
    /** Checks every field and shows every message; resolves to the check. */
    async validateAll() {
      checkSoon.cancel();
      FIELDS.forEach((f) => touched.add(f));
      return check();
    },
    /** A refusal from a command: under its field when it names one; true when shown there. */
    showError(err) {
      if (!FIELDS.includes(err?.field)) return false;
      touched.add(err.field);
      show([...lastCheck.errors.filter((e) => e.field !== err.field), { field: err.field, message: err.message }]);
      inputs[err.field].focus();
      return true;
    },
    focusFirstInvalid(list) {
      const first = FIELDS.find((f) => list.some((e) => e.field === f));
      if (first) {
        inputs[first].focus();
        inputs[first].select();
      }
    },
    reset() {
      touched.clear();
      FIELDS.forEach((f) => delete inputs[f].dataset.edited);
      lastCheck = { errors: [], phoneInternational: null };
      show([]);
      showPhoneHint(lastCheck);
    },
    setDisabled(disabled) {
      for (const input of [...Object.values(inputs), active]) input.disabled = disabled;
    },
  };
}

/**
 * The New organisation dialog. Resolves to the created (pending) CustomerRow, or null when
 * cancelled.
 */
export function newOrganizationDialog() {
  document.getElementById('new-org-dialog')?.close();
  return new Promise((resolve) => {
    let created = null;
    const fields = customerFields({
      prefix: 'org-form',
      values: { name: '', email: '', phone: '', isActive: true },
    });
    const banner = h('div', { id: 'org-form-error', class: 'banner banner-error', role: 'alert', hidden: true });
    const submit = h('button', { id: 'org-form-submit', type: 'submit', class: 'button primary' }, 'Create organisation');
    const cancel = h('button', { id: 'org-form-cancel', type: 'button', class: 'button secondary' }, 'Cancel');
    const form = h('form', { id: 'org-form', class: 'dialog-form', novalidate: true },
      h('h2', { id: 'new-org-title', class: 'dialog-title' }, 'New organisation'),
      h('p', { class: 'muted small' }, 'It is added to your list now and sent to Scriptix right away (when offline, as soon as the connection returns); it shows as pending until Scriptix has it.'),
      fields.el,
      banner,
      h('div', { class: 'dialog-actions' }, cancel, submit));
    const dialog = h('dialog', { id: 'new-org-dialog', class: 'dialog dialog-wide', 'aria-labelledby': 'new-org-title' }, form);

    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(created);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      banner.hidden = true;
      submit.disabled = true;
      try {
        const check = await fields.validateAll();
        if (check.errors.length) {
          fields.focusFirstInvalid(check.errors);
          return;
        }
        created = await api.createCustomer(fields.read());
        dialog.close();
      } catch (err) {
        if (!fields.showError(err)) {
          banner.textContent = err.message;
          banner.dataset.code = err.code;
          banner.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    });

    openModal(dialog, fields.inputs.name);
  });
}
