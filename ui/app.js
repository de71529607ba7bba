// Router and top-level state: which screen shows, who is signed in, and the engine's events
// handed to the views that show what changed.

import * as api from './api.js';
import { markOnce, primaryModifier } from './dom.js';
import { signInView } from './views/sign-in.js';
import { shellView, accountLabel } from './views/shell.js';
import { organizationsView } from './views/organizations.js';
import { brandingView, applyBranding, refreshBranding } from './views/branding.js';
import { ask } from './views/dialog.js';

/**
 * The screens besides the list, loaded when first opened: the start fetches, compiles and runs
 * only what its first screen needs. Loaded in the background once the list is up, so the
 * first open does not wait for them either.
 */
const screens = {
  organization: () => import('./views/organization.js'),
  activity: () => import('./views/activity.js'),
  conflicts: () => import('./views/conflicts.js'),
  dashboard: () => import('./views/dashboard.js'),
};
/** How long after the list is up the other screens are loaded in the background. */
const PRELOAD_SCREENS_MS = 1500;

/** Loads the screens and dialogs the start left out (each loads once; a failure waits for use). */
function preloadScreens() {
  const dialogs = [() => import('./views/customer-form.js'), () => import('./views/import-dialog.js')];
  for (const load of [...Object.values(screens), ...dialogs]) load().catch(() => {});
}

/** A screen's module, or null when the session it was asked in has ended meanwhile. */
async function screen(name) {
  const shell = state.shell;
  const module = await screens[name]();
  return state.shell === shell ? module : null;
}

const DEFAULT_BASE_URL = 'https://api.scriptix.io';
/** Without events (they should always work), the status is read this often instead. */
const POLL_MS = 3000;
/** How long the start waits for the list's first rows before showing the window without them. */
const FIRST_ROWS_WAIT_MS = 300;
/** The navigation's screens (besides the organisations list) by their router method. */
const NAV_SCREENS = ['dashboard', 'branding', 'activity', 'conflicts'];
const root = document.getElementById('app');

const state = {
  /** The signed-in session's info, or null. */
  session: null,
  /** What the sign-in form starts with; the last base URL and header style used win. */
  signInForm: { baseUrl: DEFAULT_BASE_URL, authStyle: 'zoomKey' },
  demoAvailable: true,
  /** While signed in: the frame, the list (kept, so it keeps its place), the view shown. */
  shell: null,
  list: null,
  current: null,
  /** The tab the organisation page opens on: the last one chosen. */
  tab: 'subscription',
  /** The last SyncStatus. */
  status: null,
  /** Stops the event listeners (or the polling) of this session. */
  stops: [],
};

/** "Organisations · Northwind Speech Partners · Scriptix Reseller": the screen, then (signed
 * in) the account it shows, since several may be signed in. */
function setTitle(title) {
  const parts = [title, state.session && accountLabel(state.session), 'Scriptix Reseller'];
  document.title = parts.filter(Boolean).join(' · ');
}

function show(title, view) {
  setTitle(title);
  root.replaceChildren(view.el);
  root.dataset.screen = view.name;
  view.mounted?.();
}

/** Shows `view` in the frame; false when the view on screen would not let go (unsaved edits). */
async function switchTo(view, navKey, { ask: check = true } = {}) {
  const leaving = state.current;
  if (leaving === view) return true;
  if (check && leaving?.canLeave && !(await leaving.canLeave())) return false;
  if (!state.shell) return false;
  leaving?.hidden?.();
  state.current = view;
  state.shell.setView(view, navKey);
  setTitle(view.title);
  view.shown?.();
  return true;
}

const router = {
  /**
   * The sign-in screen; `error` (an IPC error) is shown on it at once. `adding`: the session
   * shown until now, while another account is added (Cancel returns to it).
   */
  signIn({ error = null, adding = null } = {}) {
    endSession();
    show(adding ? 'Add account' : 'Sign in', signInView({
      initial: state.signInForm,
      error,
      adding: adding && accountLabel(adding),
      onCancel: adding ? () => router.home(adding) : null,
      onSignIn: async (form) => {
        state.signInForm = { baseUrl: form.baseUrl, authStyle: form.authStyle };
        router.home(await api.signIn(form));
      },
      onDemo: state.demoAvailable && !adding ? async () => router.home(await api.startDemo()) : null,
    }));
  },

  /** Signed in: the frame with the organisations list. */
  async home(session) {
    endSession();
    state.session = session;
    if (!session.demo) state.signInForm = { ...state.signInForm, baseUrl: session.baseUrl };
    state.shell = shellView({
      session,
      onNotifications: (enabled) => api.setDesktopNotifications(enabled),
      onNav: (key) => (NAV_SCREENS.includes(key) ? router[key]() : router.list()),
      onSignOut: signOut,
      onSwitchAccount: switchAccount,
      onAddAccount: async () => {
        if (state.current?.canLeave && !(await state.current.canLeave())) return;
        router.signIn({ adding: session });
      },
      onSyncNow: () => api.syncNow(),
      onTheme: async (theme) => {
        applyTheme(theme);
        await api.setTheme(theme);
      },
    });
    const list = organizationsView({ onOpen: (row) => router.organization(row), status: state.status });
    state.list = list;
    markOnce('home: views built');
    // The window is laid out once, with its rows: the first window of the list is read before
    // the frame goes in (the cache answers in milliseconds; a slow one is not waited for long).
    await Promise.race([list.prepare(), new Promise((resolve) => { setTimeout(resolve, FIRST_ROWS_WAIT_MS); })]);
    if (state.list !== list) return; // signed out or in again meanwhile
    root.replaceChildren(state.shell.el);
    root.dataset.screen = 'signed-in';
    startEvents(state.shell);
    refreshBranding();
    router.list();
    verify();
    setTimeout(preloadScreens, PRELOAD_SCREENS_MS);
  },

  list(options) {
    if (!state.list) return Promise.resolve(false);
    return switchTo(state.list, 'organizations', options);
  },

  /** target: a list row, or {id, name}. */
  async organization(target) {
    const module = await screen('organization');
    if (!module) return false;
    const view = module.organizationView({
      id: target.id,
      row: 'email' in target ? target : null,
      tab: state.tab,
      onBack: () => router.list({ ask: false }),
      onTab: (key) => { state.tab = key; },
      isOnline: () => state.status?.connectivity !== 'offline',
    });
    return switchTo(view, 'organizations');
  },

  /** The activity log; an entry opens its organisation on the tab the change was made on. */
  /** initial: {outcome} to show first (a notification of refused changes opens on those). */
  async activity(initial = {}) {
    const module = await screen('activity');
    if (!module) return false;
    return switchTo(module.activityView({
      initial,
      onOpen: (c, tab) => {
        if (tab) state.tab = tab;
        return router.organization(c);
      },
    }), 'activity');
  },

  async conflicts() {
    const module = await screen('conflicts');
    if (!module) return false;
    return switchTo(module.conflictsView({ onOpen: (c) => router.organization(c) }), 'conflicts');
  },

  branding() {
    return switchTo(brandingView({ isOnline: () => state.status?.connectivity !== 'offline' }), 'branding');
  },

  async dashboard() {
    const module = await screen('dashboard');
    if (!module) return false;
    return switchTo(module.dashboardView({
      onOpen: (c) => router.organization(c),
      isOnline: () => state.status?.connectivity !== 'offline',
    }), 'dashboard');
  },
};

// ---- the engine's events ----

function onStatus(status) {
  const before = state.status;
  state.status = status;
  // Screens showing cached data say so next to their "as of" line while offline (styles.css).
  document.body.dataset.connectivity = status.connectivity;
  if (!state.shell) return;
  state.shell.bar.update(status);
  state.shell.setConflicts(status.conflicts, status.text.conflictsCount);
  const moved = !before || before.conflicts !== status.conflicts || before.pending !== status.pending
    || before.failed !== status.failed || before.connectivity !== status.connectivity;
  if (moved) state.current?.onStatus?.(status);
  // The list (kept while other screens show) says what an empty list means: not synced yet,
  // or offline, or really none.
  const synced = !before || before.lastSynced !== status.lastSynced || before.connectivity !== status.connectivity;
  if (synced && state.list && !(moved && state.list === state.current)) state.list.onStatus?.(status);
  // An account resumed from memory is confirmed with the server once it can be reached.
  if (status.connectivity === 'online' && before?.connectivity !== 'online') verify();
}

/**
 * Confirms the accounts resumed at start. A refusal (token revoked, role gone) signs that
 * account out: the window says which and why, on the account shown next, or on the sign-in
 * screen when none is left.
 */
async function verify() {
  const session = state.session;
  const before = await api.listAccounts().catch(() => []);
  try {
    await api.verifySession();
  } catch (error) {
    if (state.session !== session || error.code === 'internal') return;
    const now = await api.sessionInfo().catch(() => null);
    if (!now) {
      router.signIn({ error });
      return;
    }
    if (now.accountKey !== session.accountKey) await router.home(now);
    const left = await api.listAccounts().catch(() => []);
    const gone = before.filter((a) => !left.some((n) => n.accountKey === a.accountKey));
    const names = gone.map(accountLabel).join(', ') || 'An account';
    state.shell?.sayAccounts(`${names} was signed out: ${error.message}`);
  }
}

/** Shows another signed-in account (its screens read afresh); false when the screen on show
 * would not let go (unsaved edits). */
async function switchAccount(key) {
  if (state.current?.canLeave && !(await state.current.canLeave())) return false;
  await router.home(await api.switchAccount(key));
  return true;
}

/** A clicked desktop notification's screen, on its account (switched to when another shows). */
async function openTarget(target) {
  if (!state.shell) return;
  if (target.account && target.account !== state.session?.accountKey) {
    try {
      if (!(await switchAccount(target.account))) return;
    } catch {
      return; // signed out of that account meanwhile
    }
  }
  if (target.screen === 'organization') {
    if (target.tab) state.tab = target.tab;
    router.organization({ id: target.customerId, name: target.name });
  } else if (target.screen === 'activity') {
    router.activity({ outcome: 'refused' });
  } else if (NAV_SCREENS.includes(target.screen)) {
    router[target.screen]();
  }
}

function onCacheChanged(change) {
  if (!state.shell) return;
  // The sync may have brought the branding (first start on this computer, another device).
  if (change.detailsChanged && state.current?.name !== 'branding') refreshBranding();
  state.list?.onCacheChanged(change);
  if (state.current !== state.list) state.current?.onCacheChanged?.(change);
}

async function startEvents(shell) {
  const stops = [];
  state.stops = stops;
  try {
    stops.push(await api.onSyncStatus(onStatus));
    stops.push(await api.onCacheChanged(onCacheChanged));
    stops.push(await api.onOpenTarget(openTarget));
    stops.push(await api.onAccountsOpened(() => verify()));
  } catch (err) {
    // Events should always be there; without them the status is polled, and a change in it
    // makes the views re-read.
    console.warn('Scriptix Reseller: no engine events, polling the sync status instead', err);
    let last = null;
    const timer = setInterval(async () => {
      try {
        const status = await api.syncStatus();
        const key = JSON.stringify([status.lastSynced, status.pending, status.failed, status.conflicts]);
        if (last && key !== last) onCacheChanged({ ids: [], listChanged: true, remapped: [], detailsChanged: true });
        last = key;
        onStatus(status);
      } catch {
        // Signed out meanwhile.
      }
    }, POLL_MS);
    stops.push(() => clearInterval(timer));
  }
  if (state.shell !== shell) {
    stops.forEach((stop) => stop());
    return;
  }
  // What the engine announced before the listeners were in place (a first sync that ends
  // while the window subscribes) is read now, so the list never keeps an empty first answer.
  onCacheChanged({ ids: [], listChanged: true, remapped: [], detailsChanged: false });
  try {
    onStatus(await api.syncStatus());
  } catch {
    // The first event brings it.
  }
}

function endSession() {
  for (const stop of state.stops) {
    try {
      stop();
    } catch {
      // Already gone.
    }
  }
  state.stops = [];
  state.current?.hidden?.();
  state.shell?.destroy();
  applyBranding(null);
  state.shell = null;
  state.list = null;
  state.current = null;
  state.status = null;
  state.session = null;
}

async function signOut() {
  if (state.current?.canLeave && !(await state.current.canLeave())) return;
  const s = state.status;
  const unsent = s?.text.unsent;
  const choice = await ask({
    title: `Sign out of ${accountLabel(state.session)}?`,
    message: 'Keep an offline copy of your organisations on this computer?',
    detail: unsent
      ? `${unsent} not reached Scriptix yet. Keep the copy to send them after you sign in again; removing it drops them, and the account's activity log.`
      : 'With a copy, the list opens at once next time, even without a connection, and the activity log is kept. Removing it deletes everything this app stored for the account, the activity log too.',
    actions: [
      { id: 'sign-out-remove', label: 'Remove and sign out', kind: 'secondary', value: 'remove' },
      { id: 'sign-out-keep', label: 'Keep and sign out', kind: 'primary', value: 'keep' },
    ],
    focus: 'sign-out-keep',
  });
  if (!choice) return;
  const next = await api.signOut({ keepCache: choice === 'keep' });
  // Another account still signed in is shown; else the sign-in screen.
  if (next) router.home(next);
  else router.signIn();
}

// ---- keys that work everywhere while signed in ----

document.addEventListener('keydown', async (event) => {
  if (!state.shell || document.querySelector('dialog[open]')) return;
  if (!primaryModifier(event) || event.altKey || event.shiftKey) return;
  const key = event.key.toLowerCase();
  if (key === 'k') {
    event.preventDefault();
    if (await router.list()) state.list.focusSearch();
  } else if (key === 'n') {
    event.preventDefault();
    if (await router.list()) state.list.newOrganization();
  }
});

const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

/**
 * 'light' or 'dark' wins over the system's choice; 'system' follows it, also when it changes.
 * The root carries the choice (`data-theme-choice`) and what it resolves to (`data-theme`, the
 * one attribute styles.css switches on, so the dark palette is written once).
 */
export function applyTheme(theme) {
  const root = document.documentElement;
  const choice = theme === 'light' || theme === 'dark' ? theme : 'system';
  root.dataset.themeChoice = choice;
  root.dataset.theme = choice === 'system' ? (systemDark.matches ? 'dark' : 'light') : choice;
}

systemDark.addEventListener('change', () => {
  if (document.documentElement.dataset.themeChoice === 'system') applyTheme('system');
});
applyTheme('system');

// The start asks its three questions at once (one round trip's wait, not three); its steps are
// marked for the desktop benchmark (`performance.mark`, read against the process's start).
async function boot() {
  markOnce('boot');
  const [settings, defaults, session] = await Promise.allSettled([
    api.getSettings(), api.signInDefaults(), api.sessionInfo(),
  ]);
  markOnce('boot: answered');
  // Without settings the system's theme stands; without defaults, the built-in ones.
  if (settings.status === 'fulfilled') applyTheme(settings.value.theme);
  if (defaults.status === 'fulfilled') {
    state.signInForm = {
      baseUrl: defaults.value.baseUrl || DEFAULT_BASE_URL,
      authStyle: defaults.value.authStyle || 'zoomKey',
    };
    state.demoAvailable = defaults.value.demoAvailable !== false;
  }
  if (session.status === 'rejected') {
    // A sign-in asked for on the command line failed: say why, on the screen that can fix it.
    router.signIn({ error: session.reason });
  } else if (session.value) {
    await router.home(session.value);
  } else {
    router.signIn();
  }
  markOnce('boot: screen built');
}

boot();
