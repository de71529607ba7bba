//! The command line: what to do at start, before any window opens.

use std::ffi::OsString;

use clap::{error::ErrorKind, CommandFactory, FromArgMatches, Parser, ValueEnum};
use reseller_core::{AuthStyleSetting, SignInRequest};

/// Where the token comes from with `--base-url`: never the command line, which other users of
/// the machine can read.
pub const TOKEN_ENV: &str = "SCRIPTIX_TOKEN";

#[derive(Debug, Parser)]
#[command(
    name = "scriptix-reseller",
    version,
    about = "Scriptix Reseller Desktop: manage the customers you sell Scriptix speech-to-text to.",
    after_help = "Without options the app opens on the sign-in screen.\n\n\
                  Environment:\n  SCRIPTIX_TOKEN  the API token used with --base-url\n  \
                  SCRIPTIX_LOG    log filter, e.g. debug (default: info)"
)]
struct Args {
    /// Start in demo mode: a local sandbox with sample customers, no account needed.
    #[arg(long, conflicts_with = "base_url")]
    demo: bool,

    /// Sign in at start to this Scriptix API, with the token from SCRIPTIX_TOKEN.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,

    /// The header the token is sent in.
    #[arg(long, value_enum, value_name = "STYLE", default_value_t = AuthStyleArg::ZoomKey)]
    auth_style: AuthStyleArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum AuthStyleArg {
    /// x-zoom-s2t-key: <token>
    ZoomKey,
    /// Authorization: Bearer <token>
    Bearer,
}

impl From<AuthStyleArg> for AuthStyleSetting {
    fn from(a: AuthStyleArg) -> Self {
        match a {
            AuthStyleArg::ZoomKey => AuthStyleSetting::ZoomKey,
            AuthStyleArg::Bearer => AuthStyleSetting::Bearer,
        }
    }
}

/// What the app does once its window is up.
#[derive(Debug)]
pub enum Startup {
    /// Show the sign-in screen.
    SignInScreen,
    /// Start the in-process sandbox and sign in to it.
    Demo,
    /// Sign in with these credentials (from `--base-url` and `SCRIPTIX_TOKEN`).
    SignIn(SignInRequest),
}

#[derive(Debug)]
pub struct Launch {
    pub startup: Startup,
    /// What the sign-in form starts with.
    pub base_url: Option<String>,
    pub auth_style: AuthStyleSetting,
}

/// Parses the arguments; `--help`, `--version` and usage errors are `Err` (print it and exit
/// with its code). `token` is the value of `SCRIPTIX_TOKEN`; `version` is the app's (Tauri's
/// package version, which About and the updater use too); `demo`: whether this build has one.
pub fn parse<I>(
    args: I,
    token: Option<String>,
    version: &str,
    demo: bool,
) -> Result<Launch, clap::Error>
where
    I: IntoIterator<Item = OsString>,
{
    let mut command = Args::command().version(version.to_string());
    // WebDriver launchers may hand over an empty argument; it means nothing, so it is dropped
    // rather than rejected.
    let matches = command.try_get_matches_from_mut(args.into_iter().filter(|a| !a.is_empty()))?;
    let args = Args::from_arg_matches(&matches).map_err(|e| e.format(&mut command))?;
    let auth_style = AuthStyleSetting::from(args.auth_style);
    let startup = if args.demo && !demo {
        return Err(command.error(
            ErrorKind::InvalidValue,
            "this build of Scriptix Reseller has no demo (it was built without the `demo` feature)",
        ));
    } else if args.demo {
        Startup::Demo
    } else if let Some(base_url) = &args.base_url {
        match token.filter(|t| !t.trim().is_empty()) {
            Some(token) => Startup::SignIn(SignInRequest {
                base_url: base_url.clone(),
                token,
                auth_style,
            }),
            None => {
                return Err(command.error(
                    ErrorKind::MissingRequiredArgument,
                    format!(
                        "--base-url needs the API token in the {TOKEN_ENV} environment variable"
                    ),
                ))
            }
        }
    } else {
        Startup::SignInScreen
    };
    Ok(Launch {
        startup,
        base_url: args.base_url,
        auth_style,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str], token: Option<&str>) -> Result<Launch, clap::Error> {
        let argv = std::iter::once("scriptix-reseller")
            .chain(args.iter().copied())
            .map(OsString::from);
        parse(argv, token.map(str::to_string), "9.8.7", true)
    }

    #[test]
    fn version_is_the_one_given() {
        let e = parse_args(&["--version"], None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::DisplayVersion);
        assert!(e.to_string().contains("9.8.7"), "{e}");
    }

    #[test]
    fn a_build_without_the_demo_refuses_demo_mode_in_words() {
        let argv = ["scriptix-reseller", "--demo"].map(OsString::from);
        let e = parse(argv, None, "1.0.0", false).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("has no demo"), "{e}");
        // The same flag where the build has one.
        let argv = ["scriptix-reseller", "--demo"].map(OsString::from);
        assert!(matches!(
            parse(argv, None, "1.0.0", true).unwrap().startup,
            Startup::Demo
        ));
    }

    #[test]
    fn no_arguments_open_the_sign_in_screen() {
        let launch = parse_args(&[], None).unwrap();
        assert!(matches!(launch.startup, Startup::SignInScreen));
        assert_eq!(launch.base_url, None);
        assert_eq!(launch.auth_style, AuthStyleSetting::ZoomKey);
    }

    #[test]
    fn empty_arguments_are_ignored() {
        let launch = parse_args(&["", "--demo", ""], None).unwrap();
        assert!(matches!(launch.startup, Startup::Demo));
    }

    #[test]
    fn base_url_signs_in_with_the_token_from_the_environment() {
        let launch = parse_args(
            &["--base-url", "http://127.0.0.1:9", "--auth-style", "bearer"],
            Some("tok"),
        )
        .unwrap();
        match launch.startup {
            Startup::SignIn(req) => {
                assert_eq!(req.base_url, "http://127.0.0.1:9");
                assert_eq!(req.token, "tok");
                assert_eq!(req.auth_style, AuthStyleSetting::Bearer);
            }
            other => panic!("expected a sign-in, got {other:?}"),
        }
    }

    #[test]
    fn base_url_without_a_token_is_a_usage_error() {
        for token in [None, Some(""), Some("  ")] {
            let err = parse_args(&["--base-url", "https://api.scriptix.io"], token).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MissingRequiredArgument);
            assert!(err.to_string().contains(TOKEN_ENV));
        }
    }

    #[test]
    fn demo_and_base_url_conflict() {
        let err = parse_args(&["--demo", "--base-url", "x"], Some("t")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArgumentConflict);
    }

    #[test]
    fn unknown_auth_style_is_rejected() {
        let err = parse_args(&["--auth-style", "basic"], None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
    }
}
