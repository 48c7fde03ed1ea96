//! Every page in every state a user meets, at a desktop width and at WCAG's reflow width of
//! 320 px: axe-core finds no WCAG 2.1 A/AA violation (BITV 2.0) and nothing scrolls sideways.
//! The coordinator's and the caseworker's pages, forms refused with errors, the volunteers'
//! link pages (open, accepted, filled, refused), and the local mailbox. One browser per width,
//! reused for every page.

use crate::steps::{self, local_rfc3339, refresher_starting, set_value, untrained};
use crate::support::{PUBLIC_BASE_URL, Service, appointment_start, organisation_with_caseworker, volunteer};
use chrono::{Duration, Utc};
use lp_testkit::{Browser, ReceivedMail, Viewport};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Where the pages are and what each shows once loaded: (label, path, text to wait for).
struct Plan {
    base: String,
    coordinator_password: String,
    /// Pages for the signed-in coordinator.
    coordinator: Vec<(&'static str, String, &'static str)>,
    /// Pages for the signed-in caseworker.
    caseworker: Vec<(&'static str, String, &'static str)>,
    /// Pages for anyone: the volunteers' links and their refusals.
    public: Vec<(&'static str, String, &'static str)>,
    /// The local mailbox of a second service that writes mail to files.
    mailbox: Vec<(&'static str, String, &'static str)>,
}

/// The one link with `prefix` in the newest mail to `email` whose subject starts with `subject`.
async fn link_in_mail(service: &Service, email: &str, subject: &str, prefix: &str, skip: &[String]) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mails: Vec<ReceivedMail> = service.smtp.received_by(email);
        if let Some(link) = mails
            .iter()
            .filter(|m| m.subject.starts_with(subject))
            .filter_map(|m| m.link(PUBLIC_BASE_URL, prefix))
            .find(|link| !skip.contains(link))
        {
            return link;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail {subject:?} with a {prefix} link for {email} within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn request_at(language: &str, start: &str, client_ref: &str) -> Value {
    json!({
        "language": language, "starts_at": start, "duration_minutes": 60,
        "mode": "on_site", "town": "Winnenden", "address": "Marktplatz 1", "setting": "authority",
        "client_ref": client_ref, "notes": "Termin Ausländerbehörde"
    })
}

/// Volunteers, two requests (one open, one accepted by Selam), an upcoming training with an
/// open invitation, and one that has begun with Selam's attendance and certificate.
async fn set_up(service: &Service, mailbox: &Service) -> Plan {
    let coordinator_password = service.first_coordinator();
    let coordinator = service.coordinator();
    let (org, caseworker) = organisation_with_caseworker(service, &coordinator, "Stadt Winnenden").await;
    let mut ids = Vec::new();
    for body in [
        volunteer("Selam Tesfaye", "selam@pool.test", "tir"),
        volunteer("Yonas Berhe", "yonas@pool.test", "tir"),
        untrained("Amal Haddad", "amal@pool.test", "apc"),
    ] {
        let created = coordinator.post("/api/v1/volunteers", body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }
    let (selam, amal) = (ids[0].clone(), ids[2].clone());

    // A training that begins in a moment, so that attendance can be recorded below.
    let soon = Utc::now() + Duration::seconds(3);
    let begun = refresher_starting(&coordinator, soon, &selam).await;

    // An upcoming training with an open invitation for Amal.
    let later = Utc::now() + Duration::days(21);
    let upcoming = coordinator
        .post(
            "/api/v1/trainings",
            json!({
                "title": "Grundschulung Dolmetschen im Ehrenamt", "kind": "basic",
                "starts_at": local_rfc3339(later), "duration_minutes": 240,
                "location": "Rathaus, Sitzungssaal", "capacity": 12,
                "registration_deadline": local_rfc3339(later - Duration::days(7)),
                "trainer": "Dr. M. Beispiel", "description": "Rollen, Schweigepflicht, Übungen."
            }),
        )
        .await;
    assert_eq!(upcoming.status, StatusCode::CREATED, "{}", upcoming.text);
    let upcoming = upcoming.body["id"].as_str().unwrap().to_owned();
    let invited = coordinator
        .post(
            &format!("/api/v1/trainings/{upcoming}/invitations"),
            json!({ "volunteer_ids": [amal] }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.text);
    let invitation = link_in_mail(service, "amal@pool.test", "Einladung: Grundschulung", "/t/", &[]).await;

    // Request A stays open; Selam accepts request B.
    let open = caseworker
        .post(
            "/api/v1/requests",
            request_at("tir", &appointment_start(), "IM-2026-0147"),
        )
        .await;
    assert_eq!(open.status, StatusCode::CREATED, "{}", open.text);
    let open_id = open.body["id"].as_str().unwrap().to_owned();
    let offer_open = link_in_mail(service, "selam@pool.test", "", "/o/", &[]).await;
    let availability = link_in_mail(service, "selam@pool.test", "", "/v/", &[]).await;
    // Yonas's offer for request A, before B is filed: his offer for B is then the other one.
    let yonas_open = link_in_mail(service, "yonas@pool.test", "", "/o/", &[]).await;
    let yonas_availability = link_in_mail(service, "yonas@pool.test", "", "/v/", &[]).await;
    let later_start =
        (chrono::DateTime::parse_from_rfc3339(&appointment_start()).unwrap() + Duration::days(1)).to_rfc3339();
    let taken = caseworker
        .post("/api/v1/requests", request_at("tir", &later_start, "IM-2026-0148"))
        .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.text);
    let offer_taken = link_in_mail(service, "selam@pool.test", "", "/o/", std::slice::from_ref(&offer_open)).await;
    let offer_filled = link_in_mail(service, "yonas@pool.test", "", "/o/", std::slice::from_ref(&yonas_open)).await;
    let accepted = service
        .anonymous()
        .link_post_html(&format!("{offer_taken}/accept"))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);

    // A staff invitation, for the password page.
    let invited = coordinator
        .post(
            "/api/v1/users",
            json!({ "email": "neu@stadtwinnenden.test", "name": "Neue Fachkraft", "role": "caseworker", "organisation_id": org }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.text);
    let password_link = link_in_mail(service, "neu@stadtwinnenden.test", "", "/password/", &[]).await;

    // The begun training: Selam came.
    let wait = soon + Duration::milliseconds(300) - Utc::now();
    if let Ok(wait) = wait.to_std() {
        tokio::time::sleep(wait).await;
    }
    let recorded = coordinator
        .post(
            &format!("/api/v1/trainings/{begun}/attendance"),
            json!({ "volunteer_ids": [selam] }),
        )
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.text);

    // The mailbox service: one mail, a volunteer's own request for an availability link.
    let created = mailbox
        .coordinator()
        .post(
            "/api/v1/volunteers",
            volunteer("Selam Tesfaye", "selam@pool.test", "tir"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let asked = mailbox
        .anonymous()
        .send(
            mailbox
                .anonymous()
                .http
                .post(format!("{}/v", mailbox.base))
                .header("accept", "text/html")
                .form(&[("email", "selam@pool.test")]),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
    let message = wait_for_mailbox_message(mailbox).await;

    let unknown = "00000000-0000-0000-0000-000000000000";
    let coordinator_pages = vec![
        ("dashboard", "/".to_owned(), "Offen – Suche läuft"),
        ("board", "/board".to_owned(), "Gefährdet"),
        ("request form", "/requests/new".to_owned(), "Dolmetscher anfragen"),
        ("request page, open", format!("/requests/{open_id}"), "Verlauf"),
        (
            "request page, assigned",
            format!("/requests/{}", taken.body["id"].as_str().unwrap()),
            "Selam Tesfaye",
        ),
        (
            "candidates",
            format!("/requests/{open_id}/candidates"),
            "Ausgeschlossen",
        ),
        ("volunteers", "/volunteers".to_owned(), "Amal Haddad"),
        ("volunteer form", "/volunteers/new".to_owned(), "Montag"),
        (
            "volunteer record",
            format!("/volunteers/{selam}"),
            "Auffrischung Schweigepflicht",
        ),
        (
            "trainings",
            "/trainings".to_owned(),
            "Grundschulung Dolmetschen im Ehrenamt",
        ),
        ("training form", "/trainings/new".to_owned(), "Anmeldeschluss"),
        (
            "training edit form",
            format!("/trainings/{upcoming}/edit"),
            "Anmeldeschluss",
        ),
        ("training, upcoming", format!("/trainings/{upcoming}"), "Nach Filter"),
        ("training, begun", format!("/trainings/{begun}"), "Teilgenommen (1)"),
        (
            "training needs",
            "/trainings/needs".to_owned(),
            "Schulungsbedarf nach Sprache",
        ),
        (
            "certificate",
            format!("/trainings/{begun}/certificate/{selam}"),
            "Teilnahmebescheinigung",
        ),
        ("organisations", "/organisations".to_owned(), "Stadt Winnenden"),
        ("staff", "/staff".to_owned(), "cw@stadtwinnenden.test"),
        ("outbox with rows", "/outbox".to_owned(), "selam@pool.test"),
        ("change password", "/account/password".to_owned(), "Passwort ändern"),
        ("audit log", "/audit".to_owned(), "angesehen"),
        (
            "audit log about a volunteer",
            format!("/audit?object={selam}"),
            "Selam Tesfaye",
        ),
        (
            "audit log with a bad filter",
            "/audit?from=gestern".to_owned(),
            "Bitte korrigieren",
        ),
        ("staff error page", format!("/requests/{unknown}"), "Nicht gefunden"),
        ("unknown staff address", "/volunteer".to_owned(), "Nicht gefunden"),
    ];
    let caseworker_pages = vec![
        ("caseworker dashboard", "/".to_owned(), "Vergeben"),
        (
            "caseworker request form",
            "/requests/new".to_owned(),
            "Dolmetscher anfragen",
        ),
        ("caseworker request page", format!("/requests/{open_id}"), "Verlauf"),
        ("coordinator page refused", "/board".to_owned(), "Keine Berechtigung"),
    ];
    let public_pages = vec![
        ("offer, open", offer_open.clone(), "Annehmen"),
        ("offer, accepted", offer_taken, "Marktplatz 1"),
        ("offer, filled by someone else", offer_filled, "bereits vergeben"),
        ("offer link, unknown", "/o/not-a-real-token".to_owned(), "Unknown link"),
        ("training invitation", invitation, "Anmelden / Register"),
        (
            "training invitation link, unknown",
            "/t/not-a-real-token".to_owned(),
            "Unknown link",
        ),
        ("availability link request", "/v".to_owned(), "E-Mail"),
        // Selam's: an upcoming job and the calendar address from the confirmation.
        ("availability page", availability, "Ihre Kalender-Adresse"),
        (
            "availability page, no job and no calendar yet",
            yonas_availability,
            "Kalender-Adresse erstellen",
        ),
        (
            "availability link, unknown",
            "/v/not-a-real-token".to_owned(),
            "Unknown link",
        ),
        ("set password", password_link, "Passwort"),
        ("login", "/login".to_owned(), "Anmelden"),
    ];
    let mailbox_pages = vec![
        ("mailbox", "/mailbox".to_owned(), "Lokales Postfach"),
        ("mailbox message", message, "An / To"),
    ];
    Plan {
        base: service.base.clone(),
        coordinator_password,
        coordinator: coordinator_pages,
        caseworker: caseworker_pages,
        public: public_pages,
        mailbox: mailbox_pages
            .into_iter()
            .map(|(label, path, text)| (label, format!("{}{path}", mailbox.base), text))
            .collect(),
    }
}

/// The path of the first message in the file transport's mailbox, once there is one.
async fn wait_for_mailbox_message(mailbox: &Service) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let list = mailbox.anonymous().link_get("/mailbox").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        if let Some(at) = list.text.find("href=\"/mailbox/") {
            let rest = &list.text[at + "href=\"".len()..];
            return rest[..rest.find('"').unwrap()].to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail in the mailbox within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Opens `url`, waits for `text`, and runs both checks.
async fn check(browser: &Browser, label: &str, url: &str, text: &str) {
    browser.goto(url).await;
    browser.wait_for_text(text).await;
    check_here(browser, label).await;
}

async fn check_here(browser: &Browser, label: &str) {
    let label = format!("{label} at {} px", browser.viewport().width);
    browser.assert_accessible(&label).await;
    browser.assert_no_sideways_scroll(&label).await;
}

async fn sign_in(browser: &Browser, base: &str, email: &str, password: &str) {
    steps::sign_in(browser, base, email, password).await;
    browser.wait_for_text("Übersicht").await;
}

async fn sign_out(browser: &Browser) {
    browser.click("header form[action='/logout'] button").await;
    browser.wait_for_text("Anmelden").await;
}

/// A refused form: the summary lists `at_least` errors and each listed field is marked.
async fn assert_errors_shown(browser: &Browser, label: &str, at_least: u64) {
    browser.wait_for_text("Bitte korrigieren").await;
    let counts = browser
        .eval(
            "return [document.querySelectorAll('#form-error li').length, \
             document.querySelectorAll('[aria-invalid=true]').length];",
        )
        .await;
    let (listed, marked) = (counts[0].as_u64().unwrap(), counts[1].as_u64().unwrap());
    assert!(
        listed >= at_least && marked >= at_least,
        "{label}: {listed} errors listed, {marked} fields marked; expected {at_least} at least"
    );
}

/// Every state at one width; returns how many states were checked.
async fn check_every_page(browser: &Browser, plan: &Plan) -> usize {
    let base = &plan.base;
    let mut states = 0;

    sign_in(browser, base, "chief@pool.test", &plan.coordinator_password).await;
    for (label, path, text) in &plan.coordinator {
        check(browser, label, &format!("{base}{path}"), text).await;
        states += 1;
    }

    // Forms refused, with every error listed.
    browser.goto(&format!("{base}/requests/new")).await;
    browser.wait_for_text("Dolmetscher anfragen").await;
    browser.fill("#language", "Quatschisch").await;
    set_value(browser, "date", "").await;
    browser.fill("#duration_minutes", "5").await;
    browser.fill("#town", "").await;
    browser.fill("#client_ref", "Max Mustermann").await;
    browser.click("#new-request button[type=submit]").await;
    assert_errors_shown(browser, "request form with errors", 4).await;
    check_here(browser, "request form with errors").await;

    browser.goto(&format!("{base}/volunteers/new")).await;
    browser.wait_for_text("Montag").await;
    browser.fill("#email", "keine-adresse").await;
    browser.click("#volunteer-form button[type=submit]").await;
    assert_errors_shown(browser, "volunteer form with errors", 1).await;
    check_here(browser, "volunteer form with errors").await;

    browser.goto(&format!("{base}/trainings/new")).await;
    browser.wait_for_text("Anmeldeschluss").await;
    browser.click("#training-form button[type=submit]").await;
    assert_errors_shown(browser, "training form with errors", 1).await;
    check_here(browser, "training form with errors").await;
    states += 3;
    sign_out(browser).await;

    sign_in(browser, base, "cw@stadtwinnenden.test", "a long enough password").await;
    for (label, path, text) in &plan.caseworker {
        check(browser, label, &format!("{base}{path}"), text).await;
        states += 1;
    }
    browser.goto(&format!("{base}/requests/new")).await;
    browser.wait_for_text("Dolmetscher anfragen").await;
    browser.fill("#language", "").await;
    browser.click("#new-request button[type=submit]").await;
    assert_errors_shown(browser, "caseworker request form with errors", 3).await;
    check_here(browser, "caseworker request form with errors").await;
    states += 1;
    sign_out(browser).await;

    for (label, path, text) in &plan.public {
        check(browser, label, &format!("{base}{path}"), text).await;
        states += 1;
    }
    for (label, url, text) in &plan.mailbox {
        check(browser, label, url, text).await;
        states += 1;
    }
    states
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_passes_axe_and_reflows_to_320_px() {
    let (service, mailbox) = tokio::join!(
        Service::start(),
        Service::start_with(&[("LINGUAPOOL__EMAIL__TRANSPORT", "file")])
    );
    let plan = set_up(&service, &mailbox).await;
    for viewport in [Viewport::DESKTOP, Viewport::REFLOW] {
        let Some(browser) = Browser::start(viewport).await else {
            return;
        };
        let started = std::time::Instant::now();
        let states = check_every_page(&browser, &plan).await;
        // Straight to stderr, to be seen in a passing run (`--nocapture`).
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "accessibility: {states} page states at {} px in {:.1} s",
            viewport.width,
            started.elapsed().as_secs_f64()
        );
        assert!(states >= 40, "only {states} page states checked");
        browser.close().await;
    }
}
