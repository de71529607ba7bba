// The only module that talks to the Rust side: commands through invoke() and the engine's
// events through listen(). Every command returns a promise; a failure is always an object
// {code, message, field?} (see src-tauri/src/error.rs).

function tauri() {
  return window.__TAURI__;
}

async function invoke(command, args) {
  const call = tauri()?.core?.invoke;
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

// ---- session ----

/** {baseUrl: string|null, authStyle: 'zoomKey'|'bearer'}: what the sign-in form starts with. */
export const signInDefaults = () => invoke('sign_in_defaults');

/** The signed-in session's {displayName, email, organizationName, ...}, or null. */
export const sessionInfo = () => invoke('session_info');

/** Signs in; resolves to the session info. */
export const signIn = ({ baseUrl, token, authStyle }) =>
  invoke('sign_in', { request: { baseUrl, token, authStyle } });

/** Starts the local sandbox (first time only) and signs in to it; resolves to the session info. */
export const startDemo = () => invoke('start_demo');

/** Signs out; `keepCache` keeps the offline copy of the account's data on this computer. */
export const signOut = ({ keepCache }) => invoke('sign_out', { keepCache: Boolean(keepCache) });

// ---- settings ----

/** {theme: 'system'|'light'|'dark'}. */
export const getSettings = () => invoke('get_settings');

/** Keeps the theme for the next start; resolves to the settings. */
export const setTheme = (theme) => invoke('set_theme', { theme });

// ---- organisations (customers) ----

/**
 * One window of the list: {search, status: null|true|false, sort, direction, offset, limit}
 * -> {offset, rows: [CustomerRow], total, exact}.
 */
export const listCustomers = (request) => invoke('list_customers', { request });

/** {customer: CustomerRow, error: string|null, conflicts: [ConflictView]}. */
export const getCustomer = (id) => invoke('get_customer', { id });

/** {errors: [{field, message}], phoneInternational: string|null}. */
export const validateCustomer = ({ name, email, phone }) =>
  invoke('validate_customer', { form: { name, email, phone } });

/** Queues a create; resolves to the new (pending) CustomerRow. */
export const createCustomer = ({ name, email, phone, isActive }) =>
  invoke('create_customer', { form: { name, email, phone, is_active: isActive } });

/** Queues an update; resolves to the CustomerRow as now stored. */
export const updateCustomer = (id, { name, email, phone, isActive }) =>
  invoke('update_customer', { id, form: { name, email, phone, is_active: isActive } });

export const deleteCustomer = (id) => invoke('delete_customer', { id });

/** Undoes a pending or refused change; resolves to the server's version, or null if none. */
export const discardChanges = (id) => invoke('discard_changes', { id });

/** [ConflictView]: {opId, customerId, customerName, field, mine, theirs}. */
export const listConflicts = () => invoke('list_conflicts');

/** resolution: 'keep_mine' | 'take_theirs'. */
export const settleConflict = ({ opId, field, resolution }) =>
  invoke('settle_conflict', { opId, field, resolution });

// ---- sync ----

/** SyncStatus: {connectivity, offline_reason, last_synced, activity, pending, failed, conflicts, last_error}. */
export const syncStatus = () => invoke('sync_status');

/** Starts a round now. */
export const syncNow = () => invoke('sync_now');

/** Tells the engine which organisation page is open (null: none), so its data goes first. */
export const openCustomer = (id) => invoke('open_customer', { id });

/**
 * Calls `handler(payload)` on every `event` from the Rust side; resolves to a function that
 * stops listening. Rejects when events are not available (no permission, not in the app).
 */
async function listen(event, handler) {
  const subscribe = tauri()?.event?.listen;
  if (!subscribe) throw { code: 'internal', message: 'Events are not available.' };
  try {
    return await subscribe(event, (e) => handler(e.payload));
  } catch (e) {
    throw asError(e);
  }
}

/** SyncStatus on every change. */
export const onSyncStatus = (handler) => listen('sync-status', handler);

/** {ids, list_changed, remapped: [[local, server]], details_changed}: re-read what is shown. */
export const onCacheChanged = (handler) => listen('cache-changed', handler);
