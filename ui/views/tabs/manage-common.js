// What the Subscription, Tokens and Users tabs share: the "as of" line, the loading / empty /
// not-available states, the badge of a row with a waiting or refused change, the list of
// refused changes with their server's words and a Discard button, and a panel skeleton that
// reads the tab from the cache and re-reads it when told the cache changed.
//
// Ids (with the tab's prefix p): #p-panel (data-state loading|empty|unsupported|ready),
// #p-as-of, #p-state (the state message), #p-refused with .refused-item (data-op) and
// .discard-op; row badges are .row-badge (data-state pending|failed, data-kind).

import { h } from '../../dom.js';
import * as api from '../../api.js';
import { toast } from '../dialog.js';

/** "As of 27 Nov 2026, 15:40 (3 min ago)", with what a refresh is doing. */
export function asOfText(asOf, online) {
  if (!asOf.fetchedAt) return online ? 'Loading from Scriptix…' : 'Not loaded yet: it loads when the connection returns.';
  const when = `As of ${asOf.fetchedAtText} (${asOf.fetchedAgoText})`;
  if (!online) return `${when} · offline, showing the copy on this computer`;
  if (asOf.state === 'stale') return `${when} · refreshing…`;
  return when;
}

const BADGE = {
  pending: { label: 'Pending', title: 'Saved on this computer; not yet confirmed by Scriptix' },
  failed: { label: 'Not saved', title: 'Scriptix refused this change; see why above the list' },
};

const KIND_WORDS = { delete: 'Deleting', revoke: 'Revoking', reactivate: 'Reactivating', create: 'Adding' };

/** The badge of a row with a waiting or refused change, or null. */
export function rowBadge(mark) {
  if (!mark) return null;
  const b = BADGE[mark.state] ?? BADGE.pending;
  const label = mark.state === 'pending' && KIND_WORDS[mark.kind] ? `${KIND_WORDS[mark.kind]}…` : b.label;
  return h('span', {
    class: `badge sync-badge row-badge badge-${mark.state}`,
    title: mark.error ? `${b.title}: ${mark.error}` : b.title,
    dataset: { state: mark.state, kind: mark.kind },
  }, label);
}

/** The refused changes, each with the server's words and a Discard button. */
function refusedList(prefix, refused, onDiscarded) {
  const items = refused.map((r) => {
    const discard = h('button', { type: 'button', class: 'button small-button secondary discard-op', dataset: { op: String(r.opId) } }, 'Discard');
    discard.addEventListener('click', async () => {
      discard.disabled = true;
      try {
        await api.discardTabChange(r.opId);
        toast('Discarded. This is what Scriptix has.');
        onDiscarded();
      } catch (err) {
        toast(`Could not discard it: ${err.message}`, { kind: 'error', ms: 6000 });
        discard.disabled = false;
      }
    });
    return h('li', { class: 'refused-item', dataset: { op: String(r.opId) } },
      h('div', { class: 'refused-body' },
        h('strong', {}, r.what),
        h('p', { class: 'server-words' }, r.error)),
      discard);
  });
  return h('div', { id: `${prefix}-refused`, class: 'banner banner-error tab-refused', role: 'alert', hidden: !refused.length },
    h('p', { class: 'banner-text' }, refused.length === 1 ? 'Scriptix refused a change:' : 'Scriptix refused these changes:'),
    h('ul', { class: 'refused-list' }, items));
}

/**
 * A managed tab's panel. read(customerId) -> {rows, refused, asOf}; render(data, reload) ->
 * node for the rows; toolbar: nodes beside the heading; empty: [title, text];
 * what: the feature's name for the not-available text.
 */
export function managedPanel({ prefix, customerId, online, title, toolbar = [], read, render, empty, what }) {
  const asOfLine = h('p', { id: `${prefix}-as-of`, class: 'as-of muted small', 'aria-live': 'polite' });
  const refusedSlot = h('div', { class: 'refused-slot' });
  const stateMsg = h('div', { id: `${prefix}-state`, class: 'empty tab-state', hidden: true });
  const body = h('div', { class: 'tab-body' });
  const el = h('section', { id: `${prefix}-panel`, class: 'managed-tab', dataset: { state: 'loading' } },
    h('div', { class: 'tab-head' },
      h('div', {}, h('h2', { class: 'tab-title' }, title), asOfLine),
      h('div', { class: 'tab-toolbar' }, toolbar)),
    refusedSlot, stateMsg, body);
  let seq = 0;
  let last = null;

  function showState(state, heading, text) {
    el.dataset.state = state;
    stateMsg.hidden = state === 'ready';
    // replaceChildren would print a null as the word "null": only nodes go in.
    stateMsg.replaceChildren(...[
      state === 'loading' ? h('div', { class: 'spinner', 'aria-hidden': 'true' }) : null,
      h('p', { class: 'empty-title' }, heading),
      text ? h('p', { class: 'muted' }, text) : null,
    ].filter(Boolean));
  }

  async function reload() {
    const mine = ++seq;
    let data;
    try {
      data = await read(customerId);
    } catch (err) {
      if (mine !== seq) return;
      showState('error', 'This tab could not be read.', err.message);
      return;
    }
    if (mine !== seq) return;
    last = data;
    asOfLine.textContent = data.asOf.unsupported ? '' : asOfText(data.asOf, online);
    asOfLine.title = data.asOf.fetchedAtText ?? '';
    refusedSlot.replaceChildren(refusedList(prefix, data.refused, reload));
    for (const b of toolbar) if (b instanceof HTMLButtonElement) b.disabled = data.asOf.unsupported || customerId <= 0;
    if (data.asOf.unsupported && !data.rows.length) {
      showState('unsupported', 'Not available for this account', `The Scriptix server you are connected to does not offer ${what}.`);
      body.replaceChildren();
      return;
    }
    if (!data.rows.length) {
      if (!data.asOf.fetchedAt) {
        showState('loading', online ? 'Loading…' : 'Not loaded yet',
          online ? null : 'You are offline. This tab fills in when the connection returns.');
      } else {
        showState('empty', empty[0], empty[1]);
      }
      body.replaceChildren();
      return;
    }
    showState('ready');
    body.replaceChildren(render(data, reload));
  }

  return { el, reload, get data() { return last; } };
}

/** A note for tabs of an organisation created here and not yet on Scriptix. */
export const notOnServerYet = 'Available once this organisation has reached the server.';
