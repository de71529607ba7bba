//! The reseller's branding (logo and brand colour): the logo pipeline (`logo`), colours and
//! the CSS variables they set (`colour`), queued changes and what the screen shows while they
//! wait (`changes`), and their replay (`replay`). `Workspace`'s branding methods are below.
//!
//! Only resellers get here (sign-in refuses other accounts). Everything reads the cache and writes through the outbox, so branding works offline and
//! survives a restart; the navigation shows a new logo the moment it is queued.
//!
//! Images are decoded only in the logo worker (`worker`: a child process with memory, CPU and
//! time limits), one file at a time per workspace, cancellable; never on the path that reads
//! the branding.

pub mod changes;
pub mod colour;
pub mod replay;

use std::path::Path;

use base64::Engine as _;
use chrono::Utc;
use serde::Serialize;

pub use changes::{apply_changes, shown, BrandingChange, BrandingEntity, ShownBranding};
pub use colour::{parse_hex, BrandTheme, ColourError, Rgb};

use crate::cache::freshness::GapFeature;
use crate::cache::Scope;
use crate::context::Context;
use crate::logo::{JobTicket, Logo, LogoError, LogoWorker};
use crate::outbox::shown_rows;
use crate::tabs::{as_of, AsOf};
use crate::CoreError;

/// The logo as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogoView {
    /// `data:<type>;base64,...`: shown in an `<img>` (the CSP allows `img-src data:`).
    pub data_url: String,
    pub content_type: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub bytes: usize,
    /// Display-ready in the system's locale (`crate::format`): "1,024 × 768 pixels" (None when
    /// the size is not known) and "12 KB" (at least 1).
    pub dimensions_text: Option<String>,
    pub size_text: String,
}

/// A logo's size on disk as the Branding screen says it: kilobytes, rounded, at least 1.
fn kilobytes_text(locale: &crate::format::Locale, bytes: usize) -> String {
    let kb = (bytes as u64 + 512) / 1024;
    format!("{} KB", locale.count_u64(kb.max(1)))
}

/// The Branding view and the navigation's logo and colours.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BrandingView {
    /// `#RRGGBB`, or None: the app's default colours.
    pub brand_color: Option<String>,
    /// The CSS variables for `brand_color` (None: the stylesheet's defaults stand).
    pub theme: Option<BrandTheme>,
    pub logo: Option<LogoView>,
    /// The server has a logo that is not cached here (it shows once fetched).
    pub logo_missing: bool,
    /// Why the server's logo is not shown, when it was fetched and not kept (for the user).
    pub logo_problem: Option<String>,
    /// Changes waiting to reach the server.
    pub colour_pending: bool,
    pub logo_pending: bool,
    /// The server's words when it refused a change (the user discards it or tries another).
    pub colour_error: Option<String>,
    pub logo_error: Option<String>,
    pub as_of: AsOf,
}

/// Nothing is decoded here: the size is the one stored with the logo.
fn logo_view(logo: changes::ShownLogo) -> LogoView {
    let size = logo.size;
    let locale = crate::format::sys();
    LogoView {
        dimensions_text: size.map(|(w, h)| {
            format!(
                "{} × {} pixels",
                locale.count_u64(w.into()),
                locale.count_u64(h.into())
            )
        }),
        size_text: kilobytes_text(locale, logo.bytes.len()),
        data_url: format!(
            "data:{};base64,{}",
            logo.content_type,
            base64::engine::general_purpose::STANDARD.encode(&logo.bytes)
        ),
        content_type: logo.content_type,
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
        bytes: logo.bytes.len(),
    }
}

fn invalid_colour(e: ColourError) -> CoreError {
    CoreError::InvalidInput {
        field: "brand_color",
        message: e.to_string(),
    }
}

fn invalid_logo(e: LogoError) -> CoreError {
    CoreError::InvalidInput {
        field: "logo",
        message: e.to_string(),
    }
}

/// The CSS variables a colour would set, without keeping it: the live preview while the user
/// drags in the colour picker (only the colour finally chosen goes through the outbox).
pub fn preview_theme(input: &str) -> Result<BrandTheme, CoreError> {
    parse_hex(input).map(BrandTheme::of).map_err(invalid_colour)
}

impl Context {
    /// The branding as it shows: the cached row with pending changes written into it, marked.
    pub fn branding(&self) -> Result<BrandingView, CoreError> {
        let cache = self.read()?;
        let (row, op_ids) = shown_rows::<BrandingEntity>(&cache, 0)?
            .into_iter()
            .next()
            .unzip();
        let op_ids = op_ids.unwrap_or_default();
        let ops = changes::branding_ops(&cache)?
            .into_iter()
            .filter(|o| op_ids.contains(&o.op_id))
            .collect();
        let pending = changes::pending(&cache, ops, false)?;
        let as_of = as_of(
            &cache,
            &Scope::Branding,
            Some(GapFeature::Branding),
            Utc::now(),
        )?;
        drop(cache);
        let shown = changes::shown(row.as_ref(), &pending);
        let theme = shown
            .brand_color
            .as_deref()
            .and_then(|c| parse_hex(c).ok())
            .map(BrandTheme::of);
        Ok(BrandingView {
            brand_color: shown.brand_color,
            theme,
            logo: shown.logo.map(logo_view),
            logo_missing: shown.logo_missing,
            logo_problem: shown.logo_problem.map(|why| {
                format!("The logo on Scriptix is not shown here because it could not be checked safely. {why}")
            }),
            colour_pending: shown.colour_pending,
            logo_pending: shown.logo_pending,
            colour_error: shown.colour_error,
            logo_error: shown.logo_error,
            as_of,
        })
    }

    /// Runs a branding write, then tells the engine; answers the branding as it now shows.
    fn branding_write(
        &self,
        f: impl FnOnce(&crate::cache::Cache) -> Result<(), CoreError>,
    ) -> Result<BrandingView, CoreError> {
        self.write_outbox(f)?;
        self.branding()
    }

    /// Sets the brand colour from what the user typed or picked.
    pub fn set_brand_colour(&self, input: &str) -> Result<BrandingView, CoreError> {
        let colour = parse_hex(input).map_err(invalid_colour)?;
        self.branding_write(|c| changes::queue_colour(c, Some(colour), Utc::now()))
    }

    /// Back to the app's default colours.
    pub fn reset_brand_colour(&self) -> Result<BrandingView, CoreError> {
        self.branding_write(|c| changes::queue_colour(c, None, Utc::now()))
    }

    /// Queues a processed logo for upload (it shows at once).
    pub fn set_logo(&self, logo: &Logo) -> Result<BrandingView, CoreError> {
        self.branding_write(|c| changes::queue_logo(c, logo, Utc::now()))
    }

    /// Processes the file at `path` in `worker` (None: this copy of the app has none), then
    /// queues it. Blocking (it waits for the worker): call it off the async runtime's threads.
    /// A file that cannot be a logo, or a cancel, leaves the current logo as it is.
    pub fn process_and_set_logo(
        &self,
        worker: Option<&LogoWorker>,
        path: &Path,
        ticket: &JobTicket,
    ) -> Result<BrandingView, CoreError> {
        let worker = worker.ok_or_else(|| {
            invalid_logo(LogoError::WorkerUnavailable(
                "this copy of the app has none".into(),
            ))
        })?;
        let logo = worker
            .process_file(path, ticket.job())
            .map_err(invalid_logo)?;
        self.set_logo(&logo)
    }

    pub fn remove_logo(&self) -> Result<BrandingView, CoreError> {
        self.branding_write(|c| changes::queue_logo_removal(c, Utc::now()))
    }

    /// Drops refused branding changes: the server's branding shows again.
    pub fn discard_branding_changes(&self) -> Result<BrandingView, CoreError> {
        self.branding_write(|c| changes::discard_failed(c).map(|_| ()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Locale;

    #[test]
    fn a_logo_size_is_whole_kilobytes_grouped_in_the_locale() {
        let en = Locale::from_tag("en-GB");
        assert_eq!(kilobytes_text(&en, 0), "1 KB");
        assert_eq!(kilobytes_text(&en, 511), "1 KB");
        assert_eq!(kilobytes_text(&en, 1536), "2 KB");
        assert_eq!(kilobytes_text(&en, 2 * 1024 * 1024), "2,048 KB");
        assert_eq!(
            kilobytes_text(&Locale::from_tag("de-DE"), 2 * 1024 * 1024),
            "2.048 KB"
        );
    }
}
