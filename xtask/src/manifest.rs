//! `cargo xtask manifest`: the updater's `latest.json` for a release, from the signed bundles
//! the release workflow gathered, one folder per platform (`DIR/linux-x86_64/…_amd64.deb` and
//! its `.sig`, `DIR/windows-x86_64/…-setup.exe`, `DIR/darwin-universal/….app.tar.gz`, …; a
//! universal macOS app is announced for both processors).
//!
//! The app's updater looks for `{os}-{arch}-{installer}` first (so a .deb install updates from
//! the .deb, an .rpm install from the .rpm), then `{os}-{arch}`, which names each platform's
//! preferred installer. Only bundles with a signature are listed: an unsigned one could never
//! be installed.

use std::collections::BTreeMap;
use std::path::Path;

/// One signed bundle: its platform folder, file name and minisign signature (the `.sig` text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub platform: String,
    pub file: String,
    pub signature: String,
}

/// The updater's name for the installer a file is, by its extension.
fn installer(file: &str) -> Option<&'static str> {
    let kinds = [
        (".deb", "deb"),
        (".rpm", "rpm"),
        (".AppImage", "appimage"),
        (".AppImage.tar.gz", "appimage"),
        (".msi", "msi"),
        (".msi.zip", "msi"),
        ("-setup.exe", "nsis"),
        ("-setup.nsis.zip", "nsis"),
        (".app.tar.gz", "app"),
    ];
    kinds
        .iter()
        .filter(|(ext, _)| file.ends_with(ext))
        .max_by_key(|(ext, _)| ext.len())
        .map(|(_, kind)| *kind)
}

/// Which installer the plain `{os}-{arch}` key names, in order of preference.
const PREFERRED: &[&str] = &["appimage", "deb", "nsis", "msi", "app"];

/// Builds `latest.json`. `base_url` is where the files will be downloadable (`…/download/v1.2.3`).
pub fn build(
    version: &str,
    notes: &str,
    pub_date: &str,
    base_url: &str,
    bundles: &[Signed],
) -> Result<Manifest, String> {
    let version = version.trim_start_matches('v');
    if version.split('.').count() != 3 || !version.split('.').all(|p| p.parse::<u64>().is_ok()) {
        return Err(format!("not a version MAJOR.MINOR.PATCH: {version}"));
    }
    let mut platforms = BTreeMap::new();
    let mut platform_names: Vec<&str> = bundles.iter().map(|b| b.platform.as_str()).collect();
    platform_names.sort();
    platform_names.dedup();
    for platform in platform_names {
        let mut best: Option<(usize, Entry)> = None;
        for b in bundles.iter().filter(|b| b.platform == platform) {
            let Some(kind) = installer(&b.file) else {
                continue;
            };
            let entry = Entry {
                signature: b.signature.trim().to_string(),
                url: format!("{}/{}", base_url.trim_end_matches('/'), url_encode(&b.file)),
            };
            platforms.insert(format!("{platform}-{kind}"), entry.clone());
            let rank = PREFERRED
                .iter()
                .position(|k| *k == kind)
                .unwrap_or(usize::MAX);
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((rank, entry));
            }
        }
        if let Some((_, entry)) = best {
            platforms.insert(platform.to_string(), entry);
        }
    }
    // A universal macOS app serves both processors under each one's keys.
    let universal: Vec<(String, Entry)> = platforms
        .iter()
        .filter_map(|(key, entry)| {
            let rest = key.strip_prefix("darwin-universal")?;
            Some((rest.to_string(), entry.clone()))
        })
        .collect();
    for (rest, entry) in universal {
        platforms.remove(&format!("darwin-universal{rest}"));
        for arch in ["aarch64", "x86_64"] {
            platforms.insert(format!("darwin-{arch}{rest}"), entry.clone());
        }
    }
    if platforms.is_empty() {
        return Err("no signed bundle found: nothing to announce".into());
    }
    Ok(Manifest {
        version: version.to_string(),
        notes: notes.to_string(),
        pub_date: pub_date.to_string(),
        platforms,
    })
}

/// What the updater reads: the version, notes, date and one download per platform key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub version: String,
    pub notes: String,
    pub pub_date: String,
    pub platforms: BTreeMap<String, Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub signature: String,
    pub url: String,
}

impl Manifest {
    /// The JSON text (xtask has no dependencies, so it is written here).
    pub fn to_json(&self) -> String {
        let platforms: Vec<String> = self
            .platforms
            .iter()
            .map(|(key, e)| {
                format!(
                    "    {}: {{\n      \"signature\": {},\n      \"url\": {}\n    }}",
                    json_string(key),
                    json_string(&e.signature),
                    json_string(&e.url)
                )
            })
            .collect();
        format!(
            "{{\n  \"version\": {},\n  \"notes\": {},\n  \"pub_date\": {},\n  \"platforms\": {{\n{}\n  }}\n}}\n",
            json_string(&self.version),
            json_string(&self.notes),
            json_string(&self.pub_date),
            platforms.join(",\n")
        )
    }
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Percent-encodes what a file name may hold that a URL path may not (spaces in "Scriptix
/// Reseller.app.tar.gz").
fn url_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Every signed bundle under `dir/<platform>/`.
pub fn gather(dir: &Path) -> Result<Vec<Signed>, String> {
    let mut out = Vec::new();
    let platforms = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for platform in platforms.flatten().filter(|e| e.path().is_dir()) {
        let name = platform.file_name().to_string_lossy().to_string();
        for file in std::fs::read_dir(platform.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let file_name = file.file_name().to_string_lossy().to_string();
            let Some(bundle) = file_name.strip_suffix(".sig") else {
                continue;
            };
            let signature = std::fs::read_to_string(file.path())
                .map_err(|e| format!("{}: {e}", file.path().display()))?;
            out.push(Signed {
                platform: name.clone(),
                file: bundle.to_string(),
                signature,
            });
        }
    }
    out.sort_by(|a, b| (&a.platform, &a.file).cmp(&(&b.platform, &b.file)));
    Ok(out)
}

/// `cargo xtask manifest --version V --base-url URL --dir DIR [--notes FILE] [--date RFC3339]
/// [--out FILE]`
pub fn run(args: &[String]) -> Result<(), String> {
    let get = |name: &str| -> Option<String> {
        let i = args.iter().position(|a| a == name)?;
        args.get(i + 1).cloned()
    };
    let version = get("--version").ok_or("--version is needed")?;
    let base_url = get("--base-url").ok_or("--base-url is needed")?;
    let dir = get("--dir").ok_or("--dir is needed")?;
    let notes = match get("--notes") {
        Some(file) => std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?,
        None => String::new(),
    };
    let date = get("--date").ok_or("--date is needed (RFC 3339, e.g. 2026-12-05T10:00:00Z)")?;
    let out = get("--out").unwrap_or_else(|| "latest.json".into());
    let bundles = gather(Path::new(&dir))?;
    let manifest = build(&version, notes.trim(), &date, &base_url, &bundles)?;
    std::fs::write(&out, manifest.to_json()).map_err(|e| format!("{out}: {e}"))?;
    println!(
        "manifest: {out}, {} platform entries",
        manifest.platforms.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(platform: &str, file: &str) -> Signed {
        Signed {
            platform: platform.into(),
            file: file.into(),
            signature: format!("sig of {file}\n"),
        }
    }

    #[test]
    fn each_bundle_gets_its_installer_key_and_each_platform_its_preferred_one() {
        let bundles = [
            signed("linux-x86_64", "Scriptix Reseller_1.2.3_amd64.deb"),
            signed("linux-x86_64", "Scriptix Reseller-1.2.3-1.x86_64.rpm"),
            signed("windows-x86_64", "Scriptix Reseller_1.2.3_x64_en-US.msi"),
            signed("windows-x86_64", "Scriptix Reseller_1.2.3_x64-setup.exe"),
            signed("darwin-universal", "Scriptix Reseller.app.tar.gz"),
        ];
        let m = build(
            "v1.2.3",
            "Fixes.",
            "2026-12-05T10:00:00Z",
            "https://example.test/v1.2.3/",
            &bundles,
        )
        .unwrap();
        assert_eq!(m.version, "1.2.3");
        assert_eq!(m.notes, "Fixes.");
        let p = &m.platforms;
        let keys: Vec<&str> = p.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "darwin-aarch64",
                "darwin-aarch64-app",
                "darwin-x86_64",
                "darwin-x86_64-app",
                "linux-x86_64",
                "linux-x86_64-deb",
                "linux-x86_64-rpm",
                "windows-x86_64",
                "windows-x86_64-msi",
                "windows-x86_64-nsis",
            ]
        );
        assert_eq!(p["linux-x86_64"], p["linux-x86_64-deb"]);
        assert_eq!(p["windows-x86_64"], p["windows-x86_64-nsis"]);
        assert_eq!(p["darwin-x86_64-app"], p["darwin-aarch64-app"]);
        assert_eq!(
            p["darwin-aarch64-app"].url,
            "https://example.test/v1.2.3/Scriptix%20Reseller.app.tar.gz"
        );
        // The signature as the .sig file holds it, without its final newline.
        assert_eq!(
            p["linux-x86_64-rpm"].signature,
            "sig of Scriptix Reseller-1.2.3-1.x86_64.rpm"
        );
    }

    #[test]
    fn the_json_escapes_what_it_must() {
        let mut platforms = BTreeMap::new();
        platforms.insert(
            "linux-x86_64".to_string(),
            Entry {
                signature: "abc".into(),
                url: "https://x.test/a.deb".into(),
            },
        );
        let m = Manifest {
            version: "1.0.0".into(),
            notes: "Line one\n\"quoted\" \\ tab\t\u{1}".into(),
            pub_date: "2026-12-05T10:00:00Z".into(),
            platforms,
        };
        assert_eq!(
            m.to_json(),
            "{\n  \"version\": \"1.0.0\",\n  \"notes\": \"Line one\\n\\\"quoted\\\" \\\\ tab\\t\\u0001\",\n  \"pub_date\": \"2026-12-05T10:00:00Z\",\n  \"platforms\": {\n    \"linux-x86_64\": {\n      \"signature\": \"abc\",\n      \"url\": \"https://x.test/a.deb\"\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn a_bad_version_or_nothing_signed_is_refused() {
        let bundles = [signed("linux-x86_64", "a_1.0.0_amd64.deb")];
        assert!(build("1.0", "", "d", "u", &bundles).is_err());
        assert!(build("1.0.x", "", "d", "u", &bundles).is_err());
        assert!(build("1.0.0", "", "d", "u", &[]).is_err());
        // A file that is no installer is not announced.
        assert!(build(
            "1.0.0",
            "",
            "d",
            "u",
            &[signed("linux-x86_64", "notes.txt")]
        )
        .is_err());
    }

    #[test]
    fn gathers_only_signed_bundles_from_platform_folders() {
        let dir = std::env::temp_dir().join(format!("manifest-test-{}", std::process::id()));
        let linux = dir.join("linux-x86_64");
        std::fs::create_dir_all(&linux).unwrap();
        std::fs::write(linux.join("a_1.0.0_amd64.deb"), b"deb").unwrap();
        std::fs::write(linux.join("a_1.0.0_amd64.deb.sig"), b"SIG").unwrap();
        std::fs::write(linux.join("a-1.0.0-1.x86_64.rpm"), b"rpm, unsigned").unwrap();
        let found = gather(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            found,
            [Signed {
                platform: "linux-x86_64".into(),
                file: "a_1.0.0_amd64.deb".into(),
                signature: "SIG".into()
            }]
        );
    }
}
