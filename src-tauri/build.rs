/// The app's own commands. Listing them makes Tauri generate an `allow-<command>` permission for
/// each and refuse any command a capability does not grant, so a new command is unreachable until
/// it is added here and to `capabilities/main.json`.
const COMMANDS: &[&str] = &[
    "about",
    "diagnostics_report",
    "sign_in_defaults",
    "session_info",
    "sign_in",
    "start_demo",
    "sign_out",
    "verify_session",
    "validate_customer",
    "customer_form_changed",
    "list_customers",
    "get_customer",
    "create_customer",
    "update_customer",
    "delete_customer",
    "discard_changes",
    "list_conflicts",
    "settle_conflict",
    "open_customer",
    "sync_status",
    "sync_now",
    "get_settings",
    "set_theme",
    "subscriptions_tab",
    "list_plans",
    "refresh_plans",
    "add_subscription",
    "set_auto_renew",
    "discard_tab_change",
    "tokens_tab",
    "create_token",
    "revoke_token",
    "users_tab",
    "validate_user",
    "add_user",
    "update_user",
    "set_user_active",
    "delete_user",
    "dashboard_view",
    "export_dashboard_csv",
    "set_alert_threshold",
    "usage_view",
    "usage_options",
    "dashboard_options",
    "refresh_usage",
    "export_usage_csv",
    "list_transcriptions",
    "get_branding",
    "refresh_branding",
    "choose_logo",
    "cancel_logo",
    "remove_logo",
    "set_brand_colour",
    "preview_brand_colour",
    "reset_brand_colour",
    "discard_branding_changes",
    "memory_milestones",
    "update_status",
    "check_for_update",
    "install_update",
    "restart_to_update",
];

fn main() {
    // The frontend is embedded at compile time; without this a newly added ui file would be
    // missing from the binary until something else triggered a rebuild.
    println!("cargo:rerun-if-changed=../ui");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
