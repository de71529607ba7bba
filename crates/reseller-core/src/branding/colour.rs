//! The brand colour: parsing what the user typed, and the CSS variables the interface takes from
//! it, with the text colour on it chosen for at least 4.5:1 contrast (WCAG 2.x, normal text).
//! This is the one source of truth: the UI only sets the variables it is handed.

use serde::Serialize;

/// The least contrast between the brand colour and the text on it (WCAG AA, normal text).
pub const MIN_CONTRAST: f64 = 4.5;

/// Why a typed colour cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColourError {
    #[error("Type a colour, for example #1A73E8.")]
    Empty,
    #[error(
        "{0:?} is not a colour: write it as # and six hexadecimal digits, for example #1A73E8."
    )]
    NotHex(String),
}

/// A colour in sRGB, 8 bits a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const WHITE: Rgb = Rgb(255, 255, 255);
    pub const BLACK: Rgb = Rgb(0, 0, 0);

    /// `#RRGGBB`, upper case (as the API stores it).
    pub fn hex(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG 2.x).
    pub fn luminance(self) -> f64 {
        fn channel(c: u8) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// `self` moved `t` (0..1) of the way to `other`, per channel.
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// The contrast ratio of two colours (1..21).
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Reads `#RRGGBB`, `RRGGBB`, `#RGB` or `RGB` (spaces around ignored, any case).
pub fn parse_hex(input: &str) -> Result<Rgb, ColourError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ColourError::Empty);
    }
    let digits = s.strip_prefix('#').unwrap_or(s);
    let bad = || ColourError::NotHex(input.trim().chars().take(40).collect());
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let full: String = match digits.len() {
        6 => digits.to_string(),
        3 => digits.chars().flat_map(|c| [c, c]).collect(),
        _ => return Err(bad()),
    };
    let byte = |i: usize| u8::from_str_radix(&full[i..i + 2], 16).map_err(|_| bad());
    Ok(Rgb(byte(0)?, byte(2)?, byte(4)?))
}

/// The text colour on `brand`: white or a near-black ink, whichever reads better; pure black
/// when neither reaches 4.5:1 (white or black always does: their best is at least 4.58:1).
pub fn text_on(brand: Rgb) -> Rgb {
    const INK: Rgb = Rgb(0x0B, 0x12, 0x15);
    let best = [Rgb::WHITE, INK]
        .into_iter()
        .max_by(|a, b| contrast(brand, *a).total_cmp(&contrast(brand, *b)))
        .unwrap_or(Rgb::WHITE);
    if contrast(brand, best) >= MIN_CONTRAST {
        best
    } else if contrast(brand, Rgb::WHITE) >= contrast(brand, Rgb::BLACK) {
        Rgb::WHITE
    } else {
        Rgb::BLACK
    }
}

/// `brand` darkened (on a light page) or lightened (on a dark one) until text in it reads at
/// 4.5:1 on `page`: links and accents keep the brand's hue without becoming unreadable.
pub fn ink_on(brand: Rgb, page: Rgb) -> Rgb {
    let toward = if page.luminance() > 0.5 {
        Rgb::BLACK
    } else {
        Rgb::WHITE
    };
    (0..=20)
        .map(|step| brand.mix(toward, f64::from(step) / 20.0))
        .find(|c| contrast(*c, page) >= MIN_CONTRAST)
        .unwrap_or(toward)
}

/// The light and dark themes' page colours (`--bg` in styles.css): what inks are checked on.
const LIGHT_PAGE: Rgb = Rgb(0xF4, 0xF6, 0xF7);
const DARK_PAGE: Rgb = Rgb(0x14, 0x19, 0x1C);
/// The dark theme's surface, which the soft tint is mixed into.
const DARK_SURFACE: Rgb = Rgb(0x1C, 0x23, 0x27);

/// The CSS variables a brand colour sets (names without the leading `--`, values `#RRGGBB`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BrandTheme {
    /// `--brand`: buttons, the selected navigation entry.
    pub brand: String,
    /// `--brand-hover`: a step away from the text colour, so hovering keeps (or raises) contrast.
    pub brand_hover: String,
    /// `--on-brand`: text on the brand colour, at least 4.5:1 on `brand` and `brand_hover`.
    pub on_brand: String,
    /// The contrast of `on_brand` on `brand` (shown in the Branding view).
    pub contrast: f64,
    /// `contrast` and the least allowed, as the Branding view says them in the system's
    /// locale: "7.2:1 (at least 4.5:1)"; "7,2:1 (at least 4,5:1)" in Dutch.
    pub contrast_text: String,
    /// `--brand-soft` in the light and the dark theme: a tint behind selected choices.
    pub brand_soft_light: String,
    pub brand_soft_dark: String,
    /// `--brand-ink` in each theme: the brand as text on the page (links), at least 4.5:1.
    pub brand_ink_light: String,
    pub brand_ink_dark: String,
}

/// "7.2:1 (at least 4.5:1)", one decimal each.
fn contrast_text(locale: &crate::format::Locale, contrast: f64) -> String {
    format!(
        "{}:1 (at least {}:1)",
        locale.decimal(contrast, 1),
        locale.decimal(MIN_CONTRAST, 1)
    )
}

impl BrandTheme {
    pub fn of(brand: Rgb) -> BrandTheme {
        let on = text_on(brand);
        // Away from the text colour: white text gets a darker hover, dark text a lighter one.
        let away = if on == Rgb::WHITE {
            Rgb::BLACK
        } else {
            Rgb::WHITE
        };
        let hover = brand.mix(away, 0.12);
        let contrast = (contrast(brand, on) * 100.0).floor() / 100.0;
        BrandTheme {
            contrast_text: contrast_text(crate::format::sys(), contrast),
            brand: brand.hex(),
            brand_hover: hover.hex(),
            on_brand: on.hex(),
            contrast,
            brand_soft_light: brand.mix(Rgb::WHITE, 0.88).hex(),
            brand_soft_dark: brand.mix(DARK_SURFACE, 0.78).hex(),
            brand_ink_light: ink_on(brand, LIGHT_PAGE).hex(),
            brand_ink_dark: ink_on(brand, DARK_PAGE).hex(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contrast_reads_in_the_locale() {
        let en = crate::format::Locale::from_tag("en-GB");
        let nl = crate::format::Locale::from_tag("nl-NL");
        assert_eq!(contrast_text(&en, 7.23), "7.2:1 (at least 4.5:1)");
        assert_eq!(contrast_text(&nl, 7.23), "7,2:1 (at least 4,5:1)");
        assert_eq!(contrast_text(&en, 21.0), "21.0:1 (at least 4.5:1)");
    }

    #[test]
    fn hex_forms_are_read_and_written_upper_case() {
        assert_eq!(parse_hex("#1a73e8").unwrap().hex(), "#1A73E8");
        assert_eq!(parse_hex("  1A73E8 ").unwrap().hex(), "#1A73E8");
        assert_eq!(parse_hex("#fa0").unwrap().hex(), "#FFAA00");
        assert_eq!(parse_hex(""), Err(ColourError::Empty));
        for bad in [
            "#12345", "#1234567", "#GGGGGG", "red", "#12 345", "##123456", "#ÿÿÿ",
        ] {
            assert!(
                matches!(parse_hex(bad), Err(ColourError::NotHex(_))),
                "{bad}"
            );
        }
        assert!(parse_hex("nope")
            .unwrap_err()
            .to_string()
            .contains("#1A73E8"));
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast(Rgb::WHITE, Rgb::BLACK) - 21.0).abs() < 1e-9);
        assert!((contrast(Rgb::WHITE, Rgb::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        let grey = parse_hex("#767676").unwrap();
        assert!((contrast(grey, Rgb::WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn text_on_every_colour_reaches_4_5_to_1_also_when_hovered() {
        // Every 5th value per channel: 52^3 colours, including the hard middle greys.
        for r in (0..=255).step_by(5) {
            for g in (0..=255).step_by(5) {
                for b in (0..=255).step_by(5) {
                    let brand = Rgb(r as u8, g as u8, b as u8);
                    let t = BrandTheme::of(brand);
                    let on = parse_hex(&t.on_brand).unwrap();
                    let hover = parse_hex(&t.brand_hover).unwrap();
                    assert!(contrast(brand, on) >= MIN_CONTRAST, "{}", brand.hex());
                    assert!(contrast(hover, on) >= MIN_CONTRAST, "{}", brand.hex());
                    assert!(t.contrast >= MIN_CONTRAST);
                    let ink = parse_hex(&t.brand_ink_light).unwrap();
                    assert!(contrast(ink, LIGHT_PAGE) >= MIN_CONTRAST, "{}", brand.hex());
                    let ink = parse_hex(&t.brand_ink_dark).unwrap();
                    assert!(contrast(ink, DARK_PAGE) >= MIN_CONTRAST, "{}", brand.hex());
                }
            }
        }
    }

    #[test]
    fn light_brands_get_dark_text_and_dark_brands_white() {
        assert_eq!(
            text_on(parse_hex("#FFE600").unwrap()),
            Rgb(0x0B, 0x12, 0x15)
        );
        assert_eq!(text_on(parse_hex("#0E5A63").unwrap()), Rgb::WHITE);
        // A dark brand is its own ink on the light page.
        let t = BrandTheme::of(parse_hex("#0E5A63").unwrap());
        assert_eq!(t.brand_ink_light, "#0E5A63");
    }
}
