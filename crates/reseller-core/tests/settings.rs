//! The settings behind the core's `SettingsStore`, kept in a real JSON file of the desktop
//! store's shape: a file written by today's app loads field for field and is written back in
//! the same shape, a broken file means defaults (never a failed start), credentials in a saved
//! address are dropped, and the dashboard's alert threshold is read and kept through it.

use reseller_core::settings::{
    alert_threshold, set_alert_threshold, update, JsonFileSettings, MemorySettings,
    RememberedAccount, Settings, SettingsStore, Theme,
};
use reseller_core::{AuthStyleSetting, RoleSource, SessionInfo};
use serde_json::json;

/// `settings.json` as the app (tauri-plugin-store, key "settings") writes it today, next to a
/// key the core does not own.
const TODAYS_FILE: &str = r#"{
  "settings": {
    "baseUrl": "https://api.example.com",
    "authStyle": "bearer",
    "theme": "dark",
    "accounts": [
      {
        "info": {
          "displayName": "Ada Lovelace",
          "email": "ada@example.com",
          "organizationName": "Acme BV",
          "organizationId": 42,
          "roles": ["reseller"],
          "baseUrl": "https://api.example.com",
          "demo": false,
          "roleSource": "resellerRoutes"
        },
        "authStyle": "zoomKey"
      },
      {
        "info": {
          "displayName": "Grace Hopper",
          "email": "grace@example.org",
          "organizationName": "Cobol Speech",
          "organizationId": 7,
          "roles": ["RESELLER"],
          "baseUrl": "https://api.example.com",
          "demo": false,
          "roleSource": "account"
        },
        "authStyle": "bearer"
      }
    ],
    "activeAccount": "https://api.example.com#organisation-7",
    "account": null,
    "accountAuthStyle": "zoomKey",
    "alertThresholdPercent": 90,
    "desktopNotifications": true
  },
  "windowState": {"width": 1200}
}"#;

fn todays_settings() -> Settings {
    Settings {
        base_url: Some("https://api.example.com".into()),
        auth_style: AuthStyleSetting::Bearer,
        theme: Theme::Dark,
        accounts: vec![
            RememberedAccount {
                info: SessionInfo {
                    display_name: "Ada Lovelace".into(),
                    email: "ada@example.com".into(),
                    organization_name: Some("Acme BV".into()),
                    organization_id: Some(42),
                    roles: vec!["reseller".into()],
                    base_url: "https://api.example.com".into(),
                    demo: false,
                    role_source: RoleSource::ResellerRoutes,
                },
                auth_style: AuthStyleSetting::ZoomKey,
            },
            RememberedAccount {
                info: SessionInfo {
                    display_name: "Grace Hopper".into(),
                    email: "grace@example.org".into(),
                    organization_name: Some("Cobol Speech".into()),
                    organization_id: Some(7),
                    roles: vec!["RESELLER".into()],
                    base_url: "https://api.example.com".into(),
                    demo: false,
                    role_source: RoleSource::Account,
                },
                auth_style: AuthStyleSetting::Bearer,
            },
        ],
        active_account: Some("https://api.example.com#organisation-7".into()),
        account: None,
        account_auth_style: AuthStyleSetting::ZoomKey,
        alert_threshold_percent: Some(90),
        desktop_notifications: true,
    }
}

fn file_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_settings_file_in_todays_shape_loads_and_is_written_back_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, TODAYS_FILE).unwrap();
    let store = JsonFileSettings::new(&path);

    let loaded = store.load();
    assert_eq!(loaded, todays_settings());
    assert_eq!(alert_threshold(&store), 90.0);

    // Saved unchanged: the same JSON, the other key kept.
    store.save(&loaded).unwrap();
    assert_eq!(
        file_json(&path),
        serde_json::from_str::<serde_json::Value>(TODAYS_FILE).unwrap()
    );
}

#[test]
fn an_older_file_without_newer_fields_loads_with_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    // Before the theme, the threshold and the role source existed.
    std::fs::write(
        &path,
        json!({"settings": {"baseUrl": "https://api.example.com", "authStyle": "zoomKey",
            "account": {"displayName": "Ada", "email": "", "organizationName": null,
                "organizationId": null, "roles": [], "baseUrl": "https://api.example.com",
                "demo": false}}})
        .to_string(),
    )
    .unwrap();
    let loaded = JsonFileSettings::new(&path).load();
    assert_eq!(loaded.theme, Theme::System);
    assert_eq!(loaded.alert_threshold_percent, None);
    assert!(
        !loaded.desktop_notifications,
        "off until the user turns them on"
    );
    // The one account an older version remembered is the list's, and the active one.
    assert_eq!(loaded.account, None);
    assert_eq!(loaded.accounts.len(), 1);
    assert_eq!(loaded.accounts[0].info.display_name, "Ada");
    assert_eq!(loaded.accounts[0].info.role_source, RoleSource::Account);
    assert_eq!(loaded.accounts[0].auth_style, AuthStyleSetting::ZoomKey);
    assert_eq!(
        loaded.active_account.as_deref(),
        Some("https://api.example.com")
    );
    // Written back in today's shape at once.
    let saved = file_json(&path);
    assert_eq!(saved["settings"]["account"], serde_json::Value::Null);
    assert_eq!(
        saved["settings"]["accounts"][0]["info"]["displayName"],
        "Ada"
    );
}

#[test]
fn a_missing_or_broken_file_means_defaults_and_is_rewritten_on_the_next_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("settings.json");
    let store = JsonFileSettings::new(&path);
    assert_eq!(store.load(), Settings::default());

    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{ not json").unwrap();
    assert_eq!(store.load(), Settings::default());
    let saved = update(&store, |s| s.theme = Theme::Light).unwrap();
    assert_eq!(saved.theme, Theme::Light);
    assert_eq!(file_json(&path)["settings"]["theme"], "light");
    assert_eq!(JsonFileSettings::new(&path).load().theme, Theme::Light);
}

#[test]
fn credentials_in_a_saved_address_are_dropped_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(
        &path,
        json!({"settings": {"baseUrl": "https://user:secret@api.example.com/"}}).to_string(),
    )
    .unwrap();
    let loaded = JsonFileSettings::new(&path).load();
    let url = loaded.base_url.unwrap();
    assert!(!url.contains("secret") && !url.contains("user"), "{url}");
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(!on_disk.contains("secret"), "{on_disk}");
}

#[test]
fn the_alert_threshold_is_read_and_kept_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let file = JsonFileSettings::new(&path);
    let memory = MemorySettings::default();
    for store in [&file as &dyn SettingsStore, &memory] {
        // Unset: the default.
        assert_eq!(
            alert_threshold(store),
            reseller_core::dashboard::DEFAULT_THRESHOLD_PERCENT
        );
        // Kept as a whole percent.
        assert_eq!(set_alert_threshold(store, 72.6).unwrap(), 73.0);
        assert_eq!(alert_threshold(store), 73.0);
        // Out of range: refused, named, nothing changed.
        let e = set_alert_threshold(store, 0.0).unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_input", Some("threshold")));
        assert_eq!(alert_threshold(store), 73.0);
    }
    // Kept in the file for the next start.
    assert_eq!(alert_threshold(&JsonFileSettings::new(&path)), 73.0);
    assert_eq!(file_json(&path)["settings"]["alertThresholdPercent"], 73);

    // A stored value the app would refuse (an edited file) reads as the default.
    update(&file, |s| s.alert_threshold_percent = Some(5000)).unwrap();
    assert_eq!(
        alert_threshold(&file),
        reseller_core::dashboard::DEFAULT_THRESHOLD_PERCENT
    );
}
