//! A series of four weekly dates, end to end over HTTP and SMTP: the offer is for the series
//! and goes first to who can take most of its dates; accepting takes every date the volunteer
//! may take, the rest goes out as a single request; one date, then the rest, are cancelled.

use crate::support::{
    PUBLIC_BASE_URL, Service, appointment_start, organisation_with_caseworker, request_body, volunteer,
};
use chrono::{DateTime, Duration, FixedOffset};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn day(at: DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn statuses(request: &Value) -> Vec<String> {
    request["series"]["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let status = d["status"].as_str().unwrap();
            if d["held"] == true {
                format!("{status} (held)")
            } else {
                status.to_owned()
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_series_of_four_dates_is_offered_taken_released_and_cancelled() {
    // One offer per wave, so the order of the series' offer shows; the worker looks every second.
    let service = Service::start_with(&[
        ("LINGUAPOOL__MATCHING__WAVE_SIZE", "1"),
        ("LINGUAPOOL__MATCHING__CASCADE_TICK_SECONDS", "1"),
    ])
    .await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let first: DateTime<FixedOffset> = appointment_start().parse().unwrap();
    let dates: Vec<DateTime<FixedOffset>> = (0..4).map(|k| first + Duration::weeks(k)).collect();
    let absent = |days: &[usize]| -> Value {
        days.iter()
            .map(|&k| json!({"from": day(dates[k]), "to": day(dates[k])}))
            .collect()
    };
    // Selam can take the first three dates, Yonas the first two; Amal all but the first, so
    // she is no candidate for the series' offer (it is the first date's).
    for (name, email, away) in [
        ("Selam Tesfaye", "selam@pool.test", vec![3]),
        ("Yonas Berhe", "yonas@pool.test", vec![2, 3]),
        ("Amal Haile", "amal@pool.test", vec![0]),
    ] {
        let mut body = volunteer(name, email, "tir");
        body["absences"] = absent(&away);
        let created = coordinator.post("/api/v1/volunteers", body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }

    let mut body = request_body("tir");
    body["repeat"] = json!({"every_weeks": 1, "count": 4});
    let filed = caseworker.post("/api/v1/requests", body).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    assert_eq!(
        statuses(&filed.body),
        ["open", "open (held)", "open (held)", "open (held)"]
    );
    let ids: Vec<String> = filed.body["series"]["dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["request_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids[0], filed.body["id"].as_str().unwrap());
    assert_eq!(filed.body["offers"].as_array().unwrap().len(), 1, "one wave of one");
    assert_eq!(
        filed.body["offers"][0]["volunteer_name"], "Selam Tesfaye",
        "the series goes first to who can take most of it"
    );

    // The offer names the series; its page says which dates she is free for.
    let offer = service.smtp.wait_for("selam@pool.test", 1).await.remove(0);
    assert!(offer.text.contains("Eine Terminserie"), "{}", offer.text);
    let link = offer.link(PUBLIC_BASE_URL, "/o/").expect("an offer link");
    let page = service.anonymous().link_get(&link).await;
    assert!(page.text.contains("Terminserie"), "{}", page.text);
    let accepted = service.anonymous().link_post_json(&format!("{link}/accept")).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);

    // She has the first three dates; the fourth went out as a single request (to Amal).
    let shown = caseworker.get(&format!("/api/v1/requests/{}", ids[0])).await;
    let now = statuses(&shown.body);
    assert_eq!(&now[..3], ["assigned", "assigned", "assigned"], "{now:?}");
    assert!(!now[3].contains("held"), "{now:?}");
    let confirmation = service.smtp.wait_for("selam@pool.test", 2).await.remove(1);
    assert!(
        confirmation
            .text
            .contains("Aus derselben Serie übernehmen Sie außerdem")
    );
    let (_, ics) = confirmation
        .attachments
        .iter()
        .find(|(n, _)| n.ends_with(".ics"))
        .unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3, "{ics}");
    let found = service.smtp.wait_for("cw@stadtwinnenden.test", 1).await.remove(0);
    assert!(
        found.text.contains("Aus derselben Serie übernimmt sie/er auch"),
        "{}",
        found.text
    );
    assert!(found.text.contains("suchen wir einzeln weiter"), "{}", found.text);
    let single = service.smtp.wait_for("amal@pool.test", 1).await.remove(0);
    assert!(!single.text.contains("Terminserie"), "a single offer: {}", single.text);
    let fourth = caseworker.get(&format!("/api/v1/requests/{}", ids[3])).await;
    assert_eq!(fourth.body["offers"][0]["volunteer_name"], "Amal Haile");

    // Each date taken along has its own link: the second date alone is given back by the
    // caseworker's cancellation, the third and fourth with "the rest of the series".
    let cancelled = caseworker
        .post(&format!("/api/v1/requests/{}/cancel", ids[1]), json!(null))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    assert_eq!(statuses(&cancelled.body), ["assigned", "cancelled", "assigned", "open"]);
    let rest = caseworker
        .post(
            &format!("/api/v1/requests/{}/cancel?rest_of_series=true", ids[2]),
            json!(null),
        )
        .await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.text);
    assert_eq!(
        statuses(&rest.body),
        ["assigned", "cancelled", "cancelled", "cancelled"]
    );
    let fourth = caseworker.get(&format!("/api/v1/requests/{}", ids[3])).await;
    assert_eq!(
        fourth.body["offers"][0]["state"], "withdrawn",
        "Amal's offer is withdrawn"
    );
    // Selam hears of both her cancelled dates.
    let mails = service.smtp.wait_for("selam@pool.test", 4).await;
    assert_eq!(
        mails.iter().filter(|m| m.subject.starts_with("Abgesagt")).count(),
        2,
        "{:?}",
        mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
}
