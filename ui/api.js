// The only module that talks to the Rust side. Every function returns a promise; a failure is
// always an object {code, message, field?} (see src-tauri/src/error.rs).

function tauriInvoke() {
  return window.__TAURI__?.core?.invoke;
}

async function invoke(command, args) {
  const call = tauriInvoke();
  if (!call) {
    throw { code: 'internal', message: 'This page only works inside the Scriptix Reseller app.' };
  }
  try {
    return await call(command, args);
  } catch (e) {
    throw asError(e);
  }
}

/** Errors from our commands are already {code, message, field?}; Tauri's own are strings. */
function asError(e) {
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string') {
    return { code: e.code, message: e.message, field: e.field ?? null };
  }
  return { code: 'internal', message: String(e), field: null };
}

/** {baseUrl: string|null, authStyle: 'zoomKey'|'bearer'}: what the sign-in form starts with. */
export const signInDefaults = () => invoke('sign_in_defaults');

/** The signed-in session's {displayName, email, organizationName, ...}, or null. */
export const sessionInfo = () => invoke('session_info');

/** Signs in; resolves to the session info. */
export const signIn = ({ baseUrl, token, authStyle }) =>
  invoke('sign_in', { request: { baseUrl, token, authStyle } });

/** Starts the local sandbox (first time only) and signs in to it; resolves to the session info. */
export const startDemo = () => invoke('start_demo');

export const signOut = () => invoke('sign_out');
