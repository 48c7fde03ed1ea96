//! A volunteer's own availability page: the link in every offer mail and on request, a GET
//! that only shows, a POST that saves once, and a request form that tells nobody who is in
//! the pool.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test(flavor = "multi_thread")]
async fn volunteer_updates_availability_once_through_the_offer_mail_link() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let mut selam = volunteer("Selam Tesfaye", "selam@pool.test", "tir");
    selam["availability"]
        .as_array_mut()
        .unwrap()
        .push(json!({"weekday": "sat", "start": "18:00", "end": "24:00"}));
    selam["absences"] = json!([{"from": "2027-03-01", "to": "2027-03-14"}]);
    let created = coordinator.post("/api/v1/volunteers", selam).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let before = coordinator.get(&format!("/api/v1/volunteers/{id}")).await.body;

    caseworker.post("/api/v1/requests", request_body("tir")).await;
    let offer = service.smtp.wait_for("selam@pool.test", 1).await.remove(0);
    let link = offer
        .link(PUBLIC_BASE_URL, "/v/")
        .expect("the offer mail carries an availability link");
    assert!(offer.html.contains(&format!("{PUBLIC_BASE_URL}{link}")));

    // Opening the link shows the current times and the first name only, and changes nothing.
    let anonymous = service.anonymous();
    for _ in 0..2 {
        let response = anonymous
            .http
            .get(format!("{}{link}", anonymous.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        let page = response.text().await.unwrap();
        assert!(page.contains("Selam") && page.contains("Verfügbarkeit") && page.contains("availability"));
        for private in ["Tesfaye", "selam@pool.test", "+49"] {
            assert!(!page.contains(private), "the page shows {private}");
        }
        assert!(page.contains(r#"name="mon.0.start" value="08:00""#), "{page}");
        assert!(page.contains(r#"name="fri.0.end" value="18:00""#), "{page}");
        // 24:00 is shown as a time input can hold it: midnight.
        assert!(page.contains(r#"name="sat.0.end" value="00:00""#), "{page}");
        assert!(page.contains(r#"value="2027-03-01""#), "{page}");
    }
    let shown = anonymous
        .send(
            anonymous
                .http
                .get(format!("{}{link}", anonymous.base))
                .header("accept", "application/json"),
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["first_name"], "Selam");
    assert_eq!(shown.body["availability"], before["availability"]);
    assert_eq!(shown.body["absences"], before["absences"]);
    assert_eq!(
        coordinator.get(&format!("/api/v1/volunteers/{id}")).await.body,
        before,
        "opening the link changed the volunteer"
    );

    // An end before the start is refused, naming the field, and nothing is saved.
    let bad = "mon.0.start=13%3A00&mon.0.end=09%3A00&tue.0.start=10%3A00&tue.0.end=11%3A00";
    let refused = anonymous.post_raw(&link, FORM, bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    assert!(
        refused.text.contains("Montag, Zeile 1") && refused.text.contains("Monday, row 1"),
        "{}",
        refused.text
    );
    // The form comes back as typed, with the wrong field marked.
    assert!(refused.text.contains(r#"name="mon.0.end" value="09:00""#));
    assert_eq!(refused.text.matches(r#"class="bad""#).count(), 1);
    let refused_json = anonymous
        .send(
            anonymous
                .http
                .post(format!("{}{link}", anonymous.base))
                .header("accept", "application/json")
                .header("content-type", FORM)
                .body(bad),
        )
        .await;
    assert_eq!(refused_json.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused_json.error_field(), Some("mon.0.end"), "{}", refused_json.text);
    assert_eq!(coordinator.get(&format!("/api/v1/volunteers/{id}")).await.body, before);

    // A good save replaces times and absences, nothing else, and spends the link.
    let good = "mon.0.start=09%3A15&mon.0.end=12%3A45&mon.1.start=&mon.1.end=\
                &sat.0.start=18%3A00&sat.0.end=00%3A00\
                &absence.0.from=2027-03-01&absence.0.to=2027-03-14&absence.0.remove=1\
                &absence.1.from=2026-12-21&absence.1.to=2027-01-06";
    let saved = anonymous.post_raw(&link, FORM, good).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert!(saved.text.contains("Gespeichert") && saved.text.contains("Saved"));
    // The save was a redirect (303) to the link's page, and a reload shows what was saved.
    let reloaded = anonymous.link_get(&format!("{link}?saved=1")).await;
    assert_eq!(reloaded.status, StatusCode::OK, "{}", reloaded.text);
    assert!(reloaded.text.contains("09:15–12:45"), "{}", reloaded.text);
    let after = coordinator.get(&format!("/api/v1/volunteers/{id}")).await.body;
    assert_eq!(
        after["availability"],
        json!([
            {"weekday": "mon", "start": "09:15", "end": "12:45"},
            {"weekday": "sat", "start": "18:00", "end": "24:00"}
        ])
    );
    assert_eq!(after["absences"], json!([{"from": "2026-12-21", "to": "2027-01-06"}]));
    for unchanged in ["name", "email", "phone", "languages", "status", "service_area"] {
        assert_eq!(after[unchanged], before[unchanged], "{unchanged}");
    }

    // The link works once.
    let again = anonymous.post_raw(&link, FORM, good).await;
    assert_eq!(again.status, StatusCode::GONE, "{}", again.text);
    assert!(again.text.contains("nächsten E-Mail") && again.text.contains("next email"));
    assert_eq!(anonymous.link_get(&link).await.status, StatusCode::GONE);
    assert_eq!(
        anonymous.link_get("/v/not-a-real-token").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        coordinator.get(&format!("/api/v1/volunteers/{id}")).await.body["availability"],
        after["availability"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn asking_for_a_link_mails_registered_volunteers_and_reveals_nobody() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let created = coordinator
        .post("/api/v1/volunteers", volunteer("Oksana K.", "oksana@pool.test", "ukr"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let anonymous = service.anonymous();

    let form = anonymous.link_get("/v").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text.contains(r#"name="email""#), "{}", form.text);

    let unknown = anonymous.post_raw("/v", FORM, "email=nobody%40pool.test").await;
    let known = anonymous.post_raw("/v", FORM, "email=Oksana%40Pool.test").await;
    assert_eq!(unknown.status, StatusCode::OK, "{}", unknown.text);
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.text, known.text, "the answer must not tell who is in the pool");
    assert!(known.text.contains("unterwegs") && known.text.contains("on its way"));

    let mail = service.smtp.wait_for("oksana@pool.test", 1).await.remove(0);
    let link = mail.link(PUBLIC_BASE_URL, "/v/").expect("a link in the mail");
    let page = anonymous.link_get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("Oksana") && !page.text.contains("Oksana K."));

    // A second request within ten minutes sends nothing more, and answers the same.
    let repeated = anonymous.post_raw("/v", FORM, "email=oksana%40pool.test").await;
    assert_eq!(repeated.text, known.text);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let received = service.smtp.received();
    let link_mails = received.iter().filter(|m| m.subject.contains("Verfügbarkeit")).count();
    assert_eq!(link_mails, 1, "only the one link mail went out");
    assert!(received.iter().all(|m| !m.is_to("nobody@pool.test")));

    let malformed = anonymous.post_raw("/v", FORM, "email=not-an-address").await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
}
