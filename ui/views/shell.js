// The signed-in frame: navigation and the account on the left, the current view in the middle,
// the sync status bar along the bottom.
//
// Ids: #signed-in (data-demo), #nav-logo, #nav-account (the shown account's organisation), #nav-orgs, #nav-dashboard, #nav-branding, #nav-activity, #nav-conflicts (with #nav-conflicts-count; shown
// while there are conflicts or the view is open), #account with #signed-in-name,
// #signed-in-org, #signed-in-email (when the server named one), #signed-in-base-url,
// #signed-in-roles, #desktop-notifications (the setting), #role-source (said when the role came from the reseller routes because the
// server offers no account details), #demo-badge (demo only), #token-storage (said when the
// token is in a private file) and #sign-out; #accounts-menu (details: #account-list with a
// .switch-account[data-key] button per other signed-in account, #add-account) and
// #account-notice (an account its server signed out); #theme (System, Light, Dark); #update-available (shown while a new
// version waits, opens About); #about (about.js); #content (the
// current view); the status bar is #sync-status (sync-bar.js).

import { h } from '../dom.js';
import * as api from '../api.js';
import { syncBar } from './sync-bar.js';
import { showAbout } from './about.js';

/** What names an account in the title, the navigation and the account menu. */
export function accountLabel(account) {
  return account.organizationName?.trim() || account.displayName;
}

/**
 * session: SessionInfo; onNav(key): 'organizations' | 'dashboard' | 'branding' | 'activity' | 'conflicts'; onSignOut(): a promise;
 * onSyncNow(): a promise; onTheme(theme): a promise; onNotifications(enabled): a promise of the saved settings;
 * onSwitchAccount(key) and onAddAccount(): promises.
 */
export function shellView({ session, onNav, onSignOut, onSyncNow, onTheme, onNotifications, onSwitchAccount, onAddAccount }) {
  // Through the reseller routes the organisation is unknown, not absent: nothing is said then.
  const org = session.organizationName
    ?? (session.roleSource === 'resellerRoutes' ? null : 'No organisation');

  const navItem = (key, id, label, extra = null) => h('li', {},
    h('a', {
      href: `#${key}`, id, class: 'nav-item', dataset: { nav: key },
      onclick: (event) => {
        event.preventDefault();
        onNav(key);
      },
    }, h('span', {}, label), extra));

  const conflictsCount = h('span', { id: 'nav-conflicts-count', class: 'nav-count' });
  const navOrgs = navItem('organizations', 'nav-orgs', 'Organisations');
  const navDashboard = navItem('dashboard', 'nav-dashboard', 'Dashboard');
  const navBranding = navItem('branding', 'nav-branding', 'Branding');
  const navActivity = navItem('activity', 'nav-activity', 'Activity');
  const navConflicts = navItem('conflicts', 'nav-conflicts', 'Conflicts', conflictsCount);
  navConflicts.hidden = true;

  const signOut = h('button', { id: 'sign-out', type: 'button', class: 'button secondary small-button' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    try {
      await onSignOut();
    } finally {
      signOut.disabled = false;
    }
  });

  const account = h('section', { id: 'account', class: 'account', 'aria-label': 'Account' },
    session.demo && h('span', { id: 'demo-badge', class: 'badge badge-demo', title: 'Sample data from a sandbox on this computer; nothing reaches Scriptix' }, 'Demo'),
    h('p', { class: 'account-name', title: session.displayName }, h('strong', { id: 'signed-in-name' }, session.displayName)),
    // Each line clips with an ellipsis; the text sits in a span (see organizations.js).
    org && h('p', { class: 'account-org', title: session.organizationId != null ? `Organisation #${session.organizationId}` : '' },
      h('span', { id: 'signed-in-org' }, org)),
    session.email && h('p', { class: 'account-line muted', title: session.email }, h('span', { id: 'signed-in-email' }, session.email)),
    h('p', { class: 'account-line muted', title: 'API address' }, h('span', { id: 'signed-in-base-url' }, session.baseUrl)),
    session.roles?.length > 0 && h('p', { class: 'account-line muted small', title: 'Roles' },
      h('span', { id: 'signed-in-roles' }, session.roles.join(', '))),
    session.roleSource === 'resellerRoutes' && h('p', { class: 'account-note small' },
      h('span', { id: 'role-source' }, 'Role determined from the reseller routes: this server does not offer account details.')),
    session.tokenStorage === 'file' && h('p', {
      class: 'account-note small',
      title: 'The system keychain was not used (it could not store the token, or SCRIPTIX_NO_KEYCHAIN is set), so the API token is kept in a file only your user account can read.',
    }, h('span', { id: 'token-storage' }, 'Token kept in a private file (no keychain)')),
    signOut);

  const accounts = accountsMenu({ session, onSwitchAccount, onAddAccount });

  const theme = h('select', { id: 'theme', class: 'theme-select', 'aria-label': 'Theme' },
    h('option', { value: 'system' }, 'System theme'),
    h('option', { value: 'light' }, 'Light theme'),
    h('option', { value: 'dark' }, 'Dark theme'));
  theme.value = document.documentElement.dataset.themeChoice ?? 'system';
  theme.addEventListener('change', () => onTheme?.(theme.value).catch(() => {}));

  // Off until the user turns them on: then an organisation reaching the alert threshold, or a
  // change Scriptix refuses, is said once on the desktop; a click opens it here.
  const notify = h('input', { id: 'desktop-notifications', type: 'checkbox' });
  const notifyLabel = h('label', {
    class: 'notify-toggle small', for: 'desktop-notifications',
    title: 'A desktop notification when an organisation reaches the alert threshold or Scriptix refuses a change',
  }, notify, ' Desktop notifications');
  api.getSettings().then((s) => { notify.checked = Boolean(s.desktopNotifications); }, () => {});
  notify.addEventListener('change', async () => {
    const want = notify.checked;
    try {
      const saved = await onNotifications?.(want);
      if (saved) notify.checked = saved.desktopNotifications;
    } catch {
      notify.checked = !want;
    }
  });

  const update = updatePill();
  const nav = h('nav', { class: 'sidebar', 'aria-label': 'Main' },
    h('div', { class: 'sidebar-brand' },
      // The reseller's logo replaces the mark once set (branding.js, applyBranding).
      h('img', { id: 'nav-logo', src: 'assets/mark.svg', alt: '', width: '28', height: '28' }),
      // Which account the window shows: several may be signed in.
      h('span', { class: 'sidebar-brand-text' },
        h('span', {}, 'Scriptix Reseller'),
        // The line clips with an ellipsis; the text sits in an inner span (as in #account).
        h('span', { class: 'nav-account', title: session.baseUrl }, h('span', { id: 'nav-account' }, accountLabel(session))))),
    h('ul', { class: 'nav-list' }, navOrgs, navDashboard, navBranding, navActivity, navConflicts),
    h('div', { class: 'sidebar-foot' }, account, accounts.el, theme, notifyLabel, update.el,
      h('button', { id: 'about', type: 'button', class: 'about-link', onclick: () => showAbout() }, 'About and diagnostics')));

  const content = h('main', { class: 'content', id: 'content' });
  const bar = syncBar({ onSyncNow, onConflicts: () => onNav('conflicts') });

  const el = h('div', { class: 'shell', id: 'signed-in', dataset: { demo: String(Boolean(session.demo)) } },
    nav, content, bar.el);

  let current = null;
  let conflicts = 0;
  let conflictsText = '';

  function renderConflictsNav() {
    navConflicts.hidden = conflicts === 0 && current !== 'conflicts';
    conflictsCount.textContent = conflicts ? conflictsText : '';
    conflictsCount.hidden = conflicts === 0;
  }

  return {
    name: 'shell',
    el,
    bar,
    /** Puts `view` in the middle and marks its navigation entry. */
    setView(view, navKey) {
      content.replaceChildren(view.el);
      content.dataset.view = view.name;
      current = navKey;
      for (const a of nav.querySelectorAll('.nav-item')) {
        if (a.dataset.nav === navKey) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
      renderConflictsNav();
    },
    /** `n` conflicts, `text` the count display-ready (status.text.conflictsCount). */
    setConflicts(n, text) {
      conflicts = n;
      conflictsText = text;
      renderConflictsNav();
    },
    /** Says `text` about the accounts (one its server signed out) until the next start. */
    sayAccounts: (text) => accounts.say(text),
    destroy: () => {
      bar.destroy();
      update.destroy();
    },
  };
}

/**
 * The other signed-in accounts to switch to, and "Add account…". Read when the menu opens (the
 * accounts not shown keep syncing: their waiting changes are counted then).
 */
function accountsMenu({ session, onSwitchAccount, onAddAccount }) {
  const list = h('ul', { id: 'account-list', class: 'account-list' });
  const summary = h('summary', { id: 'accounts-menu-button' }, 'Accounts');
  const notice = h('p', { id: 'account-notice', class: 'account-notice small', role: 'alert', hidden: true });
  const add = h('button', { id: 'add-account', type: 'button', class: 'button secondary small-button' }, 'Add account…');
  add.addEventListener('click', () => onAddAccount?.());
  const el = h('details', { id: 'accounts-menu', class: 'accounts-menu' }, summary, list, add);

  const waiting = (n) => (n === 1 ? '1 change waiting' : `${n.toLocaleString()} changes waiting`);
  function render(accounts) {
    const others = accounts.filter((a) => a.accountKey !== session.accountKey);
    summary.textContent = others.length ? `Accounts (${accounts.length})` : 'Accounts';
    list.replaceChildren(...others.map((a) => {
      const button = h('button', {
        type: 'button', class: 'switch-account', dataset: { key: a.accountKey },
        title: `Switch to ${accountLabel(a)} (${a.baseUrl})`,
      },
      // Each line clips with an ellipsis; the text sits in an inner span (as in #account).
      h('span', { class: 'switch-account-name' }, h('span', {}, accountLabel(a))),
      h('span', { class: 'switch-account-line small muted' }, h('span', {}, a.demo ? 'Demo' : a.baseUrl)),
      a.pending > 0 && h('span', { class: 'switch-account-line small switch-account-pending' }, h('span', {}, waiting(a.pending))));
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await onSwitchAccount?.(a.accountKey);
        } finally {
          button.disabled = false;
        }
      });
      return h('li', {}, button);
    }));
    if (!others.length) list.replaceChildren(h('li', { class: 'muted small' }, 'No other account signed in.'));
  }
  const refresh = () => api.listAccounts().then(render, () => {});
  el.addEventListener('toggle', () => {
    if (el.open) refresh();
  });
  refresh();

  return {
    el: h('div', { class: 'accounts' }, notice, el),
    say(text) {
      notice.textContent = text;
      notice.hidden = false;
      refresh();
    },
  };
}

/** "Version X is ready": shown while an update waits for the user (found, or installed). */
function updatePill() {
  const pill = h('button', { id: 'update-available', type: 'button', class: 'update-available', hidden: true, onclick: () => showAbout() });
  const show = (view) => {
    pill.hidden = !view.announce;
    pill.textContent = view.state === 'installed'
      ? `Restart to use version ${view.version}`
      : `Version ${view.version} is available`;
  };
  return { el: pill, destroy: api.followUpdates(show) };
}
