//! A volunteer's link action that cannot happen says why, on the page the form post is
//! redirected to (German and English) and in JSON: filled by someone else, accepted or declined already, given back, cancelled.

use crate::support::{Api, PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;
use serde_json::json;

/// Files a Tigrinya request and returns its id and the new offer link each of `volunteers`
/// gets for it.
async fn request_with_offers(
    service: &Service,
    caseworker: &Api,
    volunteers: &[&str],
    known: &[String],
) -> (String, Vec<String>) {
    let created = caseworker.post("/api/v1/requests", request_body("tir")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let mut links = Vec::new();
    for address in volunteers {
        links.push(new_offer_link(service, address, known).await);
    }
    (id, links)
}

async fn new_offer_link(service: &Service, address: &str, known: &[String]) -> String {
    for count in 1.. {
        let mails = service.smtp.wait_for(address, count).await;
        let fresh = mails
            .iter()
            .rev()
            .filter_map(|m| m.link(PUBLIC_BASE_URL, "/o/"))
            .find(|link| !known.contains(link));
        if let Some(link) = fresh {
            return link;
        }
    }
    unreachable!("the mail server's wait gives up first")
}

/// Checks that a refused action answers `status` with `reason` in JSON; and that a browser's
/// form post is sent (303) to the link's page with the reason, which says `german` and
/// `english`, and says it again on a reload.
async fn assert_refused(anonymous: &Api, action: &str, status: StatusCode, reason: &str, german: &str, english: &str) {
    let json = anonymous.link_post_json(action).await;
    assert_eq!(json.status, status, "{action}: {}", json.text);
    assert_eq!(json.body["error"]["reason"], reason, "{action}: {}", json.text);
    let (answer, page) = anonymous.link_post_redirected(action).await;
    let location = answer.headers["location"].to_str().unwrap().to_owned();
    let link_page = action.rsplit_once('/').unwrap().0;
    assert_eq!(location, format!("{link_page}?refused={reason}"), "{action}");
    assert_eq!(page.status, StatusCode::OK, "{action}: {}", page.text);
    for shown in [&page, &anonymous.link_get(&location).await] {
        assert!(
            shown.text.contains(german) && shown.text.contains(english),
            "{action} should say {german:?} / {english:?}: {}",
            shown.text
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_refused_link_action_says_its_own_reason() {
    let service = Service::start().await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Stadt Winnenden").await;
    let addresses = ["a@pool.test", "b@pool.test", "c@pool.test"];
    for (i, address) in addresses.iter().enumerate() {
        let created = coordinator
            .post("/api/v1/volunteers", volunteer(&format!("Selam {i}"), address, "tir"))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    let anonymous = service.anonymous();
    let (id, links) = request_with_offers(&service, &caseworker, &addresses, &[]).await;

    let declined = anonymous.link_post_json(&format!("{}/decline", links[2])).await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.text);
    let won = anonymous.link_post_json(&format!("{}/accept", links[1])).await;
    assert_eq!(won.body, json!({"result": "accepted"}), "{}", won.text);

    let accept = |n: usize| format!("{}/accept", links[n]);
    assert_refused(
        &anonymous,
        &accept(0),
        StatusCode::CONFLICT,
        "filled",
        "Bereits vergeben",
        "Already filled",
    )
    .await;
    assert_refused(
        &anonymous,
        &accept(1),
        StatusCode::GONE,
        "already_accepted",
        "Bereits übernommen",
        "Already accepted",
    )
    .await;
    assert_refused(
        &anonymous,
        &accept(2),
        StatusCode::GONE,
        "already_declined",
        "Bereits abgelehnt",
        "Already declined",
    )
    .await;

    let cancelled = caseworker
        .post(&format!("/api/v1/requests/{id}/cancel"), json!({}))
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.text);
    let withdraw = format!("{}/withdraw", links[1]);
    assert_refused(
        &anonymous,
        &withdraw,
        StatusCode::GONE,
        "cancelled",
        "Termin abgesagt",
        "Appointment cancelled",
    )
    .await;
    assert_refused(
        &anonymous,
        &accept(0),
        StatusCode::GONE,
        "cancelled",
        "Termin abgesagt",
        "Appointment cancelled",
    )
    .await;

    // Accepted, then given back: the link cannot take the job again.
    let (_, again) = request_with_offers(&service, &caseworker, &addresses[..1], &links).await;
    let link = &again[0];
    let won = anonymous.link_post_json(&format!("{link}/accept")).await;
    assert_eq!(won.status, StatusCode::OK, "{}", won.text);
    let gave_back = anonymous.link_post_json(&format!("{link}/withdraw")).await;
    assert_eq!(gave_back.status, StatusCode::OK, "{}", gave_back.text);
    assert_refused(
        &anonymous,
        &format!("{link}/accept"),
        StatusCode::GONE,
        "withdrew",
        "Bereits zurückgegeben",
        "Already given back",
    )
    .await;
}
