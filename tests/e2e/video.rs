//! Video appointments: on acceptance the request gets a meeting room on the town's own video
//! service, and the same link reaches the interpreter (with the calendar entry) and the
//! caseworker.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;

const VIDEO: &str = "https://meet.winnenden.example";

#[tokio::test(flavor = "multi_thread")]
async fn an_accepted_video_appointment_sends_one_meeting_link_to_both_sides() {
    let service = Service::start_with(&[("LINGUAPOOL__VIDEO__BASE_URL", VIDEO)]).await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let mut body = volunteer("Selam Tesfaye", "selam@pool.test", "tir");
    body["modes"] = serde_json::json!(["video"]);
    let created = coordinator.post("/api/v1/volunteers", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);

    let mut request = request_body("tir");
    request["mode"] = "video".into();
    request.as_object_mut().unwrap().remove("town");
    request.as_object_mut().unwrap().remove("address");
    let filed = caseworker.post("/api/v1/requests", request).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.text);
    let id = filed.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        filed.body["video_url"],
        serde_json::Value::Null,
        "no room before anyone accepts"
    );

    let offer = service.smtp.wait_for("selam@pool.test", 1).await.remove(0);
    assert!(!offer.text.contains(VIDEO), "the offer carries no meeting link");
    let link = offer.link(PUBLIC_BASE_URL, "/o/").expect("an offer link");
    let accepted = service.anonymous().link_post_json(&format!("{link}/accept")).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);

    let shown = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    let url = shown.body["video_url"].as_str().expect("a meeting link").to_owned();
    let room = url
        .strip_prefix(&format!("{VIDEO}/dolmetschen-"))
        .expect("under the video service");
    assert_eq!(room.len(), 32, "128 random bits as hex: {room}");
    assert!(room.chars().all(|c| c.is_ascii_hexdigit()));

    let confirmation = service.smtp.wait_for("selam@pool.test", 2).await.remove(1);
    assert!(
        confirmation.text.contains(&format!("Videolink:      {url}")),
        "{}",
        confirmation.text
    );
    assert!(confirmation.html.contains(&url));
    let (_, ics) = confirmation
        .attachments
        .iter()
        .find(|(name, _)| name.ends_with(".ics"))
        .expect("the calendar entry");
    assert!(ics.replace("\r\n ", "").contains(&format!("URL:{url}")), "{ics}");
    let found = service.smtp.wait_for("cw@stadtwinnenden.test", 1).await.remove(0);
    assert!(found.text.contains(&url), "{}", found.text);
    assert!(found.html.contains(&url));

    // The volunteer's own page shows it too, once the job is theirs.
    let page = service.anonymous().link_get(&link).await;
    assert!(page.text.contains(&url), "{}", page.text);
}
