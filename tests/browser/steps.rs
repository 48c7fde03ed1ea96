//! What several browser tests do the same way: sign in through the form, set a field as a
//! user's input would, and the fixture volunteers and times they share.

use crate::support::{Api, volunteer};
use chrono::{DateTime, Utc};
use lp_testkit::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Sets a field the way a user's input would, firing the events the page listens to. Date and
/// time inputs take keystrokes in the browser's locale format, so their value is set directly.
pub async fn set_value(browser: &Browser, id: &str, value: &str) {
    browser
        .eval(&format!(
            "const e = document.getElementById({id:?}); e.value = {value:?}; \
             e.dispatchEvent(new Event('input', {{bubbles: true}})); \
             e.dispatchEvent(new Event('change', {{bubbles: true}})); return e.value;"
        ))
        .await;
}

/// Fills and sends the login form; the caller waits for the page it expects.
pub async fn sign_in(browser: &Browser, base: &str, email: &str, password: &str) {
    browser.goto(&format!("{base}/login")).await;
    browser.wait_for_text("Anmelden").await;
    browser.fill("#email", email).await;
    browser.fill("#password", password).await;
    browser.click("button[type=submit]").await;
}

/// A volunteer of the e2e fixture without any training.
pub fn untrained(name: &str, email: &str, language: &str) -> Value {
    let mut body = volunteer(name, email, language);
    body.as_object_mut().unwrap().remove("training_completed_on");
    body
}

/// An instant as the API takes it: RFC 3339 in the pool's zone.
pub fn local_rfc3339(at: DateTime<Utc>) -> String {
    lp_core::time::local(at).to_rfc3339()
}

/// A refresher that begins (and closes registration) at `starts`, with `volunteer` invited:
/// the service runs on the real clock, so a training whose attendance a test records must
/// begin moments after it is made. Its id.
pub async fn refresher_starting(coordinator: &Api, starts: DateTime<Utc>, volunteer: &str) -> String {
    let created = coordinator
        .post(
            "/api/v1/trainings",
            json!({
                "title": "Auffrischung Schweigepflicht", "kind": "refresher",
                "starts_at": local_rfc3339(starts), "duration_minutes": 90,
                "location": "Rathaus, Raum 2", "capacity": 10,
                "registration_deadline": local_rfc3339(starts), "trainer": "Dr. M. Beispiel"
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let invited = coordinator
        .post(
            &format!("/api/v1/trainings/{id}/invitations"),
            json!({ "volunteer_ids": [volunteer] }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.text);
    id
}
