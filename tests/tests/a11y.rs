//! Accessibility through the real window, against a sandbox. axe-core (vendored in
//! tests/vendor/axe-core, injected through WebDriver's execute script, so the app's CSP stays as
//! strict as it is) runs on every screen: sign-in, the organisations list, the organisation
//! page's five tabs, the New organisation dialog, the add/edit dialogs of the tabs, the delete
//! and sign-out confirmations, the dashboard, branding, the conflicts view (empty, and with a
//! conflict made on both sides, also on the organisation page) and the account panel (in the
//! sidebar of every signed-in screen); in the light and the dark theme, and with a reseller's
//! brand colour. Every violation found is printed (rule, impact, the elements) and none may be
//! serious or critical.
//!
//! The same run is done with the keyboard alone: signing in, opening the New organisation
//! dialog, an organisation, its tabs, its delete confirmation, the dashboard, branding and
//! signing out are all reached by Tab, arrows and Enter; at every Tab stop the focused element
//! shows a focus ring; and every dialog keeps Tab and Shift+Tab inside itself while open and
//! gives the focus back to what opened it when it closes.

use e2e::keys::SHIFT;
use e2e::{keys, reseller_get, App, Launch};
use scriptix_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");
/// Enough organisations for the dashboard's recent list to fill its box and scroll.
const CUSTOMERS: usize = 20;

/// One window at a time: WebKit shows focus (`:focus`, `:focus-visible`) only in the window
/// that has the display's keyboard focus, and a second app started beside it takes that.
static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn sandbox(customers: usize) -> Sandbox {
    scriptix_sandbox::start(SandboxConfig {
        customers,
        // The test's own requests must never be the ones refused.
        rate_limit_per_minute: 0,
        ..Default::default()
    })
    .await
    .expect("start the sandbox")
}

/// Every violation axe found, per screen, for the report at the end.
#[derive(Default)]
struct Audit {
    found: Vec<(String, Vec<Value>)>,
}

impl Audit {
    /// Runs axe-core on the whole window as it is now (`screen` names it in the report).
    async fn run(&mut self, app: &App, screen: &str) {
        // A note in motion (fading in or out) has no stable colour to measure.
        app.wait_js(
            "the passing notes to go",
            "return document.querySelectorAll('.toast').length === 0;",
            vec![],
        )
        .await;
        let loaded = app
            .eval(
                &format!("if (!window.axe) {{ {AXE}\n }} return typeof window.axe;"),
                vec![],
            )
            .await;
        assert_eq!(
            loaded,
            json!("object"),
            "axe-core did not load in the window"
        );
        let out = app
            .client()
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.axe.run(document, { resultTypes: ['violations'] }).then(
                   (r) => done({ ok: r.violations.map((v) => ({
                     id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
                   })) }),
                   (e) => done({ err: String(e && e.stack || e) }));",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("axe on {screen}: {e}"));
        if let Some(err) = out.get("err") {
            panic!("axe failed on {screen}: {err}");
        }
        let violations = out["ok"].as_array().cloned().unwrap_or_default();
        eprintln!("axe on {screen}: {} rule(s) violated", violations.len());
        for v in &violations {
            eprintln!(
                "  {} ({}), {} node(s): {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["nodes"].as_array().map_or(0, Vec::len),
                v["help"].as_str().unwrap_or("")
            );
            for n in v["nodes"].as_array().into_iter().flatten().take(12) {
                eprintln!("    at {}", n["target"].as_str().unwrap_or("?"));
            }
        }
        self.found.push((screen.to_string(), violations));
    }

    /// Fails naming every serious or critical violation, with where it is and what to fix.
    fn assert_clean(&self) {
        let mut bad = Vec::new();
        for (screen, violations) in &self.found {
            for v in violations {
                let impact = v["impact"].as_str().unwrap_or("");
                if impact == "serious" || impact == "critical" {
                    let nodes: Vec<String> = v["nodes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|n| {
                            format!(
                                "{}: {}",
                                n["target"].as_str().unwrap_or("?"),
                                n["summary"].as_str().unwrap_or("").replace('\n', " ")
                            )
                        })
                        .collect();
                    bad.push(format!(
                        "[{screen}] {} ({impact}): {}\n      {}",
                        v["id"].as_str().unwrap_or("?"),
                        v["help"].as_str().unwrap_or(""),
                        nodes.join("\n      ")
                    ));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "serious or critical accessibility violations:\n{}",
            bad.join("\n")
        );
    }
}

/// A keyboard or focus expectation: fails the test saying what went wrong.
fn expect(ok: bool, what: impl FnOnce() -> String) {
    assert!(ok, "{}", what());
}

/// Whether `script` (as in [`App::eval`]) answers true within a few seconds.
async fn soon(app: &App, script: &str, args: Vec<Value>) -> bool {
    for _ in 0..50 {
        if app.eval(script, args.clone()).await == json!(true) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// Whether the element matching `css` gets the focus within a few seconds.
async fn focus_lands_on(app: &App, css: &str) -> bool {
    soon(
        app,
        "return document.activeElement?.matches(arguments[0]) ?? false;",
        vec![json!(css)],
    )
    .await
}

/// A description of the focused element, and whether it shows that it has the focus (a
/// visible outline on it, on the switch track of a switch, or a stroke on a chart bar).
async fn focused(app: &App) -> Value {
    app.eval(
        "const el = document.activeElement;
         if (!el || el === document.body) return { name: 'body', ring: false, inDialog: false };
         const name = el.id ? '#' + el.id
           : el.tagName.toLowerCase() + (el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\\s+/).join('.') : '');
         const shows = (node) => {
           if (!node) return false;
           const cs = getComputedStyle(node);
           return cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1
             && cs.outlineColor !== 'rgba(0, 0, 0, 0)' && cs.outlineColor !== 'transparent';
         };
         let ring = shows(el);
         if (!ring && el.matches('.switch input')) ring = shows(el.nextElementSibling);
         if (!ring && el.matches('.top-bar')) {
           const r = el.querySelector('.top-rect');
           ring = Boolean(r) && getComputedStyle(r).stroke !== 'none' && parseFloat(getComputedStyle(r).strokeWidth) >= 1;
         }
         const dialog = document.querySelector('dialog[open]');
         return { name, ring, inDialog: Boolean(dialog && dialog.contains(el)) };",
        vec![],
    )
    .await
}

/// Sends `keys` to whatever has the focus, as the keyboard would.
async fn type_keys(app: &App, keys: &str) {
    app.client()
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .unwrap_or_else(|e| panic!("send {keys:?} to the focused element: {e}"));
}

/// Presses Tab until the element matching `css` has the focus; every stop on the way must show
/// its focus. Panics naming the stops when `css` is not reached within `max` presses.
async fn tab_to(app: &App, css: &str, max: usize) {
    let mut stops = Vec::new();
    for _ in 0..max {
        type_keys(app, keys::TAB).await;
        let now = focused(app).await;
        let name = now["name"].as_str().unwrap_or("?").to_string();
        expect(now["ring"] == json!(true), || {
            format!(
                "{name} has the focus but shows no focus ring (Tab stop {})",
                stops.len() + 1
            )
        });
        stops.push(name);
        let there = app
            .eval(
                "return document.activeElement?.matches(arguments[0]) ?? false;",
                vec![json!(css)],
            )
            .await;
        if there == json!(true) {
            return;
        }
    }
    panic!("Tab did not reach {css} in {max} presses; the stops: {stops:?}");
}

/// With a dialog open: Tab and Shift+Tab, more times than it has controls, never leave it, and
/// each stop shows its focus; Escape closes it and the focus is back on `opener`.
async fn dialog_keeps_and_returns_focus(app: &App, dialog: &str, opener: &str) {
    app.wait_for(&format!("{dialog}[open]")).await;
    let controls = app
        .eval(
            "return document.querySelector(arguments[0]).querySelectorAll('button, input, select, textarea, [tabindex]').length;",
            vec![json!(dialog)],
        )
        .await
        .as_u64()
        .unwrap_or(0) as usize;
    assert!(controls > 0, "{dialog} has no controls");
    for (keys, way) in [
        (keys::TAB.to_string(), "Tab"),
        (format!("{SHIFT}{}", keys::TAB), "Shift+Tab"),
    ] {
        for i in 0..controls + 3 {
            type_keys(app, &keys).await;
            let now = focused(app).await;
            expect(now["inDialog"] == json!(true), || {
                format!(
                    "{way} #{} left {dialog}: the focus is on {}",
                    i + 1,
                    now["name"]
                )
            });
            expect(now["ring"] == json!(true), || {
                format!(
                    "{} in {dialog} has the focus but shows no focus ring",
                    now["name"]
                )
            });
        }
    }
    let before = focused(app).await;
    type_keys(app, keys::ESCAPE).await;
    let closed = soon(
        app,
        "return !document.querySelector(arguments[0]);",
        vec![json!(dialog)],
    )
    .await;
    expect(closed, || {
        format!("Escape on {} did not close {dialog}", before["name"])
    });
    if !closed {
        app.eval(
            "document.querySelector(arguments[0]).close();",
            vec![json!(dialog)],
        )
        .await;
    }
    let back = focus_lands_on(app, opener).await;
    let now = focused(app).await;
    expect(back, || {
        format!(
            "after {dialog} closed the focus is on {}, not on {opener} that opened it",
            now["name"]
        )
    });
}

/// The customer whose transcriptions include every status, an unknown one too (the sandbox
/// seeds one); its page shows every kind of badge.
async fn customer_with_every_status(sb: &Sandbox) -> i64 {
    let (list, _) = reseller_get(
        sb.base_url(),
        sb.reseller_token(),
        "customer/",
        &[("limit", "1000"), ("sort", "id"), ("direction", "asc")],
    )
    .await;
    for c in list.as_array().unwrap() {
        let id = c["id"].as_i64().unwrap();
        let (all, _) = reseller_get(
            sb.base_url(),
            sb.reseller_token(),
            &format!("customer/{id}/transcript"),
            &[("limit", "1000")],
        )
        .await;
        if all
            .as_array()
            .unwrap()
            .iter()
            .any(|t| !(0..=3).contains(&t["status"].as_i64().unwrap()))
        {
            return id;
        }
    }
    panic!("the sandbox seeds an unknown transcription status for one customer");
}

/// Waits for the tab `key`'s panel to show its rows (or its settled empty state).
async fn tab_ready(app: &App, key: &str) {
    let (panel, table) = match key {
        "subscription" => ("#subs-panel", "#subs-table"),
        "tokens" => ("#tokens-panel", "#tokens-table"),
        "users" => ("#users-panel", "#users-table"),
        "usage" => ("#usage-panel", "#usage-table"),
        _ => ("#tr-panel", "#tr-table"),
    };
    app.wait_js(
        &format!("the {key} tab with its rows"),
        "const p = document.querySelector(arguments[0]);
         const t = document.querySelector(arguments[1]);
         const asOf = p && p.querySelector('.as-of').textContent;
         return p && p.dataset.state === 'ready' && t && t.querySelector('tbody tr')
           && !t.hasAttribute('aria-busy') && !asOf.includes('refreshing') && !asOf.includes('Loading')
           && (p.id !== 'tr-panel' || p.dataset.source === 'server');",
        vec![json!(panel), json!(table)],
    )
    .await;
}

/// Opens a tab's add dialog from its button by the keyboard, audits it, checks its focus, and
/// closes it again.
async fn audit_tab_dialog(app: &App, audit: &mut Audit, button: &str, dialog: &str, name: &str) {
    app.eval(
        "document.querySelector(arguments[0]).focus();",
        vec![json!(button)],
    )
    .await;
    type_keys(app, keys::ENTER).await;
    app.wait_for(&format!("{dialog}[open]")).await;
    audit.run(app, name).await;
    dialog_keeps_and_returns_focus(app, dialog, button).await;
}

async fn dashboard_ready(app: &App) {
    app.wait_js_within(
        "the dashboard with its table",
        std::time::Duration::from_secs(180),
        // The view may not be on the page yet: every lookup tolerates its absence.
        "const d = document.querySelector('#dashboard');
         const asOf = document.querySelector('#dash-as-of')?.textContent ?? '';
         return d && d.dataset.source === 'server' && document.querySelector('#dash-table .dash-row')
           && document.querySelector('#dash-top-chart') && document.querySelector('#dash-recent .recent-row')
           && !asOf.includes('refreshing') && !asOf.includes('Loading') && asOf.startsWith('As of');",
        vec![],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_passes_axe_and_works_with_the_keyboard_alone() {
    let _window = ONE_WINDOW.lock().await;
    let sb = sandbox(CUSTOMERS).await;
    let id = customer_with_every_status(&sb).await;
    let mut audit = Audit::default();
    // The file dialog's test seam answers with a CSV to import (src-tauri/src/pick.rs).
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("organisations.csv");
    std::fs::write(
        &csv,
        "Name,Email\nAxe Import BV,axe@import.test\nNo Email BV,\n",
    )
    .unwrap();
    let seam = dir.path().join("dialog");
    std::fs::write(&seam, csv.display().to_string()).unwrap();
    let app =
        App::launch(Launch::new().env("SCRIPTIX_TEST_DIALOG", seam.display().to_string())).await;

    // ---- sign-in, by the keyboard ----
    app.wait_for("#sign-in-form").await;
    audit.run(&app, "sign-in").await;
    app.eval("document.querySelector('#base-url').focus();", vec![])
        .await;
    app.fill("#base-url", sb.base_url()).await;
    tab_to(&app, "#token", 1).await;
    type_keys(&app, sb.reseller_token()).await;
    tab_to(&app, "#sign-in", 3).await;
    type_keys(&app, keys::ENTER).await;

    // ---- the organisations list ----
    app.wait_js(
        "the list with its rows",
        "return document.querySelectorAll('#org-list .org-row:not(.placeholder)').length >= Math.min(arguments[0], 10);",
        vec![json!(CUSTOMERS)],
    )
    .await;
    audit
        .run(&app, "organisations list (and the account panel)")
        .await;

    // Ctrl+K is the search; from there Tab reaches the status filter and the list.
    type_keys(&app, &format!("{}k{}", keys::CONTROL, keys::NULL)).await;
    app.wait_js(
        "the search focused by Ctrl+K",
        "return document.activeElement?.id === 'org-search';",
        vec![],
    )
    .await;
    tab_to(&app, "#org-status-all", 2).await;
    tab_to(&app, "#org-list", 10).await;

    // Rows picked from the keyboard (Space, then Shift+Down): the bulk bar; Escape clears it.
    type_keys(&app, keys::HOME).await;
    type_keys(&app, " ").await;
    type_keys(&app, &format!("{SHIFT}{}{}", keys::ARROW_DOWN, keys::NULL)).await;
    app.wait_until_text("#org-picked", |t| t == "2 organisations selected")
        .await;
    audit.run(&app, "organisations list, rows picked").await;
    type_keys(&app, keys::ESCAPE).await;
    app.wait_js(
        "the bulk bar gone",
        "return document.querySelector('#org-bulk-bar').hidden;",
        vec![],
    )
    .await;

    // Importing: the preview dialog keeps and returns the focus; once imported, the import on
    // its way shows in the batches panel.
    app.click("#org-import").await;
    app.wait_for("#import-dialog[open]").await;
    audit.run(&app, "import preview dialog").await;
    dialog_keeps_and_returns_focus(&app, "#import-dialog", "#org-import").await;
    app.click("#org-import").await;
    app.wait_for("#import-dialog[open]").await;
    app.click("#import-confirm").await;
    app.wait_for("#org-batches .batch").await;
    audit
        .run(&app, "organisations list, an import on its way")
        .await;
    tab_to(&app, "#org-list", 20).await;

    // New organisation: reached by Shift+Tab, opened by Enter.
    for _ in 0..12 {
        let on_new = app
            .eval("return document.activeElement?.id === 'new-org';", vec![])
            .await;
        if on_new == json!(true) {
            break;
        }
        type_keys(&app, &format!("{SHIFT}{}", keys::TAB)).await;
        let now = focused(&app).await;
        expect(now["ring"] == json!(true), || {
            format!("{} has the focus but shows no focus ring", now["name"])
        });
    }
    type_keys(&app, keys::ENTER).await;
    app.wait_for("#new-org-dialog[open]").await;
    app.wait_js(
        "the name field focused in the dialog",
        "return document.activeElement?.id === 'org-form-name';",
        vec![],
    )
    .await;
    audit.run(&app, "New organisation dialog").await;
    // With a field's message showing, too.
    type_keys(&app, "x").await;
    type_keys(&app, keys::BACKSPACE).await;
    type_keys(&app, keys::TAB).await;
    type_keys(&app, "not-an-email").await;
    type_keys(&app, keys::TAB).await;
    app.wait_for("#org-form-email-error").await;
    audit
        .run(&app, "New organisation dialog, with messages")
        .await;
    dialog_keeps_and_returns_focus(&app, "#new-org-dialog", "#new-org").await;

    // ---- an organisation: opened from the list by arrows and Enter ----
    tab_to(&app, "#org-list", 10).await;
    let index = app
        .eval(
            "return Number(document.querySelector(`#org-list .org-row[data-id=\"${arguments[0]}\"]`).dataset.index);",
            vec![json!(id)],
        )
        .await
        .as_u64()
        .unwrap();
    type_keys(&app, keys::HOME).await;
    for _ in 0..index {
        type_keys(&app, keys::ARROW_DOWN).await;
    }
    type_keys(&app, keys::ENTER).await;
    app.wait_for(&format!("#org-page[data-id=\"{id}\"]")).await;
    app.wait_for_text("#org-title").await;

    // The tabs by Tab and the arrow keys, starting on the first.
    tab_to(&app, "#org-tabs [role=tab][aria-selected=true]", 30).await;
    type_keys(&app, keys::HOME).await;
    for (i, key) in ["subscription", "usage", "tokens", "users", "transcriptions"]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            type_keys(&app, "\u{E014}").await; // ArrowRight
        }
        app.wait_for(&format!("#tab-{key}[aria-selected=\"true\"]"))
            .await;
        tab_ready(&app, key).await;
        audit
            .run(&app, &format!("organisation page, {key} tab"))
            .await;
        match key {
            "subscription" => {
                audit_tab_dialog(
                    &app,
                    &mut audit,
                    "#add-subscription",
                    "#sub-dialog",
                    "Add subscription dialog",
                )
                .await;
            }
            "tokens" => {
                audit_tab_dialog(
                    &app,
                    &mut audit,
                    "#new-token",
                    "#token-dialog",
                    "New token dialog",
                )
                .await;
            }
            "users" => {
                audit_tab_dialog(
                    &app,
                    &mut audit,
                    "#add-user",
                    "#user-dialog",
                    "Add user dialog",
                )
                .await;
                audit_tab_dialog(
                    &app,
                    &mut audit,
                    "#users-table .edit-user",
                    "#user-dialog",
                    "Edit user dialog",
                )
                .await;
            }
            _ => {}
        }
        app.eval(
            "document.querySelector(arguments[0]).focus();",
            vec![json!(format!("#tab-{key}"))],
        )
        .await;
    }

    // The delete confirmation, from the page's Delete button by the keyboard.
    app.eval("document.querySelector('#org-page').focus();", vec![])
        .await;
    tab_to(&app, "#delete-org", 4).await;
    type_keys(&app, keys::ENTER).await;
    app.wait_for("#confirm-dialog[open]").await;
    app.wait_js(
        "Cancel focused first",
        "return document.activeElement?.id === 'confirm-cancel';",
        vec![],
    )
    .await;
    audit.run(&app, "delete confirmation").await;
    dialog_keeps_and_returns_focus(&app, "#confirm-dialog", "#delete-org").await;
    assert!(
        app.is_visible(&format!("#org-page[data-id=\"{id}\"]"))
            .await
    );

    // ---- dashboard, branding and conflicts, from the navigation by the keyboard ----
    app.eval("document.querySelector('#nav-orgs').focus();", vec![])
        .await;
    tab_to(&app, "#nav-dashboard", 1).await;
    type_keys(&app, keys::ENTER).await;
    dashboard_ready(&app).await;
    audit.run(&app, "dashboard").await;
    // Its controls, the chart's bars and the scrolling recent list are Tab stops.
    tab_to(&app, "#dash-range", 10).await;
    tab_to(&app, "#dash-top-chart .top-bar", 10).await;
    tab_to(&app, "#dash-recent", 80).await;
    // The recent list scrolls in its box: from the keyboard too.
    let overflows = app
        .eval(
            "const r = document.querySelector('#dash-recent'); return r.scrollHeight > r.clientHeight + 1;",
            vec![],
        )
        .await;
    assert_eq!(overflows, json!(true), "the recent list should scroll here");
    type_keys(&app, keys::PAGE_DOWN).await;
    expect(
        soon(
            &app,
            "return document.querySelector('#dash-recent').scrollTop > 0;",
            vec![],
        )
        .await,
        || "Page Down on the focused recent list did not scroll it".into(),
    );

    app.eval("document.querySelector('#nav-dashboard').focus();", vec![])
        .await;
    tab_to(&app, "#nav-branding", 1).await;
    type_keys(&app, keys::ENTER).await;
    app.wait_for("#branding").await;
    app.wait_js(
        "the branding as of a time",
        "return document.querySelector('#branding-as-of').textContent.startsWith('As of');",
        vec![],
    )
    .await;
    audit.run(&app, "branding").await;
    tab_to(&app, "#branding-choose-logo", 10).await;
    tab_to(&app, "#branding-colour-hex", 10).await;

    // A brand colour, typed and applied by the keyboard: the window takes it, stays clean, and
    // the focus ring takes the brand's ink (the brand made readable on the page).
    type_keys(&app, &format!("#E8A33D{}", keys::ENTER)).await;
    app.wait_for("html[data-branded]").await;
    // Buttons ease into a new colour: measured once they are there.
    app.wait_js(
        "the primary buttons in the brand colour",
        "const probe = document.createElement('span');
         probe.style.color = 'var(--brand)';
         document.body.append(probe);
         const brand = getComputedStyle(probe).color;
         probe.remove();
         return [...document.querySelectorAll('.button.primary')]
           .every((b) => getComputedStyle(b).backgroundColor === brand);",
        vec![],
    )
    .await;
    audit.run(&app, "branding, with a brand colour").await;
    tab_to(&app, "#branding-colour-apply", 2).await;
    let ring = app
        .eval(
            "const probe = document.createElement('span');
             probe.style.color = 'var(--brand-ink)';
             document.body.append(probe);
             const ink = getComputedStyle(probe).color;
             probe.remove();
             return [getComputedStyle(document.activeElement).outlineColor, ink];",
            vec![],
        )
        .await;
    assert_eq!(ring[0], ring[1], "the focus ring [ring, brand ink]: {ring}");

    // The activity log, from the navigation by the keyboard, listing the colour just set.
    app.eval("document.querySelector('#nav-branding').focus();", vec![])
        .await;
    tab_to(&app, "#nav-activity", 1).await;
    type_keys(&app, keys::ENTER).await;
    app.wait_js(
        "the activity to list the brand colour",
        "return [...document.querySelectorAll('#activity-list .activity-what')]
           .some((w) => w.textContent === 'Set the brand colour to #E8A33D');",
        vec![],
    )
    .await;
    audit.run(&app, "activity").await;
    tab_to(&app, "#activity-search", 10).await;

    // No conflict was made here: the view shows its empty state (the items a conflict shows
    // are the organisation page's, audited above while synced).
    app.eval("document.querySelector('#nav-conflicts').click();", vec![])
        .await;
    app.wait_for("#conflicts-empty").await;
    audit.run(&app, "conflicts (none)").await;

    // ---- the dark theme: the screens with the most colours ----
    app.eval(
        "const s = document.querySelector('#theme'); s.value = 'dark';
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![],
    )
    .await;
    app.wait_for("html[data-theme=\"dark\"]").await;
    app.click("#nav-dashboard").await;
    dashboard_ready(&app).await;
    audit.run(&app, "dashboard, dark").await;
    app.click("#nav-orgs").await;
    app.wait_for("#org-list .org-row").await;
    audit.run(&app, "organisations list, dark").await;
    app.click(&format!("#org-list .org-row[data-id=\"{id}\"] .cell-email"))
        .await;
    app.press("#org-list", keys::ENTER).await;
    app.wait_for(&format!("#org-page[data-id=\"{id}\"]")).await;
    app.click("#tab-transcriptions").await;
    tab_ready(&app, "transcriptions").await;
    audit
        .run(&app, "organisation page, transcriptions tab, dark")
        .await;
    app.click("#tab-users").await;
    tab_ready(&app, "users").await;
    audit.run(&app, "organisation page, users tab, dark").await;

    // ---- signing out asks in a dialog that keeps and returns the focus ----
    app.eval("document.querySelector('#sign-out').focus();", vec![])
        .await;
    type_keys(&app, keys::ENTER).await;
    app.wait_for("#confirm-dialog[open]").await;
    audit.run(&app, "sign-out question").await;
    dialog_keeps_and_returns_focus(&app, "#confirm-dialog", "#sign-out").await;

    audit.assert_clean();
    app.close().await;
    sb.shutdown().await;
}

/// The sandbox on `addr` over the data in `db` (retrying while an old listener lets go).
async fn sandbox_at(addr: std::net::SocketAddr, db: &std::path::Path) -> Sandbox {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let cfg = SandboxConfig {
            customers: 8,
            rate_limit_per_minute: 0,
            addr,
            db_path: Some(db.to_path_buf()),
            ..Default::default()
        };
        match scriptix_sandbox::start(cfg).await {
            Ok(s) => return s,
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("sandbox not started yet ({e}); trying again");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Err(e) => panic!("the sandbox did not start on {addr}: {e}"),
        }
    }
}

/// Renames customer `id` on the server, as another desk would.
async fn rename_on_server(sb: &Sandbox, id: i64, name: &str) {
    let (list, _) = reseller_get(
        sb.base_url(),
        sb.reseller_token(),
        "customer/",
        &[("limit", "1000")],
    )
    .await;
    let c = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"].as_i64() == Some(id))
        .expect("the customer on the server")
        .clone();
    let status = e2e::http()
        .put(format!("{}/api/v3/reseller/customer/{id}/", sb.base_url()))
        .header("x-zoom-s2t-key", sb.reseller_token())
        .json(&json!({"name": name, "email": c["email"], "phone": c["phone"], "is_active": c["is_active"]}))
        .send()
        .await
        .expect("the sandbox answers")
        .status();
    assert!(status.is_success(), "rename on the server: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_on_the_page_and_in_the_conflicts_view_passes_axe() {
    let _window = ONE_WINDOW.lock().await;
    let addr = std::net::SocketAddr::from((
        std::net::Ipv4Addr::LOCALHOST,
        std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port(),
    ));
    let dir = tempfile::tempdir().expect("a directory for the sandbox");
    let db = dir.path().join("sandbox.sqlite");
    let first = sandbox_at(addr, &db).await;
    let (list, _) = reseller_get(
        first.base_url(),
        first.reseller_token(),
        "customer/",
        &[("limit", "1000"), ("sort", "id"), ("direction", "asc")],
    )
    .await;
    let id = list[1]["id"].as_i64().unwrap();
    let (base_url, token) = (
        first.base_url().to_string(),
        first.reseller_token().to_string(),
    );
    let app = App::launch(Launch::signed_in(&base_url, &token)).await;
    app.wait_for(&format!("#org-list .org-row[data-id=\"{id}\"]"))
        .await;

    // Offline, this desk renames; meanwhile another desk renames on Scriptix.
    first.shutdown().await;
    app.click("#sync-now").await;
    app.wait_for("#sync-status[data-connectivity=\"offline\"]")
        .await;
    app.click(&format!("#org-list .org-row[data-id=\"{id}\"] .cell-email"))
        .await;
    app.press("#org-list", keys::ENTER).await;
    app.wait_for(&format!("#org-page[data-id=\"{id}\"]")).await;
    app.fill("#org-name", "Mine Transcripties BV").await;
    app.click("#save-org").await;
    app.wait_for("#org-sync-state[data-state=\"pending\"]")
        .await;
    let elsewhere = sandbox_at(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        &db,
    )
    .await;
    rename_on_server(&elsewhere, id, "Theirs Transcripties BV").await;
    elsewhere.shutdown().await;

    // Back online, the two meet: the page and the conflicts view show the choice.
    let back = sandbox_at(addr, &db).await;
    app.click("#sync-now").await;
    app.wait_js_within(
        "the conflict on the page",
        std::time::Duration::from_secs(150),
        "return Boolean(document.querySelector('#org-sync-state[data-state=\"conflict\"]'))
           && Boolean(document.querySelector('#org-sync-banner .conflict .keep-mine'));",
        vec![],
    )
    .await;
    let mut audit = Audit::default();
    audit.run(&app, "organisation page, with a conflict").await;
    app.eval("document.querySelector('#org-page').focus();", vec![])
        .await;
    tab_to(&app, "#org-sync-banner .keep-mine", 6).await;

    app.click("#sync-conflicts").await;
    app.wait_for(".conflict-group .conflict").await;
    audit.run(&app, "conflicts").await;
    app.eval("document.querySelector('#nav-orgs').focus();", vec![])
        .await;
    tab_to(&app, ".conflict-group .conflict-open", 12).await;
    tab_to(&app, ".conflict-group .keep-mine", 2).await;
    audit.assert_clean();
    app.close().await;
    back.shutdown().await;
}
