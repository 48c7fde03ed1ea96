//! The volunteer's side, on a phone: the offer link from the email, the accept button, the
//! confirmation; and the page a slower volunteer sees once the job is filled.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use lp_testkit::{Browser, Viewport};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread")]
async fn volunteer_accepts_offer_from_email_on_a_phone() {
    let (phone, service) = tokio::join!(Browser::start(Viewport::PHONE), Service::start());
    let Some(phone) = phone else { return };
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    for (name, email) in [("Selam Tesfaye", "selam@pool.test"), ("Yonas Berhe", "yonas@pool.test")] {
        let created = coordinator
            .post("/api/v1/volunteers", volunteer(name, email, "tir"))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    let created = caseworker.post("/api/v1/requests", request_body("tir")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let request_id = created.body["id"].as_str().unwrap().to_owned();

    // The link as the volunteer gets it by email, opened on the phone.
    let offer_link = |mail: &lp_testkit::ReceivedMail| {
        let path = mail.link(PUBLIC_BASE_URL, "/o/").expect("an offer link in the mail");
        format!("{}{path}", service.base)
    };
    let selam = offer_link(&service.smtp.wait_for("selam@pool.test", 1).await[0]);
    let yonas = offer_link(&service.smtp.wait_for("yonas@pool.test", 1).await[0]);
    phone.goto(&selam).await;
    let offer = phone.wait_for_text("Annehmen").await;
    for detail in ["Tigrinya", "Winnenden", "60 Min.", "Selam Tesfaye", "Accept"] {
        assert!(offer.contains(detail), "the offer page lacks {detail:?}:\n{offer}");
    }
    assert!(!offer.contains("Marktplatz"), "the address shows only after accepting");
    phone.assert_fits_viewport().await;
    let (x, _, width, height) = phone.rect("button.accept").await;
    let screen = f64::from(phone.viewport().width);
    assert!(height >= 48.0, "the accept button is {height} px tall");
    assert!(
        width >= 0.75 * screen && x >= 0.0 && x + width <= screen,
        "the accept button spans {x}..{} px of a {screen} px screen",
        x + width
    );
    phone.screenshot("volunteer-offer-phone").await;
    // Under the strict Content-Security-Policy the page's style comes from /static/link.css.
    let background = phone
        .eval("return getComputedStyle(document.body).backgroundColor;")
        .await;
    assert_eq!(background, "rgb(244, 245, 247)", "link.css is not applied");

    phone.click("button.accept").await;
    let confirmed = phone.wait_for_text("Zusage gespeichert").await;
    assert!(confirmed.contains("Accepted – the job is yours."), "{confirmed}");
    // The form's POST was answered with a redirect to the link's page: a reload shows the
    // result again and sends nothing.
    assert!(phone.url().await.ends_with("?done=accepted"), "{}", phone.url().await);
    phone.eval("location.reload(); return true;").await;
    let reloaded = phone.wait_for_text("Zusage gespeichert").await;
    assert!(reloaded.contains("Marktplatz 1"), "{reloaded}");
    assert!(
        confirmed.contains("Marktplatz 1"),
        "the address shows after accepting:\n{confirmed}"
    );
    assert!(
        phone.find_all("button.accept").await.is_empty(),
        "no second accept button"
    );
    phone.assert_fits_viewport().await;
    phone.screenshot("volunteer-accepted-phone").await;

    let request = caseworker.get(&format!("/api/v1/requests/{request_id}")).await;
    assert_eq!(request.body["status"], "assigned", "{}", request.text);
    assert_eq!(request.body["assignee"]["name"], "Selam Tesfaye");

    // The other volunteer's link now says the job is taken, without a button to press.
    phone.goto(&yonas).await;
    let filled = phone.wait_for_text("bereits vergeben").await;
    assert!(filled.contains("filled by someone else"), "{filled}");
    assert!(phone.find_all("button.accept").await.is_empty());
    phone.assert_fits_viewport().await;
    phone.screenshot("volunteer-offer-filled-phone").await;

    // Selam's own page, from the same offer mail: the job ahead and the calendar address from
    // the confirmation; revoking it works without script and comes back to the page.
    let mail = &service.smtp.wait_for("selam@pool.test", 1).await[0];
    let own_page = format!("{}{}", service.base, mail.link(PUBLIC_BASE_URL, "/v/").unwrap());
    phone.goto(&own_page).await;
    let shown = phone.wait_for_text("Ihre Kalender-Adresse").await;
    for detail in ["Meine Einsätze", "Tigrinya · vor Ort · Winnenden", "Mein Kalender"] {
        assert!(shown.contains(detail), "the page lacks {detail:?}:\n{shown}");
    }
    phone.assert_fits_viewport().await;
    phone.screenshot("volunteer-own-page-phone").await;
    phone.click("form[action$='/calendar/revoke'] button").await;
    let revoked = phone.wait_for_text("Kalender-Adresse erstellen").await;
    assert!(!revoked.contains("Ihre Kalender-Adresse"), "{revoked}");
    phone.assert_fits_viewport().await;
    phone.screenshot("volunteer-own-page-calendar-revoked-phone").await;

    phone.close().await;
}
