//! The customer form's validation, called from the real webview as the UI calls it: the same
//! rules the core applies before anything is queued or sent.

use e2e::{App, Launch};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webview_gets_every_field_problem_and_the_phone_as_saved() {
    let app = App::launch(Launch::new()).await;
    app.wait_for("#sign-in-form").await;

    let bad = app
        .invoke(
            "validate_customer",
            json!({"form": {"name": "  ", "email": "it@", "phone": "020 123 4567"}}),
        )
        .await
        .expect("validation answers, it does not fail");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "email", "phone"]);
    let phone_message = bad["errors"][2]["message"].as_str().unwrap();
    assert!(phone_message.contains("country code"), "{phone_message}");
    assert_eq!(bad["phoneInternational"], serde_json::Value::Null);

    let good = app
        .invoke(
            "validate_customer",
            json!({"form": {"name": "Voorbeeld BV", "email": "it@voorbeeld.nl", "phone": "+1 (415) 555-0100"}}),
        )
        .await
        .unwrap();
    assert_eq!(good["errors"], json!([]));
    assert_eq!(good["phoneInternational"], "+1 415-555-0100");

    // Whether the organisation page's form holds a change is the core's answer too: the same
    // number written another way is none, another number is one.
    let stored = json!({"name": "Voorbeeld BV", "email": "it@voorbeeld.nl", "phone": "+1 415-555-0100", "isActive": true});
    for (phone, changed) in [("+1 (415) 555 0100", false), ("+1 415-555-0101", true)] {
        let answer = app
            .invoke(
                "customer_form_changed",
                json!({"stored": stored, "form": {"name": " Voorbeeld BV", "email": "it@voorbeeld.nl", "phone": phone, "isActive": true}}),
            )
            .await
            .unwrap();
        assert_eq!(answer, json!(changed), "{phone}");
    }

    // A command the capability does not grant is refused (the allow-list is real).
    let refused = app
        .invoke("plugin:fs|read_file", json!({"path": "/etc/passwd"}))
        .await;
    assert!(refused.is_err(), "{refused:?}");
    app.close().await;
}
