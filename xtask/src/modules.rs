//! `cargo xtask modules [CRATE_DIR] [--depth N] [--literal] [--check] [--quiet]`: module sizes and the
//! import graph of one crate (its `use crate::/super::/self::` lines and inline `crate::x::y`
//! paths), with the graph's cycles (Tarjan's strongly connected components).
//!
//! Plain string parsing, no `syn`: xtask stays dependency-free. Comments, strings and
//! `#[cfg(test)]` items (the `mod tests { .. }` blocks, test fixtures, test-only `use`s) are
//! skipped. A path through a `pub use` re-export (`crate::cache::CacheError`) counts as a
//! reference to the module that defines the item (`cache::error`), unless `--literal`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

const DEFAULT_CRATE: &str = "crates/reseller-core";

struct Options {
    dir: PathBuf,
    depth: usize,
    literal: bool,
    check: bool,
    /// Only the cycles (and the totals): what `cargo xtask test` prints.
    quiet: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        dir: PathBuf::from(DEFAULT_CRATE),
        depth: 2,
        literal: false,
        check: false,
        quiet: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => o.check = true,
            "--quiet" => o.quiet = true,
            "--literal" => o.literal = true,
            "--depth" => {
                let n = it.next().ok_or("--depth needs a number")?;
                o.depth = n
                    .parse()
                    .ok()
                    .filter(|d| *d >= 1)
                    .ok_or(format!("--depth takes a number from 1, not {n:?}"))?;
            }
            s if s.starts_with("--") => return Err(format!("modules: unknown flag {s}")),
            s => o.dir = PathBuf::from(s),
        }
    }
    Ok(o)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let o = parse_args(args)?;
    let src = o.dir.join("src");
    let files = module_files(&src)?;
    let mut scans = Vec::new();
    for (rel, module) in &files {
        let text = std::fs::read_to_string(src.join(rel))
            .map_err(|e| format!("could not read {}: {e}", rel.display()))?;
        scans.push((rel.clone(), text.lines().count(), scan(module, &text)));
    }
    if !o.quiet {
        print_sizes(&src, &files, &scans);
    }

    let mut known: HashSet<Vec<String>> = HashSet::new();
    for (_, module) in &files {
        for n in 0..=module.len() {
            known.insert(module[..n].to_vec());
        }
    }
    let mut reexports = Reexports::new();
    for (_, _, s) in &scans {
        known.extend(s.inline_mods.iter().cloned());
    }
    for (_, _, s) in &scans {
        for r in s.refs.iter().filter(|r| r.public_use) {
            if let (Some(name), Some(abs)) = (r.segs.last(), absolute(&r.from, &r.segs, &known)) {
                let name = r.alias.clone().unwrap_or_else(|| name.clone());
                reexports
                    .entry(r.from.clone())
                    .or_default()
                    .insert(name, abs);
            }
        }
    }
    if o.literal {
        reexports.clear();
    }

    let mut graph = Graph::default();
    for (_, module) in &files {
        graph.node(&node_name(module, o.depth));
    }
    for (rel, _, s) in &scans {
        for r in &s.refs {
            let Some(target) = resolve(&r.from, &r.segs, &known, &reexports) else {
                continue;
            };
            let (a, b) = (node_name(&r.from, o.depth), node_name(&target, o.depth));
            if a != b {
                graph.edge(&a, &b, format!("{}:{}", rel.display(), r.line));
            }
        }
    }

    let sccs = graph.cycles();
    println!(
        "\nImport graph of {} at depth {}{}:",
        src.display(),
        o.depth,
        if o.literal {
            " (literal paths, re-exports not followed)"
        } else {
            ""
        }
    );
    for (i, scc) in sccs.iter().enumerate() {
        let names: Vec<&str> = scc.iter().map(|&n| graph.names[n].as_str()).collect();
        println!(
            "\ncycle {} ({} modules): {}",
            i + 1,
            scc.len(),
            names.join(", ")
        );
        let members: HashSet<usize> = scc.iter().copied().collect();
        for &a in scc {
            for (&b, at) in &graph.edges[a] {
                if members.contains(&b) {
                    println!("  {} -> {}  ({at})", graph.names[a], graph.names[b]);
                }
            }
        }
    }
    let edges: usize = graph.edges.iter().map(BTreeMap::len).sum();
    let largest = sccs.iter().map(Vec::len).max().unwrap_or(0);
    println!(
        "\n{} modules, {edges} edges, {} cycles (largest: {largest} modules)",
        graph.names.len(),
        sccs.len()
    );
    if o.check && !sccs.is_empty() {
        return Err(format!(
            "the import graph of {} has {} cycle(s)",
            o.dir.display(),
            sccs.len()
        ));
    }
    Ok(())
}

/// Every `.rs` file of `src/` with its module path (`lib.rs` = [], `a/b.rs` and `a/b/mod.rs` =
/// [a, b]), sorted by path. `src/bin/` holds other crates and is left out.
fn module_files(src: &Path) -> Result<Vec<(PathBuf, Vec<String>)>, String> {
    let mut out = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| format!("could not list {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let rel = path.strip_prefix(src).unwrap_or(&path).to_path_buf();
            if path.is_dir() {
                if rel != Path::new("bin") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                if let Some(m) = module_path(&rel) {
                    out.push((rel, m));
                }
            }
        }
    }
    if !out.iter().any(|(_, m)| m.is_empty()) {
        return Err(format!("no lib.rs or main.rs in {}", src.display()));
    }
    out.sort();
    Ok(out)
}

fn module_path(rel: &Path) -> Option<Vec<String>> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    match (parts.is_empty(), stem) {
        (true, "lib" | "main") => {}
        (false, "mod") => {}
        _ => parts.push(stem.to_string()),
    }
    Some(parts)
}

fn print_sizes(src: &Path, files: &[(PathBuf, Vec<String>)], scans: &[(PathBuf, usize, Scan)]) {
    let mut per_file: Vec<(usize, String, String)> = files
        .iter()
        .zip(scans)
        .map(|((rel, m), (_, lines, _))| {
            (*lines, node_name(m, usize::MAX), rel.display().to_string())
        })
        .collect();
    per_file.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    println!("Module sizes of {} (lines per file):", src.display());
    for (lines, name, rel) in &per_file {
        println!("{lines:>7}  {name}  ({rel})");
    }
    let mut top: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (lines, name, _) in &per_file {
        let t = top
            .entry(name.split("::").next().unwrap_or("crate").to_string())
            .or_default();
        t.0 += lines;
        t.1 += 1;
    }
    let mut top: Vec<_> = top.into_iter().collect();
    top.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let total: usize = per_file.iter().map(|f| f.0).sum();
    println!(
        "\nTop-level modules (lines summed over their files; {total} lines in {} files):",
        per_file.len()
    );
    for (name, (lines, n)) in top {
        println!(
            "{lines:>7}  {name}  ({n} file{})",
            if n == 1 { "" } else { "s" }
        );
    }
}

/// `a::b` for a module path cut to `depth` segments; the crate root is `crate`.
fn node_name(module: &[String], depth: usize) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module[..module.len().min(depth)].join("::")
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Sep,
    P(char),
}

/// Identifiers, `::` and single punctuation with their line numbers; comments, strings, chars,
/// lifetimes and numbers dropped (numbers become identifiers, which nothing matches).
fn tokenize(text: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let nl = |s: &[char]| s.iter().filter(|&&ch| ch == '\n').count();
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let (start, mut depth) = (i, 0);
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            line += nl(&c[start..i.min(c.len())]);
        } else if ch == '"' {
            let start = i;
            i = skip_string(&c, i, 0);
            line += nl(&c[start..i.min(c.len())]);
        } else if ch == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a), which is skipped as a quote.
            if next == Some('\\') {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
            let str_prefix = raw_prefix || matches!(word.as_str(), "b" | "c");
            if str_prefix && c.get(i) == Some(&'"') {
                let s = i;
                i = skip_string(&c, i, if raw_prefix { 1 } else { 0 });
                line += nl(&c[s..i.min(c.len())]);
            } else if raw_prefix && c.get(i) == Some(&'#') {
                let mut hashes = 0;
                while c.get(i + hashes) == Some(&'#') {
                    hashes += 1;
                }
                if c.get(i + hashes) == Some(&'"') {
                    let s = i;
                    i = skip_string(&c, i + hashes, hashes + 1);
                    line += nl(&c[s..i.min(c.len())]);
                } else if word == "r" {
                    // r#ident: the identifier itself follows.
                    i += 1;
                }
            } else if word == "b" && c.get(i) == Some(&'\'') {
                // b'x' / b'\n': let the char branch take it.
            } else {
                out.push((Tok::Ident(word), line));
            }
        } else if ch == ':' && next == Some(':') {
            out.push((Tok::Sep, line));
            i += 2;
        } else {
            out.push((Tok::P(ch), line));
            i += 1;
        }
    }
    out
}

/// Index just past the string starting at the quote `c[i]`. `raw` = 0: escapes apply;
/// `raw` = n > 0: a raw string closed by a quote and n - 1 hashes.
fn skip_string(c: &[char], mut i: usize, raw: usize) -> usize {
    i += 1;
    while i < c.len() {
        if raw == 0 && c[i] == '\\' {
            i += 2;
            continue;
        }
        if c[i] == '"' && (raw == 0 || (1..raw).all(|k| c.get(i + k) == Some(&'#'))) {
            return i + raw.max(1);
        }
        i += 1;
    }
    i
}

// ---------------------------------------------------------------------------------------------
// References

/// One path found in a file: in module `from` (the file's module plus any inline `mod x {}`),
/// `segs` as written (`crate`, `super`, `self`, or a first segment that may be a child module).
#[derive(Debug, Clone, PartialEq)]
struct Ref {
    from: Vec<String>,
    segs: Vec<String>,
    line: usize,
    alias: Option<String>,
    public_use: bool,
}

#[derive(Debug, Default)]
struct Scan {
    refs: Vec<Ref>,
    inline_mods: Vec<Vec<String>>,
}

fn ident(t: Option<&(Tok, usize)>) -> Option<&str> {
    match t {
        Some((Tok::Ident(s), _)) => Some(s),
        _ => None,
    }
}

fn is(t: Option<&(Tok, usize)>, p: char) -> bool {
    matches!(t, Some((Tok::P(q), _)) if *q == p)
}

/// Index just past the item starting at `i`: up to a `;` or a closing top-level `}`.
fn skip_item(t: &[(Tok, usize)], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < t.len() {
        match &t[i].0 {
            Tok::P('{') => depth += 1,
            // The end of the enclosing block (a `#[cfg(test)]` field or last statement).
            Tok::P('}') if depth == 0 => return i,
            Tok::P('}') => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            Tok::P(';') if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

fn scan(module: &[String], text: &str) -> Scan {
    let t = tokenize(text);
    let mut s = Scan::default();
    let mut current: Vec<String> = module.to_vec();
    // The brace depth just inside each open inline `mod x {`.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut cfg_test = false;
    let mut i = 0;
    while i < t.len() {
        // Attributes: `#[..]` / `#![..]`; remember `cfg(test)` for the item that follows.
        if is(t.get(i), '#') {
            let inner = is(t.get(i + 1), '!');
            let open = if inner { i + 2 } else { i + 1 };
            if is(t.get(open), '[') {
                let mut j = open + 1;
                let mut nest = 1;
                while j < t.len() && nest > 0 {
                    if is(t.get(j), '[') {
                        nest += 1;
                    } else if is(t.get(j), ']') {
                        nest -= 1;
                    }
                    j += 1;
                }
                let body: Vec<&Tok> = t[open + 1..j - 1].iter().map(|(k, _)| k).collect();
                // `cfg(test)`, `cfg(all(test, unix))`: test-only. `any(..)`/`not(..)` may not be.
                let word = |k: &Tok, w: &str| matches!(k, Tok::Ident(x) if x == w);
                let test = body.first().is_some_and(|k| word(k, "cfg"))
                    && body.iter().any(|k| word(k, "test"))
                    && !body.iter().any(|k| word(k, "any") || word(k, "not"));
                if test && inner && depth == 0 {
                    return Scan::default(); // a test-only file
                }
                cfg_test |= test && !inner;
                i = j;
                continue;
            }
        }
        if cfg_test {
            cfg_test = false;
            i = skip_item(&t, i);
            continue;
        }
        match &t[i].0 {
            Tok::P('{') => depth += 1,
            Tok::P('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|&d| d > depth) {
                    inline.pop();
                    current.pop();
                }
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some(name), true) = (ident(t.get(i + 1)), is(t.get(i + 2), '{')) {
                    current.push(name.to_string());
                    s.inline_mods.push(current.clone());
                    depth += 1;
                    inline.push(depth);
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(w) if w == "use" => {
                let public = ident(t.get(i.wrapping_sub(1))) == Some("pub")
                    || (is(t.get(i.wrapping_sub(1)), ')')
                        && (2..6).any(|k| {
                            ident(t.get(i.wrapping_sub(k))) == Some("pub")
                                && is(t.get(i.wrapping_sub(k - 1)), '(')
                        }));
                let mut j = i + 1;
                let mut leaves = Vec::new();
                use_tree(&t, &mut j, Vec::new(), &mut leaves);
                for (segs, line, alias) in leaves {
                    s.refs.push(Ref {
                        from: current.clone(),
                        segs,
                        line,
                        alias,
                        public_use: public,
                    });
                }
                i = j;
                continue;
            }
            // An inline path `a::b::c`, not the tail of another path (`$crate` reads as `crate`:
            // the `$` is only punctuation here).
            Tok::Ident(_)
                if matches!(t.get(i + 1), Some((Tok::Sep, _)))
                    && !matches!(t.get(i.wrapping_sub(1)), Some((Tok::Sep, _))) =>
            {
                let line = t[i].1;
                let mut segs = Vec::new();
                let mut j = i;
                while let Some(w) = ident(t.get(j)) {
                    segs.push(w.to_string());
                    if !matches!(t.get(j + 1), Some((Tok::Sep, _))) {
                        break;
                    }
                    j += 2;
                }
                s.refs.push(Ref {
                    from: current.clone(),
                    segs,
                    line,
                    alias: None,
                    public_use: false,
                });
                i = j + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    s
}

/// Reads one use tree at `t[*i]` (`a::b`, `a::{b, c::d as e}`, `a::*`, `::x`) under `prefix`,
/// pushing each leaf path with the line of its last segment and its `as` name.
fn use_tree(
    t: &[(Tok, usize)],
    i: &mut usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, usize, Option<String>)>,
) {
    let mut line;
    loop {
        match t.get(*i) {
            Some((Tok::Sep, _)) if prefix.is_empty() => {
                prefix.push("::".into()); // an extern crate path: never resolves
                *i += 1;
            }
            Some((Tok::P('$'), _)) => *i += 1,
            Some((Tok::Ident(w), l)) => {
                prefix.push(w.clone());
                line = *l;
                *i += 1;
                if matches!(t.get(*i), Some((Tok::Sep, _))) {
                    *i += 1;
                    continue;
                }
                let alias = if ident(t.get(*i)) == Some("as") {
                    *i += 2;
                    ident(t.get(*i - 1)).map(str::to_string)
                } else {
                    None
                };
                out.push((prefix, line, alias));
                return;
            }
            Some((Tok::P('*'), l)) => {
                prefix.push("*".into());
                out.push((prefix, *l, None));
                *i += 1;
                return;
            }
            Some((Tok::P('{'), _)) => {
                *i += 1;
                while *i < t.len() && !is(t.get(*i), '}') {
                    if is(t.get(*i), ',') {
                        *i += 1;
                        continue;
                    }
                    let before = *i;
                    use_tree(t, i, prefix.clone(), out);
                    if *i == before {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            _ => return,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution

/// Per module: the names its `pub use` lines export, as absolute paths (module segments, then
/// the item's name).
type Reexports = HashMap<Vec<String>, HashMap<String, Vec<String>>>;

/// `segs` written in module `from`, as an absolute path (without `crate`); `None` for paths
/// outside the crate (std, dependencies, enum variants, associated items).
fn absolute(from: &[String], segs: &[String], known: &HashSet<Vec<String>>) -> Option<Vec<String>> {
    let first = segs.first()?;
    let (mut base, rest) = match first.as_str() {
        "crate" => (Vec::new(), &segs[1..]),
        "self" => (from.to_vec(), &segs[1..]),
        "super" => {
            let mut base = from.to_vec();
            let mut k = 0;
            while segs.get(k).map(String::as_str) == Some("super") {
                base.pop()?;
                k += 1;
            }
            (base, &segs[k..])
        }
        name => {
            let mut child = from.to_vec();
            child.push(name.to_string());
            if !known.contains(&child) {
                return None;
            }
            (from.to_vec(), segs)
        }
    };
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

/// The module a path refers to: its longest known module prefix, followed through `pub use`
/// re-exports when the next segment is one.
fn resolve(
    from: &[String],
    segs: &[String],
    known: &HashSet<Vec<String>>,
    reexports: &Reexports,
) -> Option<Vec<String>> {
    let mut path = absolute(from, segs, known)?;
    for _ in 0..8 {
        let mut module: Vec<String> = Vec::new();
        let mut followed = None;
        for seg in &path {
            let mut next = module.clone();
            next.push(seg.clone());
            if known.contains(&next) {
                module = next;
                continue;
            }
            followed = reexports.get(&module).and_then(|r| r.get(seg)).cloned();
            break;
        }
        match followed {
            // A re-export of itself would loop; the cap above also stops longer loops.
            Some(p) if p != path => path = p,
            _ => return Some(module),
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Graph

#[derive(Default)]
struct Graph {
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Per node: target -> the first `file:line` seen for that edge.
    edges: Vec<BTreeMap<usize, String>>,
}

impl Graph {
    fn node(&mut self, name: &str) -> usize {
        if let Some(&n) = self.index.get(name) {
            return n;
        }
        self.names.push(name.to_string());
        self.edges.push(BTreeMap::new());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }

    fn edge(&mut self, a: &str, b: &str, at: String) {
        let (a, b) = (self.node(a), self.node(b));
        self.edges[a].entry(b).or_insert(at);
    }

    /// Strongly connected components of more than one node, members sorted by name, largest
    /// component first.
    fn cycles(&self) -> Vec<Vec<usize>> {
        let adj: Vec<Vec<usize>> = self
            .edges
            .iter()
            .map(|e| e.keys().copied().collect())
            .collect();
        let mut sccs: Vec<Vec<usize>> = tarjan(&adj).into_iter().filter(|c| c.len() > 1).collect();
        for c in &mut sccs {
            c.sort_by(|&a, &b| self.names[a].cmp(&self.names[b]));
        }
        sccs.sort_by(|a, b| {
            b.len()
                .cmp(&a.len())
                .then(self.names[a[0]].cmp(&self.names[b[0]]))
        });
        sccs
    }
}

/// Tarjan's strongly connected components (recursive: module graphs are small).
fn tarjan(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        adj: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for k in 0..s.adj[v].len() {
            let w = s.adj[v][k];
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(comp);
        }
    }
    let n = adj.len();
    let mut s = State {
        adj,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        if s.is_empty() {
            Vec::new()
        } else {
            s.split("::").map(String::from).collect()
        }
    }

    fn paths(module: &str, src: &str) -> Vec<(String, usize)> {
        scan(&v(module), src)
            .refs
            .into_iter()
            .map(|r| (r.segs.join("::"), r.line))
            .collect()
    }

    #[test]
    fn use_lines_grouped_multiline_and_inline_paths() {
        let src = r#"use crate::{a::b, c};
use super::{
    x::{Y, Z as W},
    *,
};
use self::m::N;
pub(crate) use std::fmt;
fn f() {
    let s = "crate::not::a_path";
    // crate::nor::this
    crate::cache::outbox::delete_op(1);
    let c = 'x'; let l: &'static str = "";
}
"#;
        assert_eq!(
            paths("p", src),
            vec![
                ("crate::a::b".into(), 1),
                ("crate::c".into(), 1),
                ("super::x::Y".into(), 3),
                ("super::x::Z".into(), 3),
                ("super::*".into(), 4),
                ("self::m::N".into(), 6),
                ("std::fmt".into(), 7),
                ("crate::cache::outbox::delete_op".into(), 11),
            ]
        );
        let r = scan(&v("p"), src).refs;
        assert_eq!(r[3].alias.as_deref(), Some("W"));
        assert!(r[6].public_use && !r[0].public_use);
    }

    #[test]
    fn test_blocks_are_skipped_and_inline_modules_tracked() {
        let src = "use crate::a::B;
#[cfg(all(test, unix))]
#[allow(dead_code)]
mod tests {
    use crate::zz::T;
    fn g() { crate::zz::h(); }
}
#[cfg(test)]
use crate::zz::U;
#[cfg(not(test))]
use crate::c::D;
mod inner {
    use super::q::R;
}
fn after() { crate::b::c(); }
";
        let s = scan(&v("m"), src);
        let got: Vec<(String, String)> = s
            .refs
            .iter()
            .map(|r| (r.from.join("::"), r.segs.join("::")))
            .collect();
        assert_eq!(
            got,
            vec![
                ("m".into(), "crate::a::B".into()),
                ("m".into(), "crate::c::D".into()),
                ("m::inner".into(), "super::q::R".into()),
                ("m".into(), "crate::b::c".into()),
            ]
        );
        assert_eq!(s.inline_mods, vec![v("m::inner")]);
    }

    #[test]
    fn raw_strings_and_block_comments_keep_line_numbers() {
        let src = "/* a\n crate::x::y */\nlet s = r#\"crate::p::q\n\"#;\ncrate::z::w();\n";
        assert_eq!(paths("", src), vec![("crate::z::w".into(), 5)]);
    }

    #[test]
    fn resolution_follows_reexports_and_child_modules() {
        let known: HashSet<Vec<String>> = ["", "cache", "cache::error", "cache::list", "sync"]
            .iter()
            .map(|s| v(s))
            .collect();
        let mut re = Reexports::new();
        re.entry(v("cache"))
            .or_default()
            .insert("CacheError".into(), v("cache::error::CacheError"));
        let r = |from: &str, p: &str| resolve(&v(from), &v(p), &known, &re).map(|m| m.join("::"));
        assert_eq!(
            r("sync", "crate::cache::CacheError").as_deref(),
            Some("cache::error")
        );
        assert_eq!(r("cache::list", "super::Cache").as_deref(), Some("cache"));
        assert_eq!(r("cache", "list::explain").as_deref(), Some("cache::list"));
        assert_eq!(
            r("cache", "self::list::explain").as_deref(),
            Some("cache::list")
        );
        assert_eq!(r("cache", "std::fmt").as_deref(), None);
        assert_eq!(r("", "super::x"), None);
        assert_eq!(
            absolute(&v("a::b"), &v("super::super::c"), &known),
            Some(v("c"))
        );
    }

    #[test]
    fn tarjan_finds_the_cycles_of_a_toy_graph() {
        // 0 -> 1 -> 2 -> 0 (a cycle), 2 -> 3, 3 -> 4 -> 3 (a cycle), 5 alone.
        let adj = vec![vec![1], vec![2], vec![0, 3], vec![4], vec![3], vec![]];
        let mut comps: Vec<Vec<usize>> = tarjan(&adj)
            .into_iter()
            .map(|mut c| {
                c.sort();
                c
            })
            .collect();
        comps.sort();
        assert_eq!(comps, vec![vec![0, 1, 2], vec![3, 4], vec![5]]);
        assert!(tarjan(&[vec![1], vec![]]).iter().all(|c| c.len() == 1));
    }

    #[test]
    fn module_paths_of_files() {
        assert_eq!(module_path(Path::new("lib.rs")), Some(v("")));
        assert_eq!(module_path(Path::new("cache/mod.rs")), Some(v("cache")));
        assert_eq!(
            module_path(Path::new("tabs/usage/chart.rs")),
            Some(v("tabs::usage::chart"))
        );
        assert_eq!(node_name(&v("tabs::usage::chart"), 2), "tabs::usage");
        assert_eq!(node_name(&v(""), 2), "crate");
    }
}
