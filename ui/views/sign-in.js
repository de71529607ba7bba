// The sign-in screen: API address, token, header style; the demo; the no-access screen; and the
// question asked when the system keychain cannot keep the token (#keychain-question, with
// #keep-token-in-file and #sign-in-without-remembering).

import { showAbout } from './about.js';
import { h } from '../dom.js';

const FIELDS = { baseUrl: 'base-url', token: 'token' };

/**
 * initial: {baseUrl, authStyle}; error: an IPC error to show at once, or null;
 * onSignIn({baseUrl, token, authStyle, keep?}) and onDemo(): promises that reject with an IPC
 * error. adding: the name of the account shown until now, while another is added; onCancel()
 * returns to it (#cancel-add-account).
 */
export function signInView({ initial, error, onSignIn, onDemo, adding = null, onCancel = null }) {
  const card = h('div', { class: 'auth-card' });
  const el = h('main', { class: 'auth' }, card);
  let form = initial;
  const view = { name: 'sign-in', el, mounted: () => {} };

  function showForm(err) {
    const f = buildForm(form, {
      onSignIn, onDemo, onNoAccess: showNoAccess, onKeychain: askWhereToKeep, remember: (v) => { form = v; }, adding, onCancel,
    });
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

  /** The keychain did not take the token and nothing was kept: the user chooses, then the same
   * sign-in runs again with that choice. */
  function askWhereToKeep(err, values) {
    const inFile = h('button', { id: 'keep-token-in-file', type: 'button', class: 'button primary' },
      'Keep it in a private file');
    const notRemembered = h('button', { id: 'sign-in-without-remembering', type: 'button', class: 'button secondary' },
      'Sign in without remembering');
    const choose = async (button, keep) => {
      inFile.disabled = true;
      notRemembered.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        await onSignIn({ ...values, keep });
      } catch (e) {
        showForm(e);
      }
    };
    inFile.addEventListener('click', () => choose(inFile, 'file'));
    notRemembered.addEventListener('click', () => choose(notRemembered, 'notRemembered'));
    card.replaceChildren(
      h('section', { id: 'keychain-question', class: 'no-access', 'aria-labelledby': 'keychain-title' },
        h('div', { class: 'no-access-icon', 'aria-hidden': 'true' }, '?'),
        h('h1', { id: 'keychain-title' }, 'Where should the token be kept?'),
        h('p', { id: 'keychain-message', dataset: { code: err.code } }, err.message),
        h('p', { class: 'muted' },
          'A private file can be read only by your user account on this computer. Without remembering, the app asks for the token again at the next start.'),
        h('div', { class: 'actions' }, inFile, notRemembered)));
    inFile.focus();
  }

  view.mounted = () => showForm(error);
  return view;
}

function buildForm(initial, { onSignIn, onDemo, onNoAccess, onKeychain, remember, adding, onCancel }) {
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

  const cancel = onCancel && h('button', {
    id: 'cancel-add-account', type: 'button', class: 'button secondary wide', onclick: () => onCancel(),
  }, `Back to ${adding}`);
  const formEl = h('form', { id: 'sign-in-form', novalidate: true, 'aria-labelledby': 'sign-in-title' },
    fields, banner, h('div', { class: 'actions' }, submit), cancel);

  const el = h('div', { class: 'sign-in' },
    h('header', { class: 'auth-head' },
      h('img', { class: 'auth-mark', src: 'assets/mark.svg', alt: '', width: '48', height: '48' }),
      h('h1', { id: 'sign-in-title' }, adding ? 'Add an account' : 'Sign in to Scriptix Reseller'),
      h('p', { class: 'muted' }, adding
        ? `Another reseller account, with its own API token (another organisation or server). ${adding} stays signed in and keeps syncing.`
        : 'Manage the organisations you sell Scriptix speech-to-text to.')),
    formEl,
    // A build without the demo (`--no-default-features`) offers none.
    onDemo && h('div', { class: 'divider', role: 'separator' }, h('span', {}, 'or')),
    onDemo && demo,
    onDemo && h('p', { class: 'hint center' }, 'The demo runs a local sandbox with sample customers; nothing leaves this computer.'),
    h('button', { id: 'about', type: 'button', class: 'about-link center', onclick: () => showAbout() }, 'About and diagnostics'));

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

  /** Runs `work` with the form locked and `button` showing progress. `v`: the form's values,
   * for asking where to keep the token. */
  async function busy(button, label, work, v = null) {
    const original = button.textContent;
    fields.disabled = true;
    submit.disabled = true;
    demo.disabled = true;
    if (cancel) cancel.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
    clearErrors();
    try {
      await work();
    } catch (err) {
      fields.disabled = false;
      submit.disabled = false;
      demo.disabled = false;
      if (cancel) cancel.disabled = false;
      button.removeAttribute('aria-busy');
      button.replaceChildren(original);
      if (err?.code === 'no_reseller_access') onNoAccess(err);
      else if (err?.code === 'keychain_unavailable' && v) onKeychain(err, v);
      else showError(err);
    }
  }

  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    const v = values();
    remember({ baseUrl: v.baseUrl, authStyle: v.authStyle });
    busy(submit, 'Signing in…', () => onSignIn(v), v);
  });
  demo.addEventListener('click', () => busy(demo, 'Starting the demo…', onDemo));

  return {
    el,
    showError,
    focusFirst: () => (baseUrl.value ? token : baseUrl).focus(),
  };
}
