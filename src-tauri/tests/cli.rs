//! The command line, through the real binary (no window opens for these).

use std::process::Command;

fn app() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scriptix-reseller"));
    cmd.env_remove("SCRIPTIX_TOKEN");
    cmd
}

#[test]
fn help_describes_the_options_and_exits_zero() {
    let out = app().arg("--help").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "--demo",
        "--base-url",
        "--auth-style",
        "SCRIPTIX_TOKEN",
        "--version",
    ] {
        assert!(text.contains(expected), "help lacks {expected}:\n{text}");
    }
}

#[test]
fn version_prints_the_package_version() {
    let out = app().arg("--version").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let out = app().arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("--no-such-flag"), "{text}");
}

#[test]
fn base_url_without_a_token_says_where_the_token_goes() {
    let out = app()
        .args(["--base-url", "https://api.scriptix.io"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("SCRIPTIX_TOKEN"), "{text}");
}
