// The sign-in screen: API address, token, header style; the demo; and the no-access screen.

import { h } from '../dom.js';

const FIELDS = { baseUrl: 'base-url', token: 'token' };

/**
 * initial: {baseUrl, authStyle}; error: an IPC error to show at once, or null;
 * onSignIn({baseUrl, token, authStyle}) and onDemo(): promises that reject with an IPC error.
 */
export function signInView({ initial, error, onSignIn, onDemo }) {
  const card = h('div', { class: 'auth-card' });
  const el = h('main', { class: 'auth' }, card);
  let form = initial;
  const view = { name: 'sign-in', el, mounted: () => {} };

  function showForm(err) {
    const f = buildForm(form, { onSignIn, onDemo, onNoAccess: showNoAccess, remember: (v) => { form = v; } });
    card.replaceChildren(f.el);
    if (err?.code === 'no_reseller_access') return showNoAccess(err);
    if (err) f.showError(err);
    else f.focusFirst();
  }

  function showNoAccess(err) {
    const again = h('button', {
      id: 'use-another-token', type: 'button', class: 'button primary',
      onclick: () => showForm(null),
    }, 'Sign in with another token');
    card.replaceChildren(
      h('section', { id: 'no-access', class: 'no-access', 'aria-labelledby': 'no-access-title' },
        h('div', { class: 'no-access-icon', 'aria-hidden': 'true' }, '!'),
        h('h1', { id: 'no-access-title' }, 'No reseller access'),
        h('p', { id: 'no-access-message', dataset: { code: err.code } }, err.message),
        h('p', { class: 'muted' },
          'This app manages the customers of a Scriptix reseller. Use an API token of an account in your reseller organisation.'),
        h('div', { class: 'actions' }, again)));
    again.focus();
  }

  view.mounted = () => showForm(error);
  return view;
}

function buildForm(initial, { onSignIn, onDemo, onNoAccess, remember }) {
  const baseUrl = h('input', {
    id: 'base-url', name: 'baseUrl', type: 'url', value: initial.baseUrl,
    autocomplete: 'url', spellcheck: 'false', autocapitalize: 'off', required: true,
    'aria-describedby': 'base-url-error',
  });
  const token = h('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'off',
    spellcheck: 'false', required: true, 'aria-describedby': 'token-hint token-error',
  });
  const styleChoice = (value, label, hint) => h('label', { class: 'choice' },
    h('input', {
      type: 'radio', name: 'authStyle', value, id: `auth-style-${value}`,
      checked: initial.authStyle === value,
    }),
    h('span', {}, h('span', { class: 'choice-label' }, label), h('span', { class: 'muted small' }, hint)));
  const advanced = h('details', { id: 'advanced', class: 'advanced', open: initial.authStyle !== 'zoomKey' },
    h('summary', {}, 'Advanced'),
    h('fieldset', { class: 'choices' },
      h('legend', {}, 'Send the token in the header'),
      styleChoice('zoomKey', 'x-zoom-s2t-key', 'The reseller API’s documented header (default)'),
      styleChoice('bearer', 'Authorization: Bearer', 'For servers that expect a bearer token')));
  const fieldErrors = {
    baseUrl: h('p', { id: 'base-url-error', class: 'field-error', role: 'alert', hidden: true }),
    token: h('p', { id: 'token-error', class: 'field-error', role: 'alert', hidden: true }),
  };
  const banner = h('div', { id: 'error', class: 'banner banner-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'sign-in', type: 'submit', class: 'button primary wide' }, 'Sign in');
  const demo = h('button', { id: 'try-demo', type: 'button', class: 'button secondary wide' }, 'Try the demo');
  const fields = h('fieldset', { class: 'fields' },
    h('div', { class: 'field' },
      h('label', { for: 'base-url' }, 'API address'),
      baseUrl, fieldErrors.baseUrl),
    h('div', { class: 'field' },
      h('label', { for: 'token' }, 'API token'),
      token,
      h('p', { id: 'token-hint', class: 'hint' }, 'Sent only to the API address above.'),
      fieldErrors.token),
    advanced);

  const formEl = h('form', { id: 'sign-in-form', novalidate: true, 'aria-labelledby': 'sign-in-title' },
    fields, banner, h('div', { class: 'actions' }, submit));

  const el = h('div', { class: 'sign-in' },
    h('header', { class: 'auth-head' },
      h('img', { class: 'auth-mark', src: 'assets/mark.svg', alt: '', width: '48', height: '48' }),
      h('h1', { id: 'sign-in-title' }, 'Sign in to Scriptix Reseller'),
      h('p', { class: 'muted' }, 'Manage the organisations you sell Scriptix speech-to-text to.')),
    formEl,
    h('div', { class: 'divider', role: 'separator' }, h('span', {}, 'or')),
    demo,
    h('p', { class: 'hint center' }, 'The demo runs a local sandbox with sample customers; nothing leaves this computer.'));

  const values = () => ({
    baseUrl: baseUrl.value,
    token: token.value,
    authStyle: formEl.querySelector('input[name="authStyle"]:checked')?.value ?? 'zoomKey',
  });

  function clearErrors() {
    banner.hidden = true;
    banner.replaceChildren();
    for (const [key, p] of Object.entries(fieldErrors)) {
      p.hidden = true;
      p.replaceChildren();
      delete p.dataset.code;
      document.getElementById(FIELDS[key])?.removeAttribute('aria-invalid');
    }
  }

  function showError(err) {
    clearErrors();
    const slot = fieldErrors[err.field];
    if (slot) {
      slot.textContent = err.message;
      slot.dataset.code = err.code;
      slot.hidden = false;
      const input = err.field === 'baseUrl' ? baseUrl : token;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      input.select?.();
    } else {
      banner.dataset.code = err.code;
      banner.textContent = err.message;
      banner.hidden = false;
      (err.code === 'unauthorized' || err.code === 'forbidden' ? token : baseUrl).focus();
    }
  }

  /** Runs `work` with the form locked and `button` showing progress. */
  async function busy(button, label, work) {
    const original = button.textContent;
    fields.disabled = true;
    submit.disabled = true;
    demo.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
    clearErrors();
    try {
      await work();
    } catch (err) {
      fields.disabled = false;
      submit.disabled = false;
      demo.disabled = false;
      button.removeAttribute('aria-busy');
      button.replaceChildren(original);
      if (err?.code === 'no_reseller_access') onNoAccess(err);
      else showError(err);
    }
  }

  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    const v = values();
    remember({ baseUrl: v.baseUrl, authStyle: v.authStyle });
    busy(submit, 'Signing in…', () => onSignIn(v));
  });
  demo.addEventListener('click', () => busy(demo, 'Starting the demo…', onDemo));

  return {
    el,
    showError,
    focusFirst: () => (baseUrl.value ? token : baseUrl).focus(),
  };
}
