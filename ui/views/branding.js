// Branding (resellers only): the logo, chosen in the native file dialog and processed in Rust,
// and the brand colour, from the native colour picker or a hex field. Both apply to the whole
// interface at once (`applyBranding`): the logo in the navigation, the colour as CSS variables
// whose values, including the text colour on the brand colour (at least 4.5:1), come computed
// from Rust (reseller_core::branding::colour, the one source of truth). Changes go through the
// outbox: they show at once, offline too, and reach Scriptix when the connection allows.
//
// Ids: #branding (the view), #branding-as-of; logo: #branding-logo-preview with
// #branding-logo-img or #branding-logo-empty, #branding-logo-info, #branding-logo-pending,
// #branding-choose-logo, #branding-cancel-logo (shown while a file is processed),
// #branding-remove-logo (asks first), #branding-logo-error;
// colour: #branding-colour-picker (input type=color: previewed while dragging, kept on change), #branding-colour-hex (text, applied on
// Enter or leaving the field), #branding-colour-apply, #branding-reset-colour,
// #branding-colour-error, #branding-colour-pending, #branding-sample (a button in the brand
// colour) and #branding-contrast; #branding-refused (the server refused a change) with
// #branding-discard. The navigation's logo is #nav-logo (shell.js).

import { h } from '../dom.js';
import * as api from '../api.js';
import { ask, toast } from './dialog.js';
import { asOfText } from './tabs/manage-common.js';

/** The app's own brand colour (styles.css), shown in the picker when no colour is set. */
const DEFAULT_COLOUR = '#0E5A63';
/** The CSS variables a brand colour sets, by BrandTheme field (see styles.css, "Branding"). */
const VARIABLES = {
  brand: '--brand',
  brandHover: '--brand-hover',
  onBrand: '--on-brand',
  brandSoftLight: '--brand-soft-light',
  brandSoftDark: '--brand-soft-dark',
  brandInkLight: '--brand-ink-light',
  brandInkDark: '--brand-ink-dark',
};

/**
 * Applies a BrandingView (or null: the app's defaults) to the whole window: the CSS variables
 * on the root element and the navigation's logo.
 */
export function applyBranding(view) {
  applyTheme(view?.theme ?? null);

  const logo = document.getElementById('nav-logo');
  if (logo) {
    const brand = logo.closest('.sidebar-brand');
    if (view?.logo) {
      logo.src = view.logo.dataUrl;
      logo.removeAttribute('width');
      logo.removeAttribute('height');
      logo.alt = 'Logo';
      brand?.classList.add('has-logo');
    } else {
      logo.src = 'assets/mark.svg';
      logo.width = 28;
      logo.height = 28;
      logo.alt = '';
      brand?.classList.remove('has-logo');
    }
  }
}

/** Sets the CSS variables of a BrandTheme (null: the stylesheet's defaults). */
function applyTheme(theme) {
  const root = document.documentElement;
  for (const [field, variable] of Object.entries(VARIABLES)) {
    if (theme) root.style.setProperty(variable, theme[field]);
    else root.style.removeProperty(variable);
  }
  if (theme) root.dataset.branded = '';
  else delete root.dataset.branded;
}

/** Reads the branding and applies it (at start, and when the sync brought a new one). */
export async function refreshBranding() {
  try {
    const view = await api.getBranding();
    applyBranding(view);
    return view;
  } catch {
    // Signed out meanwhile, or the cache is unavailable: the defaults stay.
    return null;
  }
}

const typeName = (contentType) => (contentType ?? '').replace(/^image\//, '').replace('svg+xml', 'SVG').toUpperCase();

/** isOnline(): whether the engine is online (for the "as of" line). */
export function brandingView({ isOnline = () => true } = {}) {
  let view = null;

  const asOf = h('p', { id: 'branding-as-of', class: 'as-of muted small', 'aria-live': 'polite' });

  // ---- logo ----
  const logoImg = h('img', { id: 'branding-logo-img', alt: 'Your logo', hidden: true });
  const logoEmpty = h('div', { id: 'branding-logo-empty', class: 'branding-logo-empty' },
    h('strong', {}, 'No logo yet'),
    h('span', { class: 'muted small' }, 'PNG, JPEG, GIF, WebP, BMP, TIFF, ICO or SVG. It is fitted inside 512 × 512 pixels.'));
  const preview = h('div', { id: 'branding-logo-preview', class: 'branding-logo-preview' }, logoImg, logoEmpty);
  const logoInfo = h('p', { id: 'branding-logo-info', class: 'muted small' });
  const logoPending = h('span', { id: 'branding-logo-pending', class: 'badge badge-pending', hidden: true }, 'Waiting to upload');
  const logoError = h('p', { id: 'branding-logo-error', class: 'field-error', role: 'alert', hidden: true });
  const choose = h('button', { id: 'branding-choose-logo', type: 'button', class: 'button primary' }, 'Choose logo…');
  const cancel = h('button', { id: 'branding-cancel-logo', type: 'button', class: 'button secondary', hidden: true }, 'Cancel');
  const remove = h('button', { id: 'branding-remove-logo', type: 'button', class: 'button danger-outline' }, 'Remove logo');

  // ---- colour ----
  const picker = h('input', { id: 'branding-colour-picker', type: 'color', 'aria-label': 'Brand colour picker' });
  const hex = h('input', {
    id: 'branding-colour-hex', type: 'text', inputmode: 'text', maxlength: '9', spellcheck: 'false',
    autocomplete: 'off', placeholder: '#1A73E8', 'aria-describedby': 'branding-colour-error branding-contrast',
  });
  const apply = h('button', { id: 'branding-colour-apply', type: 'button', class: 'button secondary' }, 'Apply');
  const reset = h('button', { id: 'branding-reset-colour', type: 'button', class: 'button secondary' }, 'Reset to default');
  const colourError = h('p', { id: 'branding-colour-error', class: 'field-error', role: 'alert', hidden: true });
  const colourPending = h('span', { id: 'branding-colour-pending', class: 'badge badge-pending', hidden: true }, 'Waiting to sync');
  const sample = h('button', { id: 'branding-sample', type: 'button', class: 'button primary', tabindex: '-1', 'aria-hidden': 'true' }, 'Primary button');
  const contrast = h('p', { id: 'branding-contrast', class: 'muted small' });

  const refusedText = h('span', {});
  const discard = h('button', { id: 'branding-discard', type: 'button', class: 'button secondary small-button' }, 'Discard');
  const refused = h('div', { id: 'branding-refused', class: 'banner banner-error', role: 'alert', hidden: true }, refusedText, discard);

  const el = h('section', { id: 'branding', class: 'view page-view branding-view', 'aria-labelledby': 'branding-title' },
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', { id: 'branding-title' }, 'Branding'), asOf)),
    h('p', { class: 'lede muted' }, 'Your logo and brand colour, shown in this app and kept with your Scriptix account.'),
    refused,
    h('div', { class: 'branding-grid' },
      h('section', { class: 'card branding-card', 'aria-labelledby': 'branding-logo-title' },
        h('div', { class: 'branding-card-head' }, h('h2', { id: 'branding-logo-title', class: 'branding-h2' }, 'Logo'), logoPending),
        preview, logoInfo, logoError,
        h('div', { class: 'branding-actions' }, choose, cancel, remove)),
      h('section', { class: 'card branding-card', 'aria-labelledby': 'branding-colour-title' },
        h('div', { class: 'branding-card-head' }, h('h2', { id: 'branding-colour-title', class: 'branding-h2' }, 'Brand colour'), colourPending),
        h('div', { class: 'field' },
          h('label', { for: 'branding-colour-hex' }, 'Colour'),
          h('div', { class: 'branding-colour-row' }, picker, hex, apply)),
        colourError,
        h('div', { class: 'branding-sample-row' }, sample, contrast),
        h('div', { class: 'branding-actions' }, reset))));

  function showError(node, input, error) {
    node.textContent = error ? error.message : '';
    node.hidden = !error;
    if (input) {
      if (error) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  function render(next) {
    view = next;
    applyBranding(view);
    const online = isOnline();
    asOf.textContent = view.asOf.unsupported
      ? 'This Scriptix server does not offer branding, so changes here cannot be saved there.'
      : asOfText(view.asOf, online);

    const logo = view.logo;
    logoImg.hidden = !logo;
    logoEmpty.hidden = Boolean(logo);
    if (logo) {
      logoImg.src = logo.dataUrl;
      const size = logo.dimensionsText ? `${logo.dimensionsText}, ` : '';
      logoInfo.textContent = `${size}${typeName(logo.contentType)}, ${logo.sizeText}`;
    } else {
      logoImg.removeAttribute('src');
      logoInfo.textContent = view.logoProblem
        ?? (view.logoMissing ? 'Your logo is on Scriptix but not downloaded yet.' : '');
    }
    remove.disabled = !logo;
    logoPending.hidden = !view.logoPending || Boolean(view.logoError);

    const colour = view.brandColor ?? DEFAULT_COLOUR;
    picker.value = colour.toLowerCase();
    // What the user typed stays while it is being typed or is refused (bad input loses nothing).
    if (document.activeElement !== hex && hex.getAttribute('aria-invalid') !== 'true') {
      hex.value = view.brandColor ?? '';
      showError(colourError, hex, null);
    }
    hex.placeholder = view.brandColor ? '#1A73E8' : `${DEFAULT_COLOUR} (default)`;
    reset.disabled = !view.brandColor;
    colourPending.hidden = !view.colourPending || Boolean(view.colourError);
    contrast.textContent = view.theme
      ? `Text on it: ${view.theme.onBrand === '#FFFFFF' ? 'white' : 'dark'}, contrast ${view.theme.contrastText}.`
      : 'The app’s own colours.';

    const problems = [
      view.logoError && `The logo was not accepted: ${view.logoError}`,
      view.colourError && `The brand colour was not accepted: ${view.colourError}`,
    ].filter(Boolean);
    refusedText.textContent = problems.join(' ');
    refused.hidden = problems.length === 0;
  }

  /** The cached copy at once; then, when it is missing or stale and the server can be
   * reached, the server's (the prefetch may be busy with other organisations). */
  let refreshing = false;
  async function load() {
    try {
      render(await api.getBranding());
    } catch (error) {
      asOf.textContent = error.message;
      return;
    }
    const due = !view.asOf.unsupported && (!view.asOf.fetchedAt || view.asOf.state === 'stale');
    if (!due || !isOnline() || refreshing) return;
    refreshing = true;
    try {
      render(await api.refreshBranding());
    } catch (error) {
      asOf.textContent = error.message;
    } finally {
      refreshing = false;
    }
  }

  /** Runs a change; on success renders its answer, on failure shows the message at `node`. */
  async function change(run, node, input, button = null) {
    if (button) button.disabled = true;
    try {
      const next = await run();
      showError(node, input, null);
      if (next) render(next);
      return true;
    } catch (error) {
      showError(node, input, error);
      return false;
    } finally {
      if (button) button.disabled = false;
      if (button === remove) remove.disabled = !view?.logo;
    }
  }

  choose.addEventListener('click', async () => {
    const label = choose.textContent;
    choose.textContent = 'Processing…';
    choose.setAttribute('aria-busy', 'true');
    cancel.hidden = false;
    cancel.disabled = false;
    await change(() => api.chooseLogo(), logoError, null, choose);
    cancel.hidden = true;
    choose.textContent = label;
    choose.removeAttribute('aria-busy');
  });

  // Stops the file being processed; chooseLogo then rejects with the plain message, and the
  // current logo stays.
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await api.cancelLogo();
    } catch {
      // Signed out meanwhile: nothing runs any more.
    }
  });

  remove.addEventListener('click', async () => {
    const yes = await ask({
      title: 'Remove the logo?',
      message: 'The navigation shows the Scriptix mark again, and the logo is removed from your Scriptix account.',
      actions: [{ id: 'branding-remove-confirm', label: 'Remove logo', kind: 'danger', value: true }],
    });
    if (!yes) return;
    if (await change(() => api.removeLogo(), logoError, null, remove)) toast('Logo removed.');
  });

  // The picker reports every step of a drag ('input'): each is previewed at once, nothing
  // kept; the colour chosen when the picker closes ('change') is kept and sent. One call at a
  // time, the latest value winning.
  let busy = false;
  let queued = null;
  async function latest(value, run) {
    queued = { value, run };
    if (busy) return;
    busy = true;
    while (queued !== null) {
      const next = queued;
      queued = null;
      await next.run(next.value);
    }
    busy = false;
  }
  const sendColour = (value, input) => latest(value, (v) => change(() => api.setBrandColour(v), colourError, input));
  picker.addEventListener('input', () => {
    hex.value = picker.value.toUpperCase();
    showError(colourError, hex, null);
    latest(picker.value, async (v) => {
      try {
        applyTheme(await api.previewBrandColour(v));
      } catch {
        // The picker only gives valid colours; nothing to preview otherwise.
      }
    });
  });
  picker.addEventListener('change', () => sendColour(picker.value, null));
  const applyHex = () => {
    if (hex.value.trim() === (view?.brandColor ?? '')) return;
    if (!hex.value.trim()) {
      showError(colourError, hex, { message: 'Type a colour, for example #1A73E8, or use Reset to default.' });
      return;
    }
    sendColour(hex.value, hex);
  };
  hex.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      applyHex();
    }
  });
  hex.addEventListener('change', applyHex);
  apply.addEventListener('click', applyHex);
  reset.addEventListener('click', async () => {
    await change(() => api.resetBrandColour(), colourError, hex, reset);
  });
  discard.addEventListener('click', () => change(() => api.discardBrandingChanges(), logoError, null, discard));

  return {
    name: 'branding',
    title: 'Branding',
    el,
    shown: load,
    onCacheChanged(change) {
      if (change.detailsChanged) load();
    },
    onStatus: () => (view ? render(view) : undefined),
  };
}
