//! A first-time caseworker asks for a language nobody can serve on site at that time: the
//! form's live hint says why and what would work, one click takes a suggestion, and filing
//! anyway asks once and leaves the suggestions on the request's page.

use crate::steps::{set_value, sign_in};
use crate::support::{Service, appointment_start, organisation_with_caseworker, volunteer};
use lp_testkit::{Browser, Viewport};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn caseworker_sees_why_nobody_qualifies_and_takes_a_suggestion() {
    let (desk, phone, service) = tokio::join!(
        Browser::start(Viewport::DESKTOP),
        Browser::start(Viewport::PHONE),
        Service::start()
    );
    let (Some(desk), Some(phone)) = (desk, phone) else {
        return;
    };
    let coordinator = service.coordinator();
    organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    // Two Dari speakers only by video; two who come to Winnenden only in the afternoon.
    for (name, email, modes, from) in [
        ("Video Eins", "v1@pool.test", json!(["video"]), "08:00"),
        ("Video Zwei", "v2@pool.test", json!(["video"]), "08:00"),
        ("Nachmittag Eins", "n1@pool.test", json!(["on_site"]), "14:00"),
        ("Nachmittag Zwei", "n2@pool.test", json!(["on_site"]), "14:00"),
    ] {
        let mut body = volunteer(name, email, "prs");
        body["modes"] = modes;
        let days = ["mon", "tue", "wed", "thu", "fri"];
        body["availability"] = days
            .iter()
            .map(|d| json!({"weekday": d, "start": from, "end": "18:00"}))
            .collect();
        let created = coordinator.post("/api/v1/volunteers", body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    let base = &service.base;
    sign_in(&desk, base, "cw@stadtwinnenden.test", "a long enough password").await;
    desk.wait_for_text("Übersicht").await;

    desk.goto(&format!("{base}/requests/new")).await;
    desk.wait_for_text("Dolmetscher anfragen").await;
    let start = appointment_start();
    desk.fill("#language", "prs").await;
    set_value(&desk, "date", &start[..10]).await;
    set_value(&desk, "time", "10:00").await;
    desk.fill("#town", "Winnenden").await;
    desk.fill("#address", "Marktplatz 1").await;
    let hint = desk.wait_for_text("Niemand kommt für diesen Termin in Frage").await;
    assert!(hint.contains("(4 sprechen die Sprache)"), "{hint}");
    assert!(
        hint.contains("Laut Wochenplan zu dieser Zeit nicht verfügbar"),
        "{hint}"
    );
    assert!(hint.contains("Video, gleiche Zeit – 2 kommen in Frage"), "{hint}");
    assert!(hint.contains("14:00 Uhr – 2 kommen in Frage"), "the afternoon: {hint}");
    desk.assert_accessible("new-request-with-suggestions").await;
    desk.screenshot("caseworker-new-request-suggestions-desktop").await;

    // One click puts the suggestion into the form, and the hint follows.
    desk.click("#qualify-hint button[data-mode='video']").await;
    desk.wait_for_text("2 Ehrenamtliche kommen für diesen Termin in Frage")
        .await;
    assert_eq!(
        desk.eval("return document.getElementById('mode').value;").await,
        "video"
    );

    // Back on site: filing asks once, then files it and the page keeps the suggestions.
    set_value(&desk, "mode", "on_site").await;
    desk.wait_for_text("Niemand kommt für diesen Termin in Frage").await;
    desk.click("#new-request button.primary:not(#file-anyway)").await;
    let asked = desk.wait_for_text("Niemand kommt in Frage – trotzdem anlegen?").await;
    assert!(asked.contains("Trotzdem anlegen"), "{asked}");
    desk.screenshot("caseworker-new-request-confirm-desktop").await;
    desk.click("#file-anyway").await;
    // Text only the request's page has (the form shows the same hint).
    let page = desk.wait_for_text("Als neue Anfrage stellen").await;
    assert!(
        page.contains("Niemand kommt für diesen Termin in Frage (4 sprechen"),
        "{page}"
    );
    assert!(page.contains("nicht besetzt"), "{page}");
    desk.assert_accessible("request-with-suggestions").await;
    desk.screenshot("caseworker-request-suggestions-desktop").await;
    let request_url = desk.url().await;

    sign_in(&phone, base, "cw@stadtwinnenden.test", "a long enough password").await;
    phone.wait_for_text("Übersicht").await;
    phone.goto(&request_url).await;
    phone.wait_for_text("Als neue Anfrage stellen").await;
    phone.assert_fits_viewport().await;
    phone.screenshot("caseworker-request-suggestions-phone").await;

    // Taking a suggestion from the page opens the form filled in from the request.
    desk.click("#search-hint a").await;
    desk.wait_for_text("Dolmetscher anfragen").await;
    desk.wait_for_text("2 Ehrenamtliche kommen für diesen Termin in Frage")
        .await;
    assert_eq!(
        desk.eval("return document.getElementById('address').value;").await,
        "Marktplatz 1"
    );
    desk.close().await;
    phone.close().await;
}
