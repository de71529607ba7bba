//! The window's modules: index.html preloads every module app.js imports, directly or not, so
//! the page fetches them at once instead of discovering them one import level at a time.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn ui() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui")
}

/// A file under ui/, as text.
fn source(module: &str) -> String {
    std::fs::read_to_string(ui().join(module)).unwrap_or_else(|e| panic!("{module}: {e}"))
}

/// `spec` ('./x.js', '../y.js') imported from `module`, as a path under ui/.
fn resolve(module: &str, spec: &str) -> String {
    let mut path = Path::new(module)
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    for part in spec.split('/') {
        match part {
            "." => {}
            ".." => {
                path.pop();
            }
            p => path.push(p),
        }
    }
    path.to_string_lossy().replace('\\', "/")
}

/// The first quoted relative specifier in `text`.
fn quoted_spec(text: &str) -> Option<&str> {
    let start = text.find(['\'', '"'])?;
    let rest = &text[start + 1..];
    let spec = &rest[..rest.find(['\'', '"'])?];
    spec.starts_with('.').then_some(spec)
}

/// The static relative imports of one module (`from './x.js'`, `import './x.js'`), as paths
/// under ui/.
fn imports(module: &str) -> Vec<String> {
    source(module)
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with("import ") || line.starts_with("} from "))
        .filter_map(quoted_spec)
        .map(|spec| resolve(module, spec))
        .collect()
}

/// The modules `module` loads when needed (`import('./x.js')`), as paths under ui/.
fn dynamic_imports(module: &str) -> Vec<String> {
    source(module)
        .split("import(")
        .skip(1)
        .filter_map(|rest| quoted_spec(rest.split(')').next().unwrap_or_default()))
        .map(|spec| resolve(module, spec))
        .collect()
}

/// Every module under ui/, as paths under ui/.
fn all_modules(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            all_modules(&path, found);
        } else if path.extension().is_some_and(|e| e == "js") {
            let relative = path.strip_prefix(ui()).unwrap();
            found.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The modules app.js imports, directly or not: what the page loads before its first screen.
fn loaded_at_start() -> BTreeSet<String> {
    let mut reachable = BTreeSet::new();
    let mut queue = vec!["app.js".to_string()];
    while let Some(module) = queue.pop() {
        for import in imports(&module) {
            if reachable.insert(import.clone()) {
                queue.push(import);
            }
        }
    }
    reachable
}

#[test]
fn index_html_preloads_every_module_app_js_imports() {
    let reachable = loaded_at_start();
    assert!(
        reachable.len() > 10,
        "the import scan found too little: {reachable:?}"
    );
    let html = source("index.html");
    let preloaded: BTreeSet<String> = html
        .split("<link rel=\"modulepreload\" href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
        .collect();
    let missing: Vec<_> = reachable.difference(&preloaded).collect();
    let extra: Vec<_> = preloaded.difference(&reachable).collect();
    assert!(
        missing.is_empty(),
        "imported but not preloaded: {missing:?}"
    );
    assert!(extra.is_empty(), "preloaded but never imported: {extra:?}");
}

/// The screens off the start (`screens` in app.js, the list's dialogs) are loaded when needed:
/// each exists, none is preloaded, and none is imported by what the start loads (which would
/// bring it back into the start).
#[test]
fn the_modules_loaded_later_exist_and_stay_out_of_the_start() {
    let mut modules = Vec::new();
    all_modules(&ui(), &mut modules);
    let mut later = BTreeSet::new();
    for module in &modules {
        later.extend(dynamic_imports(module));
    }
    assert!(
        later.contains("views/organization.js") && later.contains("views/dashboard.js"),
        "the scan found too little: {later:?}"
    );
    for module in &later {
        assert!(
            ui().join(module).is_file(),
            "{module} is imported but missing"
        );
    }
    let at_start = loaded_at_start();
    let html = source("index.html");
    for module in &later {
        assert!(
            !at_start.contains(module),
            "{module} is loaded later but the start imports it"
        );
        assert!(
            !html.contains(&format!("href=\"{module}\"")),
            "{module} is loaded later but preloaded"
        );
    }
}
