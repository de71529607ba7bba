//! The window's modules: index.html preloads every module app.js imports, directly or not, so
//! the page fetches them at once instead of discovering them one import level at a time.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn ui() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui")
}

/// The relative imports of one module (`from './x.js'`, `import './x.js'`), as paths under ui/.
fn imports(module: &str) -> Vec<String> {
    let source =
        std::fs::read_to_string(ui().join(module)).unwrap_or_else(|e| panic!("{module}: {e}"));
    let dir = Path::new(module).parent().unwrap_or(Path::new(""));
    let mut found = Vec::new();
    for line in source.lines() {
        let line = line.trim_start();
        if !(line.starts_with("import ") || line.starts_with("} from ")) {
            continue;
        }
        let Some(start) = line.find(['\'', '"']) else {
            continue;
        };
        let rest = &line[start + 1..];
        let Some(end) = rest.find(['\'', '"']) else {
            continue;
        };
        let spec = &rest[..end];
        if !spec.starts_with('.') {
            continue;
        }
        let mut path = dir.to_path_buf();
        for part in spec.split('/') {
            match part {
                "." => {}
                ".." => {
                    path.pop();
                }
                p => path.push(p),
            }
        }
        found.push(path.to_string_lossy().replace('\\', "/"));
    }
    found
}

#[test]
fn index_html_preloads_every_module_app_js_imports() {
    let mut reachable = BTreeSet::new();
    let mut queue = vec!["app.js".to_string()];
    while let Some(module) = queue.pop() {
        for import in imports(&module) {
            if reachable.insert(import.clone()) {
                queue.push(import);
            }
        }
    }
    assert!(
        reachable.len() > 10,
        "the import scan found too little: {reachable:?}"
    );
    let html = std::fs::read_to_string(ui().join("index.html")).unwrap();
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
