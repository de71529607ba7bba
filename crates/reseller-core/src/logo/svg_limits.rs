//! What an SVG may cost, checked before it is paid, in three steps:
//!
//! 1. Before parsing, the DOCTYPE: entities are how a few kilobytes of XML become gigabytes
//!    (each reference within the parser's own limits, many of them). A DOCTYPE that only names
//!    the SVG DTD (as Illustrator writes it) is fine; an internal subset may declare plain text
//!    entities only (no parameter or external entities, no references inside a value), and what
//!    the document's references to them would add is counted and capped.
//! 2. The XML as written: nodes (the parser stops at `MAX_XML_NODES`), nesting, and what
//!    `<use>` would instantiate (elements, and embedded image data usvg would decode per copy).
//! 3. The tree usvg builds, at the scale it will be drawn: nodes after every instantiation
//!    (markers, patterns, masks, embedded SVGs), filter cost (region pixels times per-pixel work:
//!    feMorphology's grows with its radius), layers, and embedded image pixels drawn.
//!
//! These are estimates that keep an honest logo far below them; the worker process's limits are
//! what holds if an estimate is wrong.

use std::collections::{HashMap, HashSet};

use resvg::usvg::{self, roxmltree};

use super::error::LogoError;

/// Text that entity references may add to the document.
pub const MAX_ENTITY_TEXT: usize = 64 * 1024;
/// XML nodes as parsed (elements, text, comments).
pub const MAX_XML_NODES: u32 = 100_000;
/// Element nesting.
pub const MAX_DEPTH: usize = 128;
/// Elements once every `<use>` is instantiated.
pub const MAX_ELEMENTS: u64 = 50_000;
/// Embedded (`data:`) image text once every `<use>` is instantiated.
pub const MAX_EMBEDDED_DATA: u64 = 64 * 1024 * 1024;
/// Nodes of the tree usvg builds, every instantiation and embedded SVG included.
pub const MAX_RENDER_NODES: u64 = 50_000;
/// Filter primitives applied, counting every filtered element.
pub const MAX_FILTER_PRIMITIVES: u64 = 200;
/// Filter work: region pixels at the output scale times each primitive's work per pixel
/// (a drop shadow on a 512x512 logo is about 35 million; this much is about 2 s in a debug
/// build, a fraction of that in a release build).
pub const MAX_FILTER_WORK: f64 = 400e6;
/// Pixels of group layers (opacity, masks, filters) allocated and composited.
pub const MAX_LAYER_PIXELS: f64 = 64e6;
/// Pixels of embedded raster images decoded while drawing (each drawing decodes its image).
pub const MAX_IMAGE_DRAW_PIXELS: f64 = 32e6;

/// `<use>` chains and nested content followed this deep at most.
const MAX_REFERENCE_DEPTH: usize = 1024;

fn entities(why: impl Into<String>) -> LogoError {
    LogoError::SvgEntities(why.into())
}

fn too_complex(why: impl Into<String>) -> LogoError {
    LogoError::SvgTooComplex(why.into())
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Parses the SVG's XML after the DOCTYPE check, within the node limit, and checks its nesting
/// and what its `<use>` elements would instantiate.
pub(crate) fn parse(text: &str) -> Result<roxmltree::Document<'_>, LogoError> {
    check_doctype(text)?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_XML_NODES,
        // External entities are never fetched.
        entity_resolver: None,
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => too_complex(format!(
            "it has more than {} XML nodes",
            thousands(u64::from(MAX_XML_NODES))
        )),
        roxmltree::Error::EntityReferenceLoop(_) => {
            entities("entities that refer to each other over and over")
        }
        e => LogoError::SvgInvalid(e.to_string()),
    })?;
    check_structure(&doc)?;
    Ok(doc)
}

// ---- 1. the DOCTYPE ----

fn starts(b: &[u8], at: usize, s: &str) -> bool {
    b.get(at..)
        .is_some_and(|rest| rest.starts_with(s.as_bytes()))
}

fn find(b: &[u8], from: usize, s: &str) -> Option<usize> {
    b.get(from..)?
        .windows(s.len())
        .position(|w| w == s.as_bytes())
        .map(|p| from + p)
}

fn skip_space(b: &[u8], mut at: usize) -> usize {
    while b.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Where the DOCTYPE starts, if the prolog (declaration, comments, processing instructions)
/// leads to one, as the parser would find it.
fn prolog_doctype(b: &[u8]) -> Option<usize> {
    let mut at = if b.starts_with("\u{feff}".as_bytes()) {
        3
    } else {
        0
    };
    loop {
        at = skip_space(b, at);
        if starts(b, at, "<?") {
            at = find(b, at, "?>")? + 2;
        } else if starts(b, at, "<!--") {
            at = find(b, at + 4, "-->")? + 3;
        } else if starts(b, at, "<!DOCTYPE") {
            return Some(at);
        } else {
            return None;
        }
    }
}

/// Past a markup declaration's closing `>` (quoted text may hold one).
fn skip_declaration(b: &[u8], mut at: usize) -> Option<usize> {
    while let Some(&c) = b.get(at) {
        match c {
            b'>' => return Some(at + 1),
            b'"' | b'\'' => at = at + 1 + b.get(at + 1..)?.iter().position(|&q| q == c)? + 1,
            _ => at += 1,
        }
    }
    None
}

/// Refuses entity declarations that can grow, and plain ones whose references would add more
/// than `MAX_ENTITY_TEXT`. A malformed DOCTYPE is left to the parser to report.
pub(crate) fn check_doctype(text: &str) -> Result<(), LogoError> {
    let checked = check_subset(text)?;
    // Every declaration written anywhere must be one the scan above checked: one it did not see
    // (behind a comment, after the DOCTYPE, in a second one) is a trick, whatever the parser
    // would make of it.
    if text.matches("<!ENTITY").count() > checked {
        return Err(entities("a declaration outside the DOCTYPE"));
    }
    Ok(())
}

/// Checks the DOCTYPE's internal subset; answers how many entity declarations it checked.
fn check_subset(text: &str) -> Result<usize, LogoError> {
    let b = text.as_bytes();
    let Some(start) = prolog_doctype(b) else {
        return Ok(0);
    };
    // The name and external id, up to the internal subset or the end.
    let mut at = start + "<!DOCTYPE".len();
    loop {
        match b.get(at) {
            None => return Ok(0),
            Some(b'>') => return Ok(0),
            Some(b'[') => {
                at += 1;
                break;
            }
            Some(&q @ (b'"' | b'\'')) => {
                let Some(len) = b[at + 1..].iter().position(|&c| c == q) else {
                    return Ok(0);
                };
                at += len + 2;
            }
            Some(_) => at += 1,
        }
    }
    let mut declared: HashMap<&[u8], usize> = HashMap::new();
    let mut declarations = 0;
    loop {
        at = skip_space(b, at);
        if at >= b.len() {
            return Ok(declarations);
        }
        if b[at] == b']' {
            at += 1;
            break;
        }
        if starts(b, at, "<!--") {
            match find(b, at + 4, "-->") {
                Some(end) => at = end + 3,
                None => return Ok(declarations),
            }
        } else if starts(b, at, "<?") {
            match find(b, at, "?>") {
                Some(end) => at = end + 2,
                None => return Ok(declarations),
            }
        } else if starts(b, at, "<!ENTITY") {
            at = skip_space(b, at + "<!ENTITY".len());
            if b.get(at) == Some(&b'%') {
                return Err(entities("a parameter entity"));
            }
            let name_end = b[at..]
                .iter()
                .position(|c| c.is_ascii_whitespace())
                .map_or(b.len(), |p| at + p);
            let name = &b[at..name_end];
            at = skip_space(b, name_end);
            let Some(&q @ (b'"' | b'\'')) = b.get(at) else {
                return Err(entities("an entity that refers to another file"));
            };
            let Some(len) = b[at + 1..].iter().position(|&c| c == q) else {
                return Ok(declarations);
            };
            let value = &b[at + 1..at + 1 + len];
            // A reference inside a value is how expansion multiplies (character references
            // included: `&#38;` becomes `&` when the value is read).
            if value.contains(&b'&') || value.contains(&b'%') {
                return Err(entities("an entity that refers to other entities"));
            }
            // Declared twice: the longer counts, whichever the parser keeps.
            let len_of = declared.entry(name).or_insert(0);
            *len_of = (*len_of).max(value.len());
            declarations += 1;
            match skip_declaration(b, at + len + 2) {
                Some(next) => at = next,
                None => return Ok(declarations),
            }
        } else if starts(b, at, "<!ELEMENT")
            || starts(b, at, "<!ATTLIST")
            || starts(b, at, "<!NOTATION")
        {
            match skip_declaration(b, at) {
                Some(next) => at = next,
                None => return Ok(declarations),
            }
        } else if b[at] == b'%' {
            return Err(entities("a parameter entity"));
        } else {
            return Err(entities("a declaration the app cannot check"));
        }
    }
    if declared.is_empty() {
        return Ok(declarations);
    }
    // Every `&name;` after the subset, each adding its entity's text.
    let body = &b[at..];
    let mut added = 0usize;
    let mut from = 0;
    while let Some(p) = body[from..].iter().position(|&c| c == b'&') {
        let name_at = from + p + 1;
        let window = &body[name_at..body.len().min(name_at + 256)];
        if let Some(semi) = window.iter().position(|&c| c == b';') {
            if let Some(len) = declared.get(&window[..semi]) {
                added = added.saturating_add(*len);
            }
        }
        from = name_at;
    }
    if added > MAX_ENTITY_TEXT {
        return Err(entities(format!(
            "its references to them would add {} KB of text; at most {} KB",
            thousands((added / 1024) as u64),
            MAX_ENTITY_TEXT / 1024
        )));
    }
    Ok(declarations)
}

// ---- 2. the XML as written ----

const XLINK: &str = "http://www.w3.org/1999/xlink";

fn href<'a>(node: roxmltree::Node<'a, '_>) -> Option<&'a str> {
    node.attribute("href")
        .or_else(|| node.attribute((XLINK, "href")))
}

/// What an element costs once its `<use>` references are instantiated.
#[derive(Clone, Copy, Default)]
struct Weight {
    elements: u64,
    data: u64,
}

impl Weight {
    fn add(&mut self, other: Weight) {
        self.elements = self.elements.saturating_add(other.elements);
        self.data = self.data.saturating_add(other.data);
    }

    fn check(&self) -> Result<(), LogoError> {
        if self.elements > MAX_ELEMENTS {
            return Err(too_complex(format!(
                "it has more than {} elements once its <use> references are copied out",
                thousands(MAX_ELEMENTS)
            )));
        }
        if self.data > MAX_EMBEDDED_DATA {
            return Err(too_complex(format!(
                "its embedded pictures, copied by <use>, come to more than {} MB",
                MAX_EMBEDDED_DATA / (1024 * 1024)
            )));
        }
        Ok(())
    }
}

struct Expansion<'a, 'input> {
    /// Elements by id (all of them: which of duplicates the renderer takes is not assumed).
    ids: HashMap<&'a str, Vec<roxmltree::Node<'a, 'input>>>,
    known: HashMap<roxmltree::NodeId, Weight>,
    open: HashSet<roxmltree::NodeId>,
}

impl<'a, 'input> Expansion<'a, 'input> {
    fn weight(
        &mut self,
        node: roxmltree::Node<'a, 'input>,
        depth: usize,
    ) -> Result<Weight, LogoError> {
        if depth > MAX_REFERENCE_DEPTH {
            return Err(too_complex("its <use> references go too deep"));
        }
        if let Some(w) = self.known.get(&node.id()) {
            return Ok(*w);
        }
        // A reference back to an element being counted: the renderer skips such a loop.
        if !self.open.insert(node.id()) {
            return Ok(Weight::default());
        }
        let mut w = Weight {
            elements: 1,
            data: 0,
        };
        let name = node.tag_name().name();
        if name == "image" {
            if let Some(h) = href(node).filter(|h| h.trim_start().starts_with("data:")) {
                w.data = h.len() as u64;
            }
        }
        for child in node.children().filter(roxmltree::Node::is_element) {
            w.add(self.weight(child, depth + 1)?);
            w.check()?;
        }
        if name == "use" {
            let target = href(node).and_then(|h| h.trim().strip_prefix('#'));
            let candidates = target
                .and_then(|id| self.ids.get(id))
                .cloned()
                .unwrap_or_default();
            let mut most = Weight::default();
            for t in candidates {
                let tw = self.weight(t, depth + 1)?;
                most.elements = most.elements.max(tw.elements);
                most.data = most.data.max(tw.data);
            }
            w.add(most);
            w.check()?;
        }
        self.open.remove(&node.id());
        self.known.insert(node.id(), w);
        Ok(w)
    }
}

fn check_structure(doc: &roxmltree::Document) -> Result<(), LogoError> {
    let mut ids: HashMap<&str, Vec<roxmltree::Node>> = HashMap::new();
    let mut stack = vec![(doc.root_element(), 1usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(too_complex(format!(
                "its elements are nested more than {MAX_DEPTH} deep"
            )));
        }
        if let Some(id) = node.attribute("id") {
            ids.entry(id).or_default().push(node);
        }
        stack.extend(
            node.children()
                .filter(roxmltree::Node::is_element)
                .map(|c| (c, depth + 1)),
        );
    }
    let mut expansion = Expansion {
        ids,
        known: HashMap::new(),
        open: HashSet::new(),
    };
    expansion.weight(doc.root_element(), 0)?.check()
}

// ---- 3. the tree usvg built, at the scale it will be drawn ----

/// Checks what drawing `tree` with `render` onto a `canvas` pixmap would cost.
pub(crate) fn check_tree(
    tree: &usvg::Tree,
    render: usvg::Transform,
    canvas: (u32, u32),
) -> Result<(), LogoError> {
    let (w, h) = (canvas.0 as f32, canvas.1 as f32);
    let mut cost = Cost {
        render,
        // resvg clips layers and filter regions to this rectangle around the canvas.
        bounds: [-2.0 * w, -2.0 * h, 3.0 * w, 3.0 * h],
        ..Cost::default()
    };
    cost.group(tree.root(), 0)
}

#[derive(Default)]
struct Cost {
    render: usvg::Transform,
    bounds: [f32; 4],
    nodes: u64,
    primitives: u64,
    filter_work: f64,
    layer_pixels: f64,
    image_pixels: f64,
}

impl Cost {
    /// The pixels of `rect` (in the coordinates `ts` maps to the canvas), within the bounds.
    fn extent(&self, rect: usvg::NonZeroRect, ts: usvg::Transform) -> (f64, f64) {
        let Some(r) = rect.transform(ts) else {
            return (0.0, 0.0);
        };
        let [x0, y0, x1, y1] = self.bounds;
        let w = (r.right().min(x1) - r.left().max(x0)).max(0.0);
        let h = (r.bottom().min(y1) - r.top().max(y0)).max(0.0);
        (f64::from(w.ceil()), f64::from(h.ceil()))
    }

    fn group(&mut self, group: &usvg::Group, depth: usize) -> Result<(), LogoError> {
        if depth > MAX_REFERENCE_DEPTH {
            return Err(too_complex("its groups and references go too deep"));
        }
        for node in group.children() {
            self.nodes += 1;
            match node {
                usvg::Node::Group(g) => {
                    let ts = self.render.pre_concat(g.abs_transform());
                    if g.should_isolate() {
                        let (lw, lh) = self.extent(g.layer_bounding_box(), ts);
                        self.layer_pixels += lw * lh;
                    }
                    for filter in g.filters() {
                        self.filter(filter, ts);
                    }
                    self.check()?;
                    self.group(g, depth + 1)?;
                }
                usvg::Node::Image(image) => {
                    if !matches!(image.kind(), usvg::ImageKind::SVG(_)) {
                        let size = image.size();
                        self.image_pixels += f64::from(size.width()) * f64::from(size.height());
                    }
                }
                usvg::Node::Path(_) | usvg::Node::Text(_) => {}
            }
            // Clip paths, masks, patterns, feImage content, embedded SVGs, text outlines: drawn
            // wherever they are used.
            let mut result = Ok(());
            node.subroots(|root| {
                if result.is_ok() {
                    result = self.group(root, depth + 1);
                }
            });
            result?;
            self.check()?;
        }
        Ok(())
    }

    fn filter(&mut self, filter: &usvg::filter::Filter, ts: usvg::Transform) {
        use usvg::filter::Kind;
        let (w, h) = self.extent(filter.rect(), ts);
        let (sx, sy) = ts.get_scale();
        for p in filter.primitives() {
            self.primitives += 1;
            // Measured on resvg: every primitive copies and converts its region (about 16
            // units a pixel); the rest is its own work, in the same units.
            let own = match p.kind() {
                // Every output pixel reads the whole (2r+1) x (2r+1) window.
                Kind::Morphology(m) => {
                    let r = |v: f32, s: f32, max: f64| f64::from((v * s).round()).clamp(0.0, max);
                    (2.0 * r(m.radius_x().get(), sx, w) + 1.0)
                        * (2.0 * r(m.radius_y().get(), sy, h) + 1.0)
                }
                Kind::ConvolveMatrix(c) => {
                    2.0 * f64::from(c.matrix().columns()) * f64::from(c.matrix().rows())
                }
                Kind::Turbulence(t) => 40.0 * f64::from(t.num_octaves()),
                Kind::GaussianBlur(_) | Kind::DropShadow(_) => 24.0,
                Kind::DiffuseLighting(_) | Kind::SpecularLighting(_) => 16.0,
                _ => 0.0,
            };
            let per_pixel = 16.0 + own;
            self.filter_work += w * h * per_pixel;
        }
    }

    fn check(&self) -> Result<(), LogoError> {
        if self.nodes > MAX_RENDER_NODES {
            return Err(too_complex(format!(
                "drawing it takes more than {} shapes and groups",
                thousands(MAX_RENDER_NODES)
            )));
        }
        if self.primitives > MAX_FILTER_PRIMITIVES {
            return Err(too_complex(format!(
                "it applies more than {MAX_FILTER_PRIMITIVES} filter steps"
            )));
        }
        if self.filter_work > MAX_FILTER_WORK {
            return Err(too_complex(format!(
                "its filter effects would take about {} times as long to draw as a logo may",
                thousands((self.filter_work / MAX_FILTER_WORK).ceil() as u64)
            )));
        }
        if self.layer_pixels > MAX_LAYER_PIXELS {
            return Err(too_complex(
                "its transparent, masked or filtered groups need too many layers to draw",
            ));
        }
        if self.image_pixels > MAX_IMAGE_DRAW_PIXELS {
            return Err(too_complex(format!(
                "it draws embedded pictures of more than {} megapixels in all",
                (MAX_IMAGE_DRAW_PIXELS / 1e6) as u64
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doctype_naming_the_svg_dtd_is_fine() {
        let svg = r#"<?xml version="1.0"?>
<!-- Generator: Adobe Illustrator -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg"/>"#;
        assert!(check_doctype(svg).is_ok());
        assert!(parse(svg).is_ok());
    }

    #[test]
    fn plain_entities_used_a_few_times_are_fine() {
        let svg = r#"<!DOCTYPE svg [
  <!ENTITY ns_svg "http://www.w3.org/2000/svg">
  <!-- a comment ] with a bracket -->
  <!ENTITY ns_xlink 'http://www.w3.org/1999/xlink'>
]>
<svg xmlns="&ns_svg;" xmlns:xlink="&ns_xlink;"><rect width="1" height="1"/></svg>"#;
        assert!(check_doctype(svg).is_ok(), "{:?}", check_doctype(svg));
        assert!(parse(svg).is_ok());
    }

    #[test]
    fn entities_that_grow_are_refused() {
        let quadratic = format!(
            "<!DOCTYPE svg [<!ENTITY a \"{}\">]><svg xmlns=\"http://www.w3.org/2000/svg\"><text>{}</text></svg>",
            "x".repeat(10_000),
            "&a;".repeat(1_000)
        );
        let e = check_doctype(&quadratic).unwrap_err();
        assert!(matches!(e, LogoError::SvgEntities(_)), "{e:?}");
        assert!(e.to_string().contains("would add 9 765 KB"), "{e}");
        for (svg, words) in [
            (
                r#"<!DOCTYPE svg [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><svg/>"#,
                "refers to other entities",
            ),
            (
                r#"<!DOCTYPE svg [<!ENTITY a "&#38;b;">]><svg/>"#,
                "refers to other entities",
            ),
            (
                r#"<!DOCTYPE svg [<!ENTITY % p "x"> %p;]><svg/>"#,
                "parameter entity",
            ),
            (
                r#"<!DOCTYPE svg [<!ENTITY a SYSTEM "file:///etc/passwd">]><svg/>"#,
                "another file",
            ),
            (r#"<!DOCTYPE svg [<!FOO>]><svg/>"#, "cannot check"),
            (
                r#"<!-- <!DOCTYPE svg> --><svg><!ENTITY a "x"></svg>"#,
                "outside the DOCTYPE",
            ),
            (
                r#"<!DOCTYPE svg SYSTEM "x"><!DOCTYPE svg [<!ENTITY % p "x">]><svg/>"#,
                "outside the DOCTYPE",
            ),
        ] {
            let e = check_doctype(svg).unwrap_err();
            assert!(e.to_string().contains(words), "{svg}: {e}");
        }
    }

    #[test]
    fn use_copies_are_counted_before_usvg_makes_them() {
        // 10 groups of 10 uses of a 10-element group of 10 ... : a few hundred elements as
        // written, 10^5 once copied.
        let mut svg = String::from(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><g id="l0">"#,
        );
        svg.push_str(&"<rect width=\"1\" height=\"1\"/>".repeat(10));
        svg.push_str("</g>");
        for level in 1..=5 {
            svg.push_str(&format!("<g id=\"l{level}\">"));
            for _ in 0..10 {
                svg.push_str(&format!("<use xlink:href=\"#l{}\"/>", level - 1));
            }
            svg.push_str("</g>");
        }
        svg.push_str("</defs><use href=\"#l5\"/></svg>");
        let e = parse(&svg).unwrap_err();
        assert!(
            e.to_string()
                .contains("once its <use> references are copied out"),
            "{e}"
        );
        // A loop is not a bomb (usvg skips it).
        let looped =
            r##"<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>"##;
        assert!(parse(looped).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\">{}{}</svg>",
            "<g>".repeat(200),
            "</g>".repeat(200)
        );
        assert!(parse(&svg)
            .unwrap_err()
            .to_string()
            .contains("nested more than"));
    }

    #[test]
    fn numbers_are_grouped_for_reading() {
        assert_eq!(thousands(50_000), "50 000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1 234 567");
    }
}
