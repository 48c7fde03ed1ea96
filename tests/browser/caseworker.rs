//! The caseworker's day in a real browser: sign in, file a request with the form (the live
//! hint counts who qualifies), find it on the dashboard; a volunteer accepts on a phone; the
//! request page then shows the interpreter. Screenshots of the main staff pages go to
//! `target/screenshots/` for review.

use crate::steps::set_value;
use crate::support::{PUBLIC_BASE_URL, Service, appointment_start, organisation_with_caseworker, volunteer};
use lp_testkit::{Browser, Viewport};
use reqwest::StatusCode;

async fn sign_in(browser: &Browser, base: &str, email: &str, password: &str) {
    browser.goto(&format!("{base}/login")).await;
    browser.wait_for_text("Anmelden").await;
    browser.assert_fits_viewport().await;
    browser.fill("#email", email).await;
    browser.fill("#password", password).await;
    browser.click("button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn caseworker_files_a_request_and_sees_the_interpreter_after_a_phone_accept() {
    let (desk, phone, service) = tokio::join!(
        Browser::start(Viewport::DESKTOP),
        Browser::start(Viewport::PHONE),
        Service::start()
    );
    let (Some(desk), Some(phone)) = (desk, phone) else {
        return;
    };
    let coordinator = service.coordinator();
    let (_, _caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    for (name, email) in [("Selam Tesfaye", "selam@pool.test"), ("Yonas Berhe", "yonas@pool.test")] {
        let created = coordinator
            .post("/api/v1/volunteers", volunteer(name, email, "tir"))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    let base = &service.base;

    desk.goto(&format!("{base}/login")).await;
    desk.wait_for_text("Anmelden").await;
    desk.screenshot("staff-login-desktop").await;
    sign_in(&desk, base, "cw@stadtwinnenden.test", "a long enough password").await;
    desk.wait_for_text("Übersicht").await;

    desk.goto(&format!("{base}/requests/new")).await;
    desk.wait_for_text("Dolmetscher anfragen").await;
    let start = appointment_start();
    desk.fill("#language", "Tigrinya (tir)").await;
    set_value(&desk, "date", &start[..10]).await;
    set_value(&desk, "time", "10:00").await;
    desk.fill("#town", "Winnenden").await;
    desk.fill("#address", "Marktplatz 1").await;
    desk.fill("#client_ref", "IM-2026-0147").await;
    // The live hint, fetched by the page's script as the form fills in.
    let hint = desk.wait_for_text("kommen für diesen Termin in Frage").await;
    assert!(hint.contains("2 Ehrenamtliche"), "{hint}");
    desk.screenshot("caseworker-new-request-desktop").await;
    desk.click("#new-request button[type=submit]").await;

    let page = desk.wait_for_text("Verlauf").await;
    assert!(page.contains("Tigrinya") && page.contains("offen"), "{page}");
    assert!(page.contains("Angebot gesendet an"), "{page}");
    let request_url = desk.url().await;
    desk.screenshot("caseworker-request-open-desktop").await;

    desk.goto(&format!("{base}/")).await;
    let dashboard = desk.wait_for_text("Offen – Suche läuft").await;
    assert!(
        dashboard.contains("Tigrinya (tir)") && dashboard.contains("IM-2026-0147"),
        "{dashboard}"
    );
    desk.screenshot("caseworker-dashboard-desktop").await;

    // A volunteer accepts from the offer email on a phone.
    let mail = service.smtp.wait_for("selam@pool.test", 1).await.remove(0);
    let link = mail.link(PUBLIC_BASE_URL, "/o/").expect("an offer link");
    phone.goto(&format!("{base}{link}")).await;
    phone.wait_for_text("Annehmen").await;
    phone.click("button.accept").await;
    phone.wait_for_text("Zusage gespeichert").await;

    desk.goto(&request_url).await;
    let assigned = desk.wait_for_text("Selam Tesfaye").await;
    assert!(
        assigned.contains("vergeben") && assigned.contains("+49 151 000000"),
        "{assigned}"
    );
    assert_eq!(desk.text("#assignee-name").await, "Selam Tesfaye");
    desk.screenshot("caseworker-request-assigned-desktop").await;

    // English on request, and the dashboard stays usable on a phone.
    desk.click("header form[action='/lang'] button").await;
    desk.wait_for_text("Timeline").await;
    sign_in(&phone, base, "cw@stadtwinnenden.test", "a long enough password").await;
    phone.wait_for_text("Selam Tesfaye").await;
    phone.assert_fits_viewport().await;
    phone.screenshot("caseworker-dashboard-phone").await;
    phone.goto(&request_url).await;
    phone.wait_for_text("Verlauf").await;
    phone.assert_fits_viewport().await;
    phone.screenshot("caseworker-request-phone").await;

    desk.close().await;
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn coordinator_pages_render_for_review() {
    let (desk, service) = tokio::join!(Browser::start(Viewport::DESKTOP), Service::start());
    let Some(desk) = desk else { return };
    let password = service.first_coordinator();
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    coordinator
        .post(
            "/api/v1/volunteers",
            volunteer("Selam Tesfaye", "selam@pool.test", "tir"),
        )
        .await;
    let created = caseworker
        .post("/api/v1/requests", crate::support::request_body("tir"))
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let base = &service.base;

    sign_in(&desk, base, "chief@pool.test", &password).await;
    desk.wait_for_text("Übersicht").await;
    desk.goto(&format!("{base}/requests/{id}")).await;
    let page = desk.wait_for_text("Nur 1 Ehrenamtliche/r kommt in Frage").await;
    assert!(page.contains("(1 spricht die Sprache)"), "{page}");
    desk.screenshot("coordinator-request-hint-desktop").await;
    desk.goto(&format!("{base}/requests/{id}/candidates")).await;
    desk.wait_for_text("Selam Tesfaye").await;
    desk.screenshot("coordinator-candidates-desktop").await;
    desk.goto(&format!("{base}/board")).await;
    desk.wait_for_text("Gefährdet").await;
    desk.screenshot("coordinator-board-desktop").await;
    for (path, text, name) in [
        ("/volunteers", "Selam Tesfaye", "coordinator-volunteers-desktop"),
        ("/volunteers/new", "Montag", "coordinator-volunteer-form-desktop"),
        ("/staff", "cw@stadtwinnenden.test", "coordinator-staff-desktop"),
        ("/outbox", "E-Mail-Ausgang", "coordinator-outbox-desktop"),
    ] {
        desk.goto(&format!("{base}{path}")).await;
        desk.wait_for_text(text).await;
        desk.screenshot(name).await;
    }
    desk.close().await;
}
