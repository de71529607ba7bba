// The Subscription tab: the organisation's subscriptions (ID, SKU, start, end or "-", billing
// channel, payment model, suspended, auto-renew), adding one by picking a plan (searchable by
// SKU or description) and switching auto-renew. Changes are queued and sent right away through the outbox.
//
// Ids: #subs-panel (data-state), #subs-as-of, #subs-state, #subs-refused, #subs-table with
// .sub-row (data-id, data-sku) and in each an .sub-auto-renew switch (checkbox); #add-subscription.
// The add dialog: #sub-dialog, #plan-search, #plan-list with .plan-option (data-sku,
// aria-selected), #plan-status, #sub-auto-renew, #sub-sku-error, #sub-error, #sub-submit,
// #sub-cancel.

import { h, debounce } from '../../dom.js';
import * as api from '../../api.js';
import { openModal, toast } from '../dialog.js';
import { managedPanel, notOnServerYet, rowBadge } from './manage-common.js';

const yesNo = (b) => (b ? 'Yes' : 'No');

export function subscriptionPanel({ customerId, online }) {
  const add = h('button', { id: 'add-subscription', type: 'button', class: 'button primary' }, 'Add subscription…');
  const panel = managedPanel({
    prefix: 'subs',
    customerId,
    online,
    title: 'Subscriptions',
    toolbar: [add],
    what: 'subscriptions',
    empty: ['No subscriptions yet', 'Add one by choosing a plan.'],
    read: api.subscriptionsTab,
    render: renderTable,
  });

  function renderTable(data, reload) {
    // The last column holds a row's waiting or refused change: named for screen readers only.
    const head = h('tr', {}, ['ID', 'SKU', 'Start', 'End', 'Billing channel', 'Payment model', 'Suspended', 'Auto-renew']
      .map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Change')));
    const rows = data.rows.map((s) => {
      const toggle = h('input', {
        type: 'checkbox', role: 'switch', class: 'sub-auto-renew',
        'aria-label': `Auto-renew ${s.sku}`,
      });
      toggle.checked = s.autoRenew;
      toggle.addEventListener('change', async () => {
        toggle.disabled = true;
        try {
          await api.setAutoRenew({ customerId, subscriptionId: s.id, autoRenew: toggle.checked });
          toast(`Auto-renew ${toggle.checked ? 'on' : 'off'} for ${s.sku}: ${online ? 'sending it to Scriptix…' : 'sent when the connection returns.'}`);
        } catch (err) {
          toggle.checked = !toggle.checked;
          toast(err.message, { kind: 'error', ms: 6000 });
        } finally {
          reload();
        }
      });
      return h('tr', { class: 'sub-row', dataset: { id: String(s.id), sku: s.sku } },
        h('td', { class: 'cell-id mono' }, s.local ? '—' : String(s.id)),
        h('td', {}, h('span', { class: 'mono' }, s.sku), s.description ? h('div', { class: 'muted small' }, s.description) : null),
        h('td', {}, s.startText),
        h('td', {}, s.endText),
        h('td', {}, s.billingChannelLabel),
        h('td', {}, s.paymentModelLabel),
        h('td', {}, yesNo(s.isSuspended)),
        h('td', {}, h('label', { class: 'switch' }, toggle, h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
          h('span', { class: 'switch-text' }, yesNo(s.autoRenew)))),
        h('td', {}, rowBadge(s.mark)));
    });
    return h('div', { class: 'table-frame' },
      h('table', { id: 'subs-table', class: 'data-table' }, h('thead', {}, head), h('tbody', {}, rows)));
  }

  add.addEventListener('click', async () => {
    if (customerId <= 0) {
      toast(notOnServerYet);
      return;
    }
    if (await addSubscriptionDialog({ customerId, online })) panel.reload();
  });

  panel.reload();
  return { el: panel.el, refresh: panel.reload };
}

/** Resolves to true when a subscription was queued. */
function addSubscriptionDialog({ customerId, online }) {
  document.getElementById('sub-dialog')?.close();
  return new Promise((resolve) => {
    let added = false;
    let chosen = null;
    let plans = [];
    let plansText = ''; // "12 plans", display-ready from the core
    let active = -1;
    const search = h('input', {
      id: 'plan-search', type: 'search', placeholder: 'Search by SKU or description', autocomplete: 'off',
      spellcheck: 'false', maxlength: '200', role: 'combobox', 'aria-controls': 'plan-list', 'aria-expanded': 'true',
      'aria-autocomplete': 'list',
    });
    const list = h('ul', { id: 'plan-list', class: 'plan-list', role: 'listbox', 'aria-label': 'Plans' });
    const status = h('p', { id: 'plan-status', class: 'muted small', 'aria-live': 'polite' });
    const renew = h('input', { id: 'sub-auto-renew', type: 'checkbox', role: 'switch' });
    const skuError = h('p', { id: 'sub-sku-error', class: 'field-error', hidden: true });
    const banner = h('div', { id: 'sub-error', class: 'banner banner-error', role: 'alert', hidden: true });
    const submit = h('button', { id: 'sub-submit', type: 'submit', class: 'button primary' }, 'Add subscription');
    const cancel = h('button', { id: 'sub-cancel', type: 'button', class: 'button secondary' }, 'Cancel');
    const form = h('form', { class: 'dialog-form', novalidate: true },
      h('h2', { id: 'sub-dialog-title', class: 'dialog-title' }, 'Add subscription'),
      h('p', { class: 'muted small' }, online
        ? 'It is added here now and sent to Scriptix right away; it shows as pending until Scriptix has it.'
        : 'You are offline: it is added here now and sent to Scriptix when the connection returns.'),
      h('div', { class: 'field' }, h('label', { for: 'plan-search' }, 'Plan', h('span', { class: 'required', 'aria-hidden': 'true' }, ' *')),
        search, status, list, skuError),
      h('div', { class: 'field' },
        h('span', { class: 'field-label' }, 'Auto-renew'),
        h('label', { class: 'switch', for: 'sub-auto-renew' }, renew, h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
          h('span', { class: 'switch-text' }, 'Renew automatically at the end of the term'))),
      banner,
      h('div', { class: 'dialog-actions' }, cancel, submit));
    const dialog = h('dialog', { id: 'sub-dialog', class: 'dialog dialog-wide', 'aria-labelledby': 'sub-dialog-title' }, form);

    function choose(i) {
      active = i;
      chosen = plans[i]?.sku ?? null;
      for (const [k, li] of [...list.children].entries()) {
        li.setAttribute('aria-selected', String(k === i));
        if (k === i) li.scrollIntoView({ block: 'nearest' });
      }
      search.setAttribute('aria-activedescendant', i >= 0 ? `plan-${i}` : '');
      skuError.hidden = true;
    }

    function renderPlans(catalog) {
      plans = catalog.plans;
      plansText = catalog.countText;
      list.replaceChildren(...plans.map((p, i) => {
        const li = h('li', {
          id: `plan-${i}`, class: 'plan-option', role: 'option', 'aria-selected': 'false',
          dataset: { sku: p.sku },
        },
        h('span', { class: 'mono' }, p.sku),
        h('span', { class: 'muted small' }, ` ${p.description} · ${p.paymentModelLabel}`));
        li.addEventListener('click', () => choose(i));
        return li;
      }));
      const keep = plans.findIndex((p) => p.sku === chosen);
      choose(keep);
      if (!catalog.fetchedAt) status.textContent = online ? 'Loading plans…' : 'The plan list has not been loaded yet; connect once to load it.';
      else status.textContent = plans.length ? plansText : 'No plan matches.';
    }

    let seq = 0;
    async function load({ fetch = false } = {}) {
      const mine = ++seq;
      try {
        const catalog = fetch ? await api.refreshPlans(search.value) : await api.listPlans(search.value);
        if (mine === seq) renderPlans(catalog);
      } catch (err) {
        if (mine !== seq) return;
        if (err.code === 'not_supported') status.textContent = 'Not available for this account: the server offers no plan list.';
        else if (fetch && plans.length) status.textContent = `${plansText} saved (not refreshed: ${err.message})`;
        else status.textContent = err.message;
      }
    }
    const searchLater = debounce(() => load(), 120);
    search.addEventListener('input', searchLater);
    search.addEventListener('keydown', (event) => {
      const to = { ArrowDown: active + 1, ArrowUp: active - 1 }[event.key];
      if (to === undefined || !plans.length) return;
      event.preventDefault();
      choose(Math.max(0, Math.min(plans.length - 1, to)));
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      searchLater.cancel();
      dialog.remove();
      resolve(added);
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      banner.hidden = true;
      if (!chosen) {
        skuError.textContent = 'Choose a plan.';
        skuError.hidden = false;
        search.focus();
        return;
      }
      submit.disabled = true;
      try {
        await api.addSubscription({ customerId, sku: chosen, autoRenew: renew.checked });
        added = true;
        toast(`Subscription ${chosen} added${online ? '; sending it to Scriptix…' : ' here; it goes to Scriptix when the connection returns.'}`);
        dialog.close();
      } catch (err) {
        if (err.field === 'sku') {
          skuError.textContent = err.message;
          skuError.hidden = false;
        } else {
          banner.textContent = err.message;
          banner.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    });

    openModal(dialog, search);
    load().then(() => load({ fetch: true }));
  });
}
