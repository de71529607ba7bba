// One organisation: its details, editable, with Save and Discard once something differs from
// what is stored; its sync state with the server's words and "Discard my change"; and five
// tabs (contents arrive in a later issue: each shows a placeholder until `tabPanels` has it).
//
// Ids: #org-page (data-id), #back-to-list, #org-title, #org-status-pill, #org-sync-state
// (.sync-badge), #org-id, #org-registered, #org-phone-display, #delete-org; #org-sync-banner
// (data-state pending|failed|conflict) with #org-error (the server's words) and
// #discard-change, and .conflict items (see conflicts.js); #org-form with the fields
// #org-name, #org-email, #org-phone, #org-active (and #org-*-error), #save-org and #discard-org
// (both hidden until something changed), #org-form-error; #org-tabs (tablist) with #tab-subscription,
// #tab-usage, #tab-tokens, #tab-users, #tab-transcriptions; #org-tab-panel (tabpanel,
// data-tab); #org-gone when the organisation no longer exists.

import { h, isTyping, primaryModifier } from '../dom.js';
import * as api from '../api.js';
import { customerFields } from './customer-form.js';
import { conflictItem } from './conflicts.js';
import { ask, quoted, toast } from './dialog.js';
import { confirmAndDelete, statusPill, syncBadge } from './organizations.js';
import { usagePanel } from './tabs/usage.js';
import { transcriptionsPanel } from './tabs/transcriptions.js';
import { subscriptionPanel } from './tabs/subscription.js';
import { tokensPanel } from './tabs/tokens.js';
import { usersPanel } from './tabs/users.js';

export const TABS = [
  { key: 'subscription', label: 'Subscription', about: 'The plan this organisation is on, its limits and when it renews.' },
  { key: 'usage', label: 'Usage', about: 'Minutes transcribed per day, week, month or year, split by language, token or subscription.' },
  { key: 'tokens', label: 'Tokens', about: 'The API tokens this organisation uses: create them, see them and revoke them.' },
  { key: 'users', label: 'Users', about: 'The people in this organisation, their roles and when they last signed in.' },
  { key: 'transcriptions', label: 'Transcriptions', about: 'The files transcribed for this organisation and how far each has got.' },
];

/**
 * Tab contents by key, filled in by later issues: ({customerId, online}) => {el, refresh?(),
 * destroy?()}. `refresh` runs when the cache says detail data changed.
 */
export const tabPanels = {};
tabPanels.usage = usagePanel;
tabPanels.transcriptions = transcriptionsPanel;
tabPanels.subscription = subscriptionPanel;
tabPanels.tokens = tokensPanel;
tabPanels.users = usersPanel;

function placeholderPanel({ tab }) {
  return {
    el: h('div', { class: 'tab-placeholder' },
      h('h2', {}, tab.label),
      h('p', { class: 'muted' }, tab.about),
      h('p', { class: 'muted small' }, 'This tab is being built; it arrives in a coming version.')),
  };
}

const formOf = (row) => ({
  name: row.name,
  email: row.email,
  phone: row.phoneDisplay ?? '',
  isActive: row.isActive,
});

/**
 * id: the organisation; row: its list row when known (shown at once); tab: the tab to start on;
 * onBack(): to the list; onIdChanged(id): a local create got its server id; onTab(key);
 * isOnline(): whether the last sync status said online.
 */
export function organizationView({ id, row = null, tab = 'subscription', onBack, onIdChanged, onTab, isOnline }) {
  let customerId = id;
  let stored = null;
  let storedForm = null;
  let seq = 0;
  let saving = false;
  let dirty = false;
  let dirtySeq = 0;
  let currentTab = TABS.some((t) => t.key === tab) ? tab : TABS[0].key;
  let panel = null;

  // ---- header ----

  const back = h('button', { id: 'back-to-list', type: 'button', class: 'link-button back', 'aria-keyshortcuts': 'Alt+ArrowLeft' },
    h('span', { 'aria-hidden': 'true' }, '← '), 'Organisations');
  const title = h('h1', { id: 'org-title', class: 'org-title' });
  const pillSlot = h('span', { class: 'pill-slot' });
  const badgeSlot = h('span', { class: 'badge-slot' });
  const idText = h('span', { id: 'org-id' });
  const registered = h('span', { id: 'org-registered' });
  const phoneDisplay = h('span', { id: 'org-phone-display', class: 'phone' });
  const deleteButton = h('button', { id: 'delete-org', type: 'button', class: 'button danger-outline' }, 'Delete…');

  const head = h('header', { class: 'org-head' },
    h('div', { class: 'org-head-main' },
      h('div', { class: 'org-title-line' }, title, pillSlot, badgeSlot),
      h('p', { class: 'org-meta muted' }, idText, registered, phoneDisplay)),
    h('div', { class: 'org-head-actions' }, deleteButton));

  // ---- sync state ----

  const bannerText = h('p', { class: 'banner-text' });
  const serverError = h('p', { id: 'org-error', class: 'server-words', hidden: true });
  const discardChange = h('button', { id: 'discard-change', type: 'button', class: 'button small-button secondary' }, 'Discard my change');
  const conflictList = h('ul', { class: 'conflict-list' });
  const banner = h('div', { id: 'org-sync-banner', class: 'banner sync-banner', role: 'status', hidden: true },
    h('div', { class: 'sync-banner-body' }, bannerText, serverError, conflictList),
    h('div', { class: 'sync-banner-actions' }, discardChange));

  // ---- the form ----

  const fields = customerFields({
    prefix: 'org',
    values: { name: row?.name ?? '', email: row?.email ?? '', phone: row?.phoneDisplay ?? '', isActive: row?.isActive ?? true },
    onChange: updateDirty,
  });
  const saveButton = h('button', {
    id: 'save-org', type: 'submit', class: 'button primary', hidden: true,
    title: 'Save the changes (Ctrl+S)', 'aria-keyshortcuts': 'Control+S Meta+S',
  }, 'Save');
  const discardButton = h('button', { id: 'discard-org', type: 'button', class: 'button secondary', hidden: true, title: 'Put back the stored values' }, 'Discard');
  const formError = h('div', { id: 'org-form-error', class: 'banner banner-error', role: 'alert', hidden: true });
  // Save and Discard sit beside the status switch, so showing them moves nothing else.
  fields.el.querySelector('.field-active').append(h('div', { class: 'form-actions' }, discardButton, saveButton));
  const form = h('form', { id: 'org-form', class: 'card org-form', novalidate: true, 'aria-label': 'Organisation details' },
    fields.el,
    formError);

  // ---- tabs ----

  const tabButtons = TABS.map((t) => h('button', {
    id: `tab-${t.key}`, type: 'button', role: 'tab', class: 'tab',
    'aria-controls': 'org-tab-panel', dataset: { tab: t.key },
  }, t.label));
  const tabList = h('div', { id: 'org-tabs', class: 'tab-list', role: 'tablist', 'aria-label': 'Organisation' }, tabButtons);
  const tabPanel = h('div', { id: 'org-tab-panel', class: 'tab-panel', role: 'tabpanel', tabindex: '0' });

  const gone = h('div', { id: 'org-gone', class: 'empty', hidden: true },
    h('p', { class: 'empty-title' }, 'This organisation is no longer there.'),
    h('p', { class: 'muted' }, 'It was deleted, here or on Scriptix.'));

  const content = h('div', { class: 'org-content' }, head, banner, form, h('nav', { class: 'tabs', 'aria-label': 'Organisation sections' }, tabList), tabPanel);
  const el = h('section', {
    id: 'org-page', class: 'view page-view org-page', tabindex: '-1',
    dataset: { id: String(customerId) }, 'aria-labelledby': 'org-title',
  },
    h('div', { class: 'crumbs' }, back), content, gone);

  // ---- rendering ----

  function renderHead(phoneText) {
    title.textContent = stored.name;
    pillSlot.replaceChildren(statusPill(stored.isActive, { id: 'org-status-pill' }));
    badgeSlot.replaceChildren(syncBadge(stored.syncState, { id: 'org-sync-state' }) ?? '');
    idText.textContent = stored.id > 0 ? `ID ${stored.id}` : 'Not on Scriptix yet';
    registered.textContent = `Registered ${stored.registrationDateText}`;
    registered.title = stored.registrationDateTitle;
    phoneDisplay.textContent = phoneText || '';
    phoneDisplay.hidden = !phoneText;
    el.dataset.id = String(stored.id);
    el.dataset.state = stored.syncState;
  }

  function renderBanner(error, conflicts) {
    const state = stored.syncState;
    banner.hidden = state === 'synced';
    banner.dataset.state = state;
    banner.className = `banner sync-banner sync-banner-${state}`;
    serverError.hidden = !error;
    serverError.textContent = error ?? '';
    discardChange.hidden = state === 'synced' || state === 'conflict';
    if (state === 'pending') {
      bannerText.textContent = isOnline()
        ? 'Saved on this computer; being sent to Scriptix.'
        : 'Saved on this computer; sent to Scriptix when the connection returns.';
    } else if (state === 'failed') {
      bannerText.textContent = 'Scriptix refused the last change. Fix it and save again, or discard it.';
    } else if (state === 'conflict') {
      bannerText.textContent = 'Changed here and on Scriptix since the last sync. Choose what to keep:';
    }
    conflictList.replaceChildren(...(state === 'conflict' ? conflicts : [])
      .map((c) => conflictItem(c, { onSettled: () => load() })));
  }

  function showDirty(changed) {
    dirty = changed;
    saveButton.hidden = !dirty;
    discardButton.hidden = !dirty;
    el.classList.toggle('dirty', dirty);
    if (!dirty) formError.hidden = true;
  }

  /**
   * Asks the core whether the form holds a change to what is stored, and shows Save and Discard
   * when it does (the newest question's answer is shown). Resolves to this question's answer.
   */
  async function updateDirty() {
    const mine = ++dirtySeq;
    let changed = false;
    if (storedForm) {
      try {
        changed = await api.customerFormChanged(storedForm, fields.read());
      } catch {
        changed = true; // unknown: Save stays offered (saving an unchanged form sends nothing)
      }
    }
    if (mine === dirtySeq) showDirty(changed);
    return changed;
  }

  /** customer: as the core shows it (its phoneDisplay already formatted). */
  function apply(customer, error, conflicts) {
    const previous = storedForm;
    stored = customer;
    storedForm = formOf(customer);
    if (previous) fields.write(storedForm, { previous });
    else fields.write(storedForm);
    renderHead(customer.phoneDisplay);
    renderBanner(error, conflicts);
    updateDirty();
  }

  async function load() {
    const mine = ++seq;
    let view;
    try {
      view = await api.getCustomer(customerId);
    } catch (err) {
      if (mine !== seq) return;
      if (err.code === 'not_found') {
        content.hidden = true;
        gone.hidden = false;
      } else {
        toast(`Could not read this organisation: ${err.message}`, { kind: 'error' });
      }
      return;
    }
    if (mine !== seq) return;
    content.hidden = false;
    gone.hidden = true;
    apply(view.customer, view.error, view.conflicts ?? []);
  }

  // ---- actions ----

  async function save() {
    if (saving || !stored) return;
    saving = true;
    saveButton.disabled = true;
    try {
      if (!await updateDirty()) return;
      formError.hidden = true;
      const check = await fields.validateAll();
      if (check.errors.length) {
        fields.focusFirstInvalid(check.errors);
        return;
      }
      const saved = await api.updateCustomer(customerId, fields.read());
      seq++; // an older read in flight must not undo this
      storedForm = null;
      fields.reset();
      apply(saved, null, []);
      toast(isOnline() ? 'Saved. Sending it to Scriptix…' : 'Saved on this computer. It goes to Scriptix when the connection returns.');
      load();
    } catch (err) {
      if (!fields.showError(err)) {
        formError.textContent = err.message;
        formError.dataset.code = err.code;
        formError.hidden = false;
      }
    } finally {
      saving = false;
      saveButton.disabled = false;
    }
  }

  function discardEdits() {
    if (!storedForm) return;
    fields.write(storedForm);
    fields.reset();
    updateDirty();
    fields.inputs.name.focus();
  }

  async function discardMyChange() {
    discardChange.disabled = true;
    try {
      const restored = await api.discardChanges(customerId);
      if (!restored) {
        toast(['Discarded ', quoted(stored.name), ': it was never on Scriptix.']);
        onBack();
        return;
      }
      storedForm = null;
      fields.reset();
      toast('Your change was discarded; this is the version on Scriptix.');
      await load();
    } catch (err) {
      toast(`Could not discard it: ${err.message}`, { kind: 'error', ms: 6000 });
    } finally {
      discardChange.disabled = false;
    }
  }

  /** Whether leaving is fine: asks first when there are unsaved edits. */
  async function canLeave() {
    if (!await updateDirty()) return true;
    const choice = await ask({
      title: 'Discard your changes?',
      message: ['Your edits to ', quoted(stored?.name ?? ''), ' are not saved.'],
      actions: [{ id: 'confirm-leave', label: 'Discard changes', kind: 'danger' }],
      cancelLabel: 'Keep editing',
    });
    return Boolean(choice);
  }

  async function leave() {
    if (await canLeave()) onBack();
  }

  function selectTab(key, { focus = false } = {}) {
    currentTab = key;
    for (const b of tabButtons) {
      const on = b.dataset.tab === key;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    tabPanel.setAttribute('aria-labelledby', `tab-${key}`);
    tabPanel.dataset.tab = key;
    panel?.destroy?.();
    const t = TABS.find((x) => x.key === key);
    panel = (tabPanels[key] ?? placeholderPanel)({ customerId, tab: t, online: isOnline() });
    tabPanel.replaceChildren(panel.el);
    onTab?.(key);
  }

  back.addEventListener('click', leave);
  deleteButton.addEventListener('click', async () => {
    if (stored && await confirmAndDelete(stored)) onBack();
  });
  discardChange.addEventListener('click', discardMyChange);
  discardButton.addEventListener('click', discardEdits);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save();
  });
  tabList.addEventListener('click', (event) => {
    const b = event.target.closest('.tab');
    if (b) selectTab(b.dataset.tab);
  });
  tabList.addEventListener('keydown', (event) => {
    const k = TABS.findIndex((t) => t.key === currentTab);
    const to = { ArrowRight: k + 1, ArrowLeft: k - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    selectTab(TABS[(to + TABS.length) % TABS.length].key, { focus: true });
  });
  el.addEventListener('keydown', (event) => {
    if (primaryModifier(event) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      save();
    } else if (event.altKey && event.key === 'ArrowLeft') {
      event.preventDefault();
      leave();
    } else if (event.key === 'Escape' && !event.defaultPrevented && (!isTyping(event) || !dirty)) {
      event.preventDefault();
      leave();
    }
  });

  if (row) {
    stored = row;
    renderHead(row.phoneDisplay);
  }
  selectTab(currentTab);

  return {
    name: 'organization',
    get title() { return stored?.name ?? 'Organisation'; },
    el,
    get id() { return customerId; },
    shown() {
      api.openCustomer(customerId).catch(() => {});
      load();
      el.focus({ preventScroll: true });
    },
    hidden() {
      api.openCustomer(null).catch(() => {});
      panel?.destroy?.();
    },
    canLeave,
    onCacheChanged(change) {
      const remap = change.remapped.find(([local]) => local === customerId);
      if (remap) {
        customerId = remap[1];
        el.dataset.id = String(customerId);
        api.openCustomer(customerId).catch(() => {});
        onIdChanged?.(customerId);
      }
      if (remap || change.listChanged || change.ids.includes(customerId)) load();
      if (change.detailsChanged) panel?.refresh?.();
    },
    onStatus() {
      // The banner's words depend on the connection; a conflict's list on the last round.
      if (stored && stored.syncState !== 'synced') load();
    },
  };
}
