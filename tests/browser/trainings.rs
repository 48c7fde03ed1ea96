//! A training from end to end in a real browser: the coordinator creates one with the form,
//! previews an invitation by filter and sends it; a volunteer registers from the mailed link
//! on a phone; then, for a second training that has just begun, the coordinator ticks who came
//! and opens the printable certificate. Screenshots go to `target/screenshots/` for review.

use crate::steps::{refresher_starting, set_value, sign_in, untrained};
use crate::support::{PUBLIC_BASE_URL, Service, volunteer};
use chrono::{Duration, Utc};
use lp_testkit::{Browser, ReceivedMail, Viewport};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The invitation link of the training titled `title` from the mail sent to `email`.
async fn invitation_link(service: &Service, email: &str, title: &str) -> String {
    let subject = format!("Einladung: {title} ");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mails: Vec<ReceivedMail> = service.smtp.received_by(email);
        if let Some(mail) = mails.iter().find(|m| m.subject.starts_with(&subject)) {
            return mail
                .link(PUBLIC_BASE_URL, "/t/")
                .expect("an invitation link in the mail");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no invitation to {title:?} for {email} within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn coordinator_invites_by_filter_a_volunteer_registers_on_a_phone_and_attendance_gives_a_certificate() {
    let (desk, phone, service) = tokio::join!(
        Browser::start(Viewport::DESKTOP),
        Browser::start(Viewport::PHONE),
        Service::start()
    );
    let (Some(desk), Some(phone)) = (desk, phone) else {
        return;
    };
    let password = service.first_coordinator();
    let coordinator = service.coordinator();
    let mut ids = Vec::new();
    for body in [
        untrained("Selam Tesfaye", "selam@pool.test", "tir"),
        untrained("Amal Haddad", "amal@pool.test", "apc"),
        volunteer("Yonas Berhe", "yonas@pool.test", "tir"),
    ] {
        let created = coordinator.post("/api/v1/volunteers", body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }
    let selam = ids[0].clone();

    // A second training that begins shortly: the service runs on the real clock, so this is
    // the one whose attendance can be recorded at the end. Selam registers through the link.
    let soon = Utc::now() + Duration::seconds(45);
    let refresher = refresher_starting(&coordinator, soon, &selam).await;
    let link = invitation_link(&service, "selam@pool.test", "Auffrischung Schweigepflicht").await;
    let registered = service.anonymous().link_post_html(&format!("{link}/register")).await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.text);
    assert!(registered.text.contains("Sie sind angemeldet"), "{}", registered.text);

    let base = &service.base;
    sign_in(&desk, base, "chief@pool.test", &password).await;
    desk.wait_for_text("Übersicht").await;

    // The create form.
    desk.goto(&format!("{base}/trainings")).await;
    desk.wait_for_text("Neue Schulung").await;
    desk.click("a[href='/trainings/new']").await;
    desk.wait_for_text("Anmeldeschluss").await;
    let today = Utc::now().with_timezone(&lp_core::time::POOL_TZ).date_naive();
    let day = (today + Duration::days(21)).format("%Y-%m-%d").to_string();
    let deadline = (today + Duration::days(14)).format("%Y-%m-%d").to_string();
    desk.fill("#title", "Grundschulung Dolmetschen im Ehrenamt").await;
    set_value(&desk, "date", &day).await;
    set_value(&desk, "time", "10:00").await;
    desk.fill("#location", "Rathaus, Sitzungssaal").await;
    desk.fill("#capacity", "12").await;
    set_value(&desk, "deadline_date", &deadline).await;
    desk.fill("#trainer", "Dr. M. Beispiel").await;
    desk.fill("#description", "Rollen, Schweigepflicht, Übungen aus dem Alltag.")
        .await;
    desk.screenshot("coordinator-training-form-desktop").await;
    desk.click("#training-form button[type=submit]").await;
    let page = desk.wait_for_text("Gespeichert.").await;
    assert!(page.contains("0/12") && page.contains("Grundschulung"), "{page}");
    let basic_url = desk.url().await;

    desk.goto(&format!("{base}/trainings")).await;
    let list = desk.wait_for_text("Anstehend").await;
    assert!(
        list.contains("Grundschulung Dolmetschen im Ehrenamt") && list.contains("Auffrischung Schweigepflicht"),
        "{list}"
    );
    desk.screenshot("coordinator-trainings-desktop").await;

    // Preview by filter: counts and names, sends nothing; then invite.
    desk.goto(&basic_url).await;
    desk.wait_for_text("Nach Filter").await;
    set_value(&desk, "filter-training", "untrained").await;
    desk.click("#preview-button").await;
    let preview = desk.wait_for_text("Dieser Filter erreicht").await;
    assert!(
        preview.contains("Dieser Filter erreicht 2 Ehrenamtliche (0 bereits eingeladen)."),
        "{preview}"
    );
    let shown = desk.text("#preview").await;
    assert!(
        shown.contains("Selam Tesfaye") && shown.contains("Amal Haddad") && !shown.contains("Yonas"),
        "{shown}"
    );
    desk.screenshot("coordinator-training-invite-preview-desktop").await;
    assert!(
        service.smtp.received_by("amal@pool.test").is_empty(),
        "the preview sent nothing"
    );
    desk.click("#invite-button").await;
    let sent = desk.wait_for_text("2 eingeladen, 0 bereits eingeladen.").await;
    assert!(sent.contains("Eingeladen, noch ohne Antwort (2)"), "{sent}");

    // The volunteer's link, from the mail, on a phone.
    let link = invitation_link(&service, "selam@pool.test", "Grundschulung Dolmetschen im Ehrenamt").await;
    phone.goto(&format!("{base}{link}")).await;
    let invitation = phone.wait_for_text("Anmelden / Register").await;
    assert!(
        invitation.contains("Grundschulung Dolmetschen im Ehrenamt") && invitation.contains("Rathaus, Sitzungssaal"),
        "{invitation}"
    );
    phone.assert_fits_viewport().await;
    phone.screenshot("volunteer-training-invitation-phone").await;
    phone.click("button.accept").await;
    phone.wait_for_text("Sie sind angemeldet").await;
    phone.assert_fits_viewport().await;
    phone.screenshot("volunteer-training-registered-phone").await;

    desk.goto(&basic_url).await;
    let detail = desk.wait_for_text("Angemeldet (1)").await;
    assert!(detail.contains("1/12"), "{detail}");

    // The coordinator's training page on a phone, too.
    sign_in(&phone, base, "chief@pool.test", &password).await;
    phone.wait_for_text("Übersicht").await;
    phone.goto(&basic_url).await;
    phone.wait_for_text("Angemeldet (1)").await;
    phone.assert_fits_viewport().await;
    phone.screenshot("coordinator-training-phone").await;

    // The refresher has begun by now (or does in a moment): tick who came.
    let wait = soon + Duration::seconds(1) - Utc::now();
    if let Ok(wait) = wait.to_std() {
        tokio::time::sleep(wait).await;
    }
    desk.goto(&format!("{base}/trainings/{refresher}")).await;
    desk.wait_for_text("Anwesenheit speichern").await;
    let ticked = desk
        .eval(&format!("return document.getElementById('att-{selam}').checked;"))
        .await;
    assert_eq!(ticked, Value::Bool(true), "the registered are ticked by default");
    desk.screenshot("coordinator-training-attendance-desktop").await;
    desk.click("#attendance-form button[type=submit]").await;
    let recorded = desk.wait_for_text("Anwesenheit gespeichert.").await;
    assert!(recorded.contains("Teilgenommen (1)"), "{recorded}");

    desk.click("a.certificate").await;
    let certificate = desk.wait_for_text("Teilnahmebescheinigung").await;
    assert!(
        certificate.contains("Selam Tesfaye hat am")
            && certificate.contains("an der Schulung „Auffrischung Schweigepflicht“ (Auffrischung, 90 Minuten, Rathaus, Raum 2) teilgenommen."),
        "{certificate}"
    );
    assert!(certificate.contains("Leitung: Dr. M. Beispiel"), "{certificate}");
    desk.screenshot("coordinator-training-certificate-desktop").await;
    desk.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }))
        .await;
    let hidden = desk
        .eval("return getComputedStyle(document.querySelector('nav.screen-only')).display;")
        .await;
    assert_eq!(hidden, Value::String("none".to_owned()), "print shows the letter alone");
    desk.screenshot("coordinator-training-certificate-print").await;
    desk.cdp("Emulation.setEmulatedMedia", json!({ "media": "" })).await;

    // Attending the refresher made Selam trained.
    let selam_now = coordinator.get(&format!("/api/v1/volunteers/{selam}")).await;
    assert_eq!(selam_now.body["training"]["status"], "trained", "{}", selam_now.text);
    desk.goto(&format!("{base}/volunteers/{selam}")).await;
    let record = desk.wait_for_text("Zuletzt hier geschult am").await;
    assert!(record.contains("Auffrischung Schweigepflicht"), "{record}");

    desk.goto(&format!("{base}/trainings/needs")).await;
    desk.wait_for_text("Schulungsbedarf nach Sprache").await;
    desk.screenshot("coordinator-training-needs-desktop").await;

    desk.close().await;
    phone.close().await;
}
