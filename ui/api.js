// The only module that talks to the Rust side: commands through invoke() and the engine's
// events through listen(). Every command returns a promise; a failure is always an object
// {code, message, field?} (see src-tauri/src/error.rs).

/**
 * The IPC every Tauri window carries (`__TAURI_INTERNALS__`). The app does not ask for the
 * global `__TAURI__` API (`withGlobalTauri`): its bundle and each plugin's script would be run
 * at every start for the two calls used here, which do what @tauri-apps/api's `core.invoke`
 * and `event.listen` do with it.
 */
function ipc() {
  return window.__TAURI_INTERNALS__;
}

async function invoke(command, args = {}) {
  const tauri = ipc();
  if (!tauri?.invoke) {
    throw { code: 'internal', message: 'This page only works inside the Scriptix Reseller app.' };
  }
  try {
    return await tauri.invoke(command, args);
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

/**
 * Confirms with the server an account resumed at start (opened at once from memory). Rejects
 * with the reason when the account was refused (the session has then ended).
 */
export const verifySession = () => invoke('verify_session');

/**
 * Signs in; resolves to the session info. `keep`: 'keychain' (default), 'file' or
 * 'notRemembered'; a keychain that cannot take the token rejects with code
 * 'keychain_unavailable' and nothing kept, for the user to choose.
 */
export const signIn = ({ baseUrl, token, authStyle, keep }) =>
  invoke('sign_in', { request: { baseUrl, token, authStyle }, keep: keep ?? null });

/** Starts the local sandbox (first time only) and signs in to it; resolves to the session info. */
export const startDemo = () => invoke('start_demo');

/**
 * Signs out of the shown account; `keepCache` keeps the offline copy of its data on this
 * computer. Resolves to the account shown now (another one still signed in), or null.
 */
export const signOut = ({ keepCache }) => invoke('sign_out', { keepCache: Boolean(keepCache) });

/** The signed-in accounts: [{accountKey, displayName, organizationName, baseUrl, active, pending, ...}]. */
export const listAccounts = () => invoke('list_accounts');

/** Shows another signed-in account; resolves to its session info. */
export const switchAccount = (key) => invoke('switch_account', { key });

// ---- settings ----

/** {theme: 'system'|'light'|'dark'}. */
export const getSettings = () => invoke('get_settings');

/** Keeps the theme for the next start; resolves to the settings. */
export const setTheme = (theme) => invoke('set_theme', { theme });

/** Desktop notifications on or off; resolves to the settings as saved. */
export const setDesktopNotifications = (enabled) => invoke('set_desktop_notifications', { enabled });

// ---- organisations (customers) ----

/**
 * One window of the list: {search, status: null|true|false, sort, direction, offset, limit}
 * -> {offset, rows: [CustomerRow], total, exact, totalText}. A CustomerRow: {id, name, email,
 * phone, phoneDisplay (the core's international format), isActive, registrationDate,
 * registrationDateText, registrationDateTitle (display-ready), lastModified, syncState}.
 * Every payload is camelCase on the wire (serde); nothing is mapped here.
 */
export const listCustomers = (request) => invoke('list_customers', { request });

/** {customer: CustomerRow, error: string|null, conflicts: [ConflictView]}. */
export const getCustomer = (id) => invoke('get_customer', { id });

/** {errors: [{field, message}], phoneInternational: string|null}. */
export const validateCustomer = ({ name, email, phone }) =>
  invoke('validate_customer', { form: { name, email, phone } });

/**
 * Whether the organisation form's values ({name, email, phone, isActive}) are a change to the
 * stored ones, by the core's rules (a phone typed with other spacing is the same phone).
 */
export const customerFormChanged = (stored, form) => invoke('customer_form_changed', {
  stored: { name: stored.name, email: stored.email, phone: stored.phone, isActive: stored.isActive },
  form: { name: form.name, email: form.email, phone: form.phone, isActive: form.isActive },
});

/** Queues a create; resolves to the new (pending) CustomerRow. */
export const createCustomer = ({ name, email, phone, isActive }) =>
  invoke('create_customer', { form: { name, email, phone, isActive } });

/** Queues an update; resolves to the CustomerRow as now stored. */
export const updateCustomer = (id, { name, email, phone, isActive }) =>
  invoke('update_customer', { id, form: { name, email, phone, isActive } });

export const deleteCustomer = (id) => invoke('delete_customer', { id });

// ---- many organisations at once ----

/**
 * A selection: {ids: [id]} (rows picked), or {matching: {search, status}, except: [id]}
 * (every row the list's search and filter match, less the unpicked).
 * action: 'activate' | 'deactivate' | 'delete'. Resolves to {batchId, queued, unchanged,
 * skipped, message}.
 */
export const bulkCustomers = (action, selection) => invoke('bulk_customers', { action, selection });

/**
 * Bulk changes and imports, newest first: [{id, kind, label, sent, total, waiting, refused,
 * undone, undoable, finished, progressText, detailText, timeLeftText}].
 */
export const listBatches = () => invoke('list_batches');

/** Takes back what a batch has not sent: {undone, kept, message}. */
export const undoBatch = (batchId) => invoke('undo_batch', { batchId });

export const dismissBatch = (batchId) => invoke('dismiss_batch', { batchId });

/** The words for `count` picked rows (`all`: every matching one), `named` of them by name: {picked, deleteQuestion, more}. */
export const selectionWords = (count, all, named = 0) => invoke('selection_words', { count, all, named });

/** The selection (in the list's sort) to a CSV through the save dialog: {path, rows, rowsText} or null. */
export const exportCustomersCsv = (selection, sort, direction) =>
  invoke('export_customers_csv', { selection, sort, direction });

/**
 * A CSV chosen through the open dialog, judged: {draftId, fileName, rows: [{line, name, email,
 * phone, status, outcome: 'valid'|'invalid'|'duplicate', message, field}], total, valid, invalid,
 * duplicates, ignoredColumns, summaryText, shownText} or null (cancelled).
 */
export const previewCustomerImport = () => invoke('preview_customer_import');

/** Imports the preview's valid rows, once: {batchId, created, duplicates, message}. */
export const importCustomers = (draftId) => invoke('import_customers', { draftId });

/**
 * A page of the activity log, newest first. query: {search, areas: [area], outcomes: [outcome],
 * from, to ('YYYY-MM-DD' or null), limit}. Resolves to {entries: [{activityId, what, area,
 * areaLabel, customerId, organisation, changes: [{field, before, after}], who, madeAt, madeText,
 * outcome, outcomeText, answeredAt, answeredText, batchId}], total, summary, retentionDays}.
 */
export const activityPage = (query) => invoke('activity_page', { query });

/** Every entry the query matches to a CSV through the save dialog: {path, rows, rowsText} or null. */
export const exportActivityCsv = (query) => invoke('export_activity_csv', { query });

/** Keeps the log `days` (null: forever); resolves to how many older entries went. */
export const setActivityRetention = (days) => invoke('set_activity_retention', { days });

/** Undoes a pending or refused change; resolves to the server's version, or null if none. */
export const discardChanges = (id) => invoke('discard_changes', { id });

/** [ConflictView]: {opId, customerId, customerName, field, fieldLabel, mine, theirs, mineDisplay,
 * theirsDisplay}: the labels and values as the user reads them come from the core. */
export const listConflicts = () => invoke('list_conflicts');

/** resolution: 'keep_mine' | 'take_theirs'. */
export const settleConflict = ({ opId, field, resolution }) =>
  invoke('settle_conflict', { opId, field, resolution });

// ---- sync ----

/** SyncStatus: {connectivity, offlineReason, lastSynced, activity, pending, failed, conflicts, lastError}. */
export const syncStatus = () => invoke('sync_status');

/** Starts a round now. */
export const syncNow = () => invoke('sync_now');

/** Tells the engine which organisation page is open (null: none), so its data goes first. */
export const openCustomer = (id) => invoke('open_customer', { id });

// ---- branding ----

/**
 * BrandingView: {brandColor: '#RRGGBB'|null, theme: {brand, brandHover, onBrand, contrast,
 * contrastText, brandSoftLight, brandSoftDark, brandInkLight, brandInkDark}|null, logo:
 * {dataUrl, contentType, width, height, bytes, dimensionsText|null, sizeText}|null, logoMissing,
 * logoProblem (why the server's logo is not shown, a sentence)|null, colourPending,
 * logoPending, colourError, logoError, asOf}: the cache with pending changes laid over it.
 */
export const getBranding = () => invoke('get_branding');
/** Fetches the branding now and resolves to the view (the cached one when the server fails). */
export const refreshBranding = () => invoke('refresh_branding');

/** Opens the native file dialog, processes the chosen image in Rust and queues it ->
 * BrandingView, or null when cancelled. A file that cannot be a logo, or a job stopped with
 * cancelLogo, rejects (field 'logo'). */
export const chooseLogo = () => invoke('choose_logo');

/** Stops the logo being processed -> true, or false when none is. */
export const cancelLogo = () => invoke('cancel_logo');

export const removeLogo = () => invoke('remove_logo');

/** colour: '#RRGGBB' (also 'RRGGBB', '#RGB') -> BrandingView; rejects with field 'brand_color'. */
export const setBrandColour = (colour) => invoke('set_brand_colour', { colour });

/** The BrandTheme `colour` would set, nothing kept (the picker's live preview while dragging). */
export const previewBrandColour = (colour) => invoke('preview_brand_colour', { colour });

/** Back to the app's own colours -> BrandingView. */
export const resetBrandColour = () => invoke('reset_brand_colour');

/** Drops branding changes the server refused -> BrandingView. */
export const discardBrandingChanges = () => invoke('discard_branding_changes');

/**
 * Calls `handler(payload)` on every `event` from the Rust side; resolves to a function that
 * stops listening. Rejects when events are not available (no permission, not in the app).
 */
async function listen(event, handler) {
  const tauri = ipc();
  if (!tauri?.transformCallback) throw { code: 'internal', message: 'Events are not available.' };
  const callback = tauri.transformCallback((e) => handler(e.payload));
  let eventId;
  try {
    eventId = await invoke('plugin:event|listen', { event, target: { kind: 'Any' }, handler: callback });
  } catch (e) {
    tauri.unregisterCallback?.(callback);
    throw e;
  }
  return () => {
    window.__TAURI_EVENT_PLUGIN_INTERNALS__?.unregisterListener(event, eventId);
    invoke('plugin:event|unlisten', { event, eventId }).catch(() => {});
  };
}

/** SyncStatus on every change. */
export const onSyncStatus = (handler) => listen('sync-status', handler);

/** {ids, listChanged, remapped: [[local, server]], detailsChanged}: re-read what is shown. */
export const onCacheChanged = (handler) => listen('cache-changed', handler);

/**
 * A desktop notification was clicked: the screen it names. Payload {screen: 'organization',
 * customerId, name, tab} | {screen: 'dashboard' | 'branding' | 'activity'}.
 */
export const onOpenTarget = (handler) => listen('open-target', handler);

/** The remembered accounts not shown at start are open now (to be confirmed, `verifySession`). */
export const onAccountsOpened = (handler) => listen('accounts-opened', handler);
/** Calls `handler(UpdateView)` on every change of the app's update state. */
export const onUpdateStatus = (handler) => listen('update-status', handler);

/**
 * `handler(UpdateView)` now and on every change, until the returned function is called
 * (which also works before the subscription has settled).
 */
export function followUpdates(handler, onError = () => {}) {
  let unlisten = null;
  let stopped = false;
  onUpdateStatus(handler).then((stop) => {
    if (stopped) stop();
    else unlisten = stop;
  }, () => {});
  updateStatus().then(handler, onError);
  return () => {
    stopped = true;
    unlisten?.();
  };
}

// ---- usage and transcriptions tabs ----

/**
 * request: {customerId, range: {preset, from?, to?}, view, splitBy: null|'language'|...} ->
 * UsageTab {query, asOf, summary, chart, table: {columns, rows}, live: {offline, problem},
 * localOnly}, from the cache only.
 */
export const usageView = (request) => invoke('usage_view', { request });

/** {presets: [{key, label, from, lastDay}], views: [{key, label, splits: [{key|null, label}]}]}:
 * the usage tab's choices, from the core (last days inclusive, today resolved). */
export const usageOptions = () => invoke('usage_options');

/** {presets: [{key, label, from, lastDay}]}: the dashboard's range choices. */
export const dashboardOptions = () => invoke('dashboard_options');

/** The same, after fetching the query when it is missing or stale. */
export const refreshUsage = (request) => invoke('refresh_usage', { request });

/** Saves the table of `request` as CSV where the user picks; resolves to {path, rows, rowsText}, or null (cancelled). */
export const exportUsageCsv = (request) => invoke('export_usage_csv', { request });

/**
 * request: {customerId, filters: {status, filename, language, dateFrom, dateTo}, sort:
 * {column, direction}, page: {offset, limit}}; live: ask the server (else the cache) ->
 * {rows, total, offset, limit, source: 'server'|'cache', asOf, cached, live, statuses, localOnly,
 * pageText ("1–25 of 1,204"), cachedText}.
 */
export const listTranscriptions = (request, { live }) =>
  invoke('list_transcriptions', { request, live: Boolean(live) });

// ---- subscription, tokens and users tabs ----
// Each *Tab read is {rows, refused: [{opId, kind, what, error}], asOf: {fetchedAt, state,
// unsupported, fetchedAtText, fetchedAgoText}}; a row has its server fields, `local` (queued,
// not on Scriptix yet) and `mark` ({opId, kind, state: 'pending'|'failed', error} or null), and
// its dates display-ready (tokens: createdText/Title, expiresText/Title; users:
// lastLoginText/Title, reactivationSentText/Title). Writes are queued in the outbox, except
// creating a token (sent at once: its secret is in the answer only).

export const subscriptionsTab = (customerId) => invoke('subscriptions_tab', { customerId });

/** {plans: [{sku, description, paymentModel}], fetchedAt, countText ('12 plans')}: the cached
 * plans matching `search`. */
export const listPlans = (search) => invoke('list_plans', { search: search ?? '' });

/** Fetches the plan catalogue now; answers as listPlans. */
export const refreshPlans = (search) => invoke('refresh_plans', { search: search ?? '' });

export const addSubscription = ({ customerId, sku, autoRenew }) =>
  invoke('add_subscription', { customerId, sku, autoRenew: Boolean(autoRenew) });

export const setAutoRenew = ({ customerId, subscriptionId, autoRenew }) =>
  invoke('set_auto_renew', { customerId, subscriptionId, autoRenew: Boolean(autoRenew) });

/** Drops a waiting or refused change of one of these tabs. */
export const discardTabChange = (opId) => invoke('discard_tab_change', { opId });

export const tokensTab = (customerId) => invoke('tokens_tab', { customerId });

/** Creates it on Scriptix now -> {token, secret}: the secret is shown once and never stored. */
export const createToken = (customerId, { name, tokenType, expiresInYears }) =>
  invoke('create_token', { customerId, form: { name, tokenType, expiresInYears: Number(expiresInYears) } });

export const revokeToken = (customerId, tokenId) => invoke('revoke_token', { customerId, tokenId });

export const usersTab = (customerId) => invoke('users_tab', { customerId });

/** [{field: 'email'|'firstName'|'lastName'|'roles', message}]: empty when it can be saved. */
export const validateUser = ({ email, firstName, lastName, roles }) =>
  invoke('validate_user', { form: { email, firstName, lastName, roles } });

export const addUser = (customerId, { email, firstName, lastName, roles }) =>
  invoke('add_user', { customerId, form: { email, firstName, lastName, roles } });

export const updateUser = (customerId, userId, { email, firstName, lastName, roles }) =>
  invoke('update_user', { customerId, userId, form: { email, firstName, lastName, roles } });

/** active false: deactivate; true: reactivate (and send the reactivation link). */
export const setUserActive = (customerId, userId, active) =>
  invoke('set_user_active', { customerId, userId, active: Boolean(active) });

export const deleteUser = (customerId, userId) => invoke('delete_user', { customerId, userId });

// ---- dashboard ----

/**
 * request: {range: {preset: 'this_month'|'last_month'|'last_90_days'|'this_year'|'custom',
 * from?, to? (inclusive, YYYY-MM-DD)}, sort: 'name'|'hours'|'sessions'|'error_rate'|
 * 'available'|'used_percent', direction: 'asc'|'desc'} -> {range: {from, to (exclusive)},
 * source: 'server'|'computed'|'pending', asOf, coverage: {covered, total}|null, totals,
 * customers, top, recent, alerts, threshold, sessionsUnavailable, coverageText, pageText,
 * thresholdText, refresh: {running, done, total, error, progressText}}, from the cache; a
 * background refresh of the range starts as needed.
 */
export const dashboardView = (request) => invoke('dashboard_view', { request });

/** Saves the table of `request` (all rows, in its order) as CSV where the user picks ->
 * {path, rows, rowsText}, or null when cancelled. */
export const exportDashboardCsv = (request) => invoke('export_dashboard_csv', { request });
/** The dashboard left the screen: "Sync now" stops refreshing it. */
export const dashboardHidden = () => invoke('dashboard_hidden');

/** Keeps the alert threshold (whole percent, 1..1000); resolves to the value kept. */
export const setAlertThreshold = (percent) => invoke('set_alert_threshold', { percent });

// ---- about ----

/** {version, webview, logDir}. */
export const about = () => invoke('about');
/** The support report as text (no token, no customer data). */
export const diagnosticsReport = () => invoke('diagnostics_report');

// ---- updates of the app ----

/** UpdateView: {state, currentVersion, version, headline, detail, progress, action, errorCode, announce}. */
export const updateStatus = () => invoke('update_status');
/** Looks for a newer version; resolves to the UpdateView. */
export const checkForUpdate = () => invoke('check_for_update');
/** Downloads, verifies and installs the version found; resolves to the UpdateView. */
export const installUpdate = () => invoke('install_update');
/** Restarts into the installed version. */
export const restartToUpdate = () => invoke('restart_to_update');
