//! Exactly one winner: many volunteers accept the same request at the same moment.

use crate::support::{PUBLIC_BASE_URL, Service, organisation_with_caseworker, request_body, volunteer};
use reqwest::StatusCode;
use std::sync::Arc;
use tokio::sync::Barrier;

const RIVALS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_simultaneous_accepts_have_exactly_one_winner() {
    let service = Service::start_with(&[("LINGUAPOOL__MATCHING__WAVE_SIZE", "50")]).await;
    let coordinator = service.coordinator();
    let (_, caseworker) = organisation_with_caseworker(&service, &coordinator, "Integrationsmanagement").await;
    for i in 0..RIVALS {
        let created = coordinator
            .post(
                "/api/v1/volunteers",
                volunteer(&format!("Ahmad {i}"), &format!("ahmad{i}@pool.test"), "prs"),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    }
    let created = caseworker.post("/api/v1/requests", request_body("prs")).await;
    assert_eq!(created.body["offers"].as_array().unwrap().len(), RIVALS);
    let id = created.body["id"].as_str().unwrap().to_owned();

    let mut links = Vec::new();
    for i in 0..RIVALS {
        let mail = service.smtp.wait_for(&format!("ahmad{i}@pool.test"), 1).await.remove(0);
        links.push(mail.link(PUBLIC_BASE_URL, "/o/").unwrap());
    }

    let barrier = Arc::new(Barrier::new(RIVALS));
    let mut rivals = tokio::task::JoinSet::new();
    for link in links {
        let (barrier, api) = (barrier.clone(), service.anonymous());
        rivals.spawn(async move {
            barrier.wait().await;
            api.link_post_json(&format!("{link}/accept")).await.status
        });
    }
    let statuses: Vec<StatusCode> = rivals.join_all().await;
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let lost = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    assert_eq!((won, lost), (1, RIVALS - 1), "{statuses:?}");

    let request = caseworker.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(request.body["status"], "assigned");
    let accepted = request.body["offers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["state"] == "accepted")
        .count();
    assert_eq!(accepted, 1, "the database holds one assignment");
}
