//! Desktop notifications: shows what the core says has become worth saying
//! (`reseller_core::notices`: an organisation at the alert threshold, a change refused), once
//! each, while the user has them on, for every open account (one not shown is named); a click
//! brings the window to the front and opens the notice's screen there, on its account (the
//! `open-target` event).

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reseller_core::dashboard::RangeRequest;
use reseller_core::notices::Notice;
use reseller_core::workspace::Workspace;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// Event telling the window which screen to open (payload `reseller_core::notices::Target`).
pub const OPEN_TARGET_EVENT: &str = "open-target";
/// Changes that come together (a sync round, a dashboard refresh) are looked at once.
const SETTLE: Duration = Duration::from_secs(2);
/// While notifications are on, this month's usage is brought up to date this often (nothing is
/// asked while the cached figures are fresh), so the threshold is noticed without the
/// dashboard on screen.
const USAGE_EVERY: Duration = Duration::from_secs(15 * 60);

/// Wakes every open account's check at once: what counts as due has changed (the threshold, or
/// notifications turned on), not the cache.
pub struct Recheck(tokio::sync::watch::Sender<u64>);

impl Default for Recheck {
    fn default() -> Self {
        Recheck(tokio::sync::watch::channel(0).0)
    }
}

/// Asks for a check now (the threshold or the setting changed).
pub fn recheck(handle: &AppHandle) {
    if let Some(r) = handle.try_state::<Recheck>() {
        r.0.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// Opens a clicked notification's screen in the window.
pub fn open_on_click(handle: &AppHandle) {
    let app = handle.clone();
    let registered = handle.notification().on_action(move |performed| {
        let Some(extra) = performed.notification().map(|n| n.extra()) else {
            return;
        };
        let Some(mut target) = extra.get("target").cloned() else {
            return;
        };
        // The window switches to the notice's account first when another one is shown.
        if let (Some(fields), Some(account)) = (target.as_object_mut(), extra.get("account")) {
            fields.insert("account".into(), account.clone());
        }
        crate::single_instance::bring_to_front(&app);
        let _ = app.emit(OPEN_TARGET_EVENT, target);
    });
    if let Err(e) = registered {
        tracing::warn!(error = %e, "notification clicks will not open their screen");
    }
}

/// Shows what becomes due while `workspace` is open (shown or not: `visible`): at once, then
/// after its cache changes.
pub async fn watch(
    handle: AppHandle,
    workspace: Arc<Workspace>,
    visible: tokio::sync::watch::Receiver<bool>,
) {
    let mut changes = workspace.engine().changes();
    let mut recheck = handle.state::<Recheck>().0.subscribe();
    let info = workspace.info();
    let account = info.account_key();
    let label = info.account_label().to_string();
    loop {
        let settings = crate::settings::load(&handle);
        // Off: nothing is read (turning them on marks what is due then, see the setting's
        // command).
        if settings.desktop_notifications {
            let threshold = settings.alert_threshold();
            let ws = workspace.clone();
            match tauri::async_runtime::spawn_blocking(move || ws.due_notices(threshold, true))
                .await
            {
                Ok(Ok(due)) => {
                    // An account not shown is named, so the user knows where it happened.
                    let named = (!*visible.borrow()).then_some(label.as_str());
                    for notice in due {
                        notify(&handle, &notice, &account, named);
                    }
                }
                Ok(Err(e)) => tracing::warn!(code = e.code(), "notifications not checked"),
                Err(e) => tracing::warn!(error = %e, "notifications not checked"),
            }
        }
        tokio::select! {
            r = recheck.changed() => if r.is_ok() { continue } else { return },
            changed = changes.recv() => match changed {
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            () = tokio::time::sleep(USAGE_EVERY) => {
                if crate::settings::load(&handle).desktop_notifications {
                    refresh_usage(&workspace).await;
                }
            }
        }
        tokio::time::sleep(SETTLE).await;
        loop {
            match changes.try_recv() {
                Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Closed) => return,
            }
        }
    }
}

/// This month's usage, for the threshold (its changes then wake the loop).
async fn refresh_usage(workspace: &Workspace) {
    let never = AtomicBool::new(false);
    if let Err(e) = workspace
        .refresh_dashboard(&RangeRequest::ThisMonth, &never, |_| {})
        .await
    {
        tracing::debug!(
            code = e.code(),
            "this month's usage not refreshed for the alerts"
        );
    }
}

/// Notification ids, unique in this run (several accounts' watches show them).
static IDS: AtomicI32 = AtomicI32::new(1);

fn notify(handle: &AppHandle, notice: &Notice, account: &str, named: Option<&str>) {
    let title = match named {
        Some(label) => format!("{label}: {}", notice.title),
        None => notice.title.clone(),
    };
    let shown = handle
        .notification()
        .builder()
        .id(IDS.fetch_add(1, Ordering::Relaxed))
        .title(&title)
        .body(&notice.body)
        .extra("target", &notice.target)
        .extra("account", account)
        .show();
    match shown {
        Ok(()) => tracing::info!(title = %notice.title, "desktop notification shown"),
        Err(e) => tracing::warn!(error = %e, "a desktop notification could not be shown"),
    }
}
