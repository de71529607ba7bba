// Router and top-level state: which screen shows, and who is signed in.

import * as api from './api.js';
import { signInView } from './views/sign-in.js';
import { homeView } from './views/home.js';

const DEFAULT_BASE_URL = 'https://api.scriptix.io';
const root = document.getElementById('app');

const state = {
  /** The signed-in session's info, or null. */
  session: null,
  /** What the sign-in form starts with; the last base URL and header style used win. */
  signInForm: { baseUrl: DEFAULT_BASE_URL, authStyle: 'zoomKey' },
};

function show(title, view) {
  document.title = title ? `${title} · Scriptix Reseller` : 'Scriptix Reseller';
  root.replaceChildren(view.el);
  root.dataset.screen = view.name;
  view.mounted?.();
}

const router = {
  /** The sign-in screen; `error` (an IPC error) is shown on it at once. */
  signIn({ error = null } = {}) {
    state.session = null;
    show('Sign in', signInView({
      initial: state.signInForm,
      error,
      onSignIn: async (form) => {
        state.signInForm = { baseUrl: form.baseUrl, authStyle: form.authStyle };
        router.home(await api.signIn(form));
      },
      onDemo: async () => router.home(await api.startDemo()),
    }));
  },

  home(session) {
    state.session = session;
    if (!session.demo) state.signInForm = { ...state.signInForm, baseUrl: session.baseUrl };
    show(null, homeView({
      session,
      onSignOut: async () => {
        await api.signOut();
        router.signIn();
      },
    }));
  },
};

async function boot() {
  try {
    const defaults = await api.signInDefaults();
    state.signInForm = {
      baseUrl: defaults.baseUrl || DEFAULT_BASE_URL,
      authStyle: defaults.authStyle || 'zoomKey',
    };
  } catch {
    // The built-in defaults stand.
  }
  try {
    const session = await api.sessionInfo();
    if (session) router.home(session);
    else router.signIn();
  } catch (error) {
    // A sign-in asked for on the command line failed: say why, on the screen that can fix it.
    router.signIn({ error });
  }
}

boot();
